"""MeiliSearch against a real Meilisearch server: indexing, text with and without diacritics, filters,
facets, deletes and the rebuild swap. Runs only when KETNOI_MEILI_URL names a server (for example
``docker run -p 7700:7700 -e MEILI_MASTER_KEY=key getmeili/meilisearch:v1.16`` with
``KETNOI_MEILI_URL=http://localhost:7700 KETNOI_MEILI_KEY=key``). Each test uses its own index uid."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from search.documents import SearchDocument
from search.meili import MeiliSearch
from search.protocol import SearchQuery, Sort, Viewer

pytestmark = pytest.mark.skipif(
    not os.environ.get("KETNOI_MEILI_URL"),
    reason="no Meilisearch server: set KETNOI_MEILI_URL (and KETNOI_MEILI_KEY) to run these",
)

ORG_A = uuid.uuid4()
ORG_B = uuid.uuid4()
SHELTER = uuid.uuid4()
LEGAL = uuid.uuid4()
STAFF_ONLY = uuid.uuid4()
CLOSED = uuid.uuid4()


def make_doc(service_id: uuid.UUID, **changes: Any) -> SearchDocument:
    fields: dict[str, Any] = {
        "service_id": service_id,
        "organization_id": ORG_A,
        "visibility": "public",
        "status": "active",
        "name": "Ngôi Nhà Bình Yên",
        "organization_name": "Hội Liên hiệp Phụ nữ",
        "description": "Nhà tạm lánh cho phụ nữ và trẻ em",
        "categories": ["shelter"],
        "category_labels": ["Nhà tạm lánh", "Shelter"],
        "populations": ["women"],
        "population_labels": ["Phụ nữ", "Women"],
        "provinces": ["01"],
        "place_names": ["Hà Nội"],
        "languages": ["vi"],
        "fee": "free",
        "hotlines": ["1900 969 680"],
        "hotline_labels": ["đường dây nóng", "hotline"],
        "accepting_referrals": True,
        "capacity_available": 2,
        "always_open": False,
        "open_week": [(480, 1020)],
        "public_points": [(21.03, 105.85)],
        "staff_points": [(21.0312, 105.8523)],
        "last_verified_at": None,
        "updated_at": datetime(2026, 3, 1, tzinfo=UTC),
    }
    fields.update(changes)
    return SearchDocument(**fields)


DOCS = [
    make_doc(SHELTER),
    make_doc(
        LEGAL,
        name="Trung tâm Trợ giúp pháp lý",
        description="Legal aid for survivors",
        categories=["legal"],
        category_labels=["Trợ giúp pháp lý", "Legal aid"],
        provinces=["national"],
        place_names=[],
        fee="low",
        capacity_available=None,
        always_open=True,
        open_week=[],
        public_points=[(10.77, 106.70)],
        updated_at=datetime(2026, 4, 1, tzinfo=UTC),
    ),
    make_doc(STAFF_ONLY, organization_id=ORG_B, visibility="staff", name="Nhà an toàn Bình Minh"),
    make_doc(CLOSED, status="inactive", name="Nhà Bình Yên cũ"),
]


@pytest.fixture
async def backend() -> AsyncIterator[MeiliSearch]:
    uid = f"ketnoi_test_{uuid.uuid4().hex[:12]}"
    meili = MeiliSearch(
        os.environ["KETNOI_MEILI_URL"],
        os.environ.get("KETNOI_MEILI_KEY"),
        index_uid=uid,
        synonyms={"Hà Nội": ["Hà Tây"]},
    )
    await meili.setup()
    await meili.index(DOCS)
    try:
        yield meili
    finally:
        client = meili._client
        await client.delete_index_if_exists(uid)
        await client.delete_index_if_exists(f"{uid}_new")
        await meili.aclose()


def ids(result: Any) -> set[uuid.UUID]:
    return {hit.service_id for hit in result.hits}


async def test_ping(backend: MeiliSearch) -> None:
    assert await backend.ping() is True


async def test_text_with_and_without_diacritics(backend: MeiliSearch) -> None:
    assert ids(await backend.search(SearchQuery(text="Bình Yên"))) == {SHELTER}
    assert ids(await backend.search(SearchQuery(text="binh yen"))) == {SHELTER}
    assert SHELTER in ids(await backend.search(SearchQuery(text="tam lanh")))
    assert SHELTER in ids(await backend.search(SearchQuery(text="shelter")))
    assert LEGAL in ids(await backend.search(SearchQuery(text="legal aid")))
    assert SHELTER in ids(await backend.search(SearchQuery(text="Hà Tây")))  # caller synonym


async def test_visibility_and_status(backend: MeiliSearch) -> None:
    assert ids(await backend.search(SearchQuery())) == {SHELTER, LEGAL}
    partner = Viewer(organization_id=ORG_B)
    assert ids(await backend.search(SearchQuery(viewer=partner))) == {SHELTER, LEGAL, STAFF_ONLY}
    staff = Viewer(sees_restricted=True)
    assert ids(await backend.search(SearchQuery(viewer=staff))) == {SHELTER, LEGAL, STAFF_ONLY}


async def test_filters(backend: MeiliSearch) -> None:
    assert ids(await backend.search(SearchQuery(categories=("legal",)))) == {LEGAL}
    assert ids(await backend.search(SearchQuery(provinces=("79",)))) == {LEGAL}  # national
    assert ids(await backend.search(SearchQuery(fee="free"))) == {SHELTER}
    assert ids(await backend.search(SearchQuery(has_capacity=True))) == {SHELTER}
    assert ids(await backend.search(SearchQuery(has_capacity=False))) == {LEGAL}
    assert ids(await backend.search(SearchQuery(open_at_minute=300))) == {LEGAL}  # only always_open
    assert ids(await backend.search(SearchQuery(open_at_minute=600))) == {SHELTER, LEGAL}
    assert ids(await backend.search(SearchQuery(categories=('x" OR visibility = "staff',)))) == set()
    near_hanoi = await backend.search(SearchQuery(near=(21.0, 105.8), radius_km=20, sort=Sort.DISTANCE))
    assert ids(near_hanoi) == {SHELTER}
    assert near_hanoi.hits[0].distance_km is not None and near_hanoi.hits[0].distance_km < 20


async def test_facets_totals_and_sort(backend: MeiliSearch) -> None:
    result = await backend.search(SearchQuery(sort=Sort.UPDATED, per_page=1))
    assert result.total == 2
    assert [hit.service_id for hit in result.hits] == [LEGAL]
    assert result.facets["category"] == {"legal": 1, "shelter": 1}
    assert result.facets["province"] == {"01": 1, "national": 1}
    assert result.facets["population"] == {"women": 2}


async def test_delete(backend: MeiliSearch) -> None:
    await backend.delete([SHELTER])
    assert ids(await backend.search(SearchQuery())) == {LEGAL}


async def test_rebuild_swaps_in_a_fresh_index(backend: MeiliSearch) -> None:
    replacement = make_doc(uuid.uuid4(), name="Mái Ấm Hoa Sen")
    await backend.rebuild([[replacement], [DOCS[1]]])
    assert ids(await backend.search(SearchQuery())) == {replacement.service_id, LEGAL}
    assert ids(await backend.search(SearchQuery(text="hoa sen"))) == {replacement.service_id}
    assert await backend._client.get_raw_index(f"{backend.index_uid}_new") is None
