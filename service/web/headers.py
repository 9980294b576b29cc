"""Security headers on every response: pages, JSON, static files, error pages, and the 404 of a path
no route serves. Litestar's ``before_send`` hook sees the start of every response whatever produced
it (route handlers, exception handlers, the router itself), which ``response_headers`` and
``after_request`` do not.

The pages carry no inline script, inline event handler or style attribute, so the policy allows
scripts and styles from this origin only. The API reference (Redoc, loaded from its CDN) gets a
policy of its own, confined to its own paths: see ``service.web.api_docs``.
"""

from __future__ import annotations

from collections.abc import Collection

from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

from service.web.api_docs import REDOC_ORIGIN

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
# Redoc's bundle comes from its CDN, injects its styles at run time (styled-components) and runs its
# search in a worker made from a blob: nothing inline runs as script, still.
DOCS_POLICY = (
    f"default-src 'self'; script-src 'self' {REDOC_ORIGIN}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"

COMMON = {
    "x-content-type-options": "nosniff",
    # the full address stays on this site (the language switch goes back to it); other sites get
    # the origin alone, never a search for "nhà tạm lánh" or a case's address
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}


def security_headers(*, https: bool, docs_paths: Collection[str]) -> BeforeMessageSendHookHandler:
    """The hook adding the headers; ``https``: the service is reached over HTTPS only (HSTS);
    ``docs_paths``: the pages of the API reference, served under ``DOCS_POLICY``."""
    fixed = {**COMMON, **({"strict-transport-security": HSTS} if https else {})}
    docs = frozenset(docs_paths)

    # async, though it awaits nothing: Litestar runs a synchronous hook in a worker thread, twice
    # per response (start and body), which cost more than the whole request it decorates
    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in fixed.items():
            headers[name] = value
        headers["content-security-policy"] = DOCS_POLICY if scope.get("path") in docs else PAGE_POLICY

    return add_headers
