"""Reminders fire once (issue 16, point 5): each time-based event of a case notifies exactly the
people who may read its record — never a partner of another organization, a colleague not assigned
the case or a coordinator of another tree — once, whatever ticks again, restarts or ticks beside it."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
import httpx

from service.app import create_app
from service.auth.permissions import Action, allowed
from service.auth.repo import principal_for_user
from service.clock import LOCAL_TZ
from service.config import Settings
from service.crypto import new_key
from service.reintegration import scheduler
from service.reintegration.scheduler import tick
from tests.integration.conftest import DATA_KEY, serving
from tests.integration.reintegration.world import (
    AGREEMENT,
    EVERYONE,
    World,
    add_milestone,
    consent,
    record_consent,
    refer,
)

Told = dict[tuple[str, str, str], set[str]]  # (kind, link, dedupe key) -> the names told


@dataclass
class Events:
    """The records of the world's case that are due for a reminder, by what they are."""

    due_soon: str  # a referral to `org` due in 12 hours
    expired: str  # a referral to `other_org` past its due time
    milestone_due: str  # due in 2 days
    milestone_overdue: str  # 3 days late
    plan: str  # submitted 4 days ago
    consent_expiring: str  # in 5 days
    follow_up: str  # its next date was yesterday


async def notifications(pool: asyncpg.Pool, world: World) -> Told:
    names = {world.who(name).user_id: name for name in EVERYONE}
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT user_id, kind, link, dedupe_key FROM notification")
    told: Told = {}
    for row in rows:
        told.setdefault((row["kind"], row["link"], row["dedupe_key"]), set()).add(names[row["user_id"]])
    return told


async def sent(client: httpx.AsyncClient, world: World, service_id: str) -> str:
    created = await refer(client, world, service_id=service_id)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def due_events(client: httpx.AsyncClient, world: World, pool: asyncpg.Pool) -> Events:
    """One record of each reminder's kind due now, with its neighbours that are not due."""
    caseworker = world.actors.caseworker.headers
    case = world.case_id
    await consent(client, world, None)  # every partner: both listings can be referred to
    due_soon = await sent(client, world, world.service_id)
    expired = await sent(client, world, world.other_service_id)
    not_yet = await sent(client, world, world.service_id)
    plan = (await client.post(f"/api/v1/survivors/{case}/plans", headers=caseworker, json={})).json()
    today = datetime.now(LOCAL_TZ).date()
    milestones = {}
    for name, days, status in (("due", 2, None), ("overdue", -3, None), ("later", 10, None), ("done", -3, "achieved")):
        created = await add_milestone(
            client, world, plan["id"], domain="health", title="Khám sức khỏe", target_date=str(today + timedelta(days))
        )
        assert created.status_code == 201, created.text
        milestones[name] = created.json()["id"]
        if status:
            for step in ("in_progress", status):
                await client.patch(f"/api/v1/milestones/{milestones[name]}", headers=caseworker, json={"status": step})
    submitted = await client.post(f"/api/v1/plans/{plan['id']}/submit", headers=caseworker, json=AGREEMENT)
    assert submitted.status_code == 200, submitted.text
    soon = datetime.now(LOCAL_TZ)
    expiring = await record_consent(
        client,
        world,
        purpose="follow_up_contact",
        organization_id=None,
        method="written",
        expires_at=(soon + timedelta(days=5)).isoformat(),
    )
    far = await record_consent(
        client,
        world,
        purpose="data_sharing",
        organization_id=None,
        method="written",
        expires_at=str(soon + timedelta(30)),
    )
    assert expiring.status_code == far.status_code == 201, expiring.text + far.text
    follow_ups = f"/api/v1/survivors/{case}/follow-ups"
    visit = {"method": "phone", "indicators": {"econ_income": 2}}
    settled = await client.post(
        follow_ups, headers=caseworker, json={**visit, "date": str(today - timedelta(20)), "next_date": str(today)}
    )
    latest = await client.post(
        follow_ups,
        headers=caseworker,
        json={**visit, "date": str(today - timedelta(10)), "next_date": str(today - timedelta(1))},
    )
    assert settled.status_code == latest.status_code == 201, settled.text + latest.text
    async with pool.acquire() as conn:
        # the clock moved on: sent two days ago, the first due in 12 hours, the second 1 hour ago
        await conn.execute(
            "UPDATE referral SET sent_at = now() - interval '2 days', due_at = now() + $2::interval WHERE id = $1",
            uuid.UUID(due_soon),
            timedelta(hours=12),
        )
        await conn.execute(
            "UPDATE referral SET sent_at = now() - interval '3 days', due_at = now() - interval '1 hour' WHERE id = $1",
            uuid.UUID(expired),
        )
        await conn.execute(
            "UPDATE referral SET sent_at = now(), due_at = now() + interval '3 days' WHERE id = $1", uuid.UUID(not_yet)
        )
        await conn.execute(
            "UPDATE plan SET submitted_at = now() - interval '4 days' WHERE id = $1", uuid.UUID(plan["id"])
        )
    return Events(
        due_soon=due_soon,
        expired=expired,
        milestone_due=milestones["due"],
        milestone_overdue=milestones["overdue"],
        plan=plan["id"],
        consent_expiring=expiring.json()["id"],
        follow_up=latest.json()["id"],
    )


