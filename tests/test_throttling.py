"""Request throttling (ezyVet document L150-L175): 60 calls a minute per endpoint, 180 per clinic and partner.

Each behaviour is proven through the app on both counters — the database's upsert and a real Redis — and
exactness across processes with two real ``openvet serve`` processes sharing one PostgreSQL or one Redis.
"""

from __future__ import annotations

import concurrent.futures
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from conftest import POSTGRES_URL, REDIS_URL, free_port, make_clinic, migrated_database, running_server
from openvet.app import create_app
from openvet.config import RateLimit, Settings
from openvet.engine import Engine
from openvet.services import clinics, credentials
from openvet.store.database import connect

HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


HOUR = 3600  # in-process tests count in hour-long windows: a minute turning mid-test would reset the count


def steady_window(period: int, needed: float = 20) -> None:
    """Wait for the next window when this one has less than ``needed`` seconds left (windows are aligned on
    the clock; Redis's clock is this machine's)."""
    left = period - time.time() % period
    if left < needed:
        time.sleep(left + 0.2)


def throttled(engine: Engine, data_dir: Path, policy: RateLimit, counters: str) -> TestClient:
    """The app over the session's database with ``policy``, counting in the database or in Redis."""
    settings = Settings(database_url=engine.db.url.render_as_string(hide_password=False), data_dir=data_dir,
                        public_url="http://testserver", rate_limit=policy,
                        redis_url=(REDIS_URL or "") if counters == "redis" else "")
    return TestClient(create_app(settings, engine))


@pytest.fixture(params=["database", "redis"])
def counters(request) -> str:
    if request.param == "redis" and not REDIS_URL:
        pytest.skip("OPENVET_TEST_REDIS_URL is not set (bin/test sets it)")
    return request.param


def clinic_under(engine: Engine, tmp_path: Path, policy: RateLimit, counters: str):
    steady_window(policy.period)
    return make_clinic(engine, throttled(engine, tmp_path, policy, counters))


def contacts_of(engine: Engine, clinic_id: int) -> int:
    with engine.db.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM contact WHERE clinic_id = :c"), {"c": clinic_id}).scalar()


# the policy, in one process ---------------------------------------------------------------------------


def test_every_answer_to_a_known_caller_carries_the_rate_limit_headers(engine, tmp_path, counters):
    api = clinic_under(engine, tmp_path, RateLimit(), counters)
    answers = [api.get("/v1/animal?limit=1"), api.get("/v2/contact"), api.get("/v1/animal/999999999"),
               api.post("/v1/contact", {"first_name": "Ada"}), api.get("/v1/nosuchendpoint"),
               api.get("/v1/animal?nosuchfilter=1")]
    assert [a.status_code for a in answers][:3] == [200, 200, 404]
    assert all(a.status_code < 500 for a in answers)
    for answer in answers:
        assert all(name in answer.headers for name in HEADERS), (answer.status_code, dict(answer.headers))
        assert answer.headers["x-ratelimit-limit"] == "60"
        assert 1 <= int(answer.headers["x-ratelimit-reset"]) <= 60
    assert answers[0].headers["x-item-limit-per-page"]  # the paging header is still there
    # animal: 60 - 1; contact: 60 - 1 (the first contact call); the refused-looking 422 counted too
    assert answers[0].headers["x-ratelimit-remaining"] == "59"
    assert answers[2].headers["x-ratelimit-remaining"] == "58"  # the second call on animal
    # an unknown caller is not counted (there is nobody to count): a 401, without the headers
    anonymous = api.client.get("/v1/animal")
    assert anonymous.status_code == 401 and "x-ratelimit-limit" not in anonymous.headers


