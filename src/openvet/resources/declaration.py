"""A resource, declared once as data.

The declaration says which fields a resource has, which operations each API version serves, the page
limit, and the names of the business rules (in ``openvet.services``) that run on write. The store builds
its table from it, the engine validates and writes with it, the dialects serialise with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openvet.resources.fields import VERSIONS, Children, Field, RecordRef, system_fields

OPERATIONS = ("list", "get", "create", "update", "delete")
METHOD_OF = {"list": "GET", "get": "GET", "create": "POST", "update": "PATCH", "delete": "DELETE"}


@dataclass(frozen=True)
class Endpoint:
    """What one API version serves of a resource."""

    operations: tuple[str, ...] = ("list", "get")
    page_limit: int = 200  # "limit: range 1 - 200" (L153) unless the endpoint states a narrower range
    singleton: bool = False  # e.g. SystemSetting: one object, not a list


@dataclass(frozen=True)
class Resource:
    name: str  # the endpoint name and item wrapper: "animal"
    title: str  # the resource's name in the document: "Animal"
    fields: tuple[Field, ...]
    endpoints: dict[str, Endpoint]  # "v1" / "v2" -> what that version serves
    rules: tuple[str, ...] = ()  # names of write rules in openvet.services
    system: bool = True  # carries id/active/created_at/modified_at
    spec_line: int | None = None  # where the document describes it
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
        object.__setattr__(self, "_filter_maps", {v: {w: f for w, f in self._wire_maps[v].items() if f.filter}
                                                  for v in VERSIONS})
        for version in self.endpoints:
            assert version in VERSIONS, version

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

    def wire_map(self, version: str) -> dict[str, Field]:
        """Wire name -> field, for one version."""
        return self._wire_maps[version]

    def filter_map(self, version: str) -> dict[str, Field]:
        """Wire name -> field, for the fields a list of that version filters on."""
        return self._filter_maps[version]

    def serves(self, version: str, operation: str) -> bool:
        endpoint = self.endpoints.get(version)
        return endpoint is not None and operation in endpoint.operations

    @property
    def scope_read(self) -> str:
        return f"read-{self.name}"

    @property
    def scope_write(self) -> str:
        return f"write-{self.name}"

    def event_names(self) -> tuple[str, ...]:
        """Webhook event names, ``<endpoint>_<event>`` as the document's WebHookEvents lists them."""
        ops = {op for e in self.endpoints.values() for op in e.operations}
        names = []
        if "create" in ops:
            names.append(f"{self.name}_created")
        if "update" in ops:
            names.append(f"{self.name}_updated")
        if "delete" in ops:
            names.append(f"{self.name}_disabled")
        return tuple(names)
