"""Many people writing the same thing at once: optimistic concurrency on listings at 50-way
contention, and referral steps raced by several partner users and the caseworker."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import asyncpg
import httpx

from service.auth.models import Role
from service.reintegration.workflow import REFERRAL_TRANSITIONS
from tests.integration.conftest import Actor, Actors, make_actor
from tests.integration.listings import service_body
from tests.integration.reintegration.world import World, consent, refer
from tests.integration.reliability import figures
from tests.integration.reliability.invariants import listing_problems, referral_problems

EDITORS = 50
RACED_REFERRALS = 8


async def _listing(client: httpx.AsyncClient, actors: Actors) -> str:
    created = await client.post("/api/v1/services", headers=actors.partner.headers, json=service_body(actors.org))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def test_fifty_editors_with_the_same_etag_exactly_one_wins(
    client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    url = f"/api/v1/services/{await _listing(client, actors)}"

    async def edit(i: int) -> httpx.Response:
        headers = {**actors.partner.headers, "If-Match": '"1"'}
        return await client.patch(url, headers=headers, json={"name": f"Biên tập viên {i}"})

    answers = await asyncio.gather(*(edit(i) for i in range(EDITORS)))
    assert sorted(a.status_code for a in answers) == [200] + [412] * (EDITORS - 1)
    assert all(
        a.headers["content-type"].startswith("application/problem+json") for a in answers if a.status_code == 412
    )
    winner = next(a for a in answers if a.status_code == 200).json()
    final = await client.get(url)
    assert final.headers["etag"] == '"2-public"'  # read anonymously: the public view's tag
    assert final.json()["name"] == winner["name"]
    async with pool.acquire() as conn:
        assert await listing_problems(conn) == []


async def test_fifty_editors_reloading_after_412_each_land_once_one_version_apart(
    client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    """Each editor reads, edits with the ETag it read, and on 412 reads again: every edit lands,
    each at a version of its own, and the history holds each one exactly once."""
    service_id = await _listing(client, actors)
    url = f"/api/v1/services/{service_id}"
    attempts = itertools.count()

    async def edit_until_it_lands(i: int) -> int:
        for _ in range(4 * EDITORS):
            read = await client.get(url)
            next(attempts)
            answer = await client.patch(
                url,
                headers={**actors.partner.headers, "If-Match": read.headers["etag"]},
                json={"name": f"Biên tập viên {i}"},
            )
            if answer.status_code == 200:
                return int(answer.json()["version"])
            assert answer.status_code == 412, answer.text
        raise AssertionError(f"editor {i} never got a turn")

    began = time.monotonic()
    versions = await asyncio.gather(*(edit_until_it_lands(i) for i in range(EDITORS)))
    took = time.monotonic() - began
    assert sorted(versions) == list(range(2, EDITORS + 2))
    final = await client.get(url)
    assert final.headers["etag"] == f'"{EDITORS + 1}-public"'
    revisions = await client.get(f"{url}/revisions", headers=actors.partner.headers, params={"per_page": 100})
    by_version = {r["version"]: r for r in revisions.json()["items"]}
    assert sorted(by_version) == list(range(1, EDITORS + 2)) and revisions.json()["total"] == EDITORS + 1
    for editor, version in enumerate(versions):
        assert by_version[version]["changes"]["name"][1] == f"Biên tập viên {editor}"
    assert final.json()["name"] == f"Biên tập viên {versions.index(EDITORS + 1)}"
    async with pool.acquire() as conn:
        assert await listing_problems(conn) == []
    total = next(attempts)
    figures.record(
        "fifty_editors",
        {"editors": EDITORS, "patches": total, "answered_412": total - EDITORS, "seconds": round(took, 2)},
    )


async def _wave(
    client: httpx.AsyncClient, referral_ids: list[str], moves: list[tuple[Actor, str, dict[str, Any]]]
) -> list[tuple[str, str, httpx.Response]]:
    """Every move on every referral, all at once."""

    async def move(referral_id: str, who: Actor, action: str, body: dict[str, Any]) -> tuple[str, str, httpx.Response]:
        url = f"/api/v1/referrals/{referral_id}/{action}"
        return referral_id, action, await client.post(url, headers=who.headers, json=body)

    return await asyncio.gather(*(move(r, *m) for r in referral_ids for m in moves))


async def test_partners_and_the_caseworker_racing_on_referrals_leave_valid_histories(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool, password_hash: str
) -> None:
    async with pool.acquire() as conn:
        third_partner = await make_actor(conn, "partner3", Role.PARTNER, world.actors.org, password_hash)
    partners = [world.actors.partner, world.second_partner, third_partner]
    caseworker = world.actors.caseworker
    await consent(client, world, None)
    referral_ids = []
    for _ in range(RACED_REFERRALS):
        created = await refer(client, world)
        assert created.status_code == 201, created.text
        referral_ids.append(created.json()["id"])
    first, second, third = partners
    withdraw = (caseworker, "withdraw", {"note": "Chị ấy đã có chỗ ở khác"})
    waves = [
        [(first, "accept", {}), (second, "accept", {}), (third, "decline", {"reason_code": "no_capacity"})],
        [(first, "start", {}), (second, "not-complete", {"reason_code": "other"}), (third, "start", {}), withdraw],
        [(first, "complete", {}), (second, "hold", {}), (third, "complete", {}), withdraw],
    ]
    moved: dict[str, int] = dict.fromkeys(referral_ids, 0)
    answers: dict[int, int] = {200: 0, 409: 0}
    for number, moves in enumerate(waves):
        for referral_id, action, answer in await _wave(client, referral_ids, moves):
            assert answer.status_code in (200, 409), (action, answer.status_code, answer.text)
            answers[answer.status_code] += 1
            if answer.status_code == 200:
                moved[referral_id] += 1
                assert answer.json()["status"] == REFERRAL_TRANSITIONS[action].target.value
            else:
                assert isinstance(answer.json()["allowed"], list)
        if number == 0:  # three partner users answering at once: exactly one answer counts
            assert all(steps == 1 for steps in moved.values()), moved
    endings: dict[str, int] = {}
    for referral_id in referral_ids:
        seen = (await client.get(f"/api/v1/referrals/{referral_id}", headers=caseworker.headers)).json()
        assert len(seen["history"]) == 1 + moved[referral_id], seen["history"]
        endings[seen["status"]] = endings.get(seen["status"], 0) + 1
    async with pool.acquire() as conn:
        assert await referral_problems(conn) == []
    figures.record(
        "referral_races",
        {"referrals": RACED_REFERRALS, "answered_200": answers[200], "answered_409": answers[409], "endings": endings},
    )
