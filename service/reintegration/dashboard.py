"""The dashboard: what is overdue, stuck or missing, for a caseload, an organization tree or an
inbox; and the de-identified statistics export."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from service import audit, export_files
from service.auth.models import Principal
from service.auth.permissions import Action, Scope, check, scope_of
from service.crypto import PersonalDataCipher
from service.db import Connection
from service.directory import lookups as directory_lookups
from service.reintegration import free_text, report_repo, rollup_repo, rules
from service.reintegration.dashboard_models import (
    Dashboard,
    DueFollowUp,
    EmergencyOverride,
    NamedCount,
    OverdueMilestone,
    PartnerOutcome,
    PastDueReferral,
    QuietCase,
)
from service.reintegration.plans import today
from service.reintegration.scope import case_filter

LIST_LIMIT = 50
QUIET_DAYS = 90
DUE_SOON_DAYS = 7  # a follow-up scheduled within a week is listed as due, with the overdue ones
# the lower bounds are also those of migration 0009 (dashboard_score_lows), which counts by them
SCORE_BUCKETS = ((0.0, "0.0-0.2"), (0.2, "0.2-0.4"), (0.4, "0.4-0.6"), (0.6, "0.6-0.8"), (0.8, "0.8-1.0"))


def _counts(pairs: list[tuple[str, int]]) -> list[NamedCount]:
    return [NamedCount(key=key, count=count) for key, count in pairs]


def _of_kind(counts: Mapping[str, int], kind: str) -> dict[str, int]:
    """The counters of one kind ('status:open' -> 'open'), zeros left out."""
    prefix = kind + ":"
    return {key[len(prefix) :]: n for key, n in counts.items() if key.startswith(prefix) and n}


def _ranked(counts: Mapping[str, int]) -> list[NamedCount]:
    """Largest first, then by key: the order the dashboard lists counts in."""
    return [NamedCount(key=key, count=n) for key, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def _by_key(counts: Mapping[str, int]) -> list[NamedCount]:
    return [NamedCount(key=key, count=counts[key]) for key in sorted(counts)]


def score_buckets(counts: dict[int, int]) -> list[NamedCount]:
    """Bucket counts (1 = the first of SCORE_BUCKETS, as ``width_bucket`` numbers them) as labelled counts."""
    return [NamedCount(key=label, count=counts.get(number, 0)) for number, (_, label) in enumerate(SCORE_BUCKETS, 1)]


def overdue_milestones(cipher: PersonalDataCipher, rows: list[Any]) -> list[OverdueMilestone]:
    """Overdue milestones as the dashboard and the caseworker's to-do list show them (title decrypted)."""
    return [
        OverdueMilestone(
            milestone_id=r["id"],
            survivor_id=r["survivor_id"],
            case_code=r["case_code"],
            title=free_text.MILESTONE.reveal(cipher, r, "title"),
            domain=r["domain"],
            target_date=r["target_date"],
        )
        for r in rows
    ]


