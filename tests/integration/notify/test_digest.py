"""The daily digest (issue 16, point 2): at 07:30 in Viet Nam, one mail to each user with unread
notifications, from the day before, of kinds they get as a digest; once a day whatever ticks again,
restarts or ticks beside it; its items grouped by kind."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, time, timedelta

import asyncpg
import pytest

from service.clock import LOCAL_TZ
from service.config import Settings
from service.notify import digest, outbox
from service.notify.kinds import Kind
from service.notify.transport import SmtpTransport
from service.notify.worker import MailWorker
from service.reintegration.scheduler import tick
from tests.integration.conftest import Actors
from tests.integration.notify.smtp_server import Handler, SmtpServer

DAY = date(2026, 12, 7)
MOMENT = datetime.combine(DAY, time(7, 30), LOCAL_TZ)
SETTINGS = Settings(base_url="https://ketnoi.example.org")


@pytest.fixture(autouse=True)
async def no_digest_done(pool: asyncpg.Pool) -> None:
    """Each test starts before any digest was queued."""
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM scheduler_job")


async def told(conn: asyncpg.Connection, user: uuid.UUID | None, kind: Kind, key: str, at: datetime) -> None:
    """A notification of ``kind`` to ``user``, as if written at ``at``."""
    assert user is not None
    await outbox.notify(conn, [user], kind, f"/somewhere/{key}", key)
    await conn.execute("UPDATE notification SET created_at = $2 WHERE dedupe_key = $1", key, at)


async def digests(pool: asyncpg.Pool) -> dict[uuid.UUID, tuple[str, str, str]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT user_id, kind, link, dedupe_key FROM mail_outbox WHERE digest")
    return {row["user_id"]: (row["kind"], row["link"], row["dedupe_key"]) for row in rows}


def test_the_digest_moment_is_the_latest_0730_in_viet_nam() -> None:
    assert digest.digest_moment(MOMENT + timedelta(minutes=1)) == MOMENT
    assert digest.digest_moment(MOMENT) == MOMENT
    assert digest.digest_moment(MOMENT - timedelta(minutes=1)) == MOMENT - timedelta(days=1)
    # 00:30 UTC is 07:30 in Viet Nam
    assert digest.digest_moment(datetime.fromisoformat("2026-12-07T00:45:00+00:00")) == MOMENT


async def test_the_digest_goes_once_to_users_with_unread_digest_kinds_and_groups_them(
    pool: asyncpg.Pool, actors: Actors
) -> None:
    caseworker, partner, coordinator = actors.caseworker, actors.partner, actors.coordinator
    evening = MOMENT - timedelta(hours=12)
    async with pool.acquire() as conn:
        # the caseworker: two reminders of one kind, one of another, one read, one of an immediate kind
        await told(conn, caseworker.user_id, Kind.MILESTONE_OVERDUE, "m1", evening)
        await told(conn, caseworker.user_id, Kind.FOLLOW_UP_DUE, "f1", evening + timedelta(hours=1))
        await told(conn, caseworker.user_id, Kind.MILESTONE_OVERDUE, "m2", evening + timedelta(hours=2))
        await told(conn, caseworker.user_id, Kind.CONSENT_EXPIRING, "c1", evening)
        await conn.execute("UPDATE notification SET read_at = now() WHERE dedupe_key = 'c1'")
        await told(conn, caseworker.user_id, Kind.REFERRAL_ACCEPTED, "a1", evening)
        # too old for this digest, and too new (after 07:30): the next day's
        await told(conn, caseworker.user_id, Kind.MILESTONE_DUE, "old", MOMENT - timedelta(days=1, minutes=1))
        await told(conn, caseworker.user_id, Kind.MILESTONE_DUE, "new", MOMENT + timedelta(minutes=1))
        # the partner chose the digest for a kind that is immediate by default
        await conn.execute(
            "INSERT INTO notification_setting (user_id, kind, delivery) VALUES ($1, 'referral_due_soon', 'digest')",
            partner.user_id,
        )
        await told(conn, partner.user_id, Kind.REFERRAL_DUE_SOON, "r1", evening)
        # the coordinator turned the kind off: no digest; an immediate kind alone makes none either
        await conn.execute(
            "INSERT INTO notification_setting (user_id, kind, delivery) VALUES ($1, 'plan_awaiting_approval', 'none')",
            coordinator.user_id,
        )
        await told(conn, coordinator.user_id, Kind.PLAN_AWAITING_APPROVAL, "p1", evening)
        await told(conn, coordinator.user_id, Kind.EMERGENCY_OVERRIDE, "e1", evening)

    first = await tick(pool, now=MOMENT + timedelta(minutes=2))
    assert first is not None and first.digests == 2
    row = ("digest", digest.DIGEST_LINK, "digest:2026-12-07")
    assert await digests(pool) == {caseworker.user_id: row, partner.user_id: row}
    async with pool.acquire() as conn:
        items = await digest.digest_notifications(conn, caseworker.user_id, DAY)
    assert [(item["kind"], item["link"]) for item in items] == [
        ("follow_up_due", "/somewhere/f1"),
        ("milestone_overdue", "/somewhere/m2"),
        ("milestone_overdue", "/somewhere/m1"),
    ]

    # later the same day, after a restart, or from two replicas at once: nothing more
    later = await asyncio.gather(*(tick(pool, now=MOMENT + timedelta(hours=h)) for h in (1, 1, 23)))
    assert all(t is None or t.digests == 0 for t in later)
    assert len(await digests(pool)) == 2
    # the next morning: the notification written after 07:30 is in the next day's digest
    nxt = await tick(pool, now=MOMENT + timedelta(days=1, minutes=5))
    assert nxt is not None and nxt.digests == 1
    async with pool.acquire() as conn:
        items = await digest.digest_notifications(conn, caseworker.user_id, DAY + timedelta(days=1))
    assert [item["link"] for item in items] == ["/somewhere/new"]


async def test_a_digest_already_queued_is_not_queued_again(pool: asyncpg.Pool, actors: Actors) -> None:
    async with pool.acquire() as conn:
        await told(conn, actors.caseworker.user_id, Kind.MILESTONE_OVERDUE, "m1", MOMENT - timedelta(hours=1))
    done = await asyncio.gather(*(tick(pool, now=MOMENT + timedelta(minutes=1)) for _ in range(3)))
    assert sum(t.digests for t in done if t is not None) == 1
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM scheduler_job")  # as if the marker were lost: the outbox still holds
        again = await digest.queue_digests(conn, MOMENT)
    assert again == 0
    assert len(await digests(pool)) == 1


async def test_the_digest_reaches_a_real_smtp_server_as_one_mail_grouped_by_kind(
    pool: asyncpg.Pool, actors: Actors
) -> None:
    caseworker = actors.caseworker
    await pool.execute("UPDATE app_user SET locale = 'en' WHERE id = $1", caseworker.user_id)
    evening = MOMENT - timedelta(hours=12)
    async with pool.acquire() as conn:
        await told(conn, caseworker.user_id, Kind.MILESTONE_OVERDUE, "m1", evening)
        await told(conn, caseworker.user_id, Kind.FOLLOW_UP_DUE, "f1", evening + timedelta(hours=1))
        await told(conn, caseworker.user_id, Kind.MILESTONE_OVERDUE, "m2", evening + timedelta(hours=2))
        await told(conn, caseworker.user_id, Kind.CONSENT_EXPIRING, "c1", evening)
    await tick(pool, now=MOMENT + timedelta(minutes=1))
    # read before the mail went out: it drops out of the digest
    await pool.execute("UPDATE notification SET read_at = now() WHERE dedupe_key = 'c1'")
    handler = Handler()
    server = SmtpServer(handler)
    server.start()
    try:
        worker = MailWorker(pool, SmtpTransport("127.0.0.1", server.port), SETTINGS)
        assert await worker.drain_once() == 1
        await worker.transport.close()
    finally:
        server.stop()
    [received] = handler.received
    assert received.recipients == [caseworker.email]
    assert received.message["Subject"] == "Your daily summary from Kết Nối"
    text = received.message.get_body(("plain",)).get_content()
    urls = [line.strip() for line in text.splitlines() if line.strip().startswith("https://")]
    site = SETTINGS.base_url
    assert urls[:3] == [f"{site}/somewhere/f1", f"{site}/somewhere/m2", f"{site}/somewhere/m1"]
    assert "/somewhere/c1" not in text
    # a tick the next hour and a worker pass send nothing more
    await tick(pool, now=MOMENT + timedelta(hours=1))
    assert await pool.fetchval("SELECT count(*) FROM mail_outbox WHERE digest") == 1
