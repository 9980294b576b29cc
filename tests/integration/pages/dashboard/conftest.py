"""The dashboard pages in English (the reintegration world they use is tests/integration/conftest.py's)."""

from __future__ import annotations

import pytest

from tests.integration.pages.conftest import Browser


@pytest.fixture
async def browser(browser: Browser) -> Browser:
    """The pages in English, so the tests read the msgids whatever the Vietnamese catalog says."""
    browser.client.headers["accept-language"] = "en"
    return browser
