"""A survivor's whole story told through the API, every identifier and free text in it distinctive:
what the raw-dump and de-identification tests look for."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.conftest import Actors
from tests.integration.listings import service_body

# Every value below is unusual enough that finding it in the dump can only mean it was stored in clear.
SECRETS = {
    "full_name": "Hoàng Thị Quỳnh Dumpcheck",
    "phone": "0978 246 135",
    "address": "Tổ 9 hẻm Bưởi Đỏ",
    "id_document_number": "079301998877",
    "home_commune": "Xã Vĩnh Hải Ngưng",
    "safe_hours": "sau khi chồng ngủ Xoay",
    "evidence": "Chị Quýt làm chứng Giấy",
    "plan_notes": "Ghi chú kế hoạch Mãng Cầu",
    "review_note": "Ghi chú duyệt Chôm Chôm",
    "milestone_title": "Mục tiêu Sầu Riêng",
    "milestone_note": "Ghi chú mốc Măng Cụt",
    "summary": "Tóm tắt giới thiệu Thanh Long",
    "accept_note": "Ghi chú tiếp nhận Khế Ngọt",
    "withdraw_note": "Rút vì đang ở nhà Chuối Hột",
    "emergency_reason": "Khẩn cấp vì Vú Sữa",
    "decline_note": "Từ chối vì Dưa Hấu",
    "follow_up_notes": "Thăm lại thấy Nhãn Lồng",
    "contact_override_reason": "Gọi vì tin báo Bòn Bon",
}


async def tell_the_story(client: httpx.AsyncClient, actors: Actors) -> str:
    """Drive a case of ``actors.other_org`` through the API; return its URL."""
    caseworker, coordinator = actors.caseworker.headers, actors.coordinator.headers

    async def ok(response: httpx.Response) -> dict[str, Any]:
        assert response.status_code in (200, 201), response.text
        return response.json()  # type: ignore[no-any-return]

    shelter = await ok(
        await client.post("/api/v1/services", headers=actors.admin.headers, json=service_body(actors.org))
    )
    legal = await ok(
        await client.post(
            "/api/v1/services",
            headers=actors.admin.headers,
            json=service_body(actors.other_org, name="Trợ giúp pháp lý", categories=["legal_aid"]),
        )
    )
    case = await ok(
        await client.post(
            "/api/v1/survivors",
            headers=caseworker,
            json={
                "case_type": "trafficking_victim",
                "identification_status": "identified_victim",
                "full_name": SECRETS["full_name"],
                "phone": SECRETS["phone"],
                "address": SECRETS["address"],
                "id_document_number": SECRETS["id_document_number"],
                "sex": "female",
                "birth_year": 2000,
                "home_province": "Cần Thơ",
                "home_commune": SECRETS["home_commune"],
                "contact_preference": {"channel": "phone", "safe_hours": SECRETS["safe_hours"]},
            },
        )
    )
    case_url = f"/api/v1/survivors/{case['id']}"

    async def refer(headers: dict[str, str], listing: dict[str, Any], **body: str) -> dict[str, Any]:
        """Refer the case to ``listing``, ``body`` the rest of the referral."""
        referral = {"survivor_id": case["id"], "service_id": listing["id"], **body}
        return await ok(await client.post("/api/v1/referrals", headers=headers, json=referral))

    await ok(
        await client.post(
            f"{case_url}/consents",
            headers=caseworker,
            json={
                "purpose": "referral",
                "organization_id": str(actors.org),
                "method": "verbal_with_witness",
                "evidence": SECRETS["evidence"],
            },
        )
    )
    plan = await ok(await client.post(f"{case_url}/plans", headers=caseworker, json={"notes": SECRETS["plan_notes"]}))
    milestone = await ok(
        await client.post(
            f"/api/v1/plans/{plan['id']}/milestones",
            headers=caseworker,
            json={"domain": "essential_needs_shelter", "title": SECRETS["milestone_title"]},
        )
    )
    await ok(
        await client.patch(
            f"/api/v1/milestones/{milestone['id']}", headers=caseworker, json={"note": SECRETS["milestone_note"]}
        )
    )
    await ok(
        await client.post(
            f"/api/v1/plans/{plan['id']}/submit",
            headers=caseworker,
            json={"survivor_agreed_at": "2026-01-05T09:00:00Z", "agreement_method": "written"},
        )
    )
    await ok(
        await client.post(
            f"/api/v1/plans/{plan['id']}/send-back", headers=coordinator, json={"note": SECRETS["review_note"]}
        )
    )
    referral = await refer(
        caseworker, shelter, milestone_id=milestone["id"], urgency="urgent", shared_summary=SECRETS["summary"]
    )
    await ok(
        await client.post(
            f"/api/v1/referrals/{referral['id']}/accept",
            headers=actors.partner.headers,
            json={"note": SECRETS["accept_note"]},
        )
    )
    await ok(
        await client.post(
            f"/api/v1/referrals/{referral['id']}/withdraw",
            headers=caseworker,
            json={"reason_code": "other", "note": SECRETS["withdraw_note"]},
        )
    )
    emergency = await refer(
        coordinator,
        legal,
        urgency="emergency",
        shared_summary=SECRETS["summary"],
        emergency_override_reason=SECRETS["emergency_reason"],
    )
    await ok(
        await client.post(
            f"/api/v1/referrals/{emergency['id']}/decline",
            headers=actors.other_partner.headers,
            json={"reason_code": "no_capacity", "note": SECRETS["decline_note"]},
        )
    )
    await ok(
        await client.post(
            f"{case_url}/follow-ups",
            headers=caseworker,
            json={"date": "2026-02-01", "method": "office_visit", "notes": SECRETS["follow_up_notes"]},
        )
    )
    # no follow-up consent: only a coordinator's recorded reason lets a phone call through
    await ok(
        await client.post(
            f"{case_url}/follow-ups",
            headers=coordinator,
            json={
                "date": "2026-02-02",
                "method": "phone",
                "contact_override_reason": SECRETS["contact_override_reason"],
            },
        )
    )
    # reads leave audit entries too: they must not carry what they showed
    for url in (case_url, f"{case_url}/plans/current", f"{case_url}/export", "/api/v1/dashboard"):
        await ok(await client.get(url, headers=coordinator))
    return case_url
