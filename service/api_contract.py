"""What the API says about itself, made true to what it does, in one place for every operation:
which operations need a bearer token (those ``account_only`` guards), that request bodies refuse
fields they do not name (msgspec's ``forbid_unknown_fields``) and values of another JSON type
(``strict_bodies``), and which methods a path allows (the ``Allow`` of its OPTIONS answer)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar, Request, Response
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.exceptions import ValidationException
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
    """Litestar's schema of a msgspec Struct, made as strict as the Struct: ``additionalProperties:
    false`` when it refuses unknown fields, as every request body does, and the constraints Litestar
    leaves out (the pattern of a list's strings, the keys a mapping takes, a bound of zero). A client
    generated from the document then never sends what the server answers 400 to."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if isinstance(info, msgspec.inspect.StructType):
            if info.forbid_unknown_fields:
                schema.additional_properties = False
            for field in info.fields:
                prop = (schema.properties or {}).get(field.encode_name)
                if isinstance(prop, Schema):
                    _constrain_container(prop, _bare(field.type))
        return schema


def _bare(kind: msgspec.inspect.Type) -> msgspec.inspect.Type:
    """The type inside metadata, or the one type of an optional (``X | None``)."""
    if isinstance(kind, msgspec.inspect.Metadata):
        return _bare(kind.type)
    if isinstance(kind, msgspec.inspect.UnionType):
        present = [member for member in kind.types if not isinstance(member, msgspec.inspect.NoneType)]
        return _bare(present[0]) if len(present) == 1 else kind
    return kind


def _constrain_container(prop: Schema, kind: msgspec.inspect.Type) -> None:
    # Litestar takes a bound of 0 (``ge=0``, ``gt=0``) for no bound
    if isinstance(kind, (msgspec.inspect.IntType, msgspec.inspect.FloatType)):
        if kind.ge == 0:
            prop.minimum = 0
        if kind.gt == 0:
            prop.exclusive_minimum = 0
    for schema in [prop, *(choice for choice in prop.one_of or [] if isinstance(choice, Schema))]:
        if isinstance(kind, msgspec.inspect.ListType) and isinstance(schema.items, Schema):
            item = _bare(kind.item_type)
            if isinstance(item, msgspec.inspect.StrType):
                schema.items.pattern = schema.items.pattern or item.pattern
                schema.items.min_length = schema.items.min_length or item.min_length
                schema.items.max_length = schema.items.max_length or item.max_length
        if isinstance(kind, msgspec.inspect.DictType) and schema.additional_properties is not None:
            key = _bare(kind.key_type)
            if isinstance(key, msgspec.inspect.EnumType):
                schema.property_names = Schema(enum=[member.value for member in key.cls])


async def strict_bodies(request: Request[Any, Any, Any]) -> None:
    """Hold a JSON body to the JSON types its schema names, as a generated client reads them.
    Litestar converts a body laxly (``0`` for ``false``, ``"2"`` for ``2``), so the document's
    types would otherwise be a suggestion. Runs after the guards (the
    anonymous still hear 401 first) and before Litestar's own parsing, which then cannot differ."""
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    if data is None or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    body = await request.body()
    if not body.strip() or "json" not in request.headers.get("content-type", "json"):
        return  # no body, or another media type: Litestar answers as before
    try:
        msgspec.convert(_integral(msgspec.json.decode(body)), data.annotation, strict=True)
    except msgspec.ValidationError as exc:
        message, at, where = str(exc).partition(" - at `$")
        raise ValidationException(
            detail=f"Validation failed for {request.method} {request.url.path}",
            extra=[{"key": where.rstrip("`").lstrip(".") if at else "data", "message": message}],
        ) from exc
    except msgspec.DecodeError:
        return  # not JSON: Litestar's own answer


def _integral(value: Any) -> Any:
    """``2.0`` as ``2``: JSON Schema counts a number without a fraction as an integer."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral(item) for item in value]
    if isinstance(value, dict):
        return {key: _integral(item) for key, item in value.items()}
    return value


def needs_account(handler: HTTPRouteHandler) -> bool:
    return account_only in handler.resolve_guards()


def _reads_principal(route: HTTPRoute, handler: HTTPRouteHandler) -> bool:
    """Whether the handler asks who is calling (directly or through another dependency: the
    batches hold the whole graph)."""
    method = next(iter(handler.http_methods))
    batches = route.route_handler_map[method][1].dependency_batches
    return any(dependency.key == "principal" for batch in batches for dependency in batch)


def declare_contract(app: Litestar) -> None:
    """Give each ``/api`` operation its security requirement and each path (pages too) an OPTIONS
    answer that lists all its methods. Call before the document is first built (on the first request for it)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if "OPTIONS" in handler.http_methods:
                _allow_every_method(handler, route)
            elif not route.path.startswith("/api/"):
                continue
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
