"""Reading and writing rows of resource tables, always inside one clinic.

The functions take an open connection (the caller owns the transaction) and speak SQL only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from typing import Any

import sqlalchemy as sa

from openvet.store import appended
from openvet.store.filters import SHAPES, Condition, Shape, bind, count_query, ids_query, where_clause
from openvet.store.schema import search_of
from openvet.store.sums import kept_sums
from openvet.store.sums import read as read_kept

DEEP_OFFSET = 2000  # past this, page through the (clinic_id, id) index first, then fetch the rows


def select_page(conn: sa.Connection, table: sa.Table, clinic_id: int, conditions: list[Condition],
                offset: int, limit: int | None) -> Sequence[sa.Row]:
    """Rows in id order.

    With filters, or deep in the table, the page's ids are found first on an index alone (a deferred
    join): sorting and skipping ids is much cheaper than sorting and skipping whole rows.
    """
    dialect = conn.dialect.name
    shape, params = bind(table, conditions, dialect)
    query = _page(table, shape, dialect, bool(conditions) or offset > DEEP_OFFSET)
    return conn.execute(query, {**params, "clinic_id": clinic_id, "offset": offset,
                                "limit": _limit(limit, dialect)}).all()


@lru_cache(maxsize=SHAPES)
def _page(table: sa.Table, shape: Shape, dialect: str, deferred: bool) -> sa.Select:
    """Built once per shape (see store/filters.py), the values and the page as parameters."""
    offset, limit = sa.bindparam("offset", type_=sa.Integer()), sa.bindparam("limit", type_=sa.Integer())
    if not deferred:
        return (sa.select(table).where(where_clause(table, shape, dialect)).order_by(table.c.id)
                .offset(offset).limit(limit))
    ids = ids_query(table, shape, dialect).offset(offset).limit(limit)
    return (sa.select(table).where(table.c.clinic_id == sa.bindparam("clinic_id"),
                                   table.c.id.in_(ids.scalar_subquery()))
            .order_by(table.c.id))


def _limit(limit: int | None, dialect: str) -> int | None:
    """No limit: SQLite takes a negative one, PostgreSQL NULL."""
    return limit if limit is not None else (-1 if dialect == "sqlite" else None)


def count(conn: sa.Connection, table: sa.Table, clinic_id: int, conditions: list[Condition]) -> int:
    if not conditions:
        return int(conn.execute(RECORD_COUNT, {"c": clinic_id, "r": table.name}).scalar_one())
    dialect = conn.dialect.name
    shape, params = bind(table, conditions, dialect)
    return conn.execute(count_query(table, shape, dialect), {**params, "clinic_id": clinic_id}).scalar_one()


def totals(conn: sa.Connection, table: sa.Table, clinic_id: int, amount: str, by: str, keys: Iterable[int],
           conditions: list[Condition]) -> dict[int, Any]:
    """``SUM(amount)`` grouped by ``by`` for the rows whose ``by`` is one of ``keys``: one query for a page."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    dialect = conn.dialect.name
    shape, params = bind(table, conditions, dialect)
    column = table.c[by]
    query = (sa.select(column, sa.func.sum(table.c[amount], type_=table.c[amount].type))
             .where(where_clause(table, shape, dialect), column.in_(sa.bindparam("keys", expanding=True)))
             .group_by(column))
    return dict(conn.execute(query, {**params, "clinic_id": clinic_id, "keys": keys}).all())


def latest(conn: sa.Connection, table: sa.Table, clinic_id: int, by: str, keys: Iterable[int], order: str,
           conditions: list[Condition]) -> dict[int, int]:
    """For each of ``keys``, the id of the row of greatest ``order`` (then id) whose ``by`` is that key: one
    query for a page, reading three columns, not the rows."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    dialect = conn.dialect.name
    shape, params = bind(table, conditions, dialect)
    column = table.c[by]
    rank = sa.func.row_number().over(partition_by=column, order_by=(table.c[order].desc(), table.c.id.desc()))
    ranked = (sa.select(column.label("key"), table.c.id, rank.label("rank"))
              .where(where_clause(table, shape, dialect), column.in_(sa.bindparam("keys", expanding=True)))
              .subquery())
    query = sa.select(ranked.c.key, ranked.c.id).where(ranked.c.rank == 1)
    return dict(conn.execute(query, {**params, "clinic_id": clinic_id, "keys": keys}).all())


def begin_writing(conn: sa.Connection, table: sa.Table) -> None:
    """Take the database's write lock now, before the write's first read (SQLite).

    SQLite's driver begins a transaction only at the first INSERT/UPDATE, so the reads a write makes
    first (the record before, its links, the rules' lookups) could see data another writer is about to
    change. A statement that writes nothing takes the lock at once: the reads that follow are current and
    no other writer can come in between. PostgreSQL locks the rows themselves instead (``select_ids``).
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f'UPDATE "{table.name}" SET id = id WHERE 0')


