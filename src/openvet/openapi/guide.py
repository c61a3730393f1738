"""``/docs``: the same description as ``/openapi.json``, for people: every resource, its operations on each
version (with what they parse and answer), its fields and the rules its writes follow."""

from __future__ import annotations

import html
from functools import cache
from importlib.resources import files
from string import Template
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from openvet import __version__
from openvet.openapi.document import TOKEN_PATH, Operation, rule_docs, served_operations, summary
from openvet.openapi.values import jsonable
from openvet.resources import RESOURCES, Resource
from openvet.resources.fields import (
    Children,
    Choice,
    ChoiceList,
    Computed,
    ContextDefault,
    Day,
    Epoch,
    EventName,
    Field,
    FileData,
    Guid,
    JsonObject,
    Link,
    LinkList,
    Number,
    RecordRef,
    Text,
    TextList,
    Timezone,
    TypedLink,
    TypeName,
    Uid,
    UidRef,
    WebAddress,
)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def type_label(field: Field, version: str, resource: Resource | None = None) -> str:
    """A field's type in a few words, for people."""
    kind = field.type
    if isinstance(kind, Children):
        shown = "objects" if kind.embeds(version) else "ids"
        return f"list of {kind.target} ({shown} when read)"
    if isinstance(kind, TypedLink):
        named = resource.field_map[kind.kind].wire_name(version) if resource else kind.kind
        return f"id of the record {named} names"
    if isinstance(kind, Link):
        return f"{kind.target}, whole when read" if kind.expands(version) else f"id of {kind.target}"
    if isinstance(kind, LinkList):
        return f"list of {kind.target} ids"
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
    if isinstance(kind, TextList):
        return "list of texts"
    if isinstance(kind, WebAddress):
        return "http(s) URL"
    if isinstance(kind, EventName):
        return "event name (/v1/webhookevents)"
    if isinstance(kind, TypeName):
        return "kind of record: " + ", ".join(kind.spelled(version))
    if isinstance(kind, Choice):
        return "one of: " + ", ".join(kind.spelled(version))
    if isinstance(kind, Computed):
        return "worked out when read"
    if isinstance(kind, FileData):
        return "file (multipart part)"
    if isinstance(kind, JsonObject):
        return "JSON object"
    if isinstance(kind, Day):
        return "calendar day"
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


def default_words(field: Field) -> str:
    """A field's default as HTML: a value, or in words when it depends on the request (the moment, the
    caller)."""
    if field.default is None:
        return ""
    if isinstance(field.default, ContextDefault):
        return f'<span class="context">{_e(field.default.doc)}</span>'
    return f"<code>{_e(orjson.dumps(jsonable(field.default)).decode())}</code>"


def _notes(field: Field, version: str) -> str:
    notes = []
    if not field.read:
        notes.append("write-only")
    if field.required_on_update:
        notes.append("required on every update")
    if isinstance(field.mandatory, tuple):
        notes.append("required on " + ", ".join(field.mandatory))
    if "." in field.wire_name(version):
        notes.append(f"inside <code>{_e(field.wire_name(version).rsplit('.', 1)[0])}</code>")
    return "".join(f' <span class="badge">{n}</span>' for n in notes)


