"""Opening hours on the listing form: a named block per weekday, times typed as people write them
(stored as HH:MM), a day closed or open all day with one tap, the whole week 24/7, and errors
listed at the top with a link to each field."""

from __future__ import annotations

import httpx

from tests.integration.conftest import Actors
from tests.integration.listings import create_listing
from tests.integration.pages.conftest import Browser
from tests.integration.pages.partner.conftest import form_fields, replaced


def changed(fields: list[tuple[str, str]], **changes: str) -> list[tuple[str, str]]:
    """``replaced``, and radio buttons (absent when unchecked) set as tapped."""
    radios = {k: v for k, v in changes.items() if k.endswith("_mode")}
    kept = [(k, v) for k, v in replaced(fields, **changes) if k not in radios]
    return kept + list(radios.items())


async def hours_of(client: httpx.AsyncClient, actors: Actors, service_id: str) -> list[tuple[int, str, str]]:
    body = (await client.get(f"/api/v1/services/{service_id}", headers=actors.admin.headers)).json()
    return sorted((s["weekday"], s["opens_at"], s["closes_at"]) for s in body["schedules"])


async def test_the_form_names_every_day_and_lets_the_phone_type_a_colon(
    browser: Browser, client: httpx.AsyncClient, actors: Actors
) -> None:
    listing = await create_listing(client, actors, actors.org)
    await browser.login(actors.partner)
    page = (await browser.get(f"/partner/services/{listing['id']}")).text
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        assert f"<legend>{day}</legend>" in page
    assert 'inputmode="numeric"' not in page and 'value="07:30"' in page
    # Monday has hours; the other days have none stored, so they show as closed
    assert 'id="f-day_1_mode" name="day_1_mode" value="hours" checked' in page
    assert 'name="day_2_mode" value="closed" checked' in page


async def test_typed_times_are_stored_as_hh_mm_and_days_close_or_open_all_day_in_one_tap(
    browser: Browser, client: httpx.AsyncClient, actors: Actors
) -> None:
    listing = await create_listing(client, actors, actors.org)
    url = f"/partner/services/{listing['id']}"
    await browser.login(actors.partner)
    fields = form_fields(await browser.get(url), url)
    typed = changed(
        fields,
        day_1_opens_0="7h30",
        day_1_closes_0="11h30",
        day_1_opens_1="13g30",
        day_1_closes_1="17h",
        day_2_mode="hours",
        day_2_opens_0="0730",
        day_2_closes_0="5 giờ chiều",
        day_6_mode="all_day",
        day_7_mode="closed",
    )
    response = await browser.submit(url, typed)
    assert response.status_code == 303, response.text
    assert await hours_of(client, actors, listing["id"]) == [
        (1, "07:30", "11:30"),
        (1, "13:30", "17:00"),
        (2, "07:30", "17:00"),
        (6, "00:00", "24:00"),
    ]
    # shown again as stored: Saturday all day, the afternoon period unfolded
    page = (await browser.get(url)).text
    assert 'name="day_6_mode" value="all_day" checked' in page and 'value="13:30"' in page
    fields = form_fields(await browser.get(url), url)
    assert (await browser.submit(url, [*fields, ("open_24_7", "true")])).status_code == 303
    assert await hours_of(client, actors, listing["id"]) == [(day, "00:00", "24:00") for day in range(1, 8)]
    assert "open_24_7" in dict(form_fields(await browser.get(url), url))


async def test_a_time_that_is_not_one_is_refused_with_a_link_to_its_field(
    browser: Browser, client: httpx.AsyncClient, actors: Actors
) -> None:
    listing = await create_listing(client, actors, actors.org)
    url = f"/partner/services/{listing['id']}"
    await browser.login(actors.partner)
    fields = form_fields(await browser.get(url), url)
    response = await browser.submit(url, changed(fields, day_1_opens_0="7h75", day_3_mode="hours", day_3_opens_0="8h"))
    assert response.status_code == 422
    page = response.text
    assert "Not saved: 2 fields need fixing" in page and 'role="alert" tabindex="-1" autofocus' in page
    assert '<a href="#f-day_1_opens_0">Monday, opens: Write a time such as 7h30, 7:30 or 17h.</a>' in page
    assert '<a href="#f-day_3_closes_0">Wednesday, closes: Give both times, or neither.</a>' in page
    assert 'id="f-day_1_opens_0"' in page and 'value="7h75"' in page
    assert await hours_of(client, actors, listing["id"]) == [(1, "07:30", "17:00")]


async def test_an_error_from_the_listing_rules_links_to_its_field_too(
    browser: Browser, client: httpx.AsyncClient, actors: Actors
) -> None:
    listing = await create_listing(client, actors, actors.org)
    url = f"/partner/services/{listing['id']}"
    await browser.login(actors.partner)
    fields = form_fields(await browser.get(url), url)
    response = await browser.submit(url, replaced(fields, capacity_available="25"))
    assert response.status_code == 422
    assert 'href="#f-capacity_available"' in response.text
