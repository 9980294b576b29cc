"""The domain error tree, and its single mapping to RFC 9457 problem details (``PROBLEMS``). Whether
a problem is answered as a problem document or as an HTML error page is ``web.error_pages``'s choice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE

from service.db import DATABASE_DOWN, lost_database

PROBLEM_TYPE_BASE = "https://ketnoi.vn/problems/"
# A restarted or failed-over PostgreSQL is usually back within seconds; the pool reconnects by itself.
DATABASE_RETRY_AFTER_S = 5


def N_(message: str) -> str:
    """Mark a domain message for the message catalogs without translating it (gettext's
    ``gettext_noop``): refusals are worded in English here and translated where a page shows them."""
    return message


class FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details as served by every ``/api`` error."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] = msgspec.field(default_factory=list)
    allowed: list[str] | None = None


class DomainError(Exception):
    """Base for errors the domain raises on purpose; each maps to one HTTP status."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class ValidationFailed(DomainError):
    status = 422
    slug = "validation"
    title = "The request is not valid"


class Unauthorized(DomainError):
    status = 401
    slug = "unauthorized"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"
    title = "Not allowed"


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = "Conflict"

    def __init__(self, detail: str, *, allowed: list[str] | None = None) -> None:
        super().__init__(detail)
        self.allowed = allowed


class PreconditionFailed(DomainError):
    status = 412
    slug = "stale-version"
    title = "The resource changed since you read it"


class TooManyRequests(DomainError):
    status = 429
    slug = "rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


Described = tuple[Problem, dict[str, str] | None]
"""An error as a problem, with the headers its answer carries (``Retry-After``, ``WWW-Authenticate``)."""


def problem_document(problem: Problem, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        content=msgspec.json.encode(problem),
        status_code=problem.status,
        media_type="application/problem+json",
        headers=headers,
    )


def _domain_problem(request: Request[Any, Any, Any], exc: DomainError) -> Described:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
    if isinstance(exc, Unauthorized):
        headers = {"WWW-Authenticate": 'Bearer realm="ketnoi"'}
    problem = Problem(
        type=PROBLEM_TYPE_BASE + exc.slug,
        title=exc.title,
        status=exc.status,
        detail=exc.detail,
        errors=exc.errors,
        allowed=getattr(exc, "allowed", None),
    )
    return problem, headers


def _field_name(item: dict[str, Any]) -> str:
    key = item.get("key")
    source = item.get("source")
    if key:
        return str(key)
    return str(source or "body")


def _validation_problem(request: Request[Any, Any, Any], exc: ValidationException) -> Described:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = [
        FieldError(field=_field_name(item), message=str(item.get("message", "invalid")))
        for item in extra
        if isinstance(item, dict)
    ]
    problem = Problem(
        type=PROBLEM_TYPE_BASE + "validation",
        title="The request is not valid",
        status=400,
        detail=exc.detail if exc.detail and exc.detail != "Bad Request" else "Invalid input",
        errors=errors,
    )
    return problem, None


def _http_problem(request: Request[Any, Any, Any], exc: HTTPException) -> Described:
    if exc.status_code >= 500:
        return _internal_problem(request, exc)
    title = {
        401: "Authentication required",
        403: "Not allowed",
        404: "Not found",
        405: "Method not allowed",
        413: "Request too large",
        415: "Unsupported media type",
    }.get(exc.status_code, "Request failed")
    detail = exc.detail if exc.detail else title
    if isinstance(exc, NotFoundException):
        detail = "No resource at this address"
    problem = Problem(type=PROBLEM_TYPE_BASE + str(exc.status_code), title=title, status=exc.status_code, detail=detail)
    return problem, dict(exc.headers) if exc.headers else None


def _internal_problem(request: Request[Any, Any, Any], exc: Exception) -> Described:
    request.logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    problem = Problem(
        type=PROBLEM_TYPE_BASE + "internal",
        title="Internal error",
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        detail="Something went wrong on our side; nothing was changed by this request.",
    )
    return problem, None


def _unstorable_text_problem(request: Request[Any, Any, Any], exc: asyncpg.CharacterNotInRepertoireError) -> Described:
    # JSON strings and query strings may carry U+0000; PostgreSQL text cannot hold it. 422, not 400:
    # the request is one the API document allows, refused for what it says, not for its shape.
    problem = Problem(
        type=PROBLEM_TYPE_BASE + "validation",
        title="The request is not valid",
        status=422,
        detail="Text may not contain the NUL character (U+0000).",
    )
    return problem, None


def _unavailable(request: Request[Any, Any, Any], exc: Exception, log_line: str, detail: str) -> Described:
    # An outage, not a bug: one line in the log, no traceback, and a 503 the client may retry.
    request.logger.warning("%s on %s %s: %r", log_line, request.method, request.url.path, exc)
    problem = Problem(
        type=PROBLEM_TYPE_BASE + "database-unavailable",
        title="Temporarily unavailable",
        status=HTTP_503_SERVICE_UNAVAILABLE,
        detail=f"{detail}; try again in a few seconds. If this was a change, reload first to see whether it was saved.",
    )
    return problem, {"Retry-After": str(DATABASE_RETRY_AFTER_S)}


def _database_down_problem(request: Request[Any, Any, Any], exc: Exception) -> Described:
    return _unavailable(request, exc, "database unavailable", "The database cannot be reached right now")


def _database_timeout_problem(request: Request[Any, Any, Any], exc: TimeoutError) -> Described:
    # KETNOI_DB_TIMEOUT ran out: the database is there but not answering (a cut network, a frozen
    # server); answered like an outage rather than leaving the request hanging
    return _unavailable(request, exc, "database did not answer", "The database did not answer in time")


def _interface_problem(request: Request[Any, Any, Any], exc: asyncpg.InterfaceError) -> Described:
    if lost_database(exc):
        return _database_down_problem(request, exc)
    return _internal_problem(request, exc)


PROBLEMS: dict[type[Exception], Callable[[Request[Any, Any, Any], Any], Described]] = {
    DomainError: _domain_problem,
    ValidationException: _validation_problem,
    HTTPException: _http_problem,
    **dict.fromkeys(DATABASE_DOWN, _database_down_problem),
    asyncpg.InterfaceError: _interface_problem,
    TimeoutError: _database_timeout_problem,
    asyncpg.CharacterNotInRepertoireError: _unstorable_text_problem,
    Exception: _internal_problem,
}
"""Each kind of error the app answers, and the problem it is (its most specific class wins)."""
