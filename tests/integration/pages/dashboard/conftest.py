"""The reintegration world for dashboard page tests."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tests.integration.conftest import Actors
from tests.integration.reintegration.world import World, build_world


@pytest.fixture
async def world(client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool, password_hash: str) -> World:
    return await build_world(client, actors, pool, password_hash)
