"""What an imported HSDS package holds that Kết Nối has no column for, kept as it was imported
(``hsds_kept``) so that it goes back out on export: a service's cost options and funding, an
organization's programs, funding and identifiers, and the service's and organization's own HSDS
fields we do not model (program_id, url, a fees text, tax status …)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import msgspec

from service.db import Connection
from service.directory.hsds.package import fields_by_table

# Fields of a service and an organization that our own columns hold (or that we write ourselves).
MODELLED = {
    "service": {
        "id",
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "status",
        "application_process",
        "fees_description",
        "eligibility_description",
        "minimum_age",
        "maximum_age",
        "assured_date",
        "last_modified",
    },
    "organization": {"id", "name", "alternate_name", "description", "email", "website", "parent_organization_id"},
}
# Tables kept whole, by the key their records have in the nested record of their owner.
OWNED = {
    "service": {"cost_options": "cost_option", "funding": "funding"},
    "organization": {
        "programs": "program",
        "funding": "funding",
        "organization_identifiers": "organization_identifier",
    },
}


class Kept(msgspec.Struct, frozen=True):
    """One kept record: its table, its position among its owner's, and its HSDS fields."""

    table: str
    position: int
    record: dict[str, Any]


def _fields(table: str, record: dict[str, Any], leave: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    known = fields_by_table()[table]
    return {k: v for k, v in record.items() if k in known and k not in leave and v not in (None, "")}


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


def onto(owner: str, record: dict[str, Any], kept: list[Kept]) -> dict[str, Any]:
    """``record`` (as we write it) with what was kept of it: its own fields over ours, the kept
    tables nested under their keys."""
    keys = {table: key for key, table in OWNED[owner].items()}
    for item in kept:
        if item.table == owner:
            record |= item.record
        else:
            record.setdefault(keys[item.table], []).append(item.record)
    return record


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
