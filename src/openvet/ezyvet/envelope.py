"""The ezyVet envelope: ``{meta, items, messages}`` on every answer, errors included."""

from __future__ import annotations

import random
import time
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from openvet.engine import Problem
from openvet.request_body import MAX_BODY, BodyTooLarge, read_limited

_ids = random.Random()
STATUS_TYPE = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "payload_too_large", 422: "validation", 429: "too_many_requests",
               500: "server_error", 503: "service_unavailable"}


class EzyvetError(Exception):
    """An answer other than success; ``problems`` name the fields at fault."""

    def __init__(self, status: int, text: str, problems: list[Problem] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(text)
        self.status = status
        self.text = text
        self.problems = problems or []
        self.headers = headers or {}


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request body, refused with a 413 once it passes ``limit`` bytes (read no further than that)."""
    try:
        return await read_limited(request, limit)
    except BodyTooLarge as error:
        raise EzyvetError(413, str(error)) from None


def meta(version: str, **values: Any) -> dict[str, Any]:
    """Meta with a fresh transaction id; v1 writes its numbers as strings, v2 as numbers."""
    # A correlation id, not a secret: a fast generator will do (os.urandom was 4 % of a GET).
    out: dict[str, Any] = {"transaction_id": f"{_ids.getrandbits(256):064x}", "timestamp": int(time.time())}
    out.update(values)
    if version == "v1":
        out = {k: (str(v) if isinstance(v, int) else v) for k, v in out.items()}
    return out


def respond(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, headers=headers, media_type="application/json")


def error_response(version: str, error: EzyvetError) -> Response:
    messages = [{"level": "error", "type": STATUS_TYPE.get(error.status, "error"), "text": error.text,
                 "fields": {}}]
    if error.problems:
        messages = [{"level": "error", "type": STATUS_TYPE.get(error.status, "error"),
                     "text": f"{p.field}: {p.reason}" if p.field else p.reason,
                     "fields": {p.field: p.reason} if p.field else {}} for p in error.problems]
    return respond({"meta": meta(version), "items": [], "messages": messages}, error.status, error.headers)
