"""A synthetic HSDS 3.0 data package of N listings (default 100,000) for timing ``ketnoi import-hsds``.

The listings are ``bench.generate``'s deterministic ones, written through the same mapping and
writer as ``ketnoi export-hsds --include-restricted``.

    python -m bench.hsds_package /tmp/hsds-100k --services 100000
    KETNOI_DATA_DIR=/tmp/kn-import time ketnoi import-hsds /tmp/hsds-100k
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.generate import synthetic_services
from service.directory.hsds import records as hsds
from service.directory.hsds import terms
from service.directory.hsds.package import Tables
from service.directory.models import Organization, OrganizationKind


def write_package(folder: Path, count: int) -> float:
    started = time.perf_counter()
    tables = Tables()
    tables.add("taxonomy", terms.taxonomy_record())
    organizations: set[object] = set()
    for service in synthetic_services(count):
        if service.organization_id not in organizations:
            organizations.add(service.organization_id)
            organization = Organization(
                id=service.organization_id,
                name=service.organization.name,
                alternate_name=None,
                description="Tổ chức tổng hợp cho đo hiệu năng",
                kind=OrganizationKind.NGO,
                parent_id=None,
                email=None,
                website=None,
                contacts=[],
                verified_at=None,
                version=1,
                created_at=service.created_at,
                updated_at=service.created_at,
            )
            tables.add("organization", hsds.organization_to_hsds(organization))
        tables.add("service", hsds.service_to_hsds(service, may_see_restricted=True))
    tables.write(folder)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--services", type=int, default=100_000)
    args = parser.parse_args()
    seconds = write_package(args.folder, args.services)
    print(f"Wrote {args.services} listings as an HSDS data package in {seconds:.1f} s")


if __name__ == "__main__":
    main()
