"""The listing form's opening hours, one block per weekday (Monday to Sunday, named): each day open
at given hours, all day or closed, one tap each, or the whole week open 24/7; times typed as people
write them (7h30, 17g, 0730) and stored as HH:MM (``directory.rules.clock_time``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec
from litestar.datastructures import FormMultiDict

from service.directory.models import Schedule
from service.directory.rules import clock_time
from service.web.forms import text
from service.web.i18n import gettext as _

DAYS = range(1, 8)  # ISO weekdays, Monday first, as the listings store them
MAX_PERIODS = 4  # opening periods a day (morning and afternoon around a lunch break, and more)
HOURS, ALL_DAY, CLOSED = "hours", "all_day", "closed"
WHOLE_DAY = ("00:00", "24:00")


def _blank() -> dict[str, str]:
    return {"opens": "", "closes": ""}


def _padded(periods: list[dict[str, str]]) -> list[dict[str, str]]:
    # at least two periods a day: the second, for the afternoon after a lunch break, is offered folded
    return periods + [_blank() for _ in range(max(0, 2 - len(periods)))]


def values_of_schedules(schedules: Iterable[Schedule]) -> dict[str, Any]:
    """The hours part of the form, filled from a listing's stored hours."""
    by_day: dict[int, list[dict[str, str]]] = {day: [] for day in DAYS}
    for entry in sorted(schedules, key=lambda s: (s.weekday, s.opens_at)):
        by_day[entry.weekday].append({"opens": entry.opens_at, "closes": entry.closes_at})
    days = []
    for day, periods in by_day.items():
        whole = [(p["opens"], p["closes"]) for p in periods] == [WHOLE_DAY]
        mode = ALL_DAY if whole else HOURS if periods else CLOSED
        days.append({"weekday": day, "mode": mode, "periods": _padded([] if whole else periods)})
    always = all(day["mode"] == ALL_DAY for day in days)
    return {"open_24_7": always, "days": days}


def blank_hours() -> dict[str, Any]:
    """A new listing's hours: every day's times to fill in (empty times are a closed day)."""
    return {"open_24_7": False, "days": [{"weekday": d, "mode": HOURS, "periods": _padded([])} for d in DAYS]}


def values_of_hours_form(form: FormMultiDict) -> dict[str, Any]:
    """The hours exactly as typed, to show again after an error."""
    days = []
    for day in DAYS:
        mode = text(form, f"day_{day}_mode") or HOURS
        periods = []
        for i in range(MAX_PERIODS):
            if f"day_{day}_opens_{i}" not in form:
                break
            periods.append({"opens": text(form, f"day_{day}_opens_{i}"), "closes": text(form, f"day_{day}_closes_{i}")})
        days.append({"weekday": day, "mode": mode if mode in (HOURS, ALL_DAY, CLOSED) else HOURS, "periods": periods})
    return {"open_24_7": "open_24_7" in form, "days": days}


class ParsedHours(msgspec.Struct, kw_only=True):
    """The API's schedules, the form field each came from (to place the API's errors) and the
    form's own errors by field."""

    schedules: list[dict[str, Any]]
    fields: list[str]
    errors: dict[str, str]


def parse_hours(hours: dict[str, Any]) -> ParsedHours:
    schedules: list[dict[str, Any]] = []
    fields: list[str] = []
    errors: dict[str, str] = {}

    def add(day: int, opens: str, closes: str, field: str) -> None:
        schedules.append({"weekday": day, "opens_at": opens, "closes_at": closes})
        fields.append(field)

    if hours["open_24_7"]:
        for day in DAYS:
            add(day, *WHOLE_DAY, "open_24_7")
        return ParsedHours(schedules=schedules, fields=fields, errors=errors)
    for entry in hours["days"]:
        day = entry["weekday"]
        if entry["mode"] == ALL_DAY:
            add(day, *WHOLE_DAY, f"day_{day}_mode")
        if entry["mode"] != HOURS:
            continue
        for index, period in enumerate(entry["periods"]):
            typed = {part: period[part].strip() for part in ("opens", "closes")}
            if not any(typed.values()):
                continue
            clocks = {part: clock_time(value) for part, value in typed.items()}
            for part, value in typed.items():
                name = f"day_{day}_{part}_{index}"
                if not value:
                    errors[name] = _("Give both times, or neither.")
                elif clocks[part] is None:
                    errors[name] = _("Write a time such as 7h30, 7:30 or 17h.")
            opens, closes = clocks["opens"], clocks["closes"]
            if opens is not None and closes is not None:
                add(day, opens, closes, f"day_{day}_opens_{index}")
    return ParsedHours(schedules=schedules, fields=fields, errors=errors)


def hours_field_names(fields: list[str]) -> dict[str, str]:
    """API field paths of the schedules → the form fields they were typed into."""
    names: dict[str, str] = {}
    for index, field in enumerate(fields):
        closes = field.replace("_opens_", "_closes_")
        names |= {
            f"schedules[{index}]": field,
            f"schedules[{index}].weekday": field,
            f"schedules[{index}].opens_at": field,
            f"schedules[{index}].closes_at": closes,
        }
    return names


def hours_labels(weekdays: list[str]) -> dict[str, str]:
    """Each hours field's name for the error summary: "Thứ Hai, giờ mở cửa"."""
    labels = {"open_24_7": _("Open 24/7")}
    for day in DAYS:
        labels[f"day_{day}_mode"] = weekdays[day]
        for index in range(MAX_PERIODS):
            labels[f"day_{day}_opens_{index}"] = f"{weekdays[day]}, {_('opens')}"
            labels[f"day_{day}_closes_{index}"] = f"{weekdays[day]}, {_('closes')}"
    return labels


HOURS_FIELDS = frozenset(hours_labels([""] * 8))
