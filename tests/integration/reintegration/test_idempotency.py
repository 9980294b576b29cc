"""Idempotency-Key on every create a retry could double — a case, a referral, a follow-up, a
consent, a plan, a milestone, a listing, an organization: a field worker's phone that lost the
answer sends the same request again, and nothing is created twice — also when both arrive at once."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx

from tests.integration.listings import service_body
from tests.integration.reintegration.world import CASE_BODY, World, consent, refer


def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


async def _count(pool: asyncpg.Pool, table: str) -> int:
    async with pool.acquire() as conn:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))


async def test_a_case_sent_twice_with_one_key_is_opened_once(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    headers = keyed(world.actors.caseworker.headers, "b6f0b7e2-case-1")
    before = await _count(pool, "survivor")
    first = await client.post("/api/v1/survivors", headers=headers, json=CASE_BODY)
    again = await client.post("/api/v1/survivors", headers=headers, json=CASE_BODY)
    assert first.status_code == again.status_code == 201
    assert "idempotent-replayed" not in first.headers and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json() and again.headers["etag"] == first.headers["etag"]
    assert await _count(pool, "survivor") == before + 1
    # without a key every request opens a case, as before
    plain = world.actors.caseworker.headers
    assert (await client.post("/api/v1/survivors", headers=plain, json=CASE_BODY)).status_code == 201
    assert (await client.post("/api/v1/survivors", headers=plain, json=CASE_BODY)).status_code == 201
    assert await _count(pool, "survivor") == before + 3


async def test_a_referral_sent_four_times_at_once_with_one_key_reaches_the_partner_once(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    await consent(client, world, None)
    body: dict[str, Any] = {
        "survivor_id": world.case_id,
        "service_id": world.service_id,
        "urgency": "urgent",
        "shared_summary": "Cần chỗ ở an toàn 2 tuần.",
    }
    headers = keyed(world.actors.caseworker.headers, "referral-7f3a")
    answers = await asyncio.gather(*(client.post("/api/v1/referrals", headers=headers, json=body) for _ in range(4)))
    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.json()["id"] for a in answers}) == 1
    assert sorted(a.headers.get("idempotent-replayed", "no") for a in answers) == ["no", "true", "true", "true"]
    assert await _count(pool, "referral") == 1
    inbox = await client.get("/api/v1/referrals", headers=world.actors.partner.headers)
    assert inbox.json()["total"] == 1


async def test_a_key_used_again_for_another_request_is_refused_and_creates_nothing(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    await consent(client, world, None)
    headers = keyed(world.actors.caseworker.headers, "k-1")
    assert (await refer(client, world)).status_code == 201  # no key: its own referral
    body = {"survivor_id": world.case_id, "service_id": world.service_id, "urgency": "urgent", "shared_summary": "A"}
    assert (await client.post("/api/v1/referrals", headers=headers, json=body)).status_code == 201
    other = await client.post("/api/v1/referrals", headers=headers, json={**body, "shared_summary": "B"})
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key" in other.text
    # the same key on another endpoint is another request too
    assert (await client.post("/api/v1/survivors", headers=headers, json=CASE_BODY)).status_code == 422
    assert await _count(pool, "referral") == 2


async def test_keys_belong_to_one_account_and_keep_no_identifier_in_clear(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    before = await _count(pool, "survivor")
    for actor in (world.actors.caseworker, world.colleague):
        answer = await client.post("/api/v1/survivors", headers=keyed(actor.headers, "shared-key"), json=CASE_BODY)
        assert answer.status_code == 201
    assert await _count(pool, "survivor") == before + 2
    async with pool.acquire() as conn:
        stored = await conn.fetch("SELECT * FROM idempotency_key")
    assert len(stored) == 2
    dump = repr([dict(row) for row in stored]).encode()
    for value in (CASE_BODY["full_name"], CASE_BODY["phone"], CASE_BODY["id_document_number"]):
        assert value.encode() not in dump


async def test_a_follow_up_and_a_listing_sent_twice_with_their_keys_are_recorded_once(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    visit = {"date": "2026-11-20", "method": "office_visit", "indicators": {"psy_safety": 2}}
    path = f"/api/v1/survivors/{world.case_id}/follow-ups"
    headers = keyed(world.actors.caseworker.headers, "visit-20-11")
    first = await client.post(path, headers=headers, json=visit)
    again = await client.post(path, headers=headers, json=visit)
    assert first.status_code == again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await _count(pool, "follow_up") == 1

    listing = service_body(world.actors.org, name="Nhà tạm lánh Sen Hồng")
    partner = keyed(world.actors.partner.headers, "listing-sen-hong")
    created = [await client.post("/api/v1/services", headers=partner, json=listing) for _ in range(2)]
    assert [c.status_code for c in created] == [201, 201] and created[0].json()["id"] == created[1].json()["id"]
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM service WHERE name = 'Nhà tạm lánh Sen Hồng'") == 1


async def test_a_consent_a_plan_and_a_milestone_sent_twice_with_their_keys_are_recorded_once(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    caseworker = world.actors.caseworker.headers

    async def twice(path: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
        first = await client.post(path, headers=keyed(caseworker, key), json=body)
        again = await client.post(path, headers=keyed(caseworker, key), json=body)
        assert first.status_code == again.status_code == 201, (first.text, again.text)
        assert "idempotent-replayed" not in first.headers and again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json()
        return first.json()  # type: ignore[no-any-return]

    agreed = {"purpose": "referral", "organization_id": None, "method": "written", "evidence": "Phiếu ngày 21/11"}
    await twice(f"/api/v1/survivors/{world.case_id}/consents", "consent-21-11", agreed)
    plan = await twice(f"/api/v1/survivors/{world.case_id}/plans", "plan-1", {"notes": "Kế hoạch đầu"})
    milestone = {"domain": "vocational_employment", "title": "Học nghề may"}
    made = await twice(f"/api/v1/plans/{plan['id']}/milestones", "milestone-may", milestone)
    assert (await _count(pool, "consent"), await _count(pool, "plan"), await _count(pool, "milestone")) == (1, 1, 1)
    shown = (await client.get(f"/api/v1/survivors/{world.case_id}/plans/current", headers=caseworker)).json()
    assert [m["id"] for m in shown["milestones"]] == [made["id"]]


async def test_an_organization_sent_twice_with_its_key_is_created_once(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    body = {
        "name": "Trung tâm Công tác xã hội Quảng Trị",
        "kind": "government",
        "parent_id": str(world.actors.other_org),
    }
    headers = keyed(world.actors.coordinator.headers, "org-ctxh-qt")
    made = [await client.post("/api/v1/organizations", headers=headers, json=body) for _ in range(2)]
    assert [m.status_code for m in made] == [201, 201] and made[0].json() == made[1].json()
    assert made[1].headers["idempotent-replayed"] == "true" and made[1].headers["etag"] == made[0].headers["etag"]
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM organization WHERE name = $1", body["name"]) == 1
