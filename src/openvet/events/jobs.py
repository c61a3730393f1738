"""The job runner: runs the job queue's requests (JobQueue, L8040), each exactly once.

It runs in the dispatcher's rounds (``dispatcher.py``), so wherever webhooks are delivered (``openvet serve``
by default, ``openvet worker`` apart) jobs are run too, shared between processes through the database
(``store/jobs.py``). Each round:
1. *claim*: the oldest Pending jobs (and those whose runner's lease ran out) are taken for a lease: Queued;
2. for each, *Processing* (its own short transaction, so that a reader sees it);
3. *run*: one transaction holds the job's writes and its ``Completed`` (with the record's id), and first checks
   that this runner still holds the job: a runner killed at any point leaves either nothing (the job is run
   again after the lease) or everything (the job is Completed);
4. a request the engine refuses (the body, a link, a rule, a record that does not exist, a scope the job does
   not hold) rolls back and ends the job in Error, saying why as the immediate request's answer would.

The job runs as its queuer: the clinic, credentials and partner that queued it, and the token's scopes kept
with it. Its writes fire their events like any write; the job's own end fires ``jobqueue_updated``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from openvet.engine import Actor, Condition, Engine, Forbidden, NotFound, ValidationFailed, unavailable
from openvet.services.jobs import JobRefused, allows, queued_request
from openvet.store import jobs as store

log = logging.getLogger("openvet.events")
LEASE = 120  # seconds a taken job stays with its runner till its transaction begins (OPENVET_JOB_LEASE_SECONDS)
BATCH = 16  # jobs taken per round


class Lost(Exception):
    """This runner's lease on the job ran out and another took it: leave the job to that one."""


class JobRunner:
    def __init__(self, engine: Engine, token: str, lease: int = LEASE):
        self.engine = engine
        self.token = token  # the dispatcher's: names this process's leases
        self.lease = lease

    def round(self) -> bool:
        """Take the jobs due and run them, oldest first. Whether there was any."""
        now = int(time.time())
        with self.engine.db.begin() as conn:
            taken = store.claim(conn, self.engine.tables, now, now + self.lease, self.token, BATCH)
        for job in taken:
            self.run(job)
        return bool(taken)

    def waiting(self) -> int:
        with self.engine.db.connect() as conn:
            return store.waiting(conn, self.engine.tables)

    def run(self, job: Any) -> None:
        tables = self.engine.tables
        with self.engine.db.begin() as conn:
            if not store.move(conn, tables, job.id, self.token, {"status": "Processing",
                                                                  "modified_at": int(time.time())}):
                return
        actor = Actor(job.clinic_id, job.credential_id, job.partner_id,
                      frozenset((job.scopes or "").split()), job.acting_user_id)
        try:
            record_id = self.write(job, actor)
        except Lost:
            return
        except (JobRefused, ValidationFailed, NotFound, Forbidden) as refusal:
            self.end(job, actor, "Error", error=why(refusal))
        except Exception as error:
            if unavailable(error):
                raise  # the database is away: the lease runs out and the job is run again
            log.exception("job %s failed", job.id)
            self.end(job, actor, "Error", error=f"the job could not be run: {type(error).__name__}")
        else:
            log.debug("job %s completed (record %s)", job.id, record_id)

    def write(self, job: Any, actor: Actor) -> int:
        """The job's request and its Completed, in one transaction. The id of the record written."""
        request = queued_request(self.engine.registry, job.data, job.type_id or 0)
        resource = request.resource
        lock = resource if request.kind == "update" else None
        with self.engine.writing(actor, lock=lock) as writer:
            tables, conn = self.engine.tables, writer.conn
            finished = {"status": "Completed", "error": None, "modified_at": writer.now}
            if not store.move(conn, tables, job.id, self.token, finished):  # holds the job's row till commit
                raise Lost(job.id)
            if not store.credential_active(conn, tables, job.credential_id):
                raise Forbidden("the credentials that queued the job are no longer active")
            if not allows(job.scopes, request.scope):
                raise Forbidden(f"the token that queued the job lacks the scope {request.scope}")
            if request.kind == "create":
                record_id = self.engine.create_in(writer, resource, request.body, "v2")["id"]
            else:
                name, value = request.key or ("id", request.record_id)
                outcome = self.engine.update_in(writer, resource, [Condition(name, "eq", value)], request.body,
                                                "v2", 1)
                if not outcome.matched:
                    raise NotFound(f"{resource.title} {value} does not exist" if name == "id"
                                   else f"No {resource.title} has {name} {value}")
                record_id = outcome.records[0]["id"]
            store.move(conn, tables, job.id, self.token, {"record_id": record_id, "claim": None,
                                                          "claimed_until": None})
            writer.record_event(self.engine.registry["jobqueue"], "updated", job.id)
            return record_id

    def end(self, job: Any, actor: Actor, status: str, error: str | None) -> None:
        """The job ends without its writes (rolled back): Error, and why."""
        with self.engine.writing(actor) as writer:
            ended = store.move(writer.conn, self.engine.tables, job.id, self.token, {
                "status": status, "error": error[:4096] if error else None, "claim": None, "claimed_until": None,
                "modified_at": writer.now})
            if ended:
                writer.record_event(self.engine.registry["jobqueue"], "updated", job.id)


def why(refusal: Exception) -> str:
    """The refusal as the immediate request's answer says it: each ``field: reason``, as its messages do."""
    if isinstance(refusal, ValidationFailed):
        return "; ".join(str(p) for p in refusal.problems)
    return str(refusal)
