"""HSDS schedules read as our weekly entries: one row per weekday and opening, from an HSDS
schedule's ``byday`` and clock times. A schedule that is not weekly, or whose days or times we cannot
read, is optional: it is left out with a warning, never its listing."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from service.directory.hsds import records
from service.directory.hsds.package import where

WEEKDAYS = {code: number for number, code in enumerate(records.WEEKDAYS, start=1)}
# HSDS times are clock times, which have no 24:00; a schedule open until midnight is written so.
END_OF_DAY = "23:59:59"


def clock(value: Any) -> str:
    """An HSDS time (``07:30:00``, ``07:30``, ``07:30+07:00``) as our ``HH:MM``."""
    text = str(value).strip()
    if text.startswith(END_OF_DAY):
        return "24:00"
    return text[:5]


def _schedule(record: dict[str, Any]) -> list[dict[str, Any]]:
    """One HSDS schedule as our weekly entries, or ValueError naming the column we cannot read."""
    weekly = _weekly(*(str(record.get(column) or "") for column in ("freq", "byday", "opens_at", "closes_at")))
    return [{"weekday": day, "opens_at": opens, "closes_at": closes} for day, opens, closes in weekly]


@lru_cache(maxsize=1024)  # most schedules share a few opening hours: each is read once
def _weekly(freq: str, byday: str, opens_at: str, closes_at: str) -> tuple[tuple[int, str, str], ...]:
    days = [day.strip() for day in byday.split(",") if day.strip()]
    if freq not in ("", "WEEKLY"):
        raise ValueError(f"freq: {freq!r} is not WEEKLY")
    unknown = [day for day in days if day not in WEEKDAYS]
    if unknown or not days:
        raise ValueError(f"byday: {byday or None!r} is not a list of weekdays (MO … SU)")
    opens, closes = clock(opens_at), clock(closes_at)
    for column, raw, time in (("opens_at", opens_at, opens), ("closes_at", closes_at, closes)):
        if not _CLOCK.fullmatch(time):
            raise ValueError(f"{column}: {raw or None!r} is not a time of day")
    return tuple((WEEKDAYS[day], opens, closes) for day in days)


_CLOCK = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d|24:00")  # as ``service.fields.ClockTime``


def read(
    records_: list[dict[str, Any]], files: dict[str, str], warnings: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Our weekly entries and, for each, the HSDS schedule it comes from. A schedule we cannot read
    is optional: it is left out with a warning, the listing imported."""
    days: list[dict[str, Any]] = []
    sources: list[dict[str, Any]] = []
    for record in records_:
        try:
            found = _schedule(record)
        except ValueError as exc:
            warnings.append(f"{where(files, 'schedule', record)} {exc}; the schedule is left out")
            continue
        days += found
        sources += [record] * len(found)
    return days, sources


def runs(days: list[dict[str, Any]], sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The HSDS schedule of each row an export writes for ``days`` (``records.schedule_runs``)."""
    return [sources[run[0]] for run in records.schedule_runs([(d["opens_at"], d["closes_at"]) for d in days])]
