"""``openvet serve --demo`` as a user starts it: a real process, a real port, real HTTP.

With nothing but a data directory it migrates an SQLite database there, creates the demo clinic, writes
its credentials to ``<data dir>/demo-credentials.json`` and serves the ezyVet API; SIGTERM stops it cleanly.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

STARTUP_SECONDS = 120  # migrations and demo data on a busy machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"openvet serve exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"openvet serve did not listen on {port} within {STARTUP_SECONDS}s:\n{log.read_text()[-4000:]}")


@pytest.mark.server
def test_serve_demo_answers_over_http_and_stops_cleanly(tmp_path):
    data_dir = tmp_path / "data"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "OPENVET_DATABASE_URL"}
    env["OPENVET_DATA_DIR"] = str(data_dir)
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "openvet", "serve", "--port", str(port), "--demo"],
                                   env=env, cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for_port(process, port, log)
        assert (data_dir / "openvet.sqlite3").exists()  # the embedded default, under the data directory
        saved = json.loads((data_dir / "demo-credentials.json").read_text())
        ezyvet = saved["ezyvet"]
        assert set(ezyvet) >= {"partner_id", "client_id", "client_secret"}
        assert set(saved["provet"]) >= {"provet_id", "token"}

        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as http:
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
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            returncode = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail(f"openvet serve did not stop within 30s of SIGTERM:\n{log.read_text()[-4000:]}")
    # uvicorn shuts down gracefully, then re-raises the SIGTERM it caught (uvicorn >= 0.29): -15 is clean too
    assert returncode in (0, -signal.SIGTERM), log.read_text()[-4000:]
    assert "Traceback" not in log.read_text()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
