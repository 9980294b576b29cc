"""``users_allowed`` finds exactly the users ``permissions.allowed`` lets in: for every action, on a
record of every organization of a tree (and of none), assigned to anyone or no one."""

from __future__ import annotations

import asyncpg

from service.auth import repo
from service.auth.audience import users_allowed
from service.auth.permissions import RULES, allowed
from tests.integration.reintegration.world import World


async def test_users_allowed_is_allowed_read_the_other_way_round(world: World, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        organizations = [row["id"] for row in await conn.fetch("SELECT id FROM organization")]
        users = [row["id"] for row in await conn.fetch("SELECT id FROM app_user WHERE active")]
        principals = [await repo.principal_for_user(conn, user) for user in users]
        assigned = [world.actors.caseworker.user_id, world.colleague.user_id, world.actors.coordinator.user_id, None]
        for action in RULES:
            for organization in [*organizations, None]:
                for assignee in assigned:
                    expected = {
                        p.user_id: p.role for p in principals if allowed(p, action, organization, assigned_to=assignee)
                    }
                    found = await users_allowed(conn, action, organization, assigned_to=assignee)
                    assert found == expected, (action, organization, assignee)
        assert len(organizations) >= 4  # a tree two deep and an unrelated organization


async def test_an_inactive_user_is_allowed_nothing(world: World, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute("UPDATE app_user SET active = false WHERE id = $1", world.actors.partner.user_id)
        found = await users_allowed(conn, next(iter(RULES)), world.actors.org)
    assert world.actors.partner.user_id not in found
