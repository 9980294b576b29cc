"""What an imported HSDS package holds that Kết Nối has no column for, kept as it was imported
(``hsds_kept``) so that it goes back out on export: a service's cost options and funding, an
organization's programs, funding and identifiers, and the service's and organization's own HSDS
fields we do not model (program_id, url, a fees text, tax status …); a place or a service area that
cannot become one of ours (no province of Viet Nam), whole; and of the rows we do model (contacts,
phones, schedules, places, documents, areas) the HSDS fields we have no column for, by the row's
position among its listing's (``*_detail``): a place's description, transport and url, an address's
second line, a schedule's notes, an area's extent …

A confidential place tells those who may not see it only its province, kept data too: a place kept
whole keeps its confidential flag and goes out as its province alone; a place's details are laid only
over that same place (by its id: an edit that removes or reorders places moves none onto another),
and never over a place shown as its province.

A reference in a kept row (``location_id`` …) stays only when it names a row the export writes:
otherwise it is left out with a warning, so every export is a valid package."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

import msgspec

from service import places
from service.auth.models import Principal
from service.db import Connection
from service.directory import rules
from service.directory.hsds import records
from service.directory.hsds.package import descriptor, fields_by_table, where
from service.directory.hsds.terms import attributes_of, flag

# Fields of a service and an organization that our own columns hold (or that we write ourselves).
MODELLED = {
    "service": set(records.LIST_FIELDS) - {"organization"},  # the one-to-one fields our export writes
    "organization": {"id", "name", "alternate_name", "description", "email", "website", "parent_organization_id"},
}
# Fields of the rows we model that our columns hold, or that we write ourselves (ids, owners,
# references between them): never kept as details.
MODELLED_ROWS = {
    table: frozenset(fields.split())
    for table, fields in {
        "service_at_location": "id service_id location_id location",
        "location": "id name latitude longitude organization_id addresses accessibility attributes",
        "address": "id location_id address_1 city state_province",
        "accessibility": "id location_id description",
        "contact": "id service_id organization_id phones attributes",
        "phone": "id service_id organization_id contact_id number type languages attributes",
        "language": "id service_id phone_id code",
        "schedule": "id service_id freq byday opens_at closes_at",
        "service_area": "id service_id name description extent_type",
        "required_document": "id service_id document",
    }.items()
}
_CONTACT_WITHOUT_PHONE = MODELLED_ROWS["contact"] | {"email"}  # an email contact: its email is our column
_LANGUAGE_OF_THIS_LISTING = MODELLED_ROWS["language"] - {"service_id"}
# Where each detail goes on its listing's record: the list it is a position of.
DETAILS = {
    "service_at_location_detail": "service_at_locations",
    "contact_detail": "contacts",
    "schedule_detail": "schedules",
    "service_area_detail": "service_areas",
    "required_document_detail": "required_documents",
    "language_detail": "languages",
}
# Rows kept whole on a listing (a place or an area outside Viet Nam), by the list they go back to.
WHOLE = {"service_at_location": "service_at_locations", "service_area": "service_areas"}
# Tables kept whole, by the key their records have in the nested record of their owner.
OWNED = {
    "service": {"cost_options": "cost_option", "funding": "funding"},
    "organization": {
        "programs": "program",
        "funding": "funding",
        "organization_identifiers": "organization_identifier",
    },
}


Source = tuple[dict[str, Any] | None, dict[str, Any] | None]  # an HSDS contact and its phone


class Kept(msgspec.Struct, frozen=True):
    """One kept record: its table, its position among its owner's, and its HSDS fields."""

    table: str
    position: int
    record: dict[str, Any]


