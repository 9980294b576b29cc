"""Budgets of requests per caller and window, counted in PostgreSQL (``rate_limit_hit``) with the
login throttle's atomic counter: every replica of the service spends from the same count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.auth import repo
from service.db import Connection
from service.errors import TooManyRequests


async def spend(conn: Connection, bucket: str, key: str, limit: int, window: timedelta) -> None:
    """Count one request of ``key`` against ``bucket``; over ``limit`` in the current window it is
    refused (429) with the seconds until the window ends as ``Retry-After``."""
    window_start, hits = await repo.count_attempt(conn, bucket, [key], window)
    if hits[key] > limit:
        left = max(1, int((window_start + window - datetime.now(UTC)).total_seconds()))
        raise TooManyRequests("Too many requests; try again later", retry_after=left)
