"""Rules of the job queue (JobQueue, L8040): what a job may ask, and with whose rights it runs.

A job is an API request kept to be run later: ``data`` says its method (POST or PATCH, L8226), its endpoint
(``api/v2/<endpoint>``, L8227) and its body (L8228). What can be known without running it is checked when it is
queued (a 422 naming the field): the method, that the endpoint exists on v2 and takes that method, that the
body is a JSON object, that a PATCH names its record. The body itself is checked when the job runs, by the same
engine, rules and events as the immediate request (that is the point of a queue): a body the endpoint refuses
ends the job in Error, with the field and reason the immediate request would have been answered with.

A job runs with the scopes of the token that queued it, kept with the job, and no others: a token without
``write-<endpoint>`` cannot queue a job for that endpoint (403), and if the credentials are deactivated before
the job runs, it ends in Error without writing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from openvet.services.changes import Change, rule

METHODS = ("POST", "PATCH")  # L8226
ALL_SCOPES = "*"  # credentials.ALL_SCOPES: a token of a credential made without a scope list
# an id in the endpoint: at most 18 digits, no leading zero (within a 64-bit id). Matched whole, as the schema's
# ECMA-262 pattern (``data_schema``) reads ``^…$``: no final newline
ENDPOINT = re.compile(r"/?api/(v2)/([A-Za-z]+)(?:/([1-9][0-9]{0,17}))?/?")
DIGITS = re.compile(r"[0-9]+")
ID_MAX = 2**63 - 1
# What str.strip() takes away, said for a JSON Schema pattern (whose \s is not Python's: it lacks \x1c-\x1f and
# \x85, and has \ufeff): the ASCII ones around a method, all of them where a body key must not be blank.
ASCII_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f "
PY_SPACE = ASCII_SPACE + r"\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


class JobRefused(Exception):
    """A job that cannot be run as it is: (field, reason) pairs, as the queue's POST would name them."""

    def __init__(self, problems: list[tuple[str | None, str]]):
        super().__init__("; ".join(f"{f}: {r}" if f else r for f, r in problems))
        self.problems = problems


KIND_OF = {"POST": "create", "PATCH": "update"}


@dataclass(frozen=True)
class QueuedRequest:
    """What a job asks: ``kind`` create or update of the v2 ``endpoint`` (``resource``: its declaration), with
    ``body``. An update names its record by ``record_id`` (from
    the endpoint, the body's ``id`` or the job's ``type_id``) or, where the endpoint's PATCH is addressed by a
    key in the body (ExternalPrescription's ``prescription_uid``), by ``key`` = (field, value)."""

    kind: str
    endpoint: str
    title: str
    resource: Any
    body: dict[str, Any]
    record_id: int | None = None
    key: tuple[str, str] | None = None

    @property
    def scope(self) -> str:
        return f"write-{self.endpoint}"


def queued_request(registry: dict[str, Any], data: Any, type_id: Any = 0) -> QueuedRequest:
    """The request ``data`` describes, or ``JobRefused`` saying what is wrong with it."""
    if not isinstance(data, dict):
        raise JobRefused([("data", "must be a JSON object with method, endpoint and body")])
    problems: list[tuple[str | None, str]] = []
    unknown = sorted(set(data) - {"method", "endpoint", "body"})
    problems += [("data", f"has no field {name!r}: a data config has method, endpoint and body") for name in unknown]
    for name in ("method", "endpoint", "body"):
        if data.get(name) is None:
            problems.append((f"data.{name}", "is required"))
    method, endpoint, body = data.get("method"), data.get("endpoint"), data.get("body")
    if method is not None and (not isinstance(method, str) or not method.isascii()
                               or method.strip().upper() not in METHODS):
        problems.append(("data.method", "must be one of POST, PATCH"))
    if body is not None and not isinstance(body, dict):
        problems.append(("data.body", "must be a JSON object, as the endpoint takes it"))
    name, path_id = None, None
    if endpoint is not None:
        found = ENDPOINT.fullmatch(endpoint) if isinstance(endpoint, str) else None
        if found is None:
            problems.append(("data.endpoint", "must be api/v2/<endpoint> (api/v2/<endpoint>/<id> for a PATCH)"))
        else:
            name, path_id = found[2].lower(), int(found[3]) if found[3] else None
            resource = registry.get(name)
            if name == "jobqueue" or resource is None or not any(
                    resource.serves("v2", kind) for kind in KIND_OF.values()):
                problems.append(("data.endpoint", f"there is no endpoint /v2/{name} a job can write to"))
    if problems or name is None:
        raise JobRefused(problems)
    method = method.strip().upper()
    kind = KIND_OF[method]
    resource = registry[name]
    if not resource.serves("v2", kind):
        raise JobRefused([("data.method", f"{method} is not allowed on /v2/{name}")])
    request = QueuedRequest(kind, name, resource.title, resource, body)
    if kind == "create":
        if path_id is not None:
            raise JobRefused([("data.endpoint", "a POST names no record: api/v2/<endpoint>")])
        return request
    address = next((op.address for op in resource.operations("v2") if op.kind == "update"
                    and op.address not in ("path", "matching")), None)
    if address is not None:  # a PATCH addressed by a key in the body
        value = body.get(address)
        if not isinstance(value, str) or not value.strip() or path_id is not None:
            raise JobRefused([(f"data.body.{address}", f"names the {resource.title} to update: it is required")])
        return replace(request, body={k: v for k, v in body.items() if k != address}, key=(address, value.strip()))
    record_id = _record_id(path_id, body.get("id"), type_id)
    if isinstance(record_id, str):
        raise JobRefused([("data.body.id" if record_id.startswith("the body's id must") else "data.endpoint",
                           record_id)])
    if body.get("id") is not None:
        request = replace(request, body={**body, "id": record_id})
    return replace(request, record_id=record_id)


