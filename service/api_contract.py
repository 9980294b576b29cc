"""What the API says about itself, made true to what it does, in one place for every operation:
which operations need a bearer token (those ``account_only`` guards), that request bodies refuse
fields they do not name (msgspec's ``forbid_unknown_fields``), and which methods a path allows
(the ``Allow`` of its OPTIONS answer)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar, Response
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import Schema
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT
from litestar.typing import FieldDefinition

from service.auth.principal import account_only

BEARER = "BearerToken"
ACCOUNT_ONLY: list[dict[str, list[str]]] = [{BEARER: []}]
# a token is optional: the public get an answer, and an account's token may show it more
TOKEN_OPTIONAL: list[dict[str, list[str]]] = [{}, {BEARER: []}]


class ClosedStructs(StructSchemaPlugin):
    """Litestar's schema of a msgspec Struct, saying ``additionalProperties: false`` when the
    Struct refuses unknown fields, as every request body does: a client generated from the document
    then never sends a field the server answers 400 to."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if isinstance(info, msgspec.inspect.StructType) and info.forbid_unknown_fields:
            schema.additional_properties = False
        return schema


def needs_account(handler: HTTPRouteHandler) -> bool:
    return account_only in handler.resolve_guards()


def _reads_principal(route: HTTPRoute, handler: HTTPRouteHandler) -> bool:
    """Whether the handler asks who is calling (directly or through another dependency: the
    batches hold the whole graph)."""
    method = next(iter(handler.http_methods))
    batches = route.route_handler_map[method][1].dependency_batches
    return any(dependency.key == "principal" for batch in batches for dependency in batch)


def declare_contract(app: Litestar) -> None:
    """Give each ``/api`` operation its security requirement and each path an OPTIONS answer that
    lists all its methods. Call before the document is first built (on the first request for it)."""
    for route in app.routes:
        if not (isinstance(route, HTTPRoute) and route.path.startswith("/api/")):
            continue
        for handler in route.route_handlers:
            if "OPTIONS" in handler.http_methods:
                _allow_every_method(handler, route)
            elif needs_account(handler):
                handler.security = ACCOUNT_ONLY
            else:
                handler.security = TOKEN_OPTIONAL if _reads_principal(route, handler) else []


def _allow_every_method(handler: HTTPRouteHandler, route: HTTPRoute) -> None:
    """Litestar makes a path's OPTIONS answer when the first of its handlers is registered and lists
    that handler's methods only (GET of ``/services/{id}``, not its PATCH); answer with the
    finished route's instead."""
    allow = ", ".join(sorted(route.methods))

    async def options(scope: Any) -> Response[None]:
        return Response(content=None, status_code=HTTP_204_NO_CONTENT, headers={"Allow": allow})

    # the handler's own function, replaced before the first request; the route awaits it
    handler._fn = options
    handler.has_sync_callable = False
