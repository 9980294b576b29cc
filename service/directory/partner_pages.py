"""Partner pages: the organization's own listings (edit, beds free, revisions) and its referral
inbox; and the coordinators' listing verification queue."""

from __future__ import annotations

import re
import uuid
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Router, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.auth import repo as auth_repo
from service.auth.models import Principal, Role
from service.auth.permissions import Action, check
from service.db import Connection, transact
from service.directory import commands, repo, rules, taxonomy, verification
from service.directory.api import present, readable_service
from service.directory.models import (
    ContactKind,
    Fee,
    Population,
    Revision,
    Service,
    ServiceCreate,
    ServicePatch,
    ServiceStatus,
    Visibility,
)
from service.directory.pages import labels
from service.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from service.pagination import PageParams
from service.reintegration import referrals
from service.reintegration.models import Referral, ReferralStatus, TransitionRequest, Urgency
from service.reintegration.workflow import (
    DECLINE_REASONS,
    NOT_COMPLETED_REASONS,
    REFERRAL_TRANSITIONS,
    Side,
    allowed_actions,
)
from service.web.forms import convert, domain_errors, text
from service.web.i18n import gettext as _
from service.web.pages import PAGE_DEPENDENCIES, page, safe_next

AnyRequest = Request[Any, Any, Any]

MAX_CONTACT_ROWS = 30
MAX_SCHEDULE_ROWS = 50
SPARE_CONTACT_ROWS = 2
MAX_COUNT = 100_000  # service.fields.Count
NOTE_LIMIT = 2000  # TransitionRequest.note's limit


def _partner_only(principal: Principal) -> None:
    """/partner is the workspace of an organization that receives referrals: partners only."""
    check(principal, Action.RESPOND_TO_REFERRAL, principal.organization_id)


def _htmx(request: AnyRequest) -> bool:
    return bool(request.headers.get("hx-request")) and not request.headers.get("hx-boosted")


# -- how listing fields are named on the pages ----------------------------------------------------


def field_labels() -> dict[str, str]:
    """Names of the listing's fields in the page's language (history, conflicts)."""
    return {
        "name": _("Name"),
        "alternate_name": _("Other name"),
        "description": _("Description"),
        "status": _("Status"),
        "categories": _("Kinds of service"),
        "populations": _("Who it is for"),
        "eligibility_description": _("Eligibility"),
        "min_age": _("Minimum age"),
        "max_age": _("Maximum age"),
        "genders": _("Sex"),
        "languages": _("Languages"),
        "fee": _("Fee"),
        "application_process": _("How to apply"),
        "required_documents": _("Documents to bring"),
        "accepting_referrals": _("Accepting referrals"),
        "capacity_total": _("Beds in total"),
        "capacity_available": _("Beds free"),
        "visibility": _("Who can see it"),
        "contacts": _("Hotlines and phones"),
        "schedules": _("Opening hours"),
        "service_areas": _("Area served"),
        "locations": _("Place"),
        "last_verified_at": _("Last verified"),
        "verified_by": _("Verified by"),
        "organization_id": _("Organization"),
    }


def status_labels() -> dict[str, str]:
    return {
        ServiceStatus.ACTIVE: _("Active"),
        ServiceStatus.TEMPORARILY_CLOSED: _("Temporarily closed"),
        ServiceStatus.INACTIVE: _("Inactive"),
    }


def choice_labels() -> dict[str, dict[str, str]]:
    return {
        "status": status_labels(),
        "fee": {Fee.FREE: _("Free"), Fee.LOW_COST: _("Low cost"), Fee.PAID: _("Paid")},
        "visibility": {
            Visibility.PUBLIC: _("Everyone (public)"),
            Visibility.STAFF: _("Staff only (caseworkers, coordinators)"),
        },
        "contact_kind": {
            ContactKind.HOTLINE: _("Hotline"),
            ContactKind.PHONE: _("Phone"),
            ContactKind.ZALO: _("Zalo"),
            ContactKind.EMAIL: _("Email"),
            ContactKind.FACEBOOK: _("Facebook"),
        },
    }


