"""Nothing an authenticated request gets back is kept by a browser or a proxy (a shared office
computer, the back/forward cache): ``Cache-Control: no-store`` on every response to a request with
credentials, whatever route or error produced it. Answers that depend on who asks say so
(``Vary: Authorization, Cookie``), and a listing's public and staff views never share an ETag —
while the staff view's ETag still works for ``If-Match`` and a stale one still gets 412."""

from __future__ import annotations

import httpx
from litestar import Litestar

from tests.integration.security.conftest import ROLES, Scene
from tests.integration.security.matrix import request_for
from tests.integration.security.routes import app_routes

SIGNED_IN = [role for role in ROLES if role != "public"]


def no_store(response: httpx.Response) -> bool:
    return "no-store" in response.headers.get("cache-control", "")


def varies_by_viewer(response: httpx.Response) -> bool:
    named = {part.strip().lower() for part in response.headers.get("vary", "").split(",")}
    return {"authorization", "cookie"} <= named


async def test_every_authenticated_response_is_no_store(app: Litestar, scene: Scene) -> None:
    failures = []
    for method, template in sorted(app_routes(app)):
        if method != "GET" or template.startswith("/static"):
            continue
        _method, path, _body = request_for(scene, (method, template))
        for role in SIGNED_IN:
            response = await scene.send(role, method, path)
            if not no_store(response):
                failures.append((path, role, response.status_code, response.headers.get("cache-control")))
    for path in ("/no-such-page", "/api/v1/no-such-thing"):
        for role in ("caseworker", "admin"):
            response = await scene.send(role, "GET", path)
            if not no_store(response):
                failures.append((path, role, response.status_code, response.headers.get("cache-control")))
    assert not failures, "\n".join(map(str, failures))


async def test_answers_that_depend_on_the_viewer_say_so(scene: Scene) -> None:
    service = scene.ids["service_id"]
    for path in (f"/api/v1/services/{service}", f"/services/{service}", "/api/v1/services?q=hoa+sen", "/?q=hoa+sen"):
        for role in ("public", "caseworker"):
            response = await scene.send(role, "GET", path)
            assert response.status_code == 200, (path, role)
            assert varies_by_viewer(response), (path, role, response.headers.get("vary"))


async def test_public_and_staff_views_of_a_listing_have_different_etags(scene: Scene) -> None:
    path = f"/api/v1/services/{scene.ids['service_id']}"
    public = await scene.send("public", "GET", path)
    staff = await scene.send("partner", "GET", path)
    assert public.json()["locations"][0]["street"] is None  # the confidential place, hidden
    assert staff.json()["locations"][0]["street"] == "12 Đường Bí Mật"
    assert public.headers["etag"] != staff.headers["etag"]
    assert public.headers["etag"] != (await scene.send("admin", "GET", path)).headers["etag"]


async def test_the_staff_etag_still_guards_edits(scene: Scene) -> None:
    path = f"/api/v1/services/{scene.ids['service_id']}"
    read = await scene.send("partner", "GET", path)
    edited = await scene.send(
        "partner", "PATCH", path, json={"capacity_available": 3}, headers={"if-match": read.headers["etag"]}
    )
    assert edited.status_code == 200, edited.text
    assert edited.headers["etag"] != read.headers["etag"]
    stale = await scene.send(
        "partner", "PATCH", path, json={"capacity_available": 2}, headers={"if-match": read.headers["etag"]}
    )
    assert stale.status_code == 412
    public = await scene.send("public", "GET", path)
    again = await scene.send(
        "partner", "PATCH", path, json={"capacity_available": 1}, headers={"if-match": public.headers["etag"]}
    )
    assert again.status_code == 200, again.text  # a view's ETag names the version it shows
