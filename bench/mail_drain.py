"""The mail worker draining a backlog: 10,000 queued messages (1,000 recipients in both languages,
several kinds) sent by the service's own ``MailWorker`` over ``SmtpTransport`` to a local SMTP
server in a separate process (aiosmtpd's ``Sink`` on uvloop, which answers 250 and keeps nothing),
in a database of its own on the bench server. Batches are leased, sent over the transport's
connections and each message marked sent once the server has it, exactly as in production
(service/notify/worker.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import asyncpg

from bench import cpu
from service.bootstrap import prepare_database
from service.config import Settings
from service.crypto import PersonalDataCipher
from service.db import connect, create_pool, recreate_database
from service.notify.kinds import Kind
from service.notify.transport import SmtpTransport
from service.notify.worker import MailWorker

MESSAGES = 10_000
RECIPIENTS = 1_000
KINDS = [Kind.REFERRAL_RECEIVED, Kind.REFERRAL_ACCEPTED, Kind.REFERRAL_DUE_SOON, Kind.PLAN_APPROVED,
         Kind.MILESTONE_OVERDUE]  # fmt: skip


@dataclass(frozen=True)
class Drained:
    messages: int
    seconds: float
    cpu_ms: dict[str, float]  # per message, by side: this process (the worker), PostgreSQL, the SMTP server

    @property
    def per_s(self) -> float:
        return self.messages / self.seconds


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# aiosmtpd's own command line, on uvloop as the service's workers are: a relay in production is a C
# program (Postfix, a provider's front end), so the sink's share of these two cores is the bench's
# cost, not the worker's
_SINK = "import sys, asyncio, uvloop; asyncio.set_event_loop_policy(uvloop.EventLoopPolicy()); " \
        "from aiosmtpd.main import main; main(sys.argv[1:])"  # fmt: skip


def _sink(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed program
        [sys.executable, "-c", _SINK, "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("the SMTP sink did not start")


async def _queue(url: str, cipher: PersonalDataCipher) -> None:
    conn = await connect(url)
    try:
        await prepare_database(conn, cipher)
        org = await conn.fetchval(
            "INSERT INTO organization (id, name, kind) VALUES (gen_random_uuid(), 'Hội LHPN (thư)', 'ngo') RETURNING id"
        )
        await conn.execute(
            "INSERT INTO app_user (id, email, role, organization_id, display_name, locale)"
            " SELECT gen_random_uuid(), 'nguoi-nhan-' || i || '@bench.ketnoi', 'caseworker', $1,"
            " 'Cán bộ ' || i, CASE WHEN i % 3 = 0 THEN 'en' ELSE 'vi' END FROM generate_series(1, $2) i",
            org,
            RECIPIENTS,
        )
        await conn.execute(
            "INSERT INTO mail_outbox (user_id, kind, link, dedupe_key)"
            " SELECT u.id, ($2::text[])[1 + n % cardinality($2::text[])], '/referrals/' || gen_random_uuid(),"
            " 'bench:' || n FROM generate_series(0, $1 - 1) n"
            " JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM app_user) u ON u.k = n % $3",
            MESSAGES,
            [kind.value for kind in KINDS],
            RECIPIENTS,
        )
        await conn.execute("VACUUM ANALYZE mail_outbox")
    finally:
        await conn.close()


async def measure(server: str, cipher: PersonalDataCipher, postgres: cpu.Meter) -> Drained:
    """Queue the backlog, then time the worker sending all of it."""
    url = await recreate_database(server, "bench_mail")
    await _queue(url, cipher)
    port = _free_port()
    sink = _sink(port)
    pool = await create_pool(url)
    try:
        worker = MailWorker(pool, SmtpTransport.from_url(f"smtp://127.0.0.1:{port}"), Settings())
        sides = cpu.Sides({"worker": cpu.Meter(lambda: [os.getpid()]), "postgres": postgres,
                           "smtp": cpu.Meter(lambda: [sink.pid])})  # fmt: skip
        sides.start()
        began = time.perf_counter()
        while await worker.drain_once():
            pass
        seconds = time.perf_counter() - began
        cpu_ms = sides.per_request_ms(MESSAGES)
        await worker.transport.close()
        sent = int(await pool.fetchval("SELECT count(*) FROM mail_outbox WHERE status = 'sent'"))
        if sent != MESSAGES:
            raise RuntimeError(f"only {sent} of {MESSAGES} messages were sent")
    finally:
        await pool.close()
        sink.terminate()
        sink.wait(timeout=10)
    return Drained(MESSAGES, seconds, cpu_ms)


async def drop(server: str) -> None:
    admin = await asyncpg.connect(server)
    try:
        await admin.execute('DROP DATABASE IF EXISTS "bench_mail" WITH (FORCE)')
    finally:
        await admin.close()
