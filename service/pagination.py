"""The one pagination shape: ``?page=&per_page=`` in, ``{items, total, page, per_page}`` out."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.params import QueryParameter

T = TypeVar("T")
MAX_PER_PAGE = 100


class PageParams(msgspec.Struct, frozen=True):
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


class Page(msgspec.Struct, Generic[T], frozen=True, kw_only=True):
    items: list[T]
    total: int
    page: int
    per_page: int


def page_params(
    page: Annotated[int, QueryParameter(ge=1, le=10_000, description="Page number, from 1")] = 1,
    per_page: Annotated[int, QueryParameter(ge=1, le=MAX_PER_PAGE, description="Items per page, 1 to 100")] = 20,
) -> PageParams:
    return PageParams(page=page, per_page=per_page)
