"""Kept sums: totals the database keeps up to date as rows change, so that a question reads one row per key
instead of summing every row (a product's stock on hand, over a ledger of millions of rows).

A resource declares them (``Resource.sums``, resources/declaration.py ``Sum``); each is kept in
``<table>_sum_<name>`` (``clinic_id``, ``key``, ``day`` when kept per day, ``total``), where ``key`` is the
value of the ``by`` column and ``total`` the sum of ``amount`` over the rows that meet ``where``. A sum kept per
day (``per_day``: an epoch column) keeps one total per UTC day of that column, so a window of whole days is a
short range of rows.

- SQLite: three row triggers add and take away each row's amount in place, in the write's transaction (one
  writer at a time: nobody waits for anybody).
- PostgreSQL: as for the trigram counts (store/schema.py), three statement triggers append the differences to
  ``<table>_sum_<name>_changes``; a read adds them, and ``records.fold_counts`` folds them in.

The migration that makes a sum counts the rows already there (``create_kept_sum``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from openvet.store import appended
from openvet.store.appended import Appended

OPERATORS = {"eq": "=", "neq": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
DAY = 86400


@dataclass(frozen=True)
class Kept:
    """One kept sum of one table, in columns: ``where`` holds (column, operator, literal) tests."""

    table: str
    name: str
    amount: str
    by: str
    where: tuple[tuple[str, str, Any], ...] = ()
    per_day: str = ""

    def __post_init__(self):
        for column, op, value in self.where:
            # SQLite keeps decimals as scaled whole numbers (store/types.py): a literal is compared as written,
            # which is right for 0 alone
            if not isinstance(value, bool) and isinstance(value, int | float | Decimal) and value != 0:
                raise ValueError(f"kept sum {self.name}: {column} {op} {value}: a number compared must be 0")
            if op not in OPERATORS:
                raise ValueError(f"kept sum {self.name}: unknown operator {op!r}")

    @property
    def sums(self) -> str:
        return f"{self.table}_sum_{self.name}"

    @property
    def appended(self) -> Appended:
        """PostgreSQL: how the sums follow the table's writes (store/appended.py)."""
        reads = (self.amount, self.by, *([self.per_day] if self.per_day else []), *(c for c, _, _ in self.where))
        columns = ("clinic_id bigint NOT NULL, key bigint NOT NULL, "
                   + ("day bigint NOT NULL, " if self.per_day else "") + "total numeric NOT NULL")
        return Appended(self.table, self.sums, self.keys, "total", columns, tuple(dict.fromkeys(reads)))

    @property
    def changes(self) -> str:
        """PostgreSQL: the differences not folded into ``sums`` yet."""
        return self.appended.changes

    @property
    def keys(self) -> tuple[str, ...]:
        return ("clinic_id", "key", "day") if self.per_day else ("clinic_id", "key")

    def objects(self) -> set[str]:
        """Every name it makes on either database (SQLite's triggers take PostgreSQL's names)."""
        return self.appended.objects()


def kept_sums(table: sa.Table) -> tuple[Kept, ...]:
    return table.info.get("sums", ())


# reading --------------------------------------------------------------------------------------------------

