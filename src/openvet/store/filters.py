"""Search conditions, neutral of any API, and their translation into SQL.

A dialect parses its own filter syntax into ``Condition`` objects; this module turns them into
WHERE clauses. It is the only place that knows how a comparator becomes SQL.

``contains`` finds the value anywhere in the field, case-insensitive for A-Z on both databases (ezyVet's
MySQL collation is), with ``%`` (any run of characters) and ``_`` (one character) inside the value still
wildcards and no escape character: SQL's ``LIKE '%value%'``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

OPERATORS = ("eq", "neq", "lt", "lte", "gt", "gte", "contains", "in")


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
    if op == "contains":
        pattern = f"%{value}%"
        # SQLite's LIKE folds A-Z by itself; PostgreSQL folds both sides with lower(). Its LIKE escapes with
        # a backslash by default, so a backslash is doubled to stay a plain character.
        if dialect == "postgresql":
            return sa.func.lower(column).like(sa.func.lower(pattern.replace("\\", "\\\\")))
        return column.like(pattern)
    raise ValueError(f"unknown operator {op}")


def where(table: sa.Table, clinic_id: int, conditions: list[Condition], dialect: str) -> sa.ColumnElement[bool]:
    return sa.and_(table.c.clinic_id == clinic_id, *(clause(table, c, dialect) for c in conditions))