def _fields_table(resource: Resource, version: str) -> str:
    """The fields on one version; the Create/Required and Update columns only where that version writes."""
    creates, updates = resource.serves(version, "create"), resource.serves(version, "update")
    head = "<th>Field</th><th>Type</th><th>Filter</th>"
    head += "<th>Create</th><th>Required</th>" if creates else ""
    head += "<th>Update</th>" if updates else ""
    filters = {f.name for f in resource.filter_map(version).values()}
    rows = []
    for field in resource.fields_for(version):
        wire = field.wire_name(version)
        renamed = f' <span class="aka">(stored as {_e(field.name)})</span>' if wire != field.name else ""
        kind = _e(type_label(field, version, resource))
        if isinstance(field.type, Link) and field.type.nested and (creates or updates):
            kind += " or a new one"
        row = (f'<tr><td><code>{_e(wire)}</code>{renamed}{_notes(field, version)}</td><td class="type">{kind}</td>'
               f"{_mark(field.name in filters)}")
        row += _mark(field.create) + _mark(field.mandatory_on(version)) if creates else ""
        row += _mark(field.update) if updates else ""
        rows.append(row + f"<td>{default_words(field)}</td><td>{_e(field.doc)}</td></tr>")
    return (f'<table class="fields"><thead><tr>{head}<th>Default</th><th>Description</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


def operation_notes(op: Operation) -> list[str]:
    """What sets an operation apart, in a few words each: its limits, body, answer and addressing."""
    limit = op.resource.endpoints[op.version].page_limit
    notes = []
    if op.kind == "list":
        notes.append(f"up to {limit} a page")
    if op.matching:
        notes.append(f"at most {limit} records; needs a filter")
    if op.keyed:
        notes.append(f"names its record by {op.keyed} in the JSON body")
    if op.declared.parses == "multipart":
        notes.append("multipart/form-data with the file as file_data")
    if op.declared.answers == "binary":
        notes.append("answers the file's bytes; token or signed link")
    elif op.declared.answers == "messages":
        notes.append(f"answers a success message naming {op.declared.address}")
    elif op.declared.answers == "none" and op.kind != "list":
        notes.append("answers no items")
    return notes


def _operations_table(operations: list[Operation]) -> str:
    rows = []
    for op in operations:
        badge = ' <span class="badge extension">openvet extension</span>' if op.declared.extension else ""
        rows.append(
            f'<tr><td><span class="method {op.method.lower()}">{op.method}</span></td>'
            f"<td><code>{_e(op.path)}</code>{badge}</td><td>{_e(summary(op))}</td>"
            f"<td><code>{_e(op.scope)}</code></td><td>{_e('; '.join(operation_notes(op)))}</td></tr>")
    return ('<table class="ops"><thead><tr><th>Method</th><th>Path</th><th>Does</th><th>Scope</th><th></th>'
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _resource_section(resource: Resource, operations: list[Operation]) -> str:
    parts = [f'<section class="resource" id="{_e(resource.name)}"><h3>{_e(resource.title)} '
             f'<code class="endpoint">/{_e(resource.name)}</code></h3>']
    facts = [f"Served on {', '.join(resource.endpoints)}" if resource.endpoints
             else "No endpoint of its own: written in its parent's list"]
    typed = [v for v in resource.endpoints if v == "v1" and resource.typed(v)]
    if typed:
        facts.append("v1 answers typed JSON, as the document's samples do")
    if resource.spec_line:
        facts.append(f"ezyVet API document line {resource.spec_line}")
    parts.append(f'<p class="facts">{_e(" · ".join(facts))}.</p>')
    rules = rule_docs(resource)
    if rules:
        parts.append('<p class="facts">Rules its writes follow:</p><ul class="rules">'
                     + "".join(f"<li>{_e(r)}</li>" for r in rules) + "</ul>")
    versions = list(resource.endpoints) or ["v1"]
    for version in versions:
        mine = [op for op in operations if op.version == version]
        table = _operations_table(mine) if mine else ""
        extra = _filters_note(resource, version)
        parts.append(f'<div class="version"><h4><span class="pill">{version}</span></h4>{table}{extra}'
                     f"{_fields_table(resource, version)}</div>")
    parts.append("</section>")
    return "".join(parts)


def _filters_note(resource: Resource, version: str) -> str:
    endpoint = resource.endpoints.get(version)
    if not endpoint or not endpoint.filters:
        return ""
    words = {"gte": "≥", "lte": "≤", "eq": "=", "gt": ">", "lt": "<"}
    items = "".join(f"<li><code>{_e(name)}</code>: {_e(resource.field_map[f].wire_name(version))} "
                    f"{_e(words[op])} the value</li>" for name, (f, op) in endpoint.filters.items())
    return f'<p class="facts">Query parameters that are not fields:</p><ul class="rules">{items}</ul>'


@cache
def docs_html() -> str:
    operations = served_operations()
    nav = "".join(
        f'<li><a href="#{_e(r.name)}">{_e(r.title)}</a> <span class="versions">{_e(" ".join(r.endpoints))}</span>'
        "</li>" for r in RESOURCES)
    sections = "".join(_resource_section(r, [op for op in operations if op.resource is r]) for r in RESOURCES)
    template = Template(files("openvet.openapi").joinpath("docs.html").read_text(encoding="utf-8"))
    return template.substitute(version=_e(__version__), nav=nav, resources=sections,
                               resource_count=len(RESOURCES), operation_count=len(operations) + 1,
                               token_path=_e(TOKEN_PATH))


async def docs_page(request: Request) -> Response:
    return HTMLResponse(docs_html())
