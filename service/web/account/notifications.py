"""The notification centre's pages, for every signed-in user: /notifications (newest first, the
unread ones marked, each opened by a post to /notifications/<id>, which marks it read and goes on
to the page to act) and /notifications/settings (how each kind the user's role meets reaches them by mail)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import get, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.auth.models import Role
from service.errors import Unauthorized
from service.notify import centre
from service.notify.kinds import Delivery, Kind
from service.notify.models import SettingsChange
from service.web.i18n import gettext as _
from service.web.page import Form, PageWork, Paging, Work, page_links, page_principal

# the settable kinds each role meets, in the order its settings page lists them
ROLE_KINDS: dict[Role, tuple[Kind, ...]] = {
    Role.PARTNER: (Kind.REFERRAL_RECEIVED, Kind.REFERRAL_DUE_SOON, Kind.REFERRAL_EXPIRED),
    Role.CASEWORKER: (
        Kind.REFERRAL_ACCEPTED,
        Kind.REFERRAL_DECLINED,
        Kind.REFERRAL_COMPLETED,
        Kind.REFERRAL_EXPIRED,
        Kind.PLAN_APPROVED,
        Kind.PLAN_SENT_BACK,
        Kind.MILESTONE_DUE,
        Kind.MILESTONE_OVERDUE,
        Kind.CONSENT_EXPIRING,
        Kind.FOLLOW_UP_DUE,
    ),
    Role.COORDINATOR: (
        Kind.PLAN_AWAITING_APPROVAL,
        Kind.EMERGENCY_OVERRIDE,
        Kind.REFERRAL_EXPIRED,
        Kind.REFERRAL_ACCEPTED,
        Kind.REFERRAL_DECLINED,
        Kind.REFERRAL_COMPLETED,
    ),
    Role.ADMIN: (),
}


def kind_words() -> dict[str, str]:
    """What each kind of notification says, in the request's language (never anything of a case)."""
    return {
        Kind.REFERRAL_RECEIVED: _("A referral arrived for your organization"),
        Kind.REFERRAL_DUE_SOON: _("A referral needs your answer by tomorrow"),
        Kind.REFERRAL_EXPIRED: _("A referral expired without an answer"),
        Kind.REFERRAL_ACCEPTED: _("A referral you made was accepted"),
        Kind.REFERRAL_DECLINED: _("A referral you made was declined: see the reason"),
        Kind.REFERRAL_COMPLETED: _("A referral you made was completed"),
        Kind.PLAN_APPROVED: _("A plan you submitted was approved"),
        Kind.PLAN_SENT_BACK: _("A plan you submitted was sent back for changes"),
        Kind.PLAN_AWAITING_APPROVAL: _("A plan awaits your approval"),
        Kind.MILESTONE_DUE: _("A milestone is due in 3 days"),
        Kind.MILESTONE_OVERDUE: _("A milestone is overdue"),
        Kind.CONSENT_EXPIRING: _("A consent expires in 14 days"),
        Kind.FOLLOW_UP_DUE: _("A follow-up is due"),
        Kind.EMERGENCY_OVERRIDE: _("A referral was made without consent, as an emergency"),
        Kind.LISTING_CHECK_IN: _("Is your listing still right?"),
        Kind.INVITATION: _("You were invited to Kết Nối"),
        Kind.PASSWORD_RESET: _("A password reset was asked for"),
        Kind.DIGEST: _("Your daily summary"),
    }


def delivery_words() -> dict[str, str]:
    return {
        Delivery.IMMEDIATE: _("E-mail at once"),
        Delivery.DIGEST: _("In the daily e-mail (07:30)"),
        Delivery.NONE: _("No e-mail"),
    }


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Every signed-in user has a notification centre; the anonymous go to the login page."""
    if connection.scope.get("method") != "OPTIONS" and not (await page_principal(connection)).authenticated:
        raise Unauthorized("Log in")


@get("/notifications", name="notifications")
async def notification_list(
    work: Work, paging: Paging, unread: FromQuery[bool] = False, done: FromQuery[str | None] = None
) -> Template:
    found = await work.act(centre.list_notifications, paging, unread_only=unread)
    also = "&unread=true" if unread else ""
    return work.page(
        "account/notifications.html",
        found=found,
        unread=unread,
        done=done,
        words=kind_words(),
        **page_links(paging.page, paging.per_page, found.total, lambda n: f"?page={n}{also}"),
    )


@post("/notifications/{notification_id:uuid}", name="notification", status_code=303)
async def open_notification(work: Work, notification_id: FromPath[uuid.UUID]) -> Redirect:
    """Opening a notification marks it read and goes on to the page to act. A tap posts (a form
    styled as the item), since a GET changes nothing anywhere on the site."""
    return Redirect(path=await work.act(centre.open_notification, notification_id), status_code=303)


@post("/notifications/read-all", status_code=303)
async def read_all(work: Work) -> Redirect:
    await work.act(centre.mark_all_read)
    return Redirect(path="/notifications?done=read", status_code=303)


async def _settings_page(work: PageWork, status_code: int = 200, **context: Any) -> Template:
    current = await work.act(centre.settings)
    role = work.principal.role
    return work.page(
        "account/notification_settings.html",
        status_code,
        kinds=ROLE_KINDS.get(role, ()) if role is not None else (),
        current={**current.deliveries, **context.pop("typed", {})},
        defaults=current.defaults,
        words=kind_words(),
        deliveries=delivery_words(),
        **{"done": None, "errors": {}, **context},
    )


@get("/notifications/settings", name="notification-settings")
async def settings_form(work: Work, done: FromQuery[str | None] = None) -> Template:
    return await _settings_page(work, done=done)


@post("/notifications/settings", status_code=303)
async def save_settings(work: Work, form: Form) -> Redirect | Template:
    """The role's kinds as chosen; the other kinds keep what the user chose (through the API)."""
    role = work.principal.role
    shown = ROLE_KINDS.get(role, ()) if role is not None else ()
    typed = {kind: str(form.get(kind.value, "")) for kind in shown}
    known = {delivery.value for delivery in Delivery}
    wrong = {kind.value: _("Choose one of the three.") for kind, value in typed.items() if value not in known}
    if wrong:
        return await _settings_page(work, 422, errors=wrong, typed=typed)
    current = await work.act(centre.settings)
    chosen = {**current.deliveries, **{kind: Delivery(value) for kind, value in typed.items()}}
    await work.act(centre.replace_settings, SettingsChange(deliveries=chosen))
    return Redirect(path="/notifications/settings?done=saved", status_code=303)
