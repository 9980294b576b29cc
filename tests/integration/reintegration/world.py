"""A small world for reintegration tests: a listing to refer to, a case, and the people around it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx

from service.auth.models import Role
from tests.integration.conftest import Actor, Actors, make_actor, make_org
from tests.integration.listings import service_body


@dataclass
class World:
    actors: Actors
    service_id: str  # a listing of `actors.org`, where `partner` works
    other_service_id: str  # a listing of `actors.other_org`
    case_id: str  # a case of `actors.other_org`, assigned to `caseworker`
    second_partner: Actor  # another partner user of `actors.org`
    colleague: Actor  # a caseworker of the same organization, not assigned to the case
    outsider: Actor  # a coordinator of an unrelated organization
    parent_coordinator: Actor  # a coordinator of the organization above `actors.other_org`

    def who(self, name: str) -> Actor:
        return getattr(self, name) if hasattr(self, name) else getattr(self.actors, name)


CASE_BODY: dict[str, Any] = {
    "case_type": "trafficking_victim",
    "identification_status": "identified_victim",
    "full_name": "Nguyễn Thị Lan",
    "phone": "0912 345 678",
    "address": "Ấp 3, xã Mỹ Xuyên",
    "id_document_number": "092301000123",
    "sex": "female",
    "birth_year": 2001,
    "languages": ["vi", "km"],
    "home_province": "Sóc Trăng",
    "home_commune": "Mỹ Xuyên",
    "returned_from": "CN",
    "return_date": "2026-10-01",
    "risk_level": "high",
    "contact_preference": {"channel": "phone", "safe_hours": "18:00-20:00", "do_not_contact": False},
}


async def build_world(client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool, password_hash: str) -> World:
    admin = actors.admin.headers
    service = await client.post("/api/v1/services", headers=admin, json=service_body(actors.org))
    other = await client.post(
        "/api/v1/services",
        headers=admin,
        json=service_body(actors.other_org, name="Trợ giúp pháp lý Mekong", categories=["legal_aid"]),
    )
    async with pool.acquire() as conn:
        parent = await make_org(conn, "Hội LHPN tỉnh")
        await conn.execute("UPDATE organization SET parent_id = $1 WHERE id = $2", parent, actors.other_org)
        unrelated = await make_org(conn, "Tổ chức khác")
        second_partner = await make_actor(conn, "partner2", Role.PARTNER, actors.org, password_hash)
        colleague = await make_actor(conn, "colleague", Role.CASEWORKER, actors.other_org, password_hash)
        outsider = await make_actor(conn, "outsider", Role.COORDINATOR, unrelated, password_hash)
        parent_coordinator = await make_actor(conn, "province", Role.COORDINATOR, parent, password_hash)
    case = await client.post("/api/v1/survivors", headers=actors.caseworker.headers, json=CASE_BODY)
    assert case.status_code == 201, case.text
    return World(
        actors=actors,
        service_id=service.json()["id"],
        other_service_id=other.json()["id"],
        case_id=case.json()["id"],
        second_partner=second_partner,
        colleague=colleague,
        outsider=outsider,
        parent_coordinator=parent_coordinator,
    )


async def record_consent(client: httpx.AsyncClient, world: World, **body: Any) -> httpx.Response:
    """Ask to record a consent of the world's case, ``body`` as its fields, as its caseworker."""
    url = f"/api/v1/survivors/{world.case_id}/consents"
    return await client.post(url, headers=world.actors.caseworker.headers, json=body)


async def consent(client: httpx.AsyncClient, world: World, organization_id: uuid.UUID | None) -> dict[str, Any]:
    response = await record_consent(
        client,
        world,
        purpose="referral",
        organization_id=str(organization_id) if organization_id else None,
        method="written",
        evidence="Phiếu đồng ý ký ngày 20/11",
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def refer(client: httpx.AsyncClient, world: World, *, by: str = "caseworker", **overrides: Any) -> httpx.Response:
    """A referral of the world's case to its service, sent by ``by``, with ``overrides`` in its body."""
    body = {
        "survivor_id": world.case_id,
        "service_id": world.service_id,
        "urgency": "urgent",
        "shared_summary": "Phụ nữ 25 tuổi, vừa trở về từ Trung Quốc, cần chỗ ở an toàn 2 tuần.",
    }
    body.update(overrides)
    return await client.post("/api/v1/referrals", headers=world.actors.by_name[by].headers, json=body)


async def add_milestone(client: httpx.AsyncClient, world: World, plan_id: str, **body: Any) -> httpx.Response:
    """Ask to add a milestone, ``body`` as its fields, to a plan of the world's case, as its caseworker."""
    url = f"/api/v1/plans/{plan_id}/milestones"
    return await client.post(url, headers=world.actors.caseworker.headers, json=body)


# a survivor's agreement to a plan, as the plan pages and the API take it
AGREEMENT = {"survivor_agreed_at": "2026-11-20T09:00:00+07:00", "agreement_method": "verbal_with_witness"}
# every named user of the world, to check that who is told is exactly who may read
EVERYONE = (
    "partner",
    "second_partner",
    "other_partner",
    "caseworker",
    "colleague",
    "coordinator",
    "parent_coordinator",
    "outsider",
    "admin",
)

EMERGENCY_REASON = "Nguy cơ bị bắt lại trong đêm nay; chưa liên lạc được để xin đồng ý"


async def refer_in_emergency(client: httpx.AsyncClient, world: World) -> httpx.Response:
    """The coordinator's emergency referral of the world's case, sent without consent for EMERGENCY_REASON."""
    return await refer(
        client,
        world,
        by="coordinator",
        urgency="emergency",
        shared_summary="Cần chỗ ở khẩn cấp",
        emergency_override_reason=EMERGENCY_REASON,
    )
