"""Search conditions, neutral of any API, and their translation into SQL.

A dialect parses its own filter syntax into ``Condition`` objects; this module turns them into
WHERE clauses. It is the only place that knows how a comparator becomes SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

OPERATORS = ("eq", "neq", "lt", "lte", "gt", "gte", "like", "in")


@dataclass(frozen=True, slots=True)
class Condition:
    column: str  # the stored column name
    operator: str  # one of OPERATORS
    value: Any  # already parsed to the column's Python type; a list for "in"


def clause(table: sa.Table, condition: Condition, dialect: str) -> sa.ColumnElement[bool]:
    column = table.c[condition.column]
    op, value = condition.operator, condition.value
    if op == "in":
        values = [v for v in value if v is not None]
        expr = column.in_(values) if values else sa.false()
        return sa.or_(expr, column.is_(None)) if None in value else expr
    if value is None:
        if op == "eq":
            return column.is_(None)
        if op == "neq":
            return column.is_not(None)
    if op == "eq":
        return column == value
    if op == "neq":
        return sa.or_(column != value, column.is_(None))
    if op == "lt":
        return column < value
    if op == "lte":
        return column <= value
    if op == "gt":
        return column > value
    if op == "gte":
        return column >= value
    if op == "like":
        # Case-insensitive on both databases, and served by an index for a fixed prefix ("Bel%"):
        # SQLite's LIKE is case-insensitive and uses the NOCASE index; PostgreSQL uses lower(column).
        # No escape character on either database: % and _ are always wildcards, a backslash is a backslash.
        # (PostgreSQL's default escape is the backslash: doubling it keeps the pattern a plain, indexable one.)
        if dialect == "postgresql":
            return sa.func.lower(column).like(str(value).lower().replace("\\", "\\\\"))
        return column.like(str(value))
    raise ValueError(f"unknown operator {op}")


def where(table: sa.Table, clinic_id: int, conditions: list[Condition], dialect: str) -> sa.ColumnElement[bool]:
    return sa.and_(table.c.clinic_id == clinic_id, *(clause(table, c, dialect) for c in conditions))
