"""The notification centre's API: your own notifications newest first in the project's one page
shape with the unread count, marking read, and your delivery choice per kind; bad input is a
problem document, someone else's notification is not found."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from service.notify.kinds import SETTABLE_KINDS, Kind
from service.notify.outbox import notify
from tests.integration.conftest import Actors

pytestmark = pytest.mark.usefixtures("app")
URL = "/api/v1/notifications"
SETTINGS = "/api/v1/me/notification-settings"


async def three_for_the_partner(pool: asyncpg.Pool, actors: Actors) -> list[str]:
    """Three notifications for the partner (oldest first) and one for the other partner."""
    async with pool.acquire() as conn:
        for n in range(3):
            await notify(conn, [actors.partner.user_id], Kind.REFERRAL_RECEIVED, f"/partner/referrals/{n}", f"k{n}")
            await conn.execute(
                "UPDATE notification SET created_at = now() - make_interval(mins => 10 - $1) WHERE dedupe_key = $2",
                n,
                f"k{n}",
            )
        await notify(conn, [actors.other_partner.user_id], Kind.REFERRAL_RECEIVED, "/partner/referrals/x", "k9")
    return [f"/partner/referrals/{n}" for n in range(3)]


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status and problem["title"] and problem["type"]
    return problem


async def test_own_notifications_newest_first_with_the_unread_count(
    client: httpx.AsyncClient, pool: asyncpg.Pool, actors: Actors
) -> None:
    links = await three_for_the_partner(pool, actors)
    page = (await client.get(URL, headers=actors.partner.headers, params={"per_page": 2})).json()
    assert set(page) == {"items", "total", "page", "per_page", "unread"}
    assert (page["total"], page["page"], page["per_page"], page["unread"]) == (3, 1, 2, 3)
    assert [item["link"] for item in page["items"]] == [links[2], links[1]]
    assert set(page["items"][0]) == {"id", "kind", "link", "about", "created_at", "read_at"}
    second = (await client.get(URL, headers=actors.partner.headers, params={"page": 2, "per_page": 2})).json()
    assert [item["link"] for item in second["items"]] == [links[0]]
    assert (await client.get(URL, headers=actors.caseworker.headers)).json()["total"] == 0


async def test_reading_one_and_all(client: httpx.AsyncClient, pool: asyncpg.Pool, actors: Actors) -> None:
    await three_for_the_partner(pool, actors)
    partner = actors.partner.headers
    newest = (await client.get(URL, headers=partner)).json()["items"][0]
    read = await client.post(f"{URL}/{newest['id']}/read", headers=partner)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    again = await client.post(f"{URL}/{newest['id']}/read", headers=partner)
    assert again.json()["read_at"] == read.json()["read_at"]  # the first reading stands
    unread = (await client.get(URL, headers=partner, params={"unread": "true"})).json()
    assert (unread["total"], unread["unread"]) == (2, 2)
    assert newest["id"] not in {item["id"] for item in unread["items"]}
    everything = await client.post(f"{URL}/read-all", headers=partner)
    assert everything.status_code == 200 and everything.json() == {"marked": 2}
    assert (await client.get(URL, headers=partner)).json()["unread"] == 0
    other = (await client.get(URL, headers=actors.other_partner.headers)).json()
    assert other["unread"] == 1  # read-all is the caller's own


async def test_someone_elses_notification_is_not_found(
    client: httpx.AsyncClient, pool: asyncpg.Pool, actors: Actors
) -> None:
    await three_for_the_partner(pool, actors)
    theirs = (await client.get(URL, headers=actors.partner.headers)).json()["items"][0]["id"]
    assert_problem(await client.post(f"{URL}/{theirs}/read", headers=actors.other_partner.headers), 404)
    assert_problem(await client.post(f"{URL}/{uuid.uuid4()}/read", headers=actors.partner.headers), 404)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM notification WHERE read_at IS NOT NULL") == 0


async def test_the_anonymous_are_asked_to_log_in(client: httpx.AsyncClient) -> None:
    for method, path in (("GET", URL), ("POST", f"{URL}/read-all"), ("GET", SETTINGS), ("PUT", SETTINGS)):
        assert_problem(await client.request(method, path, json={"deliveries": {}}), 401)


async def test_bad_paging_is_a_problem(client: httpx.AsyncClient, actors: Actors) -> None:
    for params in ({"per_page": 101}, {"page": 0}, {"unread": "perhaps"}):
        assert_problem(await client.get(URL, headers=actors.partner.headers, params=params), 400)


async def test_settings_default_then_chosen_then_honoured(
    client: httpx.AsyncClient, pool: asyncpg.Pool, actors: Actors
) -> None:
    partner = actors.partner.headers
    first = (await client.get(SETTINGS, headers=partner)).json()
    assert set(first["deliveries"]) == {kind.value for kind in SETTABLE_KINDS}
    assert "invitation" not in first["deliveries"] and "password_reset" not in first["deliveries"]
    assert first["deliveries"] == first["defaults"]
    assert first["deliveries"]["referral_received"] == "immediate"
    changed = await client.put(
        SETTINGS, headers=partner, json={"deliveries": {"referral_received": "none", "plan_approved": "immediate"}}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["deliveries"]["referral_received"] == "none"
    assert changed.json()["deliveries"]["plan_approved"] == "immediate"
    assert (await client.get(SETTINGS, headers=partner)).json() == changed.json()
    async with pool.acquire() as conn:
        await notify(conn, [actors.partner.user_id], Kind.REFERRAL_RECEIVED, "/partner/referrals/1", "k1")
        assert await conn.fetchval("SELECT count(*) FROM notification") == 1  # still listed
        assert await conn.fetchval("SELECT count(*) FROM mail_outbox") == 0  # but not mailed
    back = await client.put(SETTINGS, headers=partner, json={"deliveries": {}})  # left out: the default
    assert back.json()["deliveries"] == first["defaults"]
    assert (await client.get(SETTINGS, headers=actors.caseworker.headers)).json() == first  # one's own


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"deliveries": {"invitation": "none"}}, 422),
        ({"deliveries": {"password_reset": "digest"}}, 422),
        ({"deliveries": {"no_such_kind": "none"}}, 400),
        ({"deliveries": {"referral_received": "sometimes"}}, 400),
        ({"deliveries": {}, "extra": 1}, 400),
        ({}, 400),
    ],
)
async def test_bad_settings_are_a_problem_and_change_nothing(
    client: httpx.AsyncClient, pool: asyncpg.Pool, actors: Actors, body: dict[str, Any], status: int
) -> None:
    partner = actors.partner.headers
    await client.put(SETTINGS, headers=partner, json={"deliveries": {"referral_received": "digest"}})
    assert_problem(await client.put(SETTINGS, headers=partner, json=body), status)
    assert (await client.get(SETTINGS, headers=partner)).json()["deliveries"]["referral_received"] == "digest"
