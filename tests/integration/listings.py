"""Request bodies for listing tests, and listings made through the API and read back from the
database for the page tests."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx

from tests.integration.conftest import Actors


def service_body(owner: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "organization_id": str(owner),
        "name": "Nhà tạm lánh Hoa Sen",
        "description": "Nơi tạm lánh an toàn cho phụ nữ và trẻ em bị mua bán.",
        "status": "active",
        "categories": ["shelter"],
        "populations": ["trafficking_survivor"],
        "eligibility_description": "Phụ nữ từ 16 tuổi",
        "min_age": 16,
        "genders": ["female"],
        "languages": ["vi", "km"],
        "fee": "free",
        "application_process": "Gọi đường dây nóng",
        "required_documents": ["Giấy tờ tùy thân nếu có"],
        "accepting_referrals": True,
        "capacity_total": 20,
        "capacity_available": 4,
        "visibility": "public",
        "locations": [
            {
                "name": "Nhà chính",
                "street": "12 Đường Bí Mật",
                "commune": "Phường Ninh Kiều",
                "province_code": "92",
                "lat": 10.03,
                "lon": 105.78,
                "confidential": True,
            }
        ],
        "service_areas": ["92"],
        "contacts": [{"kind": "hotline", "value": "1900969680", "hours": "24/7", "is_24_7": True, "languages": ["vi"]}],
        "schedules": [{"weekday": 1, "opens_at": "07:30", "closes_at": "17:00"}],
    }
    body.update(overrides)  # may replace organization_id too, to send a malformed one
    return body


async def create_listing(client: httpx.AsyncClient, actors: Actors, owner: Any, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/services", headers=actors.admin.headers, json=service_body(owner, **overrides)
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def stored(pool: asyncpg.Pool, service_id: str) -> asyncpg.Record:
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM service WHERE id = $1::uuid", service_id)
    assert row is not None
    return row
