"""The SQL of webhook delivery: outbox events handed on to the webhooks that subscribe to them, due deliveries
claimed, attempts recorded. Each function runs in the caller's transaction, which should be short.

Several dispatchers (in ``openvet serve`` processes and ``openvet worker`` processes) share the work through
the database. On PostgreSQL each takes its rows with ``FOR UPDATE SKIP LOCKED``: two never take the same row
and none waits for another. SQLite has one writer at a time: a dispatcher takes the write lock before it
reads (as ``records.begin_writing`` does), so the same rows are never taken twice there either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from openvet.store import records

REPLAY_EVENT = "webhookreplay_created"  # a replay asked for: its event is sent again to its webhook


def _lock(conn: sa.Connection, table: sa.Table) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f'UPDATE "{table.name}" SET id = id WHERE 0')


def _any(conn: sa.Connection, query: sa.Select) -> bool:
    """A look before the lock: a round with nothing to do takes no write lock (SQLite has only one)."""
    return conn.execute(query.limit(1)).first() is not None


def _skip_locked(query: sa.Select, conn: sa.Connection, of: sa.Table) -> sa.Select:
    return query.with_for_update(skip_locked=True, of=of) if conn.dialect.name == "postgresql" else query


def hand_on(conn: sa.Connection, tables: Any, now: int, limit: int = 500) -> int:
    """The oldest events not handed on yet become deliveries, one per active webhook of the event's clinic
    subscribed to it (created by the time the event happened), and a replay's event one delivery to its
    webhook; the events are marked handed on (``delivered_at``). How many events were handed on."""
    outbox, delivery, webhooks = tables["outbox"], tables["webhook_delivery"], tables["webhooks"]
    if not _any(conn, sa.select(outbox.c.id).where(outbox.c.delivered_at.is_(None))):
        return 0
    _lock(conn, delivery)
    query = (sa.select(outbox.c.id, outbox.c.clinic_id, outbox.c.event, outbox.c.resource, outbox.c.record_id,
                       outbox.c.created_at)
             .where(outbox.c.delivered_at.is_(None)).order_by(outbox.c.id).limit(limit))
    events = conn.execute(_skip_locked(query, conn, outbox)).all()
    if not events:
        return 0
    subscribed: dict[tuple[int, str], list[tuple[int, int]]] = {}
    hooks = sa.select(webhooks.c.id, webhooks.c.clinic_id, webhooks.c.event, webhooks.c.created_at).where(
        webhooks.c.clinic_id.in_({e.clinic_id for e in events}), webhooks.c.event.in_({e.event for e in events}),
        webhooks.c.active.is_(True))
    for hook in conn.execute(hooks):
        subscribed.setdefault((hook.clinic_id, hook.event), []).append((hook.id, hook.created_at or 0))
    rows: list[dict[str, Any]] = []

    def owed(event, webhook_id: int, delivered, replay_id: int | None = None) -> None:
        rows.append({"clinic_id": event.clinic_id, "webhook_id": webhook_id, "outbox_id": event.id,
                     "replay_id": replay_id,
                     "event_id": delivered.id, "event": delivered.event, "resource": delivered.resource,
                     "record_id": delivered.record_id, "status": "pending", "attempts": 0, "next_attempt_at": now,
                     "created_at": now})

    for event in events:
        for webhook_id, since in subscribed.get((event.clinic_id, event.event), ()):
            if since <= event.created_at:
                owed(event, webhook_id, event)
    for event, webhook_id, original in _replays(conn, tables, [e for e in events if e.event == REPLAY_EVENT]):
        owed(event, webhook_id, original, event.record_id)
    if rows:
        conn.execute(_insert_once(conn, delivery), rows)
    conn.execute(outbox.update().where(outbox.c.id.in_([e.id for e in events])).values(delivered_at=now))
    return len(events)


def _replays(conn: sa.Connection, tables: Any, events: list) -> list[tuple[Any, int, Any]]:
    """(replay's event, webhook id, the event to send again) for each replay asked for."""
    if not events:
        return []
    replay, outbox = tables["webhookreplay"], tables["outbox"]
    asked = {r.id: r for r in conn.execute(sa.select(replay.c.id, replay.c.webhook_id, replay.c.event_id).where(
        replay.c.id.in_([e.record_id for e in events])))}
    wanted = {r.event_id for r in asked.values() if r.event_id is not None}
    originals = {o.id: o for o in conn.execute(sa.select(outbox.c.id, outbox.c.event, outbox.c.resource,
                                                         outbox.c.record_id).where(outbox.c.id.in_(wanted)))}
    found = []
    for event in events:
        ask = asked.get(event.record_id)
        if ask is not None and ask.webhook_id is not None and ask.event_id in originals:
            found.append((event, ask.webhook_id, originals[ask.event_id]))
    return found


def _insert_once(conn: sa.Connection, table: sa.Table):
    """An insert that leaves out a (webhook, outbox event) pair already owed: handing on twice owes once."""
    insert = postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
    return insert.on_conflict_do_nothing(index_elements=["webhook_id", "outbox_id"])


def claim(conn: sa.Connection, tables: Any, now: int, until: int, token: str, limit: int) -> Sequence[sa.Row]:
    """Due deliveries of active webhooks, taken for this dispatcher until ``until`` (a lease: if it dies, they
    are due again then). Each row comes with its webhook's url, fields and secret seed."""
    delivery, webhooks = tables["webhook_delivery"], tables["webhooks"]
    if not _any(conn, sa.select(delivery.c.id).where(delivery.c.status == "pending",
                                                     delivery.c.next_attempt_at <= now)):
        return []
    _lock(conn, delivery)
    active = sa.select(webhooks.c.id).where(webhooks.c.id == delivery.c.webhook_id, webhooks.c.active.is_(True))
    query = (sa.select(delivery.c.id)
             .where(delivery.c.status == "pending", delivery.c.next_attempt_at <= now,
                    sa.or_(delivery.c.claimed_until.is_(None), delivery.c.claimed_until < now), active.exists())
             .order_by(delivery.c.next_attempt_at, delivery.c.id).limit(limit))
    ids = list(conn.execute(_skip_locked(query, conn, delivery)).scalars())
    if not ids:
        return []
    conn.execute(delivery.update().where(delivery.c.id.in_(ids)).values(claimed_until=until, claim=token))
    joined = (sa.select(delivery, webhooks.c.webhook_url, webhooks.c.fields, webhooks.c.secret_seed)
              .join(webhooks, webhooks.c.id == delivery.c.webhook_id)
              .where(delivery.c.id.in_(ids)).order_by(delivery.c.id))
    return conn.execute(joined).all()


def finish(conn: sa.Connection, tables: Any, delivery: Any, token: str, values: dict[str, Any]) -> bool:
    """The delivery's new state after an attempt, if this dispatcher still holds it (False: its lease ran out
    and another took it over; the attempt is logged all the same)."""
    table = tables["webhook_delivery"]
    done = conn.execute(table.update().where(table.c.id == delivery.id, table.c.claim == token)
                        .values(claimed_until=None, claim=None, **values))
    return done.rowcount == 1


def log_attempt(conn: sa.Connection, tables: Any, clinic_id: int, values: dict[str, Any], now: int) -> int:
    """One WebHookAttempt, as the API lists it."""
    return records.insert(conn, tables["webhookattempt"], clinic_id,
                          {**values, "active": True, "created_at": now, "modified_at": now})


def pending(conn: sa.Connection, tables: Any) -> int:
    """Events not handed on plus deliveries not finished: 0 when the dispatchers have nothing left to do."""
    outbox, delivery = tables["outbox"], tables["webhook_delivery"]
    waiting = conn.execute(sa.select(sa.func.count()).where(outbox.c.delivered_at.is_(None))).scalar_one()
    owed = conn.execute(sa.select(sa.func.count()).where(delivery.c.status == "pending")).scalar_one()
    return int(waiting) + int(owed)
