"""A referral the partner served in one visit is completed straight from accepted: no hidden
"start" step to find first, yet its history and the audit log record the start as well."""

from __future__ import annotations

import asyncpg
import httpx

from tests.integration.reintegration.world import World, consent, refer


async def test_an_accepted_referral_is_completed_in_one_step_recording_both(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    await consent(client, world, world.actors.org)
    referral = (await refer(client, world)).json()
    partner = world.actors.partner.headers
    url = f"/api/v1/referrals/{referral['id']}"
    assert (await client.post(f"{url}/accept", headers=partner, json={})).status_code == 200
    done = await client.post(f"{url}/complete", headers=partner, json={"note": "Đã tiếp nhận và hỗ trợ"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "completed" and body["completed_at"] is not None
    assert [(e["from_status"], e["to_status"]) for e in body["history"][1:]] == [
        ("sent", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "completed"),
    ]
    # the note was written for the completion, not for the start it implied
    assert body["history"][-2]["note"] in (None, "") and body["history"][-1]["note"] == "Đã tiếp nhận và hỗ trợ"
    async with pool.acquire() as conn:
        actions = await conn.fetch(
            "SELECT action, details->>'to' AS target FROM audit_log"
            " WHERE entity_id = $1 AND action <> 'read' ORDER BY id",
            referral["id"],
        )
    assert [(a["action"], a["target"]) for a in actions][-2:] == [("start", "in_progress"), ("complete", "completed")]
    # the receiver's next steps after accepting offer completing directly
    accepted_again = (await refer(client, world)).json()
    await client.post(f"/api/v1/referrals/{accepted_again['id']}/accept", headers=partner, json={})
    early = await client.post(f"/api/v1/referrals/{accepted_again['id']}/hold", headers=partner, json={})
    assert early.status_code == 409 and "complete" in early.json()["allowed"]