def _record_id(path_id: int | None, body_id: Any, type_id: Any) -> int | str:
    """The record a PATCH writes: the endpoint's id, else the body's ``id``, else ``type_id``; or why none."""
    named = []
    if path_id is not None:
        named.append(path_id)
    if body_id is not None:
        if isinstance(body_id, float) and body_id.is_integer():  # 12.0: a whole number, as JSON Schema reads it
            body_id = int(body_id)
        if isinstance(body_id, bool) or not isinstance(body_id, (int, str)) \
                or isinstance(body_id, str) and not DIGITS.fullmatch(body_id) or not 1 <= int(body_id) <= ID_MAX:
            return "the body's id must be a positive whole number (of at most 64 bits)"
        named.append(int(body_id))
    if not named and isinstance(type_id, int) and not isinstance(type_id, bool) and type_id > 0:
        named.append(type_id)
    if not named:
        return "a PATCH names its record: api/v2/<endpoint>/<id>, an id in the body, or type_id"
    if len(set(named)) > 1:
        return "the endpoint's id and the body's id name different records"
    return named[0]


def _writable(registry: dict[str, Any]) -> tuple[list[str], list[str], dict[str, str]]:
    """The v2 endpoints a job can write to: (those taking a POST, those taking a PATCH by id, those taking a
    PATCH addressed by a key in the body, with that key)."""
    writable = {name: r for name, r in registry.items() if name != "jobqueue" and name.isascii() and name.isalpha()}
    posts = [name for name, r in writable.items() if r.serves("v2", "create")]
    by_path, by_key = [], {}
    for name, r in writable.items():
        if not r.serves("v2", "update"):
            continue
        key = next((op.address for op in r.operations("v2") if op.kind == "update"
                    and op.address not in ("path", "matching")), None)
        if key is None:
            by_path.append(name)
        else:
            by_key[name] = key
    return sorted(posts), sorted(by_path), dict(sorted(by_key.items()))


def _method_pattern(name: str) -> str:
    from openvet.openapi.values import ci

    return rf"^[{ASCII_SPACE}]*{ci(name)}[{ASCII_SPACE}]*$"


def _endpoint_pattern(names: list[str], with_id: bool, id_required: bool = False) -> str:
    """``api/v2/<one of names>``, in any case, ``/<id>`` after it where ``with_id`` (always: ``id_required``)."""
    from openvet.openapi.values import ci

    words = "|".join(ci(n) for n in sorted(names))
    tail = ("(/[1-9][0-9]{0,17})" + ("" if id_required else "?")) if with_id else ""
    return rf"^/?api/v2/({words}){tail}/?$"


def job_schema(registry: dict[str, Any]) -> list[dict]:
    """What a job's ``data`` asks of its other fields, as JSON Schema (``allOf`` items of the job's body, each an
    ``anyOf`` of plain alternatives: no ``if``/``not``, which generators cannot draw from), exactly as
    ``queued_request`` and the rule read them: data names its record (or is a POST), else ``type_id`` is a
    positive id; ``type`` is left out, null, or names the endpoint's resource (title or endpoint, any case)."""
    from openvet.openapi.values import ci, value_schema
    from openvet.resources.fields import Integer

    posts, by_path, by_key = _writable(registry)
    out = []
    if by_path:
        data = data_schema(registry)
        named = [b for b in data["oneOf"] if not b["title"].startswith("PATCH: update the record the endpoint")]
        path_branch = next(b for b in data["oneOf"] if b["title"].startswith("PATCH: update the record the endpoint"))
        with_id = {**path_branch, "properties": {**path_branch["properties"], "endpoint": {
            "type": "string", "pattern": _endpoint_pattern(by_path, True, id_required=True)}}}
        body_id = path_branch["properties"]["body"]["properties"]["id"]["anyOf"][:2]
        in_body = {**path_branch, "properties": {**path_branch["properties"], "body": {
            "type": "object", "required": ["id"], "properties": {"id": {"anyOf": body_id}}}}}
        out.append({"anyOf": [
            {"properties": {"data": {"anyOf": [*named, with_id, in_body]}}},
            {"required": ["type_id"], "properties": {"type_id": value_schema(Integer(1), "v2", True)}}],
            "description": "A PATCH whose endpoint and body name no record writes the record type_id names."})
    alternatives = [{"properties": {"type": {"type": "null"}}}]
    for name in sorted({*posts, *by_path, *by_key}):
        words = "|".join(dict.fromkeys((ci(registry[name].title), ci(name))))
        alternatives.append({"required": ["data", "type"], "properties": {
            "data": {"type": "object", "required": ["endpoint"], "properties": {"endpoint": {
                "type": "string", "pattern": _endpoint_pattern([name], True)}}},
            "type": {"type": "string", "pattern": rf"^[{ASCII_SPACE}]*({words})[{ASCII_SPACE}]*$"}}})
    out.append({"anyOf": alternatives, "description": "type, when sent, names the resource of data's endpoint."})
    return out


