"""Routing for ``/v1/<endpoint>[/<id>]`` and ``/v2/...``: one generic handler for every declared resource."""

from __future__ import annotations

import logging
import re

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openvet.engine import RETRY_AFTER, Condition, NotFound, Problem, ValidationFailed, unavailable
from openvet.ezyvet import serializers
from openvet.ezyvet.authentication import access_token, identify
from openvet.ezyvet.envelope import EzyvetError, error_response, meta, read_body, respond
from openvet.ezyvet.filters import FilterError, parse_filters
from openvet.ezyvet.pagination import Paging, page_meta, parse_paging
from openvet.resources import REGISTRY, Resource
from openvet.resources.fields import BIGINT_MAX, Integer, Invalid
from openvet.routing import route

log = logging.getLogger("openvet.ezyvet")
VERSIONS = ("v1", "v2")


def guarded(handler):
    """Every answer in the envelope: errors a client caused get their status, anything else a 500."""

    async def endpoint(request: Request) -> Response:
        version = request.path_params.get("version") or ("v2" if request.url.path.startswith("/v2") else "v1")
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
        except Exception as error:
            if unavailable(error):  # the database is down or restarting: try again, never a stack trace
                log.warning("database unavailable on %s %s: %s", request.method, request.url.path, error)
                return error_response(version, EzyvetError(503, "The database cannot be reached just now; try "
                                                           "again shortly", headers={"Retry-After": str(RETRY_AFTER)}))
            log.exception("unexpected error on %s %s", request.method, request.url.path)
            return error_response(version, EzyvetError(500, "Internal server error; quote the transaction_id"))

    return endpoint


def _resolve(request: Request) -> tuple[str, Resource, str]:
    """(version, resource, operation), checking the token, the endpoint, the method and the scope."""
    version = request.path_params["version"]
    endpoint = request.path_params["endpoint"].lower()
    resource = REGISTRY.get(endpoint)
    known = version in VERSIONS and resource is not None and version in resource.endpoints
    member = "id" in request.path_params
    if request.method not in SERVED:
        _not_served(request, _allowed(resource, version, member) if known else [])
    identity = identify(request)
    if not known:
        raise EzyvetError(403, f"There is no endpoint /{version}/{endpoint}")
    operation = _operation(request, resource.endpoints[version].singleton)
    if not resource.serves(version, operation):
        allowed = _allowed(resource, version, member)
        raise EzyvetError(405, f"{request.method} is not allowed on /{version}/{endpoint}; allowed: "
                          + ", ".join(allowed), headers={"Allow": ", ".join(allowed)})
    scope = resource.scope_read if request.method in READING else resource.scope_write
    if not identity.allows(scope):
        raise EzyvetError(403, f"The access token lacks the scope {scope}")
    request.state.clinic_id = identity.clinic_id
    return version, resource, operation


READING = ("GET", "HEAD")  # HEAD is a GET without the body (the server leaves the body out)
SERVED = ("GET", "HEAD", "POST", "PATCH", "DELETE")  # no path of the API serves any other method


def _not_served(request: Request, allowed: list[str]) -> None:
    """A method no path serves (TRACE, CONNECT, PUT, OPTIONS, FOO…) is refused on every path, whoever asks:
    a 405 with the methods of this path (none where the path names no endpoint), before the token."""
    raise EzyvetError(405, f"{request.method} is not allowed on {request.url.path}; allowed: "
                      + (", ".join(allowed) or "none"), headers={"Allow": ", ".join(allowed)})


MEMBER_METHODS = {"get": "GET", "update": "PATCH", "delete": "DELETE"}
COLLECTION_METHODS = {"list": "GET", "create": "POST", "update": "PATCH", "delete": "DELETE"}


def _allowed(resource: Resource, version: str, member: bool) -> list[str]:
    """The methods served on this path: ``/x/{id}`` and ``/x`` serve different ones."""
    endpoint = resource.endpoints[version]
    methods = dict(MEMBER_METHODS if member else COLLECTION_METHODS)
    if endpoint.singleton and not member:
        methods["get"] = "GET"
    order = ["GET", "POST", "PATCH", "DELETE"]
    served = {methods[op] for op in endpoint.operations if op in methods}
    return [m for m in order if m in served]


def _operation(request: Request, singleton: bool) -> str:
    member = "id" in request.path_params
    return {
        "GET": "get" if member or singleton else "list",
        "HEAD": "get" if member or singleton else "list",
        "POST": "create" if not member else "create_member",
        "PATCH": "update",
        "DELETE": "delete",
    }.get(request.method, request.method.lower())


def _params(request: Request) -> dict[str, str]:
    """Query parameters; when a key is repeated, the last one wins."""
    return dict(request.query_params.items())


def _record_id(request: Request) -> int:
    raw = request.path_params["id"]
    # ASCII digits only: str.isdigit and int() also accept "²" and "١" (Arabic-Indic one).
    if not re.fullmatch(r"[0-9]{1,19}", raw) or not 1 <= int(raw) <= BIGINT_MAX:
        raise EzyvetError(400, "The record id in the path must be a positive whole number",
                          [Problem("id", "must be a positive whole number of at most 64 bits")])
    return int(raw)


