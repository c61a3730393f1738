"""``/openapi.json``: the ezyVet API (v1, v2) as openvet serves it, built from the declarations.

Every operation comes from ``Resource.operations(version)``, the list routing serves: its path, how it names
its records (the path, the filters, a key in the body), what it parses (JSON, a form, multipart with a file)
and what it answers (records, an empty ``items``, a success message, the bytes of a file).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from openvet import __version__
from openvet.ezyvet.pagination import DEFAULT_LIMIT, MAX_PAGE
from openvet.openapi.values import (
    BIGINT_MAX,
    BLANK,
    boolean_input,
    digits_up_to,
    filter_schema,
    form_schema,
    read_schema,
    record_name,
    ref,
    write_schema,
)
from openvet.request_body import MAX_BODY
from openvet.resources import REGISTRY, RESOURCES, Resource
from openvet.resources import declaration as declared_ops
from openvet.resources.fields import Children, Choice, Field, FieldType, FileData, Link, Number, Text, UidRef
from openvet.services import QUESTIONS, RULES

SCHEME = "ezyvet"  # the OAuth2 security scheme
SIGNED = ("signedLinkClinic", "signedLinkExpires", "signedLinkSignature")  # the three parts of a signed link
TOKEN_PATH = "/v1/oauth/access_token"
# Fields a rule requires though the declaration does not mark them mandatory: each group names fields of which
# one must be sent (a group of one: that field). Either the rule takes one of several names (v2 ContactDetail:
# contact_id or contact_uid, L4389), or it also takes an alternative that depends on the clinic's data (v1
# ContactDetail: a name that names a ContactDetailType, L4132), which the document leaves to /docs.
PARAMETERS = "#/components/parameters/"
RESPONSES = "#/components/responses/"
ERRORS = {
    400: ("BadRequest", "A query parameter, the path or the body cannot be used; each message names one."),
    401: ("Unauthorized", "No access token, or one that is unknown or expired."),
    403: ("Forbidden", "The token lacks the operation's scope, or the endpoint does not exist on this version."),
    404: ("NotFound", "No record of the clinic has this id."),
    405: ("MethodNotAllowed", "This version does not serve the method on the path; the Allow header lists those "
                              "it does."),
    413: ("TooLarge", f"The body is larger than the server takes ({MAX_BODY} bytes of JSON or form; a file up to "
                      "the upload limit, OPENVET_MAX_UPLOAD_BYTES). Nothing was changed."),
    422: ("Unprocessable", "The record cannot be written: each message names a field and the reason."),
    429: ("TooManyRequests", "Over the endpoint's or the clinic's request budget for this minute (L155-L169): "
                             "nothing was done; try again after the Retry-After header's seconds. A refused "
                             "call uses up no budget."),
    500: ("ServerError", "Unexpected failure; quote meta.transaction_id when reporting it."),
    503: ("Unavailable", "The database cannot be reached just now (restarting, down); try again after the "
                         "Retry-After header's seconds. Nothing was changed."),
}


# What is served --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One declared operation of one version, at its full path."""

    resource: Resource
    version: str
    declared: declared_ops.Operation

    @property
    def kind(self) -> str:
        return self.declared.kind

    @property
    def method(self) -> str:
        return self.declared.method

    @property
    def path(self) -> str:
        below = f"/{self.declared.path}" if self.declared.path else ""
        return f"/{self.version}/{self.resource.name}{below}"

    @property
    def matching(self) -> bool:
        return self.declared.address == "matching"

    @property
    def keyed(self) -> str | None:
        """The body field that names the record written (ExternalPrescription's prescription_uid)."""
        address = self.declared.address
        return address if address not in ("path", "matching") and self.kind in ("update", "delete") else None

    @property
    def operation_id(self) -> str:
        return f"{self.resource.name}.{self.version}.{self.kind}" + ("_matching" if self.matching else "")

    @property
    def scope(self) -> str:
        return self.resource.scope_read if self.declared.scope_kind == "read" else self.resource.scope_write

    @property
    def member(self) -> bool:
        return self.declared.member

    @property
    def singleton(self) -> bool:
        return self.kind == "get" and not self.member


def served_operations() -> list[Operation]:
    """Every operation every declaration serves, as routing serves it (``Resource.operations``)."""
    return [Operation(resource, version, op) for resource in RESOURCES for version in resource.endpoints
            for op in resource.operations(version)]


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
                                                  "method_not_allowed, validation, server_error, success…"},
        "text": {"type": "string", "description": "What happened, for a person."},
        "fields": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "Field name -> reason (or, in a success message, the key of the record)."},
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


