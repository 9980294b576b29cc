"""The service's front door: until the web pages exist, ``/`` leads to the API documentation."""

from __future__ import annotations

from litestar import get
from litestar.response import Redirect


@get("/", include_in_schema=False)
async def home() -> Redirect:
    return Redirect(path="/schema")