def select_ids(conn: sa.Connection, table: sa.Table, clinic_id: int, conditions: list[Condition],
               limit: int | None, lock: bool = False) -> list[int]:
    """``lock``: hold the rows until the transaction ends (``FOR UPDATE``), so that a write that reads a
    record before changing it cannot lose another's change. PostgreSQL only: SQLite has no row locks."""
    dialect = conn.dialect.name
    shape, params = bind(table, conditions, dialect)
    query = _ids(table, shape, dialect, lock and dialect == "postgresql")
    return list(conn.execute(query, {**params, "clinic_id": clinic_id, "limit": _limit(limit, dialect)}).scalars())


@lru_cache(maxsize=SHAPES)
def _ids(table: sa.Table, shape: Shape, dialect: str, lock: bool) -> sa.Select:
    query = ids_query(table, shape, dialect).limit(sa.bindparam("limit", type_=sa.Integer()))
    return query.with_for_update() if lock else query


@cache
def _one_by_id(table: sa.Table) -> sa.Select:
    """Built once per table: a reused statement skips SQLAlchemy's per-call construction and cache keying."""
    return sa.select(table).where(table.c.clinic_id == sa.bindparam("clinic_id"), table.c.id == sa.bindparam("id"))


def select_by_ids(conn: sa.Connection, table: sa.Table, clinic_id: int, ids: Iterable[int]) -> Sequence[sa.Row]:
    ids = list(ids)
    if not ids:
        return []
    if len(ids) == 1:
        return conn.execute(_one_by_id(table), {"clinic_id": clinic_id, "id": ids[0]}).all()
    query = sa.select(table).where(table.c.clinic_id == clinic_id, table.c.id.in_(ids)).order_by(table.c.id)
    return conn.execute(query).all()


def select_children(conn: sa.Connection, table: sa.Table, clinic_id: int, via: str,
                    parent_ids: Iterable[int]) -> Sequence[sa.Row]:
    """The active children of several parents at once (one query, not one per parent)."""
    parent_ids = list(parent_ids)
    if not parent_ids:
        return []
    query = (sa.select(table)
             .where(table.c.clinic_id == clinic_id, table.c[via].in_(parent_ids), table.c.active.is_(True))
             .order_by(table.c[via], table.c.id))  # by parent first: the (clinic_id, parent) index serves it
    return conn.execute(query).all()


def existing_ids(conn: sa.Connection, table: sa.Table, clinic_id: int, ids: set[int]) -> set[int]:
    return existing(conn, clinic_id, {table: ids}).get(table.name, set())


def existing(conn: sa.Connection, clinic_id: int, wanted: dict[sa.Table, set[int]]) -> dict[str, set[int]]:
    """Which of these ids exist in this clinic, for several tables in one query (a write checks every link)."""
    wanted = {table: sorted(ids) for table, ids in wanted.items() if ids}
    if not wanted:
        return {}
    shape = tuple((table.name, len(ids)) for table, ids in wanted.items())
    params: dict[str, Any] = {"clinic_id": clinic_id}
    for n, ids in enumerate(wanted.values()):
        params.update({f"i{n}_{k}": value for k, value in enumerate(ids)})
    found: dict[str, set[int]] = {}
    for name, record_id in conn.execute(_existing_query(shape), params):
        found.setdefault(name, set()).add(record_id)
    return found


@cache
def _existing_query(shape: tuple[tuple[str, int], ...]) -> sa.TextClause:
    """One UNION ALL per shape (tables and id counts), built once: no statement is constructed per write."""
    parts = []
    for n, (name, count) in enumerate(shape):
        marks = ", ".join(f":i{n}_{k}" for k in range(count))
        parts.append(f"SELECT '{name}' AS t, id FROM \"{name}\" WHERE clinic_id = :clinic_id AND id IN ({marks})")
    return sa.text(" UNION ALL ".join(parts))


def has_rows(conn: sa.Connection, table: sa.Table, clinic_id: int) -> bool:
    return conn.execute(sa.select(table.c.id).where(table.c.clinic_id == clinic_id).limit(1)).first() is not None


def ids_by_name(conn: sa.Connection, table: sa.Table, clinic_id: int) -> dict[str, int]:
    """Name -> id of a lookup table (the first record of each name)."""
    query = sa.select(table.c.name, table.c.id).where(table.c.clinic_id == clinic_id).order_by(table.c.id)
    found: dict[str, int] = {}
    for name, record_id in conn.execute(query):
        found.setdefault(name, record_id)
    return found


def select_uids(conn: sa.Connection, table: sa.Table, clinic_id: int, ids: set[int]) -> Sequence[sa.Row]:
    query = sa.select(table.c.id, table.c.uid).where(table.c.clinic_id == clinic_id, table.c.id.in_(sorted(ids)))
    return conn.execute(query).all()


