"""Reminders that fire once (issue 16, point 5): the time-based events of the cases, found by one
set-based query per tick and told to the people who may read the record they concern.

- a referral due soon (within 24 h, or by half its answer time when that is shorter) → the
  receiving organization's partners;
- a referral expired unanswered → the receiving partners, the case's caseworker and the
  coordinators whose tree holds the case;
- a milestone due in 3 days, or overdue → the case's caseworker;
- a plan awaiting approval for 3 days → the coordinators whose tree holds the case;
- a consent expiring within 14 days → the case's caseworker;
- a follow-up due (its scheduled next date has come) → the case's caseworker.

An event is due while some recipient has no notification with its dedupe key, so a reminder
survives restarts and fires once per event however many replicas tick: ``outbox.notify`` writes
each (user, key) once. A rescheduled event (a milestone's new target, a plan submitted again, a
new follow-up) has a new key. Nothing of the case goes out: a kind, a link and the key.

An event that became due more than ``STALE`` (14 days) ago is not told at all: a referral expired,
a milestone overdue, a follow-up due or a plan waiting that long is already on the to-do lists, and
without the bound the first tick after an upgrade (or after the scheduler was off for weeks) would
mail everyone every old event at once. A running scheduler tells each event within a tick."""

from __future__ import annotations

from datetime import timedelta

from service.auth.audience import roles_with
from service.auth.permissions import Action, Scope
from service.clock import LOCAL_TZ
from service.db import Connection
from service.notify import outbox
from service.notify.kinds import Kind
from service.reintegration.workflow import EXPIRED_SQL

REFERRAL_DUE_SOON = timedelta(hours=24)
MILESTONE_DUE_DAYS = 3
PLAN_WAITING = timedelta(days=3)
CONSENT_EXPIRING = timedelta(days=14)
STALE = timedelta(days=14)  # events due longer ago than this are never told (an upgrade's burst)
BATCH = 500  # events per tick: a backlog (the first tick after an upgrade) drains over a few ticks


# Who reads what (service/auth/permissions.py): the receiving organization's partners answer a
# referral; a case is read by its assigned caseworker and by coordinators over their tree; plans are
# approved by coordinators over their tree. The query below is ``audience.users_allowed`` for every
# due event at once (one statement per tick instead of one per event); tests/integration/
# reintegration/test_reminders.py checks each event's recipients against ``permissions.allowed``.
RECEIVERS = roles_with(Action.RESPOND_TO_REFERRAL, Scope.OWN_ORG)
ASSIGNED_READERS = roles_with(Action.VIEW_CASE, Scope.ASSIGNED)
TREE_READERS = roles_with(Action.VIEW_CASE, Scope.ORG_TREE)
APPROVERS = roles_with(Action.APPROVE_PLAN, Scope.ORG_TREE)

