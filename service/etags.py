"""The one ETag helper: the tag a versioned body is sent with, the ``If-Match`` header parameter
that sends it back, and the version read from it (listings, organizations and cases alike)."""

from __future__ import annotations

from typing import Annotated, Protocol, TypeVar

from litestar import Response
from litestar.params import HeaderParameter
from litestar.status_codes import HTTP_200_OK

from service.errors import PreconditionFailed

IfMatch = Annotated[
    str | None,
    HeaderParameter(name="If-Match", required=False, description='ETag of the version you edited, e.g. "3"'),
]


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


Body = TypeVar("Body", bound=Versioned)


def etag(version: int, view: str | None = None) -> str:
    """The ETag of a version as one view shows it (None: the full view), so a cache never answers
    one viewer with another's body; ``expected_version`` reads the version back from either."""
    return f'"{version}-{view}"' if view else f'"{version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version an ``If-Match`` header names; None when absent or ``*``."""
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"').split("-", 1)[0]
    if not value.isdigit():
        raise PreconditionFailed('If-Match must be an ETag this service issued, like "3"')
    return int(value)


def with_etag(body: Body, status_code: int = HTTP_200_OK, view: str | None = None) -> Response[Body]:
    """``body`` answered with the ETag of its version as ``view`` shows it."""
    return Response(body, status_code=status_code, headers={"ETag": etag(body.version, view)})
