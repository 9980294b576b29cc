"""User administration is for admins; deactivation and new passwords revoke tokens."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.conftest import Actors


async def post_user(client: httpx.AsyncClient, headers: dict[str, str], **user: str) -> httpx.Response:
    """Ask to create ``user`` (its fields as the JSON body) with ``headers``."""
    return await client.post("/api/v1/users", headers=headers, json=user)


@pytest.mark.parametrize("who", ["public", "partner", "caseworker", "coordinator"])
async def test_only_admins_manage_users(client: httpx.AsyncClient, actors: Actors, who: str) -> None:
    headers = getattr(actors, who).headers
    expected = 401 if who == "public" else 403
    assert (await client.get("/api/v1/users", headers=headers)).status_code == expected
    created = await post_user(client, headers, email="new@example.org", password="long enough pw", role="admin")
    assert created.status_code == expected
    # single users are out of scope for non-admins: 404, not a hint that the id exists; the anonymous
    # are told to log in first, whatever the id
    single = await client.get(f"/api/v1/users/{actors.admin.user_id}", headers=headers)
    assert single.status_code == (401 if who == "public" else 404)


async def test_admin_creates_lists_and_updates_users(client: httpx.AsyncClient, actors: Actors) -> None:
    admin = actors.admin.headers
    created = await post_user(
        client,
        admin,
        email="lan@example.org",
        password="a long password",
        role="caseworker",
        organization_id=str(actors.org),
        display_name="Chị Lan",
    )
    assert created.status_code == 201
    user = created.json()
    assert "password" not in user and "password_hash" not in user
    listed = (await client.get("/api/v1/users", headers=admin, params={"per_page": 100})).json()
    assert listed["total"] == 6
    assert "lan@example.org" in {u["email"] for u in listed["items"]}
    patched = await client.patch(f"/api/v1/users/{user['id']}", headers=admin, json={"display_name": "Lan"})
    assert patched.json()["display_name"] == "Lan"


async def test_duplicate_email_is_a_conflict(client: httpx.AsyncClient, actors: Actors) -> None:
    response = await post_user(
        client, actors.admin.headers, email="PARTNER@example.org", password="a long password", role="admin"
    )
    assert response.status_code == 409


async def test_staff_roles_need_an_organization(client: httpx.AsyncClient, actors: Actors) -> None:
    response = await post_user(
        client, actors.admin.headers, email="x@example.org", password="a long password", role="partner"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "organization_id"


async def test_deactivating_a_user_revokes_their_tokens(client: httpx.AsyncClient, actors: Actors) -> None:
    assert (await client.get("/api/v1/me", headers=actors.partner.headers)).status_code == 200
    response = await client.patch(
        f"/api/v1/users/{actors.partner.user_id}", headers=actors.admin.headers, json={"active": False}
    )
    assert response.status_code == 200
    assert (await client.get("/api/v1/me", headers=actors.partner.headers)).status_code == 401


async def test_unknown_fields_and_weak_passwords_are_rejected(client: httpx.AsyncClient, actors: Actors) -> None:
    weak = await post_user(client, actors.admin.headers, email="y@example.org", password="short", role="admin")
    assert weak.status_code == 400
    extra = await client.patch(
        f"/api/v1/users/{actors.partner.user_id}", headers=actors.admin.headers, json={"is_superuser": True}
    )
    assert extra.status_code == 400
