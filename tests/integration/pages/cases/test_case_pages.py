"""The caseworker's case pages: list, open a case, the case page and its forms."""

from __future__ import annotations

import asyncpg
import httpx

from tests.integration.conftest import Actors
from tests.integration.pages.conftest import Browser, text
from tests.integration.reintegration.world import CASE_BODY, World

NAME = CASE_BODY["full_name"]


async def count(pool: asyncpg.Pool, sql: str, *args: object) -> int:
    async with pool.acquire() as conn:
        return int(await conn.fetchval(sql, *args))


async def submit_consent(browser: Browser, world: World, organization_id: str, **more: str) -> httpx.Response:
    """Send the case page's form recording a written consent to referrals to ``organization_id``."""
    form = {"purpose": "referral", "organization_id": organization_id, "consent_method": "written", **more}
    return await browser.submit(f"/cases/{world.case_id}/consents", form)


async def test_caseworker_opens_a_case_through_the_form(browser: Browser, actors: Actors, pool: asyncpg.Pool) -> None:
    await browser.login(actors.caseworker)
    form = await browser.get("/cases/new")
    assert form.status_code == 200 and 'name="full_name"' in form.text
    response = await browser.submit(
        "/cases",
        {
            "case_type": "trafficking_victim",
            "identification_status": "identified_victim",
            "full_name": "Trần Thị Hoa",
            "phone": "0912 000 111",
            "sex": "female",
            "birth_year": "2003",
            "nationality": "vn",
            "languages": "vi, km",
            "home_province": "Sóc Trăng",
            "returned_from": "cn",
            "return_date": "2026-10-01",
            "risk_level": "high",
            "contact_channel": "phone",
            "safe_hours": "18:00-20:00",
        },
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/cases/")
    case_page = await browser.get(location)
    assert case_page.status_code == 200
    assert "Trần Thị Hoa" in case_page.text
    assert "Cần Thơ" in text(case_page)  # the former province name resolved to the current one
    listing = await browser.get("/cases")
    assert "CT-" in listing.text and "Trần Thị Hoa" not in listing.text  # lists carry no identifiers
    survivor_id = location.removeprefix("/cases/")
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT languages, returned_from, home_province FROM survivor WHERE id = $1::uuid", survivor_id
        )
    assert row["languages"] == ["vi", "km"] and row["returned_from"] == "CN"


async def test_a_bad_birth_year_keeps_what_was_typed_and_creates_nothing(
    browser: Browser, actors: Actors, pool: asyncpg.Pool
) -> None:
    await browser.login(actors.caseworker)
    response = await browser.submit(
        "/cases",
        {
            "case_type": "returnee_migrant",
            "full_name": "Lê Thị Mai",
            "phone": "0988 777 666",
            "birth_year": "hai nghìn",
            "home_commune": "Mỹ Xuyên",
            "nationality": "VN",
        },
    )
    assert response.status_code == 422
    assert 'id="e-birth_year"' in response.text
    for typed in ("Lê Thị Mai", "0988 777 666", "hai nghìn", "Mỹ Xuyên"):
        assert typed in response.text
    assert 'value="returnee_migrant" selected' in response.text
    assert await count(pool, "SELECT count(*) FROM survivor") == 0


async def test_every_refused_field_is_shown_at_once(browser: Browser, actors: Actors, pool: asyncpg.Pool) -> None:
    await browser.login(actors.caseworker)
    response = await browser.submit(
        "/cases", {"case_type": "at_risk", "birth_year": "1800", "returned_from": "Atlantis", "languages": "vi, 1"}
    )
    assert response.status_code == 422
    for name in ("birth_year", "returned_from", "languages"):
        assert f'id="e-{name}"' in response.text
    unknown = await browser.submit("/cases", {"case_type": "at_risk", "home_province": "Atlantis"})
    assert unknown.status_code == 422 and 'id="e-home_province"' in unknown.text and "Atlantis" in unknown.text
    assert await count(pool, "SELECT count(*) FROM survivor") == 0


async def test_a_form_without_the_csrf_token_is_refused(browser: Browser, actors: Actors, pool: asyncpg.Pool) -> None:
    await browser.login(actors.caseworker)
    response = await browser.client.post("/cases", data={"case_type": "at_risk", "full_name": "Không Token"})
    assert response.status_code == 403
    assert await count(pool, "SELECT count(*) FROM survivor") == 0


async def test_the_case_list_filters_and_is_for_case_staff_only(
    browser: Browser, world: World, pool: asyncpg.Pool
) -> None:
    actors = world.actors
    async with pool.acquire() as conn:
        code = await conn.fetchval("SELECT case_code FROM survivor WHERE id = $1::uuid", world.case_id)
    await browser.login(actors.caseworker)
    page = await browser.get(f"/cases?status=open&q={code[:4].lower()}")
    assert page.status_code == 200 and code in page.text and "/cases/new" in page.text
    assert f'href="/cases/{world.case_id}"' in page.text and NAME not in page.text
    assert code not in (await browser.get("/cases?status=closed")).text
    assert code not in (await browser.get("/cases?q=XX-")).text
    await browser.login(world.colleague)
    assert code not in (await browser.get("/cases")).text  # not assigned to them
    await browser.login(actors.partner)
    assert (await browser.get("/cases")).status_code == 403
    browser.client.cookies.delete("kn_session")
    anonymous = await browser.get("/cases")
    assert anonymous.status_code in (302, 303, 307) and anonymous.headers["location"].startswith("/login")


