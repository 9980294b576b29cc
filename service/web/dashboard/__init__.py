"""The dashboard room: the figures (``dashboard``), the plan approval queue (``dashboard``) at
/dashboard, and the listing verification queue (``verification``) at /verify."""

from __future__ import annotations

from litestar import Router

from service.web.dashboard.dashboard import approvals_page, approve, dashboard_page, send_back
from service.web.dashboard.verification import verify_listing, verify_queue
from service.web.page import PAGE_DEPENDENCIES

router = Router(
    path="/",
    route_handlers=[
        Router(path="/dashboard", route_handlers=[dashboard_page, approvals_page, approve, send_back]),
        Router(path="/verify", route_handlers=[verify_queue, verify_listing]),
    ],
    dependencies=PAGE_DEPENDENCIES,
    include_in_schema=False,
)
