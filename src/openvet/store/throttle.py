"""Throttling counters in the database: a fixed window per bucket, taken with one atomic upsert.

A request takes one hit from each of its buckets (its endpoint's and its clinic and partner's global one), all
or none: a refused request uses up nothing. Each bucket is one row (``throttle_bucket``) holding the window it
counts and its hits; one ``INSERT … ON CONFLICT DO UPDATE … WHERE hits < limit RETURNING hits`` (the same
text on SQLite and PostgreSQL) both checks and takes, so two processes never both take the last hit: the
row is locked by the upsert until the transaction ends. A request's buckets are taken in one transaction,
which is rolled back when a later bucket refuses. A window only moves forward, so servers whose clocks
differ by a second cannot reset each other's counts.

Rows of windows long gone are swept once a window per process; the table holds one row per live bucket.
Redis does the same with a Lua script (``store/redis_throttle.py``): both answer a ``Count``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa

from openvet.engine.offload import offload

TAKE = sa.text(
    "INSERT INTO throttle_bucket (bucket, window_start, hits) VALUES (:bucket, :window, 1) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "hits = CASE WHEN throttle_bucket.window_start < excluded.window_start THEN 1 "
    "ELSE throttle_bucket.hits + 1 END, "
    "window_start = CASE WHEN throttle_bucket.window_start < excluded.window_start "
    "THEN excluded.window_start ELSE throttle_bucket.window_start END "
    "WHERE throttle_bucket.window_start < excluded.window_start OR throttle_bucket.hits < :limit "
    "RETURNING hits")
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
    async def take(self, buckets: list[tuple[str, int]], period: int) -> Count:
        """One hit from every (bucket, limit), or from none when one of them is at its limit."""


def window_of(now: float, period: int) -> tuple[int, int]:
    """The window's start and the whole seconds until the next one (at least 1)."""
    start = int(now) - int(now) % period
    return start, max(1, math.ceil(start + period - now))


class DatabaseBuckets:
    def __init__(self, db: sa.Engine, threads: int):
        self.db = db
        self.threads = threads  # the SQL runs in the worker threads, off the event loop
        self._swept = 0

    async def take(self, buckets: list[tuple[str, int]], period: int) -> Count:
        return await offload(self.threads, self.take_now, buckets, period)

    def take_now(self, buckets: list[tuple[str, int]], period: int) -> Count:
        window, reset = window_of(time.time(), period)
        remaining = []
        with self.db.connect() as conn:
            for bucket, limit in buckets:
                hits = conn.execute(TAKE, {"bucket": bucket, "window": window, "limit": limit}).scalar()
                if hits is None:  # at its limit: give back what this request took
                    conn.rollback()
                    return Count(False, 0, reset)
                remaining.append(limit - hits)
            conn.commit()
        if self._swept < window:
            self._swept = window
            with self.db.begin() as conn:
                conn.execute(SWEEP, {"before": window - period})
        return Count(True, min(remaining), reset)
