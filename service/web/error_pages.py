"""The app's exception handlers: each error, as the problem ``errors.PROBLEMS`` makes of it, answered
as an HTML error page for a page (a login redirect when it needs a login) and as an RFC 9457 problem
document for the API. They are app-level and negotiate by path and Accept, because unknown-path 404s
never reach a router."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.response import Redirect, Template

from service.errors import PROBLEMS, Described, Problem, problem_document

JSON_PATHS = ("/api/", "/schema", "/healthz", "/readyz")

Handler = Callable[[Request[Any, Any, Any], Any], Response[Any]]


def wants_page(request: Request[Any, Any, Any]) -> bool:
    """Pages get HTML error pages; the API (and anything asking for JSON) gets problem documents."""
    if request.url.path.startswith(JSON_PATHS):
        return False
    return "application/json" not in request.headers.get("accept", "")


def answer(problem: Problem, headers: dict[str, str] | None, request: Request[Any, Any, Any]) -> Response[Any]:
    if not wants_page(request):
        return problem_document(problem, headers)
    if problem.status == 401:
        return Redirect(path=f"/login?next={quote(request.url.path)}")
    return Template(
        template_name="errors/error.html",
        context={"problem": problem, "principal": None},
        status_code=problem.status,
        headers=headers,
    )


def _negotiated(describe: Callable[[Request[Any, Any, Any], Any], Described]) -> Handler:
    def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        problem, headers = describe(request, exc)
        return answer(problem, headers, request)

    return handler


exception_handlers: dict[type[Exception] | int, Handler] = {
    kind: _negotiated(describe) for kind, describe in PROBLEMS.items()
}
