"""Fixtures: records of any resource loaded from a JSON file (``openvet load FILE``).

Many records cannot be created on the API (statuses, types, calendar resources, diagnostics, products,
histories…), yet a clinic and an integrator need them. A fixture file lists records in the order they are
made; each goes through the engine like any write (its rules, its links checked, its events), all in one
transaction: a file loads whole or not at all, and a refusal names the record and the field.

The file is a JSON object ``{"records": [...]}`` (or the list alone). Each record is
``{"resource": "<endpoint>", "key": "<name>" (optional), "fields": {<field name>: value, ...}}``. A link
(any ``*_id`` that names another record, a list of links, a polymorphic id) is an id of the clinic, or
``"@<key>"``: the record of that key made earlier in the same file. Fields are the declarations' names
(``GET /docs`` lists them), including those the ezyVet wire does not show (an AppointmentType's
``requires_animal``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openvet.engine import Actor, Problem, ValidationFailed
from openvet.resources import REGISTRY
from openvet.resources.fields import Children, Link, LinkList, RecordRef

KEY_MARK = "@"


class FixtureError(Exception):
    """A fixture file that cannot be loaded; the message names the record and says why. Nothing was written."""


@dataclass
class Loaded:
    """What a load made: how many records of each resource, and the id of each key."""

    counts: dict[str, int] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def entries_of(document: Any) -> list[dict]:
    """The records of a parsed fixture file, in order; a file of the wrong shape is refused."""
    entries = document.get("records") if isinstance(document, dict) else document
    if not isinstance(entries, list):
        raise FixtureError('a fixture file is a JSON object {"records": [...]} or a JSON list of records')
    return entries


def load(engine, clinic_id: int, entries: list[dict], advance: Callable[[int], None] | None = None) -> Loaded:
    """Write every record of ``entries`` for the clinic, in one transaction. Raises FixtureError naming the
    first record that cannot be written (and every reason it gives)."""
    loaded = Loaded()
    with engine.writing(Actor(clinic_id)) as writer:
        for number, entry in enumerate(entries, start=1):
            resource, key, values = _read_entry(entry, number, loaded)
            label = f"record {number} ({resource.name}{f', key {key!r}' if key else ''})"
            try:
                record_id = writer.create(resource, values, None)
            except ValidationFailed as failed:
                raise FixtureError(f"{label} cannot be written: {_reasons(failed.problems)}") from None
            loaded.counts[resource.name] = loaded.counts.get(resource.name, 0) + 1
            if key:
                loaded.keys[key] = record_id
            if advance:
                advance(1)
    return loaded


def _read_entry(entry: Any, number: int, loaded: Loaded):
    if not isinstance(entry, dict):
        raise FixtureError(f"record {number} must be an object with resource and fields")
    name, key, fields = entry.get("resource"), entry.get("key"), entry.get("fields", {})
    unknown = set(entry) - {"resource", "key", "fields"}
    if unknown:
        raise FixtureError(f"record {number}: unknown entries {', '.join(sorted(unknown))} "
                           "(a record has resource, key and fields)")
    resource = REGISTRY.get(name) if isinstance(name, str) else None
    if resource is None:
        raise FixtureError(f"record {number}: resource {name!r} is not a resource openvet keeps")
    if key is not None and (not isinstance(key, str) or not key.strip()):
        raise FixtureError(f"record {number}: key must be a non-empty text")
    if key in loaded.keys:
        raise FixtureError(f"record {number}: key {key!r} is already the key of an earlier record")
    if not isinstance(fields, dict):
        raise FixtureError(f"record {number}: fields must be an object")
    label = f"record {number} ({resource.name})"
    return resource, key, {name: _resolved(resource, name, value, loaded, label) for name, value in fields.items()}


def _resolved(resource, name: str, value: Any, loaded: Loaded, label: str) -> Any:
    """A link given as ``"@key"`` -> the id of the record of that key."""
    f = resource.field_map.get(name)
    if f is None:
        return value  # the engine names the unknown field
    if isinstance(f.type, Link):
        return _id(value, loaded, f"{label} {name}")
    if isinstance(f.type, LinkList) and isinstance(value, list):
        return [_id(v, loaded, f"{label} {name}") for v in value]
    if isinstance(f.type, RecordRef) and isinstance(value, dict) and len(value) == 1:
        (title, inner), = value.items()
        inner_id = inner.get("id") if isinstance(inner, dict) else inner
        return {title: {"id": _id(inner_id, loaded, f"{label} {name}")}}
    if isinstance(f.type, Children) and isinstance(value, list):
        child = REGISTRY[f.type.target]
        return [{k: _resolved(child, k, v, loaded, label) for k, v in item.items()} if isinstance(item, dict)
                else item for item in value]
    return value


def _id(value: Any, loaded: Loaded, where: str) -> Any:
    if isinstance(value, str) and value.startswith(KEY_MARK):
        key = value[len(KEY_MARK):]
        if key not in loaded.keys:
            raise FixtureError(f"{where}: no earlier record of the file has the key {key!r}")
        return loaded.keys[key]
    return value


def _reasons(problems: list[Problem]) -> str:
    return "; ".join(str(p) for p in problems)
