"""Text past what PostgreSQL's full-text search accepts still folds into usable words."""

from __future__ import annotations

from search.text import MAX_WORD, match_query, match_terms, typed_words, words


def test_words_cut_a_run_of_letters_longer_than_any_word() -> None:
    assert words("x" + "ô" * 4999 + " 111") == ["x" + "o" * (MAX_WORD - 1), "111"]


def test_a_cut_word_in_a_query_matches_the_same_cut_word_in_a_document() -> None:
    long_word = "a" * 5000
    assert match_terms([long_word]) == f"'{'a' * MAX_WORD}'"
    assert match_query(typed_words(long_word[:200])) == f"'{'a' * MAX_WORD}':*"
