"""Bulk writing for demo data: ids chosen ahead, rows made ahead, rows written straight through the driver.

Owners, their addresses and their animals point at each other, so their ids are chosen before the rows
are made (see ``NextIds``); a background thread makes the next chunk while the previous one is written
(``made_ahead``); each chunk is one transaction that also keeps ``record_count`` right.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa

from openvet.store import records
from openvet.store.schema import index_in_bulk, search_of

T = TypeVar("T")


@dataclass(frozen=True)
class Layout:
    """How a table's rows are made: their columns, in order, and what ``renumber`` moves when another writer
    took the ids they were made with: ``links`` (column -> the table whose ids it holds; the row's own id always
    moves), ``typed`` (a polymorphic id column -> the column naming its kind, a resource title) and ``remade``
    (column -> the value made again from the moved row, for values made from ids: a consult's code)."""

    columns: tuple[str, ...]
    links: dict[str, str] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)
    remade: dict[str, Callable[[list], Any]] = field(default_factory=dict)


def renumber(rows: dict[str, list[tuple]], shift: dict[str, int], layouts: dict[str, Layout],
             tables_by_title: dict[str, str]) -> dict[str, list[tuple]]:
    """The rows with every id of table t moved by ``shift[t]``, and the values made from ids made again."""
    moved: dict[str, list[tuple]] = {}
    for name, table_rows in rows.items():
        layout = layouts[name]
        position = layout.columns.index
        links = [(position(column), shift.get(target, 0)) for column, target in {"id": name, **layout.links}.items()]
        links = [(at, delta) for at, delta in links if delta]
        typed = [(position(column), position(kind)) for column, kind in layout.typed.items()]
        remade = [(position(column), make) for column, make in layout.remade.items()]
        if not links and not typed:
            moved[name] = table_rows
            continue
        renumbered = []
        for row in table_rows:
            values = list(row)
            for at, delta in links:
                if values[at] is not None:
                    values[at] += delta
            for at, kind in typed:
                if values[at] is not None:
                    values[at] += shift.get(tables_by_title.get(values[kind], ""), 0)
            for at, make in remade:
                if values[at] is not None:
                    values[at] = make(values)
            renumbered.append(tuple(values))
        moved[name] = renumbered
    return moved


def lock_for_writing(conn: sa.Connection, clinic_id: int, tables: list[sa.Table], counts: list[int]) -> None:
    """Count the rows about to be written (which, on SQLite, takes the database's write lock)."""
    for table, added in zip(tables, counts, strict=True):
        if added:
            records.add_to_count(conn, clinic_id, table.name, added)


def reserve_ids(conn: sa.Connection, table: sa.Table, count: int) -> list[int]:
    """``count`` ids from the table's own sequence (PostgreSQL)."""
    if count == 0:
        return []
    query = sa.text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)")
    return list(conn.execute(query, {"t": f'"{table.name}"', "n": count}).scalars())


