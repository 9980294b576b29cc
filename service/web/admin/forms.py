"""What the admin room's forms share: the words next to refused fields, the friendlier words for
domain refusals, reading a select's organization, the organizations offered in one, the
previous/next links of a list, and saving a form (read, refused or done)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from litestar.response import Redirect, Template

from service.directory import repo as directory_repo
from service.errors import Conflict, DomainError, ValidationFailed
from service.pagination import PageParams
from service.web.forms import Errors, convert, domain_errors
from service.web.i18n import gettext as _
from service.web.page import page_links

T = TypeVar("T")

MAX_TOKEN_HOURS = 24 * 366
ORGANIZATION_CHOICES = 2000  # organizations offered in a select; a national deployment has a few hundred


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
        "work_phone": _("Enter a phone number such as 0299 555 201, or leave it empty."),
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


def optional_uuid(value: str) -> uuid.UUID | str | None:
    """A select's value: empty is none; anything not a UUID is kept for the type check to refuse."""
    value = value.strip()
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return value


async def organization_choices(pool: asyncpg.Pool) -> list[tuple[str, str]]:
    async with pool.acquire() as conn:
        organizations, _total = await directory_repo.list_organizations(
            conn, query=None, limit=ORGANIZATION_CHOICES, offset=0
        )
    return [(str(o.id), o.name) for o in organizations]


def list_links(paging: PageParams, total: int, base: str) -> dict[str, str | None]:
    """The previous/next page links of a list at ``base`` (which may hold a query already)."""
    joiner = "&" if "?" in base else "?"
    return page_links(paging.page, paging.per_page, total, lambda number: f"{base}{joiner}page={number}")


async def save_form(
    values: dict[str, Any],
    shape: type[T],
    save: Callable[[T], Awaitable[Any]],
    refused: Callable[[Errors, int], Awaitable[Template]],
    *,
    done: Callable[[Any], str],
    field: str,
    answered: tuple[type[DomainError], ...] = (Conflict, ValidationFailed),
) -> Redirect | Template:
    """An admin form's POST: ``values`` as ``shape``, then ``save(data)``, then to ``done(what save
    returned)`` (POST-redirect-GET). A refused value (422), or a refusal of the use case the form
    can explain (``answered``, with its own status; one naming no field is shown at ``field``),
    is answered by ``refused(errors, status)``: the form again, with what was typed."""
    data, errors = convert(values, shape, hints=field_messages())
    if data is None:
        return await refused(errors, 422)
    try:
        saved = await save(data)
    except answered as exc:
        return await refused(domain_errors(exc, messages=known_messages(), default_field=field), exc.status)
    return Redirect(path=done(saved), status_code=303)
