"""A partner keeps its own listings true from /partner: edit, beds free, history; others cannot."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from tests.integration.conftest import Actor, Actors
from tests.integration.listings import create_listing, stored
from tests.integration.pages.conftest import Browser, text
from tests.integration.pages.partner.conftest import form_fields, replaced


async def edit_form(
    browser: Browser, client: httpx.AsyncClient, actors: Actors, person: Actor
) -> tuple[dict[str, Any], str, list[tuple[str, str]]]:
    """A new listing of the partner's organization, its edit page and the form there as `person` opens it."""
    listing = await create_listing(client, actors, actors.org)
    url = f"/partner/services/{listing['id']}"
    await browser.login(person)
    return listing, url, form_fields(await browser.get(url), url)


async def test_partner_sees_all_own_listings_and_none_of_others(
    browser: Browser, client: httpx.AsyncClient, actors: Actors
) -> None:
    await create_listing(client, actors, actors.org, name="Nhà tạm lánh Hoa Sen")
    await create_listing(client, actors, actors.org, name="Nhà an toàn nội bộ", visibility="staff")
    await create_listing(client, actors, actors.org, name="Điểm cũ đã đóng", status="inactive")
    await create_listing(client, actors, actors.other_org, name="Trợ giúp pháp lý Mekong")
    await browser.login(actors.partner)
    page = text(await browser.get("/partner"))
    assert "Nhà tạm lánh Hoa Sen" in page and "Nhà an toàn nội bộ" in page and "Điểm cũ đã đóng" in page
    assert "Trợ giúp pháp lý Mekong" not in page
    assert "Staff only" in page and "Inactive" in page and "Never verified" in page


async def test_partner_home_is_for_partners_only(browser: Browser, actors: Actors) -> None:
    assert (await browser.get("/partner")).status_code in (302, 303, 307)  # the public is sent to log in
    await browser.login(actors.coordinator)
    assert (await browser.get("/partner")).status_code == 403


