"""Admin pages: users, organizations, tokens.

Administrators only (everyone else 403, the anonymous to the login page). The writes are the ones
the JSON API makes: ``auth.repo`` for users (as ``UserController`` does), ``directory.commands``
for organizations, ``auth.api.issue_token`` for tokens.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import asyncpg
from litestar import Request, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.auth import repo, token_admin, users
from service.auth.api import issue_token
from service.auth.models import Principal, Role, UserCreate, UserPatch
from service.auth.permissions import Action, check, reads_survivor_data
from service.config import Settings
from service.db import transact
from service.directory import commands
from service.directory import repo as directory_repo
from service.directory.models import OrganizationCreate, OrganizationKind, OrganizationPatch
from service.errors import Conflict, PreconditionFailed, ValidationFailed
from service.idempotency import Creator
from service.pagination import PageParams
from service.web.forms import Errors, convert, domain_errors, text
from service.web.i18n import gettext as _
from service.web.page import PAGE_DEPENDENCIES, page

MAX_TOKEN_HOURS = 24 * 366
ORGANIZATION_CHOICES = 2000  # organizations offered in a select; a national deployment has a few hundred


def _admin_only(principal: Principal) -> None:
    """Every admin page starts here: 401 (login) for the anonymous, 403 for other roles."""
    check(principal, Action.MANAGE_USERS)


def field_messages() -> dict[str, str]:
    """What to say next to a field whose value the API shapes refuse."""
    return {
        "email": _("Enter an email address such as name@example.org."),
        "password": _("At least 10 characters."),
        "display_name": _("At most 200 characters."),
        "role": _("Choose a role."),
        "organization_id": _("Choose an organization from the list."),
        "name": _("Enter a name of at most 200 characters."),
        "alternate_name": _("At most 200 characters."),
        "description": _("At most 5000 characters."),
        "kind": _("Choose a kind."),
        "parent_id": _("Choose an organization from the list."),
        "website": _("A web address starting with http:// or https://."),
        "hours": _("A whole number of hours from 1 to %(max)d.") % {"max": MAX_TOKEN_HOURS},
        "label": _("At most 200 characters."),
        "reason": _("At most 200 characters."),
    }


def known_messages() -> dict[str, str]:
    """Friendlier words for the domain refusals these forms can meet."""
    return {
        "A user with this email already exists": _("A user with this email already exists."),
        "no such organization": _("That organization does not exist any more; choose another."),
        "would create a cycle": _("This would put the organization under itself; choose another parent."),
        "required for partners, caseworkers, coordinators": _(
            "Partners, caseworkers and coordinators belong to an organization; choose it."
        ),
        "required for a token of an account that reads survivor data": _(
            "Whoever holds this token can read what this account reads of survivors. Say why it is needed;"
            " the reason is recorded in the audit log."
        ),
    }


def _optional_uuid(value: str) -> uuid.UUID | str | None:
    """A select's value: empty is none; anything not a UUID is kept for the type check to refuse."""
    value = value.strip()
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return value


async def _organization_choices(pool: asyncpg.Pool) -> list[tuple[str, str]]:
    async with pool.acquire() as conn:
        organizations, _total = await directory_repo.list_organizations(
            conn, query=None, limit=ORGANIZATION_CHOICES, offset=0
        )
    return [(str(o.id), o.name) for o in organizations]


def role_labels() -> dict[str, str]:
    return {
        Role.PARTNER.value: _("Partner organization"),
        Role.CASEWORKER.value: _("Caseworker"),
        Role.COORDINATOR.value: _("Coordinator"),
        Role.ADMIN.value: _("Administrator"),
    }


def kind_labels() -> dict[str, str]:
    return {
        OrganizationKind.GOVERNMENT.value: _("Government agency"),
        OrganizationKind.MASS_ORGANIZATION.value: _("Mass organization (e.g. Women's Union)"),
        OrganizationKind.NGO.value: _("Non-governmental organization"),
        OrganizationKind.INTERNATIONAL.value: _("International organization"),
        OrganizationKind.SOCIAL_WORK_CENTRE.value: _("Social work centre"),
        OrganizationKind.LEGAL_AID_CENTRE.value: _("Legal aid centre"),
        OrganizationKind.HEALTH_FACILITY.value: _("Health facility"),
        OrganizationKind.VOCATIONAL_SCHOOL.value: _("Vocational school"),
        OrganizationKind.COMMUNITY_GROUP.value: _("Community group"),
    }


