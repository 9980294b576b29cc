"""The caseworker's landing and the next follow-up (issue 15, points 4, 5 and 10): the case list
opens with what is due first, each line linking to its exact place; a follow-up may schedule the
next one, in the form and the API; due follow-ups reach the dashboard; refused forms reopen at
themselves with the error summary."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from tests.integration.pages.conftest import Browser, text
from tests.integration.reintegration.world import World, add_milestone

TODAY = date.today()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


async def test_a_follow_up_schedules_the_next_and_the_case_list_shows_it_overdue(
    browser: Browser, world: World
) -> None:
    await browser.login(world.actors.caseworker)
    sent = await browser.submit(
        f"/cases/{world.case_id}/follow-ups",
        {"fu_date": day(-10), "fu_method": "office_visit", "fu_next_date": day(-2)},
    )
    assert sent.status_code == 303, sent.text
    case_page = await browser.get(f"/cases/{world.case_id}")
    assert "Lần theo dõi tiếp theo dự kiến vào" in text(case_page)
    listing = await browser.get("/cases")
    todo = listing.text.split('id="todo"', 1)[1].split("</section>", 1)[0]
    assert f'href="/cases/{world.case_id}#record-follow-up"' in todo
    assert "Quá hạn 2 ngày" in todo
    # a follow-up recorded since settles it
    await browser.submit(f"/cases/{world.case_id}/follow-ups", {"fu_date": day(0), "fu_method": "office_visit"})
    todo = (await browser.get("/cases")).text.split('id="todo"', 1)[1].split("</section>", 1)[0]
    assert "#record-follow-up" not in todo


async def test_the_api_takes_and_gives_the_next_date_and_the_dashboard_lists_it(
    client: httpx.AsyncClient, world: World
) -> None:
    caseworker = world.actors.caseworker.headers
    url = f"/api/v1/survivors/{world.case_id}/follow-ups"
    made = await client.post(
        url, headers=caseworker, json={"date": day(-3), "method": "office_visit", "next_date": day(3)}
    )
    assert made.status_code == 201, made.text
    assert made.json()["next_date"] == day(3)
    plain = await client.post(url, headers=caseworker, json={"date": day(-40), "method": "office_visit"})
    assert plain.status_code == 201 and plain.json()["next_date"] is None  # the old contract still holds
    refused = await client.post(
        url, headers=caseworker, json={"date": day(0), "method": "office_visit", "next_date": day(0)}
    )
    assert refused.status_code == 422
    dashboard = (await client.get("/api/v1/dashboard", headers=caseworker)).json()
    assert dashboard["follow_ups_due_total"] == 1
    assert dashboard["follow_ups_due"][0]["next_date"] == day(3)


async def test_an_overdue_milestone_and_a_waiting_referral_head_the_case_list(
    browser: Browser, client: httpx.AsyncClient, world: World
) -> None:
    caseworker = world.actors.caseworker.headers
    plan = (await client.post(f"/api/v1/survivors/{world.case_id}/plans", headers=caseworker, json={})).json()
    milestone = await add_milestone(
        client, world, plan["id"], domain="health", title="Khám sức khỏe", target_date=day(-5)
    )
    assert milestone.status_code == 201, milestone.text
    await browser.login(world.actors.caseworker)
    todo = (await browser.get("/cases")).text.split('id="todo"', 1)[1].split("</section>", 1)[0]
    assert f'href="/cases/{world.case_id}#m-{milestone.json()["id"]}"' in todo
    assert "Khám sức khỏe" in todo and "Quá hạn 5 ngày" in todo


async def test_the_case_list_shows_the_five_most_pressing_and_folds_the_rest(
    browser: Browser, client: httpx.AsyncClient, world: World
) -> None:
    caseworker = world.actors.caseworker.headers
    plan = (await client.post(f"/api/v1/survivors/{world.case_id}/plans", headers=caseworker, json={})).json()
    for n in range(8):
        made = await add_milestone(
            client, world, plan["id"], domain="health", title=f"Việc số {n}", target_date=day(-20 + n)
        )
        assert made.status_code == 201, made.text
    await browser.login(world.actors.caseworker)
    todo = (await browser.get("/cases")).text.split('id="todo"', 1)[1].split("</section>", 1)[0]
    first, folded = todo.split("<details", 1)
    assert first.count("<li>") == 5 and folded.count("<li>") == 3
    assert "Xem thêm 3 việc" in folded
    assert "Việc số 0" in first  # the longest overdue comes first


async def test_a_refused_follow_up_reopens_at_its_form_with_the_error_summary(browser: Browser, world: World) -> None:
    await browser.login(world.actors.caseworker)
    page = await browser.get(f"/cases/{world.case_id}")
    assert f'action="/cases/{world.case_id}/follow-ups#record-follow-up"' in page.text
    refused = await browser.submit(
        f"/cases/{world.case_id}/follow-ups",
        {"fu_date": day(0), "fu_method": "office_visit", "fu_next_date": day(-1)},
    )
    assert refused.status_code == 422
    form = refused.text.split('id="record-follow-up"', 1)[1]
    summary = form.split('class="alert error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#f-fu_next_date"' in summary and "Lần theo dõi tiếp theo" in summary


async def test_a_refused_new_case_reopens_at_its_form_with_the_error_summary(browser: Browser, world: World) -> None:
    await browser.login(world.actors.caseworker)
    refused = await browser.submit("/cases", {"case_type": "", "birth_year": "năm"})
    assert refused.status_code == 422
    assert 'action="/cases#case-form"' in refused.text
    summary = refused.text.split('class="alert error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#f-birth_year"' in summary


async def test_a_partner_may_not_open_the_case_list(browser: Browser, world: World) -> None:
    await browser.login(world.actors.partner)
    assert (await browser.get("/cases")).status_code == 403


async def test_the_vietnamese_matches_page_says_why_in_sentences_not_codes(
    browser: Browser, client: httpx.AsyncClient, world: World
) -> None:
    """Point 6: "category: shelter", "eligibility: for …" become sentences with named codes."""
    caseworker = world.actors.caseworker.headers
    plan = (await client.post(f"/api/v1/survivors/{world.case_id}/plans", headers=caseworker, json={})).json()
    milestone = (
        await add_milestone(client, world, plan["id"], domain="justice_legal_aid", title="Trợ giúp pháp lý")
    ).json()
    await browser.login(world.actors.caseworker)
    page = await browser.get(f"/cases/{world.case_id}/matches?milestone={milestone['id']}")
    assert page.status_code == 200 and "<details>" in page.text
    why = text(page)
    for code in ("category:", "eligibility:", "area:", "language:", "capacity:", "distance:"):
        assert code not in why
    assert "Có dịch vụ" in why
