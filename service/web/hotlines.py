"""The emergency numbers every public page offers as one-tap calls, said once: base.html's bar near
the top of the page reads ``HOTLINES`` (a template global), and the search page names the line a
searcher typed the number of."""

from __future__ import annotations

from typing import NamedTuple

from search.text import phone_number
from service.errors import N_


class Hotline(NamedTuple):
    """One line: the number as it is written, what it is for (an English msgid, translated where it
    is shown), and its digits for ``tel:``."""

    number: str
    purpose: str

    @property
    def digits(self) -> str:
        return "".join(ch for ch in self.number if ch.isdigit())


HOTLINES = (
    Hotline("113", N_("Police")),
    Hotline("111", N_("Child protection, free 24/7")),
    # the demo directory's founding partner: trafficking and violence against women and girls
    Hotline("1900 969 680", N_("Ngôi Nhà Bình Yên: trafficking, violence")),
)


def hotline_for(query: str) -> Hotline | None:
    """The emergency line whose whole number ``query`` is ("113", "1900 969 680"), if any."""
    digits = phone_number(query)
    return next((line for line in HOTLINES if line.digits == digits), None)
