"""Password guessing is throttled wherever a password is accepted: the login form and the token API
count failures together, and once an account is throttled even its right password is refused.
(tests/integration/auth/test_tokens.py covers the API on its own.)"""

from __future__ import annotations

from service.auth.login import LIMITS
from tests.integration.conftest import PASSWORD
from tests.integration.security.conftest import Scene


async def test_the_form_and_the_api_share_one_throttle(scene: Scene) -> None:
    email = scene.actors.partner.email or ""
    for attempt in range(LIMITS["email"]):
        guess = {"email": email, "password": f"guess-{attempt}", "next": "/"}
        assert (await scene.send("public", "POST", "/login", form=guess)).status_code == 401
    api = await scene.client.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD})
    assert api.status_code == 429
    assert int(api.headers["retry-after"]) > 0
    form = await scene.send("public", "POST", "/login", form={"email": email, "password": PASSWORD, "next": "/"})
    assert form.status_code == 429 and "kn_session" not in form.cookies
    # another account is not locked out by this one's guesses
    other = {"email": scene.actors.caseworker.email, "password": PASSWORD}
    assert (await scene.client.post("/api/v1/auth/tokens", json=other)).status_code == 201