def _display(value: Any) -> str:
    """A stored value as one line of text, for revision lists and conflict tables."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_display(item)}" for key, item in value.items() if item not in (None, "", [], False))
    if isinstance(value, list):
        separator = "; " if any(isinstance(item, dict) for item in value) else ", "
        return separator.join(_display(item) for item in value)
    return str(value)


# -- the listing form: its values as typed, and the API shape they convert to ----------------------


def _blank_schedule_rows(taken: set[int]) -> list[dict[str, str]]:
    rows = [{"weekday": str(day), "opens": "", "closes": ""} for day in range(1, 8) if day not in taken]
    return [*rows, {"weekday": "", "opens": "", "closes": ""}]


def _pad_contacts(contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    blank = {"kind": "hotline", "value": "", "hours": "", "is_24_7": False, "languages": ""}
    spare = max(SPARE_CONTACT_ROWS, 3 - len(contacts))
    return contacts + [dict(blank) for _row in range(min(spare, MAX_CONTACT_ROWS - len(contacts)))]


def values_of_service(service: Service | None) -> dict[str, Any]:
    """The form's fields filled from a stored listing (or empty for a new one)."""
    if service is None:
        return {
            "name": "",
            "alternate_name": "",
            "description": "",
            "status": ServiceStatus.ACTIVE.value,
            "categories": [],
            "populations": [],
            "eligibility_description": "",
            "min_age": "",
            "max_age": "",
            "languages": "vi",
            "fee": Fee.FREE.value,
            "application_process": "",
            "required_documents": "",
            "accepting_referrals": True,
            "capacity_total": "",
            "capacity_available": "",
            "visibility": Visibility.PUBLIC.value,
            "service_areas": "",
            "loc_name": "",
            "loc_street": "",
            "loc_commune": "",
            "loc_province": "",
            "loc_lat": "",
            "loc_lon": "",
            "loc_accessibility": "",
            "loc_confidential": False,
            "contacts": _pad_contacts([]),
            "schedules": _blank_schedule_rows(set()),
        }
    provinces = labels()["province"]
    first = service.locations[0] if service.locations else None

    def text(value: Any) -> str:
        return "" if value is None else str(value)

    schedules = [{"weekday": str(s.weekday), "opens": s.opens_at, "closes": s.closes_at} for s in service.schedules]
    schedules = sorted(
        schedules + _blank_schedule_rows({s.weekday for s in service.schedules}),
        key=lambda row: int(row["weekday"] or 8),
    )
    return {
        "name": service.name,
        "alternate_name": text(service.alternate_name),
        "description": service.description,
        "status": service.status.value,
        "categories": list(service.categories),
        "populations": list(service.populations),
        "eligibility_description": service.eligibility_description,
        "min_age": text(service.min_age),
        "max_age": text(service.max_age),
        "languages": ", ".join(service.languages),
        "fee": service.fee.value,
        "application_process": service.application_process,
        "required_documents": "\n".join(service.required_documents),
        "accepting_referrals": service.accepting_referrals,
        "capacity_total": text(service.capacity_total),
        "capacity_available": text(service.capacity_available),
        "visibility": service.visibility.value,
        "service_areas": ", ".join(provinces.get(code, code) for code in service.service_areas),
        "loc_name": first.name if first else "",
        "loc_street": text(first.street) if first else "",
        "loc_commune": first.commune if first else "",
        "loc_province": provinces.get(first.province_code, first.province_code) if first else "",
        "loc_lat": text(first.lat) if first else "",
        "loc_lon": text(first.lon) if first else "",
        "loc_accessibility": first.accessibility if first else "",
        "loc_confidential": first.confidential if first else False,
        "contacts": _pad_contacts(
            [
                {
                    "kind": c.kind.value,
                    "value": c.value,
                    "hours": c.hours,
                    "is_24_7": c.is_24_7,
                    "languages": ", ".join(c.languages),
                }
                for c in service.contacts
            ]
        ),
        "schedules": schedules,
    }


_TEXT_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "status",
    "eligibility_description",
    "min_age",
    "max_age",
    "languages",
    "fee",
    "application_process",
    "required_documents",
    "capacity_total",
    "capacity_available",
    "visibility",
    "service_areas",
    "loc_name",
    "loc_street",
    "loc_commune",
    "loc_province",
    "loc_lat",
    "loc_lon",
    "loc_accessibility",
)