def _pages(paging: PageParams, total: int, base: str) -> dict[str, str | None]:
    joiner = "&" if "?" in base else "?"
    return {
        "previous_page": f"{base}{joiner}page={paging.page - 1}" if paging.page > 1 else None,
        "next_page": f"{base}{joiner}page={paging.page + 1}" if total > paging.page * paging.per_page else None,
    }


# -- users ------------------------------------------------------------------------------------------


async def _users_page(
    pool: asyncpg.Pool,
    principal: Principal,
    paging: PageParams,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    created: str | None = None,
) -> Template:
    async with pool.acquire() as conn:
        users, total = await repo.list_users(conn, limit=paging.per_page, offset=paging.offset)
    choices = await _organization_choices(pool)
    return page(
        "admin/users.html",
        principal,
        status_code=status_code,
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
        **_pages(paging, total, "/admin/users"),
    )


@get("/users", name="admin-users")
async def users_page(
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    paging: NamedDependency[PageParams],
    created: FromQuery[str | None] = None,
) -> Template:
    _admin_only(principal)
    return await _users_page(pool, principal, paging, created=created)


@post("/users", status_code=303)
async def create_user(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    paging: NamedDependency[PageParams],
) -> Redirect | Template:
    _admin_only(principal)
    form = await request.form()
    values: dict[str, Any] = {
        "email": text(form, "email"),
        "display_name": text(form, "display_name"),
        "role": text(form, "role"),
        "organization_id": _optional_uuid(text(form, "organization_id")),
        "password": str(form.get("password", "")),
    }
    # what the form shows again: never the password
    shown = {**values, "organization_id": text(form, "organization_id"), "password": ""}
    data, errors = convert(values, UserCreate, hints=field_messages())
    if data is None:
        return await _users_page(pool, principal, paging, status_code=422, values=shown, errors=errors)
    try:
        user = await users.create_user(pool, principal, data, created_with="admin page")
    except (Conflict, ValidationFailed) as exc:
        return await _users_page(
            pool,
            principal,
            paging,
            status_code=exc.status,
            values=shown,
            errors=domain_errors(exc, messages=known_messages(), default_field="email"),
        )
    return Redirect(path=f"/admin/users/{user.id}?saved=created", status_code=303)


def _user_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "display_name": text(form, "display_name"),
        "role": text(form, "role"),
        "organization_id": _optional_uuid(text(form, "organization_id")),
    }
    password = str(form.get("password", ""))
    if password:  # blank keeps the current password
        values["password"] = password
    return values


async def _user_page(
    pool: asyncpg.Pool,
    principal: Principal,
    user_id: uuid.UUID,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    saved: str | None = None,
) -> Template:
    async with pool.acquire() as conn:
        user = await repo.get_user(conn, user_id)
    current = {
        "display_name": user.display_name,
        "role": user.role.value,
        "organization_id": str(user.organization_id) if user.organization_id else "",
    }
    return page(
        "admin/user.html",
        principal,
        status_code=status_code,
        user=user,
        values=values or current,
        errors=errors or {},
        organizations=await _organization_choices(pool),
        roles=role_labels(),
        saved=saved,
    )


@get("/users/{user_id:uuid}", name="admin-user")
async def user_page(
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    user_id: FromPath[uuid.UUID],
    saved: FromQuery[str | None] = None,
) -> Template:
    _admin_only(principal)
    return await _user_page(pool, principal, user_id, saved=saved)


@post("/users/{user_id:uuid}", status_code=303)
async def update_user(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    user_id: FromPath[uuid.UUID],
) -> Redirect | Template:
    _admin_only(principal)
    form = await request.form()
    values = _user_values(form)
    shown = {**values, "organization_id": text(form, "organization_id"), "password": ""}
    patch, errors = convert(values, UserPatch, hints=field_messages())
    if patch is None:
        return await _user_page(pool, principal, user_id, status_code=422, values=shown, errors=errors)
    try:
        await users.change_user(pool, principal, user_id, patch)
    except (Conflict, ValidationFailed) as exc:
        return await _user_page(
            pool,
            principal,
            user_id,
            status_code=exc.status,
            values=shown,
            errors=domain_errors(exc, messages=known_messages(), default_field="display_name"),
        )
    return Redirect(path=f"/admin/users/{user_id}?saved=updated", status_code=303)


