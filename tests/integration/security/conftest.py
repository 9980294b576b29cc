"""The security tests' scene: a listing of ``org``, a case of ``other_org`` with a consent, a submitted
plan with a milestone, and a referral to the listing; every role both as an API client (bearer
token) and as a browser (session cookie and CSRF token), so any request can be sent as anyone.

Building it is cheap next to emptying the database, so a matrix test builds fresh objects (and
fresh credentials) within one test whenever a request it just sent may have changed them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookiejar import DefaultCookiePolicy

import asyncpg
import httpx
import pytest
from litestar import Litestar

from service.auth import set_password
from service.auth.secrets import new_token, token_digest
from service.directory import check_in_links, check_ins
from service.web import session
from tests.integration.conftest import Actor, Actors
from tests.integration.listings import service_body
from tests.integration.pages.partner.conftest import form_fields
from tests.integration.reintegration.world import CASE_BODY

ROLES = ("public", "partner", "other_partner", "caseworker", "coordinator", "admin")
"""``partner`` works for the listing's organization (which receives the referral), ``other_partner``
for another; ``caseworker`` is assigned the case, ``coordinator`` leads the organization owning it."""

CSRF_COOKIE = "csrftoken"
CsrfPair = tuple[str | None, str | None]  # the CSRF token sent as cookie, and as header or form field
SUMMARY = "Phụ nữ 25 tuổi, vừa trở về, cần chỗ ở an toàn 2 tuần."

# What the steps of a case change: after any change there, the next request gets a fresh case.
CASE_TABLES = ("survivor", "consent", "plan", "milestone", "referral", "referral_event", "follow_up")
# Tables whose content a refused request must leave exactly as it was (the audit log and the
# login-throttle counters are meant to change; of the tokens, only which are live counts).
GUARDED_TABLES = (
    "organization",
    "app_user",
    "service",
    "location",
    "service_area",
    "contact_point",
    "schedule",
    "web_session",
    "set_password_link",
    "listing_check_in",
    "notification",
    "notification_setting",
    *CASE_TABLES,
)
CREDENTIALS = ("api_token", "web_session")


@dataclass
class Scene:
    actors: Actors
    client: httpx.AsyncClient
    pool: asyncpg.Pool
    ids: dict[str, str] = field(default_factory=dict)  # path parameter name → the id it names here
    sessions: dict[str, str] = field(default_factory=dict)  # role → session cookie value
    csrf: str = ""  # a valid CSRF token, sent both as the cookie and as the header htmx sends
    listing_form: list[tuple[str, str]] = field(default_factory=list)  # the listing's edit form as filled in
    check_in_key: bytes = b""  # the app's key for a listing check-in's signed links

    def actor(self, role: str) -> Actor:
        return getattr(self.actors, role)

    def headers(self, role: str, path: str, *, csrf: CsrfPair | None = None) -> dict[str, str]:
        """What ``role``'s client sends: its bearer token to the API; elsewhere its session cookie and
        the CSRF token as cookie and as the header the pages' htmx sends (``csrf``: another pair,
        ``None`` in it for one left out)."""
        if path.startswith("/api/"):
            return self.actor(role).headers
        in_cookie, in_header = csrf if csrf is not None else (self.csrf, self.csrf)
        cookies = [f"{CSRF_COOKIE}={in_cookie}"] if in_cookie else []
        if role in self.sessions:
            cookies.append(f"{session.COOKIE}={self.sessions[role]}")
        headers = {"accept-language": "en"}
        if cookies:
            headers["cookie"] = "; ".join(cookies)
        if in_header:
            headers["x-csrftoken"] = in_header
        return headers

    async def send(
        self,
        role: str,
        method: str,
        path: str,
        *,
        form: dict[str, str] | list[tuple[str, str]] | None = None,
        json: object = None,
        csrf: CsrfPair | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        data: dict[str, list[str]] | None = None
        if form is not None:
            data = {}
            for name, value in form.items() if isinstance(form, dict) else form:
                data.setdefault(name, []).append(value)
        sent = {**self.headers(role, path, csrf=csrf), **(headers or {})}
        return await self.client.request(method, path, headers=sent, data=data, json=json)

    async def renew_credentials(self) -> None:
        """A fresh bearer token and page session for every account (a request may have revoked them)."""
        async with self.pool.acquire() as conn:
            for role in ROLES:
                actor = self.actor(role)
                if actor.user_id is None:
                    continue
                actor.token = new_token()
                await conn.execute(
                    "INSERT INTO api_token (id, user_id, token_hash, expires_at)"
                    " VALUES ($1, $2, $3, now() + interval '1 day')",
                    uuid.uuid4(),
                    actor.user_id,
                    token_digest(actor.token),
                )
                self.sessions[role] = await session.start(conn, actor.user_id, timedelta(hours=1), None)
            # a live link setting the partner's password (using it ends the tokens, so it is renewed)
            link = await set_password.issue(conn, self.actors.partner.user_id, set_password.Purpose.PASSWORD_RESET)
            self.ids["set_password_token"] = link.split("token=", 1)[1]
        if not self.csrf:
            self.csrf = (await self.client.get("/login")).cookies[CSRF_COOKIE]

    async def build(self) -> None:
        """Fresh objects for every id a route takes, and fresh credentials."""
        await self.renew_credentials()
        listing = await self._created("/api/v1/services", self.actors.admin.headers, service_body(self.actors.org))
        async with self.pool.acquire() as conn:
            token_id = await conn.fetchval(
                "SELECT id FROM api_token WHERE user_id = $1 ORDER BY created_at LIMIT 1", self.actors.partner.user_id
            )
        self.ids |= {
            "service_id": listing["id"],
            "organization_id": str(self.actors.org),
            "user_id": str(self.actors.partner.user_id),
            "token_id": str(token_id),
        }
        await self.read_listing_form()
        await self.open_check_in()
        await self.build_case()

    async def read_listing_form(self) -> None:
        """The listing's edit form as it stands (its version changes with every edit)."""
        edit = f"/partner/services/{self.ids['service_id']}"
        self.listing_form = form_fields(await self.send("admin", "GET", edit), edit)

    async def open_check_in(self) -> None:
        """The listing's check-in of its current cycle, and the partner's signed link to it (a
        "still right" answers it and starts the next cycle, so it is opened again after a change)."""
        check_in = await self.pool.fetchval(
            "INSERT INTO listing_check_in (service_id, since)"
            f" SELECT s.id, {check_ins.LAST_WORD} FROM service s WHERE s.id = $1"
            " ON CONFLICT (service_id, since) DO UPDATE SET started_at = listing_check_in.started_at RETURNING id",
            uuid.UUID(self.ids["service_id"]),
        )
        assert self.actors.partner.user_id is not None
        self.ids["check_in_token"] = check_in_links.sign(
            self.check_in_key, check_in, self.actors.partner.user_id, datetime.now(UTC)
        )

    async def build_case(self) -> None:
        """A fresh case with a consent covering every partner, a submitted plan with a milestone, and
        a referral to the listing, so a request that moved the last one on meets none of its effects."""
        caseworker = self.actors.caseworker.headers
        case = await self._created("/api/v1/survivors", caseworker, CASE_BODY)
        granted = await self._created(
            f"/api/v1/survivors/{case['id']}/consents",
            caseworker,
            {"purpose": "referral", "organization_id": None, "method": "written", "evidence": "Phiếu đồng ý"},
        )
        plan = await self._created(f"/api/v1/survivors/{case['id']}/plans", caseworker, {})
        milestone = await self._created(
            f"/api/v1/plans/{plan['id']}/milestones", caseworker, {"domain": "health", "title": "Khám sức khỏe"}
        )
        submitted = await self.client.post(
            f"/api/v1/plans/{plan['id']}/submit",
            headers=caseworker,
            json={"survivor_agreed_at": "2026-11-20T09:00:00+07:00", "agreement_method": "written"},
        )
        assert submitted.status_code == 200, submitted.text
        referral = await self._created(
            "/api/v1/referrals",
            caseworker,
            {
                "survivor_id": case["id"],
                "service_id": self.ids["service_id"],
                "urgency": "urgent",
                "shared_summary": SUMMARY,
            },
        )
        async with self.pool.acquire() as conn:  # the partner is told of the referral (issue 16)
            notification = await conn.fetchval(
                "SELECT id FROM notification WHERE user_id = $1 AND link = $2",
                self.actors.partner.user_id,
                f"/partner/referrals/{referral['id']}",
            )
        self.ids |= {
            "survivor_id": case["id"],
            "consent_id": granted["id"],
            "plan_id": plan["id"],
            "milestone_id": milestone["id"],
            "referral_id": referral["id"],
            "notification_id": str(notification),
        }

    async def refresh(self, before: dict[str, str], after: dict[str, str]) -> bool:
        """Undo what an allowed request used up: credentials (a login, a logout, a revoked token),
        the listing's version, the case when one of its steps was taken. Whether anything was redone."""
        changed = {table for table in before if before[table] != after[table]}
        if changed & set(CREDENTIALS):
            await self.renew_credentials()
        if "service" in changed:
            await self.read_listing_form()
            await self.open_check_in()
        if changed & set(CASE_TABLES):
            await self.build_case()
        return bool(changed & {*CREDENTIALS, "service", *CASE_TABLES})

    async def _created(self, path: str, headers: dict[str, str], body: object) -> dict[str, str]:
        response = await self.client.post(path, headers=headers, json=body)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def fingerprint(self) -> dict[str, str]:
        """A digest of each guarded table and of which tokens are live: what a refused request must
        not change."""
        digest = "md5(coalesce(string_agg({row}, ',' ORDER BY {row}), ''))"
        tables = [
            f"SELECT '{table}', {digest.format(row='to_jsonb(t)::text')} FROM {table} t" for table in GUARDED_TABLES
        ]
        tables.append(f"SELECT 'api_token', {digest.format(row='(id, revoked_at)::text')} FROM api_token")
        async with self.pool.acquire() as conn:
            return dict(await conn.fetch(" UNION ALL ".join(tables)))  # type: ignore[arg-type]


@pytest.fixture
async def scene(app: Litestar, client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool) -> Scene:
    # The scene sends every cookie itself: one a response set must not ride along on later requests
    # (a forged one above all), now that cookies over plain http are not Secure.
    client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    built = Scene(actors=actors, client=client, pool=pool, check_in_key=check_ins.policy(app.state.settings).key)
    await built.build()
    return built
