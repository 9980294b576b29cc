"""The dashboard's maintained aggregates (migration 0009) against the base tables: after a random mix
of realistic writes through the use cases, the dashboard of an organization tree and of caseloads
shows exactly what the cases, plans, milestones, referrals and follow-ups say, and rebuilding the
aggregates from scratch (the migration's backfill) gives the same aggregates.

Runs on the demo cases inside one transaction that is rolled back, so the shared demo stays as seeded."""

from __future__ import annotations

import asyncio
import bisect
import random
import statistics
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from litestar import Litestar

from service.auth import repo as auth_repo
from service.auth.models import Principal, Role
from service.auth.permissions import Action
from service.crypto import PersonalDataCipher
from service.errors import DomainError
from service.reintegration import cases, dashboard, followups, plans, referrals, rollup_repo, rules, workflow
from service.reintegration.case_models import (
    CaseStatus,
    CaseType,
    ClosureReason,
    ConsentCreate,
    ConsentMethod,
    ConsentPurpose,
    IdentificationStatus,
    SurvivorCreate,
    SurvivorPatch,
)
from service.reintegration.dashboard_models import Dashboard
from service.reintegration.follow_up_models import FollowUpCreate, FollowUpMethod
from service.reintegration.plan_models import (
    MilestoneCreate,
    MilestoneDomain,
    MilestonePatch,
    MilestoneStatus,
    PlanCreate,
    PlanStatus,
    PlanSubmit,
)
from service.reintegration.plans import today
from service.reintegration.referral_models import ReferralCreate, ReferralStatus, TransitionRequest, Urgency
from service.reintegration.scope import case_filter
from tests.integration.conftest import make_actor, make_org
from tests.integration.reintegration.world import CASE_BODY, World

ROUNDS = 4  # each kind of write is tried weight × ROUNDS times, in a shuffled order
PROVINCES = ("Cần Thơ", "Sóc Trăng", "An Giang", None)


@dataclass
class Desk:
    """Who acts in the random writes, and where cases may be transferred."""

    conn: asyncpg.Connection
    cipher: PersonalDataCipher
    rng: random.Random
    coordinator: Principal
    caseworker: Principal
    colleague: Principal
    home: uuid.UUID  # the coordinator's organization
    elsewhere: tuple[uuid.UUID, ...]  # one organization under it, one outside its tree

    async def pick(self, sql: str, *args: Any) -> Any:
        rows = await self.conn.fetch(sql, *args)
        if not rows:
            raise LookupError(sql)
        return self.rng.choice(sorted(rows, key=lambda row: str(row[0])))

    async def case_id(self, *, open_only: bool = False) -> uuid.UUID:
        row = await self.pick(
            "SELECT id FROM survivor WHERE deidentified_at IS NULL" + (" AND status = 'open'" if open_only else "")
        )
        return row["id"]  # type: ignore[no-any-return]


async def _new_case(desk: Desk) -> None:
    assignee = desk.rng.choice([desk.caseworker.user_id, desk.colleague.user_id, None])
    data = SurvivorCreate(
        case_type=desk.rng.choice(list(CaseType)),
        identification_status=IdentificationStatus.REPORTED,
        full_name="Trần Thị Thử",
        home_province=desk.rng.choice(PROVINCES),
        assigned_caseworker_id=assignee,
    )
    await cases.create_case(desk.conn, desk.coordinator, desk.cipher, data)


async def _new_plan(desk: Desk) -> None:
    case = await desk.pick(
        "SELECT s.id FROM survivor s WHERE s.deidentified_at IS NULL AND NOT EXISTS"
        " (SELECT 1 FROM plan p WHERE p.survivor_id = s.id AND p.is_current AND p.status <> 'closed')"
    )
    await plans.create_plan(desk.conn, desk.coordinator, desk.cipher, case["id"], PlanCreate())


