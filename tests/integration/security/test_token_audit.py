"""No one acts as someone else without trace. Every bearer token issued is audited (who, for whom,
label, expiry); an administrator (who has no case access) cannot mint a token for a case-holding
role without giving a reason, which is audited too; every audit entry names the token or session
that acted, so a case read with a minted token leads back to its issuance; reading the audit log
is itself audited; and ``ketnoi audit-verify`` still holds over entries from before and after."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import pytest

from service import audit, cli
from service.web import session
from tests.integration.conftest import DATA_KEY, PASSWORD
from tests.integration.security.conftest import Scene


async def entries(pool: asyncpg.Pool, action: str) -> list[dict[str, Any]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT * FROM audit_log WHERE action = $1 ORDER BY id", action)
    return [dict(row) for row in rows]


def tokens_path(scene: Scene, role: str) -> str:
    return f"/admin/users/{scene.actor(role).user_id}/tokens"


async def test_a_token_issued_on_the_admin_page_is_audited(scene: Scene) -> None:
    form = {"label": "sync", "hours": "5", "reason": "Listing sync script"}
    response = await scene.send("admin", "POST", tokens_path(scene, "partner"), form=form)
    assert response.status_code == 201
    [issued] = await entries(scene.pool, "token.issue")
    assert issued["actor_id"] == scene.actors.admin.user_id
    assert issued["session_id"] is not None  # the admin's browser session did it
    details = issued["details"]
    assert details["for_user_id"] == str(scene.actors.partner.user_id)
    assert details["label"] == "sync" and details["expires_at"]
    async with scene.pool.acquire() as conn:
        token = await conn.fetchval("SELECT id FROM api_token WHERE label = 'sync'")
    assert issued["entity_id"] == token


@pytest.mark.parametrize("role", ["partner", "caseworker", "coordinator"])  # partners read referral summaries
async def test_a_token_for_an_account_reading_survivor_data_needs_a_reason(scene: Scene, role: str) -> None:
    path = tokens_path(scene, role)
    async with scene.pool.acquire() as conn:
        before = await conn.fetchval("SELECT count(*) FROM api_token")
    refused = await scene.send("admin", "POST", path, form={"label": "x", "hours": "5"})
    assert refused.status_code == 422
    assert 'name="reason"' in refused.text
    async with scene.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM api_token") == before
    given = await scene.send("admin", "POST", path, form={"label": "x", "hours": "5", "reason": "Field tablet #4"})
    assert given.status_code == 201
    [issued] = await entries(scene.pool, "token.issue")
    assert issued["details"]["reason"] == "Field tablet #4"


async def test_a_case_read_with_a_minted_token_leads_back_to_its_issuance(scene: Scene) -> None:
    page = await scene.send(
        "admin", "POST", tokens_path(scene, "caseworker"), form={"label": "m", "hours": "1", "reason": "test"}
    )
    token = page.text.split('id="issued-token" type="text" readonly value="', 1)[1].split('"', 1)[0]
    case = f"/api/v1/survivors/{scene.ids['survivor_id']}"
    assert (await scene.client.get(case, headers={"Authorization": f"Bearer {token}"})).status_code == 200
    async with scene.pool.acquire() as conn:
        read = await conn.fetchrow(
            "SELECT token_id, session_id FROM audit_log WHERE entity_id = $1::uuid ORDER BY id DESC LIMIT 1",
            scene.ids["survivor_id"],
        )
    [issued] = await entries(scene.pool, "token.issue")
    assert read["token_id"] == issued["entity_id"] and read["session_id"] is None
    assert issued["actor_id"] == scene.actors.admin.user_id


async def test_a_page_read_names_the_session(scene: Scene) -> None:
    assert (await scene.send("caseworker", "GET", f"/cases/{scene.ids['survivor_id']}")).status_code == 200
    async with scene.pool.acquire() as conn:
        read = await conn.fetchrow(
            "SELECT token_id, session_id FROM audit_log WHERE entity_id = $1::uuid ORDER BY id DESC LIMIT 1",
            scene.ids["survivor_id"],
        )
        session_ids = await conn.fetch("SELECT id FROM web_session WHERE user_id = $1", scene.actors.caseworker.user_id)
    assert read["token_id"] is None and read["session_id"] in {row["id"] for row in session_ids}


async def test_logging_in_for_a_token_is_audited(scene: Scene) -> None:
    body = {"email": scene.actors.caseworker.email, "password": PASSWORD}
    assert (await scene.client.post("/api/v1/auth/tokens", json=body)).status_code == 201
    [issued] = await entries(scene.pool, "token.issue")
    assert issued["actor_id"] == scene.actors.caseworker.user_id
    assert issued["details"]["for_user_id"] == str(scene.actors.caseworker.user_id)


async def test_reading_the_audit_log_is_audited(scene: Scene) -> None:
    response = await scene.send("admin", "GET", "/api/v1/audit?entity=survivor")
    assert response.status_code == 200
    [read] = await entries(scene.pool, "audit.read")
    assert read["actor_id"] == scene.actors.admin.user_id
    assert read["token_id"] is not None
    assert read["details"]["filters"] == {"entity": "survivor"}


async def test_audit_verify_holds_over_old_and_new_entries_and_sees_a_changed_token(scene: Scene) -> None:
    async with scene.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE token_id IS NOT NULL") > 0
        assert (await audit.verify(conn)).intact
        changed = await conn.fetchval("SELECT max(id) FROM audit_log WHERE token_id IS NOT NULL")
        await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        try:
            await conn.execute("UPDATE audit_log SET token_id = $2 WHERE id = $1", changed, uuid.uuid4())
            report = await audit.verify(conn)
            assert (report.first_broken_id, report.problem) == (changed, "this entry was changed")
            await conn.execute("UPDATE audit_log SET token_id = NULL WHERE id = $1", changed)
            assert not (await audit.verify(conn)).intact  # erasing the token is a change too
        finally:
            await conn.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")


@pytest.fixture
def command_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("KETNOI_DATABASE_URL", database_url)
    monkeypatch.setenv("KETNOI_DATA_KEY", DATA_KEY)


async def test_create_token_is_audited_and_needs_a_reason_unless_for_an_admin(
    scene: Scene, command_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    email = scene.actors.caseworker.email or ""
    # the command runs its own event loop, as it does from a shell
    assert await asyncio.to_thread(cli.main, ["create-token", "--email", email]) == 2
    assert "reason" in capsys.readouterr().out
    assert await entries(scene.pool, "token.issue") == []
    assert (
        await asyncio.to_thread(
            cli.main, ["create-token", "--email", email, "--reason", "Tablet for the outreach team"]
        )
        == 0
    )
    [issued] = await entries(scene.pool, "token.issue")
    assert issued["actor_id"] is None
    assert issued["details"]["for_user_id"] == str(scene.actors.caseworker.user_id)
    assert issued["details"]["reason"] == "Tablet for the outreach team"
    assert issued["details"]["issued_with"].startswith("cli")
    # a partner reads the referral summaries sent to its organization: a reason too
    assert await asyncio.to_thread(cli.main, ["create-token", "--email", scene.actors.partner.email or ""]) == 2
    assert await asyncio.to_thread(cli.main, ["create-token", "--email", scene.actors.admin.email or ""]) == 0


async def test_revoking_another_users_token_is_audited(scene: Scene) -> None:
    user, token = scene.ids["user_id"], scene.ids["token_id"]
    revoked = await scene.send("admin", "POST", f"/admin/users/{user}/tokens/{token}/revoke")
    assert revoked.status_code == 303
    [entry] = await entries(scene.pool, "token.revoke")
    assert (entry["actor_id"], entry["entity_id"]) == (scene.actors.admin.user_id, uuid.UUID(token))
    assert entry["details"]["for_user_id"] == user
    again = await scene.send("admin", "POST", f"/admin/users/{user}/tokens/{token}/revoke")
    assert again.status_code == 303
    assert len(await entries(scene.pool, "token.revoke")) == 1  # nothing was revoked the second time


async def test_signing_in_on_the_page_is_audited_as_the_session_that_later_reads(scene: Scene) -> None:
    before = {entry["id"] for entry in await entries(scene.pool, "session.start")}  # the scene's own
    form = {"email": scene.actors.caseworker.email or "", "password": PASSWORD, "next": "/"}
    signed_in = await scene.send("public", "POST", "/login", form=form)
    assert signed_in.status_code == 303, signed_in.text
    [start] = [entry for entry in await entries(scene.pool, "session.start") if entry["id"] not in before]
    assert start["actor_id"] == scene.actors.caseworker.user_id and start["session_id"] is not None
    cookie = f"{session.COOKIE}={signed_in.cookies[session.COOKIE]}"
    case = await scene.client.get(f"/cases/{scene.ids['survivor_id']}", headers={"cookie": cookie})
    assert case.status_code == 200
    async with scene.pool.acquire() as conn:
        read = await conn.fetchrow(
            "SELECT session_id FROM audit_log WHERE entity_id = $1::uuid ORDER BY id DESC LIMIT 1",
            scene.ids["survivor_id"],
        )
    assert read["session_id"] == start["session_id"]


async def test_revoking_ones_own_token_is_audited(scene: Scene) -> None:
    revoked = await scene.client.delete("/api/v1/auth/tokens/current", headers=scene.actors.partner.headers)
    assert revoked.status_code == 204
    [entry] = await entries(scene.pool, "token.revoke")
    assert entry["actor_id"] == scene.actors.partner.user_id and entry["entity_id"] == entry["token_id"]
