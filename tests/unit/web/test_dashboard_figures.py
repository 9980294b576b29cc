"""What the dashboard page writes of its figures: how long partners take to answer, score bands."""

from __future__ import annotations

import uuid

import pytest

from service.reintegration.dashboard_models import PartnerOutcome
from service.web.dashboard.dashboard import MIN_ANSWERS, answer_time, score_band_names
from service.web.i18n import current


def outcome(median_days: float | None, answers: int) -> PartnerOutcome:
    return PartnerOutcome(
        organization_id=uuid.uuid4(),
        organization_name="Ngôi Nhà Bình Yên",
        service_id=uuid.uuid4(),
        service_name="Nhà tạm lánh",
        sent=answers + 1,
        accepted=answers - 1,
        declined=1,
        expired=0,
        completed=0,
        verified=0,
        median_days_to_answer=median_days,
    )


@pytest.mark.parametrize(
    ("locale", "median_days", "answers", "written"),
    [
        ("vi", 0.0, MIN_ANSWERS, "Dưới 1 giờ"),  # answered at once: not "0"
        ("vi", 0.25, MIN_ANSWERS, "6,0 giờ"),
        ("en", 0.25, MIN_ANSWERS, "6.0 hours"),
        ("vi", 3.5, MIN_ANSWERS + 4, "3,5 ngày"),
        ("vi", 3.5, MIN_ANSWERS - 1, "Chưa đủ dữ liệu"),
        ("en", None, 0, "Not enough data"),
    ],
)
def test_median_time_to_answer_means_something_or_says_so(
    locale: str, median_days: float | None, answers: int, written: str
) -> None:
    token = current.set(locale)
    try:
        assert answer_time(outcome(median_days, answers)) == written
    finally:
        current.reset(token)


def test_score_bands_use_the_pages_decimal_separator() -> None:
    token = current.set("vi")
    try:
        assert list(score_band_names().values()) == ["0,0–0,2", "0,2–0,4", "0,4–0,6", "0,6–0,8", "0,8–1,0"]
    finally:
        current.reset(token)
