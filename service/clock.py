"""Viet Nam's clock: the one time zone (no daylight saving) dates and opening hours are read in."""

from __future__ import annotations

from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
