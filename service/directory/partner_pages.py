"""The partner-facing page routers the app mounts: /partner gathers the organization's listings
(beds free, new/edit, history; listing_pages, history_pages) and its referral inbox
(inbox_pages); /verify is the coordinators' listing verification queue (verify_pages)."""

from __future__ import annotations

from litestar import Router

from service.directory.history_pages import service_history
from service.directory.inbox_pages import referral_action, referral_detail, referral_inbox
from service.directory.listing_pages import (
    create_service,
    edit_service_form,
    new_service_form,
    partner_home,
    save_service,
    set_capacity,
)
from service.directory.verify_pages import verify_listing, verify_queue
from service.web.page import PAGE_DEPENDENCIES

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

verify_router = Router(
    path="/verify",
    route_handlers=[verify_queue, verify_listing],
    dependencies=PAGE_DEPENDENCIES,
    include_in_schema=False,
)
