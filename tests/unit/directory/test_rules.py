"""Pure listing rules: opening hours, staleness, redaction, If-Match (service.etags), areas, cross-field checks."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from search.meili_documents import to_meili_document
from service import etags
from service.auth.models import ANONYMOUS, Principal, Role
from service.directory import rules
from service.directory.models import (
    Contact,
    ContactKind,
    Location,
    LocationIn,
    OrganizationRef,
    Schedule,
    ScheduleIn,
    Service,
)
from service.directory.search_index import search_document
from service.errors import PreconditionFailed, ValidationFailed


def test_minute_of_week_is_in_viet_nam_time() -> None:
    # Monday 2026-11-23 01:30 UTC is Monday 08:30 in Hồ Chí Minh City (UTC+7)
    assert rules.minute_of_week(datetime(2026, 11, 23, 1, 30, tzinfo=UTC)) == 8 * 60 + 30
    # Sunday 20:00 UTC is Monday 03:00 local
    assert rules.minute_of_week(datetime(2026, 11, 22, 20, 0, tzinfo=UTC)) == 3 * 60


def test_open_week_covers_office_hours() -> None:
    spans = rules.open_week([ScheduleIn(weekday=2, opens_at="07:30", closes_at="17:00")])
    assert spans == [(1440 + 450, 1440 + 1020)]


def test_overnight_hours_roll_into_the_next_day_and_sunday_into_monday() -> None:
    assert rules.open_week([ScheduleIn(weekday=1, opens_at="22:00", closes_at="06:00")]) == [(1320, 1800)]
    sunday = rules.open_week([ScheduleIn(weekday=7, opens_at="22:00", closes_at="02:00")])
    assert sunday == [(0, 120), (6 * 1440 + 1320, 7 * 1440)]


def test_closing_at_midnight_is_the_end_of_the_day() -> None:
    assert rules.open_week([ScheduleIn(weekday=3, opens_at="18:00", closes_at="24:00")]) == [
        (2 * 1440 + 1080, 3 * 1440)
    ]


def test_a_listing_with_a_24_7_contact_is_always_open() -> None:
    assert rules.always_open([Contact(kind=ContactKind.HOTLINE, value="111", hours="", is_24_7=True, languages=[])])


@pytest.mark.parametrize(("age_days", "stale"), [(None, True), (0, False), (179, False), (181, True)])
def test_listing_is_stale_after_180_days_unverified(age_days: int | None, stale: bool) -> None:
    now = datetime(2026, 11, 22, tzinfo=UTC)
    verified = None if age_days is None else now - timedelta(days=age_days)
    assert rules.is_stale(verified, now) is stale


def _service(confidential: bool) -> Service:
    now = datetime.now(UTC)
    org = uuid.uuid4()
    return Service(
        id=uuid.uuid4(), organization_id=org, organization=OrganizationRef(id=org, name="x"), name="Shelter",
        alternate_name=None, description="", status="active", categories=["shelter"], populations=[],
        eligibility_description="", min_age=None, max_age=None, genders=[], languages=[], fee="free",
        application_process="", required_documents=[], accepting_referrals=True, capacity_total=None,
        capacity_available=None, visibility="public",
        locations=[Location(id=uuid.uuid4(), name="", street="12 Secret St", commune="Ninh Kiều", province_code="92",
                            lat=10.03, lon=105.78, confidential=confidential, accessibility="")],
        service_areas=["92"], contacts=[], schedules=[Schedule(weekday=1, opens_at="07:00", closes_at="17:00")],
        last_verified_at=None, verified_by=None, version=1, created_at=now, updated_at=now,
    )  # fmt: skip


def test_redact_leaves_a_confidential_location_only_its_province() -> None:
    service = _service(confidential=True)
    hidden = msgspec.structs.replace(service.locations[0], name="Nhà Mái Xanh", accessibility="Lối sau chợ")
    redacted = rules.redact(msgspec.structs.replace(service, locations=[hidden]), may_see_restricted=False)
    location = redacted.locations[0]
    assert location.street is None and location.lat is None and location.lon is None
    assert (location.name, location.commune, location.accessibility) == ("", "", "")
    assert location.province_code == "92" and location.confidential


def test_the_search_document_indexes_no_confidential_commune() -> None:
    for confidential in (True, False):
        # typed as the database returns them (``_service`` leaves the enums as text)
        service = msgspec.convert(msgspec.to_builtins(_service(confidential)), Service)
        document = search_document(service)
        indexed = " ".join(document.all_text()) + json.dumps(to_meili_document(document), ensure_ascii=False)
        assert ("Ninh Kiều" in indexed) is not confidential


def test_redact_keeps_everything_for_staff_and_for_open_locations() -> None:
    assert rules.redact(_service(confidential=True), may_see_restricted=True).locations[0].street == "12 Secret St"
    assert rules.redact(_service(confidential=False), may_see_restricted=False).locations[0].lat == 10.03


def test_viewer_scope_by_role() -> None:
    org = uuid.uuid4()
    assert rules.viewer(ANONYMOUS) == rules.Viewer()
    partner = rules.viewer(Principal(user_id=uuid.uuid4(), role=Role.PARTNER, organization_id=org))
    assert partner.sees_restricted is False and partner.organization_id == org
    assert rules.viewer(Principal(user_id=uuid.uuid4(), role=Role.CASEWORKER, organization_id=org)).sees_restricted


@pytest.mark.parametrize(("header", "version"), [(None, None), ("*", None), ('"3"', 3), ('W/"7"', 7), ("12", 12)])
def test_expected_version_reads_if_match(header: str | None, version: int | None) -> None:
    assert etags.expected_version(header) == version


def test_expected_version_rejects_foreign_etags() -> None:
    with pytest.raises(PreconditionFailed):
        etags.expected_version('"abc"')


def test_normalize_areas_resolves_names_and_reports_unknown_ones() -> None:
    assert rules.normalize_areas(["Sóc Trăng", "92", "national"]) == ["92", "national"]
    with pytest.raises(ValidationFailed) as caught:
        rules.normalize_areas(["Cần Thơ", "Atlantis"])
    assert caught.value.errors[0].field == "service_areas[1]"


def test_normalize_locations_requires_both_coordinates() -> None:
    with pytest.raises(ValidationFailed):
        rules.normalize_locations([LocationIn(province_code="92", lat=10.0)])
    assert rules.normalize_locations([LocationIn(province_code="Bắc Kạn")])[0].province_code == "19"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"categories": ["shelter", "spaceship"]}, "categories"),
        ({"capacity_total": 3, "capacity_available": 4}, "capacity_available"),
        ({"min_age": 18, "max_age": 16}, "min_age"),
        ({"contacts": [{"kind": "hotline", "value": "call us"}]}, "contacts[0].value"),
    ],
)
def test_check_listing_names_the_bad_field(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        rules.check_listing(fields)
    assert [e.field for e in caught.value.errors] == [field]


def test_diff_lists_changed_fields_only() -> None:
    assert rules.diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {"b": [2, 3], "c": [None, 4]}


def test_is_open_at_uses_schedules_in_local_time() -> None:
    service = _service(confidential=False)
    # Monday 03:00 UTC = Monday 10:00 local, inside 07:00–17:00
    assert rules.is_open_at(service, datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
    assert not rules.is_open_at(service, datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    always = msgspec.structs.replace(
        service, contacts=[Contact(kind=ContactKind.HOTLINE, value="111", hours="", is_24_7=True, languages=[])]
    )
    assert rules.is_open_at(always, datetime(2026, 11, 23, 12, 0, tzinfo=UTC))


def test_named_kinds_reads_categories_and_populations_from_the_query() -> None:
    assert rules.named_kinds("tam lanh") == (("shelter",), ())
    assert rules.named_kinds("Đường dây nóng") == (("hotline",), ())
    assert rules.named_kinds("tre em") == (("child_protection",), ("child",))
    assert rules.named_kinds("binh yen") == ((), ())
