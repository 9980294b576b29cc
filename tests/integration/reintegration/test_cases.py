"""Opening, reading, finding and changing cases; identifiers encrypted at rest; consent."""

from __future__ import annotations

import itertools
import re

import asyncpg
import httpx
import pytest

from service.auth.models import Role
from tests.integration.conftest import make_actor
from tests.integration.reintegration.world import CASE_BODY, World, record_consent

# province, year, then six symbols of Crockford's base 32 (no I, L, O or U to misread)
CODE = r"CT-\d{4}-[0-9A-HJKMNP-TV-Z]{6}"


async def test_a_case_gets_a_pseudonymous_code_and_keeps_its_identifiers(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get(f"/api/v1/survivors/{world.case_id}", headers=world.actors.caseworker.headers)
    assert response.status_code == 200
    case = response.json()
    assert re.fullmatch(CODE, case["case_code"])  # Sóc Trăng is now part of Cần Thơ
    assert case["home_province"] == "92"
    assert case["full_name"] == "Nguyễn Thị Lan"
    assert case["phone"] == "0912 345 678"
    assert case["assigned_caseworker_id"] == str(world.actors.caseworker.user_id)
    assert case["organization_id"] == str(world.actors.other_org)
    assert case["contact_preference"] == {"channel": "phone", "safe_hours": "18:00-20:00", "do_not_contact": False}


async def test_the_raw_table_holds_no_name_phone_address_or_id_in_clear(world: World, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        dump = "\n".join(str(dict(row)) for row in await conn.fetch("SELECT * FROM survivor"))
        raw = b"".join(
            bytes(value)
            for row in await conn.fetch("SELECT full_name_enc, phone_enc, address_enc, id_document_enc FROM survivor")
            for value in row.values()
            if value is not None
        )
    # the commune is kept in clear on purpose (coarse, needed for matching); the exact address is not
    for secret in ("Nguyễn Thị Lan", "0912 345 678", "Ấp 3", "092301000123"):
        assert secret not in dump
        assert secret.encode() not in raw


async def test_exact_name_lookup_works_through_the_keyed_hash(client: httpx.AsyncClient, world: World) -> None:
    headers = world.actors.caseworker.headers
    for typed in ("Nguyễn Thị Lan", "nguyen thi  LAN"):
        found = await client.post("/api/v1/survivors/lookup", headers=headers, json={"full_name": typed})
        assert found.status_code == 200
        assert [c["id"] for c in found.json()["items"]] == [world.case_id]
    partial = await client.post("/api/v1/survivors/lookup", headers=headers, json={"full_name": "Nguyễn Thị"})
    assert partial.json()["total"] == 0
    empty = await client.post("/api/v1/survivors/lookup", headers=headers, json={"full_name": ""})
    assert empty.status_code == 400 and empty.headers["content-type"] == "application/problem+json"


async def test_a_name_in_the_url_is_refused_not_ignored(client: httpx.AsyncClient, world: World) -> None:
    headers = world.actors.caseworker.headers
    answer = await client.get("/api/v1/survivors", headers=headers, params={"full_name": "Nguyễn Thị Lan"})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert "/api/v1/survivors/lookup" in answer.text


async def test_lists_show_no_identifiers(client: httpx.AsyncClient, world: World) -> None:
    page = (await client.get("/api/v1/survivors", headers=world.actors.coordinator.headers)).json()
    assert page["total"] == 1
    assert "full_name" not in page["items"][0]
    assert "phone" not in page["items"][0]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("public", 401),
        ("partner", 404),
        ("other_partner", 404),
        ("admin", 404),
        ("caseworker", 200),
        ("colleague", 404),
        ("coordinator", 200),
        ("parent_coordinator", 200),
        ("outsider", 404),
    ],
)
async def test_who_may_read_a_case(client: httpx.AsyncClient, world: World, who: str, status: int) -> None:
    response = await client.get(f"/api/v1/survivors/{world.case_id}", headers=world.who(who).headers)
    assert response.status_code == status
    if status == 404:
        assert "Nguyễn" not in response.text


@pytest.mark.parametrize(
    ("who", "status", "total"),
    [
        ("public", 401, None),
        ("partner", 403, None),
        ("admin", 403, None),
        ("caseworker", 200, 1),
        ("colleague", 200, 0),
        ("coordinator", 200, 1),
        ("parent_coordinator", 200, 1),
        ("outsider", 200, 0),
    ],
)
async def test_who_sees_which_cases_in_lists(
    client: httpx.AsyncClient, world: World, who: str, status: int, total: int | None
) -> None:
    response = await client.get("/api/v1/survivors", headers=world.who(who).headers)
    assert response.status_code == status
    if total is not None:
        assert response.json()["total"] == total


