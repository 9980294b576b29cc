"""The browsable API reference at ``/schema``: Redoc, its bundle served from this service
(``static/vendor/redoc/``, vendored from the ``redoc`` npm package with its licences), so the
reference works where the service runs without internet, as in many provincial offices.

Litestar's stock Redoc page starts Redoc from an inline script holding the whole schema, which a
policy without 'unsafe-inline' scripts refuses. This page starts it from Redoc's own
``<redoc spec-url>`` element instead, reading the schema from ``/schema/openapi.json``, so the page
runs no inline script and its policy (``service.web.headers.DOCS_POLICY``) allows scripts from this
origin only.
"""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request
from litestar.openapi.plugins import RedocRenderPlugin

# redoc 2.5.4 (npm pack redoc@2.5.4: bundles/redoc.standalone.js, LICENSE and the bundle's licences)
REDOC_BUNDLE = "/static/vendor/redoc/redoc.standalone.js"
FAVICON = '<link rel="icon" href="data:,">'


class ApiReference(RedocRenderPlugin):
    """Redoc at ``/schema`` and ``/schema/redoc``, without inline script or third-party fonts."""

    def __init__(self, schema_path: str = "/schema") -> None:
        super().__init__(
            js_url=REDOC_BUNDLE,
            google_fonts=False,
            path=["/", "/redoc"],
            favicon=FAVICON,
            style="",
        )
        self.spec_url = f"{schema_path}/openapi.json"
        # the addresses this page is served at, which get the documentation's policy
        self.addresses = frozenset(schema_path + path.rstrip("/") for path in self.paths)

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        return (
            "<!DOCTYPE html><html><head>"
            f'<meta charset="utf-8"><title>{title}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"{self.favicon}</head><body>"
            f'<redoc spec-url="{escape(self.spec_url)}"></redoc>'
            f'<script src="{escape(self.js_url)}"></script>'
            "</body></html>"
        ).encode()