async def dashboard(conn: Connection, principal: Principal, cipher: PersonalDataCipher) -> Dashboard:
    """The figures and lists of the principal's scope; of the texts, only the few listed are decrypted."""
    check(principal, Action.VIEW_DASHBOARD, principal.organization_id, assigned_to=principal.user_id)
    if scope_of(principal, Action.VIEW_DASHBOARD) is Scope.OWN_ORG:
        assert principal.organization_id is not None
        outcomes = await report_repo.partner_outcomes(conn, None, principal.organization_id, LIST_LIMIT)
        return Dashboard(
            scope="inbox",
            inbox_by_status=_counts(await report_repo.inbox_counts(conn, principal.organization_id)),
            partner_outcomes=[PartnerOutcome(**dict(row)) for row in outcomes],
        )
    scope = case_filter(principal, Action.VIEW_DASHBOARD)
    await rollup_repo.fold_counts(conn, scope)
    counts = await rollup_repo.scope_counts(conn, scope)
    overdue, overdue_total = await rollup_repo.overdue_milestones(conn, scope, counts, today(), LIST_LIMIT)
    past_due, past_due_total = await rollup_repo.referrals_past_due(conn, scope, counts, LIST_LIMIT)
    # the names the list shows come from the directory, each kind in one query
    listings = await directory_lookups.listing_names(conn, (r["service_id"] for r in past_due))
    partners = await directory_lookups.organization_names(conn, (r["receiving_organization_id"] for r in past_due))
    due, due_total = await rollup_repo.follow_ups_due(conn, scope, today() + timedelta(days=DUE_SOON_DAYS), LIST_LIMIT)
    quiet, quiet_total = await rollup_repo.cases_without_follow_up(conn, scope, counts, QUIET_DAYS, LIST_LIMIT)
    if counts.get("cases", 0) == counts["all:cases"]:
        # the scope holds every case: the busiest listings come ranked from their maintained counts
        outcomes = await rollup_repo.partner_outcomes_of_all(conn, LIST_LIMIT)
    else:
        await report_repo.use_report_memory(conn)
        outcomes = await report_repo.partner_outcomes(conn, scope, None, LIST_LIMIT)
    result = Dashboard(
        scope="caseload" if scope.assigned_to else "organization_tree",
        cases_by_status=_ranked(_of_kind(counts, "status")),
        open_cases_by_province=_ranked(_of_kind(counts, "province")),
        open_cases_by_type=_ranked(_of_kind(counts, "type")),
        overdue_milestones=overdue_milestones(cipher, overdue),
        overdue_milestones_total=overdue_total,
        referrals_past_due=[
            PastDueReferral(
                referral_id=r["id"],
                survivor_id=r["survivor_id"],
                case_code=r["case_code"],
                service_name=listings[r["service_id"]],
                organization_name=partners[r["receiving_organization_id"]],
                urgency=r["urgency"],
                due_at=r["due_at"],
            )
            for r in past_due
        ],
        referrals_past_due_total=past_due_total,
        declined_by_reason=_ranked(_of_kind(counts, "declined")),
        not_completed_by_reason=_ranked(_of_kind(counts, "not_completed")),
        cases_without_follow_up=[
            QuietCase(survivor_id=r["survivor_id"], case_code=r["case_code"], last_follow_up=r["last_date"])
            for r in quiet
        ],
        cases_without_follow_up_total=quiet_total,
        follow_ups_due=[
            DueFollowUp(survivor_id=r["survivor_id"], case_code=r["case_code"], next_date=r["next_date"]) for r in due
        ],
        follow_ups_due_total=due_total,
        partner_outcomes=[PartnerOutcome(**dict(row)) for row in outcomes],
        plans_by_status=_by_key(_of_kind(counts, "plan")),
        milestones_by_status=_by_key(_of_kind(counts, "milestone")),
        score_distribution=score_buckets({int(key): n for key, n in _of_kind(counts, "score").items()}),
        emergency_overrides=[
            EmergencyOverride(
                referral_id=r["id"],
                case_code=r["case_code"],
                reason=free_text.REFERRAL.reveal(cipher, r, "emergency_reason"),
                approved_by=r["emergency_approved_by"],
                at=r["created_at"],
            )
            for r in await report_repo.emergency_overrides(conn, scope, LIST_LIMIT)
        ],
    )
    await audit.record(
        conn,
        principal,
        "read",
        "dashboard",
        None,
        organization_id=principal.organization_id,
        details={"scope": result.scope},
    )
    return result


async def statistics_csv(conn: Connection) -> dict[str, str]:
    """De-identified aggregates, one CSV per table, every count under k=11 suppressed."""
    files = {}
    for table in ("cases", "referrals", "milestones"):
        header, rows = await report_repo.statistics_rows(conn, table)
        buffer = io.StringIO()
        writer = export_files.CsvWriter(buffer)
        writer.writerow(header)
        writer.writerows(rules.suppress([tuple(row.values()) for row in rows], [len(header) - 1]))
        files[f"{table}.csv"] = buffer.getvalue()
    return files
