"""The reintegration events notify exactly the people who may read the record they link to, in the
transaction of the change: the receiving organization's partners, the referring caseworker, the
coordinators whose tree holds the case — never a partner of another organization, a colleague not
assigned the case, or a coordinator of another tree."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from tests.integration.reintegration.world import (
    AGREEMENT,
    CASE_BODY,
    EVERYONE,
    World,
    consent,
    refer,
    refer_in_emergency,
)


async def told(pool: asyncpg.Pool, world: World, kind: str) -> dict[str, str]:
    """Who in the world got a notification of ``kind``, with its link."""
    names = {world.who(name).user_id: name for name in EVERYONE}
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT user_id, link FROM notification WHERE kind = $1", kind)
    return {names[row["user_id"]]: row["link"] for row in rows}


async def abouts(pool: asyncpg.Pool, kind: str) -> set[str]:
    """What the notifications of ``kind`` say they are about."""
    async with pool.acquire() as conn:
        return {row["about"] for row in await conn.fetch("SELECT about FROM notification WHERE kind = $1", kind)}


async def listing_name(pool: asyncpg.Pool, referral: dict[str, Any]) -> str:
    async with pool.acquire() as conn:
        return str(await conn.fetchval("SELECT name FROM service WHERE id = $1", uuid.UUID(referral["service_id"])))


async def sent_referral(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    await consent(client, world, world.actors.org)
    created = await refer(client, world)
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


async def test_a_sent_referral_tells_the_receiving_partners_only(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    referral = await sent_referral(client, world)
    link = f"/partner/referrals/{referral['id']}"
    assert await told(pool, world, "referral_received") == {"partner": link, "second_partner": link}
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM notification") == 2
    # which of the organization's listings it went to, in the directory's words
    assert await abouts(pool, "referral_received") == {await listing_name(pool, referral)}


async def test_a_refused_referral_tells_nobody(client: httpx.AsyncClient, world: World, pool: asyncpg.Pool) -> None:
    assert (await refer(client, world)).status_code == 403  # no consent: nothing was sent
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM notification") == 0
        assert await conn.fetchval("SELECT count(*) FROM mail_outbox") == 0


@pytest.mark.parametrize(
    ("steps", "kind"),
    [
        ((("accept", {}),), "referral_accepted"),
        ((("decline", {"reason_code": "no_capacity", "note": "Hết giường"}),), "referral_declined"),
        ((("accept", {}), ("complete", {})), "referral_completed"),
    ],
)
async def test_the_receivers_answer_tells_the_referring_caseworker_only(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool, steps: tuple[tuple[str, Any], ...], kind: str
) -> None:
    referral = await sent_referral(client, world)
    for action, body in steps:
        moved = await client.post(
            f"/api/v1/referrals/{referral['id']}/{action}", headers=world.actors.partner.headers, json=body
        )
        assert moved.status_code == 200, moved.text
    assert await told(pool, world, kind) == {"caseworker": f"/referrals/{referral['id']}"}
    assert await abouts(pool, kind) == {await listing_name(pool, referral)}


async def test_a_declined_referrals_reason_is_on_the_page_it_links_to_not_in_the_notification(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    referral = await sent_referral(client, world)
    url = f"/api/v1/referrals/{referral['id']}/decline"
    body = {"reason_code": "out_of_area", "note": "Ngoài địa bàn"}
    assert (await client.post(url, headers=world.actors.partner.headers, json=body)).status_code == 200
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM notification WHERE kind = 'referral_declined'")
        mail = await conn.fetchrow("SELECT * FROM mail_outbox WHERE kind = 'referral_declined'")
    assert "out_of_area" not in str(dict(row)) and "Ngoài" not in str(dict(row))
    assert mail is not None and "out_of_area" not in str(dict(mail))
    assert row["link"] == f"/referrals/{referral['id']}"  # the page that says the reason (test_notification_pages)


async def test_plan_submitted_tells_the_coordinators_whose_tree_holds_the_case(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    caseworker, coordinator = world.actors.caseworker.headers, world.actors.coordinator.headers
    plan = (await client.post(f"/api/v1/survivors/{world.case_id}/plans", headers=caseworker, json={})).json()
    url = f"/api/v1/plans/{plan['id']}"
    assert (await client.post(f"{url}/submit", headers=caseworker, json=AGREEMENT)).status_code == 200
    queue = "/dashboard/approvals"
    assert await told(pool, world, "plan_awaiting_approval") == {"coordinator": queue, "parent_coordinator": queue}
    sent_back = await client.post(f"{url}/send-back", headers=coordinator, json={"note": "Thêm mục tiêu"})
    assert sent_back.status_code == 200, sent_back.text
    plan_link = f"/cases/{world.case_id}#plan"
    assert await told(pool, world, "plan_sent_back") == {"caseworker": plan_link}
    # a second submission is a new event: told again (the parent coordinator approves this time)
    assert (await client.post(f"{url}/submit", headers=caseworker, json=AGREEMENT)).status_code == 200
    async with pool.acquire() as conn:
        count = "SELECT count(*) FROM notification WHERE kind = 'plan_awaiting_approval' AND user_id = $1"
        assert await conn.fetchval(count, world.actors.coordinator.user_id) == 2
    approved = await client.post(f"{url}/approve", headers=world.parent_coordinator.headers)
    assert approved.status_code == 200, approved.text
    assert await told(pool, world, "plan_approved") == {"caseworker": plan_link}


async def test_an_emergency_override_tells_the_other_coordinators_over_the_case(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    created = await refer_in_emergency(client, world)
    assert created.status_code == 201, created.text
    referral_id = created.json()["id"]
    # the coordinator who used it is not told of their own step; the one above is; no outsider
    assert await told(pool, world, "emergency_override") == {"parent_coordinator": f"/referrals/{referral_id}"}
    assert set(await told(pool, world, "referral_received")) == {"partner", "second_partner"}
    # the coordinator referred the case themselves: they hear the answer, with the caseworker
    accepted = await client.post(f"/api/v1/referrals/{referral_id}/accept", headers=world.actors.partner.headers)
    assert accepted.status_code == 200, accepted.text
    assert set(await told(pool, world, "referral_accepted")) == {"caseworker", "coordinator"}


async def test_inactive_users_and_other_organizations_are_not_told(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn:
        await conn.execute("UPDATE app_user SET active = false WHERE id = $1", world.second_partner.user_id)
    await sent_referral(client, world)
    assert set(await told(pool, world, "referral_received")) == {"partner"}


async def test_no_notification_or_mail_carries_anything_of_the_case(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    referral = await sent_referral(client, world)
    for action, body in (("accept", {}), ("complete", {})):
        await client.post(
            f"/api/v1/referrals/{referral['id']}/{action}", headers=world.actors.partner.headers, json=body
        )
    await refer_in_emergency(client, world)
    async with pool.acquire() as conn:
        rows = [
            *await conn.fetch("SELECT kind, link, dedupe_key FROM notification"),
            *await conn.fetch("SELECT kind, link, dedupe_key FROM mail_outbox"),
        ]
    assert len(rows) > 4
    secrets = [referral["case_code"], CASE_BODY["full_name"], CASE_BODY["phone"], "Phụ nữ 25", "Nguy cơ"]
    for row in rows:
        for value in row.values():
            assert not any(secret in value for secret in secrets), value