async def _plan_step(desk: Desk) -> None:
    plan = await desk.pick("SELECT id, status FROM plan WHERE is_current")
    action = {
        PlanStatus.DRAFT: "submit",
        PlanStatus.PENDING_APPROVAL: desk.rng.choice(["approve", "send-back"]),
        PlanStatus.ACTIVE: desk.rng.choice(["review", "close"]),
        PlanStatus.UNDER_REVIEW: "approve",
        PlanStatus.CLOSED: "reopen",
    }[PlanStatus(plan["status"])]
    body = PlanSubmit(survivor_agreed_at=datetime.now().astimezone(), agreement_method=ConsentMethod.WRITTEN)
    await plans.transition_plan(
        desk.conn, desk.coordinator, desk.cipher, plan["id"], action, body if action == "submit" else None
    )


async def _add_milestone(desk: Desk) -> None:
    plan = await desk.pick("SELECT id FROM plan WHERE is_current AND status IN ('draft', 'active', 'under_review')")
    target = desk.rng.choice([None, today() + timedelta(days=desk.rng.randint(-70, 40))])
    data = MilestoneCreate(domain=desk.rng.choice(list(MilestoneDomain)), title="Mốc thử", target_date=target)
    await plans.add_milestone(desk.conn, desk.coordinator, desk.cipher, plan["id"], data)


async def _milestone_step(desk: Desk) -> None:
    milestone = await desk.pick(
        "SELECT m.id, m.status FROM milestone m JOIN plan p ON p.id = m.plan_id AND p.is_current"
        " WHERE m.status IN ('planned', 'in_progress', 'deferred')"
    )
    if desk.rng.random() < 0.3:
        patch = MilestonePatch(target_date=today() + timedelta(days=desk.rng.randint(-40, 20)))
    else:
        choices = sorted(workflow.MILESTONE_TRANSITIONS[MilestoneStatus(milestone["status"])])
        patch = MilestonePatch(status=desk.rng.choice(choices))
    await plans.patch_milestone(desk.conn, desk.coordinator, desk.cipher, milestone["id"], patch)


async def _refer(desk: Desk) -> None:
    survivor_id = await desk.case_id(open_only=True)
    consent = ConsentCreate(purpose=ConsentPurpose.REFERRAL, organization_id=None, method=ConsentMethod.WRITTEN)
    await cases.record_consent(desk.conn, desk.coordinator, desk.cipher, survivor_id, consent)
    service = await desk.pick(
        "SELECT s.id FROM service s WHERE s.status = 'active' AND s.accepting_referrals"
        " AND EXISTS (SELECT 1 FROM app_user u WHERE u.organization_id = s.organization_id AND u.role = 'partner')"
    )
    data = ReferralCreate(
        survivor_id=survivor_id,
        service_id=service["id"],
        urgency=desk.rng.choice(list(Urgency)),
        shared_summary="Cần chỗ ở an toàn và tư vấn pháp lý.",
    )
    await referrals.create_referral(desk.conn, desk.coordinator, desk.cipher, data)


async def _referral_step(desk: Desk) -> None:
    referral = await desk.pick("SELECT id, status, receiving_organization_id FROM referral")
    status = ReferralStatus(referral["status"])
    moves = sorted(name for name, move in workflow.REFERRAL_TRANSITIONS.items() if status in move.sources)
    if not moves:
        raise LookupError("no move from " + status)
    move = workflow.REFERRAL_TRANSITIONS[desk.rng.choice(moves)]
    if move.side is workflow.Side.RECEIVER:
        partner = await desk.pick(
            "SELECT id FROM app_user WHERE organization_id = $1 AND role = 'partner'",
            referral["receiving_organization_id"],
        )
        who = Principal(user_id=partner["id"], role=Role.PARTNER, organization_id=referral["receiving_organization_id"])
    else:
        who = desk.coordinator
    reason = desk.rng.choice(sorted(move.reasons)) if move.reasons else None
    body = TransitionRequest(reason_code=reason, note="Ghi chú" if move.needs_note else "")
    await referrals.transition(desk.conn, who, desk.cipher, referral["id"], move.action, body)


