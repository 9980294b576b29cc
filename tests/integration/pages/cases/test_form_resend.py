"""Create forms sent twice — a double click, or the browser sending again after a lost answer —
make one case, consent, plan, milestone, follow-up, referral or listing: each rendered form
carries its own ``form_key``, used as the Idempotency-Key of the create."""

from __future__ import annotations

import asyncio
import re

import asyncpg
import httpx
import pytest

from service.idempotency import FORM_FIELD
from tests.integration.pages.cases.test_referral_pages import new_referral, referral_form
from tests.integration.pages.conftest import Browser, text
from tests.integration.reintegration.world import World, consent

NEW_CASE = {
    "case_type": "trafficking_victim",
    "identification_status": "identified_victim",
    "full_name": "Đặng Thị Thu",
    "phone": "0912 345 678",
    "risk_level": "high",
    "nationality": "VN",
}


@pytest.fixture(autouse=True)
def english(browser: Browser) -> None:
    browser.client.headers["accept-language"] = "en"


def form_key(page: httpx.Response, action: str) -> str:
    """The key of the form posting to ``action`` on ``page`` (its #fragment, where the answer opens, aside)."""
    form = re.split(rf'action="{re.escape(action)}(?:#[\w-]+)?"', page.text, maxsplit=1)[1].split("</form>", 1)[0]
    found = re.search(rf'name="{FORM_FIELD}" value="([0-9a-f]+)"', form)
    assert found, f"no {FORM_FIELD} in the form to {action}"
    return found.group(1)


async def count(pool: asyncpg.Pool, table: str) -> int:
    async with pool.acquire() as conn:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))


async def twice(browser: Browser, action: str, values: dict[str, str], key: str) -> list[httpx.Response]:
    """The same form sent twice at once, as a double click does."""
    form = {**values, FORM_FIELD: key}
    return list(await asyncio.gather(browser.submit(action, form), browser.submit(action, form)))


async def test_a_new_case_form_sent_twice_opens_one_case(browser: Browser, world: World, pool: asyncpg.Pool) -> None:
    await browser.login(world.actors.caseworker)
    page = await browser.get("/cases/new")
    before = await count(pool, "survivor")
    sent = await twice(browser, "/cases", NEW_CASE, form_key(page, "/cases"))
    assert [r.status_code for r in sent] == [303, 303]
    assert sent[0].headers["location"] == sent[1].headers["location"]
    assert await count(pool, "survivor") == before + 1
    # the next form is another case: a fresh key, a second case
    again = await browser.get("/cases/new")
    assert form_key(again, "/cases") != form_key(page, "/cases")
    second = await browser.submit("/cases", {**NEW_CASE, FORM_FIELD: form_key(again, "/cases")})
    assert second.status_code == 303 and second.headers["location"] != sent[0].headers["location"]
    assert await count(pool, "survivor") == before + 2


async def test_the_case_page_forms_sent_twice_record_once(browser: Browser, world: World, pool: asyncpg.Pool) -> None:
    await browser.login(world.actors.caseworker)
    case = f"/cases/{world.case_id}"
    page = await browser.get(case)
    agreed = {"purpose": "referral", "organization_id": "all", "consent_method": "written", "evidence": "Phiếu ký"}
    plan = {"notes": "Kế hoạch tái hòa nhập"}
    visit = {"fu_date": "2026-11-20", "fu_method": "office_visit", "fu_notes": "Chị đến văn phòng"}
    for action, values in ((f"{case}/consents", agreed), (f"{case}/plans", plan), (f"{case}/follow-ups", visit)):
        sent = await twice(browser, action, values, form_key(page, action))
        assert [r.status_code for r in sent] == [303, 303], action
    # the milestone form shows once there is a plan
    page = await browser.get(case)
    milestone = {"domain": "vocational_employment", "title": "Học nghề may"}
    sent = await twice(browser, f"{case}/milestones", milestone, form_key(page, f"{case}/milestones"))
    assert [r.status_code for r in sent] == [303, 303]
    counts = [await count(pool, table) for table in ("consent", "plan", "milestone", "follow_up")]
    assert counts == [1, 1, 1, 1]


async def test_a_sent_form_brought_back_and_changed_is_shown_again_to_send_anew(
    browser: Browser, world: World, pool: asyncpg.Pool
) -> None:
    """The Back button brings a sent form back with its key; changed and sent, it is not taken for
    the first one: the page says so and offers the form again, which then records it."""
    await browser.login(world.actors.caseworker)
    action = f"/cases/{world.case_id}/consents"
    key = form_key(await browser.get(f"/cases/{world.case_id}"), action)
    agreed = {"purpose": "referral", "organization_id": "all", "consent_method": "written", "evidence": "Phiếu ký"}
    assert (await browser.submit(action, {**agreed, FORM_FIELD: key})).status_code == 303
    changed = {**agreed, "consent_method": "verbal_with_witness", "evidence": "Đồng ý qua điện thoại"}
    refused = await browser.submit(action, {**changed, FORM_FIELD: key})
    assert refused.status_code == 422 and "already sent once" in text(refused)
    assert "Đồng ý qua điện thoại" in refused.text  # what was typed is kept
    fresh = form_key(refused, action)
    assert fresh != key and await count(pool, "consent") == 1
    assert (await browser.submit(action, {**changed, FORM_FIELD: fresh})).status_code == 303
    assert await count(pool, "consent") == 2


async def test_a_referral_form_sent_twice_reaches_the_partner_once(
    browser: Browser, world: World, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await consent(client, world, world.actors.org)
    await browser.login(world.actors.caseworker)
    page = await browser.get(new_referral(world))
    sent = await twice(browser, "/referrals", referral_form(world, "send"), form_key(page, "/referrals"))
    assert [r.status_code for r in sent] == [303, 303]
    assert sent[0].headers["location"] == sent[1].headers["location"]
    assert await count(pool, "referral") == 1
