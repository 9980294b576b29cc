"""What search read in the words, on a 390 × 844 phone: the removable "ở Hà Nội" chip and
"Có phải bạn muốn tìm …?" above the results, in Vietnamese and in English."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot

PHONE_WIDTH = 390


def fits_the_phone(page: Page, *selectors: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    for selector in selectors:
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, selector


def test_a_place_in_the_words_shows_as_a_chip_that_removes_it(phone: Page, live_server: str) -> None:
    phone.goto(live_server + "/?q=viec+lam+ha+noi")
    chip = phone.locator(".understood .chip")
    expect(chip).to_contain_text("ở Hà Nội")
    fits_the_phone(phone, ".understood", ".chip", "#results .hit")
    remove = chip.locator("a")
    box = remove.bounding_box()
    assert box is not None and box["width"] >= 40 and box["height"] >= 40  # a thumb's tap
    assert phone.locator("#results .hit").first.bounding_box()["y"] < 844  # type: ignore[index]
    screenshot(phone, "phone-search-place-chip")
    remove.click()
    phone.wait_for_load_state()
    expect(phone.locator("#q")).to_have_value("viec lam")
    expect(phone.locator(".understood")).to_have_count(0)


def test_a_slip_offers_what_it_meant(phone: Page, live_server: str) -> None:
    phone.goto(live_server + "/?q=tam+lahn")
    offer = phone.locator(".did-you-mean")
    # written as the listings write it, not folded as the directory's vocabulary holds it
    expect(offer).to_contain_text("Có phải bạn muốn tìm tạm lánh?")
    expect(phone.locator("#results .hit").first).to_be_visible()
    fits_the_phone(phone, ".did-you-mean", "#results .hit")
    screenshot(phone, "phone-search-did-you-mean")
    offer.locator("a").click()
    phone.wait_for_load_state()
    expect(phone.locator("#q")).to_have_value("tạm lánh")
    expect(phone.locator("#results .hit").first).to_contain_text("tạm lánh")


def test_in_english_the_chip_and_the_offer_read_in_english(phone: Page, live_server: str) -> None:
    phone.goto(live_server + "/")
    phone.click("a[href^='/lang/en']")
    phone.wait_for_load_state()
    phone.goto(live_server + "/?q=tam+lahn+ha+noi")
    expect(phone.locator(".chip")).to_contain_text("in Hà Nội")
    expect(phone.locator(".chip a")).to_have_attribute("aria-label", "Search every province")
    expect(phone.locator(".did-you-mean")).to_contain_text("Did you mean tạm lánh Hà Nội?")
    fits_the_phone(phone, ".understood", ".chip", ".did-you-mean", "#results .hit")
    screenshot(phone, "phone-search-understood-en")
