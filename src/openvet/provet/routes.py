"""Routing and handlers for ``/<provet_id>/api/0.1/{patient,client,consultation}/[<id>/]``.

Collections answer GET (paged list) and POST (create, 201); members answer GET, PUT (every required
field) and PATCH (partial); ``consultation`` is read only (GET). Paths are served with and without the
trailing slash, without a redirect (a redirected POST loses its body in many clients).
Every read and write goes through the engine.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openvet.engine import RETRY_AFTER, Actor, Condition, NotFound, Problem, ValidationFailed, unavailable
from openvet.engine.offload import offload
from openvet.provet.authentication import authenticate, permit
from openvet.provet.exceptions import NON_FIELD, NOT_FOUND, ProvetError, detail, invalid, respond
from openvet.provet.filters import (
    CLIENT_FILTERS,
    CONSULTATION_FILTERS,
    DEPARTMENT_FILTERS,
    PATIENT_FILTERS,
    POS_TRANSACTION_FILTERS,
    RENDERING,
    USER_FILTERS,
    Filter,
    parse_filters,
)
from openvet.provet.hyperlinks import API, MAX_ID, Links, base_url, whole
from openvet.provet.pagination import envelope, last_page, parse_paging
from openvet.provet.payment_links import DEPARTMENT, POS_TRANSACTION, USER
from openvet.provet.serializers import CLIENT, CONSULTATION, PATIENT, Context, Serializer
from openvet.request_body import BodyTooLarge, read_limited
from openvet.resources import REGISTRY, Resource
from openvet.routing import route

log = logging.getLogger("openvet.provet")
COLLECTION = ("GET", "POST")
MEMBER = ("GET", "PUT", "PATCH")
ENGINE_REASONS = {"is required": "This field is required."}


@dataclass(frozen=True)
class Kind:
    """One Provet object kind: its serializer (which names the declared resource) and its filters."""

    serializer: Serializer
    filters: dict[str, Filter]
    collection: tuple[str, ...] = COLLECTION  # the methods served on the collection
    member: tuple[str, ...] = MEMBER  # and on a record

    @property
    def resource(self) -> Resource:
        return REGISTRY[self.serializer.resource]


READ_ONLY = {"collection": ("GET",), "member": ("GET",)}
KINDS = (Kind(PATIENT, PATIENT_FILTERS), Kind(CLIENT, CLIENT_FILTERS),
         Kind(CONSULTATION, CONSULTATION_FILTERS, **READ_ONLY),
         # Provet Pay payment links (P112): made and read, never changed through the API (the payment page does)
         Kind(POS_TRANSACTION, POS_TRANSACTION_FILTERS, member=("GET",)),
         Kind(DEPARTMENT, DEPARTMENT_FILTERS, **READ_ONLY), Kind(USER, USER_FILTERS, **READ_ONLY))


def endpoint(kind: Kind, member: bool):
    allowed = kind.member if member else kind.collection

    async def handle(request: Request) -> Response:
        try:
            method = "GET" if request.method == "HEAD" else request.method
            raw = None
            if method in ("POST", "PUT", "PATCH") and method in allowed:
                try:  # 1 MiB, as the ezyVet API: never a whole 300 MB body in memory
                    raw = await read_limited(request)
                except BodyTooLarge as error:
                    raise detail(413, f"{error}.") from None
            # the token, the SQL and the serialising run in a worker thread, off the event loop
            return await offload(request.app.state.settings.db_threads, answer, request, method, raw)
        except ProvetError as error:
            return respond(error.body, error.status, error.headers)
        except Exception as error:
            if unavailable(error):  # the database is down or restarting: try again, never a stack trace
                log.warning("database unavailable on %s %s: %s", request.method, request.url.path, error)
                return respond({"detail": "The database cannot be reached just now; try again shortly."}, 503,
                               {"Retry-After": str(RETRY_AFTER)})
            log.exception("unexpected error on %s %s", request.method, request.url.path)
            return respond({"detail": "A server error occurred."}, 500)

    def answer(request: Request, method: str, raw: bytes | None) -> Response:
        try:
            identity = authenticate(request)
            if method not in allowed:
                raise detail(405, f'Method "{request.method}" not allowed.', {"Allow": ", ".join(allowed)})
            body = _body(request, raw) if raw is not None else None
            resource = kind.resource
            permit(identity, resource.scope_read if method == "GET" else resource.scope_write)
            ctx = Context.of(request.app.state.engine, Actor(identity.clinic_id, identity.credential_id,
                                                             identity.partner_id, user_id=identity.user_id),
                             Links(base_url(request), identity.clinic_id))
            if not member:
                return _list(request, kind, ctx) if method == "GET" else _create(request, kind, ctx, body)
            record_id = _record_id(request)
            if method == "GET":
                _no_params(request)
                record = ctx.engine.get(ctx.actor, resource, record_id)
                return respond(kind.serializer.read(ctx, [record])[0])
            return _update(request, kind, ctx, record_id, body, partial=method == "PATCH")
        except ProvetError as error:
            return respond(error.body, error.status, error.headers)
        except NotFound:
            return respond({"detail": NOT_FOUND}, 404)

    return handle


def _list(request: Request, kind: Kind, ctx: Context) -> Response:
    params = dict(request.query_params.items())  # a repeated key: the last one wins
    paging = parse_paging(params)
    conditions = parse_filters(ctx, kind.filters, params)
    page = ctx.engine.list(ctx.actor, kind.resource, conditions, paging.page, paging.page_size)
    if paging.page > last_page(page.total, paging):
        raise detail(404, "Invalid page.")
    url = f"{ctx.links.base}/{ctx.clinic_id}/{API}/{kind.serializer.kind}/"
    return respond(envelope(url, params, paging, page.total, kind.serializer.read(ctx, page.records)))


def _create(request: Request, kind: Kind, ctx: Context, data: dict) -> Response:
    _no_params(request)
    errors: dict[str, list[str]] = {}
    body = kind.serializer.write(ctx, data, None, False, errors)
    if errors:
        raise invalid(errors)
    try:
        record = ctx.engine.create(ctx.actor, kind.resource, body, None, enforce_mandatory=False)
    except ValidationFailed as failed:
        raise invalid(_errors(kind.serializer, failed.problems, body)) from None
    out = kind.serializer.read(ctx, [record])[0]
    return respond(out, 201, {"Location": out.get("url") or ctx.links.url(kind.serializer.kind, record["id"])})


def _update(request: Request, kind: Kind, ctx: Context, record_id: int, data: dict, partial: bool) -> Response:
    _no_params(request)
    before = ctx.engine.get(ctx.actor, kind.resource, record_id)
    errors: dict[str, list[str]] = {}
    body = kind.serializer.write(ctx, data, before, partial, errors)
    if errors:
        raise invalid(errors)
    try:
        outcome = ctx.engine.update(ctx.actor, kind.resource, [Condition("id", "eq", record_id)], body,
                                    None, 1, enforce_mandatory=False)  # Provet's required fields: serializer
    except ValidationFailed as failed:
        raise invalid(_errors(kind.serializer, failed.problems, body)) from None
    if not outcome.records:
        raise NotFound(record_id)
    return respond(kind.serializer.read(ctx, outcome.records)[0])


def _record_id(request: Request) -> int:
    record_id = whole(request.path_params["id"])
    if record_id is None or not 1 <= record_id <= MAX_ID:
        raise detail(404, NOT_FOUND)
    return record_id


def _no_params(request: Request) -> None:
    """Only lists take filters and paging; anything else in the query string is refused, not ignored."""
    errors = {k: ["This query parameter applies to lists only."] for k in request.query_params if k not in RENDERING}
    if errors:
        raise invalid(errors)


def _body(request: Request, raw: bytes) -> dict:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if raw.strip() and media and media != "application/json" and not media.endswith("+json"):
        raise detail(415, f'Unsupported media type "{media}" in request.')
    if not raw.strip():
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise detail(400, f"JSON parse error - {error}") from None
    if not isinstance(data, dict):
        raise invalid({NON_FIELD: [f"Invalid data. Expected a dictionary, but got {type(data).__name__}."]})
    return data


def _errors(serializer: Serializer, problems: list[Problem], body: dict) -> dict[str, Any]:
    """The engine's problems (declaration field names) -> DRF errors in Provet field names; a field of a nested
    object (``payment_link_data.email``) is named inside it, as DRF nests a nested serializer's errors."""
    errors: dict[str, Any] = {}
    for problem in problems:
        name = _provet_name(serializer, problem.field, body)
        reason = _sentence(problem.reason)
        if name == NON_FIELD and problem.field:
            reason = f"{problem.field}: {reason}"
        outer, _, inner = name.partition(".")
        if inner:
            errors.setdefault(outer, {}).setdefault(inner, []).append(reason)
        else:
            errors.setdefault(name, []).append(reason)
    return errors


