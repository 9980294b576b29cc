"""Admin pages for organizations: the list, creating one, and changing one (refused if someone else
changed it since it was read), through ``directory.organizations`` as the JSON API does."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.directory import organizations as directory_organizations
from service.directory import repo as directory_repo
from service.directory.models import OrganizationCreate, OrganizationKind, OrganizationPatch
from service.errors import PreconditionFailed, ValidationFailed
from service.idempotency import Creator
from service.pagination import PageParams
from service.web.admin.forms import list_links, optional_uuid, organization_choices, save_form
from service.web.forms import Errors, text
from service.web.page import Form, PageWork, Paging, Work
from service.web.words import organization_kind_labels


def _organization_values(form: Any, *, full: bool) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": text(form, "name"),
        "kind": text(form, "kind"),
        "parent_id": optional_uuid(text(form, "parent_id")),
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
    work: PageWork,
    paging: PageParams,
    q: str | None,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
) -> Template:
    async with work.pool.acquire() as conn:
        organizations, total = await directory_repo.list_organizations(
            conn, query=q or None, limit=paging.per_page, offset=paging.offset
        )
    choices = await organization_choices(work.pool)
    base = "/admin/organizations" + (f"?{urlencode({'q': q})}" if q else "")
    return work.page(
        "admin/organizations.html",
        status_code,
        organizations=organizations,
        total=total,
        q=q or "",
        choices=choices,
        names=dict(choices),
        kinds=organization_kind_labels(),
        values=values or {"kind": OrganizationKind.NGO.value},
        errors=errors or {},
        **list_links(paging, total, base),
    )


@get("/organizations", name="admin-organizations")
async def organizations_page(work: Work, paging: Paging, q: FromQuery[str | None] = None) -> Template:
    return await _organizations_page(work, paging, q)


@post("/organizations", status_code=303)
async def create_organization(
    work: Work, form: Form, creator: NamedDependency[Creator], paging: Paging
) -> Redirect | Template:
    values = _organization_values(form, full=False)

    async def refused(errors: Errors, status_code: int) -> Template:
        return await _organizations_page(
            work, paging, None, status_code=status_code, values=_shown(values), errors=errors
        )

    return await save_form(
        values,
        OrganizationCreate,
        lambda data: creator.create_from_form(
            form, data, lambda conn: directory_organizations.create_organization(conn, work.principal, data)
        ),
        refused,
        done=lambda created: f"/admin/organizations/{created}?saved=created",
        field="name",
        answered=(ValidationFailed,),
    )


async def _organization_page(
    work: PageWork,
    organization_id: uuid.UUID,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    saved: str | None = None,
    stale: bool = False,
    version: str | None = None,
) -> Template:
    async with work.pool.acquire() as conn:
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
    choices = [(k, v) for k, v in await organization_choices(work.pool) if k != str(organization_id)]
    return work.page(
        "admin/organization.html",
        status_code,
        organization=organization,
        values=values or current,
        errors=errors or {},
        choices=choices,
        kinds=organization_kind_labels(),
        saved=saved,
        stale=stale,
        # the version the person edited, so a concurrent change is still caught after an error
        version=version or str(organization.version),
    )


@get("/organizations/{organization_id:uuid}", name="admin-organization")
async def organization_page(
    work: Work, organization_id: FromPath[uuid.UUID], saved: FromQuery[str | None] = None
) -> Template:
    return await _organization_page(work, organization_id, saved=saved)


@post("/organizations/{organization_id:uuid}", status_code=303)
async def update_organization(work: Work, form: Form, organization_id: FromPath[uuid.UUID]) -> Redirect | Template:
    values = _organization_values(form, full=True)
    version = text(form, "version")

    async def refused(errors: Errors, status_code: int) -> Template:
        if status_code == PreconditionFailed.status:
            # shown with the submitted values and the current version: saving again is a decision
            return await _organization_page(work, organization_id, status_code=412, values=_shown(values), stale=True)
        return await _organization_page(
            work, organization_id, status_code=422, values=_shown(values), errors=errors, version=version
        )

    return await save_form(
        values,
        OrganizationPatch,
        lambda patch: work.act(
            directory_organizations.patch_organization,
            organization_id,
            int(version) if version.isdigit() else None,
            patch,
        ),
        refused,
        done=lambda _: f"/admin/organizations/{organization_id}?saved=updated",
        field="name",
        answered=(ValidationFailed, PreconditionFailed),
    )
