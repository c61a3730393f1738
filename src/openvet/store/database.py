"""Connecting: SQLite (WAL, the embedded default) or PostgreSQL, through one SQLAlchemy engine."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa


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


def connect(url: str, threads: int = 16) -> sa.Engine:
    """An engine for ``url``; creates the SQLite file's folder when it does not exist yet.

    The pool holds a connection per database thread (each keeps one for its reads) and as many again for
    the writes those threads make."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Every connection is used in a ``with`` block that ends its transaction, so the pool need not
        # roll back again on return (a measurable share of a single-record GET).
        engine = sa.create_engine(url, pool_size=threads, max_overflow=threads, pool_reset_on_return=None,
                                  connect_args={"check_same_thread": False})
        sa.event.listen(engine, "connect", _tune_sqlite)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg")
    return sa.create_engine(url, pool_size=threads, max_overflow=threads, pool_pre_ping=True)


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
