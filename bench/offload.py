"""The hop every request pays to run its SQL off the event loop: ``anyio.to_thread`` against the
``ThreadPoolExecutor`` that ``openvet.engine.offload`` uses, 32 calls in flight at a time as under wrk's 32
connections, on uvloop as ``openvet serve`` runs.

    .venv/bin/python -m bench.offload [--calls 20000] [--rounds 3]

It times the hop alone (the function does nothing), so the figures are what each request saves; the effect on a
real server is in docs/benchmarks.md ("The hop to the database threads").
"""

from __future__ import annotations

import argparse
import asyncio
import time

import anyio.to_thread
import uvloop
from anyio import CapacityLimiter

from openvet.engine.offload import offload

THREADS = 16  # OPENVET_DB_THREADS' default
IN_FLIGHT = 32


def nothing() -> None:
    return None


async def hops(calls: int, rounds: int) -> None:
    limiter = CapacityLimiter(THREADS)
    ways = {"anyio.to_thread": lambda: anyio.to_thread.run_sync(nothing, limiter=limiter),
            "ThreadPoolExecutor (openvet)": lambda: offload(THREADS, nothing)}
    print(f"{'round':>5}  {'way':<30} {'µs per hop':>10}")
    for number in range(1, rounds + 1):
        for name, hop in ways.items():
            start = time.perf_counter()
            for _ in range(calls // IN_FLIGHT):
                await asyncio.gather(*(hop() for _ in range(IN_FLIGHT)))
            print(f"{number:>5}  {name:<30} {(time.perf_counter() - start) / calls * 1e6:>10.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    uvloop.run(hops(args.calls, args.rounds))


if __name__ == "__main__":
    main()
