"""Browser sessions: a login always issues a new session and ends the one the browser had (so a
session id planted before login, or taken before it, is worth nothing); the cookie is out of
scripts' reach; a new password or a deactivation signs the user out of every browser.
(tests/integration/pages/test_auth_pages.py covers logout and that each login's cookie differs.)"""

from __future__ import annotations

import httpx

from service.web.session import COOKIE
from tests.integration.conftest import PASSWORD
from tests.integration.security.conftest import CSRF_COOKIE, Scene


async def log_in(scene: Scene, email: str, cookie: str | None = None) -> httpx.Response:
    cookies = f"{CSRF_COOKIE}={scene.csrf}" + (f"; {COOKIE}={cookie}" if cookie else "")
    response = await scene.client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "next": "/"},
        headers={"cookie": cookies, "x-csrftoken": scene.csrf},
    )
    assert response.status_code == 303, response.text[:200]
    return response


async def signed_in(scene: Scene, cookie: str) -> bool:
    """Whether ``cookie`` opens the partner's page (the public is sent to the login form)."""
    response = await scene.client.get("/partner", headers={"cookie": f"{COOKIE}={cookie}"})
    return response.status_code == 200


async def test_a_login_replaces_the_session_the_browser_had(scene: Scene) -> None:
    email = scene.actors.partner.email or ""
    first = (await log_in(scene, email)).cookies[COOKIE]
    assert await signed_in(scene, first)
    second = (await log_in(scene, email, cookie=first)).cookies[COOKIE]
    assert second != first
    assert await signed_in(scene, second)
    assert not await signed_in(scene, first)  # the old token is dead, not just replaced in this browser


async def test_a_planted_session_id_is_never_adopted(scene: Scene) -> None:
    planted = "chosen-by-an-attacker-0123456789abcdef"
    issued = (await log_in(scene, scene.actors.partner.email or "", cookie=planted)).cookies[COOKIE]
    assert issued != planted
    assert not await signed_in(scene, planted)


async def test_the_session_cookie_is_http_only_same_site_and_secure(scene: Scene) -> None:
    scene.client.base_url = httpx.URL("https://testserver")  # Secure is for requests that came over HTTPS
    response = await log_in(scene, scene.actors.partner.email or "")
    header = next(value for value in response.headers.get_list("set-cookie") if value.startswith(f"{COOKIE}="))
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")}
    assert {"httponly", "secure", "samesite"} <= attributes
    assert "samesite=lax" in header.lower()


async def test_a_new_password_or_deactivation_ends_every_session(scene: Scene) -> None:
    admin, partner = scene.actors.admin.headers, scene.actors.partner
    session = (await log_in(scene, partner.email or "")).cookies[COOKIE]
    changed = await scene.client.patch(
        f"/api/v1/users/{partner.user_id}", headers=admin, json={"password": "a brand new password"}
    )
    assert changed.status_code == 200
    assert not await signed_in(scene, session)
    other = scene.sessions["other_partner"]
    assert await signed_in(scene, other)
    deactivated = await scene.client.patch(
        f"/api/v1/users/{scene.actors.other_partner.user_id}", headers=admin, json={"active": False}
    )
    assert deactivated.status_code == 200
    assert not await signed_in(scene, other)