def envelope_schema(version: str, item: dict | None, messages: dict | None = None) -> dict:
    items = {"type": "array", "items": item} if item else {"type": "array", "maxItems": 0}
    return {"type": "object", "properties": {"meta": ref(f"Meta.{version}"), "items": items,
                                             "messages": {"type": "array", "items": messages or ref("Message")}},
            "required": ["meta", "items", "messages"]}


def object_schema(tree: dict[str, Any], required: set[str], prefix: str = "", closed: bool = False) -> dict:
    """A tree of properties as an object schema; ``required`` holds dotted names."""
    properties = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value.get("__nested__"):
            properties[key] = object_schema(value["tree"], required, f"{name}.", closed)
        else:
            properties[key] = value
    out: dict[str, Any] = {"type": "object", "properties": properties}
    mine = [k for k in tree if f"{prefix}{k}" in required or any(r.startswith(f"{prefix}{k}.") for r in required)]
    if mine:
        out["required"] = mine
    if closed:
        out["additionalProperties"] = False
    return out


def _tree(pairs: list[tuple[str, dict]]) -> dict[str, Any]:
    """Like ``nest``, marking the nested objects so that ``object_schema`` can tell them from leaf schemas."""
    tree: dict[str, Any] = {}
    for name, schema in pairs:
        *outer, leaf = name.split(".")
        node = tree
        for part in outer:
            node = node.setdefault(part, {"__nested__": True, "tree": {}})["tree"]
        node[leaf] = schema
    return tree


