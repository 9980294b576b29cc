"""The search endpoint's organization filter: only that organization's listings, counted and
faceted as such, repeatable, and documented; without it, search is unchanged."""

from __future__ import annotations

import uuid

import httpx

from tests.integration.conftest import Actors
from tests.integration.listings import service_body


async def create(client: httpx.AsyncClient, actors: Actors, owner: uuid.UUID, **overrides: object) -> str:
    response = await client.post(
        "/api/v1/services", headers=actors.admin.headers, json=service_body(owner, **overrides)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_organization_filter_finds_counts_and_facets_its_listings_only(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    ours = {await create(client, actors, actors.org), await create(client, actors, actors.org, name="Nhà Hoa Mai")}
    theirs = await create(client, actors, actors.other_org, categories=["legal_aid"], service_areas=["01"])
    page = (await client.get("/api/v1/services", params={"organization_id": str(actors.org), "per_page": 1})).json()
    assert page["total"] == 2 and len(page["items"]) == 1 and page["items"][0]["id"] in ours
    assert page["facets"]["category"] == {"shelter": 2}
    both = (
        await client.get(
            "/api/v1/services",
            params=[("organization_id", str(actors.org)), ("organization_id", str(actors.other_org))],
        )
    ).json()
    assert {item["id"] for item in both["items"]} == ours | {theirs}
    unfiltered = (await client.get("/api/v1/services")).json()
    assert unfiltered["total"] == 3


async def test_organization_filter_keeps_staff_only_listings_from_the_public(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    staff_only = await create(client, actors, actors.org, visibility="staff")
    params = {"organization_id": str(actors.org)}
    assert (await client.get("/api/v1/services", params=params)).json()["total"] == 0
    partner = (await client.get("/api/v1/services", params=params, headers=actors.partner.headers)).json()
    assert [item["id"] for item in partner["items"]] == [staff_only]


async def test_malformed_organization_id_is_a_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/services", params={"organization_id": "42"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "organization_id" in response.text


async def test_organization_filter_is_documented(client: httpx.AsyncClient) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/services"]["get"]["parameters"]}
    assert "organization" in parameters["organization_id"]["description"]
