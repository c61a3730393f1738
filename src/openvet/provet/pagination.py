"""DRF PageNumberPagination: ``?page=`` (from 1) and ``?page_size=`` (default 25, at most 100).

As in DRF, a ``page_size`` that is not a positive whole number falls back to the default and one above
the maximum is served at the maximum; a ``page`` that is not a whole number or lies past the last page
answers 404 ``{"detail": "Invalid page."}``. ``next`` and ``previous`` are full URLs or null.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from openvet.provet.exceptions import detail
from openvet.provet.hyperlinks import whole

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
PARAMS = ("page", "page_size")
LAST_POSSIBLE_PAGE = 2**62 // MAX_PAGE_SIZE  # past it the offset would not fit a BIGINT: no such page


@dataclass(frozen=True, slots=True)
class Paging:
    page: int
    page_size: int


def parse_paging(params: dict[str, str]) -> Paging:
    size = whole(params.get("page_size", "").strip()) or DEFAULT_PAGE_SIZE  # not a number, or 0: the default
    page = whole(params.get("page", "1").strip())
    if page is None or not 1 <= page <= LAST_POSSIBLE_PAGE:
        raise detail(404, "Invalid page.")
    return Paging(page, min(size, MAX_PAGE_SIZE))


def last_page(total: int, paging: Paging) -> int:
    return max(1, -(-total // paging.page_size))


def envelope(page_url: str, params: dict[str, str], paging: Paging, total: int,
             results: list[dict[str, Any]]) -> dict[str, Any]:
    """``{count, next, previous, results}``; ``page_url`` is the full URL of the list, without query."""

    def link(page: int) -> str:
        query = {k: v for k, v in params.items() if k != "page"}
        if page > 1:
            query["page"] = str(page)
        return f"{page_url}?{urlencode(query)}" if query else page_url

    has_next = paging.page < last_page(total, paging)
    return {"count": total, "next": link(paging.page + 1) if has_next else None,
            "previous": link(paging.page - 1) if paging.page > 1 else None, "results": results}
