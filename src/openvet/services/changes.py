"""What a business rule sees and may do: one ``Change`` to one record.

A rule looks at the record as it will be (``record``) and as it was (``before``, None on create), and
- refuses what the clinic would refuse: ``change.refuse(field, reason)``;
- works out a value of the record itself: ``change.derive(field, value)`` (or, when the value needs the
  new record's id, ``change.derive_from_id(field, function)``);
- plans writes to other records: ``change.create(...)``, ``change.update(...)``, ``change.deactivate(...)``.
  A planned write returns a ``Pending`` id that other planned writes (or ``derive``) may use; ``change.this``
  is the id of the record being written. The engine writes the plans in the same transaction, each through
  the whole pipeline (its own rules and events), in an order that gives every pending id its value first.
A rule never writes itself and never opens a transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Pending:
    """The id of a record that a write will make; known once that record is written."""

    __slots__ = ("label", "id")

    def __init__(self, label: str, record_id: int | None = None):
        self.label = label
        self.id = record_id

    def __repr__(self) -> str:
        return f"<pending {self.label}: {self.id}>"


@dataclass
class Effect:
    """A write to another record, planned by a rule."""

    kind: str  # create | update | deactivate
    resource: str
    values: dict[str, Any]  # by field name; may hold Pending ids
    record_id: int | Pending | None = None  # the record updated or deactivated
    result: Pending | None = None  # the id of the record created
    where: str = ""  # prefix for the problems of this write (the client's name for what caused it)

    def pendings(self) -> list[Pending]:
        found = [v for v in self.values.values() if isinstance(v, Pending)]
        return found + ([self.record_id] if isinstance(self.record_id, Pending) else [])


@dataclass
class Rule:
    function: Callable[[Change], None]
    on_child_change: bool = False  # also run when a child in one of the record's lists changes


RULES: dict[str, Rule] = {}
COMPUTED: dict[str, Callable[[dict[str, Any], Any], Any]] = {}
QUESTIONS: dict[str, Callable[[Reading, list[dict[str, Any]]], dict[int, dict[str, Any]]]] = {}
LISTINGS: dict[str, Callable[[dict[str, Any]], list[dict[str, Any]]]] = {}


def rule(function: Callable[[Change], None] | None = None, *, on_child_change: bool = False):
    """Register a rule under its own name, the name declarations use. ``on_child_change``: run it again
    whenever a record of one of the resource's child lists is written (to keep a total, say)."""

    def register(fn: Callable[[Change], None]) -> Callable[[Change], None]:
        RULES[fn.__name__] = Rule(fn, on_child_change)
        return fn

    return register(function) if function is not None else register


def listing(function: Callable[[dict[str, Any]], list[dict[str, Any]]]):
    """Register the records of a resource that no table keeps (``listed_by``): ``function(registry)``."""
    LISTINGS[function.__name__] = function
    return function


def computed(function: Callable[[dict[str, Any], Any], Any]) -> Callable[[dict[str, Any], Any], Any]:
    """Register a value worked out on read (a ``Computed`` field names it): ``function(record, view)``."""
    COMPUTED[function.__name__] = function
    return function


def question(function):
    """Register a question a list may be asked (``?questions=[{"name": "stocklevel"}]``, L9966), under its own
    name, the name an ``Operation`` declares: ``function(reading, records)`` answers ``{record id: answer}`` for a
    whole page at once (one query per page, never one per record)."""
    QUESTIONS[function.__name__] = function
    return function


@dataclass
class Reading:
    """What a question may read: the clinic's records, in the transaction of the list it answers."""

    engine: Any
    conn: Any
    clinic_id: int

    def totals(self, resource_name: str, amount: str, by: str, keys: list[int], where: tuple = (),
               **equal: Any) -> dict[int, Any]:
        """The sum of ``amount`` over the records whose ``by`` is each of ``keys`` (and whose fields equal
        ``equal``, and meet each ``(field, operator, value)`` of ``where``: "lt", "gte", "in"…): one grouped
        query."""
        return self.engine.totals(self.conn, self.clinic_id, resource_name, amount, by, keys, equal, where)

    def kept(self, resource_name: str, name: str, keys: list[int], from_day: int | None = None) -> dict[int, Any]:
        """A sum the resource declares kept (``Resource.sums``: one row a key, or a day of a key, whatever the
        number of records): the total of each of ``keys``; for a sum kept per day, over the UTC days from
        ``from_day`` (days since the epoch) on."""
        return self.engine.kept(self.conn, self.clinic_id, resource_name, name, keys, from_day)


