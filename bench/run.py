"""openvet benchmark: a real server process, loaded with demo animals, measured against its floor.

    .venv/bin/python bench/run.py [--animals 1000000] [--duration 10] [--connections 32] [--fresh]
                                  [--database-url postgresql+psycopg://user@host:5432/postgres]

For each scale (1,000 animals and --animals) it takes a cached demo database (built with the CLI on first
use), starts ``openvet serve`` on a copy, creates credentials, and loads it with wrk, one scenario at a time:
token issue, single-animal GET at random ids, lists of 10 and of the biggest page with a modified_at range
and a name ``like`` (contains: the same three letters at both scales), a list of 200 by three digits of the
microchip number (a full page at both scales), a list of 10 with a one-letter ``like`` (too short for a
trigram index), and POST animal. Then the floor: ``bench/floor.py`` (the single
GET's exact bytes) on the same uvicorn, same flags. It prints requests/s, p50/p99 and the ratio to the
floor, checks the goals, and writes bench/results/<timestamp>.json and .md. See docs/benchmarks.md.

The databases are SQLite files by default; with --database-url every scale runs on that PostgreSQL server
instead: a cached database openvet_bench_<N> per scale, a working copy openvet_bench_<N>_work made from it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from rich.console import Console

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import billing  # noqa: E402
import databases  # noqa: E402
import load  # noqa: E402
import report  # noqa: E402
import stock  # noqa: E402
from databases import CLINIC, Fixture  # noqa: E402
from load import Scenario  # noqa: E402
from server import serving  # noqa: E402

RESULTS = BENCH / "results"
BIG_PAGE = 200  # the "list of 200" of the goals
TOO_SLOW_MS = 3000  # a probe slower than this is not loaded (wrk times requests out at 10 s)
LETTER_CONNECTIONS = 4  # a one-letter like counts every row of a million: few connections, or wrk times out


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--animals", type=int, default=1_000_000, help="the large scale (default 1,000,000)")
    parser.add_argument("--small", type=int, default=1_000, help="the small scale it is compared with (1,000)")
    parser.add_argument("--duration", type=float, default=10, help="seconds measured per scenario (10)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of unmeasured load before each (2)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (32)")
    parser.add_argument("--token-connections", type=int, default=2,
                        help="connections for token issue, slow by design: argon2 (2)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (1: leave the other core to the server)")
    parser.add_argument("--workers", type=int, default=1, help="server workers, openvet and floor alike (1)")
    parser.add_argument("--generator", choices=("auto", "wrk", "httpx"), default="auto",
                        help="load generator: wrk (installed with apt-get when root), or the httpx fallback")
    parser.add_argument("--only", default="", help="comma-separated words: run only scenarios whose name has one")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached databases")
    parser.add_argument("--cache", type=Path, default=RESULTS / "cache", help="where loaded databases are kept")
    parser.add_argument("--keep", action="store_true", help="keep the working copies of the databases")
    parser.add_argument("--database-url", default="",
                        help="a PostgreSQL server (SQLAlchemy URL; its role may create databases): run every scale "
                             "on it, in databases openvet_bench_<N> (default: SQLite files under --cache)")
    parser.add_argument("--drop-cached", action="store_true",
                        help="drop the bench's databases (openvet_bench_*) on --database-url, and stop")
    parser.add_argument("--like-as-pattern", action="store_true",
                        help="send like values as SQL patterns (%%value%%): for a server from before like meant "
                             "contains (b4edbc9, the event loop's before)")
    return parser.parse_args()


def page_plan() -> tuple[tuple[str, int], tuple[str, int], str]:
    """(resource, limit) of the small and of the big list, and a note when the big one is not 200 animals."""
    from openvet.resources import REGISTRY

    animal = REGISTRY["animal"].endpoints["v1"].page_limit
    small = ("animal", min(10, animal))
    if animal >= BIG_PAGE:
        return small, ("animal", BIG_PAGE), ""
    contact = min(BIG_PAGE, REGISTRY["contact"].endpoints["v1"].page_limit)
    note = (f"/v1/animal serves at most {animal} records a page (the spec: 'up to {animal}'), so the "
            f"list-{BIG_PAGE} goal is measured on the biggest page of demo data: /v1/contact, limit={contact}.")
    return small, ("contact", contact), note


def filter_value(value: dict[str, Any]) -> str:
    return quote(json.dumps(value, separators=(",", ":")), safe="")


def scenarios(fixture: Fixture, credentials: dict[str, str], token: str, plan, args,
              billed: dict | None = None, paid: dict | None = None) -> list[tuple[str, Scenario]]:
    """(kind, scenario) pairs for one database."""
    auth = {"Authorization": f"Bearer {token}"}
    (small_table, small_limit), (big_table, big_limit), note = plan
    name_field = databases.NAME_COLUMN

    def contains(value: str) -> str:
        return f"%{value}%" if args.like_as_pattern else value
    out = [("token", Scenario(
        "token issue", "POST", ["/v1/oauth/access_token"],
        bodies=[urlencode({**credentials, "grant_type": "client_credentials"})],
        headers={"Content-Type": "application/x-www-form-urlencoded"}, connections=args.token_connections,
        goal="— (argon2 by design)"))]
    out.append(("get", Scenario("get animal", id_prefix="/v1/animal/", id_range=fixture.animal_ids, headers=auth,
                                goal="≥ 20 % of floor, p99 < 25 ms")))
    for kind, (table, limit) in (("list-small", (small_table, small_limit)), ("list-big", (big_table, big_limit))):
        low, high, _ = fixture.windows[table]
        pattern, matches = fixture.patterns[table]
        goal = "≥ 400 req/s" if kind == "list-big" else ""
        out.append((kind, Scenario(f"list-{limit} {table} modified_at", paths=[
            f"/v1/{table}?limit={limit}&modified_at=" + filter_value({">=": low, "<": high})],
            headers=auth, expect_items=limit, goal=goal, note=note if kind == "list-big" else "")))
        # like means contains: the same 3 letters at every scale (a trigram index finds them); a page holds
        # what matches, which at the small scale may be less than the page.
        out.append((kind, Scenario(f"list-{limit} {table} {name_field[table]} like", paths=[
            f"/v1/{table}?limit={limit}&{name_field[table]}=" + filter_value({"like": contains(pattern)})],
            headers=auth, expect_items=min(limit, matches), goal=goal, note=note if kind == "list-big" else "")))
    code, matches = fixture.code
    if big_table == "animal" and matches:
        out.append(("list-big", Scenario(
            f"list-{big_limit} animal {databases.CODE_COLUMN} like", paths=[
                f"/v1/animal?limit={big_limit}&{databases.CODE_COLUMN}=" + filter_value({"like": contains(code)})],
            headers=auth, expect_items=min(big_limit, matches), goal="≥ 400 req/s",
            note=f"contains {code!r}: {matches:,} animals, a full page at every scale")))
    letter, matches = fixture.letters[small_table]
    by_letter = f"/v1/{small_table}?limit={small_limit}&{name_field[small_table]}=" + filter_value(
        {"like": contains(letter)})
    out.append(("list-small", Scenario(
        f"list-{small_limit} {small_table} {name_field[small_table]} like, 1 letter", paths=[by_letter],
        headers=auth, expect_items=min(small_limit, matches), connections=LETTER_CONNECTIONS,
        goal="— (no trigram: every row is tested)")))
    calendar = fixture.calendar
    if calendar is not None:
        day = filter_value({"gte": calendar.day, "lt": calendar.day + 86_400})
        out.append(("list-big", Scenario(
            f"calendar day appointment v2 limit={BIG_PAGE}", paths=[f"/v2/appointment?start_at={day}&limit={BIG_PAGE}"],
            headers=auth, expect_items=min(BIG_PAGE, calendar.booked), goal="p99 ≤ 3 × p50",
            note=f"{calendar.booked:,} appointments that day")))
        out.append(("list-small", Scenario(
            "consult list by animal", paths=[f"/v1/consult?animal_id={a}" for a in calendar.consult_animals],
            headers=auth, goal="p99 ≤ 3 × p50")))
    # the event loop: single GETs measured while a slow request (a one-letter like, no index can help) keeps one
    # more connection busy; database work off the loop keeps the GETs near their own speed (one, not two: on two
    # cores, two scans in threads would take both cores, and the GETs would wait for CPU, not for the loop)
    slow = Scenario("slow list beside", paths=[by_letter], headers=auth)
    out.append(("beside", Scenario("get animal beside a slow list", id_prefix="/v1/animal/",
                                   id_range=fixture.animal_ids, headers=auth, alongside=slow, alongside_connections=1,
                                   goal="p50 near get animal's",
                                   note="one more connection asks a one-letter like the whole time")))
    bodies = []
    for index, contact_id in enumerate(fixture.contact_ids):
        species, breed, sex, colour = fixture.kinds[index % len(fixture.kinds)]
        bodies.append(json.dumps({"name": f"Bench {index}", "contact_id": contact_id, "species_id": species,
                                  "breed_id": breed, "sex_id": sex, "animalcolour_id": colour,
                                  "weight": 12.5, "weight_unit": "kg"}, separators=(",", ":")))
    out.append(("post", Scenario("post animal", "POST", ["/v1/animal"], bodies=bodies,
                                 headers={**auth, "Content-Type": "application/json"}, goal="≥ 1,000 req/s")))
    if calendar is not None:
        bookings = []
        for index, animal in enumerate(calendar.consult_animals or [fixture.animal_ids[0]]):
            start = calendar.day + 86_400 * (1 + index % 14) + 8 * 3600 + 900 * (index % 36)
            bookings.append(json.dumps({"start_at": start, "duration": 900, "animal_id": animal,
                                        "sales_resource": calendar.vets[index % len(calendar.vets)],
                                        "description": "Booked by the bench", **calendar.appointment},
                                       separators=(",", ":")))
        out.append(("post-clinical", Scenario("post appointment v2", "POST", ["/v2/appointment"], bodies=bookings,
                                              headers={**auth, "Content-Type": "application/json"})))
    out += stock.scenarios(auth)  # the stocklevel question on a list of 200 products (bench/stock.py)
    if billed and billed["owners"]:
        out += billing.scenarios(auth, billed)  # an invoice of 10 lines (bench/billing.py)
    if paid:
        out += billing.payment_scenarios(paid)  # a payment allocated to an invoice: a pay link paid (bench/billing.py)
    words = [w.strip() for w in args.only.split(",") if w.strip()]
    return [(k, s) for k, s in out if not words or any(w in s.name for w in words)]


def probe(client: httpx.Client, scenario: Scenario) -> tuple[str | None, float]:
    """One request as the load will send it: (why it cannot be measured or None, its milliseconds)."""
    import random

    path, body = scenario.pick(random.Random(1))
    began = time.perf_counter()
    try:
        answer = client.request(scenario.method, path, headers=scenario.headers, content=body)
    except httpx.HTTPError as error:
        return f"{type(error).__name__} on {scenario.method} {path} after {time.perf_counter() - began:.0f} s", 0.0
    took = (time.perf_counter() - began) * 1000
    if answer.status_code != 200 and not (scenario.once and answer.status_code == 303):  # a page sends on: 303
        return f"HTTP {answer.status_code} on {scenario.method} {path}: {answer.text[:300]}", took
    if scenario.expect_items is not None:
        items = answer.json().get("items", [])
        if len(items) != scenario.expect_items:
            return f"the list is not full: {len(items)} items of {scenario.expect_items} ({path})", took
    if took > TOO_SLOW_MS:
        return (f"not loaded: one request alone took {took / 1000:.1f} s ({scenario.method} {path}); "
                "under load every request would time out"), took
    return None, took


def settle(client: httpx.Client) -> None:
    """Wait until the server answers a trivial request quickly (no backlog from the last scenario)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            client.get("/", timeout=2.0)
            return
        except httpx.HTTPError:
            time.sleep(1)


