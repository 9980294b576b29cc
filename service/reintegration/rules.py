"""Pure reintegration rules: entitlements (Art. 37), service matching, sustainability scores,
small-count suppression, case codes. No I/O."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib import resources

import msgspec

from service import places
from service.errors import FieldError, ValidationFailed
from service.reintegration.case_models import CaseType, IdentificationStatus, Sex
from service.reintegration.follow_up_models import Scores
from service.reintegration.plan_models import MilestoneDomain

# IOM's three dimensions of reintegration, for each plan domain.
DOMAIN_DIMENSION: dict[MilestoneDomain, str] = {
    MilestoneDomain.SAFETY_PROTECTION: "psychosocial",
    MilestoneDomain.ESSENTIAL_NEEDS_SHELTER: "economic",
    MilestoneDomain.HEALTH: "social",
    MilestoneDomain.MENTAL_HEALTH_PSYCHOSOCIAL: "psychosocial",
    MilestoneDomain.LEGAL_DOCUMENTS: "social",
    MilestoneDomain.JUSTICE_LEGAL_AID: "social",
    MilestoneDomain.FAMILY_COMMUNITY: "psychosocial",
    MilestoneDomain.EDUCATION: "social",
    MilestoneDomain.VOCATIONAL_EMPLOYMENT: "economic",
    MilestoneDomain.LIVELIHOOD_FINANCE: "economic",
    MilestoneDomain.CHILD_CARE_DEPENDANTS: "social",
}

# Directory categories that serve each plan domain, best first.
DOMAIN_CATEGORIES: dict[MilestoneDomain, tuple[str, ...]] = {
    MilestoneDomain.SAFETY_PROTECTION: ("shelter", "trusted_address", "rapid_response", "hotline", "child_protection"),
    MilestoneDomain.ESSENTIAL_NEEDS_SHELTER: ("shelter", "essential_needs", "returnee_reception", "trusted_address"),
    MilestoneDomain.HEALTH: ("health", "one_stop_support"),
    MilestoneDomain.MENTAL_HEALTH_PSYCHOSOCIAL: ("psychosocial", "marriage_family_counselling", "one_stop_support"),
    MilestoneDomain.LEGAL_DOCUMENTS: ("legal_documents", "one_stop_support", "returnee_reception"),
    MilestoneDomain.JUSTICE_LEGAL_AID: ("legal_aid", "legal_documents", "interpretation"),
    MilestoneDomain.FAMILY_COMMUNITY: ("family_reunification", "marriage_family_counselling", "returnee_reception"),
    MilestoneDomain.EDUCATION: ("education",),
    MilestoneDomain.VOCATIONAL_EMPLOYMENT: ("vocational_training", "job_placement"),
    MilestoneDomain.LIVELIHOOD_FINANCE: ("microcredit", "livelihood"),
    MilestoneDomain.CHILD_CARE_DEPENDANTS: ("child_protection", "education"),
}

CASE_POPULATIONS: dict[CaseType, str] = {
    CaseType.TRAFFICKING_VICTIM: "trafficking_survivor",
    CaseType.RETURNEE_MIGRANT: "returnee_migrant",
    CaseType.GBV_SURVIVOR: "gbv_survivor",
}


def age(birth_year: int | None, today: date) -> int | None:
    return today.year - birth_year if birth_year else None


def case_prefix(province_code: str | None) -> str:
    """Case codes start with the home province; ``VN`` when the province is unknown."""
    return places.abbreviation(province_code) if province_code else "VN"


# Crockford's base 32: no I, L, O or U, which read as 1, 1, 0 or V, so a code can be typed back.
CODE_SYMBOLS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 6


def case_code(prefix: str, year: int, choose: Callable[[str], str] = secrets.choice) -> str:
    """A pseudonymous, human-typable case code, ``CT-2026-7KQ4MX``. Random, not counted: a number
    counted per province and year let every organization read the others' caseloads off the gaps
    between its own codes, and a count per organization would still tell whoever sees a code how
    many cases came before it. 32⁶ ≈ a billion codes per province and year; a clash is drawn again."""
    return f"{prefix}-{year}-{''.join(choose(CODE_SYMBOLS) for _ in range(CODE_LENGTH))}"


# -- entitlements (Law 53/2024/QH15, Art. 37) -------------------------------------------------------


class Regime(msgspec.Struct, frozen=True):
    code: str
    name_vi: str
    name_en: str
    domain: MilestoneDomain
    categories: list[str]


class EntitlementRule(msgspec.Struct, frozen=True):
    who: str
    regimes: list[str]
    identification_status: list[IdentificationStatus] | None = None
    accompanying_child: bool | None = None
    max_age: int | None = None
    location: str | None = None  # "viet_nam" or "abroad"
    nationality: str | None = None  # "VN" or "foreign"


class EntitlementMatrix(msgspec.Struct, frozen=True):
    basis: str
    basis_vi: str  # the same legal basis in Vietnamese, for pages and answers read in Vietnamese
    effective_from: date
    regimes: list[Regime]
    rules: list[EntitlementRule]


@cache
def entitlement_matrix() -> EntitlementMatrix:
    raw = (resources.files("service") / "data" / "entitlements.json").read_bytes()
    return msgspec.json.decode(raw, type=EntitlementMatrix)


@dataclass(frozen=True)
class CaseFacts:
    """What entitlement and matching need to know about a survivor."""

    case_type: CaseType
    identification_status: IdentificationStatus
    accompanying_child: bool
    sex: Sex | None
    age: int | None
    languages: Sequence[str]
    home_province: str | None
    abroad: bool
    nationality: str = "VN"
    home_former_province: str | None = None  # the merged-away province she comes from, when recorded


def is_abroad(returned_from: str | None, return_date: date | None, today: date) -> bool:
    """Someone who has come from abroad but has no return date yet (or one in the future) is still there."""
    return returned_from is not None and (return_date is None or return_date > today)


def entitled_regimes(facts: CaseFacts) -> list[Regime]:
    """Every regime any matching rule grants, in the law's order."""
    matrix = entitlement_matrix()
    granted: set[str] = set()
    for rule in matrix.rules:
        if rule.identification_status is not None and facts.identification_status not in rule.identification_status:
            continue
        if rule.accompanying_child is not None and facts.accompanying_child != rule.accompanying_child:
            continue
        if rule.max_age is not None and (facts.age is None or facts.age > rule.max_age):
            continue
        if rule.location is not None and rule.location != ("abroad" if facts.abroad else "viet_nam"):
            continue
        if rule.nationality is not None and rule.nationality != ("VN" if facts.nationality == "VN" else "foreign"):
            continue
        granted.update(rule.regimes)
    return [regime for regime in matrix.regimes if regime.code in granted]