@pytest.mark.both_databases
def test_the_61st_and_62nd_calls_are_refused_while_another_endpoint_still_answers(engine, tmp_path, counters):
    api = clinic_under(engine, tmp_path, RateLimit(period=HOUR), counters)
    for n in range(60):
        answer = api.get("/v1/animal?limit=1")
        assert answer.status_code == 200, (n, answer.text)
    assert answer.headers["x-ratelimit-remaining"] == "0"
    for _ in range(2):  # the 61st and the 62nd
        refused = api.get("/v1/animal?limit=1")
        assert refused.status_code == 429
        body = refused.json()
        assert body["items"] == [] and body["messages"][0]["type"] == "too_many_requests"
        assert "transaction_id" in body["meta"]
        assert 1 <= int(refused.headers["Retry-After"]) <= HOUR
        assert refused.headers["x-ratelimit-remaining"] == "0"
    assert api.get("/v2/animal?limit=1").status_code == 429  # one endpoint, whichever version
    other = api.get("/v1/contact?limit=1")  # its own 60, and the global 180 less the 60 taken (refusals took none)
    assert other.status_code == 200, other.text
    assert other.headers["x-ratelimit-remaining"] == "59"


def test_the_global_limit_counts_every_endpoint_of_a_clinic_and_partner(engine, tmp_path, counters):
    api = clinic_under(engine, tmp_path, RateLimit(endpoint=3, clinic=5, period=HOUR), counters)
    assert [api.get("/v1/animal").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert api.get("/v1/contact").status_code == 200
    last = api.get("/v1/contact")
    assert last.status_code == 200 and last.headers["x-ratelimit-remaining"] == "0"  # 5 of the global 5
    assert api.get("/v1/species").status_code == 429  # its own budget untouched, the global one spent
    elsewhere = clinic_under(engine, tmp_path, RateLimit(endpoint=3, clinic=5, period=HOUR), counters)
    assert elsewhere.get("/v1/species").status_code == 200  # another clinic and partner: its own budgets


def test_a_call_answered_before_its_route_runs_is_counted_and_refused_alike(engine, tmp_path, counters):
    """Counted in the database, the count is taken in the route's own worker thread; an unknown endpoint, a
    method no path serves or a body that is not JSON is answered before that. Such a call is counted all the
    same (its headers say so), and once the budget is spent it is refused like any other (429, not its 403)."""
    api = clinic_under(engine, tmp_path, RateLimit(endpoint=3, clinic=100, period=HOUR), counters)
    unknown = api.get("/v1/nosuchendpoint")
    assert unknown.status_code == 403 and unknown.headers["x-ratelimit-remaining"] == "2"
    method = api.request("PUT", "/v1/nosuchendpoint")
    assert method.status_code == 405 and method.headers["x-ratelimit-remaining"] == "1"
    not_json = api.request("POST", "/v1/nosuchendpoint", content=b"{", headers={"Content-Type": "application/json"})
    assert not_json.status_code in (400, 403) and not_json.headers["x-ratelimit-remaining"] == "0"
    for refused in (api.get("/v1/nosuchendpoint"), api.request("PUT", "/v1/nosuchendpoint")):
        assert refused.status_code == 429, refused.text
        assert refused.json()["messages"][0]["type"] == "too_many_requests"
        assert refused.headers["x-ratelimit-remaining"] == "0" and int(refused.headers["Retry-After"]) >= 1
    animal = api.get("/v1/animal?limit=1")  # another endpoint: its own budget (unknown names share one)
    assert animal.status_code == 200 and animal.headers["x-ratelimit-remaining"] == "2"


@pytest.mark.both_databases
def test_a_refused_call_does_nothing_and_uses_up_no_budget(engine, tmp_path, counters):
    api = clinic_under(engine, tmp_path, RateLimit(endpoint=1, clinic=4, period=HOUR), counters)
    kind = api.first_id("contactdetailtype")
    detail = [{"name": "Email", "value": "ada@example.com", "contact_detail_type_id": kind}]
    made = api.post("/v1/contact", {"first_name": "Ada", "last_name": "Lovelace", "contact_detail_list": detail})
    assert made.status_code == 200, made.text
    before = contacts_of(engine, api.id)
    for _ in range(3):
        refused = api.post("/v1/contact", {"first_name": "Grace", "last_name": "Hopper",
                                           "contact_detail_list": detail})
        assert refused.status_code == 429
    assert contacts_of(engine, api.id) == before  # no record made
    # three refusals later the global budget still has its 2
    assert [api.get(f"/v1/{name}").status_code for name in ("animal", "species")] == [200, 200]
    assert api.get("/v1/sex").status_code == 429


def test_off_throttles_nothing(engine, tmp_path):
    api = make_clinic(engine, TestClient(create_app(Settings(
        database_url="", data_dir=tmp_path, public_url="http://testserver", rate_limit=RateLimit.parse("off")),
        engine)))
    answers = [api.get("/v1/animal?limit=1") for _ in range(70)]
    assert {a.status_code for a in answers} == {200}
    assert "x-ratelimit-limit" not in answers[-1].headers


def test_the_policy_is_read_from_openvet_rate_limit(monkeypatch):
    monkeypatch.delenv("OPENVET_RATE_LIMIT", raising=False)
    assert Settings.from_environment().rate_limit == RateLimit(60, 180, 20, 60)  # the document's default
    for raw, policy in [("off", None), (" OFF ", None), ("100/300", RateLimit(100, 300)),
                        ("10/30/5", RateLimit(10, 30, 5)), ("", RateLimit())]:
        monkeypatch.setenv("OPENVET_RATE_LIMIT", raw)
        assert Settings.from_environment().rate_limit == policy
    for bad in ("60", "60/", "0/180", "60/180/20/1", "sixty/180", "-1/5", "60,180", "on", "６０/180"):
        monkeypatch.setenv("OPENVET_RATE_LIMIT", bad)
        with pytest.raises(ValueError, match="OPENVET_RATE_LIMIT must be off, or E/G"):
            Settings.from_environment()


@pytest.mark.server
def test_a_bad_rate_limit_stops_openvet_serve_with_a_clear_message(tmp_path):
    env = {**os.environ, "OPENVET_DATA_DIR": str(tmp_path), "OPENVET_RATE_LIMIT": "lots"}
    env.pop("OPENVET_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "openvet", "serve", "--port", str(free_port())], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "OPENVET_RATE_LIMIT must be off, or E/G" in output and "'lots'" in output
    assert "Traceback" not in output


@pytest.mark.server
def test_an_unreachable_redis_stops_openvet_serve_with_a_clear_message(tmp_path):
    env = {**os.environ, "OPENVET_DATA_DIR": str(tmp_path), "OPENVET_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    env.pop("OPENVET_DATABASE_URL", None)
    env.pop("OPENVET_RATE_LIMIT", None)
    done = subprocess.run([sys.executable, "-m", "openvet", "serve", "--port", str(free_port())], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "OPENVET_REDIS_URL" in output and "cannot be reached" in output and "Traceback" not in output


# the token endpoint ---------------------------------------------------------------------------------------


def test_token_requests_have_their_own_budget_per_client_id(engine, tmp_path, counters):
    api = clinic_under(engine, tmp_path, RateLimit(60, 180, token=3, period=HOUR), counters)  # took 1
    guess = {**api.ezyvet, "client_secret": "wrong", "grant_type": "client_credentials"}
    first = api.client.post("/v1/oauth/access_token", data=guess)
    assert first.status_code == 401 and first.headers["x-ratelimit-limit"] == "3"
    assert first.headers["x-ratelimit-remaining"] == "1"
    assert api.client.post("/v1/oauth/access_token", data=guess).status_code == 401
    refused = api.client.post("/v1/oauth/access_token", data=guess)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["messages"][0]["type"] == "too_many_requests"
    right = api.client.post("/v1/oauth/access_token", data={**api.ezyvet, "grant_type": "client_credentials"})
    assert right.status_code == 429  # the right secret too: guessing is slowed, whoever guesses
    other = make_clinic(engine, api.client)  # another client id has its own budget
    assert other.get("/v1/animal").status_code == 200
    assert api.get("/v1/animal").status_code == 200  # tokens already issued go on working


# two real processes, one counter ---------------------------------------------------------------------------


def serving_clinic(url: str) -> dict[str, str]:
    engine = Engine(connect(url))
    try:
        clinic_id = clinics.create_clinic(engine, "throttled", "Throttled Vets", "UTC")
        with engine.db.begin() as conn:
            return credentials.create_ezyvet_credentials(conn, clinic_id, [])
    finally:
        engine.close()


def hammer(bases: list[str], ezyvet: dict[str, str], calls: int) -> list[int]:
    """``calls`` GETs at once, spread over the servers; the statuses."""
    token = httpx.post(f"{bases[0]}/v1/oauth/access_token", timeout=60,
                       data={**ezyvet, "grant_type": "client_credentials"})
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    clients = [httpx.Client(base_url=b, headers=headers, timeout=60) for b in bases]
    try:
        for client in clients:  # warm each server's token cache first
            assert client.get("/v1/species?limit=1").status_code == 200
        steady_window(60)  # all in one minute
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            return list(pool.map(lambda n: clients[n % len(clients)].get("/v1/animal?limit=1").status_code,
                                 range(calls)))
    finally:
        for client in clients:
            client.close()


def two_servers_count_exactly(tmp_path: Path, url: str, env: dict[str, str]) -> int:
    """The rows of the database's counters afterwards."""
    ezyvet = serving_clinic(url)
    env = {"OPENVET_DATABASE_URL": url, "OPENVET_RATE_LIMIT": "25/1000", "OPENVET_DISPATCHER": "off", **env}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with running_server(tmp_path / "a", env=env) as a, running_server(tmp_path / "b", env=env) as b:
        statuses = hammer([a.base, b.base], ezyvet, 80)
    assert sorted(set(statuses)) == [200, 429]
    assert statuses.count(200) == 25, statuses  # exactly the limit, not one more, across both processes
    for server in (a, b):
        assert "Traceback" not in server.log.read_text(), server.log.read_text()[-4000:]
    counting = sa.create_engine(url)
    try:
        with counting.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM throttle_bucket")).scalar()
    finally:
        counting.dispose()


@pytest.mark.server
@pytest.mark.skipif(not POSTGRES_URL, reason="OPENVET_TEST_POSTGRES_URL is not set (bin/test sets it)")
def test_two_servers_on_one_postgresql_give_exactly_the_limit(tmp_path):
    with migrated_database("postgresql", tmp_path) as url:
        assert two_servers_count_exactly(tmp_path, url, {}) >= 1  # the clinic and partner's row


@pytest.mark.server
@pytest.mark.skipif(not REDIS_URL, reason="OPENVET_TEST_REDIS_URL is not set (bin/test sets it)")
def test_two_servers_sharing_redis_give_exactly_the_limit(tmp_path):
    with migrated_database("sqlite", tmp_path) as url:
        assert two_servers_count_exactly(tmp_path, url, {"OPENVET_REDIS_URL": REDIS_URL}) == 0  # Redis kept it


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.mark.server
def test_a_flood_of_token_guesses_gets_fast_429s_while_authenticated_calls_stay_fast(tmp_path):
    """32 clients guessing secrets at once: each check is argon2 (64 MiB). A few run, the rest are refused
    at once; an authenticated GET meanwhile keeps about its quiet latency (generous bound: 10x) and never waits
    for a secret check.

    The machine is shared (2 cores, other test runs): a burst of load from elsewhere can slow any one stretch
    of GETs. So the GETs under the flood are measured in three stretches while the flood runs throughout, and
    the best stretch must keep within 10x of the quiet latency: GETs queued behind the argon2 checks (the
    fault this guards against: 2 ms -> 110 ms) are slow in every stretch. All of them together must also
    stay under one secret check."""
    with migrated_database("sqlite", tmp_path) as url:
        ezyvet = serving_clinic(url)
        env = {"OPENVET_DATABASE_URL": url, "OPENVET_RATE_LIMIT": "100000/100000/100000", "OPENVET_DISPATCHER": "off"}
        with running_server(tmp_path, env=env) as server, httpx.Client(base_url=server.base, timeout=60) as http:
            token = http.post("/v1/oauth/access_token", data={**ezyvet, "grant_type": "client_credentials"})
            assert token.status_code == 200, token.text
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

            def timed_gets(n: int) -> float:
                took = []
                for _ in range(n):
                    start = time.perf_counter()
                    assert http.get("/v1/animal?limit=1", headers=headers).status_code == 200
                    took.append(time.perf_counter() - start)
                return statistics.median(took)

            def timed_check(n: int) -> float:
                start = time.perf_counter()
                answer = http.post("/v1/oauth/access_token", data={
                    "partner_id": "nobody", "client_id": f"quiet-{n}", "client_secret": "wrong",
                    "grant_type": "client_credentials"})
                assert answer.status_code == 401
                return time.perf_counter() - start

            timed_gets(5)
            quiet = timed_gets(30)
            check = statistics.median(timed_check(n) for n in range(3))  # one argon2 check, alone
            memory_before = rss_mib(server.process.pid)
            stop = time.monotonic() + 8
            measured = threading.Event()
            guesses: list[tuple[int, float]] = []

            def guess(n: int) -> None:
                while time.monotonic() < stop or not measured.is_set():  # 8 s, and as long as the GETs take
                    start = time.perf_counter()
                    answer = guesser.post("/v1/oauth/access_token", data={
                        "partner_id": "nobody", "client_id": f"guess-{n}-{len(guesses)}",
                        "client_secret": "wrong", "grant_type": "client_credentials"})
                    guesses.append((answer.status_code, time.perf_counter() - start))
                    time.sleep(0.1)  # a client that waits for its answer, then tries again

            with concurrent.futures.ThreadPoolExecutor(32) as pool, httpx.Client(
                    base_url=server.base, timeout=60, limits=httpx.Limits(max_connections=64)) as guesser:
                flood = [pool.submit(guess, n) for n in range(32)]
                time.sleep(1)
                stretches = [timed_gets(20) for _ in range(3)]
                memory_during = rss_mib(server.process.pid)
                measured.set()
                for f in flood:
                    f.result()
            quiet = max(quiet, timed_gets(30))  # the machine is shared: its quiet latency before or after
        assert "Traceback" not in server.log.read_text()
    statuses = [s for s, _ in guesses]
    refused = [t for s, t in guesses if s == 429]
    assert set(statuses) <= {401, 429} and 401 in statuses  # some guesses are checked (and fail)
    assert len(refused) > len(statuses) / 2, statuses  # most are refused before the check
    loaded = min(stretches)
    print(f"authenticated GET median: quiet {quiet * 1000:.1f} ms, under the flood "
          f"{', '.join(f'{t * 1000:.1f}' for t in stretches)} ms (three stretches); "
          f"{len(statuses)} guesses, {len(refused)} refused (median {statistics.median(refused) * 1000:.1f} ms, "
          f"a secret check alone {check * 1000:.0f} ms); RSS {memory_before:.0f} -> {memory_during:.0f} MiB")
    assert statistics.median(refused) < check, (statistics.median(refused), check)  # refused, not queued
    assert loaded < max(10 * quiet, 0.05), (quiet, stretches)
    assert max(stretches) < check, (stretches, check)  # no stretch of GETs waits for a secret check
    assert memory_during - memory_before < 300, (memory_before, memory_during)  # not 32 x 64 MiB