class Runner:
    def __init__(self, args: argparse.Namespace, console: Console, wrk: str | None, scripts: Path):
        self.args, self.console, self.wrk, self.scripts = args, console, wrk, scripts
        self.notes: list[str] = []  # what each scale's filter values matched, for the report

    def measure(self, base: str, scenario: Scenario) -> load.Measure:
        if scenario.alongside is None:
            return self.measure_alone(base, scenario)
        import threading

        beside = scenario.alongside
        seconds = self.args.warmup + self.args.duration + 2
        background = threading.Thread(target=self.generate, args=(base, beside, scenario.alongside_connections,
                                                                  seconds), daemon=True)
        background.start()
        time.sleep(1)  # the slow requests are under way before the measured ones start
        try:
            return self.measure_alone(base, scenario)
        finally:
            background.join()

    def generate(self, base: str, scenario: Scenario, connections: int, seconds: float) -> None:
        with contextlib.suppress(Exception):  # the background load's own figures are not reported
            if self.wrk:
                load.run_wrk(self.wrk, base, scenario, connections, 1, seconds, self.scripts)
            else:
                load.run_httpx(base, scenario, connections, seconds)

    def measure_alone(self, base: str, scenario: Scenario) -> load.Measure:
        connections = scenario.connections or self.args.connections
        if self.wrk:
            if self.args.warmup > 0:
                load.run_wrk(self.wrk, base, scenario, connections, self.args.threads, self.args.warmup, self.scripts)
            return load.run_wrk(self.wrk, base, scenario, connections, self.args.threads, self.args.duration,
                                self.scripts)
        if self.args.warmup > 0:
            load.run_httpx(base, scenario, connections, self.args.warmup)
        return load.run_httpx(base, scenario, connections, self.args.duration)

    def row(self, kind: str, animals: int, scenario: Scenario, base: str, client: httpx.Client | None) -> dict:
        connections = scenario.connections or self.args.connections
        row: dict[str, Any] = {"scenario": scenario.name, "kind": kind, "animals": animals,
                               "connections": connections, "goal": scenario.goal, "note": scenario.note}
        error, took = probe(client, scenario) if client else (None, None)
        row["probe_ms"] = took
        if error is None:
            try:
                with self.console.status(f"{scenario.name} at {animals:,} animals, {connections} connections"):
                    m = self.measure(base, scenario)
                if m.requests == 0:
                    error = (f"no request completed within wrk's 10 s timeout (one request alone took "
                             f"{took:,.0f} ms)" if took else "no request completed within wrk's 10 s timeout")
            except Exception as failure:  # one scenario failing must not lose the others
                error = f"{type(failure).__name__}: {failure}"
            if client is not None:
                settle(client)
        if error:
            row["error"] = error
            self.console.print(f"  [red]{scenario.name}: {error}[/]")
            return row
        row.update(requests=m.requests, seconds=round(m.seconds, 2), rps=m.rps, p50_ms=m.p50_ms, p99_ms=m.p99_ms,
                   mean_ms=m.mean_ms, max_ms=m.max_ms, errors=m.errors)
        self.console.print(f"  {scenario.name:<34} {m.rps:>9,.0f} req/s  p50 {m.p50_ms:7.2f} ms  "
                           f"p99 {m.p99_ms:7.2f} ms  errors {m.errors}")
        return row


