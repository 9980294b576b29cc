"""Password guessing is throttled wherever a password is accepted: the login form and the token API
count failures together, and once an account is throttled even its right password is refused.
(tests/integration/auth/test_tokens.py covers the API on its own.)"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import asyncpg
import httpx
import pytest

from service import rate_limit
from service.auth.login import LIMITS
from tests.integration.conftest import PASSWORD
from tests.integration.security.conftest import Scene


async def test_the_form_and_the_api_share_one_throttle(scene: Scene) -> None:
    email = scene.actors.partner.email or ""
    for attempt in range(LIMITS["email"]):
        guess = {"email": email, "password": f"guess-{attempt}", "next": "/"}
        assert (await scene.send("public", "POST", "/login", form=guess)).status_code == 401
    api = await scene.client.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD})
    assert api.status_code == 429
    assert int(api.headers["retry-after"]) > 0
    form = await scene.send("public", "POST", "/login", form={"email": email, "password": PASSWORD, "next": "/"})
    assert form.status_code == 429 and "kn_session" not in form.cookies
    # another account is not locked out by this one's guesses
    other = {"email": scene.actors.caseworker.email, "password": PASSWORD}
    assert (await scene.client.post("/api/v1/auth/tokens", json=other)).status_code == 201


async def _guess_at_once(scene: Scene, path: str, email: str, count: int) -> list[httpx.Response]:
    """``count`` wrong passwords for ``email`` sent together, as a scripted attacker would."""

    async def guess(attempt: int) -> httpx.Response:
        if path.startswith("/api/"):
            return await scene.client.post(path, json={"email": email, "password": f"guess-{attempt}"})
        return await scene.send("public", "POST", path, form={"email": email, "password": f"guess-{attempt}"})

    return list(await asyncio.gather(*(guess(attempt) for attempt in range(count))))


def _refused_beyond(responses: list[httpx.Response], limit: int) -> None:
    statuses = Counter(response.status_code for response in responses)
    assert set(statuses) <= {401, 429}, statuses
    assert statuses[401] <= limit, f"{statuses[401]} passwords were tried, the limit is {limit}"
    assert statuses[429] == len(responses) - statuses[401]
    for response in responses:
        if response.status_code == 429:
            assert int(response.headers["retry-after"]) > 0


@pytest.mark.parametrize("path", ["/api/v1/auth/tokens", "/login"])
async def test_concurrent_guesses_cannot_outrun_the_account_limit(scene: Scene, path: str) -> None:
    email = scene.actors.partner.email or ""
    _refused_beyond(await _guess_at_once(scene, path, email, 20), LIMITS["email"])
    api = await scene.client.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD})
    assert api.status_code == 429


async def test_concurrent_guesses_cannot_outrun_the_address_limit(scene: Scene) -> None:
    async def guess(attempt: int) -> httpx.Response:
        body = {"email": f"nobody-{attempt}@example.org", "password": "wrong password"}
        return await scene.client.post("/api/v1/auth/tokens", json=body)

    responses = list(await asyncio.gather(*(guess(attempt) for attempt in range(LIMITS["ip"] + 10))))
    _refused_beyond(responses, LIMITS["ip"])


async def test_the_rightful_user_logs_in_within_the_limit(scene: Scene) -> None:
    """A typo or two, then the right password; and signing in often uses up nothing."""
    email = scene.actors.caseworker.email or ""
    for attempt in range(LIMITS["email"] - 1):
        wrong = await scene.client.post("/api/v1/auth/tokens", json={"email": email, "password": f"typo-{attempt}"})
        assert wrong.status_code == 401
    for _ in range(LIMITS["email"] + 1):
        right = await scene.client.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD})
        assert right.status_code == 201
    form = await scene.send("public", "POST", "/login", form={"email": email, "password": PASSWORD, "next": "/"})
    assert form.status_code == 303 and "kn_session" in form.cookies


async def test_a_budget_with_a_shorter_window_never_clears_the_login_counters(pool: asyncpg.Pool) -> None:
    """Each bucket sweeps only its own old windows: the HSDS budget, or any later one with a short
    window, must not wipe an account's wrong-password count midway through its 15 minutes."""
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO rate_limit_hit (bucket, key, window_start, hits)"
            " VALUES ('login', 'account:x@example.org', now() - interval '20 minutes', 4)"
        )
        await rate_limit.count(conn, "short", ["ip:127.0.0.1"], timedelta(minutes=1))
        assert await conn.fetchval("SELECT hits FROM rate_limit_hit WHERE bucket = 'login'") == 4
