"""The API documents, generated from the registry: ``/openapi.json`` (OpenAPI 3.1) and ``/docs`` (HTML).

Both describe exactly what ``openvet.ezyvet.routes`` serves for each declaration: the operations each
version declares, their filters, bodies, envelopes, errors and scopes. They are static for the life of
the process, so each is built once, on first request. The Provet dialect is not described yet.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.resources import files
from string import Template
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from openvet import __version__
from openvet.ezyvet.filters import SYMBOLS
from openvet.ezyvet.pagination import DEFAULT_LIMIT
from openvet.resources import REGISTRY, RESOURCES, Resource
from openvet.resources.fields import (
    Boolean,
    Children,
    Choice,
    ChoiceList,
    ContextDefault,
    Epoch,
    Field,
    FieldType,
    Guid,
    Integer,
    Link,
    Number,
    RecordRef,
    Text,
    Timezone,
    Uid,
    UidRef,
)
from openvet.services import RULES

SCHEME = "ezyvet"  # the name of the OAuth2 security scheme
TOKEN_PATH = "/v1/oauth/access_token"
SCHEMAS = "#/components/schemas/"
PARAMETERS = "#/components/parameters/"
RESPONSES = "#/components/responses/"
ERRORS = {
    400: ("BadRequest", "A query parameter, the path or the body cannot be used; each message names one."),
    401: ("Unauthorized", "No access token, or one that is unknown or expired."),
    403: ("Forbidden", "The token lacks the operation's scope, or the endpoint does not exist on this version."),
    404: ("NotFound", "No record of the clinic has this id."),
    405: ("MethodNotAllowed", "This version does not serve the method on the path; the Allow header lists those "
                              "it does."),
    422: ("Unprocessable", "The record cannot be written: each message names a field and the reason."),
    500: ("ServerError", "Unexpected failure; quote meta.transaction_id when reporting it."),
    503: ("Unavailable", "The database cannot be reached just now (restarting, down); try again after the "
                         "Retry-After header's seconds. Nothing was changed."),
}


# What is served --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One method on one path, as the ezyVet routes answer it."""

    resource: Resource
    version: str
    kind: str  # list, get, create, update, delete, update_matching, delete_matching, download
    method: str
    path: str
    declared: Any = None  # the declaration's Operation

    @property
    def operation_id(self) -> str:
        return f"{self.resource.name}.{self.version}.{self.kind}"

    @property
    def scope(self) -> str:
        return self.resource.scope_read if self.method == "GET" else self.resource.scope_write

    @property
    def member(self) -> bool:
        return "{id}" in self.path


def served_operations() -> list[Operation]:
    """Every operation every declaration serves, as routing serves it (``Resource.operations``). Update and
    delete on the collection act on the records the filters match (``*_matching``)."""
    out = []
    for resource in RESOURCES:
        for version in resource.endpoints:
            for declared in resource.operations(version):
                path = f"/{version}/{resource.name}" + (f"/{declared.path}" if declared.path else "")
                kind = declared.kind + ("_matching" if declared.address == "matching" else "")
                out.append(Operation(resource, version, kind, declared.method, path, declared))
    return out


# Field schemas ---------------------------------------------------------------------------------------


def ref(name: str) -> dict:
    return {"$ref": SCHEMAS + name}


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _spelled(kind: Choice, version: str) -> list[str]:
    return list(kind.spelled(version))


def _ci(word: str) -> str:
    """A case-insensitive regular expression for ``word`` (JSON Schema patterns take no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def read_schema(field: Field, version: str) -> dict:
    """The schema of a field's value in a response: v1 writes strings (unset: ""), v2 typed JSON."""
    kind = field.type
    if isinstance(kind, Children):
        if kind.embeds(version):
            items = ref(f"{kind.target}.{version}.Record")
        else:
            items = {"type": "string", "pattern": "^[0-9]+$"} if version == "v1" else {"type": "integer"}
        schema = {"type": "array", "items": items}
    elif version == "v1":
        schema = _read_v1(kind)
    else:
        schema = kind.openapi()
        if isinstance(kind, Choice):
            schema["enum"] = [*_spelled(kind, version), None]
        elif isinstance(kind, RecordRef):
            schema = _record_ref(kind, {"type": "integer"}, nullable=True)
    return _describe(schema, field)


