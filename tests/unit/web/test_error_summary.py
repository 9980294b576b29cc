"""The error summary every form shows after a refused submit: a count in the page language, one
link per field error to the field's id, form-wide messages as plain text, focused on arrival."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.web.i18n import current
from service.web.templates import environment


@pytest.fixture(autouse=True)
def vietnamese() -> Iterator[None]:
    token = current.set("vi")
    yield
    current.reset(token)


def render(errors: dict[str, str], labels: dict[str, str] | None = None) -> str:
    template = environment().from_string(
        '{% from "macros/forms.html" import error_summary %}{{ error_summary(errors, labels) }}'
    )
    return template.render(errors=errors, labels=labels or {})


def test_summary_counts_and_links_each_field() -> None:
    html = render({"name": "Bắt buộc", "hours-0-opens": "Giờ không hợp lệ"}, {"name": "Tên"})
    assert "Chưa lưu: 2 ô cần sửa" in html
    assert '<a href="#f-name">Tên: Bắt buộc</a>' in html
    assert '<a href="#f-hours-0-opens">Giờ không hợp lệ</a>' in html
    assert 'role="alert"' in html and 'tabindex="-1"' in html and "autofocus" in html


def test_form_wide_message_has_no_link() -> None:
    html = render({"_form": "Ai đó vừa sửa mục này"})
    assert "Ai đó vừa sửa mục này" in html and "#f-_form" not in html


def test_nothing_without_errors() -> None:
    assert render({}).strip() == ""