def id_by_uid(conn: sa.Connection, table: sa.Table, clinic_id: int, uid: str) -> int | None:
    query = sa.select(table.c.id).where(table.c.clinic_id == clinic_id, table.c.uid == uid)
    return conn.execute(query).scalar()


def insert(conn: sa.Connection, table: sa.Table, clinic_id: int, values: dict[str, Any]) -> int:
    record_id = conn.execute(_insert_returning(table), {**values, "clinic_id": clinic_id}).scalar_one()
    add_to_count(conn, clinic_id, table.name, 1)
    return record_id


@cache
def _insert_returning(table: sa.Table) -> sa.Insert:
    """Built once per table; the columns come from each call's parameters (compiled once per column set)."""
    return table.insert().returning(table.c.id)


def insert_many(conn: sa.Connection, table: sa.Table, clinic_id: int, rows: list[dict[str, Any]]) -> None:
    """Bulk insert (demo data, imports); ids come from the table's sequence."""
    if rows:
        conn.execute(table.insert(), [dict(row, clinic_id=clinic_id) for row in rows])
        add_to_count(conn, clinic_id, table.name, len(rows))


def update(conn: sa.Connection, table: sa.Table, clinic_id: int, ids: list[int], values: dict[str, Any]) -> None:
    if ids and values:
        conn.execute(_update_by_ids(table), {**values, "_clinic_id": clinic_id, "_ids": list(ids)})


@cache
def _update_by_ids(table: sa.Table) -> sa.Update:
    return table.update().where(table.c.clinic_id == sa.bindparam("_clinic_id"),
                                table.c.id.in_(sa.bindparam("_ids", expanding=True)))


# How many rows a clinic has in a table: the count plus the changes not folded into it yet (PostgreSQL's).
RECORD_COUNT = sa.text(
    "SELECT coalesce((SELECT total FROM record_count WHERE clinic_id = :c AND resource = :r), 0) "
    "+ coalesce((SELECT sum(total) FROM record_count_change WHERE clinic_id = :c AND resource = :r), 0)")
ADD_TO_COUNT = {
    # SQLite: one writer at a time, the count updated in place (safe when two first inserts race).
    "sqlite": sa.text("INSERT INTO record_count (clinic_id, resource, total) VALUES (:c, :r, :d) "
                      "ON CONFLICT (clinic_id, resource) DO UPDATE SET total = record_count.total + excluded.total"),
    # PostgreSQL: appended, so that concurrent writers of a clinic never wait for each other on its count row
    # (they did, until commit); ``fold_counts`` adds the changes to the count later.
    "postgresql": sa.text("INSERT INTO record_count_change (clinic_id, resource, total) VALUES (:c, :r, :d)"),
}
FOLD_LOCK = 0x6F70656E76657401  # PostgreSQL advisory lock: one folder at a time, the others skip their turn


def add_to_count(conn: sa.Connection, clinic_id: int, resource: str, delta: int) -> None:
    conn.execute(ADD_TO_COUNT[conn.dialect.name], {"d": delta, "c": clinic_id, "r": resource})


def fold_counts(conn: sa.Connection, tables: Iterable[sa.Table]) -> bool:
    """PostgreSQL: add the changes appended to record_count, and to the trigram counts and kept sums of
    ``tables`` (store/appended.py), to them, and remove them, in the caller's transaction (the dispatcher's
    rounds, a chunk of a bulk load).
    A count reads the counts plus the changes, so it is the same before and after; folding keeps the changes
    few. Rows appended while it runs stay for the next fold. Whether it folded (False: another connection
    holds the turn, or SQLite, which has nothing to fold)."""
    if conn.dialect.name != "postgresql":
        return False
    if not conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": FOLD_LOCK}).scalar_one():
        return False
    conn.exec_driver_sql(appended.fold("record_count", "record_count_change", ("clinic_id", "resource"), "total"))
    for table in tables:
        search = search_of(table)
        for kept in ([search.appended] if search else []) + [kept.appended for kept in kept_sums(table)]:
            conn.exec_driver_sql(appended.fold(kept.totals, kept.changes, kept.keys, kept.value))
    return True


def kept_totals(conn: sa.Connection, table: sa.Table, name: str, clinic_id: int, keys: Iterable[int],
                from_day: int | None = None) -> dict[int, Any]:
    """The kept sum ``name`` of ``table`` for each of ``keys`` (store/sums.py); per day: from ``from_day`` on."""
    kept = next(k for k in kept_sums(table) if k.name == name)
    return read_kept(conn, kept, table.c[kept.amount].type, clinic_id, keys, from_day)


RECORD_EVENT = sa.text("INSERT INTO outbox (clinic_id, event, resource, record_id, created_at) "
                       "VALUES (:c, :e, :r, :i, :t)")  # built once, not per write


def record_event(conn: sa.Connection, clinic_id: int, event: str, resource: str, record_id: int, at: int) -> None:
    conn.execute(RECORD_EVENT, {"c": clinic_id, "e": event, "r": resource, "i": record_id, "t": at})
