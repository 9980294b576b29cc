"""Deterministic survivor side at scale: 50,000 cases with consents, plans, 500,000 milestones,
200,000 referrals in every state the service produces (with their histories), and follow-ups.

Rows are written with COPY, not through the use cases (those take ~20 ms a case with their audit
entries: far too slow for 50,000), but they hold what the use cases would write: identifiers
encrypted with the real ``PersonalDataCipher`` under the database's data key, random case codes (drawn
from the seeded generator), referral histories that follow ``workflow.REFERRAL_TRANSITIONS``, due times from
``workflow.due_at``, follow-up scores from ``rules.score``. Content is drawn from one seeded
generator; dates are counted back from the day of generation, so "overdue" and "expired" mean
the same whenever the data is made (ciphertexts differ run to run: AES-GCM nonces are random).
Needs the directory first (``python -m bench.generate``).

    python -m bench.generate_cases --scale 1      # 50,000 cases
    python -m bench.generate_cases --scale 0.01   # 500 cases, a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import msgspec
from rich.progress import Progress

from service import places
from service.auth.secrets import hash_password
from service.bootstrap import prepare_database
from service.config import Settings
from service.crypto import PersonalDataCipher, data_key
from service.db import database_url
from service.reintegration import free_text, rules, workflow
from service.reintegration.plan_models import MilestoneDomain
from service.reintegration.referral_models import ReferralStatus, Urgency

NAMESPACE = uuid.UUID("5c1d0a8e-3f4b-4d7a-9e2c-6b8f1a0d2e71")
DIRECTORY_NAMESPACE = uuid.UUID("0b6f8a52-6c1e-4f0e-8f57-2f7b1c9d3a44")  # bench.generate's
PASSWORD = "ketnoi-bench-2026"  # noqa: S105 - synthetic bench accounts only
COORDINATOR_EMAIL = "coordinator@bench.ketnoi.test"
# The receiving partner whose referrals the load runner moves (hold / resume): bench.generate's first organization.
PARTNER_ORGANIZATION = uuid.uuid5(DIRECTORY_NAMESPACE, "org-0")
PARTNER_EMAIL = "partner.0@bench.ketnoi.test"
CASEWORKERS_PER_PROVINCE = 10
BATCH = 2_500

SURVIVORS, MILESTONES, REFERRALS = 50_000, 500_000, 200_000
# Referrals kept moving by the load runner go to PARTNER_ORGANIZATION, in progress: this share of
# all, and at least this many (the runner cycles through a list much longer than its connections).
PARTNER_SHARE, PARTNER_MINIMUM = 0.02, 400

# Fictional names from common Kinh, Khmer and Thái family and given names (words read better than quoted strings).
FAMILY = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Thạch Danh Sơn Kim Lò Hà".split()  # noqa: SIM905
MIDDLE = "Thị Thị Thị Ngọc Thu Hồng Thanh Kim Mỹ Văn Minh".split()  # noqa: SIM905
GIVEN = "Lan Hoa Mai Hương Trang Linh Ngọc Thảo Nhung Hạnh Phương Yến Dung Vy Nhi Sa Phia Sóc Xuân Nga Hằng".split()  # noqa: SIM905
COUNTRIES = ["CN", "CN", "CN", "KH", "KH", "LA", "MY", "TH", "KR", "JP", "TW", "AE"]
COUNTRY_VI = {"CN": "Trung Quốc", "KH": "Campuchia", "LA": "Lào", "MY": "Malaysia", "TH": "Thái Lan",
              "KR": "Hàn Quốc", "JP": "Nhật Bản", "TW": "Đài Loan", "AE": "UAE"}  # fmt: skip
CASE_TYPES = (("trafficking_victim", 5), ("returnee_migrant", 3), ("gbv_survivor", 4), ("at_risk", 1))
CLOSURES = (("goals_met", 6), ("lost_contact", 2), ("transferred", 1), ("survivor_withdrew", 1), ("re_migrated", 1))
TITLES = {
    MilestoneDomain.SAFETY_PROTECTION: "Lập kế hoạch an toàn cá nhân",
    MilestoneDomain.ESSENTIAL_NEEDS_SHELTER: "Bố trí chỗ ở tạm thời an toàn",
    MilestoneDomain.HEALTH: "Khám sức khỏe tổng quát",
    MilestoneDomain.MENTAL_HEALTH_PSYCHOSOCIAL: "Tham vấn tâm lý định kỳ",
    MilestoneDomain.LEGAL_DOCUMENTS: "Làm lại căn cước công dân",
    MilestoneDomain.JUSTICE_LEGAL_AID: "Trợ giúp pháp lý trong tố tụng",
    MilestoneDomain.FAMILY_COMMUNITY: "Hòa giải và đoàn tụ gia đình",
    MilestoneDomain.EDUCATION: "Quay lại trường học",
    MilestoneDomain.VOCATIONAL_EMPLOYMENT: "Học nghề may công nghiệp",
    MilestoneDomain.LIVELIHOOD_FINANCE: "Vay vốn ưu đãi để chăn nuôi",
    MilestoneDomain.CHILD_CARE_DEPENDANTS: "Gửi con vào trường mầm non",
}
# Final state → the walk that reaches it (each step one of workflow.REFERRAL_TRANSITIONS) and its weight.
# 'sent' past its due time is 'expired'; 'draft' is never produced by the service, so not here.
WALKS: dict[str, tuple[tuple[str, ...], int]] = {
    "sent": ((), 6),
    "expired": ((), 6),
    "accepted": (("accept",), 8),
    "in_progress": (("accept", "start"), 12),
    "on_hold": (("accept", "start", "hold"), 4),
    "declined": (("decline",), 10),
    "completed": (("accept", "start", "complete"), 10),
    "verified": (("accept", "start", "complete", "verify"), 26),
    "not_completed": (("accept", "start", "not-complete"), 6),
    "withdrawn": (("withdraw",), 4),
    "withdrawn_late": (("accept", "withdraw"), 2),
}
TABLES = ("survivor", "consent", "plan", "milestone", "referral", "referral_event", "follow_up")


def sizes(scale: float) -> tuple[int, int, int]:
    """(survivors, milestones, referrals) at ``scale`` (1 = 50,000 / 500,000 / 200,000)."""
    return max(34, round(SURVIVORS * scale)), max(340, round(MILESTONES * scale)), max(136, round(REFERRALS * scale))


@dataclass
class Rows:
    """One batch of rows, per table, in COPY column order (``COLUMNS``)."""

    tables: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: {t: [] for t in TABLES})

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.tables[table].append(row)


COLUMNS = {
    "survivor": ["id", "case_code", "organization_id", "assigned_caseworker_id", "case_type", "identification_status",
                 "accompanying_child", "sex", "birth_year", "nationality", "languages", "home_province",
                 "home_commune_enc", "returned_from", "return_date", "risk_level", "contact_channel",
                 "contact_safe_hours_enc", "do_not_contact", "status", "closure_reason", "closed_at", "full_name_enc",
                 "phone_enc", "address_enc", "id_document_enc", "name_index", "created_by", "created_at",
                 "updated_at"],
    "consent": ["id", "survivor_id", "purpose", "organization_id", "method", "evidence_enc", "granted_at",
                "expires_at", "withdrawn_at", "withdrawn_by", "recorded_by"],
    "plan": ["id", "survivor_id", "number", "is_current", "status", "notes_enc", "survivor_agreed_at",
             "agreement_method", "submitted_at", "approved_at", "approved_by", "created_by", "created_at",
             "updated_at"],
    "milestone": ["id", "plan_id", "domain", "title_enc", "target_date", "responsible_organization_id", "status",
                  "created_at", "updated_at"],
    "referral": ["id", "survivor_id", "milestone_id", "service_id", "receiving_organization_id",
                 "referring_organization_id", "created_by", "consent_id", "emergency_reason_enc",
                 "emergency_approved_by", "urgency", "shared_summary_enc", "status", "reason_code", "sent_at", "due_at",
                 "responded_at", "completed_at", "created_at", "updated_at"],
    "referral_event": ["id", "referral_id", "from_status", "to_status", "actor_id", "at", "reason_code", "note_enc"],
    "follow_up": ["id", "survivor_id", "date", "method", "notes_enc", "indicators", "economic", "social",
                  "psychosocial", "composite", "scoring_version", "recorded_by", "created_at"],
}  # fmt: skip


def sid(kind: str, *parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "-".join([kind, *map(str, parts)]))


@dataclass(frozen=True)
class Office:
    """A provincial Women's Union and its caseworkers."""

    province: places.Province
    organization_id: uuid.UUID
    caseworkers: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class World:
    """What the cases hang on: offices, the root coordinator, listings to refer to and their partners."""

    root: uuid.UUID
    coordinator: uuid.UUID
    offices: tuple[Office, ...]
    services: tuple[tuple[uuid.UUID, uuid.UUID], ...]  # (service_id, organization_id), in id order
    partner_services: tuple[uuid.UUID, ...]  # services of PARTNER_ORGANIZATION
    partners: dict[uuid.UUID, uuid.UUID]  # organization → its bench partner user