async def test_the_case_page_is_404_outside_the_caseload_and_never_shows_the_name(
    browser: Browser, world: World
) -> None:
    await browser.login(world.colleague)
    assert (await browser.get(f"/cases/{world.case_id}")).status_code == 404
    await browser.login(world.actors.partner)
    refused = await browser.get(f"/cases/{world.case_id}")
    assert refused.status_code in (403, 404) and NAME not in refused.text
    await browser.login(world.actors.coordinator)  # the organization's coordinator sees it
    page = await browser.get(f"/cases/{world.case_id}")
    assert page.status_code == 200 and NAME in page.text


async def test_record_and_withdraw_consent_through_the_forms(
    browser: Browser, world: World, pool: asyncpg.Pool
) -> None:
    await browser.login(world.actors.caseworker)
    recorded = await submit_consent(
        browser, world, str(world.actors.org), evidence="Phiếu ký ngày 20/11", expires_at="2099-12-31"
    )
    assert recorded.status_code == 303 and recorded.headers["location"].endswith("#consents")
    page = await browser.get(f"/cases/{world.case_id}")
    assert "Phiếu ký ngày 20/11" in page.text and "/withdraw" in page.text
    consent_id = await count(
        pool, "SELECT count(*) FROM consent WHERE withdrawn_at IS NULL AND organization_id = $1", world.actors.org
    )
    assert consent_id == 1
    async with pool.acquire() as conn:
        cid = await conn.fetchval("SELECT id FROM consent")
    withdrawn = await browser.submit(f"/cases/{world.case_id}/consents/{cid}/withdraw")
    assert withdrawn.status_code == 303
    assert await count(pool, "SELECT count(*) FROM consent WHERE withdrawn_at IS NOT NULL") == 1
    again = await browser.submit(f"/cases/{world.case_id}/consents/{cid}/withdraw")
    assert again.status_code == 409 and "already withdrawn" in again.text


async def test_a_consent_already_expired_is_refused_next_to_its_field(
    browser: Browser, world: World, pool: asyncpg.Pool
) -> None:
    await browser.login(world.actors.caseworker)
    response = await submit_consent(browser, world, "all", evidence="ghi chú giữ lại", expires_at="2001-01-01")
    assert response.status_code == 422
    assert 'id="e-expires_at"' in response.text and "ghi chú giữ lại" in response.text
    assert await count(pool, "SELECT count(*) FROM consent") == 0