def _read_v1(kind: FieldType) -> dict:
    if isinstance(kind, Timezone):
        zone = kind.openapi("v1")
        return {"anyOf": [{**zone, "type": "object"}, {"const": ""}]}
    if isinstance(kind, RecordRef):
        return {"anyOf": [_record_ref(kind, {"type": "string", "pattern": "^[0-9]+$"}), {"const": ""}]}
    if isinstance(kind, ChoiceList):
        return kind.openapi()
    if isinstance(kind, Choice):
        return {"type": "string", "enum": [*_spelled(kind, "v1"), ""]}
    if isinstance(kind, Boolean):
        return {"type": "string", "enum": ["1", "0", ""], "description": "1 (true), 0 (false) or empty"}
    if isinstance(kind, (Integer, Epoch)):
        return {"type": "string", "pattern": "^(-?[0-9]+)?$"}
    if isinstance(kind, Number):
        fraction = rf"\.[0-9]{{{kind.scale}}}" if kind.scale else ""
        return {"type": "string", "pattern": rf"^(-?[0-9]+{fraction})?$"}
    if isinstance(kind, Text):
        return {"type": "string", "maxLength": kind.max_length}
    return {"type": "string"}


def _record_ref(kind: RecordRef, id_schema: dict, nullable: bool = False) -> dict:
    """``{"Contact": {"id": 5}}``: one key, the title of the record's resource."""
    return {
        "type": ["object", "null"] if nullable else "object",
        "minProperties": 1,
        "maxProperties": 1,
        "propertyNames": {"enum": list(kind.targets)},
        "additionalProperties": {"type": "object", "properties": {"id": id_schema}, "required": ["id"]},
    }


def _describe(schema: dict, field: Field) -> dict:
    doc = field.doc
    if "description" in schema:
        doc = f"{doc} ({schema.pop('description')})" if doc else schema.pop("description")
    if doc:
        schema["description"] = doc
    if not field.create and not field.update:
        schema["readOnly"] = True
    return schema


WHOLE = r"^\s*-?[0-9]+\s*$"
DECIMAL = r"^\s*-?[0-9]+(\.[0-9]+)?\s*$"


def write_schema(field: Field, version: str, operation: str) -> dict:
    """The schema of a field's value in a request body: what ``FieldType.parse`` accepts. Every field also
    takes null (unset), except a child list."""
    kind = field.type
    if isinstance(kind, Children):
        schema = {"type": "array", "items": _child_items(kind, version, operation)}
        if field.mandatory_on(version) and operation == "create":
            schema["minItems"] = 1
    else:
        schema = _write_value(kind, version)
        if isinstance(kind, Link) and getattr(kind, "nested", False):  # or a whole new record, made and linked
            schema = {"anyOf": [schema, ref(f"{kind.target}.{version}.Create")]}
    if isinstance(field.default, ContextDefault) and operation == "create":
        schema["description"] = f"{schema.get('description', '')} Default: {field.default.doc}.".strip()
    elif field.default is not None and operation == "create" and not isinstance(kind, Children):
        schema["default"] = _jsonable(field.default)
    return _describe(schema, field)


def _child_items(kind: Children, version: str, operation: str) -> dict:
    create = ref(f"{kind.target}.{version}.Create")
    if operation == "create":
        return create
    # On update the list is the new set: new children as objects, kept ones by id (or id + changes).
    return {"anyOf": [create, ref(f"{kind.target}.{version}.Update"),
                      {"type": ["integer", "string"], "pattern": WHOLE}]}


