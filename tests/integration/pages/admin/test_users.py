"""Admin pages for users and their tokens: create, edit, errors next to fields, tokens that work."""

from __future__ import annotations

import re
import uuid

import asyncpg
import httpx

from tests.integration.conftest import Actors
from tests.integration.pages.conftest import Browser, text

NEW_PASSWORD = "a long new password 2026"


async def admin(browser: Browser, actors: Actors) -> None:
    await browser.login(actors.admin)
    await browser.get("/lang/en")


async def test_admin_creates_a_user_who_can_log_in(browser: Browser, actors: Actors, pool: asyncpg.Pool) -> None:
    await admin(browser, actors)
    listing = await browser.get("/admin/users")
    assert listing.status_code == 200 and actors.caseworker.email in listing.text
    created = await browser.submit(
        "/admin/users",
        {
            "email": "lan.worker@example.org",
            "display_name": "Chị Lan",
            "role": "caseworker",
            "organization_id": str(actors.other_org),
            "work_phone": "0299 555 201",
            "password": NEW_PASSWORD,
        },
    )
    assert created.status_code == 303 and created.headers["location"].startswith("/admin/users/")
    assert "The user was created" in text(await browser.get(created.headers["location"]))
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT role, organization_id, work_phone FROM app_user WHERE email = 'lan.worker@example.org'"
        )
    assert row is not None and (row["role"], row["organization_id"]) == ("caseworker", actors.other_org)
    assert row["work_phone"] == "0299 555 201"  # set when the account is made, not in a second step
    browser.client.cookies.clear()
    await browser.login("lan.worker@example.org", NEW_PASSWORD)
    assert "/cases" in (await browser.get("/")).text  # the caseworker's navigation


async def test_duplicate_email_keeps_the_input_and_creates_nothing(
    browser: Browser, actors: Actors, pool: asyncpg.Pool
) -> None:
    await admin(browser, actors)
    response = await browser.submit(
        "/admin/users",
        {
            "email": actors.partner.email,
            "display_name": "Người trùng",
            "role": "partner",
            "organization_id": str(actors.org),
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 409
    assert 'id="e-email"' in response.text and "already exists" in text(response)
    assert 'value="Người trùng"' in response.text
    assert f'<option value="{actors.org}" selected>' in response.text
    assert NEW_PASSWORD not in response.text  # a password is never sent back
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM app_user WHERE display_name = 'Người trùng'") == 0


async def test_staff_role_without_organization_and_bad_fields_are_shown_next_to_them(
    browser: Browser, actors: Actors
) -> None:
    await admin(browser, actors)
    missing = await browser.submit(
        "/admin/users",
        {"email": "no.org@example.org", "role": "coordinator", "organization_id": "", "password": NEW_PASSWORD},
    )
    assert missing.status_code == 422 and 'id="e-organization_id"' in missing.text
    assert 'value="no.org@example.org"' in missing.text
    bad = await browser.submit("/admin/users", {"email": "not-an-email", "role": "admin", "password": "short"})
    assert bad.status_code == 422
    assert 'id="e-email"' in bad.text and 'id="e-password"' in bad.text


async def test_admin_edits_and_deactivates_a_user(
    browser: Browser, client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    await admin(browser, actors)
    form = await browser.get(f"/admin/users/{actors.partner.user_id}")
    assert form.status_code == 200 and 'value="partner"' in form.text
    saved = await browser.submit(
        f"/admin/users/{actors.partner.user_id}",
        {"display_name": "Đối tác mới", "role": "partner", "organization_id": str(actors.org)},
    )
    assert saved.status_code == 303
    # deactivation is its own step, behind a confirmation (tests/integration/security/test_confirmations.py)
    deactivated = await browser.submit(f"/admin/users/{actors.partner.user_id}/active", {"active": "false"})
    assert deactivated.status_code == 303
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT display_name, active FROM app_user WHERE id = $1", actors.partner.user_id)
    assert row is not None and (row["display_name"], row["active"]) == ("Đối tác mới", False)
    assert (await client.get("/api/v1/me", headers=actors.partner.headers)).status_code == 401  # tokens ended


async def test_token_page_issues_a_token_that_works_and_can_revoke_it(
    browser: Browser, client: httpx.AsyncClient, actors: Actors
) -> None:
    await admin(browser, actors)
    issued = await browser.submit(
        f"/admin/users/{actors.caseworker.user_id}/tokens",
        {"label": "báo cáo tỉnh", "hours": "24", "reason": "Báo cáo tỉnh hằng tháng"},
    )
    assert issued.status_code == 201 and issued.headers["cache-control"] == "no-store"
    match = re.search(r'id="issued-token" type="text" readonly value="(kn_[^"]+)"', issued.text)
    assert match and "Valid until" in text(issued)
    token = match.group(1)
    bearer = {"Authorization": f"Bearer {token}"}
    me = await client.get("/api/v1/me", headers=bearer)
    assert me.status_code == 200 and me.json()["email"] == actors.caseworker.email
    listing = await browser.get(f"/admin/users/{actors.caseworker.user_id}/tokens")
    assert "báo cáo tỉnh" in listing.text and token not in listing.text
    # the first listed is the newest: the one just issued
    revoke = re.search(r'action="(/admin/users/[^"]+/tokens/[^"]+/revoke)"', listing.text)
    assert revoke
    assert (await browser.submit(revoke.group(1))).status_code == 303
    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 401


async def test_non_admins_are_refused(browser: Browser, actors: Actors) -> None:
    anonymous = await browser.get("/admin/users")
    assert anonymous.status_code in (302, 303, 307) and anonymous.headers["location"].startswith("/login")
    await browser.login(actors.coordinator)
    for url in ("/admin/users", f"/admin/users/{actors.partner.user_id}", "/admin/organizations"):
        assert (await browser.get(url)).status_code == 403, url
    refused = await browser.submit(
        "/admin/users", {"email": "sneaky@example.org", "role": "admin", "password": NEW_PASSWORD}
    )
    assert refused.status_code == 403
    assert (await browser.submit(f"/admin/users/{actors.partner.user_id}/tokens", {"hours": "1"})).status_code == 403


async def test_forms_without_the_csrf_token_are_refused(browser: Browser, actors: Actors) -> None:
    await admin(browser, actors)
    response = await browser.client.post(
        "/admin/users", data={"email": "x@example.org", "role": "admin", "password": NEW_PASSWORD}
    )
    assert response.status_code == 403


async def test_unknown_ids_are_404_pages(browser: Browser, actors: Actors) -> None:
    await admin(browser, actors)
    for url in (
        f"/admin/users/{uuid.uuid4()}",
        f"/admin/users/{uuid.uuid4()}/tokens",
        f"/admin/organizations/{uuid.uuid4()}",
    ):
        response = await browser.get(url)
        assert response.status_code == 404 and response.headers["content-type"].startswith("text/html"), url
