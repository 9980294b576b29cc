"""Insecure direct object references: ids of other organizations' records, or guessed ones, on every
route that takes an id (read from the route table: path, query or body), for every role.

Someone who may not see a record gets exactly the answer a made-up id gets — 404, or the 403 /
login their role gets on that route whatever the id — so no answer tells them the record exists,
and the request changes nothing. Strangers (a coordinator and a caseworker of an unrelated
organization, a partner of another) get 404 on the case, its plan, milestones and referrals, and on
a staff-only listing.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import asyncpg
from litestar import Litestar

from service.auth.models import Role
from service.web import session
from tests.integration.conftest import make_actor, make_org
from tests.integration.listings import service_body
from tests.integration.security.conftest import ROLES, Scene
from tests.integration.security.matrix import outcome_of, request_for
from tests.integration.security.routes import app_routes, with_random_ids

STRANGERS = ("stranger_coordinator", "stranger_caseworker")
CASE_IDS = frozenset({"survivor_id", "consent_id", "plan_id", "milestone_id"})
# who may see the record each id names, in the IDOR scene (its listing is staff-only)
READERS: dict[str, frozenset[str]] = {
    **dict.fromkeys(CASE_IDS, frozenset({"caseworker", "coordinator"})),
    "referral_id": frozenset({"caseworker", "coordinator", "partner"}),
    "service_id": frozenset({"partner", "caseworker", "coordinator", "admin", *STRANGERS}),
    "user_id": frozenset({"admin"}),
    "token_id": frozenset({"admin"}),
    "organization_id": frozenset({*ROLES, *STRANGERS}),
    "notification_id": frozenset({"partner"}),  # the referral's, told to its receiving partner
}


# links mailed to one person: whoever holds one may use it (that is the point), so they are not ids
# of records some roles may read; their own tests refuse guessed, altered, old and used ones
CAPABILITIES = frozenset({"set_password_token", "check_in_token"})


def named_ids(scene: Scene, request: tuple[str, str, dict[str, Any]]) -> set[str]:
    text = repr(request)
    return {name for name, value in scene.ids.items() if value in text and name not in CAPABILITIES}


async def add_strangers(scene: Scene, pool: asyncpg.Pool, password_hash: str) -> None:
    async with pool.acquire() as conn:
        unrelated = await make_org(conn, "Hội LHPN tỉnh khác")
        for name, role in zip(STRANGERS, (Role.COORDINATOR, Role.CASEWORKER), strict=True):
            actor = await make_actor(conn, name, role, unrelated, password_hash)
            scene.actors.by_name[name] = actor
            assert actor.user_id is not None
            scene.sessions[name] = await session.start(conn, actor.user_id, timedelta(hours=1), None)


async def use_staff_only_listing(scene: Scene) -> None:
    staff = service_body(scene.actors.org, name="Nhà an toàn nội bộ", visibility="staff")
    response = await scene.client.post("/api/v1/services", headers=scene.actors.admin.headers, json=staff)
    assert response.status_code == 201, response.text
    scene.ids["service_id"] = response.json()["id"]


async def test_records_out_of_reach_answer_like_ids_that_do_not_exist(
    app: Litestar, scene: Scene, pool: asyncpg.Pool, password_hash: str
) -> None:
    await add_strangers(scene, pool, password_hash)
    await use_staff_only_listing(scene)
    guessed = dataclasses.replace(scene, ids=with_random_ids(scene.ids))
    failures: list[tuple[Any, ...]] = []
    strangers_refused = compared = 0
    before = await scene.fingerprint()
    for route in sorted(app_routes(app)):
        real = request_for(scene, route)
        names = named_ids(scene, real)
        if not names - {"organization_id"}:
            continue  # no id, or only organizations', which are public
        for role in (*ROLES, *STRANGERS):
            method, path, body = request_for(guessed, route)
            invented = outcome_of(await scene.send(role, method, path, **body))
            if isinstance(invented, int) and invented < 300:
                failures.append((route, role, "a made-up id answered", invented))
            if not all(role in READERS[name] for name in names):  # readers: the route matrix's business
                compared += 1
                method, path, body = real
                existing = outcome_of(await scene.send(role, method, path, **body))
                if existing != invented:
                    failures.append((route, role, "existing vs made-up id", existing, invented))
                if role in STRANGERS or (role == "other_partner" and names & {"referral_id", "service_id"}):
                    strangers_refused += 1
                    if existing not in (404, 403):
                        failures.append((route, role, "a stranger got", existing))
            if (after := await scene.fingerprint()) != before:
                failures.append((route, role, "changed something"))
                before = after
    assert not failures, "\n".join(map(str, failures))
    assert compared > 200 and strangers_refused > 100  # the loop really probed the routes


async def test_strangers_get_404_for_the_case_and_everything_in_it(
    scene: Scene, pool: asyncpg.Pool, password_hash: str
) -> None:
    """A coordinator or caseworker of another organization may work on cases, just not this one:
    a 403 would tell them it exists."""
    await add_strangers(scene, pool, password_hash)
    ids = scene.ids
    reads = [
        f"/api/v1/survivors/{ids['survivor_id']}",
        f"/api/v1/survivors/{ids['survivor_id']}/plans/current",
        f"/api/v1/referrals/{ids['referral_id']}",
        f"/cases/{ids['survivor_id']}",
        f"/referrals/{ids['referral_id']}",
        f"/cases/{ids['survivor_id']}/matches?milestone={ids['milestone_id']}",
    ]
    writes: list[tuple[str, dict[str, Any]]] = [
        (f"/api/v1/plans/{ids['plan_id']}/approve", {"json": None}),
        (f"/api/v1/milestones/{ids['milestone_id']}", {"json": {"status": "in_progress"}}),
        (f"/api/v1/referrals/{ids['referral_id']}/withdraw", {"json": {"note": "x"}}),
        (f"/cases/{ids['survivor_id']}/consents/{ids['consent_id']}/withdraw", {"form": {}}),
        (f"/dashboard/approvals/{ids['plan_id']}/approve", {"form": {}}),
        (f"/cases/{ids['survivor_id']}/milestones/{ids['milestone_id']}", {"form": {"status": "in_progress"}}),
    ]
    before = await scene.fingerprint()
    for stranger in STRANGERS:
        for path in reads:
            assert (await scene.send(stranger, "GET", path)).status_code == 404, (stranger, path)
        for path, body in writes:
            method = "PATCH" if path.startswith("/api/v1/milestones/") else "POST"
            response = await scene.send(stranger, method, path, **body)
            assert response.status_code == 404, (stranger, path, response.text[:200])
    assert await scene.fingerprint() == before
