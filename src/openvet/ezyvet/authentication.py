"""OAuth 2.0 client credentials (``POST /v1/oauth/access_token``) and Bearer tokens on every other call."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from openvet.engine import Problem
from openvet.ezyvet.envelope import EzyvetError, read_body, respond
from openvet.resources import REGISTRY
from openvet.services import credentials
from openvet.services.credentials import Identity, Refused, ScopeNotHeld

TOKEN_FIELDS = ("partner_id", "client_id", "client_secret", "grant_type")


async def access_token(request: Request) -> Response:
    """Form-encoded or JSON body; several live tokens per credential set."""
    form = await _token_form(request)
    problems = [Problem(name, "is required") for name in TOKEN_FIELDS if not str(form.get(name) or "").strip()]
    grant = str(form.get("grant_type") or "")
    if grant and grant != "client_credentials":
        problems.append(Problem("grant_type", "must be client_credentials"))
    if problems:
        raise EzyvetError(400, "The access token request is incomplete", problems)
    requested = _requested_scopes(form.get("scope"))
    engine = request.app.state.engine

    def issue() -> tuple[str, list[str]]:
        with engine.db.begin() as conn:
            return credentials.issue_token(conn, str(form["partner_id"]), str(form["client_id"]),
                                           str(form["client_secret"]), requested)

    try:
        # argon2 is slow on purpose: verify in a worker thread, so other requests go on meanwhile.
        token, granted = await run_in_threadpool(issue)
    except ScopeNotHeld as refused:
        raise EzyvetError(400, "invalid_scope: the credentials do not hold a requested scope",
                          [Problem("scope", "invalid_scope: not granted to these credentials: "
                                   + ", ".join(refused.scopes))]) from None
    except Refused as refused:
        raise EzyvetError(401, str(refused)) from None
    return respond({"access_token": token, "token_type": "Bearer", "expires_in": credentials.TOKEN_LIFETIME,
                    "scope": " ".join(granted)})


def known_scopes() -> frozenset[str]:
    """read-<endpoint> and write-<endpoint> of every declared resource."""
    return frozenset(s for r in REGISTRY.values() for s in (r.scope_read, r.scope_write))


def _requested_scopes(scope: object) -> list[str]:
    """``scope`` as a list: a string separated by spaces or commas, or a JSON list of strings.

    Every scope must be one the server knows (OAuth's invalid_scope otherwise): a typo is refused, never
    granted as a scope that opens nothing, or everything.
    """
    if scope is None or scope == "":
        return []
    if isinstance(scope, list) and all(isinstance(s, str) for s in scope):
        scope = " ".join(scope)
    if not isinstance(scope, str):
        raise EzyvetError(400, "invalid_scope: scope must be a string or a list of strings",
                          [Problem("scope", "invalid_scope: must be a string or a list of strings")])
    requested = list(dict.fromkeys(s for s in re.split(r"[\s,]+", scope) if s))
    unknown = [s for s in requested if s not in known_scopes()]
    if unknown:
        shown = ", ".join(s[:64] for s in unknown[:5])
        raise EzyvetError(400, "invalid_scope: unknown scope requested",
                          [Problem("scope", f"invalid_scope: unknown scope {shown}; scopes are read-<endpoint> "
                                   "and write-<endpoint>")])
    return requested


async def _token_form(request: Request) -> dict:
    body = await read_body(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json" or (not kind and body.lstrip().startswith(b"{")):
        try:
            data = orjson.loads(body or b"{}")
        except orjson.JSONDecodeError:
            raise EzyvetError(400, "The request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise EzyvetError(400, "The request body must be a JSON object")
        return data
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def identify(request: Request) -> Identity:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise EzyvetError(401, "Send an access token: Authorization: Bearer <token>",
                          headers={"WWW-Authenticate": 'Bearer realm="openvet"'})
    try:
        return credentials.authenticate(None, token.strip(), "ezyvet", connect=request.app.state.engine.db.connect)
    except Refused as refused:
        raise EzyvetError(401, str(refused),
                          headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from None
