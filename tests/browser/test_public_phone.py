"""The public room on a 390 × 844 phone (and a 1280 × 900 screen): results before filters, one
"Bộ lọc (n)" panel whose counts follow the results, a live count, emergency numbers one tap away,
no distance without a point, and the survivor's task walked end to end."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, screenshot

FOLD = 844  # the phone's first viewport, CSS pixels


@pytest.fixture
def desktop(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(**DESKTOP)
    yield context.new_page()
    context.close()


def bottom(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["y"] + box["height"]


def result_total(page: Page) -> int:
    match = re.match(r"(\d+) kết quả", page.locator("#result-status").inner_text())
    assert match, page.locator("#result-status").inner_text()
    return int(match.group(1))


def test_on_a_phone_the_first_result_is_in_the_first_viewport(phone: Page, live_server: str) -> None:
    phone.goto(live_server + "/?q=tam+lanh")
    assert bottom(phone, "#results .hit h3") < FOLD
    expect(phone.locator("details.filters")).not_to_have_attribute("open", "")
    screenshot(phone, "public-phone-search")


def test_on_a_wide_screen_the_filters_sit_open_beside_the_results(desktop: Page, live_server: str) -> None:
    desktop.goto(live_server + "/?q=tam+lanh")
    expect(desktop.locator("details.filters")).to_have_attribute("open", "")
    filters = desktop.locator("details.filters").bounding_box()
    first = desktop.locator("#results .hit").first.bounding_box()
    assert filters and first and filters["x"] + filters["width"] <= first["x"]
    assert first["y"] < 900
    screenshot(desktop, "public-desktop-search")


@pytest.mark.parametrize("path", ["/", "/?q=tam+lanh", "/login"])
def test_emergency_numbers_are_tappable_above_the_fold(phone: Page, live_server: str, path: str) -> None:
    phone.goto(live_server + path)
    for number in ("113", "111", "1900969680"):
        call = phone.locator(f"nav.sos a[href='tel:{number}']")
        expect(call).to_be_visible()
        box = call.bounding_box()
        assert box and box["y"] + box["height"] < FOLD and box["height"] >= 44  # a thumb's target


def test_emergency_numbers_on_a_listing_page_too(phone: Page, live_server: str) -> None:
    phone.goto(live_server + "/?q=binh+yen")
    phone.locator("#results .hit h3 a").first.click()
    phone.wait_for_url("**/services/*")
    assert bottom(phone, "nav.sos a[href='tel:113']") < FOLD
    screenshot(phone, "public-phone-listing")


def test_a_filter_tap_updates_the_results_the_count_and_the_facet_counts(phone: Page, live_server: str) -> None:
    phone.goto(live_server + "/?q=tam+lanh")
    summary = phone.locator("details.filters > summary")
    expect(summary).to_have_text("Bộ lọc (0)")
    before = result_total(phone)
    shelters = phone.locator("#n-category-shelter")
    assert 0 < int(shelters.text_content() or "") <= before
    summary.click()
    phone.get_by_label("Còn chỗ trống").check()
    expect(summary).to_have_text("Bộ lọc (1)")
    expect(phone.locator("#result-status")).not_to_have_text(f"{before} kết quả")
    after = result_total(phone)
    assert 0 < after < before
    api = phone.request.get(live_server + "/api/v1/services?q=tam+lanh&has_capacity=true").json()
    assert api["total"] == after
    expect(shelters).to_have_text(str(api["facets"]["category"]["shelter"]))  # the facet count follows
    assert phone.locator("#result-status").get_attribute("role") == "status"  # one polite live region
    assert phone.locator("[aria-live], [role=status]").count() == 1
    screenshot(phone, "public-phone-filters")
    phone.get_by_role("button", name="Xem kết quả").click()
    expect(phone.locator("details.filters")).not_to_have_attribute("open", "")
    assert phone.locator("#results .hit").count() == min(after, 20)


def test_the_filters_panel_works_without_javascript(chromium: Browser, live_server: str) -> None:
    context = chromium.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/?q=tam+lanh")
    page.locator("details.filters > summary").click()
    page.get_by_label("Còn chỗ trống").check()
    page.get_by_role("button", name="Xem kết quả").click()
    page.wait_for_url("**has_capacity=true**")
    expect(page.locator("details.filters > summary")).to_have_text("Bộ lọc (1)")
    expect(page.locator("#results .hit").first).to_contain_text("chỗ trống")
    context.close()


def test_no_distance_is_claimed_from_a_province_alone(phone: Page, live_server: str) -> None:
    phone.goto(live_server + "/?province=S%C3%B3c+Tr%C4%83ng&q=tro+giup+phap+ly")
    expect(phone.locator("#results .hit").first).to_be_visible()
    assert " km" not in phone.locator("#results").inner_text()
    phone.goto(live_server + "/?q=tro+giup+phap+ly&near=9.60,105.97")  # a real point: "near me"
    expect(phone.locator("#results .hit").first).to_contain_text("km")


def test_typing_a_hotline_number_offers_that_line_first(phone: Page, live_server: str) -> None:
    phone.goto(live_server + "/")
    phone.fill("#q", "113")
    expect(phone.locator("#results .sos-found a[href='tel:113']")).to_be_visible()
    phone.fill("#q", "111")
    expect(phone.locator("#results .hit").first).to_contain_text("111")
    expect(phone.locator("#results")).not_to_contain_text("0299 555 111")


def test_listing_shows_languages_by_name(phone: Page, live_server: str) -> None:
    phone.goto(live_server + "/?q=binh+yen")
    phone.locator("#results .hit h3 a").first.click()
    phone.wait_for_url("**/services/*")
    expect(phone.locator("dl.facts")).to_contain_text("Tiếng Việt, Tiếng Khmer")
    assert "vi, km" not in phone.locator("dl.facts").inner_text()


def test_survivor_finds_a_shelter_and_a_hotline_in_5_taps(phone: Page, live_server: str) -> None:
    """Tap 1: the search box (then type); 2: "Bộ lọc"; 3: "Còn chỗ"; 4: "Xem kết quả"; 5: the first
    shelter. Its number is a tel: link there, and the emergency lines were one tap away all along."""
    phone.goto(live_server + "/")
    phone.locator("#q").tap()
    phone.keyboard.type("nha tam lanh")
    expect(phone.locator("#results .hit").first).to_contain_text("tạm lánh")
    phone.locator("details.filters > summary").tap()
    phone.get_by_label("Còn chỗ trống").tap()
    expect(phone.locator("details.filters > summary")).to_have_text("Bộ lọc (1)")
    phone.get_by_role("button", name="Xem kết quả").tap()
    first = phone.locator("#results .hit h3 a").first
    expect(first).to_be_in_viewport()
    first.tap()
    phone.wait_for_url("**/services/*")
    expect(phone.locator("dl.facts")).to_contain_text("trống")
    call = phone.locator("main a.tel[href^='tel:']").first
    expect(call).to_be_visible()
    expect(phone.locator("nav.sos a[href='tel:111']")).to_be_in_viewport()
    screenshot(phone, "public-phone-shelter")
