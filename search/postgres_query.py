"""The one SQL statement with which PostgresSearch answers a SearchQuery over ``search_document``.

Matching is an AND of folded words (the last one a prefix) on a GIN index over a small,
position-free term set. Ranking is bounded per row: ``ts_rank`` over the names alone (words and
word pairs, so a name typed in order comes first), plus array overlaps with the kinds the query
names, which were worked out once for the whole query. Totals, facet counts and
the page come from one materialised scan of the matches, in a single statement; facets are
counted over the matches grouped by their facet values rather than row by row. With nothing to
rank (no text, no point) there is no scan to share: the counts come from an index-only scan and
the page from walking an index (migration 0008).

Scoring every match costs a few microseconds each, which a broad query ("hỗ trợ", 90 % of 100,000
listings) multiplies into a third of a second; so in relevance order, a directory larger than the
sample window answers a broad query from the matches among a fixed uniform sample of listings
(``Sampling``), ranked exactly among themselves, with estimated counts it says are estimates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import msgspec

from search.protocol import FACETS, NATIONAL, SearchQuery, Sort, as_utc
from search.synonyms import expanded_match, expanded_rank
from search.text import phone_number, typed_words

# A query naming hotlines also favours listings that have one, whatever their kind.
NAMED_HOTLINE = "hotline"
# A listing's number ``h`` as search.text.number_digits writes it: digits only, +84 as 0.
_DIALLED = "regexp_replace(regexp_replace(h, '^\\s*\\+84', '0'), '[^0-9]', '', 'g')"
# What a listing holding every word as typed gains over one found through a corrected slip: more
# than any other part of the score, so exact matches always come first.
_EXACT_OVER_CORRECTED = 4.0
# Weights for ts_rank, in the order {D, C, B, A}.
_RANK_WEIGHTS = "{0.05, 0.2, 0.5, 1.0}"

_HAVERSINE_KM = (
    "(SELECT min(12742.0 * asin(sqrt(power(sin(radians(p.lat - {lat}) / 2), 2)"
    " + cos(radians({lat})) * cos(radians(p.lat)) * power(sin(radians(p.lon - {lon}) / 2), 2))))"
    " FROM unnest(d.{lat_col}, d.{lon_col}) AS p(lat, lon))"
)

_ORDER = {
    Sort.RELEVANCE: "score DESC, distance_km ASC NULLS LAST, service_id",
    Sort.DISTANCE: "distance_km ASC NULLS LAST, score DESC, service_id",
    Sort.UPDATED: "updated_at DESC, service_id",
}

_NO_SCORE = "0::real"
_NO_DISTANCE = "NULL::double precision"
# ``_ORDER`` when every row has the same score and no distance (no text, no point): only the keys
# that differ remain, so the primary key or the updated_at index yields the page without a sort.
_UNRANKED_ORDER = {
    Sort.RELEVANCE: "d.service_id",
    Sort.DISTANCE: "d.service_id",
    Sort.UPDATED: "d.updated_at DESC, d.service_id",
}

_HIT_COLUMNS = (
    "d.service_id, d.name, d.organization_id, d.organization_name, d.categories, d.populations,"
    " d.provinces, d.hotlines, d.accepting_referrals, d.capacity_available, d.last_verified_at,"
    " d.confirmed_at, d.updated_at, m.distance_km"
)


# The key space of ``search_document.sample_key`` (a 32-bit hash of the service id, migration 0010).
_KEY_OFFSET = 2**31
_KEY_SPACE = 2**32


class Sampling(msgspec.Struct, frozen=True, kw_only=True):
    """When a ranked search may answer from a sample instead of scoring every match.

    Listings in ``sample_key`` order are a uniform random sample of the directory, so the matches
    among the first ``window`` of them are a uniform sample of all matches: when there are at least
    ``min_hits`` (a broad query), ranking uses them, and the total and facet counts are estimated
    from them (scaled by the share of the key space read, ±1/sqrt(hits)). Fewer, and the query is
    narrow enough to score every match; a directory of at most ``window`` listings, or a window of
    0, is always answered exactly.
    """

    window: int = 3_000
    min_hits: int = 150

    @classmethod
    def of(cls, window: int) -> Sampling:
        """A window with the matches it takes to be worth a sample: one listing in twenty
        (at the default window, counts within about ±8 %)."""
        return cls(window=window, min_hits=max(1, window // 20))


DEFAULT_SAMPLING = Sampling()


def radius_box(center: tuple[float, float], radius_km: float) -> str:
    """A box surely holding every point within ``radius_km`` of ``center`` (lat, lon degrees)."""
    lat, lon = center
    dlat = radius_km / 110.574
    dlon = radius_km / (111.320 * max(math.cos(math.radians(lat)), 0.01))
    return f"(({lat + dlat},{lon + dlon}),({lat - dlat},{lon - dlon}))"


class _Sql:
    """Collects WHERE fragments and their bind parameters; fragments are constants of this module."""

    def __init__(self) -> None:
        self.args: list[object] = []
        self.where: list[str] = []

    def bind(self, value: object) -> str:
        self.args.append(value)
        return f"${len(self.args)}"


def build_search_sql(
    query: SearchQuery, sampling: Sampling = DEFAULT_SAMPLING, corrected: Sequence[str] | None = None
) -> tuple[str, list[object]]:
    """The one statement answering ``query``: total, facets, the requested page, whether the counts
    are estimates and how many results the pages reach. ``corrected``: the query's words with its
    slips corrected (``search.spelling``), searched besides the words as typed, which rank first."""
    sql = _Sql()
    viewer = query.viewer
    if not viewer.sees_restricted:
        if viewer.organization_id is not None:
            own = sql.bind(viewer.organization_id)
            sql.where.append(f"(d.visibility = 'public' OR d.organization_id = {own})")
        else:
            sql.where.append("d.visibility = 'public'")
    sql.where.append("d.status <> 'inactive'")

    typed = typed_words(query.text)
    number = phone_number(query.text)
    tokens = list(corrected) if corrected and not number else typed
    # a number is matched whole (never as a prefix); words as typed, the last one a prefix, each
    # phrase of the synonym table by any phrase of its group
    match = f"'{number}'" if number else expanded_match(tokens)
    text_match = None
    score = _NO_SCORE
    if match is not None:
        ranked = match if number else expanded_rank(tokens)
        score = f"ts_rank('{_RANK_WEIGHTS}', d.name_terms, {sql.bind(ranked)}::tsquery)"
        exact = expanded_match(typed) if tokens != typed else None
        if exact is not None:
            # a listing holding the slip as typed (added since the vocabulary was read) is found too
            match = f"({match}) | ({exact})"
            score += f" + {_EXACT_OVER_CORRECTED} * (d.terms @@ {sql.bind(exact)}::tsquery)::int"
        # with a province filter (a place typed in the words becomes one), its few thousand listings
        # come from the provinces index and each is tested against the words: the function form keeps
        # the planner off the words' index, which for a common word reads tens of thousands of entries
        # (at 100,000 listings, 2 to 5 × faster)
        test = "ts_match_vq(d.terms, {}::tsquery)" if query.provinces else "d.terms @@ {}::tsquery"
        text_match = test.format(sql.bind(match))
        if number:
            # the listing one reaches on that number comes before those that only mention it
            score += f" + 2.0 * EXISTS (SELECT 1 FROM unnest(d.hotlines) h WHERE {_DIALLED} = {sql.bind(number)})::int"
        if query.named_categories:
            named = sql.bind(list(query.named_categories))
            score += (
                f" + 0.4 * (d.categories && {named}::text[])::int + 0.2 * (d.categories[1] = ANY({named}::text[]))::int"
            )
            if NAMED_HOTLINE in query.named_categories:
                score += " + 0.1 * (cardinality(d.hotlines) > 0)::int"
        if query.named_populations:
            score += f" + 0.1 * (d.populations && {sql.bind(list(query.named_populations))}::text[])::int"
    if query.categories:
        sql.where.append(f"d.categories && {sql.bind(list(query.categories))}::text[]")
    if query.provinces:
        areas = [*query.provinces, NATIONAL]
        sql.where.append(f"d.provinces && {sql.bind(areas)}::text[]")
    if query.populations:
        sql.where.append(f"d.populations && {sql.bind(list(query.populations))}::text[]")
    if query.language:
        # containment rather than "= ANY", so the GIN index on languages (migration 0008) can answer it
        sql.where.append(f"d.languages @> ARRAY[{sql.bind(query.language)}::text]")
    if query.fee:
        sql.where.append(f"d.fee = {sql.bind(query.fee)}")
    if query.open_at_minute is not None:
        sql.where.append(f"(d.always_open OR d.open_week @> {sql.bind(query.open_at_minute)}::int)")
    if query.accepting_referrals is not None:
        sql.where.append(f"d.accepting_referrals = {sql.bind(query.accepting_referrals)}")
    if query.has_capacity is not None:
        if query.has_capacity:
            sql.where.append("d.capacity_available > 0")
        else:
            sql.where.append("coalesce(d.capacity_available, 0) = 0")
    if query.organization_ids:
        sql.where.append(f"d.organization_id = ANY({sql.bind(list(query.organization_ids))}::uuid[])")
    if query.modified_after is not None:
        # asyncpg would read a naive time as the server process's local time, not UTC
        sql.where.append(f"d.updated_at > {sql.bind(as_utc(query.modified_after))}::timestamptz")

    if text_match is not None:
        # last, so a listing another filter rules out is never matched against its words
        sql.where.append(text_match)

    distance = _NO_DISTANCE
    outer_where = "true"
    if query.near is not None:
        prefix = "staff" if viewer.sees_restricted else "public"
        lat, lon = sql.bind(query.near[0]), sql.bind(query.near[1])
        distance = _HAVERSINE_KM.format(lat=lat, lon=lon, lat_col=f"{prefix}_lat", lon_col=f"{prefix}_lon")
        if query.radius_km is not None:
            # the box rules out far listings with one comparison; the exact distance decides the rest
            sql.where.append(f"d.{prefix}_box && {sql.bind(radius_box(query.near, query.radius_km))}::text::box")
            outer_where = f"distance_km <= {sql.bind(query.radius_km)}"

    limit = sql.bind(query.per_page)
    offset = sql.bind((query.page - 1) * query.per_page)
    where = " AND ".join(sql.where)
    page = f"""page AS (
    -- numbered after the LIMIT, so only the page is numbered; the subquery's order carries over
    SELECT p.*, row_number() OVER () AS ordinal FROM (
        SELECT service_id, distance_km FROM m
        ORDER BY {_ORDER[query.sort]} LIMIT {limit} OFFSET {offset}
    ) p
)"""
    counted = "(SELECT coalesce(sum(n), 0)::bigint FROM combos)"
    if score == _NO_SCORE and distance == _NO_DISTANCE:
        # Nothing to rank, so nothing to share between the counts and the page: without other
        # filters the counts come from an index-only scan (no row is read) and the page from walking
        # an index in order, instead of materialising every visible listing.
        matches = f"""combos AS MATERIALIZED (
    SELECT d.facet_set, count(*) AS n FROM search_document d WHERE {where} GROUP BY 1
), page AS (
    SELECT p.*, row_number() OVER () AS ordinal FROM (
        SELECT d.service_id, {_NO_DISTANCE} AS distance_km FROM search_document d WHERE {where}
        ORDER BY {_UNRANKED_ORDER[query.sort]} LIMIT {limit} OFFSET {offset}
    ) p
)"""
        return _statement(matches, total=counted, scale="1", estimated="false", pageable=counted), sql.args
    scored = f"SELECT d.service_id, d.facet_set, d.updated_at, {score} AS score, {distance} AS distance_km"
    if not _may_sample(query, sampling):
        # One scan scores every match once; totals, facets and the page all read it.
        matches = f"""m AS MATERIALIZED (
    SELECT * FROM ({scored} FROM search_document d WHERE {where}) c WHERE {outer_where}
), combos AS MATERIALIZED (
    -- matches counted per facet set (a small integer): few groups, so facets cost little
    SELECT facet_set, count(*) AS n FROM m GROUP BY 1
), {page}"""
        return _statement(matches, total=counted, scale="1", estimated="false", pageable=counted), sql.args
    window, min_hits = sql.bind(sampling.window), sql.bind(sampling.min_hits)
    matches = f"""edge AS MATERIALIZED (
    -- one key past the window: whether the directory is larger than it, and what share it covers
    SELECT count(*) > {window} AS beyond, (max(sample_key)::float8 + {_KEY_OFFSET}) / {_KEY_SPACE} AS share
    FROM (SELECT sample_key FROM search_document ORDER BY sample_key LIMIT {window} + 1) k
), probe AS MATERIALIZED (
    {scored} FROM (SELECT * FROM search_document ORDER BY sample_key LIMIT {window}) d WHERE {where}
), mode AS MATERIALIZED (
    SELECT e.beyond AND p.n >= {min_hits} AS sampled, e.beyond AND p.n < {min_hits} AS narrow, e.share
    FROM edge e, (SELECT count(*) AS n FROM probe) p
), m AS MATERIALIZED (
    -- a narrow query scores every match; a broad one, or a directory within the window, the probe
    SELECT * FROM probe WHERE NOT (SELECT narrow FROM mode)
    UNION ALL
    {scored} FROM search_document d WHERE {where} AND (SELECT narrow FROM mode)
), combos AS MATERIALIZED (
    SELECT facet_set, count(*) AS n FROM m GROUP BY 1
), {page}"""
    scale = "(SELECT CASE WHEN sampled THEN 1 / share ELSE 1 END FROM mode)"
    total = f"round({counted} * {scale})::bigint"
    estimated = "(SELECT sampled FROM mode)"
    return _statement(matches, total=total, scale=scale, estimated=estimated, pageable=counted), sql.args


def _may_sample(query: SearchQuery, sampling: Sampling) -> bool:
    """Relevance order without a point is the one a sample can answer: ranking by distance or by
    time needs every match, and so does a caller that pages through all of them."""
    return not query.exhaustive and query.sort is Sort.RELEVANCE and query.near is None and sampling.window > 0


def _statement(matches: str, *, total: str, scale: str, estimated: str, pageable: str) -> str:
    """The final SELECT over ``combos`` (matches per facet set) and ``page``: facet counts are
    multiplied by ``scale`` (1 unless estimated from a sample)."""
    facet_selects = ",\n".join(
        f"(SELECT coalesce(jsonb_object_agg(k, round(n * {scale})::bigint), '{{}}') FROM"
        f" (SELECT unnest(s.{column}) AS k, sum(c.n) AS n FROM combos c JOIN search_facet_set s ON s.id = c.facet_set"
        f" GROUP BY 1) f) AS facet_{facet}"
        for facet, column in zip(FACETS, ("categories", "provinces", "populations"), strict=True)
    )
    return f"""
WITH {matches}
SELECT {total} AS total, {estimated} AS estimated, {pageable} AS pageable,
{facet_selects},
(SELECT coalesce(jsonb_agg(to_jsonb(h) ORDER BY h.ordinal), '[]') FROM (
    SELECT {_HIT_COLUMNS}, m.ordinal FROM page m JOIN search_document d USING (service_id)
) h) AS hits
"""
