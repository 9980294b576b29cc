"""Every directory endpoint × every role (DESIGN.md §4), and what each may see of a confidential listing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.integration.conftest import Actors
from tests.integration.listings import service_body

ROLES = ("public", "partner", "other_partner", "caseworker", "coordinator", "admin")


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # {public} / {staff}: a public and a staff-only listing of `org`; {org}: that organization
    expected: tuple[int, ...]  # one status per role, in ROLES order
    body: str | None = None  # which body to send


CASES = [
    Case("GET", "/api/v1/provinces", (200, 200, 200, 200, 200, 200)),
    Case("GET", "/api/v1/taxonomy", (200, 200, 200, 200, 200, 200)),
    Case("GET", "/api/v1/services", (200, 200, 200, 200, 200, 200)),
    Case("GET", "/api/v1/services/{public}", (200, 200, 200, 200, 200, 200)),
    Case("GET", "/api/v1/services/{staff}", (404, 200, 404, 200, 200, 200)),
    Case("POST", "/api/v1/services", (401, 201, 403, 403, 201, 201), body="service"),
    Case("PATCH", "/api/v1/services/{public}", (401, 200, 403, 403, 200, 200), body="rename"),
    Case("PATCH", "/api/v1/services/{staff}", (401, 200, 404, 403, 200, 200), body="rename"),
    Case("PUT", "/api/v1/services/{public}/capacity", (401, 200, 403, 403, 200, 200), body="capacity"),
    Case("PUT", "/api/v1/services/{staff}/capacity", (401, 200, 404, 403, 200, 200), body="capacity"),
    Case("POST", "/api/v1/services/{public}/verify", (401, 403, 403, 403, 200, 200)),
    Case("GET", "/api/v1/services/{public}/revisions", (401, 200, 403, 200, 200, 200)),
    Case("GET", "/api/v1/services/{staff}/revisions", (401, 200, 404, 200, 200, 200)),
    Case("GET", "/api/v1/organizations", (200, 200, 200, 200, 200, 200)),
    Case("GET", "/api/v1/organizations/{org}", (200, 200, 200, 200, 200, 200)),
    Case("POST", "/api/v1/organizations", (401, 403, 403, 403, 201, 201), body="organization"),
    Case("PATCH", "/api/v1/organizations/{org}", (401, 200, 403, 403, 200, 200), body="describe"),
]


def body_for(kind: str | None, actors: Actors) -> dict[str, Any] | None:
    return {
        None: None,
        "service": service_body(actors.org),
        "rename": {"name": "Tên khác"},
        "capacity": {"available": 1},
        "organization": {"name": "Tổ chức mới", "kind": "ngo", "parent_id": str(actors.other_org)},
        "describe": {"description": "Giới thiệu"},
    }[kind]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
@pytest.mark.parametrize("role", ROLES)
async def test_directory_endpoint_answers_each_role_as_designed(
    client: httpx.AsyncClient, actors: Actors, case: Case, role: str
) -> None:
    admin = actors.admin.headers
    public_id = (await client.post("/api/v1/services", headers=admin, json=service_body(actors.org))).json()["id"]
    staff_body = service_body(actors.org, name="Nhà an toàn nội bộ", visibility="staff")
    staff_id = (await client.post("/api/v1/services", headers=admin, json=staff_body)).json()["id"]
    path = case.path.format(public=public_id, staff=staff_id, org=actors.org)
    response = await client.request(
        case.method, path, headers=getattr(actors, role).headers, json=body_for(case.body, actors)
    )
    expected = case.expected[ROLES.index(role)]
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


async def confidential_listing(client: httpx.AsyncClient, actors: Actors) -> str:
    response = await client.post("/api/v1/services", headers=actors.admin.headers, json=service_body(actors.org))
    return str(response.json()["id"])


@pytest.mark.parametrize(("role", "sees"), [("public", False), ("other_partner", False), ("partner", True),
                                             ("caseworker", True), ("coordinator", True), ("admin", True)])  # fmt: skip
async def test_confidential_address_only_for_those_allowed(
    client: httpx.AsyncClient, actors: Actors, role: str, sees: bool
) -> None:
    service_id = await confidential_listing(client, actors)
    response = await client.get(f"/api/v1/services/{service_id}", headers=getattr(actors, role).headers)
    location = response.json()["locations"][0]
    assert location["confidential"] is True
    assert location["province_code"] == "92"
    if sees:
        assert (location["street"], location["lat"], location["lon"]) == ("12 Đường Bí Mật", 10.03, 105.78)
    else:
        assert (location["street"], location["lat"], location["lon"]) == (None, None, None)
        assert "Bí Mật" not in response.text


async def test_confidential_coordinates_never_leak_through_distance_or_street_search(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    await confidential_listing(client, actors)
    # the public's distance is measured to the province's reference point, not the hidden address
    near_hidden = (await client.get("/api/v1/services", params={"near": "10.03,105.78", "radius_km": 0.5})).json()
    assert near_hidden["total"] == 0
    staff = await client.get(
        "/api/v1/services", params={"near": "10.03,105.78", "radius_km": 0.5}, headers=actors.caseworker.headers
    )
    assert staff.json()["total"] == 1
    assert (await client.get("/api/v1/services", params={"q": "bi mat"})).json()["total"] == 0


async def test_staff_only_listings_are_absent_from_public_hits_and_facets(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    admin = actors.admin.headers
    await client.post("/api/v1/services", headers=admin, json=service_body(actors.org, categories=["legal_aid"]))
    await client.post(
        "/api/v1/services",
        headers=admin,
        json=service_body(actors.org, name="Nhà an toàn nội bộ", visibility="staff", categories=["shelter"],
                          service_areas=["Hà Nội"], populations=["child"]),
    )  # fmt: skip
    for role, total in (("public", 1), ("other_partner", 1), ("partner", 2), ("caseworker", 2)):
        page = (await client.get("/api/v1/services", headers=getattr(actors, role).headers)).json()
        assert page["total"] == total, role
        names = {item["name"] for item in page["items"]}
        facets = page["facets"]
        if total == 1:
            assert "Nhà an toàn nội bộ" not in names
            assert "shelter" not in facets["category"]
            assert "01" not in facets["province"]
            assert "child" not in facets["population"]
        else:
            assert facets["category"]["shelter"] == 1
            assert facets["province"]["01"] == 1
    hidden = (await client.get("/api/v1/services", params={"q": "an toan noi bo"})).json()
    assert hidden["total"] == 0
