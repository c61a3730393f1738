"""Records -> ezyVet items: v1 writes every value as a string (unset: ""), v2 writes typed JSON."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from openvet.resources import REGISTRY, Resource
from openvet.resources.fields import Children

Serializer = Callable[[dict[str, Any]], dict[str, Any]]


def serializer(resource: Resource, version: str) -> Serializer:
    """One function per resource and version, made once: a list of (wire name, field name, converter)."""
    return _serializer(resource.name, version)


@cache
def _serializer(name: str, version: str) -> Serializer:
    resource = REGISTRY[name]
    plan: list[tuple[str, str, Callable[[Any], Any]]] = []
    for field in resource.fields_for(version):
        if isinstance(field.type, Children):
            plan.append((field.wire_name(version), field.name, _children(field, version)))
        else:
            convert = field.type.to_v1 if version == "v1" else field.type.to_v2
            plan.append((field.wire_name(version), field.name, convert))

    def serialize(record: dict[str, Any]) -> dict[str, Any]:
        return {wire: convert(record.get(name)) for wire, name, convert in plan}

    return serialize


def _children(field, version: str) -> Callable[[Any], Any]:
    embed = version in getattr(field.type, "embed", ())
    if embed:
        child = serializer(REGISTRY[field.type.target], version)
        return lambda kids: [child(kid) for kid in kids or []]
    if version == "v1":
        return lambda kids: [str(kid["id"]) for kid in kids or []]
    return lambda kids: [kid["id"] for kid in kids or []]


def items(resource: Resource, version: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    serialize = serializer(resource, version)
    return [{resource.name: serialize(record)} for record in records]
