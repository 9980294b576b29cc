"""Viet Nam's 34 provincial units (since 2025-07-01), their former names, and distance."""

from __future__ import annotations

import math
import re
from functools import cache
from importlib import resources

import msgspec

from search.text import fold
from service.db import Connection

NATIONAL = "national"
EARTH_DIAMETER_KM = 12742.0


class Province(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str
    former_names: list[str]
    lat: float
    lon: float


class _ProvinceRecord(Province, frozen=True, kw_only=True):
    abbreviation: str
    aliases: list[str] = []
    # the centre (former capital) of each province merged into this one in 2025; a renamed province
    # (Thừa Thiên Huế → Huế) kept its land and is not listed
    former_centres: dict[str, tuple[float, float]] = {}


@cache
def _records() -> tuple[_ProvinceRecord, ...]:
    raw = (resources.files("service") / "data" / "provinces.json").read_bytes()
    return tuple(msgspec.json.decode(raw, type=list[_ProvinceRecord]))


@cache
def provinces() -> tuple[Province, ...]:
    """The 34 provinces, as served by ``GET /api/v1/provinces``."""
    return tuple(
        Province(code=r.code, name=r.name, former_names=r.former_names, lat=r.lat, lon=r.lon) for r in _records()
    )


@cache
def _by_key() -> dict[str, Province]:
    index: dict[str, Province] = {}
    for record, province in zip(_records(), provinces(), strict=True):
        index[province.code] = province
        for name in [record.name, *record.former_names, *record.aliases]:
            index[_key(name)] = province
    return index


def _key(name: str) -> str:
    folded = fold(name)
    for prefix in ("thanh pho ", "tp. ", "tp.", "tp ", "tinh "):
        if folded.startswith(prefix):
            folded = folded[len(prefix) :]
    return "".join(ch for ch in folded if ch.isalnum())


def resolve(name_or_code: str) -> Province | None:
    """The current province for a code, current name or former name, typed with or without
    diacritics: ``Sóc Trăng``, ``soc trang`` and ``92`` all give Cần Thơ."""
    value = name_or_code.strip()
    return _by_key().get(value) or _by_key().get(_key(value))


# A word as typed, diacritics kept: the span a place name covers is cut out of the original text.
_TYPED_WORD = re.compile(r"[^\W_]+")
_LONGEST_NAME = 6  # words: "thanh pho ho chi minh" is five


class PlaceInText(msgspec.Struct, frozen=True, kw_only=True):
    """A province named in a search's words: ``typed`` as written, ``rest`` the other words."""

    province: Province
    typed: str
    rest: str


def find_in_text(text: str) -> PlaceInText | None:
    """The province a search's words name (current, former or short name, with or without
    diacritics: ``viec lam ha noi``, ``tgpl tp hcm``, ``vay von soc trang``), the longest name first;
    None when they name none. Numbers are never read as a province code."""
    found = list(_TYPED_WORD.finditer(text))
    for size in range(min(_LONGEST_NAME, len(found)), 0, -1):
        for start in range(len(found) - size + 1):
            span = found[start : start + size]
            if any(match.group().isdigit() for match in span):
                continue
            province = _by_key().get(_key(" ".join(match.group() for match in span)))
            if province is not None:
                begin, end = span[0].start(), span[-1].end()
                rest = " ".join(f"{text[:begin]} {text[end:]}".split())
                return PlaceInText(province=province, typed=text[begin:end], rest=rest)
    return None


def by_code(code: str) -> Province:
    province = _by_key().get(code)
    if province is None or province.code != code:
        raise KeyError(code)
    return province


def abbreviation(code: str) -> str:
    """The short letters of a province, unique among the 34 (``CT`` for Cần Thơ): case codes use it."""
    return next(r.abbreviation for r in _records() if r.code == code)


def names_for_search(code: str) -> list[str]:
    """Every name a caseworker might type for this area, so text search finds it too."""
    if code == NATIONAL:
        return ["toàn quốc", "national", "cả nước"]
    record = next(r for r in _records() if r.code == code)
    return [record.name, *record.former_names, *record.aliases]


def synonym_groups() -> list[list[str]]:
    """Names that mean the same province, current, former and colloquial (Sài Gòn, TP.HCM …),
    for search engines that expand queries by synonyms."""
    return [[r.name, *r.former_names, *r.aliases] for r in _records() if r.former_names or r.aliases]


def former_province(typed: str) -> str | None:
    """The province merged in 2025 that ``typed`` names (``soc trang`` → ``Sóc Trăng``), or None for a
    current name, a code or a rename: a case that records it is measured from its old centre."""
    key = _key(typed)
    return next((name for r in _records() for name in r.former_centres if _key(name) == key), None)


def home_centre(code: str, former: str | None = None) -> tuple[float, float] | None:
    """Where to measure a survivor's distances from: the former province's centre when the case
    records one; the province's centre when no other province was merged into it; otherwise None,
    since the new centre can be tens of km from a commune of a merged province."""
    record = next((r for r in _records() if r.code == code), None)
    if record is None:
        return None
    if former is not None:
        return record.former_centres.get(former)
    return None if record.former_centres else (record.lat, record.lon)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return EARTH_DIAMETER_KM * math.asin(math.sqrt(h))


async def sync_reference_table(conn: Connection) -> None:
    """Make the ``province`` table match the shipped data (SQL joins and foreign keys use it)."""
    await conn.executemany(
        "INSERT INTO province (code, name, former_names, lat, lon) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, former_names = EXCLUDED.former_names,"
        " lat = EXCLUDED.lat, lon = EXCLUDED.lon",
        [(p.code, p.name, p.former_names, p.lat, p.lon) for p in provinces()],
    )
