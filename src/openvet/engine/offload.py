"""Database work runs off the event loop, in a bounded set of worker threads.

A request's SQL (and the serialising of its records) runs in a thread, so one slow query or large page does
not stall every other request of the worker. The threads are bounded (``OPENVET_DB_THREADS``) so that the
connections they keep never outnumber the pool.

The threads are a plain ``ThreadPoolExecutor``, not ``anyio.to_thread``: the hop there and back is what every
request pays, and the executor's costs a third to a half of anyio's (its capacity limiter and worker
bookkeeping; ``bench/offload.py`` measures both). Its threads live as long as the process, so the database
connection each keeps (``Engine``'s per-thread readers) is made once, not again after every idle spell.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")
_executors: dict[int, ThreadPoolExecutor] = {}
_making = threading.Lock()


def executor(threads: int) -> ThreadPoolExecutor:
    """The process's worker threads (one set per bound, in practice one). Not one per event loop: the test
    client starts a loop per request, and a set of threads per loop would each keep a database connection."""
    made = _executors.get(threads)
    if made is None:
        with _making:
            made = _executors.get(threads)
            if made is None:
                made = _executors[threads] = ThreadPoolExecutor(threads, thread_name_prefix="openvet-db")
    return made


async def offload(threads: int, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(executor(threads), partial(function, *args, **kwargs))
