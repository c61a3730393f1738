"""Every documented operation of every declared resource, called over HTTP and checked against the document.

Driven by ``shared/spec/ezyvet_catalog.json``: for each operation whose resource the registry declares,
the route and method answer; list items carry every documented field in the version's typing; the
documented sample create body (its link ids swapped for records of this clinic) is accepted and reads
back as sent; and a create missing a mandatory field is refused, naming the field, creating nothing.
Operations of resources not declared yet are simply not generated: the set grows with the registry.
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from typing import Any

import pytest

from conftest import SPEC  # shared/spec, or OPENVET_SPEC_DIR
from openvet.resources import REGISTRY, Resource
from openvet.resources.fields import Children, Epoch, Integer, Link, Number, RecordRef, UidRef

CATALOG = json.loads((SPEC / "ezyvet_catalog.json").read_text())
KINDS = ("list", "singleton", "retrieve", "create", "update", "delete")
PAGING = {"limit", "page"}

# Names the document uses that are not fields: typos of a documented name (as in test_registry.py).
NOT_FIELDS = {
    ("contact.v1.update", "primary_contact_date_of_birth"),  # sample response, for date_of_birth (L3695)
    ("animal.v1.update", "contact"),  # sample request body, for contact_id (L886)
}
# v2 sample values whose JSON type contradicts the parameter table: the table wins.
V2_SAMPLE_TYPOS = {
    ("contactdetail.v2.list", "id"): "integer",  # "id": "3" in the sample, "num" in the table (L4250)
    ("contactdetail.v2.create", "type_id"): "integer",  # "type_id": "3" in the sample response
}
# Fields marked * that are mandatory only as "one of" (L4389): either name satisfies the rule.
EITHER_OR = {"contactdetail.v2.create": ("contact_id", "contact_uid")}


def _served(op: dict) -> bool:
    return op["resource_slug"] in REGISTRY and op["kind"] in KINDS


OPERATIONS = [op for op in CATALOG if _served(op)]
LISTS = [op for op in OPERATIONS if op["kind"] in ("list", "singleton")]
CREATES = [op for op in OPERATIONS if op["kind"] == "create"]


def op_id(op: dict) -> str:
    return op["operation_id"]


def resource_of(op: dict) -> Resource:
    return REGISTRY[op["resource_slug"]]


def sample_body(op: dict) -> dict | None:
    for request in op["sample_requests"]:
        if isinstance(request.get("body"), dict):
            return copy.deepcopy(request["body"])
    return None


def sample_records(op: dict) -> list[dict]:
    """Every item of every parsed sample response, unwrapped (whatever the wrapper's name)."""
    found = []
    for sample in op["sample_responses"]:
        body = sample.get("json")
        if isinstance(body, dict):
            for item in body.get("items") or []:
                if isinstance(item, dict) and len(item) == 1:
                    found.append(next(iter(item.values())))
    return [r for r in found if isinstance(r, dict)]


def documented_fields(op: dict) -> set[str]:
    names = {p["name"] for p in op["query_parameters"] + op["response_fields"]}
    for record in sample_records(op):
        names.update(record)
    return {n for n in names if n not in PAGING and (op["operation_id"], n) not in NOT_FIELDS}


def catalog_type(op: dict, name: str) -> str:
    for p in op["query_parameters"] + op["response_fields"] + op["body_parameters"]:
        if p["name"] == name and p.get("type"):
            return p["type"]
    return ""


def mandatory_cases(op: dict) -> list[tuple[str, ...]]:
    """Groups of wire names, one group per mandatory field (an either-or pair is one group)."""
    wire = resource_of(op).wire_map(op["api_version"])
    names = {p["name"] for p in op["body_parameters"] if p["mandatory"]}
    names |= {name for name, field in wire.items() if field.mandatory_on(op["api_version"]) and field.create}
    pair = EITHER_OR.get(op["operation_id"], ())
    cases = [(name,) for name in sorted(names - set(pair))]
    return cases + ([pair] if pair else [])


MANDATORY = [(op, case) for op in CREATES for case in mandatory_cases(op)]


def mandatory_id(value: Any) -> str:
    if isinstance(value, dict):
        return value["operation_id"]
    return "|".join(value) if isinstance(value, tuple) else str(value)


def catalog_op(resource: str, kind: str, version: str | None = None) -> dict | None:
    ops = [op for op in CATALOG if op["resource_slug"] == resource and op["kind"] == kind]
    ops.sort(key=lambda op: (op["api_version"] != (version or "v1"), op["operation_id"]))
    return ops[0] if ops else None


def served_version(resource: Resource, operation: str, prefer: str = "v1") -> str | None:
    versions = sorted(resource.endpoints, key=lambda v: v != prefer)
    return next((v for v in versions if resource.serves(v, operation)), None)


def unwrap(response, name: str) -> list[dict]:
    assert response.status_code == 200, response.text
    return [item[name] for item in response.json()["items"]]


def total(api, resource: Resource) -> int:
    version = served_version(resource, "list")
    response = api.get(f"/{version}/{resource.name}", params={"limit": "1"})
    assert response.status_code == 200, response.text
    return int(response.json()["meta"]["items_total"])


class Clinic:
    """Records of one clinic to point links at: existing ones first, made through the API when needed."""

    def __init__(self, api, engine):
        self.api = api
        self.engine = engine
        self.chosen: dict[tuple, int] = {}  # (target, sample value, filters) -> real id
        self.making: set[str] = set()

    def existing(self, target: str, where: dict[str, str] | None = None) -> list[int]:
        resource = REGISTRY[target]
        version = served_version(resource, "list")
        params = {"limit": str(resource.endpoints[version].page_limit), **(where or {})}
        return [int(r["id"]) for r in unwrap(self.api.get(f"/{version}/{target}", params=params), target)]

    def link(self, target: str, sample_value: Any = None, where: dict[str, str] | None = None) -> int:
        """A real id of ``target`` for a sample's id: distinct sample ids get distinct records where possible."""
        key = (target, str(sample_value), tuple(sorted((where or {}).items())))
        if key not in self.chosen:
            taken = {v for k, v in self.chosen.items() if k[0] == target}
            ids = self.existing(target, where)
            fresh = [i for i in ids if i not in taken]
            self.chosen[key] = fresh[0] if fresh else (ids[0] if ids else self.make(target, where))
        return self.chosen[key]

    def make(self, target: str, where: dict[str, str] | None = None) -> int:
        """A new record of ``target``: through the API from its documented sample, else in the engine."""
        if target == "contact":
            return int(self.api.new_contact(**(where or {}))["id"])
        if target == "animal":
            return int(self.api.new_animal(**(where or {}))["id"])
        resource = REGISTRY[target]
        op = catalog_op(target, "create")
        if op and resource.serves(op["api_version"], "create") and sample_body(op) and target not in self.making:
            self.making.add(target)
            try:
                body = {**self.swap(resource, op["api_version"], sample_body(op)), **(where or {})}
            finally:
                self.making.discard(target)
            (record,) = unwrap(self.api.post(f"/{op['api_version']}/{target}", body), target)
            return int(record["id"])
        body: dict[str, Any] = dict(where or {})
        for field in resource.fields:
            if isinstance(field.type, Link) and field.create and field.name not in body:
                body[field.name] = self.link(field.type.target, ("made", target, field.name))
        return int(self.engine.create(self.api.id, resource, body, None)["id"])

    def uid(self, target: str) -> str:
        """The uid of a real record of ``target`` (read on a version whose wire carries it)."""
        resource = REGISTRY[target]
        version = next(v for v in resource.endpoints if "uid" in resource.wire_map(v) and resource.serves(v, "get"))
        record_id = self.link(target, "uid")
        (record,) = unwrap(self.api.get(f"/{version}/{target}/{record_id}"), target)
        return record["uid"]

    def swap(self, resource: Resource, version: str, body: dict) -> dict:
        """The sample body with every link to a declared resource pointing at a record of this clinic.

        Links whose target itself links to another target of the body go last, filtered by it (a breed of
        the species the body names)."""
        wire = resource.wire_map(version)
        out = dict(body)

        def dependent(name: str) -> bool:
            field = wire.get(name)
            if field is None or not isinstance(field.type, Link) or field.type.target not in REGISTRY:
                return False
            targets = {f.type.target for n, f in wire.items() if n in body and isinstance(f.type, Link)}
            return any(isinstance(f.type, Link) and f.type.target in targets - {field.type.target}
                       for f in REGISTRY[field.type.target].fields)

        for name in sorted(body, key=dependent):
            value, field = body[name], wire.get(name)
            if field is None or value in (None, "", 0, "0"):
                continue
            kind = field.type
            if isinstance(kind, Link) and kind.target in REGISTRY:
                target = REGISTRY[kind.target]
                where = {}
                for other_name, other in wire.items():
                    if other_name in out and isinstance(other.type, Link) and other.type.target != kind.target:
                        for f in target.fields:
                            if isinstance(f.type, Link) and f.type.target == other.type.target and f.filter:
                                where[f.wire_name(served_version(target, "list"))] = str(out[other_name])
                real = self.link(kind.target, value, where)
                out[name] = str(real) if isinstance(value, str) else real
            elif isinstance(kind, UidRef) and kind.target in REGISTRY:
                out[name] = self.uid(kind.target)
            elif isinstance(kind, RecordRef) and isinstance(value, dict) and len(value) == 1:
                (title, inner), = value.items()
                target = next((r.name for r in REGISTRY.values() if r.title == title), None)
                if target:
                    raw = inner.get("id") if isinstance(inner, dict) else inner
                    real = self.link(target, raw)
                    out[name] = {title: {"id": str(real) if isinstance(raw, str) else real}}
            elif isinstance(kind, Children) and isinstance(value, list):
                child = REGISTRY[kind.target]
                out[name] = [self.swap(child, version, item) if isinstance(item, dict) else item for item in value]
        return out


@pytest.fixture
def clinic(api, engine) -> Clinic:
    return Clinic(api, engine)


# a. every documented route and method answers ---------------------------------------------------------

@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_route_and_method_exist(op, api, clinic):
    resource, version, kind = resource_of(op), op["api_version"], op["kind"]
    path = f"/{version}/{resource.name}"
    if kind in ("list", "singleton"):
        response = api.get(path)
        assert response.status_code == 200, response.text
        return
    if kind == "create":
        response = api.post(path, {})
        assert response.status_code not in (403, 404, 405), response.text
        if mandatory_cases(op) or resource.rules:
            assert response.status_code == 422, response.text
            assert response.json()["messages"][0]["type"] == "validation"
        else:
            assert response.status_code in (200, 422), response.text
        return
    record_id = clinic.make(resource.name)
    if kind == "retrieve":
        response = api.get(f"{path}/{record_id}")
    elif kind == "update":
        response = api.patch(f"{path}/{record_id}", {})
    else:
        response = api.delete(f"{path}/{record_id}")
    assert response.status_code == 200, response.text
    (item,) = unwrap(response, resource.name)
    assert int(item["id"]) == record_id


# b. list items carry every documented field, typed as the version types them ----------------------------

def _v1_typed(value: Any, sample: Any) -> bool:
    """A string, a list of strings, or (where the sample has an object) an object of v1-typed values."""
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return all(isinstance(v, str) for v in value)
    return isinstance(value, dict) and isinstance(sample, dict) and all(_v1_typed(v, {}) for v in value.values())


def _v2_kind(op: dict, name: str, sample: Any) -> str | None:
    if (op["operation_id"], name) in V2_SAMPLE_TYPOS:
        return V2_SAMPLE_TYPOS[(op["operation_id"], name)]
    if sample is not None:
        for kind, types in (("boolean", bool), ("integer", int), ("number", float), ("string", str),
                            ("list", list), ("object", dict)):
            if isinstance(sample, types):
                return kind
    declared = catalog_type(op, name).lower()
    if "bool" in declared:
        return "boolean"
    if "[]" in declared or "array" in declared:
        return "list"
    if "num" in declared or "int" in declared:
        return "number"
    if "string" in declared or "enum" in declared:
        return "string"
    return None


def _v2_typed(kind: str | None, value: Any) -> bool:
    if value is None or kind is None:
        return True
    return {
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "list": isinstance(value, list),
        "object": isinstance(value, dict),
    }[kind]


def _v2_problems(op: dict, record: dict, sample: dict, prefix: str = "") -> list[str]:
    problems = []
    for name, value in record.items():
        expected = _v2_kind(op, name, sample.get(name))
        if not _v2_typed(expected, value):
            problems.append(f"{prefix}{name}={value!r} is not {expected}")
        nested = sample.get(name)
        if isinstance(value, list) and isinstance(nested, list) and nested and isinstance(nested[0], dict):
            for index, child in enumerate(value):
                if not isinstance(child, dict):
                    problems.append(f"{prefix}{name}[{index}]={child!r} is not an object")
                    continue
                missing = set(nested[0]) - set(child)
                problems += [f"{prefix}{name}[{index}].{m} is missing" for m in sorted(missing)]
                child_op, child_sample = _embedded(op, name, nested[0])
                problems += _v2_problems(child_op, child, child_sample, f"{prefix}{name}[{index}].")
    return problems


def _embedded(op: dict, name: str, sample: dict) -> tuple[dict, dict]:
    """The list operation of an embedded child resource, and its sample merged with the parent's."""
    field = resource_of(op).wire_map(op["api_version"]).get(name)
    child_op = catalog_op(field.type.target, "list", op["api_version"]) if field is not None else None
    if child_op is None or child_op["api_version"] != op["api_version"]:
        return op, sample
    merged = {k: v for record in sample_records(child_op) for k, v in record.items()}
    return child_op, {**merged, **sample}


@pytest.mark.parametrize("op", LISTS, ids=op_id)
def test_list_items_carry_every_documented_field_typed(op, api, clinic):
    resource, version = resource_of(op), op["api_version"]
    writable = any(resource.serves(v, "create") for v in resource.endpoints)
    if op["kind"] == "list" and (writable or not clinic.existing(resource.name)):
        clinic.make(resource.name)  # a record with the sample's values set, not only defaults
    params = {} if op["kind"] == "singleton" else {"limit": str(resource.endpoints[version].page_limit)}
    items = unwrap(api.get(f"/{version}/{resource.name}", params=params), resource.name)
    assert items, f"no {resource.name} to list"
    samples = sample_records(op)
    sample = {k: v for record in samples for k, v in record.items()}
    documented = documented_fields(op)
    for record in items:
        assert sorted(documented - set(record)) == []
        if version == "v1":
            wrong = {k: v for k, v in record.items() if not _v1_typed(v, sample.get(k))}
            assert wrong == {}, "v1 writes every scalar as a string"
        else:
            assert _v2_problems(op, record, sample) == []


# c. the documented sample create body is accepted and reads back as sent --------------------------------

def norm(value: Any) -> Any:
    """A value as either version may write it, reduced to compare: "1"/1/true alike, "10"/"10.0000" alike."""
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [norm(v) for v in value]
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    text = str(value).strip()
    if text.lower() in ("true", "false"):
        return Decimal(int(text.lower() == "true"))
    if re.fullmatch(r"-?(0|[1-9]\d*)(\.\d+)?", text):  # not "0211…": a phone number keeps its zero
        return Decimal(text)
    return text


def _differences(api, resource: Resource, version: str, sent: dict, read: dict, prefix: str = "") -> list[str]:
    wire = resource.wire_map(version)
    differences = []
    for name, value in sent.items():
        field = wire.get(name)
        if name not in read:
            differences.append(f"{prefix}{name} is not on the record read back")
            continue
        got = read[name]
        if field is not None and isinstance(field.type, Children) and isinstance(value, list):
            child = REGISTRY[field.type.target]
            kids = [k if isinstance(k, dict) else unwrap(api.get(f"/{version}/{child.name}/{k}"), child.name)[0]
                    for k in got]
            if len(kids) != len(value):
                differences.append(f"{prefix}{name}: sent {len(value)} children, read {len(kids)}")
            for index, item in enumerate(value):
                if not any(not _differences(api, child, version, item, kid) for kid in kids):
                    differences.append(f"{prefix}{name}[{index}]={item!r} is not among {kids!r}")
            continue
        if norm(value) != norm(got):
            differences.append(f"{prefix}{name}: sent {value!r}, read {got!r}")
    return differences


@pytest.mark.parametrize("op", CREATES, ids=op_id)
def test_sample_create_body_is_accepted_and_reads_back(op, api, clinic):
    resource, version = resource_of(op), op["api_version"]
    body = sample_body(op)
    assert body is not None, "the document gives no sample body"
    body = clinic.swap(resource, version, body)
    response = api.post(f"/{version}/{resource.name}", body)
    assert response.status_code == 200, response.text
    (created,) = unwrap(response, resource.name)
    assert _differences(api, resource, version, body, created) == []
    (read,) = unwrap(api.get(f"/{version}/{resource.name}/{created['id']}"), resource.name)
    assert _differences(api, resource, version, body, read) == []


# d. a create missing a mandatory field is refused, names it, and creates nothing ------------------------

def _counts(api, resource: Resource) -> dict[str, int]:
    names = [resource.name] + [f.type.target for f in resource.children()]
    return {name: total(api, REGISTRY[name]) for name in names}


@pytest.mark.parametrize("blank", ["missing", "null"])
@pytest.mark.parametrize(("op", "names"), MANDATORY, ids=mandatory_id)
def test_create_without_a_mandatory_field_is_refused(op, names, blank, api, clinic):
    resource, version = resource_of(op), op["api_version"]
    body = clinic.swap(resource, version, sample_body(op) or {})
    wire = resource.wire_map(version)
    for name in names:
        if blank == "missing":
            body.pop(name, None)
        else:
            body[name] = [] if name in wire and isinstance(wire[name].type, Children) else None
    before = _counts(api, resource)
    response = api.post(f"/{version}/{resource.name}", body)
    assert response.status_code == 422, response.text
    messages = response.json()["messages"]
    assert messages and all(m["type"] == "validation" for m in messages)
    named = {field for m in messages for field in m["fields"]}
    assert named & set(names), f"no message names {names}: {messages}"
    assert _counts(api, resource) == before


# e. a number out of every column's range is refused like any other bad value, never with a 500 ---------

NUMERIC = (Integer, Number, Epoch)  # Link is an Integer
OUT_OF_RANGE = [(op, name) for op in CREATES
                for name, field in sorted(resource_of(op).wire_map(op["api_version"]).items())
                if field.create and isinstance(field.type, NUMERIC) and name in (sample_body(op) or {})]


@pytest.mark.parametrize(("op", "name"), OUT_OF_RANGE, ids=mandatory_id)
def test_create_with_a_number_out_of_range_is_refused(op, name, api, clinic):
    resource, version = resource_of(op), op["api_version"]
    body = clinic.swap(resource, version, sample_body(op))
    body[name] = 10**20
    before = _counts(api, resource)
    response = api.post(f"/{version}/{resource.name}", body)
    assert response.status_code == 422, response.text
    assert name in {field for m in response.json()["messages"] for field in m["fields"]}
    assert _counts(api, resource) == before
