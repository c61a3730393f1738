"""A PostgreSQL database that restarts or goes away, under a running app (docs/operations.md).

After a restart every connection the app holds is dead: the next request must still succeed, on a fresh
connection. While the database cannot be reached, every answer is a 503 with ``Retry-After`` in the API's
own envelope, never a 500 or a stack trace; once it is back, requests succeed again.

The outage is real: connections are ended by the server (``pg_terminate_backend``), or the database is
reached through a TCP relay that the test cuts and restores, or through a port where nothing listens.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from conftest import POSTGRES_URL, make_clinic, migrated_database
from openvet.app import create_app
from openvet.config import Settings
from openvet.engine import Engine
from openvet.store.database import connect

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="OPENVET_TEST_POSTGRES_URL is not set (bin/test sets it)")


class Relay:
    """A TCP relay from a local port to PostgreSQL, which the test can cut (every connection dropped, new
    ones refused) and restore on the same port: to the app, the database went down and came back."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = 0
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """The database goes away: the port is closed and every open connection is dropped."""
        listener, self.listener = self.listener, None
        with suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (close alone would not)
        listener.close()
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            server = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(url: str, tmp_path) -> Iterator[tuple[TestClient, Engine]]:
    """The app on the database at ``url``, in one TestClient session (one event-loop thread, as a worker)."""
    engine = Engine(connect(url))
    settings = Settings(database_url=url, data_dir=tmp_path, public_url="http://testserver")
    try:
        with TestClient(create_app(settings, engine), raise_server_exceptions=False) as client:
            yield client, engine
    finally:
        engine.close()


@pytest.fixture
def database(tmp_path) -> Iterator[str]:
    """A migrated PostgreSQL database of its own: the test ends every connection to it."""
    with migrated_database("postgresql", tmp_path) as url:
        yield url


def assert_unavailable_in_the_envelope(response, version: str = "v1") -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["items"] == [] and body["meta"]["transaction_id"]
    (message,) = body["messages"]
    assert message["level"] == "error" and message["type"] == "service_unavailable"
    assert isinstance(body["meta"]["timestamp"], str if version == "v1" else int)
    assert "Traceback" not in response.text and "psycopg" not in response.text


def test_a_database_restart_is_not_seen_by_the_next_request(database, tmp_path):
    with serving(database, tmp_path) as (client, engine):
        clinic = make_clinic(engine, client)
        animal = clinic.new_animal()
        provet = f"/{clinic.id}/api/0.1/patient/"
        for _ in range(2):  # every connection the app holds, the one kept for reads included, is in use
            assert clinic.get("/v1/animal").status_code == 200
            assert client.get(provet, headers=clinic.provet_headers).status_code == 200
        admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:  # what a restart does to the app's connections
                ended = conn.execute(sa.text(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": sa.make_url(database).database}).scalar()
        finally:
            admin.dispose()
        assert ended >= 1
        response = clinic.get("/v1/animal")
        assert response.status_code == 200, response.text
        assert [item["animal"]["id"] for item in response.json()["items"]] == [animal["id"]]
        assert clinic.get(f"/v1/animal/{animal['id']}").status_code == 200
        assert client.get(provet, headers=clinic.provet_headers).status_code == 200
        assert clinic.post("/v1/animal", {"name": "Tom", "contact_id": animal["contact_id"]}).status_code == 200


def test_while_the_database_is_down_every_answer_is_a_503_then_requests_succeed_again(database, tmp_path):
    target = sa.make_url(database)
    relay = Relay(target.host, target.port)
    relay.start()
    through_relay = target.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    with serving(through_relay, tmp_path) as (client, engine):
        clinic = make_clinic(engine, client)
        animal = clinic.new_animal()
        provet = f"/{clinic.id}/api/0.1/patient/"
        assert clinic.get("/v1/animal").status_code == 200
        relay.cut()
        down = {
            "list v1": clinic.get("/v1/animal"),
            "list v2": clinic.get("/v2/contact"),
            "get": clinic.get(f"/v1/animal/{animal['id']}"),
            "create": clinic.post("/v1/animal", {"name": "Tom", "contact_id": animal["contact_id"]}),
            "token": client.post("/v1/oauth/access_token", data={**clinic.ezyvet,
                                                                  "grant_type": "client_credentials"}),
        }
        for name, response in down.items():
            assert_unavailable_in_the_envelope(response, "v2" if name == "list v2" else "v1")
        patients = client.get(provet, headers=clinic.provet_headers)
        assert patients.status_code == 503, patients.text
        assert set(patients.json()) == {"detail"} and int(patients.headers["retry-after"]) > 0
        relay.start()  # the database is back, on the same address
        response = clinic.get("/v1/animal")
        assert response.status_code == 200, response.text
        assert [item["animal"]["id"] for item in response.json()["items"]] == [animal["id"]]  # nothing was written
        assert client.get(provet, headers=clinic.provet_headers).status_code == 200
        assert clinic.post("/v1/animal", {"name": "Tom", "contact_id": animal["contact_id"]}).status_code == 200
    relay.cut()


def test_a_database_that_cannot_be_reached_at_all_answers_503_in_each_api_s_envelope(tmp_path):
    nowhere = sa.make_url(POSTGRES_URL).set(host="127.0.0.1", port=free_port()).render_as_string(hide_password=False)
    with serving(nowhere, tmp_path) as (client, _engine):
        bearer = {"Authorization": "Bearer " + "0" * 64}
        assert_unavailable_in_the_envelope(client.get("/v1/animal", headers=bearer))
        assert_unavailable_in_the_envelope(client.get("/v2/contact", headers=bearer), "v2")
        assert_unavailable_in_the_envelope(client.post("/v1/oauth/access_token", data={
            "partner_id": "p", "client_id": "c", "client_secret": "s", "grant_type": "client_credentials"}))
        provet = client.get("/1/api/0.1/client/", headers={"Authorization": "Token abc"})
        assert provet.status_code == 503, provet.text
        assert set(provet.json()) == {"detail"} and int(provet.headers["retry-after"]) > 0
        assert "Traceback" not in provet.text