def _write_value(kind: FieldType, version: str) -> dict:
    if isinstance(kind, RecordRef):
        return _record_ref(kind, {"type": ["integer", "string"], "pattern": WHOLE}, nullable=True)
    if isinstance(kind, Timezone):
        return {"anyOf": [{"type": "string"}, {"type": "object", "properties": {"name": {"type": "string"}},
                                                 "required": ["name"]}, {"type": "null"}]}
    if isinstance(kind, ChoiceList):
        return {"anyOf": [kind.openapi(), {"type": "string", "description": "comma-separated"}, {"type": "null"}]}
    if isinstance(kind, Choice):
        return {"type": ["string", "null"], "enum": [*_spelled(kind, version), None],
                "description": "matched without regard to case"}
    if isinstance(kind, Boolean):
        return ref("BooleanInput")
    if isinstance(kind, Link):
        return {"type": ["integer", "string", "null"], "pattern": r"^\s*([0-9]+)?\s*$", "minimum": 0}
    if isinstance(kind, Epoch):
        return {"type": ["number", "string", "null"], "pattern": DECIMAL}
    if isinstance(kind, Integer):
        return {"type": ["integer", "string", "null"], "pattern": WHOLE}
    if isinstance(kind, Number):
        return {"type": ["number", "string", "null"], "pattern": DECIMAL}
    if isinstance(kind, Text):
        return {"type": ["string", "null"], "maxLength": kind.max_length}
    if isinstance(kind, UidRef):
        return {"type": ["string", "null"], "minLength": 1}
    return {"type": ["string", "null"]}


def boolean_input() -> dict:
    """What ``Boolean.parse`` accepts: true/false, 1/0, and yes/no, on/off, y/n in any case."""
    words = "|".join(_ci(w) for w in sorted(Boolean._true | Boolean._false))
    return {"anyOf": [{"type": "boolean"}, {"enum": [0, 1]}, {"type": "string", "pattern": rf"^\s*({words})\s*$"},
                      {"type": "null"}], "description": "true/false, 1/0, yes/no, on/off"}


def filter_value_schema(kind: FieldType, version: str) -> dict:
    """One value a filter compares with."""
    if isinstance(kind, (Integer, Epoch)):  # fractions are accepted and compared exactly
        return {"type": "number"}
    if isinstance(kind, Number):
        return {"type": "number"}
    if isinstance(kind, Boolean):
        return {"anyOf": [{"type": "boolean"}, {"enum": [0, 1]}]}
    if isinstance(kind, Choice):
        return {"type": "string", "enum": _spelled(kind, version)}
    if isinstance(kind, Text):
        return {"type": "string", "maxLength": kind.max_length}
    return {"type": "string"}


def comparators(kind: FieldType) -> list[str]:
    """The comparators a field accepts, by name and symbol."""
    names = ["eq", "neq", "in"]
    if kind.comparable:
        names += ["lt", "lte", "gt", "gte"]
    if kind.likeable:
        names.append("like")
    symbols = [s for s, n in SYMBOLS.items() if n in names]
    return names + symbols


def filter_parameter(field: Field, version: str) -> dict:
    kind = field.type
    value = filter_value_schema(kind, version)
    if value.get("type") == "string":
        value["pattern"] = r"\S"  # a blank value is refused, never read as "unset"
    ops = comparators(kind)
    operands = {"in": {"type": "array", "items": value}}
    operands.update({op: {"anyOf": [value, {"type": "null"}]} for op in ("eq", "=", "neq", "!=", "<>")})  # null: unset
    if kind.likeable:
        operands["like"] = {"type": "string"}
    json_form = {
        "type": "string",
        "pattern": r"^\s*\{",
        "contentMediaType": "application/json",
        "contentSchema": {"type": "object", "minProperties": 1, "propertyNames": {"enum": ops},
                          "properties": operands, "additionalProperties": value},
        "description": "URL-encoded JSON object of comparators",
    }
    description = (f"{field.doc} Equal to the value, or URL-encoded JSON comparators, several at once "
                   f'(`{{">": 5, "<=": 9}}`). Accepted here: {", ".join(ops)}. A blank value is refused (400); '
                   'records where it is unset: `{"eq": null}`.')
    if kind.likeable:
        description += ' `like` takes a pattern with % wildcards (`{"like": "Bel%"}`).'
    return {"name": field.wire_name(version), "in": "query", "required": False, "description": description.strip(),
            "schema": {"anyOf": [value, json_form]}}


# Components ------------------------------------------------------------------------------------------


