"""Bringing a database up to date: migrations, then the shipped reference data."""

from __future__ import annotations

from service import places
from service.crypto import PersonalDataCipher
from service.db import Connection, migrate
from service.directory import taxonomy
from service.reintegration import free_text


async def prepare_database(conn: Connection, cipher: PersonalDataCipher) -> list[str]:
    """Apply pending migrations and refresh provinces and taxonomy; safe for replicas racing.
    ``cipher`` (the configured data key's) encrypts what a migration must encrypt."""
    applied = await migrate(conn, {"encrypt-free-text": lambda c: free_text.encrypt_clear_rows(c, cipher)})
    async with conn.transaction():
        await places.sync_reference_table(conn)
        await taxonomy.sync_reference_table(conn)
    return applied