def _fields(table: str, record: dict[str, Any], leave: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    known = fields_by_table()[table]
    return {k: v for k, v in record.items() if k in known and k not in leave and v not in (None, "")}


class Rows:
    """Keeps rows of one listing as HSDS wrote them: only their fields, references to rows the
    export does not write left out with a warning ``file:line column``."""

    def __init__(self, files: dict[str, str], targets: set[str], warnings: list[str]) -> None:
        self.files = files
        self.targets = targets  # ids of the rows the export writes for this listing
        self.warnings = warnings

    def fields(self, table: str, row: dict[str, Any], leave: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
        return self._referring(table, row, _fields(table, row, leave))

    def _referring(self, table: str, row: dict[str, Any], found: dict[str, Any]) -> dict[str, Any]:
        """``found`` without the references to rows the export does not write, each with a warning."""
        for column in references(table) & found.keys():
            if str(found[column]) not in self.targets:
                self._left_out(table, row, column)
                del found[column]
        return found

    def _left_out(self, table: str, row: dict[str, Any], column: str) -> None:
        at = where(self.files, table, row)
        self.warnings.append(f"{at} {column}: {row[column]} names no row Kết Nối keeps; left out")

    def detail(self, table: str, row: dict[str, Any] | None, leave: frozenset[str] | None = None) -> dict[str, Any]:
        """What of one row we model our columns do not hold (nor ``leave``, by default the fields
        of ``MODELLED_ROWS``), and we would not write ourselves. Only those fields are looked at: every
        row of every listing comes through here, and most have none."""
        if not row:
            return {}
        others = _other_fields(table, MODELLED_ROWS[table] if leave is None else leave)
        found = {
            column: value
            for column, value in row.items()
            if column in others and value not in (None, "") and not _written_by_us(table, column, value)
        }
        return self._referring(table, row, found) if found else found

    def place(self, sal: dict[str, Any], confidential: bool) -> dict[str, Any]:
        """A ``service_at_location`` whose place is not one of ours, whole, as HSDS wrote it, with our
        confidential flag when its address is given only on referral (``onto`` then hides it)."""
        location = sal.get("location") or {}
        whole = self.fields("service_at_location", sal)
        if location:
            whole["location"] = self.fields("location", location) | {
                key: [self.fields(table, row) for row in location.get(key) or []]
                for key, table in (("addresses", "address"), ("accessibility", "accessibility"))
            }
            if confidential and "id" in whole["location"]:
                place = uuid.UUID(str(whole["location"]["id"]))
                whole["location"]["attributes"] = attributes_of(place, "location", [(records.CONFIDENTIAL, flag(True))])
        return whole

    def placed(self, sal: dict[str, Any]) -> dict[str, Any]:
        """Details of a place that is one of ours: of its ``service_at_location``, the location, its
        first address and its first accessibility (the ones our columns read)."""
        location = sal.get("location") or {}
        found = self.detail("location", location)
        for key, table in (("addresses", "address"), ("accessibility", "accessibility")):
            rows = location.get(key) or []
            if rows and (detail := self.detail(table, rows[0])):
                found[key] = [detail]
        return self.detail("service_at_location", sal) | ({"location": found} if found else {})

    def contact(self, contact: dict[str, Any] | None, phone: dict[str, Any] | None) -> dict[str, Any]:
        """Details of one contact point: its HSDS contact (its email too, unless it is an email
        contact) and its phone with the phone's languages."""
        found = self.detail("contact", contact, _CONTACT_WITHOUT_PHONE if phone is None else None)
        for column in ("service_id", "organization_id"):  # another owner's: we write our own
            if contact and contact.get(column) and str(contact[column]) not in self.targets:
                self._left_out("contact", contact, column)
        if phone is not None:
            languages = [self._spoken(language) for language in phone.get("languages") or []]
            detail = self.detail("phone", phone) | ({"languages": languages} if any(languages) else {})
            if detail:
                found["phones"] = [detail]
        return found

    def _spoken(self, language: dict[str, Any]) -> dict[str, Any]:
        """Details of a phone's language; its ``service_id`` too when it is this listing's (HSDS
        lets a language name both), which we do not write on a phone's languages."""
        ours = str(language.get("service_id")) in self.targets
        return self.detail("language", language, _LANGUAGE_OF_THIS_LISTING if ours else None)


def _written_by_us(table: str, column: str, value: Any) -> bool:
    """Whether a value is one an export of ours writes on every such row (a constant, a label, a
    place's province): keeping it would only repeat it, and would hide a later edit of the row."""
    return _written_text(table, column, str(value))


@lru_cache(maxsize=4096)  # the same few values on row after row (a weekday start, a province …)
def _written_text(table: str, column: str, text: str) -> bool:
    if (table, column) in CONSTANTS:
        return text in CONSTANTS[table, column]
    if (table, column) == ("contact", "name"):
        return text in records.CONTACT_LABELS.values()
    if (table, column) == ("phone", "description"):
        return text.startswith(tuple(records.CONTACT_LABELS.values()))
    if (table, column) == ("location", "description"):
        return text == records.VIET_NAM or records.REDACTED_NOTE in text or places.resolve(text) is not None
    return False


# What our export writes on every row of a kind, as it reads back.
CONSTANTS = {
    ("schedule", "wkst"): {"MO"},
    ("schedule", "timezone"): {str(records.UTC_OFFSET_HOURS), f"{float(records.UTC_OFFSET_HOURS)}"},
    ("location", "location_type"): {"physical"},
    ("address", "country"): {records.COUNTRY},
    ("address", "address_type"): {"physical"},
}


@cache
def _other_fields(table: str, leave: frozenset[str]) -> frozenset[str]:
    """The HSDS fields of ``table`` that are not in ``leave``."""
    return frozenset(fields_by_table()[table].keys() - leave)


@cache
def references(table: str) -> frozenset[str]:
    """The columns of ``table`` that HSDS declares as references to another table's ids."""
    resource = next(r for r in descriptor()["resources"] if r["name"] == table)
    return frozenset(key["fields"] for key in resource["schema"].get("foreignKeys", []))


def details(table: str, found: list[dict[str, Any]]) -> list[Kept]:
    """Details of one kind by position, the empty ones left out."""
    return [Kept(table, position, detail) for position, detail in enumerate(found) if detail]


def of_record(owner: str, record: dict[str, Any], fees_labels: Sequence[str] = ()) -> list[Kept]:
    """What of one nested ``service`` or ``organization`` record is kept (``fees_labels``: the
    ``fees_description`` texts we write ourselves, which the fee code already says)."""
    own = _fields(owner, record, MODELLED[owner])
    fees = record.get("fees_description")
    if owner == "service" and fees and fees not in fees_labels:
        own["fees_description"] = fees
    kept = [Kept(owner, 0, own)] if own else []
    for key, table in OWNED[owner].items():
        kept += [Kept(table, position, _fields(table, row)) for position, row in enumerate(record.get(key) or [])]
    return kept


def of_listing(
    record: dict[str, Any],
    files: dict[str, str],
    read: tuple[list[tuple[dict[str, Any], Any]], list[str | None], list[dict[str, Any]], list[Source]],
    confidential: list[bool],
    warnings: list[str],
) -> list[Kept]:
    """What is kept of a listing: its own fields and tables (``of_record``), the places and
    areas that are not ours whole (``confidential``: which of those are), and the details of the
    rows that are (by their position; a place's also name it)."""
    found, areas, schedules, sources = read
    elsewhere = [sal for sal, place in found if place is None]
    targets = {str(record.get("id")), str(record.get("organization_id"))}
    targets |= {str(place[0]) for _, place in found if place is not None}
    targets |= {str(row.get(key)) for row in elsewhere for key in ("id", "location_id")}
    rows = Rows(files, targets, warnings)
    area_rows = list(zip(record.get("service_areas") or [], areas, strict=True))
    outside = [rows.fields("service_area", area) for area, code in area_rows if code is None]
    return [
        *of_record("service", record, list(records.FEES.values())),
        *(
            Kept("service_at_location", i, rows.place(sal, hidden))
            for i, (sal, hidden) in enumerate(zip(elsewhere, confidential, strict=True))
        ),
        *(Kept("service_area", i, area) for i, area in enumerate(outside)),
        *details(
            "service_at_location_detail",
            [_of_place(rows.placed(sal), place[0]) for sal, place in found if place is not None],
        ),
        *details("service_area_detail", [rows.detail("service_area", a) for a, code in area_rows if code]),
        *details("schedule_detail", [rows.detail("schedule", source) for source in schedules]),
        *details("contact_detail", [rows.contact(contact, phone) for contact, phone in sources]),
        *details(
            "required_document_detail",
            [rows.detail("required_document", d) for d in _all(record, "required_documents")],
        ),
        *details("language_detail", [rows.detail("language", lang) for lang in _all(record, "languages")]),
    ]


def _all(record: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return list(record.get(key) or [])


def _of_place(detail: dict[str, Any], location_id: uuid.UUID) -> dict[str, Any]:
    """A place's details name the place, so they go back over it alone."""
    return detail | {"location_id": str(location_id)} if detail else detail


def onto(owner: str, record: dict[str, Any], kept: list[Kept], *, may_see_restricted: bool) -> dict[str, Any]:
    """``record`` (as we write it for a viewer who may or may not see confidential places) with what
    was kept of it: its own fields over ours, the kept tables and whole rows nested under their keys
    (a confidential place as its province only, to a viewer who may not see it), details laid over
    the rows they are of."""
    keys = {table: key for key, table in OWNED[owner].items()} | WHOLE
    for item in kept:
        if item.table == owner:
            record |= item.record
        elif item.table in DETAILS:
            rows = record.get(DETAILS[item.table]) or []
            if item.table == "service_at_location_detail":  # over that place, wherever it is now
                rows = [row for row in rows if row.get("location_id") == item.record.get("location_id")][:1]
                if rows:
                    _over(rows[0], item.record)
            elif item.position < len(rows):
                _over(rows[item.position], item.record)
        elif item.table in WHOLE and not may_see_restricted and _confidential(item.record):
            record.setdefault(keys[item.table], []).append(_province_only(item.record))
        else:
            record.setdefault(keys[item.table], []).append(item.record)
    return record


def _confidential(whole: dict[str, Any]) -> bool:
    attributes = (whole.get("location") or {}).get("attributes") or []
    return any(
        a.get("taxonomy_term_id") == records.CONFIDENTIAL["id"] and a.get("value") == flag(True) for a in attributes
    )


def _province_only(whole: dict[str, Any]) -> dict[str, Any]:
    """A confidential place kept whole as those who may not see it see one of ours: its province."""
    location = whole["location"]
    province = next((a.get("state_province") for a in location.get("addresses") or [] if a.get("state_province")), "")
    shown = {key: location[key] for key in ("id", "location_type", "attributes") if key in location}
    shown["description"] = f"{province}. {records.REDACTED_NOTE}" if province else records.REDACTED_NOTE
    return {key: whole[key] for key in ("id", "service_id", "location_id") if key in whole} | {"location": shown}


def _hidden(row: dict[str, Any]) -> bool:
    """Whether a row we wrote is a place shown only as its province (the row, or the place it links)."""
    return any(records.REDACTED_NOTE in str(r.get("description", "")) for r in (row, row.get("location") or {}))


def _over(row: dict[str, Any], detail: dict[str, Any]) -> None:
    """Lay kept fields over a row we wrote, nested lists position by position. A place shown only
    as its province (confidential) gets none of its own details: they could tell where it is."""
    if _hidden(row):
        return
    for key, value in detail.items():
        if isinstance(value, list) and isinstance(row.get(key), list):
            for target, nested in zip(row[key], value, strict=False):
                _over(target, nested)
        elif isinstance(value, dict) and isinstance(row.get(key), dict):
            _over(row[key], value)
        else:
            row[key] = value


async def replace(conn: Connection, owner: str, kept: dict[uuid.UUID, list[Kept]]) -> None:
    """Replace what is kept of these services or organizations (every one of them: none kept
    clears what an earlier import kept)."""
    column = {"service": "service_id", "organization": "organization_id"}[owner]  # never from input
    await conn.execute(f"DELETE FROM hsds_kept WHERE {column} = ANY($1::uuid[])", list(kept))
    await conn.copy_records_to_table(
        "hsds_kept",
        columns=[column, "hsds_table", "position", "record"],
        records=[(owner_id, k.table, k.position, k.record) for owner_id, items in kept.items() for k in items],
    )


async def of_owners(conn: Connection, owner: str, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Kept]]:
    """What is kept of these services or organizations, each in its order."""
    column = {"service": "service_id", "organization": "organization_id"}[owner]  # never from input
    rows = await conn.fetch(
        f"SELECT {column} AS owner, hsds_table, position, record FROM hsds_kept"
        f" WHERE {column} = ANY($1::uuid[]) ORDER BY hsds_table, position",
        list(ids),
    )
    found: dict[uuid.UUID, list[Kept]] = defaultdict(list)
    for row in rows:
        found[row["owner"]].append(Kept(row["hsds_table"], row["position"], row["record"]))
    return found


async def program_ids(conn: Connection) -> set[str]:
    """The ids of every program kept: what a service's ``program_id`` may point to."""
    rows = await conn.fetch("SELECT record->>'id' AS id FROM hsds_kept WHERE hsds_table = 'program'")
    return {row["id"] for row in rows}


async def onto_services(conn: Connection, principal: Principal, services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """HSDS ``service`` records (as ``records.service_to_hsds`` writes them for ``principal``) with
    what is kept of each and of its nested organization, as ``principal`` may see it, and the
    ``program`` its ``program_id`` names (HSDS 3.0's compiled service holds it whole): what the HSDS
    API answers."""
    rows = await conn.fetch(
        "SELECT service_id, organization_id, hsds_table, position, record FROM hsds_kept"
        " WHERE service_id = ANY($1::uuid[]) OR organization_id = ANY($2::uuid[]) ORDER BY hsds_table, position",
        [uuid.UUID(service["id"]) for service in services],
        list({uuid.UUID(service["organization_id"]) for service in services}),
    )  # one query for a page of any size
    of_services: dict[uuid.UUID, list[Kept]] = defaultdict(list)
    of_organizations: dict[uuid.UUID, list[Kept]] = defaultdict(list)
    for row in rows:
        owner = of_services[row["service_id"]] if row["service_id"] else of_organizations[row["organization_id"]]
        owner.append(Kept(row["hsds_table"], row["position"], row["record"]))
    for service in services:
        organization_id = uuid.UUID(service["organization_id"])
        may_see = rules.may_see_restricted(principal, organization_id)
        onto("service", service, of_services.get(uuid.UUID(service["id"]), []), may_see_restricted=may_see)
        organization = service.get("organization") or {}
        kept = of_organizations.get(organization_id, [])
        if organization:
            onto("organization", organization, kept, may_see_restricted=may_see)
        programs = {item.record.get("id"): item.record for item in kept if item.table == "program"}
        if service.get("program_id") in programs:
            service["program"] = programs[service["program_id"]]
    return services
