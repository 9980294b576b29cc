"""What every room's pages share: the session's user as the page's principal, rendering a page
with what the layout needs, and the same-site check for a ``next`` address."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import asyncpg
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Template
from litestar.types import Guard

from service.auth.models import Principal
from service.auth.permissions import Action, check
from service.crypto import PersonalDataCipher
from service.web import session

# what page handlers are given, named once for every room
Pool = NamedDependency[asyncpg.Pool]
Who = NamedDependency[Principal]
Cipher = NamedDependency[PersonalDataCipher]


async def page_principal(request: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The session's user, looked up once per request: a room's guard and its handler's
    ``principal`` dependency both ask."""
    known: Principal | None = request.state.get("page_principal")
    if known is None:
        known = await session.principal_from_cookie(request, request.app.state.pool)
        request.state["page_principal"] = known
    return known


def page_guard(action: Action) -> Guard:
    """A Litestar guard letting in only roles that may do ``action`` in their own organization
    (admins: anywhere): the anonymous are sent to the login page (401), other roles get 403, as
    ``check`` answers in a handler."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        # Litestar's automatic OPTIONS answer inherits the router's guards; it carries nothing and
        # answers everyone the same, as on every other path
        if connection.scope.get("method") != "OPTIONS":
            principal = await page_principal(connection)
            check(principal, action, principal.organization_id)

    return guard


PAGE_DEPENDENCIES = {"principal": Provide(page_principal)}


def safe_next(target: str | None) -> str:
    """Only same-site paths, so a crafted link cannot bounce a user to another site after login."""
    if not target or urlsplit(target).netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def page(name: str, principal: Principal, status_code: int = 200, **context: Any) -> Template:
    """Render a page with what the layout always needs."""
    return Template(template_name=name, context={"principal": principal, **context}, status_code=status_code)
