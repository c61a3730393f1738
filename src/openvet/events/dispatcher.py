"""The dispatcher: delivers the outbox's events to the webhooks subscribed to them, reliably, and runs the
job queue's jobs (``jobs.py``) in the same rounds.

Each round, in short transactions of its own (``store/deliveries.py``):
1. *hand on*: events not handed on yet become deliveries, one per subscribed active webhook (once: a
   (webhook, event) pair is unique), and are marked handed on, in the same transaction;
2. *claim*: due deliveries are taken for a lease (``LEASE`` seconds; PostgreSQL ``FOR UPDATE SKIP LOCKED``);
3. *send*: each is POSTed, signed, outside any transaction (``TIMEOUT``: 10 s by default);
4. *record*: the attempt goes to the log (WebHookAttempt) and the delivery to its next state: delivered (2xx),
   due again after a wait (``OPENVET_WEBHOOK_RETRY_SECONDS``), or, after the 3rd failure, failed, and its
   webhook disabled through the engine (``active`` false and a ``webhooks_disabled`` event, L14202).

An event acknowledged to a client is in the outbox: whatever dies, a later round hands it on and delivers it.
A process killed between sending and recording leaves its lease to run out, and the event is sent again
with the same ``webhook-id``: at least once, never twice but for such a retry.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from openvet import __version__
from openvet.engine import Engine
from openvet.events import schedule
from openvet.events.jobs import LEASE as JOB_LEASE
from openvet.events.jobs import JobRunner
from openvet.services.webhooks import private_address, secret_of, signature
from openvet.store import deliveries
from openvet.store.database import write_turn

log = logging.getLogger("openvet.events")
ATTEMPTS = 3  # "up to 3 times. After the 3rd attempt, we will disable the webhook" (L14202)
LEASE = 120  # seconds a claimed delivery stays with its dispatcher: longer than any attempt takes
POLL = 0.5  # seconds between rounds when there was nothing to do
AFTER_FAILURE = 5  # seconds before a round that failed is tried again
BATCH = 16  # deliveries claimed per round
SENDERS = 8  # deliveries sent at once (a slow receiver holds one sender, not the round)
ANSWER_KEPT = 2048  # characters of a receiver's answer kept in the log

Payload = Callable[[Any, Any, list[str] | None, int], bytes]  # (engine, delivery, fields, now) -> body


@dataclass(frozen=True)
class Answer:
    status: int | None
    body: str
    error: str | None
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Dispatcher:
    def __init__(self, engine: Engine, payload: Payload, retry_seconds: tuple[int, int] = (60, 600),
                 timeout: float = 10.0, poll: float = POLL, job_lease: int = JOB_LEASE,
                 renew_every: int = schedule.DEFAULT_EVERY):
        self.engine = engine
        self.payload = payload
        self.waits = retry_seconds
        self.timeout = timeout
        self.poll = poll
        self.token = secrets.token_hex(8)  # names this dispatcher's claims
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._senders = ThreadPoolExecutor(SENDERS, thread_name_prefix="openvet-webhook")
        self.jobs = JobRunner(engine, self.token, job_lease)
        self.renew_every = renew_every  # seconds between wellness renewal runs; 0: off
        self._http = httpx.Client(timeout=timeout, follow_redirects=False,
                                  headers={"user-agent": f"openvet-webhooks/{__version__}"})

    # running ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Run in a background thread (``openvet serve``) until ``stop``."""
        self._thread = threading.Thread(target=self.run, name="openvet-dispatcher", daemon=True)
        self._thread.start()

    def stop(self, wait: float = 15.0) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(wait)
        self._senders.shutdown(wait=False, cancel_futures=True)
        self._http.close()

    def run(self) -> None:
        """Rounds until stopped; a round that fails (the database is away) is logged and tried again."""
        while not self.stopping.is_set():
            try:
                busy = self.round()
            except Exception:  # noqa: BLE001 (the loop must outlive any one failure)
                log.exception("webhook dispatch round failed; trying again in %s s", AFTER_FAILURE)
                self.stopping.wait(AFTER_FAILURE)  # the database is away, say: one line every few seconds
                continue
            if not busy:
                self.stopping.wait(self.poll)

    def round(self) -> bool:
        """One round: hand events on, claim due deliveries, send them, run the jobs due. Whether there was
        anything to do."""
        now = int(time.time())
        tables = self.engine.tables
        with write_turn(self.engine.db), self.engine.db.begin() as conn:  # (SQLite: a write, in the writers' turn)
            handed = deliveries.hand_on(conn, tables, now)
        with write_turn(self.engine.db), self.engine.db.begin() as conn:
            claimed = deliveries.claim(conn, tables, now, now + LEASE, self.token, BATCH)
        if claimed:
            for done in [self._senders.submit(self.deliver, delivery) for delivery in claimed]:
                done.result()
        ran = self.jobs.round()
        schedule.tick(self.engine, every=self.renew_every)  # wellness: terms renewed, credits refreshed
        schedule.fold(self.engine)  # PostgreSQL: the appended counts folded
        return bool(handed or claimed or ran)

    def idle(self) -> bool:
        """Whether nothing is left to hand on, to deliver or to run, now or later (tests wait for it)."""
        with self.engine.db.connect() as conn:
            return deliveries.pending(conn, self.engine.tables) == 0 and self.jobs.waiting() == 0

    # one delivery ----------------------------------------------------------------------------------------

    def deliver(self, delivery: Any) -> None:
        now = int(time.time())
        try:
            body = self.payload(self.engine, delivery, delivery.fields, now)
        except Exception as error:  # noqa: BLE001 (a record that cannot be read is a failed attempt, logged)
            log.exception("webhook payload of delivery %s failed", delivery.id)
            body, answer = b"", Answer(None, "", f"the payload could not be made: {error}", 0)
        else:
            answer = None
        message_id = f"evt{delivery.event_id}_wh{delivery.webhook_id}"  # the same for every retry and replay
        secret = secret_of(self.engine.server_key("webhook"), delivery.secret_seed or "")
        headers = {"content-type": "application/json", "webhook-id": message_id, "webhook-timestamp": str(now),
                   "webhook-signature": signature(secret, message_id, now, body)}
        if answer is None:
            answer = self.send(delivery.webhook_url, body, headers)
        self.record(delivery, headers, body, answer, now)

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        """POST ``body`` to ``url`` (its query string kept); only a 2xx answer delivers."""
        started = time.monotonic()

        def took() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            refused = private_address(url)
            if refused is not None:
                return Answer(None, "", f"refused: {refused} is a loopback, link-local or private address "
                                        "(OPENVET_WEBHOOK_PRIVATE_TARGETS=allow permits it)", took())
            response = self._http.post(url, content=body, headers=headers)
        except httpx.TimeoutException:
            return Answer(None, "", f"no answer within {self.timeout:g} s", took())
        except (httpx.HTTPError, OSError, ValueError) as error:
            return Answer(None, "", f"{type(error).__name__}: {error}"[:1024], took())
        text = response.text[:ANSWER_KEPT]
        error = None if 200 <= response.status_code < 300 else f"answered {response.status_code}, not 2xx"
        return Answer(response.status_code, text, error, took())

    def record(self, delivery: Any, headers: dict[str, str], body: bytes, answer: Answer, now: int) -> None:
        """The attempt in the log, the delivery's next state, and after the last failure the webhook
        disabled (through the engine, as a DELETE would: its rules and its ``webhooks_disabled`` event)."""
        attempt = delivery.attempts + 1
        finished = int(time.time())
        if answer.delivered:
            state = {"status": "delivered", "attempts": attempt, "finished_at": finished}
        elif attempt >= ATTEMPTS:
            state = {"status": "failed", "attempts": attempt, "finished_at": finished}
        else:
            state = {"status": "pending", "attempts": attempt,
                     "next_attempt_at": finished + self.waits[min(attempt, len(self.waits)) - 1]}
        with self.engine.writing(delivery.clinic_id) as writer:
            tables = self.engine.tables
            held = deliveries.finish(writer.conn, tables, delivery, self.token, state)
            deliveries.log_attempt(writer.conn, tables, delivery.clinic_id, {
                "webhook_id": delivery.webhook_id, "event": delivery.event, "event_id": delivery.event_id,
                "record_id": delivery.record_id, "attempt": attempt, "replay_id": delivery.replay_id,
                "url": delivery.webhook_url, "request_headers": headers,
                "request_body": body.decode("utf-8", "replace"), "response_status": answer.status,
                "response_body": answer.body, "error": answer.error, "delivered": answer.delivered,
                "attempted_at": now, "duration_ms": answer.duration_ms}, finished)
            if held and state["status"] == "failed":
                webhook = self.engine.registry["webhooks"]
                before = self.engine.lookup(writer.conn, delivery.clinic_id, "webhooks", delivery.webhook_id)
                if before is not None:
                    writer.deactivate(webhook, before)
                    log.warning("webhook %s disabled after %s failed attempts (%s)", delivery.webhook_id,
                                ATTEMPTS, answer.error)