def insert_rows(conn: sa.Connection, table: sa.Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Write rows (tuples in ``columns`` order, ids included) straight through the driver: one executemany
    on SQLite, one COPY on PostgreSQL. Values are converted only where the column type must (exact
    decimals on SQLite, JSON); record_count is the caller's. The search index takes the rows in one
    statement on SQLite (``index_in_bulk``); PostgreSQL's trigram indexes take them with the COPY."""
    if not rows:
        return
    dialect = conn.dialect
    converters = []
    for position, name in enumerate(columns):
        kind = table.c[name].type
        if isinstance(kind, sa.Boolean):
            continue  # both drivers take Python booleans as they are
        convert = kind._cached_bind_processor(dialect)
        if convert is not None:
            converters.append((position, convert))
    if converters:
        rows = [list(row) for row in rows]
        for position, convert in converters:
            known: dict = {}  # a column's values repeat (prices, quantities, flags): each is converted once
            for row in rows:
                value = row[position]
                if value is None:
                    continue
                try:
                    row[position] = known[value]
                except KeyError:
                    row[position] = known[value] = convert(value)
                except TypeError:  # not hashable (a list of ids): converted as it is
                    row[position] = convert(value)
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    target = dialect.identifier_preparer.format_table(table)
    driver = conn.connection.driver_connection
    if dialect.name == "postgresql":
        with driver.cursor() as cursor, cursor.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    search = search_of(table)
    cursor = driver.cursor()
    try:
        if search is None:
            cursor.executemany(f"INSERT INTO {target} ({quoted}) VALUES ({marks})", rows)
            return
        if not driver.in_transaction:  # the trigger may only be away inside the transaction that writes
            raise RuntimeError("insert_rows on SQLite runs inside the transaction that counts the rows")
        set_aside, indexes, put_back = index_in_bulk(search)
        cursor.execute(set_aside)
        cursor.executemany(f"INSERT INTO {target} ({quoted}) VALUES ({marks})", rows)
        ids = json.dumps([row[columns.index("id")] for row in rows])
        for index in indexes:
            cursor.execute(index, (ids,))
        cursor.execute(put_back)
    finally:
        cursor.close()


@contextmanager
def loading_connection(engine: sa.Engine, cache_mebibytes: int = 1024) -> Iterator[sa.Connection]:
    """A connection to load through. On SQLite it gets a bigger page cache while loading (the indexes of a
    million rows stay in memory), and its usual size back afterwards, before it returns to the pool."""
    with engine.connect() as conn:
        if engine.dialect.name != "sqlite":
            yield conn
            return
        driver = conn.connection.driver_connection
        usual = driver.execute("PRAGMA cache_size").fetchone()[0]
        driver.execute(f"PRAGMA cache_size=-{cache_mebibytes * 1024}")
        try:
            yield conn
        finally:
            driver.execute(f"PRAGMA cache_size={int(usual)}")


class NextIds:
    """Hands out ids for rows about to be made, before their transaction starts (so that rows can be made
    while the previous chunk is being written).

    PostgreSQL: from each table's sequence, on a connection of its own (safe beside other writers).
    SQLite: counting on from the table's largest id; ``settle`` checks, under the write lock, that nobody
    took those ids meanwhile, and says how far to move them if somebody did.
    """

    def __init__(self, engine: sa.Engine, tables: list[sa.Table]):
        self.tables = {table.name: table for table in tables}
        self.postgresql = engine.dialect.name == "postgresql"
        self.conn = engine.connect() if self.postgresql else None
        self.next: dict[str, int] = {}
        if not self.postgresql:
            with engine.connect() as conn:
                for table in tables:
                    self.next[table.name] = _largest_id(conn, table) + 1

    def take(self, table: sa.Table, count: int) -> list[int]:
        if self.conn is not None:
            ids = reserve_ids(self.conn, table, count)
            self.conn.commit()
            return ids
        start = self.next[table.name]
        self.next[table.name] = start + count
        return list(range(start, start + count))

    def settle(self, conn: sa.Connection, firsts: dict[str, int], shift: dict[str, int]) -> dict[str, int]:
        """How far to move each table's ids (on top of ``shift``, the move in force so far) so that they
        stay above every id written meanwhile. SQLite only; call after ``lock_for_writing``."""
        if self.postgresql:
            return shift
        settled = dict(shift)
        for name, first in firsts.items():
            largest = _largest_id(conn, self.tables[name])
            if first + settled.get(name, 0) <= largest:
                settled[name] = largest + 1 - first
        return settled

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def _largest_id(conn: sa.Connection, table: sa.Table) -> int:
    return conn.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0


_DONE = object()


@contextmanager
def made_ahead(chunks: Iterator[T], depth: int = 2) -> Iterator[Iterator[T]]:
    """Iterate ``chunks`` while a background thread makes the next ones (the database driver lets go of
    the GIL while it writes, so making and writing overlap). Errors of the maker surface in the reader."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def make() -> None:
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        ready.put(chunk, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed over to the reading thread
            ready.put(error)

    def read() -> Iterator[T]:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    maker = threading.Thread(target=make, name="openvet-demo-maker", daemon=True)
    maker.start()
    try:
        yield read()
    finally:
        stop.set()
        while maker.is_alive():
            with suppress(queue.Empty):
                ready.get(timeout=0.1)
        maker.join()
