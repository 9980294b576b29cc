"""The app's route table as the security tests read it: every (method, path template) it serves,
and a template filled in with the ids of a scene."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping

from litestar import Litestar

Route = tuple[str, str]  # (method, path template as Litestar spells it, e.g. "/cases/{survivor_id:uuid}")

SAFE_METHODS = frozenset({"GET", "HEAD"})
# Litestar answers OPTIONS on every path by itself (an empty 204 with an Allow header); the
# security tests check that answer once (test_route_matrix) instead of listing it per path.
FRAMEWORK_METHODS = frozenset({"OPTIONS"})

_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def app_routes(app: Litestar) -> set[Route]:
    """Every (method, template) the application answers, read from its route table."""
    return {
        (method, route.path)
        for route in app.routes
        for handler in getattr(route, "route_handlers", ())
        for method in getattr(handler, "http_methods", ())
        if method not in FRAMEWORK_METHODS
    }


def parameters(template: str) -> list[str]:
    return _PARAMETER.findall(template)


def fill(template: str, values: Mapping[str, str]) -> str:
    """The template with each ``{name:type}`` replaced by ``values[name]``."""
    return _PARAMETER.sub(lambda m: values[m.group(1)], template)


def with_random_ids(values: Mapping[str, str]) -> dict[str, str]:
    """The same values with every id replaced by one that exists nowhere (a guessed id)."""
    result = dict(values)
    for name, value in values.items():
        try:
            uuid.UUID(value)
        except ValueError:
            continue
        result[name] = str(uuid.uuid4())
    return result


def matches(template: str, path: str) -> bool:
    """Whether a concrete or placeholder path (``/api/v1/referrals/{referral}/accept``) is served
    by the route ``template``."""
    pattern = "".join(
        "[^/]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^}]+\})", template) if part
    )
    return re.fullmatch(pattern, path.split("?", 1)[0]) is not None