class Components:
    """The schemas a version of a resource needs, added on first use (child lists pull in their child)."""

    def __init__(self):
        self.schemas: dict[str, dict] = {"Message": MESSAGE, "TokenRequest": TOKEN_REQUEST, "Token": TOKEN,
                                         "BooleanInput": boolean_input()}
        self.parameters: dict[str, dict] = {}

    # answers

    def record(self, resource: Resource, version: str, typed: bool | None = None) -> str:
        typed = resource.typed(version) if typed is None else typed
        name = record_name(resource.name, version, typed)
        if name not in self.schemas:
            self.schemas[name] = {}
            fields = resource.read_fields(version)
            pairs = [(f.wire_name(version), read_schema(f, version, typed)) for f in fields]
            schema = object_schema(_tree(pairs), {f.wire_name(version) for f in fields})
            asked = questions_of(resource, version)
            if asked:
                schema["properties"]["_answers"] = answers_schema(asked, typed)
            self.schemas[name] = {"title": f"{resource.title} ({version})", **schema}
            for f in fields:
                embedded = isinstance(f.type, Children) and f.type.embeds(version)
                if embedded or (isinstance(f.type, Link) and f.type.expands(version)):
                    self.record(REGISTRY[f.type.target], version, typed)
        return name

    def envelope(self, resource: Resource, version: str) -> str:
        name = f"{resource.name}.{version}.Envelope"
        if name not in self.schemas:
            if resource.item_value:  # the item is one value itself (WebHookEvents' list of names)
                value = resource.field_map[resource.item_value]
                shown = read_schema(value, version, resource.typed(version))
            else:
                shown = ref(self.record(resource, version))
            item = {"type": "object", "properties": {resource.name: shown}, "required": [resource.name],
                    "additionalProperties": False}
            self.schemas[name] = envelope_schema(version, item)
        return name

    # bodies

    def body(self, resource: Resource, version: str, operation: str, *, under: Field | None = None,
             owned: bool = False) -> str:
        """A JSON body. ``under``: a child written in that parent field's list (its back-link is the
        parent's); ``owned``: a record written whole in its owner's link (its owner reference is set)."""
        suffix = operation.title() + (f".In.{under.name}" if under else "") + (".Nested" if owned else "")
        name = f"{resource.name}.{version}.{suffix}"
        if name in self.schemas:
            return name
        self.schemas[name] = {}
        fields = self._writable(resource, version, operation, under, owned)
        names = {f.name for f in fields}
        groups = resource.one_of_for(version, names)
        ruled = {n for g in groups for n in g}
        fields = [replace(f, mandatory=True) if f.name in ruled else f for f in fields]
        pairs = [(f.wire_name(version), self._write(f, version, operation)) for f in fields]
        relaxed = under.type.optional if under else ()
        if operation == "create":
            required = {f.wire_name(version) for f in fields if f.mandatory_on(version) and f.name not in relaxed
                        and (f.name not in ruled or (f.name,) in groups)}
        else:
            required = {f.wire_name(version) for f in fields if f.required_on_update}
        schema = object_schema(_tree(pairs), required, closed=True)
        either = [g for g in groups if len(g) > 1]
        if operation == "create" and either:
            wire = {f.name: f.wire_name(version) for f in fields}
            schema["allOf"] = [{"anyOf": [{"required": [wire[n]]} for n in g]} for g in either]
        for f in fields:  # a value that constrains its siblings (a job's data: its type and type_id)
            across = getattr(f.type, "across", None)
            if across is not None and operation == "create":
                schema.setdefault("allOf", []).extend(across())
        self.schemas[name] = {"title": f"{resource.title} {operation} ({version})", **schema}
        return name

    @staticmethod
    def _writable(resource: Resource, version: str, operation: str, under: Field | None, owned: bool) -> list[Field]:
        parent_keys: set[str] = set()
        if under is not None:
            parent_keys = {under.type.via} | {f.name for f in resource.fields
                                              if isinstance(f.type, UidRef) and f.type.via == under.type.via}
        if owned:
            parent_keys |= {f.name for f in resource.record_refs()}
        return [f for f in resource.fields_for(version) if getattr(f, operation) and f.name not in parent_keys]

    def _write(self, field: Field, version: str, operation: str) -> dict:
        kind = field.type
        if isinstance(kind, Children):
            child = REGISTRY[kind.target]
            new = ref(self.body(child, version, "create", under=field))
            if operation == "create":
                items = new
            else:  # the new set: new children as objects, kept ones by id, or id and changes
                kept = self.body(child, version, "update", under=field)
                changed = dict(self.schemas[kept])
                changed = {**changed, "properties": {"id": _child_id(), **changed["properties"]},
                           "required": ["id", *changed.get("required", [])]}
                self.schemas[f"{kept}.Kept"] = changed
                items = {"anyOf": [new, ref(f"{kept}.Kept"), _child_id()]}
            schema: dict[str, Any] = {"type": "array", "items": items}
            if field.mandatory_on(version):
                schema["minItems"] = 1
            return _described(schema, field)
        schema = write_schema(field, version, operation)
        if isinstance(kind, Link) and kind.nested:  # or a whole new record, made and linked
            target = REGISTRY[kind.target]
            schema = {"anyOf": [*schema.pop("anyOf"), ref(self.body(target, version, "create", owned=True))],
                      **schema}
        return schema

    def keyed_body(self, op: Operation) -> str:
        """The body of an operation that names its record by a field (ExternalPrescription's
        prescription_uid): that field, and on update the fields to change."""
        key = op.keyed
        name = f"{op.resource.name}.{op.version}.{op.kind.title()}.By.{key}"
        if name not in self.schemas:
            field = op.resource.field_map[key]
            keyed = {"type": "string", "minLength": 1, "pattern": BLANK,
                     "description": f"Names the {op.resource.title} to {'change' if op.kind == 'update' else 'disable'}"
                                    f": {field.doc}"}
            if op.kind == "update":
                base = self.schemas[self.body(op.resource, op.version, "update")]
                schema = {**base, "properties": {key: keyed, **base["properties"]},
                          "required": [key, *base.get("required", [])]}
            else:  # the other fields of the body are not read
                schema = {"type": "object", "properties": {key: keyed}, "required": [key]}
            self.schemas[name] = {**schema, "title": f"{op.resource.title} {op.kind} by {key} ({op.version})"}
        return name

    def form(self, resource: Resource, version: str, media: str) -> dict:
        """A create sent as a form: every field as text, the file as a binary part (multipart only)."""
        fields = [f for f in resource.fields_for(version) if f.create
                  and (media == "multipart/form-data" or not isinstance(f.type, FileData))]
        files = [f.name for f in resource.fields_for(version) if isinstance(f.type, FileData) and f.create]
        properties = {f.wire_name(version): form_schema(f, version) for f in fields}
        required = [f.wire_name(version) for f in fields if f.mandatory_on(version)]
        schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
        alternative = _file_alternative(resource, files)
        if alternative and media == "multipart/form-data":  # the file, or an existing File
            schema["anyOf"] = [{"required": [files[0]]}, {"required": [alternative]}]
            schema["not"] = {"required": [files[0], alternative]}
        elif alternative:
            required.append(alternative)
        if required:
            schema["required"] = sorted(set(required))
        if files and media == "multipart/form-data":
            return {"schema": schema, "encoding": {files[0]: {"contentType": "*/*"}}}
        return {"schema": schema}

    def json_without_file(self, resource: Resource, version: str) -> str:
        """A create sent as JSON by a resource that takes a file or an existing File (Attachment): the
        existing File's id is then required."""
        name = f"{resource.name}.{version}.Create.WithoutFile"
        if name not in self.schemas:
            files = [f.name for f in resource.fields if isinstance(f.type, FileData)]
            base = self.schemas[self.body(resource, version, "create")]
            properties = {k: v for k, v in base["properties"].items() if k not in files}
            required = sorted({*base.get("required", []), _file_alternative(resource, files)} - set(files))
            self.schemas[name] = {**base, "properties": properties, "required": required,
                                  "title": f"{resource.title} create without a file ({version})"}
        return name

    def filter(self, resource: Resource, name: str, field: Field, version: str, op: str | None = None) -> dict:
        key = f"{resource.name}.{version}.{name}"
        if key not in self.parameters:
            parameter = filter_parameter(name, field, version, op)
            schema = f"Filter.{filter_kind(field.type, version, f'{resource.name}.{field.name}')}" + (
                f".{op}" if op else "")  # fields of one type share their schema
            self.schemas.setdefault(schema, parameter["schema"])
            self.parameters[key] = {**parameter, "schema": ref(schema)}
        return {"$ref": PARAMETERS + key}


