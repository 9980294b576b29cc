"""The new-referral page refuses a summary holding an identifier of the case, next to the field,
in the preview as in the sending; and it promises only what the check does."""

from __future__ import annotations

import asyncpg
import httpx

from tests.integration.pages.cases.test_referral_pages import new_referral, referral_form, referrals_made
from tests.integration.pages.conftest import Browser, text
from tests.integration.reintegration.world import World, consent

PHONE_SUMMARY = "Cần chỗ ở an toàn; gọi 0912-345-678 sau 18 giờ."


async def test_a_summary_holding_the_phone_is_refused_next_to_the_field_in_preview_and_send(
    browser: Browser, world: World, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await consent(client, world, world.actors.org)
    browser.client.headers["accept-language"] = "en"
    await browser.login(world.actors.caseworker)
    for intent in ("preview", "send"):
        refused = await browser.submit("/referrals", referral_form(world, intent, PHONE_SUMMARY))
        assert refused.status_code == 422, (intent, refused.status_code)
        assert 'id="e-shared_summary"' in refused.text
        assert "phone number" in text(refused)
        assert 'id="preview-h"' not in refused.text  # nothing is shown as what the partner would see
    assert await referrals_made(pool) == 0
    page = text(await browser.get(new_referral(world)))
    assert "Never the survivor's name" not in page
    assert "name, phone, ID number, address or home commune" in page
