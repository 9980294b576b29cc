"""Listing check-ins (issue 16, point 3): a listing neither confirmed by its organization nor
verified by a coordinator for ``check_in_days`` asks the organization's partners by mail "Is this
still right?"; unanswered, it asks again after 7 and 21 days. "Still right" is the partner's own
confirmation (``service.confirmed_at``), apart from a coordinator's verification; "Needs changes"
opens the edit form. Coordinators see, over their tree, how many check-ins were answered.

The scheduler's tick (reintegration/scheduler.py) calls ``ask`` in its transaction: one set-based
statement starts the check-ins due, one finds the mails due, and each (partner, check-in, stage)
is mailed once by its dedupe key, whatever ticks again or beside it. The mails carry signed links
(check_in_links.py) and nothing but the kind's fixed words."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from service.auth import repo as auth_repo
from service.auth.permissions import RULES, Action, Scope, allowed
from service.config import Settings
from service.crypto import signing_secret
from service.db import Connection, transact
from service.directory import check_in_links, listings
from service.directory.check_in_links import LinkRefused, Refusal
from service.errors import NotFound
from service.notify import outbox
from service.notify.kinds import Kind

# the first mail, then the reminders: days after the check-in began
STAGES = (0, 7, 21)
BATCH = 500  # check-ins started, and mails queued, per tick: a first tick's backlog drains over a few
# a listing's last word: its last confirmation or verification, its creation if neither ever was
# (the expression migration 0023 indexes)
LAST_WORD = "coalesce(greatest(s.last_verified_at, s.confirmed_at), s.created_at)"
# who is asked: those who edit the listing in its own organization (the partners), as the rules say
ASKED = sorted(role.value for role, scope in RULES[Action.EDIT_LISTING].items() if scope is Scope.OWN_ORG)


@dataclass(frozen=True)
class Policy:
    """How the check-ins run: after how many days a listing is asked about, and the links' key."""

    days: int
    key: bytes


def policy(settings: Settings) -> Policy:
    return Policy(days=settings.check_in_days, key=check_in_links.link_key(signing_secret(settings)))


_START = f"""
INSERT INTO listing_check_in (service_id, since)
SELECT s.id, {LAST_WORD} FROM service s
WHERE {LAST_WORD} < now() - make_interval(days => $1) AND s.status <> 'inactive'
  AND NOT EXISTS (SELECT 1 FROM listing_check_in c WHERE c.service_id = s.id AND c.since = {LAST_WORD})
ORDER BY {LAST_WORD} LIMIT $2
ON CONFLICT ON CONSTRAINT listing_check_in_once_per_cycle DO NOTHING
"""

# Each open check-in of the listing's current cycle at its latest stage due (a tick missed for
# weeks sends the latest reminder only), for each partner not yet mailed about that stage.
_DUE = f"""
WITH open AS (
    SELECT c.id, s.organization_id,
           (SELECT max(d) FROM unnest($1::int[]) d WHERE c.started_at + make_interval(days => d) <= now()) AS stage
    FROM listing_check_in c JOIN service s ON s.id = c.service_id
    WHERE c.answered_at IS NULL AND c.since = {LAST_WORD} AND s.status <> 'inactive'
)
SELECT o.id, o.stage, u.id AS user_id, 'listing-check-in:' || o.id || ':' || o.stage AS dedupe_key
FROM open o JOIN app_user u ON u.organization_id = o.organization_id AND u.active AND u.role = ANY($2::text[])
WHERE NOT EXISTS (SELECT 1 FROM mail_outbox m
                  WHERE m.user_id = u.id AND m.dedupe_key = 'listing-check-in:' || o.id || ':' || o.stage)
ORDER BY o.id, u.id LIMIT $3
"""


async def ask(conn: Connection, check_ins: Policy, batch: int = BATCH) -> int:
    """Start the check-ins due and queue the mails due, in the caller's transaction; returns how
    many mails were queued."""
    await conn.execute(_START, check_ins.days, batch)
    rows = await conn.fetch(_DUE, list(STAGES), ASKED, batch)
    now = datetime.now(UTC)
    for row in rows:
        link = check_in_links.link(check_ins.key, row["id"], row["user_id"], now)
        await outbox.send_mail(conn, row["user_id"], Kind.LISTING_CHECK_IN, link, row["dedupe_key"])
    return len(rows)


@dataclass(frozen=True)
class CheckIn:
    """An open check-in as its link shows it: the listing asked about, and who answers."""

    id: uuid.UUID
    service_id: uuid.UUID
    service_name: str
    organization_name: str
    started_at: datetime
    last_verified_at: datetime | None
    confirmed_at: datetime | None
    user_id: uuid.UUID


class AlreadyAnswered(LinkRefused):
    """A used link, with when the check-in was answered (by this partner or a colleague)."""

    def __init__(self, answered_at: datetime) -> None:
        super().__init__(Refusal.USED)
        self.answered_at = answered_at