async def test_patch_with_if_match_and_closing_needs_a_reason(client: httpx.AsyncClient, world: World) -> None:
    url = f"/api/v1/survivors/{world.case_id}"
    headers = world.actors.caseworker.headers
    ok = await client.patch(url, headers={**headers, "If-Match": '"1"'}, json={"phone": "0988 000 111"})
    assert ok.status_code == 200
    assert ok.json()["phone"] == "0988 000 111"
    stale = await client.patch(url, headers={**headers, "If-Match": '"1"'}, json={"risk_level": "low"})
    assert stale.status_code == 412
    no_reason = await client.patch(url, headers=headers, json={"status": "closed"})
    assert no_reason.status_code == 422
    closed = await client.patch(url, headers=headers, json={"status": "closed", "closure_reason": "goals_met"})
    assert closed.json()["status"] == "closed"


@pytest.mark.parametrize(
    "body",
    [
        {"case_type": "alien"},
        {"case_type": "gbv_survivor", "home_province": "Atlantis"},
        {"case_type": "gbv_survivor", "birth_year": 1800},
        {"case_type": "gbv_survivor", "nationality": "vietnam"},
        {"case_type": "gbv_survivor", "assigned_caseworker_id": "not-a-uuid"},
        {"case_type": "gbv_survivor", "x": 1},
    ],
)
async def test_bad_case_bodies_change_nothing(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool, body: dict[str, object]
) -> None:
    response = await client.post("/api/v1/survivors", headers=world.actors.caseworker.headers, json=body)
    assert response.status_code in (400, 422)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM survivor") == 1


async def test_a_case_cannot_be_assigned_outside_the_organization(client: httpx.AsyncClient, world: World) -> None:
    body = {**CASE_BODY, "assigned_caseworker_id": str(world.outsider.user_id)}
    response = await client.post("/api/v1/survivors", headers=world.actors.coordinator.headers, json=body)
    assert response.status_code == 422


# a consent to referrals that names no one recipient: every partner may receive them
ALL_PARTNERS = {"purpose": "referral", "organization_id": None}


async def test_consents_are_recorded_listed_and_withdrawn(client: httpx.AsyncClient, world: World) -> None:
    headers = world.actors.caseworker.headers
    created = await record_consent(
        client, world, **ALL_PARTNERS, method="verbal_with_witness", evidence="Chị Hoa làm chứng"
    )
    assert created.status_code == 201
    consent = created.json()
    assert consent["live"] is True
    withdrawn = await client.post(f"/api/v1/consents/{consent['id']}/withdraw", headers=headers)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["live"] is False
    again = await client.post(f"/api/v1/consents/{consent['id']}/withdraw", headers=headers)
    assert again.status_code == 409
    listed = (await client.get(f"/api/v1/survivors/{world.case_id}/consents", headers=headers)).json()
    assert [c["live"] for c in listed] == [False]
    stranger = await client.post(f"/api/v1/consents/{consent['id']}/withdraw", headers=world.colleague.headers)
    assert stranger.status_code == 404


async def test_a_consent_names_its_recipient_or_says_all_partners(client: httpx.AsyncClient, world: World) -> None:
    """Silence is not consent: leaving the recipient out must not share with every partner."""
    consents = f"/api/v1/survivors/{world.case_id}/consents"
    headers = world.actors.caseworker.headers
    unsaid = await client.post(consents, headers=headers, json={"purpose": "referral", "method": "written"})
    assert unsaid.status_code == 400 and unsaid.headers["content-type"].startswith("application/problem+json")
    assert "organization_id" in unsaid.text
    listed = (await client.get(consents, headers=headers)).json()
    assert [c for c in listed if c["purpose"] == "referral" and c["organization_id"] is None] == []
    said = await client.post(consents, headers=headers, json={**ALL_PARTNERS, "method": "written"})
    assert said.status_code == 201 and said.json()["organization_id"] is None


async def test_expired_consent_dates_are_refused(client: httpx.AsyncClient, world: World) -> None:
    response = await record_consent(
        client, world, **ALL_PARTNERS, method="written", expires_at="2020-01-01T00:00:00+07:00"
    )
    assert response.status_code == 422


async def test_case_codes_reveal_no_organization_s_caseload(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool, password_hash: str
) -> None:
    """Cases opened in turn by two organizations: with one counter per province and year, each
    organization could read the other's volume off the gaps between its own codes."""
    async with pool.acquire() as conn:
        elsewhere = await make_actor(conn, "cw-elsewhere", Role.CASEWORKER, world.actors.org, password_hash)
    ours: list[str] = []
    for _ in range(4):
        for who in (world.actors.caseworker, elsewhere, elsewhere):
            opened = await client.post("/api/v1/survivors", headers=who.headers, json=CASE_BODY)
            assert opened.status_code == 201, opened.text
            if who is world.actors.caseworker:
                ours.append(opened.json()["case_code"])
    assert all(re.fullmatch(CODE, code) for code in ours), ours
    suffixes = [code.rsplit("-", 1)[1] for code in ours]
    assert len(set(suffixes)) == len(suffixes)
    if all(suffix.isdigit() for suffix in suffixes):
        gaps = {int(b) - int(a) for a, b in itertools.pairwise(suffixes)}
        assert gaps != {3}, "the gaps count the other organization's cases"
    found = await client.get(
        "/api/v1/survivors", headers=world.actors.caseworker.headers, params={"q": ours[0].lower()}
    )
    assert [case["case_code"] for case in found.json()["items"]] == [ours[0]]
