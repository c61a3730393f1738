"""Settings read from the environment, with defaults that make `openvet serve` work out of the box.

- ``OPENVET_DATA_DIR`` (default ``./data``): the SQLite file, uploaded files, demo credentials.
- ``OPENVET_DATABASE_URL``: a SQLAlchemy URL (PostgreSQL for real deployments); default the SQLite file.
- ``OPENVET_PUBLIC_URL``: how links name this server (Provet hyperlinks, download links); default: from
  the request's Host.
- ``OPENVET_MAX_UPLOAD_BYTES`` (default 20 MiB): the largest file a client may upload (413 past it).
- ``OPENVET_DB_THREADS`` (default 4 on SQLite, 16 on PostgreSQL): worker threads per process that run database
  work off the event loop.
- ``OPENVET_DISPATCHER`` (default on): ``off`` keeps ``openvet serve`` from delivering webhooks (``openvet
  worker`` does it instead).
- ``OPENVET_WEBHOOK_RETRY_SECONDS`` (default ``60,600``): the waits before a delivery's 2nd and 3rd attempts.
- ``OPENVET_WEBHOOK_TIMEOUT_SECONDS`` (default 10): how long a receiver has to answer.
- ``OPENVET_JOB_LEASE_SECONDS`` (default 120): how long a worker holds a queued job it took; a worker that dies
  mid-job leaves it to be taken again when this runs out (docs/jobqueue.md).
- ``OPENVET_WELLNESS_RENEW_SECONDS`` (default 300): seconds between two wellness renewal runs of a dispatcher
  (terms renewed, credits refreshed); 0 turns them off (``openvet wellness renew`` from a cron instead).
- ``OPENVET_RATE_LIMIT`` (default ``60/180``): ``off``, or ``E/G`` requests a minute per endpoint / per clinic
  and partner, optionally ``E/G/T`` with ``T`` token requests a minute per client id (default 20); see
  docs/throttling.md.
- ``OPENVET_REDIS_URL``: a Redis server holding the throttling counters (default: the database).
- ``OPENVET_WEBHOOK_PRIVATE_TARGETS``: ``allow`` lets webhooks reach loopback, link-local and private addresses
  (read where it is used, ``services/webhooks.py``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path("data")
DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024
# Worker threads for database work, by database (OPENVET_DB_THREADS overrides). SQLite's reads are the process's
# own CPU work, and Python's sqlite3 gives the GIL up for every row it steps: past a few threads they hand the GIL
# back and forth more than they work (4 threads against 16 on the bench: 4-44 % more requests a second, a list's
# p99 ÷ p50 from 1.9-2.9 down to 1.2-1.7). PostgreSQL's threads wait on the network, and more of them overlap the
# waits (a list of 10: 1,100-1,150 req/s with 16, 760-830 with 4). docs/benchmarks.md has both runs.
DB_THREADS = {"sqlite": 4, "postgresql": 16}
DEFAULT_RETRY_SECONDS = (60, 600)
DEFAULT_WEBHOOK_TIMEOUT = 10
DEFAULT_JOB_LEASE = 120
DEFAULT_WELLNESS_RENEW = 300


def database_threads(url: str) -> int:
    """The default number of database threads for the database at ``url`` (``DB_THREADS``)."""
    return DB_THREADS["sqlite" if url.startswith("sqlite") else "postgresql"]


def _whole(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a positive whole number, not {raw!r}")
    return int(raw)


def _seconds_or_off(name: str, default: int) -> int:
    """A whole number of seconds, where 0 turns the work off."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit():
        raise ValueError(f"{name} must be a whole number of seconds (0: off), not {raw!r}")
    return int(raw)


def _waits(name: str, default: tuple[int, int]) -> tuple[int, int]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
        raise ValueError(f"{name} must be two whole numbers of seconds, like 60,600, not {raw!r}")
    return int(parts[0]), int(parts[1])


