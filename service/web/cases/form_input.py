"""Form input of the case and referral pages, with no I/O: what to say next to a refused form
field, turning typed text into API shapes, a use case's refusal as the form's errors, and form
values for a template. (The words for codes
are ``web.words.vocabulary``; the follow-up chart is ``web.charts.score_chart``.)"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from service.clock import LOCAL_TZ
from service.errors import DomainError
from service.web import forms
from service.web.forms import Errors
from service.web.i18n import current
from service.web.i18n import gettext as _

T = TypeVar("T")


def english() -> bool:
    return current.get() == "en"


# -- forms: text in, API shapes out, errors next to their fields -----------------------------------


def hints() -> dict[str, str]:
    """What to say next to a field of these forms whose value the API shapes refuse."""
    expected = {
        "birth_year": _("a year between 1900 and 2100, such as 2001"),
        "nationality": _("a country from the list, such as Việt Nam"),
        "returned_from": _("a country from the list, such as Campuchia"),
        "languages": _("language names from the list, separated by commas, such as Tiếng Việt, Tiếng Khmer"),
        "return_date": _("a date"),
        "target_date": _("a date"),
        "expires_at": _("a date"),
        "fu_date": _("a date"),
        "fu_next_date": _("a date after the visit"),
        "survivor_agreed_at": _("a date and time"),
        "title": _("1 to 200 characters"),
        "full_name": _("1 to 200 characters"),
        "shared_summary": _("1 to 2000 characters"),
    }
    return {name: _("Check this value: %(hint)s") % {"hint": hint} for name, hint in expected.items()}


def convert(data: dict[str, Any], shape: type[T], rename: Mapping[str, str]) -> tuple[T | None, Errors]:
    """``forms.convert`` with these pages' hints."""
    return forms.convert(
        data,
        shape,
        rename=rename,
        hints=hints(),
        fallback=_("Check this value: %(hint)s") % {"hint": _("choose or type a valid value")},
    )


def refusal(exc: DomainError, rename: Mapping[str, str]) -> Errors:
    """A use case's refusal as the errors of the form that was sent, its detail above the fields
    (``forms.domain_errors``). Not being signed in, or a case or referral not found, is no form's
    to explain: that refusal goes on to the error pages."""
    if exc.status in (401, 404):
        raise exc
    return forms.domain_errors(exc, rename=rename, summary=True)


def present(values: Mapping[str, str], *names: str) -> dict[str, str]:
    """The named fields that were filled in: a blank field means "not given", not an empty string."""
    return {name: values[name] for name in names if values.get(name)}


def local_datetime(value: str, *, end_of_day: bool = False) -> str:
    """A date (or date and time) typed in Viet Nam as an ISO timestamp with its offset; text that
    is neither is passed on unchanged so the conversion reports it next to its field."""
    try:
        if "T" in value:
            moment = datetime.fromisoformat(value)
            return (moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)).isoformat()
        day = date.fromisoformat(value)
    except ValueError:
        return value
    if end_of_day:  # valid through the whole day typed
        return datetime.combine(day + timedelta(days=1), time.min, LOCAL_TZ).isoformat()
    return datetime.combine(day, time.min, LOCAL_TZ).isoformat()


def blanks(values: Mapping[str, str]) -> defaultdict[str, str]:
    """Form values for a template: a field never filled in reads as empty, not undefined."""
    return defaultdict(str, values)


def checked(values: Mapping[str, str], name: str) -> bool:
    return values.get(name, "") in ("on", "true", "1")