def regime(code: str) -> Regime:
    return next(r for r in entitlement_matrix().regimes if r.code == code)


# -- matching ---------------------------------------------------------------------------------------


class Candidate(msgspec.Struct, frozen=True, kw_only=True):
    """A directory listing as matching sees it."""

    service_id: uuid.UUID
    name: str
    organization_id: uuid.UUID
    organization_name: str
    categories: list[str]
    populations: list[str]
    provinces: list[str]
    languages: list[str]
    genders: list[str]
    min_age: int | None
    max_age: int | None
    accepting_referrals: bool
    capacity_available: int | None
    last_verified_at: datetime | None
    point: tuple[float, float] | None


@dataclass
class Scored:
    candidate: Candidate
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    distance_km: float | None = None


def survivor_populations(facts: CaseFacts) -> set[str]:
    found = {CASE_POPULATIONS[facts.case_type]} if facts.case_type in CASE_POPULATIONS else set()
    if facts.age is not None and facts.age < 18:
        found.add("child")
    if facts.sex is Sex.FEMALE:
        found.add("woman")
    return found


def eligibility_problem(facts: CaseFacts, candidate: Candidate) -> str | None:
    """Why this survivor cannot use this service at all, or None."""
    if facts.age is not None:
        if candidate.min_age is not None and facts.age < candidate.min_age:
            return f"from age {candidate.min_age}"
        if candidate.max_age is not None and facts.age > candidate.max_age:
            return f"up to age {candidate.max_age}"
    if candidate.genders and facts.sex is not None and facts.sex.value not in candidate.genders:
        return "for another sex"
    return None


