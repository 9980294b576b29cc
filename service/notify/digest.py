"""The daily digest (issue 16, point 2): at 07:30 in Viet Nam, one mail to each user who has
unread notifications, from the day before that moment, of kinds they get as a digest.

Queueing is one statement over every user; the mail's body is built when it is sent, from
``digest_notifications`` (a notification read meanwhile drops out of it). The outbox row's dedupe
key ``digest:<yyyy-mm-dd>`` makes each user's digest of a day a single mail whoever queues it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import asyncpg

from service.clock import LOCAL_TZ
from service.db import Connection
from service.notify.kinds import DEFAULT_DELIVERY, Delivery, Kind

DIGEST_TIME = time(7, 30)  # Viet Nam's time: before the working day starts
DIGEST_LINK = "/notifications"
PERIOD = timedelta(days=1)

# The kinds whose notifications a user gets in the digest unless they chose otherwise.
_DEFAULT_DIGEST_KINDS = [kind.value for kind, delivery in DEFAULT_DELIVERY.items() if delivery is Delivery.DIGEST]

# The notifications a digest lists: unread, of the period ending at the digest moment, of kinds the
# user gets as a digest (their own setting, or the kind's default when they have none).
_IN_DIGEST = (
    "n.read_at IS NULL AND n.created_at > $1::timestamptz - $2::interval AND n.created_at <= $1"
    " AND coalesce(s.delivery, CASE WHEN n.kind = ANY($3::text[]) THEN 'digest' END) = 'digest'"
)
_FROM = "notification n LEFT JOIN notification_setting s ON s.user_id = n.user_id AND s.kind = n.kind"


def digest_moment(now: datetime) -> datetime:
    """The latest digest moment at or before ``now``: today's 07:30 in Viet Nam once it has come,
    yesterday's before."""
    local = now.astimezone(LOCAL_TZ)
    moment = datetime.combine(local.date(), DIGEST_TIME, LOCAL_TZ)
    return moment if moment <= local else moment - PERIOD


def dedupe_key(day: date) -> str:
    return f"digest:{day.isoformat()}"


async def queue_digests(conn: Connection, moment: datetime) -> int:
    """One digest mail, for ``moment``'s day, to each active user with something to list; returns
    how many were queued now (a user's digest already queued for the day is not queued again)."""
    count = await conn.fetchval(
        "WITH queued AS (INSERT INTO mail_outbox (user_id, kind, link, dedupe_key, digest)"
        f" SELECT DISTINCT n.user_id, $4, $5, $6, true FROM {_FROM} JOIN app_user u ON u.id = n.user_id AND u.active"
        f" WHERE {_IN_DIGEST}"
        " ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING 1) SELECT count(*) FROM queued",
        moment,
        PERIOD,
        _DEFAULT_DIGEST_KINDS,
        Kind.DIGEST.value,
        DIGEST_LINK,
        dedupe_key(moment.astimezone(LOCAL_TZ).date()),
    )
    return int(count)


async def digest_notifications(conn: Connection, user_id: uuid.UUID, day: date) -> list[asyncpg.Record]:
    """What the digest of ``day`` lists for the user, at the moment it is sent: (kind, link,
    created_at) of the still-unread notifications, grouped by kind, newest first within a kind."""
    moment = datetime.combine(day, DIGEST_TIME, LOCAL_TZ)
    return list(
        await conn.fetch(
            f"SELECT n.kind, n.link, n.created_at FROM {_FROM} WHERE n.user_id = $4 AND {_IN_DIGEST}"
            " ORDER BY n.kind, n.created_at DESC",
            moment,
            PERIOD,
            _DEFAULT_DIGEST_KINDS,
            user_id,
        )
    )
