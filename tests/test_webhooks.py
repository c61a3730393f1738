"""Webhooks: subscriptions (L13909), the events they may name (L13855), and delivery that loses nothing.

A real receiver (an HTTP server in a thread of the test, on 127.0.0.1, which webhooks may reach only with
OPENVET_WEBHOOK_PRIVATE_TARGETS=allow) takes the deliveries; the dispatcher runs in the test
(``Dispatcher.round``) or in real ``openvet serve`` and ``openvet worker`` processes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa

from conftest import make_clinic, migrated_database, round_by_round, running_server, settle
from openvet.engine import Actor, Engine
from openvet.events import Dispatcher
from openvet.resources import REGISTRY
from openvet.services import clinics, credentials
from openvet.store.database import connect

SAMPLE_EVENTS = ["appointment_created", "diagnosticrequest_created", "operation_created", "product_created",
                 "product_updated"]  # L13882


# a receiver ------------------------------------------------------------------------------------------------

@dataclass
class Delivery:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next of ``answers`` (then 200), after ``delay`` seconds; keeps them all."""

    url: str
    received: list[Delivery] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    delay: float = 0.0

    def wait_for(self, count: int, seconds: float = 30.0) -> list[Delivery]:
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.received)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the http.server protocol)
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            parts = urlsplit(self.path)
            state.received.append(Delivery(parts.path, parse_qs(parts.query),
                                           {k.lower(): v for k, v in self.headers.items()}, body))
            time.sleep(state.delay)
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def shared(engine, client):
    """A clinic for the checks that change nothing (refusals, the list of events): made once."""
    return make_clinic(engine, client)


@pytest.fixture
def allow_private(monkeypatch):
    monkeypatch.setenv("OPENVET_WEBHOOK_PRIVATE_TARGETS", "allow")


@pytest.fixture
def dispatch(engine, app, allow_private) -> Iterator[Dispatcher]:
    """The installation's dispatcher, run round by round by the test (no wait between attempts)."""
    running = round_by_round(engine, app)
    yield running
    running.stop()


def subscribe(api, url: str, event: str, **fields) -> dict:
    response = api.post("/v1/webhooks", {"webhook_url": url, "event": event, **fields})
    assert response.status_code == 200, response.text
    return response.json()["items"][0]["webhooks"]


