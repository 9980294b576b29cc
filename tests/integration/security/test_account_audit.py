"""Whoever decides what an account may read leaves a trace. Creating an account and changing its
role, organization, activity or password — through the users API, the admin pages or ``ketnoi
create-user`` — is audited with the access before and after, so an administrator who sets a
caseworker's password and signs in as her, or moves an account into another organization tree,
is found in the log next to the case reads that follow."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from service import cli
from tests.integration.conftest import DATA_KEY
from tests.integration.security.conftest import Scene


async def entries(pool: asyncpg.Pool, action: str) -> list[dict[str, Any]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT * FROM audit_log WHERE action = $1 ORDER BY id", action)
    return [dict(row) for row in rows]


async def test_setting_a_caseworkers_password_then_reading_as_her_is_traced(scene: Scene) -> None:
    caseworker = scene.actors.caseworker
    path = f"/api/v1/users/{caseworker.user_id}"
    changed = await scene.client.patch(path, headers=scene.actors.admin.headers, json={"password": "admin-knows-this"})
    assert changed.status_code == 200, changed.text
    [entry] = await entries(scene.pool, "user.change")
    assert (entry["actor_id"], entry["entity_id"]) == (scene.actors.admin.user_id, caseworker.user_id)
    assert entry["details"]["password_set"] is True
    assert "admin-knows-this" not in str(entry["details"])
    token = await scene.client.post(
        "/api/v1/auth/tokens", json={"email": caseworker.email, "password": "admin-knows-this"}
    )
    assert token.status_code == 201
    read = await scene.client.get(
        f"/api/v1/survivors/{scene.ids['survivor_id']}", headers={"Authorization": f"Bearer {token.json()['token']}"}
    )
    assert read.status_code == 200
    async with scene.pool.acquire() as conn:
        after = await conn.fetch("SELECT action FROM audit_log WHERE id > $1 ORDER BY id", entry["id"])
    assert [row["action"] for row in after][:2] == ["token.issue", "read"]


async def test_moving_an_account_to_another_tree_or_role_is_audited_with_before_and_after(scene: Scene) -> None:
    partner = scene.actors.partner
    body = {"role": "coordinator", "organization_id": str(scene.actors.other_org)}
    moved = await scene.client.patch(f"/api/v1/users/{partner.user_id}", headers=scene.actors.admin.headers, json=body)
    assert moved.status_code == 200, moved.text
    [entry] = await entries(scene.pool, "user.change")
    before, after = entry["details"]["before"], entry["details"]["after"]
    assert (before["role"], before["organization_id"]) == ("partner", str(scene.actors.org))
    assert (after["role"], after["organization_id"]) == ("coordinator", str(scene.actors.other_org))
    assert entry["details"]["password_set"] is False


async def test_accounts_created_on_the_api_and_the_page_and_deactivations_are_audited(scene: Scene) -> None:
    body = {"email": "moi@example.org", "password": "mật khẩu đủ dài", "role": "caseworker"}
    body["organization_id"] = str(scene.actors.org)
    created = await scene.client.post("/api/v1/users", headers=scene.actors.admin.headers, json=body)
    assert created.status_code == 201, created.text
    form = {"email": "trang@example.org", "role": "partner", "organization_id": str(scene.actors.org)}
    page = await scene.send("admin", "POST", "/admin/users", form={**form, "password": "mật khẩu đủ dài"})
    assert page.status_code == 303, page.text
    assert [
        (e["details"]["email"], e["details"]["created_with"]) for e in await entries(scene.pool, "user.create")
    ] == [
        ("moi@example.org", "api"),
        ("trang@example.org", "admin page"),
    ]
    user = created.json()["id"]
    off = await scene.send("admin", "POST", f"/admin/users/{user}/active", form={"active": "false"})
    assert off.status_code == 303
    [entry] = await entries(scene.pool, "user.change")
    assert (entry["details"]["before"]["active"], entry["details"]["after"]["active"]) == (True, False)


async def test_create_user_on_the_command_line_is_audited(
    scene: Scene, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("KETNOI_DATABASE_URL", database_url)
    monkeypatch.setenv("KETNOI_DATA_KEY", DATA_KEY)
    args = ["create-user", "--email", "cli@example.org", "--role", "admin", "--password", "mật khẩu đủ dài"]
    assert await asyncio.to_thread(cli.main, args) == 0
    [entry] = await entries(scene.pool, "user.create")
    assert entry["actor_id"] is None
    assert entry["details"]["role"] == "admin" and entry["details"]["created_with"].startswith("cli")