_OPEN = f"""
SELECT c.id, c.service_id, c.started_at, c.answered_at, c.since = {LAST_WORD} AS current,
       s.name AS service_name, s.organization_id, s.last_verified_at, s.confirmed_at, o.name AS organization_name
FROM listing_check_in c JOIN service s ON s.id = c.service_id JOIN organization o ON o.id = s.organization_id
WHERE c.id = $1
"""


async def _open(conn: Connection, key: bytes, token: str, *, lock: bool) -> CheckIn:
    signed = check_in_links.read(key, token)
    row = await conn.fetchrow(_OPEN + (" FOR UPDATE OF c" if lock else ""), signed.check_in_id)
    if row is None:  # the listing was deleted
        raise LinkRefused(Refusal.ENDED)
    if row["answered_at"] is not None:
        raise AlreadyAnswered(row["answered_at"])
    if not row["current"]:
        raise LinkRefused(Refusal.ENDED)
    try:
        principal = await auth_repo.principal_for_user(conn, signed.user_id)
    except NotFound:
        raise LinkRefused(Refusal.NOT_ALLOWED) from None
    if not allowed(principal, Action.EDIT_LISTING, row["organization_id"]):
        raise LinkRefused(Refusal.NOT_ALLOWED)
    return CheckIn(
        id=row["id"],
        service_id=row["service_id"],
        service_name=row["service_name"],
        organization_name=row["organization_name"],
        started_at=row["started_at"],
        last_verified_at=row["last_verified_at"],
        confirmed_at=row["confirmed_at"],
        user_id=signed.user_id,
    )


async def check(pool: asyncpg.Pool, key: bytes, token: str) -> CheckIn:
    """The open check-in ``token`` answers, without answering it: opening a link changes nothing
    (a mail scanner may fetch it first). ``LinkRefused`` says why a link does not work."""
    async with pool.acquire() as conn:
        return await _open(conn, key, token, lock=False)


async def confirm(pool: asyncpg.Pool, key: bytes, token: str) -> CheckIn:
    """Answer "still right": the listing is confirmed by the link's partner and the check-in is
    answered, in one transaction that locks it (two partners at once: one answers, the other is
    told it was answered)."""

    async def work(conn: Connection) -> CheckIn:
        check_in = await _open(conn, key, token, lock=True)
        principal = await auth_repo.principal_for_user(conn, check_in.user_id)
        await listings.confirm_service(conn, principal, check_in.service_id)
        await conn.execute(
            "UPDATE listing_check_in SET answered_at = now(), answered_by = $2 WHERE id = $1",
            check_in.id,
            check_in.user_id,
        )
        return check_in

    return await transact(pool, work)


@dataclass(frozen=True)
class Answers:
    """One organization's check-ins in one province: answered, still waiting, the latest answer."""

    organization_id: uuid.UUID
    organization_name: str
    province: str  # a province code; "" for a listing with no place or area
    answered: int
    waiting: int
    last_answered_at: datetime | None


# Each listing's latest check-in, answered or still open in the listing's current cycle (one a
# coordinator's verification overtook counts neither way), under each province the listing serves
# or is located in.
_ANSWERS = f"""
WITH latest AS (
    SELECT DISTINCT ON (c.service_id) c.service_id, c.answered_at, s.organization_id
    FROM listing_check_in c JOIN service s ON s.id = c.service_id
    WHERE ($1::uuid[] IS NULL OR s.organization_id = ANY($1))
      AND (c.answered_at IS NOT NULL OR c.since = {LAST_WORD})
    ORDER BY c.service_id, c.started_at DESC
),
place AS (
    SELECT area AS code, service_id FROM service_area WHERE service_id IN (SELECT service_id FROM latest)
    UNION
    SELECT l.province_code, sl.service_id FROM service_at_location sl JOIN location l ON l.id = sl.location_id
    WHERE sl.service_id IN (SELECT service_id FROM latest) AND l.province_code IS NOT NULL
)
SELECT o.id AS organization_id, o.name AS organization_name, coalesce(p.code, '') AS province,
       count(*) FILTER (WHERE l.answered_at IS NOT NULL) AS answered,
       count(*) FILTER (WHERE l.answered_at IS NULL) AS waiting,
       max(l.answered_at) AS last_answered_at
FROM latest l JOIN organization o ON o.id = l.organization_id LEFT JOIN place p ON p.service_id = l.service_id
GROUP BY o.id, o.name, p.code ORDER BY o.name, o.id, province
"""


async def answers(conn: Connection, organizations: frozenset[uuid.UUID] | None) -> list[Answers]:
    """Check-ins answered and waiting per organization (of ``organizations``; None: all) and
    province: a listing serving several provinces counts under each."""
    rows = await conn.fetch(_ANSWERS, list(organizations) if organizations is not None else None)
    return [Answers(**dict(row)) for row in rows]