def expected(world: World, events: Events) -> Told:
    case, today = world.case_id, datetime.now(LOCAL_TZ).date()
    return {
        ("referral_due_soon", f"/partner/referrals/{events.due_soon}", f"referral:{events.due_soon}:due-soon"): {
            "partner",
            "second_partner",
        },
        ("referral_expired", f"/partner/referrals/{events.expired}", f"referral:{events.expired}:expired"): {
            "other_partner"
        },
        ("referral_expired", f"/referrals/{events.expired}", f"referral:{events.expired}:expired"): {
            "caseworker",
            "coordinator",
            "parent_coordinator",
        },
        (
            "milestone_due",
            f"/cases/{case}#m-{events.milestone_due}",
            f"milestone:{events.milestone_due}:due:{today + timedelta(2)}",
        ): {"caseworker"},
        (
            "milestone_overdue",
            f"/cases/{case}#m-{events.milestone_overdue}",
            f"milestone:{events.milestone_overdue}:overdue:{today - timedelta(3)}",
        ): {"caseworker"},
        ("consent_expiring", f"/cases/{case}#consents", f"consent:{events.consent_expiring}:expiring"): {"caseworker"},
        ("follow_up_due", f"/cases/{case}#follow-ups", f"follow-up:{events.follow_up}:due"): {"caseworker"},
    }


def reminders_of(told: Told, before: Told) -> Told:
    """What was told since ``before``."""
    return {key: names - before.get(key, set()) for key, names in told.items() if names - before.get(key, set())}


async def plan_key(pool: asyncpg.Pool, plan_id: str) -> str:
    async with pool.acquire() as conn:
        submitted = await conn.fetchval("SELECT submitted_at FROM plan WHERE id = $1", uuid.UUID(plan_id))
    return f"plan:{plan_id}:awaiting-approval:{int(submitted.timestamp())}"


