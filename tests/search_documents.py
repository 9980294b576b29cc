"""The shelter listing the search backend tests index, unit and against a real server alike: every
field of a SearchDocument set, so each test file names only what its tests tell apart."""

from __future__ import annotations

from typing import Any

from search.documents import SearchDocument


def shelter_document(**fields: Any) -> SearchDocument:
    """A public, active shelter for women in Hà Nội, with ``fields`` (ids, organization, capacity,
    points and dates at least: each test file has its own) set over it."""
    shelter: dict[str, Any] = {
        "visibility": "public",
        "status": "active",
        "name": "Ngôi Nhà Bình Yên",
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
        "always_open": False,
        "open_week": [(480, 1020)],
    }
    return SearchDocument(**{**shelter, **fields})
