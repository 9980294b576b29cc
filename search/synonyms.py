"""The one synonym table both engines use: abbreviations staff type (TGPL, CTXH, LHPN …) and English
service words, each grouped with the Vietnamese words listings are written in.

PostgresSearch expands a query with it (``expand``): a typed phrase of a group matches a listing
holding any phrase of that group. Meilisearch gets the same groups as index settings
(``search.meili_settings``). Place names are not here: the province table owns them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from search.text import match_query, pairs, rank_query, words

GROUPS: tuple[tuple[str, ...], ...] = (
    ("nhà tạm lánh", "tạm lánh", "shelter", "safe house"),
    ("đường dây nóng", "tổng đài", "hotline", "helpline"),
    ("trợ giúp pháp lý", "TGPL", "legal aid", "legal help"),
    ("công tác xã hội", "CTXH", "social work", "social worker"),
    ("Hội Liên hiệp Phụ nữ", "Hội Phụ nữ", "LHPN", "HLHPN", "Women's Union", "women union", "womens union"),
    ("hỗ trợ một cửa", "OSSO", "one-stop", "one stop"),
    ("bảo hiểm y tế", "BHYT", "health insurance"),
    ("căn cước công dân", "CCCD", "giấy tờ tùy thân", "ID card", "identity card"),
    ("tư vấn tâm lý", "counselling", "counseling", "psychologist"),
    ("y tế", "bệnh viện", "medical", "health care", "hospital"),
    ("việc làm", "tìm việc", "job", "jobs", "employment"),
    ("học nghề", "đào tạo nghề", "vocational training"),
    ("vay vốn", "loan", "microcredit"),
    ("mua bán người", "human trafficking", "trafficking"),
    ("bạo lực gia đình", "domestic violence"),
    ("công an", "police"),
)


@cache
def _phrases() -> dict[tuple[str, ...], int]:
    """Each group's phrases as folded words, to the group's index."""
    return {tuple(words(term)): index for index, group in enumerate(GROUPS) for term in group if words(term)}


@cache
def alternatives(group: int) -> tuple[tuple[str, ...], ...]:
    """Every phrase of a group, as folded words."""
    return tuple(dict.fromkeys(tuple(words(term)) for term in GROUPS[group] if words(term)))


def is_term(token: str) -> bool:
    """Whether a single folded word is a phrase of the table (never "corrected" as a slip)."""
    return (token,) in _phrases()


def expand(tokens: Sequence[str]) -> list[tuple[tuple[str, ...], int | None]]:
    """The typed words cut into spans: the longest phrase of a group at each place (with that group's
    index) or a single word (None). ``viec lam ha noi`` → ``[((viec, lam), 10), ((ha,), None) …]``."""
    longest = max(len(phrase) for phrase in _phrases())
    spans: list[tuple[tuple[str, ...], int | None]] = []
    start = 0
    while start < len(tokens):
        for size in range(min(longest, len(tokens) - start), 0, -1):
            span = tuple(tokens[start : start + size])
            if span in _phrases():
                spans.append((span, _phrases()[span]))
                start += size
                break
        else:
            spans.append(((tokens[start],), None))
            start += 1
    return spans


def with_synonyms(tokens: Sequence[str]) -> str:
    """The typed words followed by every phrase their groups hold, so that what a query names can be
    read from either language or the abbreviation ("tgpl" names legal aid)."""
    extra = [" ".join(phrase) for _, group in expand(tokens) if group is not None for phrase in alternatives(group)]
    return " ".join([*tokens, *extra])


def _all_of(phrase: Sequence[str], *, prefix_last: bool = False) -> str:
    terms = [f"'{word}'" for word in phrase]
    if prefix_last:
        terms[-1] += ":*"
    return "(" + " & ".join(terms) + ")"


def expanded_match(tokens: Sequence[str]) -> str | None:
    """``search.text.match_query`` with each phrase of the table matched by any phrase of its group:
    ``tgpl hcm`` → ``('tgpl' | ('tro' & 'giup' & 'phap' & 'ly') | …) & 'hcm':*``."""
    spans = expand(tokens)
    if all(group is None for _, group in spans):
        return match_query(tokens)
    parts: list[str] = []
    for index, (span, group) in enumerate(spans):
        last = index == len(spans) - 1
        if group is None:
            parts.append(f"'{span[0]}'" + (":*" if last else ""))
            continue
        typed = _all_of(span, prefix_last=last)
        others = [_all_of(phrase) for phrase in alternatives(group) if phrase != span]
        parts.append("(" + " | ".join([typed, *others]) + ")")
    return " & ".join(parts)


def expanded_rank(tokens: Sequence[str]) -> str | None:
    """``search.text.rank_query`` plus the words and word pairs of every phrase the typed ones stand
    for, so a listing named in the other language or spelled out ranks as if typed."""
    base = rank_query(tokens)
    if base is None:
        return None
    typed = {*tokens, *pairs(tokens)}
    extra = {
        term
        for span, group in expand(tokens)
        if group is not None
        for phrase in alternatives(group)
        if phrase != span
        for term in [*phrase, *pairs(phrase)]
        if term not in typed
    }
    return " | ".join([base, *(f"'{term}'" for term in sorted(extra))])
