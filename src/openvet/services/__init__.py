"""Business rules: small functions that a resource declaration names in ``rules``.

A rule looks at one ``Change`` (the record as it will be, and as it was) and refuses what the clinic would
refuse, by calling ``change.refuse(field, reason)``, or works out a value with ``change.derive``. It never
writes itself; the engine writes only when no rule refused anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RULES: dict[str, Callable[[Change], None]] = {}


def rule(function: Callable[[Change], None]) -> Callable[[Change], None]:
    """Register ``function`` under its own name, the name declarations use."""
    RULES[function.__name__] = function
    return function


@dataclass
class Change:
    engine: Any  # openvet.engine.Engine (not imported: rules sit below the engine)
    conn: Any
    clinic_id: int
    resource: Any
    values: dict[str, Any]  # what the client sent, parsed
    record: dict[str, Any]  # the record as it will be after the write
    before: dict[str, Any] | None  # the record before (None on create)
    version: str | None
    problems: list
    prefix: str = ""

    @property
    def creating(self) -> bool:
        return self.before is None

    def refuse(self, field: str | None, reason: str) -> None:
        from openvet.engine.problems import Problem

        name = self.resource.field_map[field].wire_name(self.version or "v1") if field else None
        self.problems.append(Problem(self.prefix + name if name else None, reason))

    def derive(self, field: str, value: Any) -> None:
        """Set a value the clinic works out itself (a cleaned phone number, a total); written with the rest."""
        self.values[field] = value
        self.record[field] = value

    def lookup(self, resource_name: str, record_id: int | None) -> dict[str, Any] | None:
        if record_id is None:
            return None
        return self.engine.lookup(self.conn, self.clinic_id, resource_name, record_id)


from openvet.services import animals, contacts  # noqa: E402,F401  (registers their rules)
