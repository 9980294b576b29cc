"""Plans and milestones, the survivor's agreement, the coordinator's approval, and entitlements."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from tests.integration.reintegration.world import AGREEMENT, CASE_BODY, World, add_milestone


async def new_plan(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/survivors/{world.case_id}/plans", headers=world.actors.caseworker.headers, json={"notes": "Kế hoạch"}
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_plan_from_draft_to_approval(client: httpx.AsyncClient, world: World) -> None:
    plan = await new_plan(client, world)
    assert (plan["status"], plan["number"]) == ("draft", 1)
    caseworker, coordinator = world.actors.caseworker.headers, world.actors.coordinator.headers
    no_agreement = await client.post(f"/api/v1/plans/{plan['id']}/submit", headers=caseworker, json={})
    assert no_agreement.status_code == 400
    submitted = await client.post(f"/api/v1/plans/{plan['id']}/submit", headers=caseworker, json=AGREEMENT)
    assert submitted.json()["status"] == "pending_approval"
    assert submitted.json()["agreement_method"] == "verbal_with_witness"
    assert (await client.post(f"/api/v1/plans/{plan['id']}/approve", headers=caseworker)).status_code == 403
    assert (await client.post(f"/api/v1/plans/{plan['id']}/approve", headers=world.outsider.headers)).status_code == 404
    sent_back = await client.post(
        f"/api/v1/plans/{plan['id']}/send-back", headers=coordinator, json={"note": "Thêm mục tiêu việc làm"}
    )
    assert (sent_back.json()["status"], sent_back.json()["review_note"]) == ("draft", "Thêm mục tiêu việc làm")
    await client.post(f"/api/v1/plans/{plan['id']}/submit", headers=caseworker, json=AGREEMENT)
    approved = await client.post(f"/api/v1/plans/{plan['id']}/approve", headers=coordinator)
    assert approved.json()["status"] == "active"
    assert approved.json()["approved_by"] == str(world.actors.coordinator.user_id)
    twice = await client.post(f"/api/v1/plans/{plan['id']}/approve", headers=coordinator)
    assert twice.status_code == 409
    assert twice.json()["allowed"] == ["review", "close"]
    current = (await client.get(f"/api/v1/survivors/{world.case_id}/plans/current", headers=caseworker)).json()
    assert current["id"] == plan["id"]


async def test_only_one_plan_in_progress_and_earlier_ones_are_kept(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    plan = await new_plan(client, world)
    again = await client.post(
        f"/api/v1/survivors/{world.case_id}/plans", headers=world.actors.caseworker.headers, json={}
    )
    assert again.status_code == 409
    caseworker = world.actors.caseworker.headers
    await client.post(f"/api/v1/plans/{plan['id']}/submit", headers=caseworker, json=AGREEMENT)
    await client.post(f"/api/v1/plans/{plan['id']}/approve", headers=world.actors.coordinator.headers)
    await client.post(f"/api/v1/plans/{plan['id']}/close", headers=caseworker)
    second = await new_plan(client, world)
    assert second["number"] == 2
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM plan") == 2


async def test_milestones_move_through_their_states_and_overdue_is_computed(
    client: httpx.AsyncClient, world: World
) -> None:
    plan = await new_plan(client, world)
    headers = world.actors.caseworker.headers
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    created = await add_milestone(
        client, world, plan["id"], domain="legal_documents", title="Làm lại CCCD", target_date=yesterday
    )
    assert created.status_code == 201
    milestone = created.json()
    assert (milestone["overdue"], milestone["dimension"]) == (True, "social")
    url = f"/api/v1/milestones/{milestone['id']}"
    jump = await client.patch(url, headers=headers, json={"status": "achieved"})
    assert jump.status_code == 409
    assert "in_progress" in jump.json()["allowed"]
    started = await client.patch(url, headers=headers, json={"status": "in_progress"})
    assert started.json()["overdue"] is True
    done = await client.patch(url, headers=headers, json={"status": "achieved"})
    assert done.json()["overdue"] is False
    assert (await client.patch(url, headers=headers, json={"status": "planned"})).status_code == 409
    assert (await client.patch(url, headers=world.colleague.headers, json={"note": "x"})).status_code == 404
    bad = await add_milestone(client, world, plan["id"], domain="space", title="x")
    assert bad.status_code == 400


async def test_entitlements_of_an_identified_victim_and_proposed_milestones(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = world.actors.caseworker.headers
    url = f"/api/v1/survivors/{world.case_id}/entitlements"
    before = (await client.get(url, headers=headers)).json()
    assert [item["code"] for item in before["items"]] == ["a", "b", "c", "d", "đ", "e", "g", "h", "i", "k"]
    assert not any(item["covered"] for item in before["items"])
    assert before["effective_from"] == "2025-07-01"
    no_plan = await client.post(f"{url}/milestones", headers=headers)
    assert no_plan.status_code == 409
    await new_plan(client, world)
    after = (await client.post(f"{url}/milestones", headers=headers)).json()
    assert all(item["covered"] for item in after["items"])
    plan = (await client.get(f"/api/v1/survivors/{world.case_id}/plans/current", headers=headers)).json()
    assert len(plan["milestones"]) == 10
    assert {m["entitlement"] for m in plan["milestones"]} == {"a", "b", "c", "d", "đ", "e", "g", "h", "i", "k"}
    again = (await client.post(f"{url}/milestones", headers=headers)).json()
    assert again == after  # nothing added twice


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({"identification_status": "under_identification", "return_date": None}, ["a", "b", "c", "d"]),
        ({"identification_status": "under_identification"}, ["a", "b", "c", "d", "đ", "e", "g"]),
        ({"identification_status": "not_identified"}, []),
        (
            {
                "identification_status": "not_identified",
                "accompanying_child": True,
                "birth_year": date.today().year - 10,
            },
            ["a", "b", "c", "d", "đ", "e", "g", "h"],
        ),
    ],
)
async def test_entitlements_follow_status_age_and_location(
    client: httpx.AsyncClient, world: World, changes: dict[str, Any], codes: list[str]
) -> None:
    body = {**CASE_BODY, **changes}
    case = (await client.post("/api/v1/survivors", headers=world.actors.caseworker.headers, json=body)).json()
    found = (
        await client.get(f"/api/v1/survivors/{case['id']}/entitlements", headers=world.actors.caseworker.headers)
    ).json()
    assert [item["code"] for item in found["items"]] == codes


async def test_matches_rank_services_with_reasons(client: httpx.AsyncClient, world: World) -> None:
    plan = await new_plan(client, world)
    headers = world.actors.caseworker.headers
    milestone = (
        await add_milestone(client, world, plan["id"], domain="essential_needs_shelter", title="Chỗ ở an toàn")
    ).json()
    matches = (
        await client.get(
            f"/api/v1/survivors/{world.case_id}/matches", headers=headers, params={"milestone_id": milestone["id"]}
        )
    ).json()
    assert [m["service_id"] for m in matches] == [world.service_id]
    reasons = " | ".join(matches[0]["reasons"])
    for expected in (
        "category: shelter",
        "area: serves the home province",
        "language: km, vi",
        "capacity: 4 beds free",
    ):
        assert expected in reasons
    assert matches[0]["consent_on_file"] is False
    legal = (
        await client.get(
            f"/api/v1/survivors/{world.case_id}/matches", headers=headers, params={"domain": "justice_legal_aid"}
        )
    ).json()
    assert [m["service_id"] for m in legal] == [world.other_service_id]
    assert (await client.get(f"/api/v1/survivors/{world.case_id}/matches", headers=headers)).status_code == 422


async def test_matching_respects_age_limits(client: httpx.AsyncClient, world: World) -> None:
    child = {**CASE_BODY, "birth_year": date.today().year - 12}
    case = (await client.post("/api/v1/survivors", headers=world.actors.caseworker.headers, json=child)).json()
    matches = (
        await client.get(
            f"/api/v1/survivors/{case['id']}/matches",
            headers=world.actors.caseworker.headers,
            params={"domain": "essential_needs_shelter"},
        )
    ).json()
    assert matches == []  # the shelter takes women from 16
