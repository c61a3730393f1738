"""Settings read from the environment, with defaults that make `openvet serve` work out of the box."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = Path("data")


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    public_url: str  # how Provet hyperlinks name this server; empty: from the request's Host

    @classmethod
    def from_environment(cls) -> Settings:
        data_dir = Path(os.environ.get("OPENVET_DATA_DIR", DEFAULT_DATA_DIR))
        url = os.environ.get("OPENVET_DATABASE_URL") or f"sqlite:///{data_dir / 'openvet.sqlite3'}"
        return cls(database_url=url, data_dir=data_dir, public_url=os.environ.get("OPENVET_PUBLIC_URL", ""))
