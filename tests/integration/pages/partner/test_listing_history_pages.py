"""A listing's history and its edit-conflict table in Vietnamese say what changed in words: kinds of
service and groups by name, contacts and opening hours as people write them, a verification in the
one wording of verification with the verifier's name, dates as dd/mm/yyyy; never a stored code,
an id or an ISO time."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.integration.conftest import Actors
from tests.integration.listings import create_listing
from tests.integration.pages.conftest import Browser, text
from tests.integration.pages.partner.conftest import form_fields, replaced

ISO_OR_ID = re.compile(r"\d{4}-\d{2}-\d{2}|[0-9a-f]{8}-[0-9a-f]{4}-")
CODES = ("shelter", "legal_aid", "trafficking_survivor", "province_code", "is_24_7", "hotline", "'weekday'")


async def changed(client: httpx.AsyncClient, actors: Actors, service_id: str, **fields: Any) -> None:
    response = await client.patch(f"/api/v1/services/{service_id}", headers=actors.partner.headers, json=fields)
    assert response.status_code == 200, response.text


async def vietnamese_history(browser: Browser, actors: Actors, service_id: str) -> str:
    browser.client.headers["accept-language"] = "vi"
    await browser.login(actors.partner)
    response = await browser.get(f"/partner/services/{service_id}/history")
    assert response.status_code == 200
    return text(response)


def assert_no_raw_values(page: str) -> None:
    assert not ISO_OR_ID.search(page), ISO_OR_ID.search(page)
    assert not [code for code in CODES if code in page]


async def test_a_category_change_reads_as_kinds_of_service(
    browser: Browser, client: httpx.AsyncClient, actors: Actors
) -> None:
    listing = await create_listing(client, actors, actors.org)
    await changed(client, actors, listing["id"], categories=["shelter", "legal_aid"])
    page = await vietnamese_history(browser, actors, listing["id"])
    assert "Loại dịch vụ Nhà tạm lánh Nhà tạm lánh, Trợ giúp pháp lý" in page
    assert "Nạn nhân bị mua bán" in page and "Nữ" in page  # the listing's creation names its codes too
    assert "Nhà Tạm Lánh Hoa Sen" in page and "Cần Thơ" in page  # its organization and place by name
    assert_no_raw_values(page)


async def test_a_contact_change_reads_as_people_write_a_number(
    browser: Browser, client: httpx.AsyncClient, actors: Actors
) -> None:
    listing = await create_listing(client, actors, actors.org)
    new_contacts = [
        {"kind": "hotline", "value": "1900 969 680", "is_24_7": True, "languages": ["vi"]},
        {"kind": "zalo", "value": "0912 345 678", "hours": "8h–17h"},
    ]
    await changed(client, actors, listing["id"], contacts=new_contacts)
    page = await vietnamese_history(browser, actors, listing["id"])
    assert "Đường dây nóng 1900969680 (24/7) · Tiếng Việt" in page  # before
    assert "Đường dây nóng 1900 969 680 (24/7) · Tiếng Việt; Zalo 0912 345 678 (8h–17h)" in page  # after
    assert_no_raw_values(page)


async def test_a_schedule_change_reads_as_days_and_hours(
    browser: Browser, client: httpx.AsyncClient, actors: Actors
) -> None:
    listing = await create_listing(client, actors, actors.org)
    hours = [
        {"weekday": 2, "opens_at": "07:30", "closes_at": "11:30"},
        {"weekday": 1, "opens_at": "13:30", "closes_at": "17:00"},
        {"weekday": 1, "opens_at": "07:30", "closes_at": "11:30"},
    ]
    await changed(client, actors, listing["id"], schedules=hours)
    page = await vietnamese_history(browser, actors, listing["id"])
    assert "Giờ làm việc Thứ Hai 07:30–17:00 Thứ Hai 07:30–11:30, 13:30–17:00; Thứ Ba 07:30–11:30" in page
    assert_no_raw_values(page)


async def test_a_verification_reads_as_who_verified_and_when(
    browser: Browser, client: httpx.AsyncClient, actors: Actors
) -> None:
    listing = await create_listing(client, actors, actors.org)
    verified = await client.post(f"/api/v1/services/{listing['id']}/verify", headers=actors.coordinator.headers)
    assert verified.status_code == 200, verified.text
    page = await vietnamese_history(browser, actors, listing["id"])
    assert re.search(r"Chưa từng được xác minh Đã xác minh ngày \d{2}/\d{2}/\d{4}", page)
    assert "Người xác minh — coordinator" in page  # the coordinator's name, not their id
    assert str(actors.coordinator.user_id) not in page
    assert "Có" in page  # accepting referrals, as a word
    assert_no_raw_values(page)


async def test_the_edit_conflict_table_names_codes_too(
    browser: Browser, client: httpx.AsyncClient, actors: Actors
) -> None:
    listing = await create_listing(client, actors, actors.org)
    url = f"/partner/services/{listing['id']}"
    browser.client.headers["accept-language"] = "vi"
    await browser.login(actors.partner)
    fields = form_fields(await browser.get(url), url)
    await changed(
        client,
        actors,
        listing["id"],
        categories=["shelter", "legal_aid"],
        contacts=[{"kind": "hotline", "value": "1900 969 680", "is_24_7": True, "languages": ["vi"]}],
        status="temporarily_closed",
    )
    response = await browser.submit(url, replaced(fields, description="Do đối tác gõ"))
    assert response.status_code == 412
    page = text(response)
    assert "Nhà tạm lánh, Trợ giúp pháp lý" in page and "Tạm ngừng" in page
    assert "Đường dây nóng 1900969680 (24/7) · Tiếng Việt" in page
    assert "Đường dây nóng 1900 969 680 (24/7) · Tiếng Việt" in page
    assert "temporarily_closed" not in page and "legal_aid" not in page
