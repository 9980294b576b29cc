"""Languages on the listing form: the common ones ticked by name, others typed by name with
suggestions ("Tiếng Nga", "tiếng Campuchia"), stored as codes, shown as names; a name no list
knows is refused next to its field and listed at the top."""

from __future__ import annotations

import httpx

from tests.integration.conftest import Actors
from tests.integration.listings import create_listing
from tests.integration.pages.conftest import Browser
from tests.integration.pages.partner.conftest import form_fields, replaced


async def languages_of(client: httpx.AsyncClient, actors: Actors, service_id: str) -> list[str]:
    body = (await client.get(f"/api/v1/services/{service_id}", headers=actors.admin.headers)).json()
    return list(body["languages"])


async def test_the_form_shows_languages_by_name_never_as_codes(
    browser: Browser, client: httpx.AsyncClient, actors: Actors
) -> None:
    listing = await create_listing(client, actors, actors.org, languages=["vi", "km", "ru"])
    browser.client.headers["accept-language"] = "vi"
    await browser.login(actors.partner)
    page = (await browser.get(f"/partner/services/{listing['id']}")).text
    assert 'name="languages" value="vi" checked> Tiếng Việt' in page
    assert 'name="languages" value="km" checked> Tiếng Khmer' in page
    assert 'name="languages" value="en"> Tiếng Anh' in page  # offered, not ticked
    assert 'name="languages_other" type="text" value="Tiếng Nga" list="language-names"' in page
    assert '<option value="Tiếng Tày">' in page  # the other languages are suggested as you type
    assert "vi, km" not in page


async def test_languages_typed_by_name_are_stored_as_codes(
    browser: Browser, client: httpx.AsyncClient, actors: Actors
) -> None:
    listing = await create_listing(client, actors, actors.org)
    url = f"/partner/services/{listing['id']}"
    await browser.login(actors.partner)
    fields = [(k, v) for k, v in form_fields(await browser.get(url), url) if k != "languages"]
    typed = replaced(fields, languages_other="Tiếng Việt, tiếng Campuchia; Nga, tieng hoa, hmn")
    response = await browser.submit(url, [*typed, ("languages", "en")])
    assert response.status_code in (302, 303), response.text
    assert await languages_of(client, actors, listing["id"]) == ["en", "vi", "km", "ru", "zh", "hmn"]
    history = (await browser.get(f"{url}/history")).text  # the change, by name too
    assert "Vietnamese, Khmer" in history and "English, Vietnamese, Khmer, Russian, Chinese, Hmong" in history


async def test_an_unknown_language_is_refused_at_its_field_and_nothing_is_saved(
    browser: Browser, client: httpx.AsyncClient, actors: Actors
) -> None:
    listing = await create_listing(client, actors, actors.org)
    url = f"/partner/services/{listing['id']}"
    await browser.login(actors.partner)
    fields = form_fields(await browser.get(url), url)
    response = await browser.submit(url, replaced(fields, languages_other="Tiếng Nga, Tiếng Sao Hỏa"))
    assert response.status_code == 422
    assert 'href="#f-languages_other"' in response.text and "Tiếng Sao Hỏa" in response.text
    assert 'id="f-languages_other" name="languages_other" type="text" value="Tiếng Nga, Tiếng Sao Hỏa"' in response.text
    assert await languages_of(client, actors, listing["id"]) == ["vi", "km"]
