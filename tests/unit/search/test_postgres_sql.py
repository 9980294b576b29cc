"""The search statement: every value is a bind parameter and filters map to the right clauses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from search.documents import SearchDocument
from search.postgres_documents import document_row
from search.postgres_query import Sampling, build_search_sql
from search.protocol import SearchQuery, Sort, Viewer


def test_text_and_filters_are_bound_not_inlined() -> None:
    hostile = "x'); DROP TABLE service; --"
    statement, args = build_search_sql(
        SearchQuery(text=hostile, categories=(hostile,), provinces=("92",), language="vi", fee="free")
    )
    assert "DROP TABLE" not in statement
    assert [hostile] in args
    assert ["92", "national"] in args


def test_organization_and_modified_after_are_bound_parameters() -> None:
    orgs = (uuid.uuid4(), uuid.uuid4())
    after = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    statement, args = build_search_sql(SearchQuery(organization_ids=orgs, modified_after=after))
    assert f"d.organization_id = ANY(${args.index(list(orgs)) + 1}::uuid[])" in statement
    assert f"d.updated_at > ${args.index(after) + 1}::timestamptz" in statement
    assert str(orgs[0]) not in statement and "2026" not in statement


def test_naive_modified_after_is_bound_as_utc() -> None:
    _, args = build_search_sql(SearchQuery(modified_after=datetime(2026, 3, 1, 8, 30)))
    assert datetime(2026, 3, 1, 8, 30, tzinfo=UTC) in args
    assert all(arg.tzinfo is not None for arg in args if isinstance(arg, datetime))


def test_no_organization_or_time_clause_unless_asked() -> None:
    statement, _ = build_search_sql(SearchQuery())
    assert "d.organization_id = ANY" not in statement
    assert "d.updated_at >" not in statement


def test_public_viewer_sees_public_listings_only() -> None:
    statement, _ = build_search_sql(SearchQuery())
    assert "d.visibility = 'public'" in statement


def test_partner_viewer_also_sees_own_organization() -> None:
    org = uuid.uuid4()
    statement, args = build_search_sql(SearchQuery(viewer=Viewer(organization_id=org)))
    assert "d.organization_id = $1" in statement
    assert args[0] == org


def test_staff_viewer_has_no_visibility_clause_and_uses_exact_points() -> None:
    statement, _ = build_search_sql(SearchQuery(viewer=Viewer(sees_restricted=True), near=(10.0, 105.0)))
    assert "visibility" not in statement
    assert "staff_lat" in statement


def test_public_distance_uses_public_points() -> None:
    statement, _ = build_search_sql(SearchQuery(near=(10.0, 105.0), radius_km=5, sort=Sort.DISTANCE))
    assert "public_lat" in statement and "staff_lat" not in statement
    assert "distance_km <= $" in statement


def test_document_row_builds_multirange_and_terms_literals() -> None:
    doc = SearchDocument(
        service_id=uuid.uuid4(),
        organization_id=uuid.uuid4(),
        visibility="public",
        status="active",
        name="Ngôi Nhà Bình Yên",
        organization_name="CWD",
        categories=["shelter"],
        category_labels=["Nhà tạm lánh", "Shelter"],
        populations=[],
        population_labels=[],
        provinces=["92"],
        place_names=["Cần Thơ"],
        languages=["vi"],
        fee="free",
        hotlines=["1900 969 680"],
        accepting_referrals=True,
        capacity_available=3,
        always_open=False,
        open_week=[(450, 690), (810, 1020)],
        public_points=[(10.0, 105.7)],
        staff_points=[(10.03, 105.78)],
        last_verified_at=None,
        updated_at=datetime.now(UTC),
    )
    row = document_row(doc)
    assert "{[450,690),[810,1020)}" in row
    match, rank, public_box, staff_box = row[-4:]
    assert public_box == "((10.0,105.7),(10.0,105.7))"
    assert staff_box == "((10.03,105.78),(10.03,105.78))"
    assert isinstance(match, str) and isinstance(rank, str)
    assert "'1900969680'" in match and "'can'" in match
    assert "'binh_yen':" in rank


def test_radius_box_holds_every_point_within_the_radius() -> None:
    from search.postgres_query import radius_box
    from service.places import distance_km

    center = (10.0452, 105.7469)
    box = radius_box(center, 30)
    (north, east), (south, west) = (
        tuple(map(float, corner.strip("()").split(","))) for corner in box[1:-1].split("),(")
    )
    for bearing_point in [(north, center[1]), (south, center[1]), (center[0], east), (center[0], west)]:
        assert 29.5 < distance_km(center, bearing_point) < 31


def test_a_ranked_search_in_relevance_order_may_answer_from_the_sample_window() -> None:
    statement, args = build_search_sql(SearchQuery(text="ho tro"), Sampling(window=3000, min_hits=150))
    assert "ORDER BY sample_key LIMIT" in statement
    assert 3000 in args and 150 in args
    assert "3000" not in statement and "150" not in statement


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(text="ho tro", sort=Sort.UPDATED),
        SearchQuery(text="ho tro", near=(21.0, 105.8)),
        SearchQuery(text="ho tro", near=(21.0, 105.8), sort=Sort.DISTANCE),
        SearchQuery(text="ho tro", exhaustive=True),
        SearchQuery(categories=("shelter",)),
    ],
    ids=["newest first", "near a point", "nearest first", "exhaustive", "nothing to rank"],
)
def test_other_orders_harvests_and_unranked_lists_never_sample(query: SearchQuery) -> None:
    statement, _ = build_search_sql(query)
    assert "sample_key" not in statement


def test_a_zero_window_never_samples() -> None:
    assert Sampling.of(0).window == 0
    statement, _ = build_search_sql(SearchQuery(text="ho tro"), Sampling.of(0))
    assert "sample_key" not in statement
    assert Sampling.of(3000) == Sampling(window=3000, min_hits=150)


@pytest.mark.parametrize(
    ("typed", "number"), [("111", "111"), ("1900 969 680", "1900969680"), ("+84 377 672 444", "0377672444")]
)
def test_a_number_matches_whole_and_ranks_the_listing_with_that_number_first(typed: str, number: str) -> None:
    statement, args = build_search_sql(SearchQuery(text=typed))
    assert f"'{number}'" in args and f"'{number}':*" not in args  # no prefix: "111" is not "1119…"
    assert "EXISTS (SELECT 1 FROM unnest(d.hotlines) h WHERE" in statement and number in args
    words, _ = build_search_sql(SearchQuery(text="tam lanh"))
    assert "unnest(d.hotlines)" not in words
