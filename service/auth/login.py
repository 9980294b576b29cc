"""Password login shared by the token API and the browser session: throttled, constant-time."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from service import rate_limit
from service.auth import repo
from service.auth.models import User
from service.auth.secrets import verify_password
from service.errors import TooManyRequests, Unauthorized

BUCKET = "login"
WINDOW = timedelta(minutes=15)
# Per account, a few honest typos; per client address, a whole office behind one NAT.
LIMITS = {"email": 5, "ip": 30}


def throttle_keys(email: str, client: str) -> list[str]:
    return [f"email:{email.strip().lower()}", rate_limit.address_key(client)]


def is_throttled(hits: dict[str, int]) -> bool:
    """Whether an attempt whose counts (itself included) are ``hits`` goes over a limit."""
    return any(count > LIMITS[key.split(":", 1)[0]] for key, count in hits.items())


async def authenticate(pool: asyncpg.Pool, email: str, password: str, client: str) -> User:
    """The active user with these credentials. Each attempt is counted before the password is
    verified, so concurrent guesses cannot all pass one read of the counter: over the limit it is
    refused unverified. Only wrong passwords keep their count; a refused attempt or a successful
    login gives it back, so signing in often uses up nothing."""
    keys = throttle_keys(email, client)
    async with pool.acquire() as conn:
        window_start, hits = await rate_limit.count(conn, BUCKET, keys, WINDOW)
        if is_throttled(hits):
            await rate_limit.refund(conn, BUCKET, keys, window_start)
            raise TooManyRequests(
                "Too many failed logins; try again later", retry_after=rate_limit.seconds_left(window_start, WINDOW)
            )
        found = await repo.credentials(conn, email)
    user, password_hash = found if found else (None, None)
    if await verify_password(password_hash, password) and user is not None and user.active:
        async with pool.acquire() as conn:
            await rate_limit.refund(conn, BUCKET, keys, window_start)
        return user
    raise Unauthorized("Wrong email or password")
