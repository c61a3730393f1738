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


PENDING = "openvet.throttle"  # the scope key of a count the route takes in its own worker thread


class Pending:
    """A count in the database, taken by the route at the start of its own worker-thread hop
    (``take_here``), so that a call makes one hop to the database threads, not two. Taken at most once; the
    middleware takes it itself when the route answered without taking it (a 403 for an unknown endpoint)."""

    __slots__ = ("arguments", "buckets", "count")

    def __init__(self, buckets, arguments: tuple):
        self.buckets = buckets
        self.arguments = arguments
        self.count: Count | None = None

    def take_here(self) -> Count:
        """In a worker thread."""
        if self.count is None:
            self.count = self.buckets.take_now(*self.arguments)
        return self.count


def take_in_route(scope: Scope) -> None:
    """The route's side (in its worker thread, before anything else): the caller's count, or the 429 that
    refuses the call before it does anything, or a 503 when the counters cannot be reached."""
    pending = scope.get(PENDING)
    if pending is None or pending.count is not None:
        return
    try:
        count = pending.take_here()
    except Exception as error:
        if not (isinstance(error, Unavailable) or unavailable(error)):
            raise
        log.warning("throttling counters unavailable: %s", error)
        raise _unavailable() from None
    if not count.taken:
        raise _refused(pending.arguments[2], pending.arguments[3], pending.arguments[4], count)


def _unavailable() -> EzyvetError:
    return EzyvetError(503, "The request budget cannot be counted just now; try again shortly",
                       headers={"Retry-After": str(RETRY_AFTER)})


def _refused(limit: int, overall: int, period: int, count: Count) -> EzyvetError:
    what = f"the limit of this endpoint ({limit} a {period} s window) or of your clinic and partner ({overall})"
    return refusal(limit, count, what)


class Throttle:
    """ASGI middleware in front of the ezyVet routes: count the caller, then answer or refuse.

    Counted in Redis (on the event loop), the count is taken here, before the route. Counted in the database,
    it is handed to the route (``Pending``) and taken in the route's own worker thread, before the route does
    anything: the count's hop to a thread was as dear as the single GET's own."""

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
        version = path[1:3]
        try:
            arguments = await self._arguments(Request(scope), path)
            if arguments is None:  # no valid token: the route answers 401, uncounted
                await self.app(scope, receive, send)
                return
            if hasattr(self.buckets, "take_now"):  # in the database: taken in the route's own thread hop
                await self._handed_to_route(scope, receive, send, Pending(self.buckets, arguments))
                return
            count = await self.buckets.take(*arguments)
        except Exception as error:
            if not (isinstance(error, Unavailable) or unavailable(error)):
                raise
            log.warning("throttling counters unavailable on %s: %s", path, error)
            await error_response(version, _unavailable())(scope, receive, send)
            return
        if not count.taken:
            await error_response(version, _refused(*arguments[2:], count))(scope, receive, send)
            return
        extra = [(k.encode(), v.encode()) for k, v in headers(self.policy.endpoint, count).items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _handed_to_route(self, scope: Scope, receive: Receive, send: Send, pending: Pending) -> None:
        """The route takes the count (``take_in_route``) and refuses with its own 429 or 503. A route that
        answered without taking it (an unknown endpoint, a bad method) has it taken here, as before the route:
        a refusal then replaces the route's answer, which did nothing."""
        scope[PENDING] = pending
        replaced = False

        async def send_with_headers(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return  # the body of the answer a refusal replaced
            if message["type"] == "http.response.start":
                if pending.count is None:  # the route did not take it
                    version = scope["path"][1:3]
                    try:
                        count = await offload(self.threads, pending.take_here)
                    except Exception as error:
                        if not (isinstance(error, Unavailable) or unavailable(error)):
                            raise
                        log.warning("throttling counters unavailable on %s: %s", scope["path"], error)
                        replaced = True
                        await error_response(version, _unavailable())(scope, _no_body, send)
                        return
                    if not count.taken:
                        replaced = True
                        await error_response(version, _refused(*pending.arguments[2:], count))(scope, _no_body, send)
                        return
                count = pending.count
                if count.taken:  # a refusal's 429 carries its headers already
                    extra = [(k.encode(), v.encode()) for k, v in headers(self.policy.endpoint, count).items()]
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _arguments(self, request: Request, path: str) -> tuple | None:
        """The caller (from the token cache, mostly: no thread, no query) and what its count takes from: its
        two budgets. None for a call without a valid token."""
        identity = await self._identity(request)
        if identity is None:
            return None
        name = path.split("/")[2].lower()
        endpoint = name if name in REGISTRY else "-"  # unknown names share one bucket: the table stays small
        who = f"{{{identity.clinic_id}:{identity.partner_id or f'credential-{identity.credential_id}'}}}"
        policy = self.policy
        return (who, endpoint, policy.endpoint, policy.clinic, policy.period)

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


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


class _NotCached(Exception):
    pass


def _cache_only():
    raise _NotCached
