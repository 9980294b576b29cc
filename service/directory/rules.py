"""Pure listing rules: validation, redaction, staleness, opening hours and diffs."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import msgspec

from search.protocol import Viewer
from search.text import fold, names_label, typed_words
from service import places
from service.auth.models import Principal
from service.auth.permissions import Action, Scope, allowed, scope_of
from service.clock import LOCAL_TZ
from service.directory import taxonomy
from service.directory.models import Contact, ContactIn, ContactKind, LocationIn, Schedule, ScheduleIn, Service
from service.errors import FieldError, ValidationFailed

STALE_AFTER = timedelta(days=180)
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


def is_stale(last_verified_at: datetime | None, now: datetime) -> bool:
    """A listing nobody has verified for 180 days (or ever) may no longer be true."""
    return last_verified_at is None or now - last_verified_at > STALE_AFTER


def last_word(verified_at: datetime | None, confirmed_at: datetime | None) -> datetime | None:
    """The latest moment someone said the listing is right: a coordinator or its organization."""
    return max((moment for moment in (verified_at, confirmed_at) if moment is not None), default=None)


def minute_of_week(moment: datetime) -> int:
    """Minutes since Monday 00:00 in Viet Nam time, the unit of ``open_week``."""
    local = moment.astimezone(LOCAL_TZ)
    return (local.isoweekday() - 1) * MINUTES_PER_DAY + local.hour * 60 + local.minute


# "7h30", "7:30", "07.30", "7 giờ 30 phút", "17g", "5h chiều": an hour, then minutes after a
# separator (h, g, giờ, :, ., space) or none at all ("0730"), then perhaps a part of the day.
_TYPED_TIME = re.compile(
    r"(\d{1,2})(?:\s*(?:h|g|gio|:|\.)\s*|\s+)?(\d{2})?\s*(?:p|phut|')?\s*(sang|trua|chieu|toi|dem|am|pm)?"
)
_AFTERNOON = {"chieu", "toi", "pm"}


def clock_time(typed: str) -> str | None:
    """A time of day as people in Viet Nam write it ("7h30", "17g", "0730", "7 giờ 30", "5h chiều")
    as HH:MM, "24:00" being midnight at the end of a day; None when it is not a time of day. The
    listing form reads hours with it; the API keeps its strict HH:MM."""
    folded = fold(typed).strip()
    if folded.isdigit() and len(folded) in (3, 4):
        folded = f"{folded[:-2]}:{folded[-2:]}"  # "0730", "730"
    match = _TYPED_TIME.fullmatch(folded)
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3] in _AFTERNOON and hour < 12:
        hour += 12
    elif match[3] == "trua" and hour < 3:
        hour += 12  # "1 giờ trưa"
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        return None
    return f"{hour:02d}:{minute:02d}"


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def open_week(schedules: Iterable[ScheduleIn | Schedule]) -> list[tuple[int, int]]:
    """Opening spans as [start, end) minutes of the week; overnight hours roll into the next day
    and Sunday night into Monday morning."""
    spans: list[tuple[int, int]] = []
    for entry in schedules:
        day_start = (entry.weekday - 1) * MINUTES_PER_DAY
        start = day_start + _minutes(entry.opens_at)
        end = day_start + _minutes(entry.closes_at)
        if end <= start:
            end += MINUTES_PER_DAY
        if end > MINUTES_PER_WEEK:
            spans.append((start, MINUTES_PER_WEEK))
            spans.append((0, end - MINUTES_PER_WEEK))
        else:
            spans.append((start, end))
    return sorted(spans)


def always_open(contacts: Iterable[ContactIn | Contact]) -> bool:
    return any(contact.is_24_7 for contact in contacts)


def is_open_at(service: Service, moment: datetime) -> bool:
    if always_open(service.contacts):
        return True
    minute = minute_of_week(moment)
    return any(start <= minute < end for start, end in open_week(service.schedules))


def named_kinds(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The categories and populations a query names, in either language: ``tam lanh`` names
    shelters, ``tre em`` children. Search ranks listings of those kinds higher."""
    tokens = typed_words(text)
    if not tokens:
        return (), ()
    categories = tuple(
        term.code for term in taxonomy.terms() if names_label(tokens, term.name_vi) or names_label(tokens, term.name_en)
    )
    populations = tuple(
        str(code)
        for code, labels in taxonomy.POPULATION_LABELS.items()
        if any(names_label(tokens, label) for label in labels)
    )
    return categories, populations


