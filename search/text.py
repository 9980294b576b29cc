"""Vietnamese text folding and the term/query strings both search backends are built on.

Folding (NFD, drop combining marks, đ→d, lower case) makes ``binh yen``, ``Bình Yên`` and
``BINH YEN`` the same words. A document has two term sets: every distinct word, for matching
(a cheap AND of single words), and the weighted words and adjacent word pairs (``binh_yen``) of
its names, for ranking — so a name typed in full ranks first while scoring each row stays cheap.
What kind of service a query asks for ("tạm lánh" → shelter) is read from the query once, by
``names_label``, instead of from every document.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import pairwise

_WORD = re.compile(r"[a-z0-9]+")
# PostgreSQL refuses a lexeme over 2046 bytes ("word is too long"); no real word comes near, so a
# longer run of letters is cut here, alike in documents and queries, and still finds itself.
MAX_WORD = 100
_MAX_POSITION = 16383
_MAX_POSITIONS_PER_TERM = 8
WEIGHTS = ("A", "B", "C", "D")


# Vietnamese diacritics decompose (NFD) into these combining marks; one regex pass drops them in C,
# which matters when a bulk import folds millions of words.
_COMBINING = re.compile("[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lower-case ``text`` without diacritics: ``Ngôi Nhà Bình Yên`` → ``ngoi nha binh yen``."""
    stripped = _COMBINING.sub("", unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D")))
    if not stripped.isascii():  # other scripts' combining marks (Khmer, Thai …)
        stripped = "".join(ch for ch in stripped if unicodedata.category(ch) != "Mn")
    return stripped.lower()


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order (letters and digits only, at most ``MAX_WORD`` each)."""
    return [token[:MAX_WORD] for token in _WORD.findall(fold(text))]


def pairs(tokens: Sequence[str]) -> list[str]:
    """Adjacent word pairs: ``[tam, lanh, can]`` → ``[tam_lanh, lanh_can]``."""
    return [f"{first}_{second}" for first, second in pairwise(tokens)]


def match_terms(texts: Iterable[str]) -> str:
    """A tsvector literal of every distinct word, without positions: what matching needs, and
    small enough to test on every candidate row."""
    distinct = sorted({token for text in texts for token in words(text)})
    return " ".join(f"'{token}'" for token in distinct)


def rank_terms(fields: Iterable[tuple[str, str]]) -> str:
    """A tsvector literal of the words and adjacent word pairs of a listing's names, with weights
    for ``ts_rank``: short, so scoring each matching row stays cheap.

    Tokens are ``[a-z0-9_]`` only, so the literal is always well formed; it is still passed to
    PostgreSQL as a bind parameter and cast there.
    """
    positions: dict[str, list[str]] = {}
    position = 0
    for text, weight in fields:
        if weight not in WEIGHTS:
            raise ValueError(f"unknown weight {weight!r}")
        tokens = words(text)
        for index, token in enumerate(tokens):
            position = min(position + 1, _MAX_POSITION)
            _add(positions, token, position, weight)
            if index + 1 < len(tokens):
                _add(positions, f"{token}_{tokens[index + 1]}", position, weight)
        position = min(position + 8, _MAX_POSITION)  # keep pairs from forming across fields
    return " ".join(f"'{term}':{','.join(marks)}" for term, marks in sorted(positions.items()))


def _add(positions: dict[str, list[str]], term: str, position: int, weight: str) -> None:
    marks = positions.setdefault(term, [])
    if len(marks) < _MAX_POSITIONS_PER_TERM:
        marks.append(f"{position}{weight}")


def typed_words(query: str) -> list[str]:
    """The words of a query as typed. A lone trailing letter after other words is dropped:
    the person is still typing it, and a one-letter prefix would match almost everything."""
    tokens = words(query)
    if len(tokens) > 1 and len(tokens[-1]) == 1:
        tokens = tokens[:-1]
    return tokens


# What a phone number is written with: digits, spaces, dots, dashes, brackets, a leading "+".
_PHONE = re.compile(r"\+?[0-9(][0-9 .\-()]*")
MIN_PHONE_DIGITS = 3  # the shortest emergency numbers: 111, 113, 115


def phone_number(query: str) -> str | None:
    """The whole number a query is, as digits ("1900 969 680" → "1900969680"; "+84 377…" →
    "0377…"), or None when it is words. A number matches only listings with that whole number,
    never one that merely ends or starts with it (the "111" of "0299 555 111")."""
    text = query.strip()
    if not _PHONE.fullmatch(text):
        return None
    digits = number_digits(text)
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def number_digits(number: str) -> str:
    """A phone number as the digits one dials inside Viet Nam: "+84 377 672 444" → "0377672444"."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return "0" + digits[2:] if number.strip().startswith("+84") else digits


def match_query(tokens: Sequence[str]) -> str | None:
    """Every word must match; the last one as a prefix (results while typing)."""
    if not tokens:
        return None
    *complete, last = tokens
    return " & ".join([*(f"'{token}'" for token in complete), f"'{last}':*"])


def rank_query(tokens: Sequence[str]) -> str | None:
    """Any word or adjacent pair scores; pairs are rare, so a phrase typed in order ranks first."""
    if not tokens:
        return None
    terms = [f"'{token}'" for token in tokens[:-1]] + [f"'{tokens[-1]}':*"]
    bigrams = pairs(tokens)
    terms += [f"'{pair}'" for pair in bigrams[:-1]] + [f"'{pair}':*" for pair in bigrams[-1:]]
    return " | ".join(terms)


def names_label(tokens: Sequence[str], label: str) -> bool:
    """Whether a typed query names this label: it holds two of the label's words in a row, or one
    of its words whole, or — a single word typed so far — the start of one."""
    label_words = _label_words(label)
    if not tokens or not label_words:
        return False
    if len(tokens) == 1:
        return any(word.startswith(tokens[0]) for word in label_words)
    label_pairs = pairs(list(label_words))
    typed_pairs = pairs(tokens)
    if any(pair in label_pairs for pair in typed_pairs[:-1]):
        return True
    last = typed_pairs[-1]
    if any(pair.startswith(last) for pair in label_pairs):
        return True
    return len(label_words) == 1 and label_words[0] in tokens


@lru_cache(maxsize=1024)
def _label_words(label: str) -> tuple[str, ...]:
    return tuple(words(label))
