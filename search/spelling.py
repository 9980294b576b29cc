"""Slips: a typed word the directory does not hold, read as the word of its own vocabulary one slip
away — a wrong, missing or extra letter in a word of five letters or more; in a shorter word only
two letters swapped or one doubled ("lahn" → "lanh", "lyy" → "ly"), since one letter more or less
turns most short Vietnamese words into other real words. Two words run together ("trogiup") are
read as the pair of the listings' names they spell.

The vocabulary is built from the listings themselves (the words of public search documents and the
word pairs of their names), never from a generic dictionary; the most common candidate wins. The
vocabulary is folded (no diacritics), so a suggestion is written back as the names of the listings
found write it ("tam lanh" → "tạm lánh").
"""

from __future__ import annotations

import bisect
import re
import string
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import msgspec

from search import synonyms
from search.text import fold

LONG_WORD = 5  # letters from which any single slip is corrected
_LETTERS = string.ascii_lowercase + string.digits
_WRITTEN_WORD = re.compile(r"[^\W_]+")
# the longest run of words looked up together: enough for a phrase such as "tro giup phap ly"
_LONGEST_RUN = 6


class Vocabulary:
    """The directory's words with how many listings hold each, and its names' word pairs."""

    def __init__(self, counts: Mapping[str, int], pairs: Sequence[str] = ()) -> None:
        self._counts = dict(counts)
        self._sorted = sorted(self._counts)
        self._joined = {pair.replace("_", ""): tuple(pair.split("_")) for pair in pairs if pair.count("_") == 1}

    def __len__(self) -> int:
        return len(self._counts)

    def knows(self, word: str, *, prefix: bool = False) -> bool:
        """Whether the word is in the directory (``prefix``: or begins one of its words)."""
        if word in self._counts:
            return True
        if not prefix:
            return False
        at = bisect.bisect_left(self._sorted, word)
        return at < len(self._sorted) and self._sorted[at].startswith(word)

    def correct(self, word: str) -> tuple[str, ...] | None:
        """What a word the directory does not hold was meant to be (one or two words), or None."""
        if word in self._joined:
            return self._joined[word]
        candidates = _slips(word) if len(word) >= LONG_WORD else _short_slips(word)
        known = [c for c in candidates if c in self._counts]
        if not known:
            return None
        return (max(known, key=lambda c: (self._counts[c], c)),)


class Corrected(msgspec.Struct, frozen=True):
    """The query's words after correction, and whether any was corrected."""

    tokens: list[str]
    changed: bool


def correct(tokens: Sequence[str], vocabulary: Vocabulary) -> Corrected:
    """Each word the directory does not hold replaced by the word it was meant to be. The last word
    is left alone while it still begins a known word (it is being typed); numbers, words of the
    synonym table and words with no candidate are kept as typed."""
    result: list[str] = []
    changed = False
    for index, token in enumerate(tokens):
        last = index == len(tokens) - 1
        fixed = None
        if not (token.isdigit() or synonyms.is_term(token) or vocabulary.knows(token, prefix=last)):
            fixed = vocabulary.correct(token)
        if fixed is None:
            result.append(token)
        else:
            result += fixed
            changed = True
    return Corrected(result, changed)


def as_written(tokens: Sequence[str], texts: Iterable[str]) -> str:
    """Folded words written with their diacritics as ``texts`` (the names of the listings found)
    write them. Words are read in the longest runs a text holds in that order, so "tam lanh" is
    "tạm lánh" from "nhà tạm lánh" even where "tâm" (of "tâm lý") is the commoner "tam"; among
    texts writing a run differently, the commonest wins. A word no text holds stays folded."""
    written: dict[tuple[str, ...], Counter[tuple[str, ...]]] = {}
    for text in texts:
        original = [word.lower() for word in _WRITTEN_WORD.findall(text)]
        folded = [fold(word) for word in original]
        for start in range(len(folded)):
            for end in range(start + 1, min(start + _LONGEST_RUN, len(folded)) + 1):
                written.setdefault(tuple(folded[start:end]), Counter())[tuple(original[start:end])] += 1
    result: list[str] = []
    at = 0
    while at < len(tokens):
        for end in range(min(at + _LONGEST_RUN, len(tokens)), at, -1):
            forms = written.get(tuple(tokens[at:end]))
            if forms is not None:
                result += forms.most_common(1)[0][0]
                at = end
                break
        else:
            result.append(tokens[at])
            at += 1
    return " ".join(result)


def _slips(word: str) -> set[str]:
    """Every word one letter away: one deleted, two neighbours swapped, one replaced, one inserted."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return (deletes | swaps | replaces | inserts) - {word}


def _short_slips(word: str) -> set[str]:
    """Two neighbours swapped, or a doubled letter typed once more than meant."""
    swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    undoubled = {word[:i] + word[i + 1 :] for i in range(1, len(word)) if word[i] == word[i - 1]}
    return (swaps | undoubled) - {word}
