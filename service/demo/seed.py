"""``ketnoi seed-demo``: demo accounts (one per role), the demo directory and demo cases, loaded once."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import asyncpg
import msgspec

from service.auth import repo as auth_repo
from service.auth.models import Principal, Role
from service.auth.permissions import Action, allowed
from service.auth.secrets import hash_password
from service.crypto import PersonalDataCipher
from service.db import Connection, transact
from service.demo.cases import seed_demo_cases
from service.demo.directory import (
    demo_id,
    generated_organizations,
    generated_services,
    real_organizations,
    real_services,
)
from service.directory import listings
from service.directory import organizations as directory_organizations
from service.notify import centre

DEMO_UNREAD_NOTIFICATIONS = 3  # per demo user: enough to show the notification centre, not a backlog
DEMO_PASSWORD = "ketnoi-demo-2026"  # noqa: S105 - printed by `make run`; demo databases only


class DemoLogin(msgspec.Struct, frozen=True):
    email: str
    role: Role
    organization_key: str | None
    display_name: str
    work_phone: str | None = None  # fictional (the 0299 555 block)


DEMO_LOGINS = (
    DemoLogin("admin@ketnoi.demo", Role.ADMIN, None, "Quản trị viên"),
    DemoLogin("coordinator@ketnoi.demo", Role.COORDINATOR, "vwu-cantho", "Điều phối viên Cần Thơ"),
    DemoLogin("caseworker@ketnoi.demo", Role.CASEWORKER, "vwu-cantho", "Cán bộ hỗ trợ Cần Thơ", "0299 555 0101"),
    DemoLogin("partner@ketnoi.demo", Role.PARTNER, "peaceful-house", "Ngôi Nhà Bình Yên"),
)


async def _verify(conn: Connection, principal: Principal, service_id: uuid.UUID, days_ago: int) -> None:
    """Verify a listing, as if ``days_ago`` days ago: in the same transaction, so the search index
    (written after the commit) gets the date the listing keeps."""
    await listings.verify_service(conn, principal, service_id)
    if days_ago:
        await conn.execute(
            "UPDATE service SET last_verified_at = last_verified_at - make_interval(days => $2) WHERE id = $1",
            service_id,
            days_ago,
        )


async def is_seeded(pool: asyncpg.Pool) -> bool:
    async with pool.acquire() as conn:
        return bool(await conn.fetchval("SELECT EXISTS (SELECT 1 FROM organization)"))


async def seed_demo(
    pool: asyncpg.Pool, cipher: PersonalDataCipher, progress: Callable[[int, int], None] | None = None
) -> tuple[int, int]:
    """Load the demo data into an empty database; returns (listings, cases) created."""
    organizations = [*real_organizations(), *generated_organizations()]
    services = [*real_services(), *generated_services()]
    total = len(organizations) + len(services)
    done = 0
    system = Principal(role=Role.ADMIN)

    for organization in organizations:
        body = msgspec.structs.replace(
            organization.body, parent_id=demo_id("org", organization.parent_key) if organization.parent_key else None
        )
        await transact(pool, directory_organizations.create_organization, system, body, organization_id=organization.id)
        done += 1
        if progress:
            progress(done, total)

    logins: dict[Role, Principal] = {}
    password_hash = await hash_password(DEMO_PASSWORD)
    for login in DEMO_LOGINS:
        user = await transact(
            pool,
            auth_repo.create_user,
            email=login.email,
            password_hash=password_hash,
            role=login.role,
            organization_id=demo_id("org", login.organization_key) if login.organization_key else None,
            display_name=login.display_name,
            work_phone=login.work_phone,
        )
        logins[login.role] = await transact(pool, auth_repo.principal_for_user, user.id)

    admin, coordinator = logins[Role.ADMIN], logins[Role.COORDINATOR]
    for service in services:
        await transact(pool, listings.create_service, admin, service.body(), service_id=service.id)
        if service.verified:
            # the coordinator verifies the listings of their tree, the administrator the others
            mine = allowed(coordinator, Action.VERIFY_LISTING, service.body().organization_id)
            await transact(pool, _verify, coordinator if mine else admin, service.id, service.verified_days_ago)
        done += 1
        if progress:
            progress(done, total)
    cases = await seed_demo_cases(pool, cipher, logins, password_hash)
    # the cases' past steps notified people as they were taken; a fresh demo shows a few as news
    await transact(pool, centre.quiet_history, DEMO_UNREAD_NOTIFICATIONS)
    return len(services), cases
