"""A coordinator's powers end at their organization tree (DESIGN.md §4), on every route of the app.

The scene's tree: ``province`` (a coordinator's organization) above ``other_org`` (the case's, where
the scene's coordinator and caseworker work) above ``org`` (the listing's). An ``outsider``
coordinator leads an unrelated tree. For every route of the route table, with the request the
authorization matrix sends, the outsider gets the refusal a stranger gets wherever the scene's
coordinator gets through because of the tree (404 where the record is a case's, 403 where it is a
public organization's or listing's), changes nothing, and no answer carries the case or offers to
edit or verify the listing. Where the route is open to anyone without the tree (the public,
another organization's partner, a caseworker for listings), the outsider gets that same answer.

After an administrator moves ``other_org`` out from under ``province``, the province coordinator
is an outsider on the very next request. Taking another tree over by moving its organizations is
refused; a move inside one's tree is allowed and audited with the before and after.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import asyncpg
from litestar import Litestar

from service.auth.models import Role
from service.auth.secrets import new_token, token_digest
from service.web import session
from tests.integration.conftest import Actor, make_actor, make_org
from tests.integration.reintegration.world import CASE_BODY
from tests.integration.security.conftest import Scene
from tests.integration.security.matrix import Outcome, expected_of, is_refusal, outcome_of, request_for
from tests.integration.security.routes import Route, app_routes
from tests.integration.security.test_idor import named_ids

CASE_IDS = frozenset({"survivor_id", "consent_id", "plan_id", "milestone_id", "referral_id"})
# roles whose answer owes nothing to the scene's tree: where they get through, anyone may
UNTIED = ("public", "other_partner")
UNTIED_WITHOUT_CASE = (*UNTIED, "caseworker")  # the caseworker's listing powers are not the tree's


async def add_coordinator(scene: Scene, name: str, organization: uuid.UUID, password_hash: str) -> Actor:
    async with scene.pool.acquire() as conn:
        actor = await make_actor(conn, name, Role.COORDINATOR, organization, password_hash)
    scene.actors.by_name[name] = actor
    await renew(scene, name)
    return actor


async def renew(scene: Scene, name: str) -> None:
    """Fresh credentials for ``name`` (the request before may have logged it out)."""
    actor = scene.actor(name)
    assert actor.user_id is not None
    actor.token = new_token()
    async with scene.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO api_token (id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, now() + interval '1 day')",
            uuid.uuid4(),
            actor.user_id,
            token_digest(actor.token),
        )
        scene.sessions[name] = await session.start(conn, actor.user_id, timedelta(hours=1), None)


async def province_tree(scene: Scene, password_hash: str) -> uuid.UUID:
    """Put ``other_org`` under a province organization with a coordinator of its own, and add an
    outsider coordinator of an unrelated tree; returns the province's id."""
    async with scene.pool.acquire() as conn:
        province = await make_org(conn, "Hội LHPN tỉnh")
        await conn.execute("UPDATE organization SET parent_id = $1 WHERE id = $2", province, scene.actors.other_org)
        unrelated = await make_org(conn, "Hội LHPN tỉnh khác")
    await add_coordinator(scene, "province", province, password_hash)
    await add_coordinator(scene, "outsider", unrelated, password_hash)
    return province


def outside_expected(route: Route, names: set[str]) -> Outcome:
    """What a coordinator outside the scene's tree must get on ``route``."""
    inside = expected_of(route, "coordinator")
    if is_refusal(inside):
        return inside
    untied = UNTIED if names & CASE_IDS else UNTIED_WITHOUT_CASE
    if any(expected_of(route, role) == inside for role in untied):
        return inside  # open without the tree
    if names & CASE_IDS:
        return 404  # as for a case that does not exist
    if names:
        return 403  # the organization and listing are public: seen, not changed
    return inside  # the coordinator's own work (own cases, lists, dashboard): checked for leaks


async def marks_of(scene: Scene) -> list[str]:
    """What must never reach someone outside the tree: the case and its records, and the listing's
    edit and verify actions."""
    async with scene.pool.acquire() as conn:
        code = await conn.fetchval("SELECT case_code FROM survivor WHERE id = $1", uuid.UUID(scene.ids["survivor_id"]))
    service = scene.ids["service_id"]
    return [
        *(scene.ids[name] for name in sorted(CASE_IDS)),
        code,
        CASE_BODY["full_name"],
        CASE_BODY["phone"],
        f'href="/partner/services/{service}"',
        f'action="/verify/{service}"',
    ]