async def _body(request: Request) -> dict:
    raw = await read_body(request)
    if not raw.strip():
        raise EzyvetError(400, "The request needs a JSON body")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise EzyvetError(400, f"The request body is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise EzyvetError(400, "The request body must be a JSON object")
    return body


def _paging(params: dict[str, str], resource: Resource, version: str) -> Paging:
    paging, problems = parse_paging(params, resource.endpoints[version].page_limit)
    if problems:
        raise EzyvetError(400, "A paging parameter cannot be used", problems)
    return paging


@guarded
async def collection(request: Request) -> Response:
    version, resource, operation = _resolve(request)
    engine = request.app.state.engine
    clinic_id = request.state.clinic_id
    params = _params(request)
    limit_header = {"x-item-limit-per-page": str(resource.endpoints[version].page_limit)}
    if operation == "get":  # a singleton (SystemSetting): one record, so neither filters nor paging
        if params:
            raise EzyvetError(400, f"/{version}/{resource.name} is a single record and takes no query parameters",
                              [Problem(k, "is not a parameter here") for k in params])
        record = engine.first(clinic_id, resource) or {f.name: f.default for f in resource.fields}
        items = serializers.items(resource, version, [record])
        return respond({"meta": meta(version, **page_meta(Paging(1, 1), 1)), "items": items, "messages": []},
                       headers=limit_header)
    if operation == "list":
        paging = _paging(params, resource, version)
        conditions = parse_filters(resource, version, params)
        page = engine.list(clinic_id, resource, conditions, paging.page, paging.limit)
        return respond({"meta": meta(version, **page_meta(paging, page.total)),
                        "items": serializers.items(resource, version, page.records), "messages": []},
                       headers=limit_header)
    if operation == "create":
        if set(params) - {"limit", "page"}:
            raise EzyvetError(400, "POST takes its fields in the JSON body, not in the query string",
                              [Problem(k, "is not a parameter of POST") for k in params])
        record = engine.create(clinic_id, resource, await _body(request), version)
        return respond({"meta": meta(version), "items": serializers.items(resource, version, [record]),
                        "messages": []})
    # PATCH or DELETE on the collection: every record the filters match, bounded by limit.
    if "page" in params:
        raise EzyvetError(400, f"{request.method} acts on the first records the filters match; it has no pages",
                          [Problem("page", f"is not a parameter of {request.method}")])
    paging = _paging(params, resource, version)
    conditions = parse_filters(resource, version, params)
    body = await _body(request) if operation == "update" else {}
    if not conditions and "id" in body:  # Invoice v2 style: the id travels in the body
        conditions = [Condition("id", "eq", _body_id(body))]
    if not conditions:
        raise EzyvetError(400, f"{request.method} needs a record id in the path or at least one filter")
    return _write(request, version, resource, operation, conditions, body, paging.limit)


def _body_id(body: dict) -> int:
    try:
        return Integer().parse(body["id"])
    except Invalid as error:
        raise EzyvetError(422, "The record cannot be written", [Problem("id", str(error))]) from None


@guarded
async def member(request: Request) -> Response:
    version, resource, operation = _resolve(request)
    engine = request.app.state.engine
    clinic_id = request.state.clinic_id
    record_id = _record_id(request)
    params = _params(request)
    if params:
        raise EzyvetError(400, "A request for one record takes no query parameters",
                          [Problem(k, "is not a parameter here") for k in params])
    if operation == "get":
        record = engine.get(clinic_id, resource, record_id)
        return respond({"meta": meta(version, **page_meta(Paging(1, 1), 1)),
                        "items": serializers.items(resource, version, [record]), "messages": []})
    body = await _body(request) if operation == "update" else {}
    return _write(request, version, resource, operation, [Condition("id", "eq", record_id)], body, 1,
                  must_exist=record_id)


def _write(request: Request, version: str, resource: Resource, operation: str, conditions: list[Condition],
           body: dict, limit: int, must_exist: int | None = None) -> Response:
    engine = request.app.state.engine
    clinic_id = request.state.clinic_id
    if operation == "update":
        outcome = engine.update(clinic_id, resource, conditions, body, version, limit)
    else:
        outcome = engine.delete(clinic_id, resource, conditions, limit)
    if must_exist is not None and not outcome.matched:
        raise NotFound(f"{resource.title} {must_exist} does not exist")
    return respond({"meta": meta(version, items_matched=outcome.matched, items_processed=outcome.processed),
                    "items": serializers.items(resource, version, outcome.records), "messages": []})


@guarded
async def token(request: Request) -> Response:
    if request.method != "POST":
        raise EzyvetError(405, f"{request.method} is not allowed on /v1/oauth/access_token; allowed: POST",
                          headers={"Allow": "POST"})
    return await access_token(request)


@guarded
async def unknown(request: Request) -> Response:
    """Any other path under /v1 or /v2: no such endpoint, answered like an unknown endpoint name."""
    if request.method not in SERVED:
        _not_served(request, [])
    identify(request)
    raise EzyvetError(403, f"There is no endpoint {request.url.path}")


def routes() -> list[Route]:
    # Every method (TRACE and made-up ones too) reaches the handlers, so that refusals come in the envelope.
    return [
        route("/v1/oauth/access_token", token),
        route("/{version}/{endpoint}", collection),
        route("/{version}/{endpoint}/{id}", member),
        *(route(path, unknown) for path in ("/v1", "/v2", "/v1/{rest:path}", "/v2/{rest:path}")),
    ]
