"""The benchmark database: an embedded PostgreSQL under ``var/bench`` holding one database per
scale, generated once (directory, then cases) and reused by later runs while it is complete.

Also what the load needs from it: bench accounts' tokens, and the ids the scenarios cycle through.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import asyncpg

from bench import generate, generate_cases, naive
from service.auth import repo as auth_repo
from service.auth.models import Principal
from service.auth.secrets import new_token, token_digest
from service.crypto import PersonalDataCipher, parse_key, read_or_create_key
from service.db import connect, embedded_database_url, with_database

SERVICES = 100_000
LIST_LENGTH = 2_000  # ids a write scenario cycles through: far more than its connections
ADMIN_EMAIL = "admin@bench.ketnoi"


@dataclass(frozen=True)
class Keys:
    """The data key (encrypts identifiers: kept, so generated cases stay readable) and the CSRF secret."""

    data_key: str
    secret_key: str

    @classmethod
    def of(cls, data_dir: Path) -> Keys:
        return cls(read_or_create_key(data_dir / "data_key"), read_or_create_key(data_dir / "secret_key"))

    def cipher(self) -> PersonalDataCipher:
        return PersonalDataCipher(parse_key(self.data_key))


def server_url(data_dir: Path) -> str:
    """Start (or join) the embedded server; it stops when the last process using it exits."""
    return embedded_database_url(data_dir)


def database_name(scale: float) -> str:
    return "bench_full" if scale == 1 else "bench_" + f"{scale:g}".replace(".", "_")


async def _counts(url: str) -> tuple[int, int]:
    conn = await asyncpg.connect(url)
    try:
        ready = await conn.fetchval("SELECT to_regclass('survivor') IS NOT NULL")
        if not ready:
            return 0, 0
        return int(await conn.fetchval("SELECT count(*) FROM service")), int(
            await conn.fetchval("SELECT count(*) FROM survivor")
        )
    finally:
        await conn.close()


async def ensure(server: str, scale: float, keys: Keys) -> tuple[str, dict[str, float]]:
    """The database for ``scale``, generated if missing or incomplete; returns (url, generation figures)."""
    name = database_name(scale)
    url = with_database(server, name)
    services = max(100, round(SERVICES * scale))
    survivors = generate_cases.sizes(scale)[0]
    admin = await asyncpg.connect(server)
    try:
        exists = await admin.fetchval("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name)
        have = await _counts(url) if exists else (0, 0)
        figures: dict[str, float] = {}
        if have == (services, survivors):
            return url, figures
        # anything short of complete is regenerated from scratch: generation is deterministic
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    seconds = await generate.generate(url, keys.cipher(), services)
    figures["directory_services_per_s"] = services / seconds
    started = time.perf_counter()
    await generate_cases.generate(url, keys.cipher(), scale)
    figures["cases_seconds"] = time.perf_counter() - started
    return url, figures


async def prepare(url: str) -> None:
    """What every run needs besides the generated data: the naive baseline's table."""
    conn = await connect(url)
    try:
        await naive.build(conn)
    finally:
        await conn.close()


@dataclass(frozen=True)
class Fixtures:
    """Tokens and the ids the scenarios cycle through."""

    coordinator_token: str
    partner_token: str
    admin_token: str  # beds free across the directory: a coordinator edits only its own tree's listings
    coordinator: Principal  # as the service resolves them from their tokens, organization tree included
    partner: Principal
    admin: Principal
    listings: list[uuid.UUID]  # public listings, for the detail page
    shelters: list[uuid.UUID]  # listings with beds, for capacity updates
    referrals: list[uuid.UUID]  # in progress at the partner, for hold / resume
    cipher: PersonalDataCipher  # the use cases decrypt the texts they show


async def _token(conn: asyncpg.Connection, email: str) -> tuple[str, uuid.UUID, uuid.UUID]:
    user = await conn.fetchrow("SELECT id, organization_id FROM app_user WHERE email = $1", email)
    assert user is not None, f"no bench account {email}"
    token = new_token()
    await conn.execute(
        "INSERT INTO api_token (id, user_id, token_hash, label, expires_at) VALUES ($1, $2, $3, 'bench', now() + $4)",
        uuid.uuid4(),
        user["id"],
        token_digest(token),
        timedelta(hours=6),
    )
    return token, user["id"], user["organization_id"]


async def _admin_token(conn: asyncpg.Connection) -> str:
    """A token of the bench's administrator, made on first use (no password: it never logs in)."""
    await conn.execute(
        "INSERT INTO app_user (id, email, password_hash, role, display_name) SELECT $1, $2, '!', 'admin', 'Bench'"
        " WHERE NOT EXISTS (SELECT 1 FROM app_user WHERE email = $2)",
        uuid.uuid4(),
        ADMIN_EMAIL,
    )
    return (await _token(conn, ADMIN_EMAIL))[0]


async def _principal(conn: asyncpg.Connection, token: str) -> Principal:
    principal = await auth_repo.principal_for_token(conn, token_digest(token))
    assert principal is not None
    return principal


async def fixtures(url: str, cipher: PersonalDataCipher) -> Fixtures:
    conn = await asyncpg.connect(url)
    try:
        coordinator = await _token(conn, generate_cases.COORDINATOR_EMAIL)
        partner = await _token(conn, generate_cases.PARTNER_EMAIL)
        admin_token = await _admin_token(conn)
        principals = [await _principal(conn, token) for token in (coordinator[0], partner[0], admin_token)]
        listings = await conn.fetch(
            "SELECT service_id FROM search_document WHERE visibility = 'public' AND status <> 'inactive'"
            " ORDER BY service_id LIMIT $1",
            LIST_LENGTH,
        )
        shelters = await conn.fetch(
            "SELECT id FROM service WHERE capacity_total IS NOT NULL ORDER BY id LIMIT $1", LIST_LENGTH
        )
        referrals = await conn.fetch(
            "SELECT id FROM referral WHERE receiving_organization_id = $1 AND status IN ('in_progress', 'on_hold')"
            " ORDER BY id LIMIT $2",
            generate_cases.PARTNER_ORGANIZATION,
            LIST_LENGTH,
        )
    finally:
        await conn.close()
    return Fixtures(
        coordinator_token=coordinator[0],
        partner_token=partner[0],
        admin_token=admin_token,
        coordinator=principals[0],
        partner=principals[1],
        admin=principals[2],
        listings=[r[0] for r in listings],
        shelters=[r[0] for r in shelters],
        referrals=[r[0] for r in referrals],
        cipher=cipher,
    )
