"""The raw database holds no survivor identifier and no survivor free text in clear.

A realistic case is driven through the real API — identifiers, consent evidence, a plan with notes
sent back with a review note, a milestone with a title and a note, a referral with a summary that
the partner answers and the referrer withdraws with a note, an emergency referral with its reason,
a follow-up with notes — and then the database is dumped with ``pg_dump`` (every table, every
column, the audit log and the search tables included). None of the distinctive strings may appear
in it: not as typed, not folded (lower case, no diacritics, as search stores text), not as the
hex of its bytes (how a ``bytea`` column is dumped)."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import httpx

from search.text import fold
from tests.integration.conftest import Actors
from tests.integration.free_text import SECRETS, tell_the_story


def _pg_dump() -> str:
    """The pg_dump of the server the tests run on: pgserver's own, or the one on PATH for an external server."""
    if not os.environ.get("KETNOI_TEST_DATABASE_URL"):
        import pgserver  # the embedded server's binaries, same version as the server

        return str(Path(pgserver.__path__[0]) / "pginstall" / "bin" / "pg_dump")
    found = shutil.which("pg_dump")
    assert found, "pg_dump is needed on PATH to dump an external test database"
    return found


async def _dump(database_url: str) -> str:
    process = await asyncio.create_subprocess_exec(
        _pg_dump(), "--data-only", "--no-owner", f"--dbname={database_url}", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    return out.decode()


async def test_a_raw_dump_holds_no_survivor_identifier_or_free_text(
    client: httpx.AsyncClient, actors: Actors, database_url: str
) -> None:
    export_url = await tell_the_story(client, actors) + "/export"
    # the API still shows every text, decrypted, to those allowed
    exported = (await client.get(export_url, headers=actors.caseworker.headers)).text
    for name in ("full_name", "home_commune", "evidence", "plan_notes", "milestone_title", "summary", "withdraw_note"):
        assert SECRETS[name] in exported, name
    dashboard = (await client.get("/api/v1/dashboard", headers=actors.coordinator.headers)).text
    assert SECRETS["emergency_reason"] in dashboard

    dump = await _dump(database_url)
    folded_dump = fold(dump)
    assert "survivor" in dump  # the dump did hold the tables
    leaks = []
    for name, secret in SECRETS.items():
        forms = {secret, secret.replace(" ", "")}
        hex_forms = {form.encode().hex() for form in forms}
        if any(form in dump for form in forms) or any(form in folded_dump for form in map(fold, forms)):
            leaks.append(name)
        elif any(form in dump for form in hex_forms):
            leaks.append(name + " (bytes)")
    assert leaks == []
