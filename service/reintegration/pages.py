"""The case and referral pages the app mounts, gathered in one router: the case pages
(``case_pages``), the forms of a case (``case_form_pages``), changing, closing and de-identifying it
(``case_edit_pages``) and the referral pages as the referring
side sees them (``referral_pages``). Their words and pure helpers live in ``page_words``."""

from __future__ import annotations

from litestar import Router

from service.reintegration.case_edit_pages import change_status, deidentify_case, edit_case_form, update_case
from service.reintegration.case_form_pages import (
    add_milestone,
    draft_plan,
    move_milestone,
    plan_step,
    propose_milestones,
    record_consent,
    record_follow_up,
    withdraw_consent,
)
from service.reintegration.case_pages import case_list, case_page, create_case, new_case_form
from service.reintegration.referral_pages import (
    create_referral,
    matches_page,
    new_referral,
    referral_page,
    referral_step,
)
from service.web.page import PAGE_DEPENDENCIES

router = Router(
    path="/",
    route_handlers=[
        case_list,
        new_case_form,
        create_case,
        case_page,
        edit_case_form,
        update_case,
        change_status,
        deidentify_case,
        record_consent,
        withdraw_consent,
        draft_plan,
        plan_step,
        add_milestone,
        move_milestone,
        propose_milestones,
        record_follow_up,
        matches_page,
        new_referral,
        create_referral,
        referral_page,
        referral_step,
    ],
    dependencies=PAGE_DEPENDENCIES,
    include_in_schema=False,
)
