"""Settings read from the environment, with defaults that make `openvet serve` work out of the box.

- ``OPENVET_DATA_DIR`` (default ``./data``): the SQLite file, uploaded files, demo credentials.
- ``OPENVET_DATABASE_URL``: a SQLAlchemy URL (PostgreSQL for real deployments); default the SQLite file.
- ``OPENVET_PUBLIC_URL``: how links name this server (Provet hyperlinks, download links); default: from
  the request's Host.
- ``OPENVET_MAX_UPLOAD_BYTES`` (default 20 MiB): the largest file a client may upload (413 past it).
- ``OPENVET_DB_THREADS`` (default 16): worker threads per process that run database work off the event loop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path("data")
DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024
DEFAULT_DB_THREADS = 16


def _whole(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a positive whole number, not {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    public_url: str  # how links name this server; empty: from the request's Host
    max_upload: int = DEFAULT_MAX_UPLOAD
    db_threads: int = DEFAULT_DB_THREADS

    @classmethod
    def from_environment(cls) -> Settings:
        data_dir = Path(os.environ.get("OPENVET_DATA_DIR", DEFAULT_DATA_DIR))
        url = os.environ.get("OPENVET_DATABASE_URL") or f"sqlite:///{data_dir / 'openvet.sqlite3'}"
        return cls(database_url=url, data_dir=data_dir, public_url=os.environ.get("OPENVET_PUBLIC_URL", ""),
                   max_upload=_whole("OPENVET_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD),
                   db_threads=_whole("OPENVET_DB_THREADS", DEFAULT_DB_THREADS))
