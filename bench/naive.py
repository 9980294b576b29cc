"""The naive search the service's query is measured against: what one would write first.

Each listing's whole text (everything the service's search document holds: names, kinds in vi
and en, places with former names, hotlines, description), folded and split like the service
does it, goes into one positional ``to_tsvector('simple', …)`` with a GIN index (table
``bench_naive_document``, bench databases only). A query makes every word a prefix
(``'nha':* & 'tam':* & 'lanh':*``; a phrase of the synonym table, such as "tgpl", by any phrase
of its group, as the service does), ranks every match with ``ts_rank`` over that full vector,
counts the matches with a window, and applies the same filters on ``search_document``. It
leaves out facet counts, which the service computes on top, so the comparison favours it.

The service's own design differs where this costs: an AND of exact words with only the last a
prefix, matched on a small position-free term set, and ``ts_rank`` over names only.
"""

from __future__ import annotations

from search.postgres_query import radius_box
from search.protocol import NATIONAL, SearchQuery, Sort
from search.synonyms import alternatives, expand
from search.text import typed_words, words
from service.db import Connection
from service.directory import repo as directory_repo
from service.directory.search_index import search_document

TABLE = "bench_naive_document"

_HAVERSINE_KM = (
    "(SELECT min(12742.0 * asin(sqrt(power(sin(radians(p.lat - {lat}) / 2), 2)"
    " + cos(radians({lat})) * cos(radians(p.lat)) * power(sin(radians(p.lon - {lon}) / 2), 2))))"
    " FROM unnest(d.public_lat, d.public_lon) AS p(lat, lon))"
)


async def build(conn: Connection, batch: int = 1_000) -> None:
    """Create and fill the naive table once per database (kept between runs). ``conn`` needs the
    service's codecs (``service.db.connect``): listings are read as the service reads them."""
    if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", TABLE):
        return
    async with conn.transaction():
        await conn.execute(f"CREATE TABLE {TABLE} (service_id uuid PRIMARY KEY, body tsvector NOT NULL)")
        await conn.execute("CREATE TEMP TABLE naive_text (service_id uuid, body text) ON COMMIT DROP")
        after = None
        while ids := await directory_repo.service_ids_after(conn, after, batch):
            after = ids[-1]
            documents = [search_document(service) for service in await directory_repo.get_services(conn, ids)]
            # the same words the service indexes (folded, split alike), here in order and with positions
            records = [(doc.service_id, " ".join(words(" ".join(doc.all_text())))) for doc in documents]
            await conn.copy_records_to_table("naive_text", records=records)
        await conn.execute(f"INSERT INTO {TABLE} SELECT service_id, to_tsvector('simple', body) FROM naive_text")
        await conn.execute(f"CREATE INDEX {TABLE}_body_idx ON {TABLE} USING gin (body)")
    await conn.execute(f"ANALYZE {TABLE}")


def _prefix_query(tokens: list[str]) -> str:
    """Every word a prefix, and a phrase of the synonym table matched by any phrase of its group,
    as the service reads it (``search.synonyms``): the naive query finds at least what it finds."""

    def all_of(phrase: tuple[str, ...]) -> str:
        return "(" + " & ".join(f"'{word}':*" for word in phrase) + ")"

    parts = [
        all_of(span) if group is None else "(" + " | ".join(all_of(p) for p in (span, *alternatives(group))) + ")"
        for span, group in expand(tokens)
    ]
    return " & ".join(parts)


def naive_sql(query: SearchQuery) -> tuple[str, list[object]]:
    """The naive statement for ``query`` (public viewer): the page and the total, no facets."""
    args: list[object] = []

    def bind(value: object) -> str:
        args.append(value)
        return f"${len(args)}"

    where = ["d.visibility = 'public'", "d.status <> 'inactive'"]
    tokens = typed_words(query.text)
    rank = "0::real"
    if tokens:
        prefix_query = bind(_prefix_query(tokens))
        where.append(f"n.body @@ {prefix_query}::tsquery")
        rank = f"ts_rank(n.body, {prefix_query}::tsquery)"
    if query.categories:
        where.append(f"d.categories && {bind(list(query.categories))}::text[]")
    if query.provinces:
        where.append(f"d.provinces && {bind([*query.provinces, NATIONAL])}::text[]")
    if query.populations:
        where.append(f"d.populations && {bind(list(query.populations))}::text[]")
    if query.language:
        where.append(f"{bind(query.language)} = ANY(d.languages)")
    if query.fee:
        where.append(f"d.fee = {bind(query.fee)}")
    if query.open_at_minute is not None:
        where.append(f"(d.always_open OR d.open_week @> {bind(query.open_at_minute)}::int)")
    if query.accepting_referrals is not None:
        where.append(f"d.accepting_referrals = {bind(query.accepting_referrals)}")
    if query.has_capacity:
        where.append("d.capacity_available > 0")
    distance, outer = "NULL::double precision", "true"
    if query.near is not None:
        distance = _HAVERSINE_KM.format(lat=bind(query.near[0]), lon=bind(query.near[1]))
        if query.radius_km is not None:
            outer = f"distance_km <= {bind(query.radius_km)}"
            # kept: without it the naive query would compute a distance for all 100,000 listings
            where.append(f"d.public_box && {bind(radius_box(query.near, query.radius_km))}::text::box")
    order = "distance_km NULLS LAST, rank DESC" if query.sort is Sort.DISTANCE else "rank DESC, distance_km NULLS LAST"
    statement = (
        "SELECT service_id, name, organization_name, categories, provinces, hotlines, distance_km, rank,"
        " count(*) OVER () AS total FROM ("
        f" SELECT d.service_id, d.name, d.organization_name, d.categories, d.provinces, d.hotlines,"
        f" {rank} AS rank, {distance} AS distance_km"
        f" FROM {TABLE} n JOIN search_document d USING (service_id) WHERE {' AND '.join(where)}"
        f") c WHERE {outer} ORDER BY {order}, service_id LIMIT {bind(query.per_page)}"
        f" OFFSET {bind((query.page - 1) * query.per_page)}"
    )
    return statement, args