def world(services: Sequence[tuple[uuid.UUID, uuid.UUID]]) -> World:
    offices = tuple(
        Office(
            province=province,
            organization_id=sid("office", province.code),
            caseworkers=tuple(sid("caseworker", province.code, n) for n in range(CASEWORKERS_PER_PROVINCE)),
        )
        for province in places.provinces()
    )
    organizations = sorted({org for _, org in services})
    return World(
        root=sid("office", "root"),
        coordinator=sid("coordinator", "root"),
        offices=offices,
        services=tuple(services),
        partner_services=tuple(s for s, org in services if org == PARTNER_ORGANIZATION),
        partners={org: sid("partner", org) for org in organizations},
    )


async def load_people(conn: asyncpg.Connection, w: World, password_hash: str) -> None:
    """The Women's Union tree (root + one office per province) and every bench account."""
    await conn.execute(
        "INSERT INTO organization (id, name, kind) VALUES ($1, 'Hội LHPN Việt Nam (bench)', 'mass_organization')"
        " ON CONFLICT DO NOTHING",
        w.root,
    )
    await conn.executemany(
        "INSERT INTO organization (id, name, kind, parent_id) VALUES ($1, $2, 'mass_organization', $3)"
        " ON CONFLICT DO NOTHING",
        [(o.organization_id, f"Hội LHPN {o.province.name} (bench)", w.root) for o in w.offices],
    )
    users = [(w.coordinator, COORDINATOR_EMAIL, "coordinator", w.root, "Điều phối viên (bench)")]
    for office in w.offices:
        users += [
            (user, f"caseworker.{office.province.code}.{n}@bench.ketnoi.test", "caseworker", office.organization_id,
             f"Cán bộ {office.province.name} {n}")
            for n, user in enumerate(office.caseworkers)
        ]  # fmt: skip
    organizations = sorted(w.partners, key=lambda org: (org != PARTNER_ORGANIZATION, org))
    users += [
        (w.partners[org], f"partner.{n}@bench.ketnoi.test", "partner", org, f"Đối tác {n}")
        for n, org in enumerate(organizations)
    ]
    await conn.copy_records_to_table(
        "app_user",
        columns=["id", "email", "password_hash", "role", "organization_id", "display_name"],
        records=[(user, email, password_hash, role, org, name) for user, email, role, org, name in users],
    )


