"""The demo cases (loaded with the demo directory): enough fictional work, in every state, for the
dashboards to show something real, all of it recorded through the use cases (encrypted, audited)."""

from __future__ import annotations

import asyncpg
from litestar import Litestar

from service import audit
from service.reintegration.plan_models import PlanStatus
from service.reintegration.referral_models import ReferralStatus


async def test_demo_cases_cover_every_state_and_stay_encrypted_and_audited(demo_app: Litestar) -> None:
    pool: asyncpg.Pool = demo_app.state.pool
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM survivor") >= 30

        statuses = {
            row["status"]
            for row in await conn.fetch(
                "SELECT CASE WHEN status = 'sent' AND due_at <= now() THEN 'expired' ELSE status END AS status"
                " FROM referral"
            )
        }
        assert statuses >= {s.value for s in ReferralStatus if s is not ReferralStatus.DRAFT}
        assert await conn.fetchval("SELECT count(*) FROM referral WHERE emergency_approved_by IS NOT NULL") >= 1
        assert await conn.fetchval("SELECT count(*) FROM consent WHERE withdrawn_at IS NOT NULL") >= 1

        plan_states = {row["status"] for row in await conn.fetch("SELECT DISTINCT status FROM plan")}
        assert plan_states == {s.value for s in PlanStatus}
        domains = await conn.fetchval("SELECT count(DISTINCT domain) FROM milestone")
        assert domains == 11
        overdue = await conn.fetchval(
            "SELECT count(*) FROM milestone WHERE status IN ('planned', 'in_progress') AND target_date < current_date"
        )
        assert overdue >= 1

        assert await conn.fetchval("SELECT count(*) FROM follow_up WHERE composite IS NOT NULL") >= 30

        report = await audit.verify(conn)
        assert report.intact, report.problem

        # a byte search: ciphertext holds NUL bytes, which no text conversion accepts
        plaintext = await conn.fetchval(
            "SELECT count(*) FROM survivor WHERE position(convert_to('Demo', 'UTF8') IN full_name_enc) > 0"
            " OR position(convert_to('0999', 'UTF8') IN phone_enc) > 0"
        )
        assert plaintext == 0
        assert await conn.fetchval("SELECT count(*) FROM survivor WHERE full_name_enc IS NULL") == 0
