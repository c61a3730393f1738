"""ezyVet paging: ``limit`` (1 to the endpoint's maximum, default 10) and ``page`` (from 1).

A ``limit`` above the endpoint's maximum is served at the maximum, as ``x-item-limit-per-page`` says:
clients page Contact v1 (at most 50) with ``limit=200``, the global maximum (L153, L3482).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openvet.engine import Problem

DEFAULT_LIMIT = 10
MAX_PAGE = 2**31 - 1  # keeps (page - 1) * limit a 64-bit offset on every database


@dataclass(frozen=True, slots=True)
class Paging:
    page: int
    limit: int


def parse_paging(params: dict[str, str], maximum: int) -> tuple[Paging, list[Problem]]:
    problems: list[Problem] = []
    limit = _whole(params, "limit", min(DEFAULT_LIMIT, maximum), problems, above=maximum)
    if limit is not None and limit < 1:
        problems.append(Problem("limit", f"must be at least 1 (at most {maximum} are served a page here)"))
    page = _whole(params, "page", 1, problems)
    if page is not None and not 1 <= page <= MAX_PAGE:
        problems.append(Problem("page", f"must be between 1 and {MAX_PAGE}"))
    return Paging(page or 1, min(limit or DEFAULT_LIMIT, maximum)), problems


def _whole(params: dict[str, str], name: str, default: int, problems: list[Problem],
           above: int | None = None) -> int | None:
    """The parameter's value in ASCII digits (``int()`` also reads "５" and "١"); ``above``: any longer
    number is read as that value, never handed to ``int()`` (which refuses over 4300 digits)."""
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.strip():  # as a blank filter is: an empty template variable is no value
        problems.append(Problem(name, "is blank: leave the parameter out for its default"))
        return None
    digits = raw.strip()
    significant = digits.lstrip("0") or "0"
    if not re.fullmatch(r"[0-9]+", digits) or (len(significant) > 19 and above is None):
        problems.append(Problem(name, "must be a whole number (ASCII digits, at most 19)"))
        return None
    return above if len(significant) > 19 else int(significant)


def page_meta(paging: Paging, total: int) -> dict[str, int]:
    return {"items_page": paging.page, "items_page_total": -(-total // paging.limit),
            "items_page_size": paging.limit, "items_total": total}
