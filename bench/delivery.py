"""openvet benchmark of events: what the outbox costs a write, and how fast events are delivered.

    .venv/bin/python -m bench.delivery [--writes 10000] [--duration 10] [--connections 16] [--database-url URL]

1. **The outbox on POST.** Every write records its event in the outbox, in the write's own transaction,
   whether or not a webhook listens (that is what makes delivery reliable), so no real server runs without it;
   the "before" is ``bench/serve_without_outbox.py``, ``openvet serve`` with the outbox write stubbed out.
   Measured, each against the floor (``bench/floor.py`` answering the POST's bytes on the same uvicorn, in the
   same run):
   - ``POST /v1/address`` and ``GET /v1/address/{id}`` without and with the outbox, alternating, two rounds
     (before and after, over HTTP);
   - ``POST /v1/address`` on ``openvet serve`` with no webhook and the dispatcher off (the outbox row written,
     nothing more);
   - the same with a webhook subscribed to ``address_created`` and the server's own dispatcher delivering each
     event to a local receiver while the POSTs go on (what delivery costs the API when it runs in its process);
   - in the bench process, ``Engine.create`` of an Address with its outbox row and with the outbox write
     stubbed out: the outbox's own share of a write, without HTTP; and, directly, the time spent inside the
     outbox write (``records.record_event`` timed around each call during real creates), which needs no
     difference of two noisy means (``--outbox-only`` runs just this part, in seconds).
2. **Delivery throughput.** A burst of ``--writes`` Address creates (through the engine, in this process) with
   one webhook subscribed, then ``openvet worker`` processes (1, then 2, each on a new burst) deliver them to a
   receiver in this process (a small threaded HTTP server on 127.0.0.1): events delivered per second, from the
   first event received to the last (the workers' start-up, importing Python, is shown apart), and a check
   that no event came twice.

SQLite by default (a file in a temporary folder); ``--database-url`` runs part 2 on PostgreSQL (an empty
database). Prints a Markdown table; writes nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
SRC = BENCH.parent / "src"
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(SRC))

import load  # noqa: E402
from load import Scenario  # noqa: E402
from server import serving  # noqa: E402

ADDRESS = json.dumps({"city": "Nelson", "post_code": "7010"})


class Receiver:
    """A webhook receiver: answers 200 at once, counts the deliveries and their distinct webhook-ids."""

    def __init__(self):
        self.ids: set[str] = set()
        self.count = 0
        self.first = self.last = 0.0
        self._lock = threading.Lock()
        state = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (the http.server protocol)
                self.rfile.read(int(self.headers.get("content-length") or 0))
                with state._lock:
                    state.count += 1
                    state.ids.add(self.headers.get("webhook-id", ""))
                    state.last = time.perf_counter()
                    state.first = state.first or state.last
                self.send_response(200)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self) -> None:
        with self._lock:
            self.ids, self.count, self.first, self.last = set(), 0, 0.0, 0.0

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def environment(url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # throttling off: at its default (60 calls a minute) nearly every call of the load would be a 429
    env.update(OPENVET_DATABASE_URL=url, OPENVET_DATA_DIR=str(data_dir), OPENVET_WEBHOOK_PRIVATE_TARGETS="allow",
               OPENVET_RATE_LIMIT="off",
               PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")])), **extra)
    return env


def prepared(url: str):
    """The database migrated, one clinic with credentials: (engine, clinic id, credentials)."""
    from openvet.engine import Engine
    from openvet.services import clinics, credentials
    from openvet.store.database import connect
    from openvet.store.migrate import upgrade

    upgrade(url)
    engine = Engine(connect(url))
    clinic_id = clinics.create_clinic(engine, f"bench-{os.getpid()}-{time.monotonic_ns()}", "Bench", "UTC")
    with engine.db.begin() as conn:
        made = credentials.create_ezyvet_credentials(conn, clinic_id, [])
    return engine, clinic_id, made


def subscribe(engine, clinic_id: int, url: str) -> None:
    from openvet.engine import Actor
    from openvet.resources import REGISTRY

    engine.create(Actor(clinic_id), REGISTRY["webhooks"], {"webhook_url": url, "event": "address_created"}, "v1")


def measure(wrk: str | None, base: str, scenario: Scenario, connections: int, seconds: float,
            scripts: Path) -> load.Measure:
    if wrk:
        load.run_wrk(wrk, base, scenario, connections, 2, min(2.0, seconds), scripts)  # warm up
        return load.run_wrk(wrk, base, scenario, connections, 2, seconds, scripts)
    return load.run_httpx(base, scenario, connections, seconds)


# 1. the outbox on POST -------------------------------------------------------------------------------------


def post_cost(args, folder: Path, wrk: str | None, receiver: Receiver) -> list[tuple[str, str]]:
    url = f"sqlite:///{folder / 'post.sqlite3'}"
    engine, clinic_id, made = prepared(url)
    rows: list[tuple[str, str]] = []
    command = [sys.executable, "-m", "openvet", "serve"]
    scripts = folder / "lua"
    scripts.mkdir(exist_ok=True)
    answer = b""

    def post_scenario(base: str) -> Scenario:
        nonlocal answer
        token = httpx.post(base + "/v1/oauth/access_token", data={**made, "grant_type": "client_credentials"})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}", "content-type": "application/json"}
        answer = httpx.post(base + "/v1/address", headers=headers, content=ADDRESS).content
        return Scenario("post address", method="POST", paths=["/v1/address"], bodies=[ADDRESS], headers=headers)

    def get_scenario(base: str) -> Scenario:
        token = httpx.post(base + "/v1/oauth/access_token", data={**made, "grant_type": "client_credentials"})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        record_id = json.loads(answer)["items"][0]["address"]["id"]
        return Scenario("get address", paths=[f"/v1/address/{record_id}"], headers=headers)

    # before and after over HTTP: the same server with its outbox write stubbed out (bench/serve_without_outbox.py)
    # and as it is, alternating, twice, the dispatcher off in both: the POST and the single GET of each
    figures: dict[str, load.Measure] = {}
    pairs: dict[str, list[tuple[load.Measure, load.Measure]]] = {"with": [], "without": []}
    stubbed = [sys.executable, str(BENCH / "serve_without_outbox.py"), "serve"]
    for round_ in range(2):
        for name, launched in (("without", stubbed), ("with", command)):
            env = environment(url, folder, OPENVET_DISPATCHER="off")
            with serving(launched, env, folder / f"serve-{name}-{round_}.log") as base:
                posted = measure(wrk, base, post_scenario(base), args.connections, args.duration, scripts)
                got = measure(wrk, base, get_scenario(base), args.connections, args.duration, scripts)
            pairs[name].append((posted, got))
    figures["none"] = pairs["with"][-1][0]
    subscribe(engine, clinic_id, receiver.url)
    receiver.reset()
    with serving(command, environment(url, folder), folder / "serve-on.log") as base:
        figures["hooked"] = measure(wrk, base, post_scenario(base), args.connections, args.duration, scripts)
        delivered = receiver.count
    body = folder / "floor-body.json"
    body.write_bytes(answer)
    floor_env = {**os.environ, "BENCH_FLOOR_BODY": str(body)}
    floor_command = [sys.executable, "-m", "uvicorn", "floor:create_app", "--factory", "--app-dir", str(BENCH),
                     "--log-level", "warning", "--no-access-log"]
    with serving(floor_command, floor_env, folder / "floor.log") as base:
        floor = measure(wrk, base, Scenario("floor", method="POST", paths=["/v1/address"], bodies=[ADDRESS],
                                            headers={"content-type": "application/json"}),
                        args.connections, args.duration, scripts)

    def row(m: load.Measure) -> str:
        return (f"{m.rps:,.0f} req/s, {m.rps / floor.rps:.1%} of the floor; p50 {m.p50_ms:.1f} ms, "
                f"p99 {m.p99_ms:.1f} ms; {m.errors} errors")

    rows.append(("floor: the POST's bytes (bench/floor.py)", f"{floor.rps:,.0f} req/s; p50 {floor.p50_ms:.1f} ms"))
    for what, index in (("POST /v1/address", 0), ("GET /v1/address/{id}", 1)):
        for name in ("without", "with"):
            rates = [f"{pair[index].rps:,.0f}" for pair in pairs[name]]
            shares = [f"{pair[index].rps / floor.rps:.1%}" for pair in pairs[name]]
            rows.append((f"{what}, {name} the outbox (dispatcher off), two rounds",
                         f"{' and '.join(rates)} req/s; {' and '.join(shares)} of the floor; p99 "
                         f"{' and '.join(f'{pair[index].p99_ms:.1f}' for pair in pairs[name])} ms"))
        ratios = [f"{w[index].rps / o[index].rps:.2f}" for w, o in zip(pairs["with"], pairs["without"], strict=True)]
        rows.append((f"{what}: with ÷ without the outbox, by round", " and ".join(ratios)))
    rows.append(("POST /v1/address, no webhook, dispatcher off", row(figures["none"])))
    rows.append(("POST /v1/address, 1 webhook subscribed, dispatcher in the server",
                 row(figures["hooked"]) + f"; {delivered:,} events delivered meanwhile"))
    rows.append(("the same, ÷ without", f"{figures['hooked'].rps / figures['none'].rps:.2f} ×"))
    rows += outbox_share(engine, clinic_id, args.creates)
    engine.close()
    return rows


def outbox_share(engine, clinic_id: int, creates: int) -> list[tuple[str, str]]:
    """Engine.create of an Address, with its outbox row and with the outbox write stubbed out (this process only)."""
    from openvet.engine import Actor
    from openvet.resources import REGISTRY
    from openvet.store import records

    address, actor = REGISTRY["address"], Actor(clinic_id)
    body = json.loads(ADDRESS)

    def per_create() -> float:
        for _ in range(50):
            engine.create(actor, address, body, "v1")
        began = time.perf_counter()
        for _ in range(creates):
            engine.create(actor, address, body, "v1")
        return (time.perf_counter() - began) / creates * 1e6

    kept = records.record_event
    with_outbox = [per_create()]
    records.record_event = lambda *args, **kwargs: None
    try:
        without = [per_create()]
    finally:
        records.record_event = kept
    with_outbox.append(per_create())  # again, after: the machine's drift shows as the gap between the two
    records.record_event = lambda *args, **kwargs: None
    try:
        without.append(per_create())
    finally:
        records.record_event = kept
    mean_with, mean_without = sum(with_outbox) / 2, sum(without) / 2
    # measured directly: the time spent inside the outbox write itself (its INSERT, in the create's
    # transaction), timed around each call during real creates; a difference of two noisy means is not needed
    spent = [0.0]

    def timed(*args, **kwargs):
        began = time.perf_counter()
        try:
            return kept(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - began

    records.record_event = timed
    try:
        timed_create = per_create()
        spent[0] = 0.0
        timed_create = per_create()
    finally:
        records.record_event = kept
    inside = spent[0] / creates * 1e6
    return [("Engine.create(address), in process, with the outbox row",
             f"{mean_with:,.0f} µs per create ({', '.join(f'{v:,.0f}' for v in with_outbox)})"),
            ("the same, outbox write stubbed out",
             f"{mean_without:,.0f} µs per create ({', '.join(f'{v:,.0f}' for v in without)}); the outbox: "
             f"{(mean_with - mean_without) / mean_with:+.1%} of a create"),
            ("inside the outbox write itself (records.record_event timed around each call, during real creates)",
             f"{inside:,.0f} µs per create, {inside / timed_create:.1%} of that run's {timed_create:,.0f} µs "
             "per create (its commit, which the outbox row makes a little longer, is not in this figure)")]


# 2. delivery throughput ------------------------------------------------------------------------------------


def throughput(args, folder: Path, receiver: Receiver) -> list[tuple[str, str]]:
    from openvet.engine import Actor
    from openvet.resources import REGISTRY

    url = args.database_url or f"sqlite:///{folder / 'burst.sqlite3'}"
    engine, clinic_id, _ = prepared(url)
    subscribe(engine, clinic_id, receiver.url)
    address, actor = REGISTRY["address"], Actor(clinic_id)
    rows = []
    for workers in (1, 2):
        began = time.perf_counter()
        for n in range(args.writes):
            engine.create(actor, address, {"city": f"Town {n}"}, "v1")
        wrote = time.perf_counter() - began
        receiver.reset()
        env = environment(url, folder)
        started = time.perf_counter()
        processes = [subprocess.Popen([sys.executable, "-m", "openvet", "worker"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=(folder / f"worker-{workers}-{k}.log").open("wb"))
                     for k in range(workers)]
        try:
            deadline = started + args.timeout
            while receiver.count < args.writes and time.perf_counter() < deadline:
                time.sleep(0.05)
            took = (receiver.last or time.perf_counter()) - (receiver.first or started)
            startup = (receiver.first or started) - started
            time.sleep(1.0)  # a duplicate would come within a round or two
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(30)
        got, unique = receiver.count, len(receiver.ids)
        rows.append((f"{args.writes:,} writes ({wrote:.1f} s, {args.writes / wrote:,.0f}/s), delivered by "
                     f"{workers} `openvet worker`",
                     f"{got:,} received ({unique:,} distinct) in {took:.1f} s from the first: "
                     f"**{got / took:,.0f} events/s** (first {startup:.1f} s after the workers started)"
                     + ("" if got == unique == args.writes else " — NOT all delivered exactly once")))
    engine.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=10000, help="the burst of writes to deliver (10,000)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of POSTs per measure (10)")
    parser.add_argument("--connections", type=int, default=16, help="connections of the POST load (16)")
    parser.add_argument("--creates", type=int, default=1000, help="in-process creates per measure (1,000)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for a burst's delivery")
    parser.add_argument("--database-url", default="", help="the burst on this (empty) database, e.g. PostgreSQL")
    parser.add_argument("--skip-post", action="store_true", help="part 2 only")
    parser.add_argument("--outbox-only", action="store_true",
                        help="only the in-process share of the outbox (Engine.create; seconds, no server)")
    args = parser.parse_args()
    os.environ["OPENVET_WEBHOOK_PRIVATE_TARGETS"] = "allow"  # the receiver is on 127.0.0.1
    from rich.console import Console

    wrk = load.find_wrk(Console(stderr=True))
    receiver = Receiver()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="openvet-bench-delivery-") as tmp:
        folder = Path(tmp)
        if args.outbox_only:
            engine, clinic_id, _ = prepared(f"sqlite:///{folder / 'outbox.sqlite3'}")
            rows += outbox_share(engine, clinic_id, args.creates)
            engine.close()
        else:
            if not args.skip_post:
                rows += post_cost(args, folder, wrk, receiver)
            rows += throughput(args, folder, receiver)
    receiver.close()
    load_average = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"\n{time.strftime('%Y-%m-%d %H:%M %Z')}, {platform.node()}, {os.cpu_count()} cores, load average "
          f"{load_average} at the end; load generator: {'wrk' if wrk else 'httpx (in process)'}; "
          f"burst database: {'PostgreSQL' if args.database_url.startswith('postgresql') else 'SQLite'}\n")
    print("| measure | figure |\n|---|---|")
    for name, figure in rows:
        print(f"| {name} | {figure} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
