"""What the engine says when a request cannot be carried out. Dialects turn these into their envelopes."""

from __future__ import annotations

from dataclasses import dataclass


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
