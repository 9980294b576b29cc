"""The API document's error responses: every client error of an ``/api`` operation is an RFC 9457
problem document, so the document says so once for all of them (``4XX``), and replaces the
framework's own 400 shape, which the service never sends."""

from __future__ import annotations

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.routes import HTTPRoute

from service.errors import Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"
_PROBLEM = ResponseSpec(
    Problem, media_type=PROBLEM_MEDIA_TYPE, generate_examples=False, description="A problem document (RFC 9457)"
)


def document_problems(app: Litestar) -> None:
    """Give each ``/api`` handler the problem responses. Call before the document is first built
    (it is built lazily, on the first request for it)."""
    for route in app.routes:
        if not (isinstance(route, HTTPRoute) and route.path.startswith("/api/")):
            continue
        for handler in route.route_handlers:
            if isinstance(handler, HTTPRouteHandler):
                # OpenAPI's "4XX" covers every client error; the handler's own entries stay first.
                handler.responses = {400: _PROBLEM, "4XX": _PROBLEM, **(handler.responses or {})}  # type: ignore[dict-item]