def filter_kind(kind: FieldType, version: str, field: str) -> str:
    """A name for the filter schema of a field type: one per type and size (a choice: one per field)."""
    if isinstance(kind, Choice):
        return f"{field}.{version}"
    if isinstance(kind, Number):
        return f"Decimal{kind.precision}.{kind.scale}"
    if isinstance(kind, Text):
        return f"Text{kind.max_length}"
    return type(kind).__name__


def _file_alternative(resource: Resource, files: list[str]) -> str | None:
    """The link to an existing File a resource takes instead of an upload (Attachment's file_id)."""
    if not files:
        return None
    return next((f.name for f in resource.fields if isinstance(f.type, Link) and f.type.target == "file"
                 and f.create), None)


def _child_id() -> dict:
    return {"anyOf": [{"type": "integer", "minimum": 1, "maximum": BIGINT_MAX},
                      {"type": "string", "pattern": r"^\s*0{0,8}[1-9][0-9]{0,17}\s*$"}],
            "description": "The id of a child kept as it is."}


def _described(schema: dict, field: Field) -> dict:
    if field.doc:
        schema["description"] = field.doc
    return schema


def filter_parameter(name: str, field: Field, version: str, op: str | None = None) -> dict:
    kind = field.type
    if op is not None:
        description = (f"Records whose {field.wire_name(version)} is {_OP_WORDS[op]} this value (a filter that is "
                       f"not a field). {field.doc}")
    else:
        from openvet.openapi.values import comparators, spellings

        accepted = ", ".join(s for n in comparators(kind) for s in spellings(n))
        description = (f"{field.doc} Equal to the value, or URL-encoded JSON comparators, several at once "
                       f'(`{{">": 5, "<=": 9}}`). Accepted here: {accepted}. A blank value is refused (400)')
        if "neq" in comparators(kind):
            description += '; records where it is unset: `{"eq": null}`'
        description += "."
        if kind.likeable:
            description += (' `like` means contains (`{"like": "250ml"}` finds "Amoxicillin 250ml tabs"), without'
                            ' regard to case; `%` and `_` inside the value stay wildcards.')
    return {"name": name, "in": "query", "required": False, "description": description.strip(),
            "schema": filter_schema(kind, version, op)}


_OP_WORDS = {"gte": "at or after", "lte": "at or before", "eq": "equal to", "gt": "after", "lt": "before"}


# Operations ------------------------------------------------------------------------------------------


def _limit(resource: Resource, version: str, writing: bool) -> dict:
    maximum = resource.endpoints[version].page_limit
    what = "Records changed at most" if writing else "Records a page"
    # No "maximum": a larger limit is accepted (served at the maximum), so the schema must accept it too.
    return {"name": "limit", "in": "query", "required": False,
            "description": f"{what} (1 to {maximum} on this endpoint; a larger value is served as {maximum}; "
                           "below 1 or blank is refused: 400).",
            "schema": {"type": "integer", "minimum": 1, "default": min(DEFAULT_LIMIT, maximum)}}


