"""Requests do not wait for each other on the database: SQL runs off the event loop.

A real ``openvet serve`` process on PostgreSQL. One request is made to wait on the database (another
connection holds a lock on the row it writes); while it waits, other requests of the same worker are
answered at once. When every handler ran its SQL on the event loop, the waiting write stalled them all.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest
import sqlalchemy as sa

from conftest import POSTGRES_URL, migrated_database, running_server
from openvet.engine import Engine
from openvet.services import clinics, credentials
from openvet.store.database import connect

pytestmark = [pytest.mark.server,
              pytest.mark.skipif(not POSTGRES_URL, reason="OPENVET_TEST_POSTGRES_URL is not set (bin/test sets it)")]


def test_a_request_waiting_on_the_database_does_not_hold_up_the_others(tmp_path):
    with migrated_database("postgresql", tmp_path) as url:
        engine = Engine(connect(url))
        clinic_id = clinics.create_clinic(engine, "waiting", "Waiting Room Vets", "Pacific/Auckland")
        with engine.db.begin() as conn:
            secret = credentials.create_ezyvet_credentials(conn, clinic_id, [])
        engine.db.dispose()
        with running_server(tmp_path, env={"OPENVET_DATABASE_URL": url}) as server, \
                httpx.Client(base_url=server.base, timeout=60) as http:
            token = http.post("/v1/oauth/access_token", data={**secret, "grant_type": "client_credentials"})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            kind = http.get("/v1/contactdetailtype?limit=1", headers=headers).json()["items"][0]
            contact = http.post("/v1/contact", headers=headers, json={"last_name": "Wait", "contact_detail_list": [
                {"name": "Email", "value": "wait@example.com",
                 "contact_detail_type_id": kind["contactdetailtype"]["id"]}]}).json()["items"][0]["contact"]
            animals = [http.post("/v1/animal", headers=headers, json={"name": name, "contact_id": contact["id"]})
                       .json()["items"][0]["animal"]["id"] for name in ("Held", "Free")]
            held, free = animals

            locker = sa.create_engine(url)
            with locker.connect() as lock:
                lock.begin()
                lock.execute(sa.text("SELECT id FROM animal WHERE id = :i FOR UPDATE"), {"i": int(held)})
                answered: dict = {}

                def patch() -> None:
                    answered["patch"] = http.patch(f"/v1/animal/{held}", headers=headers, json={"name": "Moved"})
                    answered["at"] = time.monotonic()

                waiting = threading.Thread(target=patch)
                waiting.start()
                time.sleep(1.0)  # the PATCH has reached the database and waits for the row
                assert "patch" not in answered
                began = time.monotonic()
                for _ in range(5):
                    response = http.get(f"/v1/animal/{free}", headers=headers)
                    assert response.status_code == 200, response.text
                elapsed = time.monotonic() - began
                assert "patch" not in answered  # still waiting: the reads did not wait for it
                assert elapsed < 2.0, f"5 reads took {elapsed:.2f}s while a write waited on a lock"
                lock.rollback()
            waiting.join(timeout=30)
            locker.dispose()
            assert answered["patch"].status_code == 200, answered["patch"].text
            assert answered["patch"].json()["items"][0]["animal"]["name"] == "Moved"