@post("/users/{user_id:uuid}/active", status_code=303)
async def set_active(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    user_id: FromPath[uuid.UUID],
) -> Redirect:
    """Deactivate (after the page's confirmation step) or reactivate; deactivation ends every
    session and token of the user (``users.change_user``)."""
    _admin_only(principal)
    form = await request.form()
    await users.change_user(pool, principal, user_id, UserPatch(active=form.get("active") == "true"))
    return Redirect(path=f"/admin/users/{user_id}?saved=updated", status_code=303)


# -- tokens -----------------------------------------------------------------------------------------


async def _tokens_page(
    pool: asyncpg.Pool,
    principal: Principal,
    settings: Settings,
    user_id: uuid.UUID,
    *,
    status_code: int = 200,
    issued: Any = None,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    revoked: bool = False,
) -> Template:
    async with pool.acquire() as conn:
        user = await repo.get_user(conn, user_id)
        tokens = await token_admin.list_tokens(conn, user_id)
    response = page(
        "admin/tokens.html",
        principal,
        status_code=status_code,
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
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    settings: NamedDependency[Settings],
    user_id: FromPath[uuid.UUID],
    revoked: FromQuery[str | None] = None,
) -> Template:
    _admin_only(principal)
    return await _tokens_page(pool, principal, settings, user_id, revoked=revoked == "1")


@post("/users/{user_id:uuid}/tokens", status_code=200)
async def create_token(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    settings: NamedDependency[Settings],
    user_id: FromPath[uuid.UUID],
) -> Template:
    """Answers with the page itself rather than a redirect: the token is shown this once and is
    stored nowhere in plain text, so there is nothing a following GET could show."""
    _admin_only(principal)
    form = await request.form()
    values = {"label": text(form, "label"), "hours": text(form, "hours"), "reason": text(form, "reason")}
    errors: Errors = {}
    hours = int(values["hours"]) if values["hours"].isdigit() else 0
    if not 1 <= hours <= MAX_TOKEN_HOURS:
        errors["hours"] = field_messages()["hours"]
    for name in ("label", "reason"):
        if len(values[name]) > 200:
            errors[name] = field_messages()[name]
    if errors:
        return await _tokens_page(pool, principal, settings, user_id, status_code=422, values=values, errors=errors)
    async with pool.acquire() as conn:
        user = await repo.get_user(conn, user_id)
    try:
        issued = await issue_token(
            pool,
            principal,
            user,
            timedelta(hours=hours),
            values["label"] or "admin page",
            reason=values["reason"],
            issued_with="admin page",
        )
    except ValidationFailed as exc:
        errors = domain_errors(exc, messages=known_messages(), default_field="reason")
        return await _tokens_page(pool, principal, settings, user_id, status_code=422, values=values, errors=errors)
    return await _tokens_page(pool, principal, settings, user_id, status_code=201, issued=issued)


@post("/users/{user_id:uuid}/tokens/{token_id:uuid}/revoke", status_code=303)
async def revoke_token(
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    user_id: FromPath[uuid.UUID],
    token_id: FromPath[uuid.UUID],
) -> Redirect:
    _admin_only(principal)
    await transact(pool, token_admin.revoke_token_of, principal, user_id, token_id)
    return Redirect(path=f"/admin/users/{user_id}/tokens?revoked=1", status_code=303)


# -- organizations ----------------------------------------------------------------------------------


def _organization_values(form: Any, *, full: bool) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": text(form, "name"),
        "kind": text(form, "kind"),
        "parent_id": _optional_uuid(text(form, "parent_id")),
    }
    if full:  # the edit form also carries the descriptive fields
        values.update(
            alternate_name=text(form, "alternate_name") or None,
            description=text(form, "description"),
            email=text(form, "email") or None,
            website=text(form, "website") or None,
        )
    return values


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None else str(v)) for k, v in values.items()}


