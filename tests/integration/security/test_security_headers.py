"""Security headers on every response — every GET route of the route table, static files, JSON,
problem documents, error pages, redirects and refusals — and pages that live within their policy:
no inline script, event handler or style anywhere in what the templates render."""

from __future__ import annotations

import httpx
from litestar import Litestar

from service.app import create_app
from service.config import Settings
from service.crypto import new_key
from service.web.headers import DOCS_POLICY, PAGE_POLICY
from tests.integration.security.conftest import ROLES, Scene
from tests.integration.security.markup import inline_code
from tests.integration.security.matrix import TESTED_HERE, request_for
from tests.integration.security.routes import app_routes

REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
DOCS = ("/schema", "/schema/redoc")


def directives(policy: str) -> dict[str, str]:
    return {name: value.strip() for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))}


def problems_with(response: httpx.Response, *, https: bool = True) -> list[str]:
    headers = response.headers
    found = []
    expected = {
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
        "x-frame-options": "DENY",
        "content-security-policy": DOCS_POLICY if response.url.path in DOCS else PAGE_POLICY,
    }
    for name, value in expected.items():
        if headers.get(name) != value:
            found.append(f"{name}: {headers.get(name)!r}")
    if https and not headers.get("strict-transport-security", "").startswith("max-age="):
        found.append("no Strict-Transport-Security")
    return found


def test_the_page_policy_allows_nothing_inline() -> None:
    assert directives(PAGE_POLICY) == REQUIRED_DIRECTIVES


def test_the_api_reference_policy_allows_this_origin_and_no_inline_script() -> None:
    docs = directives(DOCS_POLICY)
    assert docs["script-src"] == "'self'"  # Redoc is served from static/vendor/, no CDN
    assert "'unsafe-inline'" not in docs["script-src"] and "'unsafe-eval'" not in docs["script-src"]
    for name in ("default-src", "frame-ancestors", "base-uri", "form-action"):
        assert docs[name] == REQUIRED_DIRECTIVES[name]


async def test_every_response_carries_the_headers(app: Litestar, scene: Scene) -> None:
    scene.client.base_url = httpx.URL("https://testserver")  # HSTS is for requests that came over HTTPS
    failures = []
    for method, template in sorted(app_routes(app)):
        if method not in ("GET", "HEAD"):
            continue
        _method, path, _body = request_for(scene, (method, template))
        for role in ("public", "admin"):
            response = await scene.send(role, method, path)
            failures += [(method, path, role, response.status_code, p) for p in problems_with(response)]
    others = [
        scene.client.get("/no-such-page"),  # HTML 404 of the router itself
        scene.client.get("/api/v1/no-such-thing"),  # problem document 404
        scene.client.get("/api/v1/me"),  # 401
        scene.client.delete("/api/v1/provinces"),  # 405
        scene.client.post("/api/v1/services", content=b"{not json", headers=scene.actors.admin.headers),  # 400
        scene.client.post("/login", data={"email": "x@example.org", "password": "x"}),  # CSRF 403
        scene.client.get("/partner"),  # redirect to the login form
        scene.client.options("/api/v1/services"),
    ]
    for request in others:
        response = await request
        failures += [
            (response.request.method, response.url.path, response.status_code, p) for p in problems_with(response)
        ]
    assert not failures, "\n".join(map(str, failures))


async def test_strict_transport_security_only_when_served_over_https(database_url: str) -> None:
    """Over plain http, with an external database (tests/integration/security/test_secure_transport.py
    covers how a request counts as HTTPS)."""
    plain = create_app(Settings(database_url=database_url, data_key=new_key(), secret_key=new_key()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=plain), base_url="http://testserver") as client:
        for path in ("/static/css/app.css", "/no-such-page", "/healthz"):
            response = await client.get(path)
            assert "strict-transport-security" not in response.headers, path
            assert problems_with(response, https=False) == [], path


async def test_no_page_carries_inline_code(scene: Scene) -> None:
    """What the policy would refuse must not be in any page, for anyone who may open it."""
    failures = []
    for route, entry in TESTED_HERE.items():
        method, template = route
        if method != "GET" or template.startswith(("/api/", "/schema", "/static")):
            continue
        _method, path, _body = request_for(scene, route)
        for role, expected in zip(ROLES, entry.expected, strict=True):
            if expected != 200:
                continue
            response = await scene.send(role, "GET", path)
            failures += [(path, role, found) for found in inline_code(response.text)]
    for path in ("/no-such-page", "/login?next=/cases"):
        failures += [(path, found) for found in inline_code((await scene.client.get(path)).text)]
    assert not failures, "\n".join(map(str, failures))


async def test_the_api_reference_runs_no_inline_script(client: httpx.AsyncClient) -> None:
    for path in DOCS:
        page = await client.get(path)
        assert page.status_code == 200
        assert '<redoc spec-url="/schema/openapi.json">' in page.text
        assert inline_code(page.text) == []
        assert '<script src="/static/vendor/redoc/redoc.standalone.js">' in page.text