async def test_another_partner_can_neither_open_nor_change_a_listing(
    browser: Browser, client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    public = await create_listing(client, actors, actors.org)
    hidden = await create_listing(client, actors, actors.org, name="Nhà an toàn nội bộ", visibility="staff")
    await browser.login(actors.partner)
    fields = form_fields(await browser.get(f"/partner/services/{public['id']}"), f"/partner/services/{public['id']}")
    await browser.login(actors.other_partner)
    assert (await browser.get(f"/partner/services/{public['id']}")).status_code == 403
    assert (await browser.get(f"/partner/services/{hidden['id']}")).status_code == 404
    response = await browser.submit(f"/partner/services/{public['id']}", replaced(fields, name="Bị chiếm"))
    assert response.status_code == 403
    assert (await browser.submit(f"/partner/services/{public['id']}/capacity", {"available": "0"})).status_code == 403
    assert (await browser.submit(f"/partner/services/{hidden['id']}", {"name": "x"})).status_code == 404
    row = await stored(pool, public["id"])
    assert row["name"] == "Nhà tạm lánh Hoa Sen" and row["capacity_available"] == 4 and row["version"] == 1


async def test_editing_saves_and_says_so(
    browser: Browser, client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    listing, url, fields = await edit_form(browser, client, actors, actors.partner)
    response = await browser.submit(
        url,
        [
            *replaced(
                fields, description="Mở cửa cả ngày lễ.", capacity_available="7", contact_value_1="0292 3 555 111"
            ),
            ("categories", "legal_aid"),
        ],
    )
    assert response.status_code == 303 and response.headers["location"] == f"{url}?saved=1"
    row = await stored(pool, listing["id"])
    assert row["description"] == "Mở cửa cả ngày lễ." and row["capacity_available"] == 7 and row["version"] == 2
    assert set(row["categories"]) == {"shelter", "legal_aid"}
    after = await browser.get(response.headers["location"])
    assert "Changes saved." in text(after) and "0292 3 555 111" in after.text
    # what was not touched on the form stays as it was: hours, place, languages of the hotline
    body = (await client.get(f"/api/v1/services/{listing['id']}", headers=actors.admin.headers)).json()
    assert body["schedules"] == listing["schedules"] and body["locations"][0]["street"] == "12 Đường Bí Mật"
    assert body["contacts"][0] == listing["contacts"][0] and body["genders"] == ["female"]


async def test_a_listing_with_errors_keeps_what_was_typed_and_changes_nothing(
    browser: Browser, client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    listing, url, fields = await edit_form(browser, client, actors, actors.partner)
    response = await browser.submit(url, replaced(fields, capacity_available="25", description="Mô tả mới đang gõ"))
    assert response.status_code == 422
    assert "cannot exceed capacity_total" in text(response) and 'id="e-capacity_available"' in response.text
    assert "Mô tả mới đang gõ" in response.text and 'value="25"' in response.text
    response = await browser.submit(url, replaced(fields, name="", description="Vẫn còn đây"))
    assert response.status_code == 422
    assert "Enter the listing&#39;s name." in response.text and "Vẫn còn đây" in response.text
    response = await browser.submit(url, replaced(fields, loc_province="Atlantis", min_age="mười"))
    assert response.status_code == 422 and 'id="e-min_age"' in response.text
    assert 'value="Atlantis"' in response.text and 'value="mười"' in response.text
    row = await stored(pool, listing["id"])
    assert row["version"] == 1 and row["capacity_available"] == 4 and row["name"] == "Nhà tạm lánh Hoa Sen"


async def test_an_edit_of_an_old_version_shows_the_conflict_and_keeps_the_input(
    browser: Browser, client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    listing, url, fields = await edit_form(browser, client, actors, actors.partner)
    meanwhile = await client.patch(
        f"/api/v1/services/{listing['id']}",
        headers=actors.coordinator.headers,
        json={"description": "Do điều phối viên sửa"},
    )
    assert meanwhile.status_code == 200
    response = await browser.submit(url, replaced(fields, description="Do đối tác gõ"))
    assert response.status_code == 412
    page = text(response)
    assert "Someone else changed this listing since you opened it" in page
    assert "Do đối tác gõ" in page and "Do điều phối viên sửa" in page
    assert (await stored(pool, listing["id"]))["description"] == "Do điều phối viên sửa"
    # the form now carries the current version: saving again applies the partner's text knowingly
    again = await browser.submit(url, form_fields(response, url))
    assert again.status_code == 303
    assert (await stored(pool, listing["id"]))["description"] == "Do đối tác gõ"


async def test_beds_free_is_one_tap_with_or_without_javascript(
    browser: Browser, client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    listing = await create_listing(client, actors, actors.org)
    url = f"/partner/services/{listing['id']}/capacity"
    await browser.login(actors.partner)
    response = await browser.submit(url, {"available": "2"})
    assert response.status_code == 303 and response.headers["location"].startswith("/partner?saved=capacity")
    assert (await stored(pool, listing["id"]))["capacity_available"] == 2
    assert "Beds free saved." in text(await browser.get(response.headers["location"]))
    browser.client.headers["hx-request"] = "true"
    row = await browser.submit(url, {"available": "0"})
    assert row.status_code == 200 and row.text.lstrip().startswith("<tr") and "Saved." in row.text
    assert (await stored(pool, listing["id"]))["capacity_available"] == 0
    too_many = await browser.submit(url, {"available": "21"})
    assert "At most 20" in too_many.text and 'value="21"' in too_many.text
    del browser.client.headers["hx-request"]
    refused = await browser.submit(url, {"available": "-1"})
    assert refused.status_code == 422 and "Enter the number of beds free" in text(refused)
    assert (await stored(pool, listing["id"]))["capacity_available"] == 0


async def test_history_shows_who_changed_what(browser: Browser, client: httpx.AsyncClient, actors: Actors) -> None:
    _, url, fields = await edit_form(browser, client, actors, actors.partner)
    assert (await browser.submit(url, replaced(fields, name="Nhà Hoa Sen mới"))).status_code == 303
    history = await browser.get(f"{url}/history")
    page = text(history)
    assert history.status_code == 200
    assert "Edited" in page and "By partner" in page and "Created" in page
    assert "Name Nhà tạm lánh Hoa Sen Nhà Hoa Sen mới" in page
    await browser.login(actors.other_partner)
    assert (await browser.get(f"{url}/history")).status_code == 403


async def test_a_new_listing_belongs_to_the_partners_organization(
    browser: Browser, actors: Actors, pool: asyncpg.Pool
) -> None:
    await browser.login(actors.partner)
    fields = form_fields(await browser.get("/partner/services/new"), "/partner/services")
    typed = replaced(
        fields,
        name="Tư vấn tâm lý Hoa Sen",
        service_areas="Cần Thơ",
        day_1_opens_0="8h",
        day_1_closes_0="17g",
    )
    response = await browser.submit("/partner/services", [*typed, ("categories", "psychosocial")])
    assert response.status_code == 303, response.text
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT id, organization_id, name FROM service")
    assert row is not None
    assert row["organization_id"] == actors.org and row["name"] == "Tư vấn tâm lý Hoa Sen"
    body = (await browser.get(f"/services/{row['id']}")).text
    assert "08:00–17:00" in body
    assert response.headers["location"] == f"/partner/services/{row['id']}?saved=created"
    # the same form sent again (a double click, a resend after a lost answer) makes no second listing
    again = await browser.submit("/partner/services", [*typed, ("categories", "psychosocial")])
    assert again.status_code == 303 and again.headers["location"] == response.headers["location"]
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM service") == 1


async def test_a_script_in_a_description_is_shown_as_text(
    browser: Browser, client: httpx.AsyncClient, actors: Actors
) -> None:
    listing, url, fields = await edit_form(browser, client, actors, actors.partner)
    payload = "<script>alert(1)</script>"
    assert (await browser.submit(url, replaced(fields, description=payload, name=payload))).status_code == 303
    for page in (await browser.get(f"/services/{listing['id']}"), await browser.get(url)):
        assert page.status_code == 200
        assert payload not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_a_form_without_the_csrf_token_is_refused(
    browser: Browser, client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    listing = await create_listing(client, actors, actors.org)
    await browser.login(actors.partner)
    response = await browser.client.post(f"/partner/services/{listing['id']}/capacity", data={"available": "1"})
    assert response.status_code == 403
    assert (await stored(pool, listing["id"]))["capacity_available"] == 4


async def test_coordinators_may_edit_any_listing(
    browser: Browser, client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    listing, url, fields = await edit_form(browser, client, actors, actors.coordinator)
    unticked = [(k, v) for k, v in fields if k != "accepting_referrals"]
    assert (await browser.submit(url, unticked)).status_code == 303
    assert (await browser.submit(f"{url}/capacity", {"available": "3"})).status_code == 303
    row = await stored(pool, listing["id"])
    assert row["capacity_available"] == 3 and row["accepting_referrals"] is False