async def test_each_reminder_fires_once_for_the_people_who_may_read_its_record(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    events = await due_events(client, world, pool)
    before = await notifications(pool, world)  # what the steps themselves told (a referral arrived …)
    first = await tick(pool)
    assert first is not None
    after = await notifications(pool, world)
    told = reminders_of(after, before)
    want = expected(world, events)
    want[("plan_awaiting_approval", "/dashboard/approvals", await plan_key(pool, events.plan))] = {
        "coordinator",
        "parent_coordinator",
    }
    assert told == want
    assert first.notified == sum(len(names) for names in want.values())
    # exactly whom the rules of reading let open each record (service/auth/permissions.py)
    org, case_org, assigned = world.actors.org, world.actors.other_org, world.actors.caseworker.user_id
    async with pool.acquire() as conn:
        principals = {name: await principal_for_user(conn, world.who(name).user_id) for name in EVERYONE}

    def readers(action: Action, organization: uuid.UUID, assigned_to: uuid.UUID | None = None) -> set[str]:
        return {n for n, p in principals.items() if allowed(p, action, organization, assigned_to=assigned_to)}

    for (kind, link, _key), names in told.items():
        if link.startswith("/partner/referrals/"):
            receiving = org if kind == "referral_due_soon" else case_org
            assert names == readers(Action.RESPOND_TO_REFERRAL, receiving)
        elif kind == "plan_awaiting_approval":
            assert names == readers(Action.APPROVE_PLAN, case_org)
        elif kind == "referral_expired":
            assert names == readers(Action.VIEW_CASE, case_org, assigned)
        else:  # the caseworker's own reminders
            assert names == readers(Action.VIEW_CASE, case_org, assigned) - readers(Action.APPROVE_PLAN, case_org)
    # a referral's reminders name its listing; the case's own say nothing more than their kind
    async with pool.acquire() as conn:
        abouts = await conn.fetch(
            "SELECT n.kind, n.about, s.name FROM notification n"
            " LEFT JOIN referral r ON n.dedupe_key LIKE 'referral:' || r.id || ':%'"
            " LEFT JOIN service s ON s.id = r.service_id"
        )
    assert {row["kind"] for row in abouts if row["name"] is not None and row["about"] == row["name"]} >= {
        "referral_due_soon",
        "referral_expired",
    }
    assert not [row for row in abouts if row["name"] is None and row["about"]]
    # the urgent kinds are mailed at once, the others wait for the digest (their defaults)
    async with pool.acquire() as conn:
        mailed = await conn.fetch("SELECT kind, dedupe_key FROM mail_outbox WHERE NOT digest")
    assert {(row["kind"], row["dedupe_key"]) for row in mailed} >= {
        ("referral_due_soon", f"referral:{events.due_soon}:due-soon"),
        ("referral_expired", f"referral:{events.expired}:expired"),
    }
    assert not [row for row in mailed if row["kind"].startswith(("milestone", "consent", "follow_up"))]
    # nothing of the case goes out: no case code, only ids in links
    async with pool.acquire() as conn:
        code = await conn.fetchval("SELECT case_code FROM survivor WHERE id = $1", uuid.UUID(world.case_id))
        texts = await conn.fetch("SELECT link || ' ' || dedupe_key AS text FROM notification")
    assert not [row for row in texts if code in row["text"]]

    again = await tick(pool)
    assert again is not None and again.notified == 0
    assert await notifications(pool, world) == after


async def test_a_rescheduled_event_reminds_again_and_a_settled_one_does_not(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    events = await due_events(client, world, pool)
    await tick(pool)
    before = await notifications(pool, world)
    caseworker = world.actors.caseworker.headers
    today = datetime.now(LOCAL_TZ).date()
    # the overdue milestone gets a new target inside three days; the due one is reached
    moved = await client.patch(
        f"/api/v1/milestones/{events.milestone_overdue}", headers=caseworker, json={"target_date": str(today)}
    )
    assert moved.status_code == 200, moved.text
    for step in ("in_progress", "achieved"):
        await client.patch(f"/api/v1/milestones/{events.milestone_due}", headers=caseworker, json={"status": step})
    await tick(pool)
    told = reminders_of(await notifications(pool, world), before)
    key = f"milestone:{events.milestone_overdue}:due:{today}"
    assert told == {("milestone_due", f"/cases/{world.case_id}#m-{events.milestone_overdue}", key): {"caseworker"}}


async def test_a_closed_case_and_an_inactive_caseworker_get_no_reminders(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    await due_events(client, world, pool)
    before = await notifications(pool, world)
    async with pool.acquire() as conn:
        await conn.execute("UPDATE app_user SET active = false WHERE id = $1", world.actors.caseworker.user_id)
        await conn.execute("UPDATE app_user SET active = false WHERE id = $1", world.parent_coordinator.user_id)
    await tick(pool)
    told = reminders_of(await notifications(pool, world), before)
    assert not [names for names in told.values() if names & {"caseworker", "parent_coordinator"}]
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM notification")
        await conn.execute(
            "UPDATE survivor SET status = 'closed', closed_at = now() WHERE id = $1", uuid.UUID(world.case_id)
        )
    await tick(pool)
    # only the approval queue still lists the closed case's pending plan, as the coordinators see it
    assert {key[0] for key in await notifications(pool, world)} == {"plan_awaiting_approval"}


async def test_events_due_more_than_14_days_ago_are_not_told_so_an_upgrade_does_not_flood(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    """The first tick on an installation that had no scheduler: what expired, fell overdue, fell due
    or waited more than 14 days ago (reminders.STALE) is not told; what is recent still is."""
    events = await due_events(client, world, pool)
    before = await notifications(pool, world)
    today = datetime.now(LOCAL_TZ).date()
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE referral SET sent_at = now() - interval '20 days', due_at = now() - interval '15 days'"
            " WHERE id = $1",
            uuid.UUID(events.expired),
        )
        await conn.execute(
            "UPDATE milestone SET target_date = $2 WHERE id = $1",
            uuid.UUID(events.milestone_overdue),
            today - timedelta(15),
        )
        await conn.execute(
            "UPDATE plan SET submitted_at = now() - interval '18 days' WHERE id = $1", uuid.UUID(events.plan)
        )
        await conn.execute(
            "UPDATE follow_up SET date = $2::date - 1, next_date = $2 WHERE id = $1",
            uuid.UUID(events.follow_up),
            today - timedelta(15),
        )
    first = await tick(pool)
    assert first is not None
    told = reminders_of(await notifications(pool, world), before)
    stale = (events.expired, events.milestone_overdue, events.plan, events.follow_up)
    assert not [key for key in told if any(ident in key[2] for ident in stale)]
    assert {key[0] for key in told} == {"referral_due_soon", "milestone_due", "consent_expiring"}
    # 13 days late is still told
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE milestone SET target_date = $2 WHERE id = $1",
            uuid.UUID(events.milestone_overdue),
            today - timedelta(13),
        )
    await tick(pool)
    key = f"milestone:{events.milestone_overdue}:overdue:{today - timedelta(13)}"
    assert [k for k in await notifications(pool, world) if k[2] == key]


async def test_two_concurrent_ticks_act_once(client: httpx.AsyncClient, world: World, pool: asyncpg.Pool) -> None:
    await due_events(client, world, pool)
    async with pool.acquire() as holder:
        # while another replica holds the tick, a tick does nothing
        await holder.execute("SELECT pg_advisory_lock($1)", scheduler.LOCK_ID)
        try:
            assert await tick(pool) is None
        finally:
            await holder.execute("SELECT pg_advisory_unlock($1)", scheduler.LOCK_ID)
    before = await notifications(pool, world)
    ticks = await asyncio.gather(*(tick(pool) for _ in range(4)))
    done = [t for t in ticks if t is not None]
    told = reminders_of(await notifications(pool, world), before)
    assert sum(t.notified for t in done) == sum(len(names) for names in told.values()) == 12
    async with pool.acquire() as conn:
        twice = await conn.fetchval(
            "SELECT count(*) FROM (SELECT 1 FROM mail_outbox GROUP BY user_id, dedupe_key HAVING count(*) > 1) d"
        )
    assert twice == 0


async def test_the_app_runs_the_scheduler_and_a_restart_fires_nothing_new(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool, database_url: str
) -> None:
    events = await due_events(client, world, pool)
    await tick(pool)
    before = await notifications(pool, world)
    # a new consent expiring meanwhile: the restarted replica's scheduler tells of it, and only it
    soon = (datetime.now(LOCAL_TZ) + timedelta(days=3)).isoformat()
    fresh = await record_consent(
        client, world, purpose="referral", organization_id=None, method="written", expires_at=soon
    )
    assert fresh.status_code == 201, fresh.text
    key = ("consent_expiring", f"/cases/{world.case_id}#consents", f"consent:{fresh.json()['id']}:expiring")
    settings = Settings(
        database_url=database_url,
        data_key=DATA_KEY,
        secret_key=new_key(),
        pool_min_size=1,
        pool_max_size=2,
        reminder_interval=0.05,
    )
    async with serving(create_app(settings)):
        for _ in range(100):
            told = reminders_of(await notifications(pool, world), before)
            if told:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # a few more ticks
        told = reminders_of(await notifications(pool, world), before)
    assert told == {key: {"caseworker"}}
    assert events.consent_expiring != fresh.json()["id"]


async def test_a_referral_answered_within_a_day_is_reminded_at_half_its_answer_time(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    await consent(client, world, world.actors.org)
    referral = uuid.UUID(await sent(client, world, world.service_id))
    key = ("referral_due_soon", f"/partner/referrals/{referral}", f"referral:{referral}:due-soon")
    async with pool.acquire() as conn:
        # an emergency: 24 hours to answer, an hour gone — the arrival itself was the news
        await conn.execute(
            "UPDATE referral SET sent_at = now() - interval '1 hour', due_at = now() + interval '23 hours'"
            " WHERE id = $1",
            referral,
        )
    await tick(pool)
    assert key not in await notifications(pool, world)
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE referral SET sent_at = now() - interval '13 hours', due_at = now() + interval '11 hours'"
            " WHERE id = $1",
            referral,
        )
    await tick(pool)
    assert (await notifications(pool, world))[key] == {"partner", "second_partner"}