async def _time_passes_for_a_referral(desk: Desk) -> None:
    # No use case moves time: as the demo seeding does, a referral is sent earlier than now, by a
    # few hours (due today), days or weeks (due last month).
    back = timedelta(hours=desk.rng.choice([3, 30, 24 * 9, 24 * 40]))
    referral = await desk.pick("SELECT id FROM referral WHERE status = 'sent'")
    await desk.conn.execute(
        "UPDATE referral SET sent_at = sent_at - $2::interval, due_at = due_at - $2::interval WHERE id = $1",
        referral["id"],
        back,
    )


async def _time_passes_for_a_case(desk: Desk) -> None:
    back = timedelta(days=desk.rng.choice([20, 89, 91, 120, 400]), hours=desk.rng.randint(0, 23))
    await desk.conn.execute(
        "UPDATE survivor SET created_at = created_at - $2::interval WHERE id = $1", await desk.case_id(), back
    )


async def _follow_up(desk: Desk) -> None:
    indicators = {
        indicator.code: desk.rng.randrange(len(indicator.answers))
        for indicator in rules.scoring().indicators
        if desk.rng.random() < 0.9
    }
    data = FollowUpCreate(
        date=today() - timedelta(days=desk.rng.randint(0, 200)),
        method=FollowUpMethod.OFFICE_VISIT,  # reaching out would need a follow-up consent: not what this counts
        indicators=indicators,
    )
    await followups.record_follow_up(desk.conn, desk.coordinator, desk.cipher, await desk.case_id(), data)


async def _edit_case(desk: Desk) -> None:
    patch = desk.rng.choice(
        [
            SurvivorPatch(
                assigned_caseworker_id=desk.rng.choice([desk.caseworker.user_id, desk.colleague.user_id, None])
            ),
            SurvivorPatch(status=CaseStatus.CLOSED, closure_reason=desk.rng.choice(list(ClosureReason))),
            SurvivorPatch(status=CaseStatus.OPEN, closure_reason=None),
            SurvivorPatch(home_province=desk.rng.choice(PROVINCES), case_type=desk.rng.choice(list(CaseType))),
        ]
    )
    await cases.patch_case(desk.conn, desk.coordinator, desk.cipher, await desk.case_id(), None, patch)


async def _transfer(desk: Desk) -> None:
    # No use case transfers a case between organizations yet; an administrator would do this.
    target = desk.rng.choice([desk.home, *desk.elsewhere])
    await desk.conn.execute("UPDATE survivor SET organization_id = $2 WHERE id = $1", await desk.case_id(), target)


async def _deidentify(desk: Desk) -> None:
    survivor_id = await desk.case_id()  # only a closed case is de-identified
    closing = SurvivorPatch(status=CaseStatus.CLOSED, closure_reason=desk.rng.choice(list(ClosureReason)))
    await cases.patch_case(desk.conn, desk.coordinator, desk.cipher, survivor_id, None, closing)
    await cases.deidentify_case(desk.conn, desk.coordinator, desk.cipher, survivor_id)


ACTIONS: Sequence[tuple[Callable[[Desk], Awaitable[None]], int]] = (
    (_new_case, 3),
    (_new_plan, 2),
    (_plan_step, 3),
    (_add_milestone, 5),
    (_milestone_step, 5),
    (_refer, 4),
    (_referral_step, 6),
    (_time_passes_for_a_referral, 2),
    (_time_passes_for_a_case, 2),
    (_follow_up, 4),
    (_edit_case, 3),
    (_transfer, 2),
    (_deidentify, 1),
)


# -- the same figures straight from the base tables ------------------------------------------------


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(((key, n) for key, n in counter.items() if n), key=lambda item: (-item[1], item[0]))