PAGE = {"name": "page", "in": "query", "required": False,
        "description": f"The page to return, from 1 to {MAX_PAGE}.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}}

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


def summary(op: Operation) -> str:
    if op.keyed:
        return f"{SUMMARY[op.kind].format(title=op.resource.title)}, named by {op.keyed}"
    return SUMMARY[op.kind + ("_matching" if op.matching else "")].format(title=op.resource.title)


def rule_docs(resource: Resource) -> list[str]:
    """What the resource's business rules do: the first paragraph of each rule's docstring."""
    docs = [RULES[r].function.__doc__ for r in resource.rules if r in RULES and RULES[r].function.__doc__]
    return [" ".join(doc.strip().split("\n\n")[0].split()) for doc in docs]


def describe_operation(op: Operation) -> str:
    resource, version, title = op.resource, op.version, op.resource.title
    limit = resource.endpoints[version].page_limit
    parses = {"json": "the JSON body", "multipart": "a multipart/form-data body (the file as a part)",
              "none": "the request"}[op.declared.parses]
    if op.singleton:
        text = f"The clinic's {title}: one object, not a list."
    elif op.kind == "list":
        text = f"The clinic's {title} records matching every filter given, at most {limit} a page."
    elif op.kind == "get":
        text = f"The {title} with this id."
    elif op.kind == "create":
        text = f"Creates a {title} from {parses}; fields not sent take their defaults."
        if op.declared.parses == "multipart":
            text += (" Send the file as the `file_data` part and the other fields as text parts."
                     if resource.name != "attachment" else
                     " Send the file as the `file_data` part, or name an existing File by `file_id`; without a "
                     "file, a urlencoded form or a JSON body also does.")
    elif op.kind == "download":
        text = (f"The bytes of the {title}'s file, with its media type and name (Content-Disposition). Callable "
                "with the read scope's token, or with no token at all by anyone holding a signed link "
                "(`file_download_url`): its query parameters `clinic`, `expires` and `signature` stand for the "
                "token, and a link that is altered or expired is refused (403).")
    elif op.keyed:
        text = (f"{'Changes the fields sent on' if op.kind == 'update' else 'Disables'} the {title} whose "
                f"`{op.keyed}` the JSON body gives (404 when none has it).")
    elif op.matching:
        verb = "Changes the fields sent in the JSON body on" if op.kind == "update" else "Disables"
        text = (f"{verb} every {title} the filters match (at most limit). At least one filter is needed"
                + (", or an `id` in the body that names the record" if op.kind == "update" else "")
                + ": without one the request is refused (400), never applied to every record.")
    elif op.kind == "update":
        text = f"Changes the fields sent in the JSON body on the {title} with this id."
    else:
        text = f"Disables (active = false) the {title} with this id; it is kept and can be read."
    answers = op.declared.answers
    if op.kind in ("update", "delete") or (op.kind == "create" and answers != "items"):
        text += {"items": " Answers the records written.", "none": " Answers an empty `items` (meta counts them).",
                 "messages": f" Answers a success message naming the record by `{op.declared.address}`, and "
                             "an empty `items`.", "binary": ""}[answers]
    if op.declared.extension:
        text += ("\n\n**openvet extension**: not in the ezyVet API document; openvet serves it so that a client "
                 "can do what the document implies.")
    if version == "v1":
        text += " v1 writes every value as a string." if not resource.typed(version) else (
            " This v1 endpoint writes typed JSON, as its document samples do.")
    if op.method != "GET" and resource.rules:
        text += "".join(f"\n\n- {r}" for r in rule_docs(resource))
    if resource.spec_line:
        text += f"\n\nezyVet API document, line {resource.spec_line}."
    return text


RATE_LIMIT_HEADERS = {  # on every answer to a known caller while throttling is on (OPENVET_RATE_LIMIT)
    "x-ratelimit-limit": {"schema": {"type": "integer"}, "description": "The endpoint's requests a minute."},
    "x-ratelimit-remaining": {"schema": {"type": "integer"},
                              "description": "Requests left: the fewer of the endpoint's and the clinic's."},
    "x-ratelimit-reset": {"schema": {"type": "integer"}, "description": "Seconds until the budgets reset."},
}


def _errors(op: Operation) -> dict:
    statuses = {400, 401, 403, 405, 429, 500, 503}
    if op.member or op.keyed:
        statuses.add(404)
    if op.kind in ("create", "update", "delete"):
        statuses |= {413, 422}
    out = {str(s): {"$ref": f"{RESPONSES}{ERRORS[s][0]}.{op.version}"} for s in sorted(statuses)}
    if op.matching:  # the rule a schema cannot say: at least one filter
        out["400"] = {**_error_responses()[f"BadRequest.{op.version}"],
                      "description": "No filter (nor an id in the body), or a query parameter that cannot be used."}
    return out


def _ok(op: Operation, components: Components) -> dict:
    title = op.resource.title
    answers = op.declared.answers
    if answers == "binary":
        binary = {"schema": {"type": "string", "format": "binary"}}
        return {"description": "The file's bytes, with its own media type (application/octet-stream when "
                               "unknown).", "headers": {"Content-Disposition": {
                    "schema": {"type": "string"}, "description": "attachment, with the file's name"},
                **RATE_LIMIT_HEADERS},
                "content": {"application/octet-stream": binary, "*/*": binary}}
    if answers == "messages":
        key = op.declared.address
        message = {**MESSAGE, "properties": {**MESSAGE["properties"], "fields": {
            "type": "object", "properties": {key: {"type": "string"}}, "required": [key],
            "description": f"The {key} of the record written."}}}
        schema: dict = envelope_schema(op.version, None, message)
        description = f"Success: a message names the {title} by {key}; no items."
    elif answers == "none":
        schema = envelope_schema(op.version, None)
        description = f"Done: no items; meta counts the {title} records matched and changed."
    else:
        schema = ref(components.envelope(op.resource, op.version))
        description = summary(op) + "."
    ok: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": schema}}}
    ok["headers"] = dict(RATE_LIMIT_HEADERS)
    if op.kind == "list" or op.singleton:
        ok["headers"]["x-item-limit-per-page"] = {"description": "The endpoint's largest page size.",
                                                  "schema": {"type": "integer"}}
    return ok


def _parameters(op: Operation, components: Components) -> list[dict]:
    resource, version = op.resource, op.version
    # a write's query parameters that are fields of its body too (confirm_invoice_number, L11095)
    taken = [{"name": name, "in": "query", "required": False, "schema": {"type": "integer"},
              "description": resource.field_map[name].doc} for name in op.declared.params]
    if op.kind == "list":
        parameters = [_limit(resource, version, False), PAGE]
    elif op.matching:
        parameters = [_limit(resource, version, True)]
    else:
        return taken
    for name, field in resource.filter_map(version).items():
        parameters.append(components.filter(resource, name, field, version))
    for name, (field_name, compare) in resource.endpoints[version].filters.items():
        parameters.append(components.filter(resource, name, resource.field_map[field_name], version, compare))
    if op.kind == "list" and op.declared.questions:
        parameters.append(questions_parameter(op.declared.questions))
    return parameters


def questions_of(resource: Resource, version: str) -> tuple[str, ...]:
    """The questions a list of ``resource`` on ``version`` answers (``stocklevel`` on /v1/product)."""
    return tuple(q for op in resource.operations(version) if op.kind == "list" for q in op.questions)


def questions_parameter(questions: tuple[str, ...]) -> dict:
    asked = [orjson.dumps([{"name": q}]).decode() for q in questions]
    return {"name": "questions", "in": "query", "required": False,
            "description": "Questions the list answers for each record, under `_answers` (L9950): a URL-encoded JSON "
                           "list of questions by name, e.g. `" + asked[0] + "`. An unknown question is a 400.",
            "schema": {"type": "string", "enum": asked}}


def answers_schema(questions: tuple[str, ...], typed: bool) -> dict:
    figure = {"type": "number"} if typed else {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}
    return {"type": "object", "description": "Present when `questions` asks: each question's answer by its name.",
            "properties": {q: {"type": ["object", "null"], "description": _first_line(QUESTIONS[q].__doc__),
                               "additionalProperties": figure} for q in questions}}


def _first_line(text: str | None) -> str:
    return " ".join((text or "").split("\n\n")[0].split())


def _request_body(op: Operation, components: Components) -> dict | None:
    resource, version = op.resource, op.version
    if op.keyed:
        return {"required": True, "content": {"application/json": {"schema": ref(components.keyed_body(op))}}}
    if op.declared.parses == "multipart":
        content = {"multipart/form-data": components.form(resource, version, "multipart/form-data")}
        if _file_alternative(resource, [f.name for f in resource.fields if isinstance(f.type, FileData)]):
            content["application/x-www-form-urlencoded"] = components.form(
                resource, version, "application/x-www-form-urlencoded")
            content["application/json"] = {"schema": ref(components.json_without_file(resource, version))}
        return {"required": True, "content": content}
    if op.declared.parses != "json":
        return None
    if op.kind == "delete":  # a DELETE on the collection may name its record by the body's id (InvoiceLine v2, L7934)
        name = f"{resource.name}.{version}.Delete.Matching"
        components.schemas[name] = {"title": f"{resource.title} delete ({version})", "type": "object",
                                    "properties": {"id": {**_child_id(), "description": f"The {resource.title} "
                                                          "to delete, when no filter is given."}}}
        return {"required": False, "content": {"application/json": {"schema": ref(name)}}}
    body = ref(components.body(resource, version, op.kind))
    if op.matching and op.kind == "update":
        base = components.schemas[body["$ref"].rsplit("/", 1)[1]]
        name = f"{resource.name}.{version}.Update.Matching"
        components.schemas[name] = {**base, "properties": {"id": {
            **_child_id(), "description": "The record to change, when no filter is given (a PATCH on the "
                                          "collection names its record by the body's id)."}, **base["properties"]}}
        body = ref(name)
    return {"required": True, "content": {"application/json": {"schema": body}}}


def operation(op: Operation, components: Components) -> dict:
    resource = op.resource
    out: dict[str, Any] = {
        "operationId": op.operation_id,
        "tags": [resource.title],
        "summary": f"{summary(op)} ({op.version})",
        "description": describe_operation(op),
        "security": [{SCHEME: [op.scope]}],
    }
    if op.kind == "download":
        out["security"].append({scheme: [] for scheme in SIGNED})
    if op.declared.extension:
        out["x-openvet-extension"] = True
    if op.matching:
        out["x-openvet-requires-filter"] = True
    parameters = _parameters(op, components)
    if parameters:
        out["parameters"] = parameters
    body = _request_body(op, components)
    if body:
        out["requestBody"] = body
    out["responses"] = {"200": _ok(op, components), **_errors(op)}
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
            "405": {"$ref": f"{RESPONSES}MethodNotAllowed.v1"},
            "413": {"$ref": f"{RESPONSES}TooLarge.v1"},
            "429": {"$ref": f"{RESPONSES}TooManyRequests.v1"},
            "500": {"$ref": f"{RESPONSES}ServerError.v1"},
            "503": {"$ref": f"{RESPONSES}Unavailable.v1"},
        },
    }