def read(conn: sa.Connection, kept: Kept, amount_type: sa.types.TypeEngine, clinic_id: int, keys: Iterable[int],
         from_day: int | None = None) -> dict[int, Decimal]:
    """The kept total of each of ``keys``, those whose total is nothing left out (a key whose rows are gone
    keeps a row of 0); for a sum kept per day, over the days from ``from_day`` on."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    windowed = bool(kept.per_day) and from_day is not None
    query = _reading(kept, amount_type, conn.dialect.name, windowed)
    params = {"clinic_id": clinic_id, "keys": keys, **({"from_day": from_day} if windowed else {})}
    return {key: total for key, total in conn.execute(query, params).all() if total}


@lru_cache(maxsize=64)
def _reading(kept: Kept, amount_type: sa.types.TypeEngine, dialect: str, windowed: bool) -> sa.Select:
    """Built once per sum: its totals (and on PostgreSQL the changes not folded yet) for a clinic's keys."""
    parts = []
    for name in [kept.sums] if dialect == "sqlite" else [kept.sums, kept.changes]:
        held = sa.table(name, sa.column("clinic_id"), sa.column("key"), sa.column("day"),
                        sa.column("total", amount_type))
        part = sa.select(held.c.key, held.c.total).where(held.c.clinic_id == sa.bindparam("clinic_id"),
                                                          held.c.key.in_(sa.bindparam("keys", expanding=True)))
        if windowed:
            part = part.where(held.c.day >= sa.bindparam("from_day"))
        parts.append(part)
    both = (sa.union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    return sa.select(both.c.key, sa.func.sum(both.c.total, type_=amount_type)).group_by(both.c.key)


# making them ----------------------------------------------------------------------------------------------

def create_kept_sum(kept: Kept, dialect: str) -> list[str]:
    """The statements that make a kept sum (tables, triggers) and count the rows already there."""
    if dialect == "postgresql":
        return _postgres(kept)
    if dialect != "sqlite":
        return []
    key = ", ".join(kept.keys)
    return [
        f"CREATE TABLE IF NOT EXISTS {kept.sums} (clinic_id INTEGER NOT NULL, key INTEGER NOT NULL, "
        + ("day INTEGER NOT NULL, " if kept.per_day else "")
        + f"total INTEGER NOT NULL, PRIMARY KEY ({key})) WITHOUT ROWID",
        f"DELETE FROM {kept.sums}",
        f"INSERT INTO {kept.sums} ({key}, total) SELECT {key}, sum(total) FROM (SELECT {_values(kept, 'r.')}, "
        f'r.{kept.amount} AS total FROM "{kept.table}" AS r WHERE {_meets(kept, "r.", "sqlite")}) GROUP BY {key}',
        *_sqlite_triggers(kept),
    ]


def drop_kept_sum(kept: Kept, dialect: str) -> list[str]:
    if dialect == "postgresql":
        return appended.drop(kept.appended)
    if dialect != "sqlite":
        return []
    return [*(f"DROP TRIGGER IF EXISTS {name}" for name in kept.appended.triggers()),
            f"DROP TABLE IF EXISTS {kept.sums}"]


def _literal(value: Any, dialect: str) -> str:
    if isinstance(value, bool):
        return ("true" if value else "false") if dialect == "postgresql" else str(int(value))
    if isinstance(value, int | Decimal):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _meets(kept: Kept, row: str, dialect: str) -> str:
    """SQL: the row (``new.``, ``old.``, ``r.``) counts in the sum."""
    tests = [f"{row}{kept.by} IS NOT NULL", f"{row}{kept.amount} IS NOT NULL"]
    if kept.per_day:
        tests.append(f"{row}{kept.per_day} IS NOT NULL")
    for column, op, value in kept.where:
        test = f"{row}{column} {OPERATORS[op]} {_literal(value, dialect)}"
        # neq holds for an unset value too, as the filter's neq does (store/filters.py)
        tests.append(f"({row}{column} IS NULL OR {test})" if op == "neq" else test)
    return " AND ".join(tests)


def _values(kept: Kept, row: str) -> str:
    """SQL: the row's clinic, key and day, named as ``Kept.keys`` (a bigint divided by a whole number is a whole
    number on both databases)."""
    day = [f"{row}{kept.per_day} / {DAY} AS day"] if kept.per_day else []
    return ", ".join([f"{row}clinic_id AS clinic_id", f"{row}{kept.by} AS key", *day])


def _sqlite_triggers(kept: Kept) -> list[str]:
    key = ", ".join(kept.keys)

    def add(row: str, sign: str) -> str:
        return (f"INSERT INTO {kept.sums} ({key}, total) SELECT {_values(kept, row)}, "
                f"{sign}{row}{kept.amount} WHERE {_meets(kept, row, 'sqlite')} "
                f"ON CONFLICT ({key}) DO UPDATE SET total = total + excluded.total;")

    insert, delete, update = kept.appended.triggers()
    return [f'CREATE TRIGGER IF NOT EXISTS {insert} AFTER INSERT ON "{kept.table}" BEGIN {add("new.", "")} END',
            f'CREATE TRIGGER IF NOT EXISTS {delete} AFTER DELETE ON "{kept.table}" BEGIN {add("old.", "-")} END',
            f'CREATE TRIGGER IF NOT EXISTS {update} AFTER UPDATE ON "{kept.table}" '
            f'BEGIN {add("old.", "-")} {add("new.", "")} END']


def _postgres(kept: Kept) -> list[str]:
    return appended.create(kept.appended, lambda rows: (
        f"SELECT {_values(kept, 'r.')}, r.{kept.amount} AS total FROM {rows} AS r "
        f"WHERE {_meets(kept, 'r.', 'postgresql')}"))
