"""The cases room, gathered in one router: the case pages (``case``), the forms of a case
(``case_forms``), changing, closing and de-identifying it (``case_edit``) and the referral pages as
the referring side sees them (``referrals``). Typed text to API shapes: ``form_input``."""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide

from service.web.cases.case import case_list, case_page, create_case, new_case_form
from service.web.cases.case_edit import change_status, deidentify_case, edit_case_form, update_case
from service.web.cases.case_forms import (
    add_milestone,
    draft_plan,
    move_milestone,
    plan_step,
    posted_to_case,
    propose_milestones,
    record_consent,
    record_follow_up,
    withdraw_consent,
)
from service.web.cases.referrals import (
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
    # ``posted``: what a form of the case page sent, to which case (``case_forms``)
    dependencies={**PAGE_DEPENDENCIES, "posted": Provide(posted_to_case)},
    include_in_schema=False,
)
