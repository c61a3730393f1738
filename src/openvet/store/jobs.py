"""The SQL of the job queue: jobs taken by a runner for a lease, their status moved on, the lease checked.

As for webhook deliveries (``deliveries.py``), several runners share the work through the database: on
PostgreSQL each takes its jobs with ``FOR UPDATE SKIP LOCKED`` (two never take the same job, none waits for
another); on SQLite a runner takes the write lock before it reads. A job is taken for a lease (``claim`` names
the runner, ``claimed_until`` ends it): a runner killed mid-job leaves it to be taken again when the lease runs
out. A job's own writes and its ``Completed`` are one transaction, which first checks that the runner still
holds the job: whatever dies when, a job's writes are made once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from openvet.store.deliveries import _any, _lock, _skip_locked

WAITING = "Pending"
TAKEN = ("Queued", "Processing")  # held by a runner, until its lease runs out


def claim(conn: sa.Connection, tables: Any, now: int, until: int, token: str, limit: int) -> Sequence[sa.Row]:
    """The oldest jobs waiting (or whose runner's lease ran out), taken for this runner until ``until`` and
    marked Queued. Oldest first: jobs run in the order they were queued, as far as one runner goes."""
    job = tables["jobqueue"]
    due = sa.or_(job.c.status == WAITING, sa.and_(job.c.status.in_(TAKEN), job.c.claimed_until < now))
    if not _any(conn, sa.select(job.c.id).where(due)):
        return []
    _lock(conn, job)
    query = sa.select(job.c.id).where(due).order_by(job.c.id).limit(limit)
    ids = list(conn.execute(_skip_locked(query, conn, job)).scalars())
    if not ids:
        return []
    conn.execute(job.update().where(job.c.id.in_(ids)).values(status="Queued", claim=token, claimed_until=until))
    credential = tables["credential"]  # the User its credentials act as, who the job writes as
    return conn.execute(sa.select(job, credential.c.user_id.label("acting_user_id"))
                        .outerjoin(credential, credential.c.id == job.c.credential_id)
                        .where(job.c.id.in_(ids)).order_by(job.c.id)).all()


def move(conn: sa.Connection, tables: Any, job_id: int, token: str, values: dict[str, Any]) -> bool:
    """The job's new status (and more), if this runner still holds it; False if its lease was taken over."""
    job = tables["jobqueue"]
    done = conn.execute(job.update().where(job.c.id == job_id, job.c.claim == token).values(**values))
    return done.rowcount == 1


def credential_active(conn: sa.Connection, tables: Any, credential_id: int | None) -> bool:
    """Whether the credentials that queued a job may still act (None: the clinic itself queued it)."""
    if credential_id is None:
        return True
    credential = tables["credential"]
    active = conn.execute(sa.select(credential.c.active).where(credential.c.id == credential_id)).scalar()
    return bool(active)


def waiting(conn: sa.Connection, tables: Any) -> int:
    """Jobs not finished: 0 when the runners have nothing left to do."""
    job = tables["jobqueue"]
    return int(conn.execute(sa.select(sa.func.count()).where(
        job.c.status.in_((WAITING, *TAKEN)))).scalar_one())
