"""The partner room, /partner: the organization's listings (beds free, new/edit: ``listings``,
``listing_form``; history: ``history``; a listing's changes in words: ``listing_changes``) and its
referral inbox (``inbox``). The home page and the inbox are the receiving organization's own,
checked once by a guard: partners only (the anonymous go to the login page, other roles get 403);
the listing pages answer coordinators and admins too, each checking the listing itself."""

from __future__ import annotations

from litestar import Router

from service.auth.permissions import Action
from service.web.page import PAGE_DEPENDENCIES, page_guard
from service.web.partner.history import service_history
from service.web.partner.inbox import referral_action, referral_detail, referral_inbox
from service.web.partner.listings import (
    create_service,
    edit_service_form,
    new_service_form,
    partner_home,
    save_service,
    set_capacity,
)

router = Router(
    path="/partner",
    route_handlers=[
        Router(
            path="/",
            route_handlers=[partner_home, referral_inbox, referral_detail, referral_action],
            guards=[page_guard(Action.RESPOND_TO_REFERRAL)],
        ),
        set_capacity,
        new_service_form,
        create_service,
        edit_service_form,
        save_service,
        service_history,
    ],
    dependencies=PAGE_DEPENDENCIES,
    include_in_schema=False,
)
