"""Caseworker pages: cases, a case in full, new case, new referral."""

from __future__ import annotations

from litestar import Router

from service.web.pages import PAGE_DEPENDENCIES

router = Router(path="/", route_handlers=[], dependencies=PAGE_DEPENDENCIES, include_in_schema=False)