def values_of_form(form: FormMultiDict) -> dict[str, Any]:
    """The form's fields exactly as the person typed them, to show again after an error."""
    values: dict[str, Any] = {name: text(form, name) for name in _TEXT_FIELDS}
    values["categories"] = [str(v) for v in form.getall("categories", [])]
    values["populations"] = [str(v) for v in form.getall("populations", [])]
    values["accepting_referrals"] = "accepting_referrals" in form
    values["loc_confidential"] = "loc_confidential" in form
    contacts = []
    for row in range(MAX_CONTACT_ROWS):
        if f"contact_kind_{row}" not in form:
            break
        contacts.append(
            {
                "kind": text(form, f"contact_kind_{row}"),
                "value": text(form, f"contact_value_{row}"),
                "hours": text(form, f"contact_hours_{row}"),
                "is_24_7": f"contact_247_{row}" in form,
                "languages": text(form, f"contact_languages_{row}"),
            }
        )
    values["contacts"] = contacts
    schedules = []
    for row in range(MAX_SCHEDULE_ROWS):
        if f"schedule_day_{row}" not in form:
            break
        schedules.append(
            {
                "weekday": text(form, f"schedule_day_{row}"),
                "opens": text(form, f"schedule_opens_{row}"),
                "closes": text(form, f"schedule_closes_{row}"),
            }
        )
    values["schedules"] = schedules
    return values


class ListingForm(msgspec.Struct, kw_only=True):
    """A listing form turned into the API's field dict, with the errors found on the way and,
    for the repeated rows, which form row each list item came from (to place errors)."""

    data: dict[str, Any]
    errors: dict[str, str]
    contact_rows: list[int]
    schedule_rows: list[int]


def _codes(text: str) -> list[str]:
    return [part.strip().lower() for part in re.split(r"[,;\s]+", text) if part.strip()]


def parse_listing(values: dict[str, Any]) -> ListingForm:
    errors: dict[str, str] = {}

    def whole(name: str) -> int | None:
        raw = str(values.get(name, "")).strip()
        if not raw:
            return None
        if not raw.isdigit():
            errors[name] = _("Enter a whole number, or leave it empty.")
            return None
        return int(raw)

    def decimal(name: str) -> float | None:
        raw = str(values.get(name, "")).strip().replace(",", ".")
        if not raw:
            return None
        try:
            return float(raw)
        except ValueError:
            errors[name] = _("Enter a number like 10.03, or leave it empty.")
            return None

    if not str(values["name"]).strip():
        errors["name"] = _("Enter the listing's name.")
    data: dict[str, Any] = {
        "name": str(values["name"]).strip(),
        "alternate_name": str(values["alternate_name"]).strip() or None,
        "description": str(values["description"]).strip(),
        "status": values["status"],
        "categories": list(values["categories"]),
        "populations": list(values["populations"]),
        "eligibility_description": str(values["eligibility_description"]).strip(),
        "min_age": whole("min_age"),
        "max_age": whole("max_age"),
        "languages": _codes(str(values["languages"])),
        "fee": values["fee"],
        "application_process": str(values["application_process"]).strip(),
        "required_documents": [line.strip() for line in str(values["required_documents"]).splitlines() if line.strip()],
        "accepting_referrals": bool(values["accepting_referrals"]),
        "capacity_total": whole("capacity_total"),
        "capacity_available": whole("capacity_available"),
        "visibility": values["visibility"],
        "service_areas": [part.strip() for part in str(values["service_areas"]).split(",") if part.strip()],
    }
    location = {key: str(values[f"loc_{key}"]).strip() for key in ("name", "street", "commune", "accessibility")}
    lat, lon = decimal("loc_lat"), decimal("loc_lon")
    province = str(values["loc_province"]).strip()
    if province or any(location.values()) or lat is not None or lon is not None:
        if not province:
            errors["loc_province"] = _("Say which province the place is in.")
        data["locations"] = [
            {
                **location,
                "province_code": province,
                "lat": lat,
                "lon": lon,
                "confidential": bool(values["loc_confidential"]),
            }
        ]
    else:
        data["locations"] = []
    contacts, contact_rows = [], []
    for row, contact in enumerate(values["contacts"]):
        if not contact["value"].strip():
            continue
        contact_rows.append(row)
        contacts.append(
            {
                "kind": contact["kind"],
                "value": contact["value"].strip(),
                "hours": contact["hours"].strip(),
                "is_24_7": bool(contact["is_24_7"]),
                "languages": _codes(contact["languages"]),
            }
        )
    data["contacts"] = contacts
    schedules, schedule_rows = [], []
    for row, entry in enumerate(values["schedules"]):
        if not entry["opens"] and not entry["closes"]:
            continue
        if not entry["weekday"].isdigit():
            errors[f"schedule_day_{row}"] = _("Choose the day.")
            continue
        if not entry["opens"] or not entry["closes"]:
            errors[f"schedule_{'closes' if entry['opens'] else 'opens'}_{row}"] = _("Give both times, or neither.")
            continue
        schedule_rows.append(row)
        schedules.append({"weekday": int(entry["weekday"]), "opens_at": entry["opens"], "closes_at": entry["closes"]})
    data["schedules"] = schedules
    return ListingForm(data=data, errors=errors, contact_rows=contact_rows, schedule_rows=schedule_rows)


