"""A listing's changes in words, with no I/O: the names of its fields on the pages, a stored
value as one line of text, and the table of differences shown when an edit conflicts (its
revisions page and the edit form both show changes so)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from service.web.i18n import fmt_number
from service.web.i18n import gettext as _
from service.web.partner.listing_hours import parse_hours
from service.web.words import (
    directory_labels,
    language_code,
    language_list,
    listing_choice_labels,
    verification_label,
)


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


def display(value: Any, field: str = "", names: Mapping[str, str] | None = None) -> str:
    """A stored value of ``field`` as one line of text in the page's language, for revision lists
    and conflict tables: codes by their names, contacts and opening hours as people write them,
    moments as the page's dates, people and organizations by name (``names``: id as text → name)."""
    if field == "last_verified_at":
        return _verified(value)  # "never verified" rather than a dash
    if value is None or value == "" or value == []:
        return "—"
    if field in _CODED:
        table = _CODED[field]()
        return ", ".join(table.get(str(code), str(code)) for code in (value if isinstance(value, list) else [value]))
    if field in _SHOWN:
        return _SHOWN[field](value)
    if field in ("verified_by", "organization_id"):
        unknown = _("a former user") if field == "verified_by" else _("another organization")
        return (names or {}).get(str(value), unknown)
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int):
        return fmt_number(value)
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value)
    return str(value)


def _contacts(contacts: list[dict[str, Any]]) -> str:
    # as people write them: "Đường dây nóng 1900 969 680 (24/7) · Tiếng Việt"
    kinds = listing_choice_labels()["contact_kind"]

    def line(contact: dict[str, Any]) -> str:
        when = "24/7" if contact.get("is_24_7") else contact.get("hours")
        spoken = language_list(contact.get("languages") or [])
        text = f"{kinds.get(contact['kind'], contact['kind'])} {contact['value']}"
        return text + (f" ({when})" if when else "") + (f" · {spoken}" if spoken else "")

    return "; ".join(line(contact) for contact in contacts)


def _hours(schedules: list[dict[str, Any]]) -> str:
    # by day, in the week's order: "Thứ Hai 07:30–11:30, 13:30–17:00; Thứ Ba …"
    weekdays = directory_labels()["weekday"]
    days: dict[int, list[str]] = {}
    for entry in sorted(schedules, key=lambda s: (s["weekday"], s["opens_at"])):
        days.setdefault(entry["weekday"], []).append(f"{entry['opens_at']}–{entry['closes_at']}")
    return "; ".join(f"{weekdays[day]} {', '.join(spans)}" for day, spans in days.items())


def _locations(locations: list[dict[str, Any]]) -> str:
    provinces = directory_labels()["province"]

    def line(place: dict[str, Any]) -> str:
        province = provinces.get(place.get("province_code") or "", place.get("province_code"))
        parts = [place.get(key) for key in ("name", "street", "commune")] + [province, place.get("accessibility")]
        if place.get("lat") is not None and place.get("lon") is not None:
            # coordinates as maps and the form write them (a decimal point), whatever the language
            parts.append(_("map point %(lat)s, %(lon)s") % {"lat": place["lat"], "lon": place["lon"]})
        text = ", ".join(str(part) for part in parts if part)
        return text + (f" ({_('confidential address')})" if place.get("confidential") else "")

    return "; ".join(line(place) for place in locations)


def _verified(value: Any) -> str:
    # a past verification as the one wording of it ("Đã xác minh ngày 07/12/2026"); whether it
    # was stale then is not what a change list says
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return verification_label(moment or None, stale=False)


_CODED: dict[str, Callable[[], Mapping[str, str]]] = {
    "categories": lambda: directory_labels()["category"],
    "populations": lambda: directory_labels()["population"],
    "service_areas": lambda: directory_labels()["province"],
    "genders": lambda: listing_choice_labels()["gender"],
    "status": lambda: listing_choice_labels()["status"],
    "fee": lambda: listing_choice_labels()["fee"],
    "visibility": lambda: listing_choice_labels()["visibility"],
}
_SHOWN: dict[str, Callable[[Any], str]] = {
    "languages": lambda codes: language_list(codes if isinstance(codes, list) else [codes]),
    "contacts": _contacts,
    "schedules": _hours,
    "locations": _locations,
}


def conflict_rows(mine: dict[str, Any], stored: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, what you typed, what is stored now) for every field where they differ."""
    names = field_labels()

    def summary(values: dict[str, Any]) -> dict[str, str]:
        shown = {key: display(values[key], key) for key in values if key not in ("contacts", "hours")}
        named = (language_list(values["languages"]), values["languages_other"])
        shown["languages"] = display([part for part in named if part])
        shown["locations"] = display(
            [values[f"loc_{k}"] for k in ("name", "street", "commune", "province", "lat", "lon") if values[f"loc_{k}"]]
        )
        typed = [c | {"languages": _typed_languages(c["languages"])} for c in values["contacts"] if c["value"]]
        shown["contacts"] = display(typed, "contacts")
        shown["schedules"] = display(parse_hours(values["hours"]).schedules, "schedules")
        return shown

    yours, theirs = summary(mine), summary(stored)
    keys = [key for key in field_labels() if key in yours and key in theirs]
    keys += [key for key in ("loc_confidential",) if key in yours]
    return [
        (names.get(key, _("Confidential address")), yours[key], theirs[key])
        for key in keys
        if yours[key] != theirs[key]
    ]


def _typed_languages(text: str) -> list[str]:
    # a contact's languages on the form are one line of codes or names ("vi, km"): read back to codes
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    return [language_code(part) or part for part in parts]
