"""Every reintegration endpoint × every role: partner of the receiving organization, partner of
another, caseworker assigned and not, coordinator of the owning tree and of another, admin, public."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.integration.reintegration.world import CASE_BODY, World, add_milestone, consent, refer

ROLES = ("public", "partner", "other_partner", "caseworker", "colleague", "coordinator", "outsider", "admin")


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # placeholders: {case} {consent} {plan} {milestone} {referral}
    expected: tuple[int, ...]  # in ROLES order
    body: Any = None


SEEN = (401, 404, 404, 200, 404, 200, 404, 404)  # only the assigned caseworker and the owning coordinator
CASES = [
    Case("GET", "/api/v1/survivors/{case}", SEEN),
    Case("PATCH", "/api/v1/survivors/{case}", SEEN, {"risk_level": "low"}),
    Case("GET", "/api/v1/survivors", (401, 403, 403, 200, 200, 200, 200, 403)),
    Case("POST", "/api/v1/survivors", (401, 403, 403, 201, 201, 201, 201, 403), CASE_BODY),
    Case("POST", "/api/v1/survivors/lookup", (401, 403, 403, 200, 200, 200, 200, 403), {"full_name": "Lan"}),
    Case("POST", "/api/v1/survivors/{case}/consents", (401, 404, 404, 201, 404, 201, 404, 404),
         {"purpose": "follow_up_contact", "organization_id": None, "method": "written"}),
    Case("GET", "/api/v1/survivors/{case}/consents", SEEN),
    Case("POST", "/api/v1/consents/{consent}/withdraw", SEEN),
    Case("POST", "/api/v1/survivors/{case}/plans", (401, 404, 404, 409, 404, 409, 404, 404), {}),
    Case("GET", "/api/v1/survivors/{case}/plans/current", SEEN),
    Case("POST", "/api/v1/plans/{plan}/submit", (401, 404, 404, 409, 404, 409, 404, 404),
         {"survivor_agreed_at": "2026-11-20T09:00:00+07:00", "agreement_method": "written"}),
    Case("POST", "/api/v1/plans/{plan}/approve", (401, 404, 404, 403, 404, 200, 404, 404)),
    Case("POST", "/api/v1/plans/{plan}/send-back", (401, 404, 404, 403, 404, 200, 404, 404), {"note": "x"}),
    Case("POST", "/api/v1/plans/{plan}/milestones", (401, 404, 404, 409, 404, 409, 404, 404),
         {"domain": "health", "title": "Khám"}),
    Case("PATCH", "/api/v1/milestones/{milestone}", SEEN, {"note": "Đã hẹn"}),
    Case("GET", "/api/v1/survivors/{case}/entitlements", SEEN),
    Case("GET", "/api/v1/survivors/{case}/matches?domain=health", SEEN),
    Case("POST", "/api/v1/survivors/{case}/follow-ups", (401, 404, 404, 201, 404, 201, 404, 404),
         {"date": "2026-11-20", "method": "office_visit", "indicators": {"psy_safety": 2}}),
    Case("GET", "/api/v1/survivors/{case}/follow-ups", SEEN),
    Case("GET", "/api/v1/survivors/{case}/export", SEEN),
    Case("POST", "/api/v1/survivors/{case}/deidentify", (401, 404, 404, 403, 404, 409, 404, 404)),  # open: 409
    Case("POST", "/api/v1/referrals", (401, 404, 404, 201, 404, 201, 404, 404), "referral"),
    Case("GET", "/api/v1/referrals", (401, 200, 200, 200, 200, 200, 200, 403)),
    Case("GET", "/api/v1/referrals/{referral}", (401, 200, 404, 200, 404, 200, 404, 404)),
    Case("POST", "/api/v1/referrals/{referral}/accept", (401, 200, 404, 409, 404, 409, 404, 404)),
    Case("POST", "/api/v1/referrals/{referral}/withdraw", (401, 409, 404, 200, 404, 200, 404, 404),
         {"note": "Đã tự về"}),
    Case("GET", "/api/v1/dashboard", (401, 200, 200, 200, 200, 200, 200, 403)),
    Case("GET", "/api/v1/audit", (401, 403, 403, 403, 403, 200, 200, 200)),
    Case("GET", "/api/v1/sustainability/indicators", (200,) * 8),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
@pytest.mark.parametrize("role", ROLES)
async def test_reintegration_endpoint_answers_each_role_as_designed(
    client: httpx.AsyncClient, world: World, case: Case, role: str
) -> None:
    caseworker = world.actors.caseworker.headers
    granted = await consent(client, world, None)
    plan = (await client.post(f"/api/v1/survivors/{world.case_id}/plans", headers=caseworker, json={})).json()
    milestone = (await add_milestone(client, world, plan["id"], domain="health", title="Khám sức khỏe")).json()
    await client.post(
        f"/api/v1/plans/{plan['id']}/submit",
        headers=caseworker,
        json={"survivor_agreed_at": "2026-11-20T09:00:00+07:00", "agreement_method": "written"},
    )
    referral = (await refer(client, world)).json()
    path = case.path.format(
        case=world.case_id, consent=granted["id"], plan=plan["id"], milestone=milestone["id"], referral=referral["id"]
    )
    body = case.body
    if body == "referral":
        body = {"survivor_id": world.case_id, "service_id": world.service_id, "shared_summary": "Cần hỗ trợ pháp lý"}
    response = await client.request(case.method, path, headers=world.who(role).headers, json=body)
    expected = case.expected[ROLES.index(role)]
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "Nguyễn" not in response.text
