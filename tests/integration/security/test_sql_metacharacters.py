"""SQL metacharacters in every query parameter of every GET route (read from the route table, so the
search, list and filter parameters of the pages and the API all take part) answer 2xx or 4xx, never
5xx and change nothing; searches take them literally (``%`` and ``_`` are no wildcards)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.integration.security.conftest import Scene
from tests.integration.security.matrix import request_for

METACHARACTERS = ("'", ";--", "%", "_", "\\", "%_';--\\", "' OR '1'='1")
PAGING = frozenset({"page", "per_page"})  # integers, read by one shared provider: tried once below
PROBE_ORDER = ("coordinator", "caseworker", "partner", "admin", "public")


def query_parameters(app: Litestar) -> dict[str, list[str]]:
    """GET route template → the query parameters its handler and its dependencies read."""
    found = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute) and "GET" in route.route_handler_map:
            _handler, kwargs = route.route_handler_map["GET"]
            names = sorted(p.field_alias for p in kwargs.expected_query_params)
            if names:
                found[route.path] = names
    return found


def base_query(scene: Scene, template: str) -> dict[str, str]:
    """The query the route matrix sends (the ids some pages need to answer at all)."""
    _method, path, _body = request_for(scene, ("GET", template))
    return dict(parse_qsl(urlsplit(path).query))


def answered(response: httpx.Response) -> bool:
    """The route did its work for this role: a page, or a redirect that is not to the login (the
    language switch answers every request with one)."""
    if response.status_code == 200:
        return True
    return response.status_code == 303 and not response.headers.get("location", "").startswith("/login")


async def test_metacharacters_in_any_query_parameter_never_break_a_request(app: Litestar, scene: Scene) -> None:
    parameters = query_parameters(app)
    assert {"q", "category", "province", "near", "sort"} <= set(parameters["/api/v1/services"])
    before = await scene.fingerprint()
    failures = []
    for template, names in sorted(parameters.items()):
        _method, filled, _body = request_for(scene, ("GET", template))  # path values as the matrix sends them
        path = urlsplit(filled).path
        base = base_query(scene, template)
        plain = f"{path}?{urlencode(base)}"
        role = None
        for candidate in PROBE_ORDER:
            if answered(await scene.send(candidate, "GET", plain)):
                role = candidate
                break
        assert role is not None, f"nobody may read {template}: cannot probe it"
        for name in names:
            for value in METACHARACTERS if name not in PAGING else ("'",):
                url = f"{path}?{urlencode({**base, name: value})}"
                response = await scene.send(role, "GET", url)
                if response.status_code >= 500:
                    failures.append((role, url, response.status_code))
    assert not failures, "\n".join(map(str, failures))
    assert await scene.fingerprint() == before
    listing = await scene.client.get(f"/api/v1/services/{scene.ids['service_id']}")
    assert listing.status_code == 200  # the tables are all still there


async def test_wildcards_and_quotes_are_searched_for_literally(scene: Scene) -> None:
    """``%`` or ``_`` matching every name would be a LIKE pattern made of input; a quote finding
    anything would be SQL made of input."""
    admin, coordinator = scene.actors.admin.headers, scene.actors.coordinator.headers
    assert (await scene.client.get("/api/v1/organizations", headers=admin)).json()["total"] >= 2
    for value in ("%", "_", "\\", "' OR '1'='1"):
        organizations = await scene.client.get("/api/v1/organizations", params={"q": value}, headers=admin)
        assert organizations.status_code == 200 and organizations.json()["total"] == 0, value
    assert (await scene.client.get("/api/v1/services", params={"q": "' OR '1'='1"})).json()["total"] == 0
    cases = await scene.client.get("/api/v1/survivors", params={"q": "' OR '1'='1"}, headers=coordinator)
    assert cases.status_code == 200 and cases.json()["total"] == 0
