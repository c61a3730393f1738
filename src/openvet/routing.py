"""Routes that let every HTTP method reach their handler.

Starlette's router answers a method that a route does not list itself, before any handler runs: a bare 405
outside the API's envelope, without ``Allow`` once an exception handler takes it over. TRACE, CONNECT or a
made-up method got that. Each API instead answers every method on its paths in its own envelope, with the
methods of that path in ``Allow``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, request_response
from starlette.types import Receive, Scope, Send

Handler = Callable[[Request], Awaitable[Response]]


class EveryMethod:
    """A request -> response handler as an ASGI app: a Route given an app lists no methods, so takes them all."""

    def __init__(self, handler: Handler):
        self.handler = handler
        self.app = request_response(handler)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class Rest(Convertor[str]):
    """The rest of a path, whatever it holds: Starlette's ``path`` is ``.*``, which stops at a line break, so
    an id with a ``\\n`` in it matched no route and was answered outside the API's envelope."""

    regex = "(?s:.*)"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("rest", Rest())


def route(path: str, handler: Handler) -> Route:
    return Route(path, EveryMethod(handler))
