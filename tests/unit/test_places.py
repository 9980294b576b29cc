"""The 34 provinces since 2025-07-01 and how typed names resolve to them."""

from __future__ import annotations

import pytest

from service import places


def test_there_are_34_provinces_with_unique_codes() -> None:
    provinces = places.provinces()
    assert len(provinces) == 34
    assert len({p.code for p in provinces}) == 34


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("92", "92"),
        ("Cần Thơ", "92"),
        ("Sóc Trăng", "92"),
        ("soc trang", "92"),
        ("Hậu Giang", "92"),
        ("Bắc Kạn", "19"),
        ("bac kan", "19"),
        ("Quảng Nam", "48"),
        ("Bình Dương", "79"),
        ("Bà Rịa–Vũng Tàu", "79"),
        ("TP.HCM", "79"),
        ("Sài Gòn", "79"),
        ("Thành phố Hồ Chí Minh", "79"),
        ("Thừa Thiên Huế", "46"),
        ("Hà Giang", "08"),
        ("Kiên Giang", "91"),
    ],
)
def test_resolve_accepts_codes_current_and_former_names(typed: str, code: str) -> None:
    province = places.resolve(typed)
    assert province is not None
    assert province.code == code


@pytest.mark.parametrize("typed", ["Atlantis", "", "9", "Hà"])
def test_resolve_rejects_unknown_places(typed: str) -> None:
    assert places.resolve(typed) is None


def test_every_former_province_named_in_the_resolution_is_listed() -> None:
    former = {name for p in places.provinces() for name in p.former_names}
    # 63 provinces before the merger = 34 now + 29 merged away; Huế's one is a rename (2025-01-01)
    assert len(former - {"Thừa Thiên Huế"}) == 29


def test_distance_between_can_tho_and_ho_chi_minh_city_is_about_130_km() -> None:
    can_tho = places.by_code("92")
    hcm = places.by_code("79")
    assert 120 < places.distance_km((can_tho.lat, can_tho.lon), (hcm.lat, hcm.lon)) < 145


def test_names_for_search_include_former_names() -> None:
    assert "Sóc Trăng" in places.names_for_search("92")
    assert "toàn quốc" in places.names_for_search("national")


def test_every_merged_away_province_has_its_own_centre() -> None:
    former = {name for p in places.provinces() for name in p.former_names} - {"Thừa Thiên Huế"}
    assert {name for name in former if places.former_province(name) == name} == former


@pytest.mark.parametrize(("typed", "former"), [("soc trang", "Sóc Trăng"), ("Cần Thơ", None), ("92", None)])
def test_former_province_is_read_from_a_typed_name(typed: str, former: str | None) -> None:
    assert places.former_province(typed) == former


def test_a_survivor_from_former_soc_trang_is_measured_from_soc_trang_not_can_tho() -> None:
    soc_trang = places.home_centre("92", "Sóc Trăng")
    assert soc_trang is not None
    can_tho = places.by_code("92")
    assert 50 < places.distance_km(soc_trang, (can_tho.lat, can_tho.lon)) < 70


def test_a_merged_province_without_its_former_one_has_no_centre_to_measure_from() -> None:
    assert places.home_centre("92") is None
    assert places.home_centre("01") == (21.0285, 105.8542)  # Hà Nội took in no other province
    assert places.home_centre("46") is not None  # Huế was only renamed


@pytest.mark.parametrize(
    ("typed", "code", "place", "rest"),
    [
        ("viec lam ha noi", "01", "ha noi", "viec lam"),
        ("viec lam hn", "01", "hn", "viec lam"),
        ("Việc làm Hà Nội", "01", "Hà Nội", "Việc làm"),
        ("tim viec tp hcm", "79", "tp hcm", "tim viec"),
        ("TP.HCM tạm lánh", "79", "TP.HCM", "tạm lánh"),
        ("tro giup phap ly sài gòn", "79", "sài gòn", "tro giup phap ly"),
        ("nha tam lanh đà nẵng", "48", "đà nẵng", "nha tam lanh"),
        ("vay von soc trang", "92", "soc trang", "vay von"),  # a former name: now Cần Thơ
        ("y te nghe an", "40", "nghe an", "y te"),
    ],
)
def test_a_province_named_in_a_search_is_found_with_the_other_words(
    typed: str, code: str, place: str, rest: str
) -> None:
    found = places.find_in_text(typed)
    assert found is not None
    assert (found.province.code, found.typed, found.rest) == (code, place, rest)


@pytest.mark.parametrize("typed", ["binh yen", "bao luc gia dinh", "tong dai 111", "01", "tam lanh"])
def test_words_naming_no_province_find_none(typed: str) -> None:
    assert places.find_in_text(typed) is None