def _meta(version: str) -> dict:
    number = {"type": "string", "pattern": "^-?[0-9]+$"} if version == "v1" else {"type": "integer"}
    fields = {
        "transaction_id": ("The id of this request; quote it when reporting a problem.", {"type": "string"}),
        "timestamp": ("When the answer was made (epoch seconds).", number),
        "items_page": ("The page returned (lists and reads).", number),
        "items_page_total": ("How many pages the filters give.", number),
        "items_page_size": ("The page size (limit) used.", number),
        "items_total": ("How many records match the filters.", number),
        "items_matched": ("How many records the write matched.", number),
        "items_processed": ("How many records the write changed (at most limit).", number),
    }
    strings = " Numbers are written as strings on v1." if version == "v1" else ""
    return {
        "type": "object",
        "description": "Facts about the answer; paging on lists and reads, counts on writes." + strings,
        "properties": {name: {**schema, "description": doc} for name, (doc, schema) in fields.items()},
        "required": ["transaction_id", "timestamp"],
    }


MESSAGE = {
    "type": "object",
    "description": "One message; errors name the field at fault in `fields` (dotted, with [i] for list items).",
    "properties": {
        "level": {"type": "string", "enum": ["error", "warning", "info"]},
        "type": {"type": "string", "description": "bad_request, unauthorized, forbidden, not_found, "
                                                  "method_not_allowed, validation, server_error…"},
        "text": {"type": "string", "description": "What went wrong, for a person."},
        "fields": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "Field name -> reason."},
    },
    "required": ["level", "type", "text", "fields"],
}

TOKEN_REQUEST = {
    "type": "object",
    "properties": {
        "partner_id": {"type": "string", "description": "Your partner id."},
        "client_id": {"type": "string", "description": "The clinic's client id for you."},
        "client_secret": {"type": "string", "description": "The secret that goes with client_id."},
        "grant_type": {"type": "string", "enum": ["client_credentials"]},
        "scope": {"type": "string", "description": "Space- or comma-separated scopes; none: every scope the "
                                                   "credentials hold."},
    },
    "required": ["partner_id", "client_id", "client_secret", "grant_type"],
}

TOKEN = {
    "type": "object",
    "properties": {
        "access_token": {"type": "string", "description": "Send it as `Authorization: Bearer <token>`."},
        "token_type": {"type": "string", "const": "Bearer"},
        "expires_in": {"type": "integer", "description": "Seconds the token lives (14 days)."},
        "scope": {"type": "string", "description": "The scopes granted, space-separated."},
    },
    "required": ["access_token", "token_type", "expires_in", "scope"],
}


def _envelope(version: str, item: dict | None) -> dict:
    items = {"type": "array", "items": item} if item else {"type": "array", "maxItems": 0}
    return {"type": "object", "properties": {"meta": ref(f"Meta.{version}"), "items": items,
                                             "messages": {"type": "array", "items": ref("Message")}},
            "required": ["meta", "items", "messages"]}


