"""The ASGI application: the ezyVet and Provet dialects over one engine, plus the API documents."""

from __future__ import annotations

import contextlib
import gc

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openvet import ezyvet, openapi, pages, provet
from openvet.config import Settings
from openvet.engine import Engine
from openvet.events import Dispatcher
from openvet.store.blobs import Blobs
from openvet.store.database import connect


async def not_found(request: Request, _exc) -> Response:
    body = {"detail": f"Nothing at {request.url.path}. The ezyVet API is under /v1 and /v2, the Provet API "
                      "under /<provet_id>/api/0.1/, the documents at /docs and /openapi.json."}
    return Response(orjson.dumps(body), status_code=404, media_type="application/json")


async def method_not_allowed(request: Request, exc) -> Response:
    body = {"detail": f"{request.method} is not allowed on {request.url.path}"}
    return Response(orjson.dumps(body), status_code=405, headers=getattr(exc, "headers", None),
                    media_type="application/json")  # with the route's Allow


def dispatcher(settings: Settings, engine: Engine) -> Dispatcher:
    """The webhook dispatcher of this installation, sending the ezyVet payload."""
    from openvet.ezyvet.serializers import View
    from openvet.ezyvet.webhooks import payload

    def ezyvet_payload(engine: Engine, delivery, fields, now: int) -> bytes:
        return payload(engine, delivery, fields, View(settings.public_url.rstrip("/"), now, engine.signing_key()))

    return Dispatcher(engine, ezyvet_payload, settings.webhook_retry_seconds, settings.webhook_timeout,
                      job_lease=settings.job_lease, renew_every=settings.wellness_renew)


def throttling(settings: Settings, engine: Engine) -> list[Middleware]:
    """The ezyVet throttle (OPENVET_RATE_LIMIT), counting in Redis when OPENVET_REDIS_URL is set, else in the
    database; none when the policy is off."""
    if settings.rate_limit is None:
        return []
    from openvet.ezyvet.throttling import Throttle

    if settings.redis_url:
        from openvet.store.redis_throttle import RedisBuckets

        buckets = RedisBuckets(settings.redis_url)
    else:
        from openvet.store.throttle import DatabaseBuckets

        buckets = DatabaseBuckets(engine.db, settings.db_threads)
    return [Middleware(Throttle, policy=settings.rate_limit, buckets=buckets, threads=settings.db_threads)]


def settle_the_heap() -> None:
    """Hand what the process made before its first request (the registry, SQLAlchemy's tables and statements,
    the OpenAPI document: objects that live as long as the process) to the garbage collector's permanent
    generation. Its full collections then walk only what requests made since, instead of stalling a request
    for the whole heap: a single GET's p99 fell from 46 to 18 ms under load (docs/benchmarks.md)."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> Starlette:
    settings = settings or Settings.from_environment()
    engine = engine or Engine(connect(settings.database_url, settings.db_threads))
    routes = [
        Route("/openapi.json", openapi.document, methods=["GET"]),
        Route("/docs", openapi.docs_page, methods=["GET"]),
        *ezyvet.routes(),  # first: the router tries routes in turn, and the ezyVet API takes most calls
        *provet.routes(),  # (/<provet_id>/api/0.1/…: four segments or more, a number first; none is /v1/ or /v2/)
        *pages.routes(),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        """``openvet serve`` delivers webhooks in a background thread unless OPENVET_DISPATCHER=off."""
        settle_the_heap()
        running = dispatcher(settings, engine) if settings.dispatcher else None
        if running is not None:
            running.start()
        try:
            yield
        finally:
            if running is not None:
                running.stop()

    middleware = throttling(settings, engine)
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: method_not_allowed}, lifespan=lifespan,
                    middleware=middleware)
    app.state.engine = engine
    app.state.settings = settings
    app.state.blobs = Blobs(settings.data_dir)
    app.state.throttle = middleware[0].kwargs if middleware else None  # the token endpoint's budget too
    return app