def _provet_name(serializer: Serializer, field: str | None, body: dict) -> str:
    if not field:
        return NON_FIELD
    head = re.split(r"[.\[]", field, maxsplit=1)[0]
    if head == "contact_detail_list":
        index = re.match(r"contact_detail_list\[(\d+)\]", field)
        items = body.get(head) or []
        item = items[int(index[1])] if index and int(index[1]) < len(items) else None
        return "email" if isinstance(item, dict) and item.get("name") == "Email" else "phone_numbers"
    if head == "address_physical" and "." in field:
        inner = field.split(".", 1)[1]
        return {"street_1": "street_address", "street_2": "street_address_2", "post_code": "zip_code",
                "city": "city"}.get(inner, "street_address")
    return serializer.field_names.get(head, NON_FIELD)


def _sentence(reason: str) -> str:
    reason = ENGINE_REASONS.get(reason, reason)
    reason = reason[:1].upper() + reason[1:]
    return reason if reason.endswith(".") else reason + "."


def routes() -> list[Route]:
    out = []
    for kind in KINDS:
        path = f"/{{provet_id}}/{API}/{kind.serializer.kind}"  # read by authenticate (not :int, see whole)
        for slash in ("/", ""):
            # every method reaches the handler (TRACE too), which answers those not served with 405 and Allow
            out.append(route(path + slash, endpoint(kind, member=False)))
            out.append(route(path + "/{id}" + slash, endpoint(kind, member=True)))
    return out
