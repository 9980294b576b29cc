"""The API document tells the truth about the routes it describes: which operations need a token
(and that the anonymous are refused those first, whatever else is wrong with the request), that
request bodies refuse unknown fields, and which methods each path allows."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from service.api_contract import ACCOUNT_ONLY, TOKEN_OPTIONAL, needs_account
from tests.integration.conftest import Actors
from tests.integration.listings import service_body
from tests.integration.security.matrix import expected_of
from tests.integration.security.routes import fill, parameters

METHODS = {"get", "post", "put", "patch", "delete"}


def api_operations(app: Litestar) -> list[tuple[str, HTTPRoute, HTTPRouteHandler]]:
    return [
        (method, route, handler)
        for route in app.routes
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/")
        for handler in route.route_handlers
        if isinstance(handler, HTTPRouteHandler)
        for method in handler.http_methods
        if method != "OPTIONS"
    ]


def document_path(template: str) -> str:
    """``/services/{service_id:uuid}`` as the document spells it: ``/services/{service_id}``."""
    return fill(template, {name: "{" + name + "}" for name in parameters(template)})


def guessed(template: str) -> str:
    return fill(template, {name: "accept" if name == "action" else str(uuid.uuid4()) for name in parameters(template)})


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    return (await client.get("/schema/openapi.json")).json()  # type: ignore[no-any-return]


async def test_operations_needing_a_token_say_so_and_no_others(app: Litestar, document: dict[str, Any]) -> None:
    operations = api_operations(app)
    assert sum(needs_account(handler) for _, _, handler in operations) > 40
    for method, route, handler in operations:
        declared = document["paths"][document_path(route.path)][method.lower()].get("security", [])
        # what the guard does, what the document says, and what the anonymous really get agree
        refused = expected_of((method, route.path), "public") == 401
        assert needs_account(handler) == refused, (method, route.path)
        assert declared == (ACCOUNT_ONLY if refused else []) or (not refused and declared == TOKEN_OPTIONAL), (
            method,
            route.path,
            declared,
        )


async def test_the_anonymous_are_refused_before_anything_else_is_checked(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    """A malformed If-Match, an unknown body field and a bad query value would each be refused too;
    the anonymous must hear first that they need an account."""
    junk = {"If-Match": "not an etag", "Idempotency-Key": "x" * 500}
    for method, route, handler in api_operations(app):
        if not needs_account(handler):
            continue
        path = guessed(route.path) + "?page=-1&per_page=abc&near=nowhere&domain=nothing"
        response = await client.request(method, path, headers=junk, content=b'{"no such field": ')
        assert response.status_code == 401, (method, route.path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        # an unknown token is no better than none
        response = await client.request(method, path, headers={**junk, "Authorization": "Bearer wrong"})
        assert response.status_code == 401, (method, route.path, response.text)


async def test_request_bodies_say_they_refuse_unknown_fields(
    client: httpx.AsyncClient, document: dict[str, Any]
) -> None:
    schemas = document["components"]["schemas"]
    bodies = [
        operation["requestBody"]["content"]["application/json"]["schema"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in METHODS and "requestBody" in operation
    ]
    assert len(bodies) > 20
    for body in bodies:
        # an optional body is one of the Struct or null
        for ref in [body.get("$ref")] + [choice.get("$ref") for choice in body.get("oneOf", [])]:
            if ref:
                name = ref.rsplit("/", 1)[1]
                assert schemas[name]["additionalProperties"] is False, name
    # as the server does
    response = await client.post("/api/v1/auth/tokens", json={"email": "a@b.vn", "password": "x", "otp": "1"})
    assert response.status_code == 400 and "otp" in response.text


async def test_options_allows_every_method_of_the_path(
    app: Litestar, client: httpx.AsyncClient, document: dict[str, Any]
) -> None:
    """GET and PATCH of ``/services/{id}`` come from two handlers: OPTIONS names both (and the
    login page's GET and POST alike)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        response = await client.options(guessed(route.path))
        assert response.status_code == 204
        allowed = set(response.headers["allow"].split(", "))
        assert allowed == set(route.methods), route.path
        if route.path.startswith("/api/"):
            documented = document["paths"][document_path(route.path)]
            assert allowed == {method.upper() for method in documented if method in METHODS} | {"OPTIONS"}


def parameter(document: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    return next(p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name)


async def test_parameters_state_the_rules_the_server_enforces(
    client: httpx.AsyncClient, document: dict[str, Any]
) -> None:
    """Each rule the document states is one the server holds a request to, and the other way round."""
    services = "/api/v1/services"
    radius = parameter(document, services, "radius_km")
    assert "near" in radius["description"] and radius["schema"]["exclusiveMinimum"] == 0
    assert (await client.get(services, params={"radius_km": -3, "near": "10.03,105.78"})).status_code == 400
    assert "near" in parameter(document, services, "sort")["description"]
    assert (await client.get(services, params={"radius_km": 5})).status_code == 422
    assert (await client.get(services, params={"radius_km": 5, "near": "10.03,105.78"})).status_code == 200
    language = parameter(document, services, "language")["schema"]["pattern"]
    assert re.fullmatch(language, "km") and not re.fullmatch(language, "Khmer")
    assert (await client.get(services, params={"language": "KM"})).status_code == 400
    near = parameter(document, services, "near")
    assert "-90..90" in near["description"] and re.fullmatch(near["schema"]["pattern"], "10.03,105.78")
    matches = "/api/v1/survivors/{survivor_id}/matches"
    for name, other in (("milestone_id", "domain"), ("domain", "milestone_id")):
        assert f"this or `{other}` is required" in parameter(document, matches, name)["description"]


async def test_bodies_state_the_rules_of_their_lists_and_maps(
    client: httpx.AsyncClient, actors: Actors, document: dict[str, Any]
) -> None:
    """A listing's languages are codes and notification settings are keyed by kind: the document
    says so, as the server refuses anything else."""
    schemas = document["components"]["schemas"]
    language = schemas["ServiceCreate"]["properties"]["languages"]["items"]["pattern"]
    assert re.fullmatch(language, "km") and not re.fullmatch(language, "Khmer")
    kinds = schemas["SettingsChange"]["properties"]["deliveries"]["propertyNames"]["enum"]
    assert "referral_received" in kinds
    change = {"deliveries": {"no such kind": "digest"}}
    refused = await client.put("/api/v1/me/notification-settings", headers=actors.partner.headers, json=change)
    assert refused.status_code == 400
    listing = {**service_body(actors.org), "languages": ["Khmer"]}
    assert (await client.post("/api/v1/services", headers=actors.partner.headers, json=listing)).status_code == 400


async def test_bodies_are_held_to_the_json_types_the_document_names(
    client: httpx.AsyncClient, actors: Actors, document: dict[str, Any]
) -> None:
    """``0`` is not ``false`` and ``"2"`` is not ``2``: a body is refused for the type the document
    gives, not converted behind the client's back; ``-1`` is below the documented bound of 0."""
    capacity = document["components"]["schemas"]["CapacityUpdate"]["properties"]["available"]
    assert capacity["type"] == "integer" and capacity["minimum"] == 0
    listing = (
        await client.post("/api/v1/services", headers=actors.admin.headers, json=service_body(actors.org))
    ).json()
    path = f"/api/v1/services/{listing['id']}/capacity"
    for available in ("2", 2.5, -1, True):
        refused = await client.put(path, headers=actors.partner.headers, json={"available": available})
        assert refused.status_code == 400, (available, refused.text)
    contact = {"kind": "phone", "value": "111", "is_24_7": 0}
    refused = await client.patch(
        f"/api/v1/services/{listing['id']}", headers=actors.partner.headers, json={"contacts": [contact]}
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "contacts[0].is_24_7", refused.text
    # as JSON Schema counts it, 2.0 is an integer
    for available in (2, 2.0):
        accepted = await client.put(path, headers=actors.partner.headers, json={"available": available})
        assert accepted.status_code == 200 and accepted.json()["capacity_available"] == 2, accepted.text


async def test_an_address_the_document_allows_is_one_the_server_takes(document: dict[str, Any]) -> None:
    """The e-mail pattern means the same to a JSON Schema validator as to the server (no ``\\s``
    whose meaning differs between them)."""
    pattern = document["components"]["schemas"]["TokenRequest"]["properties"]["email"]["pattern"]
    assert "\\x85" in pattern and "\\ufeff" in pattern
    for address, valid in (("lan@ketnoi.vn", True), ("lan\x85@ketnoi.vn", False), ("lan\ufeff@ketnoi.vn", False)):
        assert bool(re.fullmatch(pattern, address)) is valid, address
