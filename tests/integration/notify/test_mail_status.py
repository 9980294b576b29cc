"""What operators see of the mail: /readyz reports the backlog (and stays ready while mail is dead),
``ketnoi mail-status`` lists dead messages and ``ketnoi mail-retry`` queues them again, and the app
started with the embedded default delivers to $KETNOI_DATA_DIR/mail by itself."""

from __future__ import annotations

import asyncio
import mailbox
import os
import subprocess
from pathlib import Path

import asyncpg
import httpx
import pytest

from service.app import create_app
from service.config import Settings
from service.crypto import new_key
from service.notify.kinds import Kind
from service.notify.outbox import notify
from tests.integration.conftest import DATA_KEY, Actors, serving
from tests.integration.reliability.service_process import KETNOI

pytestmark = pytest.mark.usefixtures("app")


async def test_readyz_reports_the_mail_backlog_and_stays_ready(
    client: httpx.AsyncClient, pool: asyncpg.Pool, actors: Actors
) -> None:
    async with pool.acquire() as conn:
        await notify(conn, [actors.partner.user_id, actors.caseworker.user_id], Kind.REFERRAL_RECEIVED, "/r/1", "r1")
        await conn.execute("UPDATE mail_outbox SET status = 'dead' WHERE user_id = $1", actors.partner.user_id)
    response = await client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["mail_queued"], body["mail_dead"]) == ("ok", 1, 1)
    assert body["mail_oldest_age_s"] >= 0


async def test_mail_status_and_mail_retry_commands(pool: asyncpg.Pool, actors: Actors, database_url: str) -> None:
    async with pool.acquire() as conn:
        await notify(conn, [actors.partner.user_id, actors.caseworker.user_id], Kind.REFERRAL_EXPIRED, "/r/2", "r2")
        await conn.execute(
            "UPDATE mail_outbox SET status = 'dead', attempts = 8, last_error = '550 no such mailbox'"
            " WHERE user_id = $1",
            actors.partner.user_id,
        )
    dead_id = await pool.fetchval("SELECT id FROM mail_outbox WHERE status = 'dead'")
    env = {**os.environ, "KETNOI_DATABASE_URL": database_url, "KETNOI_DATA_KEY": DATA_KEY}

    def ketnoi(*args: str) -> str:
        done = subprocess.run([KETNOI, *args], env=env, capture_output=True, text=True, timeout=60, check=True)
        return done.stdout

    shown = await asyncio.to_thread(ketnoi, "mail-status")
    assert "1 queued, 1 dead" in shown
    assert f"dead #{dead_id} to {actors.partner.email} (referral_expired, 8 attempts" in shown
    assert "550 no such mailbox" in shown and "/r/2" not in shown  # never the link: it may hold a token
    assert "Queued 1 dead message(s) again" in await asyncio.to_thread(ketnoi, "mail-retry", str(dead_id))
    row = await pool.fetchrow("SELECT status, attempts FROM mail_outbox WHERE id = $1", dead_id)
    assert (row["status"], row["attempts"]) == ("queued", 0)
    assert "2 queued, 0 dead" in await asyncio.to_thread(ketnoi, "mail-status")


async def test_the_app_delivers_to_the_embedded_maildir(
    pool: asyncpg.Pool, actors: Actors, database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=database_url,
        data_dir=str(tmp_path),
        data_key=DATA_KEY,
        secret_key=new_key(),
        pool_min_size=1,
        pool_max_size=2,
        reminder_interval=0,
        mail_interval=0.05,
    )
    async with serving(create_app(settings)):
        async with pool.acquire() as conn:
            await notify(conn, [actors.partner.user_id], Kind.REFERRAL_RECEIVED, "/partner/referrals/r3", "r3")
        for _ in range(100):
            if await pool.fetchval("SELECT status FROM mail_outbox") == "sent":
                break
            await asyncio.sleep(0.05)
    [message] = mailbox.Maildir(tmp_path / "mail", create=False).values()
    assert message["To"].endswith(f"<{actors.partner.email}>")
    assert "http://127.0.0.1:8000/partner/referrals/r3" in message.get_payload()[0].get_payload(decode=True).decode()
