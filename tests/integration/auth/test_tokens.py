"""Bearer tokens: issue, use, revoke, expire, and the login throttle."""

from __future__ import annotations

import asyncpg
import httpx

from tests.integration.conftest import PASSWORD, Actors


async def test_valid_credentials_give_an_expiring_token_that_works(client: httpx.AsyncClient, actors: Actors) -> None:
    response = await client.post("/api/v1/auth/tokens", json={"email": "Partner@Example.org", "password": PASSWORD})
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("kn_")
    assert body["user"] == {
        "id": str(actors.partner.user_id),
        "email": "partner@example.org",
        "role": "partner",
        "organization_id": str(actors.org),
    }
    assert body["expires_at"]
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == "partner@example.org"


async def test_tokens_are_stored_hashed(client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool) -> None:
    token = (await client.post("/api/v1/auth/tokens", json={"email": "admin@example.org", "password": PASSWORD})).json()
    async with pool.acquire() as conn:
        stored = await conn.fetch("SELECT token_hash FROM api_token")
    assert all(token["token"].encode() not in bytes(row["token_hash"]) for row in stored)


async def test_wrong_password_and_unknown_email_are_the_same_401(client: httpx.AsyncClient, actors: Actors) -> None:
    wrong = await client.post("/api/v1/auth/tokens", json={"email": "partner@example.org", "password": "nope"})
    unknown = await client.post("/api/v1/auth/tokens", json={"email": "ghost@example.org", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.headers["content-type"].startswith("application/problem+json")


async def test_repeated_failures_are_throttled_even_with_the_right_password(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    for _ in range(5):
        response = await client.post("/api/v1/auth/tokens", json={"email": "partner@example.org", "password": "x"})
        assert response.status_code == 401
    blocked = await client.post("/api/v1/auth/tokens", json={"email": "partner@example.org", "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    # another account from the same address is not locked out by someone else's typos
    other = await client.post("/api/v1/auth/tokens", json={"email": "admin@example.org", "password": PASSWORD})
    assert other.status_code == 201


async def test_revoked_token_stops_working(client: httpx.AsyncClient, actors: Actors) -> None:
    headers = actors.caseworker.headers
    assert (await client.delete("/api/v1/auth/tokens/current", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_expired_token_is_refused(client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute("UPDATE api_token SET expires_at = now() - interval '1 second'")
    response = await client.get("/api/v1/me", headers=actors.partner.headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_bad_token_is_401_never_a_silent_public_request(client: httpx.AsyncClient) -> None:
    for header in ("Bearer kn_forged", "Basic dXNlcjpwYXNz", "Bearer "):
        response = await client.get("/api/v1/services", headers={"Authorization": header})
        assert response.status_code == 401, header


async def test_me_needs_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_token_request_validates_its_body(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/tokens", json={"email": "not-an-email", "password": "x"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "email"
