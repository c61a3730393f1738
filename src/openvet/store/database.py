"""Connecting: SQLite (WAL, the embedded default) or PostgreSQL, through one SQLAlchemy engine."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import sqlalchemy as sa

from openvet.config import database_threads


def _tune_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across crashes of the process
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


# Connections a process holds besides its database threads': SQLite's writers' (``Engine.writing``) and the
# throttle's (``store/throttle.py``), each kept between uses, and the dispatcher's round. Without them a server
# with OPENVET_DB_THREADS=1 waited for ever: its one thread kept its reader, the writer's was kept, and the
# signing key's read found the pool empty.
BESIDE_THE_THREADS = 4


def connect(url: str, threads: int = 0) -> sa.Engine:
    """An engine for ``url`` (``threads``: the process's database threads, 0 for the database's default); creates
    the SQLite file's folder when it does not exist yet.

    The pool holds a connection per database thread (each keeps one for its reads), as many again for the
    writes those threads make, and the ones the process keeps besides (``BESIDE_THE_THREADS``)."""
    threads = threads or database_threads(url)
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Every connection is used in a ``with`` block that ends its transaction, so the pool need not
        # roll back again on return (a measurable share of a single-record GET).
        engine = sa.create_engine(url, pool_size=threads, max_overflow=threads + BESIDE_THE_THREADS,
                                  pool_reset_on_return=None, connect_args={"check_same_thread": False})
        sa.event.listen(engine, "connect", _tune_sqlite)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg")
    return sa.create_engine(url, pool_size=threads, max_overflow=threads + BESIDE_THE_THREADS, pool_pre_ping=True)


def write_turn(engine: sa.Engine) -> AbstractContextManager:
    """Held around a write transaction: on SQLite, the threads of a process take turns for the database's one
    writer here instead of in SQLite's busy handler.

    SQLite lets one connection write at a time; a connection that finds the lock taken sleeps and retries
    (1, 2, 5 … 100 ms), so with 16 threads writing, most of them slept while the lock sat free: POST animal
    measured a third of its threads asleep in the busy handler and a p99 of seconds. A lock in the process hands
    the turn on at once. Other processes still meet at SQLite's lock (the busy handler, as before). Re-entrant:
    a write may run inside another's turn. PostgreSQL locks rows, not the database: no turn.
    """
    if engine.dialect.name != "sqlite":
        return nullcontext()
    turn = engine.__dict__.get("_openvet_write_turn")
    if turn is None:
        with _making_turns:
            turn = engine.__dict__.setdefault("_openvet_write_turn", threading.RLock())
    return turn


_making_turns = threading.Lock()


def is_postgresql(engine: sa.Engine) -> bool:
    return engine.dialect.name == "postgresql"


def refresh_statistics(engine: sa.Engine) -> None:
    """Give the query planner fresh table statistics (after a bulk load, and when the server starts).

    Without them SQLite may walk a whole index to avoid a sort; with them it looks rows up by key. On
    SQLite the analysis samples at most 1,000 rows per index, so it takes milliseconds even on a big file.
    """
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        conn.exec_driver_sql("ANALYZE")
