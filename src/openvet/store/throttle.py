"""Throttling counters in the database: one atomic upsert per call, one statement, one round trip.

A call takes one hit from its endpoint's budget and one from its clinic and partner's global budget, both or
neither: a refused call uses up nothing. Both live in one row per subject (``throttle_bucket``: a clinic and
partner, or a client id at the token endpoint): the window it counts, the global hits, and the hits of each
endpoint as a small JSON object. One ``INSERT … ON CONFLICT DO UPDATE … WHERE hits < global AND endpoint hits
< limit RETURNING`` both checks and takes (in autocommit on PostgreSQL: one round trip). The upsert locks
the row (PostgreSQL re-checks the WHERE on the row's latest version; SQLite has one writer at a time), so
two processes never both take the last hit. A window only moves forward, so servers whose clocks differ by
a second cannot reset each other's counts. The text differs only in its JSON functions (jsonb on
PostgreSQL, JSON1 on SQLite).

Rows of windows long gone are swept once a window per process; the table holds one row per live subject.
Redis does the same with a Lua script (``store/redis_throttle.py``): both answer a ``Count``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa

from openvet.engine.offload import offload
from openvet.store.database import write_turn

_SQLITE = """
INSERT INTO throttle_bucket (bucket, window_start, hits, endpoints)
VALUES (:subject, :window, 1, json_object(:endpoint, 1))
ON CONFLICT (bucket) DO UPDATE SET
  hits = CASE WHEN throttle_bucket.window_start < excluded.window_start THEN 1 ELSE throttle_bucket.hits + 1 END,
  endpoints = CASE WHEN throttle_bucket.window_start < excluded.window_start THEN excluded.endpoints
    ELSE json_set(throttle_bucket.endpoints, :path, COALESCE(json_extract(throttle_bucket.endpoints, :path), 0) + 1)
    END,
  window_start = MAX(throttle_bucket.window_start, excluded.window_start)
WHERE throttle_bucket.window_start < excluded.window_start
   OR (throttle_bucket.hits < :overall AND COALESCE(json_extract(throttle_bucket.endpoints, :path), 0) < :limit)
RETURNING hits, json_extract(endpoints, :path)
"""
_POSTGRESQL = """
INSERT INTO throttle_bucket AS b (bucket, window_start, hits, endpoints)
VALUES (:subject, :window, 1, json_build_object(CAST(:endpoint AS text), 1)::text)
ON CONFLICT (bucket) DO UPDATE SET
  hits = CASE WHEN b.window_start < excluded.window_start THEN 1 ELSE b.hits + 1 END,
  endpoints = CASE WHEN b.window_start < excluded.window_start THEN excluded.endpoints
    ELSE jsonb_set(b.endpoints::jsonb, ARRAY[CAST(:endpoint AS text)],
                   to_jsonb(COALESCE((b.endpoints::jsonb ->> CAST(:endpoint AS text))::int, 0) + 1))::text
    END,
  window_start = GREATEST(b.window_start, excluded.window_start)
WHERE b.window_start < excluded.window_start
   OR (b.hits < :overall AND COALESCE((b.endpoints::jsonb ->> CAST(:endpoint AS text))::int, 0) < :limit)
RETURNING hits, (endpoints::jsonb ->> CAST(:endpoint AS text))::int
"""
TAKE = {"sqlite": sa.text(_SQLITE), "postgresql": sa.text(_POSTGRESQL)}
SWEEP = sa.text("DELETE FROM throttle_bucket WHERE window_start < :before")


class Unavailable(Exception):
    """The counters cannot be reached (Redis down): the request is answered 503, not served unthrottled."""


@dataclass(frozen=True, slots=True)
class Count:
    """The answer for one request: taken or refused, the hits left in this window (the fewest of its
    buckets'; 0 when refused), and the whole seconds until the window resets."""

    taken: bool
    remaining: int
    reset: int


class Buckets(Protocol):
    async def take(self, subject: str, endpoint: str, limit: int, overall: int, period: int) -> Count:
        """One hit from ``subject``'s budget for ``endpoint`` (``limit`` a window) and from its global budget
        (``overall``), or from neither when one of them is spent."""


def window_of(now: float, period: int) -> tuple[int, int]:
    """The window's start and the whole seconds until the next one (at least 1)."""
    start = int(now) - int(now) % period
    return start, max(1, math.ceil(start + period - now))


class DatabaseBuckets:
    def __init__(self, db: sa.Engine, threads: int):
        # PostgreSQL: autocommit, so the one statement is the one round trip (no BEGIN, no COMMIT). SQLite has no
        # round trips, and switching a connection's isolation level there costs more than the statement.
        self.db = db.execution_options(isolation_level="AUTOCOMMIT") if db.dialect.name == "postgresql" else db
        self.take_sql = TAKE[db.dialect.name]
        self.threads = threads  # the SQL runs in the worker threads, off the event loop
        self._swept = 0
        self._kept: sa.Connection | None = None  # SQLite: the one connection the counts take turns on

    async def take(self, subject: str, endpoint: str, limit: int, overall: int, period: int) -> Count:
        return await offload(self.threads, self.take_now, subject, endpoint, limit, overall, period)

    def take_now(self, subject: str, endpoint: str, limit: int, overall: int, period: int) -> Count:
        window, reset = window_of(time.time(), period)
        parameters = {"subject": subject, "endpoint": endpoint, "window": window, "path": f'$."{endpoint}"',
                      "limit": limit, "overall": overall}
        if self.db.dialect.name == "sqlite":  # a write: in the process's writers' turn, on a connection kept for it
            with write_turn(self.db):
                if self._kept is None:
                    self._kept = self.db.connect()
                try:
                    row = self._count(self._kept, parameters, window, period)
                except sa.exc.DBAPIError:
                    kept, self._kept = self._kept, None
                    kept.close()
                    raise
        else:
            with self.db.connect() as conn:
                row = self._count(conn, parameters, window, period)
        if row is None:  # one of the budgets is spent: nothing was taken
            return Count(False, 0, reset)
        hits, endpoint_hits = row
        return Count(True, min(overall - hits, limit - int(endpoint_hits)), reset)

    def _count(self, conn: sa.Connection, parameters: dict, window: int, period: int):
        try:
            row = conn.execute(self.take_sql, parameters).first()
            if self._swept < window:
                self._swept = window
                conn.execute(SWEEP, {"before": window - period})
            conn.commit()  # (nothing to commit in autocommit)
        except BaseException:
            conn.rollback()
            raise
        return row
