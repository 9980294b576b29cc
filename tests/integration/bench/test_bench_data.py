"""The benchmark's generated data is valid for the application: the coordinator's dashboard, a
partner's referral steps and a case's encrypted identifiers all work on it through the API, and
the floors' SQL (the service's statement without facets, the naive query) runs on it."""

from __future__ import annotations

import httpx
import msgspec
import pytest
from litestar import Litestar

from bench import dataset, db_floor, generate, generate_cases, naive, queries, scenarios
from service.reintegration import dashboard
from service.reintegration.referral_models import ReferralStatus

SCALE = 0.004  # 200 cases, ~2,000 milestones, ~800 referrals


@pytest.fixture
async def bench_data(app: Litestar, database_url: str) -> dataset.Fixtures:
    await generate.generate(database_url, app.state.cipher, 400)
    await generate_cases.generate(database_url, app.state.cipher, SCALE)
    return await dataset.fixtures(database_url, app.state.cipher)


async def test_generated_cases_cover_every_referral_state_and_serve_the_dashboard(
    app: Litestar, client: httpx.AsyncClient, bench_data: dataset.Fixtures
) -> None:
    async with app.state.pool.acquire() as conn:
        statuses = {
            row[0]
            for row in await conn.fetch(
                "SELECT DISTINCT CASE WHEN status = 'sent' AND due_at <= now() THEN 'expired' ELSE status END"
                " FROM referral"
            )
        }
        survivors = await conn.fetchval("SELECT count(*) FROM survivor")
        broken_histories = await conn.fetchval(
            "SELECT count(*) FROM referral r WHERE r.status <> (SELECT e.to_status FROM referral_event e"
            " WHERE e.referral_id = r.id ORDER BY e.id DESC LIMIT 1)"
        )
    assert statuses == {s.value for s in ReferralStatus if s is not ReferralStatus.DRAFT}
    assert broken_histories == 0

    headers = {"Authorization": f"Bearer {bench_data.coordinator_token}"}
    response = await client.get("/api/v1/dashboard", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["scope"] == "organization_tree"
    assert sum(item["count"] for item in body["cases_by_status"]) == survivors == generate_cases.sizes(SCALE)[0]
    assert body["overdue_milestones_total"] > 0 and body["referrals_past_due_total"] > 0
    # the busiest listings first, as many as the dashboard lists
    sent = [outcome["sent"] for outcome in body["partner_outcomes"]]
    assert len(sent) == dashboard.LIST_LIMIT and sent == sorted(sent, reverse=True)
    async with app.state.pool.acquire() as conn:
        busiest = await conn.fetchval("SELECT count(*) FROM referral GROUP BY service_id ORDER BY 1 DESC LIMIT 1")
    assert sent[0] == busiest


async def test_score_distribution_counts_each_case_latest_score_on_bucket_edges(
    app: Litestar, client: httpx.AsyncClient, bench_data: dataset.Fixtures
) -> None:
    async with app.state.pool.acquire() as conn:
        # two cases' latest follow-ups land exactly on bucket edges
        for composite, case in zip(
            (0.2, 1.0), await conn.fetch("SELECT id FROM survivor ORDER BY id LIMIT 2"), strict=True
        ):
            await conn.execute(
                "INSERT INTO follow_up (id, survivor_id, date, method, indicators, composite, scoring_version)"
                " VALUES (gen_random_uuid(), $1, current_date + 1, 'phone', '{}', $2, 'edge')",
                case["id"],
                composite,
            )
        latest = await conn.fetch(
            "SELECT DISTINCT ON (survivor_id) composite FROM follow_up WHERE composite IS NOT NULL"
            " ORDER BY survivor_id, date DESC, created_at DESC"
        )
    expected = {label: 0 for _, label in dashboard.SCORE_BUCKETS}
    for row in latest:
        expected[next(label for low, label in reversed(dashboard.SCORE_BUCKETS) if row["composite"] >= low)] += 1
    headers = {"Authorization": f"Bearer {bench_data.coordinator_token}"}
    body = (await client.get("/api/v1/dashboard", headers=headers)).json()
    assert {item["key"]: item["count"] for item in body["score_distribution"]} == expected


async def test_partner_moves_generated_referrals_and_identifiers_decrypt(
    app: Litestar, client: httpx.AsyncClient, bench_data: dataset.Fixtures
) -> None:
    partner = {"Authorization": f"Bearer {bench_data.partner_token}"}
    referral = bench_data.referrals[0]
    held = await client.post(f"/api/v1/referrals/{referral}/hold", headers=partner, json={})
    resumed = await client.post(f"/api/v1/referrals/{referral}/resume", headers=partner, json={})
    assert (held.status_code, resumed.status_code) == (200, 200)
    assert [e["to_status"] for e in resumed.json()["history"]][-2:] == ["on_hold", "in_progress"]

    async with app.state.pool.acquire() as conn:
        case = await conn.fetchval("SELECT id FROM survivor ORDER BY id LIMIT 1")
    coordinator = {"Authorization": f"Bearer {bench_data.coordinator_token}"}
    response = await client.get(f"/api/v1/survivors/{case}", headers=coordinator)
    assert response.status_code == 200
    assert response.json()["full_name"] and response.json()["phone"].startswith("0999")


async def test_floor_statements_run_and_naive_matches_a_superset(
    app: Litestar, database_url: str, bench_data: dataset.Fixtures
) -> None:
    async with app.state.pool.acquire() as conn:
        await naive.build(conn)
        try:
            for params, (statement, args) in zip(queries.QUERIES, queries.statements(), strict=True):
                plain = db_floor.without_facets(statement)
                assert plain is not None, "search/postgres_query.py's facet selects changed shape"
                service = await conn.fetchrow(statement, *args)
                assert (await conn.fetchrow(plain, *args))["total"] == service["total"]
                first_page = msgspec.structs.replace(queries.search_query(params), page=1)
                naive_sql, naive_args = naive.naive_sql(first_page)
                rows = await conn.fetch(naive_sql, *naive_args)
                # every word a prefix matches at least what the service's exact words + last prefix match
                assert (rows[0]["total"] if rows else 0) >= service["total"]
        finally:
            await conn.execute(f"DROP TABLE {naive.TABLE}")


async def test_every_domain_floor_runs_as_its_endpoint_does(app: Litestar, bench_data: dataset.Fixtures) -> None:
    """The floors call the service's own use cases as the endpoints' principals: a floor that is
    refused (a principal without its organization tree, a listing outside the editor's reach)
    would measure an error path, as one did when coordinators' powers came to stop at their tree."""
    works = {
        "detail": scenarios.detail(bench_data),
        "dashboard": scenarios.dashboard_of(bench_data),
        "transitions": scenarios.transitions(bench_data),
        "capacity": scenarios.capacity(bench_data),
    }
    async with app.state.pool.acquire() as conn:
        for name, work in works.items():
            assert await work(conn, 0) is not None, name


async def test_the_answer_scenario_accepts_fresh_referrals_and_tells_the_referrer(
    app: Litestar, client: httpx.AsyncClient, database_url: str, bench_data: dataset.Fixtures
) -> None:
    """The referrals the answer scenario accepts are accepted through the API and by its floor, and
    each accept tells the referring caseworker (a notification and a queued mail): otherwise the
    "with its notifications" target would compare a refusal, or a step that notifies nobody."""
    sent = await scenarios.sent_referrals(database_url, bench_data, 2)
    partner = {"Authorization": f"Bearer {bench_data.partner_token}"}
    response = await client.post(f"/api/v1/referrals/{sent[0]}/accept", headers=partner, json={"note": ""})
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    async with app.state.pool.acquire() as conn:
        assert await scenarios.answers(bench_data, sent)(conn, 1) is not None
        keys = [f"referral:{referral}:accepted" for referral in sent]
        mails = await conn.fetch("SELECT user_id, kind FROM mail_outbox WHERE dedupe_key = ANY($1)", keys)
        notified = await conn.fetch("SELECT user_id FROM notification WHERE dedupe_key = ANY($1)", keys)
        referrers = await conn.fetch("SELECT created_by FROM referral WHERE id = ANY($1::uuid[])", sent)
    assert {row["kind"] for row in mails} == {"referral_accepted"} and len(mails) == len(notified) == 2
    assert {row["user_id"] for row in notified} == {row["created_by"] for row in referrers}
