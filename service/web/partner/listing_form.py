"""The listing form, with no I/O: a listing as form values and form text back as ServiceCreate/
ServicePatch fields, and where an API field path was typed on the form. (Its choices are named in
``web.words``; its fields and a listing's changes in ``listing_changes``.)"""

from __future__ import annotations

import itertools
import re
from typing import Any

import msgspec
from litestar.datastructures import FormMultiDict

from service.directory.models import Fee, Service, ServiceStatus, Visibility
from service.web.forms import text
from service.web.i18n import gettext as _
from service.web.partner.listing_hours import (
    HOURS_FIELDS,
    blank_hours,
    hours_field_names,
    parse_hours,
    values_of_hours_form,
    values_of_schedules,
)
from service.web.words import directory_labels, language_code, language_names

MAX_CONTACT_ROWS = 30
SPARE_CONTACT_ROWS = 2
# the languages the form offers as boxes to tick: those most listings in Viet Nam's south and
# north-west serve in; any other is typed by name (with suggestions) in "Other languages"
COMMON_LANGUAGES = ("vi", "km", "en", "zh", "lo", "hmn")


def _language_values(codes: list[str] | tuple[str, ...]) -> dict[str, Any]:
    names = language_names()
    others = [names.get(code, code) for code in codes if code not in COMMON_LANGUAGES]
    return {"languages": [code for code in codes if code in COMMON_LANGUAGES], "languages_other": ", ".join(others)}


def _language_codes(ticked: list[str], typed: str, errors: dict[str, str]) -> list[str]:
    """The codes of the ticked boxes and of the languages typed by name ("Tiếng Nga", "tiếng
    Campuchia") or by a code as older listings hold them; names no list knows are refused."""
    codes = [code for code in ticked if code in COMMON_LANGUAGES]
    unknown = []
    for part in filter(None, (part.strip() for part in re.split(r"[,;\n]+", typed))):
        code = language_code(part) or (part.lower() if re.fullmatch("[A-Za-z]{2,3}", part) else None)
        if code is None:
            unknown.append(part)
        elif code not in codes:
            codes.append(code)
    if unknown:
        errors["languages_other"] = _(
            "Not a language we know: %(names)s. Choose a name from the list, e.g. Tiếng Nga."
        ) % {"names": ", ".join(unknown)}
    return codes


# -- the listing form: its values as typed, and the API shape they convert to ----------------------


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
            **_language_values(["vi"]),
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
            "hours": blank_hours(),
        }
    provinces = directory_labels()["province"]
    first = service.locations[0] if service.locations else None

    def text(value: Any) -> str:
        return "" if value is None else str(value)

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
        **_language_values(service.languages),
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
        "hours": values_of_schedules(service.schedules),
    }


_TEXT_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "status",
    "eligibility_description",
    "min_age",
    "max_age",
    "languages_other",
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


def _rows(form: FormMultiDict, most: int, names: dict[str, str]) -> list[dict[str, Any]]:
    """A repeated part of the form (``contact_kind_0``, ``contact_kind_1``, …) as far as its rows
    were sent: each row's fields by key (``names``: key → field name before its row number), a
    checkbox's as whether it was ticked."""
    first = next(iter(names.values()))
    return [
        {key: f"{name}_{row}" in form if key in _TICKED else text(form, f"{name}_{row}") for key, name in names.items()}
        for row in itertools.takewhile(lambda row: f"{first}_{row}" in form, range(most))
    ]


_TICKED = {"is_24_7"}  # checkboxes: sent when ticked, absent otherwise
_CONTACT_ROW = {
    "kind": "contact_kind",
    "value": "contact_value",
    "hours": "contact_hours",
    "is_24_7": "contact_247",
    "languages": "contact_languages",
}


def values_of_form(form: FormMultiDict) -> dict[str, Any]:
    """The form's fields exactly as the person typed them, to show again after an error."""
    values: dict[str, Any] = {name: text(form, name) for name in _TEXT_FIELDS}
    values["categories"] = [str(v) for v in form.getall("categories", [])]
    values["populations"] = [str(v) for v in form.getall("populations", [])]
    values["languages"] = [str(v) for v in form.getall("languages", [])]
    values["accepting_referrals"] = "accepting_referrals" in form
    values["loc_confidential"] = "loc_confidential" in form
    values["contacts"] = _rows(form, MAX_CONTACT_ROWS, _CONTACT_ROW)
    values["hours"] = values_of_hours_form(form)
    return values


class ListingForm(msgspec.Struct, kw_only=True):
    """A listing form turned into the API's field dict, with the errors found on the way and,
    for the repeated rows, which form row each list item came from (to place errors)."""

    data: dict[str, Any]
    errors: dict[str, str]
    contact_rows: list[int]
    schedule_fields: list[str]


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
        "languages": _language_codes(values["languages"], str(values["languages_other"]), errors),
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
    hours = parse_hours(values["hours"])
    errors |= hours.errors
    data["schedules"] = hours.schedules
    return ListingForm(data=data, errors=errors, contact_rows=contact_rows, schedule_fields=hours.fields)


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
}


def listing_fields(parsed: ListingForm, locations: int) -> dict[str, str]:
    """API field paths of a listing → the form fields they were typed into (see
    ``forms.field_name``): the repeated rows by the form row each list item came from, and every
    place's fields on the one place the form edits."""
    names: dict[str, str] = {}
    for index in range(locations):
        names[f"locations[{index}]"] = "loc_lat"
        names |= {f"locations[{index}].{leaf}": name for leaf, name in _LOCATION_FIELDS.items()}
    for index, row in enumerate(parsed.contact_rows):
        names[f"contacts[{index}]"] = f"contact_value_{row}"
        names |= {f"contacts[{index}].{leaf}": f"{prefix}_{row}" for leaf, prefix in _ROW_FIELDS["contacts"].items()}
    return names | hours_field_names(parsed.schedule_fields)


FORM_FIELDS = frozenset(
    {*_TEXT_FIELDS, "categories", "populations", "languages", "accepting_referrals", "loc_confidential"}
    | {f"{prefix}_{row}" for prefix in ("contact_kind", "contact_value", "contact_hours") for row in range(30)}
    | HOURS_FIELDS
)
