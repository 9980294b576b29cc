"""A listing's changes in words, with no I/O: the names of its fields on the pages, a stored
value as one line of text, and the table of differences shown when an edit conflicts (its
revisions page and the edit form both show changes so)."""

from __future__ import annotations

from typing import Any

from service.web.i18n import gettext as _
from service.web.partner.listing_hours import parse_hours
from service.web.words import directory_labels, language_list


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


def display(value: Any, field: str = "") -> str:
    """A stored value as one line of text, for revision lists and conflict tables; languages
    by their names, never their codes."""
    if value is None or value == "" or value == []:
        return "—"
    if field == "languages" and isinstance(value, list):
        return language_list(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return ", ".join(f"{key}: {display(item)}" for key, item in value.items() if item not in (None, "", [], False))
    if isinstance(value, list):
        separator = "; " if any(isinstance(item, dict) for item in value) else ", "
        return separator.join(display(item) for item in value)
    return str(value)


def conflict_rows(mine: dict[str, Any], stored: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, what you typed, what is stored now) for every field where they differ."""
    names = field_labels()

    def summary(values: dict[str, Any]) -> dict[str, str]:
        shown = {key: display(values[key]) for key in values if key not in ("contacts", "hours")}
        named = (language_list(values["languages"]), values["languages_other"])
        shown["languages"] = display([part for part in named if part])
        shown["locations"] = display(
            [values[f"loc_{k}"] for k in ("name", "street", "commune", "province", "lat", "lon") if values[f"loc_{k}"]]
        )
        shown["contacts"] = display(
            [f"{c['kind']} {c['value']}{' 24/7' if c['is_24_7'] else ''}" for c in values["contacts"] if c["value"]]
        )
        weekdays = directory_labels()["weekday"]
        shown["schedules"] = display(
            [
                f"{weekdays[s['weekday']]} {s['opens_at']}–{s['closes_at']}"
                for s in parse_hours(values["hours"]).schedules
            ]
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
