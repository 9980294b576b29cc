"""Probes, the OpenAPI document and errors for unknown paths."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import httpx

from service.health import PROBE_TIMEOUT_S


async def test_healthz_says_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_checks_database_and_search(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "search": "ok",
        "search_backend": "postgres",
        "mail_queued": 0,
        "mail_dead": 0,
    }


async def test_readyz_says_the_database_is_down_when_it_stops_answering_after_the_first_question(
    client: httpx.AsyncClient, database_url: str
) -> None:
    """The probe asks the database more than one thing; when it stops answering part-way (here a lock
    holds the mail outbox, as a crash between two queries would) the probe still answers in its own
    shape and in time, rather than hanging or failing with another body."""
    holder = await asyncpg.connect(database_url)
    try:
        async with holder.transaction():
            await holder.execute("LOCK TABLE mail_outbox IN ACCESS EXCLUSIVE MODE")
            began = time.monotonic()
            response = await asyncio.wait_for(client.get("/readyz"), PROBE_TIMEOUT_S * 3)
            took = time.monotonic() - began
    finally:
        await holder.close()
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "down",
        "search": "ok",
        "search_backend": "postgres",
    }
    assert took < PROBE_TIMEOUT_S * 1.5
    assert (await client.get("/readyz")).json()["database"] == "ok"


async def test_openapi_documents_every_api_endpoint_with_bearer_auth(client: httpx.AsyncClient) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    for path in (
        "/api/v1/auth/tokens",
        "/api/v1/auth/tokens/current",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/users/{user_id}",
        "/api/v1/provinces",
        "/api/v1/taxonomy",
        "/api/v1/services",
        "/api/v1/services/{service_id}",
        "/api/v1/services/{service_id}/capacity",
        "/api/v1/services/{service_id}/verify",
        "/api/v1/services/{service_id}/revisions",
        "/api/v1/organizations",
        "/api/v1/organizations/{organization_id}",
        "/healthz",
        "/readyz",
        "/api/v1/survivors",
        "/api/v1/survivors/{survivor_id}",
        "/api/v1/survivors/{survivor_id}/consents",
        "/api/v1/consents/{consent_id}/withdraw",
        "/api/v1/survivors/{survivor_id}/plans",
        "/api/v1/survivors/{survivor_id}/plans/current",
        "/api/v1/plans/{plan_id}/submit",
        "/api/v1/plans/{plan_id}/approve",
        "/api/v1/plans/{plan_id}/send-back",
        "/api/v1/plans/{plan_id}/milestones",
        "/api/v1/milestones/{milestone_id}",
        "/api/v1/survivors/{survivor_id}/entitlements",
        "/api/v1/survivors/{survivor_id}/matches",
        "/api/v1/referrals",
        "/api/v1/referrals/{referral_id}",
        "/api/v1/referrals/{referral_id}/{action}",
        "/api/v1/survivors/{survivor_id}/follow-ups",
        "/api/v1/dashboard",
        "/api/v1/audit",
        "/api/v1/sustainability/indicators",
        "/api/v1/survivors/{survivor_id}/export",
        "/api/v1/survivors/{survivor_id}/deidentify",
    ):
        assert path in paths, path
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    search = paths["/api/v1/services"]["get"]
    parameter_names = {p["name"] for p in search["parameters"]}
    assert {"q", "category", "province", "near", "radius_km", "sort", "page", "per_page"} <= parameter_names


async def test_unknown_path_is_a_problem_document(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


async def test_provinces_and_taxonomy_are_served(client: httpx.AsyncClient) -> None:
    provinces = (await client.get("/api/v1/provinces")).json()
    assert len(provinces) == 34
    can_tho = next(p for p in provinces if p["code"] == "92")
    assert can_tho["former_names"] == ["Sóc Trăng", "Hậu Giang"]
    terms = (await client.get("/api/v1/taxonomy")).json()
    shelter = next(t for t in terms if t["code"] == "shelter")
    assert shelter == {"code": "shelter", "parent_code": None, "name_vi": "Nhà tạm lánh", "name_en": "Shelter"}


async def test_pages_stay_out_of_the_api_document(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert not [path for path in paths if not path.startswith(("/api/", "/healthz", "/readyz"))]
