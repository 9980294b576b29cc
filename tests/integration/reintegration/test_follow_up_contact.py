"""Reaching out to the survivor for a follow-up (phone, home visit, online) needs her live
follow-up consent and never happens when she asked not to be contacted, unless a coordinator
records why (audited)."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest
from litestar import Litestar

from tests.integration.pages.conftest import Browser, text
from tests.integration.reintegration.world import World

REASON = "Chị gọi đến văn phòng xin được thăm tại nhà"


def _url(world: World) -> str:
    return f"/api/v1/survivors/{world.case_id}/follow-ups"


async def _follow_up(client: httpx.AsyncClient, world: World, method: str, who: str = "caseworker", **extra: Any):
    body = {"date": "2026-11-01", "method": method, "indicators": {}, **extra}
    return await client.post(_url(world), headers=world.who(who).headers, json=body)


async def _follow_up_consent(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/survivors/{world.case_id}/consents",
        headers=world.actors.caseworker.headers,
        json={"purpose": "follow_up_contact", "organization_id": None, "method": "verbal_with_witness"},
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def _do_not_contact(client: httpx.AsyncClient, world: World) -> None:
    response = await client.patch(
        f"/api/v1/survivors/{world.case_id}",
        headers=world.actors.caseworker.headers,
        json={"contact_preference": {"do_not_contact": True}},
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("method", ["phone", "home_visit", "online"])
async def test_reaching_out_needs_a_live_follow_up_consent(
    client: httpx.AsyncClient, world: World, method: str
) -> None:
    refused = await _follow_up(client, world, method)
    assert refused.status_code == 422, refused.text
    assert [error["field"] for error in refused.json()["errors"]] == ["method"]
    assert refused.json()["detail"].endswith("without her consent")
    granted = await _follow_up_consent(client, world)
    assert (await _follow_up(client, world, method)).status_code == 201
    await client.post(f"/api/v1/consents/{granted['id']}/withdraw", headers=world.actors.caseworker.headers)
    assert (await _follow_up(client, world, method)).status_code == 422


async def test_do_not_contact_refuses_contact_even_with_consent(client: httpx.AsyncClient, world: World) -> None:
    await _follow_up_consent(client, world)
    await _do_not_contact(client, world)
    for method in ("phone", "home_visit", "online"):
        refused = await _follow_up(client, world, method)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "method"
    # she came to the office herself: nobody reached out
    assert (await _follow_up(client, world, "office_visit")).status_code == 201


async def test_only_a_coordinator_may_override_and_the_override_is_audited(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    await _do_not_contact(client, world)
    by_caseworker = await _follow_up(client, world, "home_visit", contact_override_reason=REASON)
    assert by_caseworker.status_code == 403
    blank = await _follow_up(client, world, "home_visit", who="coordinator", contact_override_reason="  ")
    assert blank.status_code == 422
    done = await _follow_up(client, world, "home_visit", who="coordinator", contact_override_reason=REASON)
    assert done.status_code == 201, done.text
    assert done.json()["contact_override_reason"] == REASON
    async with pool.acquire() as conn:
        audited = await conn.fetchrow(
            "SELECT actor_id, details FROM audit_log WHERE entity = 'follow_up' AND action = 'contact_override'"
        )
        assert audited is not None and audited["actor_id"] == world.actors.coordinator.user_id
        assert audited["details"]["method"] == "home_visit"
        assert REASON not in str(await conn.fetch("SELECT * FROM follow_up"))  # kept encrypted
        assert REASON not in str(audited["details"])


async def test_the_case_page_refuses_a_phone_follow_up_next_to_the_method_and_offers_coordinators_an_override(
    app: Litestar, world: World, pool: asyncpg.Pool
) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as client:
        browser = Browser(client)
        browser.client.headers["accept-language"] = "en"
        await browser.login(world.actors.caseworker)
        visit = {"fu_date": "2026-11-01", "fu_method": "phone", "fu_notes": "Gọi hỏi thăm"}
        refused = await browser.submit(f"/cases/{world.case_id}/follow-ups", visit)
        assert refused.status_code == 422
        assert 'id="e-fu_method"' in refused.text and "No live follow-up consent" in text(refused)
        # no consent is no objection of hers: the page must not say she objected
        assert "without her consent" in text(refused) and "against her wishes" not in text(refused)
        assert 'name="fu_override"' not in refused.text  # caseworkers cannot override
        await browser.login(world.actors.coordinator)
        page = await browser.get(f"/cases/{world.case_id}")
        assert 'name="fu_override"' in page.text
        done = await browser.submit(f"/cases/{world.case_id}/follow-ups", {**visit, "fu_override": REASON})
        assert done.status_code == 303, done.text
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM follow_up WHERE contact_override_by IS NOT NULL") == 1
