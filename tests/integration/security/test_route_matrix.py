"""Who may call what, for every route of the app × every role, generated from the route table.

The first test fails as soon as the app serves a route ``matrix.MATRIX`` has no entry for (or an
entry outlives its route), so nothing is served before someone decided who may call it. Routes
the per-area matrices check role by role are named there, and must really be listed in them.
Refused requests must change nothing: each is checked against a digest of the guarded tables.
"""

from __future__ import annotations

import uuid

import httpx
from litestar import Litestar

from tests.integration.security.conftest import ROLES, Scene
from tests.integration.security.matrix import MATRIX, TESTED_HERE, covering_case, is_refusal, outcome_of, request_of
from tests.integration.security.routes import SAFE_METHODS, app_routes, fill, parameters


def test_every_route_of_the_app_has_an_entry(app: Litestar) -> None:
    served = app_routes(app)
    assert sorted(served - MATRIX.keys()) == [], "routes without an entry: decide who may call them"
    assert sorted(MATRIX.keys() - served) == [], "entries for routes the app no longer serves"


def test_routes_said_to_be_covered_elsewhere_really_are() -> None:
    for route, entry in MATRIX.items():
        if entry.covered_by is not None:
            assert covering_case(route) is not None, route


async def test_options_answers_carry_nothing_for_anyone(app: Litestar, client: httpx.AsyncClient) -> None:
    """The matrix leaves out OPTIONS: Litestar answers it on every path, the same to everyone."""
    words = {"file_path": "css/app.css", "path": "x", "locale": "en", "action": "accept"}
    for template in sorted({template for _method, template in app_routes(app)}):
        path = fill(template, {name: words.get(name, str(uuid.uuid4())) for name in parameters(template)})
        response = await client.options(path)
        assert response.status_code == 204 and response.content == b"", path


async def test_safe_routes_answer_each_role_as_designed(scene: Scene) -> None:
    """Reading changes nothing (the audit log apart), so one scene serves every GET."""
    mismatches = []
    before = await scene.fingerprint()
    for route, entry in TESTED_HERE.items():
        if route[0] not in SAFE_METHODS:
            continue
        method, path, body = request_of(scene, route, entry)
        for role, expected in zip(ROLES, entry.expected, strict=True):
            response = await scene.send(role, method, path, **body)
            if outcome_of(response) != expected:
                mismatches.append((method, path, role, expected, outcome_of(response), response.text[:200]))
    assert not mismatches, "\n".join(map(str, mismatches))
    assert await scene.fingerprint() == before


async def test_state_changing_routes_answer_each_role_as_designed(scene: Scene) -> None:
    """Refusals first, each checked to change nothing; then the roles allowed, each meeting a case
    untouched by the one before."""
    mismatches = []
    before = await scene.fingerprint()
    for route, entry in TESTED_HERE.items():
        if route[0] in SAFE_METHODS:
            continue
        for role, expected in sorted(zip(ROLES, entry.expected, strict=True), key=lambda p: not is_refusal(p[1])):
            method, path, body = request_of(scene, route, entry)
            response = await scene.send(role, method, path, **body)
            after = await scene.fingerprint()
            got = outcome_of(response)
            if got != expected:
                mismatches.append((method, path, role, expected, got, response.text[:200]))
            if is_refusal(got) and (changed := [table for table in before if before[table] != after[table]]):
                mismatches.append((method, path, role, expected, got, f"refused, yet changed {changed}"))
            before = await scene.fingerprint() if await scene.refresh(before, after) else after
    assert not mismatches, "\n".join(map(str, mismatches))
