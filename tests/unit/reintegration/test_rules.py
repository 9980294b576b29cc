"""Entitlements, matching scores, sustainability scoring, suppression and case codes."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from service.errors import ValidationFailed
from service.reintegration import rules
from service.reintegration.case_models import CaseType, IdentificationStatus, Sex
from service.reintegration.plan_models import MilestoneDomain

FACTS = rules.CaseFacts(
    case_type=CaseType.TRAFFICKING_VICTIM,
    identification_status=IdentificationStatus.IDENTIFIED_VICTIM,
    accompanying_child=False,
    sex=Sex.FEMALE,
    age=25,
    languages=["vi", "km"],
    home_province="92",
    abroad=False,
    nationality="VN",
    home_former_province="Sóc Trăng",
)
NOW = datetime(2026, 11, 22, tzinfo=UTC)


def codes(facts: rules.CaseFacts) -> list[str]:
    return [regime.code for regime in rules.entitled_regimes(facts)]


def test_an_identified_victim_is_entitled_to_every_regime() -> None:
    assert codes(FACTS) == ["a", "b", "c", "d", "đ", "e", "g", "h", "i", "k"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"identification_status": IdentificationStatus.UNDER_IDENTIFICATION}, ["a", "b", "c", "d", "đ", "e", "g"]),
        ({"identification_status": IdentificationStatus.REPORTED, "abroad": True}, ["a", "b", "c", "d"]),
        ({"identification_status": IdentificationStatus.NOT_IDENTIFIED}, []),
        (
            {"identification_status": IdentificationStatus.NOT_IDENTIFIED, "accompanying_child": True, "age": 12},
            ["a", "b", "c", "d", "đ", "e", "g", "h"],
        ),
        ({"identification_status": IdentificationStatus.NOT_IDENTIFIED, "accompanying_child": True, "age": 18}, []),
        ({"nationality": "KH"}, ["a", "b", "c", "d", "đ", "e", "g"]),
    ],
)
def test_entitlements_depend_on_status_age_location_and_nationality(
    changes: dict[str, object], expected: list[str]
) -> None:
    assert codes(replace(FACTS, **changes)) == expected  # type: ignore[arg-type]


def test_someone_without_a_return_date_is_still_abroad() -> None:
    assert rules.is_abroad("CN", None, date(2026, 11, 22))
    assert rules.is_abroad("CN", date(2026, 12, 1), date(2026, 11, 22))
    assert not rules.is_abroad("CN", date(2026, 10, 1), date(2026, 11, 22))
    assert not rules.is_abroad(None, None, date(2026, 11, 22))


def candidate(**changes: object) -> rules.Candidate:
    base = rules.Candidate(
        service_id=uuid.uuid4(),
        name="Nhà tạm lánh",
        organization_id=uuid.uuid4(),
        organization_name="X",
        categories=["shelter"],
        populations=["trafficking_survivor"],
        provinces=["92"],
        languages=["vi", "km"],
        genders=["female"],
        min_age=16,
        max_age=None,
        accepting_referrals=True,
        capacity_available=3,
        last_verified_at=NOW,
        point=(10.05, 105.75),
    )
    return rules.Candidate(**{**{f: getattr(base, f) for f in base.__struct_fields__}, **changes})  # type: ignore[arg-type]


def test_a_fitting_shelter_scores_with_every_reason() -> None:
    scored = rules.score_candidate(FACTS, MilestoneDomain.ESSENTIAL_NEEDS_SHELTER, candidate(), NOW, stale=False)
    assert scored is not None
    assert [reason.split(":")[0] for reason in scored.reasons] == [
        "category",
        "area",
        "eligibility",
        "eligibility",
        "language",
        "accepting referrals",
        "capacity",
        "distance",
        "freshness",
    ]


def test_distance_is_from_the_former_province_she_comes_from_or_not_given() -> None:
    """A listing in Cần Thơ's centre is ~50 km from former Sóc Trăng's; a case that records only
    Cần Thơ (which took in Sóc Trăng and Hậu Giang) could be anywhere in it: no distance."""
    near_can_tho = candidate(point=(10.0452, 105.7469))
    from_soc_trang = rules.score_candidate(FACTS, MilestoneDomain.ESSENTIAL_NEEDS_SHELTER, near_can_tho, NOW, False)
    assert from_soc_trang is not None and from_soc_trang.distance_km is not None
    assert 50 < from_soc_trang.distance_km < 70
    assert "distance: " + str(from_soc_trang.distance_km) + " km from the centre of former Sóc Trăng" in (
        from_soc_trang.reasons
    )
    only_can_tho = replace(FACTS, home_former_province=None)
    unknown = rules.score_candidate(only_can_tho, MilestoneDomain.ESSENTIAL_NEEDS_SHELTER, near_can_tho, NOW, False)
    assert unknown is not None and unknown.distance_km is None


@pytest.mark.parametrize(
    "changes", [{"min_age": 30}, {"max_age": 20}, {"genders": ["male"]}, {"categories": ["health"]}]
)
def test_ineligible_or_unrelated_services_do_not_match(changes: dict[str, object]) -> None:
    assert (
        rules.score_candidate(FACTS, MilestoneDomain.ESSENTIAL_NEEDS_SHELTER, candidate(**changes), NOW, False) is None
    )


def test_better_fits_score_higher() -> None:
    def score(**changes: object) -> float:
        result = rules.score_candidate(FACTS, MilestoneDomain.ESSENTIAL_NEEDS_SHELTER, candidate(**changes), NOW, False)
        assert result is not None
        return result.score

    best = score()
    assert score(capacity_available=0) < best
    assert score(accepting_referrals=False) < best
    assert score(provinces=["01"], point=(21.0, 105.8)) < best
    assert score(languages=["vi"]) < best
    stale = rules.score_candidate(FACTS, MilestoneDomain.ESSENTIAL_NEEDS_SHELTER, candidate(), NOW, stale=True)
    assert stale is not None and stale.score < best


def test_scores_are_weighted_means_per_dimension() -> None:
    # econ_income weighs 2 (answer 3 → 1.0), econ_debt weighs 1 (answer 0 → 0.0): (2*1 + 1*0) / 3
    scores = rules.score({"econ_income": 3, "econ_debt": 0})
    assert scores.economic == pytest.approx(0.667, abs=0.001)
    assert scores.social is None and scores.composite is None
    everything = {i.code: len(i.answers) - 1 for i in rules.scoring().indicators}
    assert rules.score(everything).composite == 1.0


def test_unknown_indicators_and_answers_are_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        rules.validate_answers({"econ_income": 7, "shoe_size": 1})
    assert {e.field for e in caught.value.errors} == {"indicators.econ_income", "indicators.shoe_size"}


def test_counts_under_eleven_are_suppressed() -> None:
    rows = rules.suppress([("92", 10), ("01", 11), ("79", 0)], [1])
    assert rows == [["92", "<11"], ["01", "11"], ["79", "<11"]]


def test_case_codes() -> None:
    code = rules.case_code(rules.case_prefix("92"), 2026)
    assert code.startswith("CT-2026-") and len(code) == len("CT-2026-") + rules.CODE_LENGTH
    assert set(code.rsplit("-", 1)[1]) <= set(rules.CODE_SYMBOLS) and not set("ILOU") & set(rules.CODE_SYMBOLS)
    assert rules.case_code("CT", 2026, choose=lambda symbols: symbols[-1]) == "CT-2026-ZZZZZZ"
    assert rules.case_prefix(None) == "VN"
