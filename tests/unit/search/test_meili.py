"""The Meilisearch mapping: filters are whitelisted and escaped, documents carry nothing confidential,
settings and search bodies are what the server expects, and responses map back to our Structs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from search.documents import SearchDocument
from search.meili import MeiliSearch
from search.meili_documents import open_slots, to_meili_document
from search.meili_queries import build_filter, quote, search_params, to_result
from search.meili_settings import FILTERABLE, index_settings, merge_synonyms
from search.protocol import FACETS, SearchBackend, SearchQuery, Sort, Viewer
from search.synonyms import GROUPS
from service.auth.models import ANONYMOUS
from service.directory.listing_search import SearchParams, build_query
from service.pagination import PageParams
from tests.search_documents import shelter_document

SERVICE = uuid.UUID("11111111-1111-4111-8111-111111111111")
ORG = uuid.UUID("22222222-2222-4222-8222-222222222222")
UPDATED = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)


def make_doc(**changes: Any) -> SearchDocument:
    own: dict[str, Any] = {
        "service_id": SERVICE,
        "organization_id": ORG,
        "organization_name": "Hội LHPN Việt Nam",
        "capacity_available": 3,
        "public_points": [(21.03, 105.85), (21.5, 105.9)],
        "staff_points": [(21.0312345, 105.8523456)],
        "last_verified_at": datetime(2026, 2, 1, tzinfo=UTC),
        "updated_at": UPDATED,
    }
    return shelter_document(**{**own, **changes})


# --- filters --------------------------------------------------------------------------------------


def test_public_viewer_sees_public_listings_only() -> None:
    assert build_filter(SearchQuery()) == 'visibility = "public" AND status != "inactive"'


def test_partner_viewer_also_sees_own_organization() -> None:
    query = SearchQuery(viewer=Viewer(organization_id=ORG))
    assert build_filter(query).startswith(f'(visibility = "public" OR organization_id = "{ORG}") AND ')


def test_staff_viewer_sees_everything_but_inactive() -> None:
    assert build_filter(SearchQuery(viewer=Viewer(sees_restricted=True))) == 'status != "inactive"'


@pytest.mark.parametrize(
    ("query", "clause"),
    [
        (SearchQuery(categories=("shelter", "legal")), 'categories IN ["shelter", "legal"]'),
        (SearchQuery(provinces=("79",)), 'provinces IN ["79", "national"]'),
        (SearchQuery(provinces=("national",)), 'provinces IN ["national"]'),
        (SearchQuery(populations=("women",)), 'populations IN ["women"]'),
        (SearchQuery(language="en"), 'languages = "en"'),
        (SearchQuery(fee="free"), 'fee = "free"'),
        (SearchQuery(open_at_minute=0), "(always_open = true OR open_slots = 0)"),
        (SearchQuery(open_at_minute=600), "(always_open = true OR open_slots = 40)"),
        (SearchQuery(accepting_referrals=True), "accepting_referrals = true"),
        (SearchQuery(accepting_referrals=False), "accepting_referrals = false"),
        (SearchQuery(has_capacity=True), "capacity_available > 0"),
        (
            SearchQuery(has_capacity=False),
            "(capacity_available IS NULL OR capacity_available NOT EXISTS OR capacity_available = 0)",
        ),
        (SearchQuery(near=(10.77, 106.7), radius_km=5), "_geoRadius(10.77, 106.7, 5000.0)"),
        (SearchQuery(organization_ids=(ORG,)), f'organization_id IN ["{ORG}"]'),
        (SearchQuery(organization_ids=(ORG, SERVICE)), f'organization_id IN ["{ORG}", "{SERVICE}"]'),
        (SearchQuery(modified_after=UPDATED), "updated_at > 1772353800.0"),
    ],
)
def test_each_filter(query: SearchQuery, clause: str) -> None:
    built = build_filter(query)
    assert built.startswith('visibility = "public" AND status != "inactive" AND ')
    assert built.endswith(clause)


def test_organization_filter_narrows_what_a_partner_may_see() -> None:
    other = uuid.uuid4()
    built = build_filter(SearchQuery(viewer=Viewer(organization_id=ORG), organization_ids=(other,)))
    assert built == (
        f'(visibility = "public" OR organization_id = "{ORG}") AND status != "inactive"'
        f' AND organization_id IN ["{other}"]'
    )


def test_naive_modified_after_is_utc() -> None:
    naive = build_filter(SearchQuery(modified_after=UPDATED.replace(tzinfo=None)))
    assert naive == build_filter(SearchQuery(modified_after=UPDATED))


def test_modified_after_is_strictly_after_the_stored_timestamp() -> None:
    cutoff = datetime(2026, 3, 1, 8, 30, 15, 123457, tzinfo=UTC)
    bound = float(build_filter(SearchQuery(modified_after=cutoff)).rsplit("updated_at > ", 1)[1])
    for microseconds, found in ((-1, False), (0, False), (1, True)):
        stored = to_meili_document(make_doc(updated_at=cutoff + timedelta(microseconds=microseconds)))["updated_at"]
        assert (stored > bound) is found


def test_near_without_radius_does_not_filter() -> None:
    assert "_geo" not in build_filter(SearchQuery(near=(10.77, 106.7)))


def test_non_finite_coordinates_are_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        build_filter(SearchQuery(near=(float("nan"), 106.7), radius_km=5))


def test_quote_escapes_backslash_and_double_quote() -> None:
    assert quote('a"b') == '"a\\"b"'
    assert quote("a\\b") == '"a\\\\b"'
    assert quote('\\"') == '"\\\\\\""'


def test_injection_attempt_stays_inside_one_string() -> None:
    hostile = 'x" OR visibility = "staff'
    built = build_filter(SearchQuery(categories=(hostile,), fee=hostile, language=hostile))
    assert 'categories IN ["x\\" OR visibility = \\"staff"]' in built
    assert 'fee = "x\\" OR visibility = \\"staff"' in built
    # the only unescaped quotes are the ones this module wrote: every literal is closed where it opened
    assert built.startswith('visibility = "public" AND ')
    for literal in _string_literals(built):
        assert literal in {"public", "inactive", hostile, "national"}


def test_hostile_organization_id_stays_inside_one_string() -> None:
    hostile = 'x" OR visibility = "staff'
    built = build_filter(SearchQuery(organization_ids=(hostile,)))  # type: ignore[arg-type]
    assert built.endswith('organization_id IN ["x\\" OR visibility = \\"staff"]')
    assert _string_literals(built) == ["public", "inactive", hostile]


def test_trailing_backslash_cannot_close_the_string() -> None:
    built = build_filter(SearchQuery(fee='\\" OR status = "inactive'))
    assert _string_literals(built) == ["public", "inactive", '\\" OR status = "inactive']


def _string_literals(text: str) -> list[str]:
    """Decode the double-quoted literals of a filter the way Meilisearch reads them."""
    literals: list[str] = []
    index = 0
    while index < len(text):
        if text[index] != '"':
            index += 1
            continue
        index += 1
        value = []
        while text[index] != '"':
            if text[index] == "\\":
                index += 1
            value.append(text[index])
            index += 1
        literals.append("".join(value))
        index += 1
    return literals


# --- documents ------------------------------------------------------------------------------------


def test_document_carries_the_organizations_confirmation() -> None:
    confirmed = datetime(2026, 6, 1, tzinfo=UTC)
    assert to_meili_document(make_doc(confirmed_at=confirmed))["confirmed_at"] == confirmed.timestamp()
    assert to_meili_document(make_doc())["confirmed_at"] is None


def test_document_has_no_staff_coordinates() -> None:
    document = to_meili_document(make_doc())
    assert "staff_points" not in document
    assert "21.0312345" not in repr(document)
    assert document["_geo"] == {"lat": 21.03, "lng": 105.85}
    assert document["id"] == str(SERVICE)
    assert document["organization_id"] == str(ORG)
    assert document["name"] == "Ngôi Nhà Bình Yên"
    assert document["updated_at"] == UPDATED.timestamp()
    assert set(document) - {"id", "_geo"} <= set(SearchDocument.__struct_fields__) | {"open_slots", "hotline_numbers"}


def test_document_without_public_point_has_no_geo() -> None:
    document = to_meili_document(make_doc(public_points=[]))
    assert "_geo" not in document


def test_open_week_becomes_fifteen_minute_slots() -> None:
    document = to_meili_document(make_doc(open_week=[(480, 540)]))  # Monday 08:00-09:00
    assert document["open_slots"] == [32, 33, 34, 35]
    assert open_slots([(485, 541)]) == [32, 33, 34, 35, 36]  # partial slots count as open
    assert open_slots([(10070, 10096)]) == [0, 1, 671]  # Sunday night into Monday wraps
    assert open_slots([(0, 10080)]) == list(range(672))
    assert open_slots([(100, 100)]) == []


def test_open_at_minute_matches_the_slot_a_document_holds() -> None:
    document = to_meili_document(make_doc(open_week=[(480, 1020)]))
    for minute, expected in ((479, False), (480, True), (1019, True), (1020, False)):
        slot = int(build_filter(SearchQuery(open_at_minute=minute)).rsplit("= ", 1)[1].rstrip(")"))
        assert (slot in document["open_slots"]) is expected


# --- settings -------------------------------------------------------------------------------------


def test_settings_payload() -> None:
    settings = index_settings()
    assert "_geo" in settings["filterableAttributes"]
    assert "_geo" in settings["sortableAttributes"]
    assert "updated_at" in settings["sortableAttributes"]
    assert {"organization_id", "updated_at"} <= set(settings["filterableAttributes"])
    assert settings["filterableAttributes"] == FILTERABLE
    assert settings["searchableAttributes"][:4] == ["hotline_numbers", "name", "alternate_name", "organization_name"]
    assert settings["searchableAttributes"][-2:] == ["description", "eligibility"]
    locales = {locale for rule in settings["localizedAttributes"] for locale in rule["locales"]}
    assert locales == {"vie", "eng"}
    assert settings["typoTolerance"]["enabled"] is True
    assert "sort" in settings["rankingRules"]
    for facet in ("categories", "provinces", "populations"):
        assert facet in settings["filterableAttributes"]


def test_numbers_are_searched_whole_and_first() -> None:
    settings = index_settings()
    # the spaced form would let "111" find "0299 555 111"; the digits rank a number's own listing first
    assert "hotlines" not in settings["searchableAttributes"]
    assert settings["searchableAttributes"][0] == "hotline_numbers"
    assert settings["typoTolerance"]["disableOnAttributes"] == ["hotline_numbers"]
    document = to_meili_document(make_doc(hotlines=["1900 969 680", "+84 377 672 444"]))
    assert document["hotline_numbers"] == ["1900969680", "0377672444"]
    assert document["hotlines"] == ["1900 969 680", "+84 377 672 444"]  # shown as written


@pytest.mark.parametrize(
    ("typed", "sent"),
    [("111", '"111"'), ("1900 969 680", '"1900969680"'), ("+84 377-672-444", '"0377672444"'),
     ("duong day nong 111", "duong day nong 111"), ("11", "11"), ("tam lanh", "tam lanh")],
)  # fmt: skip
def test_a_number_is_searched_as_one_exact_phrase(typed: str, sent: str) -> None:
    assert search_params(SearchQuery(text=typed))["q"] == sent


def test_settings_validate_as_sdk_model() -> None:
    from meilisearch_python_sdk.models.settings import MeilisearchSettings

    model = MeilisearchSettings.model_validate(index_settings({"Hòa Bình": ["Hoà Bình"]}))
    assert model.localized_attributes is not None
    assert model.sortable_attributes == ["_geo", "updated_at"]


def test_built_in_synonyms_go_both_ways() -> None:
    synonyms = index_settings()["synonyms"]
    assert "shelter" in synonyms["nhà tạm lánh"]
    assert "nhà tạm lánh" in synonyms["shelter"]
    assert "tạm lánh" in synonyms["tam lanh"]
    assert "hotline" in synonyms["đường dây nóng"]
    assert "legal aid" in synonyms["trợ giúp pháp lý"]


def test_the_synonym_table_is_the_one_postgres_expands_queries_with() -> None:
    synonyms = index_settings()["synonyms"]
    for group in GROUPS:
        first, *others = (" ".join(term.lower().split()) for term in group)
        assert set(others) <= set(synonyms[first])
    spelled_out = {"tgpl": "trợ giúp pháp lý", "ctxh": "công tác xã hội", "lhpn": "hội phụ nữ",
                   "hlhpn": "hội liên hiệp phụ nữ", "osso": "hỗ trợ một cửa", "bhyt": "bảo hiểm y tế",
                   "cccd": "căn cước công dân", "job": "việc làm"}  # fmt: skip
    for abbreviation, spelled in spelled_out.items():
        assert spelled in synonyms[abbreviation]


def test_one_typo_in_words_of_five_letters_or_more_never_two() -> None:
    tolerance = index_settings()["typoTolerance"]
    assert tolerance["minWordSizeForTypos"] == {"oneTypo": 5, "twoTypos": 255}


def test_a_place_named_in_the_words_is_a_province_filter_with_national_services() -> None:
    query = build_query(SearchParams(q="viec lam ha noi"), PageParams(1, 20), ANONYMOUS, datetime.now(UTC))
    assert search_params(query)["q"] == "viec lam"
    assert 'provinces IN ["01", "national"]' in search_params(query)["filter"]


def test_caller_synonyms_are_merged() -> None:
    synonyms = index_settings(
        {"Hồ Chí Minh": ["TP.HCM", "Sài Gòn"], "Sài Gòn": ["Thành phố Hồ Chí Minh"], "Hà Tây": ["Hà Nội"]}
    )["synonyms"]
    assert "thành phố hồ chí minh" in synonyms["tp.hcm"]  # groups sharing a name are joined
    assert "tp.hcm" in synonyms["thanh pho ho chi minh"]
    assert synonyms["hà tây"] == ["ha noi", "ha tay", "hà nội"]
    assert "shelter" in synonyms["nhà tạm lánh"]  # built-ins kept


def test_merge_synonyms_joins_groups_sharing_a_term() -> None:
    merged = merge_synonyms([["a", "b"], ["c", "d"], ["b", "c"], [" "], ["lonely"]])
    assert merged["a"] == ["b", "c", "d"]
    assert "lonely" not in merged


# --- search parameters ----------------------------------------------------------------------------


def test_search_params_relevance() -> None:
    params = search_params(SearchQuery(text="tam lanh", page=2, per_page=10))
    assert params["q"] == "tam lanh"
    assert params["filter"] == 'visibility = "public" AND status != "inactive"'
    assert params["facets"] == ["categories", "provinces", "populations"]
    assert (params["page"], params["hitsPerPage"]) == (2, 10)
    assert params["matchingStrategy"] == "all"
    assert "sort" not in params
    assert "description" not in params["attributesToRetrieve"]


def test_search_params_distance() -> None:
    params = search_params(SearchQuery(near=(10.77, 106.7), radius_km=3, sort=Sort.DISTANCE))
    assert params["sort"] == ["_geoPoint(10.77, 106.7):asc"]
    assert params["filter"].endswith("_geoRadius(10.77, 106.7, 3000.0)")


def test_search_params_distance_without_point_is_relevance() -> None:
    assert "sort" not in search_params(SearchQuery(sort=Sort.DISTANCE))


def test_search_params_updated() -> None:
    assert search_params(SearchQuery(sort=Sort.UPDATED))["sort"] == ["updated_at:desc"]


# --- results --------------------------------------------------------------------------------------

RESPONSE: dict[str, Any] = {
    "hits": [
        {
            "id": str(SERVICE),
            "name": "Ngôi Nhà Bình Yên",
            "organization_id": str(ORG),
            "organization_name": "Hội LHPN Việt Nam",
            "categories": ["shelter"],
            "populations": ["women"],
            "provinces": ["01"],
            "hotlines": ["1900 969 680"],
            "accepting_referrals": True,
            "capacity_available": 3,
            "last_verified_at": datetime(2026, 2, 1, tzinfo=UTC).timestamp(),
            "confirmed_at": datetime(2026, 6, 1, tzinfo=UTC).timestamp(),
            "updated_at": UPDATED.timestamp(),
            "_geo": {"lat": 21.03, "lng": 105.85},
            "_geoDistance": 1534,
        },
        {
            "id": "33333333-3333-4333-8333-333333333333",
            "name": "Legal aid centre",
            "organization_id": str(ORG),
            "organization_name": "Hội LHPN Việt Nam",
            "categories": ["legal"],
            "populations": [],
            "provinces": ["national"],
            "hotlines": [],
            "accepting_referrals": False,
            "capacity_available": None,
            "last_verified_at": None,
            "updated_at": UPDATED.timestamp(),
        },
    ],
    "query": "",
    "processingTimeMs": 1,
    "hitsPerPage": 20,
    "page": 1,
    "totalPages": 1,
    "totalHits": 2,
    "facetDistribution": {
        "categories": {"legal": 1, "shelter": 1},
        "provinces": {"01": 1, "national": 1},
    },
    "facetStats": {},
}


def test_to_result_maps_hits_facets_and_total() -> None:
    result = to_result(RESPONSE, 3.5)
    assert result.total == 2
    assert result.took_ms == 3.5
    assert set(result.facets) == set(FACETS)
    assert result.facets["category"] == {"legal": 1, "shelter": 1}
    assert result.facets["province"] == {"01": 1, "national": 1}
    assert result.facets["population"] == {}
    first, second = result.hits
    assert first.service_id == SERVICE
    assert first.organization_id == ORG
    assert first.distance_km == 1.534
    assert first.updated_at == UPDATED
    assert first.last_verified_at == datetime(2026, 2, 1, tzinfo=UTC)
    assert first.confirmed_at == datetime(2026, 6, 1, tzinfo=UTC)  # a partner's "still right" keeps it fresh
    assert second.confirmed_at is None
    assert second.distance_km is None
    assert second.capacity_available is None
    assert second.last_verified_at is None


def test_to_result_works_out_distance_from_geo_when_not_sorted_by_it() -> None:
    response = {**RESPONSE, "hits": [{k: v for k, v in RESPONSE["hits"][0].items() if k != "_geoDistance"}]}
    (hit,) = to_result(response, 1.0, near=(21.03, 105.85)).hits
    assert hit.distance_km == 0.0


def test_to_result_falls_back_to_estimated_total() -> None:
    response = {"hits": [], "estimatedTotalHits": 7}
    result = to_result(response, 0.0)
    assert result.total == 7
    assert result.facets == {facet: {} for facet in FACETS}


# --- the backend, against a stand-in client -------------------------------------------------------


class _Task:
    task_uid = 1


class _FakeIndex:
    def __init__(self, client: _FakeClient, uid: str) -> None:
        self.client, self.uid = client, uid

    async def add_documents(self, documents: list[dict[str, Any]], primary_key: str | None = None) -> _Task:
        self.client.calls.append(("add", self.uid, documents))
        return _Task()

    async def delete_documents(self, ids: list[str]) -> _Task:
        self.client.calls.append(("delete", self.uid, ids))
        return _Task()

    async def update_settings(self, body: Any) -> _Task:
        self.client.calls.append(("settings", self.uid, body))
        return _Task()


class _FakeClient:
    def __init__(self, *, healthy: bool = True) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        self.healthy = healthy
        self.indexes = {"services"}

    def index(self, uid: str) -> _FakeIndex:
        return _FakeIndex(self, uid)

    async def wait_for_task(self, task_id: int, **kwargs: Any) -> None:
        assert kwargs["raise_for_status"] is True
        self.calls.append(("wait", "", task_id))

    async def get_raw_index(self, uid: str) -> object | None:
        return object() if uid in self.indexes else None

    async def create_index(self, uid: str, **kwargs: Any) -> None:
        self.indexes.add(uid)
        self.calls.append(("create", uid, kwargs["primary_key"]))

    async def delete_index_if_exists(self, uid: str) -> bool:
        self.calls.append(("drop", uid, None))
        return uid in self.indexes

    async def swap_indexes(self, pairs: list[tuple[str, str]]) -> _Task:
        self.calls.append(("swap", "", pairs))
        return _Task()

    async def health(self) -> Any:
        if not self.healthy:
            raise ConnectionError("down")
        return type("Health", (), {"status": "available"})()


def test_backend_satisfies_protocol() -> None:
    assert isinstance(MeiliSearch("http://localhost:7700", client=_FakeClient()), SearchBackend)


async def test_index_and_delete_wait_for_their_tasks() -> None:
    client = _FakeClient()
    backend = MeiliSearch("http://x", client=client)
    await backend.index([make_doc()])
    await backend.delete([SERVICE])
    await backend.index([])
    assert [call[0] for call in client.calls] == ["add", "wait", "delete", "wait"]
    assert client.calls[2][2] == [str(SERVICE)]


async def test_ping_is_false_on_error() -> None:
    assert await MeiliSearch("http://x", client=_FakeClient()).ping() is True
    assert await MeiliSearch("http://x", client=_FakeClient(healthy=False)).ping() is False


async def test_rebuild_loads_a_fresh_index_then_swaps() -> None:
    client = _FakeClient()
    backend = MeiliSearch("http://x", client=client)

    async def batches() -> Any:
        yield [make_doc()]
        yield [make_doc(service_id=uuid.uuid4())]

    await backend.rebuild(batches())
    kinds = [(kind, uid) for kind, uid, _ in client.calls if kind != "wait"]
    assert kinds == [
        ("drop", "services_new"),
        ("create", "services_new"),
        ("settings", "services_new"),
        ("add", "services_new"),
        ("add", "services_new"),
        ("swap", ""),
        ("drop", "services_new"),
    ]
    assert ("swap", "", [("services", "services_new")]) in client.calls
