"""notify() and send_mail() write notifications and queued mail in the caller's transaction, once
per user and event, honouring each user's delivery choice and skipping inactive users."""

from __future__ import annotations

import asyncpg
import pytest

from service.notify.kinds import Kind
from service.notify.outbox import notify, send_mail
from tests.integration.conftest import Actors

pytestmark = pytest.mark.usefixtures("app")


async def test_notify_writes_once_per_user_and_event(pool: asyncpg.Pool, actors: Actors) -> None:
    users = [actors.partner.user_id, actors.caseworker.user_id]
    async with pool.acquire() as conn, conn.transaction():
        assert await notify(conn, users, Kind.REFERRAL_RECEIVED, "/referrals/x", "referral:x:received") == 2
        assert await notify(conn, users, Kind.REFERRAL_RECEIVED, "/referrals/x", "referral:x:received") == 0
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM notification") == 2
        # REFERRAL_RECEIVED is immediate by default: one mail per user
        assert await conn.fetchval("SELECT count(*) FROM mail_outbox WHERE status = 'queued'") == 2


async def test_notify_rolls_back_with_the_event(pool: asyncpg.Pool, actors: Actors) -> None:
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await notify(conn, [actors.partner.user_id], Kind.REFERRAL_RECEIVED, "/referrals/y", "k")
        await transaction.rollback()  # the event failed
        assert await conn.fetchval("SELECT count(*) FROM notification") == 0
        assert await conn.fetchval("SELECT count(*) FROM mail_outbox") == 0


async def test_delivery_setting_and_inactive_users(pool: asyncpg.Pool, actors: Actors) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO notification_setting (user_id, kind, delivery) VALUES ($1, 'referral_received', 'none')",
            actors.partner.user_id,
        )
        await conn.execute("UPDATE app_user SET active = false WHERE id = $1", actors.other_partner.user_id)
        users = [actors.partner.user_id, actors.other_partner.user_id, actors.caseworker.user_id]
        assert await notify(conn, users, Kind.REFERRAL_RECEIVED, "/referrals/z", "referral:z:received") == 2
        # a digest kind makes a notification but no immediate mail
        assert await notify(conn, [actors.caseworker.user_id], Kind.PLAN_APPROVED, "/cases/c", "plan:p:approved") == 1
        mailed = await conn.fetch("SELECT user_id, kind FROM mail_outbox")
        assert [(r["user_id"], r["kind"]) for r in mailed] == [(actors.caseworker.user_id, "referral_received")]


async def test_send_mail_queues_without_a_notification(pool: asyncpg.Pool, actors: Actors) -> None:
    async with pool.acquire() as conn:
        for _ in range(2):
            await send_mail(conn, actors.partner.user_id, Kind.INVITATION, "/set-password/t", "invitation:1")
        assert await conn.fetchval("SELECT count(*) FROM mail_outbox WHERE kind = 'invitation'") == 1
        assert await conn.fetchval("SELECT count(*) FROM notification") == 0
