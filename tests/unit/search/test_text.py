"""Vietnamese folding and the term/query strings search is built on."""

from __future__ import annotations

import pytest

from search.text import (
    fold,
    match_query,
    match_terms,
    names_label,
    phone_number,
    rank_query,
    rank_terms,
    typed_words,
    words,
)


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


def test_match_terms_are_every_distinct_word_without_positions() -> None:
    assert match_terms(["Nhà tạm lánh", "tạm thời, Cần Thơ"]) == "'can' 'lanh' 'nha' 'tam' 'tho' 'thoi'"


def test_rank_terms_carry_words_and_adjacent_pairs_with_weights() -> None:
    terms = rank_terms([("Nhà tạm lánh", "A"), ("Cần Thơ", "C")])
    assert "'tam':2A" in terms
    assert "'tam_lanh':2A" in terms
    assert "'can_tho':" in terms
    # no pair across two fields
    assert "lanh_can" not in terms


def test_rank_terms_reject_unknown_weight() -> None:
    with pytest.raises(ValueError, match="weight"):
        rank_terms([("x", "Z")])


def test_rank_terms_cap_positions_per_term() -> None:
    terms = rank_terms([("nha " * 50, "C")])
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


@pytest.mark.parametrize(
    ("typed", "label", "named"),
    [
        ("tam lanh", "Nhà tạm lánh", True),
        ("nha tam", "Nhà tạm lánh", True),
        ("tam", "Tư vấn tâm lý xã hội", True),
        ("shelter can tho", "Shelter", True),
        ("duong day nong", "Đường dây nóng", True),
        ("legal aid", "Legal aid", True),
        ("binh yen", "Nhà tạm lánh", False),
        ("lanh can", "Nhà tạm lánh", False),
        ("", "Nhà tạm lánh", False),
    ],
)
def test_names_label_recognises_kinds_named_in_a_query(typed: str, label: str, named: bool) -> None:
    assert names_label(typed_words(typed), label) is named


@pytest.mark.parametrize(
    ("typed", "number"),
    [("111", "111"), (" 113 ", "113"), ("1900 969 680", "1900969680"), ("1900.969.680", "1900969680"),
     ("(0292) 3821-555", "02923821555"), ("+84 377 672 444", "0377672444"),
     ("11", None), ("111 tam lanh", None), ("tam lanh", None), ("", None), ("+", None)],
)  # fmt: skip
def test_phone_number_is_the_whole_number_a_query_is(typed: str, number: str | None) -> None:
    assert phone_number(typed) == number
