"""Who may call what: one entry per (method, path template) the app serves, giving the answer
each role gets (``ROLES`` order; ``LOGIN`` is the pages' redirect to the login form) or naming the
per-area matrix that already checks the route role by role. test_route_matrix holds the app to it;
the CSRF and IDOR tests take their requests (paths, bodies, who may send them) from it."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from service.notify.kinds import SETTABLE_KINDS
from tests.integration.conftest import PASSWORD
from tests.integration.security.conftest import ROLES, SUMMARY, Scene
from tests.integration.security.routes import Route, fill, matches

LOGIN = "login"  # a page's answer to the anonymous: a redirect to the login form
Outcome = int | str
Body = Callable[[Scene], Any]

DIRECTORY_MATRIX = "tests.integration.directory.test_authorization"
REINTEGRATION_MATRIX = "tests.integration.reintegration.test_authorization"


@dataclass(frozen=True)
class Entry:
    expected: tuple[Outcome, ...] = ()  # one outcome per role, in ROLES order
    covered_by: str | None = None  # or: the module whose CASES check this route role by role
    values: dict[str, str] = field(default_factory=dict)  # path parameters that are not ids
    query: str = ""
    form: Body | None = None
    json: Body | None = None


def everyone(outcome: Outcome) -> tuple[Outcome, ...]:
    return (outcome,) * len(ROLES)


def covered(module: str) -> Entry:
    return Entry(covered_by=module)


# in ROLES order: public, partner, other_partner, caseworker, coordinator, admin
ADMIN_PAGE = (LOGIN, 403, 403, 403, 403, 200)
ADMIN_FORM = (LOGIN, 403, 403, 403, 403, 303)
ADMIN_API = (401, 403, 403, 403, 403, 200)
CASE_PAGE = (LOGIN, 404, 404, 200, 200, 404)
CASE_FORM = (LOGIN, 404, 404, 303, 303, 404)
PARTNER_PAGE = (LOGIN, 200, 200, 403, 403, 403)
SIGNED_IN_PAGE = (LOGIN, 200, 200, 200, 200, 200)
SIGNED_IN_FORM = (LOGIN, 303, 303, 303, 303, 303)
SIGNED_IN_API = (401, 200, 200, 200, 200, 200)
# the settings form as every role sends it: each role's page reads the kinds it lists
EVERY_KIND_BY_DIGEST = {kind.value: "digest" for kind in SETTABLE_KINDS}


def unique_email(_: Scene) -> str:
    return f"new-{uuid.uuid4().hex[:8]}@example.org"


def listing_form(scene: Scene, **changes: str) -> list[tuple[str, str]]:
    return [(name, changes.get(name, value)) for name, value in scene.listing_form]


MATRIX: dict[Route, Entry] = {
    # -- infrastructure, public pages and the login ----------------------------------------------
    ("GET", "/static/{file_path:path}"): Entry(everyone(200), values={"file_path": "css/app.css"}),
    ("HEAD", "/static/{file_path:path}"): Entry(everyone(200), values={"file_path": "css/app.css"}),
    ("GET", "/healthz"): Entry(everyone(200)),
    ("GET", "/readyz"): Entry(everyone(200)),
    ("GET", "/schema"): Entry(everyone(200)),
    ("GET", "/schema/redoc"): Entry(everyone(200)),
    ("GET", "/schema/openapi.json"): Entry(everyone(200)),
    ("GET", "/schema/{path:str}"): Entry(everyone(404), values={"path": "nothing-here"}),
    ("GET", "/login"): Entry(everyone(200)),
    ("POST", "/login"): Entry(
        everyone(303), form=lambda s: {"email": s.actors.partner.email or "", "password": PASSWORD, "next": "/"}
    ),
    ("POST", "/logout"): Entry(everyone(303)),
    ("GET", "/lang/{locale:str}"): Entry(everyone(303), values={"locale": "en"}),
    # signed in, the choice is also stored as the mail language; anonymous, only the cookie changes
    ("POST", "/lang/{locale:str}"): Entry(everyone(303), values={"locale": "en"}, form=lambda _: {"next": "/"}),
    # -- a password set through a mailed link: for anyone holding the link (issue 16, point 4) ------
    ("GET", "/account/forgot-password"): Entry(everyone(200)),
    # the same answer whether or not the address has an account
    ("POST", "/account/forgot-password"): Entry(everyone(200), form=lambda s: {"email": unique_email(s)}),
    ("GET", "/account/set-password"): Entry(everyone(200), query="token={set_password_token}"),
    # the partner's live link (the scene's), setting the password the actors log in with; whoever
    # sends it is signed in as the partner
    ("POST", "/account/set-password"): Entry(
        everyone(303), form=lambda s: {"token": s.ids["set_password_token"], "password": PASSWORD, "repeat": PASSWORD}
    ),
    # -- a listing check-in's links: for anyone holding one (issue 16, point 3); the scene's is the
    # partner's live link, answering "still right" as the partner whoever sends it ----------------
    ("GET", "/check-in"): Entry(everyone(200), query="token={check_in_token}"),
    ("POST", "/check-in"): Entry(everyone(200), form=lambda s: {"token": s.ids["check_in_token"]}),
    # -- the notification centre: every signed-in user's own ---------------------------------------
    ("GET", "/notifications"): Entry(SIGNED_IN_PAGE),
    ("POST", "/notifications/{notification_id:uuid}"): Entry((LOGIN, 303, 404, 404, 404, 404)),
    ("POST", "/notifications/read-all"): Entry(SIGNED_IN_FORM),
    ("GET", "/notifications/settings"): Entry(SIGNED_IN_PAGE),
    ("POST", "/notifications/settings"): Entry(SIGNED_IN_FORM, form=lambda s: EVERY_KIND_BY_DIGEST),
    ("GET", "/"): Entry(everyone(200), query="q=hoa+sen"),
    ("GET", "/services/{service_id:uuid}"): Entry(everyone(200)),
    ("GET", "/services/{service_id:uuid}/print"): Entry(everyone(200)),
    # -- a partner's listings and referral inbox; the verification queue ---------------------------
    ("GET", "/partner"): Entry(PARTNER_PAGE),
    ("POST", "/partner/services/{service_id:uuid}/capacity"): Entry(
        (LOGIN, 303, 403, 403, 303, 303), form=lambda s: {"available": "1"}
    ),
    ("GET", "/partner/services/new"): Entry((LOGIN, 200, 200, 403, 200, 403)),
    ("POST", "/partner/services"): Entry(
        (LOGIN, 303, 303, 403, 303, 403), form=lambda s: listing_form(s, name="Nhà tạm lánh mới")
    ),
    ("GET", "/partner/services/{service_id:uuid}"): Entry((LOGIN, 200, 403, 403, 200, 200)),
    ("POST", "/partner/services/{service_id:uuid}"): Entry(
        (LOGIN, 303, 403, 403, 303, 303), form=lambda s: listing_form(s, name="Tên mới")
    ),
    ("GET", "/partner/services/{service_id:uuid}/history"): Entry((LOGIN, 200, 403, 200, 200, 200)),
    ("GET", "/partner/referrals"): Entry(PARTNER_PAGE),
    ("GET", "/partner/referrals/{referral_id:uuid}"): Entry((LOGIN, 200, 404, 403, 403, 403)),
    ("POST", "/partner/referrals/{referral_id:uuid}/{action:str}"): Entry(
        (LOGIN, 303, 404, 403, 403, 403), values={"action": "accept"}
    ),
    ("GET", "/verify"): Entry((LOGIN, 403, 403, 403, 200, 200)),
    ("POST", "/verify/{service_id:uuid}"): Entry((LOGIN, 403, 403, 403, 303, 303)),
    # -- cases and referrals, as the referring side sees them --------------------------------------
    ("GET", "/cases"): Entry((LOGIN, 403, 403, 200, 200, 403)),
    ("GET", "/cases/new"): Entry((LOGIN, 403, 403, 200, 200, 403)),
    ("POST", "/cases"): Entry(
        (LOGIN, 403, 403, 303, 303, 403),
        form=lambda s: {
            "case_type": "returnee_migrant",
            "identification_status": "reported",
            "full_name": "Lê Thị Mai",
            "sex": "female",
            "birth_year": "1999",
            "home_province": "Cần Thơ",
            "risk_level": "medium",
        },
    ),
    ("GET", "/cases/{survivor_id:uuid}"): Entry(CASE_PAGE),
    ("GET", "/cases/{survivor_id:uuid}/edit"): Entry(CASE_PAGE),
    ("POST", "/cases/{survivor_id:uuid}/edit"): Entry(
        CASE_FORM,
        form=lambda s: {
            "case_type": "returnee_migrant",
            "identification_status": "reported",
            "full_name": "Lê Thị Mai",
            "risk_level": "high",
            "nationality": "VN",
        },
    ),
    ("POST", "/cases/{survivor_id:uuid}/status"): Entry(
        CASE_FORM, form=lambda s: {"status": "closed", "closure_reason": "goals_met"}
    ),
    # de-identifying is the coordinator's alone, and the scene's case is open: 409 says to close it first
    ("POST", "/cases/{survivor_id:uuid}/deidentify"): Entry(
        (LOGIN, 404, 404, 403, 409, 404), form=lambda s: {"confirm": "on"}
    ),
    ("POST", "/cases/{survivor_id:uuid}/consents"): Entry(
        CASE_FORM,
        form=lambda s: {"purpose": "follow_up_contact", "organization_id": "all", "consent_method": "written"},
    ),
    ("POST", "/cases/{survivor_id:uuid}/consents/{consent_id:uuid}/withdraw"): Entry(CASE_FORM),
    # a plan is already waiting for approval: those allowed get the case page with the conflict
    ("POST", "/cases/{survivor_id:uuid}/plans"): Entry((LOGIN, 404, 404, 409, 409, 404), form=lambda s: {"notes": ""}),
    ("POST", "/cases/{survivor_id:uuid}/plan/{plan_id:uuid}/{action:str}"): Entry(
        (LOGIN, 404, 404, 403, 303, 404), values={"action": "approve"}
    ),
    ("POST", "/cases/{survivor_id:uuid}/milestones"): Entry(
        (LOGIN, 404, 404, 409, 409, 404), form=lambda s: {"domain": "education", "title": "Học nghề"}
    ),
    ("POST", "/cases/{survivor_id:uuid}/milestones/{milestone_id:uuid}"): Entry(
        CASE_FORM, form=lambda s: {"status": "in_progress"}
    ),
    ("POST", "/cases/{survivor_id:uuid}/entitlements"): Entry((LOGIN, 404, 404, 409, 409, 404)),
    ("POST", "/cases/{survivor_id:uuid}/follow-ups"): Entry(
        CASE_FORM, form=lambda s: {"fu_date": "2026-11-20", "fu_method": "office_visit", "ind_psy_safety": "2"}
    ),
    ("GET", "/cases/{survivor_id:uuid}/matches"): Entry(CASE_PAGE, query="milestone={milestone_id}"),
    ("GET", "/referrals/new"): Entry((LOGIN, 404, 404, 200, 200, 404), query="service={service_id}&case={survivor_id}"),
    ("POST", "/referrals"): Entry(
        (LOGIN, 404, 404, 303, 303, 404),
        form=lambda s: {
            "service_id": s.ids["service_id"],
            "survivor_id": s.ids["survivor_id"],
            "urgency": "routine",
            "shared_summary": SUMMARY,
        },
    ),
    # the receiving partner is sent to its own page for the referral
    ("GET", "/referrals/{referral_id:uuid}"): Entry((LOGIN, 303, 404, 200, 200, 404)),
    ("POST", "/referrals/{referral_id:uuid}/{action:str}"): Entry(
        (LOGIN, 303, 404, 303, 303, 404), values={"action": "withdraw"}, form=lambda s: {"note": "Đã tự về"}
    ),
    # -- the dashboard and plan approvals ----------------------------------------------------------
    ("GET", "/dashboard"): Entry((LOGIN, 200, 200, 200, 200, 403)),
    ("GET", "/dashboard/approvals"): Entry((LOGIN, 403, 403, 403, 200, 403)),
    ("POST", "/dashboard/approvals/{plan_id:uuid}/approve"): Entry((LOGIN, 404, 404, 403, 303, 404)),
    ("POST", "/dashboard/approvals/{plan_id:uuid}/send-back"): Entry(
        (LOGIN, 404, 404, 403, 303, 404), form=lambda s: {"note": "Bổ sung mục học nghề"}
    ),
    # -- administration ----------------------------------------------------------------------------
    ("GET", "/admin/users"): Entry(ADMIN_PAGE),
    ("POST", "/admin/users"): Entry(
        ADMIN_FORM,
        form=lambda s: {
            "email": unique_email(s),
            "role": "partner",
            "organization_id": s.ids["organization_id"],
            "password": "a long enough password",
        },
    ),
    ("GET", "/admin/users/{user_id:uuid}"): Entry(ADMIN_PAGE),
    ("POST", "/admin/users/{user_id:uuid}"): Entry(
        ADMIN_FORM,
        form=lambda s: {
            "display_name": "Đối tác",
            "role": "partner",
            "organization_id": s.ids["organization_id"],
        },
    ),
    ("POST", "/admin/users/{user_id:uuid}/active"): Entry(ADMIN_FORM, form=lambda s: {"active": "true"}),
    ("POST", "/admin/users/{user_id:uuid}/set-password-link"): Entry(ADMIN_FORM),
    ("GET", "/admin/users/{user_id:uuid}/tokens"): Entry(ADMIN_PAGE),
    ("POST", "/admin/users/{user_id:uuid}/tokens"): Entry(
        (LOGIN, 403, 403, 403, 403, 201), form=lambda s: {"label": "máy chủ", "hours": "1", "reason": "đồng bộ danh bạ"}
    ),
    ("POST", "/admin/users/{user_id:uuid}/tokens/{token_id:uuid}/revoke"): Entry(ADMIN_FORM),
    ("GET", "/admin/mail"): Entry(ADMIN_PAGE),
    ("POST", "/admin/mail/retry"): Entry(ADMIN_FORM),
    ("GET", "/admin/organizations"): Entry(ADMIN_PAGE),
    ("POST", "/admin/organizations"): Entry(ADMIN_FORM, form=lambda s: {"name": "Tổ chức mới", "kind": "ngo"}),
    ("GET", "/admin/organizations/{organization_id:uuid}"): Entry(ADMIN_PAGE),
    ("POST", "/admin/organizations/{organization_id:uuid}"): Entry(
        ADMIN_FORM, form=lambda s: {"name": "Nhà Tạm Lánh Hoa Sen", "kind": "ngo", "description": "Giới thiệu"}
    ),
    # -- the API: accounts ---------------------------------------------------------------------------
    ("POST", "/api/v1/auth/tokens"): Entry(
        everyone(201), json=lambda s: {"email": s.actors.partner.email, "password": PASSWORD}
    ),
    ("DELETE", "/api/v1/auth/tokens/current"): Entry((401, 204, 204, 204, 204, 204)),
    ("GET", "/api/v1/me"): Entry((401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/users"): Entry(ADMIN_API),
    ("POST", "/api/v1/users"): Entry(
        (401, 403, 403, 403, 403, 201),
        json=lambda s: {"email": unique_email(s), "password": "a long enough password", "role": "admin"},
    ),
    ("GET", "/api/v1/users/{user_id:uuid}"): Entry((401, 404, 404, 404, 404, 200)),
    ("PATCH", "/api/v1/users/{user_id:uuid}"): Entry(
        (401, 404, 404, 404, 404, 200), json=lambda s: {"display_name": "Đối tác"}
    ),
    # -- the API: notifications --------------------------------------------------------------------
    ("GET", "/api/v1/notifications"): Entry(SIGNED_IN_API, query="unread=true"),
    ("POST", "/api/v1/notifications/{notification_id:uuid}/read"): Entry((401, 200, 404, 404, 404, 404)),
    ("POST", "/api/v1/notifications/read-all"): Entry(SIGNED_IN_API),
    ("GET", "/api/v1/me/notification-settings"): Entry(SIGNED_IN_API),
    ("PUT", "/api/v1/me/notification-settings"): Entry(
        SIGNED_IN_API, json=lambda s: {"deliveries": {"referral_received": "digest"}}
    ),
    # -- the API: directory and HSDS -------------------------------------------------------------------
    ("GET", "/api/v1/provinces"): covered(DIRECTORY_MATRIX),
    ("GET", "/api/v1/taxonomy"): covered(DIRECTORY_MATRIX),
    ("GET", "/api/v1/services"): covered(DIRECTORY_MATRIX),
    ("POST", "/api/v1/services"): covered(DIRECTORY_MATRIX),
    ("GET", "/api/v1/services/{service_id:uuid}"): covered(DIRECTORY_MATRIX),
    ("PATCH", "/api/v1/services/{service_id:uuid}"): covered(DIRECTORY_MATRIX),
    ("PUT", "/api/v1/services/{service_id:uuid}/capacity"): covered(DIRECTORY_MATRIX),
    ("POST", "/api/v1/services/{service_id:uuid}/verify"): covered(DIRECTORY_MATRIX),
    ("GET", "/api/v1/services/{service_id:uuid}/revisions"): covered(DIRECTORY_MATRIX),
    ("GET", "/api/v1/organizations"): covered(DIRECTORY_MATRIX),
    ("POST", "/api/v1/organizations"): covered(DIRECTORY_MATRIX),
    ("GET", "/api/v1/organizations/{organization_id:uuid}"): covered(DIRECTORY_MATRIX),
    ("PATCH", "/api/v1/organizations/{organization_id:uuid}"): covered(DIRECTORY_MATRIX),
    ("GET", "/api/v1/hsds"): Entry(everyone(200)),
    ("GET", "/api/v1/hsds/services"): Entry(everyone(200)),
    ("POST", "/api/v1/hsds/services"): Entry(everyone(200), json=lambda s: {"q": "nhà tạm lánh"}),
    ("GET", "/api/v1/hsds/services/{service_id:uuid}"): Entry(everyone(200)),
    # -- the API: reintegration ------------------------------------------------------------------------
    ("GET", "/api/v1/survivors"): covered(REINTEGRATION_MATRIX),
    ("POST", "/api/v1/survivors"): covered(REINTEGRATION_MATRIX),
    ("POST", "/api/v1/survivors/lookup"): covered(REINTEGRATION_MATRIX),
    ("GET", "/api/v1/survivors/{survivor_id:uuid}"): covered(REINTEGRATION_MATRIX),
    ("PATCH", "/api/v1/survivors/{survivor_id:uuid}"): covered(REINTEGRATION_MATRIX),
    ("GET", "/api/v1/survivors/{survivor_id:uuid}/consents"): covered(REINTEGRATION_MATRIX),
    ("POST", "/api/v1/survivors/{survivor_id:uuid}/consents"): covered(REINTEGRATION_MATRIX),
    ("POST", "/api/v1/consents/{consent_id:uuid}/withdraw"): covered(REINTEGRATION_MATRIX),
    ("POST", "/api/v1/survivors/{survivor_id:uuid}/plans"): covered(REINTEGRATION_MATRIX),
    ("GET", "/api/v1/survivors/{survivor_id:uuid}/plans/current"): covered(REINTEGRATION_MATRIX),
    ("POST", "/api/v1/plans/{plan_id:uuid}/submit"): covered(REINTEGRATION_MATRIX),
    ("POST", "/api/v1/plans/{plan_id:uuid}/approve"): covered(REINTEGRATION_MATRIX),
    ("POST", "/api/v1/plans/{plan_id:uuid}/send-back"): covered(REINTEGRATION_MATRIX),
    ("POST", "/api/v1/plans/{plan_id:uuid}/milestones"): covered(REINTEGRATION_MATRIX),
    # the plan waits for approval, so none of these steps applies: 409 to those in scope
    ("POST", "/api/v1/plans/{plan_id:uuid}/review"): Entry((401, 404, 404, 409, 409, 404), json=lambda s: {}),
    ("POST", "/api/v1/plans/{plan_id:uuid}/close"): Entry((401, 404, 404, 409, 409, 404), json=lambda s: {}),
    ("POST", "/api/v1/plans/{plan_id:uuid}/reopen"): Entry((401, 404, 404, 409, 409, 404), json=lambda s: {}),
    ("PATCH", "/api/v1/milestones/{milestone_id:uuid}"): covered(REINTEGRATION_MATRIX),
    ("GET", "/api/v1/survivors/{survivor_id:uuid}/entitlements"): covered(REINTEGRATION_MATRIX),
    ("POST", "/api/v1/survivors/{survivor_id:uuid}/entitlements/milestones"): Entry((401, 404, 404, 409, 409, 404)),
    ("GET", "/api/v1/survivors/{survivor_id:uuid}/matches"): covered(REINTEGRATION_MATRIX),
    ("POST", "/api/v1/survivors/{survivor_id:uuid}/follow-ups"): covered(REINTEGRATION_MATRIX),
    ("GET", "/api/v1/survivors/{survivor_id:uuid}/follow-ups"): covered(REINTEGRATION_MATRIX),
    ("GET", "/api/v1/survivors/{survivor_id:uuid}/export"): covered(REINTEGRATION_MATRIX),
    ("POST", "/api/v1/survivors/{survivor_id:uuid}/deidentify"): covered(REINTEGRATION_MATRIX),
    ("POST", "/api/v1/referrals"): covered(REINTEGRATION_MATRIX),
    ("GET", "/api/v1/referrals"): covered(REINTEGRATION_MATRIX),
    ("GET", "/api/v1/referrals/{referral_id:uuid}"): covered(REINTEGRATION_MATRIX),
    ("POST", "/api/v1/referrals/{referral_id:uuid}/{action:str}"): covered(REINTEGRATION_MATRIX),
    ("GET", "/api/v1/dashboard"): covered(REINTEGRATION_MATRIX),
    ("GET", "/api/v1/audit"): covered(REINTEGRATION_MATRIX),
    ("GET", "/api/v1/sustainability/indicators"): covered(REINTEGRATION_MATRIX),
}

TESTED_HERE = {route: entry for route, entry in MATRIX.items() if entry.covered_by is None}


def request_of(scene: Scene, route: Route, entry: Entry) -> tuple[str, str, dict[str, Any]]:
    method, template = route
    path = fill(template, {**scene.ids, **entry.values})
    if entry.query:
        path += "?" + entry.query.format(**scene.ids)
    body: dict[str, Any] = {}
    if entry.form is not None:
        body["form"] = entry.form(scene)
    if entry.json is not None:
        body["json"] = entry.json(scene)
    return method, path, body


def allowed_role(entry: Entry) -> str:
    """A role whose request this entry expects to go through (or to be refused by the state of the
    scene only, as a 409 is), so a refusal it gets elsewhere is that test's doing."""
    return next(role for role, outcome in zip(ROLES, entry.expected, strict=True) if not is_refusal(outcome))


