"""The mixed search query set, shared by the HTTP load (as URL paths) and the database floor (as
the exact SQL the service would run, built by the service's own ``build_query`` and
``build_search_sql``), so both sides of each ratio send the same searches.

What a caseworker types: with and without diacritics, a word still being typed, whole listing
names, filters (category, province by current or former name, population, language, fee, open
now, accepting referrals, beds free), distance around a point, and later result pages. Every
answer carries facet counts: the API has no switch to leave them out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from search.postgres_query import build_search_sql
from search.protocol import SearchQuery, Sort
from service.auth.models import ANONYMOUS
from service.directory.listing_search import build_query, search_params
from service.directory.models import Fee, Population
from service.pagination import page_params

Params = dict[str, str | list[str]]

QUERIES: list[Params] = [
    {"q": "nhà tạm lánh"},
    {"q": "nha tam lanh"},
    {"q": "tam"},
    {"q": "tư vấn tâm lý", "province": "Cần Thơ"},
    {"q": "tu van tam ly", "province": "Sóc Trăng"},
    {"q": "duong day nong", "open_now": "true"},
    {"q": "trợ giúp pháp lý", "category": "legal_aid"},
    {"q": "hoc nghe", "population": "returnee_migrant"},
    {"near": "10.03,105.78", "radius_km": "20", "sort": "distance"},
    {"q": "binh yen", "near": "21.03,105.85", "radius_km": "50"},
    {"category": "shelter", "has_capacity": "true", "province": "Hà Nội"},
    {"q": "viec lam", "province": ["Đà Nẵng", "Quảng Nam"]},
    {"q": "phụ nữ", "accepting_referrals": "true"},
    {"q": "ho tro"},
    {"q": "Hỗ trợ nạn nhân bị mua bán người"},
    {"q": "bao ve tre em", "category": "child_protection"},
    {"q": "vay von", "fee": "free"},
    {"q": "tu van", "language": "km"},
    {},
    {"q": "nha tam lanh", "page": "3"},
    {"q": "Đường dây nóng tư vấn Hòa Bình"},
    {"q": "cham soc suc k"},
]


# What the search has to understand before it searches (issue 17): a province named in the words
# (current, former or short name), slips, abbreviations and English words. Measured on their own at
# c=1, so the cost of understanding shows next to the mixed set's.
UNDERSTOOD: list[Params] = [
    {"q": "viec lam ha noi"},
    {"q": "tgpl tp hcm"},
    {"q": "tam lanh sai gon"},
    {"q": "tu van tam ly soc trang"},
    {"q": "nha tam lanh đà nẵng"},
    {"q": "tam lahn"},
    {"q": "trogiup phap ly"},
    {"q": "phap lyy"},
    {"q": "benh vein hn"},
    {"q": "cccd"},
    {"q": "ctxh"},
    {"q": "lhpn can tho"},
    {"q": "legal aid"},
    {"q": "shelter hue"},
    {"q": "job"},
    {"q": "1900 969 680"},
]


def path(params: Params, base: str = "/api/v1/services") -> str:
    return f"{base}?{urlencode(params, doseq=True)}" if params else base


def search_query(params: Params, now: datetime | None = None) -> SearchQuery:
    """The backend query the service builds for these parameters, as the public (no token)."""

    def one(name: str) -> str | None:
        value = params.get(name)
        return value if isinstance(value, str) else None

    def many(name: str) -> list[str] | None:
        value = params.get(name)
        return [value] if isinstance(value, str) else value

    def flag(name: str) -> bool | None:
        value = one(name)
        return None if value is None else value == "true"

    fee = one("fee")
    radius = one("radius_km")
    search = search_params(
        q=one("q") or "",
        category=many("category"),
        province=many("province"),
        population=[Population(p) for p in many("population") or []] or None,
        language=one("language"),
        fee=Fee(fee) if fee else None,
        open_now=flag("open_now"),
        accepting_referrals=flag("accepting_referrals"),
        has_capacity=flag("has_capacity"),
        near=one("near"),
        radius_km=float(radius) if radius else None,
        sort=Sort(one("sort") or "relevance"),
    )
    paging = page_params(page=int(one("page") or 1))
    return build_query(search, paging, ANONYMOUS, now or datetime.now(UTC))


def statements() -> list[tuple[str, list[object]]]:
    """The SQL (and bind parameters) of every query in the set, as the service would send it."""
    return [build_search_sql(search_query(params)) for params in QUERIES]
