"""The HSDS 3.0 API against the real app: valid records, staff-only listings and confidential
coordinates kept from the public, ndjson export. Needs ``HsdsController`` registered in the app."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]

from tests.integration.conftest import Actors
from tests.integration.directory.hsds.test_hsds_official_example import SERVICE, example
from tests.integration.directory.hsds.test_hsds_transfer import load
from tests.integration.listings import service_body

PROGRAM = "e7ec2e57-4540-43fa-b2c7-6be5a0ef7f42"  # of the official example's organization
COMPILED = Path(__file__).resolve().parents[3] / "data" / "hsds"


def assert_valid(name: str, record: dict[str, Any]) -> None:
    schema = json.loads((COMPILED / name).read_text(encoding="utf-8"))
    errors = [e.message for e in Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(record)]
    assert errors == []


async def make_listings(client: httpx.AsyncClient, actors: Actors) -> tuple[str, str]:
    admin = actors.admin.headers
    public = await client.post("/api/v1/services", headers=admin, json=service_body(actors.org))
    staff = await client.post(
        "/api/v1/services",
        headers=admin,
        json=service_body(actors.org, name="Điểm an toàn nội bộ", visibility="staff"),
    )
    assert public.status_code == staff.status_code == 201
    return public.json()["id"], staff.json()["id"]


async def test_about_names_version_and_profile(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/hsds/")).json()
    assert body["version"] == "3.0" and body["profile"].startswith("https://")


async def test_public_list_has_no_staff_listing_and_no_confidential_coordinates(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    public_id, staff_id = await make_listings(client, actors)
    for params in ({}, {"full": "true"}):
        response = await client.get("/api/v1/hsds/services", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert [item["id"] for item in page["contents"]] == [public_id]
        for item in page["contents"]:
            assert_valid("service_list.json", item)
        text = response.text
        assert "Bí Mật" not in text and "105.78" not in text and "latitude" not in text
    staff_page = (
        await client.get("/api/v1/hsds/services", headers=actors.admin.headers, params={"full": "true"})
    ).json()
    assert {item["id"] for item in staff_page["contents"]} == {public_id, staff_id}
    assert staff_page["contents"][0]["service_at_locations"][0]["location"]["latitude"] == 10.03


async def test_item_is_valid_and_staff_only_is_404_to_the_public(client: httpx.AsyncClient, actors: Actors) -> None:
    public_id, staff_id = await make_listings(client, actors)
    response = await client.get(f"/api/v1/hsds/services/{public_id}")
    assert response.status_code == 200
    record = response.json()
    assert_valid("service.json", record)
    assert "latitude" not in response.text and "Bí Mật" not in response.text
    assert (await client.get(f"/api/v1/hsds/services/{staff_id}")).status_code == 404
    seen = await client.get(f"/api/v1/hsds/services/{staff_id}", headers=actors.partner.headers)
    assert seen.status_code == 200
    assert seen.json()["service_at_locations"][0]["location"]["latitude"] == 10.03


async def test_filters_by_category_and_organization(client: httpx.AsyncClient, actors: Actors) -> None:
    public_id, _ = await make_listings(client, actors)
    hit = (await client.get("/api/v1/hsds/services", params={"taxonomy_term_id": "shelter"})).json()
    assert [item["id"] for item in hit["contents"]] == [public_id]
    miss = (await client.get("/api/v1/hsds/services", params={"taxonomy_term_id": "legal_aid"})).json()
    assert miss["contents"] == [] and miss["empty"] is True
    other = (await client.get("/api/v1/hsds/services", params={"organization_id": str(actors.other_org)})).json()
    assert other["contents"] == []
    minimal = (await client.get("/api/v1/hsds/services", params={"minimal": "true"})).json()
    assert set(minimal["contents"][0]) == {"id", "name", "status", "organization"}


async def test_ndjson_is_one_full_service_per_line(client: httpx.AsyncClient, actors: Actors) -> None:
    public_id, _ = await make_listings(client, actors)
    response = await client.get("/api/v1/hsds/services", params={"format": "ndjson"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in response.text.splitlines() if line]
    assert [line["id"] for line in lines] == [public_id]
    assert_valid("service.json", lines[0])
    assert "latitude" not in response.text


async def create_services(client: httpx.AsyncClient, actors: Actors, owner: uuid.UUID, count: int) -> list[str]:
    created = []
    for number in range(count):
        body = service_body(owner, name=f"Nhà tạm lánh số {number}")
        response = await client.post("/api/v1/services", headers=actors.admin.headers, json=body)
        assert response.status_code == 201, response.text
        created.append(response.json()["id"])
    return created


async def all_pages(client: httpx.AsyncClient, per_page: int, **params: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Every page of a filtered list: the page wrappers and the ids in order."""
    pages: list[dict[str, Any]] = []
    ids: list[str] = []
    while not pages or not pages[-1]["last_page"]:
        query = {**params, "per_page": str(per_page), "page": str(len(pages) + 1)}
        response = await client.get("/api/v1/hsds/services", params=query)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        ids += [item["id"] for item in pages[-1]["contents"]]
    return pages, ids