@dataclass
class Change:
    engine: Any  # the engine's writer (not imported: rules sit below the engine)
    conn: Any
    actor: Any  # who is calling: clinic_id, credential_id, partner_id
    resource: Any
    values: dict[str, Any]  # what the client sent, parsed
    record: dict[str, Any]  # the record as it will be after the write
    before: dict[str, Any] | None  # the record before (None on create)
    version: str | None
    problems: list
    prefix: str = ""
    this: Pending = field(default_factory=lambda: Pending("this"))
    child_changed: bool = False  # run again because a child in one of its lists was written
    listed: bool = False  # written in its parent's child list (a StockAdjustment's line_item), not on its own
    now: int = 0  # the moment of the write (epoch seconds), the same for every record it writes
    # the child lists the client sent with this write, by field name, as sent (objects, or ids on PATCH): a rule
    # may need to know what comes with the record (a batch-tracked item's batches, a receipt's supplier codes)
    lists: dict[str, list] = field(default_factory=dict)
    effects: list[Effect] = field(default_factory=list)
    after_insert: list[tuple[str, Callable[[int], Any]]] = field(default_factory=list)
    warnings: list = field(default_factory=list)  # the writer's: what the answer says besides the records

    @property
    def clinic_id(self) -> int:
        return self.actor.clinic_id

    @property
    def creating(self) -> bool:
        return self.before is None

    @property
    def deactivating(self) -> bool:
        return self.before is not None and self.before.get("active") and self.values.get("active") is False

    def sent(self, name: str) -> bool:
        """Whether the client wrote this field in this request."""
        return name in self.values

    def wire_name(self, name: str) -> str:
        field_ = self.resource.field_map.get(name)
        return field_.wire_name(self.version or "v1") if field_ else name

    def refuse(self, field_name: str | None, reason: str) -> None:
        from openvet.engine.problems import Problem

        name = self.wire_name(field_name) if field_name else None
        self.problems.append(Problem(self.prefix + name if name else None, reason))

    def warn(self, field_name: str | None, reason: str) -> None:
        """Allow the write but say something about it in the answer's messages (a Contact invoiced whose
        stop_credit is WARNING, L3481)."""
        from openvet.engine.problems import Problem

        name = self.wire_name(field_name) if field_name else None
        self.warnings.append(Problem(self.prefix + name if name else None, reason))

    def forbid(self, reason: str) -> None:
        """Refuse the whole write because of who is asking (403): nothing is written."""
        from openvet.engine.problems import Forbidden

        raise Forbidden(reason)

    def refused(self, field_name: str) -> bool:
        """Whether a problem already names this field (no need to say more about it)."""
        name = self.prefix + self.wire_name(field_name)
        return any(p.field == name for p in self.problems)

    def derive(self, field_name: str, value: Any) -> None:
        """Set a value the clinic works out itself (a cleaned phone number, a total); written with the rest."""
        self.values[field_name] = value
        self.record[field_name] = value

    def derive_from_id(self, field_name: str, function: Callable[[int], Any]) -> None:
        """A value made from the new record's id (a consult's code), written as soon as the id is known."""
        self.after_insert.append((field_name, function))

    # reading what else the clinic has ----------------------------------------------------------------

    def lookup(self, resource_name: str, record_id: int | None) -> dict[str, Any] | None:
        if record_id is None or isinstance(record_id, Pending):
            return None
        return self.engine.lookup(self.conn, self.clinic_id, resource_name, record_id)

    def find(self, resource_name: str, limit: int | None = None, **equal: Any) -> list[dict[str, Any]]:
        """Records of the clinic whose fields equal the values given, in id order."""
        return self.engine.find(self.conn, self.clinic_id, resource_name, equal, limit)

    def children(self, field_name: str) -> list[dict[str, Any]]:
        """The active records of one of this record's child lists, as they are now in this transaction."""
        if self.before is None and self.this.id is None:
            return []
        return self.engine.children_of(self.conn, self.clinic_id, self.resource, field_name,
                                       self.this.id or self.before["id"])

    # planning writes to other records -----------------------------------------------------------------

    def create(self, resource_name: str, values: dict[str, Any], where: str = "") -> Pending:
        result = Pending(resource_name)
        self.effects.append(Effect("create", resource_name, dict(values), None, result, where))
        return result

    def update(self, resource_name: str, record_id: int | Pending, values: dict[str, Any], where: str = "") -> None:
        self.effects.append(Effect("update", resource_name, dict(values), record_id, None, where))

    def deactivate(self, resource_name: str, record_id: int | Pending, where: str = "") -> None:
        self.effects.append(Effect("deactivate", resource_name, {}, record_id, None, where))
