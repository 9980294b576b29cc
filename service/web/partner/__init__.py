"""The partner room, /partner: the organization's listings (beds free, new/edit: ``listings``,
``listing_form``; history: ``history``) and its referral inbox (``inbox``)."""

from __future__ import annotations

from litestar import Router

from service.web.page import PAGE_DEPENDENCIES
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
        partner_home,
        set_capacity,
        new_service_form,
        create_service,
        edit_service_form,
        save_service,
        service_history,
        referral_inbox,
        referral_detail,
        referral_action,
    ],
    dependencies=PAGE_DEPENDENCIES,
    include_in_schema=False,
)