@cache
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
            if status in (429, 503):
                response["headers"] = {"Retry-After": {"schema": {"type": "integer", "minimum": 0},
                                                       "description": "Seconds to wait before trying again."}}
            if status == 429:
                response["headers"].update(RATE_LIMIT_HEADERS)
            out[f"{name}.{version}"] = response
    return out


INTRO = """\
The ezyVet API (v1 and v2) as openvet serves it, generated from openvet's resource declarations.

- **Authentication**: OAuth 2.0 client credentials at `POST /v1/oauth/access_token`; send the token as
  `Authorization: Bearer <token>`. Scopes are `read-<endpoint>` (GET) and `write-<endpoint>` (POST, PATCH,
  DELETE). A file download also works with no token, through the signed link a File or Attachment answers.
- **Envelope**: every answer, errors included, is `{meta, items, messages}`; each item wraps one record
  under the endpoint's name (`{"animal": {...}}`). v1 writes every value (and meta number) as a string, except
  on the endpoints whose document samples are typed (Communication, IntegratedDiagnostic, DiagnosticRequest);
  v2 writes typed JSON.
- **Paging**: `limit` (1 to the endpoint's maximum, default 10; a larger value is served at the maximum,
  which `x-item-limit-per-page` gives) and `page` (1 to 2147483647).
- **Filters**: every filterable field is a query parameter: `?name=Rex`, or URL-encoded JSON comparators,
  `?modified_at={">":1700000000,"<=":1800000000}` (lt <, lte <=, eq =, gte >=, gt >, neq != <>, like
  = contains, in). An unknown parameter or comparator is refused (400), never ignored; so is a blank value (an empty
  `?contact_id=` is not "unset": ask for `{"eq": null}`) and a value longer than 1000 characters. PATCH and
  DELETE on a collection need at least one filter (`x-openvet-requires-filter`).
- **Errors**: 400 bad parameters, 401 no or bad token, 403 missing scope or unknown endpoint, 404 unknown
  id, 405 method not served, 413 body too large, 422 a record that cannot be written (each message names
  the field; a link to a record that does not exist is one); 503 with `Retry-After` while the database
  cannot be reached (a restart): try again, nothing was changed.
- **Throttling** (`OPENVET_RATE_LIMIT`, default 60 requests a minute per endpoint and 180 per clinic and
  partner): answers carry `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset`; over a budget
  the answer is 429 with `Retry-After`, and nothing is done. The token endpoint has its own budget per client.
- **Extensions**: operations marked `x-openvet-extension` are openvet's own, beyond the ezyVet document.

The Provet Cloud API (api/0.1) is not described here. The human-readable guide is at /docs.
"""


