"""Our listings in the HSDS 3.0 shape: valid against the compiled Open Referral schemas, and a
confidential place's address and coordinates only for those who may see them."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]

from service.directory.hsds import records as hsds
from service.directory.hsds import terms
from service.directory.models import (
    Contact,
    ContactKind,
    Fee,
    Location,
    OrganizationRef,
    Schedule,
    Service,
    ServiceStatus,
    Visibility,
)

COMPILED = Path(__file__).resolve().parents[3] / "data" / "hsds"
ORG = uuid.UUID("2f1c3b0e-0000-4000-8000-000000000001")
STREET = "12 Đường Bí Mật"


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((COMPILED / name).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def assert_valid(name: str, record: dict[str, Any]) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(record)]
    assert errors == []


def listing(confidential: bool = False, **overrides: Any) -> Service:
    fields: dict[str, Any] = {
        "id": uuid.uuid4(),
        "organization_id": ORG,
        "organization": OrganizationRef(id=ORG, name="Nhà Tạm Lánh Hoa Sen"),
        "name": "Nhà tạm lánh Hoa Sen",
        "alternate_name": None,
        "description": "Nơi tạm lánh an toàn",
        "status": ServiceStatus.TEMPORARILY_CLOSED,
        "categories": ["shelter", "hotline"],
        "populations": ["trafficking_survivor"],
        "eligibility_description": "Phụ nữ từ 16 tuổi",
        "min_age": 16,
        "max_age": None,
        "genders": ["female"],
        "languages": ["vi", "km"],
        "fee": Fee.FREE,
        "application_process": "Gọi đường dây nóng",
        "required_documents": ["Giấy tờ tùy thân nếu có"],
        "accepting_referrals": True,
        "capacity_total": 20,
        "capacity_available": 4,
        "visibility": Visibility.PUBLIC,
        "locations": [
            Location(
                id=uuid.uuid4(),
                name="Nhà chính",
                street=STREET,
                commune="Phường Ninh Kiều",
                province_code="92",
                lat=10.0312,
                lon=105.7812,
                confidential=confidential,
                accessibility="Lối đi xe lăn",
            )
        ],
        "service_areas": ["92", "national"],
        "contacts": [
            Contact(kind=ContactKind.HOTLINE, value="1900969680", hours="", is_24_7=True, languages=["vi"]),
            Contact(kind=ContactKind.EMAIL, value="a@example.org", hours="", is_24_7=False, languages=[]),
        ],
        "schedules": [Schedule(weekday=1, opens_at="07:30", closes_at="17:00")],
        "last_verified_at": datetime(2026, 1, 5, 3, 0, tzinfo=UTC),
        "verified_by": None,
        "version": 3,
        "created_at": datetime(2025, 12, 1, tzinfo=UTC),
        "updated_at": datetime(2026, 1, 5, 3, 0, tzinfo=UTC),
    }
    fields.update(overrides)
    return Service(**fields)


def test_a_public_listing_is_a_valid_hsds_service() -> None:
    record = hsds.service_to_hsds(listing(), may_see_restricted=False)
    assert_valid("service.json", record)
    assert record["status"] == "temporarily closed"
    assert record["assured_date"] == "2026-01-05"
    assert record["phones"][0]["number"] == "1900969680"
    assert [lang["code"] for lang in record["phones"][0]["languages"]] == ["vi"]
    assert len(record["phones"]) == 1  # e-mail is no phone
    assert record["schedules"][0] | {"byday": "MO", "opens_at": "07:30", "closes_at": "17:00"} == record["schedules"][0]
    assert [area["name"] for area in record["service_areas"]][1] == "Viet Nam"
    location = record["service_at_locations"][0]["location"]
    assert location["latitude"] == 10.0312
    assert location["addresses"][0]["address_1"] == STREET
    values = {(a["taxonomy_term"]["code"], a["value"]) for a in record["attributes"]}
    assert {("shelter", "shelter"), ("capacity_available", "4"), ("visibility", "public"), ("province", "92")} <= values
    shelter = next(a["taxonomy_term"] for a in record["attributes"] if a["value"] == "shelter")
    assert (shelter["name"], shelter["description"], shelter["taxonomy"]) == ("Nhà tạm lánh", "Shelter", "ketnoi")


def test_a_confidential_place_seen_by_the_public_has_no_address_or_coordinates() -> None:
    service = listing(confidential=True)
    record = hsds.service_to_hsds(service, may_see_restricted=False)
    assert_valid("service.json", record)
    text = json.dumps(record, ensure_ascii=False)
    for secret in (STREET, "Ninh Kiều", "10.0312", "105.7812", "latitude", "longitude", "addresses"):
        assert secret not in text
    location = record["service_at_locations"][0]["location"]
    assert "Cần Thơ" in location["description"] and "referral" in location["description"]


def test_a_confidential_place_seen_by_staff_keeps_its_address_and_coordinates() -> None:
    record = hsds.service_to_hsds(listing(confidential=True), may_see_restricted=True)
    assert_valid("service.json", record)
    location = record["service_at_locations"][0]["location"]
    assert (location["latitude"], location["longitude"]) == (10.0312, 105.7812)
    assert location["addresses"][0]["address_1"] == STREET


@pytest.mark.parametrize("minimal", [False, True])
def test_a_list_page_is_valid(minimal: bool) -> None:
    records = [hsds.service_to_hsds(listing(confidential=True), may_see_restricted=False) for _ in range(2)]
    items = [hsds.list_item(record, minimal) for record in records]
    page = hsds.hsds_list_page(items, total=5, page=1, per_page=2)
    for item in page["contents"]:
        assert_valid("service_list.json", item)
        assert "service_at_locations" not in item
    assert page | {"total_items": 5, "total_pages": 3, "size": 2, "first_page": True, "last_page": False} == page
    assert hsds.hsds_list_page([], total=0, page=1, per_page=20)["empty"] is True


def test_category_term_ids_map_back_to_codes() -> None:
    assert terms.category_for_term_id(str(terms.term_id("shelter"))) == "shelter"
    assert terms.category_for_term_id("shelter") == "shelter"
    assert terms.category_for_term_id(str(uuid.uuid4())) != "shelter"
