"""One fixture per real component: the database (SQLite file and a real PostgreSQL), the app, clinics.

Every test that takes ``api`` runs twice, once per database. PostgreSQL comes from
``OPENVET_TEST_POSTGRES_URL`` (``bin/test`` starts a private server and sets it).
Tests do not share records: each gets fresh clinics, and clinics never see each other's rows.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import hypothesis
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from openvet import demo
from openvet.app import create_app
from openvet.config import Settings
from openvet.engine import Engine
from openvet.services import credentials
from openvet.store.database import connect
from openvet.store.migrate import upgrade

# The specifications live in the workspace's shared/spec, beside the checkout; OPENVET_SPEC_DIR overrides.
SPEC = Path(os.environ.get("OPENVET_SPEC_DIR") or Path(__file__).resolve().parents[2] / "shared" / "spec")
if not (SPEC / "ezyvet_catalog.json").is_file():
    raise pytest.UsageError(f"the API specifications are not at {SPEC}: set OPENVET_SPEC_DIR to shared/spec")
POSTGRES_URL = os.environ.get("OPENVET_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("OPENVET_TEST_REDIS_URL")  # a private redis-server (bin/test starts one)
_slugs = itertools.count(1)

# Property tests draw new examples on a developer's machine, but the same ones in CI, so that a CI failure
# can be reproduced (and a red build is never a roll of the dice).
hypothesis.settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis.settings.load_profile("ci")


@contextmanager
def migrated_database(backend: str, folder: Path, revision: str = "head") -> Iterator[str]:
    """A new database of ``backend`` migrated to ``revision``; a PostgreSQL one is dropped afterwards.

    PostgreSQL comes from OPENVET_TEST_POSTGRES_URL; each call makes its own database there, so xdist
    workers and tests that need an empty database never meet.
    """
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'openvet.sqlite3'}"
        upgrade(url, revision)
        yield url
        return
    if not POSTGRES_URL:
        pytest.skip("OPENVET_TEST_POSTGRES_URL is not set (bin/test sets it)")
    name = f"openvet_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        upgrade(url, revision)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def round_by_round(engine: Engine, app, **settings):
    """The installation's dispatcher (what `openvet serve` and `openvet worker` run: webhooks, jobs, wellness
    renewals), for a test to run round by round; no wait between delivery attempts unless ``settings`` say."""
    from openvet.app import dispatcher

    return dispatcher(Settings(database_url="", data_dir=app.state.settings.data_dir, public_url="http://testserver",
                               **{"webhook_retry_seconds": (0, 0), "webhook_timeout": 1, **settings}), engine)


@pytest.fixture
def runner(engine, app):
    """The installation's dispatcher (``round_by_round``), whose rounds run the jobs and deliver the events, run by
    the test; stopped after it."""
    running = round_by_round(engine, app)
    yield running
    running.stop()


def settle(running, rounds: int = 200) -> None:
    """Rounds until one finds nothing to do (the session's database holds other tests' webhooks and jobs too)."""
    for _ in range(rounds):
        if not running.round():
            return
    raise AssertionError(f"the dispatcher still had work after {rounds} rounds")


def pytest_collection_modifyitems(config, items) -> None:
    """The fuzzer (minutes, the suite's longest test by far) first, so that pytest-xdist starts it on one worker
    while the other takes the rest: begun late, it would finish alone after everything else."""
    items.sort(key=lambda item: 0 if item.nodeid.startswith("tests/test_fuzzing.py::") else 1)


def pytest_generate_tests(metafunc) -> None:
    """Tests run on SQLite, the embedded default; tests of behaviour that differs between the databases
    (filters and search, locking, decimals and JSON, bulk loads, migrations, clinic isolation) are marked
    ``both_databases`` and run on PostgreSQL too."""
    if "database_url" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("both_databases") is not None
        metafunc.parametrize("database_url", ["sqlite", "postgresql"] if both else ["sqlite"], indirect=True,
                             scope="session")


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory) -> Iterator[str]:
    with migrated_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A real Redis server (throttling counters shared by processes); bin/test starts a private one."""
    if not REDIS_URL:
        pytest.skip("OPENVET_TEST_REDIS_URL is not set (bin/test sets it)")
    return REDIS_URL


@pytest.fixture(scope="session")
def engine(database_url) -> Engine:
    engine = Engine(connect(database_url))
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def app(engine, database_url, tmp_path_factory):
    settings = Settings(database_url=database_url, data_dir=tmp_path_factory.mktemp("data"),
                        public_url="http://testserver")
    return create_app(settings, engine)


@pytest.fixture(scope="session")
def client(app) -> TestClient:
    return TestClient(app)


@dataclass
class Clinic:
    """A clinic with lookups, ezyVet credentials, a token with every scope, and a Provet token."""

    id: int
    slug: str
    client: TestClient
    ezyvet: dict
    provet: dict
    token: str = ""
    lookups: dict = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def provet_headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.provet['token']}"}

    def request(self, method: str, path: str, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: dict, **kwargs):
        return self.request("POST", path, json=body, **kwargs)

    def patch(self, path: str, body: dict, **kwargs):
        return self.request("PATCH", path, json=body, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def token_for(self, scopes: list[str]) -> str:
        response = self.client.post("/v1/oauth/access_token", data={
            **self.ezyvet, "grant_type": "client_credentials", "scope": " ".join(scopes)})
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def first_id(self, endpoint: str, version: str = "v1") -> int:
        """The id of a seeded record of ``endpoint`` (species, sex, contactdetailtype…)."""
        response = self.get(f"/{version}/{endpoint}?limit=1")
        assert response.status_code == 200, response.text
        (item,) = response.json()["items"]
        return int(item[endpoint]["id"])

    def new_contact(self, version: str = "v1", **fields) -> dict:
        body = {"first_name": "Ada", "last_name": "Lovelace", "contact_detail_list": [
            {"name": "Email", "value": "ada@example.com", "contact_detail_type_id": self.first_id("contactdetailtype")}
        ], **fields}
        response = self.post("/v1/contact", body)
        assert response.status_code == 200, response.text
        return response.json()["items"][0]["contact"]

    def new_animal(self, **fields) -> dict:
        body = {"name": "Rex", "contact_id": fields.pop("contact_id", None) or self.new_contact()["id"], **fields}
        response = self.post("/v1/animal", body)
        assert response.status_code == 200, response.text
        return response.json()["items"][0]["animal"]


# The clinics the tests make in-process keep their client secret as an argon2 hash of the lowest cost (8 KiB, one
# pass) instead of the server's (64 MiB, three passes): two thousand clinics a run, each hashed once and verified
# once by the token endpoint, would spend six minutes of the suite in argon2. The endpoint verifies them like any
# other (argon2 reads the cost from the hash). The server's own cost is what every other path uses: the CLI, the
# servers the tests start (the token-flood test), and test_authentication checks it.
QUICK_SECRETS = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def make_clinic(engine: Engine, client: TestClient) -> Clinic:
    slug = f"clinic-{os.getpid()}-{next(_slugs)}-{uuid.uuid4().hex[:6]}"
    with engine.db.begin() as conn:
        clinic_id = credentials.create_clinic(conn, slug, f"Clinic {slug}")
    demo.seed_settings(engine, clinic_id, "Pacific/Auckland")
    demo.seed_lookups(engine, clinic_id)
    with engine.db.begin() as conn:
        ezyvet = credentials.create_ezyvet_credentials(conn, clinic_id, [], hasher=QUICK_SECRETS)
        provet = credentials.create_provet_token(conn, clinic_id, [])
    clinic = Clinic(clinic_id, slug, client, ezyvet, provet)
    clinic.token = clinic.token_for([])
    return clinic


@pytest.fixture
def api(engine, client) -> Clinic:
    """A fresh clinic to call the API as (every scope)."""
    return make_clinic(engine, client)


@pytest.fixture
def other(engine, client) -> Clinic:
    """A second clinic, to prove that clinics are kept apart."""
    return make_clinic(engine, client)


# A real server process ------------------------------------------------------------------------------

STARTUP_SECONDS = 120  # migrations and demo data on a busy machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """An ``openvet serve`` process: its base URL, its log, its data directory."""

    process: subprocess.Popen
    base: str
    log: Path
    data_dir: Path

    def stop(self) -> int:
        """SIGTERM, as an operator stops it; the exit status (uvicorn re-raises SIGTERM: -15 is clean)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                pytest.fail(f"openvet serve did not stop within 30s of SIGTERM:\n{self.log.read_text()[-4000:]}")
        return self.process.returncode


@contextmanager
def running_server(folder: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    """``openvet serve`` on a free port with ``folder/data`` as its data directory (and the database of
    ``env``'s OPENVET_DATABASE_URL, else the SQLite file there), until the block ends."""
    data_dir = folder / "data"
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "OPENVET_DATABASE_URL"}
    # the suite makes far more than 60 calls a minute: throttling is off unless a test's env asks for it
    environment.update({"OPENVET_DATA_DIR": str(data_dir), "OPENVET_RATE_LIMIT": "off", **(env or {})})
    log = folder / f"serve-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "openvet", "serve", "--port", str(port), *args],
                                   env=environment, cwd=folder, stdout=output, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log, data_dir)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"openvet serve exited with {process.returncode}:\n{log.read_text()[-4000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"openvet serve did not listen within {STARTUP_SECONDS}s:\n{log.read_text()[-4000:]}")
                time.sleep(0.2)
        yield server
    finally:
        server.stop()
