"""The ezyVet webhook payload: what a subscribed ``webhook_url`` receives (docs/webhooks.md).

The record is written as the API writes its own item (v2 where the resource is served on v2, else v1), wrapped
in its endpoint's name, cut to the webhook's ``fields`` (dotted names reach into nested objects and lists of
objects, L14051; none: every field). It is the record as it is when the event is sent.
"""

from __future__ import annotations

from typing import Any

import orjson

from openvet.engine import Actor, NotFound
from openvet.ezyvet.serializers import View, serializer
from openvet.resources import REGISTRY


def payload_version(resource_name: str) -> str:
    resource = REGISTRY[resource_name]
    return "v2" if "v2" in resource.endpoints else "v1"


def payload(engine: Any, delivery: Any, fields: list[str] | None, view: View) -> bytes:
    """The JSON body of one delivery: ``event``, ``event_id``, ``webhook_id``, ``timestamp``, ``version`` and
    ``items`` (the record, as one item of a list answer; empty if the record cannot be read)."""
    resource = REGISTRY.get(delivery.resource)
    items: list[dict[str, Any]] = []
    version = payload_version(delivery.resource) if resource else "v1"
    if resource is not None and not resource.listed_by:
        try:
            record = engine.get(Actor(delivery.clinic_id), resource, delivery.record_id)
        except NotFound:
            record = None
        if record is not None:
            shown = serializer(resource, version)(record, view)
            items.append({resource.name: cut(shown, list(fields or []))})
    body = {"event": delivery.event, "event_id": delivery.event_id, "webhook_id": delivery.webhook_id,
            "timestamp": view.now, "version": version, "items": items}
    return orjson.dumps(body)


def cut(value: Any, fields: list[str]) -> Any:
    """``value`` with only the named fields (``a``, ``a.b``); a list of objects is cut item by item."""
    if not fields:
        return value
    if isinstance(value, list):
        return [cut(item, fields) for item in value]
    if not isinstance(value, dict):
        return value
    wanted: dict[str, list[str] | None] = {}
    for name in fields:
        head, _, rest = name.partition(".")
        if rest and wanted.get(head, []) is not None:
            wanted.setdefault(head, []).append(rest)
        elif not rest:
            wanted[head] = None  # the whole value
    return {key: value[key] if inner is None else cut(value[key], inner)
            for key, inner in wanted.items() if key in value}