_LOCATION_FIELDS = {
    "name": "loc_name",
    "street": "loc_street",
    "commune": "loc_commune",
    "province_code": "loc_province",
    "lat": "loc_lat",
    "lon": "loc_lon",
    "accessibility": "loc_accessibility",
}
_ROW_FIELDS = {
    "contacts": {"kind": "contact_kind", "hours": "contact_hours", "languages": "contact_languages"},
    "schedules": {"weekday": "schedule_day", "opens_at": "schedule_opens", "closes_at": "schedule_closes"},
}


def listing_fields(parsed: ListingForm, locations: int) -> dict[str, str]:
    """API field paths of a listing → the form fields they were typed into (see
    ``forms.field_name``): the repeated rows by the form row each list item came from, and every
    place's fields on the one place the form edits."""
    names: dict[str, str] = {}
    for index in range(locations):
        names[f"locations[{index}]"] = "loc_lat"
        names |= {f"locations[{index}].{leaf}": name for leaf, name in _LOCATION_FIELDS.items()}
    for group, rows, default in (
        ("contacts", parsed.contact_rows, "contact_value"),
        ("schedules", parsed.schedule_rows, "schedule_opens"),
    ):
        for index, row in enumerate(rows):
            names[f"{group}[{index}]"] = f"{default}_{row}"
            names |= {f"{group}[{index}].{leaf}": f"{prefix}_{row}" for leaf, prefix in _ROW_FIELDS[group].items()}
    return names


FORM_FIELDS = frozenset(
    {*_TEXT_FIELDS, "categories", "populations", "accepting_referrals", "loc_confidential"}
    | {f"{prefix}_{row}" for prefix in ("contact_kind", "contact_value", "contact_hours") for row in range(30)}
    | {f"{prefix}_{row}" for prefix in ("schedule_day", "schedule_opens", "schedule_closes") for row in range(50)}
)


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
    # errors with no field of their own on the form are listed at the top, never dropped
    unplaced = [message for field, message in errors.items() if field not in FORM_FIELDS]
    return page(
        "partner/service_form.html",
        principal,
        status_code=status_code,
        service=service,
        values=values,
        errors=errors,
        unplaced=unplaced,
        version=version,
        notice=notice,
        conflict=conflict,
        labels=labels(),
        choices=choice_labels(),
        terms=taxonomy.terms(),
        populations=[p.value for p in Population],
    )


