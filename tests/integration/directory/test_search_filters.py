"""Filters whose answer depends on the clock or on one listing's flags, on listings made for the test."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from service.directory.rules import MINUTES_PER_DAY, MINUTES_PER_WEEK, minute_of_week
from tests.integration.conftest import Actors
from tests.integration.listings import service_body


def window(start_minute_of_week: int, length: int) -> dict[str, Any]:
    """A schedule entry opening at that minute of the week (Viet Nam time) for ``length`` minutes."""
    start = start_minute_of_week % MINUTES_PER_WEEK
    opens = start % MINUTES_PER_DAY
    closes = (opens + length) % MINUTES_PER_DAY
    return {
        "weekday": start // MINUTES_PER_DAY + 1,
        "opens_at": f"{opens // 60:02d}:{opens % 60:02d}",
        "closes_at": f"{closes // 60:02d}:{closes % 60:02d}",
    }


async def add(client: httpx.AsyncClient, actors: Actors, name: str, **fields: Any) -> None:
    body = service_body(actors.org, **{"name": name, "contacts": [], "schedules": [], **fields})
    response = await client.post("/api/v1/services", headers=actors.admin.headers, json=body)
    assert response.status_code == 201, response.text


async def test_open_now_uses_viet_nam_time_and_counts_24_7_hotlines(client: httpx.AsyncClient, actors: Actors) -> None:
    now = minute_of_week(datetime.now(UTC))
    await add(client, actors, "Mở bây giờ", schedules=[window(now - 60, 120)])
    await add(client, actors, "Mở sau mười tiếng", schedules=[window(now + 600, 60)])
    await add(client, actors, "Đường dây 24/7",
              contacts=[{"kind": "hotline", "value": "111", "is_24_7": True}])  # fmt: skip
    await add(client, actors, "Không có giờ mở cửa")
    page = (await client.get("/api/v1/services", params={"open_now": "true"})).json()
    assert {item["name"] for item in page["items"]} == {"Mở bây giờ", "Đường dây 24/7"}
    everything = (await client.get("/api/v1/services", params={"open_now": "false"})).json()
    assert everything["total"] == 4


async def test_accepting_referrals_filter(client: httpx.AsyncClient, actors: Actors) -> None:
    await add(client, actors, "Đang nhận", accepting_referrals=True)
    await add(client, actors, "Tạm ngừng nhận", accepting_referrals=False)
    closed = (await client.get("/api/v1/services", params={"accepting_referrals": "false"})).json()
    assert [item["name"] for item in closed["items"]] == ["Tạm ngừng nhận"]
    assert closed["items"][0]["accepting_referrals"] is False
    open_ = (await client.get("/api/v1/services", params={"accepting_referrals": "true"})).json()
    assert [item["name"] for item in open_["items"]] == ["Đang nhận"]


async def test_inactive_listings_leave_search_but_stay_readable(client: httpx.AsyncClient, actors: Actors) -> None:
    await add(client, actors, "Đã đóng cửa", status="inactive")
    assert (await client.get("/api/v1/services", params={"q": "da dong cua"})).json()["total"] == 0
    await add(client, actors, "Tạm đóng cửa", status="temporarily_closed")
    assert (await client.get("/api/v1/services", params={"q": "tam dong cua"})).json()["total"] == 1
