"""Secrets never reach the logs: passwords (right and wrong), bearer tokens (issued, used, forged),
session cookies and CSRF tokens, and a survivor's identifiers, sent through logins, the API and the
pages — including requests that fail — with every logger at DEBUG. (``ketnoi serve`` runs uvicorn
with its access log off, so no request line is logged by the server either.)"""

from __future__ import annotations

import logging

import pytest

from service.auth import repo as auth_repo
from tests.integration.conftest import PASSWORD
from tests.integration.reintegration.world import CASE_BODY
from tests.integration.security.conftest import ROLES, Scene

IDENTIFIERS = {
    "full_name": "Trần Thị Nhật Ký",
    "phone": "0987 654 321",
    "address": "Số 7 hẻm Bí Danh",
    "id_document_number": "079301009999",
}
WRONG_PASSWORD = "not-her-password-Z7"
FORGED_TOKEN = "forged-token-6f1c2a9d"
CLIENT_SIDE = ("httpx", "httpcore")  # the test client logs its own requests; the service is what is tested


async def fail(*args: object, **kwargs: object) -> None:
    raise RuntimeError("the database went away mid-request")


async def test_secrets_and_identifiers_never_reach_the_logs(
    scene: Scene, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    client, actors = scene.client, scene.actors
    partner, caseworker = actors.partner, actors.caseworker.headers
    secrets = [PASSWORD, WRONG_PASSWORD, FORGED_TOKEN, scene.csrf, *scene.sessions.values(), *IDENTIFIERS.values()]
    secrets += [scene.actor(role).token or "" for role in ROLES if scene.actor(role).token]

    issued = await client.post("/api/v1/auth/tokens", json={"email": partner.email, "password": PASSWORD})
    secrets.append(issued.json()["token"])
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued.json()['token']}"})).is_success
    refused = await client.post("/api/v1/auth/tokens", json={"email": partner.email, "password": WRONG_PASSWORD})
    assert refused.status_code == 401
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {FORGED_TOKEN}"})).status_code == 401

    login = {"email": partner.email or "", "password": PASSWORD, "next": "/"}
    logged_in = await scene.send("public", "POST", "/login", form=login)
    secrets.append(logged_in.cookies["kn_session"])
    assert (await scene.send("public", "POST", "/login", form={**login, "password": WRONG_PASSWORD})).status_code == 401

    case = await client.post("/api/v1/survivors", headers=caseworker, json={**CASE_BODY, **IDENTIFIERS})
    survivor = case.json()["id"]
    for path in (
        f"/api/v1/survivors/{survivor}",
        f"/api/v1/survivors/{survivor}/export",
    ):
        assert (await client.get(path, headers=caseworker)).status_code == 200, path
    lookup = {"full_name": IDENTIFIERS["full_name"]}
    assert (await client.post("/api/v1/survivors/lookup", headers=caseworker, json=lookup)).status_code == 200
    # a name put in the URL is refused, and the refusal does not repeat it in the log either
    named_url = f"/api/v1/survivors?full_name={IDENTIFIERS['full_name']}"
    assert (await client.get(named_url, headers=caseworker)).status_code == 422
    assert (await scene.send("caseworker", "GET", f"/cases/{survivor}")).status_code == 200
    renamed = await client.patch(f"/api/v1/survivors/{survivor}", headers=caseworker, json={"phone": "x" * 201})
    assert renamed.status_code == 400  # refused input: the validation error must not echo it to the log
    named = {"survivor_id": survivor, "service_id": scene.ids["service_id"], "shared_summary": IDENTIFIERS["full_name"]}
    assert (await client.post("/api/v1/referrals", headers=caseworker, json=named)).status_code == 422
    # unexpected failures while a password and a token are in the request: logged with tracebacks
    with monkeypatch.context() as patched:
        patched.setattr(auth_repo, "credentials", fail)
        patched.setattr(auth_repo, "principal_for_token", fail)
        login_body = {"email": partner.email, "password": PASSWORD}
        assert (await client.post("/api/v1/auth/tokens", json=login_body)).status_code == 500
        assert (await client.get("/api/v1/me", headers=partner.headers)).status_code == 500

    records = [record for record in caplog.records if not record.name.startswith(CLIENT_SIDE)]
    assert any(record.exc_info for record in records), "the service's error log was not captured"
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    logged = "\n".join(formatter.format(record) for record in records)
    leaked = [secret for secret in secrets if secret and secret in logged]
    assert leaked == [], logged[:2000]
