"""The reintegration world for dashboard page tests, and the pages in English."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tests.integration.conftest import Actors
from tests.integration.pages.conftest import Browser
from tests.integration.reintegration.world import World, build_world


@pytest.fixture
async def world(client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool, password_hash: str) -> World:
    return await build_world(client, actors, pool, password_hash)


@pytest.fixture
async def browser(browser: Browser) -> Browser:
    """The pages in English, so the tests read the msgids whatever the Vietnamese catalog says."""
    browser.client.headers["accept-language"] = "en"
    return browser
