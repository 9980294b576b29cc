"""Keeping listings true: create, edit with If-Match, beds free, verify, revisions, organizations."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest

from tests.integration.conftest import Actors
from tests.integration.listings import service_body


async def create(client: httpx.AsyncClient, actors: Actors, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/services", headers=actors.partner.headers, json=service_body(actors.org, **overrides)
    )
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"1"'
    return response.json()  # type: ignore[no-any-return]


async def test_partner_creates_a_listing_with_all_its_parts(client: httpx.AsyncClient, actors: Actors) -> None:
    service = await create(client, actors, service_areas=["Sóc Trăng", "national"])
    assert service["version"] == 1
    assert service["organization"]["id"] == str(actors.org)
    assert service["service_areas"] == ["92", "national"]
    assert service["locations"][0]["street"] == "12 Đường Bí Mật"
    assert service["contacts"][0]["value"] == "1900969680"
    assert service["schedules"] == [{"weekday": 1, "opens_at": "07:30", "closes_at": "17:00"}]
    assert service["stale"] is False or service["last_verified_at"] is None
    fetched = await client.get(f"/api/v1/services/{service['id']}", headers=actors.partner.headers)
    assert fetched.status_code == 200
    assert fetched.headers["etag"] == '"1"'


async def test_a_new_listing_is_searchable_at_once(client: httpx.AsyncClient, actors: Actors) -> None:
    await create(client, actors, name="Nhà Hoa Sen Xanh")
    hits = (await client.get("/api/v1/services", params={"q": "hoa sen xanh"})).json()
    assert [item["name"] for item in hits["items"]] == ["Nhà Hoa Sen Xanh"]


async def test_a_listing_with_a_word_longer_than_search_accepts_is_saved_and_found(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    # found by fuzzing: a 5000-letter word made PostgreSQL refuse the search document (500)
    long_word = "a" * 5000
    service = await create(client, actors, name="Nhà Hoa Sen Xanh", description=long_word)
    hits = (await client.get("/api/v1/services", params={"q": long_word[:200]})).json()
    assert [item["id"] for item in hits["items"]] == [service["id"]]


async def test_patch_changes_only_what_was_sent_and_bumps_the_version(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    service = await create(client, actors)
    response = await client.patch(
        f"/api/v1/services/{service['id']}",
        headers={**actors.partner.headers, "If-Match": '"1"'},
        json={"description": "Mô tả mới", "languages": ["vi"]},
    )
    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'
    body = response.json()
    assert body["description"] == "Mô tả mới"
    assert body["languages"] == ["vi"]
    assert body["name"] == service["name"]
    assert body["locations"] == [{**service["locations"][0], "id": body["locations"][0]["id"]}]


async def test_a_stale_if_match_gets_412_and_overwrites_nothing(client: httpx.AsyncClient, actors: Actors) -> None:
    service = await create(client, actors)
    url = f"/api/v1/services/{service['id']}"
    first = await client.patch(url, headers={**actors.partner.headers, "If-Match": '"1"'}, json={"name": "Bản A"})
    assert first.status_code == 200
    second = await client.patch(url, headers={**actors.partner.headers, "If-Match": '"1"'}, json={"name": "Bản B"})
    assert second.status_code == 412
    assert second.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(url)).json()["name"] == "Bản A"


async def test_two_editors_racing_with_the_same_etag_one_wins(client: httpx.AsyncClient, actors: Actors) -> None:
    service = await create(client, actors)
    url = f"/api/v1/services/{service['id']}"

    async def edit(name: str) -> httpx.Response:
        return await client.patch(url, headers={**actors.partner.headers, "If-Match": '"1"'}, json={"name": name})

    results = await asyncio.gather(*(edit(f"Tên {i}") for i in range(8)))
    codes = sorted(r.status_code for r in results)
    assert codes == [200] + [412] * 7
    winner = next(r for r in results if r.status_code == 200).json()["name"]
    final = (await client.get(url)).json()
    assert final["name"] == winner
    assert final["version"] == 2


async def test_beds_free_update(client: httpx.AsyncClient, actors: Actors) -> None:
    service = await create(client, actors)
    url = f"/api/v1/services/{service['id']}/capacity"
    response = await client.put(url, headers=actors.partner.headers, json={"available": 7})
    assert response.status_code == 200
    assert response.json()["capacity_available"] == 7
    too_many = await client.put(url, headers=actors.partner.headers, json={"available": 21})
    assert too_many.status_code == 422
    negative = await client.put(url, headers=actors.partner.headers, json={"available": -1})
    assert negative.status_code == 400
    full = (await client.get("/api/v1/services", params={"has_capacity": "true"})).json()
    assert full["total"] == 1


async def test_coordinator_verifies_and_the_listing_is_no_longer_stale(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    service = await create(client, actors)
    assert (await client.get(f"/api/v1/services/{service['id']}")).json()["stale"] is True
    response = await client.post(f"/api/v1/services/{service['id']}/verify", headers=actors.coordinator.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["last_verified_at"] is not None
    assert body["verified_by"] == str(actors.coordinator.user_id)
    assert body["stale"] is False
    hit = (await client.get("/api/v1/services")).json()["items"][0]
    assert hit["stale"] is False


async def test_a_listing_verified_over_180_days_ago_is_stale(
    client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    service = await create(client, actors)
    await client.post(f"/api/v1/services/{service['id']}/verify", headers=actors.coordinator.headers)
    async with pool.acquire() as conn:
        await conn.execute("UPDATE service SET last_verified_at = now() - interval '181 days'")
    assert (await client.get(f"/api/v1/services/{service['id']}")).json()["stale"] is True


async def test_revisions_record_who_changed_what(client: httpx.AsyncClient, actors: Actors) -> None:
    service = await create(client, actors)
    await client.patch(f"/api/v1/services/{service['id']}", headers=actors.partner.headers, json={"name": "Tên mới"})
    await client.put(
        f"/api/v1/services/{service['id']}/capacity", headers=actors.partner.headers, json={"available": 2}
    )
    response = await client.get(f"/api/v1/services/{service['id']}/revisions", headers=actors.partner.headers)
    assert response.status_code == 200
    revisions = response.json()
    assert revisions["total"] == 3
    latest, update, created = revisions["items"]
    assert latest["action"] == "capacity" and latest["changes"] == {"capacity_available": [4, 2]}
    assert update["changes"] == {"name": ["Nhà tạm lánh Hoa Sen", "Tên mới"]}
    assert update["actor_id"] == str(actors.partner.user_id)
    assert created["action"] == "create" and created["version"] == 1


# -- bad input changes nothing ---------------------------------------------------------------------

BAD_BODIES = [
    pytest.param({"name": 123}, id="wrong-type"),
    pytest.param({"name": "x" * 201}, id="too-long"),
    pytest.param({"name": ""}, id="empty-name"),
    pytest.param({"fee": "cheap"}, id="unknown-enum"),
    pytest.param({"organization_id": "not-a-uuid"}, id="malformed-uuid"),
    pytest.param({"categories": ["spaceship"]}, id="unknown-category"),
    pytest.param({"service_areas": ["Atlantis"]}, id="unknown-province"),
    pytest.param({"capacity_total": 2, "capacity_available": 3}, id="more-beds-free-than-beds"),
    pytest.param({"schedules": [{"weekday": 8, "opens_at": "07:00", "closes_at": "17:00"}]}, id="bad-weekday"),
    pytest.param({"schedules": [{"weekday": 1, "opens_at": "7h", "closes_at": "17:00"}]}, id="bad-time"),
    pytest.param({"locations": [{"province_code": "92", "lat": 123.0, "lon": 105.0}]}, id="bad-latitude"),
    pytest.param({"contacts": [{"kind": "hotline", "value": "not a number"}]}, id="bad-phone"),
    pytest.param({"surprise": True}, id="unknown-field"),
    pytest.param({"languages": ["vi"] * 21}, id="too-many-items"),
]


@pytest.mark.parametrize("overrides", BAD_BODIES)
async def test_bad_listing_bodies_get_a_problem_and_change_nothing(
    client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool, overrides: dict[str, Any]
) -> None:
    response = await client.post(
        "/api/v1/services", headers=actors.partner.headers, json=service_body(actors.org, **overrides)
    )
    assert response.status_code in (400, 422), response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["status"] == response.status_code
    assert problem["title"] and problem["detail"]
    assert problem["errors"], problem
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM service") == 0
        assert await conn.fetchval("SELECT count(*) FROM location") == 0
        assert await conn.fetchval("SELECT count(*) FROM search_document") == 0


@pytest.mark.parametrize("overrides", BAD_BODIES[:8] + BAD_BODIES[10:])
async def test_bad_patches_change_nothing(client: httpx.AsyncClient, actors: Actors, overrides: dict[str, Any]) -> None:
    service = await create(client, actors)
    overrides = {key: value for key, value in overrides.items() if key != "organization_id"} or {"x": 1}
    response = await client.patch(f"/api/v1/services/{service['id']}", headers=actors.partner.headers, json=overrides)
    assert response.status_code in (400, 422), response.text
    after = await client.get(f"/api/v1/services/{service['id']}", headers=actors.partner.headers)
    assert after.json() == service


async def test_malformed_json_and_ids_are_4xx(client: httpx.AsyncClient, actors: Actors) -> None:
    broken = await client.post(
        "/api/v1/services",
        headers={**actors.partner.headers, "content-type": "application/json"},
        content=b"{not json",
    )
    assert broken.status_code == 400
    assert (await client.get("/api/v1/services/12345")).status_code == 404
    assert (await client.get("/api/v1/organizations/not-a-uuid")).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"per_page": "1000"},
        {"per_page": "0"},
        {"page": "-1"},
        {"fee": "cheap"},
        {"category": "spaceship"},
        {"province": "Atlantis"},
        {"population": "aliens"},
        {"near": "north"},
        {"near": "95,100"},
        {"radius_km": "10"},
        {"sort": "distance"},
        {"open_now": "maybe"},
        {"q": "x" * 201},
    ],
)
async def test_bad_search_parameters_get_a_problem(client: httpx.AsyncClient, params: dict[str, str]) -> None:
    response = await client.get("/api/v1/services", params=params)
    assert response.status_code in (400, 422), response.text
    assert response.json()["errors"]


# -- organizations ----------------------------------------------------------------------------------


async def test_coordinator_creates_an_organization_and_partner_edits_its_own(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    created = await client.post(
        "/api/v1/organizations",
        headers=actors.coordinator.headers,
        json={"name": "Trung tâm Công tác xã hội Cần Thơ", "kind": "social_work_centre",
              "parent_id": str(actors.other_org),  # under the coordinator's own organization
              "contacts": [{"kind": "phone", "value": "0292 3820 555"}]},
    )  # fmt: skip
    assert created.status_code == 201
    assert created.json()["contacts"][0]["value"] == "0292 3820 555"
    own = await client.patch(
        f"/api/v1/organizations/{actors.org}",
        headers={**actors.partner.headers, "If-Match": '"1"'},
        json={"website": "https://hoasen.example.org"},
    )
    assert own.status_code == 200
    assert own.headers["etag"] == '"2"'
    stale = await client.patch(
        f"/api/v1/organizations/{actors.org}",
        headers={**actors.partner.headers, "If-Match": '"1"'},
        json={"website": "https://other.example.org"},
    )
    assert stale.status_code == 412


async def test_partner_cannot_move_its_organization_in_the_tree(client: httpx.AsyncClient, actors: Actors) -> None:
    response = await client.patch(
        f"/api/v1/organizations/{actors.org}", headers=actors.partner.headers, json={"parent_id": str(actors.other_org)}
    )
    assert response.status_code == 403


async def test_an_organization_cannot_sit_under_itself(client: httpx.AsyncClient, actors: Actors) -> None:
    child = (
        await client.post(
            "/api/v1/organizations",
            headers=actors.coordinator.headers,
            json={"name": "Chi hội", "kind": "community_group", "parent_id": str(actors.org)},
        )
    ).json()
    response = await client.patch(
        f"/api/v1/organizations/{actors.org}", headers=actors.coordinator.headers, json={"parent_id": child["id"]}
    )
    assert response.status_code == 422


async def test_renaming_an_organization_updates_search(client: httpx.AsyncClient, actors: Actors) -> None:
    await create(client, actors)
    await client.patch(
        f"/api/v1/organizations/{actors.org}", headers=actors.partner.headers, json={"name": "Mái Ấm Sao Mai"}
    )
    hits = (await client.get("/api/v1/services", params={"q": "sao mai"})).json()
    assert hits["total"] == 1
    assert hits["items"][0]["organization"]["name"] == "Mái Ấm Sao Mai"


async def test_organizations_are_listed_and_filtered_by_name(client: httpx.AsyncClient, actors: Actors) -> None:
    listed = (await client.get("/api/v1/organizations")).json()
    assert listed["total"] == 2
    found = (await client.get("/api/v1/organizations", params={"q": "mekong"})).json()
    assert [o["name"] for o in found["items"]] == ["Trung tâm Trợ giúp pháp lý Mekong"]
