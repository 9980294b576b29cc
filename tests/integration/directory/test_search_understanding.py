"""What search reads in the words people type (issue 17): a province named in them, slips, and
abbreviations or English words for Vietnamese listings, on the demo directory."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from litestar import Litestar

from search.postgres import PostgresSearch
from search.postgres_query import build_search_sql
from search.protocol import SearchQuery
from tests.integration.directory.relevance import PUBLIC, gen


async def search(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/services", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_viec_lam_ha_noi_ranks_ha_noi_jobs_above_ha_tinh_and_ninh_binh(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, q="viec lam ha noi", per_page=50)
    assert page["understood"] == {"province": "01"}
    ids = [item["id"] for item in page["items"]]
    assert ids[0] == str(PUBLIC[gen("01", "jobs")])
    assert str(PUBLIC[gen("42", "jobs")]) not in ids and str(PUBLIC[gen("37", "jobs")]) not in ids
    assert all({"01", "national"} & set(item["provinces"]) for item in page["items"])


@pytest.mark.parametrize(
    ("typed", "code"),
    [("viec lam hn", "01"), ("tgpl tp hcm", "79"), ("tgpl hcm", "79"), ("tạm lánh sài gòn", "79"),
     ("tam lanh sai gon", "79"), ("tam lanh đà nẵng", "48"), ("tu van soc trang", "92"), ("hoc nghe Bắc Kạn", "19")],
)  # fmt: skip
async def test_a_province_typed_in_any_form_is_understood(
    demo_client: httpx.AsyncClient, typed: str, code: str
) -> None:
    page = await search(demo_client, q=typed)
    assert page["understood"]["province"] == code
    assert page["total"] > 0
    assert code in page["items"][0]["provinces"]


async def test_national_services_stay_in_a_province_search(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, q="duong day nong ha noi", per_page=50)
    assert page["understood"] == {"province": "01"}
    assert any(item["provinces"] == ["national"] for item in page["items"])


async def test_a_province_filter_set_leaves_the_words_alone(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, q="tro giup phap ly soc trang", province="92")
    assert page["understood"] == {}
    assert page["items"][0]["provinces"] == ["92"]


async def test_words_with_no_place_understand_nothing(demo_client: httpx.AsyncClient) -> None:
    assert (await search(demo_client, q="tam lanh"))["understood"] == {}


@pytest.mark.parametrize(
    ("typed", "meant", "category"),
    [("trogiup", "trợ giúp", "legal_aid"), ("tam lahn", "tạm lánh", "shelter"), ("phap lyy", "pháp lý", "legal_aid"),
     ("benh vein", "bệnh viện", "health"), ("tu vann tam ly", "tư vấn tâm lý", "psychosocial")],
)  # fmt: skip
async def test_a_slip_still_finds_the_listings_and_says_what_it_meant(
    demo_client: httpx.AsyncClient, typed: str, meant: str, category: str
) -> None:
    page = await search(demo_client, q=typed)
    assert page["understood"] == {"did_you_mean": meant}
    assert page["total"] > 0
    assert category in page["items"][0]["categories"]


async def test_a_slip_and_a_place_together(demo_client: httpx.AsyncClient) -> None:
    page = await search(demo_client, q="tam lahn ha noi")
    assert page["understood"] == {"province": "01", "did_you_mean": "tạm lánh Hà Nội"}
    assert "01" in page["items"][0]["provinces"] and "shelter" in page["items"][0]["categories"]


async def test_staff_only_words_are_never_suggested(demo_client: httpx.AsyncClient) -> None:
    # "Hoàn Kiếm" is named only by a staff-only listing: the public vocabulary does not hold it
    page = await search(demo_client, q="hoan kiemm")
    assert "did_you_mean" not in page["understood"]
    assert page["total"] == 0


async def test_listings_holding_the_words_as_typed_rank_above_corrected_ones(demo_app: Litestar) -> None:
    # as when a listing holding the typed word was added after the vocabulary was read
    statement, args = build_search_sql(SearchQuery(text="tam lanh", per_page=100), corrected=["viec", "lam"])
    async with demo_app.state.pool.acquire() as conn:
        row = await conn.fetchrow(statement, *args)
        holding = "SELECT service_id FROM search_document d WHERE d.terms @@ $$'tam' & 'lanh':*$$::tsquery"
        typed = {r["service_id"] for r in await conn.fetch(holding)}
    assert row is not None
    exact = [uuid.UUID(hit["service_id"]) in typed for hit in row["hits"]]
    assert any(exact) and not all(exact)  # both kinds are on the page
    assert exact == sorted(exact, reverse=True)  # every "tam lanh" listing before every "viec lam" one


@pytest.mark.parametrize(
    ("typed", "category"),
    [("tgpl", "legal_aid"), ("TGPL", "legal_aid"), ("ctxh", "psychosocial"), ("osso", "returnee_reception"),
     ("cccd", "legal_documents"), ("bhyt", "health"), ("legal aid", "legal_aid"), ("shelter", "shelter"),
     ("job", "job_placement")],
)  # fmt: skip
async def test_abbreviations_and_english_words_find_the_vietnamese_listings(
    demo_client: httpx.AsyncClient, typed: str, category: str
) -> None:
    page = await search(demo_client, q=typed)
    assert page["total"] > 0
    assert category in page["items"][0]["categories"]


@pytest.mark.parametrize("typed", ["lhpn", "hlhpn", "Hội LHPN"])
async def test_womens_union_abbreviations_find_its_listings(demo_client: httpx.AsyncClient, typed: str) -> None:
    page = await search(demo_client, q=typed)
    assert page["total"] >= 34
    assert all("Phụ nữ" in item["organization"]["name"] or "LHPN" in item["organization"]["name"]
               for item in page["items"][:3])  # fmt: skip


async def test_no_search_waits_for_the_vocabulary(demo_app: Litestar) -> None:
    backend = PostgresSearch(demo_app.state.pool)
    # the first search starts reading the directory's words and answers at once, correcting nothing
    first = await backend.search(SearchQuery(text="tam lahn"))
    assert first.did_you_mean is None and first.total == 0
    await backend.read_vocabulary()
    assert (await backend.search(SearchQuery(text="tam lahn"))).did_you_mean == "tạm lánh"
    await backend.stop_reading()
