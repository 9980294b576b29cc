"""What must hold in the database whatever happened to the service: each listing agrees with its
search document and its revision history, each referral's history is a valid walk of the
workflow ending at its status with one audit entry per step, and the audit chain is intact."""

from __future__ import annotations

import itertools
from typing import Any

import asyncpg

from service import audit
from service.auth.models import Role
from service.db import Connection
from service.reintegration.workflow import REFERRAL_TRANSITIONS, Side

# Fields the search document copies from the listing row.
DOCUMENT_FIELDS = ("name", "status", "visibility", "accepting_referrals", "capacity_available", "updated_at")
# (from, to, side) for every step the workflow allows.
ALLOWED_STEPS = {(source.value, t.target.value, t.side) for t in REFERRAL_TRANSITIONS.values() for source in t.sources}
SIDE_OF_ROLE = {
    Role.PARTNER.value: Side.RECEIVER,
    Role.CASEWORKER.value: Side.REFERRER,
    Role.COORDINATOR.value: Side.REFERRER,
}
REFERRAL_WRITES = ["refer", *REFERRAL_TRANSITIONS]


async def listing_problems(conn: Connection) -> list[str]:
    """Every listing: one search document equal to it, and revisions numbered 1…version with no
    gap, whose changes replayed from the creation give the listing as stored."""
    problems: list[str] = []
    columns = ", ".join(f"s.{f} AS s_{f}, d.{f} AS d_{f}" for f in DOCUMENT_FIELDS)
    rows = await conn.fetch(
        f"SELECT s.id, s.version, d.service_id IS NOT NULL AS indexed, {columns}"
        " FROM service s LEFT JOIN search_document d ON d.service_id = s.id"
    )
    revisions: dict[Any, list[asyncpg.Record]] = {}
    for revision in await conn.fetch("SELECT service_id, version, action, changes FROM service_revision ORDER BY id"):
        revisions.setdefault(revision["service_id"], []).append(revision)
    for row in rows:
        name = f"listing {row['id']}"
        if not row["indexed"]:
            problems.append(f"{name} has no search document")
        for f in DOCUMENT_FIELDS:
            if row["indexed"] and row[f"s_{f}"] != row[f"d_{f}"]:
                problems.append(f"{name}: search document {f}={row[f'd_{f}']!r}, listing {row[f's_{f}']!r}")
        history = revisions.get(row["id"], [])
        versions = [r["version"] for r in history]
        if versions != list(range(1, row["version"] + 1)):
            problems.append(f"{name} at version {row['version']} has revisions {versions}")
            continue
        if history[0]["action"] != "create":
            problems.append(f"{name}: first revision is {history[0]['action']}")
        replayed: dict[str, Any] = {}
        for revision in history:
            replayed.update({k: new for k, (_, new) in revision["changes"].items()})
        for f in ("name", "status", "visibility", "accepting_referrals", "capacity_available"):
            if replayed.get(f) != row[f"s_{f}"]:
                problems.append(f"{name}: revisions replay {f}={replayed.get(f)!r}, listing {row[f's_{f}']!r}")
    return problems


async def referral_problems(conn: Connection) -> list[str]:
    """Every referral: history starts at sent, each step is allowed from the one before and taken
    by the side allowed to take it, ends at the stored status, and has one audit entry per step."""
    problems: list[str] = []
    events: dict[Any, list[asyncpg.Record]] = {}
    for event in await conn.fetch(
        "SELECT e.referral_id, e.from_status, e.to_status, u.role FROM referral_event e"
        " LEFT JOIN app_user u ON u.id = e.actor_id ORDER BY e.id"
    ):
        events.setdefault(event["referral_id"], []).append(event)
    audited = {
        row["entity_id"]: row["n"]
        for row in await conn.fetch(
            "SELECT entity_id, count(*) AS n FROM audit_log WHERE entity = 'referral' AND action = ANY($1)"
            " GROUP BY entity_id",
            REFERRAL_WRITES,
        )
    }
    for referral in await conn.fetch("SELECT id, status FROM referral"):
        name = f"referral {referral['id']}"
        history = events.get(referral["id"], [])
        if not history or history[0]["from_status"] is not None or history[0]["to_status"] != "sent":
            problems.append(f"{name} does not start with being sent")
            continue
        for before, step in itertools.pairwise(history):
            side = SIDE_OF_ROLE.get(step["role"])
            if step["from_status"] != before["to_status"]:
                problems.append(f"{name}: step from {step['from_status']} follows {before['to_status']}")
            if (step["from_status"], step["to_status"], side) not in ALLOWED_STEPS:
                problems.append(f"{name}: {step['from_status']} → {step['to_status']} by a {step['role']} not allowed")
        if history[-1]["to_status"] != referral["status"]:
            problems.append(f"{name} is {referral['status']} but its history ends at {history[-1]['to_status']}")
        if audited.get(referral["id"], 0) != len(history):
            problems.append(f"{name} has {len(history)} steps and {audited.get(referral['id'], 0)} audit entries")
    return problems


async def audit_problems(conn: Connection) -> list[str]:
    report = await audit.verify(conn)
    return [] if report.intact else [f"audit chain broken at entry {report.first_broken_id}: {report.problem}"]


async def all_problems(conn: Connection) -> list[str]:
    return [*await listing_problems(conn), *await referral_problems(conn), *await audit_problems(conn)]
