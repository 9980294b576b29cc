"""Listing → search document: what each backend indexes for one service."""

from __future__ import annotations

from search.documents import SearchDocument
from service import places
from service.directory import rules, taxonomy
from service.directory.models import ContactKind, Service


def search_document(service: Service) -> SearchDocument:
    """Flatten a listing for search. The words indexed are those of the public view (one index
    answers everyone): a confidential location adds only its province's names, and its province's
    reference point to public distance; its own coordinates serve only staff distance."""
    areas = list(service.service_areas)
    for location in service.locations:
        if location.province_code not in areas:
            areas.append(location.province_code)
    place_names: list[str] = []
    for code in areas:
        place_names += places.names_for_search(code)
    public = rules.redact(service, may_see_restricted=False)
    place_names += [loc.commune for loc in public.locations if loc.commune]
    public_points: list[tuple[float, float]] = []
    staff_points: list[tuple[float, float]] = []
    for location in service.locations:
        exact = (location.lat, location.lon) if location.lat is not None and location.lon is not None else None
        province = places.by_code(location.province_code)
        staff_points.append(exact or (province.lat, province.lon))
        public_points.append((province.lat, province.lon) if location.confidential or exact is None else exact)
    hotlines = [c.value for c in service.contacts if c.kind is ContactKind.HOTLINE]
    return SearchDocument(
        service_id=service.id,
        organization_id=service.organization_id,
        visibility=service.visibility.value,
        status=service.status.value,
        name=service.name,
        alternate_name=service.alternate_name or "",
        organization_name=service.organization.name,
        description=service.description,
        eligibility=service.eligibility_description,
        categories=list(service.categories),
        category_labels=[label for code in service.categories for label in taxonomy.labels(code)],
        populations=list(service.populations),
        population_labels=[label for code in service.populations for label in taxonomy.population_labels(code)],
        provinces=areas,
        place_names=place_names,
        languages=list(service.languages),
        fee=service.fee.value,
        hotlines=hotlines,
        hotline_labels=taxonomy.labels("hotline") if hotlines else [],
        accepting_referrals=service.accepting_referrals,
        capacity_available=service.capacity_available,
        always_open=rules.always_open(service.contacts),
        open_week=rules.open_week(service.schedules),
        public_points=public_points,
        staff_points=staff_points,
        last_verified_at=service.last_verified_at,
        updated_at=service.updated_at,
    )
