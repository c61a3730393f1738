"""Answers other than success, in Django REST Framework's shapes.

``{"detail": "..."}`` for 401/403/404/405/415 and malformed JSON; ``{"<field>": ["reason", ...]}`` for
validation (400), with ``non_field_errors`` for what belongs to no one field.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

NOT_FOUND = "Not found."
NON_FIELD = "non_field_errors"


class ProvetError(Exception):
    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(str(body))
        self.status = status
        self.body = body
        self.headers = headers or {}


def detail(status: int, text: str, headers: dict[str, str] | None = None) -> ProvetError:
    return ProvetError(status, {"detail": text}, headers)


def invalid(errors: dict[str, list[str]]) -> ProvetError:
    return ProvetError(400, errors)


def respond(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, headers=headers, media_type="application/json")
