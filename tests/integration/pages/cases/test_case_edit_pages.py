"""Changing a case from the pages: details and identifiers, closing and reopening, and a
coordinator's de-identification — each written through the same use case as the API, refused
in the form (nothing changed) when stale, invalid or unconfirmed."""

from __future__ import annotations

import asyncpg
import pytest

from tests.integration.pages.conftest import Browser, text
from tests.integration.reintegration.world import CASE_BODY, World


@pytest.fixture(autouse=True)
def english(browser: Browser) -> None:
    """The English pages, so the assertions can read them (the Vietnamese words are the catalog's)."""
    browser.client.headers["accept-language"] = "en"


async def _case(browser: Browser, world: World) -> dict[str, object]:
    response = await browser.client.get(f"/api/v1/survivors/{world.case_id}", headers=world.actors.caseworker.headers)
    return response.json()  # type: ignore[no-any-return]


def _form(page_text: str, **changes: str) -> dict[str, str]:
    """The edit form as the browser would send it: what the page shows, with ``changes``."""
    values = {
        "case_type": CASE_BODY["case_type"],
        "identification_status": CASE_BODY["identification_status"],
        "risk_level": "medium",
        "full_name": CASE_BODY["full_name"],
        "phone": CASE_BODY["phone"],
        "address": CASE_BODY["address"],
        "id_document_number": CASE_BODY["id_document_number"],
        "sex": "female",
        "birth_year": str(CASE_BODY["birth_year"]),
        "nationality": "VN",
        "languages": "vi",
        "home_province": "Cần Thơ",
        "version": "1",
    }
    values.update(changes)
    return values


async def test_the_caseworker_changes_a_case_through_its_form(browser: Browser, world: World) -> None:
    await browser.login(world.actors.caseworker)
    case_page = await browser.get(f"/cases/{world.case_id}")
    assert f'href="/cases/{world.case_id}/edit"' in case_page.text
    form = await browser.get(f"/cases/{world.case_id}/edit")
    assert form.status_code == 200
    # the form shows what the case holds, identifiers decrypted for the one allowed to change them
    assert f'value="{CASE_BODY["phone"]}"' in form.text and 'name="version" value="1"' in form.text
    # the name, not its code: the former province the case was opened with (Sóc Trăng, now Cần Thơ)
    assert 'name="home_province" list="provinces" value="Sóc Trăng"' in form.text
    assert "De-identify" not in form.text  # a caseworker cannot
    sent = await browser.submit(
        f"/cases/{world.case_id}/edit", _form(form.text, phone="0977 111 222", risk_level="high", address="")
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"/cases/{world.case_id}"
    case = await _case(browser, world)
    assert (case["phone"], case["risk_level"], case["address"], case["version"]) == ("0977 111 222", "high", None, 2)


async def test_a_stale_or_invalid_form_changes_nothing_and_says_why(browser: Browser, world: World) -> None:
    await browser.login(world.actors.caseworker)
    form = await browser.get(f"/cases/{world.case_id}/edit")
    assert (await browser.submit(f"/cases/{world.case_id}/edit", _form(form.text, risk_level="low"))).status_code == 303
    # the same form again, read at version 1: someone changed the case since
    stale = await browser.submit(f"/cases/{world.case_id}/edit", _form(form.text, phone="0900 000 000"))
    assert stale.status_code == 412
    assert "0900 000 000" in stale.text  # what was typed is kept
    bad = await browser.submit(f"/cases/{world.case_id}/edit", _form(form.text, birth_year="hai nghìn", version="2"))
    assert bad.status_code == 422 and 'id="e-birth_year"' in bad.text
    case = await _case(browser, world)
    assert (case["phone"], case["birth_year"], case["version"]) == (CASE_BODY["phone"], CASE_BODY["birth_year"], 2)


async def test_closing_needs_a_reason_and_a_closed_case_can_be_reopened(browser: Browser, world: World) -> None:
    await browser.login(world.actors.caseworker)
    status = f"/cases/{world.case_id}/status"
    no_reason = await browser.submit(status, {"status": "closed", "closure_reason": "", "version": "1"})
    assert no_reason.status_code == 422 and (await _case(browser, world))["status"] == "open"
    assert f'action="/cases/{world.case_id}/status#status"' in no_reason.text
    summary = no_reason.text.split('class="alert error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#f-closure_reason"' in summary
    closed = await browser.submit(status, {"status": "closed", "closure_reason": "goals_met", "version": "1"})
    assert closed.status_code == 303
    case = await _case(browser, world)
    assert (case["status"], case["closure_reason"]) == ("closed", "goals_met")
    form = await browser.get(f"/cases/{world.case_id}/edit")
    assert "Reopen the case" in text(form)
    assert (await browser.submit(status, {"status": "open", "version": "2"})).status_code == 303
    case = await _case(browser, world)
    assert (case["status"], case["closure_reason"]) == ("open", None)


async def test_a_coordinator_deidentifies_only_after_confirming(
    browser: Browser, world: World, pool: asyncpg.Pool
) -> None:
    await browser.login(world.actors.coordinator)
    # an open case: the page says to close it first, and a forced request is refused with that
    form = await browser.get(f"/cases/{world.case_id}/edit")
    assert "Only a closed case can be de-identified" in text(form) and "De-identify this case" not in form.text
    refused = await browser.submit(f"/cases/{world.case_id}/deidentify", {"confirm": "on"})
    assert refused.status_code == 409 and "Close the case first" in text(refused)
    closing = {"status": "closed", "closure_reason": "goals_met"}
    assert (await browser.submit(f"/cases/{world.case_id}/status", closing)).status_code == 303
    form = await browser.get(f"/cases/{world.case_id}/edit")
    assert "De-identify this case" in form.text
    unconfirmed = await browser.submit(f"/cases/{world.case_id}/deidentify", {})
    assert unconfirmed.status_code == 422 and 'id="e-confirm"' in unconfirmed.text
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT deidentified_at FROM survivor WHERE id = $1::uuid", world.case_id) is None
    done = await browser.submit(f"/cases/{world.case_id}/deidentify", {"confirm": "on"})
    assert done.status_code == 303
    case = await browser.get(f"/cases/{world.case_id}")
    assert CASE_BODY["full_name"] not in case.text and f"/cases/{world.case_id}/edit" not in case.text
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT full_name_enc, phone_enc, deidentified_at FROM survivor WHERE id = $1::uuid", world.case_id
        )
    assert row["full_name_enc"] is None and row["phone_enc"] is None and row["deidentified_at"] is not None
    # a de-identified case can no longer be changed, from the form either
    again = await browser.get(f"/cases/{world.case_id}/edit")
    assert "can no longer be changed" in text(again) and 'action="/cases/' not in again.text


async def test_others_cannot_change_or_deidentify_the_case(browser: Browser, world: World) -> None:
    await browser.login(world.colleague)  # a caseworker of the organization, not assigned
    assert (await browser.get(f"/cases/{world.case_id}/edit")).status_code == 404
    await browser.login(world.actors.caseworker)  # assigned, but de-identifying is a coordinator's
    refused = await browser.submit(f"/cases/{world.case_id}/deidentify", {"confirm": "on"})
    assert refused.status_code == 403
    assert (await _case(browser, world))["full_name"] == CASE_BODY["full_name"]
