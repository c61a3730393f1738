"""What throttling costs: the single-animal GET and POST animal, throttling off, counted in the database, and
counted in Redis, each against the floor measured in the same run.

    .venv/bin/python bench/throttling.py [--animals 1000] [--duration 5] [--connections 8] [--redis-url URL]
                                         [--database-url postgresql+psycopg://…/empty_database]

The server runs with a budget far above the load (OPENVET_RATE_LIMIT=1000000000/1000000000): every request is
counted, none refused, so the difference with ``off`` is the counting itself (one upsert transaction in the
database, one EVALSHA in Redis). Without --redis-url (or OPENVET_TEST_REDIS_URL) a private redis-server is
started on a free port when one is installed. With --database-url (an empty PostgreSQL database) the server runs
on it instead of the cached SQLite copy: it is migrated and loaded with ``demo-data`` first, and "database" then
means counted in PostgreSQL. Prints requests/s, p50/p99, the ratio to the floor and to
``off``; writes bench/results/throttling-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import databases  # noqa: E402
import load  # noqa: E402
from databases import CLINIC, Fixture  # noqa: E402
from load import Scenario  # noqa: E402
from server import free_port, serving  # noqa: E402

RESULTS = BENCH / "results"
COUNTED = "1000000000/1000000000"  # counted, never refused


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--animals", type=int, default=1_000, help="animals in the database (1,000)")
    parser.add_argument("--duration", type=float, default=5, help="seconds measured per row (5)")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of unmeasured load before each (1)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (8)")
    parser.add_argument("--redis-url", default=os.environ.get("OPENVET_TEST_REDIS_URL", ""),
                        help="a Redis to count in (default: a private redis-server, if installed)")
    parser.add_argument("--modes", default="off,database,redis", help="which counters to measure (all three)")
    parser.add_argument("--cache", type=Path, default=RESULTS / "cache", help="where loaded databases are kept")
    parser.add_argument("--database-url", default="",
                        help="run on this empty PostgreSQL database (loaded here) instead of the cached SQLite copy")
    return parser.parse_args()


def loaded_postgres(url: str, animals: int, folder: Path, console: Console) -> tuple[dict[str, str], Fixture]:
    """The empty PostgreSQL database at ``url`` migrated and loaded with the bench clinic's ``animals``; the
    environment that serves it, and the ids the scenarios use (read as on SQLite: ``databases.read_fixture``)."""
    for command in (["migrate"], ["clinic", "create", CLINIC, "--name", "Bench"],
                    ["demo-data", "--clinic", CLINIC, "--animals", str(animals)]):
        console.print(f"openvet {' '.join(command)} (PostgreSQL)")
        databases.openvet(command, folder, capture=True, url=url)
    return databases.environment(folder, url), databases.read_fixture(url, {"animal": 10}, {})


@contextmanager
def private_redis(console: Console):
    """A throw-away redis-server on a free port (no persistence), or None when it is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        console.print("[yellow]redis-server is not installed: the Redis rows are skipped[/]")
        yield None
        return
    port = free_port()
    folder = tempfile.mkdtemp(prefix="openvet-bench-redis.")
    process = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                "--appendonly", "no", "--dir", folder], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=15)
        shutil.rmtree(folder, ignore_errors=True)


def measure(wrk: str | None, base: str, scenario: Scenario, args, scripts: Path) -> load.Measure:
    if wrk:
        load.run_wrk(wrk, base, scenario, args.connections, 1, args.warmup, scripts)
        return load.run_wrk(wrk, base, scenario, args.connections, 1, args.duration, scripts)
    load.run_httpx(base, scenario, args.connections, args.warmup)
    return load.run_httpx(base, scenario, args.connections, args.duration)


