"""The fixed taxonomy of service kinds (vi + en), shipped as data and mirrored into its table."""

from __future__ import annotations

from functools import cache
from importlib import resources

import msgspec

from service.db import Connection
from service.directory.models import Population, TaxonomyTerm

# Population codes as caseworkers say them, so a word like "trẻ em" finds services for children.
POPULATION_LABELS: dict[str, tuple[str, str]] = {
    Population.TRAFFICKING_SURVIVOR: ("Nạn nhân bị mua bán", "Trafficking survivor"),
    Population.RETURNEE_MIGRANT: ("Người di cư trở về", "Returnee migrant"),
    Population.GBV_SURVIVOR: ("Nạn nhân bạo lực giới", "Gender-based violence survivor"),
    Population.CHILD: ("Trẻ em", "Child"),
    Population.WOMAN: ("Phụ nữ", "Woman"),
    Population.ETHNIC_MINORITY: ("Dân tộc thiểu số", "Ethnic minority"),
    Population.DISABLED: ("Người khuyết tật", "Person with disability"),
    Population.LGBTQ: ("LGBTQ+", "LGBTQ+"),
    Population.GENERAL: ("Mọi người", "Everyone"),
}


@cache
def terms() -> tuple[TaxonomyTerm, ...]:
    raw = (resources.files("service") / "data" / "taxonomy.json").read_bytes()
    return tuple(msgspec.json.decode(raw, type=list[TaxonomyTerm]))


@cache
def codes() -> frozenset[str]:
    return frozenset(term.code for term in terms())


@cache
def _by_code() -> dict[str, TaxonomyTerm]:
    return {term.code: term for term in terms()}


def labels(code: str) -> list[str]:
    """Both names of a category, for indexing (e.g. ``Nhà tạm lánh`` and ``Shelter``)."""
    term = _by_code().get(code)
    return [term.name_vi, term.name_en] if term else []


def population_labels(code: str) -> list[str]:
    return list(POPULATION_LABELS.get(code, ()))


async def sync_reference_table(conn: Connection) -> None:
    """Mirror the shipped terms into ``taxonomy_term`` (parents first, for the foreign key)."""
    ordered = sorted(terms(), key=lambda term: term.parent_code is not None)
    await conn.executemany(
        "INSERT INTO taxonomy_term (code, parent_code, name_vi, name_en) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (code) DO UPDATE SET parent_code = EXCLUDED.parent_code,"
        " name_vi = EXCLUDED.name_vi, name_en = EXCLUDED.name_en",
        [(t.code, t.parent_code, t.name_vi, t.name_en) for t in ordered],
    )
