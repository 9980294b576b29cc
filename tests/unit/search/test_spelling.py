"""Slips corrected from the directory's own words, and the synonym table expanding a query."""

from __future__ import annotations

import pytest

from search.spelling import Vocabulary, as_written, correct
from search.synonyms import expand, expanded_match, expanded_rank, with_synonyms
from search.text import typed_words

VOCABULARY = Vocabulary(
    {"tro": 40, "giup": 40, "phap": 40, "ly": 45, "tam": 50, "lanh": 35, "lan": 2, "viec": 30, "lam": 30,
     "benh": 34, "vien": 34, "binh": 60, "yen": 20, "ngan": 34, "hang": 34, "nguoi": 90},
    ["tro_giup", "phap_ly", "viec_lam", "binh_yen"],
)  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("trogiup phap ly", "tro giup phap ly"),  # two words run together
        ("tam lahn", "tam lanh"),  # two letters swapped, in a short word too
        ("phap lyy", "phap ly"),  # a doubled letter
        ("ngan hnag", "ngan hang"),
        ("nguoii", "nguoi"),  # an extra letter in a long word
        ("ngoui", "nguoi"),  # swapped
        ("nguxi", "nguoi"),  # a wrong letter
        ("ngui", "ngui"),  # a missing letter in a short word is not guessed
        ("gioi thieu vieclam", "gioi thieu viec lam"),
    ],
)
def test_a_slip_is_read_as_the_directorys_own_word(typed: str, meant: str) -> None:
    assert " ".join(correct(typed_words(typed), VOCABULARY).tokens) == meant


def test_known_words_numbers_synonyms_and_words_being_typed_are_left_alone() -> None:
    for typed in ("tro giup phap ly", "111 tam lanh", "tgpl", "tam la", "binh y"):
        assert not correct(typed_words(typed), VOCABULARY).changed, typed
    # a finished word (not the last) that only begins a known word is a slip, not a prefix
    assert correct(["lanhh", "tam"], VOCABULARY).tokens == ["lanh", "tam"]


def test_the_most_common_candidate_wins() -> None:
    vocabulary = Vocabulary({"tamlanh": 1, "tamlinh": 9})
    assert correct(["tamlonh"], vocabulary).tokens == ["tamlinh"]


def test_an_empty_directory_corrects_nothing() -> None:
    assert correct(["tam", "lahn"], Vocabulary({})).tokens == ["tam", "lahn"]


NAMES = [
    "Ngôi Nhà Bình Yên – nhà tạm lánh cho nạn nhân bị mua bán",
    "Tư vấn tâm lý – xã hội cho nạn nhân (Đồng Nai)",
    "Trung tâm Trợ giúp pháp lý nhà nước Cà Mau",
    "Trợ giúp pháp lý miễn phí – Lào Cai",
]


@pytest.mark.parametrize(
    ("meant", "written"),
    [
        ("tam lanh", "tạm lánh"),  # "tam" alone is "tâm" more often: the words are read together
        ("tro giup phap ly", "trợ giúp pháp lý"),
        ("tu van tam ly", "tư vấn tâm lý"),
        ("tro giup nha tam lanh", "trợ giúp nhà tạm lánh"),  # two runs, each as a name writes it
        ("nha tam lanh xyz", "nhà tạm lánh xyz"),  # a word no name holds stays as it was
    ],
)
def test_a_suggestion_is_written_as_the_listings_write_it(meant: str, written: str) -> None:
    assert as_written(meant.split(), NAMES) == written


def test_a_suggestion_with_nothing_to_read_from_stays_folded() -> None:
    assert as_written(["tam", "lanh"], []) == "tam lanh"


def test_abbreviations_and_english_words_match_the_vietnamese_phrase() -> None:
    assert expanded_match(["tgpl"]) == (
        "(('tgpl':*) | ('tro' & 'giup' & 'phap' & 'ly') | ('legal' & 'aid') | ('legal' & 'help'))"
    )
    spans = expand(typed_words("viec lam ha noi"))
    assert spans[0][0] == ("viec", "lam") and spans[0][1] is not None and spans[1] == (("ha",), None)
    assert "'tro_giup'" in (expanded_rank(["tgpl"]) or "")
    assert "tro giup phap ly" in with_synonyms(["tgpl"])


def test_words_outside_the_table_are_matched_as_before() -> None:
    assert expanded_match(["nha", "ta"]) == "'nha' & 'ta':*"
    assert expanded_match([]) is None
