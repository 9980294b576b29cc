"""Changing a case from the pages: its details and identifiers (a form like the one that opened it,
refused if someone changed the case since it was read), closing it with a reason or reopening it,
and — for a coordinator — de-identifying it for good. The same use cases as ``PATCH
/api/v1/survivors/{id}`` and ``POST …/deidentify``, inside ``transact``: scope, encryption and the
audit log are theirs."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Mapping
from typing import Any

import asyncpg
from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from service import places
from service.auth.models import Principal
from service.auth.permissions import Action, scope_of
from service.crypto import PersonalDataCipher
from service.db import transact
from service.errors import DomainError
from service.reintegration import cases
from service.reintegration.case_models import Survivor, SurvivorCreate, SurvivorPatch
from service.web import forms
from service.web.cases.case import CASE_FIELDS, CASE_RENAME, form_values, survivor_from_form
from service.web.cases.form_input import blanks, checked, convert
from service.web.forms import Errors
from service.web.i18n import gettext as _
from service.web.page import Cipher, Pool, Who, page
from service.web.words import country_name, directory_labels, language_list, vocabulary

# what a form sends that the use case answers in the form, rather than as an error page
_FORM_ANSWERS = (409, 412, 422)


def case_values(case: Survivor) -> dict[str, str]:
    """A case as the values of its form."""

    def text(value: object) -> str:
        return "" if value is None else str(getattr(value, "value", value))

    values = {name: text(getattr(case, name)) for name in CASE_FIELDS}
    province = places.resolve(case.home_province) if case.home_province else None
    # the form takes names, as typed; a former province the case records stays what it says
    values["home_province"] = case.home_former_province or (province.name if province else "")
    values["nationality"] = country_name(case.nationality)
    values["returned_from"] = country_name(case.returned_from) if case.returned_from else ""
    values["languages"] = language_list(case.languages)
    values["accompanying_child"] = "on" if case.accompanying_child else ""
    values["contact_channel"] = text(case.contact_preference.channel)
    values["safe_hours"] = text(case.contact_preference.safe_hours)
    values["do_not_contact"] = "on" if case.contact_preference.do_not_contact else ""
    return values


def patch_from_form(values: Mapping[str, str]) -> tuple[SurvivorPatch | None, Errors]:
    """Every field of the form, as a whole: a field left blank clears what the case held."""
    data, errors = survivor_from_form(values)
    if data is None:
        return None, errors
    # the form never names an assignee: the case keeps its own
    fields = {
        name: getattr(data, name) for name in SurvivorCreate.__struct_fields__ if name != "assigned_caseworker_id"
    }
    return SurvivorPatch(**fields), {}


def _version(values: Mapping[str, str]) -> int | None:
    version = values.get("version", "")
    return int(version) if version.isdigit() else None


async def _edit_page(
    pool: asyncpg.Pool,
    principal: Principal,
    cipher: PersonalDataCipher,
    survivor_id: uuid.UUID,
    *,
    values: Mapping[str, str] | None = None,
    refused: Errors | None = None,
    form: str = "case",
    status_code: int = 200,
) -> Template:
    """The edit page; after a refusal, ``form`` (case, status or deidentify) shows ``refused``."""
    case = await transact(pool, cases.read_case, principal, cipher, survivor_id)  # scope: 404 stops here
    shown: dict[str, Errors] = {"case": {}, "status": {}, "deidentify": {}, form: refused or {}}
    return page(
        "cases/edit.html",
        principal,
        status_code,
        case=case,
        values=blanks(case_values(case) if values is None else values),
        errors=shown["case"],
        status_errors=shown["status"],
        deidentify_errors=shown["deidentify"],
        # the case was read within the principal's scope; de-identifying takes the role as well
        may_deidentify=scope_of(principal, Action.DEIDENTIFY_CASE) is not None,
        words=vocabulary(),
        labels=directory_labels(),
    )


async def _done_or_refused(
    pool: asyncpg.Pool,
    principal: Principal,
    cipher: PersonalDataCipher,
    survivor_id: uuid.UUID,
    change: Awaitable[object],
    *,
    form: str,
    rename: Mapping[str, str],
    values: Mapping[str, str] | None = None,
) -> Redirect | Template:
    """Back to the case once ``change`` is made; a refusal the form can explain, in the form."""
    try:
        await change
    except DomainError as exc:
        if exc.status not in _FORM_ANSWERS:
            raise
        refused = forms.domain_errors(exc, rename=rename, summary=form == "case")
        return await _edit_page(
            pool, principal, cipher, survivor_id, values=values, refused=refused, form=form, status_code=exc.status
        )
    return Redirect(path=f"/cases/{survivor_id}", status_code=303)


@get("/cases/{survivor_id:uuid}/edit", name="case-edit")
async def edit_case_form(principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]) -> Template:
    return await _edit_page(pool, principal, cipher, survivor_id)


@post("/cases/{survivor_id:uuid}/edit", name="case-update", status_code=303)
async def update_case(
    request: Request[Any, Any, Any], principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    values = await form_values(request)
    patch, errors = patch_from_form(values)
    if patch is None:
        return await _edit_page(pool, principal, cipher, survivor_id, values=values, refused=errors, status_code=422)
    change = transact(pool, cases.patch_case, principal, cipher, survivor_id, _version(values), patch)
    return await _done_or_refused(
        pool, principal, cipher, survivor_id, change, form="case", rename=CASE_RENAME, values=values
    )


@post("/cases/{survivor_id:uuid}/status", name="case-status", status_code=303)
async def change_status(
    request: Request[Any, Any, Any], principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    values = await form_values(request)
    fields: dict[str, Any] = {"status": values.get("status", "")}
    if values.get("closure_reason"):
        fields["closure_reason"] = values["closure_reason"]
    rename = {"status": "status", "closure_reason": "closure_reason"}
    patch, errors = convert(fields, SurvivorPatch, rename)
    if patch is None:
        return await _edit_page(pool, principal, cipher, survivor_id, refused=errors, form="status", status_code=422)
    change = transact(pool, cases.patch_case, principal, cipher, survivor_id, _version(values), patch)
    return await _done_or_refused(pool, principal, cipher, survivor_id, change, form="status", rename=rename)


@post("/cases/{survivor_id:uuid}/deidentify", name="case-deidentify", status_code=303)
async def deidentify_case(
    request: Request[Any, Any, Any], principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    values = await form_values(request)
    if not checked(values, "confirm"):
        # the case is read first, so an unconfirmed request outside the scope still gets 404
        refused: Errors = {"confirm": _("Tick this box to confirm")}
        return await _edit_page(
            pool, principal, cipher, survivor_id, refused=refused, form="deidentify", status_code=422
        )
    change = transact(pool, cases.deidentify_case, principal, cipher, survivor_id)
    return await _done_or_refused(pool, principal, cipher, survivor_id, change, form="deidentify", rename={})
