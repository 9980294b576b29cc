"""Admin pages for a user's API tokens: listing them, issuing one (shown this once) and revoking
one, through the same ``auth.api.issue_token`` and ``auth.token_admin`` as the JSON API."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.auth import repo, token_admin
from service.auth.api import issue_token
from service.auth.permissions import reads_survivor_data
from service.config import Settings
from service.errors import ValidationFailed
from service.web.admin.forms import (
    MAX_TOKEN_HOURS,
    field_messages,
    known_messages,
)
from service.web.forms import Errors, domain_errors, text
from service.web.page import Form, PageWork, Work


async def _tokens_page(
    work: PageWork,
    settings: Settings,
    user_id: uuid.UUID,
    *,
    status_code: int = 200,
    issued: Any = None,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    revoked: bool = False,
) -> Template:
    async with work.pool.acquire() as conn:
        user = await repo.get_user(conn, user_id)
        tokens = await token_admin.list_tokens(conn, user_id)
    response = work.page(
        "admin/tokens.html",
        status_code,
        user=user,
        tokens=tokens,
        issued=issued,
        values=values or {"label": "", "hours": str(settings.token_ttl_hours), "reason": ""},
        needs_reason=reads_survivor_data(user.role),
        errors=errors or {},
        revoked=revoked,
    )
    # a page that may carry a fresh token must not be kept by the browser or a proxy
    response.headers["Cache-Control"] = "no-store"
    return response


@get("/users/{user_id:uuid}/tokens", name="admin-tokens")
async def tokens_page(
    work: Work,
    settings: NamedDependency[Settings],
    user_id: FromPath[uuid.UUID],
    revoked: FromQuery[str | None] = None,
) -> Template:
    return await _tokens_page(work, settings, user_id, revoked=revoked == "1")


@post("/users/{user_id:uuid}/tokens", status_code=200)
async def create_token(
    work: Work,
    form: Form,
    settings: NamedDependency[Settings],
    user_id: FromPath[uuid.UUID],
) -> Template:
    """Answers with the page itself rather than a redirect: the token is shown this once and is
    stored nowhere in plain text, so there is nothing a following GET could show."""
    values = {"label": text(form, "label"), "hours": text(form, "hours"), "reason": text(form, "reason")}
    errors: Errors = {}
    hours = int(values["hours"]) if values["hours"].isdigit() else 0
    if not 1 <= hours <= MAX_TOKEN_HOURS:
        errors["hours"] = field_messages()["hours"]
    for name in ("label", "reason"):
        if len(values[name]) > 200:
            errors[name] = field_messages()[name]
    if errors:
        return await _tokens_page(work, settings, user_id, status_code=422, values=values, errors=errors)
    async with work.pool.acquire() as conn:
        user = await repo.get_user(conn, user_id)
    try:
        issued = await issue_token(
            work.pool,
            work.principal,
            user,
            timedelta(hours=hours),
            values["label"] or "admin page",
            reason=values["reason"],
            issued_with="admin page",
        )
    except ValidationFailed as exc:
        errors = domain_errors(exc, messages=known_messages(), default_field="reason")
        return await _tokens_page(work, settings, user_id, status_code=422, values=values, errors=errors)
    return await _tokens_page(work, settings, user_id, status_code=201, issued=issued)


@post("/users/{user_id:uuid}/tokens/{token_id:uuid}/revoke", status_code=303)
async def revoke_token(work: Work, user_id: FromPath[uuid.UUID], token_id: FromPath[uuid.UUID]) -> Redirect:
    await work.act(token_admin.revoke_token_of, user_id, token_id)
    return Redirect(path=f"/admin/users/{user_id}/tokens?revoked=1", status_code=303)
