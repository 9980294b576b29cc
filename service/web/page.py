"""What every room's pages share: the session's user as the page's principal (with the menu's
counts of waiting work), rendering a page with what the layout needs, a list's previous/next page
links, the names of the users a page mentions, and the same-site check for a ``next`` address.
``work`` (who asks, the pool and the cipher) and ``form`` (what a form posted) are the
dependencies every room's handlers take."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import urlsplit

import asyncpg
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency, Provide
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Template
from litestar.types import Guard

from service.auth import repo as auth_repo
from service.auth.models import Principal
from service.auth.permissions import Action, check
from service.crypto import PersonalDataCipher
from service.db import Connection, transact
from service.errors import NotFound
from service.pagination import PageParams
from service.web import session
from service.web.menu import menu_counts

# what page handlers are given, named once for every room
Pool = NamedDependency[asyncpg.Pool]
Who = NamedDependency[Principal]
Cipher = NamedDependency[PersonalDataCipher]
Paging = NamedDependency[PageParams]

P = ParamSpec("P")
R = TypeVar("R")


async def page_principal(request: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The session's user, looked up once per request: a room's guard and its handler's
    ``principal`` dependency both ask. For a signed-in user's full page (not an htmx fragment,
    which has no menu) the menu's counts of waiting work are read alongside, for the layout
    (``request.state.menu_counts``)."""
    known: Principal | None = request.state.get("page_principal")
    if known is None:
        known = await session.principal_from_cookie(request, request.app.state.pool)
        request.state["page_principal"] = known
        if known.role is not None and "hx-request" not in request.headers:
            async with request.app.state.pool.acquire() as conn:
                request.state["menu_counts"] = await menu_counts(conn, known)
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


@dataclass(frozen=True, slots=True)
class PageWork:
    """Who asks for a page, with the pool and the cipher for identifiers (the ``work`` dependency):
    what a handler runs its use cases and renders its page with."""

    principal: Principal
    pool: asyncpg.Pool
    cipher: PersonalDataCipher

    async def run(
        self,
        use_case: Callable[Concatenate[Connection, Principal, PersonalDataCipher, P], Awaitable[R]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """``use_case(conn, principal, cipher, *args, **kwargs)`` in a transaction of its own."""
        return await transact(self.pool, use_case, self.principal, self.cipher, *args, **kwargs)

    async def act(
        self, use_case: Callable[Concatenate[Connection, Principal, P], Awaitable[R]], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """``use_case(conn, principal, *args, **kwargs)`` in a transaction of its own: a use case
        that reads no personal data, so takes no cipher."""
        return await transact(self.pool, use_case, self.principal, *args, **kwargs)

    def page(self, name: str, status_code: int = 200, **context: Any) -> Template:
        """``page`` for who asks."""
        return page(name, self.principal, status_code, **context)


def provide_work(principal: Who, pool: Pool, cipher: Cipher) -> PageWork:
    return PageWork(principal, pool, cipher)


async def posted_form(request: Request[Any, Any, Any]) -> FormMultiDict:
    """What the form sent, for the handlers that read one."""
    return await request.form()


Work = NamedDependency[PageWork]
Form = NamedDependency[FormMultiDict]

PAGE_DEPENDENCIES = {
    "principal": Provide(page_principal),
    "work": Provide(provide_work, sync_to_thread=False),
    "form": Provide(posted_form),
}


def safe_next(target: str | None) -> str:
    """Only same-site paths, so a crafted link cannot bounce a user to another site after login."""
    if not target or urlsplit(target).netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def page(name: str, principal: Principal, status_code: int = 200, **context: Any) -> Template:
    """Render a page with what the layout always needs."""
    return Template(template_name=name, context={"principal": principal, **context}, status_code=status_code)


def page_links(number: int, per_page: int, total: int, link: Callable[[int], Any] = lambda n: n) -> dict[str, Any]:
    """A list's ``previous_page`` and ``next_page`` for its template, as ``link(page number)`` (the
    number itself unless told): none before the first page, none after the last."""
    return {
        "previous_page": link(number - 1) if number > 1 else None,
        "next_page": link(number + 1) if total > number * per_page else None,
    }


async def user_names(conn: Connection, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The name each user is shown by on a page (their email when they gave none); a user no
    longer there is left out, for the page to say what it says of an unknown user."""
    names: dict[uuid.UUID, str] = {}
    for user_id in set(user_ids):
        try:
            user = await auth_repo.get_user(conn, user_id)
        except NotFound:
            continue
        names[user_id] = user.display_name or user.email
    return names