class Components:
    """The schemas a version of a resource needs, added on first use (child lists pull in their child)."""

    def __init__(self, registry: dict[str, Resource]):
        self.registry = registry
        self.schemas: dict[str, dict] = {"Message": MESSAGE, "TokenRequest": TOKEN_REQUEST, "Token": TOKEN,
                                         "BooleanInput": boolean_input()}
        self.parameters: dict[str, dict] = {}

    def record(self, resource: Resource, version: str) -> str:
        name = f"{resource.name}.{version}.Record"
        if name not in self.schemas:
            self.schemas[name] = {}
            fields = resource.fields_for(version)
            self.schemas[name] = {
                "type": "object",
                "title": f"{resource.title} ({version})",
                "properties": {f.wire_name(version): read_schema(f, version) for f in fields},
                "required": [f.wire_name(version) for f in fields],
            }
            for field in self._children(resource, version):
                self.record(self.registry[field.type.target], version)
        return name

    def body(self, resource: Resource, version: str, operation: str) -> str:
        name = f"{resource.name}.{version}.{operation.title()}"
        if name not in self.schemas:
            fields = [f for f in resource.fields_for(version) if getattr(f, operation)]
            if operation == "update" and "id" in resource.field_map and all(f.name != "id" for f in fields):
                fields.insert(0, resource.field_map["id"])
            properties = {f.wire_name(version): write_schema(f, version, operation) for f in fields}
            if "id" in properties and operation == "update":
                properties["id"] = {"type": ["integer", "string"], "pattern": WHOLE,
                                    "description": "The record to change, when the path names none (a PATCH "
                                                   "on the collection without filters)."}
            schema = {"type": "object", "title": f"{resource.title} {operation} ({version})",
                      "properties": properties, "additionalProperties": False}
            required = [f.wire_name(version) for f in fields if f.mandatory_on(version) and operation == "create"]
            if required:
                schema["required"] = required
            self.schemas[name] = schema
            for field in self._children(resource, version):
                child = self.registry[field.type.target]
                self.body(child, version, "create")
                if operation == "update":
                    self.body(child, version, "update")
            for field in fields:
                if isinstance(field.type, Link) and getattr(field.type, "nested", False):
                    self.body(self.registry[field.type.target], version, "create")
        return name

    @staticmethod
    def _children(resource: Resource, version: str) -> list[Field]:
        return [f for f in resource.children() if version in f.versions]

    def envelope(self, resource: Resource, version: str) -> str:
        name = f"{resource.name}.{version}.Envelope"
        if name not in self.schemas:
            record = self.record(resource, version)
            item = {"type": "object", "properties": {resource.name: ref(record)}, "required": [resource.name],
                    "additionalProperties": False}
            self.schemas[name] = _envelope(version, item)
        return name

    def filter(self, resource: Resource, field: Field, version: str) -> dict:
        name = f"{resource.name}.{version}.{field.wire_name(version)}"
        if name not in self.parameters:
            self.parameters[name] = filter_parameter(field, version)
        return {"$ref": PARAMETERS + name}


def _filters(resource: Resource, version: str) -> list[Field]:
    return [f for f in resource.fields_for(version) if f.filter]


# Operations ------------------------------------------------------------------------------------------


def _limit(resource: Resource, version: str, writing: bool) -> dict:
    maximum = resource.endpoints[version].page_limit
    what = "Records changed at most" if writing else "Records a page"
    # No "maximum": a larger limit is accepted (served at the maximum), so the schema must accept it too.
    return {"name": "limit", "in": "query", "required": False,
            "description": f"{what} (1 to {maximum} on this endpoint; a larger value is served as {maximum}).",
            "schema": {"type": "integer", "minimum": 1, "default": min(DEFAULT_LIMIT, maximum)}}


PAGE = {"name": "page", "in": "query", "required": False, "description": "The page to return, from 1.",
        "schema": {"type": "integer", "minimum": 1, "default": 1}}

SUMMARY = {
    "list": "List {title} records",
    "get": "Get one {title}",
    "create": "Create a {title}",
    "update": "Update one {title}",
    "update_matching": "Update the {title} records the filters match",
    "delete": "Disable one {title}",
    "delete_matching": "Disable the {title} records the filters match",
    "download": "Download the file of one {title}",
}


def rule_docs(resource: Resource) -> list[str]:
    """What the resource's business rules refuse: the first paragraph of each rule's docstring."""
    docs = [RULES[r].function.__doc__ for r in resource.rules if r in RULES and RULES[r].function.__doc__]
    return [" ".join(doc.strip().split("\n\n")[0].split()) for doc in docs]


def _description(op: Operation) -> str:
    resource, version = op.resource, op.version
    limit = resource.endpoints[version].page_limit
    text = {
        "list": f"The clinic's {resource.title} records matching every filter given, at most {limit} a page.",
        "get": f"The {resource.title} with this id.",
        "create": f"Creates a {resource.title} from the JSON body; fields not sent take their defaults.",
        "update": f"Changes the fields sent in the JSON body on the {resource.title} with this id.",
        "update_matching": f"Changes the fields sent in the JSON body on every {resource.title} the filters match "
                           "(at most limit). With no filter, the body's id names the record.",
        "delete": f"Disables (active = false) the {resource.title} with this id; it is kept and can be read.",
        "delete_matching": f"Disables every {resource.title} the filters match (at most limit). Needs a filter.",
        "download": f"The bytes of the {resource.title}'s file, with its media type: for a token with the read "
                    "scope, or for anyone holding a signed download link (file_download_url).",
    }[op.kind]
    if resource.endpoints[version].singleton:
        text = f"The clinic's {resource.title}: one object, not a list."
    if version == "v1":
        text += " v1 writes every value as a string."
    if op.method != "GET" and resource.rules:
        text += "".join(f"\n\n- {r}" for r in rule_docs(resource))
    if resource.spec_line:
        text += f"\n\nezyVet API document, line {resource.spec_line}."
    return text


