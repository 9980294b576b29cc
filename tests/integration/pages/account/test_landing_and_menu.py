"""After login each role lands where its work is, and the menu counts the work waiting: a partner's
referrals to answer, a coordinator's plans to approve and listings to verify, everyone's unread
notifications (demo data)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from litestar import Litestar

from service.auth.models import Principal, Role
from service.demo.seed import DEMO_LOGINS, DEMO_PASSWORD, DEMO_UNREAD_NOTIFICATIONS
from service.directory import verification
from service.reintegration import approvals, referrals
from service.web.session import principal_for
from tests.integration.pages.conftest import Browser
from tests.integration.queries import counted_queries

EMAIL = {login.role: login.email for login in DEMO_LOGINS if login.email.split("@")[0] == login.role.value}


@pytest.fixture
async def demo_browser(demo_app: Litestar) -> AsyncIterator[Browser]:
    transport = httpx.ASGITransport(app=demo_app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver", follow_redirects=False) as client:
        yield Browser(client)


async def _log_in(browser: Browser, role: Role, next_page: str | None = None) -> httpx.Response:
    form = {"email": EMAIL[role], "password": DEMO_PASSWORD} | ({"next": next_page} if next_page is not None else {})
    response = await browser.submit("/login", form)
    assert response.status_code == 303, response.text
    return response


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (Role.PARTNER, "/partner/referrals"),
        (Role.CASEWORKER, "/cases"),
        (Role.COORDINATOR, "/dashboard"),
        (Role.ADMIN, "/admin/users"),
    ],
)
async def test_a_login_without_next_lands_where_the_roles_work_is(
    demo_browser: Browser, role: Role, where: str
) -> None:
    form = await demo_browser.get("/login")
    assert 'name="next" value=""' in form.text  # the login link carries no destination
    assert (await _log_in(demo_browser, role, "")).headers["location"] == where


async def test_a_login_with_next_goes_there(demo_browser: Browser) -> None:
    assert (await _log_in(demo_browser, Role.PARTNER, "/partner")).headers["location"] == "/partner"


async def _menu(browser: Browser) -> str:
    # the login page: in this room, and with the layout every page has
    page = await browser.get("/login", headers={"accept-language": "vi"})
    nav = re.search(r'<nav aria-label="[^"]*">(.*?)</nav>', page.text, re.S)
    assert nav is not None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", nav.group(1)))


async def _principal(app: Litestar, browser: Browser) -> Principal:
    async with app.state.pool.acquire() as conn:
        principal = await principal_for(conn, browser.client.cookies["kn_session"])
    assert principal is not None
    return principal


async def test_a_partners_menu_counts_the_referrals_waiting_for_an_answer(
    demo_app: Litestar, demo_browser: Browser
) -> None:
    await _log_in(demo_browser, Role.PARTNER)
    async with demo_app.state.pool.acquire() as conn:
        waiting = await referrals.awaiting_answer_count(conn, await _principal(demo_app, demo_browser))
    assert waiting > 0  # the demo sends Ngôi Nhà Bình Yên referrals still to answer
    assert f"Hộp chuyển gửi ({waiting})" in await _menu(demo_browser)


async def test_a_coordinators_menu_counts_approvals_and_verifications(
    demo_app: Litestar, demo_browser: Browser
) -> None:
    await _log_in(demo_browser, Role.COORDINATOR)
    principal = await _principal(demo_app, demo_browser)
    async with demo_app.state.pool.acquire() as conn:
        pending = await approvals.pending_count(conn, principal)
        due = await verification.due_count(conn, principal, datetime.now(UTC))
    assert pending > 0  # the demo's Cần Thơ tree has plans submitted for approval
    menu = await _menu(demo_browser)
    assert f"Phê duyệt ({pending})" in menu
    assert (f"Xác minh ({due})" if due else "Xác minh") in menu
    page = await demo_browser.get("/login")
    assert 'href="/dashboard/approvals"' in page.text and 'href="/verify"' in page.text


async def test_an_admins_menu_counts_listings_to_verify(demo_app: Litestar, demo_browser: Browser) -> None:
    await _log_in(demo_browser, Role.ADMIN)
    async with demo_app.state.pool.acquire() as conn:
        due = await verification.due_count(conn, await _principal(demo_app, demo_browser), datetime.now(UTC))
    assert due > 0
    assert f"Xác minh ({due})" in await _menu(demo_browser)


async def test_a_caseworkers_menu_counts_only_her_unread_notifications(
    demo_app: Litestar, demo_browser: Browser
) -> None:
    await _log_in(demo_browser, Role.CASEWORKER)
    caseworker = await _principal(demo_app, demo_browser)
    unread = "SELECT count(*) FROM notification WHERE read_at IS NULL AND ($1::uuid IS NULL OR user_id = $1)"
    async with demo_app.state.pool.acquire() as conn:
        # the shared demo database: other tests may have told her more since it was seeded
        hers, everyone = await conn.fetchval(unread, caseworker.user_id), await conn.fetchval(unread, None)
    assert hers >= DEMO_UNREAD_NOTIFICATIONS and everyone > hers
    menu = await _menu(demo_browser)
    assert menu.count("(") == 1 and f"Thông báo ({hers})" in menu


# every signed-in user's menu counts their unread notifications: one query more for each role
@pytest.mark.parametrize(("role", "extra"), [(Role.CASEWORKER, 1), (Role.PARTNER, 2), (Role.COORDINATOR, 3)])
async def test_the_menus_counts_cost_one_query_per_count_and_none_for_fragments(
    demo_app: Litestar, demo_browser: Browser, role: Role, extra: int
) -> None:
    await _log_in(demo_browser, role)
    async with counted_queries(demo_app.state.pool) as full:
        await demo_browser.get("/login")
    async with counted_queries(demo_app.state.pool) as fragment:  # an htmx swap has no menu to count for
        await demo_browser.get("/login", headers={"hx-request": "true"})
    assert len(full) - len(fragment) == extra, full
