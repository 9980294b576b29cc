"""Stored and reflected XSS: script, attribute-breaking and template payloads in every free-text field
of an organization, a listing (places, contacts), a case (identifiers, contact preference), its
consent, plan, milestone, follow-up and referrals (summary and notes), a user's name and a token's
label come back escaped on every page that shows them, and no page carries a live tag or handler.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
from markupsafe import escape

from tests.integration.listings import service_body
from tests.integration.reintegration.world import CASE_BODY
from tests.integration.security.conftest import Scene
from tests.integration.security.markup import inline_code

MARK = '<script>alert(1)</script>"><img src=x onerror=alert(1)>{{7*7}}'
ESCAPED = str(escape(MARK))
LIVE = ("<script>alert(1)", "<img src=x", "onerror=alert(1)>")  # any of them raw is a live tag
EVALUATED = "&gt;49"  # {{7*7}} rendered as a template would come out right after the img tag


def payload(field: str) -> str:
    return f"{field}:{MARK}"


def ok(response: httpx.Response, expected: int = 200) -> Any:
    assert response.status_code == expected, response.text[:300]
    return response.json() if "json" in response.headers.get("content-type", "") else None


async def plant(scene: Scene) -> dict[str, str]:
    """Every free-text field of every kind of record, filled with a payload through the API."""
    client, actors = scene.client, scene.actors
    admin, caseworker = actors.admin.headers, actors.caseworker.headers
    partner, coordinator = actors.partner.headers, actors.coordinator.headers
    ok(
        await client.patch(
            f"/api/v1/organizations/{actors.org}",
            headers=admin,
            json={f: payload(f"org.{f}") for f in ("name", "alternate_name", "description")},
        )
    )
    text_fields = ("name", "alternate_name", "description", "eligibility_description", "application_process")
    listing = service_body(
        actors.org,
        **{f: payload(f"service.{f}") for f in text_fields},
        required_documents=[payload("service.required_documents")],
        locations=[
            {
                "province_code": "92",
                "confidential": False,
                "lat": 10.03,
                "lon": 105.78,
                **{f: payload(f"location.{f}") for f in ("name", "street", "commune", "accessibility")},
            }
        ],
        contacts=[
            {"kind": "hotline", "value": "1900969680", "hours": payload("contact.hours")},
            {"kind": "facebook", "value": payload("contact.value")},
        ],
    )
    service = ok(await client.post("/api/v1/services", headers=admin, json=listing), 201)
    case_fields = ("full_name", "phone", "address", "id_document_number", "home_commune")
    case_body = {
        **CASE_BODY,
        **{f: payload(f"case.{f}") for f in case_fields},
        "contact_preference": {"channel": "phone", "safe_hours": payload("case.safe_hours")},
    }
    case = ok(await client.post("/api/v1/survivors", headers=caseworker, json=case_body), 201)
    survivor = case["id"]
    consent = {
        "purpose": "referral",
        "organization_id": None,
        "method": "written",
        "evidence": payload("consent.evidence"),
    }
    ok(await client.post(f"/api/v1/survivors/{survivor}/consents", headers=caseworker, json=consent), 201)
    plan = ok(
        await client.post(
            f"/api/v1/survivors/{survivor}/plans", headers=caseworker, json={"notes": payload("plan.notes")}
        ),
        201,
    )
    milestone = ok(
        await client.post(
            f"/api/v1/plans/{plan['id']}/milestones",
            headers=caseworker,
            json={"domain": "health", "title": payload("milestone.title"), "target_date": "2020-01-01"},
        ),
        201,
    )
    ok(
        await client.patch(
            f"/api/v1/milestones/{milestone['id']}", headers=caseworker, json={"note": payload("milestone.note")}
        )
    )
    agreement = {"survivor_agreed_at": "2026-11-20T09:00:00+07:00", "agreement_method": "written"}
    ok(await client.post(f"/api/v1/plans/{plan['id']}/submit", headers=caseworker, json=agreement))
    send_back = {"note": payload("plan.review_note")}
    ok(await client.post(f"/api/v1/plans/{plan['id']}/send-back", headers=coordinator, json=send_back))
    ok(await client.post(f"/api/v1/plans/{plan['id']}/submit", headers=caseworker, json=agreement))
    follow_up = {"date": "2026-11-20", "method": "office_visit", "notes": payload("follow_up.notes")}
    ok(await client.post(f"/api/v1/survivors/{survivor}/follow-ups", headers=caseworker, json=follow_up), 201)
    referrals = []
    for summary in ("referral.shared_summary", "declined.shared_summary"):
        body = {
            "survivor_id": survivor,
            "service_id": service["id"],
            "milestone_id": milestone["id"],
            "shared_summary": payload(summary),
        }
        referrals.append(ok(await client.post("/api/v1/referrals", headers=caseworker, json=body), 201))
    decline = {"reason_code": "other", "note": payload("referral.decline_note")}
    ok(await client.post(f"/api/v1/referrals/{referrals[1]['id']}/decline", headers=partner, json=decline))
    user = f"/api/v1/users/{actors.partner.user_id}"
    ok(await client.patch(user, headers=admin, json={"display_name": payload("user.display_name")}))
    # the listing's history names the partner who edited it
    ok(await client.put(f"/api/v1/services/{service['id']}/capacity", headers=partner, json={"available": 3}))
    token_page = f"/admin/users/{actors.partner.user_id}/tokens"
    form = {"label": payload("token.label"), "hours": "1", "reason": "đồng bộ danh bạ"}
    ok(await scene.send("admin", "POST", token_page, form=form), 201)
    return {
        "service": service["id"],
        "case": survivor,
        "milestone": milestone["id"],
        "referral": referrals[0]["id"],
        "declined": referrals[1]["id"],
        "partner": str(actors.partner.user_id),
        "org": str(actors.org),
    }


# (role, page) pairs; every page here shows at least one stored payload
STORED = [
    ("public", "/"),
    ("public", "/services/{service}"),
    ("public", "/services/{service}/print"),
    ("caseworker", "/services/{service}"),
    ("partner", "/partner"),
    ("partner", "/partner/services/{service}"),
    ("partner", "/partner/services/{service}/history"),
    ("partner", "/partner/referrals"),
    ("partner", "/partner/referrals/{referral}"),
    ("partner", "/partner/referrals/{declined}"),
    ("coordinator", "/verify"),
    ("caseworker", "/cases/{case}"),
    ("coordinator", "/cases/{case}"),
    ("caseworker", "/cases/{case}/edit"),
    ("caseworker", "/cases/{case}/matches?milestone={milestone}"),
    ("caseworker", "/referrals/new?service={service}&case={case}"),
    ("caseworker", "/referrals/{referral}"),
    ("caseworker", "/referrals/{declined}"),
    ("caseworker", "/dashboard"),
    ("coordinator", "/dashboard"),
    ("admin", "/admin/users"),
    ("admin", "/admin/users/{partner}"),
    ("admin", "/admin/users/{partner}/tokens"),
    ("admin", "/admin/organizations"),
    ("admin", "/admin/organizations/{org}"),
]
# pages of the same records that show none of their free text (case codes, counts, dates)
WITHOUT_TEXT = [("caseworker", "/cases"), ("coordinator", "/dashboard/approvals")]
# pages that echo what is in the address
REFLECTED = [
    ("public", f"/?q={quote(MARK)}"),
    ("public", f"/login?next={quote(MARK)}"),
    ("caseworker", f"/cases?q={quote(MARK)}"),
    ("admin", f"/admin/organizations?q={quote(MARK)}"),
]


async def test_stored_payloads_are_shown_as_text_on_every_page(scene: Scene) -> None:
    ids = await plant(scene)
    problems = []
    for role, template in STORED + WITHOUT_TEXT:
        path = template.format(**ids)
        response = await scene.send(role, "GET", path)
        if response.status_code != 200:
            problems.append((role, path, response.status_code))
            continue
        html = response.text
        if ESCAPED not in html and (role, template) in STORED:
            problems.append((role, path, "shows no stored payload"))
        problems += [(role, path, f"live: {raw}") for raw in LIVE if raw in html]
        problems += [(role, path, found) for found in inline_code(html)]
        if EVALUATED in html:
            problems.append((role, path, "{{7*7}} was evaluated"))
    assert not problems, "\n".join(map(str, problems))


async def test_the_live_search_fragment_escapes_what_it_shows(scene: Scene) -> None:
    await plant(scene)
    response = await scene.client.get("/", headers={"hx-request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert ESCAPED in response.text and inline_code(response.text) == []
    assert not any(raw in response.text for raw in LIVE)


async def test_what_the_address_carries_is_echoed_as_text(scene: Scene) -> None:
    for role, path in REFLECTED:
        response = await scene.send(role, "GET", path)
        assert response.status_code == 200, path
        assert not any(raw in response.text for raw in LIVE), path
        assert inline_code(response.text) == [], path


async def test_a_refused_form_shows_the_payload_it_kept_as_text(scene: Scene) -> None:
    """A form sent back with its errors fills its fields with what was typed: inside attributes."""
    fields = [(name, payload(name) if name in ("name", "description") else value) for name, value in scene.listing_form]
    fields = [(name, "not a number" if name == "capacity_total" else value) for name, value in fields]
    response = await scene.send("partner", "POST", "/partner/services", form=fields)
    assert response.status_code == 422
    assert ESCAPED in response.text
    assert not any(raw in response.text for raw in LIVE)
    assert inline_code(response.text) == []