def _signed_schemes() -> dict:
    what = {"clinic": "The clinic the link was made for.", "expires": "When the link expires (epoch seconds).",
            "signature": "The link's HMAC-SHA256 signature."}
    return {scheme: {"type": "apiKey", "in": "query", "name": part,
                     "description": f"Part of a signed download link (`file_download_url`), sent instead of a "
                                    f"token with the other two: {what[part]}"}
            for scheme, part in zip(SIGNED, ("clinic", "expires", "signature"), strict=True)}


def build_document() -> dict:
    components = Components()
    paths: dict[str, dict] = {TOKEN_PATH: {"post": _token_operation()}}
    for op in served_operations():
        item = paths.setdefault(op.path, {})
        if op.member and "parameters" not in item:
            item["parameters"] = [{"name": "id", "in": "path", "required": True,
                                   "description": f"The ID of the {op.resource.title}: ASCII digits, 1 to "
                                                  f"{BIGINT_MAX}.",
                                   # digits, not "integer": a fuzzer writes 5.0 for an integer, the path takes 5
                                   "schema": {"type": "string", "pattern": f"^{digits_up_to(BIGINT_MAX)}$"}}]
        item[op.method.lower()] = operation(op, components)
    scopes = {}
    for resource in RESOURCES:
        scopes[resource.scope_read] = f"Read {resource.title} records."
        scopes[resource.scope_write] = f"Create, change and disable {resource.title} records."
    schemas = dict(components.schemas)
    for version in ("v1", "v2"):
        schemas[f"Meta.{version}"] = _meta(version)
        schemas[f"Error.{version}"] = envelope_schema(version, None)
    tags = [{"name": "Authentication", "description": "Access tokens."}]
    for resource in RESOURCES:
        served = ", ".join(f"/{v}/{resource.name}" for v in resource.endpoints) or "written in another record's list"
        tags.append({"name": resource.title, "description": f"{resource.title} records: {served}."})
    return {
        "openapi": "3.1.0",
        "info": {"title": "openvet: ezyVet API", "version": __version__, "description": INTRO,
                 "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}},
        "tags": tags,
        "paths": paths,
        "webhooks": _webhook_delivery(),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "parameters": dict(sorted(components.parameters.items())),
            "responses": _error_responses(),
            "securitySchemes": {SCHEME: {
                "type": "oauth2",
                "description": "OAuth 2.0 client credentials; the token goes in `Authorization: Bearer <token>`.",
                "flows": {"clientCredentials": {"tokenUrl": TOKEN_PATH, "scopes": scopes}},
            }, **_signed_schemes()},
        },
    }


