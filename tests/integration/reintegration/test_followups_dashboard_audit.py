"""Follow-up scores, the dashboard, the audit trail, export and de-identification."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import asyncpg
import httpx
import pytest

from service import audit
from service.reintegration import dashboard
from tests.integration.reintegration.world import World, add_milestone, consent, refer

ANSWERS = {
    "econ_income": 3,
    "econ_debt": 3,
    "econ_food": 2,
    "econ_work": 4,
    "soc_housing": 3,
    "soc_documents": 2,
    "soc_services": 2,
    "soc_support": 2,
    "psy_wellbeing": 4,
    "psy_safety": 2,
    "psy_stigma": 2,
    "psy_remigrate": 2,
}


async def test_follow_ups_score_the_three_dimensions_and_show_the_trend(
    client: httpx.AsyncClient, world: World
) -> None:
    url = f"/api/v1/survivors/{world.case_id}/follow-ups"
    headers = world.actors.caseworker.headers
    # phone and home visits reach out to her
    agreed = {"purpose": "follow_up_contact", "organization_id": None, "method": "written"}
    assert (await client.post(f"/api/v1/survivors/{world.case_id}/consents", headers=headers, json=agreed)).is_success
    intake = await client.post(
        url,
        headers=headers,
        json={"date": "2026-05-01", "method": "home_visit", "indicators": dict.fromkeys(ANSWERS, 0)},
    )
    assert intake.status_code == 201
    assert intake.json()["scores"] == {"economic": 0.0, "social": 0.0, "psychosocial": 0.0, "composite": 0.0}
    later = await client.post(
        url, headers=headers, json={"date": "2026-11-01", "method": "phone", "indicators": ANSWERS}
    )
    assert later.json()["scores"]["composite"] == 1.0
    partial = await client.post(
        url, headers=headers, json={"date": "2026-11-15", "method": "phone", "indicators": {"econ_income": 1}}
    )
    assert partial.json()["scores"] == {"economic": 0.33, "social": None, "psychosocial": None, "composite": None}
    trend = (await client.get(url, headers=headers)).json()
    assert [f["date"] for f in trend] == ["2026-05-01", "2026-11-01", "2026-11-15"]
    for bad in ({"nonsense": 1}, {"econ_income": 9}):
        response = await client.post(
            url, headers=headers, json={"date": "2026-11-20", "method": "phone", "indicators": bad}
        )
        assert response.status_code == 422
    indicators = (await client.get("/api/v1/sustainability/indicators")).json()
    assert {i["dimension"] for i in indicators["indicators"]} == {"economic", "social", "psychosocial"}


@pytest.mark.parametrize(
    ("who", "status"), [("public", 401), ("admin", 403), ("caseworker", 200), ("coordinator", 200), ("partner", 200)]
)
async def test_who_gets_a_dashboard(client: httpx.AsyncClient, world: World, who: str, status: int) -> None:
    assert (await client.get("/api/v1/dashboard", headers=world.who(who).headers)).status_code == status


async def test_the_dashboard_shows_overdue_and_stuck_work(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    caseworker = world.actors.caseworker.headers
    plan = (await client.post(f"/api/v1/survivors/{world.case_id}/plans", headers=caseworker, json={})).json()
    five_days_ago = (date.today() - timedelta(days=5)).isoformat()
    await add_milestone(client, world, plan["id"], domain="health", title="Khám sức khỏe", target_date=five_days_ago)
    await consent(client, world, None)
    declined = (await refer(client, world)).json()
    await client.post(
        f"/api/v1/referrals/{declined['id']}/decline",
        headers=world.actors.partner.headers,
        json={"reason_code": "no_capacity"},
    )
    late = (await refer(client, world)).json()
    async with pool.acquire() as conn:
        await conn.execute("UPDATE referral SET due_at = now() - interval '1 hour' WHERE id = $1", late["id"])
        await conn.execute("UPDATE survivor SET created_at = now() - interval '120 days'")
    for who, scope in (
        ("coordinator", "organization_tree"),
        ("caseworker", "caseload"),
        ("parent_coordinator", "organization_tree"),
    ):
        board = (await client.get("/api/v1/dashboard", headers=world.who(who).headers)).json()
        assert board["scope"] == scope
        assert board["cases_by_status"] == [{"key": "open", "count": 1}]
        assert board["open_cases_by_province"] == [{"key": "92", "count": 1}]
        assert [m["title"] for m in board["overdue_milestones"]] == ["Khám sức khỏe"]
        assert [r["referral_id"] for r in board["referrals_past_due"]] == [late["id"]]
        assert board["declined_by_reason"] == [{"key": "no_capacity", "count": 1}]
        assert board["cases_without_follow_up_total"] == 1
        outcome = board["partner_outcomes"][0]
        assert (outcome["sent"], outcome["declined"], outcome["expired"]) == (2, 1, 1)
    colleague = (await client.get("/api/v1/dashboard", headers=world.colleague.headers)).json()
    assert colleague["cases_by_status"] == [] and colleague["overdue_milestones"] == []
    inbox = (await client.get("/api/v1/dashboard", headers=world.actors.partner.headers)).json()
    assert inbox["scope"] == "inbox"
    assert {c["key"]: c["count"] for c in inbox["inbox_by_status"]} == {"declined": 1, "expired": 1}
    assert inbox["overdue_milestones"] == []


async def test_every_read_and_write_leaves_a_chained_audit_entry(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    await client.get(f"/api/v1/survivors/{world.case_id}", headers=world.actors.coordinator.headers)
    await client.get(f"/api/v1/survivors/{world.case_id}", headers=world.colleague.headers)  # refused: no entry
    entries = (
        await client.get("/api/v1/audit", headers=world.actors.admin.headers, params={"survivor_id": world.case_id})
    ).json()
    actions = [(e["action"], e["actor_role"]) for e in reversed(entries["items"])]
    assert actions == [("create", "caseworker"), ("read", "coordinator")]
    assert "Nguyễn" not in str(entries)
    async with pool.acquire() as conn:
        assert (await audit.verify(conn)).intact


@pytest.mark.parametrize(
    ("who", "status"),
    [("public", 401), ("partner", 403), ("caseworker", 403), ("coordinator", 200), ("outsider", 200), ("admin", 200)],
)
async def test_who_reads_the_audit_log(client: httpx.AsyncClient, world: World, who: str, status: int) -> None:
    response = await client.get("/api/v1/audit", headers=world.who(who).headers)
    assert response.status_code == status
    if who == "outsider":
        assert response.json()["total"] == 0  # another organization's tree sees none of these entries


async def test_audit_verify_notices_changed_removed_and_cut_off_entries(world: World, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        try:
            first = await conn.fetchval("SELECT min(id) FROM audit_log")
            with pytest.raises(asyncpg.RaiseError):
                await conn.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only; DELETE FROM audit_log")
            await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            original = await conn.fetchval("SELECT action FROM audit_log WHERE id = $1", first)
            await conn.execute("UPDATE audit_log SET action = 'nothing' WHERE id = $1", first)
            changed = await audit.verify(conn)
            assert (changed.first_broken_id, changed.problem) == (first, "this entry was changed")
            await conn.execute("UPDATE audit_log SET action = $2 WHERE id = $1", first, original)
            assert (await audit.verify(conn)).intact
            last = await conn.fetchval("SELECT max(id) FROM audit_log")
            await conn.execute("DELETE FROM audit_log WHERE id = $1", last)
            cut = await audit.verify(conn)
            assert cut.problem is not None and "removed" in cut.problem
        finally:
            await conn.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")


async def test_the_audit_log_refuses_updates_and_deletes(world: World, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("UPDATE audit_log SET action = 'x'")
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("DELETE FROM audit_log")


async def test_export_gives_the_record_and_its_access_log(client: httpx.AsyncClient, world: World) -> None:
    await consent(client, world, None)
    await refer(client, world)
    exported = await client.get(f"/api/v1/survivors/{world.case_id}/export", headers=world.actors.caseworker.headers)
    assert exported.status_code == 200
    body = exported.json()
    assert body["survivor"]["full_name"] == "Nguyễn Thị Lan"
    assert len(body["consents"]) == 1 and len(body["referrals"]) == 1
    assert {"create", "record_consent", "refer", "export"} <= {e["action"] for e in body["access_log"]}
    assert (
        await client.get(f"/api/v1/survivors/{world.case_id}/export", headers=world.colleague.headers)
    ).status_code == 404


async def test_deidentify_removes_identifiers_and_keeps_history(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    await consent(client, world, None)
    await refer(client, world)
    url = f"/api/v1/survivors/{world.case_id}/deidentify"
    assert (await client.post(url, headers=world.actors.caseworker.headers)).status_code == 403
    closing = {"status": "closed", "closure_reason": "goals_met"}
    case_url = f"/api/v1/survivors/{world.case_id}"
    assert (await client.patch(case_url, headers=world.actors.caseworker.headers, json=closing)).status_code == 200
    done = await client.post(url, headers=world.actors.coordinator.headers)
    assert done.status_code == 200
    case = done.json()
    assert (case["full_name"], case["phone"], case["address"], case["id_document_number"]) == (None, None, None, None)
    assert case["deidentified_at"] is not None and case["case_code"].startswith("CT-")
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT shared_summary_enc FROM referral") is None
        assert await conn.fetchval("SELECT count(*) FROM referral_event") == 1
    assert (
        await client.patch(
            f"/api/v1/survivors/{world.case_id}", headers=world.actors.caseworker.headers, json={"phone": "1"}
        )
    ).status_code == 409


async def test_statistics_suppress_small_counts(world: World, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        files = await dashboard.statistics_csv(conn)
    rows = list(csv.reader(io.StringIO(files["cases.csv"])))
    assert rows[0] == ["province", "case_type", "status", "cases"]
    assert rows[1] == ["92", "trafficking_victim", "open", "<11"]