def _errors(op: Operation) -> dict:
    statuses = [400, 401, 403, 405]
    if op.member:
        statuses.append(404)
    if op.kind in ("create", "update", "update_matching"):
        statuses.append(422)
    statuses += [500, 503]
    return {str(s): {"$ref": f"{RESPONSES}{ERRORS[s][0]}.{op.version}"} for s in sorted(statuses)}


def operation(op: Operation, components: Components) -> dict:
    resource, version = op.resource, op.version
    parameters: list[dict] = []
    if op.kind == "list":
        parameters = [_limit(resource, version, False), PAGE]
    elif op.kind.endswith("_matching"):
        parameters = [_limit(resource, version, True)]
    if op.kind == "list" or op.kind.endswith("_matching"):
        parameters += [components.filter(resource, f, version) for f in _filters(resource, version)]
    ok: dict[str, Any] = {"description": SUMMARY[op.kind].format(title=resource.title),
                          "content": {"application/json": {"schema": ref(components.envelope(resource, version))}}}
    if op.kind == "list":
        ok["headers"] = {"x-item-limit-per-page": {"description": "The endpoint's largest page size.",
                                                   "schema": {"type": "integer"}}}
    out: dict[str, Any] = {
        "operationId": op.operation_id,
        "tags": [resource.title],
        "summary": SUMMARY[op.kind].format(title=resource.title) + f" ({version})",
        "description": _description(op),
        "security": [{SCHEME: [op.scope]}],
    }
    if parameters:
        out["parameters"] = parameters
    body = {"create": "create", "update": "update", "update_matching": "update"}.get(op.kind)
    if body:
        out["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": ref(components.body(resource, version, body))}}}
    out["responses"] = {"200": ok, **_errors(op)}
    return out


def _token_operation() -> dict:
    form = {"schema": ref("TokenRequest")}
    return {
        "operationId": "oauth.v1.access_token",
        "tags": ["Authentication"],
        "summary": "Get an access token (OAuth 2.0 client credentials)",
        "description": "Exchange the clinic's credentials for a bearer token, form-encoded or as JSON. Several "
                       "tokens can live at once for one set of credentials; each lives 14 days.",
        "security": [],
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": form,
                                                      "application/json": form}},
        "responses": {
            "200": {"description": "A new token.", "content": {"application/json": {"schema": ref("Token")}}},
            "400": {"$ref": f"{RESPONSES}BadRequest.v1"},
            "401": {"$ref": f"{RESPONSES}Unauthorized.v1"},
            "500": {"$ref": f"{RESPONSES}ServerError.v1"},
            "503": {"$ref": f"{RESPONSES}Unavailable.v1"},
        },
    }


