"""API shapes of follow-ups: a contact with the survivor and the scores it gives."""

from __future__ import annotations

import enum
import uuid
from datetime import date
from typing import Annotated

import msgspec
from msgspec import Meta

from service.fields import Text, Timestamp

Day = date  # the type, under a name the ``date`` fields below do not shadow


class FollowUpMethod(enum.StrEnum):
    HOME_VISIT = "home_visit"
    PHONE = "phone"
    OFFICE_VISIT = "office_visit"
    ONLINE = "online"


class FollowUpCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    date: date
    method: FollowUpMethod
    notes: Text = ""
    indicators: Annotated[dict[str, int], Meta(max_length=100)] = {}
    # a coordinator's reason to contact a survivor who asked not to be (or gave no live follow-up consent)
    contact_override_reason: Text | None = None
    # when the caseworker means to follow up next: after this visit's date; the case is due then
    next_date: Day | None = None


class Scores(msgspec.Struct, kw_only=True, frozen=True):
    economic: float | None
    social: float | None
    psychosocial: float | None
    composite: float | None


class FollowUp(msgspec.Struct, kw_only=True, frozen=True):
    id: uuid.UUID
    survivor_id: uuid.UUID
    date: date
    method: FollowUpMethod
    notes: str
    indicators: dict[str, int]
    scores: Scores
    scoring_version: str
    created_at: Timestamp
    contact_override_reason: str | None = None  # why a coordinator let it contact her anyway
    next_date: Day | None = None  # the next follow-up the caseworker scheduled, if any
