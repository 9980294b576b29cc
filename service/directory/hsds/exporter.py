"""``ketnoi export-hsds``: the directory out to an HSDS 3.0 data package.

Export reads one consistent snapshot. By default it is what the public may see (no staff-only
listings, confidential places without address or coordinates); ``include_restricted`` writes
everything, for moving a directory between Kết Nối installations.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import msgspec

from service import export_files
from service.directory import repo
from service.directory.hsds import kept, records, terms
from service.directory.hsds.package import Tables
from service.directory.models import Visibility
from service.progress import Progress

EXPORT_BATCH = 1000


class ExportReport(msgspec.Struct, frozen=True):
    organizations: int
    services: int
    files: list[str]


async def export_package(
    pool: asyncpg.Pool, folder: Path, *, include_restricted: bool, progress: Progress
) -> ExportReport:
    export_files.private_folder(folder)  # refused before the reading, not after it
    tables = Tables()
    tables.add("taxonomy", terms.taxonomy_record())
    exported = 0
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        organizations = await repo.all_organizations(conn)
        kept_of = await kept.of_owners(conn, "organization", [o.id for o in organizations])
        for organization in organizations:
            record = records.organization_to_hsds(organization)
            tables.add(
                "organization",
                kept.onto(
                    "organization", record, kept_of.get(organization.id, []), may_see_restricted=include_restricted
                ),
            )
        progress.stage("Exporting listings", int(await conn.fetchval("SELECT count(*) FROM service")))
        after = None
        while ids := await repo.service_ids_after(conn, after, EXPORT_BATCH):
            kept_of = await kept.of_owners(conn, "service", ids)
            for service in await repo.get_services(conn, ids):
                if include_restricted or service.visibility is Visibility.PUBLIC:
                    record = records.service_to_hsds(service, may_see_restricted=include_restricted)
                    tables.add(
                        "service",
                        kept.onto(
                            "service", record, kept_of.get(service.id, []), may_see_restricted=include_restricted
                        ),
                    )
                    exported += 1
            after = ids[-1]
            progress.advance(len(ids))
    files = await asyncio.to_thread(tables.write, folder)
    return ExportReport(organizations=len(organizations), services=exported, files=files)
