"""Vietnamese folding and the term/query strings search is built on."""

from __future__ import annotations

import pytest

from search.text import document_terms, fold, match_query, rank_query, typed_words, words


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Ngôi Nhà Bình Yên", "ngoi nha binh yen"),
        ("BINH YEN", "binh yen"),
        ("Đường dây nóng", "duong day nong"),
        ("tạm lánh", "tam lanh"),
        ("Đắk Lắk", "dak lak"),
        ("Thừa Thiên Huế", "thua thien hue"),
    ],
)
def test_fold_removes_diacritics_and_case(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_fold_handles_decomposed_input_like_precomposed() -> None:
    import unicodedata

    assert fold(unicodedata.normalize("NFD", "Cần Thơ")) == fold("Cần Thơ") == "can tho"


def test_words_split_on_punctuation_and_keep_digits() -> None:
    assert words("Tổng đài 111 – (24/7)") == ["tong", "dai", "111", "24", "7"]


def test_document_terms_carry_words_and_adjacent_pairs_with_weights() -> None:
    terms = document_terms([("Nhà tạm lánh", "A"), ("Cần Thơ", "C")])
    assert "'tam':2A" in terms
    assert "'tam_lanh':2A" in terms
    assert "'can_tho':" in terms
    # no pair across two fields
    assert "lanh_can" not in terms


def test_document_terms_reject_unknown_weight() -> None:
    with pytest.raises(ValueError, match="weight"):
        document_terms([("x", "Z")])


def test_document_terms_cap_positions_per_term() -> None:
    terms = document_terms([("nha " * 50, "C")])
    marks = next(part for part in terms.split(" ") if part.startswith("'nha':"))
    assert marks.count(",") == 7


def test_match_query_requires_every_word_and_prefixes_the_last() -> None:
    assert match_query(["tam", "lanh"]) == "'tam' & 'lanh':*"
    assert match_query(["nha", "ta"]) == "'nha' & 'ta':*"
    assert match_query([]) is None


def test_rank_query_scores_words_and_pairs() -> None:
    assert rank_query(["binh", "yen"]) == "'binh' | 'yen':* | 'binh_yen':*"
    assert rank_query(["duong", "day", "nong"]) == ("'duong' | 'day' | 'nong':* | 'duong_day' | 'day_nong':*")


def test_typed_words_drop_a_lone_trailing_letter_after_other_words() -> None:
    assert typed_words("nha t") == ["nha"]
    assert typed_words("t") == ["t"]
    assert typed_words("nha tam") == ["nha", "tam"]


def test_query_strings_cannot_carry_tsquery_syntax() -> None:
    tokens = typed_words("a' | b:* & !c <-> (d)")
    query = match_query(tokens)
    assert query is not None
    assert all(ch.isalnum() or ch in "'&:* _" for ch in query)
