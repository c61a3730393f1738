"""Routing for ``/<version>/<endpoint>[/<path>]``: one generic handler for every declared operation.

The declarations say which operations a version serves and on which paths (``Operation``); routing, the
405's ``Allow``, scopes and ``/openapi.json`` all read that one list. A request is resolved without the
database (version, endpoint, operation), its body read (JSON, or multipart with a file), and the rest —
the token, the engine's SQL, the serialising — runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from openvet.engine import (
    RETRY_AFTER,
    WARNINGS,
    Actor,
    Condition,
    Forbidden,
    NotFound,
    Problem,
    ValidationFailed,
    unavailable,
)
from openvet.engine.offload import offload
from openvet.ezyvet import serializers
from openvet.ezyvet.authentication import access_token, identify
from openvet.ezyvet.envelope import EzyvetError, error_response, meta, read_body, respond
from openvet.ezyvet.filters import FilterError, parse_filters
from openvet.ezyvet.pagination import Paging, page_meta, parse_paging
from openvet.ezyvet.serializers import View
from openvet.ezyvet.throttling import take_in_route
from openvet.resources import REGISTRY, Resource
from openvet.resources.declaration import Operation
from openvet.resources.fields import BIGINT_MAX, FileData, Integer, Invalid
from openvet.routing import route
from openvet.services import files
from openvet.services.credentials import Identity
from openvet.store.blobs import TooLarge

log = logging.getLogger("openvet.ezyvet")
VERSIONS = ("v1", "v2")
METHOD_ORDER = ("GET", "POST", "PATCH", "DELETE")
SUCCESS = {"create": "Record created successfully.", "update": "Record updated successfully.",
           "delete": "Record deactivated successfully."}


@dataclass
class Call:
    """One resolved request: what it asks of which resource, and what it sent."""

    request: Request
    version: str
    resource: Resource
    operation: Operation
    segments: tuple[str, ...]
    params: dict[str, str]
    body: dict[str, Any] | None = None


def guarded(handler):
    """Every answer in the envelope: errors a client caused get their status, anything else a 500."""

    async def endpoint(request: Request) -> Response:
        version = "v2" if _route_path(request).startswith("/v2") else "v1"
        try:
            return await handler(request)
        except EzyvetError as error:
            return error_response(version, error)
        except FilterError as error:
            return error_response(version, EzyvetError(400, "A query parameter cannot be used", error.problems))
        except ValidationFailed as error:
            return error_response(version, EzyvetError(422, "The record cannot be written", error.problems))
        except NotFound as error:
            return error_response(version, EzyvetError(404, str(error)))
        except Forbidden as error:
            return error_response(version, EzyvetError(403, str(error)))
        except Exception as error:
            if unavailable(error):  # the database is down or restarting: try again, never a stack trace
                log.warning("database unavailable on %s %s: %s", request.method, request.url.path, error)
                return error_response(version, EzyvetError(503, "The database cannot be reached just now; try "
                                                           "again shortly", headers={"Retry-After": str(RETRY_AFTER)}))
            log.exception("unexpected error on %s %s", request.method, request.url.path)
            return error_response(version, EzyvetError(500, "Internal server error; quote the transaction_id"))

    return endpoint


# resolving -------------------------------------------------------------------------------------------


def _route_path(request: Request) -> str:
    """The path the router matched (without a root path): ``request.url`` would build a whole URL first."""
    scope = request.scope
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


_OWN_PATHS: dict[tuple[str, str], tuple[tuple[Operation, tuple[str, ...]], ...]] = {}


def _operations(resource: Resource, version: str) -> tuple[tuple[Operation, tuple[str, ...]], ...]:
    """The operations of an endpoint with their paths already split (once per endpoint, not per request)."""
    key = (resource.name, version)
    found = _OWN_PATHS.get(key)
    if found is None:
        found = _OWN_PATHS[key] = tuple((op, tuple(s for s in op.path.split("/") if s))
                                        for op in resource.operations(version))
    return found


def _matches(own: tuple[str, ...], segments: tuple[str, ...]) -> bool:
    """``Operation.matches`` on a path split beforehand."""
    return len(own) == len(segments) and all(o == "{id}" or o == s for o, s in zip(own, segments, strict=True))


def _resolve(request: Request) -> Call:
    """(version, resource, operation) from the path and method alone; 403/405 in the envelope otherwise."""
    version = _route_path(request).split("/")[1]
    name = request.path_params["endpoint"].lower()
    resource = REGISTRY.get(name)
    if resource is None or version not in resource.endpoints:
        if request.method not in SERVED:
            not_served(request, [])
        raise EzyvetError(403, f"There is no endpoint /{version}/{name}")
    rest = request.path_params.get("rest", "")
    segments = tuple(s for s in rest.split("/") if s)
    on_path = [op for op, own in _operations(resource, version) if _matches(own, segments)]
    allowed = [m for m in METHOD_ORDER if any(op.method == m for op in on_path)]
    if request.method not in SERVED:
        not_served(request, allowed)
    if not on_path:
        raise EzyvetError(403, f"There is no endpoint {request.url.path}")
    method = "GET" if request.method == "HEAD" else request.method  # the server leaves HEAD's body out
    chosen = [op for op in on_path if op.method == method]
    if not chosen:
        raise EzyvetError(405, f"{request.method} is not allowed on {request.url.path}; allowed: "
                          + ", ".join(allowed), headers={"Allow": ", ".join(allowed)})
    params = dict(request.query_params.items()) if request.scope.get("query_string") else {}
    return Call(request, version, resource, chosen[0], segments, params)


SERVED = ("GET", "HEAD", "POST", "PATCH", "DELETE")  # no path of the API serves any other method


def not_served(request: Request, allowed: list[str]) -> None:
    """A method no path serves (TRACE, CONNECT, PUT, OPTIONS, FOO…) is refused on every path, whoever asks:
    a 405 with the methods of this path (none where the path names no endpoint), before the token."""
    raise EzyvetError(405, f"{request.method} is not allowed on {request.url.path}; allowed: "
                      + (", ".join(allowed) or "none"), headers={"Allow": ", ".join(allowed)})


def _authorise(call: Call) -> Actor:
    """The call counted (throttling in the database: in this same worker thread), the caller's token, and the
    operation's scope (read-<endpoint> for GET, write-<endpoint> otherwise)."""
    take_in_route(call.request.scope)
    identity = identify(call.request)
    resource = call.resource
    scope = resource.scope_read if call.operation.scope_kind == "read" else resource.scope_write
    if not identity.allows(scope):
        raise EzyvetError(403, f"The access token lacks the scope {scope}")
    return _actor(identity)


