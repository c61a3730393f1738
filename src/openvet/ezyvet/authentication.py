"""OAuth 2.0 client credentials (``POST /v1/oauth/access_token``) and Bearer tokens on every other call."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from openvet.engine import Problem
from openvet.ezyvet.envelope import EzyvetError, read_body, respond
from openvet.ezyvet.scopes import known_scopes
from openvet.services import credentials
from openvet.services.credentials import Identity, Refused, ScopeNotHeld
from openvet.store.throttle import Unavailable

TOKEN_FIELDS = ("partner_id", "client_id", "client_secret", "grant_type")
# Secret checks (argon2, 64 MiB each) a process runs at once; beyond them a token request gets a fast 429
# rather than a queue, so a flood of guesses neither eats the memory nor slows the authenticated calls
# (unless OPENVET_RATE_LIMIT is off).
SECRET_CHECKS = max(1, (os.cpu_count() or 2) // 2)
_checking = 0  # checks in flight in this process (read and changed on the event loop only)


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
    grantable = None if requested is None else [s for s in requested if s in known_scopes()]

    def issue() -> tuple[str, list[str]]:
        with engine.db.begin() as conn:
            return credentials.issue_token(conn, str(form["partner_id"]), str(form["client_id"]),
                                           str(form["client_secret"]), grantable)

    global _checking
    if _checking >= SECRET_CHECKS and request.app.state.throttle is not None:  # OPENVET_RATE_LIMIT=off: no bound
        raise EzyvetError(429, "Too many token requests are being checked just now; try again in a second",
                          headers={"Retry-After": "1"})
    _checking += 1
    try:
        extra = await _take_token_budget(request, str(form["client_id"]))
        # argon2 is slow on purpose: verify in a worker thread, so other requests go on meanwhile.
        token, granted = await run_in_threadpool(issue)
    except ScopeNotHeld:
        shown = ", ".join(s[:64] for s in (requested or [])[:5]) + (", …" if len(requested or []) > 5 else "")
        raise EzyvetError(400, "invalid_scope: none of the requested scopes can be granted",
                          [Problem("scope", f"invalid_scope: none of {shown} can be granted to these credentials; "
                                   "scopes are read-<endpoint> and write-<endpoint>")], extra) from None
    except Refused as refused:
        raise EzyvetError(401, str(refused), headers=extra) from None
    finally:
        _checking -= 1
    return respond({"access_token": token, "token_type": "Bearer", "expires_in": credentials.TOKEN_LIFETIME,
                    "scope": " ".join(granted)}, headers=extra)


async def _take_token_budget(request: Request, client_id: str) -> dict[str, str]:
    """One of the client id's token requests a minute (OPENVET_RATE_LIMIT's third number): guessing a secret
    is slowed to that pace. The rate-limit headers, or a 429 when the budget is spent."""
    throttle = request.app.state.throttle
    if throttle is None:
        return {}
    from openvet.ezyvet import throttling  # it imports this module

    policy = throttle["policy"]
    try:
        count = await throttling.take_token(throttle["buckets"], policy, client_id)
    except Unavailable:
        raise EzyvetError(503, "The request budget cannot be counted just now; try again shortly",
                          headers={"Retry-After": "5"}) from None
    if not count.taken:
        limit = f"this client id's limit of token requests ({policy.token} a {policy.period} s window)"
        raise throttling.refusal(policy.token, count, limit)
    return throttling.headers(policy.token, count)


def _requested_scopes(scope: object) -> list[str] | None:
    """``scope`` as a list: a string separated by spaces or commas, or a JSON list of strings; None when absent.

    Names the server does not know are not refused here: real clients ask for every scope they might
    ever use, some of which name no endpoint (RFC 6749 §3.3: the server may grant fewer than asked).
    """
    if scope is None or scope == "":
        return None
    if isinstance(scope, list) and all(isinstance(s, str) for s in scope):
        scope = " ".join(scope)
    if not isinstance(scope, str):
        raise EzyvetError(400, "invalid_scope: scope must be a string or a list of strings",
                          [Problem("scope", "invalid_scope: must be a string or a list of strings")])
    requested = list(dict.fromkeys(s for s in re.split(r"[\s,]+", scope) if s))
    return requested or None


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
