"""Database work runs off the event loop, in a bounded set of worker threads.

A request's SQL (and the serialising of its records) runs in a thread, so one slow query or large page does
not stall every other request of the worker. The threads are bounded (``OPENVET_DB_THREADS``) so that the
connections they keep never outnumber the pool.

The threads are a plain ``ThreadPoolExecutor`` per event loop, not ``anyio.to_thread``: the hop there and back
is what every request pays, and the executor's costs a third to a half of anyio's (its capacity limiter and
worker bookkeeping; ``bench/offload.py`` measures both). Its threads live as long as the loop, so the database
connection each keeps (``Engine``'s per-thread readers) is made once, not again after every idle spell.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")
_executors: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def executor(threads: int) -> ThreadPoolExecutor:
    """The worker threads of the running event loop (a server has one loop per worker process; the test client
    one per client), shut down when the loop is gone."""
    loop = asyncio.get_running_loop()
    made = _executors.get(loop)
    if made is None or made._max_workers != threads:
        if made is not None:
            made.shutdown(wait=False)
        made = _executors[loop] = ThreadPoolExecutor(threads, thread_name_prefix="openvet-db")
        weakref.finalize(loop, made.shutdown, wait=False)
    return made


async def offload(threads: int, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(executor(threads), partial(function, *args, **kwargs))
