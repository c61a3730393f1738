"""A resource, declared once as data.

The declaration says which fields a resource has, which operations each API version serves (and how each
is addressed, what it parses and what it answers), the page limit, the events it fires and the names of
the business rules (in ``openvet.services``) that run on write. The store builds its table from it, the
engine validates and writes with it, the dialects route and serialise with it, the OpenAPI document
describes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openvet.resources.fields import VERSIONS, Children, Field, RecordRef, UidRef, system_fields

KINDS = ("list", "get", "create", "update", "delete", "download")
METHOD_OF = {"list": "GET", "get": "GET", "create": "POST", "update": "PATCH", "delete": "DELETE",
             "download": "GET"}
EVENTS = ("created", "updated", "disabled")  # what can happen to any record, whoever does it


@dataclass(frozen=True)
class Operation:
    """One thing an API version does with a resource: a method on a path, like DRF's routes and actions.

    ``path`` is below ``/<version>/<endpoint>``: "" (the collection), "{id}" (one record) or more
    ("download/{id}"). ``address`` says how the records written are named: ``path`` (the id in the path),
    ``matching`` (the collection's filters, or an ``id`` in the body, as Invoice v2 PATCH does), or a field
    name whose value in the body names the record (ExternalPrescription's ``prescription_uid``).
    ``parses`` is the body's form (json, multipart, none); ``answers`` what comes back: ``items`` (the
    records), ``none`` (an empty ``items``, as most v1 DELETE samples show), ``messages`` (a success
    message naming the record, as ExternalPrescription answers), ``binary`` (the bytes of a file).
    ``extension`` marks what openvet serves beyond the ezyVet document. ``params``: query parameters a write
    reads as write-only fields of its body (ReceiveInvoice's ``confirm_invoice_number``, L11095).
    """

    kind: str
    path: str = ""
    address: str = "path"
    parses: str = ""  # default: json for create and update, none for the others
    answers: str = "items"
    questions: tuple[str, ...] = ()
    extension: bool = False
    params: tuple[str, ...] = ()

    def __post_init__(self):
        if not self.parses:
            object.__setattr__(self, "parses", "json" if self.kind in ("create", "update") else "none")

    @property
    def method(self) -> str:
        return METHOD_OF[self.kind]

    @property
    def member(self) -> bool:
        return "{id}" in self.path

    @property
    def scope_kind(self) -> str:
        return "read" if self.method == "GET" else "write"

    def matches(self, segments: tuple[str, ...]) -> bool:
        """Whether the path below the endpoint (split on /) is this operation's path ({id} matches any)."""
        own = tuple(s for s in self.path.split("/") if s)
        return len(own) == len(segments) and all(o == "{id}" or o == s for o, s in zip(own, segments, strict=True))


def standard(kind: str, singleton: bool = False, answers: str | None = None, parses: str = "",
             params: tuple[str, ...] = ()) -> list[Operation]:
    """The operations a plain verb means. Update and delete act on one record (by path) and on the records
    a filter matches (on the collection)."""
    if kind == "list":
        return [Operation("list")]
    if kind == "get":
        return [Operation("get", "" if singleton else "{id}")]
    if kind == "create":
        return [Operation("create", parses=parses, answers=answers or "items", params=params)]
    if kind in ("update", "delete"):
        answer = answers or "items"
        return [Operation(kind, "{id}", answers=answer, parses=parses, params=params),
                Operation(kind, "", address="matching", answers=answer, parses=parses, params=params)]
    raise ValueError(f"no standard operation {kind!r}")


@dataclass(frozen=True)
class Endpoint:
    """What one API version serves of a resource.

    ``operations`` takes plain verbs ("list", "get", "create", "update", "delete") and ``Operation``
    objects for anything else. ``typed`` is for the v1 endpoints whose document samples write typed JSON
    like v2 (Communication). ``delete_answers`` says what a DELETE answers: the v1 samples show an empty
    ``items`` (L631, L1021), the v2 ones the records written (L7305).
    """

    operations: tuple[str | Operation, ...] = ("list", "get")
    page_limit: int = 200  # "limit: range 1 - 200" (L153) unless the endpoint states a narrower range
    singleton: bool = False  # e.g. SystemSetting: one object, not a list
    typed: bool = False
    delete_answers: str | None = None
    extension: bool = False  # served by openvet, not described by the ezyVet document
    # query parameters that are not fields: name -> (field, comparator), e.g. Appointment v1's
    # time_range_start (L1096) is start_at gte
    filters: dict[str, tuple[str, str]] = field(default_factory=dict)
    declared: tuple[Operation, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        ops: list[Operation] = []
        for op in self.operations:
            if isinstance(op, Operation):
                ops.append(op)
            else:
                answers = self.delete_answers if op == "delete" else None
                ops += standard(op, self.singleton, answers)
        if self.extension:
            ops = [Operation(o.kind, o.path, o.address, o.parses, o.answers, o.questions, True, o.params) for o in ops]
        object.__setattr__(self, "declared", tuple(ops))

    def kinds(self) -> set[str]:
        return {op.kind for op in self.declared}


@dataclass(frozen=True)
class Sum:
    """A total the database keeps as the resource's records change (store/sums.py), for a question that would
    otherwise sum every record: the sum of ``amount`` over the records that meet ``where`` (field, comparator,
    value: "eq", "neq", "lt"…), one per value of ``by``, and per UTC day of the epoch field ``per_day`` when set
    (so that a window of whole days is a few rows). Read by ``Reading.kept`` (services/changes.py)."""

    name: str
    amount: str
    by: str
    where: tuple[tuple[str, str, Any], ...] = ()
    per_day: str = ""


@dataclass(frozen=True)
class Resource:
    name: str  # the endpoint name and item wrapper: "animal"
    title: str  # the resource's name in the document: "Animal"
    fields: tuple[Field, ...]
    endpoints: dict[str, Endpoint]  # "v1" / "v2" -> what that version serves; {} for records no API serves
    rules: tuple[str, ...] = ()  # names of write rules in openvet.services
    system: bool = True  # carries id/active/created_at/modified_at
    spec_line: int | None = None  # where the document describes it
    events: tuple[str, ...] = EVENTS  # <name>_<event> webhook events (L13855)
    # groups of fields of which a create sends at least one (a rule says why): ContactDetail's contact_id or
    # contact_uid (L4389); a field alone in its group is simply required
    one_of: tuple[tuple[str, ...], ...] = ()
    # records kept in no table: ``services.LISTINGS[listed_by](registry)`` lists them (WebHookEvents, the events
    # the registry declares); such a resource is read-only
    listed_by: str = ""
    # the field whose value is the whole item (WebHookEvents' item is the list of names itself, L13880)
    item_value: str = ""
    sums: tuple[Sum, ...] = ()  # totals kept as the records change (a product's stock on hand)
    field_map: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        declared = tuple(self.fields)
        if self.system:
            names = {f.name for f in declared}
            declared = tuple(f for f in system_fields(self.title) if f.name not in names) + declared
        object.__setattr__(self, "fields", declared)
        object.__setattr__(self, "field_map", {f.name: f for f in declared})
        # Asked on every request: worked out once.
        object.__setattr__(self, "_children", tuple(f for f in declared if isinstance(f.type, Children)))
        object.__setattr__(self, "_record_refs", tuple(f for f in declared if isinstance(f.type, RecordRef)))
        object.__setattr__(self, "_wire_maps", {v: {f.wire_name(v): f for f in declared if v in f.versions}
                                                for v in VERSIONS})
        object.__setattr__(self, "_filter_maps", {v: {f.leaf_name(v): f for f in declared
                                                      if v in f.versions and f.filter
                                                      and (f.stored or isinstance(f.type, UidRef))}
                                                  for v in VERSIONS})
        for version in self.endpoints:
            assert version in VERSIONS, version
        for group in self.one_of:
            assert set(group) <= set(self.field_map), (self.name, group)

    def one_of_for(self, version: str, names: set[str] | None = None) -> list[tuple[str, ...]]:
        """The ``one_of`` groups as ``version`` writes them: only the fields it has (among ``names``); a group
        with a field the version requires anyway is that field alone (ContactDetail v2 requires type_id)."""
        present = {f.name for f in self.fields_for(version)} if names is None else names
        groups = []
        for group in self.one_of:
            fields = tuple(n for n in group if n in present)
            required = tuple(n for n in fields if self.field_map[n].mandatory_on(version))
            groups.append(required[:1] or fields)
        return [g for g in groups if g]

    @property
    def table(self) -> str:
        return self.name

    def stored_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.stored)

    def children(self) -> tuple[Field, ...]:
        return self._children

    def record_refs(self) -> tuple[Field, ...]:
        return self._record_refs

    def fields_for(self, version: str) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if version in f.versions)

    def read_fields(self, version: str) -> tuple[Field, ...]:
        """The fields an answer of ``version`` carries (write-only inputs are not among them)."""
        return tuple(f for f in self.fields if version in f.versions and f.read)

    def wire_map(self, version: str) -> dict[str, Field]:
        """Wire name -> field, for one version (nested names dotted: ``details.animal_id``)."""
        return self._wire_maps[version]

    def filter_map(self, version: str) -> dict[str, Field]:
        """Query parameter -> field, for the fields a list of that version filters on."""
        return self._filter_maps[version]

    def operations(self, version: str) -> tuple[Operation, ...]:
        endpoint = self.endpoints.get(version)
        return endpoint.declared if endpoint else ()

    def serves(self, version: str, kind: str) -> bool:
        endpoint = self.endpoints.get(version)
        return endpoint is not None and kind in endpoint.kinds()

    def typed(self, version: str) -> bool:
        """Whether ``version`` writes typed JSON for this resource (v2 always; v1 where the samples do)."""
        return version != "v1" or bool(self.endpoints.get("v1") and self.endpoints["v1"].typed)

    @property
    def scope_read(self) -> str:
        return f"read-{self.name}"

    @property
    def scope_write(self) -> str:
        return f"write-{self.name}"

    def event_names(self) -> tuple[str, ...]:
        """Webhook event names, ``<endpoint>_<event>`` as the document's WebHookEvents lists them. Events name
        what happened to the record, whoever did it: ``product_created`` though no API creates products."""
        return tuple(f"{self.name}_{event}" for event in self.events)