def _figures(board: Dashboard) -> dict[str, Any]:
    def pairs(counts: Sequence[Any]) -> list[tuple[str, int]]:
        return [(c.key, c.count) for c in counts]

    return {
        "cases_by_status": pairs(board.cases_by_status),
        "open_cases_by_province": pairs(board.open_cases_by_province),
        "open_cases_by_type": pairs(board.open_cases_by_type),
        "overdue": ([m.milestone_id for m in board.overdue_milestones], board.overdue_milestones_total),
        "past_due": ([r.referral_id for r in board.referrals_past_due], board.referrals_past_due_total),
        "declined_by_reason": pairs(board.declined_by_reason),
        "not_completed_by_reason": pairs(board.not_completed_by_reason),
        "quiet": (
            [(q.survivor_id, q.last_follow_up) for q in board.cases_without_follow_up],
            board.cases_without_follow_up_total,
        ),
        "partner_outcomes": _outcome_rows(board.partner_outcomes),
        "plans_by_status": pairs(board.plans_by_status),
        "milestones_by_status": pairs(board.milestones_by_status),
        "score_distribution": pairs(board.score_distribution),
    }


def _outcome_rows(outcomes: Sequence[Any]) -> list[tuple[Any, ...]]:
    def get(row: Any, name: str) -> Any:
        return row[name] if isinstance(row, asyncpg.Record | dict) else getattr(row, name)

    return [
        (
            *(get(row, name) for name in ("organization_id", "service_id", "sent", "accepted", "declined", "expired")),
            get(row, "completed"),
            get(row, "verified"),
            None if get(row, "median_days_to_answer") is None else round(get(row, "median_days_to_answer"), 6),
        )
        for row in outcomes
    ]


def _outcomes(referral_rows: Sequence[asyncpg.Record], now: datetime) -> list[dict[str, Any]]:
    groups: dict[tuple[uuid.UUID, uuid.UUID], list[asyncpg.Record]] = {}
    for r in referral_rows:
        groups.setdefault((r["receiving_organization_id"], r["service_id"]), []).append(r)
    busiest = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))[: dashboard.LIST_LIMIT]
    result = []
    for (organization_id, service_id), rows in busiest:
        answered = [
            (r["responded_at"] - r["sent_at"]).total_seconds() / 86400
            for r in rows
            if r["responded_at"] is not None and r["sent_at"] is not None
        ]
        result.append(
            {
                "organization_id": organization_id,
                "service_id": service_id,
                "names": (rows[0]["organization_name"], rows[0]["service_name"]),
                "sent": len(rows),
                "accepted": sum(r["responded_at"] is not None and r["status"] != "declined" for r in rows),
                "declined": sum(r["status"] == "declined" for r in rows),
                "expired": sum(r["status"] == "sent" and r["due_at"] <= now for r in rows),
                "completed": sum(r["status"] in ("completed", "verified") for r in rows),
                "verified": sum(r["status"] == "verified" for r in rows),
                "median_days_to_answer": statistics.median(answered) if answered else None,
            }
        )
    return sorted(result, key=lambda row: (-row["sent"], *row["names"]))


_REFERRALS = (
    "SELECT r.*, o.name AS organization_name, v.name AS service_name FROM referral r"
    " JOIN organization o ON o.id = r.receiving_organization_id JOIN service v ON v.id = r.service_id"
)