def run_scale(runner: Runner, animals: int, plan, preferred: dict[str, str], logs: Path) -> list[dict]:
    args, console = runner.args, runner.console
    with databases.working_database(animals, args.database_url, args.cache, args.fresh, args.keep,
                                    RESULTS / "work" / f"animals-{animals}", console) as work:
        (_, small_limit), (big_table, big_limit), _ = plan
        needed = {"animal": small_limit}
        needed[big_table] = max(needed.get(big_table, 0), big_limit)
        fixture = databases.read_fixture(work.url, needed, preferred)
        preferred.update({table: value for table, (value, _) in fixture.patterns.items()})
        preferred.update({table + ":letter": value for table, (value, _) in fixture.letters.items()})
        preferred[databases.CODE_COLUMN] = fixture.code[0]
        found = {**fixture.patterns, **{f"{t}, 1 letter": v for t, v in fixture.letters.items()},
                 f"animal {databases.CODE_COLUMN}": fixture.code}
        like = ", ".join(f"{t} {v!r} {n:,} rows" for t, (v, n) in found.items())
        console.print(f"[bold]{animals:,} animals[/] ({fixture.contacts:,} contacts): modified_at windows "
                      + ", ".join(f"{t} {n:,} rows" for t, (_, _, n) in fixture.windows.items())
                      + f"; like (contains): {like}")
        runner.notes.append(f"{animals:,} animals: like (contains) {like}")
        stock.top_up(work.url)  # 200 products with stock, orders and consumption (bench/stock.py)
        billed = billing.top_up(work.url)  # a salesperson, priced products, owners to invoice (bench/billing.py)
        paid = (billing.top_up_payments(work.url, billed)  # invoices and links to pay (bench/billing.py)
                if billed["owners"] and billing.wanted(args.only) else None)
        credentials = json.loads(databases.openvet(["credentials", "create", "--clinic", CLINIC, "--json"],
                                                   work.folder, capture=True, url=work.url))
        rows = []
        command = [*databases.openvet_command(), "serve", "--workers", str(args.workers)]
        with serving(command, databases.environment(work.folder, work.url), logs / f"openvet-{animals}.log") as base, \
                httpx.Client(base_url=base, timeout=30) as client:
            answer = client.post("/v1/oauth/access_token", data={**credentials, "grant_type": "client_credentials"})
            answer.raise_for_status()
            token = answer.json()["access_token"]
            chosen = scenarios(fixture, credentials, token, plan, args, billed, paid)
            single = client.get(f"/v1/animal/{fixture.animal_ids[0]}", headers={"Authorization": f"Bearer {token}"})
            single.raise_for_status()
            body_file = logs / f"floor-body-{animals}.json"
            body_file.write_bytes(single.content)
            for kind, scenario in chosen:
                rows.append(runner.row(kind, animals, scenario, base, client))
        get = next((s for k, s in scenarios(fixture, credentials, token, plan, args) if k == "get"), None)
        if get is not None:
            floor = Scenario("floor", id_prefix=get.id_prefix, id_range=get.id_range, headers=get.headers,
                             goal="—", note="bench/floor.py: the single GET's bytes")
            env = dict(os.environ, BENCH_FLOOR_BODY=str(body_file),
                       BENCH_FLOOR_CONTENT_TYPE=single.headers.get("content-type", "application/json"))
            command = [sys.executable, "-m", "uvicorn", "floor:create_app", "--factory", "--app-dir", str(BENCH),
                       "--workers", str(args.workers), "--log-level", "warning", "--no-access-log"]
            with serving(command, env, logs / f"floor-{animals}.log") as base:
                rows.insert(0, runner.row("floor", animals, floor, base, None))
        return rows


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    busy = f", load average {os.getloadavg()[0]:.1f} at the end" if hasattr(os, "getloadavg") else ""
    return (f"{os.cpu_count()} cores {model}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}{busy}")


