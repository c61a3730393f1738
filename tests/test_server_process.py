"""``openvet serve --demo`` as a user starts it: a real process, a real port, real HTTP.

With nothing but a data directory it migrates an SQLite database there, creates the demo clinic, writes
its credentials to ``<data dir>/demo-credentials.json`` and serves the ezyVet API; SIGTERM stops it cleanly.
"""

from __future__ import annotations

import gc
import json
import signal
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from conftest import running_server
from openvet.config import Settings


@pytest.mark.server
def test_serve_demo_answers_over_http_and_stops_cleanly(tmp_path):
    with running_server(tmp_path, "--demo") as server:
        data_dir, log = server.data_dir, server.log
        assert (data_dir / "openvet.sqlite3").exists()  # the embedded default, under the data directory
        saved = json.loads((data_dir / "demo-credentials.json").read_text())
        ezyvet = saved["ezyvet"]
        assert set(ezyvet) >= {"partner_id", "client_id", "client_secret"}
        assert set(saved["provet"]) >= {"provet_id", "token"}

        with httpx.Client(base_url=server.base, timeout=30) as http:
            token = http.post("/v1/oauth/access_token", data={**ezyvet, "grant_type": "client_credentials"})
            assert token.status_code == 200, token.text
            assert token.json()["token_type"] == "Bearer"
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            animals = http.get("/v1/animal?limit=5", headers=headers)
            assert animals.status_code == 200, animals.text
            body = animals.json()
            assert len(body["items"]) == 5
            assert int(body["meta"]["items_total"]) > 5  # the demo clinic has animals
            assert all(item["animal"]["contact_id"] for item in body["items"])  # each with an owner
            assert int(animals.headers["x-item-limit-per-page"]) >= 5
            assert http.get("/v1/animal").status_code == 401
            for method in ("TRACE", "CONNECT"):  # through the real server, not only the ASGI app
                refused = http.request(method, "/v1/animal")
                assert (refused.status_code, refused.headers.get("allow")) == (405, "GET, POST, PATCH, DELETE")
                assert refused.json()["messages"][0]["type"] == "method_not_allowed"
            head = http.head("/v1/animal?limit=5", headers=headers)
            assert (head.status_code, head.content) == (200, b"")
        returncode = server.stop()
    # uvicorn shuts down gracefully, then re-raises the SIGTERM it caught (uvicorn >= 0.29): -15 is clean too
    assert returncode in (0, -signal.SIGTERM), log.read_text()[-4000:]
    assert "Traceback" not in log.read_text()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(server.base.rsplit(":", 1)[1])), timeout=0.5).close()


@pytest.mark.server
def test_one_database_thread_serves_reads_writes_and_concurrent_requests(tmp_path):
    """OPENVET_DB_THREADS=1, throttling on, the dispatcher on: the connections the process keeps besides its
    thread's (the writers', the throttle's) once emptied the pool, and the next read waited for ever."""
    env = {"OPENVET_DB_THREADS": "1", "OPENVET_RATE_LIMIT": "6000/6000"}
    with running_server(tmp_path, "--demo", env=env) as server, \
            httpx.Client(base_url=server.base, timeout=20) as http:
        ezyvet = json.loads((server.data_dir / "demo-credentials.json").read_text())["ezyvet"]
        token = http.post("/v1/oauth/access_token", data={**ezyvet, "grant_type": "client_credentials"})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        animal = http.get("/v1/animal?limit=1", headers=headers).json()["items"][0]["animal"]
        created = http.post("/v1/animal", headers=headers, json={"name": "Solo", "contact_id": animal["contact_id"]})
        assert created.status_code == 200, created.text
        new_id = created.json()["items"][0]["animal"]["id"]
        paths = [f"/v1/animal/{animal['id']}", f"/v1/animal/{new_id}", "/v1/animal?limit=20", "/v2/appointment",
                 "/v1/attachment?limit=5", "/v1/contact?limit=10"] * 4
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda path: http.get(path, headers=headers), paths))
        assert [a.status_code for a in answers] == [200] * len(paths), [a.text[:200] for a in answers]
        assert http.delete(f"/v1/animal/{new_id}", headers=headers).status_code == 200
        assert http.get(f"/v1/animal/{new_id}", headers=headers).json()["items"][0]["animal"]["active"] == "0"
        returncode = server.stop()
    assert returncode in (0, -signal.SIGTERM)
    assert "Traceback" not in server.log.read_text()


def test_the_database_threads_default_by_database_and_can_be_set(monkeypatch):
    """SQLite's reads are the process's own CPU work: a few threads (more hand the GIL to each other row by
    row); PostgreSQL's wait on the network: more threads overlap the waits (docs/benchmarks.md)."""
    monkeypatch.delenv("OPENVET_DB_THREADS", raising=False)
    for url, threads in (("sqlite:///data/openvet.sqlite3", 4), ("postgresql+psycopg://u@h/db", 16)):
        monkeypatch.setenv("OPENVET_DATABASE_URL", url)
        assert Settings.from_environment().db_threads == threads
        assert Settings(database_url=url, data_dir=Path("data"), public_url="").db_threads == threads
    monkeypatch.setenv("OPENVET_DB_THREADS", "7")
    assert Settings.from_environment().db_threads == 7
    for wrong in ("0", "-2", "four", "٤"):
        monkeypatch.setenv("OPENVET_DB_THREADS", wrong)
        with pytest.raises(ValueError, match="OPENVET_DB_THREADS must be a positive whole number"):
            Settings.from_environment()


def test_the_heap_made_before_the_first_request_is_frozen(app):
    """What a worker made before serving lives as long as it does: the collector's full collections skip it."""
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    with TestClient(app):  # the lifespan: what ``openvet serve`` runs before its first request
        assert gc.get_freeze_count() > 0