class CaseWriter:
    """Draws one case after another from a single seeded generator."""

    def __init__(
        self, w: World, cipher: PersonalDataCipher, today: date, milestones_per_plan: float, partner_share: float
    ) -> None:
        self.w = w
        self.partner_share = partner_share
        self.cipher = cipher
        self.today = today
        self.now = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=9)
        self.rng = random.Random(50_000)
        self.per_plan = milestones_per_plan
        self.codes: set[str] = set()
        self.events = 0  # referral_event ids, given here so each note is sealed to its event
        self.indicators = rules.scoring().indicators
        self.scoring_version = rules.scoring().version

    def _weighted(self, options: Sequence[tuple[str, int]]) -> str:
        return self.rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]

    def _at(self, day: date, hour_spread: int = 9) -> datetime:
        return datetime.combine(day, datetime.min.time(), UTC) + timedelta(
            hours=1 + self.rng.randrange(hour_spread), minutes=self.rng.randrange(60)
        )

    def case(self, index: int, rows: Rows) -> None:
        rng, w = self.rng, self.w
        office = w.offices[index % len(w.offices)]
        survivor = sid("survivor", index)
        caseworker = office.caseworkers[rng.randrange(len(office.caseworkers))]
        age_days = rng.randrange(1, 700)
        opened = self._at(self.today - timedelta(days=age_days))
        prefix = rules.case_prefix(office.province.code)
        code = rules.case_code(prefix, opened.year, choose=rng.choice)
        while code in self.codes:
            code = rules.case_code(prefix, opened.year, choose=rng.choice)
        self.codes.add(code)
        case_type = self._weighted(CASE_TYPES)
        sex = "female" if rng.random() < 0.85 else "male"
        birth_year = self.today.year - rng.randint(15, 45)
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE) if sex == 'female' else 'Văn'} {rng.choice(GIVEN)}"
        country = rng.choice(COUNTRIES) if case_type in ("trafficking_victim", "returnee_migrant") else None
        closed = age_days > 180 and rng.random() < 0.35
        closed_at = opened + timedelta(days=rng.randint(120, age_days)) if closed else None
        record = str(survivor)
        encrypt = self.cipher.encrypt

        def seal(record: uuid.UUID, field: str, text: str | None) -> bytes | None:
            return free_text.CASE.seal(self.cipher, record, field, text)

        rows.add(
            "survivor",
            (survivor, code, office.organization_id, caseworker, case_type,
             rng.choice(["reported", "under_identification", "identified_victim", "identified_victim"])
             if case_type == "trafficking_victim" else "not_identified",
             rng.random() < 0.05, sex, birth_year, "VN", ["vi", "km"] if rng.random() < 0.08 else ["vi"],
             office.province.code, seal(survivor, "home_commune", f"Xã {rng.choice(GIVEN)} {rng.randint(1, 30)}"),
             country,
             (opened - timedelta(days=rng.randint(1, 60))).date() if country else None,
             rng.choice(["low", "medium", "medium", "high"]), rng.choice(["phone", "zalo", "home_visit", None]),
             seal(survivor, "contact_safe_hours", "18:00-20:00" if rng.random() < 0.3 else None), rng.random() < 0.03,
             "closed" if closed else "open", self._weighted(CLOSURES) if closed else None, closed_at,
             encrypt(name, record=record, field="full_name"),
             encrypt(f"0999 {rng.randrange(1_000_000):06d}", record=record, field="phone"),
             encrypt(f"Ấp {rng.randint(1, 12)}, {office.province.name}", record=record, field="address"),
             encrypt(f"0{rng.randrange(10**11):011d}", record=record, field="id_document_number"),
             self.cipher.name_index(name), caseworker, opened, closed_at or opened),
        )  # fmt: skip
        consent = self._consents(survivor, caseworker, opened, rows)
        milestones = self._plans(survivor, caseworker, opened, age_days, closed, rows)
        if consent is not None or rng.random() < 0.05:
            self._referrals(survivor, office, caseworker, consent, opened, milestones, rows)
        self._follow_ups(survivor, caseworker, opened, closed_at, rows)

    def _consents(self, survivor: uuid.UUID, by: uuid.UUID, opened: datetime, rows: Rows) -> uuid.UUID | None:
        """A referral consent to all partners for most; a few withdrawn; follow-up contact for half."""
        rng = self.rng
        live = None
        if rng.random() < 0.85:
            consent = sid("consent", survivor, "referral")
            withdrawn = opened + timedelta(days=rng.randint(30, 200)) if rng.random() < 0.05 else None
            if withdrawn is not None and withdrawn >= self.now:
                withdrawn = None
            method = rng.choice(["written", "verbal_with_witness"])
            evidence = free_text.CONSENT.seal(self.cipher, consent, "evidence", "phiếu đồng ý đã ký")
            rows.add("consent", (consent, survivor, "referral", None, method, evidence, opened, None,
                                 withdrawn, by if withdrawn else None, by))  # fmt: skip
            live = consent if withdrawn is None else None
        if rng.random() < 0.5:
            rows.add("consent", (sid("consent", survivor, "follow_up"), survivor, "follow_up_contact", None, "written",
                                 None, opened, None, None, None, by))  # fmt: skip
        return live

    def _plans(
        self, survivor: uuid.UUID, by: uuid.UUID, opened: datetime, age_days: int, closed: bool, rows: Rows
    ) -> list[uuid.UUID]:
        """The current plan (and, for some, an earlier closed one) with its milestones; returns their ids."""
        rng = self.rng
        if closed:
            status = "closed"
        elif age_days < 20:
            status = rng.choice(["none", "draft", "draft", "pending_approval"])
        else:
            status = rng.choices(["active", "under_review", "draft", "pending_approval"], weights=[75, 10, 8, 7])[0]
        if status == "none":
            return []
        number = 1
        if status in ("active", "under_review") and rng.random() < 0.1:
            earlier = sid("plan", survivor, 1)
            notes = free_text.PLAN.seal(self.cipher, earlier, "notes", "Kế hoạch ban đầu")
            rows.add("plan", (earlier, survivor, 1, False, "closed", notes, opened, "written", opened,
                              opened, self.w.coordinator, by, opened, opened))  # fmt: skip
            number = 2
        plan = sid("plan", survivor, number)
        created = opened + timedelta(days=rng.randint(0, 10))
        approved = status in ("active", "under_review", "closed")
        submitted = status != "draft"
        rows.add(
            "plan",
            (plan, survivor, number, True, status,
             free_text.PLAN.seal(self.cipher, plan, "notes", "Kế hoạch tái hòa nhập"), created if submitted else None,
             "verbal_with_witness" if submitted else None, created if submitted else None,
             created + timedelta(days=2) if approved else None, self.w.coordinator if approved else None,
             by, created, created),
        )  # fmt: skip
        ids = []
        count = max(1, round(rng.uniform(0.3, 1.7) * self.per_plan))
        domains = list(MilestoneDomain)
        for n in range(count):
            domain = domains[(n + rng.randrange(len(domains))) % len(domains)]
            target = created.date() + timedelta(days=rng.randint(14, 400))
            milestone = sid("milestone", plan, n)
            ids.append(milestone)
            rows.add(
                "milestone",
                (milestone, plan, domain.value,
                 free_text.MILESTONE.seal(self.cipher, milestone, "title", TITLES[domain]), target,
                 self.w.services[rng.randrange(len(self.w.services))][1] if rng.random() < 0.3 else None,
                 self._milestone_status(status, target), created, created),
            )  # fmt: skip
        return ids

    def _milestone_status(self, plan_status: str, target: date) -> str:
        rng = self.rng
        if plan_status in ("draft", "pending_approval"):
            return "planned"
        if plan_status == "closed":
            return rng.choices(["achieved", "partially_achieved", "not_achieved", "cancelled"], [6, 2, 1, 1])[0]
        if target > self.today:
            return rng.choices(["planned", "in_progress", "achieved", "deferred"], [5, 4, 2, 1])[0]
        # past target: mostly resolved, some left open (these are the dashboard's overdue milestones)
        options = ["achieved", "partially_achieved", "not_achieved", "cancelled", "in_progress", "planned"]
        return rng.choices(options, [10, 3, 1, 1, 2, 1])[0]

    def _referrals(
        self,
        survivor: uuid.UUID,
        office: Office,
        caseworker: uuid.UUID,
        consent: uuid.UUID | None,
        opened: datetime,
        milestones: list[uuid.UUID],
        rows: Rows,
    ) -> None:
        rng, w = self.rng, self.w
        # without a live consent only a coordinator's documented emergency override can refer: one, rarely
        for n in range(1 if consent is None else rng.randint(0, 10)):
            walk_name = rng.choices(list(WALKS), weights=[weight for _, weight in WALKS.values()])[0]
            if w.partner_services and rng.random() < self.partner_share and consent is not None:
                service = w.partner_services[rng.randrange(len(w.partner_services))]
                receiving, walk_name = PARTNER_ORGANIZATION, "in_progress"
            else:
                service, receiving = w.services[rng.randrange(len(w.services))]
            urgency = rng.choices(list(Urgency), weights=[1, 3, 6])[0]
            window = workflow.RESPONSE_TIME[urgency]
            if walk_name == "sent":  # still within its answer time: sent within the last day or so
                sent = self.now - window * rng.uniform(0.05, 0.6)
            else:
                span = max(1, (self.now - opened).days - 2)
                sent = opened + timedelta(days=rng.randrange(span), minutes=rng.randrange(600))
                if walk_name == "expired":
                    sent = min(sent, self.now - window - timedelta(hours=1))
            referral = sid("referral", survivor, n)
            override = consent is None
            steps, _ = WALKS[walk_name]
            self.events += 1
            events: list[tuple[Any, ...]] = [(self.events, referral, None, "sent", caseworker, sent, None, None)]
            status, at = ReferralStatus.SENT, sent
            responded = completed = None
            reason = None
            for action in steps:
                move = workflow.REFERRAL_TRANSITIONS[action]
                at = min(at + window * rng.uniform(0.1, 0.9) if action in ("accept", "decline") else
                         at + timedelta(days=rng.uniform(1, 30)), self.now - timedelta(minutes=5))  # fmt: skip
                reason = sorted(move.reasons)[rng.randrange(len(move.reasons))] if move.reasons else None
                actor = caseworker if move.side is workflow.Side.REFERRER else w.partners[receiving]
                note = "Người được hỗ trợ đã chuyển đi nơi khác" if move.needs_note else ""
                self.events += 1
                sealed = free_text.REFERRAL_EVENT.seal(self.cipher, self.events, "note", note)
                events.append((self.events, referral, status.value, move.target.value, actor, at, reason, sealed))
                if move.target in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED):
                    responded = at
                if move.target in (ReferralStatus.COMPLETED, ReferralStatus.NOT_COMPLETED):
                    completed = at
                status = move.target
            age = self.today.year - 1990 - rng.randrange(15)
            where = COUNTRY_VI.get(rng.choice(COUNTRIES), "tỉnh khác")
            summary = f"Phụ nữ, {age} tuổi, trở về từ {where}, cần hỗ trợ theo kế hoạch tái hòa nhập."
            rows.add(
                "referral",
                (referral, survivor, milestones[rng.randrange(len(milestones))] if milestones and rng.random() < 0.7
                 else None, service, receiving, office.organization_id, caseworker, consent,
                 free_text.REFERRAL.seal(self.cipher, referral, "emergency_reason",
                                         "Nguy cơ bị đưa đi lần nữa, cần chỗ ở ngay trong đêm" if override else None),
                 w.coordinator if override else None, urgency.value,
                 free_text.REFERRAL.seal(self.cipher, referral, "shared_summary", summary),
                 status.value, reason, sent, workflow.due_at(sent, urgency), responded, completed, sent, at),
            )  # fmt: skip
            for event in events:
                rows.add("referral_event", event)

    def _follow_ups(
        self, survivor: uuid.UUID, by: uuid.UUID, opened: datetime, closed_at: datetime | None, rows: Rows
    ) -> None:
        """Intake, 6 and 12 months while the case was open; some cases quietly miss theirs."""
        rng = self.rng
        end = min(self.now, closed_at) if closed_at else self.now
        for n, months in enumerate((0, 6, 12)):
            day = opened.date() + timedelta(days=7 + months * 30 + rng.randrange(10))
            if day > end.date() or rng.random() < 0.15:
                continue
            answers = {i.code: rng.randrange(len(i.answers)) for i in self.indicators if rng.random() < 0.9}
            scores = rules.score(answers)
            rows.add(
                "follow_up",
                (sid("follow_up", survivor, n), survivor, day, rng.choice(["home_visit", "phone", "office_visit"]),
                 None, msgspec.json.encode(answers).decode(), scores.economic, scores.social, scores.psychosocial,
                 scores.composite, self.scoring_version, by, self._at(day)),
            )  # fmt: skip


