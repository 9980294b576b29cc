"""Coordinator and caseworker dashboard pages and the plan approval queue.

The figures come from ``dashboard.dashboard`` (the same use case as ``GET /api/v1/dashboard``,
which checks the role and audits the read); the charts are drawn on the server as inline SVG.
What the page writes of them is worked out here: score bands in the page's number format, how
long partners take to answer (or that there are too few answers to say), days overdue.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
from babel.numbers import format_decimal
from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.auth.models import Principal
from service.db import Connection
from service.directory import verification
from service.errors import Conflict, Forbidden
from service.reintegration import approvals, dashboard, plans
from service.reintegration.dashboard import SCORE_BUCKETS
from service.reintegration.dashboard_models import Dashboard, PartnerOutcome
from service.web import charts
from service.web.forms import text
from service.web.i18n import current
from service.web.i18n import gettext as _
from service.web.page import Form, PageWork, Work, user_names
from service.web.words import directory_labels, vocabulary

CHART_GROUPS = 12  # partners drawn in the outcome chart; the table lists them all
NOTE_LIMIT = 2000  # PlanNote.note's limit, checked here so the error sits next to the field
# Below this many answers a median says more about one referral than about the partner.
MIN_ANSWERS = 5


def _decimal(value: float) -> str:
    """One decimal in the page's number format: 0,2 in Vietnamese, 0.2 in English."""
    return format_decimal(value, format="0.0", locale=current.get())


def score_band_names() -> dict[str, str]:
    """The score bands' keys ("0.0-0.2") as the page writes them ("0,0–0,2" in Vietnamese)."""
    highs = [low for low, _key in SCORE_BUCKETS[1:]] + [1.0]
    return {key: f"{_decimal(low)}–{_decimal(high)}" for (low, key), high in zip(SCORE_BUCKETS, highs, strict=True)}


def answer_time(outcome: PartnerOutcome) -> str:
    """The median time a partner service took to answer, in hours under two days and in days
    beyond, or that too few referrals were answered for a median to mean anything."""
    answers = outcome.accepted + outcome.declined
    if outcome.median_days_to_answer is None or answers < MIN_ANSWERS:
        return _("Not enough data")
    hours = outcome.median_days_to_answer * 24
    if hours < 1:
        return _("Under 1 hour")
    if hours < 48:
        return _("%(n)s hours") % {"n": _decimal(hours)}
    return _("%(n)s days") % {"n": _decimal(outcome.median_days_to_answer)}


def province_names() -> dict[str, str]:
    return {**directory_labels()["province"], "unknown": _("Unknown")}


def dashboard_charts(data: Dashboard) -> dict[str, charts.BarChart]:
    """The three charts of the page, from the same figures the tables show."""
    provinces = province_names()
    by_province = [(provinces.get(c.key, c.key), c.count) for c in data.open_cases_by_province]
    bands = score_band_names()
    scores = [(bands.get(c.key, c.key), c.count) for c in data.score_distribution]
    outcomes = [
        (
            f"{o.service_name} · {o.organization_name}",
            [
                (_("Sent"), o.sent),
                (_("Accepted"), o.accepted),
                (_("Completed"), o.completed),
                (_("Verified"), o.verified),
            ],
        )
        for o in data.partner_outcomes[:CHART_GROUPS]
    ]
    return {
        "province": charts.bars(by_province),
        "score": charts.bars(scores),
        "outcomes": charts.grouped_bars(outcomes),
    }


async def _approver_names(pool: asyncpg.Pool, data: Dashboard) -> dict[uuid.UUID, str]:
    """Who approved each emergency override, by name rather than id."""
    async with pool.acquire() as conn:
        return await user_names(conn, (o.approved_by for o in data.emergency_overrides))


async def work_counts(conn: Connection, principal: Principal) -> dict[str, int]:
    """What waits for the coordinator, for the links at the top of the dashboard."""
    return {
        "approvals": await approvals.pending_count(conn, principal),
        "verify": await verification.due_count(conn, principal, datetime.now(UTC)),
    }


@get("/", name="dashboard")
async def dashboard_page(work: Work) -> Template:
    data = await work.run(dashboard.dashboard)
    on = plans.today()
    return work.page(
        "dashboard/index.html",
        data=data,
        charts=dashboard_charts(data),
        chart_groups=CHART_GROUPS,
        words=vocabulary(),
        province_names=province_names(),
        score_bands=score_band_names(),
        min_answers=MIN_ANSWERS,
        answer_times={(o.organization_id, o.service_id): answer_time(o) for o in data.partner_outcomes},
        days_overdue={m.milestone_id: (on - m.target_date).days for m in data.overdue_milestones},
        approvers=await _approver_names(work.pool, data),
        to_do=await work.act(work_counts),
    )


# -- the approval queue -----------------------------------------------------------------------------


async def _queue(
    work: PageWork,
    *,
    status_code: int = 200,
    done: str | None = None,
    errors: dict[str, dict[str, str]] | None = None,
    notes: dict[str, str] | None = None,
) -> Template:
    pending = await work.run(approvals.pending_plans)
    return work.page(
        "dashboard/approvals.html",
        status_code,
        pending=pending,
        done=done,
        errors=errors or {},
        notes=notes or {},
        words=vocabulary(),
    )


@get("/approvals", name="approvals")
async def approvals_page(work: Work, done: FromQuery[str | None] = None) -> Template:
    return await _queue(work, done=done if done in ("approved", "sent-back") else None)


async def _decide(work: PageWork, plan_id: uuid.UUID, action: str, note: str | None) -> Redirect | Template:
    try:
        await work.run(plans.transition_plan, plan_id, action, note)
    except (Conflict, Forbidden) as exc:
        # someone else already decided, or the role changed: say so on the plan's row
        message = (
            _("This plan is no longer waiting for approval; the list below is up to date.")
            if isinstance(exc, Conflict)
            else _("Your role may not approve this plan.")
        )
        return await _queue(
            work,
            status_code=exc.status,
            errors={str(plan_id): {"plan": message}},
            notes={str(plan_id): note or ""},
        )
    return Redirect(
        path="/dashboard/approvals?done=" + ("approved" if action == "approve" else "sent-back"), status_code=303
    )


@post("/approvals/{plan_id:uuid}/approve", status_code=303)
async def approve(work: Work, plan_id: FromPath[uuid.UUID]) -> Redirect | Template:
    return await _decide(work, plan_id, "approve", None)


@post("/approvals/{plan_id:uuid}/send-back", status_code=303)
async def send_back(work: Work, form: Form, plan_id: FromPath[uuid.UUID]) -> Redirect | Template:
    note = text(form, "note")
    problem = None
    if not note:
        problem = _("Say what the caseworker should change before sending the plan back.")
    elif len(note) > NOTE_LIMIT:
        problem = _("At most %(limit)d characters.") % {"limit": NOTE_LIMIT}
    if problem:
        return await _queue(work, status_code=422, errors={str(plan_id): {"note": problem}}, notes={str(plan_id): note})
    return await _decide(work, plan_id, "send-back", note)
