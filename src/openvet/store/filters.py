"""Search conditions, neutral of any API, and their translation into SQL.

A dialect parses its own filter syntax into ``Condition`` objects; this module turns them into
WHERE clauses. It is the only place that knows how a comparator becomes SQL.

``contains`` finds the value anywhere in the field, case-insensitive for A-Z on both databases (ezyVet's
MySQL collation is), with ``%`` (any run of characters) and ``_`` (one character) inside the value still
wildcards and no escape character: SQL's ``LIKE '%value%'``. On a searched column (store/schema.py) a
trigram index finds the candidates whenever the value holds a run of 3 or more plain characters; a shorter
value has no trigram to look up and is tested on each of the clinic's rows (on an index of the column
where there is one), which at a million rows costs tens of milliseconds more for a page and a full pass
over the clinic's rows for its count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from openvet.store.schema import Search, search_of

OPERATORS = ("eq", "neq", "lt", "lte", "gt", "gte", "contains", "in")
TRIGRAM = 3  # the shortest run of plain characters a trigram index can look up
WILDCARDS = re.compile("[%_\x00]")  # NUL too: a run never carries one into an FTS5 query
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")  # SQLite's lower()


@dataclass(frozen=True, slots=True)
class Condition:
    column: str  # the stored column name
    operator: str  # one of OPERATORS
    value: Any  # already parsed to the column's Python type; a list for "in"


def clause(table: sa.Table, condition: Condition, dialect: str) -> sa.ColumnElement[bool]:
    """The condition on one row; on SQLite a ``contains`` on a searched column also keeps to the
    candidates of its search index (``id IN (SELECT rowid FROM <table>_search WHERE … MATCH …)``)."""
    test = _test(table, condition, dialect)
    match = _match([condition], search_of(table)) if dialect == "sqlite" else None
    if match is None:
        return test
    fts = _fts(search_of(table))
    return sa.and_(table.c.id.in_(sa.select(fts.c.rowid).where(_matches(fts, match))), test)


def where(table: sa.Table, clinic_id: int, conditions: list[Condition], dialect: str) -> sa.ColumnElement[bool]:
    return sa.and_(table.c.clinic_id == clinic_id, *(clause(table, c, dialect) for c in conditions))


# one row's test ------------------------------------------------------------------------------------------

def _test(table: sa.Table, condition: Condition, dialect: str) -> sa.ColumnElement[bool]:
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
        # SQLite's LIKE folds A-Z by itself. PostgreSQL folds both sides with lower(), as the trigram index
        # does (ix_<table>_<column>_trgm); its LIKE escapes with a backslash by default, so a backslash is
        # doubled to stay a plain character.
        if dialect == "postgresql":
            return sa.func.lower(column).like(sa.func.lower(pattern.replace("\\", "\\\\")))
        return column.like(pattern)
    raise ValueError(f"unknown operator {op}")


# the search index (SQLite FTS5) --------------------------------------------------------------------------

def _runs(value: str) -> list[str]:
    """The runs of plain characters of a ``contains`` value long enough for a trigram index."""
    return [run for run in WILDCARDS.split(value) if len(run) >= TRIGRAM]


def _match(conditions: list[Condition], search: Search | None) -> str | None:
    """The FTS5 query the rows meeting ``conditions`` all match (their indexable runs, each as a phrase in
    its column), or None when none of them can use the index."""
    if search is None:
        return None
    phrases = [f'{c.column} : "{run.translate(ASCII_LOWER).replace(chr(34), chr(34) * 2)}"'
               for c in conditions if c.operator == "contains" and c.column in search.columns
               for run in _runs(str(c.value))]
    return " AND ".join(phrases) or None


def _fts(search: Search) -> sa.TableClause:
    return sa.table(search.fts, sa.column("rowid"))


def _matches(fts: sa.TableClause, match: str) -> sa.ColumnElement[bool]:
    return sa.literal_column(fts.name).op("MATCH")(match)
