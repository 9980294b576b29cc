"""Partner pages: the organization's own listings (edit, beds free, revisions) and its referral
inbox; and the coordinators' listing verification queue."""

from __future__ import annotations

from litestar import Router

from service.web.pages import PAGE_DEPENDENCIES

router = Router(path="/partner", route_handlers=[], dependencies=PAGE_DEPENDENCIES, include_in_schema=False)
