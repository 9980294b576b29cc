"""A bare Litestar app answering one JSON route, no middleware: the framework's own ceiling.

Served exactly like the service (uvicorn, same workers, loop and HTTP parser auto-picked, so
uvloop and httptools), it is what ``/healthz`` of the full application is measured against.

    uvicorn bench.hello:app --workers 2 --port 8101
"""

from __future__ import annotations

from litestar import Litestar, get


@get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar(route_handlers=[healthz], openapi_config=None)
