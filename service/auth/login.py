"""Password login shared by the token API and (later) the browser session: throttled, constant-time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from service.auth import repo
from service.auth.models import User
from service.auth.secrets import verify_password
from service.errors import TooManyRequests, Unauthorized

BUCKET = "login"
WINDOW = timedelta(minutes=15)
# Per account, a few honest typos; per client address, a whole office behind one NAT.
LIMITS = {"email": 5, "ip": 30}


def throttle_keys(email: str, client: str) -> list[str]:
    return [f"email:{email.strip().lower()}", f"ip:{client}"]


def is_throttled(hits: dict[str, int]) -> bool:
    return any(hits.get(key, 0) >= LIMITS[key.split(":", 1)[0]] for key in hits)


def seconds_left_in_window(now: datetime) -> int:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    elapsed = (now - epoch) % WINDOW
    return max(1, int((WINDOW - elapsed).total_seconds()))


async def authenticate(pool: asyncpg.Pool, email: str, password: str, client: str) -> User:
    """The active user with these credentials; failures count toward the throttle."""
    keys = throttle_keys(email, client)
    async with pool.acquire() as conn:
        if is_throttled(await repo.hits_by_key(conn, BUCKET, keys, WINDOW)):
            raise TooManyRequests(
                "Too many failed logins; try again later", retry_after=seconds_left_in_window(datetime.now(UTC))
            )
        found = await repo.credentials(conn, email)
    user, password_hash = found if found else (None, None)
    if await verify_password(password_hash, password) and user is not None and user.active:
        return user
    async with pool.acquire() as conn:
        await repo.add_hit(conn, BUCKET, keys, WINDOW)
    raise Unauthorized("Wrong email or password")