def _error_responses() -> dict:
    out = {}
    for version in ("v1", "v2"):
        for status, (name, description) in ERRORS.items():
            response: dict[str, Any] = {"description": description, "content": {"application/json": {
                "schema": ref(f"Error.{version}")}}}
            if status == 401:
                response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"},
                                                            "description": "Bearer, with the error if any."}}
            if status == 405:
                response["headers"] = {"Allow": {"schema": {"type": "string"},
                                                 "description": "The methods served on the path."}}
            if status == 503:
                response["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                                       "description": "Seconds to wait before trying again."}}
            out[f"{name}.{version}"] = response
    return out


INTRO = """\
The ezyVet API (v1 and v2) as openvet serves it, generated from openvet's resource declarations.

- **Authentication**: OAuth 2.0 client credentials at `POST /v1/oauth/access_token`; send the token as
  `Authorization: Bearer <token>`. Scopes are `read-<endpoint>` (GET) and `write-<endpoint>` (POST, PATCH,
  DELETE).
- **Envelope**: every answer, errors included, is `{meta, items, messages}`; each item wraps one record
  under the endpoint's name (`{"animal": {...}}`). v1 writes every value (and meta number) as a string; v2
  writes typed JSON.
- **Paging**: `limit` (1 to the endpoint's maximum, default 10; a larger value is served at the maximum,
  which `x-item-limit-per-page` gives) and `page` (from 1).
- **Filters**: every filterable field is a query parameter: `?name=Rex`, or URL-encoded JSON comparators,
  `?modified_at={">":1700000000,"<=":1800000000}` (lt <, lte <=, eq =, gte >=, gt >, neq != <>, like,
  in). An unknown parameter or comparator is refused (400), never ignored; so is a blank value (an empty
  `?contact_id=` is not "unset": ask for `{"eq": null}`).
- **Errors**: 400 bad parameters, 401 no or bad token, 403 missing scope or unknown endpoint, 404 unknown
  id, 405 method not served, 422 a record that cannot be written; each message names the field. 503 with
  `Retry-After` while the database cannot be reached (a restart): try again, nothing was changed.

The Provet Cloud API (api/0.1) is not described here yet. The human-readable guide is at /docs.
"""


def build_document() -> dict:
    components = Components(REGISTRY)
    paths: dict[str, dict] = {TOKEN_PATH: {"post": _token_operation()}}
    for op in served_operations():
        item = paths.setdefault(op.path, {})
        if op.member and "parameters" not in item:
            item["parameters"] = [{"name": "id", "in": "path", "required": True,
                                   "description": f"The ID of the {op.resource.title}.",
                                   "schema": {"type": "integer", "minimum": 1}}]
        item[op.method.lower()] = operation(op, components)
    scopes = {}
    for resource in RESOURCES:
        scopes[resource.scope_read] = f"Read {resource.title} records."
        scopes[resource.scope_write] = f"Create, change and disable {resource.title} records."
    schemas = dict(components.schemas)
    for version in ("v1", "v2"):
        schemas[f"Meta.{version}"] = _meta(version)
        schemas[f"Error.{version}"] = _envelope(version, None)
    tags = [{"name": "Authentication", "description": "Access tokens."}]
    for resource in RESOURCES:
        served = ", ".join(f"/{v}/{resource.name}" for v in resource.endpoints)
        tags.append({"name": resource.title, "description": f"{resource.title} records: {served}."})
    return {
        "openapi": "3.1.0",
        "info": {"title": "openvet: ezyVet API", "version": __version__, "description": INTRO,
                 "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}},
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "parameters": dict(sorted(components.parameters.items())),
            "responses": _error_responses(),
            "securitySchemes": {SCHEME: {
                "type": "oauth2",
                "description": "OAuth 2.0 client credentials; the token goes in `Authorization: Bearer <token>`.",
                "flows": {"clientCredentials": {"tokenUrl": TOKEN_PATH, "scopes": scopes}},
            }},
        },
    }


@cache
def document_bytes() -> bytes:
    return orjson.dumps(build_document())


async def document(request: Request) -> Response:
    return Response(document_bytes(), media_type="application/json")


# The human guide -------------------------------------------------------------------------------------


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def type_label(field: Field, version: str) -> str:
    """A field's type in a few words, for people."""
    kind = field.type
    if isinstance(kind, Children):
        return f"list of {kind.target}"
    if isinstance(kind, Link):
        return f"id of {kind.target}"
    if isinstance(kind, UidRef):
        return f"uid of {kind.target}"
    if isinstance(kind, Guid):
        return "guid"
    if isinstance(kind, Uid):
        return "uid"
    if isinstance(kind, RecordRef):
        return "record: " + " | ".join(kind.targets)
    if isinstance(kind, ChoiceList):
        return "list of: " + ", ".join(kind.values)
    if isinstance(kind, Choice):
        return "one of: " + ", ".join(kind.spelled(version))
    if isinstance(kind, Text):
        return "text" if kind.max_length == 255 else f"text ≤ {kind.max_length}"
    if isinstance(kind, Number):
        return f"decimal ({kind.scale} places)"
    if isinstance(kind, Epoch):
        return "epoch seconds"
    if isinstance(kind, Timezone):
        return "timezone"
    return type(kind).__name__.lower()


def _mark(flag: bool) -> str:
    return '<td class="yes">✓</td>' if flag else '<td class="no">·</td>'


def _default(field: Field) -> str:
    if field.default is None:
        return ""
    if isinstance(field.default, ContextDefault):
        return _e(field.default.doc)
    value = _jsonable(field.default)
    return f"<code>{_e(orjson.dumps(value).decode())}</code>"


def _fields_table(resource: Resource, version: str) -> str:
    """The fields on one version; the Create/Required and Update columns only where that version writes."""
    creates, updates = resource.serves(version, "create"), resource.serves(version, "update")
    head = "<th>Field</th><th>Type</th><th>Filter</th>"
    head += "<th>Create</th><th>Required</th>" if creates else ""
    head += "<th>Update</th>" if updates else ""
    rows = []
    for field in resource.fields_for(version):
        wire = field.wire_name(version)
        renamed = f' <span class="aka">(stored as {_e(field.name)})</span>' if wire != field.name else ""
        kind = _e(type_label(field, version))
        if isinstance(field.type, Link) and getattr(field.type, "nested", False) and (creates or updates):
            kind += " or a new one"
        row = f'<tr><td><code>{_e(wire)}</code>{renamed}</td><td class="type">{kind}</td>{_mark(field.filter)}'
        row += _mark(field.create) + _mark(field.mandatory_on(version)) if creates else ""
        row += _mark(field.update) if updates else ""
        rows.append(row + f"<td>{_default(field)}</td><td>{_e(field.doc)}</td></tr>")
    return (f'<table class="fields"><thead><tr>{head}<th>Default</th><th>Description</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


def _operations_table(operations: list[Operation]) -> str:
    rows = []
    for op in operations:
        limit = op.resource.endpoints[op.version].page_limit
        note = f"up to {limit} a page" if op.kind == "list" else (
            f"at most {limit} records" if op.kind.endswith("_matching") else "")
        rows.append(
            f'<tr><td><span class="method {op.method.lower()}">{op.method}</span></td>'
            f"<td><code>{_e(op.path)}</code></td><td>{_e(SUMMARY[op.kind].format(title=op.resource.title))}</td>"
            f"<td><code>{_e(op.scope)}</code></td><td>{_e(note)}</td></tr>")
    return ('<table class="ops"><thead><tr><th>Method</th><th>Path</th><th>Does</th><th>Scope</th><th></th>'
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _resource_section(resource: Resource, operations: list[Operation]) -> str:
    parts = [f'<section class="resource" id="{_e(resource.name)}"><h3>{_e(resource.title)} '
             f'<code class="endpoint">/{_e(resource.name)}</code></h3>']
    facts = [f"Served on {', '.join(resource.endpoints)}"]
    if resource.spec_line:
        facts.append(f"ezyVet API document line {resource.spec_line}")
    parts.append(f'<p class="facts">{_e(" · ".join(facts))}.</p>')
    rules = rule_docs(resource)
    if rules:
        parts.append('<ul class="rules">' + "".join(f"<li>{_e(r)}</li>" for r in rules) + "</ul>")
    for version in resource.endpoints:
        mine = [op for op in operations if op.version == version]
        parts.append(f'<div class="version"><h4><span class="pill">{version}</span></h4>{_operations_table(mine)}'
                     f"{_fields_table(resource, version)}</div>")
    parts.append("</section>")
    return "".join(parts)


@cache
def docs_html() -> str:
    operations = served_operations()
    nav = "".join(
        f'<li><a href="#{_e(r.name)}">{_e(r.title)}</a> <span class="versions">{_e(" ".join(r.endpoints))}</span>'
        "</li>" for r in RESOURCES)
    sections = "".join(_resource_section(r, [op for op in operations if op.resource is r]) for r in RESOURCES)
    template = Template(files("openvet").joinpath("docs.html").read_text(encoding="utf-8"))
    return template.substitute(version=_e(__version__), nav=nav, resources=sections,
                               resource_count=len(RESOURCES), operation_count=len(operations) + 1,
                               token_path=_e(TOKEN_PATH))


async def docs_page(request: Request) -> Response:
    return HTMLResponse(docs_html())
