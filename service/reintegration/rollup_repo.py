"""SQL for the dashboard's maintained aggregates (migration 0009): the counters of a caseload or an
organization tree, and the lists and clock-dependent totals read beside them.

A clock-dependent total (overdue, past due, quiet) is the month counters before the current month,
plus the day counters of the current month up to the boundary, plus a live count of the little
that falls inside the boundary day: exact at any moment."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import asyncpg

from service.db import Connection
from service.reintegration.case_repo import CaseFilter
from service.reintegration.workflow import EXPIRED_SQL

COMPACTION_LOCK_ID = 7_460_211_902_135
FOLD_KEYS = 5000  # keys folded per dashboard read at most: bounds the read's extra work after a burst of writes


def _scope(scope: CaseFilter, args: list[Any], alias: str) -> tuple[str, str]:
    """(counter rows of the scope, cases of the scope) as SQL conditions. The counters exist per
    organization and per caseworker only; the dashboard asks for nothing narrower."""
    if scope.status or scope.case_type or scope.province or scope.code_prefix:
        raise ValueError("the dashboard's counters cover whole caseloads and organization trees only")
    if scope.assigned_to is not None and scope.organizations is not None:
        raise ValueError("the dashboard's counters cover a caseload or an organization tree, not both")
    if scope.assigned_to is not None:
        args.append(scope.assigned_to)
        return f"scope_kind = 'c' AND scope_id = ${len(args)}", f"{alias}.assigned_caseworker_id = ${len(args)}"
    if scope.organizations is not None:
        args.append(list(scope.organizations))
        return (
            f"scope_kind = 'o' AND scope_id = ANY(${len(args)}::uuid[])",
            f"{alias}.organization_id = ANY(${len(args)}::uuid[])",
        )
    return "scope_kind = 'o'", "true"


async def fold_counts(conn: Connection, scope: CaseFilter, most: int = FOLD_KEYS) -> None:
    """Sum the deltas written since the last fold into one row per key, for at most ``most`` keys,
    the scope's first: reading stays proportional to the keys, folding to the writes, and keys of
    caseloads nobody looks at are folded by the next reader of any dashboard. Skipped while another
    transaction folds (it would only wait for it); writers never wait for this."""
    args: list[Any] = []
    counters, _ = _scope(scope, args, "c")
    if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", COMPACTION_LOCK_ID):
        return
    args.append(most)
    await conn.execute(
        "WITH touched AS (SELECT scope_kind, scope_id, key FROM dashboard_count WHERE unfolded"
        f" GROUP BY 1, 2, 3 ORDER BY bool_or({counters}) DESC LIMIT ${len(args)}),"
        " gone AS (DELETE FROM dashboard_count d USING touched t"
        " WHERE (d.scope_kind, d.scope_id, d.key) = (t.scope_kind, t.scope_id, t.key) RETURNING d.*)"
        " INSERT INTO dashboard_count (scope_kind, scope_id, key, n, unfolded)"
        " SELECT scope_kind, scope_id, key, sum(n), false FROM gone GROUP BY 1, 2, 3 HAVING sum(n) <> 0",
        *args,
    )


async def scope_counts(conn: Connection, scope: CaseFilter) -> dict[str, int]:
    """Every counter of the scope ('kind:value' -> n; not the day counters), plus 'all:cases', the
    number of cases of the whole database."""
    args: list[Any] = []
    counters, _ = _scope(scope, args, "c")
    records = await conn.fetch(
        f"SELECT key, sum(n) AS n FROM dashboard_count WHERE {counters} AND key < '~' GROUP BY key HAVING sum(n) <> 0"
        " UNION ALL SELECT 'all:cases', coalesce(sum(n), 0) FROM dashboard_count WHERE scope_kind = 'a'",
        *args,
    )
    return {row["key"]: int(row["n"]) for row in records}


def counted_before(counts: Mapping[str, int], kind: str, month: str) -> int:
    """The sum of the ``kind`` counters of the months before ``month`` ('YYYY-MM')."""
    prefix = kind + ":"
    return sum(n for key, n in counts.items() if key.startswith(prefix) and key[len(prefix) :] < month)


async def overdue_milestones(
    conn: Connection, scope: CaseFilter, counts: Mapping[str, int], on: date, limit: int
) -> tuple[list[asyncpg.Record], int]:
    """Open milestones of the current plans of open cases with a target before ``on``: the first
    ``limit`` by target, and how many in all."""
    month_start = on.replace(day=1)
    args: list[Any] = [f"~overdue:{month_start.isoformat()}", f"~overdue:{on.isoformat()}"]
    counters, _ = _scope(scope, args, "c")
    this_month = await conn.fetchval(
        f"SELECT coalesce(sum(n), 0) FROM dashboard_count WHERE {counters} AND key >= $1 AND key < $2", *args
    )
    args = [on]
    _, cases = _scope(scope, args, "c")
    args.append(limit)
    # Each of the first `limit` milestones belongs to a case whose earliest open target is no later
    # than the `limit`-th smallest such target in scope, so only those cases need reading.
    rows = await conn.fetch(
        "WITH firsts AS MATERIALIZED (SELECT c.first_open_target FROM case_rollup c"
        f" WHERE c.first_open_target < $1 AND {cases} ORDER BY c.first_open_target LIMIT ${len(args)}),"
        " candidates AS (SELECT c.survivor_id, c.case_code FROM case_rollup c"
        f" WHERE c.first_open_target <= (SELECT max(first_open_target) FROM firsts) AND {cases})"
        " SELECT m.id, m.title_enc, m.domain, m.target_date, c.survivor_id, c.case_code FROM candidates c"
        " JOIN plan p ON p.survivor_id = c.survivor_id AND p.is_current JOIN milestone m ON m.plan_id = p.id"
        " WHERE m.status IN ('planned', 'in_progress') AND m.target_date < $1"
        f" ORDER BY m.target_date, m.id LIMIT ${len(args)}",
        *args,
    )
    return list(rows), counted_before(counts, "overdue_month", f"{month_start:%Y-%m}") + int(this_month)


async def referrals_past_due(
    conn: Connection, scope: CaseFilter, counts: Mapping[str, int], limit: int
) -> tuple[list[asyncpg.Record], int]:
    """Referrals sent and not answered by their due time: the first ``limit`` by due time, and
    how many in all."""
    args: list[Any] = []
    counters, cases = _scope(scope, args, "c")
    clock = await conn.fetchrow(
        "WITH clock AS (SELECT (now() AT TIME ZONE 'UTC')::date AS today)"
        " SELECT to_char(today, 'YYYY-MM') AS month,"
        f" (SELECT coalesce(sum(n), 0) FROM dashboard_count WHERE {counters}"
        "  AND key >= '~due:' || to_char(today, 'YYYY-MM-01') AND key < '~due:' || to_char(today, 'YYYY-MM-DD'))"
        " + (SELECT count(*) FROM referral r JOIN case_rollup c ON c.survivor_id = r.survivor_id"
        f"  WHERE {EXPIRED_SQL} AND r.due_at >= today::timestamp AT TIME ZONE 'UTC'"
        f"  AND {cases}) AS n FROM clock",
        *args,
    )
    assert clock is not None
    args.append(limit)
    rows = await conn.fetch(
        "WITH firsts AS MATERIALIZED (SELECT c.first_sent_due FROM case_rollup c"
        f" WHERE c.first_sent_due <= now() AND {cases} ORDER BY c.first_sent_due LIMIT ${len(args)}),"
        " candidates AS (SELECT c.survivor_id, c.case_code FROM case_rollup c"
        f" WHERE c.first_sent_due <= (SELECT max(first_sent_due) FROM firsts) AND {cases})"
        " SELECT r.id, r.due_at, r.urgency, r.service_id, r.receiving_organization_id, c.survivor_id, c.case_code"
        " FROM candidates c JOIN referral r ON r.survivor_id = c.survivor_id"
        f" WHERE {EXPIRED_SQL} ORDER BY r.due_at, r.id LIMIT ${len(args)}",
        *args,
    )
    return list(rows), counted_before(counts, "due_month", clock["month"]) + int(clock["n"])


async def cases_without_follow_up(
    conn: Connection, scope: CaseFilter, counts: Mapping[str, int], days: int, limit: int
) -> tuple[list[asyncpg.Record], int]:
    """Open cases older than ``days`` with no follow-up in the last ``days``, longest quiet first,
    and how many in all."""
    args: list[Any] = [days]
    counters, cases = _scope(scope, args, "c")
    quiet = (
        f"c.status = 'open' AND {cases} AND c.created_at < now() - make_interval(days => $1)"
        " AND (c.last_follow_up IS NULL OR c.last_follow_up < current_date - $1::int)"
    )
    # Counted by `quiet_since` (the later of the opening day and the last follow-up): a case quiet
    # since before `sure` is quiet whichever clock the rule reads; the day or two from `sure` to
    # `last` (the latest day a quiet case can have) is checked case by case.
    clock = await conn.fetchrow(
        "WITH days AS (SELECT ((now() - make_interval(days => $1)) AT TIME ZONE 'UTC')::date AS by_time,"
        " current_date - $1::int AS by_date), bounds AS (SELECT least(by_time, by_date) AS sure,"
        " greatest(by_time, by_date - 1) AS last FROM days)"
        " SELECT to_char(sure, 'YYYY-MM') AS month,"
        f" (SELECT coalesce(sum(n), 0) FROM dashboard_count WHERE {counters}"
        "  AND key >= '~quiet:' || to_char(sure, 'YYYY-MM-01') AND key < '~quiet:' || to_char(sure, 'YYYY-MM-DD'))"
        f" + (SELECT count(*) FROM case_rollup c WHERE c.quiet_since BETWEEN sure AND last AND {quiet}) AS n"
        " FROM bounds",
        *args,
    )
    assert clock is not None
    args.append(limit)
    rows = await conn.fetch(
        f"SELECT c.survivor_id, c.case_code, c.last_follow_up AS last_date FROM case_rollup c WHERE {quiet}"
        f" ORDER BY c.last_follow_up NULLS FIRST, c.case_code LIMIT ${len(args)}",
        *args,
    )
    return list(rows), counted_before(counts, "quiet_month", clock["month"]) + int(clock["n"])


async def partner_outcomes_of_all(conn: Connection, limit: int) -> list[asyncpg.Record]:
    """Partner outcomes over every case: the ``limit`` busiest (receiving organization, listing)
    from the maintained counts, how their referrals went and the median days to answer."""
    return list(
        await conn.fetch(
            "WITH top AS (SELECT receiving_organization_id AS organization_id, service_id, n AS sent"
            " FROM referral_group_count WHERE n > 0 ORDER BY n DESC, receiving_organization_id, service_id LIMIT $1)"
            " SELECT t.organization_id, o.name AS organization_name, t.service_id, v.name AS service_name, t.sent,"
            " a.accepted, a.declined, a.expired, a.completed, a.verified, a.median_days_to_answer"
            " FROM top t JOIN organization o ON o.id = t.organization_id JOIN service v ON v.id = t.service_id"
            " CROSS JOIN LATERAL (SELECT"
            " count(*) FILTER (WHERE r.responded_at IS NOT NULL AND r.status <> 'declined') AS accepted,"
            " count(*) FILTER (WHERE r.status = 'declined') AS declined,"
            f" count(*) FILTER (WHERE {EXPIRED_SQL}) AS expired,"
            " count(*) FILTER (WHERE r.status IN ('completed', 'verified')) AS completed,"
            " count(*) FILTER (WHERE r.status = 'verified') AS verified,"
            " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.responded_at - r.sent_at) / 86400)"
            " AS median_days_to_answer FROM referral r"
            " WHERE r.receiving_organization_id = t.organization_id AND r.service_id = t.service_id) a"
            " ORDER BY t.sent DESC, o.name, v.name",
            limit,
        )
    )


async def follow_ups_due(conn: Connection, scope: CaseFilter, by: date, limit: int) -> tuple[list[asyncpg.Record], int]:
    """Open cases whose next follow-up, as scheduled at their latest follow-up, falls on or before
    ``by``: the first ``limit`` by that date, and how many in all. A follow-up recorded since
    settles the date it was scheduled at (migration 0017)."""
    args: list[Any] = [by]
    _, cases = _scope(scope, args, "c")
    args.append(limit)
    rows = await conn.fetch(
        "SELECT f.survivor_id, c.case_code, f.next_date, count(*) OVER () AS total"
        " FROM follow_up f JOIN case_rollup c ON c.survivor_id = f.survivor_id"
        f" WHERE f.next_date IS NOT NULL AND f.next_date <= $1 AND c.status = 'open' AND {cases}"
        " AND NOT EXISTS (SELECT 1 FROM follow_up later WHERE later.survivor_id = f.survivor_id"
        "  AND (later.date, later.created_at) > (f.date, f.created_at))"
        f" ORDER BY f.next_date, c.case_code LIMIT ${len(args)}",
        *args,
    )
    return list(rows), int(rows[0]["total"]) if rows else 0


async def referrals_waiting(conn: Connection, scope: CaseFilter, limit: int) -> list[asyncpg.Record]:
    """Referrals of the scope's open cases sent and not answered yet, the first due first."""
    args: list[Any] = []
    _, cases = _scope(scope, args, "c")
    args.append(limit)
    return list(
        await conn.fetch(
            "SELECT r.id, r.due_at, r.service_id, r.receiving_organization_id, c.survivor_id, c.case_code"
            " FROM referral r JOIN case_rollup c ON c.survivor_id = r.survivor_id"
            f" WHERE r.status = 'sent' AND c.status = 'open' AND {cases}"
            f" ORDER BY r.due_at NULLS LAST, r.id LIMIT ${len(args)}",
            *args,
        )
    )
