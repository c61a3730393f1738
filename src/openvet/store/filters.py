"""Search conditions, neutral of any API, and their translation into SQL.

A dialect parses its own filter syntax into ``Condition`` objects; this module turns them into
WHERE clauses. It is the only place that knows how a comparator becomes SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql

OPERATORS = ("eq", "neq", "lt", "lte", "gt", "gte", "like", "in", "holds", "uid_in")
# holds: a JSON list column holds any of the ids (value: list of ids);
# uid_in: the link column names a record of another table with one of these uids (value: (table, uids)).


@dataclass(frozen=True, slots=True)
class Condition:
    column: str  # the stored column name
    operator: str  # one of OPERATORS
    value: Any  # already parsed to the column's Python type; a list for "in"


def clause(table: sa.Table, condition: Condition, dialect: str, clinic_id: int) -> sa.ColumnElement[bool]:
    column = table.c[condition.column]
    op, value = condition.operator, condition.value
    if op == "uid_in":
        target, uids = value
        other = sa.table(target, sa.column("id"), sa.column("uid"), sa.column("clinic_id"))
        named = sa.select(other.c.id).where(other.c.clinic_id == clinic_id, other.c.uid.in_(list(uids)))
        return column.in_(named.scalar_subquery())
    if op == "holds":
        return sa.or_(*(_holds(column, record_id, dialect) for record_id in value)) if value else sa.false()
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


def _holds(column: sa.Column, record_id: int, dialect: str) -> sa.ColumnElement[bool]:
    """A JSON list of ids holds this id (PostgreSQL: jsonb containment; SQLite: json_each)."""
    if dialect == "postgresql":
        return sa.cast(column, sa.dialects.postgresql.JSONB).contains([record_id])
    each = sa.func.json_each(column).table_valued("value")
    return sa.exists(sa.select(sa.literal(1)).select_from(each).where(each.c.value == record_id))


def where(table: sa.Table, clinic_id: int, conditions: list[Condition], dialect: str) -> sa.ColumnElement[bool]:
    return sa.and_(table.c.clinic_id == clinic_id, *(clause(table, c, dialect, clinic_id) for c in conditions))