def commit() -> str:
    def git(*words: str) -> str:
        done = subprocess.run(["git", *words], cwd=BENCH.parent, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    sha = git("rev-parse", "--short", "HEAD") or "unknown"
    return sha + (" (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else "")


def main() -> int:
    args = arguments()
    console = Console()
    if not console.is_terminal:
        console = Console(width=150)  # a log or a pipe: keep the table's rows on one line
    if args.database_url and not databases.is_postgres(args.database_url):
        console.print(f"[red]--database-url must name a PostgreSQL server, not {args.database_url!r}[/]")
        return 2
    if args.drop_cached:
        if not args.database_url:
            console.print("[red]--drop-cached drops the databases of --database-url (SQLite's cache is a folder: "
                          f"remove {args.cache})[/]")
            return 2
        for name in databases.drop_postgres_databases(args.database_url):
            console.print(f"dropped {name}")
        return 0
    database = databases.describe(args.database_url)
    console.print(f"[bold]database:[/] {database}")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    logs = RESULTS / "logs" / stamp
    scripts = logs / "lua"
    scripts.mkdir(parents=True, exist_ok=True)
    wrk = None if args.generator == "httpx" else load.find_wrk(console)
    if wrk is None and args.generator == "wrk":
        console.print("[red]--generator wrk, but wrk is not available[/]")
        return 2
    if wrk:
        version = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
        generator = ((version.stdout or version.stderr).splitlines() or ["wrk"])[0].split(" [")[0]
        generator += f", {args.threads} thread(s)"
    else:
        generator = "httpx asyncio fallback (Python, in the bench process: it takes CPU from the server)"
        console.print(f"[yellow]load generator: {generator}[/]")
    plan = page_plan()
    notes = [plan[2]] if plan[2] else []
    if (os.cpu_count() or 1) <= 2:
        notes.append(f"{os.cpu_count()} cores: the server and the load generator share them.")
    runner = Runner(args, console, wrk, scripts)
    rows: list[dict] = []
    preferred: dict[str, str] = {}
    for animals in sorted({args.small, args.animals}):
        rows += run_scale(runner, animals, plan, preferred, logs)
    notes += runner.notes
    report.judge(rows)
    scale = report.scale_rows(rows)
    run = {"when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine(), "commit": commit(),
           "database": database, "migration_head": databases.migration_head(), "generator": generator,
           "options": (f"--animals {args.animals} --small {args.small} --duration {args.duration:g} "
                       f"--warmup {args.warmup:g} --connections {args.connections} "
                       f"--token-connections {args.token_connections} --workers {args.workers}"),
           "notes": notes, "rows": rows, "scale": scale}
    console.print()
    report.print_tables(console, rows, scale, database)
    for text in notes:
        console.print(f"[dim]note: {text}[/]")
    as_json, as_md = report.write(run, RESULTS, stamp)
    console.print(f"written: {as_json.relative_to(BENCH.parent)}, {as_md.relative_to(BENCH.parent)} "
                  f"(server logs and Lua scripts: {logs.relative_to(BENCH.parent)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
