"""Records -> ezyVet items: v1 writes every value as a string (unset: ""), v2 writes typed JSON.

A v1 endpoint whose document samples are typed (Communication) writes like v2. Dotted wire names nest
(Appointment v1 ``details.animal_id``); child lists are ids or embedded children; a link answered in full
is the linked record as the same version writes it; computed values are worked out with the ``View``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from openvet.engine import ANSWERS, expanded
from openvet.resources import REGISTRY, Resource
from openvet.resources.fields import Boolean, Children, Choice, Computed, FieldType, Link
from openvet.services import COMPUTED

Serializer = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class View:
    """What a read needs besides the records: where the API is served (for links), the moment, the key
    that signs download links."""

    base_url: str = ""
    now: int = 0
    signing_key: bytes = b""


def serializer(resource: Resource, version: str, typed: bool | None = None) -> Serializer:
    """One function per resource and version, made once. ``typed``: as the record embedding it is written
    (a child in a typed v1 answer is typed too), else as its own endpoint."""
    return _serializer(resource.name, version, resource.typed(version) if typed is None else typed)


@cache
def _serializer(name: str, version: str, typed: bool) -> Serializer:
    """Generated once per resource and version: one dict display, the common conversions written inline.

    A list of 200 records makes 6,000 conversions; calling a converter for each costs as much as the query.
    Types that keep the base conversions (text, ids, epochs) and booleans are inlined; the rest are called.
    """
    resource = REGISTRY[name]
    namespace: dict[str, Any] = {}
    tree: dict[str, Any] = {}  # wire name -> expression, nested for dotted names
    for n, f in enumerate(resource.read_fields(version)):
        get = f"get({f.name!r})"
        inline = _inline(f, typed, get)
        if inline is None:
            namespace[f"c{n}"] = _converter(f, version, typed)
            if isinstance(f.type, Computed):
                arguments = "record, view"
            elif _expands(f, version):
                arguments = f"get({expanded(f.name)!r}), view"
            elif isinstance(f.type, Children):
                arguments = f"{get}, view"
            else:
                arguments = get
            inline = f"c{n}({arguments})"
        *outer, leaf = f.wire_name(version).split(".")
        node = tree
        for part in outer:
            node = node.setdefault(part, {})
        node[leaf] = inline
    source = ("def serialize(record, view=None):\n    get = record.get\n    return " + _display(tree, 8) + "\n")
    exec(compile(source, f"<serializer {name} {version}>", "exec"), namespace)
    return namespace["serialize"]


def _display(tree: dict[str, Any], indent: int) -> str:
    pad = " " * indent
    lines = [f"{pad}{key!r}: {_display(value, indent + 4) if isinstance(value, dict) else value},"
             for key, value in tree.items()]
    return "{\n" + "\n".join(lines) + "\n" + " " * (indent - 4) + "}"


def _expands(f, version: str) -> bool:
    return isinstance(f.type, Link) and f.type.expands(version)


def _inline(f, typed: bool, get: str) -> str | None:
    kind = type(f.type)
    if isinstance(f.type, (Children, Computed)) or (isinstance(f.type, Link) and f.type.expand):
        return None
    if not typed:
        if kind.to_v1 is FieldType.to_v1:
            return f"'' if (v := {get}) is None else str(v)"
        if kind.to_v1 is Boolean.to_v1:
            return f"'' if (v := {get}) is None else ('1' if v else '0')"
        return None
    return get if kind.to_v2 is FieldType.to_v2 else None


def _converter(f, version: str, typed: bool) -> Callable[..., Any]:
    kind = f.type
    if isinstance(kind, Children):
        return _children(f, version, typed)
    if isinstance(kind, Computed):
        function, show = COMPUTED[kind.function], kind.to_v2 if typed else kind.to_v1
        return lambda record, view: show(function(record, view))
    if _expands(f, version):
        target = serializer(REGISTRY[kind.target], version, typed)
        return lambda linked, view: None if linked is None else target(linked, view)
    if typed and isinstance(kind, Choice) and version in kind.wire_case:  # a typed v1 answer spells as v1
        spell = kind.wire_case[version]
        return lambda value: None if value is None else spell(value)
    return kind.to_v2 if typed else kind.to_v1


def _children(f, version: str, typed: bool) -> Callable[[Any], Any]:
    if f.type.embeds(version):
        child = serializer(REGISTRY[f.type.target], version, typed)
        return lambda kids, view: [child(kid, view) for kid in kids or []]
    if not typed:
        return lambda kids, view: [str(kid["id"]) for kid in kids or []]
    return lambda kids, view: [kid["id"] for kid in kids or []]


def items(resource: Resource, version: str, records: list[dict[str, Any]], view: View | None = None
          ) -> list[dict[str, Any]]:
    serialize = serializer(resource, version)
    if resource.item_value:  # the item is one value itself (WebHookEvents: the list of events, L13880)
        return [{resource.name: serialize(record, view)[resource.item_value]} for record in records]
    if not records or ANSWERS not in records[0]:
        return [{resource.name: serialize(record, view)} for record in records]
    typed = resource.typed(version)
    return [{resource.name: {**serialize(record, view), ANSWERS: answers(record[ANSWERS], typed)}}
            for record in records]


def answers(asked: dict[str, Any], typed: bool) -> dict[str, Any]:
    """The answers to a list's questions (``_answers.stocklevel``, L9950): v1 writes each figure as a string
    ("23.00"), v2 as a JSON number."""
    def figure(value: Any) -> Any:
        if not isinstance(value, Decimal):
            return value if typed or value is None else str(value)
        if not typed:
            return str(value)
        return int(value) if value == value.to_integral_value() else float(value)
    return {name: None if answer is None else {key: figure(value) for key, value in answer.items()}
            for name, answer in asked.items()}
