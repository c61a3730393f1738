"""Request bodies read with a size limit, for every API: one request cannot make a worker hold more than
``MAX_BODY`` bytes (a 300 MB POST read whole grew a worker to 940 MB). Each dialect answers ``BodyTooLarge``
with a 413 in its own envelope."""

from __future__ import annotations

from starlette.requests import Request

MAX_BODY = 1 << 20  # 1 MiB: far above any record either API describes


class BodyTooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(f"The request body is larger than {limit} bytes")
        self.limit = limit


async def read_limited(request: Request, limit: int = MAX_BODY) -> bytes:
    """The body, refused once it passes ``limit`` bytes: by its Content-Length before any of it is read, or
    as it streams in, reading no further than the chunk that passes the limit."""
    length = request.headers.get("content-length", "").strip()
    if length.isascii() and length.isdigit() and int(length) > limit:
        raise BodyTooLarge(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)
