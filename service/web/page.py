"""What every room's pages share: the session's user as the page's principal, rendering a page
with what the layout needs, and the same-site check for a ``next`` address."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import asyncpg
from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.response import Template

from service.auth.models import Principal
from service.web import session


async def page_principal(request: Request[Any, Any, Any], pool: NamedDependency[asyncpg.Pool]) -> Principal:
    return await session.principal_from_cookie(request, pool)


PAGE_DEPENDENCIES = {"principal": Provide(page_principal)}


def safe_next(target: str | None) -> str:
    """Only same-site paths, so a crafted link cannot bounce a user to another site after login."""
    if not target or urlsplit(target).netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def page(name: str, principal: Principal, status_code: int = 200, **context: Any) -> Template:
    """Render a page with what the layout always needs."""
    return Template(template_name=name, context={"principal": principal, **context}, status_code=status_code)
