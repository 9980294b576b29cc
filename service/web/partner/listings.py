"""/partner's listing pages: the organization's listings with their beds free, and a listing's
new/edit form."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.auth.models import Principal, Role
from service.auth.permissions import Action, check
from service.db import Connection
from service.directory import listings, repo, taxonomy
from service.directory.listings import present, readable_service
from service.directory.models import Population, Service, ServiceCreate, ServicePatch, ServiceStatus
from service.errors import Forbidden, PreconditionFailed, ValidationFailed
from service.idempotency import Creator
from service.web.forms import convert, domain_errors
from service.web.i18n import gettext as _
from service.web.page import Form, PageWork, Who, Work, page
from service.web.partner.listing_changes import conflict_rows
from service.web.partner.listing_form import (
    COMMON_LANGUAGES,
    FORM_FIELDS,
    listing_fields,
    parse_listing,
    values_of_form,
    values_of_service,
)
from service.web.partner.listing_hours import hours_labels
from service.web.words import directory_labels, listing_choice_labels, listing_status_labels

AnyRequest = Request[Any, Any, Any]

MAX_COUNT = 100_000  # service.fields.Count


def _htmx(request: AnyRequest) -> bool:
    return bool(request.headers.get("hx-request")) and not request.headers.get("hx-boosted")


def _form_page(
    principal: Principal,
    *,
    service: Service | None,
    values: dict[str, Any],
    errors: dict[str, str],
    version: int | None,
    status_code: int = 200,
    notice: str | None = None,
    conflict: list[tuple[str, str, str]] | None = None,
) -> Template:
    # every error is listed at the top, linked to its field; one with no field of its own on the
    # form (keyed "_…") is listed without a link, never dropped
    summary = {(field if field in FORM_FIELDS else f"_{field}"): message for field, message in errors.items()}
    return page(
        "partner/service_form.html",
        principal,
        status_code=status_code,
        service=service,
        values=values,
        errors=errors,
        summary=summary,
        error_labels=hours_labels(directory_labels()["weekday"]),
        version=version,
        notice=notice,
        conflict=conflict,
        labels=directory_labels(),
        choices=listing_choice_labels(),
        terms=taxonomy.terms(),
        populations=[p.value for p in Population],
        common_languages=COMMON_LANGUAGES,
    )


async def _editable_service(work: PageWork, service_id: uuid.UUID) -> Service:
    """The listing to edit: 404 when the principal may not even see it, 403 when it may see but
    not edit it (the same answers the API gives)."""
    async with work.pool.acquire() as conn:
        service = await readable_service(conn, work.principal, service_id)
    check(work.principal, Action.EDIT_LISTING, service.organization_id)
    # whoever may edit a listing may see all of it, so nothing of it was redacted
    return service


# -- GET /partner: the organization's listings, with beds free ------------------------------------


async def _my_listings(conn: Connection, principal: Principal) -> list[Service]:
    assert principal.organization_id is not None
    ids = await repo.service_ids_of_organization(conn, principal.organization_id)
    services = [present(principal, s) for s in await repo.get_services(conn, ids)]
    return sorted(services, key=lambda s: (s.status is not ServiceStatus.ACTIVE, s.name.casefold()))


async def _dashboard(
    work: PageWork,
    *,
    notice: str | None = None,
    capacity_errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    # only partners get here: the partner router's guard checks the home page, and set_capacity
    # sends other roles elsewhere
    assert work.principal.organization_id is not None
    async with work.pool.acquire() as conn:
        organization = await repo.get_organization(conn, work.principal.organization_id)
        services = await _my_listings(conn, work.principal)
    return work.page(
        "partner/index.html",
        status_code,
        organization=organization,
        services=services,
        statuses=listing_status_labels(),
        labels=directory_labels(),
        capacity_errors=capacity_errors or {},
        typed=typed or {},
        notice=notice,
    )


@get("/", name="partner")
async def partner_home(work: Work, saved: FromQuery[str | None] = None) -> Template:
    notice = None
    if saved == "capacity":
        notice = _("Beds free saved.")
    return await _dashboard(work, notice=notice)


@post("/services/{service_id:uuid}/capacity", status_code=303)
async def set_capacity(
    request: AnyRequest, work: Work, form: Form, service_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    principal = work.principal
    raw = str(form.get("available", "")).strip()
    too_many = False
    if raw.isdigit() and int(raw) <= MAX_COUNT:
        try:
            service = await work.act(listings.set_capacity, service_id, int(raw))
        except ValidationFailed:
            too_many = True  # the only refusal here: more beds free than the listing has in total
        else:
            if _htmx(request):
                return page(
                    "partner/partials/listing_row.html",
                    principal,
                    service=present(principal, service),
                    statuses=listing_status_labels(),
                    capacity_errors={},
                    typed={},
                    row_notice=_("Saved."),
                )
            if principal.role is not Role.PARTNER:
                # coordinators and admins have no /partner page: back to the listing's form
                return Redirect(path=f"/partner/services/{service_id}?saved=1", status_code=303)
            return Redirect(path=f"/partner?saved=capacity#service-{service_id}", status_code=303)
    # 404 or 403 before any error message, for a listing this person may not edit
    current = await _editable_service(work, service_id)
    if too_many:
        error = _("At most %(total)s: that is all the beds the listing has.") % {"total": current.capacity_total}
    else:
        error = _("Enter the number of beds free (0 or more).")
    key = str(service_id)
    if _htmx(request):
        # htmx swaps only successful answers, so the row with its error comes back as 200
        return page(
            "partner/partials/listing_row.html",
            principal,
            service=current,
            statuses=listing_status_labels(),
            capacity_errors={key: error},
            typed={key: raw},
            row_notice=None,
        )
    if principal.role is not Role.PARTNER:
        # coordinators and admins have no /partner page to go back to: show the error on the form
        return _form_page(
            principal,
            service=current,
            values=values_of_service(current) | {"capacity_available": raw},
            errors={"capacity_available": error},
            version=current.version,
            status_code=422,
        )
    return await _dashboard(work, capacity_errors={key: error}, typed={key: raw}, status_code=422)


# -- the listing form ------------------------------------------------------------------------------


def _may_create(principal: Principal) -> None:
    """New listings belong to the creator's own organization; an account without one (an
    administrator) creates listings through the API, naming the organization."""
    check(principal, Action.EDIT_LISTING, principal.organization_id)
    if principal.organization_id is None:
        raise Forbidden("New listings are created for your own organization, and you have none")


@get("/services/new", name="partner-service-new")
async def new_service_form(principal: Who) -> Template:
    _may_create(principal)
    return _form_page(principal, service=None, values=values_of_service(None), errors={}, version=None)


@post("/services", status_code=303)
async def create_service(principal: Who, form: Form, creator: NamedDependency[Creator]) -> Redirect | Template:
    _may_create(principal)
    values = values_of_form(form)
    parsed = parse_listing(values)
    errors = dict(parsed.errors)
    if not errors:
        rename = listing_fields(parsed, len(parsed.data["locations"]))
        fields = {**parsed.data, "organization_id": principal.organization_id}
        data, errors = convert(fields, ServiceCreate, rename=rename)
        try:
            if data is not None:
                service_id = await creator.create_from_form(
                    form,
                    data,
                    lambda conn: listings.create_service(conn, principal, data),
                )
                return Redirect(path=f"/partner/services/{service_id}?saved=created", status_code=303)
        except ValidationFailed as exc:
            errors = domain_errors(exc, rename=rename)
    return _form_page(principal, service=None, values=values, errors=errors, version=None, status_code=422)


@get("/services/{service_id:uuid}", name="partner-service")
async def edit_service_form(
    work: Work, service_id: FromPath[uuid.UUID], saved: FromQuery[str | None] = None
) -> Template:
    service = await _editable_service(work, service_id)
    notice = {"created": _("Listing created."), "1": _("Changes saved.")}.get(saved or "")
    return _form_page(
        work.principal,
        service=service,
        values=values_of_service(service),
        errors={},
        version=service.version,
        notice=notice,
    )


@post("/services/{service_id:uuid}", status_code=303)
async def save_service(work: Work, form: Form, service_id: FromPath[uuid.UUID]) -> Redirect | Template:
    stored = await _editable_service(work, service_id)
    values = values_of_form(form)
    raw_version = str(form.get("version", "")).strip()
    expected = int(raw_version) if raw_version.isdigit() else None
    parsed = parse_listing(values)
    errors = dict(parsed.errors)
    if not errors:
        fields = dict(parsed.data)
        # the form edits the first place; any further places of the listing are kept as stored
        extra = [msgspec.to_builtins(loc) for loc in stored.locations[1:]]
        for location in extra:
            location.pop("id", None)
        fields["locations"] = fields["locations"] + extra
        rename = listing_fields(parsed, len(fields["locations"]))
        patch, errors = convert(fields, ServicePatch, rename=rename)
        try:
            if patch is not None:
                await work.act(listings.patch_service, service_id, expected, patch)
                return Redirect(path=f"/partner/services/{service_id}?saved=1", status_code=303)
        except ValidationFailed as exc:
            errors = domain_errors(exc, rename=rename)
        except PreconditionFailed:
            current = await _editable_service(work, service_id)
            return _form_page(
                work.principal,
                service=current,
                values=values,
                errors={},
                # submitting again applies the person's version over the current one, knowingly
                version=current.version,
                status_code=412,
                conflict=conflict_rows(values, values_of_service(current)),
            )
    return _form_page(work.principal, service=stored, values=values, errors=errors, version=expected, status_code=422)
