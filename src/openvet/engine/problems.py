"""What the engine says when a request cannot be carried out. Dialects turn these into their envelopes."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

RETRY_AFTER = 5  # seconds a client is asked to wait (Retry-After) while the database cannot be reached
_SQLITE_UNAVAILABLE = ("database is locked", "database is busy", "unable to open database", "disk i/o error")


@dataclass(frozen=True, slots=True)
class Problem:
    field: str | None  # the name the client used (wire name), or None for the whole record
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason


class ValidationFailed(Exception):
    """One or more fields cannot be written; nothing was changed."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


class NotFound(Exception):
    """No record with that id in this clinic (a record of another clinic does not exist, as far as we say)."""


class Forbidden(Exception):
    """The record exists but this caller may not do this to it (another partner's external prescription)."""


def unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached just now (down, restarting, refusing or dropping
    connections, out of pooled connections, locked): a 503 to try again, not a fault of the request.

    On SQLite an OperationalError is also a bad statement ("no such table"): only its busy and unreachable
    messages count there; anything else stays a 500.
    """
    if isinstance(error, sa.exc.TimeoutError):  # no pooled connection came free in time
        return True
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if type(error.orig).__module__.startswith("sqlite3"):
        text = str(error.orig).lower()
        return isinstance(error, sa.exc.OperationalError) and any(m in text for m in _SQLITE_UNAVAILABLE)
    return isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError))
