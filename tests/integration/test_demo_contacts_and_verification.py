"""The demo data shows what the pages are for: the demo coordinator's verification queue has
listings due (last verified over six months ago), and a partner answering a demo referral sees
the caseworker's and the Women's Union's (fictional) work numbers."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Litestar

from service.auth import repo as auth_repo
from service.demo.directory import demo_id
from service.directory import verification


async def test_the_demo_coordinator_has_two_listings_to_verify(demo_app: Litestar) -> None:
    async with demo_app.state.pool.acquire() as conn:
        user_id = await conn.fetchval("SELECT id FROM app_user WHERE email = 'coordinator@ketnoi.demo'")
        coordinator = await auth_repo.principal_for_user(conn, user_id)
        assert await verification.due_count(conn, coordinator, datetime.now(UTC)) == 2
        stale = await conn.fetch(
            "SELECT id, now() - last_verified_at AS age FROM service"
            " WHERE last_verified_at < now() - interval '180 days'"
        )
    assert {row["id"] for row in stale} == {
        demo_id("service", "soctrang-counselling"),
        demo_id("service", "soctrang-rapid-response"),
    }
    assert all(row["age"].days in (220, 250) for row in stale)


async def test_the_demo_referrers_have_work_numbers(demo_app: Litestar) -> None:
    async with demo_app.state.pool.acquire() as conn:
        phone = await conn.fetchval("SELECT work_phone FROM app_user WHERE email = 'caseworker@ketnoi.demo'")
        contacts = await conn.fetch(
            "SELECT kind, value FROM contact_point WHERE organization_id = $1", demo_id("org", "vwu-cantho")
        )
    assert phone == "0299 555 0101"
    assert [tuple(c) for c in contacts] == [("phone", "0299 555 0100")]
