"""De-identification: only closed cases, and afterwards nothing that could name the survivor is
left — identifiers and every free text — while the coded history stays for statistics."""

from __future__ import annotations

import httpx

from search.text import fold
from tests.integration.conftest import Actors
from tests.integration.free_text import SECRETS, tell_the_story


async def test_an_open_case_is_not_deidentified(client: httpx.AsyncClient, actors: Actors) -> None:
    case_url = await tell_the_story(client, actors)
    refused = await client.post(f"{case_url}/deidentify", headers=actors.coordinator.headers)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "close" in refused.json()["detail"].lower()
    case = (await client.get(case_url, headers=actors.coordinator.headers)).json()
    assert case["deidentified_at"] is None and case["full_name"] == SECRETS["full_name"]


async def test_deidentifying_a_closed_case_removes_every_free_text_and_keeps_the_coded_history(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    case_url = await tell_the_story(client, actors)
    coordinator = actors.coordinator.headers
    closed = await client.patch(case_url, headers=coordinator, json={"status": "closed", "closure_reason": "goals_met"})
    assert closed.status_code == 200, closed.text
    done = await client.post(f"{case_url}/deidentify", headers=coordinator)
    assert done.status_code == 200, done.text

    exported = await client.get(f"{case_url}/export", headers=coordinator)
    assert exported.status_code == 200
    text = fold(exported.text)
    assert [name for name, secret in SECRETS.items() if fold(secret) in text] == []
    dashboard = fold((await client.get("/api/v1/dashboard", headers=coordinator)).text)
    assert fold(SECRETS["emergency_reason"]) not in dashboard

    body = exported.json()
    survivor = body["survivor"]
    # what is kept: coded facts and dates, nothing written in words
    assert (survivor["case_type"], survivor["home_province"], survivor["sex"], survivor["status"]) == (
        "trafficking_victim",
        "92",
        "female",
        "closed",
    )
    assert survivor["closure_reason"] == "goals_met" and survivor["deidentified_at"] is not None
    assert survivor["birth_year"] is None and survivor["home_commune"] is None
    assert survivor["contact_preference"]["safe_hours"] is None
    assert [(c["purpose"], c["method"], c["evidence"]) for c in body["consents"]] == [
        ("referral", "verbal_with_witness", "")
    ]
    plan = body["plans"][0]
    assert (plan["status"], plan["notes"]) == ("draft", "")
    assert [(m["domain"], m["title"], m["note"]) for m in plan["milestones"]] == [("essential_needs_shelter", "", "")]
    assert sorted(r["status"] for r in body["referrals"]) == ["declined", "withdrawn"]
    assert all(r["shared_summary"] is None for r in body["referrals"])
    assert all(e["note"] == "" for r in body["referrals"] for e in r["history"])
    assert sorted((f["method"], f["notes"], f["contact_override_reason"]) for f in body["follow_ups"]) == [
        ("office_visit", "", None),
        ("phone", "", None),
    ]