def outcome_of(response: httpx.Response) -> Outcome:
    location = response.headers.get("location", "")
    if response.status_code in (302, 303, 307) and location.startswith("/login"):
        return LOGIN
    return response.status_code


def is_refusal(outcome: Outcome) -> bool:
    return outcome == LOGIN or (isinstance(outcome, int) and outcome in (401, 403, 404))


# the per-area matrices' placeholders, as ids of the scene
PLACEHOLDERS = {
    "public": "service_id",
    "staff": "service_id",
    "org": "organization_id",
    "case": "survivor_id",
    "consent": "consent_id",
    "plan": "plan_id",
    "milestone": "milestone_id",
    "referral": "referral_id",
}


def covering_case(route: Route) -> Any:
    """The case of the per-area matrix said to check ``route``; None when it has none."""
    module = importlib.import_module(MATRIX[route].covered_by or "")
    return next((c for c in module.CASES if c.method == route[0] and matches(route[1], c.path)), None)


def expected_of(route: Route, role: str) -> Outcome:
    """What ``role`` gets on ``route``: from this matrix, or from the per-area matrix that checks it
    (whose roles of the same name stand in the same relation to its records)."""
    entry = MATRIX[route]
    if entry.covered_by is None:
        return entry.expected[ROLES.index(role)]
    module = importlib.import_module(entry.covered_by)
    outcome: Outcome = covering_case(route).expected[module.ROLES.index(role)]
    return outcome


def request_for(scene: Scene, route: Route) -> tuple[str, str, dict[str, Any]]:
    """The matrix's request for ``route`` with ``scene``'s ids (for a route another matrix checks,
    the request that matrix sends)."""
    entry = MATRIX[route]
    if entry.covered_by is None:
        return request_of(scene, route, entry)
    module = importlib.import_module(entry.covered_by)
    case = covering_case(route)
    path = case.path.format(**{name: scene.ids[key] for name, key in PLACEHOLDERS.items()})
    if case.body == "referral":
        body = {
            "survivor_id": scene.ids["survivor_id"],
            "service_id": scene.ids["service_id"],
            "shared_summary": SUMMARY,
        }
    elif hasattr(module, "body_for"):
        body = module.body_for(case.body, scene.actors)
    else:
        body = case.body
    return case.method, path, {"json": body}