def main() -> int:
    args = arguments()
    console = Console()
    wrk = load.find_wrk(console)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    logs = RESULTS / f"throttling-{stamp}"
    logs.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    if args.database_url:
        work = RESULTS / "work" / f"throttling-postgresql-{stamp}"
        work.mkdir(parents=True, exist_ok=True)
        served, fixture = loaded_postgres(args.database_url, args.animals, work, console)
    else:
        source = databases.cached_database(args.animals, args.cache, False, console)
        work = databases.working_copy(source, RESULTS / "work" / f"throttling-{args.animals}")
        served, fixture = databases.environment(work), databases.read_fixture(work, {"animal": 10}, {})
    try:
        ezyvet = json.loads(subprocess.run([*databases.openvet_command(), "credentials", "create", "--clinic",
                                            CLINIC, "--json"], env=served, check=True, capture_output=True,
                                           text=True).stdout)
        low, high = fixture.animal_ids
        bodies = []
        for index, contact_id in enumerate(fixture.contact_ids):
            species, breed, sex, colour = fixture.kinds[index % len(fixture.kinds)]
            bodies.append(json.dumps({"name": f"Bench {index}", "contact_id": contact_id, "species_id": species,
                                      "breed_id": breed, "sex_id": sex, "animalcolour_id": colour},
                                     separators=(",", ":")))
        with private_redis(console) if not args.redis_url else _given(args.redis_url) as redis_url:
            modes = [("off", {"OPENVET_RATE_LIMIT": "off"}), ("database", {"OPENVET_RATE_LIMIT": COUNTED})]
            if redis_url:
                modes.append(("redis", {"OPENVET_RATE_LIMIT": COUNTED, "OPENVET_REDIS_URL": redis_url}))
            modes = [(m, e) for m, e in modes if m in args.modes.split(",")]
            body_file = logs / "floor-body.json"
            for mode, extra in modes:
                env = {**served, **extra, "OPENVET_DISPATCHER": "off"}
                command = [*databases.openvet_command(), "serve"]
                with serving(command, env, logs / f"openvet-{mode}.log") as base, \
                        httpx.Client(base_url=base, timeout=30) as client:
                    answer = client.post("/v1/oauth/access_token", data={**ezyvet, "grant_type": "client_credentials"})
                    answer.raise_for_status()
                    auth = {"Authorization": f"Bearer {answer.json()['access_token']}"}
                    single = client.get(f"/v1/animal/{low}", headers=auth)
                    single.raise_for_status()
                    if mode == "database":
                        assert "x-ratelimit-remaining" in single.headers, "the server does not count"
                    body_file.write_bytes(single.content)
                    for name, scenario in (
                            ("get", Scenario("get animal", id_prefix="/v1/animal/", id_range=(low, high),
                                             headers=auth)),
                            ("post", Scenario("post animal", "POST", ["/v1/animal"], bodies=bodies,
                                              headers={**auth, "Content-Type": "application/json"}))):
                        m = measure(wrk, base, scenario, args, logs)
                        rows.append({"scenario": name, "mode": mode, "rps": round(m.rps, 1), "p50_ms": m.p50_ms,
                                     "p99_ms": m.p99_ms, "errors": m.errors})
                        console.print(f"{name} {mode}: {m.rps:,.0f} req/s p50 {m.p50_ms:.2f} ms "
                                      f"p99 {m.p99_ms:.2f} ms errors {m.errors}")
            floor_command = [sys.executable, "-m", "uvicorn", "floor:create_app", "--factory", "--app-dir", str(BENCH),
                             "--log-level", "warning", "--no-access-log"]
            floor_env = dict(os.environ, BENCH_FLOOR_BODY=str(body_file))
            with serving(floor_command, floor_env, logs / "floor.log") as base:
                m = measure(wrk, base, Scenario("floor", id_prefix="/v1/animal/", id_range=(low, high)), args, logs)
                floor = {"scenario": "floor", "mode": "-", "rps": round(m.rps, 1), "p50_ms": m.p50_ms,
                         "p99_ms": m.p99_ms, "errors": m.errors}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    off = {r["scenario"]: r["rps"] for r in rows if r["mode"] == "off"}
    database = "PostgreSQL" if args.database_url else "SQLite"
    table = Table(title=f"throttling cost, {database}, {args.animals:,} animals, {args.connections} connections, "
                        f"{args.duration:g} s per row ({'wrk' if wrk else 'httpx'}; {os.cpu_count()} cores, shared)")
    for column in ("scenario", "counters", "req/s", "p50 ms", "p99 ms", "floor / this", "off / this", "errors"):
        table.add_column(column)
    table.add_row("floor", "-", f"{floor['rps']:,.0f}", f"{floor['p50_ms']:.2f}", f"{floor['p99_ms']:.2f}", "1.00",
                  "", str(floor["errors"]))
    for row in rows:
        row["floor_ratio"] = round(floor["rps"] / row["rps"], 2) if row["rps"] else None
        row["off_ratio"] = round(off[row["scenario"]] / row["rps"], 2) if row["rps"] and off else None
        table.add_row(row["scenario"], row["mode"], f"{row['rps']:,.0f}", f"{row['p50_ms']:.2f}",
                      f"{row['p99_ms']:.2f}", f"{row['floor_ratio']}", f"{row['off_ratio']}", str(row["errors"]))
    console.print(table)
    out = RESULTS / f"throttling-{stamp}.json"
    out.write_text(json.dumps({"floor": floor, "rows": rows, "animals": args.animals, "database": database,
                               "connections": args.connections, "duration": args.duration,
                               "generator": "wrk" if wrk else "httpx", "cores": os.cpu_count()}, indent=2))
    console.print(f"written {out.relative_to(BENCH.parent)}")
    return 0


@contextmanager
def _given(url: str):
    yield url


if __name__ == "__main__":
    raise SystemExit(main())
