"""Budgets of attempts per caller and window, counted in PostgreSQL (``rate_limit_hit``) so every
replica of the service spends from the same count: the login throttle and the anonymous HSDS list.
Each attempt is counted atomically before it is served, so concurrent attempts each see their own
count and none can slip past a read of the counter."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

from service.db import Connection
from service.errors import TooManyRequests


async def count(conn: Connection, bucket: str, keys: list[str], window: timedelta) -> tuple[datetime, dict[str, int]]:
    """Count one attempt against every key in the current fixed window, atomically: the window and
    each key's count including this attempt, so concurrent attempts each see a distinct count."""
    rows = await conn.fetch(
        "INSERT INTO rate_limit_hit (bucket, key, window_start, hits)"
        " SELECT $1, k, date_bin($3::interval, now(), 'epoch'::timestamptz), 1 FROM unnest($2::text[]) AS k"
        " ON CONFLICT (bucket, key, window_start) DO UPDATE SET hits = rate_limit_hit.hits + 1"
        " RETURNING key, window_start, hits",
        bucket,
        keys,
        window,
    )
    # each bucket sweeps only its own windows: a short window must not clear a longer one's counts
    await conn.execute(
        "DELETE FROM rate_limit_hit WHERE bucket = $1 AND window_start < now() - $2::interval * 2", bucket, window
    )
    return rows[0]["window_start"], {row["key"]: row["hits"] for row in rows}


async def refund(conn: Connection, bucket: str, keys: list[str], window_start: datetime) -> None:
    """Take back an attempt counted in ``window_start`` (it tried no wrong password)."""
    await conn.execute(
        "UPDATE rate_limit_hit SET hits = hits - 1"
        " WHERE bucket = $1 AND key = ANY($2::text[]) AND window_start = $3 AND hits > 0",
        bucket,
        keys,
        window_start,
    )


def address_key(host: str) -> str:
    """The key a client address is counted under: an IPv4 address as it is, an IPv6 address by its
    /64 network (one subscriber's line holds a whole /64, so counting single addresses would let it
    rotate past any limit)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"ip:{host}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"ip:{address.ipv4_mapped}"
        return f"ip:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"ip:{address}"


def seconds_left(window_start: datetime, window: timedelta) -> int:
    """The ``Retry-After`` of a refusal: seconds until the window ends (at least one)."""
    return max(1, int((window_start + window - datetime.now(UTC)).total_seconds()))


async def spend(conn: Connection, bucket: str, key: str, limit: int, window: timedelta) -> None:
    """Count one request of ``key`` against ``bucket``; over ``limit`` in the current window it is
    refused (429) with the seconds until the window ends as ``Retry-After``."""
    window_start, hits = await count(conn, bucket, [key], window)
    if hits[key] > limit:
        raise TooManyRequests("Too many requests; try again later", retry_after=seconds_left(window_start, window))
