"""Searching the demo directory the way caseworkers type: Vietnamese with or without diacritics,
old province names, filters, distance, facets and pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar

from service import places


async def search(client: httpx.AsyncClient, headers: dict[str, str] | None = None, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/services", params=params, headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("typed", ["binh yen", "Bình Yên", "BINH YEN", "ngoi nha binh yen", "binh ye"])
async def test_binh_yen_ranks_peaceful_house_first(demo_client: httpx.AsyncClient, typed: str) -> None:
    page = await search(demo_client, q=typed)
    assert page["items"][0]["name"].startswith("Ngôi Nhà Bình Yên")


async def test_tam_lanh_finds_shelters(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, q="tam lanh", per_page=15)
    assert page["total"] >= 30
    assert all("shelter" in item["categories"] for item in page["items"])


async def test_duong_day_nong_finds_hotlines_with_the_national_one_first(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, q="duong day nong", per_page=50)
    assert page["items"][0]["hotlines"] == ["111"]
    assert all(item["hotlines"] for item in page["items"])


async def test_results_come_while_typing(demo_client: httpx.AsyncClient) -> None:
    partial = await search(demo_client, q="nha tam")
    assert partial["total"] > 0
    assert "shelter" in partial["items"][0]["categories"]
    assert (await search(demo_client, q="tro giup phap"))["items"][0]["categories"][0] == "legal_aid"


async def test_english_words_find_vietnamese_listings(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, q="legal aid")
    assert page["total"] >= 34
    assert "legal_aid" in page["items"][0]["categories"]


async def test_a_former_province_name_typed_as_text_finds_the_merged_province(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, q="tro giup phap ly soc trang")
    assert page["total"] >= 1
    assert "92" in page["items"][0]["provinces"]


async def test_a_phone_number_finds_its_listing(demo_client: httpx.AsyncClient) -> None:
    for typed in ("1900 969 680", "1900969680"):
        assert (await search(demo_client, q=typed))["items"][0]["name"].startswith("Ngôi Nhà Bình Yên")


@pytest.mark.parametrize(("typed", "number"), [("111", "111"), ("1900 969 680", "1900 969 680"),
                                               ("1900969680", "1900 969 680"), ("1900.969.680", "1900 969 680"),
                                               ("0377 672 444", "0377 672 444")])  # fmt: skip
async def test_an_exact_hotline_number_ranks_its_hotline_first(
    demo_client: httpx.AsyncClient, typed: str, number: str
) -> None:
    page = await search(demo_client, q=typed)
    assert number in page["items"][0]["hotlines"]


async def test_a_number_matches_only_whole_numbers(demo_client: httpx.AsyncClient) -> None:
    # a generated shelter's number is 0299 555 111: "111" must not find it, nor "555" every demo number
    shelter = await search(demo_client, q="0299 555 111")
    assert shelter["total"] == 1 and shelter["items"][0]["hotlines"] == ["0299 555 111"]
    child_line = await search(demo_client, q="111", per_page=50)
    assert all("0299 555 111" not in item["hotlines"] for item in child_line["items"])
    assert (await search(demo_client, q="555"))["total"] == 0
    assert (await search(demo_client, q="1900 969"))["total"] == 0  # half a number is not a number


async def test_nonsense_finds_nothing(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, q="xyzzyq")
    assert page["total"] == 0
    assert page["items"] == []
    assert page["facets"] == {"category": {}, "province": {}, "population": {}}


async def test_every_province_has_services(demo_client: httpx.AsyncClient) -> None:
    facets = (await search(demo_client))["facets"]["province"]
    assert {p.code for p in places.provinces()} <= set(facets)
    assert (await search(demo_client))["total"] >= 300


@pytest.mark.parametrize(("typed", "code"), [("Sóc Trăng", "92"), ("soc trang", "92"), ("Bắc Kạn", "19"),
                                             ("92", "92"), ("Cần Thơ", "92"), ("Quảng Nam", "48")])  # fmt: skip
async def test_province_filter_accepts_codes_current_and_former_names(
    demo_client: httpx.AsyncClient, typed: str, code: str
) -> None:
    page = await search(demo_client, province=typed, per_page=100)
    assert page["total"] > 5
    assert all(code in item["provinces"] or "national" in item["provinces"] for item in page["items"])
    assert page["facets"]["province"][code] == page["total"] - page["facets"]["province"].get("national", 0)


async def test_province_filter_includes_national_services(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, province="Bắc Kạn", q="111")
    assert page["items"][0]["hotlines"] == ["111"]


async def test_several_provinces_combine(demo_client: httpx.AsyncClient) -> None:
    one = (await search(demo_client, province="01"))["total"]
    two = (await search(demo_client, province="92"))["total"]
    both = (await search(demo_client, province=["01", "92"]))["total"]
    national = (await search(demo_client, province="national"))["total"]
    assert both == one + two - national


@pytest.mark.parametrize("category", ["legal_aid", "shelter", "hotline", "microcredit"])
async def test_category_filter_matches_its_facet_count(demo_client: httpx.AsyncClient, category: str) -> None:
    everything = await search(demo_client)
    filtered = await search(demo_client, category=category, per_page=100)
    assert filtered["total"] == everything["facets"]["category"][category]
    assert all(category in item["categories"] for item in filtered["items"])


async def test_population_filter(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, population="child", per_page=100)
    assert page["total"] > 0
    assert all("child" in item["populations"] for item in page["items"])


async def test_language_filter(demo_client: httpx.AsyncClient, demo_app: Litestar) -> None:
    async with demo_app.state.pool.acquire() as conn:
        expected = await conn.fetchval(
            "SELECT count(*) FROM service WHERE 'km' = ANY(languages) AND visibility = 'public'"
        )
    page = await search(demo_client, language="km")
    assert page["total"] == expected > 0


async def test_fee_filter(demo_client: httpx.AsyncClient) -> None:
    low_cost = await search(demo_client, fee="low_cost", per_page=100)
    assert low_cost["total"] == 34
    assert all(item["categories"] == ["health"] for item in low_cost["items"])


async def test_beds_free_filter(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, has_capacity="true", per_page=100)
    assert page["total"] > 0
    assert all(item["capacity_available"] > 0 for item in page["items"])
    none_free = await search(demo_client, has_capacity="false", category="shelter", per_page=100)
    assert all(not item["capacity_available"] for item in none_free["items"])


async def test_open_now_always_includes_24_7_hotlines(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, open_now="true", q="111")
    assert page["items"][0]["hotlines"] == ["111"]


async def test_near_with_radius_sorts_by_distance(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, near="10.0452,105.7469", radius_km=30, sort="distance", per_page=100)
    distances = [item["distance_km"] for item in page["items"]]
    assert len(distances) >= 5
    assert distances == sorted(distances)
    assert all(d <= 30 for d in distances)
    wider = await search(demo_client, near="10.0452,105.7469", radius_km=200)
    assert wider["total"] > page["total"]


async def test_relevance_with_near_still_reports_distance(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, q="tam lanh", near="21.0285,105.8542")
    assert all(item["distance_km"] is not None for item in page["items"])


async def test_sort_by_updated(demo_client: httpx.AsyncClient) -> None:
    assert (await search(demo_client, sort="updated"))["total"] >= 300


async def test_pages_do_not_overlap_and_keep_the_total(demo_client: httpx.AsyncClient) -> None:
    first = await search(demo_client, q="tam lanh", per_page=10, page=1)
    second = await search(demo_client, q="tam lanh", per_page=10, page=2)
    assert first["total"] == second["total"]
    assert (first["page"], second["page"], first["per_page"]) == (1, 2, 10)
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    beyond = await search(demo_client, q="tam lanh", per_page=10, page=100)
    assert beyond["items"] == []
    assert beyond["total"] == first["total"]


async def test_results_report_their_cost(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, q="tam lanh")
    assert isinstance(page["took_ms"], float | int)
    assert page["took_ms"] >= 0


async def test_staff_see_staff_only_listings_the_public_does_not(
    demo_client: httpx.AsyncClient, demo_tokens: dict[str, dict[str, str]]
) -> None:
    public = await search(demo_client, q="Hoan Kiem")
    staff = await search(demo_client, demo_tokens["caseworker"], q="Hoan Kiem")
    assert public["total"] < staff["total"]
    assert "Địa chỉ tin cậy – nhà tạm lánh cộng đồng Hoàn Kiếm" in {i["name"] for i in staff["items"]}


async def test_stale_listings_are_marked(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, per_page=100)
    stale = [item for item in page["items"] if item["stale"]]
    assert stale
    # never verified, or (two of the demo coordinator's tree) last verified over six months ago
    half_a_year_ago = datetime.now(UTC) - timedelta(days=180)
    assert all(
        item["last_verified_at"] is None or datetime.fromisoformat(item["last_verified_at"]) < half_a_year_ago
        for item in stale
    )
