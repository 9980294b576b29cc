"""The Meilisearch index's settings: which attributes are searched, filtered and sorted, the
ranking rules, the typos forgiven, and the synonym groups (``search.synonyms``, the table
PostgresSearch expands queries with, and the caller's place names). Pure functions, as
Meilisearch's JSON; ``search.meili`` sends them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from search.spelling import LONG_WORD
from search.synonyms import GROUPS
from search.text import fold

# Numbers as whole digits ("1900969680"), first: the "attribute" rule then ranks the listing one
# reaches on a searched number above those that only mention it. "hotlines" as written
# ("0299 555 111") is not searched, or "111" would find every number with a 111 in it.
SEARCHABLE = [
    "hotline_numbers",
    "name",
    "alternate_name",
    "organization_name",
    "category_labels",
    "population_labels",
    "place_names",
    "hotline_labels",
    "description",
    "eligibility",
]

FILTERABLE = [
    "visibility",
    "organization_id",
    "status",
    "categories",
    "provinces",
    "populations",
    "languages",
    "fee",
    "accepting_referrals",
    "capacity_available",
    "always_open",
    "open_slots",
    "updated_at",
    "_geo",
]

SORTABLE = ["_geo", "updated_at"]

# "sort" right after "words": a distance or date order decides among listings matching every word,
# while relevance (no sort parameter) falls through to typo/proximity/attribute/exactness.
RANKING_RULES = ["words", "sort", "typo", "proximity", "attribute", "exactness"]

# Typos Meilisearch forgives, as PostgresSearch corrects slips (``search.spelling``): one in a word of
# five letters or more, never two.
MIN_WORD_SIZE_FOR_TYPOS = {"oneTypo": LONG_WORD, "twoTypos": 255}


def merge_synonyms(groups: Iterable[Iterable[str]]) -> dict[str, list[str]]:
    """Meilisearch's synonym map from groups of equivalent terms: every term (lower-cased, and also
    without diacritics) maps to all the others. Groups sharing a term are merged."""
    merged: list[set[str]] = []
    for group in groups:
        terms = {variant for term in group if term.strip() for variant in _variants(term)}
        if not terms:
            continue
        overlapping = [existing for existing in merged if existing & terms]
        for existing in overlapping:
            terms |= existing
            merged.remove(existing)
        merged.append(terms)
    return {term: sorted(group - {term}) for group in merged for term in sorted(group) if len(group) > 1}


def _variants(term: str) -> set[str]:
    spelled = " ".join(term.lower().split())
    return {spelled, " ".join(fold(spelled).split())}


def index_settings(synonyms: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    """The index settings, as Meilisearch's JSON (camelCase).

    ``synonyms``: extra groups from the caller, such as former ⇄ current province names; each key and
    its values become synonyms of one another, merged with the service words of ``search.synonyms``.
    """
    groups: list[Sequence[str]] = list(GROUPS)
    for key, values in (synonyms or {}).items():
        groups.append([key, *values])
    return {
        "searchableAttributes": list(SEARCHABLE),
        "filterableAttributes": list(FILTERABLE),
        "sortableAttributes": list(SORTABLE),
        "displayedAttributes": ["*"],  # documents hold nothing confidential (see to_meili_document)
        "rankingRules": list(RANKING_RULES),
        "localizedAttributes": [
            {"locales": ["vie"], "attributePatterns": ["place_names"]},
            {
                "locales": ["vie", "eng"],
                "attributePatterns": [
                    "name",
                    "alternate_name",
                    "organization_name",
                    "category_labels",
                    "population_labels",
                    "hotline_labels",
                    "description",
                    "eligibility",
                ],
            },
        ],
        "faceting": {"maxValuesPerFacet": 300},
        "pagination": {"maxTotalHits": 10000},
        "synonyms": merge_synonyms(groups),
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": dict(MIN_WORD_SIZE_FOR_TYPOS),
            "disableOnAttributes": ["hotline_numbers"],
        },
    }
