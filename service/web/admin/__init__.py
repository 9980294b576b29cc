"""The admin room, /admin: users (``users``), their API tokens (``tokens``), organizations
(``organizations``) and the mail outbox (``mail``). Administrators only, checked once by the
router's guard: the anonymous go to the login page, every other role gets 403."""

from __future__ import annotations

from litestar import Router

from service.auth.permissions import Action
from service.web.admin.mail import mail_page, retry_mail
from service.web.admin.organizations import (
    create_organization,
    organization_page,
    organizations_page,
    update_organization,
)
from service.web.admin.tokens import create_token, revoke_token, tokens_page
from service.web.admin.users import (
    create_user,
    send_set_password_link,
    set_active,
    update_user,
    user_page,
    users_page,
)
from service.web.page import PAGE_DEPENDENCIES, page_guard

router = Router(
    path="/admin",
    route_handlers=[
        users_page,
        create_user,
        user_page,
        update_user,
        set_active,
        send_set_password_link,
        tokens_page,
        create_token,
        revoke_token,
        organizations_page,
        create_organization,
        organization_page,
        update_organization,
        mail_page,
        retry_mail,
    ],
    guards=[page_guard(Action.MANAGE_USERS)],
    dependencies=PAGE_DEPENDENCIES,
    include_in_schema=False,
)