def _conflict_rows(mine: dict[str, Any], stored: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, what you typed, what is stored now) for every field where they differ."""
    names = field_labels()

    def summary(values: dict[str, Any]) -> dict[str, str]:
        shown = {key: _display(values[key]) for key in values if key not in ("contacts", "schedules")}
        shown["locations"] = _display(
            [values[f"loc_{k}"] for k in ("name", "street", "commune", "province", "lat", "lon") if values[f"loc_{k}"]]
        )
        shown["contacts"] = _display(
            [f"{c['kind']} {c['value']}{' 24/7' if c['is_24_7'] else ''}" for c in values["contacts"] if c["value"]]
        )
        shown["schedules"] = _display(
            [f"{s['weekday']} {s['opens']}–{s['closes']}" for s in values["schedules"] if s["opens"] or s["closes"]]
        )
        return shown

    yours, theirs = summary(mine), summary(stored)
    keys = [key for key in field_labels() if key in yours and key in theirs]
    keys += [key for key in ("loc_confidential",) if key in yours]
    return [
        (names.get(key, _("Confidential address")), yours[key], theirs[key])
        for key in keys
        if yours[key] != theirs[key]
    ]


async def _editable_service(pool: asyncpg.Pool, principal: Principal, service_id: uuid.UUID) -> Service:
    """The listing to edit: 404 when the principal may not even see it, 403 when it may see but
    not edit it (the same answers the API gives)."""
    async with pool.acquire() as conn:
        service = await readable_service(conn, principal, service_id)
    check(principal, Action.EDIT_LISTING, service.organization_id)
    # whoever may edit a listing may see all of it, so nothing of it was redacted
    return service


# -- GET /partner: the organization's listings, with beds free ------------------------------------


async def _my_listings(conn: Connection, principal: Principal) -> list[Service]:
    assert principal.organization_id is not None
    ids = await repo.service_ids_of_organization(conn, principal.organization_id)
    services = [present(principal, s) for s in await repo.get_services(conn, ids)]
    return sorted(services, key=lambda s: (s.status is not ServiceStatus.ACTIVE, s.name.casefold()))


async def _dashboard(
    pool: asyncpg.Pool,
    principal: Principal,
    *,
    notice: str | None = None,
    capacity_errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    _partner_only(principal)
    assert principal.organization_id is not None
    async with pool.acquire() as conn:
        organization = await repo.get_organization(conn, principal.organization_id)
        services = await _my_listings(conn, principal)
    return page(
        "partner/index.html",
        principal,
        status_code=status_code,
        organization=organization,
        services=services,
        statuses=status_labels(),
        labels=labels(),
        capacity_errors=capacity_errors or {},
        typed=typed or {},
        notice=notice,
    )


@get("/", name="partner")
async def partner_home(
    principal: NamedDependency[Principal], pool: NamedDependency[asyncpg.Pool], saved: FromQuery[str | None] = None
) -> Template:
    notice = None
    if saved == "capacity":
        notice = _("Beds free saved.")
    return await _dashboard(pool, principal, notice=notice)


@post("/services/{service_id:uuid}/capacity", status_code=303)
async def set_capacity(
    request: AnyRequest,
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    service_id: FromPath[uuid.UUID],
) -> Redirect | Template:
    form = await request.form()
    raw = str(form.get("available", "")).strip()
    too_many = False
    if raw.isdigit() and int(raw) <= MAX_COUNT:
        try:
            service = await transact(pool, commands.set_capacity, principal, service_id, int(raw))
        except ValidationFailed:
            too_many = True  # the only refusal here: more beds free than the listing has in total
        else:
            if _htmx(request):
                return page(
                    "partner/partials/listing_row.html",
                    principal,
                    service=present(principal, service),
                    statuses=status_labels(),
                    capacity_errors={},
                    typed={},
                    row_notice=_("Saved."),
                )
            if principal.role is not Role.PARTNER:
                # coordinators and admins have no /partner page: back to the listing's form
                return Redirect(path=f"/partner/services/{service_id}?saved=1", status_code=303)
            return Redirect(path=f"/partner?saved=capacity#service-{service_id}", status_code=303)
    # 404 or 403 before any error message, for a listing this person may not edit
    current = await _editable_service(pool, principal, service_id)
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
            statuses=status_labels(),
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
    return await _dashboard(pool, principal, capacity_errors={key: error}, typed={key: raw}, status_code=422)


# -- the listing form ------------------------------------------------------------------------------


def _may_create(principal: Principal) -> None:
    """New listings belong to the creator's own organization; an account without one (an
    administrator) creates listings through the API, naming the organization."""
    check(principal, Action.EDIT_LISTING, principal.organization_id)
    if principal.organization_id is None:
        raise Forbidden("New listings are created for your own organization, and you have none")


@get("/services/new", name="partner-service-new")
async def new_service_form(principal: NamedDependency[Principal]) -> Template:
    _may_create(principal)
    return _form_page(principal, service=None, values=values_of_service(None), errors={}, version=None)


@post("/services", status_code=303)
async def create_service(
    request: AnyRequest, principal: NamedDependency[Principal], pool: NamedDependency[asyncpg.Pool]
) -> Redirect | Template:
    _may_create(principal)
    values = values_of_form(await request.form())
    parsed = parse_listing(values)
    errors = dict(parsed.errors)
    if not errors:
        rename = listing_fields(parsed, len(parsed.data["locations"]))
        fields = {**parsed.data, "organization_id": principal.organization_id}
        data, errors = convert(fields, ServiceCreate, rename=rename)
        try:
            if data is not None:
                service = await transact(pool, commands.create_service, principal, data)
                return Redirect(path=f"/partner/services/{service.id}?saved=created", status_code=303)
        except ValidationFailed as exc:
            errors = domain_errors(exc, rename=rename)
    return _form_page(principal, service=None, values=values, errors=errors, version=None, status_code=422)


@get("/services/{service_id:uuid}", name="partner-service")
async def edit_service_form(
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    service_id: FromPath[uuid.UUID],
    saved: FromQuery[str | None] = None,
) -> Template:
    service = await _editable_service(pool, principal, service_id)
    notice = {"created": _("Listing created."), "1": _("Changes saved.")}.get(saved or "")
    return _form_page(
        principal, service=service, values=values_of_service(service), errors={}, version=service.version, notice=notice
    )


@post("/services/{service_id:uuid}", status_code=303)
async def save_service(
    request: AnyRequest,
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    service_id: FromPath[uuid.UUID],
) -> Redirect | Template:
    stored = await _editable_service(pool, principal, service_id)
    form = await request.form()
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
                await transact(pool, commands.patch_service, principal, service_id, expected, patch)
                return Redirect(path=f"/partner/services/{service_id}?saved=1", status_code=303)
        except ValidationFailed as exc:
            errors = domain_errors(exc, rename=rename)
        except PreconditionFailed:
            current = await _editable_service(pool, principal, service_id)
            return _form_page(
                principal,
                service=current,
                values=values,
                errors={},
                # submitting again applies the person's version over the current one, knowingly
                version=current.version,
                status_code=412,
                conflict=_conflict_rows(values, values_of_service(current)),
            )
    return _form_page(principal, service=stored, values=values, errors=errors, version=expected, status_code=422)


# -- revisions ------------------------------------------------------------------------------------


async def _actor_names(conn: Connection, actor_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    names: dict[uuid.UUID, str] = {}
    for actor_id in actor_ids:
        try:
            user = await auth_repo.get_user(conn, actor_id)
        except NotFound:
            continue
        names[actor_id] = user.display_name or user.email
    return names


@get("/services/{service_id:uuid}/history", name="partner-service-history")
async def service_history(
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    paging: NamedDependency[PageParams],
    service_id: FromPath[uuid.UUID],
) -> Template:
    async with pool.acquire() as conn:
        # the same rule as GET /api/v1/services/{id}/revisions
        found = await repo.organization_of_service(conn, service_id)
        if found is None:
            raise NotFound("No such service")
        organization_id, visibility = found
        hidden = visibility == Visibility.STAFF and not rules.may_see_restricted(principal, organization_id)
        check(principal, Action.VIEW_REVISIONS, organization_id, hide=hidden)
        service = present(principal, await repo.get_service(conn, service_id))
        revisions, total = await repo.list_revisions(conn, service_id, limit=paging.per_page, offset=paging.offset)
        names = await _actor_names(conn, {r.actor_id for r in revisions if r.actor_id is not None})
    return page(
        "partner/history.html",
        principal,
        service=service,
        revisions=[_revision_view(r, names) for r in revisions],
        total=total,
        paging=paging,
        previous_page=paging.page - 1 if paging.page > 1 else None,
        next_page=paging.page + 1 if total > paging.page * paging.per_page else None,
    )


def _revision_view(revision: Revision, names: dict[uuid.UUID, str]) -> dict[str, Any]:
    fields = field_labels()
    actions = {
        "create": _("Created"),
        "update": _("Edited"),
        "capacity": _("Beds free updated"),
        "verify": _("Verified"),
    }
    return {
        "version": revision.version,
        "action": actions.get(revision.action, revision.action),
        "who": names.get(revision.actor_id, str(revision.actor_id)) if revision.actor_id else _("the system"),
        "at": revision.at,
        "changes": [
            (fields.get(name, name), _display(change[0] if change else None), _display(change[1] if change else None))
            for name, change in revision.changes.items()
        ],
    }


# -- the referral inbox ---------------------------------------------------------------------------


def referral_labels() -> dict[str, dict[str, str]]:
    return {
        "status": {
            ReferralStatus.DRAFT: _("Draft"),
            ReferralStatus.SENT: _("Waiting for your answer"),
            ReferralStatus.ACCEPTED: _("Accepted"),
            ReferralStatus.IN_PROGRESS: _("In progress"),
            ReferralStatus.ON_HOLD: _("On hold"),
            ReferralStatus.DECLINED: _("Declined"),
            ReferralStatus.EXPIRED: _("Expired (not answered in time)"),
            ReferralStatus.COMPLETED: _("Completed"),
            ReferralStatus.VERIFIED: _("Completed and confirmed"),
            ReferralStatus.NOT_COMPLETED: _("Not completed"),
            ReferralStatus.WITHDRAWN: _("Withdrawn"),
        },
        "urgency": {
            Urgency.EMERGENCY: _("Emergency (answer within 1 day)"),
            Urgency.URGENT: _("Urgent (answer within 3 days)"),
            Urgency.ROUTINE: _("Routine (answer within 7 days)"),
        },
        "action": {
            "accept": _("Accept"),
            "decline": _("Decline"),
            "start": _("Start the service"),
            "hold": _("Put on hold"),
            "resume": _("Resume"),
            "complete": _("Mark completed"),
            "not-complete": _("Could not complete"),
        },
        "reason": {
            "no_capacity": _("No places free"),
            "not_eligible": _("Not eligible for this service"),
            "out_of_area": _("Outside our area"),
            "service_unavailable": _("Service not available now"),
            "duplicate": _("Duplicate referral"),
            "couldnt_contact": _("Could not contact her/him"),
            "survivor_declined": _("The survivor declined"),
            "no_longer_interested": _("No longer interested"),
            "referred_elsewhere": _("Referred elsewhere"),
            "other": _("Other (explain in the note)"),
        },
    }


@get("/referrals", name="partner-referrals")
async def referral_inbox(
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    paging: NamedDependency[PageParams],
    status: FromQuery[str | None] = None,
) -> Template:
    _partner_only(principal)
    chosen = status if status in {s.value for s in ReferralStatus} else None
    inbox = await transact(pool, referrals.list_referrals, principal, paging, statuses=(chosen,) if chosen else ())
    return page(
        "partner/referrals.html",
        principal,
        inbox=inbox,
        status=chosen,
        names=referral_labels(),
        previous_page=paging.page - 1 if paging.page > 1 else None,
        next_page=paging.page + 1 if inbox.total > paging.page * paging.per_page else None,
    )


async def _referral_page(
    pool: asyncpg.Pool,
    principal: Principal,
    referral_id: uuid.UUID,
    *,
    status_code: int = 200,
    notice: str | None = None,
    alert: str | None = None,
    errors: dict[str, dict[str, str]] | None = None,
    typed: dict[str, dict[str, str]] | None = None,
) -> Template:
    _partner_only(principal)
    referral: Referral = await transact(pool, referrals.read_referral, principal, referral_id)
    actions = allowed_actions(referral.status, Side.RECEIVER)
    reasons = {"decline": sorted(DECLINE_REASONS), "not-complete": sorted(NOT_COMPLETED_REASONS)}
    return page(
        "partner/referral.html",
        principal,
        status_code=status_code,
        referral=referral,
        actions=actions,
        reasons=reasons,
        names=referral_labels(),
        notice=notice,
        alert=alert,
        errors=errors or {},
        typed=typed or {},
    )


@get("/referrals/{referral_id:uuid}", name="partner-referral")
async def referral_detail(
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    referral_id: FromPath[uuid.UUID],
    done: FromQuery[str | None] = None,
) -> Template:
    names = referral_labels()["action"]
    notice = _("Done: %(action)s.") % {"action": names[done]} if done in names else None
    return await _referral_page(pool, principal, referral_id, notice=notice)


@post("/referrals/{referral_id:uuid}/{action:str}", status_code=303)
async def referral_action(
    request: AnyRequest,
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    referral_id: FromPath[uuid.UUID],
    action: FromPath[str],
) -> Redirect | Template:
    _partner_only(principal)
    transition = REFERRAL_TRANSITIONS.get(action)
    if transition is None or transition.side is not Side.RECEIVER:
        raise NotFound("No such referral action")
    form = await request.form()
    typed = {"reason_code": text(form, "reason_code"), "note": text(form, "note")}
    hints = {"reason_code": _("Choose a reason."), "note": _("At most %(limit)d characters.") % {"limit": NOTE_LIMIT}}
    body, errors = convert(
        {"reason_code": typed["reason_code"] or None, "note": typed["note"]}, TransitionRequest, hints=hints
    )
    try:
        if body is not None:
            await transact(pool, referrals.transition, principal, referral_id, action, body)
    except ValidationFailed as exc:
        errors = domain_errors(exc, default_field="reason_code")
        if "reason_code" in {error.field for error in exc.errors}:
            errors["reason_code"] = hints["reason_code"]  # the domain lists the codes; the page offers them
    except Conflict:
        return await _referral_page(
            pool,
            principal,
            referral_id,
            status_code=409,
            alert=_(
                "This referral changed before your answer arrived (someone else may have acted first)."
                " Here is where it stands now."
            ),
        )
    if errors:
        return await _referral_page(
            pool, principal, referral_id, status_code=422, errors={action: errors}, typed={action: typed}
        )
    return Redirect(path=f"/partner/referrals/{referral_id}?done={action}", status_code=303)


# -- /verify: the coordinators' verification queue ------------------------------------------------


@get("/", name="verify")
async def verify_queue(
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    paging: NamedDependency[PageParams],
    verified: FromQuery[uuid.UUID | None] = None,
) -> Template:
    check(principal, Action.VERIFY_LISTING)
    async with pool.acquire() as conn:
        ids, total = await verification.queue_ids(conn, limit=paging.per_page, offset=paging.offset)
        by_id = {s.id: s for s in await repo.get_services(conn, ids)}
    services = [present(principal, by_id[i]) for i in ids if i in by_id]
    notice = None
    if verified is not None:
        async with pool.acquire() as conn:
            done = await repo.get_services(conn, [verified])
        notice = _("“%(name)s” is marked verified.") % {"name": done[0].name} if done else None
    return page(
        "partner/verify.html",
        principal,
        services=services,
        total=total,
        paging=paging,
        statuses=status_labels(),
        notice=notice,
        previous_page=paging.page - 1 if paging.page > 1 else None,
        next_page=paging.page + 1 if total > paging.page * paging.per_page else None,
    )


@post("/{service_id:uuid}", status_code=303)
async def verify_listing(
    request: AnyRequest,
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    service_id: FromPath[uuid.UUID],
) -> Redirect:
    await transact(pool, commands.verify_service, principal, service_id)
    form = await request.form()
    back = safe_next(str(form.get("next", "/verify")))
    if not back.startswith("/verify"):
        back = "/verify"
    separator = "&" if "?" in back else "?"
    return Redirect(path=f"{back}{separator}verified={service_id}", status_code=303)


router = Router(
    path="/partner",
    route_handlers=[
        partner_home,
        set_capacity,
        new_service_form,
        create_service,
        edit_service_form,
        save_service,
        service_history,
        referral_inbox,
        referral_detail,
        referral_action,
    ],
    dependencies=PAGE_DEPENDENCIES,
    include_in_schema=False,
)

verify_router = Router(
    path="/verify",
    route_handlers=[verify_queue, verify_listing],
    dependencies=PAGE_DEPENDENCIES,
    include_in_schema=False,
)