def _webhook_delivery() -> dict:
    """OpenAPI 3.1 ``webhooks``: the request openvet sends to a subscribed ``webhook_url`` (docs/webhooks.md)."""
    events = sorted(name for resource in RESOURCES for name in resource.event_names())
    header = {"required": True, "schema": {"type": "string"}}
    body = {"type": "object", "required": ["event", "event_id", "webhook_id", "timestamp", "version", "items"],
            "properties": {
                "event": {"type": "string", "enum": events, "description": "The event subscribed to."},
                "event_id": {"type": "integer", "description": "The event's id: the same for every attempt and "
                                                               "replay of it."},
                "webhook_id": {"type": "integer", "description": "The WebHook subscribed."},
                "timestamp": {"type": "integer", "description": "When this attempt was sent (epoch seconds)."},
                "version": {"type": "string", "enum": ["v1", "v2"],
                            "description": "How the record is written: v2 where the resource is served on v2."},
                "items": {"type": "array", "maxItems": 1, "items": {
                    "type": "object", "minProperties": 1, "maxProperties": 1,
                    "description": "The record as one item of the API's list answer, wrapped in its endpoint's "
                                   "name, cut to the WebHook's fields; none if it cannot be read."}}}}
    return {"event": {"post": {
        "summary": "An event, POSTed to a WebHook's webhook_url",
        "description": "Sent to every active WebHook of the clinic subscribed to the event, to its `webhook_url` "
                       "with the query string kept (L13983). Only a 2xx answer delivers; after 3 failed attempts "
                       "the WebHook is disabled (L14202).\n\n**openvet extension**: the body's shape, the "
                       "Standard Webhooks signature headers (HMAC-SHA256 with the secret answered once at "
                       "creation), retries and the attempt log are openvet's; see docs/webhooks.md.",
        "x-openvet-extension": True,
        "tags": ["WebHook"],
        "parameters": [
            {"name": "webhook-id", "in": "header", **header,
             "description": "evt<event_id>_wh<webhook_id>: the same for every retry and replay (deduplicate)."},
            {"name": "webhook-timestamp", "in": "header", **header, "description": "Epoch seconds of the attempt."},
            {"name": "webhook-signature", "in": "header", **header,
             "description": "v1,<base64 HMAC-SHA256 of '<webhook-id>.<webhook-timestamp>.<body>' keyed with the "
                            "secret's bytes>"}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": {"200": {"description": "Any 2xx: delivered. Anything else, or no answer in 10 s: tried "
                                             "again, up to 3 attempts."}},
    }}}


@cache
def document_bytes() -> bytes:
    return orjson.dumps(build_document())


async def document(request: Request) -> Response:
    return Response(document_bytes(), media_type="application/json")


__all__ = ["Operation", "build_document", "document", "served_operations"]