def data_schema(registry: dict[str, Any]) -> dict:
    """The JSON Schema of a job's ``data``, exactly as ``queued_request`` reads it (the fuzzer holds the two
    together): one branch per method and way of naming the record, each endpoint where it takes that method.
    What it asks of ``type_id`` and ``type``, outside ``data``, is ``job_schema``'s; what no schema can say is
    that the endpoint's id and the body's id agree."""
    from openvet.openapi.values import digits_up_to

    def method(name: str) -> dict:
        return {"type": "string", "pattern": _method_pattern(name), "description": f"{name} (in any case)"}

    def endpoint(names: list[str], with_id: bool) -> dict:
        return {"type": "string", "pattern": _endpoint_pattern(names, with_id),
                "description": "api/v2/<endpoint>" + (" or api/v2/<endpoint>/<id>" if with_id else "")
                               + ": " + ", ".join(sorted(names))}

    def branch(title: str, verb: str, where: dict, body: dict) -> dict:
        return {"title": title, "type": "object", "additionalProperties": False,
                "required": ["method", "endpoint", "body"],
                "properties": {"method": method(verb), "endpoint": where, "body": {"type": "object", **body}}}

    posts, by_path, by_key = _writable(registry)
    body_id = {"anyOf": [{"type": "integer", "minimum": 1, "maximum": ID_MAX},
                         {"type": "string", "pattern": rf"^0*{digits_up_to(ID_MAX)}$"}, {"type": "null"}],
               "description": "the record to update, when the endpoint names none"}
    branches = []
    if posts:
        branches.append(branch("POST: create a record", "POST", endpoint(posts, False), {}))
    if by_path:
        branches.append(branch("PATCH: update the record the endpoint's id, the body's id or type_id names",
                               "PATCH", endpoint(by_path, True), {"properties": {"id": body_id}}))
    for name, key in by_key.items():
        branches.append(branch(f"PATCH: update the {registry[name].title} the body's {key} names", "PATCH",
                               endpoint([name], False), {"required": [key], "properties": {key: {
                                   "type": "string", "pattern": f"[^{PY_SPACE}]"}}}))
    return {"type": "object", "oneOf": branches,
            "description": "The request to run (L8226-L8228): method, endpoint and body, as the endpoint takes "
                           "them; the body itself is checked when the job runs (at most 64 KiB of JSON in all)."}


def allows(scopes: str | None, scope: str) -> bool:
    """Whether the scopes kept with a job (space-separated; ``*``: all) include ``scope``."""
    held = (scopes or "").split()
    return ALL_SCOPES in held or scope in held


@rule
def job_is_an_api_request_openvet_serves(change: Change) -> None:
    """At POST: the request is one the API serves and the token may make; the body waits for the run."""
    if not change.creating:
        return
    record = change.record
    if record.get("data") is None or change.refused("data") or change.refused("type_id"):
        return  # the mandatory check, or the field's own, names it
    try:
        request = queued_request(change.engine.registry, record.get("data"), record.get("type_id") or 0)
    except JobRefused as refused:
        for name, reason in refused.problems:
            change.refuse(name, reason)
        return
    scopes = change.actor.scopes
    kept = ALL_SCOPES if scopes is None else " ".join(sorted(scopes))
    if not allows(kept, request.scope):
        change.forbid(f"The access token lacks the scope {request.scope}: a job runs with the scopes of the "
                      "token that queued it")
    sent_type = record.get("type")
    if sent_type is not None and (not sent_type.isascii()
                                  or sent_type.strip().lower() not in (request.title.lower(), request.endpoint)):
        change.refuse("type", f"must name the endpoint's resource, {request.title} (or be left out)")
        return
    data = dict(record["data"])
    data["method"] = data["method"].strip().upper()
    change.derive("data", data)
    change.derive("type", request.title)
    change.derive("status", "Pending")
    change.derive("scopes", kept)