def verify(secret: str, delivery: Delivery) -> bool:
    """Standard Webhooks verification, as a receiver writes it from the documentation alone."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{delivery.headers['webhook-id']}.{delivery.headers['webhook-timestamp']}.".encode() + delivery.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(f"v1,{expected}", s) for s in delivery.headers["webhook-signature"].split())


def attempts_of(api, webhook_id: int) -> list[dict]:
    response = api.get(f"/v1/webhookattempt?webhook_id={webhook_id}&limit=200")
    assert response.status_code == 200, response.text
    return [item["webhookattempt"] for item in response.json()["items"]]


# the events --------------------------------------------------------------------------------------------

def test_webhookevents_lists_every_event_of_every_declared_resource(shared):
    response = shared.get("/v1/webhookevents")
    assert response.status_code == 200, response.text
    (item,) = response.json()["items"]
    events = item["webhookevents"]
    expected = sorted(f"{r.name}_{e}" for r in REGISTRY.values() for e in r.events)
    assert events == expected
    assert set(SAMPLE_EVENTS) <= set(events)
    assert {"animal_created", "animal_updated", "animal_disabled", "webhooks_disabled"} <= set(events)


def test_webhookevents_needs_its_scope(shared):
    token = shared.token_for(["read-animal"])
    response = shared.get("/v1/webhookevents", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


# subscriptions -------------------------------------------------------------------------------------------

def test_a_webhook_is_created_with_its_secret_shown_once(api):
    made = subscribe(api, "https://example.com/hooks?security=this+is+an+example", "appointment_created",
                     fields=["id", "created_at", "animal_id", "consult_id"])
    assert made["active"] is True and made["event"] == "appointment_created"
    assert made["fields"] == ["id", "created_at", "animal_id", "consult_id"]
    assert made["webhook_url"] == "https://example.com/hooks?security=this+is+an+example"
    assert made["secret"].startswith("whsec_") and len(base64.b64decode(made["secret"][6:])) == 32
    read = api.get(f"/v1/webhooks?id={made['id']}").json()["items"][0]["webhooks"]
    assert read["secret"] is None and "secret_seed" not in read
    assert api.get(f"/v1/webhooks/{made['id']}").json()["items"][0]["webhooks"]["secret"] is None
    other = subscribe(api, "https://example.com/other", "animal_created")
    assert other["secret"] != made["secret"] and other["fields"] == []


@pytest.mark.parametrize("body, named", [
    ({"webhook_url": "https://example.com/h", "event": "animal_create"}, "event"),
    ({"webhook_url": "https://example.com/h", "event": "dinosaur_created"}, "event"),
    ({"webhook_url": "ftp://example.com/h", "event": "animal_created"}, "webhook_url"),
    ({"webhook_url": "example.com/h", "event": "animal_created"}, "webhook_url"),
    ({"webhook_url": "https://", "event": "animal_created"}, "webhook_url"),
    ({"webhook_url": " https://example.com/h", "event": "animal_created"}, "webhook_url"),
    ({"webhook_url": "https://user:pw@example.com/h", "event": "animal_created"}, "webhook_url"),
    ({"webhook_url": "https://example.com:99999/h", "event": "animal_created"}, "webhook_url"),
    ({"webhook_url": "https://example.com/h", "event": "animal_created", "fields": "id"}, "fields"),
    ({"webhook_url": "https://example.com/h", "event": "animal_created", "fields": [1]}, "fields"),
    ({"event": "animal_created"}, "webhook_url"),
    ({"webhook_url": "https://example.com/h"}, "event"),
])
def test_a_bad_subscription_is_a_422_naming_the_field(shared, body, named):
    before = shared.get("/v1/webhooks").json()["meta"]["items_total"]
    response = shared.post("/v1/webhooks", body)
    assert response.status_code == 422, response.text
    assert named in {f for m in response.json()["messages"] for f in m["fields"]}
    assert shared.get("/v1/webhooks").json()["meta"]["items_total"] == before


PRIVATE = ["http://127.0.0.1:8080/h", "http://localhost/h", "http://api.localhost/h", "http://10.1.2.3/h",
           "http://192.168.0.10/h", "http://172.16.5.4/h", "http://169.254.169.254/latest/meta-data",
           "http://[::1]/h", "http://[fe80::1]/h", "http://[::ffff:127.0.0.1]/h", "http://0.0.0.0/h",
           "http://100.64.0.1/h"]


@pytest.mark.parametrize("url", PRIVATE)
def test_a_private_address_is_refused_as_a_server_side_request_forgery(shared, url):
    response = shared.post("/v1/webhooks", {"webhook_url": url, "event": "animal_created"})
    assert response.status_code == 422, response.text
    assert "private" in response.json()["messages"][0]["fields"]["webhook_url"]


def test_a_private_address_is_allowed_when_the_server_allows_it(api, monkeypatch):
    made = subscribe(api, "https://example.com/h", "animal_created")
    refused = api.patch(f"/v1/webhooks/{made['id']}", {"webhook_url": "http://127.0.0.1:9000/h"})
    assert refused.status_code == 422, refused.text
    monkeypatch.setenv("OPENVET_WEBHOOK_PRIVATE_TARGETS", "allow")
    assert subscribe(api, "http://127.0.0.1:9000/h", "animal_created")["active"] is True
    moved = api.patch(f"/v1/webhooks/{made['id']}", {"webhook_url": "http://10.0.0.7/h"})
    assert moved.status_code == 200, moved.text


def test_a_webhook_is_updated_and_deleted_by_its_path_or_by_id(api):
    made = subscribe(api, "https://example.com/a", "appointment_created")
    changed = api.patch(f"/v1/webhooks/{made['id']}", {"webhook_url": "https://example.com/b?security=x",
                                                       "event": "appointment_disabled"})
    assert changed.status_code == 200, changed.text
    webhook = changed.json()["items"][0]["webhooks"]
    assert (webhook["webhook_url"], webhook["event"], webhook["secret"]) == (
        "https://example.com/b?security=x", "appointment_disabled", None)
    assert api.patch(f"/v1/webhooks/{made['id']}", {"event": "nothing_happened"}).status_code == 422
    gone = api.delete(f"/v1/webhooks?id={made['id']}")  # L14187: by ?id=
    assert gone.status_code == 200, gone.text
    assert gone.json()["items"][0]["webhooks"]["active"] is False
    other = subscribe(api, "https://example.com/c", "animal_created")
    assert api.delete(f"/v1/webhooks/{other['id']}").json()["items"][0]["webhooks"]["active"] is False
    listed = api.get("/v1/webhooks?active=0").json()["items"]
    assert {made["id"], other["id"]} <= {item["webhooks"]["id"] for item in listed}


def test_another_clinic_sees_no_webhook_and_no_attempt(api, other):
    made = subscribe(api, "https://example.com/mine", "animal_created")
    assert other.get(f"/v1/webhooks/{made['id']}").status_code == 404
    assert other.get("/v1/webhooks").json()["items"] == []
    assert other.get("/v1/webhookattempt").json()["items"] == []


# delivery --------------------------------------------------------------------------------------------------

def test_a_receiver_gets_each_event_signed_with_its_query_string(api, dispatch, receiver):
    made = subscribe(api, receiver.url + "?security=this+is+an+example", "animal_created")
    ignored = subscribe(api, receiver.url + "?for=updates", "animal_updated")
    animal = api.new_animal(name="Bella")
    settle(dispatch)
    (got,) = receiver.received
    assert got.path == "/hooks" and got.query == {"security": ["this is an example"]}
    assert got.headers["content-type"] == "application/json"
    assert got.headers["webhook-id"] == f"evt{got.json['event_id']}_wh{made['id']}"
    assert abs(int(got.headers["webhook-timestamp"]) - time.time()) < 60
    assert verify(made["secret"], got)
    assert not verify(ignored["secret"], got)
    body = got.json
    assert (body["event"], body["webhook_id"], body["version"]) == ("animal_created", made["id"], "v1")
    (item,) = body["items"]
    assert item["animal"]["id"] == str(animal["id"]) and item["animal"]["name"] == "Bella"  # as /v1/animal
    assert item["animal"] == api.get(f"/v1/animal/{animal['id']}").json()["items"][0]["animal"]
    (attempt,) = attempts_of(api, made["id"])
    assert (attempt["delivered"], attempt["response_status"], attempt["attempt"], attempt["error"]) == (
        True, 200, 1, None)
    assert attempt["event"] == "animal_created" and attempt["record_id"] == int(animal["id"])
    assert attempt["request_headers"]["webhook-id"] == got.headers["webhook-id"]
    assert json.loads(attempt["request_body"]) == body


def test_fields_cut_the_record_to_the_names_given_nested_ones_dotted(api, dispatch, receiver):
    made = subscribe(api, receiver.url, "contact_created",
                     fields=["id", "last_name", "contact_detail_list.value", "no_such_field"])
    contact = api.new_contact(last_name="Lovelace")
    settle(dispatch)
    (got,) = receiver.received
    assert got.json["version"] == "v2"  # Contact is served on v2: its typed item
    assert got.json["items"] == [{"contact": {"id": contact["id"] if isinstance(contact["id"], int)
                                              else int(contact["id"]), "last_name": "Lovelace",
                                              "contact_detail_list": [{"value": "ada@example.com"}]}}]
    assert verify(made["secret"], got)


@pytest.mark.parametrize("fields", [["x" * 256], [f"f{n}" for n in range(201)], {"id": True}, [None], [["id"]], 5,
                                    ["id\x00"], True])
def test_fields_the_server_cannot_keep_are_a_422_naming_fields(shared, fields):
    before = shared.get("/v1/webhooks").json()["meta"]["items_total"]
    response = shared.post("/v1/webhooks", {"webhook_url": "https://example.com/h", "event": "animal_created",
                                            "fields": fields})
    assert response.status_code == 422, response.text
    assert "fields" in {f for m in response.json()["messages"] for f in m["fields"]}
    assert shared.get("/v1/webhooks").json()["meta"]["items_total"] == before


def test_odd_field_names_are_kept_and_cut_nothing_that_is_not_there(api, dispatch, receiver):
    """Names that are empty, dotted oddly, or reach into a value that is not an object: the delivery goes, the
    record cut to what the names do name (``id.``: the whole id; ``last_name.x.y``: last_name as it is)."""
    odd = ["", ".", "..", "a..b", "id.", "contact_detail_list.", "last_name.x.y", "x" * 255, "é.ü"]
    made = subscribe(api, receiver.url, "contact_created", fields=odd)
    assert made["fields"] == odd
    contact = api.new_contact(last_name="Lovelace")
    settle(dispatch)
    (got,) = receiver.received
    (item,) = got.json["items"]
    whole = api.get(f"/v2/contact/{contact['id']}").json()["items"][0]["contact"]
    assert item["contact"] == {"id": whole["id"], "last_name": "Lovelace",
                               "contact_detail_list": whole["contact_detail_list"]}
    assert verify(made["secret"], got)
    (attempt,) = attempts_of(api, made["id"])
    assert attempt["delivered"] is True


def test_a_delivery_is_tried_again_and_the_same_message_id_kept(api, dispatch, receiver):
    receiver.answers = [500, 302]
    made = subscribe(api, receiver.url, "animal_created")
    api.new_animal()
    settle(dispatch)
    assert len(receiver.received) == 3
    assert len({d.headers["webhook-id"] for d in receiver.received}) == 1
    log = sorted(attempts_of(api, made["id"]), key=lambda a: a["attempt"])
    assert [(a["attempt"], a["response_status"], a["delivered"]) for a in log] == [
        (1, 500, False), (2, 302, False), (3, 200, True)]
    assert "500" in log[0]["error"]
    assert api.get(f"/v1/webhooks/{made['id']}").json()["items"][0]["webhooks"]["active"] is True


def test_three_failed_attempts_disable_the_webhook(api, dispatch, receiver, engine):
    receiver.answers = [500, 503, 404] * 4
    made = subscribe(api, receiver.url, "animal_created")
    api.new_animal()
    api.new_animal()
    settle(dispatch)
    receiver.answers = []
    webhook = api.get(f"/v1/webhooks/{made['id']}").json()["items"][0]["webhooks"]
    assert webhook["active"] is False  # L14202
    log = attempts_of(api, made["id"])
    failed = [a for a in log if not a["delivered"]]
    assert len(failed) >= 3 and {a["attempt"] for a in failed} >= {1, 2, 3}
    with engine.db.connect() as conn:
        events = conn.execute(sa.text("SELECT event FROM outbox WHERE clinic_id = :c AND resource = 'webhooks' "
                                      "AND record_id = :i"), {"c": api.id, "i": made["id"]}).scalars().all()
    assert events[-1] == "webhooks_disabled"
    count = len(receiver.received)
    api.new_animal()
    settle(dispatch)
    assert len(receiver.received) == count  # a disabled webhook receives nothing


def test_a_webhook_made_after_an_event_does_not_receive_it(api, dispatch, receiver):
    api.new_animal(name="Before")
    time.sleep(1.1)  # webhooks and events are timed to the second
    subscribe(api, receiver.url, "animal_created")
    api.new_animal(name="After")
    settle(dispatch)
    assert [d.json["items"][0]["animal"]["name"] for d in receiver.received] == ["After"]


def test_a_receiver_that_does_not_answer_in_time_fails_the_attempt(api, dispatch, receiver):
    receiver.delay = 1.5  # the test dispatcher waits 1 s
    receiver.answers = [200]
    made = subscribe(api, receiver.url, "address_created")
    assert api.post("/v1/address", {"city": "Nelson"}).status_code == 200
    dispatch.round()
    receiver.delay = 0
    settle(dispatch)
    log = sorted(attempts_of(api, made["id"]), key=lambda a: a["attempt"])
    assert log[0]["error"] == "no answer within 1 s" and log[0]["response_status"] is None
    assert log[-1]["delivered"] is True and len(log) == 2


def test_a_replay_sends_an_attempts_event_again_and_is_logged(api, dispatch, receiver):
    made = subscribe(api, receiver.url, "animal_created")
    api.new_animal()
    settle(dispatch)
    (first,) = attempts_of(api, made["id"])
    replay = api.post("/v1/webhookreplay", {"attempt_id": first["id"]})
    assert replay.status_code == 200, replay.text
    asked = replay.json()["items"][0]["webhookreplay"]
    assert (asked["webhook_id"], asked["event_id"]) == (made["id"], first["event_id"])
    settle(dispatch)
    assert len(receiver.received) == 2
    again = receiver.received[1]
    assert again.headers["webhook-id"] == receiver.received[0].headers["webhook-id"]
    assert again.json["event_id"] == first["event_id"] and verify(made["secret"], again)
    replayed = [a for a in attempts_of(api, made["id"]) if a["replay_id"] == asked["id"]]
    assert len(replayed) == 1 and replayed[0]["delivered"] is True


def test_a_replay_of_a_disabled_webhook_or_of_another_clinic_is_refused(api, other, dispatch, receiver):
    receiver.answers = [500, 500, 500]
    made = subscribe(api, receiver.url, "animal_created")
    api.new_animal()
    settle(dispatch)
    attempt = attempts_of(api, made["id"])[0]
    refused = api.post("/v1/webhookreplay", {"attempt_id": attempt["id"]})
    assert refused.status_code == 422 and "attempt_id" in refused.json()["messages"][0]["fields"]
    assert other.post("/v1/webhookreplay", {"attempt_id": attempt["id"]}).status_code == 422
    assert api.patch(f"/v1/webhooks/{made['id']}", {"active": True}).status_code == 200
    assert api.post("/v1/webhookreplay", {"attempt_id": attempt["id"]}).status_code == 200
    settle(dispatch)
    assert receiver.received[-1].json["event_id"] == attempt["event_id"]


def test_an_address_the_url_resolves_to_is_checked_again_at_delivery(api, dispatch, receiver, monkeypatch):
    made = subscribe(api, receiver.url, "animal_created")  # allowed when subscribed
    monkeypatch.delenv("OPENVET_WEBHOOK_PRIVATE_TARGETS")  # no longer when sent
    api.new_animal()
    dispatch.round()
    assert receiver.received == []
    (attempt,) = attempts_of(api, made["id"])
    assert attempt["error"].startswith("refused: 127.0.0.1") and attempt["delivered"] is False


# real processes ----------------------------------------------------------------------------------------------

def _clinic(url: str) -> tuple[Engine, int, dict]:
    engine = Engine(connect(url))
    clinic_id = clinics.create_clinic(engine, f"hooks-{os.getpid()}-{time.monotonic_ns()}", "Hooks", "UTC")
    with engine.db.begin() as conn:
        made = credentials.create_ezyvet_credentials(conn, clinic_id, [])
    return engine, clinic_id, made


def _bearer(http: httpx.Client, made: dict) -> dict[str, str]:
    token = http.post("/v1/oauth/access_token", data={**made, "grant_type": "client_credentials"})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


@pytest.mark.server
def test_an_acknowledged_event_is_delivered_once_after_the_server_is_killed(tmp_path, receiver):
    """kill -9 between the write and its delivery: the restarted server delivers the event, once."""
    env = {"OPENVET_WEBHOOK_PRIVATE_TARGETS": "allow", "OPENVET_WEBHOOK_RETRY_SECONDS": "1,1"}
    with running_server(tmp_path, env={**env, "OPENVET_DISPATCHER": "off"}) as server:
        engine, _, made = _clinic(f"sqlite:///{server.data_dir / 'openvet.sqlite3'}")
        with httpx.Client(base_url=server.base, timeout=30) as http:
            headers = _bearer(http, made)
            hook = http.post("/v1/webhooks", headers=headers, json={"webhook_url": receiver.url + "?k=1",
                                                                    "event": "address_created"})
            assert hook.status_code == 200, hook.text
            secret = hook.json()["items"][0]["webhooks"]["secret"]
            written = http.post("/v1/address", headers=headers, json={"city": "Nelson"})
            assert written.status_code == 200, written.text  # acknowledged
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        engine.close()
    assert receiver.received == []
    with running_server(tmp_path, env=env):
        (got,) = receiver.wait_for(1)
        time.sleep(2)  # a second delivery would come within a few rounds
    assert len(receiver.received) == 1
    address = written.json()["items"][0]["address"]
    assert got.json["items"] == [{"address": address}] and verify(secret, got)


@pytest.mark.server
def test_two_workers_on_postgresql_deliver_a_burst_once_each(tmp_path, receiver, monkeypatch):
    monkeypatch.setenv("OPENVET_WEBHOOK_PRIVATE_TARGETS", "allow")
    with migrated_database("postgresql", tmp_path) as url:
        engine, clinic_id, _ = _clinic(url)
        actor = Actor(clinic_id)
        engine.create(actor, REGISTRY["webhooks"], {"webhook_url": receiver.url, "event": "address_created"}, "v1")
        env = {**os.environ, "OPENVET_DATABASE_URL": url, "OPENVET_WEBHOOK_RETRY_SECONDS": "1,1"}
        workers = [subprocess.Popen([sys.executable, "-m", "openvet", "worker"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=(tmp_path / f"worker-{n}.log").open("wb"))
                   for n in range(2)]
        try:
            burst = 60
            for n in range(burst):
                engine.create(actor, REGISTRY["address"], {"city": f"Town {n}"}, "v1")
            got = receiver.wait_for(burst, 60)
            time.sleep(2)
            assert all(w.poll() is None for w in workers), [(tmp_path / f"worker-{n}.log").read_text()
                                                            for n in range(2)]
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(30)
        ids = [d.headers["webhook-id"] for d in receiver.received]
        assert len(got) == burst and len(ids) == len(set(ids)) == burst
        with engine.db.connect() as conn:
            claimed = conn.execute(sa.text("SELECT count(DISTINCT request_headers->>'webhook-id') , count(*) "
                                           "FROM webhookattempt WHERE clinic_id = :c"), {"c": clinic_id}).one()
        assert tuple(claimed) == (burst, burst)
        engine.close()


def test_openapi_describes_the_delivery_and_the_extensions(client):
    spec = client.get("/openapi.json").json()
    delivery = spec["webhooks"]["event"]["post"]
    assert delivery["x-openvet-extension"] is True
    assert {p["name"] for p in delivery["parameters"]} == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    body = delivery["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]["event"]["enum"]) >= set(SAMPLE_EVENTS)
    for path in ("/v1/webhookattempt", "/v1/webhookreplay"):
        assert spec["paths"][path]["get"]["x-openvet-extension"] is True
    assert "x-openvet-extension" not in spec["paths"]["/v1/webhooks"]["post"]
    secret = spec["components"]["schemas"]["webhooks.v1.Record"]["properties"]["secret"]
    assert "once" in secret["description"]
