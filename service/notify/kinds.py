"""The kinds of thing a user is told about, and how each is delivered unless the user chose otherwise."""

from __future__ import annotations

import enum


class Kind(enum.StrEnum):
    """What happened; the mail template is ``templates/mail/<kind>.txt`` and ``.html``."""

    REFERRAL_RECEIVED = "referral_received"
    REFERRAL_DUE_SOON = "referral_due_soon"
    REFERRAL_EXPIRED = "referral_expired"
    REFERRAL_ACCEPTED = "referral_accepted"
    REFERRAL_DECLINED = "referral_declined"
    REFERRAL_COMPLETED = "referral_completed"
    PLAN_APPROVED = "plan_approved"
    PLAN_SENT_BACK = "plan_sent_back"
    PLAN_AWAITING_APPROVAL = "plan_awaiting_approval"
    MILESTONE_DUE = "milestone_due"
    MILESTONE_OVERDUE = "milestone_overdue"
    CONSENT_EXPIRING = "consent_expiring"
    FOLLOW_UP_DUE = "follow_up_due"
    EMERGENCY_OVERRIDE = "emergency_override"
    LISTING_CHECK_IN = "listing_check_in"
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind, not a password
    # one mail per user per day listing the day's notifications of kinds set to 'digest'
    DIGEST = "digest"


class Delivery(enum.StrEnum):
    """How a notification of a kind reaches a user by mail (the notification centre shows all)."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"
    NONE = "none"


DEFAULT_DELIVERY: dict[Kind, Delivery] = {
    # what someone must act on soon: at once
    Kind.REFERRAL_RECEIVED: Delivery.IMMEDIATE,
    Kind.REFERRAL_DUE_SOON: Delivery.IMMEDIATE,
    Kind.REFERRAL_EXPIRED: Delivery.IMMEDIATE,
    Kind.REFERRAL_ACCEPTED: Delivery.IMMEDIATE,
    Kind.REFERRAL_DECLINED: Delivery.IMMEDIATE,
    Kind.EMERGENCY_OVERRIDE: Delivery.IMMEDIATE,
    Kind.PLAN_SENT_BACK: Delivery.IMMEDIATE,
    # news and reminders that can wait for the morning
    Kind.REFERRAL_COMPLETED: Delivery.DIGEST,
    Kind.PLAN_APPROVED: Delivery.DIGEST,
    Kind.PLAN_AWAITING_APPROVAL: Delivery.DIGEST,
    Kind.MILESTONE_DUE: Delivery.DIGEST,
    Kind.MILESTONE_OVERDUE: Delivery.DIGEST,
    Kind.CONSENT_EXPIRING: Delivery.DIGEST,
    Kind.FOLLOW_UP_DUE: Delivery.DIGEST,
    # mails that are the whole point of the message: always sent, not a user's choice
    Kind.LISTING_CHECK_IN: Delivery.IMMEDIATE,
    Kind.INVITATION: Delivery.IMMEDIATE,
    Kind.PASSWORD_RESET: Delivery.IMMEDIATE,
    Kind.DIGEST: Delivery.IMMEDIATE,
}

# Kinds whose delivery a user cannot change (not listed on the settings page).
FIXED_KINDS: frozenset[Kind] = frozenset({Kind.INVITATION, Kind.PASSWORD_RESET, Kind.LISTING_CHECK_IN, Kind.DIGEST})

# Kinds a user can choose the delivery of, in the order the settings page lists them.
SETTABLE_KINDS: tuple[Kind, ...] = tuple(kind for kind in Kind if kind not in FIXED_KINDS)