def _actor(identity: Identity) -> Actor:
    return Actor(identity.clinic_id, identity.credential_id, identity.partner_id, identity.scopes, identity.user_id)


def _record_id(call: Call) -> int:
    own = [s for s in call.operation.path.split("/") if s]
    raw = call.segments[own.index("{id}")]
    # ASCII digits only (str.isdigit and int() also accept "²" and "١"), no leading zero: an id is written one way
    if not re.fullmatch(r"[1-9][0-9]{0,18}", raw) or int(raw) > BIGINT_MAX:
        raise EzyvetError(400, "The record id in the path must be a positive whole number",
                          [Problem("id", "must be a positive whole number of at most 64 bits")])
    return int(raw)


# bodies ----------------------------------------------------------------------------------------------


async def _json_body(request: Request, optional: bool = False) -> dict | None:
    raw = await read_body(request)
    if not raw.strip():
        if optional:
            return None
        raise EzyvetError(400, "The request needs a JSON body")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise EzyvetError(400, f"The request body is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise EzyvetError(400, "The request body must be a JSON object")
    return body


async def _multipart_body(request: Request, resource: Resource, version: str) -> dict:
    """A multipart/form-data body: its text fields as sent, its one file part kept in the file store (by
    content) and passed on as an ``Upload``. Every part is checked before a byte is kept; a file past
    ``OPENVET_MAX_UPLOAD_BYTES`` is a 413 that keeps nothing. The copy runs in a worker thread, never on the
    event loop. A form or JSON body is also accepted for the fields that are not files (an Attachment of an
    existing file_id). A field sent twice is refused rather than one of its values chosen."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("application/json", ""):
        return await _json_body(request)
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise EzyvetError(400, "Send this request as multipart/form-data (a form with the file as file_data), "
                               "or as a form or JSON without a file")
    settings = request.app.state.settings
    limit = settings.max_upload

    def once(parts: list[tuple[str, Any]]) -> dict[str, Any]:
        body: dict[str, Any] = {}
        twice = []
        for key, value in parts:
            if key in body:
                twice.append(key)
            body[key] = value
        if twice:
            raise EzyvetError(400, "A field is sent more than once",
                              [Problem(key, "is sent more than once") for key in dict.fromkeys(twice)])
        return body

    def too_large() -> EzyvetError:
        return EzyvetError(413, f"The file is larger than the upload limit of {limit} bytes",
                           [Problem("file_data", f"must be at most {limit} bytes (OPENVET_MAX_UPLOAD_BYTES)")])

    if kind == "application/x-www-form-urlencoded":  # a form without a file (an Attachment of a file_id)
        raw = await read_body(request)
        return once(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    room = limit + (1 << 20)  # the file's limit plus room for the other parts and the boundaries
    declared = request.headers.get("content-length", "").strip()
    if declared.isascii() and declared.isdigit() and int(declared) > room:
        raise too_large()

    async def stream():
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > room:
                raise too_large()
            yield chunk

    try:
        form = await MultiPartParser(request.headers, stream(), max_files=1, max_fields=50,
                                     max_part_size=1 << 20).parse()
    except MultiPartException as error:
        several = error.message.startswith("Too many files")
        raise EzyvetError(400, f"The multipart body cannot be read: {error.message}",
                          [Problem("file_data", "is the only file part: send one file")] if several else None
                          ) from None
    try:
        wire = resource.wire_map(version)
        parts: list[tuple[str, Any]] = []
        for key, value in form.multi_items():
            if not isinstance(value, str):
                f = wire.get(key)
                if f is None or not isinstance(f.type, FileData):
                    raise EzyvetError(422, "The record cannot be written",
                                      [Problem(key, f"is not a file field of {resource.title}: send it as text")])
                if not value.filename and not value.size:  # an HTML form's file input left empty: no file
                    continue
            parts.append((key, value))
        body = once(parts)
        for key, value in body.items():
            if not isinstance(value, str):
                try:
                    body[key] = await offload(settings.db_threads, files.receive, request.app.state.blobs,
                                              value.file, value.filename, value.content_type, limit)
                except TooLarge:
                    raise too_large() from None
    finally:
        await form.close()
    return body


async def _read_body(call: Call) -> None:
    if call.operation.parses == "multipart":
        call.body = await _multipart_body(call.request, call.resource, call.version)
    elif call.operation.parses == "json":
        # a DELETE names its record by an id in the body (InvoiceLine v2, L7934) or by its filters
        call.body = await _json_body(call.request, optional=call.operation.kind == "delete")


# handling --------------------------------------------------------------------------------------------


@guarded
async def resource_endpoint(request: Request) -> Response:
    call = _resolve(request)
    if call.operation.kind == "download":
        return await _download(call)
    if call.operation.parses == "multipart":
        await offload(request.app.state.settings.db_threads, _authorise, call)  # before taking any bytes
    await _read_body(call)
    return await offload(request.app.state.settings.db_threads, _handle, call)


def _handle(call: Call) -> Response:
    """The rest of a request, in a worker thread: token, scope, the engine, the answer."""
    actor = _authorise(call)
    op = call.operation
    if op.kind == "list":
        return _list(call, actor)
    if op.kind == "get":
        return _get(call, actor)
    if op.kind == "create":
        return _create(call, actor)
    return _write(call, actor)


def _view(call: Call) -> View:
    request = call.request
    settings = request.app.state.settings
    base = settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
    return View(base, int(time.time()), request.app.state.engine.signing_key())


def _limit_header(call: Call) -> dict[str, str]:
    return {"x-item-limit-per-page": str(call.resource.endpoints[call.version].page_limit)}


def _paging(call: Call) -> Paging:
    paging, problems = parse_paging(call.params, call.resource.endpoints[call.version].page_limit)
    if problems:
        raise EzyvetError(400, "A paging parameter cannot be used", problems)
    return paging


def _no_params(call: Call, why: str) -> None:
    if call.params:
        raise EzyvetError(400, why, [Problem(k, "is not a parameter here") for k in call.params])


def _questions(call: Call) -> tuple[str, ...]:
    """``questions``: a URL-encoded JSON list of questions by name (``[{"name": "stocklevel"}]``, L9950), those the
    operation declares; anything else is a 400 naming ``questions``. A list that declares none has no such
    parameter (it is then an unknown filter)."""
    declared = call.operation.questions
    if not declared or "questions" not in call.params:
        return ()
    raw = call.params.pop("questions")
    try:
        asked = orjson.loads(raw)
    except orjson.JSONDecodeError:
        asked = None
    if isinstance(asked, dict):
        asked = [asked]
    names = [a.get("name") if isinstance(a, dict) else a for a in asked] if isinstance(asked, list) else None
    if not names or not all(isinstance(n, str) for n in names):
        raise EzyvetError(400, "A query parameter cannot be used", [Problem(
            "questions", 'must be a JSON list of questions by name, e.g. [{"name": "stocklevel"}]')])
    unknown = [n for n in names if n not in declared]
    if unknown:
        raise EzyvetError(400, "A query parameter cannot be used", [Problem(
            "questions", f"{unknown[0]!r} is not a question of {call.resource.title}; ask " + ", ".join(declared))])
    return tuple(dict.fromkeys(names))


def _list(call: Call, actor: Actor) -> Response:
    engine, resource, version = call.request.app.state.engine, call.resource, call.version
    paging = _paging(call)
    questions = _questions(call)
    conditions = parse_filters(resource, version, call.params)
    page = engine.list(actor, resource, conditions, paging.page, paging.limit, questions)
    return respond({"meta": meta(version, **page_meta(paging, page.total)),
                    "items": serializers.items(resource, version, page.records, _view(call)), "messages": []},
                   headers=_limit_header(call))


def _get(call: Call, actor: Actor) -> Response:
    engine, resource, version = call.request.app.state.engine, call.resource, call.version
    if not call.operation.member:  # a singleton (SystemSetting): one record, so neither filters nor paging
        _no_params(call, f"/{version}/{resource.name} is a single record and takes no query parameters")
        record = engine.first(actor, resource) or {f.name: f.default for f in resource.fields}
        return respond({"meta": meta(version, **page_meta(Paging(1, 1), 1)),
                        "items": serializers.items(resource, version, [record], _view(call)), "messages": []},
                       headers=_limit_header(call))
    _no_params(call, "A request for one record takes no query parameters")
    record = engine.get(actor, resource, _record_id(call))
    return respond({"meta": meta(version, **page_meta(Paging(1, 1), 1)),
                    "items": serializers.items(resource, version, [record], _view(call)), "messages": []})


def _body_params(call: Call, body: dict) -> dict:
    """The query parameters the operation reads as write-only fields of its body (``confirm_invoice_number``):
    the query string's value, the one the document names, wins over the body's."""
    taken = {name: call.params.pop(name) for name in call.operation.params if name in call.params}
    return {**body, **taken} if taken and isinstance(body, dict) else body


def _create(call: Call, actor: Actor) -> Response:
    engine, resource, version = call.request.app.state.engine, call.resource, call.version
    call.body = _body_params(call, call.body)
    _no_params(call, "POST takes its fields in the body, not in the query string")
    record = engine.create(actor, resource, call.body, version)
    return _answer(call, [record], 0, 0)


def _write(call: Call, actor: Actor) -> Response:
    """PATCH or DELETE: one record (by path, or by a key in the body), or the records the filters match."""
    engine, resource, version, op = call.request.app.state.engine, call.resource, call.version, call.operation
    body = _body_params(call, call.body if call.body is not None else {})
    limit: int | None = 1
    if op.address == "path":
        _no_params(call, "A request for one record takes no query parameters")
        record_id = _record_id(call)
        conditions = [Condition("id", "eq", record_id)]
        missing = f"{resource.title} {record_id} does not exist"
    elif op.address == "matching":
        # every record the filters match, bounded by limit; with no filter, an id in the body (Invoice v2)
        if "page" in call.params:
            raise EzyvetError(400, f"{op.method} acts on the first records the filters match; it has no pages",
                              [Problem("page", f"is not a parameter of {op.method}")])
        limit = _paging(call).limit
        conditions = parse_filters(resource, version, call.params)
        if "id" in body:  # the body's id names the record (the filters narrow it)
            conditions.append(Condition("id", "eq", _body_id(body)))
        if not conditions:
            raise EzyvetError(400, f"{op.method} needs a record id in the path or at least one filter")
        missing = None
    else:  # the record named by a key in the body (ExternalPrescription's prescription_uid)
        _no_params(call, f"{op.method} names its record by {op.address} in the body")
        key = body.get(op.address)
        if not isinstance(key, str) or not key.strip():
            raise EzyvetError(422, "The record cannot be written", [Problem(op.address, "is required")])
        conditions = [Condition(op.address, "eq", key.strip())]
        body = {k: v for k, v in body.items() if k != op.address}
        missing = f"No {resource.title} has {op.address} {key.strip()}"
    if op.kind == "update":
        outcome = engine.update(actor, resource, conditions, body, version, limit)
    else:
        outcome = engine.delete(actor, resource, conditions, limit)
    if missing is not None and not outcome.matched:
        raise NotFound(missing)
    return _answer(call, outcome.records, outcome.matched, outcome.processed)


def _answer(call: Call, records: list[dict], matched: int, processed: int) -> Response:
    op, version, resource = call.operation, call.version, call.resource
    counts = {} if op.kind == "create" else {"items_matched": matched, "items_processed": processed}
    if op.answers == "messages":  # a success message naming each record by its key
        key = "id" if op.address in ("path", "matching") else op.address
        messages = [{"level": "info", "type": "success", "text": SUCCESS[op.kind], "fields": {key: str(r.get(key))}}
                    for r in records]
        return respond({"meta": meta(version, **counts), "items": [], "messages": messages})
    items = serializers.items(resource, version, records, _view(call)) if op.answers == "items" else []
    # what the rules allowed but said (a Contact whose stop_credit is WARNING invoiced, L3481)
    warnings = [{"level": "warning", "type": "warning", "text": f"{p.field}: {p.reason}" if p.field else p.reason,
                 "fields": {p.field: p.reason} if p.field else {}} for r in records for p in r.get(WARNINGS, ())]
    return respond({"meta": meta(version, **counts), "items": items, "messages": warnings})


def _body_id(body: dict) -> int:
    try:
        return Integer().parse(body["id"])
    except Invalid as error:
        raise EzyvetError(422, "The record cannot be written", [Problem("id", str(error))]) from None


async def _download(call: Call) -> Response:
    """The bytes of a file, with its type and name: for a bearer of the read scope, or for anyone holding a
    download link that is signed and not expired (``file_download_url``). A query string makes the request a
    link, and a link is exactly clinic, expires and signature, once each: anything else is refused alike
    (403), saying no more. A deactivated Attachment serves nothing (404). HEAD answers the headers alone."""
    request, resource = call.request, call.resource
    record_id = _record_id(call)
    engine, blobs = request.app.state.engine, request.app.state.blobs
    threads = request.app.state.settings.db_threads
    if call.params:
        key = await offload(threads, engine.signing_key)  # read from the database once per process
        once = len(request.query_params.multi_items()) == len(call.params)
        clinic_id = files.check_link(key, resource.name, record_id, call.params, time.time()) if once else None
        if clinic_id is None:
            raise EzyvetError(403, "The download link is not valid or has expired")
        actor = Actor(clinic_id)
    else:
        actor = await offload(threads, _authorise, call)

    def find() -> tuple[dict, Any, Any]:
        record = engine.get(actor, resource, record_id)
        if not record.get("active"):
            raise NotFound(f"{resource.title} {record_id} is deleted (inactive); its file is not served")
        stored = files.stored_file(engine, actor, resource, record)
        try:
            if stored is None:
                raise FileNotFoundError(record_id)
            return (stored, *blobs.stat(stored["content_key"]))
        except OSError:  # no File, or its bytes are not in the store
            raise NotFound(f"{resource.title} {record_id} has no file") from None

    def readable(ranges: str) -> bool:
        """A byte range set as RFC 9110 writes it (first-last, first-, -suffix; first <= last), in numbers
        of at most 19 digits."""
        spec = re.fullmatch(r"\s*bytes\s*=\s*([0-9, \t-]+?)\s*", ranges, re.IGNORECASE)
        sets = spec[1].split(",") if spec else ["unreadable"]
        parts = [re.fullmatch(r"([0-9]{0,19})-([0-9]{0,19})", p.strip()) for p in sets]
        return all(m and (m[1] or m[2]) and not (m[1] and m[2] and int(m[1]) > int(m[2])) for m in parts)

    stored, path, found = await offload(threads, find)
    wanted = request.headers.get("range")
    if wanted is not None and not readable(wanted):  # RFC 9110 14.2: ignored (the whole file), not a 400
        request.scope["headers"] = [(k, v) for k, v in request.scope["headers"] if k != b"range"]
    headers = {"content-type": stored["mime_type"] or "application/octet-stream",
               "content-disposition": files.content_disposition(stored["name"] or f"file-{stored['id']}"),
               "etag": f'"{stored["content_key"]}"', "x-content-type-options": "nosniff",
               "cache-control": "private"}
    return FileResponse(path, headers=headers, stat_result=found)


@guarded
async def token(request: Request) -> Response:
    if request.method not in SERVED:
        not_served(request, ["POST"])
    if request.method != "POST":
        raise EzyvetError(405, f"{request.method} is not allowed on /v1/oauth/access_token; allowed: POST",
                          headers={"Allow": "POST"})
    return await access_token(request)


@guarded
async def unknown(request: Request) -> Response:
    """Any other path under /v1 or /v2: no such endpoint, answered like an unknown endpoint name."""
    if request.method not in SERVED:
        not_served(request, [])
    await offload(request.app.state.settings.db_threads, identify, request)
    raise EzyvetError(403, f"There is no endpoint {request.url.path}")


def routes() -> list[Route]:
    # Every method (TRACE and made-up ones too) reaches the handlers, so that refusals come in the envelope.
    out = [route("/v1/oauth/access_token", token)]
    for version in VERSIONS:
        out += [route(f"/{version}/{{endpoint}}", resource_endpoint),
                route(f"/{version}/{{endpoint}}/{{rest:rest}}", resource_endpoint),
                route(f"/{version}", unknown), route(f"/{version}/", unknown)]
    # another version of a documented shape (/v3/animal): no such endpoint, in the envelope
    return [*out, route("/{version}/{endpoint}", unknown)]
