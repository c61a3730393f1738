"""Database work runs off the event loop, in a bounded set of worker threads.

A request's SQL (and the serialising of its records) runs in a thread, so one slow query or large page does
not stall every other request of the worker. The threads are bounded (``OPENVET_DB_THREADS``) so that the
connections they keep never outnumber the pool.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

T = TypeVar("T")
_limiters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def limiter(threads: int) -> CapacityLimiter:
    """One limiter per event loop (a limiter belongs to the loop it was made in; the test client runs a loop
    per client, a server one per worker process)."""
    loop = asyncio.get_running_loop()
    made = _limiters.get(loop)
    if made is None or made.total_tokens != threads:
        made = _limiters[loop] = CapacityLimiter(threads)
    return made


async def offload(threads: int, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await anyio.to_thread.run_sync(partial(function, *args, **kwargs), limiter=limiter(threads))
