"""What the receiving partner may see of a referral, and for how long: only its own side's notes,
nothing once the survivor's consent is gone, and never an identifier the case holds."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from tests.integration.reintegration.world import World, consent, refer, refer_in_emergency

ADDRESS_NOTE = "Chị đã chuyển về ở 12 Lê Lợi, phường Ninh Kiều"


async def _step(client: httpx.AsyncClient, world: World, referral_id: str, action: str, **body: Any) -> dict[str, Any]:
    headers = world.actors.caseworker.headers if action in ("withdraw", "verify") else world.actors.partner.headers
    response = await client.post(f"/api/v1/referrals/{referral_id}/{action}", headers=headers, json=body)
    assert response.status_code == 200, (action, response.text)
    return response.json()  # type: ignore[no-any-return]


async def _as_partner(client: httpx.AsyncClient, world: World, referral_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/referrals/{referral_id}", headers=world.actors.partner.headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def _inbox_item(client: httpx.AsyncClient, world: World, referral_id: str) -> dict[str, Any]:
    inbox = (await client.get("/api/v1/referrals", headers=world.actors.partner.headers)).json()
    return next(item for item in inbox["items"] if item["id"] == referral_id)


# -- point 3: the receiver sees its own side's notes only -------------------------------------------


async def test_the_receiver_never_sees_a_note_the_referrer_wrote(client: httpx.AsyncClient, world: World) -> None:
    await consent(client, world, world.actors.org)
    referral = (await refer(client, world)).json()
    await _step(client, world, referral["id"], "accept", note="Nhận, sẽ gọi lại")
    await _step(client, world, referral["id"], "withdraw", note=ADDRESS_NOTE)
    for seen in (await _as_partner(client, world, referral["id"]), await _inbox_item(client, world, referral["id"])):
        assert ADDRESS_NOTE not in str(seen)
        assert seen["shared_summary"] is None
        notes = [event["note"] for event in seen["history"]]
        assert "Nhận, sẽ gọi lại" in notes  # its own side's note stays
        assert [event["to_status"] for event in seen["history"]] == ["sent", "accepted", "withdrawn"]
    # the referring side keeps its whole history
    own = (await client.get(f"/api/v1/referrals/{referral['id']}", headers=world.actors.caseworker.headers)).json()
    assert own["history"][-1]["note"] == ADDRESS_NOTE


@pytest.mark.parametrize(
    ("action", "side", "body"),
    [
        ("withdraw", "caseworker", {"note": "Rút lại", "reason_code": ADDRESS_NOTE[:40]}),
        ("accept", "partner", {"reason_code": "0912 345 678"}),
    ],
)
async def test_a_reason_code_carries_no_words(
    client: httpx.AsyncClient, world: World, action: str, side: str, body: dict[str, str]
) -> None:
    """The receiver reads reason codes and de-identification keeps them: words typed into one (an
    address, a phone) are refused, on a step with a list of reasons as on one without."""
    await consent(client, world, world.actors.org)
    referral = (await refer(client, world)).json()
    url = f"/api/v1/referrals/{referral['id']}/{action}"
    refused = await client.post(url, headers=world.actors.by_name[side].headers, json=body)
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["reason_code"]
    seen = await _as_partner(client, world, referral["id"])
    assert seen["status"] == "sent" and body["reason_code"] not in str(seen)


async def test_a_verification_note_is_not_shown_to_the_receiver_while_access_lasts(
    client: httpx.AsyncClient, world: World
) -> None:
    await consent(client, world, None)
    referral = (await refer(client, world)).json()
    for action in ("accept", "start", "complete"):
        await _step(client, world, referral["id"], action)
    await _step(client, world, referral["id"], "verify", note=ADDRESS_NOTE)
    seen = await _as_partner(client, world, referral["id"])
    assert seen["shared_summary"]  # within 30 days of completion
    assert ADDRESS_NOTE not in str(seen)
    assert seen["history"][-1]["to_status"] == "verified"


# -- point 4: withdrawing consent ends sharing -------------------------------------------------------


async def test_withdrawing_consent_ends_every_open_referral_under_it_at_once(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    granted = await consent(client, world, world.actors.org)
    waiting = (await refer(client, world)).json()
    started = (await refer(client, world)).json()
    await _step(client, world, started["id"], "accept")
    await _step(client, world, started["id"], "start")
    withdrawn = await client.post(f"/api/v1/consents/{granted['id']}/withdraw", headers=world.actors.caseworker.headers)
    assert withdrawn.status_code == 200
    for referral in (waiting, started):
        for seen in (
            await _as_partner(client, world, referral["id"]),
            await _inbox_item(client, world, referral["id"]),
        ):
            assert seen["shared_summary"] is None
            assert seen["status"] == "withdrawn" and seen["reason_code"] == "consent_withdrawn"
            assert seen["history"][-1]["reason_code"] == "consent_withdrawn"
        for action in ("accept", "complete", "hold"):
            moved = await client.post(
                f"/api/v1/referrals/{referral['id']}/{action}", headers=world.actors.partner.headers, json={}
            )
            assert moved.status_code == 409
            assert moved.json()["allowed"] == []
    told = (await client.get(f"/api/v1/referrals/{started['id']}", headers=world.actors.caseworker.headers)).json()
    assert told["status"] == "withdrawn" and told["reason_code"] == "consent_withdrawn"
    async with pool.acquire() as conn:
        audited = await conn.fetch(
            "SELECT entity_id, details FROM audit_log WHERE entity = 'referral' AND action = 'end_sharing'"
        )
    assert {str(row["entity_id"]) for row in audited} == {waiting["id"], started["id"]}
    assert all(row["details"]["reason"] == "consent_withdrawn" for row in audited)


async def test_a_completed_referral_stops_showing_the_summary_when_consent_is_withdrawn(
    client: httpx.AsyncClient, world: World
) -> None:
    granted = await consent(client, world, None)
    referral = (await refer(client, world)).json()
    for action in ("accept", "start", "complete"):
        await _step(client, world, referral["id"], action)
    assert (await _as_partner(client, world, referral["id"]))["shared_summary"]
    await client.post(f"/api/v1/consents/{granted['id']}/withdraw", headers=world.actors.caseworker.headers)
    seen = await _as_partner(client, world, referral["id"])
    assert seen["status"] == "completed" and seen["shared_summary"] is None and seen["sharing_live"] is False


async def test_an_expired_consent_is_checked_at_every_read_by_the_receiver(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    await consent(client, world, world.actors.org)
    referral = (await refer(client, world)).json()
    async with pool.acquire() as conn:
        await conn.execute("UPDATE consent SET expires_at = now() - interval '1 minute'")
    assert (await _as_partner(client, world, referral["id"]))["shared_summary"] is None
    assert (await _inbox_item(client, world, referral["id"]))["shared_summary"] is None
    late = await client.post(f"/api/v1/referrals/{referral['id']}/accept", headers=world.actors.partner.headers)
    assert late.status_code == 409
    # a fresh consent covering the partner restores it
    await consent(client, world, None)
    assert (await _as_partner(client, world, referral["id"]))["shared_summary"]


async def test_an_emergency_referral_ends_when_the_survivor_withdraws_a_consent_covering_its_receiver(
    client: httpx.AsyncClient, world: World
) -> None:
    emergency = await refer_in_emergency(client, world)
    assert emergency.status_code == 201, emergency.text
    referral_id = emergency.json()["id"]
    assert (await _as_partner(client, world, referral_id))["shared_summary"] == "Cần chỗ ở khẩn cấp"
    other = await consent(client, world, world.actors.other_org)  # another receiver: no effect here
    await client.post(f"/api/v1/consents/{other['id']}/withdraw", headers=world.actors.caseworker.headers)
    assert (await _as_partner(client, world, referral_id))["status"] == "sent"
    granted = await consent(client, world, world.actors.org)
    await client.post(f"/api/v1/consents/{granted['id']}/withdraw", headers=world.actors.caseworker.headers)
    seen = await _as_partner(client, world, referral_id)
    assert seen["status"] == "withdrawn" and seen["reason_code"] == "consent_withdrawn"
    assert seen["shared_summary"] is None


# -- point 10: the summary must not carry any identifier the case holds -----------------------------


@pytest.mark.parametrize(
    "summary",
    [
        "Chị Lan cần chỗ ở an toàn",  # the given name alone
        "Liên hệ qua số 0912.345.678",  # the phone, other spacing
        "Gọi +84 912 345 678 sau 18 giờ",  # the phone, international form
        "CCCD 0923 0100 0123 đã mất",  # the ID number, spaced
        "Nhà ở Ap 3, xa My Xuyen",  # the home address, unaccented
        "Gia đình ở xã Mỹ Xuyên",  # one part of the address
        "Quê ở My Xuyen, can cho o",  # the home commune alone
        "Chị NGUYEN THI LAN cần chỗ ở",  # the full name, as before
    ],
)
async def test_a_summary_holding_any_identifier_of_the_case_is_refused_on_its_field(
    client: httpx.AsyncClient, world: World, pool: asyncpg.Pool, summary: str
) -> None:
    await consent(client, world, None)
    response = await refer(client, world, shared_summary=summary)
    assert response.status_code == 422, response.text
    assert {error["field"] for error in response.json()["errors"]} == {"shared_summary"}
    assert "0912" not in response.text and "Lan" not in response.text  # the refusal does not echo the identifier
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM referral") == 0


async def test_a_summary_naming_the_street_of_her_address_without_its_number_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    address = {"address": "123 đường Minh Họa, xã Mỹ Xuyên"}
    case = f"/api/v1/survivors/{world.case_id}"
    assert (await client.patch(case, headers=world.actors.caseworker.headers, json=address)).status_code == 200
    await consent(client, world, None)
    response = await refer(client, world, shared_summary="Nhà gần đường Minh Hoa, cần chuyển đi")
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["shared_summary"]


@pytest.mark.parametrize(
    "summary",
    [
        "Phụ nữ 25 tuổi, vừa trở về từ Campuchia, cần chỗ ở an toàn 2 tuần.",
        "Cần hỗ trợ pháp lý, có con nhỏ 3 tuổi; liên hệ qua cán bộ phụ trách",
        "Landing: cần tư vấn tâm lý",  # the given name inside another word is no name
        "Cần chỗ ở tại Cần Thơ, gần ấp 3 là không an toàn",  # a province, or a part with no name, names nobody
    ],
)
async def test_a_summary_without_identifiers_goes_through(
    client: httpx.AsyncClient, world: World, summary: str
) -> None:
    await consent(client, world, None)
    assert (await refer(client, world, shared_summary=summary)).status_code == 201
