"""ezyVet paging: ``limit`` (1 to the endpoint's maximum, default 10) and ``page`` (from 1)."""

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
    limit = _whole(params, "limit", min(DEFAULT_LIMIT, maximum), problems)
    if limit is not None and not 1 <= limit <= maximum:
        problems.append(Problem("limit", f"must be between 1 and {maximum} for this endpoint"))
    page = _whole(params, "page", 1, problems)
    if page is not None and not 1 <= page <= MAX_PAGE:
        problems.append(Problem("page", f"must be between 1 and {MAX_PAGE}"))
    return Paging(page or 1, limit or DEFAULT_LIMIT), problems


def _whole(params: dict[str, str], name: str, default: int, problems: list[Problem]) -> int | None:
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        return default
    if not re.fullmatch(r"[0-9]{1,19}", raw.strip()):  # ASCII digits only: int() also reads "５" and "١"
        problems.append(Problem(name, "must be a whole number (ASCII digits, at most 19)"))
        return None
    return int(raw.strip())


def page_meta(paging: Paging, total: int) -> dict[str, int]:
    return {"items_page": paging.page, "items_page_total": -(-total // paging.limit),
            "items_page_size": paging.limit, "items_total": total}