async def test_organization_filter_counts_and_fills_pages_with_that_organization_only(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    ours = await create_services(client, actors, actors.org, 3)
    theirs = await create_services(client, actors, actors.other_org, 2)
    pages, ids = await all_pages(client, 2, organization_id=str(actors.org))
    assert sorted(ids) == sorted(ours)
    assert [(page["total_items"], page["total_pages"], page["size"]) for page in pages] == [(3, 2, 2), (3, 2, 1)]
    pages, ids = await all_pages(client, 1, organization_id=str(actors.other_org))
    assert sorted(ids) == sorted(theirs)
    assert [page["total_items"] for page in pages] == [2, 2]


async def test_organization_filter_still_hides_staff_only_listings_from_the_public(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    public_id, staff_id = await make_listings(client, actors)
    await create_services(client, actors, actors.other_org, 1)
    params = {"organization_id": str(actors.org)}
    public = (await client.get("/api/v1/hsds/services", params=params)).json()
    assert (public["total_items"], [item["id"] for item in public["contents"]]) == (1, [public_id])
    partner = (await client.get("/api/v1/hsds/services", params=params, headers=actors.partner.headers)).json()
    assert partner["total_items"] == 2
    assert {item["id"] for item in partner["contents"]} == {public_id, staff_id}


async def test_modified_after_counts_and_fills_pages_with_services_changed_since(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    first, _, last = await create_services(client, actors, actors.org, 3)
    cutoff = datetime.fromisoformat((await client.get(f"/api/v1/services/{last}")).json()["updated_at"])
    edited = await client.patch(f"/api/v1/services/{first}", headers=actors.admin.headers, json={"name": "Đã sửa"})
    assert edited.status_code == 200, edited.text
    (added,) = await create_services(client, actors, actors.other_org, 1)
    for given in (cutoff.isoformat(), cutoff.astimezone(UTC).replace(tzinfo=None).isoformat()):  # naive is UTC
        pages, ids = await all_pages(client, 1, modified_after=given)
        assert sorted(ids) == sorted([first, added])
        assert [(page["total_items"], page["size"]) for page in pages] == [(2, 1), (2, 1)]
    later = (cutoff + timedelta(days=1)).isoformat()
    empty = (await client.get("/api/v1/hsds/services", params={"modified_after": later})).json()
    assert (empty["total_items"], empty["contents"]) == (0, [])


async def test_organization_and_modified_after_combine(client: httpx.AsyncClient, actors: Actors) -> None:
    ours = await create_services(client, actors, actors.org, 2)
    cutoff = datetime.fromisoformat((await client.get(f"/api/v1/services/{ours[-1]}")).json()["updated_at"])
    (newer,) = await create_services(client, actors, actors.org, 1)
    await create_services(client, actors, actors.other_org, 1)
    page = (
        await client.get(
            "/api/v1/hsds/services", params={"organization_id": str(actors.org), "modified_after": cutoff.isoformat()}
        )
    ).json()
    assert (page["total_items"], [item["id"] for item in page["contents"]]) == (1, [newer])


async def test_malformed_filters_are_problems(client: httpx.AsyncClient) -> None:
    for params in (
        {"organization_id": "not-a-uuid"},
        {"modified_after": "yesterday"},
        {"modified_after": "0.5"},  # not seconds since 1970: the document says a date-time
        {"modified_after": "2026-13-01T00:00:00Z"},
    ):
        response = await client.get("/api/v1/hsds/services", params=params)
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_date_time_of_the_right_shape_that_never_was_is_refused_field_by_field(
    client: httpx.AsyncClient,
) -> None:
    for moment in ("2026-02-30T00:00:00Z", "0000-01-01T00:00:00"):
        response = await client.get("/api/v1/hsds/services", params={"modified_after": moment})
        assert response.status_code == 422, response.text
        assert [error["field"] for error in response.json()["errors"]] == ["modified_after"]


async def test_post_search_answers_as_the_get_with_the_query_out_of_the_url(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """HSDS 3.1's POST search: the words a caseworker types stay out of URLs and access logs."""
    public_id, staff_id = await make_listings(client, actors)
    query = {"q": "nha tam lanh", "per_page": 1, "page": 1, "full": True}
    got = await client.get("/api/v1/hsds/services", params=query)
    posted = await client.post("/api/v1/hsds/services", json=query)
    assert posted.status_code == 200, posted.text
    assert posted.json() == got.json() and posted.json()["contents"][0]["id"] == public_id
    assert "nha" not in str(posted.request.url)
    staff = await client.post("/api/v1/hsds/services", headers=actors.admin.headers, json={"per_page": 100})
    assert {item["id"] for item in staff.json()["contents"]} == {public_id, staff_id}
    refused = await client.post("/api/v1/hsds/services", json={"q": "x", "per_page": 500, "sort": "name"})
    assert refused.status_code == 400 and refused.headers["content-type"].startswith("application/problem+json")


async def test_the_root_says_which_version_each_endpoint_follows(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/hsds/")).json()
    versions = {(e["method"], e["path"]): e["version"] for e in body["endpoints"]}
    assert versions[("POST", "/api/v1/hsds/services")] == "3.1"
    assert versions[("GET", "/api/v1/hsds/services")] == "3.0"
    assert {e["profile"] for e in body["endpoints"]} == {body["profile"]}


async def test_beds_free_are_an_hsds_3_1_service_capacity_in_beds(client: httpx.AsyncClient, actors: Actors) -> None:
    created = await client.post(
        "/api/v1/services",
        headers=actors.admin.headers,
        json=service_body(actors.org, capacity_total=12, capacity_available=3),
    )
    assert created.status_code == 201, created.text
    record = (await client.get(f"/api/v1/hsds/services/{created.json()['id']}")).json()
    [capacity] = record["capacities"]
    assert (capacity["available"], capacity["maximum"], capacity["unit"]["identifier"]) == (3, 12, "bed")


async def test_what_an_import_kept_comes_out_in_the_api_as_hsds_objects(
    client: httpx.AsyncClient, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    """Cost options, funding, the program and the organization's identifiers of the official
    example package, imported, are in the service record as HSDS 3.0 objects, in both endpoints."""
    await load(pool, example(tmp_path))

    record = (await client.get(f"/api/v1/hsds/services/{SERVICE}")).json()
    listed = (await client.get("/api/v1/hsds/services", params={"full": "true", "q": "Counselling"})).json()

    assert_valid("service.json", record)
    assert [r for r in listed["contents"] if r["id"] == SERVICE] == [record]
    assert [(c["option"], c["currency"], c["amount"]) for c in record["cost_options"]] == [
        ("Under 18s and Over 60s", "gbp", 35)
    ]
    assert record["funding"][0]["source"].startswith("This service is funded partially by the MyCity")
    assert (record["program_id"], record["program"]["name"]) == (PROGRAM, "Community Mental Health Support")
    organization = record["organization"]
    assert [(i["identifier_scheme"], i["identifier"]) for i in organization["organization_identifiers"]] == [
        ("GB-COH", "1234567")
    ]
    assert [p["id"] for p in organization["programs"]] == [PROGRAM]
    assert organization["tax_id"] == "tax_id"
    assert record["service_at_locations"][0]["location"]["name"] == "MyCity Civic Center"  # kept whole
