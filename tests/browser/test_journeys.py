"""Each user group's main journey end to end, in Chromium, as the demo accounts: a caseworker opens
a case, records consent, finds a service and refers; the partner accepts and completes; the
caseworker verifies; the coordinator sees it on the dashboard. Screenshots of the main pages."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import login, screenshot

SUMMARY = "Phụ nữ 24 tuổi vừa trở về, cần chỗ ở an toàn hai tuần và tư vấn tâm lý."
NAME = "Trần Thị Hành Trình"


def new_page(chromium: Browser) -> Page:
    return chromium.new_context(viewport={"width": 1200, "height": 900}, locale="vi-VN").new_page()


def test_refer_accept_complete_verify_and_see_it_on_the_dashboard(chromium: Browser, live_server: str) -> None:
    caseworker = new_page(chromium)
    login(caseworker, live_server, "caseworker@ketnoi.demo")
    screenshot(caseworker, "search-logged-in")

    # a new case, with consent to refer to any partner
    caseworker.goto(live_server + "/cases/new")
    caseworker.select_option("#f-case_type", "trafficking_victim")
    caseworker.select_option("#f-identification_status", "identified_victim")
    caseworker.fill("#f-full_name", NAME)
    caseworker.fill("#f-birth_year", "2002")
    caseworker.fill("#f-home_province", "Sóc Trăng")
    caseworker.click("form[action='/cases#case-form'] button[type=submit]")
    caseworker.wait_for_url(re.compile(r".*/cases/[0-9a-f-]{36}.*"))
    case_url = caseworker.url.split("#")[0]
    expect(caseworker.locator("body")).to_contain_text(NAME)
    case_code = re.search(r"CT-\d{4}-[0-9A-HJKMNP-TV-Z]{6}", caseworker.content())
    assert case_code
    caseworker.select_option("#f-organization_id", "all")  # no recipient is chosen for her
    caseworker.select_option("#f-consent_method", "written")
    caseworker.fill("#f-evidence", "Phiếu đồng ý ký ngày 22/11")
    caseworker.click(f"form[action^='{case_url.removeprefix(live_server)}/consents'] button[type=submit]")
    caseworker.wait_for_load_state()
    screenshot(caseworker, "case")

    # search → listing → refer, with the summary previewed as the partner will see it
    caseworker.goto(live_server + "/?q=binh+yen")
    caseworker.locator("#results .hit h3 a").first.click()
    caseworker.click("a[href^='/referrals/new']")
    option = caseworker.locator("#f-case option", has_text=case_code.group(0))
    caseworker.select_option("#f-case", value=option.get_attribute("value"))
    caseworker.click("form[action='/referrals/new'] button[type=submit]")
    caseworker.fill("#f-shared_summary", SUMMARY)
    caseworker.click("button[value=preview]")
    preview = caseworker.locator("#preview-h").locator("xpath=..")
    expect(preview).to_contain_text(SUMMARY)
    assert NAME not in preview.inner_text() and case_code.group(0) not in preview.inner_text()
    screenshot(caseworker, "referral-preview")
    caseworker.click("button[value=send]")
    caseworker.wait_for_url(re.compile(r".*/referrals/[0-9a-f-]{36}(#.*)?$"))  # the form's anchor may follow
    referral_url = caseworker.url.split("#")[0]

    # the partner answers from its inbox, seeing the summary and nothing of who she is
    partner = new_page(chromium)
    login(partner, live_server, "partner@ketnoi.demo")
    partner.goto(live_server + "/partner/referrals")
    screenshot(partner, "partner-inbox")
    referral_id = referral_url.rsplit("/", 1)[-1]
    partner.goto(f"{live_server}/partner/referrals/{referral_id}")
    expect(partner.locator("body")).to_contain_text(SUMMARY)
    assert NAME not in partner.content()
    for action in ("accept", "start", "complete"):
        partner.click(f"form[action$='/{action}'] button[type=submit]")
        partner.wait_for_load_state()
    partner.goto(live_server + "/partner")
    screenshot(partner, "partner-listings")

    # the caseworker closes the loop
    caseworker.goto(referral_url)
    caseworker.click("form[action$='/verify'] button[type=submit]")
    caseworker.wait_for_load_state()
    expect(caseworker.locator("body")).to_contain_text(re.compile("Đã xác minh|Verified", re.IGNORECASE))

    # the coordinator sees the outcome on the dashboard
    coordinator = new_page(chromium)
    login(coordinator, live_server, "coordinator@ketnoi.demo")
    coordinator.goto(live_server + "/dashboard")
    expect(coordinator.locator("svg").first).to_be_visible()
    expect(coordinator.locator("body")).to_contain_text("Ngôi Nhà Bình Yên")
    screenshot(coordinator, "dashboard")
    coordinator.goto(live_server + "/dashboard/approvals")
    screenshot(coordinator, "approvals")


def at(url: str) -> re.Pattern[str]:
    """The page at ``url``, opened at any of its anchors: a form posts to ``…#its-id`` so that a
    refusal reopens at the form, and the browser keeps that anchor through the redirect."""
    return re.compile(re.escape(url) + r"(#.*)?$")


def test_a_case_is_changed_closed_and_then_deidentified_by_the_coordinator(chromium: Browser, live_server: str) -> None:
    name = "Lê Thị Đổi Thay"
    caseworker = new_page(chromium)
    login(caseworker, live_server, "caseworker@ketnoi.demo")
    caseworker.goto(live_server + "/cases/new")
    caseworker.select_option("#f-case_type", "returnee_migrant")
    caseworker.fill("#f-full_name", name)
    caseworker.fill("#f-phone", "0912 000 333")
    caseworker.click("form[action='/cases#case-form'] button[type=submit]")
    caseworker.wait_for_url(re.compile(r".*/cases/[0-9a-f-]{36}(#.*)?$"))
    case_url = caseworker.url.split("#")[0]

    # a new phone number and a higher risk, through the case's edit form
    caseworker.click("a[href$='/edit']")
    expect(caseworker.locator("#f-phone")).to_have_value("0912 000 333")
    screenshot(caseworker, "case-edit")
    caseworker.fill("#f-phone", "0988 444 555")
    caseworker.select_option("#f-risk_level", "high")
    caseworker.check("#f-do_not_contact")
    caseworker.click("form[action*='/edit#'] button[type=submit]")
    caseworker.wait_for_url(at(case_url))
    expect(caseworker.locator("body")).to_contain_text("0988 444 555")
    expect(caseworker.locator(".badge.full").first).to_be_visible()

    # closed with a reason; the form then offers to reopen it
    caseworker.goto(case_url + "/edit")
    caseworker.select_option("#f-closure_reason", "goals_met")
    caseworker.click("form[action*='/status#'] button[type=submit]")
    caseworker.wait_for_url(at(case_url))
    caseworker.goto(case_url + "/edit")
    expect(caseworker.locator("form[action*='/status#'] input[name=status][value=open]")).to_have_count(1)

    # the coordinator de-identifies it, after ticking that it cannot be undone
    coordinator = new_page(chromium)
    login(coordinator, live_server, "coordinator@ketnoi.demo")
    coordinator.goto(case_url + "/edit")
    coordinator.check("#f-confirm")
    coordinator.click("form[action*='/deidentify#'] button[type=submit]")
    coordinator.wait_for_url(at(case_url))
    assert name not in coordinator.content() and "0988 444 555" not in coordinator.content()
    expect(coordinator.locator("a[href$='/edit']")).to_have_count(0)


def test_a_form_post_without_the_csrf_token_is_refused(chromium: Browser, live_server: str) -> None:
    page = new_page(chromium)
    login(page, live_server, "caseworker@ketnoi.demo")
    status = page.evaluate(
        "fetch('/cases', {method: 'POST', body: new URLSearchParams({case_type: 'gbv_survivor'})}).then(r => r.status)"
    )
    assert status == 403


def test_a_script_stored_in_a_listing_stays_inert(chromium: Browser, live_server: str) -> None:
    payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    partner = new_page(chromium)
    login(partner, live_server, "partner@ketnoi.demo")
    partner.goto(live_server + "/partner")
    edit_link = re.search(r'href="(/partner/services/[0-9a-f-]{36})"', partner.content())
    assert edit_link
    partner.goto(live_server + edit_link.group(1))
    partner.fill("#f-description", payload)
    partner.click("form[action^='/partner/services'] button[type=submit]")
    partner.wait_for_load_state()
    service_id = partner.url.split("/partner/services/", 1)[1].split("?")[0].split("/")[0]
    for path in (f"/services/{service_id}", f"/partner/services/{service_id}"):
        partner.goto(live_server + path)
        assert partner.evaluate("window.__xss") is None, path
    partner.goto(f"{live_server}/services/{service_id}")
    expect(partner.locator("article")).to_contain_text("<script>window.__xss=2</script>")


def test_login_page(page: Page, live_server: str) -> None:
    page.goto(live_server + "/login")
    screenshot(page, "login")
    page.fill("#email", "caseworker@ketnoi.demo")
    page.fill("#password", "wrong password")
    page.click("form[action='/login'] button[type=submit]")
    expect(page.locator("[role=alert]")).to_be_visible()


def test_admin_and_coordinator_queues(chromium: Browser, live_server: str) -> None:
    admin = new_page(chromium)
    login(admin, live_server, "admin@ketnoi.demo")
    admin.goto(live_server + "/admin/users")
    expect(admin.locator("body")).to_contain_text("caseworker@ketnoi.demo")
    screenshot(admin, "admin-users")
    coordinator = new_page(chromium)
    login(coordinator, live_server, "coordinator@ketnoi.demo")
    coordinator.goto(live_server + "/verify")
    coordinator.locator("form[action^='/verify/'] button[type=submit]").first.click()
    coordinator.wait_for_load_state()
    expect(coordinator.locator(".notice")).to_be_visible()
    screenshot(coordinator, "verify")
