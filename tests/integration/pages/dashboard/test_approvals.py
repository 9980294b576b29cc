"""The coordinator's approval queue: submitted plans appear, approve and send back from the page."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
import httpx

from service.auth.repo import principal_for_user
from service.reintegration import approvals
from tests.integration.pages.conftest import Browser, text
from tests.integration.reintegration.world import AGREEMENT, World, add_milestone


async def submitted_plan(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    headers = world.actors.caseworker.headers
    plan = (await client.post(f"/api/v1/survivors/{world.case_id}/plans", headers=headers, json={})).json()
    await add_milestone(client, world, plan["id"], domain="health", title="Khám sức khỏe", target_date="2027-01-15")
    await add_milestone(client, world, plan["id"], domain="legal_documents", title="Làm lại CCCD")
    submitted = await client.post(f"/api/v1/plans/{plan['id']}/submit", headers=headers, json=AGREEMENT)
    assert submitted.status_code == 200, submitted.text
    return submitted.json()  # type: ignore[no-any-return]


async def plan_row(pool: asyncpg.Pool, plan_id: str) -> asyncpg.Record:
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT status, review_note_enc IS NOT NULL AS noted FROM plan WHERE id = $1::uuid", plan_id
        )
    assert row is not None
    return row


async def coordinator(browser: Browser, world: World) -> None:
    await browser.login(world.actors.coordinator)
    await browser.get("/lang/en")


async def test_a_submitted_plan_is_queued_and_approved_from_the_page(
    browser: Browser, client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    plan = await submitted_plan(client, world)
    await coordinator(browser, world)
    queue = await browser.get("/dashboard/approvals")
    assert queue.status_code == 200
    page = text(queue)
    assert "Survivor agreed Yes" in page and "Verbal, with a witness" in page
    # each milestone with its area and target date, dated ones first
    assert "2 milestones" in page
    assert re.search(r"Khám sức khỏe Health · Target: [^·]*2027\s+Làm lại CCCD Legal documents · No target date", page)
    assert f'href="/cases/{world.case_id}"' in queue.text
    approved = await browser.submit(f"/dashboard/approvals/{plan['id']}/approve")
    assert approved.status_code == 303 and approved.headers["location"] == "/dashboard/approvals?done=approved"
    assert (await plan_row(pool, plan["id"]))["status"] == "active"
    after = text(await browser.get(approved.headers["location"]))
    assert "now active" in after and "No plan is waiting for approval" in after
    again = await browser.submit(f"/dashboard/approvals/{plan['id']}/approve")
    assert again.status_code == 409 and "no longer waiting for approval" in text(again)


async def test_send_back_needs_a_note(
    browser: Browser, client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    plan = await submitted_plan(client, world)
    await coordinator(browser, world)
    empty = await browser.submit(f"/dashboard/approvals/{plan['id']}/send-back", {"note": "   "})
    assert empty.status_code == 422
    assert f'id="e-note-{plan["id"]}"' in empty.text
    assert (await plan_row(pool, plan["id"]))["status"] == "pending_approval"
    sent = await browser.submit(f"/dashboard/approvals/{plan['id']}/send-back", {"note": "Thêm mục tiêu việc làm"})
    assert sent.status_code == 303
    row = await plan_row(pool, plan["id"])
    assert (row["status"], row["noted"]) == ("draft", True)
    current = await client.get(
        f"/api/v1/survivors/{world.case_id}/plans/current", headers=world.actors.caseworker.headers
    )
    assert current.json()["review_note"] == "Thêm mục tiêu việc làm"


async def test_the_queue_is_the_coordinators_tree_only(
    browser: Browser, client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    plan = await submitted_plan(client, world)
    await browser.login(world.outsider)  # a coordinator of an unrelated organization
    assert world.case_id not in (await browser.get("/dashboard/approvals")).text
    assert (await browser.submit(f"/dashboard/approvals/{plan['id']}/approve")).status_code == 404
    await browser.login(world.parent_coordinator)  # the organization above sees it
    assert world.case_id in (await browser.get("/dashboard/approvals")).text
    await browser.login(world.actors.caseworker)
    assert (await browser.get("/dashboard/approvals")).status_code == 403
    assert (await browser.submit(f"/dashboard/approvals/{plan['id']}/approve")).status_code == 403
    assert (await plan_row(pool, plan["id"]))["status"] == "pending_approval"


async def test_approving_without_the_csrf_token_is_refused(
    browser: Browser, client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    plan = await submitted_plan(client, world)
    await coordinator(browser, world)
    response = await browser.client.post(f"/dashboard/approvals/{plan['id']}/approve")
    assert response.status_code == 403
    assert (await plan_row(pool, plan["id"]))["status"] == "pending_approval"


async def test_a_plan_without_the_survivors_agreement_says_so(
    browser: Browser, client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    plan = await submitted_plan(client, world)
    async with pool.acquire() as conn:  # as plans submitted before agreement was asked for
        await conn.execute(
            "UPDATE plan SET survivor_agreed_at = NULL, agreement_method = NULL WHERE id = $1::uuid", plan["id"]
        )
    await coordinator(browser, world)
    assert "Survivor agreed No agreement recorded" in text(await browser.get("/dashboard/approvals"))


async def test_the_count_of_plans_waiting_is_the_coordinators_tree_only(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    await submitted_plan(client, world)
    async with pool.acquire() as conn:
        for actor, waiting in (
            (world.actors.coordinator, 1),
            (world.parent_coordinator, 1),
            (world.outsider, 0),
            (world.actors.caseworker, 0),
            (world.actors.admin, 0),
        ):
            assert actor.user_id is not None
            assert await approvals.pending_count(conn, await principal_for_user(conn, actor.user_id)) == waiting