async def probe_every_route(app: Litestar, scene: Scene, role: str) -> list[tuple[Any, ...]]:
    """Send every route's matrix request as ``role``, a coordinator outside the scene's tree; the
    mismatches, changes and leaks found."""
    failures: list[tuple[Any, ...]] = []
    probed = 0
    for route in sorted(app_routes(app)):
        await renew(scene, role)
        before = await scene.fingerprint()
        request = request_for(scene, route)
        names = named_ids(scene, request)
        if str(scene.actors.other_org) in repr(request):
            names.add("organization_id")  # the case's organization, in the tree as well as the listing's
        expected = outside_expected(route, names)
        method, path, body = request
        response = await scene.send(role, method, path, **body)
        got = outcome_of(response)
        probed += 1
        if got != expected:
            failures.append((route, expected, got, response.text[:160]))
        answer = response.text + response.headers.get("location", "")
        asked = repr(request)
        leaked = [mark for mark in await marks_of(scene) if mark in answer and mark not in asked]
        if leaked:
            failures.append((route, "leaked", leaked))
        after = await scene.fingerprint()
        if is_refusal(got) and (changed := [t for t in before if before[t] != after[t]]):
            failures.append((route, "refused, yet changed", changed))
        await scene.refresh(before, after)
    assert probed > 100  # the loop really went through the route table
    return failures


async def test_a_coordinator_outside_the_tree_reaches_nothing_of_it_on_any_route(
    app: Litestar, scene: Scene, password_hash: str
) -> None:
    await province_tree(scene, password_hash)
    failures = await probe_every_route(app, scene, "outsider")
    assert not failures, "\n".join(map(str, failures))


async def test_the_province_coordinator_reaches_the_tree_below(scene: Scene, password_hash: str) -> None:
    """The other side of the coin: the tree's own coordinators, at any level, get through."""
    await province_tree(scene, password_hash)
    ids = scene.ids
    for role in ("coordinator", "province"):
        for path in (f"/cases/{ids['survivor_id']}", f"/partner/services/{ids['service_id']}"):
            assert (await scene.send(role, "GET", path)).status_code == 200, (role, path)
    queue = await scene.send("province", "GET", "/verify")
    assert f'action="/verify/{ids["service_id"]}"' in queue.text


async def test_after_an_admin_moves_an_organization_out_its_coordinator_loses_it_on_every_route(
    app: Litestar, scene: Scene, password_hash: str
) -> None:
    await province_tree(scene, password_hash)
    # the coordinator's token and session are in use: each reads the case (the API read files its
    # audit entry under the case's organization, so nothing of it stays in the province's log)
    case_page, case_api = f"/cases/{scene.ids['survivor_id']}", f"/api/v1/survivors/{scene.ids['survivor_id']}"
    assert (await scene.send("province", "GET", case_api)).status_code == 200
    moved = await scene.client.patch(
        f"/api/v1/organizations/{scene.actors.other_org}", headers=scene.actors.admin.headers, json={"parent_id": None}
    )
    assert moved.status_code == 200, moved.text
    assert (await scene.send("province", "GET", case_api)).status_code == 404  # at once, same token
    assert (await scene.send("province", "GET", case_page)).status_code == 404
    failures = await probe_every_route(app, scene, "province")
    assert not failures, "\n".join(map(str, failures))


async def test_an_outsider_cannot_take_a_tree_over_by_moving_its_organizations(
    scene: Scene, password_hash: str
) -> None:
    """The takeover: pull the victim's organization under one's own, then read its cases."""
    await province_tree(scene, password_hash)
    outsider = scene.actors.outsider
    victims = (scene.actors.other_org, scene.actors.org)
    before = await scene.fingerprint()
    for victim in victims:
        for change in ({"parent_id": str(outsider.organization_id)}, {"kind": "government"}, {"name": "Của tôi"}):
            response = await scene.send("outsider", "PATCH", f"/api/v1/organizations/{victim}", json=change)
            assert response.status_code == 403, (victim, change, response.text)
    # nor by hanging one's own organization under the victim's, or founding one there
    own = await scene.send(
        "outsider", "PATCH", f"/api/v1/organizations/{outsider.organization_id}", json={"parent_id": str(victims[0])}
    )
    assert own.status_code == 403, own.text
    founded = await scene.send(
        "outsider",
        "POST",
        "/api/v1/organizations",
        json={"name": "Chi hội", "kind": "ngo", "parent_id": str(victims[0])},
    )
    assert founded.status_code == 403, founded.text
    assert await scene.fingerprint() == before
    for path in (f"/api/v1/survivors/{scene.ids['survivor_id']}", f"/cases/{scene.ids['survivor_id']}"):
        assert (await scene.send("outsider", "GET", path)).status_code == 404, path


