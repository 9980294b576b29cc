"""The search relevance set: queries typed the way caseworkers type them on a phone (no diacritics,
slips, abbreviations, English words, places, numbers), each with the demo listings judged to
answer it, and the scorer: precision at 3 and mean reciprocal rank over the first page.

Listings are named by their stable demo keys (service/demo/directory.py), so the judgments hold
on every machine. Only public listings are judged: the set is scored as the public searches.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from service import places
from service.demo.directory import Visibility, generated_services, real_services

# Generated listings exist in every province: "gen-{code}-{suffix}".
LEGAL, JOBS, HEALTH, LOANS, TRAINING = "legal", "jobs", "health", "loans", "training"
SHELTER, WU, PSY, RECEPTION = "shelter", "wu-counselling", "ctxh-psy", "ctxh-reception"
ANH_DUONG = ("anhduong-quangninh", "anhduong-hanoi", "anhduong-danang", "anhduong-hcm")


def _public_keys() -> dict[str, uuid.UUID]:
    services = [*real_services(), *generated_services()]
    return {s.key: s.id for s in services if s.fields.get("visibility") != Visibility.STAFF}


PUBLIC = _public_keys()


def gen(code: str, suffix: str) -> str:
    return f"gen-{code}-{suffix}"


def every(suffix: str, *also: str) -> tuple[str, ...]:
    """The generated listing of this kind in every province (public ones), and ``also``."""
    return tuple(key for p in places.provinces() if (key := gen(p.code, suffix)) in PUBLIC) + also


ALL_LEGAL = every(LEGAL, "legalaid-cantho", "legalaid-hanoi")
ALL_SHELTERS = every(SHELTER, "peaceful-house-shelter", "backan-trusted-addresses", *ANH_DUONG)
ALL_JOBS = every(JOBS, "jobs-cantho")
# Listings of Women's Union organizations (Hội Liên hiệp Phụ nữ, LHPN)
ALL_WU = every(WU) + every(SHELTER) + ("backan-trusted-addresses", "soctrang-counselling", "soctrang-rapid-response")

# (typed query, judged relevant listings). The first group names places; then plain words without
# diacritics, slips, abbreviations and English, numbers.
JUDGED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("viec lam ha noi", (gen("01", JOBS),)),
    ("viec lam hn", (gen("01", JOBS),)),
    ("tim viec tp hcm", (gen("79", JOBS),)),
    ("tro giup phap ly sai gon", (gen("79", LEGAL),)),
    ("tgpl hcm", (gen("79", LEGAL),)),
    ("nha tam lanh da nang", ("anhduong-danang", gen("48", SHELTER))),
    ("tam lanh ha noi", ("anhduong-hanoi", gen("01", SHELTER))),
    ("tu van tam ly can tho", (gen("92", PSY), gen("92", WU), "soctrang-counselling", "osso-cantho",
                               "peaceful-house-shelter")),
    ("vay von soc trang", (gen("92", LOANS),)),
    ("hoc nghe bac kan", (gen("19", TRAINING),)),
    ("benh vien hai phong", (gen("31", HEALTH),)),
    ("ctxh quang ninh", ("ctxh-quangninh", gen("22", PSY), gen("22", RECEPTION))),
    ("legal aid hanoi", ("legalaid-hanoi", gen("01", LEGAL))),
    ("shelter hue", (gen("46", SHELTER),)),
    ("job da nang", (gen("48", JOBS),)),
    ("hoi phu nu ha tinh", (gen("42", WU),)),
    ("lhpn can tho", (gen("92", WU), gen("92", SHELTER))),
    ("y te nghe an", (gen("40", HEALTH),)),
    ("jobs can tho", ("jobs-cantho", gen("92", JOBS))),
    ("binh yen", ("peaceful-house-shelter",)),
    ("nha binh yen", ("peaceful-house-shelter",)),
    ("anh duong", ANH_DUONG),
    ("osso", ("osso-cantho",)),
    ("mot cua", ("osso-cantho", *ANH_DUONG)),
    ("tong dai 111", ("hotline-111",)),
    ("bao ve tre em", ("hotline-111",)),
    ("duong day nong", ("hotline-111",)),
    ("phan ung nhanh", ("soctrang-rapid-response",)),
    ("tu van hon nhan", every(WU, "soctrang-counselling")),
    ("phu nu di cu tro ve", ("osso-cantho",)),
    ("dao tao nghe", every(TRAINING)),
    ("vay von", every(LOANS)),
    ("giay to tuy than", ALL_LEGAL),
    ("trogiup phap ly", ALL_LEGAL),
    ("tam lahn", ALL_SHELTERS),
    ("phap lyy", ALL_LEGAL),
    ("tu vann tam ly", every(PSY, "ctxh-quangninh")),
    ("dia chi tin cay", every(SHELTER, "backan-trusted-addresses")),
    ("binh yenn", ("peaceful-house-shelter",)),
    ("gioi thieu vieclam", ALL_JOBS),
    ("benh vein", every(HEALTH)),
    ("ngan hnag chinh sach", every(LOANS)),
    ("tgpl", ALL_LEGAL),
    ("ctxh", every(PSY, "ctxh-quangninh") + every(RECEPTION)),
    ("hlhpn", ALL_WU),
    ("bhyt", every(HEALTH)),
    ("cccd", ALL_LEGAL),
    ("legal aid", ALL_LEGAL),
    ("shelter", ALL_SHELTERS),
    ("job", ALL_JOBS),
    ("counselling", every(PSY) + every(WU)),
    ("women union", ALL_WU),
    ("111", ("hotline-111",)),
    ("1900 969 680", ("peaceful-house-shelter",)),
    ("0377 672 444", ("soctrang-counselling", "soctrang-rapid-response")),
    ("1800 1567", ("anhduong-hanoi",)),
)  # fmt: skip


@dataclass(frozen=True)
class Judged:
    typed: str
    precision_at_3: float
    reciprocal_rank: float
    top: tuple[str, ...]


def judge(typed: str, relevant: Sequence[str], ranked: Sequence[str]) -> Judged:
    """Precision at 3 (out of the judged listings, when fewer than 3) and the reciprocal rank of the
    first judged listing in ``ranked`` (0 when none is on the page)."""
    wanted = {str(PUBLIC[key]) for key in relevant}
    names = {str(v): k for k, v in PUBLIC.items()}
    top3 = ranked[:3]
    precision = sum(1 for service in top3 if service in wanted) / min(3, len(wanted))
    rank = next((index for index, service in enumerate(ranked, 1) if service in wanted), None)
    return Judged(typed, precision, 1 / rank if rank else 0.0, tuple(names.get(s, s) for s in top3))


def summary(judged: Sequence[Judged]) -> tuple[float, float]:
    """Mean precision at 3 and mean reciprocal rank, rounded to 3 places."""
    count = len(judged)
    return (
        round(sum(j.precision_at_3 for j in judged) / count, 3),
        round(sum(j.reciprocal_rank for j in judged) / count, 3),
    )
