"""The search document: one listing flattened for indexing, holding nothing a public hit may not show
(apart from ``staff_points``, which backends use only for viewers allowed exact coordinates)."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from search.text import number_digits


class SearchDocument(msgspec.Struct, frozen=True, kw_only=True):
    service_id: uuid.UUID
    organization_id: uuid.UUID
    visibility: str
    status: str
    name: str
    alternate_name: str = ""
    organization_name: str
    description: str = ""
    eligibility: str = ""
    categories: list[str]
    category_labels: list[str]
    populations: list[str]
    population_labels: list[str]
    provinces: list[str]
    place_names: list[str]
    languages: list[str]
    fee: str
    hotlines: list[str]
    hotline_labels: list[str] = []  # "đường dây nóng", "hotline" when the listing has one
    accepting_referrals: bool
    capacity_available: int | None
    always_open: bool
    open_week: list[tuple[int, int]]  # [start, end) minutes of the week, local time
    public_points: list[tuple[float, float]]
    staff_points: list[tuple[float, float]]
    last_verified_at: datetime | None
    confirmed_at: datetime | None = None  # the organization's own "still right"
    updated_at: datetime

    def name_text(self) -> list[tuple[str, str]]:
        """The names, weighted for ranking: the listing's own first, then its organization's."""
        return [(self.name, "A"), (self.alternate_name, "A"), (self.organization_name, "B")]

    def hotline_numbers(self) -> list[str]:
        """Each contact number as its digits alone: what a searched number must equal."""
        return [number_digits(h) for h in self.hotlines]

    def all_text(self) -> list[str]:
        """Everything a search may match: names, kinds, places, numbers and prose."""
        return [
            *(text for text, _ in self.name_text()),
            *self.category_labels,
            *self.population_labels,
            *self.hotline_labels,
            # a number is one word of its digits, so a search for "111" never finds "0299 555 111"
            " ".join(self.hotline_numbers()),
            " ".join(self.place_names),
            self.description,
            self.eligibility,
        ]
