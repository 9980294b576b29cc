"""A user's mail is written in the language they last chose on the pages (issue 16, point 2)."""

from __future__ import annotations

import asyncpg

from tests.integration.conftest import Actors
from tests.integration.pages.conftest import Browser


async def test_choosing_a_language_on_the_pages_sets_the_mail_language(
    browser: Browser, actors: Actors, pool: asyncpg.Pool
) -> None:
    locale = "SELECT locale FROM app_user WHERE id = $1"
    assert await pool.fetchval(locale, actors.caseworker.user_id) == "vi"
    await browser.get("/lang/en")  # before signing in: only the cookie, nobody to remember it for
    await browser.login(actors.caseworker)
    await browser.get("/lang/en?next=/cases")  # a GET changes no stored state, for anyone
    assert await pool.fetchval(locale, actors.caseworker.user_id) == "vi"
    cases = await browser.get("/cases")
    assert 'action="/lang/en"' in cases.text or 'action="/lang/vi"' in cases.text  # signed in: a button
    switched = await browser.submit("/lang/en", {"next": "/cases"})
    assert switched.status_code == 303 and switched.headers["location"] == "/cases"
    assert await pool.fetchval(locale, actors.caseworker.user_id) == "en"
    await browser.submit("/lang/vi", {"next": "/cases"})
    assert await pool.fetchval(locale, actors.caseworker.user_id) == "vi"
    assert await pool.fetchval(locale, actors.partner.user_id) == "vi"
