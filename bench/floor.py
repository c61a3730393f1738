"""The floor: a bare ASGI app that answers every request with the same bytes, served like openvet.

``bench/run.py`` serves it with uvicorn and the flags ``openvet serve`` uses (same worker count, log
level warning, no access log, uvicorn's default loop and HTTP parser), so the difference between its
requests/s and openvet's is what openvet itself costs: routing, authentication, the database, JSON.

The answer comes from two environment variables, read once at start:

* ``BENCH_FLOOR_BODY``: a file holding the exact body to send (run.py saves a single-animal GET's body);
* ``BENCH_FLOOR_CONTENT_TYPE``: its content type (default ``application/json``).

Run by hand: ``BENCH_FLOOR_BODY=body.json .venv/bin/uvicorn floor:create_app --factory --app-dir bench``.
"""

from __future__ import annotations

import os
from pathlib import Path


def create_app():
    """The ASGI app; the body is read here, once, never per request."""
    body_file = os.environ.get("BENCH_FLOOR_BODY")
    body = Path(body_file).read_bytes() if body_file else b'{"meta":{},"items":[],"messages":[]}'
    content_type = os.environ.get("BENCH_FLOOR_CONTENT_TYPE", "application/json").encode()
    start = {"type": "http.response.start", "status": 200,
             "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]}
    answer = {"type": "http.response.body", "body": body}

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        # Drain the request body (a POST's), as any real app must before answering.
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        await send(start)
        await send(answer)

    return app
