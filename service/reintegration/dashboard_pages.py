"""Coordinator and caseworker dashboard pages and the plan approval queue."""

from __future__ import annotations

from litestar import Router

from service.web.pages import PAGE_DEPENDENCIES

router = Router(path="/dashboard", route_handlers=[], dependencies=PAGE_DEPENDENCIES, include_in_schema=False)
