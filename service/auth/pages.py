"""Admin pages: users, organizations, tokens."""

from __future__ import annotations

from litestar import Router

from service.web.pages import PAGE_DEPENDENCIES

router = Router(path="/admin", route_handlers=[], dependencies=PAGE_DEPENDENCIES, include_in_schema=False)
