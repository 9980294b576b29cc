"""The admin and account pages in Vietnamese show no English sentence and no raw code, and their
forms' errors are listed at the top, each linked to its field."""

from __future__ import annotations

import re

import asyncpg
import pytest
from babel.messages.pofile import read_po

from service.auth.models import Role
from service.directory.models import OrganizationKind
from service.web.templates import ROOT
from tests.integration.conftest import Actors
from tests.integration.pages.conftest import Browser, text

# codes a page must name in words: roles and kinds of organization
CODES = [role.value for role in Role] + [kind.value for kind in OrganizationKind] + ["bearer", "token"]


def english_sentences() -> list[str]:
    """The catalog's English messages of three words or more without variables: one of them on a
    Vietnamese page is a sentence left untranslated."""
    with (ROOT / "service" / "locale" / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    return [
        m.id
        for m in catalog
        if isinstance(m.id, str) and len(m.id.split()) >= 3 and "%" not in m.id and m.id != m.string
    ]


def english_or_codes(page_text: str, emails: list[str]) -> list[str]:
    for email in emails:  # addresses are the users' own words
        page_text = page_text.replace(email, "")
    found = [code for code in CODES if re.search(rf"(?<![\w./@-]){re.escape(code)}(?![\w./@-])", page_text, re.I)]
    return found + [sentence for sentence in english_sentences() if sentence in page_text]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/users",
        "/admin/users/{user}",
        "/admin/users/{user}/tokens",
        "/admin/organizations",
        "/admin/organizations/{org}",
        "/admin/mail",
        "/login",
    ],
)
async def test_admin_pages_in_vietnamese_have_no_english_or_codes(
    browser: Browser, actors: Actors, pool: asyncpg.Pool, path: str
) -> None:
    async with pool.acquire() as conn:  # the test users are named for their roles: give them people's names
        await conn.execute("UPDATE app_user SET display_name = 'Chị Lan'")
    await browser.login(actors.admin)
    page = await browser.get(
        path.format(user=actors.partner.user_id, org=actors.org), headers={"accept-language": "vi"}
    )
    assert page.status_code == 200 and '<html lang="vi">' in page.text
    emails = [actor.email for actor in actors.by_name.values() if actor.email]
    assert english_or_codes(text(page), emails) == []


async def test_a_refused_new_user_lists_what_to_fix_linked_to_each_field(browser: Browser, actors: Actors) -> None:
    await browser.login(actors.admin)
    refused = await browser.submit("/admin/users", {"email": "not-an-email", "role": "", "password": "short"})
    assert refused.status_code in (400, 422)
    summary = re.search(r'<div class="alert error-summary".*?</div>', refused.text, re.S)
    assert summary is not None
    links = re.findall(r'href="#(f-[\w]+)"', summary.group(0))
    assert "f-email" in links and "f-password" in links
    assert all(f'id="{link}"' in refused.text for link in links)


async def test_a_refused_token_lists_what_to_fix(browser: Browser, actors: Actors) -> None:
    await browser.login(actors.admin)
    refused = await browser.submit(f"/admin/users/{actors.partner.user_id}/tokens", {"label": "x", "hours": "abc"})
    assert refused.status_code in (400, 422)
    assert 'href="#f-hours"' in refused.text