async def _reference(conn: asyncpg.Connection, principal: Principal) -> dict[str, Any]:
    scope = case_filter(principal, Action.VIEW_DASHBOARD)
    if scope.assigned_to is not None:
        survivors = await conn.fetch("SELECT * FROM survivor WHERE assigned_caseworker_id = $1", scope.assigned_to)
    else:
        assert scope.organizations is not None
        survivors = await conn.fetch(
            "SELECT * FROM survivor WHERE organization_id = ANY($1::uuid[])", list(scope.organizations)
        )
    ids = [s["id"] for s in survivors]
    now, current_date = await conn.fetchrow("SELECT now(), current_date")
    on = today()
    open_cases = [s for s in survivors if s["status"] == "open"]
    current = await conn.fetch("SELECT * FROM plan WHERE is_current AND survivor_id = ANY($1::uuid[])", ids)
    milestones = await conn.fetch(
        "SELECT m.*, p.survivor_id FROM milestone m JOIN plan p ON p.id = m.plan_id AND p.is_current"
        " WHERE p.survivor_id = ANY($1::uuid[])",
        ids,
    )
    referral_rows = await conn.fetch(_REFERRALS + " WHERE r.survivor_id = ANY($1::uuid[])", ids)
    follow_ups = await conn.fetch("SELECT * FROM follow_up WHERE survivor_id = ANY($1::uuid[])", ids)
    is_open = {s["id"] for s in open_cases}

    overdue = sorted(
        (m["target_date"], m["id"])
        for m in milestones
        if m["status"] in ("planned", "in_progress")
        and m["target_date"] is not None
        and m["target_date"] < on
        and m["survivor_id"] in is_open
    )
    past_due = sorted((r["due_at"], r["id"]) for r in referral_rows if r["status"] == "sent" and r["due_at"] <= now)
    last: dict[uuid.UUID, date] = {}
    latest: dict[uuid.UUID, tuple[date, datetime, float]] = {}
    for f in follow_ups:
        last[f["survivor_id"]] = max(last.get(f["survivor_id"], f["date"]), f["date"])
        if f["composite"] is not None:
            mark = (f["date"], f["created_at"], f["composite"])
            latest[f["survivor_id"]] = max(latest.get(f["survivor_id"], mark), mark)
    quiet_days = timedelta(days=dashboard.QUIET_DAYS)
    quiet = sorted(
        (
            (last.get(s["id"]) is not None, last.get(s["id"]) or date.min, s["case_code"], s["id"])
            for s in open_cases
            if s["created_at"] < now - quiet_days and (s["id"] not in last or last[s["id"]] < current_date - quiet_days)
        ),
    )
    lows = [low for low, _ in dashboard.SCORE_BUCKETS]
    buckets = Counter(bisect.bisect_right(lows, composite) for _, _, composite in latest.values())
    reasons = {
        status: Counter(r["reason_code"] or "none" for r in referral_rows if r["status"] == status)
        for status in ("declined", "not_completed")
    }
    return {
        "cases_by_status": _ranked(Counter(s["status"] for s in survivors)),
        "open_cases_by_province": _ranked(Counter(s["home_province"] or "unknown" for s in open_cases)),
        "open_cases_by_type": _ranked(Counter(s["case_type"] for s in open_cases)),
        "overdue": ([i for _, i in overdue[: dashboard.LIST_LIMIT]], len(overdue)),
        "past_due": ([i for _, i in past_due[: dashboard.LIST_LIMIT]], len(past_due)),
        "declined_by_reason": _ranked(reasons["declined"]),
        "not_completed_by_reason": _ranked(reasons["not_completed"]),
        "quiet": ([(i, last.get(i)) for *_, i in quiet[: dashboard.LIST_LIMIT]], len(quiet)),
        "partner_outcomes": _outcome_rows(_outcomes(referral_rows, now)),
        "plans_by_status": sorted(Counter(p["status"] for p in current).items()),
        "milestones_by_status": sorted(Counter(m["status"] for m in milestones).items()),
        "score_distribution": [(label, buckets.get(n, 0)) for n, (_, label) in enumerate(dashboard.SCORE_BUCKETS, 1)],
    }


async def _rollups(conn: asyncpg.Connection) -> tuple[list[asyncpg.Record], ...]:
    """The maintained aggregates as they stand (counter deltas summed per key)."""
    return (
        await conn.fetch("SELECT * FROM case_rollup ORDER BY survivor_id"),
        await conn.fetch(
            "SELECT scope_kind, scope_id, key, sum(n) AS n FROM dashboard_count GROUP BY 1, 2, 3"
            " HAVING sum(n) <> 0 ORDER BY 1, 2, 3"
        ),
        await conn.fetch("SELECT * FROM referral_group_count WHERE n <> 0 ORDER BY 1, 2"),
    )


async def _principal(conn: asyncpg.Connection, email: str) -> Principal:
    return await auth_repo.principal_for_user(
        conn, await conn.fetchval("SELECT id FROM app_user WHERE email = $1", email)
    )


