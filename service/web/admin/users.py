"""Admin pages for accounts: the list of users, creating one (with a password, or mailed a link to
set their own), changing one, (de)activating it and mailing it a new set-password link, through
``auth.users`` and ``notify.invitations`` as the JSON API does."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.auth import repo, set_password, users
from service.auth.models import UserCreate, UserPatch
from service.notify import invitations
from service.pagination import PageParams
from service.web.admin.forms import list_links, optional_uuid, organization_choices, save_form
from service.web.forms import Errors, text
from service.web.page import Form, PageWork, Paging, Work
from service.web.words import role_labels


async def _users_page(
    work: PageWork,
    paging: PageParams,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    created: str | None = None,
) -> Template:
    async with work.pool.acquire() as conn:
        users, total = await repo.list_users(conn, limit=paging.per_page, offset=paging.offset)
    choices = await organization_choices(work.pool)
    return work.page(
        "admin/users.html",
        status_code,
        users=users,
        total=total,
        organizations=choices,
        organization_names=dict(choices),
        roles=role_labels(),
        # no role chosen: every role opens some data (a partner's inbox holds referral summaries),
        # so the administrator decides rather than accept a default
        values=values or {"role": ""},
        errors=errors or {},
        created=created,
        **list_links(paging, total, "/admin/users"),
    )


@get("/users", name="admin-users")
async def users_page(work: Work, paging: Paging, created: FromQuery[str | None] = None) -> Template:
    return await _users_page(work, paging, created=created)


@post("/users", status_code=303)
async def create_user(work: Work, form: Form, paging: Paging) -> Redirect | Template:
    values: dict[str, Any] = {
        "email": text(form, "email"),
        "display_name": text(form, "display_name"),
        "role": text(form, "role"),
        "organization_id": optional_uuid(text(form, "organization_id")),
        "work_phone": text(form, "work_phone") or None,  # blank: no work phone
        # blank: the user is mailed a link to set their own
        "password": str(form.get("password", "")) or None,
    }
    # what the form shows again: never the password
    shown = {
        **values,
        "organization_id": text(form, "organization_id"),
        "work_phone": text(form, "work_phone"),
        "password": "",
    }

    async def refused(errors: Errors, status_code: int) -> Template:
        return await _users_page(work, paging, status_code=status_code, values=shown, errors=errors)

    return await save_form(
        values,
        UserCreate,
        lambda data: users.create_user(
            work.pool, work.principal, data, created_with="admin page", invite=invitations.invite
        ),
        refused,
        done=lambda user: f"/admin/users/{user.id}?saved=created",
        field="email",
    )


def _user_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "display_name": text(form, "display_name"),
        "role": text(form, "role"),
        "organization_id": optional_uuid(text(form, "organization_id")),
        "work_phone": text(form, "work_phone") or None,  # blank: no work phone
    }
    password = str(form.get("password", ""))
    if password:  # blank keeps the current password
        values["password"] = password
    return values


async def _user_page(
    work: PageWork,
    user_id: uuid.UUID,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    saved: str | None = None,
) -> Template:
    async with work.pool.acquire() as conn:
        user = await repo.get_user(conn, user_id)
        has_password = await set_password.has_password(conn, user_id)
    current = {
        "display_name": user.display_name,
        "role": user.role.value,
        "organization_id": str(user.organization_id) if user.organization_id else "",
        "work_phone": user.work_phone or "",
    }
    return work.page(
        "admin/user.html",
        status_code,
        user=user,
        values=values or current,
        errors=errors or {},
        organizations=await organization_choices(work.pool),
        roles=role_labels(),
        saved=saved,
        has_password=has_password,
    )


@get("/users/{user_id:uuid}", name="admin-user")
async def user_page(work: Work, user_id: FromPath[uuid.UUID], saved: FromQuery[str | None] = None) -> Template:
    return await _user_page(work, user_id, saved=saved)


@post("/users/{user_id:uuid}", status_code=303)
async def update_user(work: Work, form: Form, user_id: FromPath[uuid.UUID]) -> Redirect | Template:
    values = _user_values(form)
    shown = {
        **values,
        "organization_id": text(form, "organization_id"),
        "work_phone": text(form, "work_phone"),
        "password": "",
    }

    async def refused(errors: Errors, status_code: int) -> Template:
        return await _user_page(work, user_id, status_code=status_code, values=shown, errors=errors)

    return await save_form(
        values,
        UserPatch,
        lambda patch: users.change_user(work.pool, work.principal, user_id, patch),
        refused,
        done=lambda _: f"/admin/users/{user_id}?saved=updated",
        field="display_name",
    )


@post("/users/{user_id:uuid}/active", status_code=303)
async def set_active(work: Work, form: Form, user_id: FromPath[uuid.UUID]) -> Redirect:
    """Deactivate (after the page's confirmation step) or reactivate; deactivation ends every
    session and token of the user (``users.change_user``)."""
    await users.change_user(work.pool, work.principal, user_id, UserPatch(active=form.get("active") == "true"))
    return Redirect(path=f"/admin/users/{user_id}?saved=updated", status_code=303)


@post("/users/{user_id:uuid}/set-password-link", status_code=303)
async def send_set_password_link(work: Work, user_id: FromPath[uuid.UUID]) -> Redirect:
    """Mail the user a new link to set their password: the invitation again while they have none
    (``invitations.send_again``)."""
    purpose = await invitations.send_again(work.pool, work.principal, user_id)
    return Redirect(path=f"/admin/users/{user_id}?saved={purpose.value}", status_code=303)