def batches(total: int, size: int) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(total, start + size))


async def generate(url: str, cipher: PersonalDataCipher, scale: float, today: date | None = None) -> dict[str, int]:
    """Load the cases into a database that has the directory and no cases yet; returns rows per table."""
    survivors, milestones, referrals = sizes(scale)
    conn = await asyncpg.connect(url)
    try:
        await prepare_database(conn, cipher)
        if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM survivor)"):
            raise SystemExit("The database already has cases; generate into one without.")
        listings = await conn.fetch(
            "SELECT id, organization_id FROM service WHERE status = 'active' AND accepting_referrals ORDER BY id"
        )
        services = [(r["id"], r["organization_id"]) for r in listings]
        if not services:
            raise SystemExit("No listings to refer to: run python -m bench.generate first.")
        w = world(services)
        # ~99 % of cases have a current plan (see CaseWriter._plans): spread the milestones over those
        share = min(0.25, max(PARTNER_SHARE, PARTNER_MINIMUM / referrals))
        writer = CaseWriter(w, cipher, today or datetime.now(UTC).date(), milestones / (survivors * 0.99), share)
        async with conn.transaction():
            await load_people(conn, w, await hash_password(PASSWORD))
        # The dashboard's triggers (migration 0009) would recompute every case of every COPY batch
        # and leave their counters unsummed; they are skipped while loading (the bench's role is a
        # superuser) and everything is counted once at the end, as the migration's backfill does.
        await conn.execute("SET session_replication_role = replica")
        with Progress() as progress:
            task = progress.add_task("Generating cases", total=survivors)
            for chunk in batches(survivors, BATCH):
                rows = Rows()
                for index in chunk:
                    writer.case(index, rows)
                async with conn.transaction():
                    for table in TABLES:
                        await conn.copy_records_to_table(table, columns=COLUMNS[table], records=rows.tables[table])
                progress.advance(task, len(chunk))
        await conn.execute("SET session_replication_role = DEFAULT")
        await conn.execute("SELECT dashboard_rebuild()")
        # COPY wrote the event ids: the service's next event comes after them
        await conn.execute("SELECT setval(pg_get_serial_sequence('referral_event', 'id'), $1)", max(writer.events, 1))
        await conn.execute("ANALYZE")
        return {table: int(await conn.fetchval(f"SELECT count(*) FROM {table}")) for table in TABLES}
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 50,000 cases (default); 0.01 for a smoke run")
    args = parser.parse_args()
    settings = Settings.from_env()
    started = time.perf_counter()
    counts = asyncio.run(generate(database_url(settings), PersonalDataCipher(data_key(settings)), args.scale))
    seconds = time.perf_counter() - started
    print(", ".join(f"{n:,} {table}" for table, n in counts.items()) + f" in {seconds:.1f} s")


if __name__ == "__main__":
    main()