async def test_rollup_dashboard_equals_the_base_tables_after_random_writes(
    demo_app: Litestar, password_hash: str
) -> None:
    async with demo_app.state.pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            coordinator = await _principal(conn, "coordinator@ketnoi.demo")
            home = coordinator.organization_id
            assert home is not None
            colleague = await make_actor(conn, "rollup-colleague", Role.CASEWORKER, home, password_hash)
            desk = Desk(
                conn=conn,
                cipher=demo_app.state.cipher,
                rng=random.Random(6),  # noqa: S311 - a repeatable mix, not a secret
                coordinator=coordinator,
                caseworker=await _principal(conn, "caseworker@ketnoi.demo"),
                colleague=Principal(user_id=colleague.user_id, role=Role.CASEWORKER, organization_id=home),
                home=home,
                elsewhere=(await make_org(conn, "Chi hội thử", parent=home), await make_org(conn, "Tổ chức ngoài")),
            )
            # The demo cases were opened when the demo was seeded: let them be months old, so some
            # have gone quiet.
            await conn.execute("UPDATE survivor SET created_at = created_at - interval '100 days'")
            schedule = [action for action, weight in ACTIONS for _ in range(weight * ROUNDS)]
            desk.rng.shuffle(schedule)
            done: Counter[str] = Counter()
            for action in schedule:
                try:
                    async with conn.transaction():  # a refused step leaves nothing behind
                        await action(desk)
                    done[action.__name__] += 1
                except (DomainError, LookupError):
                    pass
            assert len(done) == len(ACTIONS), done  # every kind of write happened at least once

            for who in (desk.coordinator, desk.caseworker, desk.colleague):
                assert _figures(await dashboard.dashboard(conn, who, desk.cipher)) == await _reference(conn, who), who
            tree = _figures(await dashboard.dashboard(conn, desk.coordinator, desk.cipher))
            assert min(tree["overdue"][1], tree["past_due"][1], tree["quiet"][1]) > 0  # the clock was exercised

            everything = await conn.fetch(_REFERRALS)
            now = await conn.fetchval("SELECT now()")
            assert _outcome_rows(await rollup_repo.partner_outcomes_of_all(conn, dashboard.LIST_LIMIT)) == (
                _outcome_rows(_outcomes(everything, now))
            )

            maintained = await _rollups(conn)
            await conn.execute("SELECT dashboard_rebuild()")  # what the migration's backfill runs
            assert await _rollups(conn) == maintained
        finally:
            await transaction.rollback()


async def test_score_buckets_are_those_the_counters_use(demo_app: Litestar) -> None:
    async with demo_app.state.pool.acquire() as conn:
        lows = await conn.fetchval("SELECT dashboard_score_lows()")
    assert list(lows) == [low for low, _ in dashboard.SCORE_BUCKETS]


async def test_concurrent_writers_leave_the_counters_a_recount_would_give(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool, app: Litestar
) -> None:
    """Separate transactions at once: twelve follow-ups on one case (they take turns on its rollup
    row) while eight new cases are opened (their counter deltas are inserted side by side)."""
    headers = world.actors.caseworker.headers
    follow_ups = [
        client.post(
            f"/api/v1/survivors/{world.case_id}/follow-ups",
            headers=headers,
            json={
                "date": (today() - timedelta(days=n)).isoformat(),
                "method": "office_visit",
                "indicators": {"psy_safety": n % 3},
            },
        )
        for n in range(12)
    ]
    new_cases = [client.post("/api/v1/survivors", headers=headers, json=CASE_BODY) for _ in range(8)]
    answers = await asyncio.gather(*follow_ups, *new_cases)
    assert [answer.status_code for answer in answers] == [201] * 20

    async with pool.acquire() as conn:
        coordinator = await _principal(conn, world.actors.coordinator.email)
        caseworker = await _principal(conn, world.actors.caseworker.email)
        for who in (coordinator, caseworker):
            figures = _figures(await dashboard.dashboard(conn, who, app.state.cipher))
            assert figures == await _reference(conn, who), who
        maintained = await _rollups(conn)
        rebuilding = conn.transaction()
        await rebuilding.start()
        try:
            await conn.execute("SELECT dashboard_rebuild()")  # what the migration's backfill runs
            assert await _rollups(conn) == maintained
        finally:
            await rebuilding.rollback()
