"""Search conditions, neutral of any API, and their translation into SQL.

A dialect parses its own filter syntax into ``Condition`` objects; this module turns them into
WHERE clauses. It is the only place that knows how a comparator becomes SQL.

``contains`` finds the value anywhere in the field, case-insensitive for A-Z on both databases (ezyVet's
MySQL collation is), with ``%`` (any run of characters) and ``_`` (one character) inside the value still
wildcards and no escape character: SQL's ``LIKE '%value%'``. On a searched column (store/schema.py) a
trigram index finds the candidates whenever the value holds a run of 3 or more plain characters; a shorter
value has no trigram to look up and is tested on each of the clinic's rows (on an index of the column
where there is one), which at a million rows costs tens of milliseconds more for a page and a full pass
over the clinic's rows for its count. A value of three plain characters (one trigram) is counted from the
search's trigram counts on both databases (store/schema.py).

Statements are built once per *shape* (table, columns, comparators, and what each value needs: unset,
a list with or without unset, a search the index can answer) and cached, with the values as parameters:
building and keying a statement costs more than running it on an index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql

from openvet.store.schema import Search, search_of

OPERATORS = ("eq", "neq", "lt", "lte", "gt", "gte", "contains", "in", "holds", "uid_in")
# holds: a JSON list column holds any of the ids (value: list of ids);
# uid_in: the link column names a record of another table with one of these uids (value: (table, uids)).
TRIGRAM = 3  # the shortest run of plain characters a trigram index can look up
WILDCARDS = re.compile("[%_\x00]")  # NUL too: a run never carries one into an FTS5 query
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")  # SQLite's lower()
SHAPES = 2048  # statements kept per kind; a shape is a combination of filters clients send
SEARCHED = ("index", "exact", "term")  # the variants of a contains the search index narrows
COMPARE = {"lt": "__lt__", "lte": "__le__", "gt": "__gt__", "gte": "__ge__", "eq": "__eq__"}


@dataclass(frozen=True, slots=True)
class Condition:
    column: str  # the stored column name
    operator: str  # one of OPERATORS
    value: Any  # already parsed to the column's Python type; a list for "in"


Shape = tuple[tuple[str, str, str], ...]  # per condition: (column, operator, variant)


def bind(table: sa.Table, conditions: list[Condition], dialect: str) -> tuple[Shape, dict[str, Any]]:
    """The shape of ``conditions`` and the parameters of the statements of that shape (``clinic_id`` apart).

    Variants: ``null`` (eq/neq against unset), ``none``/``some`` (an ``in`` list without/with unset),
    ``scan`` (a contains tested row by row), ``index`` (a contains the search index narrows, rechecked),
    ``exact`` (a contains the search index answers alone: one run, no wildcard), ``term`` (three plain
    characters on a searched column, a single trigram, whose count the search's terms table holds). On
    PostgreSQL, whose trigram indexes the planner uses by itself, a contains is ``scan`` or ``term``.
    """
    search = search_of(table)
    fts = search is not None and dialect == "sqlite"
    shape, params, phrases = [], {}, []
    for n, c in enumerate(conditions):
        variant = ""
        if c.operator == "in":
            variant = "some" if None in c.value else "none"
            params[f"v{n}"] = [v for v in c.value if v is not None]
        elif c.operator == "holds":
            variant = str(len(c.value))
            params.update({f"v{n}_{k}": record_id for k, record_id in enumerate(c.value)})
        elif c.operator == "uid_in":
            target, uids = c.value
            variant = target
            params[f"v{n}"] = list(uids)
        elif c.value is None and c.operator in ("eq", "neq"):
            variant = "null"
        elif c.operator == "contains":
            text = str(c.value)
            pattern = f"%{text}%"
            # PostgreSQL's LIKE escapes with a backslash by default: doubled, it stays a plain character.
            params[f"v{n}"] = pattern.replace("\\", "\\\\") if dialect == "postgresql" else pattern
            searched = search is not None and c.column in search.columns
            match = _match(c.column, text) if fts and searched else None
            variant = "scan"
            if match is not None:
                params[f"m{n}"] = match
                phrases.append(match)
                variant = "exact" if len(text) >= TRIGRAM and not WILDCARDS.search(text) else "index"
            if searched and len(text) == TRIGRAM and not WILDCARDS.search(text):
                variant = "term"  # one trigram: its rows are counted in the search's terms table
                # SQLite lowers A-Z only (as its LIKE folds); PostgreSQL lowers the value in SQL, as the column
                params[f"t{n}"] = text.translate(ASCII_LOWER) if fts else text
        else:
            params[f"v{n}"] = c.value
        shape.append((c.column, c.operator, variant))
    if phrases:
        params["match"] = " AND ".join(phrases)
    return tuple(shape), params


def where(table: sa.Table, clinic_id: int, conditions: list[Condition], dialect: str) -> sa.ColumnElement[bool]:
    """The clinic's rows meeting every condition, values bound (on SQLite a ``contains`` on a searched
    column keeps to its index's candidates: ``id IN (SELECT rowid FROM <table>_search WHERE … MATCH …)``)."""
    shape, params = bind(table, conditions, dialect)
    return where_clause(table, shape, dialect).params(clinic_id=clinic_id, **params)


@lru_cache(maxsize=SHAPES)
def where_clause(table: sa.Table, shape: Shape, dialect: str) -> sa.ColumnElement[bool]:
    tests = [_test(table, n, column, op, variant, dialect) for n, (column, op, variant) in enumerate(shape)]
    search = search_of(table)
    for n, (_, _, variant) in enumerate(shape):
        if variant in SEARCHED and dialect == "sqlite":
            fts = _fts(search)
            tests.append(table.c.id.in_(sa.select(fts.c.rowid).where(_matches(fts, f"m{n}"))))
    return sa.and_(table.c.clinic_id == sa.bindparam("clinic_id"), *tests)


@lru_cache(maxsize=SHAPES)
def ids_query(table: sa.Table, shape: Shape, dialect: str) -> sa.Select:
    """The ids of the clinic's rows that meet every condition, in id order (the caller pages it).

    On SQLite a search drives the query from its FTS5 table, which yields rowids in order: joined to the
    table, a page stops after its rows instead of first collecting every match (7,000 of a million
    animals for ``bel``).
    """
    if not _searched(shape, dialect):
        return sa.select(table.c.id).where(where_clause(table, shape, dialect)).order_by(table.c.id)
    fts = _fts(search_of(table))
    return (sa.select(fts.c.rowid.label("id"))
            .select_from(fts.join(table, table.c.id == fts.c.rowid))
            .where(_matches(fts, "match"), *_row_tests(table, shape, dialect))
            .order_by(fts.c.rowid))


@lru_cache(maxsize=SHAPES)
def count_query(table: sa.Table, shape: Shape, dialect: str) -> sa.Select:
    """How many of the clinic's rows meet every condition.

    A lone contains of three characters (one trigram: a type-ahead search) is counted by one lookup in the
    search's terms table (store/schema.py), whatever the number of matches; on PostgreSQL plus the changes
    not folded into it yet. On SQLite, when every condition is an ``exact`` contains, the search index alone
    knows the answer once it is known that the table holds no other clinic's rows (two probes of the clinic
    index): a count of 20,000 matches then takes about a millisecond instead of one row lookup per match.
    """
    search = search_of(table)
    if len(shape) == 1 and shape[0][2] == "term":
        term = sa.bindparam("t0", type_=sa.String())
        if dialect == "sqlite":
            return sa.select(_held(search.terms, shape[0][0], term))
        lowered = sa.func.lower(term)
        both = _held(search.terms, shape[0][0], lowered) + _held(search.changes, shape[0][0], lowered)
        return sa.select(sa.cast(both, sa.BigInteger()))  # (sum() of bigints is a numeric)
    if not _searched(shape, dialect):
        return sa.select(sa.func.count()).select_from(table).where(where_clause(table, shape, dialect))
    fts = _fts(search)
    joined = (sa.select(sa.func.count()).select_from(fts.join(table, table.c.id == fts.c.rowid))
              .where(_matches(fts, "match"), *_row_tests(table, shape, dialect)))
    if any(variant not in ("exact", "term") for _, _, variant in shape):
        return joined
    clinic = sa.bindparam("clinic_id")
    alone = sa.and_(~sa.exists().where(table.c.clinic_id < clinic), ~sa.exists().where(table.c.clinic_id > clinic))
    from_index = sa.select(sa.func.count()).select_from(fts).where(_matches(fts, "match"))
    return sa.select(sa.case((alone, from_index.scalar_subquery()), else_=joined.scalar_subquery()))


def _held(counts: str, column: str, term: sa.ColumnElement) -> sa.ColumnElement[int]:
    """The rows a trigram table (the counts, or PostgreSQL's changes) holds for the clinic, column and term."""
    held = sa.table(counts, sa.column("clinic_id", sa.Integer()), sa.column("col", sa.String()),
                    sa.column("term", sa.String()), sa.column("rows", sa.Integer()))
    total = (sa.select(sa.func.sum(held.c.rows))
             .where(held.c.clinic_id == sa.bindparam("clinic_id"), held.c.col == sa.literal_column(f"'{column}'"),
                    held.c.term == term))
    return sa.func.coalesce(total.scalar_subquery(), sa.literal_column("0"))


# one row's test ------------------------------------------------------------------------------------------

def _test(table: sa.Table, n: int, name: str, op: str, variant: str, dialect: str) -> sa.ColumnElement[bool]:
    column = table.c[name]
    value = sa.bindparam(f"v{n}", type_=column.type)
    if op == "uid_in":
        other = sa.table(variant, sa.column("id"), sa.column("uid"), sa.column("clinic_id"))
        named = sa.select(other.c.id).where(other.c.clinic_id == sa.bindparam("clinic_id"),
                                            other.c.uid.in_(sa.bindparam(f"v{n}", expanding=True)))
        return column.in_(named.scalar_subquery())
    if op == "holds":
        ids = [sa.bindparam(f"v{n}_{k}", type_=sa.BigInteger()) for k in range(int(variant))]
        return sa.or_(*(_holds(column, record_id, dialect) for record_id in ids)) if ids else sa.false()
    if op == "in":
        expr = column.in_(sa.bindparam(f"v{n}", type_=column.type, expanding=True))
        return sa.or_(expr, column.is_(None)) if variant == "some" else expr
    if variant == "null":
        return column.is_(None) if op == "eq" else column.is_not(None)
    if op == "neq":
        return sa.or_(column != value, column.is_(None))
    if op in COMPARE:
        return getattr(column, COMPARE[op])(value)
    if op == "contains":
        # SQLite's LIKE folds A-Z by itself. PostgreSQL folds both sides with lower(), as its trigram index
        # does (ix_<table>_<column>_trgm).
        pattern = sa.bindparam(f"v{n}", type_=sa.String())
        if dialect == "postgresql":
            return sa.func.lower(column).like(sa.func.lower(pattern))
        return column.like(pattern)
    raise ValueError(f"unknown operator {op}")


def _holds(column: sa.Column, record_id, dialect: str) -> sa.ColumnElement[bool]:
    """A JSON list of ids holds this id (PostgreSQL: jsonb containment; SQLite: json_each)."""
    if dialect == "postgresql":
        return sa.cast(column, sa.dialects.postgresql.JSONB).contains(sa.func.jsonb_build_array(record_id))
    each = sa.func.json_each(column).table_valued("value")
    return sa.exists(sa.select(sa.literal(1)).select_from(each).where(each.c.value == record_id))


def _row_tests(table: sa.Table, shape: Shape, dialect: str) -> list[sa.ColumnElement[bool]]:
    """The clinic and every condition's test, for the rows an FTS5 search yields. An ``exact`` contains
    needs no test: its phrase matches just what its LIKE would."""
    return [table.c.clinic_id == sa.bindparam("clinic_id"),
            *(_test(table, n, column, op, variant, dialect)
              for n, (column, op, variant) in enumerate(shape) if variant not in ("exact", "term"))]


# the search index (SQLite FTS5) --------------------------------------------------------------------------

def _match(column: str, value: str) -> str | None:
    """The FTS5 query for the runs of plain characters of a contains value long enough for a trigram
    index (each a phrase in ``column``: its trigrams one after the other), or None when there is none."""
    runs = [run for run in WILDCARDS.split(value) if len(run) >= TRIGRAM]
    phrases = [f'{column} : "{run.translate(ASCII_LOWER).replace(chr(34), chr(34) * 2)}"' for run in runs]
    return " AND ".join(phrases) or None


def _searched(shape: Shape, dialect: str) -> bool:
    """Whether the query goes through SQLite's FTS5 index (PostgreSQL's trigram indexes are the planner's)."""
    return dialect == "sqlite" and any(variant in SEARCHED for _, _, variant in shape)


def _fts(search: Search) -> sa.TableClause:
    return sa.table(search.fts, sa.column("rowid"))


def _matches(fts: sa.TableClause, parameter: str) -> sa.ColumnElement[bool]:
    return sa.literal_column(fts.name).op("MATCH")(sa.bindparam(parameter, type_=sa.String()))