# Every (kind, link, dedupe key, user) due now; then those a user has not been told, by event.
_DUE = f"""
WITH RECURSIVE up (organization_id, holder_id) AS (
    -- each organization with itself and every organization above it: whose tree holds it
    SELECT id, id FROM organization
    UNION SELECT up.organization_id, o.parent_id FROM up JOIN organization o ON o.id = up.holder_id
    WHERE o.parent_id IS NOT NULL
),
clock AS (SELECT (now() AT TIME ZONE $2)::date AS today),
receiver AS (SELECT id AS user_id, organization_id FROM app_user WHERE active AND role = ANY($3::text[])),
assigned AS (SELECT id AS user_id FROM app_user WHERE active AND role = ANY($4::text[])),
tree_reader AS (
    SELECT up.organization_id, u.id AS user_id FROM up
    JOIN app_user u ON u.organization_id = up.holder_id AND u.active AND u.role = ANY($5::text[])
),
approver AS (
    SELECT up.organization_id, u.id AS user_id FROM up
    JOIN app_user u ON u.organization_id = up.holder_id AND u.active AND u.role = ANY($6::text[])
),
open_case AS (SELECT id, organization_id, assigned_caseworker_id FROM survivor WHERE status = 'open'),
referral_due AS (
    SELECT r.id, r.receiving_organization_id, s.organization_id AS case_organization_id,
           s.assigned_caseworker_id, l.name AS listing,
           CASE WHEN {EXPIRED_SQL} THEN 'expired' ELSE 'due-soon' END AS event
    FROM referral r JOIN open_case s ON s.id = r.survivor_id JOIN service l ON l.id = r.service_id
    WHERE r.status = 'sent' AND r.due_at <= now() + $7::interval  -- the first bound alone, for the index
      AND r.due_at > now() - $11::interval
      AND r.due_at - now() <= least($7::interval, coalesce((r.due_at - r.sent_at) / 2, $7::interval))
),
candidate (kind, link, dedupe_key, user_id, about) AS (
    SELECT CASE r.event WHEN 'expired' THEN '{Kind.REFERRAL_EXPIRED}' ELSE '{Kind.REFERRAL_DUE_SOON}' END,
           '/partner/referrals/' || r.id, 'referral:' || r.id || ':' || r.event, u.user_id, r.listing
    FROM referral_due r JOIN receiver u ON u.organization_id = r.receiving_organization_id
    UNION ALL
    SELECT '{Kind.REFERRAL_EXPIRED}', '/referrals/' || r.id, 'referral:' || r.id || ':expired', u.user_id, r.listing
    FROM referral_due r JOIN assigned u ON u.user_id = r.assigned_caseworker_id WHERE r.event = 'expired'
    UNION ALL
    SELECT '{Kind.REFERRAL_EXPIRED}', '/referrals/' || r.id, 'referral:' || r.id || ':expired', t.user_id, r.listing
    FROM referral_due r JOIN tree_reader t ON t.organization_id = r.case_organization_id WHERE r.event = 'expired'
    UNION ALL
    SELECT CASE WHEN m.target_date < clock.today THEN '{Kind.MILESTONE_OVERDUE}' ELSE '{Kind.MILESTONE_DUE}' END,
           '/cases/' || s.id || '#m-' || m.id,
           'milestone:' || m.id || CASE WHEN m.target_date < clock.today THEN ':overdue:' ELSE ':due:' END
           || m.target_date,
           u.user_id, ''
    FROM clock, open_case s JOIN plan p ON p.survivor_id = s.id AND p.is_current
    JOIN milestone m ON m.plan_id = p.id JOIN assigned u ON u.user_id = s.assigned_caseworker_id
    WHERE m.status IN ('planned', 'in_progress') AND m.target_date <= clock.today + $8::int
      AND m.target_date >= clock.today - $11::interval
    UNION ALL
    -- as the approval queue lists them: current plans pending in the tree, whatever the case's state
    SELECT '{Kind.PLAN_AWAITING_APPROVAL}', '/dashboard/approvals',
           'plan:' || p.id || ':awaiting-approval:' || floor(extract(epoch FROM p.submitted_at))::bigint, a.user_id,
           ''
    FROM plan p JOIN survivor s ON s.id = p.survivor_id JOIN approver a ON a.organization_id = s.organization_id
    WHERE p.is_current AND p.status = 'pending_approval' AND p.submitted_at <= now() - $9::interval
      AND p.submitted_at > now() - $9::interval - $11::interval
    UNION ALL
    SELECT '{Kind.CONSENT_EXPIRING}', '/cases/' || s.id || '#consents', 'consent:' || c.id || ':expiring', u.user_id, ''
    FROM open_case s JOIN consent c ON c.survivor_id = s.id JOIN assigned u ON u.user_id = s.assigned_caseworker_id
    WHERE c.withdrawn_at IS NULL AND c.expires_at > now() AND c.expires_at <= now() + $10::interval
    UNION ALL
    -- the date scheduled at a case's latest follow-up: one recorded since settles it
    SELECT '{Kind.FOLLOW_UP_DUE}', '/cases/' || s.id || '#follow-ups', 'follow-up:' || f.id || ':due', u.user_id, ''
    FROM clock, open_case s JOIN follow_up f ON f.survivor_id = s.id
    JOIN assigned u ON u.user_id = s.assigned_caseworker_id
    WHERE f.next_date <= clock.today AND f.next_date >= clock.today - $11::interval
      AND NOT EXISTS (SELECT 1 FROM follow_up later
        WHERE later.survivor_id = f.survivor_id AND (later.date, later.created_at) > (f.date, f.created_at))
)
SELECT c.kind, c.link, c.dedupe_key, c.about, array_agg(c.user_id ORDER BY c.user_id) AS user_ids FROM candidate c
WHERE NOT EXISTS (SELECT 1 FROM notification n WHERE n.user_id = c.user_id AND n.dedupe_key = c.dedupe_key)
GROUP BY c.kind, c.link, c.dedupe_key, c.about ORDER BY c.dedupe_key, c.link LIMIT $1
"""


async def remind(conn: Connection, batch: int = BATCH) -> int:
    """Notify everyone of the events due now that they have not been told of yet, in the caller's
    transaction; returns how many notifications were written."""
    rows = await conn.fetch(
        _DUE,
        batch,
        LOCAL_TZ.key,
        RECEIVERS,
        ASSIGNED_READERS,
        TREE_READERS,
        APPROVERS,
        REFERRAL_DUE_SOON,
        MILESTONE_DUE_DAYS,
        PLAN_WAITING,
        CONSENT_EXPIRING,
        STALE,
    )
    told = 0
    for row in rows:
        kind, link, key = Kind(row["kind"]), row["link"], row["dedupe_key"]
        told += await outbox.notify(conn, row["user_ids"], kind, link, key, about=row["about"])
    return told
