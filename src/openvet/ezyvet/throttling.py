"""Request throttling on the ezyVet API, as the document words it (L150-L175): its headers and its 429.

Every call is counted against two budgets a minute: its endpoint's (60 by default) and the global one of its
clinic and partner (180), both at once or neither, so a refused call uses up nothing and one endpoint at its
limit leaves the others their own budget while the global one holds. Every answer to a caller with a valid
token carries ``x-ratelimit-limit`` (the endpoint's limit), ``x-ratelimit-remaining`` (the calls left: the
fewer of the two budgets') and ``x-ratelimit-reset`` (seconds until the window resets); over a limit the
answer is a 429 in the envelope with ``Retry-After``, and the call does nothing.

The token endpoint (``ezyvet/authentication.py``) has its own budget per client id. The counting itself is
the store's (``store/throttle.py`` in the database, ``store/redis_throttle.py`` with OPENVET_REDIS_URL).
"""

from __future__ import annotations

import hashlib
import logging

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openvet.config import RateLimit
from openvet.engine import RETRY_AFTER, unavailable
from openvet.engine.offload import offload
from openvet.ezyvet.authentication import identify
from openvet.ezyvet.envelope import EzyvetError, error_response
from openvet.resources import REGISTRY
from openvet.services import credentials
from openvet.services.credentials import Identity, Refused
from openvet.store.throttle import Buckets, Count, Unavailable

log = logging.getLogger("openvet.ezyvet")
TOKEN_PATH = "/v1/oauth/access_token"


def headers(limit: int, count: Count) -> dict[str, str]:
    out = {"x-ratelimit-limit": str(limit), "x-ratelimit-remaining": str(count.remaining),
           "x-ratelimit-reset": str(count.reset)}
    if not count.taken:
        out["Retry-After"] = str(count.reset)
    return out


def refusal(limit: int, count: Count, what: str) -> EzyvetError:
    return EzyvetError(429, f"Too many requests: {what} is reached; try again in {count.reset} seconds",
                       headers=headers(limit, count))


async def take_token(buckets: Buckets, policy: RateLimit, client_id: str) -> Count:
    """One of a client id's token requests (the id hashed: the client chose it, and it may be long)."""
    subject = f"token:{{{hashlib.sha256(client_id.encode()).hexdigest()[:32]}}}"
    return await buckets.take(subject, "token", policy.token, policy.token, policy.period)


class Throttle:
    """ASGI middleware in front of the ezyVet routes: count the caller, then answer or refuse."""

    def __init__(self, app: ASGIApp, policy: RateLimit, buckets: Buckets, threads: int):
        self.app = app
        self.policy = policy
        self.buckets = buckets
        self.threads = threads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(("/v1/", "/v2/")) or path == TOKEN_PATH:
            await self.app(scope, receive, send)
            return
        try:
            count = await self._count(Request(scope), path)
        except Exception as error:
            if not (isinstance(error, Unavailable) or unavailable(error)):
                raise
            log.warning("throttling counters unavailable on %s: %s", path, error)
            failed = EzyvetError(503, "The request budget cannot be counted just now; try again shortly",
                                 headers={"Retry-After": str(RETRY_AFTER)})
            await error_response(path[1:3], failed)(scope, receive, send)
            return
        if count is None:  # no valid token: the route answers 401, uncounted
            await self.app(scope, receive, send)
            return
        if not count.taken:
            version = path[1:3]
            policy = self.policy
            what = (f"the limit of this endpoint ({policy.endpoint} a {policy.period} s window) or of your clinic "
                    f"and partner ({policy.clinic})")
            response = error_response(version, refusal(policy.endpoint, count, what))
            await response(scope, receive, send)
            return
        extra = [(k.encode(), v.encode()) for k, v in headers(self.policy.endpoint, count).items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _count(self, request: Request, path: str) -> Count | None:
        """The caller (from the token cache, mostly: no thread, no query) and one atomic take from its two
        budgets."""
        identity = await self._identity(request)
        if identity is None:
            return None
        name = path.split("/")[2].lower()
        endpoint = name if name in REGISTRY else "-"  # unknown names share one bucket: the table stays small
        who = f"{{{identity.clinic_id}:{identity.partner_id or f'credential-{identity.credential_id}'}}}"
        policy = self.policy
        return await self.buckets.take(who, endpoint, policy.endpoint, policy.clinic, policy.period)

    async def _identity(self, request: Request) -> Identity | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        try:
            try:
                return credentials.authenticate(None, token.strip(), "ezyvet", connect=_cache_only)
            except _NotCached:
                return await offload(self.threads, identify, request)
        except (Refused, EzyvetError):
            return None


class _NotCached(Exception):
    pass


def _cache_only():
    raise _NotCached