def _switch(name: str) -> bool:
    raw = os.environ.get(name, "on").strip().lower() or "on"
    if raw not in ("on", "off"):
        raise ValueError(f"{name} must be on or off, not {raw!r}")
    return raw == "on"


@dataclass(frozen=True)
class RateLimit:
    """The throttling policy (the ezyVet document, L150-L175): requests a ``period`` per endpoint, per clinic and
    partner across endpoints (the global limit), and token requests per client id."""

    endpoint: int = 60
    clinic: int = 180
    token: int = 20
    period: int = 60

    @classmethod
    def parse(cls, raw: str | None) -> RateLimit | None:
        """``OPENVET_RATE_LIMIT``: ``off`` (None), ``E/G`` or ``E/G/T``; unset or empty: the default 60/180."""
        text = (raw or "").strip().lower()
        if text == "off":
            return None
        if not text:
            return cls()
        parts = [p.strip() for p in text.split("/")]
        if len(parts) in (2, 3) and all(p.isascii() and p.isdigit() and int(p) >= 1 for p in parts):
            return cls(*(int(p) for p in parts))
        raise ValueError(f"OPENVET_RATE_LIMIT must be off, or E/G whole requests a minute per endpoint / per clinic "
                         f"and partner (like 60/180), optionally E/G/T with T token requests a minute per client id "
                         f"(like 60/180/20); not {raw!r}")


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    public_url: str  # how links name this server; empty: from the request's Host
    max_upload: int = DEFAULT_MAX_UPLOAD
    db_threads: int = 0  # 0: by the database (DB_THREADS)
    dispatcher: bool = False  # deliver webhooks in this process (``openvet serve``: on unless told off)
    webhook_retry_seconds: tuple[int, int] = DEFAULT_RETRY_SECONDS
    webhook_timeout: float = DEFAULT_WEBHOOK_TIMEOUT
    job_lease: int = DEFAULT_JOB_LEASE  # seconds a worker holds a job it took (OPENVET_JOB_LEASE_SECONDS)
    wellness_renew: int = DEFAULT_WELLNESS_RENEW  # seconds between renewal runs, 0 off (OPENVET_WELLNESS_RENEW_SECONDS)
    rate_limit: RateLimit | None = None  # None: no throttling (built in code); from the environment: 60/180
    redis_url: str = ""  # the throttling counters' Redis; empty: the database

    def __post_init__(self) -> None:
        if not self.db_threads:
            object.__setattr__(self, "db_threads", database_threads(self.database_url))

    @classmethod
    def from_environment(cls) -> Settings:
        data_dir = Path(os.environ.get("OPENVET_DATA_DIR", DEFAULT_DATA_DIR))
        url = os.environ.get("OPENVET_DATABASE_URL") or f"sqlite:///{data_dir / 'openvet.sqlite3'}"
        return cls(database_url=url, data_dir=data_dir, public_url=os.environ.get("OPENVET_PUBLIC_URL", ""),
                   max_upload=_whole("OPENVET_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD),
                   db_threads=_whole("OPENVET_DB_THREADS", 0),  # unset: 0, by the database
                   dispatcher=_switch("OPENVET_DISPATCHER"),
                   webhook_retry_seconds=_waits("OPENVET_WEBHOOK_RETRY_SECONDS", DEFAULT_RETRY_SECONDS),
                   webhook_timeout=_whole("OPENVET_WEBHOOK_TIMEOUT_SECONDS", DEFAULT_WEBHOOK_TIMEOUT),
                   job_lease=_whole("OPENVET_JOB_LEASE_SECONDS", DEFAULT_JOB_LEASE),
                   wellness_renew=_seconds_or_off("OPENVET_WELLNESS_RENEW_SECONDS", DEFAULT_WELLNESS_RENEW),
                   rate_limit=RateLimit.parse(os.environ.get("OPENVET_RATE_LIMIT")),
                   redis_url=os.environ.get("OPENVET_REDIS_URL", "").strip())
