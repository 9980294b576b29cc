"""Demo reintegration cases, so the dashboards show real work: forty obviously fictional survivors
("Nguyễn Thị Demo 01", phones 0999 000 0NN) of the Cần Thơ Women's Union, with consents, plans in
every state, milestones across the eleven domains, referrals in every state and follow-up scores.

Everything goes through the use cases the API calls, so permission checks, encryption and the
audit chain hold exactly as for real work. The content is deterministic (one seeded generator,
fixed calendar dates); only what the use cases stamp themselves (creation, sending and answering
times), and consent expiry, which must lie in the future, follow the clock.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import asyncpg

from service.auth import repo as auth_repo
from service.auth.models import Principal, Role
from service.clock import LOCAL_TZ
from service.crypto import PersonalDataCipher
from service.db import Connection, transact
from service.demo.directory import demo_id
from service.reintegration import cases, followups, plans, referrals, rules
from service.reintegration.case_models import (
    CaseStatus,
    CaseType,
    ClosureReason,
    ConsentCreate,
    ConsentMethod,
    ConsentPurpose,
    ContactChannel,
    ContactPreference,
    IdentificationStatus,
    RiskLevel,
    Sex,
    Survivor,
    SurvivorCreate,
    SurvivorPatch,
)
from service.reintegration.follow_up_models import FollowUpCreate, FollowUpMethod
from service.reintegration.plan_models import (
    Milestone,
    MilestoneCreate,
    MilestoneDomain,
    MilestonePatch,
    MilestoneStatus,
    PlanCreate,
    PlanSubmit,
)
from service.reintegration.referral_models import ReferralCreate, TransitionRequest, Urgency

ID = IdentificationStatus

# Dates the fictional story is told around: intakes run from early 2025 to early November 2026,
# milestones and follow-ups are only reported up to these days, so nothing lies in the future.
PROGRESS_DATE = date(2026, 11, 1)
FOLLOW_UP_CUTOFF = date(2026, 11, 15)
INTAKE_WINDOWS = {
    "old": (date(2025, 1, 15), date(2025, 9, 30)),
    "mid": (date(2025, 10, 1), date(2026, 7, 31)),
    "recent": (date(2026, 8, 20), date(2026, 11, 5)),
}
PLAN_AGE = {
    "none": "recent",
    "draft": "recent",
    "sent_back": "recent",
    "pending": "recent",
    "active": "mid",
    "review": "mid",
    "closed": "old",
    "reopened": "old",
    "second": "old",
}
APPROVED_PLANS = frozenset({"active", "review", "closed", "reopened", "second"})
PLAN_ENDINGS = {"review": ("review",), "closed": ("close",), "reopened": ("close", "reopen"), "second": ("close",)}

# Peaceful House takes survivors from these provinces; the Khmer-speaking communities live here too.
MEKONG = frozenset({"92", "86", "91", "96", "82"})
KHMER_PROVINCES = frozenset({"92", "86", "91", "96"})
FICTION = " (Dữ liệu minh họa.)"


@dataclass(frozen=True)
class Ref:
    """A referral and how far it gets. ``outcome`` names a walk in ``WALKS``."""

    need: str  # shelter | shelter_local | osso | legal | jobs | psy | health | loans
    outcome: str
    urgency: Urgency = Urgency.ROUTINE
    reason: str | None = None


@dataclass(frozen=True)
class Scenario:
    kind: CaseType
    status: IdentificationStatus
    province: str
    came_from: str | None
    plan: str  # a key of PLAN_AGE
    refs: tuple[Ref, ...] = ()
    sex: Sex = Sex.FEMALE
    age: int | None = None
    child: bool = False
    risk: RiskLevel = RiskLevel.MEDIUM
    by_coordinator: bool = False
    consent: str = "all"  # all partners | per_org: one consent per receiving organization | none
    entitlements: bool = False  # propose the Art. 37 milestones
    identified_later: bool = False  # identification confirmed after intake
    stalled: bool = False  # milestones past their target stay open: the overdue worklist
    quiet: bool = False  # no follow-up yet
    withdraw: ConsentPurpose | None = None
    closure: ClosureReason | None = None


# Every plan state and every referral state (expired included) appears at least once, and the
# demo partner (Peaceful House) gets an inbox with most of them.
# fmt: off
SCENARIOS: tuple[Scenario, ...] = (
    # recent intakes: no plan yet, drafts, plans awaiting approval
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.UNDER_IDENTIFICATION, "92", "CN", "none",
             (Ref("shelter", "past_due", Urgency.EMERGENCY),), risk=RiskLevel.HIGH),
    Scenario(CaseType.AT_RISK, ID.REPORTED, "91", None, "none", (Ref("psy", "sent"),), age=16),
    Scenario(CaseType.GBV_SURVIVOR, ID.REPORTED, "92", None, "none", (Ref("shelter", "override", Urgency.EMERGENCY),),
             risk=RiskLevel.HIGH, by_coordinator=True, consent="none"),
    Scenario(CaseType.RETURNEE_MIGRANT, ID.NOT_IDENTIFIED, "86", "MY", "none", quiet=True),
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.IDENTIFIED_VICTIM, "96", "CN", "draft",
             (Ref("psy", "sent"), Ref("shelter", "sent", Urgency.URGENT)), child=True),
    Scenario(CaseType.GBV_SURVIVOR, ID.REPORTED, "92", None, "sent_back", (Ref("health", "past_due", Urgency.URGENT),),
             risk=RiskLevel.HIGH),
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.UNDER_IDENTIFICATION, "82", "KH", "draft",
             (Ref("shelter", "accepted", Urgency.URGENT),)),
    Scenario(CaseType.RETURNEE_MIGRANT, ID.NOT_IDENTIFIED, "01", "TW", "sent_back", quiet=True),
    Scenario(CaseType.RETURNEE_MIGRANT, ID.REPORTED, "92", "KR", "draft",
             (Ref("osso", "declined", reason="duplicate"),)),
    Scenario(CaseType.AT_RISK, ID.REPORTED, "92", None, "draft", (Ref("jobs", "sent"),), risk=RiskLevel.LOW),
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.UNDER_IDENTIFICATION, "91", "MY", "pending",
             (Ref("legal", "past_due", Urgency.URGENT),), sex=Sex.MALE),
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.IDENTIFIED_VICTIM, "92", "CN", "pending",
             (Ref("shelter", "in_progress", Urgency.URGENT),), by_coordinator=True, entitlements=True),
    Scenario(CaseType.RETURNEE_MIGRANT, ID.NOT_IDENTIFIED, "86", "KR", "pending", (Ref("jobs", "sent"),)),
    Scenario(CaseType.GBV_SURVIVOR, ID.REPORTED, "96", None, "pending", (Ref("health", "accepted"),)),
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.IDENTIFIED_VICTIM, "91", "CN", "pending",
             (Ref("shelter", "declined", Urgency.URGENT, "no_capacity"),
              Ref("shelter_local", "accepted", Urgency.URGENT))),
    # plans at work for a few months
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.IDENTIFIED_VICTIM, "92", "CN", "active",
             (Ref("shelter", "verified", Urgency.URGENT), Ref("psy", "in_progress")), child=True, entitlements=True),
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.IDENTIFIED_VICTIM, "01", "CN", "active",
             (Ref("legal", "in_progress"), Ref("jobs", "declined", reason="not_eligible"))),
    Scenario(CaseType.RETURNEE_MIGRANT, ID.NOT_IDENTIFIED, "92", "TW", "active",
             (Ref("jobs", "on_hold"), Ref("loans", "sent"))),
    Scenario(CaseType.GBV_SURVIVOR, ID.REPORTED, "86", None, "active",
             (Ref("health", "completed"), Ref("psy", "on_hold"))),
    Scenario(CaseType.RETURNEE_MIGRANT, ID.UNDER_IDENTIFICATION, "92", "KR", "active",
             (Ref("osso", "verified"), Ref("legal", "accepted")), by_coordinator=True),
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.IDENTIFIED_VICTIM, "82", "MY", "active",
             (Ref("psy", "not_completed", reason="couldnt_contact"),), sex=Sex.MALE, stalled=True),
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.IDENTIFIED_VICTIM, "91", "CN", "active",
             (Ref("shelter", "completed"), Ref("jobs", "in_progress")), entitlements=True),
    Scenario(CaseType.RETURNEE_MIGRANT, ID.NOT_IDENTIFIED, "96", "MY", "active",
             (Ref("loans", "declined", reason="out_of_area"), Ref("health", "in_progress"))),
    Scenario(CaseType.GBV_SURVIVOR, ID.REPORTED, "92", None, "active",
             (Ref("legal", "verified"), Ref("health", "resumed")), risk=RiskLevel.HIGH),
    Scenario(CaseType.AT_RISK, ID.REPORTED, "92", "KR", "active", (Ref("jobs", "withdrawn"),), consent="per_org",
             withdraw=ConsentPurpose.REFERRAL, risk=RiskLevel.LOW),
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.IDENTIFIED_VICTIM, "86", "CN", "active",
             (Ref("psy", "completed"), Ref("shelter", "on_hold"))),
    Scenario(CaseType.RETURNEE_MIGRANT, ID.NOT_IDENTIFIED, "82", "TW", "active", (Ref("loans", "accepted"),)),
    Scenario(CaseType.GBV_SURVIVOR, ID.REPORTED, "01", None, "active",
             (Ref("health", "not_completed", reason="survivor_declined"),)),
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.UNDER_IDENTIFICATION, "96", "CN", "active",
             (Ref("shelter", "in_progress", Urgency.URGENT),), identified_later=True, entitlements=True),
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.IDENTIFIED_VICTIM, "79", "KH", "active", (Ref("jobs", "verified"),),
             sex=Sex.MALE),
    Scenario(CaseType.RETURNEE_MIGRANT, ID.NOT_IDENTIFIED, "92", "MY", "active", stalled=True),
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.IDENTIFIED_VICTIM, "92", "CN", "review",
             (Ref("psy", "verified"), Ref("loans", "declined", reason="service_unavailable")), entitlements=True),
    Scenario(CaseType.RETURNEE_MIGRANT, ID.NOT_IDENTIFIED, "91", "KR", "review",
             (Ref("jobs", "not_completed", reason="no_longer_interested"),), by_coordinator=True),
    Scenario(CaseType.GBV_SURVIVOR, ID.REPORTED, "86", None, "review", (Ref("legal", "completed"),)),
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.IDENTIFIED_VICTIM, "91", "CN", "review", (Ref("shelter", "withdrawn"),)),
    # older cases: closed, reopened, on a second plan
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.IDENTIFIED_VICTIM, "92", "CN", "closed",
             (Ref("jobs", "verified"), Ref("loans", "verified")), closure=ClosureReason.GOALS_MET),
    Scenario(CaseType.RETURNEE_MIGRANT, ID.NOT_IDENTIFIED, "91", "MY", "closed",
             (Ref("psy", "not_completed", reason="couldnt_contact"),), withdraw=ConsentPurpose.FOLLOW_UP_CONTACT,
             closure=ClosureReason.RE_MIGRATED),
    Scenario(CaseType.GBV_SURVIVOR, ID.REPORTED, "96", None, "closed", (Ref("legal", "withdrawn"),),
             closure=ClosureReason.LOST_CONTACT),
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.IDENTIFIED_VICTIM, "86", "TW", "reopened", (Ref("health", "verified"),)),
    Scenario(CaseType.TRAFFICKING_VICTIM, ID.IDENTIFIED_VICTIM, "01", "CN", "second",
             (Ref("shelter", "verified"), Ref("jobs", "sent"))),
)
# fmt: on

# The receiving side's steps to each outcome; "verify" and "withdraw" are the referring side's.
WALKS: dict[str, tuple[str, ...]] = {
    "sent": (),
    "past_due": (),
    "override": ("accept",),
    "accepted": ("accept",),
    "in_progress": ("accept", "start"),
    "on_hold": ("accept", "start", "hold"),
    "resumed": ("accept", "start", "hold", "resume"),
    "completed": ("accept", "start", "complete"),
    "verified": ("accept", "start", "complete", "verify"),
    "declined": ("decline",),
    "not_completed": ("accept", "start", "not-complete"),
    "withdrawn": ("accept", "withdraw"),
}
REFERRER_ACTIONS = frozenset({"verify", "withdraw"})
ACTION_NOTES = {
    "accept": "Đã tiếp nhận, hẹn gặp trong tuần.",
    "decline": "Rất tiếc chưa thể nhận lúc này.",
    "start": "Đã bắt đầu hỗ trợ.",
    "hold": "Tạm dừng theo đề nghị của người được hỗ trợ (việc gia đình).",
    "resume": "Tiếp tục hỗ trợ từ tuần này.",
    "complete": "Đã hoàn thành hỗ trợ theo kế hoạch.",
    "not-complete": "Không thể hoàn thành hỗ trợ.",
    "verify": "Đã xác nhận với người được hỗ trợ khi thăm nhà.",
    "withdraw": "Người được hỗ trợ đổi ý, không muốn tiếp tục dịch vụ này.",
}

NEED_DOMAIN = {
    "shelter": MilestoneDomain.ESSENTIAL_NEEDS_SHELTER,
    "shelter_local": MilestoneDomain.ESSENTIAL_NEEDS_SHELTER,
    "osso": MilestoneDomain.LEGAL_DOCUMENTS,
    "legal": MilestoneDomain.JUSTICE_LEGAL_AID,
    "jobs": MilestoneDomain.VOCATIONAL_EMPLOYMENT,
    "psy": MilestoneDomain.MENTAL_HEALTH_PSYCHOSOCIAL,
    "health": MilestoneDomain.HEALTH,
    "loans": MilestoneDomain.LIVELIHOOD_FINANCE,
}
NEED_SUMMARY = {
    "shelter": "Cần chỗ ở an toàn ngắn hạn sau khi trở về; lo ngại đối tượng môi giới liên lạc lại.",
    "shelter_local": "Cần chỗ ở an toàn ngắn hạn gần nhà trong khi chờ đoàn tụ gia đình.",
    "osso": "Cần hỗ trợ làm lại giấy tờ hộ tịch và tư vấn sau khi trở về từ nước ngoài.",
    "legal": "Cần tư vấn pháp lý về quyền của nạn nhân và hỗ trợ khi làm việc với cơ quan điều tra.",
    "jobs": "Muốn học nghề ngắn hạn và tìm việc làm ổn định tại địa phương.",
    "psy": "Có dấu hiệu căng thẳng, mất ngủ kéo dài; đồng ý gặp chuyên viên tham vấn.",
    "health": "Cần khám sức khỏe tổng quát và sức khỏe sinh sản.",
    "loans": "Cần vay vốn nhỏ để chăn nuôi hoặc buôn bán tại nhà.",
}
MILESTONE_TITLES = {
    MilestoneDomain.SAFETY_PROTECTION: ("Lập kế hoạch an toàn cá nhân", "Kết nối công an xã khi có dấu hiệu bị đe dọa"),
    MilestoneDomain.ESSENTIAL_NEEDS_SHELTER: (
        "Có chỗ ở an toàn trong 3 tháng đầu",
        "Hỗ trợ lương thực và đồ dùng thiết yếu",
    ),
    MilestoneDomain.HEALTH: ("Khám sức khỏe tổng quát", "Khám và tư vấn sức khỏe sinh sản", "Cấp thẻ bảo hiểm y tế"),
    MilestoneDomain.MENTAL_HEALTH_PSYCHOSOCIAL: ("Tham vấn tâm lý 8 buổi", "Tham gia nhóm hỗ trợ đồng đẳng"),
    MilestoneDomain.LEGAL_DOCUMENTS: ("Làm lại căn cước công dân", "Đăng ký khai sinh cho con sinh ở nước ngoài"),
    MilestoneDomain.JUSTICE_LEGAL_AID: (
        "Tư vấn pháp lý về quyền của nạn nhân",
        "Trợ giúp viên pháp lý tham gia tố tụng",
    ),
    MilestoneDomain.FAMILY_COMMUNITY: ("Hòa giải và đoàn tụ gia đình", "Tham gia sinh hoạt chi hội phụ nữ"),
    MilestoneDomain.EDUCATION: ("Học bổ túc văn hóa buổi tối", "Con trở lại trường học"),
    MilestoneDomain.VOCATIONAL_EMPLOYMENT: ("Học nghề may công nghiệp 3 tháng", "Có việc làm ổn định tại địa phương"),
    MilestoneDomain.LIVELIHOOD_FINANCE: ("Vay vốn ưu đãi để chăn nuôi", "Mở sổ tiết kiệm và lập kế hoạch chi tiêu"),
    MilestoneDomain.CHILD_CARE_DEPENDANTS: ("Gửi con đi nhà trẻ", "Đăng ký bảo hiểm y tế cho con"),
}
DOMAINS = tuple(MilestoneDomain)
FINISHED = (
    MilestoneStatus.ACHIEVED,
    MilestoneStatus.ACHIEVED,
    MilestoneStatus.ACHIEVED,
    MilestoneStatus.PARTIALLY_ACHIEVED,
    MilestoneStatus.NOT_ACHIEVED,
    MilestoneStatus.CANCELLED,
    MilestoneStatus.DEFERRED,
)
# A milestone reaches these only by way of in_progress.
AFTER_WORK = frozenset({MilestoneStatus.ACHIEVED, MilestoneStatus.PARTIALLY_ACHIEVED, MilestoneStatus.NOT_ACHIEVED})

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
KHMER_FAMILY_NAMES = ("Thạch", "Sơn", "Danh", "Kim", "Lâm", "Chau")
SPOKEN_ABROAD = {"CN": "zh", "TW": "zh", "KR": "ko"}
SAFE_HOURS = ("Sau 18:00", "Sáng 8:00–10:00", "Giờ nghỉ trưa", "Cuối tuần")
FOLLOW_UP_NOTES = (
    "Thăm nhà, gặp cả mẹ của người được hỗ trợ.",
    "Gọi điện kiểm tra; hẹn thăm nhà tháng sau.",
    "Gặp tại văn phòng Hội; trao đổi về kế hoạch học nghề.",
    "Tinh thần ổn hơn, đã ngủ được; vẫn lo về khoản nợ.",
    "Gia đình đã chấp nhận, hàng xóm còn bàn tán.",
    "Đã có việc làm thời vụ; cần theo dõi thêm.",
)
PLAN_NOTE = "Kế hoạch hỗ trợ tái hòa nhập, lập cùng người được hỗ trợ."
SEND_BACK_NOTE = "Cần bổ sung mục tiêu về an toàn và ngày hoàn thành cụ thể cho từng mục."
OVERRIDE_REASON = (
    "Có nguy cơ bị bạo lực nghiêm trọng ngay trong đêm; người bị hại đang hoảng loạn, chưa thể ký phiếu đồng ý."
    " Điều phối viên phê duyệt chuyển tuyến khẩn cấp; sẽ lấy ý kiến đồng ý khi an toàn."
)

GENERATED_NEEDS = {
    "shelter": ("shelter", "wu"),
    "shelter_local": ("shelter", "wu"),
    "legal": ("legal", "tgpl"),
    "jobs": ("jobs", "dvvl"),
    "psy": ("ctxh-psy", "ctxh"),
    "health": ("health", "bv"),
    "loans": ("loans", "nhcs"),
}


def directory_service(need: str, province: str) -> tuple[str, str]:
    """(service key, organization key) in the demo directory that serves ``need`` in ``province``."""
    if need == "shelter" and province in MEKONG:
        return "peaceful-house-shelter", "peaceful-house"
    if need == "osso":
        return "osso-cantho", "osso-cantho"
    if need == "legal" and province in ("92", "01"):
        city = "cantho" if province == "92" else "hanoi"
        return f"legalaid-{city}", f"legalaid-{city}"
    if need == "jobs" and province == "92":
        return "jobs-cantho", "jobs-cantho"
    suffix, organization = GENERATED_NEEDS[need]
    return f"gen-{province}-{suffix}", f"{organization}-{province}"


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(9, 30), LOCAL_TZ)


def _answers(rng: random.Random, level: float, dimensions: frozenset[str] | None = None) -> dict[str, int]:
    """Answers scattered around ``level`` (0 worst .. 1 best), for every indicator or a few dimensions."""
    answers = {}
    for indicator in rules.scoring().indicators:
        if dimensions is None or indicator.dimension in dimensions:
            value = min(max(level + rng.uniform(-0.25, 0.25), 0.0), 1.0)
            answers[indicator.code] = round(value * (len(indicator.answers) - 1))
    return answers


async def _backdate_sending(conn: Connection, referral_id: uuid.UUID) -> None:
    # Demo data only: the API stamps referrals as sent now, and a partner that never answered can
    # only be shown by moving the sending (and its history entry) back past the response time.
    await conn.execute(
        "UPDATE referral SET sent_at = sent_at - interval '10 days', due_at = due_at - interval '10 days'"
        " WHERE id = $1",
        referral_id,
    )
    await conn.execute(
        "UPDATE referral_event SET at = at - interval '10 days' WHERE referral_id = $1 AND from_status IS NULL",
        referral_id,
    )


async def _partner_user(conn: Connection, organization_key: str, password_hash: str) -> uuid.UUID:
    """The demo partner account of an organization, made on first use."""
    email = f"partner.{organization_key}@ketnoi.demo"
    found = await auth_repo.credentials(conn, email)
    if found is not None:
        return found[0].id
    name = await conn.fetchval("SELECT name FROM organization WHERE id = $1", demo_id("org", organization_key))
    user = await auth_repo.create_user(
        conn,
        email=email,
        password_hash=password_hash,
        role=Role.PARTNER,
        organization_id=demo_id("org", organization_key),
        display_name=f"Đối tác demo – {name}"[:200],
    )
    return user.id


class _Seeder:
    def __init__(
        self, pool: asyncpg.Pool, cipher: PersonalDataCipher, logins: dict[Role, Principal], password_hash: str
    ) -> None:
        self.pool = pool
        self.cipher = cipher
        self.caseworker = logins[Role.CASEWORKER]
        self.coordinator = logins[Role.COORDINATOR]
        self.partners = {"peaceful-house": logins[Role.PARTNER]}
        self.rng = random.Random(2026)  # noqa: S311 - demo content, not secrets
        self.now = datetime.now(UTC)
        self.password_hash = password_hash

    async def partner(self, organization_key: str) -> Principal:
        if organization_key not in self.partners:
            user_id = await transact(self.pool, _partner_user, organization_key, self.password_hash)
            self.partners[organization_key] = await transact(self.pool, auth_repo.principal_for_user, user_id)
        return self.partners[organization_key]

    # -- the case -----------------------------------------------------------------------------

    def survivor(self, number: int, scenario: Scenario, intake: date) -> SurvivorCreate:
        rng = self.rng
        khmer = scenario.province in KHMER_PROVINCES and rng.random() < 0.4
        family = rng.choice(KHMER_FAMILY_NAMES if khmer else FAMILY_NAMES)
        middle = "Văn" if scenario.sex is Sex.MALE else "Thị"
        languages = ["km", "vi"] if khmer else ["vi"]
        if scenario.came_from in SPOKEN_ABROAD and rng.random() < 0.5:
            languages.append(SPOKEN_ABROAD[scenario.came_from])
        age = scenario.age or rng.randint(19, 44)
        return SurvivorCreate(
            case_type=scenario.kind,
            identification_status=scenario.status,
            full_name=f"{family} {middle} Demo {number:02d}",
            phone=f"0999 000 0{number:02d}",
            address=f"Số {number} đường Hoa Sữa, ấp Demo (địa chỉ giả)" if rng.random() < 0.6 else None,
            id_document_number=f"DEMO-{number:06d}" if rng.random() < 0.5 else None,
            sex=scenario.sex,
            birth_year=2026 - age,
            languages=languages,
            home_province=scenario.province,
            returned_from=scenario.came_from,
            return_date=intake - timedelta(days=rng.randint(3, 30)) if scenario.came_from else None,
            risk_level=scenario.risk,
            contact_preference=ContactPreference(
                channel=rng.choice(tuple(ContactChannel)),
                safe_hours=rng.choice(SAFE_HOURS),
            ),
            accompanying_child=scenario.child,
            assigned_caseworker_id=self.caseworker.user_id if scenario.by_coordinator else None,
        )

    async def consents(self, case: Survivor, scenario: Scenario) -> dict[ConsentPurpose, uuid.UUID]:
        """Record the survivor's consents; returns the one to withdraw later, by purpose."""
        rng = self.rng
        method = rng.choice(tuple(ConsentMethod))
        evidence = f"Phiếu đồng ý số DEMO-{case.case_code} lưu trong hồ sơ giấy.{FICTION}"
        expires = self.now + timedelta(days=365) if rng.random() < 0.5 else None
        recipients: list[uuid.UUID | None] = []
        if scenario.consent == "all":
            recipients = [None]
        elif scenario.consent == "per_org":
            keys = dict.fromkeys(directory_service(ref.need, scenario.province)[1] for ref in scenario.refs)
            recipients = [demo_id("org", key) for key in keys]
        recorded: dict[ConsentPurpose, uuid.UUID] = {}
        purposes = [(ConsentPurpose.REFERRAL, org) for org in recipients]
        purposes.append((ConsentPurpose.FOLLOW_UP_CONTACT, None))
        if rng.random() < 0.3:
            purposes.append((ConsentPurpose.DATA_SHARING, None))
        for purpose, organization_id in purposes:
            body = ConsentCreate(
                purpose=purpose, organization_id=organization_id, method=method, evidence=evidence, expires_at=expires
            )
            consent = await transact(self.pool, cases.record_consent, self.caseworker, self.cipher, case.id, body)
            recorded[purpose] = consent.id
        return recorded

    # -- the plan -----------------------------------------------------------------------------

    async def milestones(
        self, plan_id: uuid.UUID, index: int, scenario: Scenario, intake: date, *, fresh: bool
    ) -> list[Milestone]:
        rng = self.rng
        domains = [NEED_DOMAIN[ref.need] for ref in scenario.refs]
        if scenario.risk is RiskLevel.HIGH:
            domains.append(MilestoneDomain.SAFETY_PROTECTION)
        if scenario.child:
            domains.append(MilestoneDomain.CHILD_CARE_DEPENDANTS)
        domains += [DOMAINS[index % len(DOMAINS)], rng.choice(DOMAINS)]
        responsible = {
            NEED_DOMAIN[ref.need]: demo_id("org", directory_service(ref.need, scenario.province)[1])
            for ref in scenario.refs
        }
        added = []
        for domain in list(dict.fromkeys(domains))[:5]:
            # plans still being drafted aim at next year; older ones have targets behind them, some missed
            if fresh:
                target = date(2027, 1, 10) + timedelta(days=rng.randint(0, 200))
            else:
                target = intake + timedelta(days=rng.randint(45, 300))
            body = MilestoneCreate(
                domain=domain,
                title=rng.choice(MILESTONE_TITLES[domain]),
                target_date=target,
                responsible_organization_id=responsible.get(domain),
            )
            added.append(await transact(self.pool, plans.add_milestone, self.caseworker, self.cipher, plan_id, body))
        return added

    async def progress(self, milestone: Milestone, scenario: Scenario, finished: bool) -> None:
        """Move a milestone as far as the story has got by PROGRESS_DATE."""
        rng = self.rng
        due = milestone.target_date is not None and milestone.target_date < PROGRESS_DATE
        if finished or (due and not scenario.stalled and rng.random() < 0.65):
            target = rng.choice(FINISHED)
        elif due and rng.random() < 0.5:
            target = MilestoneStatus.PLANNED
        else:
            target = rng.choice((MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS))
        steps = [MilestoneStatus.IN_PROGRESS, target] if target in AFTER_WORK else [target]
        for status in steps:
            if status is MilestoneStatus.PLANNED:
                continue
            note = "Cập nhật khi thăm nhà." if status is not MilestoneStatus.IN_PROGRESS else ""
            await transact(
                self.pool,
                plans.patch_milestone,
                self.caseworker,
                self.cipher,
                milestone.id,
                MilestonePatch(status=status, note=note),
            )

    async def plan(
        self, case: Survivor, index: int, scenario: Scenario, intake: date
    ) -> tuple[uuid.UUID, dict[MilestoneDomain, uuid.UUID]]:
        """Draft the plan and take it as far as the scenario says, short of review and closing;
        returns the plan and its milestones by domain, for referrals to point at."""
        fresh = PLAN_AGE[scenario.plan] == "recent"
        created = await transact(
            self.pool, plans.create_plan, self.caseworker, self.cipher, case.id, PlanCreate(notes=PLAN_NOTE + FICTION)
        )
        milestones = await self.milestones(created.id, index, scenario, intake, fresh=fresh)
        if scenario.entitlements:
            await transact(self.pool, plans.propose_entitlement_milestones, self.caseworker, self.cipher, case.id)
        by_domain = {m.domain: m.id for m in milestones}
        if scenario.plan == "draft":
            return created.id, by_domain
        agreed = PlanSubmit(
            survivor_agreed_at=_morning(intake + timedelta(days=self.rng.randint(3, 10))),
            agreement_method=self.rng.choice(tuple(ConsentMethod)),
        )
        await transact(self.pool, plans.transition_plan, self.caseworker, self.cipher, created.id, "submit", agreed)
        if scenario.plan == "sent_back":
            await transact(
                self.pool, plans.transition_plan, self.coordinator, self.cipher, created.id, "send-back", SEND_BACK_NOTE
            )
        if scenario.plan in APPROVED_PLANS:
            await transact(self.pool, plans.transition_plan, self.coordinator, self.cipher, created.id, "approve", None)
            finished = scenario.plan in ("closed", "reopened", "second")
            for milestone in milestones:
                await self.progress(milestone, scenario, finished)
        return created.id, by_domain

    async def finish_plan(
        self, case: Survivor, plan_id: uuid.UUID, index: int, scenario: Scenario, intake: date
    ) -> None:
        for action in PLAN_ENDINGS.get(scenario.plan, ()):
            await transact(self.pool, plans.transition_plan, self.caseworker, self.cipher, plan_id, action, None)
        if scenario.plan == "second":
            # the first plan closed after a setback; the second starts over
            second = await transact(
                self.pool,
                plans.create_plan,
                self.caseworker,
                self.cipher,
                case.id,
                PlanCreate(notes="Kế hoạch lần 2." + FICTION),
            )
            await self.milestones(second.id, index + 3, scenario, intake, fresh=True)

    # -- referrals and follow-ups -------------------------------------------------------------

    async def refer(
        self, case: Survivor, scenario: Scenario, ref: Ref, milestones: dict[MilestoneDomain, uuid.UUID]
    ) -> None:
        service_key, organization_key = directory_service(ref.need, scenario.province)
        override = ref.outcome == "override"
        body = ReferralCreate(
            survivor_id=case.id,
            service_id=demo_id("service", service_key),
            milestone_id=milestones.get(NEED_DOMAIN[ref.need]),
            urgency=ref.urgency,
            shared_summary=NEED_SUMMARY[ref.need] + FICTION,
            emergency_override_reason=OVERRIDE_REASON if override else None,
        )
        referrer = self.coordinator if override else self.caseworker
        referral = await transact(self.pool, referrals.create_referral, referrer, self.cipher, body)
        if ref.outcome == "past_due":
            await transact(self.pool, _backdate_sending, referral.id)
        for action in WALKS[ref.outcome]:
            actor = self.caseworker if action in REFERRER_ACTIONS else await self.partner(organization_key)
            reason = ref.reason if action in ("decline", "not-complete") else None
            request = TransitionRequest(reason_code=reason, note=ACTION_NOTES[action])
            await transact(self.pool, referrals.transition, actor, self.cipher, referral.id, action, request)

    async def follow_ups(self, case: Survivor, scenario: Scenario, intake: date) -> None:
        rng = self.rng
        level = rng.uniform(0.15, 0.45)
        # most lives get steadier; those who re-migrated or went quiet did not
        trend = -0.1 if scenario.closure in (ClosureReason.RE_MIGRATED, ClosureReason.LOST_CONTACT) else 0.2
        for months, offset in ((0, rng.randint(0, 6)), (6, 182 + rng.randint(-7, 7)), (12, 365 + rng.randint(-7, 14))):
            day = intake + timedelta(days=offset)
            if day > FOLLOW_UP_CUTOFF:
                break
            stage = level + trend * months / 6 + rng.uniform(-0.05, 0.1)
            phone_check = months > 0 and rng.random() < 0.15
            body = FollowUpCreate(
                date=day,
                method=FollowUpMethod.PHONE if phone_check else rng.choice(tuple(FollowUpMethod)),
                notes=rng.choice(FOLLOW_UP_NOTES) + FICTION,
                # a short phone check asks only how the person feels: no composite score that time
                indicators=_answers(rng, stage, frozenset({"psychosocial"}) if phone_check else None),
            )
            await transact(self.pool, followups.record_follow_up, self.caseworker, self.cipher, case.id, body)

    # -- one whole case -----------------------------------------------------------------------

    async def case(self, index: int, scenario: Scenario) -> None:
        rng = self.rng
        low, high = INTAKE_WINDOWS[PLAN_AGE[scenario.plan]]
        intake = low + timedelta(days=rng.randint(0, (high - low).days))
        opener = self.coordinator if scenario.by_coordinator else self.caseworker
        survivor = self.survivor(index + 1, scenario, intake)
        case = await transact(self.pool, cases.create_case, opener, self.cipher, survivor)
        if scenario.identified_later:
            patch = SurvivorPatch(identification_status=IdentificationStatus.IDENTIFIED_VICTIM)
            await transact(self.pool, cases.patch_case, self.caseworker, self.cipher, case.id, None, patch)
        consents = await self.consents(case, scenario)
        plan_id, milestones = (None, {}) if scenario.plan == "none" else await self.plan(case, index, scenario, intake)
        for ref in scenario.refs:
            await self.refer(case, scenario, ref, milestones)
        if not scenario.quiet:
            await self.follow_ups(case, scenario, intake)
        if plan_id is not None:
            await self.finish_plan(case, plan_id, index, scenario, intake)
        if scenario.withdraw is not None:
            await transact(self.pool, cases.withdraw_consent, self.caseworker, self.cipher, consents[scenario.withdraw])
        if scenario.withdraw is ConsentPurpose.FOLLOW_UP_CONTACT:
            patch = SurvivorPatch(contact_preference=ContactPreference(do_not_contact=True))
            await transact(self.pool, cases.patch_case, self.caseworker, self.cipher, case.id, None, patch)
        if scenario.closure is not None:
            patch = SurvivorPatch(status=CaseStatus.CLOSED, closure_reason=scenario.closure)
            await transact(self.pool, cases.patch_case, self.caseworker, self.cipher, case.id, None, patch)


async def seed_demo_cases(
    pool: asyncpg.Pool, cipher: PersonalDataCipher, logins: dict[Role, Principal], password_hash: str
) -> int:
    """Open the demo cases for the demo caseworker and coordinator of the Cần Thơ Women's Union
    (``logins`` by role, as ``service.demo.seed`` creates them); returns how many cases were opened.

    Needs the demo directory loaded: referrals go to its services. Partner accounts for receiving
    organizations other than the demo partner's are made on the way (``partner.<key>@ketnoi.demo``,
    ``password_hash``), since only an organization's own partner can answer its referrals."""
    seeder = _Seeder(pool, cipher, logins, password_hash)
    for index, scenario in enumerate(SCENARIOS):
        await seeder.case(index, scenario)
    return len(SCENARIOS)
