"""Services that fit a survivor and a plan domain, ranked, each with the reasons it matched."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from service import places
from service.auth.models import Principal
from service.auth.permissions import Action
from service.db import Connection
from service.directory import lookups as directory_lookups
from service.directory import rules as directory_rules
from service.errors import FieldError, NotFound, ValidationFailed
from service.reintegration import consent_repo, plan_repo, rules
from service.reintegration.plan_models import MilestoneDomain
from service.reintegration.plans import facts, today
from service.reintegration.referral_models import Match
from service.reintegration.scope import audit_case, case_for


async def matches(
    conn: Connection,
    principal: Principal,
    survivor_id: uuid.UUID,
    *,
    milestone_id: uuid.UUID | None,
    domain: MilestoneDomain | None,
    limit: int = 20,
) -> list[Match]:
    """Confidential listings are matched too; their hidden coordinates are used only for roles that
    may see them (others get the province's reference point, as in search)."""
    case = await case_for(conn, principal, survivor_id, Action.VIEW_CASE)
    if milestone_id is not None:
        milestone = await plan_repo.get_milestone(conn, milestone_id)
        if milestone["survivor_id"] != case.id:
            raise NotFound("No such milestone in this case")
        domain = MilestoneDomain(milestone["domain"])
    if domain is None:
        raise ValidationFailed(
            "Say what the match is for", errors=[FieldError(field="milestone_id", message="or domain")]
        )
    case_facts = facts(case, today())
    viewer = directory_rules.viewer(principal)
    areas = [places.NATIONAL, *([case.home_province] if case.home_province else [])]
    rows = await directory_lookups.match_candidates(
        conn,
        rules.DOMAIN_CATEGORIES[domain],
        areas,
        sees_restricted=viewer.sees_restricted,
        own_organization=viewer.organization_id,
    )
    all_partners, named = await consent_repo.organizations_with_consent(conn, case.id)
    now = datetime.now(UTC)
    scored = []
    for row in rows:
        lats, lons = (
            (row["staff_lat"], row["staff_lon"]) if viewer.sees_restricted else (row["public_lat"], row["public_lon"])
        )
        candidate = rules.Candidate(
            service_id=row["service_id"],
            name=row["name"],
            organization_id=row["organization_id"],
            organization_name=row["organization_name"],
            categories=row["categories"],
            populations=row["populations"],
            provinces=row["provinces"],
            languages=row["languages"],
            genders=row["genders"],
            min_age=row["min_age"],
            max_age=row["max_age"],
            accepting_referrals=row["accepting_referrals"],
            capacity_available=row["capacity_available"],
            last_verified_at=row["last_verified_at"],
            point=(lats[0], lons[0]) if lats else None,
        )
        result = rules.score_candidate(
            case_facts, domain, candidate, now, directory_rules.is_stale(candidate.last_verified_at, now)
        )
        if result is not None:
            scored.append(result)
    scored.sort(
        key=lambda s: (-s.score, s.distance_km if s.distance_km is not None else 1e9, str(s.candidate.service_id))
    )
    await audit_case(
        conn,
        principal,
        case,
        "match",
        "survivor",
        survivor_id,
        details={"domain": domain.value},
    )
    return [
        Match(
            service_id=s.candidate.service_id,
            name=s.candidate.name,
            organization_id=s.candidate.organization_id,
            organization_name=s.candidate.organization_name,
            categories=s.candidate.categories,
            score=round(s.score, 2),
            reasons=s.reasons,
            distance_km=s.distance_km,
            accepting_referrals=s.candidate.accepting_referrals,
            capacity_available=s.candidate.capacity_available,
            consent_on_file=all_partners or s.candidate.organization_id in named,
        )
        for s in scored[:limit]
    ]
