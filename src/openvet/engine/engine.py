"""The engine proper. One instance per process; it holds the database engine and the tables.

Reads answer records (dicts by field name) with what the declarations ask for besides the row: child
lists, uids of linked records, linked records answered in full. Writes open one transaction and hand it
to a ``Writer`` (``writing.py``), which runs every record through the same pipeline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from openvet import services
from openvet.engine.actors import Actor
from openvet.engine.problems import NotFound, Problem, ValidationFailed
from openvet.engine.writing import Writer
from openvet.resources import REGISTRY, Resource
from openvet.resources.fields import Children, Computed, Invalid, Link, UidRef
from openvet.store import accounts, records
from openvet.store.database import write_turn
from openvet.store.filters import Condition
from openvet.store.schema import build_metadata

Record = dict[str, Any]  # a record by field name; child lists hold child records
ANSWERS = "_answers"  # where a read keeps the answers to the questions asked (the ezyVet wire name, L9950)
WARNINGS = "_warnings"  # where a write's answer keeps what its rules allowed but want said (``Change.warn``)


def expanded(name: str) -> str:
    """Where a read keeps the whole record a link names (``sent_as_user`` -> its User)."""
    return f"{name}@record"


@dataclass(frozen=True, slots=True)
class Page:
    records: list[Record]
    total: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a PATCH or DELETE did: how many records matched the query, how many were written."""

    matched: int
    processed: int
    records: list[Record]


