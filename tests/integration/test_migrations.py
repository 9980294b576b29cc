"""Migrations: applied once, in order, even when several replicas start at the same moment."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import asyncpg
import pytest
from cryptography.exceptions import InvalidTag

from service.bootstrap import prepare_database
from service.crypto import PersonalDataCipher, new_key, parse_key
from service.db import migration_files
from service.reintegration import free_text


async def test_replicas_starting_together_apply_each_migration_once(
    fresh_db: Callable[[str], Awaitable[str]],
) -> None:
    url = await fresh_db("kn_migrations")
    connections = [await asyncpg.connect(url) for _ in range(4)]
    cipher = PersonalDataCipher(parse_key(new_key()))
    try:
        results = await asyncio.gather(*(prepare_database(conn, cipher) for conn in connections))
        names = [name for name, _ in migration_files()]
        assert sorted(results, key=len)[-1] == names
        assert sum(len(applied) for applied in results) == len(names)
        recorded = await connections[0].fetch("SELECT name FROM schema_migration ORDER BY name")
        assert [row["name"] for row in recorded] == names
        assert await connections[0].fetchval("SELECT count(*) FROM province") == 34
        assert await prepare_database(connections[0], cipher) == []
    finally:
        for conn in connections:
            await conn.close()


async def test_the_free_text_migration_encrypts_the_rows_written_before_it(
    fresh_db: Callable[[str], Awaitable[str]],
) -> None:
    """Texts stored in clear before migration 0015 come out of it encrypted, bound to their rows,
    and the clear columns are gone; replicas running it together encrypt each row once."""
    url = await fresh_db("kn_free_text")
    conn = await asyncpg.connect(url)
    cipher = PersonalDataCipher(parse_key(new_key()))
    ids = {name: uuid.uuid4() for name in ("org", "service", "case", "consent", "plan", "milestone", "referral")}
    try:
        async with conn.transaction():
            await conn.execute("CREATE TABLE schema_migration (name text PRIMARY KEY, applied_at timestamptz)")
            for name, sql in migration_files():
                if name >= "0015":
                    break
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migration (name) VALUES ($1)", name)
        await conn.execute("INSERT INTO organization (id, name, kind) VALUES ($1, 'Hội', 'ngo')", ids["org"])
        await conn.execute(
            "INSERT INTO service (id, organization_id, name, status, fee, visibility)"
            " VALUES ($1, $2, 'Nhà tạm lánh', 'active', 'free', 'public')",
            ids["service"],
            ids["org"],
        )
        await conn.execute(
            "INSERT INTO survivor (id, case_code, organization_id, case_type, identification_status, home_commune,"
            " contact_safe_hours) VALUES ($1, 'CT-2025-0001', $2, 'at_risk', 'reported', 'Xã Cũ', 'sau 18 giờ')",
            ids["case"],
            ids["org"],
        )
        await conn.execute(
            "INSERT INTO consent (id, survivor_id, purpose, method, evidence)"
            " VALUES ($1, $2, 'referral', 'written', 'Phiếu cũ')",
            ids["consent"],
            ids["case"],
        )
        await conn.execute(
            "INSERT INTO plan (id, survivor_id, number, notes, review_note) VALUES ($1, $2, 1, 'Ghi chú cũ', '')",
            ids["plan"],
            ids["case"],
        )
        await conn.execute(
            "INSERT INTO milestone (id, plan_id, domain, title, note) VALUES ($1, $2, 'health', 'Khám cũ', '')",
            ids["milestone"],
            ids["plan"],
        )
        await conn.execute(
            "INSERT INTO referral (id, survivor_id, service_id, receiving_organization_id, referring_organization_id,"
            " consent_id, urgency, shared_summary, status) VALUES ($1, $2, $3, $4, $4, $5, 'routine', 'Tóm tắt cũ',"
            " 'sent')",
            ids["referral"],
            ids["case"],
            ids["service"],
            ids["org"],
            ids["consent"],
        )
        event = await conn.fetchval(
            "INSERT INTO referral_event (referral_id, to_status, note) VALUES ($1, 'sent', 'Ghi chú sự kiện cũ')"
            " RETURNING id",
            ids["referral"],
        )
        follow_up = uuid.uuid4()
        await conn.execute(
            "INSERT INTO follow_up (id, survivor_id, date, method, notes, indicators, scoring_version)"
            " VALUES ($1, $2, '2025-01-01', 'phone', 'Thăm cũ', '{}', 'v1')",
            follow_up,
            ids["case"],
        )
        replicas = [await asyncpg.connect(url) for _ in range(3)]
        try:
            results = await asyncio.gather(*(prepare_database(replica, cipher) for replica in replicas))
        finally:
            for replica in replicas:
                await replica.close()
        pending = [name for name, _ in migration_files() if name >= "0015"]
        assert sorted(results, key=len) == [[], [], pending]

        clear = await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
            " AND (table_name, column_name) IN (('survivor', 'home_commune'), ('consent', 'evidence'),"
            " ('plan', 'notes'), ('milestone', 'title'), ('referral', 'shared_summary'), ('referral_event', 'note'),"
            " ('follow_up', 'notes'))"
        )
        assert clear == []
        seen = {
            "home_commune": free_text.CASE.reveal(
                cipher, await conn.fetchrow("SELECT * FROM survivor"), "home_commune"
            ),
            "safe_hours": free_text.CASE.reveal(
                cipher, await conn.fetchrow("SELECT * FROM survivor"), "contact_safe_hours"
            ),
            "evidence": free_text.CONSENT.reveal(cipher, await conn.fetchrow("SELECT * FROM consent"), "evidence"),
            "plan": free_text.PLAN.reveal(cipher, await conn.fetchrow("SELECT * FROM plan"), "notes"),
            "review": free_text.PLAN.reveal(cipher, await conn.fetchrow("SELECT * FROM plan"), "review_note"),
            "title": free_text.MILESTONE.reveal(cipher, await conn.fetchrow("SELECT * FROM milestone"), "title"),
            "summary": free_text.REFERRAL.reveal(
                cipher, await conn.fetchrow("SELECT * FROM referral"), "shared_summary"
            ),
            "event": free_text.REFERRAL_EVENT.reveal(
                cipher, await conn.fetchrow("SELECT * FROM referral_event WHERE id = $1", event), "note"
            ),
            "follow_up": free_text.FOLLOW_UP.reveal(cipher, await conn.fetchrow("SELECT * FROM follow_up"), "notes"),
        }
        assert seen == {
            "home_commune": "Xã Cũ",
            "safe_hours": "sau 18 giờ",
            "evidence": "Phiếu cũ",
            "plan": "Ghi chú cũ",
            "review": "",
            "title": "Khám cũ",
            "summary": "Tóm tắt cũ",
            "event": "Ghi chú sự kiện cũ",
            "follow_up": "Thăm cũ",
        }
        # bound to its row: the summary cannot be read as another referral's
        row = dict(await conn.fetchrow("SELECT * FROM referral"))
        with pytest.raises(InvalidTag):
            free_text.REFERRAL.reveal(cipher, row, "shared_summary", record=uuid.uuid4())
    finally:
        await conn.close()