async def _organizations_page(
    pool: asyncpg.Pool,
    principal: Principal,
    paging: PageParams,
    q: str | None,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
) -> Template:
    async with pool.acquire() as conn:
        organizations, total = await directory_repo.list_organizations(
            conn, query=q or None, limit=paging.per_page, offset=paging.offset
        )
    choices = await _organization_choices(pool)
    base = "/admin/organizations" + (f"?{urlencode({'q': q})}" if q else "")
    return page(
        "admin/organizations.html",
        principal,
        status_code=status_code,
        organizations=organizations,
        total=total,
        q=q or "",
        choices=choices,
        names=dict(choices),
        kinds=kind_labels(),
        values=values or {"kind": OrganizationKind.NGO.value},
        errors=errors or {},
        **_pages(paging, total, base),
    )


@get("/organizations", name="admin-organizations")
async def organizations_page(
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    paging: NamedDependency[PageParams],
    q: FromQuery[str | None] = None,
) -> Template:
    _admin_only(principal)
    return await _organizations_page(pool, principal, paging, q)


@post("/organizations", status_code=303)
async def create_organization(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    creator: NamedDependency[Creator],
    paging: NamedDependency[PageParams],
) -> Redirect | Template:
    _admin_only(principal)
    form = await request.form()
    values = _organization_values(form, full=False)
    data, errors = convert(values, OrganizationCreate, hints=field_messages())
    if data is not None:
        try:
            created = await creator.create_from_form(
                form,
                data,
                lambda conn: commands.create_organization(conn, principal, data),
            )
        except ValidationFailed as exc:
            errors = domain_errors(exc, messages=known_messages(), default_field="name")
        else:
            return Redirect(path=f"/admin/organizations/{created}?saved=created", status_code=303)
    return await _organizations_page(
        pool, principal, paging, None, status_code=422, values=_shown(values), errors=errors
    )


async def _organization_page(
    pool: asyncpg.Pool,
    principal: Principal,
    organization_id: uuid.UUID,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    saved: str | None = None,
    stale: bool = False,
    version: str | None = None,
) -> Template:
    async with pool.acquire() as conn:
        organization = await directory_repo.get_organization(conn, organization_id)
    current = _shown(
        {
            "name": organization.name,
            "kind": organization.kind.value,
            "parent_id": organization.parent_id,
            "alternate_name": organization.alternate_name,
            "description": organization.description,
            "email": organization.email,
            "website": organization.website,
        }
    )
    choices = [(k, v) for k, v in await _organization_choices(pool) if k != str(organization_id)]
    return page(
        "admin/organization.html",
        principal,
        status_code=status_code,
        organization=organization,
        values=values or current,
        errors=errors or {},
        choices=choices,
        kinds=kind_labels(),
        saved=saved,
        stale=stale,
        # the version the person edited, so a concurrent change is still caught after an error
        version=version or str(organization.version),
    )


@get("/organizations/{organization_id:uuid}", name="admin-organization")
async def organization_page(
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    organization_id: FromPath[uuid.UUID],
    saved: FromQuery[str | None] = None,
) -> Template:
    _admin_only(principal)
    return await _organization_page(pool, principal, organization_id, saved=saved)


@post("/organizations/{organization_id:uuid}", status_code=303)
async def update_organization(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    organization_id: FromPath[uuid.UUID],
) -> Redirect | Template:
    _admin_only(principal)
    form = await request.form()
    values = _organization_values(form, full=True)
    version = text(form, "version")
    patch, errors = convert(values, OrganizationPatch, hints=field_messages())
    if patch is not None:
        try:
            await transact(
                pool,
                commands.patch_organization,
                principal,
                organization_id,
                int(version) if version.isdigit() else None,
                patch,
            )
        except ValidationFailed as exc:
            errors = domain_errors(exc, messages=known_messages(), default_field="name")
        except PreconditionFailed:
            # shown with the submitted values and the current version: saving again is a decision
            return await _organization_page(
                pool, principal, organization_id, status_code=412, values=_shown(values), stale=True
            )
        else:
            return Redirect(path=f"/admin/organizations/{organization_id}?saved=updated", status_code=303)
    return await _organization_page(
        pool, principal, organization_id, status_code=422, values=_shown(values), errors=errors, version=version
    )


router = Router(
    path="/admin",
    route_handlers=[
        users_page,
        create_user,
        user_page,
        update_user,
        set_active,
        tokens_page,
        create_token,
        revoke_token,
        organizations_page,
        create_organization,
        organization_page,
        update_organization,
    ],
    dependencies=PAGE_DEPENDENCIES,
    include_in_schema=False,
)