async def test_plan_draft_then_submit_through_the_forms(browser: Browser, world: World, pool: asyncpg.Pool) -> None:
    await browser.login(world.actors.caseworker)
    drafted = await browser.submit(f"/cases/{world.case_id}/plans", {"notes": "Kế hoạch ban đầu"})
    assert drafted.status_code == 303
    async with pool.acquire() as conn:
        plan_id = await conn.fetchval("SELECT id FROM plan WHERE survivor_id = $1::uuid", world.case_id)
    added = await browser.submit(
        f"/cases/{world.case_id}/milestones",
        {"domain": "essential_needs_shelter", "title": "Chỗ ở an toàn", "target_date": "2020-01-01"},
    )
    assert added.status_code == 303
    page = await browser.get(f"/cases/{world.case_id}")
    assert "Chỗ ở an toàn" in page.text and 'class="overdue"' in page.text
    assert f"/plan/{plan_id}/submit" in page.text and "/approve" not in page.text  # approval is the coordinator's
    missing = await browser.submit(f"/cases/{world.case_id}/plan/{plan_id}/submit", {"agreement_method": "written"})
    assert missing.status_code == 422 and 'id="e-survivor_agreed_at"' in missing.text
    # the error summary above the step's form, which reopens at itself
    assert f'action="/cases/{world.case_id}/plan/{plan_id}/submit#plan-submit"' in missing.text
    summary = missing.text.split('class="alert error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#f-survivor_agreed_at"' in summary
    submitted = await browser.submit(
        f"/cases/{world.case_id}/plan/{plan_id}/submit",
        {"survivor_agreed_at": "2026-11-20T09:00", "agreement_method": "verbal_with_witness"},
    )
    assert submitted.status_code == 303
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT status, agreement_method FROM plan WHERE id = $1", plan_id)
    assert row["status"] == "pending_approval" and row["agreement_method"] == "verbal_with_witness"
    await browser.login(world.actors.coordinator)
    assert f"/plan/{plan_id}/approve" in (await browser.get(f"/cases/{world.case_id}")).text


async def test_milestone_status_offers_only_the_next_states(browser: Browser, world: World, pool: asyncpg.Pool) -> None:
    await browser.login(world.actors.caseworker)
    await browser.submit(f"/cases/{world.case_id}/plans", {"notes": ""})
    await browser.submit(f"/cases/{world.case_id}/milestones", {"domain": "health", "title": "Khám sức khỏe"})
    async with pool.acquire() as conn:
        milestone_id = await conn.fetchval("SELECT id FROM milestone")
    page = (await browser.get(f"/cases/{world.case_id}")).text
    milestone_form = f'action="/cases/{world.case_id}/milestones/{milestone_id}#m-{milestone_id}"'
    form = page.split(milestone_form, 1)[1].split("</form>", 1)[0]
    assert 'value="in_progress"' in form and 'value="achieved"' not in form
    refused = await browser.submit(f"/cases/{world.case_id}/milestones/{milestone_id}", {"status": "achieved"})
    assert refused.status_code == 409
    at_milestone = refused.text.split(f'id="m-{milestone_id}"', 1)[1].split("</li>", 1)[0]
    assert 'class="alert error-summary"' in at_milestone
    moved = await browser.submit(f"/cases/{world.case_id}/milestones/{milestone_id}", {"status": "in_progress"})
    assert moved.status_code == 303
    assert await count(pool, "SELECT count(*) FROM milestone WHERE status = 'in_progress'") == 1
    matches = await browser.get(f"/cases/{world.case_id}/matches?milestone={milestone_id}")
    assert matches.status_code == 200


async def test_entitlements_propose_milestones_for_the_uncovered(
    browser: Browser, world: World, pool: asyncpg.Pool
) -> None:
    await browser.login(world.actors.caseworker)
    await browser.submit(f"/cases/{world.case_id}/plans", {"notes": ""})
    page = await browser.get(f"/cases/{world.case_id}")
    assert "/entitlements" in page.text
    proposed = await browser.submit(f"/cases/{world.case_id}/entitlements")
    assert proposed.status_code == 303
    assert await count(pool, "SELECT count(*) FROM milestone WHERE entitlement IS NOT NULL") > 0


async def test_follow_up_form_records_scores_and_draws_the_chart(
    browser: Browser, world: World, pool: asyncpg.Pool
) -> None:
    await browser.login(world.actors.caseworker)
    for day, answer in (("2026-01-10", "0"), ("2026-07-10", "2")):
        response = await browser.submit(
            f"/cases/{world.case_id}/follow-ups",
            {
                "fu_date": day,
                "fu_method": "office_visit",
                "fu_notes": "Chị đến văn phòng",
                "ind_econ_income": answer,
                "ind_soc_housing": "3",
                "ind_psy_safety": "2",
            },
        )
        assert response.status_code == 303, response.text
    assert await count(pool, "SELECT count(*) FROM follow_up WHERE composite IS NOT NULL") == 2
    page = await browser.get(f"/cases/{world.case_id}")
    assert "<svg" in page.text and "<title" in page.text and "<polyline" in page.text
    assert "<table" in page.text.split("</svg>", 1)[1]  # the same numbers as a table


async def test_xss_in_a_milestone_title_or_follow_up_note_is_escaped(browser: Browser, world: World) -> None:
    payload = '<script>alert("x")</script>'
    await browser.login(world.actors.caseworker)
    await browser.submit(f"/cases/{world.case_id}/plans", {"notes": payload})
    await browser.submit(f"/cases/{world.case_id}/milestones", {"domain": "health", "title": payload})
    await browser.submit(
        f"/cases/{world.case_id}/follow-ups",
        {"fu_date": "2026-01-10", "fu_method": "office_visit", "fu_notes": payload},
    )
    page = await browser.get(f"/cases/{world.case_id}")
    assert payload not in page.text
    assert page.text.count("&lt;script&gt;alert(") >= 3


async def test_the_case_page_says_truthfully_why_it_shows_the_identifiers(browser: Browser, world: World) -> None:
    """The assigned caseworker is told the case is assigned to them; a coordinator, who is not,
    that the case belongs to an organization of their tree, named."""
    owner = "Trung tâm Trợ giúp pháp lý Mekong"
    await browser.login(world.actors.caseworker)
    mine = text(await browser.get(f"/cases/{world.case_id}"))
    assert "vì bạn là cán bộ hỗ trợ được phân công phụ trách hồ sơ này" in mine
    for coordinator in (world.actors.coordinator, world.parent_coordinator):
        await browser.login(coordinator)
        page = await browser.get(f"/cases/{world.case_id}")
        assert NAME in page.text
        shown = text(page)
        assert f"vì hồ sơ này thuộc {owner}, trong hệ thống tổ chức do bạn điều phối" in shown
        assert "phụ trách hồ sơ này" not in shown
    english = text(await browser.get(f"/cases/{world.case_id}", headers={"accept-language": "en"}))
    assert f"because this case belongs to {owner}, in the organization tree you coordinate" in english
