"""Security headers on every response: pages, JSON, static files, error pages, and the 404 of a path
no route serves. Litestar's ``before_send`` hook sees the start of every response whatever produced
it (route handlers, exception handlers, the router itself), which ``response_headers`` and
``after_request`` do not.

The same hook keeps personal answers out of caches: every response to a request with credentials
is ``no-store`` (a shared office computer, the back/forward cache), and every answer but the static
files varies by ``Authorization`` and ``Cookie``. It also decides, per request, whether cookies are
``Secure`` and HSTS is sent (``arrived_securely``).

The pages carry no inline script, inline event handler or style attribute, so the policy allows
scripts and styles from this origin only. The API reference (Redoc, served from static/vendor/) gets a
policy of its own, confined to its own paths: see ``service.web.api_docs``.
"""

from __future__ import annotations

from collections.abc import Collection

from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

from service.web import session

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
# Redoc's bundle (served from this origin) injects its styles at run time (styled-components) and
# runs its search in a worker made from a blob: nothing inline runs as script, still.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"
VIEWER_HEADERS = ("Authorization", "Cookie")
SAME_FOR_EVERYONE = "/static/"  # files identical for every viewer, which browsers may keep
SESSION_COOKIE = f"{session.COOKIE}=".encode()

COMMON = {
    "x-content-type-options": "nosniff",
    # the full address stays on this site (the language switch goes back to it); other sites get
    # the origin alone, never a search for "nhà tạm lánh" or a case's address
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}


def arrived_securely(scope: Scope, secure_cookies: bool | None) -> bool:
    """Whether this request is treated as HTTPS: the explicit ``KETNOI_SECURE_COOKIES`` if set,
    else how it arrived. Behind a proxy, uvicorn's proxy headers (trusted per FORWARDED_ALLOW_IPS)
    have already set the scheme from ``X-Forwarded-Proto``. Where the database is says nothing."""
    if secure_cookies is not None:
        return secure_cookies
    return scope.get("scheme") in ("https", "wss")


def _has_credentials(scope: Scope) -> bool:
    """Whether the request carries a bearer token or a session cookie (valid or not: what is sent
    back to it may be personal either way)."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization" or (name == b"cookie" and SESSION_COOKIE in value):
            return True
    return False


def _with_viewer_vary(vary: str | None) -> str:
    named = [part.strip() for part in (vary or "").split(",") if part.strip()]
    present = {part.lower() for part in named}
    return ", ".join(named + [name for name in VIEWER_HEADERS if name.lower() not in present])


def _marked_secure(cookie: bytes) -> bytes:
    attributes = {part.strip().lower() for part in cookie.split(b";")[1:]}
    return cookie if b"secure" in attributes else cookie + b"; Secure"


def security_headers(*, secure_cookies: bool | None, docs_paths: Collection[str]) -> BeforeMessageSendHookHandler:
    """The hook adding the headers; ``secure_cookies``: the explicit setting (None: decide per
    request), which makes a response over HTTPS carry HSTS and mark every cookie it sets Secure
    (whoever set it: the session, the CSRF middleware, the language switch); ``docs_paths``: the
    pages of the API reference, served under ``DOCS_POLICY``."""
    docs = frozenset(docs_paths)

    # async, though it awaits nothing: Litestar runs a synchronous hook in a worker thread, twice
    # per response (start and body), which cost more than the whole request it decorates
    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in COMMON.items():
            headers[name] = value
        headers["content-security-policy"] = DOCS_POLICY if scope.get("path") in docs else PAGE_POLICY
        if not str(scope.get("path", "")).startswith(SAME_FOR_EVERYONE):
            # pages and API answers may hold survivor data or depend on who asks (staff see a
            # confidential address the public does not)
            headers["vary"] = _with_viewer_vary(headers.get("vary"))
            if _has_credentials(scope):
                headers["cache-control"] = "no-store"
        if arrived_securely(scope, secure_cookies):
            headers["strict-transport-security"] = HSTS
            headers.headers[:] = [
                (name, _marked_secure(value) if name == b"set-cookie" else value) for name, value in headers.headers
            ]

    return add_headers