def score_candidate(
    facts: CaseFacts, domain: MilestoneDomain, candidate: Candidate, now: datetime, stale: bool
) -> Scored | None:
    """Weigh one listing for this survivor and domain; None when it does not fit at all."""
    if eligibility_problem(facts, candidate) is not None:
        return None
    scored = Scored(candidate)
    wanted = DOMAIN_CATEGORIES[domain]
    ranks = [wanted.index(c) for c in candidate.categories if c in wanted]
    if not ranks:
        return None
    scored.score += 3.0 - 0.3 * min(ranks)
    scored.reasons.append(f"category: {wanted[min(ranks)]}")
    if facts.home_province and facts.home_province in candidate.provinces:
        scored.score += 2.0
        scored.reasons.append("area: serves the home province")
    elif places.NATIONAL in candidate.provinces:
        scored.score += 1.5
        scored.reasons.append("area: national")
    populations = survivor_populations(facts) & set(candidate.populations)
    if populations:
        scored.score += 1.0
        scored.reasons.append(f"eligibility: for {', '.join(sorted(populations))}")
    if candidate.min_age is not None or candidate.max_age is not None or candidate.genders:
        scored.reasons.append("eligibility: age and sex fit")
    shared = set(facts.languages) & set(candidate.languages)
    if shared:
        scored.score += 0.5 if shared != {"vi"} else 0.2
        scored.reasons.append(f"language: {', '.join(sorted(shared))}")
    if candidate.accepting_referrals:
        scored.score += 1.0
        scored.reasons.append("accepting referrals")
    else:
        scored.score -= 2.0
        scored.reasons.append("not accepting referrals now")
    if "shelter" in candidate.categories:
        if candidate.capacity_available:
            scored.score += 1.0
            scored.reasons.append(f"capacity: {candidate.capacity_available} beds free")
        elif candidate.capacity_available == 0:
            scored.score -= 1.5
            scored.reasons.append("capacity: full")
    home = places.home_centre(facts.home_province, facts.home_former_province) if facts.home_province else None
    if home is not None and candidate.point is not None:
        scored.distance_km = round(places.distance_km(home, candidate.point), 1)
        scored.score += max(0.0, 1.0 - scored.distance_km / 200)
        scored.reasons.append(
            f"distance: {scored.distance_km} km from the centre of former {facts.home_former_province}"
            if facts.home_former_province
            else f"distance: {scored.distance_km} km from the home province centre"
        )
    if stale:
        scored.score -= 0.5
        scored.reasons.append("freshness: not verified for 180 days")
    else:
        scored.score += 0.3
        scored.reasons.append("freshness: verified recently")
    return scored


# -- sustainability scores --------------------------------------------------------------------------


class Answer(msgspec.Struct, frozen=True):
    vi: str
    en: str
    value: float


class Indicator(msgspec.Struct, frozen=True):
    code: str
    dimension: str
    weight: float
    question_vi: str
    question_en: str
    answers: list[Answer]


class Scoring(msgspec.Struct, frozen=True):
    version: str
    basis: str
    dimension_weights: dict[str, float]
    indicators: list[Indicator]


@cache
def scoring() -> Scoring:
    raw = (resources.files("service") / "data" / "sustainability.json").read_bytes()
    return msgspec.json.decode(raw, type=Scoring)


def validate_answers(answers: Mapping[str, int]) -> None:
    known = {indicator.code: indicator for indicator in scoring().indicators}
    errors = []
    for code, answer in answers.items():
        indicator = known.get(code)
        if indicator is None:
            errors.append(FieldError(field=f"indicators.{code}", message="unknown indicator"))
        elif not 0 <= answer < len(indicator.answers):
            errors.append(FieldError(field=f"indicators.{code}", message=f"answer 0..{len(indicator.answers) - 1}"))
    if errors:
        raise ValidationFailed("Unknown indicators or answers", errors=errors)


def score(answers: Mapping[str, int]) -> Scores:
    """Dimension scores are weighted means of the normalised answers given (None when none was);
    the composite weighs the three dimensions and needs all of them."""
    config = scoring()
    sums: dict[str, float] = {}
    weights: dict[str, float] = {}
    for indicator in config.indicators:
        if indicator.code in answers:
            value = indicator.answers[answers[indicator.code]].value
            sums[indicator.dimension] = sums.get(indicator.dimension, 0.0) + indicator.weight * value
            weights[indicator.dimension] = weights.get(indicator.dimension, 0.0) + indicator.weight
    dims = {d: round(sums[d] / weights[d], 3) if weights.get(d) else None for d in config.dimension_weights}
    composite = None
    if all(value is not None for value in dims.values()):
        total = sum(config.dimension_weights.values())
        composite = round(sum(config.dimension_weights[d] * (v or 0.0) for d, v in dims.items()) / total, 3)
    return Scores(
        economic=dims.get("economic"),
        social=dims.get("social"),
        psychosocial=dims.get("psychosocial"),
        composite=composite,
    )


# -- statistics -------------------------------------------------------------------------------------

SUPPRESSION_K = 11  # the Counter Trafficking Data Collaborative's threshold


def suppress(rows: Iterable[Sequence[object]], count_columns: Sequence[int], k: int = SUPPRESSION_K) -> list[list[str]]:
    """Rows as text, each count below ``k`` written as ``<k`` so small groups cannot be singled out."""
    result = []
    for row in rows:
        cells = [str(value) if value is not None else "" for value in row]
        for index in count_columns:
            value = row[index]
            if isinstance(value, int) and value < k:
                cells[index] = f"<{k}"
        result.append(cells)
    return result