async def test_a_move_needs_both_ends_in_the_movers_tree_and_is_audited_with_before_and_after(
    scene: Scene, pool: asyncpg.Pool, password_hash: str
) -> None:
    province = await province_tree(scene, password_hash)
    org, other_org = scene.actors.org, scene.actors.other_org
    # the coordinator of other_org may not lift org out to the province above, nor make it a root
    for parent in (province, None):
        body = {"parent_id": str(parent) if parent else None}
        refused = await scene.send("coordinator", "PATCH", f"/api/v1/organizations/{org}", json=body)
        assert refused.status_code == 403, refused.text
    # the province coordinator holds both ends: allowed, and audited in the same transaction
    moved = await scene.send("province", "PATCH", f"/api/v1/organizations/{org}", json={"parent_id": str(province)})
    assert moved.status_code == 200, moved.text
    rekinded = await scene.send("province", "PATCH", f"/api/v1/organizations/{org}", json={"kind": "government"})
    assert rekinded.status_code == 200, rekinded.text
    async with pool.acquire() as conn:
        entries = await conn.fetch(
            "SELECT actor_id, action, entity_id, organization_id, details FROM audit_log"
            " WHERE entity = 'organization' ORDER BY id"
        )
    assert [(e["action"], e["entity_id"], e["actor_id"]) for e in entries] == [
        ("organization.move", org, scene.actors.province.user_id),
        ("organization.move", org, scene.actors.province.user_id),
    ]
    assert entries[0]["details"] == {
        "before": {"parent_id": str(other_org), "kind": "ngo"},
        "after": {"parent_id": str(province), "kind": "ngo"},
    }
    assert entries[1]["details"] == {
        "before": {"parent_id": str(province), "kind": "ngo"},
        "after": {"parent_id": str(province), "kind": "government"},
    }
    # the coordinator of other_org lost org with the move, at once
    lost = await scene.send("coordinator", "GET", f"/partner/services/{scene.ids['service_id']}")
    assert lost.status_code == 403


async def test_only_an_admin_makes_an_organization_a_root(scene: Scene, password_hash: str) -> None:
    await province_tree(scene, password_hash)
    path = f"/api/v1/organizations/{scene.actors.other_org}"
    assert (await scene.send("province", "PATCH", path, json={"parent_id": None})).status_code == 403
    rooted = await scene.client.patch(path, headers=scene.actors.admin.headers, json={"parent_id": None})
    assert rooted.status_code == 200, rooted.text
    async with scene.pool.acquire() as conn:
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM audit_log WHERE action = 'organization.move' AND entity_id = $1",
                scene.actors.other_org,
            )
            == 1
        )


async def test_the_coordinators_listing_pages_offer_nothing_outside_the_tree(scene: Scene, password_hash: str) -> None:
    """The public listing page offers "edit" only where the viewer may edit; the verification
    queue holds only the viewer's tree."""
    await province_tree(scene, password_hash)
    service = scene.ids["service_id"]
    inside = await scene.send("coordinator", "GET", f"/services/{service}")
    assert f'href="/partner/services/{service}"' in inside.text
    outside = await scene.send("outsider", "GET", f"/services/{service}")
    assert outside.status_code == 200 and f'href="/partner/services/{service}"' not in outside.text
    assert f"/verify/{service}" not in (await scene.send("outsider", "GET", "/verify")).text


async def test_founding_an_organization_inside_the_tree_is_audited_with_where_it_sits(scene: Scene) -> None:
    """Founding an organization places it in a tree just as a move does, so it is audited the same way."""
    body = {"name": "Tổ hỗ trợ xã mới", "kind": "mass_organization", "parent_id": str(scene.actors.other_org)}
    founded = await scene.send("coordinator", "POST", "/api/v1/organizations", json=body)
    assert founded.status_code == 201, founded.text
    async with scene.pool.acquire() as conn:
        entry = await conn.fetchrow(
            "SELECT actor_id, entity_id, details FROM audit_log WHERE action = 'organization.create'"
        )
    assert entry is not None
    assert (entry["actor_id"], str(entry["entity_id"])) == (scene.actors.coordinator.user_id, founded.json()["id"])
    assert entry["details"] == {"parent_id": str(scene.actors.other_org), "kind": "mass_organization"}