def viewer(principal: Principal) -> Viewer:
    """How search sees this principal: every restricted listing, or only its own organization's."""
    scope = scope_of(principal, Action.VIEW_RESTRICTED_LISTING)
    return Viewer(
        sees_restricted=scope is Scope.ANY,
        organization_id=principal.organization_id if scope is Scope.OWN_ORG else None,
    )


def may_see_restricted(principal: Principal, organization_id: uuid.UUID) -> bool:
    return allowed(principal, Action.VIEW_RESTRICTED_LISTING, organization_id)


def redact(service: Service, *, may_see_restricted: bool) -> Service:
    """The listing as someone sees it who may (or may not) see its confidential places: such a place
    keeps only its province for the others. Its name, street, commune, coordinates and
    accessibility notes could each lead to the house, so every view (API, pages, HSDS, exports,
    the search document) goes through here."""
    if may_see_restricted or not any(loc.confidential for loc in service.locations):
        return service
    locations = [
        msgspec.structs.replace(loc, name="", street=None, commune="", lat=None, lon=None, accessibility="")
        if loc.confidential
        else loc
        for loc in service.locations
    ]
    return msgspec.structs.replace(service, locations=locations)


def normalize_areas(refs: Sequence[str], field: str = "service_areas") -> list[str]:
    """Province codes (or ``national``) for names or codes as typed; unknown ones are errors."""
    codes: list[str] = []
    errors: list[FieldError] = []
    for index, ref in enumerate(refs):
        if ref.strip().lower() in (places.NATIONAL, "toàn quốc"):
            code = places.NATIONAL
        else:
            province = places.resolve(ref)
            if province is None:
                errors.append(FieldError(field=f"{field}[{index}]", message=f"unknown province {ref!r}"))
                continue
            code = province.code
        if code not in codes:
            codes.append(code)
    if errors:
        raise ValidationFailed("Unknown province", errors=errors)
    return codes


def normalize_locations(locations: Sequence[LocationIn]) -> list[LocationIn]:
    errors: list[FieldError] = []
    result: list[LocationIn] = []
    for index, location in enumerate(locations):
        province = places.resolve(location.province_code)
        if province is None:
            errors.append(FieldError(field=f"locations[{index}].province_code", message="unknown province"))
            continue
        if (location.lat is None) != (location.lon is None):
            errors.append(FieldError(field=f"locations[{index}]", message="give both lat and lon, or neither"))
        result.append(msgspec.structs.replace(location, province_code=province.code))
    if errors:
        raise ValidationFailed("Invalid location", errors=errors)
    return result


def check_listing(fields: Mapping[str, Any]) -> None:
    """Cross-field rules of a listing, checked on the merged (stored + patched) values."""
    errors: list[FieldError] = []
    unknown = [code for code in fields.get("categories", []) if code not in taxonomy.codes()]
    if unknown:
        errors.append(FieldError(field="categories", message=f"unknown categories: {', '.join(unknown)}"))
    total, available = fields.get("capacity_total"), fields.get("capacity_available")
    if total is not None and available is not None and available > total:
        errors.append(FieldError(field="capacity_available", message="cannot exceed capacity_total"))
    min_age, max_age = fields.get("min_age"), fields.get("max_age")
    if min_age is not None and max_age is not None and min_age > max_age:
        errors.append(FieldError(field="min_age", message="cannot exceed max_age"))
    for index, contact in enumerate(fields.get("contacts", [])):
        kind = contact["kind"] if isinstance(contact, dict) else contact.kind
        value = contact["value"] if isinstance(contact, dict) else contact.value
        if kind in (ContactKind.HOTLINE, ContactKind.PHONE, ContactKind.ZALO) and not _looks_like_phone(value):
            errors.append(FieldError(field=f"contacts[{index}].value", message="not a phone number"))
    if errors:
        raise ValidationFailed("The listing is not valid", errors=errors)


def _looks_like_phone(value: str) -> bool:
    digits = [ch for ch in value if ch.isdigit()]
    return 3 <= len(digits) <= 15 and all(ch.isdigit() or ch in " +-.()" for ch in value)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field ``after`` changes."""
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
