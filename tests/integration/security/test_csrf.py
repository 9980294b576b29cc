"""Cross-site request forgery: every state-changing page route (read from the route table: a method
other than GET/HEAD outside /api/) refuses a request without a valid CSRF token with 403 and changes
nothing, even when sent by someone allowed to make it with the token (the route matrix shows it
then goes through). The API is exempt from CSRF, so it must never act on a browser's session cookie.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.middleware.csrf import generate_csrf_token

from service.crypto import new_key
from tests.integration.listings import service_body
from tests.integration.security.conftest import CsrfPair, Scene
from tests.integration.security.matrix import MATRIX, allowed_role, request_of
from tests.integration.security.routes import SAFE_METHODS, Route, app_routes


def form_routes(app: Litestar) -> list[Route]:
    return sorted(
        (method, template)
        for method, template in app_routes(app)
        if method not in SAFE_METHODS and not template.startswith("/api/")
    )


def forgeries(scene: Scene) -> dict[str, CsrfPair]:
    """Ways a forged or careless request lacks the token (cookie, header)."""
    foreign = generate_csrf_token(secret=new_key())  # well-formed, signed with another key
    return {
        "no token at all": (None, None),
        "the cookie alone": (scene.csrf, None),
        "the token alone": (None, scene.csrf),
        "a token from another key": (scene.csrf, foreign),
        "a matching pair from another key": (foreign, foreign),
        "a garbled token": (scene.csrf, scene.csrf[:-4] + "AAAA"),
    }


async def test_every_page_form_refuses_a_request_without_the_csrf_token(app: Litestar, scene: Scene) -> None:
    routes = form_routes(app)
    assert ("POST", "/login") in routes and ("POST", "/cases/{survivor_id:uuid}/consents") in routes
    failures = []
    before = await scene.fingerprint()
    for route in routes:
        entry = MATRIX[route]
        role = allowed_role(entry)
        method, path, body = request_of(scene, route, entry)
        for how, pair in forgeries(scene).items():
            response = await scene.send(role, method, path, **body, csrf=pair)
            if response.status_code != 403:
                failures.append((method, path, role, how, response.status_code))
            if (after := await scene.fingerprint()) != before:
                failures.append((method, path, role, how, "changed something"))
                before = after
    assert not failures, "\n".join(map(str, failures))


async def test_the_api_never_acts_on_a_session_cookie(scene: Scene) -> None:
    """A page's session cookie reaches the API too, where no CSRF token is asked for: it must count
    for nothing there, or any site could make a logged-in browser call the API."""
    cookie = {"cookie": f"kn_session={scene.sessions['admin']}"}
    assert (await scene.client.get("/api/v1/me", headers=cookie)).status_code == 401
    before = await scene.fingerprint()
    created = await scene.client.post("/api/v1/services", headers=cookie, json=service_body(scene.actors.org))
    assert created.status_code == 401
    patched = await scene.client.patch(f"/api/v1/users/{scene.ids['user_id']}", headers=cookie, json={"active": False})
    assert patched.status_code == 401  # an account-only operation: the cookie makes nobody signed in
    assert await scene.fingerprint() == before
