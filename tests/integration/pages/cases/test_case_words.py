"""Case pages say what the records hold in the page's language and do not mislead (issue 15, points
6 and 9): distances from the former province's centre when the case records one, none when it
records only a province that took in others; follow-up scores in words with their dimensions and
scale; the entitlements' legal basis in Vietnamese; countries and languages picked and shown by
name, a typed name stored as its code; the case form's error summary names its fields."""

from __future__ import annotations

import re
from datetime import date

import httpx

from tests.integration.pages.conftest import Browser, text
from tests.integration.reintegration.world import World

SHELTER = {"domain": "essential_needs_shelter"}


async def _shelter_distance(client: httpx.AsyncClient, world: World) -> float | None:
    url = f"/api/v1/survivors/{world.case_id}/matches"
    found = (await client.get(url, headers=world.actors.caseworker.headers, params=SHELTER)).json()
    return next(m["distance_km"] for m in found if m["service_id"] == world.service_id)


async def test_a_survivor_from_former_soc_trang_is_measured_from_soc_trang_not_from_can_tho(
    client: httpx.AsyncClient, world: World
) -> None:
    """The world's case was opened with home province "Sóc Trăng" (Cần Thơ since 2025); the shelter
    is in Ninh Kiều, ~4 km from Cần Thơ's centre but ~50 km from Sóc Trăng's."""
    case = (await client.get(f"/api/v1/survivors/{world.case_id}", headers=world.actors.caseworker.headers)).json()
    assert case["home_province"] == "92" and case["home_former_province"] == "Sóc Trăng"
    distance = await _shelter_distance(client, world)
    assert distance is not None and 45 < distance < 60


async def test_a_case_recording_only_a_merged_province_gets_no_distance(
    client: httpx.AsyncClient, world: World, browser: Browser
) -> None:
    headers = world.actors.caseworker.headers
    changed = await client.patch(
        f"/api/v1/survivors/{world.case_id}", headers={**headers, "If-Match": '"1"'}, json={"home_province": "Cần Thơ"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["home_former_province"] is None
    assert await _shelter_distance(client, world) is None
    plan = (await client.post(f"/api/v1/survivors/{world.case_id}/plans", headers=headers, json={})).json()
    milestone = (
        await client.post(
            f"/api/v1/plans/{plan['id']}/milestones", headers=headers, json={**SHELTER, "title": "Chỗ ở an toàn"}
        )
    ).json()
    await browser.login(world.actors.caseworker)
    page = text(await browser.get(f"/cases/{world.case_id}/matches?milestone={milestone['id']}"))
    assert "Không tính khoảng cách: năm 2025 Cần Thơ sáp nhập thêm Sóc Trăng, Hậu Giang" in page
    assert " km" not in page


async def test_the_follow_up_score_is_explained_with_its_three_dimensions_on_a_0_to_1_scale(
    browser: Browser, world: World
) -> None:
    await browser.login(world.actors.caseworker)
    page = await browser.get(f"/cases/{world.case_id}")
    answers = {
        f"ind_{q}": "1"
        for q in page.text.split('name="ind_')[1:]
        for q in [q.split('"', 1)[0]]  # every question of the survey, answered with its second answer
    }
    sent = await browser.submit(
        f"/cases/{world.case_id}/follow-ups",
        {"fu_date": date.today().isoformat(), "fu_method": "office_visit", **answers},
    )
    assert sent.status_code == 303, sent.text
    page = await browser.get(f"/cases/{world.case_id}")
    explained = page.text.split('id="score-explained">', 1)[1].split("</p>", 1)[0]
    for label in ("Kinh tế", "Xã hội", "Tâm lý – xã hội", "tổng hợp", "trên thang 0–1"):
        assert label in explained
    assert re.search(r"tổng hợp 0,\d\d trên", explained)  # two decimals in the page's number format
    chart = page.text.split('class="chart"', 1)[1].split("</figure>", 1)[0]
    assert ">0,5</text>" in chart and "50%" not in chart  # the chart's scale is the table's


async def test_the_entitlements_basis_is_in_vietnamese_on_a_vietnamese_page(browser: Browser, world: World) -> None:
    await browser.login(world.actors.caseworker)
    entitlements = text(await browser.get(f"/cases/{world.case_id}")).split("Chế độ hỗ trợ", 1)[1]
    assert "Luật Phòng, chống mua bán người số 53/2024/QH15" in entitlements
    assert "Law on Prevention" not in entitlements


async def test_countries_and_languages_are_typed_by_name_stored_as_codes_and_shown_as_names(
    browser: Browser, client: httpx.AsyncClient, world: World
) -> None:
    await browser.login(world.actors.caseworker)
    form = (await browser.get("/cases/new")).text
    assert 'list="countries"' in form and '<option value="Campuchia">' in form
    assert '<option value="Tiếng Khmer">' in form
    sent = await browser.submit(
        "/cases",
        {
            "case_type": "trafficking_victim",
            "nationality": "Việt Nam",
            "returned_from": "campuchia",
            "languages": "Tiếng Việt, Khmer",
            "home_province": "Sóc Trăng",
        },
    )
    assert sent.status_code == 303, sent.text
    case_url = sent.headers["location"].split("#", 1)[0]
    case = (
        await client.get(f"/api/v1/survivors/{case_url.rsplit('/', 1)[1]}", headers=world.actors.caseworker.headers)
    ).json()
    assert (case["nationality"], case["returned_from"], case["languages"]) == ("VN", "KH", ["vi", "km"])
    profile = text(await browser.get(case_url)).split("Thông tin chung", 1)[1]
    assert "Campuchia" in profile and "Tiếng Việt, Tiếng Khmer" in profile and "trước đây là Sóc Trăng" in profile
    edit = (await browser.get(f"{case_url}/edit")).text
    assert 'value="Campuchia"' in edit and 'value="Tiếng Việt, Tiếng Khmer"' in edit and 'value="Sóc Trăng"' in edit


async def test_an_unknown_country_or_language_is_refused_with_the_field_named_in_the_summary(
    browser: Browser, world: World
) -> None:
    await browser.login(world.actors.caseworker)
    refused = await browser.submit(
        "/cases", {"case_type": "trafficking_victim", "returned_from": "Atlantis", "languages": "Tiếng Việt, Klingon"}
    )
    assert refused.status_code == 422
    summary = refused.text.split('class="alert error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Trở về từ (quốc gia): Không có trong danh sách: Atlantis" in summary
    assert "Ngôn ngữ: Không có trong danh sách: Klingon" in summary
