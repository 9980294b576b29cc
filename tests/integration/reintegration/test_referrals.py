"""Closed-loop referrals: consent first, the partner sees only the summary, every step recorded."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest

from tests.integration.queries import counted_queries
from tests.integration.reintegration.world import EMERGENCY_REASON, World, consent, refer, refer_in_emergency


async def test_no_consent_no_referral(client: httpx.AsyncClient, world: World, pool: asyncpg.Pool) -> None:
    response = await refer(client, world)
    assert response.status_code == 403
    assert "consent" in response.json()["detail"]
    await consent(client, world, world.actors.other_org)  # consent for someone else does not count
    assert (await refer(client, world)).status_code == 403
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM referral") == 0


async def test_the_whole_loop_from_referral_to_verification(client: httpx.AsyncClient, world: World) -> None:
    await consent(client, world, world.actors.org)
    created = await refer(client, world)
    assert created.status_code == 201, created.text
    referral = created.json()
    assert referral["status"] == "sent"
    assert referral["case_code"].startswith("CT-")
    partner = world.actors.partner.headers
    inbox = (await client.get("/api/v1/referrals", headers=partner)).json()
    assert inbox["total"] == 1
    seen = inbox["items"][0]
    assert seen["survivor_id"] is None and seen["case_code"] is None
    assert seen["shared_summary"].startswith("Phụ nữ 25 tuổi")
    detail = await client.get(f"/api/v1/referrals/{referral['id']}", headers=partner)
    assert "Nguyễn" not in detail.text and "0912" not in detail.text
    for action in ("accept", "start", "hold", "resume", "complete"):
        moved = await client.post(f"/api/v1/referrals/{referral['id']}/{action}", headers=partner, json={})
        assert moved.status_code == 200, (action, moved.text)
    verified = await client.post(f"/api/v1/referrals/{referral['id']}/verify", headers=world.actors.caseworker.headers)
    assert verified.json()["status"] == "verified"
    history = verified.json()["history"]
    assert [e["to_status"] for e in history] == [
        "sent",
        "accepted",
        "in_progress",
        "on_hold",
        "in_progress",
        "completed",
        "verified",
    ]
    assert history[1]["actor_id"] == str(world.actors.partner.user_id)
    assert history[-1]["actor_id"] == str(world.actors.caseworker.user_id)


async def test_invalid_transitions_answer_409_with_the_allowed_ones(client: httpx.AsyncClient, world: World) -> None:
    await consent(client, world, None)
    referral = (await refer(client, world)).json()
    url = f"/api/v1/referrals/{referral['id']}"
    early = await client.post(f"{url}/complete", headers=world.actors.partner.headers)
    assert early.status_code == 409
    assert sorted(early.json()["allowed"]) == ["accept", "decline"]
    wrong_side = await client.post(f"{url}/verify", headers=world.actors.partner.headers)
    assert wrong_side.status_code == 409
    no_reason = await client.post(f"{url}/decline", headers=world.actors.partner.headers, json={})
    assert no_reason.status_code == 422
    declined = await client.post(
        f"{url}/decline",
        headers=world.actors.partner.headers,
        json={"reason_code": "no_capacity", "note": "Hết giường"},
    )
    assert declined.json()["status"] == "declined"
    assert declined.json()["shared_summary"] is None  # the partner's access ends with a decline
    assert (await client.post(f"{url}/unknown-action", headers=world.actors.partner.headers)).status_code == 404


@pytest.mark.parametrize("who", ["other_partner", "colleague", "outsider", "admin"])
async def test_referrals_out_of_scope_are_404(client: httpx.AsyncClient, world: World, who: str) -> None:
    await consent(client, world, None)
    referral = (await refer(client, world)).json()
    assert (await client.get(f"/api/v1/referrals/{referral['id']}", headers=world.who(who).headers)).status_code == 404
    moved = await client.post(f"/api/v1/referrals/{referral['id']}/accept", headers=world.who(who).headers)
    assert moved.status_code == 404


async def test_withdrawing_consent_stops_new_referrals_at_once(client: httpx.AsyncClient, world: World) -> None:
    granted = await consent(client, world, world.actors.org)
    assert (await refer(client, world)).status_code == 201
    await client.post(f"/api/v1/consents/{granted['id']}/withdraw", headers=world.actors.caseworker.headers)
    assert (await refer(client, world)).status_code == 403


async def test_unanswered_referrals_expire_at_their_due_time(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    await consent(client, world, None)
    referral = (await refer(client, world, urgency="emergency")).json()
    assert referral["due_at"] > referral["sent_at"]
    async with pool.acquire() as conn:
        await conn.execute("UPDATE referral SET due_at = now() - interval '1 minute'")
    seen = (await client.get(f"/api/v1/referrals/{referral['id']}", headers=world.actors.partner.headers)).json()
    assert seen["status"] == "expired" and seen["overdue"] is True and seen["shared_summary"] is None
    late = await client.post(f"/api/v1/referrals/{referral['id']}/accept", headers=world.actors.partner.headers)
    assert late.status_code == 409
    expired = (
        await client.get("/api/v1/referrals", headers=world.actors.caseworker.headers, params={"status": "expired"})
    ).json()
    assert expired["total"] == 1


async def test_summary_access_ends_30_days_after_completion(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    await consent(client, world, None)
    referral = (await refer(client, world)).json()
    for action in ("accept", "start", "complete"):
        await client.post(f"/api/v1/referrals/{referral['id']}/{action}", headers=world.actors.partner.headers)
    url = f"/api/v1/referrals/{referral['id']}"
    assert (await client.get(url, headers=world.actors.partner.headers)).json()["shared_summary"]
    async with pool.acquire() as conn:
        await conn.execute("UPDATE referral SET completed_at = now() - interval '31 days'")
    assert (await client.get(url, headers=world.actors.partner.headers)).json()["shared_summary"] is None
    assert (await client.get(url, headers=world.actors.caseworker.headers)).json()["shared_summary"]


async def test_a_summary_naming_the_survivor_is_refused(client: httpx.AsyncClient, world: World) -> None:
    await consent(client, world, None)
    response = await refer(client, world, shared_summary="Chị NGUYEN THI LAN cần chỗ ở")
    assert response.status_code == 422


async def test_emergency_override_needs_a_coordinator_and_shows_on_the_dashboard(
    client: httpx.AsyncClient, world: World
) -> None:
    by_caseworker = await refer(client, world, emergency_override_reason=EMERGENCY_REASON)
    assert by_caseworker.status_code == 403
    response = await refer_in_emergency(client, world)
    assert response.status_code == 201
    assert response.json()["emergency_override"] is True
    board = (await client.get("/api/v1/dashboard", headers=world.actors.coordinator.headers)).json()
    assert [o["reason"] for o in board["emergency_overrides"]] == [EMERGENCY_REASON]


async def test_two_partners_accepting_at_once_exactly_one_wins(client: httpx.AsyncClient, world: World) -> None:
    await consent(client, world, None)
    for _ in range(5):
        referral = (await refer(client, world)).json()
        url = f"/api/v1/referrals/{referral['id']}/accept"
        first, second = await asyncio.gather(
            client.post(url, headers=world.actors.partner.headers),
            client.post(url, headers=world.second_partner.headers),
        )
        assert sorted([first.status_code, second.status_code]) == [200, 409]
        history = (await client.get(f"/api/v1/referrals/{referral['id']}", headers=world.actors.partner.headers)).json()
        assert [e["to_status"] for e in history["history"]] == ["sent", "accepted"]


async def test_consent_withdrawal_racing_a_referral_never_lets_one_through_after_it(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    outcomes = set()
    for _ in range(6):
        granted = await consent(client, world, world.actors.org)
        withdraw = client.post(f"/api/v1/consents/{granted['id']}/withdraw", headers=world.actors.caseworker.headers)
        referral, withdrawn = await asyncio.gather(refer(client, world), withdraw)
        assert withdrawn.status_code == 200
        assert referral.status_code in (201, 403)
        outcomes.add(referral.status_code)
    # The audit log's order is the commit order (appends serialise on one lock until commit):
    # no referral may have been committed after the withdrawal of the consent it relied on.
    async with pool.acquire() as conn:
        late = await conn.fetchval(
            "SELECT count(*) FROM referral r"
            " JOIN audit_log sent ON sent.entity = 'referral' AND sent.entity_id = r.id AND sent.action = 'refer'"
            " JOIN audit_log gone ON gone.entity = 'consent' AND gone.entity_id = r.consent_id"
            "   AND gone.action = 'withdraw_consent'"
            " WHERE gone.id < sent.id"
        )
    assert late == 0


async def test_a_page_of_referrals_costs_the_same_queries_whatever_its_size(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    """The history of a whole page is read in one query, not one per referral."""
    await consent(client, world, world.actors.org)
    for _ in range(6):
        assert (await refer(client, world)).status_code == 201
    partner = world.actors.partner.headers
    await client.get("/api/v1/referrals", headers=partner)  # a token's first call also marks it used
    counts = {}
    for per_page in (2, 6):
        async with counted_queries(pool) as queries:
            page = await client.get("/api/v1/referrals", headers=partner, params={"per_page": per_page})
        assert page.status_code == 200, page.text
        assert len(page.json()["items"]) == per_page
        assert all(item["history"] for item in page.json()["items"])
        counts[per_page] = len(queries)
    assert counts[6] == counts[2], counts