class Engine:
    def __init__(self, db: sa.Engine, registry: dict[str, Resource] = REGISTRY):
        self.db = db
        self.registry = registry
        self.metadata = build_metadata(registry.values())
        self.tables = self.metadata.tables
        self.dialect = db.dialect.name
        self.by_title = {r.title: r for r in registry.values()}  # polymorphic links name resources by title
        # child resource -> the (parent, child-list field) pairs whose lists hold it
        self.parents: dict[str, list[tuple[Resource, Any]]] = {}
        # (child resource, back-link) -> child fields its parent's list does not require
        self.relaxed: dict[tuple[str, str], tuple[str, ...]] = {}
        for resource in registry.values():
            for f in resource.children():
                self.parents.setdefault(f.type.target, []).append((resource, f))
                self.relaxed[(f.type.target, f.type.via)] = f.type.optional
        self._readers = threading.local()
        self._writer: sa.Connection | None = None  # SQLite: the one connection its writes take turns on
        unknown = {f"{r.name}: {rule}" for r in registry.values() for rule in r.rules if rule not in services.RULES}
        unknown |= {f"{r.name}.{f.name}: {f.type.function}" for r in registry.values() for f in r.fields
                    if isinstance(f.type, Computed) and f.type.function not in services.COMPUTED}
        unknown |= {f"{r.name}: {r.listed_by}" for r in registry.values()
                    if r.listed_by and r.listed_by not in services.LISTINGS}
        if unknown:  # a declaration names a rule nobody wrote: refuse to start rather than fail on a write
            raise LookupError("no such function in openvet.services: " + ", ".join(sorted(unknown)))

    def signing_key(self) -> bytes:
        """The installation's key for signed links (made by the migrations; read once per process)."""
        return self.server_key("signing")

    def server_key(self, name: str) -> bytes:
        """One of the installation's keys (``signing``: links; ``webhook``: webhook secrets), made by the
        migrations and read once per process."""
        keys = self.__dict__.setdefault("_server_keys", {})
        if name not in keys:
            with self.db.connect() as conn:
                value = accounts.server_key(conn, name)
            if value is None:
                raise LookupError(f"the database has no {name} key: run `openvet migrate`")
            keys[name] = bytes.fromhex(value)
        return keys[name]

    # reading -------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Give back this thread's kept connection and close the pool (tests, shutdown)."""
        conn = getattr(self._readers, "conn", None)
        self._readers.conn = None
        if conn is not None:
            conn.close()
        with write_turn(self.db):
            writer, self._writer = self._writer, None
            if writer is not None:
                writer.close()
        self.db.dispose()

    def _read(self, work: Callable[[sa.Connection], Any]) -> Any:
        """``work`` on a connection kept by this thread for the next read.

        Checking a connection out of the pool and back was an eighth of a single GET. The read's
        transaction still ends with the read (a kept transaction would pin an old snapshot); a connection
        that failed is closed and forgotten. A kept connection found dead (the database restarted since the
        last read) is not the client's problem: the read runs once more, on a fresh connection.

        On PostgreSQL the reader is in autocommit: each statement sees what was committed when it began, as
        it does in the READ COMMITTED transaction it ran in before, without that transaction's BEGIN and
        ROLLBACK, two round trips of the three a single GET made.
        """
        conn = getattr(self._readers, "conn", None)
        kept = conn is not None
        while True:
            if conn is None:
                conn = self.db.connect()
                if self.dialect == "postgresql":
                    conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                self._readers.conn = conn
            try:
                result = work(conn)
            except BaseException as error:
                self._readers.conn = None
                conn.close()
                if kept and isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
                    conn, kept = None, False
                    continue
                raise
            if conn.in_transaction():
                conn.rollback()
            return result

    def list(self, who: Actor | int, resource: Resource, conditions: list[Condition], page: int,
             limit: int, questions: tuple[str, ...] = ()) -> Page:
        """A page of records; each question asked (``stocklevel``) is answered for the whole page at once and
        kept on each record under ``ANSWERS``."""
        clinic_id = Actor.of(who).clinic_id
        if resource.listed_by:  # records no table keeps: worked out (from the registry), paged here
            found = services.LISTINGS[resource.listed_by](self.registry)
            return Page(found[(page - 1) * limit:page * limit], len(found))
        table = self.tables[resource.table]

        def read(conn: sa.Connection) -> Page:
            rows = records.select_page(conn, table, clinic_id, conditions, (page - 1) * limit, limit)
            total = (len(rows) if page == 1 and len(rows) < limit
                     else records.count(conn, table, clinic_id, conditions))
            found = self._records(conn, clinic_id, resource, rows)
            for name in questions:
                answers = services.QUESTIONS[name](services.Reading(self, conn, clinic_id), found)
                for record in found:
                    record.setdefault(ANSWERS, {})[name] = answers.get(record["id"])
            return Page(found, total)
        return self._read(read)

    def get(self, who: Actor | int, resource: Resource, record_id: int) -> Record:
        clinic_id = Actor.of(who).clinic_id
        return self._read(lambda conn: self._get(conn, clinic_id, resource, record_id))

    def first(self, who: Actor | int, resource: Resource) -> Record | None:
        """The one record of a singleton resource (SystemSetting)."""
        clinic_id = Actor.of(who).clinic_id

        def read(conn: sa.Connection) -> Record | None:
            rows = records.select_page(conn, self.tables[resource.table], clinic_id, [], 0, 1)
            found = self._records(conn, clinic_id, resource, rows)
            return found[0] if found else None
        return self._read(read)

    def _get(self, conn: sa.Connection, clinic_id: int, resource: Resource, record_id: int) -> Record:
        rows = records.select_by_ids(conn, self.tables[resource.table], clinic_id, [record_id])
        if not rows:
            raise NotFound(f"{resource.title} {record_id} does not exist")
        return self._records(conn, clinic_id, resource, rows)[0]

    def _records(self, conn: sa.Connection, clinic_id: int, resource: Resource,
                 rows: Iterable[sa.Row]) -> list[Record]:
        rows = list(rows)
        if not rows:
            return []
        keys = rows[0]._fields
        found = [dict(zip(keys, row, strict=True)) for row in rows]  # much cheaper than row._mapping
        refs = resource.record_refs()
        if refs:
            for record in found:
                for f in refs:
                    record[f.name] = f.type.from_columns(f.name, record)
        for f in resource.fields:
            if isinstance(f.type, UidRef):
                target = self.tables[self.registry[f.type.target].table]
                ids = {r[f.type.via] for r in found if r.get(f.type.via) is not None}
                uids = dict(records.select_uids(conn, target, clinic_id, ids)) if ids else {}
                for record in found:
                    record[f.name] = uids.get(record.get(f.type.via))
            elif isinstance(f.type, Link) and f.type.expand:
                target = self.registry[f.type.target]
                ids = {r[f.name] for r in found if r.get(f.name) is not None}
                rows_of = records.select_by_ids(conn, self.tables[target.table], clinic_id, sorted(ids)) if ids else []
                linked = {r["id"]: r for r in self._records(conn, clinic_id, target, rows_of)}
                for record in found:
                    record[expanded(f.name)] = linked.get(record.get(f.name))
        for f in resource.children():
            child = self.registry[f.type.target]
            by_parent: dict[int, list[Record]] = {r["id"]: [] for r in found}
            kids = records.select_children(conn, self.tables[child.table], clinic_id, f.type.via, by_parent)
            for kid in self._records(conn, clinic_id, child, kids):
                by_parent[kid[f.type.via]].append(kid)
            for record in found:
                record[f.name] = by_parent[record["id"]]
        return found

    def lookup(self, conn: sa.Connection, clinic_id: int, resource_name: str, record_id: int,
               full: bool = False) -> Record | None:
        """A record by id inside a transaction, for rules and the writer; ``full`` adds its child lists."""
        resource = self.registry[resource_name]
        rows = records.select_by_ids(conn, self.tables[resource.table], clinic_id, [record_id])
        if not rows:
            return None
        if full:
            return self._records(conn, clinic_id, resource, rows)[0]
        record = dict(rows[0]._mapping)
        for f in resource.record_refs():
            record[f.name] = f.type.from_columns(f.name, record)
        return record

    def find(self, conn: sa.Connection, clinic_id: int, resource_name: str, equal: dict[str, Any],
             limit: int | None = None) -> list[Record]:
        """Records whose fields equal the values given (a rule looking up a product by its reference)."""
        resource = self.registry[resource_name]
        conditions = [Condition(name, "eq", value) for name, value in equal.items()]
        rows = records.select_page(conn, self.tables[resource.table], clinic_id, conditions, 0, limit)
        return self._records(conn, clinic_id, resource, rows)

    def totals(self, conn: sa.Connection, clinic_id: int, resource_name: str, amount: str, by: str,
               keys: list[int], equal: dict[str, Any], where: tuple = ()) -> dict[int, Any]:
        """Sums of ``amount`` grouped by ``by`` over ``keys`` (a question's figures for a page of records);
        ``where``: more conditions as (field, operator, value)."""
        table = self.tables[self.registry[resource_name].table]
        conditions = [Condition(name, "eq", value) for name, value in equal.items()]
        conditions += [Condition(name, operator, value) for name, operator, value in where]
        return records.totals(conn, table, clinic_id, amount, by, keys, conditions)

    def kept(self, conn: sa.Connection, clinic_id: int, resource_name: str, name: str, keys: list[int],
             from_day: int | None = None) -> dict[int, Any]:
        """A sum the resource declares kept (``Resource.sums``) for each key; per day: from ``from_day`` on."""
        table = self.tables[self.registry[resource_name].table]
        return records.kept_totals(conn, table, name, clinic_id, keys, from_day)

    def latest(self, who: Actor | int, resource_name: str, by: str, keys: list[int], order: str,
               equal: dict[str, Any]) -> dict[int, int]:
        """For each key, the id of the latest record (by ``order``, then id) whose ``by`` is that key (an
        animal's last consult, for a page of animals)."""
        clinic_id = Actor.of(who).clinic_id
        table = self.tables[self.registry[resource_name].table]
        conditions = [Condition(name, "eq", value) for name, value in equal.items()]
        return self._read(lambda conn: records.latest(conn, table, clinic_id, by, keys, order, conditions))

    def children_of(self, conn: sa.Connection, clinic_id: int, resource: Resource, name: str,
                    record_id: int) -> list[Record]:
        f = resource.field_map[name]
        child = self.registry[f.type.target]
        rows = records.select_children(conn, self.tables[child.table], clinic_id, f.type.via, [record_id])
        return self._records(conn, clinic_id, child, rows)

    # writing -------------------------------------------------------------------------------------------

    @contextmanager
    def writing(self, who: Actor | int, lock: Resource | None = None) -> Iterator[Writer]:
        """One transaction, and the writer that runs every record of it through the pipeline."""
        with write_turn(self.db):
            if self.dialect != "sqlite" or (self._writer is not None and self._writer.in_transaction()):
                with self.db.begin() as conn:  # PostgreSQL, or a write inside a write: a connection of the pool
                    if lock is not None:
                        records.begin_writing(conn, self.tables[lock.table])
                    yield Writer(self, conn, Actor.of(who), int(time.time()))
                return
            # SQLite's writes take turns (write_turn), so one connection, kept between them, serves them all:
            # checking one out of the pool and back was a tenth of a POST
            if self._writer is None:
                self._writer = self.db.connect()
            conn = self._writer
            try:
                with conn.begin():
                    if lock is not None:
                        records.begin_writing(conn, self.tables[lock.table])
                    yield Writer(self, conn, Actor.of(who), int(time.time()))
            except sa.exc.DBAPIError:
                self._writer = None  # whatever went wrong with it, the next write starts on a fresh one
                conn.close()
                raise

    def create(self, who: Actor | int, resource: Resource, body: dict[str, Any], version: str | None,
               enforce_mandatory: bool = True) -> Record:
        """``enforce_mandatory=False`` lets a dialect apply its own required fields to the top record
        (a Provet client needs no contact detail); children and rules are checked as always."""
        with self.writing(who) as writer:  # (no early lock: a new record has no earlier state to lose)
            return self.create_in(writer, resource, body, version, enforce_mandatory)

    def create_in(self, writer: Writer, resource: Resource, body: dict[str, Any], version: str | None,
                  enforce_mandatory: bool = True) -> Record:
        """``create`` in a transaction the caller holds (a queued job writes its record and its own status in
        one)."""
        record_id = writer.create(resource, body, version, enforce_mandatory=enforce_mandatory)
        record = self._get(writer.conn, writer.clinic_id, resource, record_id)
        if writer.warnings:
            record[WARNINGS] = list(dict.fromkeys(writer.warnings))
        return {**record, **writer.shown_once.get((resource.name, record_id), {})}

    def update(self, who: Actor | int, resource: Resource, conditions: list[Condition], body: dict[str, Any],
               version: str | None, limit: int | None, enforce_mandatory: bool = True) -> Outcome:
        """``enforce_mandatory=False`` lets a dialect apply its own required fields (as ``create`` does).
        Every matched record is checked before any is written: one refusal changes none of them."""
        with self.writing(who, lock=resource) as writer:
            return self.update_in(writer, resource, conditions, body, version, limit, enforce_mandatory)

    def update_in(self, writer: Writer, resource: Resource, conditions: list[Condition], body: dict[str, Any],
                  version: str | None, limit: int | None, enforce_mandatory: bool = True) -> Outcome:
        """``update`` in a transaction the caller holds, begun with ``writing(who, lock=resource)``."""
        conn, clinic_id = writer.conn, writer.clinic_id
        table = self.tables[resource.table]
        matched = records.count(conn, table, clinic_id, conditions) if conditions else 0
        ids = records.select_ids(conn, table, clinic_id, conditions, limit, lock=True)
        befores = self._records(conn, clinic_id, resource, records.select_by_ids(conn, table, clinic_id, ids))
        problems: list[Problem] = []
        if not befores:  # nothing matched: the body is still checked, so that a bad one is never a 200
            writer.check_shape(resource, body, version, problems)
        plans = []
        for before in befores:
            _check_body_id(resource, body, version, before, problems)
            plans.append(writer.check_change(resource, before, body, version, problems,
                                             enforce_mandatory=enforce_mandatory))
        if problems:
            raise ValidationFailed(list(dict.fromkeys(problems)))
        for plan in plans:
            writer.write_change(plan)
        written = self._records(conn, clinic_id, resource, records.select_by_ids(conn, table, clinic_id, ids))
        if writer.warnings and written:
            written[0][WARNINGS] = list(dict.fromkeys(writer.warnings))
        return Outcome(max(matched, len(ids)), len(ids), written)

    def delete(self, who: Actor | int, resource: Resource, conditions: list[Condition],
               limit: int | None) -> Outcome:
        """Deactivates (``active`` false) every match, through its rules; nothing is erased. A record already
        inactive is matched but not written again (``processed`` counts the records changed)."""
        with self.writing(who, lock=resource) as writer:
            conn, clinic_id = writer.conn, writer.clinic_id
            table = self.tables[resource.table]
            matched = records.count(conn, table, clinic_id, conditions) if conditions else 0
            ids = records.select_ids(conn, table, clinic_id, conditions, limit, lock=True)
            befores = self._records(conn, clinic_id, resource, records.select_by_ids(conn, table, clinic_id, ids))
            changed = [before["id"] for before in befores if writer.deactivate(resource, before)]
            written = self._records(conn, clinic_id, resource, records.select_by_ids(conn, table, clinic_id, ids))
            return Outcome(max(matched, len(ids)), len(changed), written)


def _check_body_id(resource: Resource, body: Any, version: str | None, before: Record,
                   problems: list[Problem]) -> None:
    """An id in a PATCH body may only repeat the id of the record written."""
    if not isinstance(body, dict) or "id" not in body or "id" not in resource.field_map:
        return
    try:
        body_id = resource.field_map["id"].type.parse(body["id"])
    except Invalid as error:
        problems.append(Problem("id", str(error)))
        return
    if body_id != before["id"]:
        problems.append(Problem("id", "does not match the record in the path"))


__all__ = ["ANSWERS", "WARNINGS", "Children", "Engine", "Outcome", "Page", "Record", "expanded"]
