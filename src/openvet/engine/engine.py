"""The engine proper. One instance per process; it holds the database engine and the tables."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from openvet import services
from openvet.engine.problems import NotFound, Problem, ValidationFailed
from openvet.resources import REGISTRY, Resource
from openvet.resources.fields import Children, Integer, Invalid, Link, Uid, UidRef
from openvet.store import records
from openvet.store.filters import Condition
from openvet.store.schema import build_metadata

Record = dict[str, Any]  # a record by field name; child lists hold child records


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
        self.by_title = {r.title: r for r in registry.values()}  # record references name resources by title
        self._readers = threading.local()
        unknown = {f"{r.name}: {rule}" for r in registry.values() for rule in r.rules if rule not in services.RULES}
        if unknown:  # a declaration names a rule nobody wrote: refuse to start rather than fail on a write
            raise LookupError("no such rule in openvet.services: " + ", ".join(sorted(unknown)))

    # reading -------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Give back this thread's kept connection and close the pool (tests, shutdown)."""
        conn = getattr(self._readers, "conn", None)
        self._readers.conn = None
        if conn is not None:
            conn.close()
        self.db.dispose()

    def _read(self, work: Callable[[sa.Connection], Any]) -> Any:
        """``work`` on a connection kept by this thread for the next read.

        Checking a connection out of the pool and back was an eighth of a single GET. The read's
        transaction still ends with the read (a kept transaction would pin an old snapshot); a connection
        that failed is closed and forgotten. A kept connection found dead (the database restarted since the
        last read) is not the client's problem: the read runs once more, on a fresh connection.
        """
        conn = getattr(self._readers, "conn", None)
        kept = conn is not None
        while True:
            if conn is None:
                conn = self._readers.conn = self.db.connect()
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

    def list(self, clinic_id: int, resource: Resource, conditions: list[Condition], page: int,
             limit: int) -> Page:
        table = self.tables[resource.table]

        def read(conn: sa.Connection) -> Page:
            rows = records.select_page(conn, table, clinic_id, conditions, (page - 1) * limit, limit)
            total = (len(rows) if page == 1 and len(rows) < limit
                     else records.count(conn, table, clinic_id, conditions))
            return Page(self._records(conn, clinic_id, resource, rows), total)
        return self._read(read)

    def get(self, clinic_id: int, resource: Resource, record_id: int) -> Record:
        return self._read(lambda conn: self._get(conn, clinic_id, resource, record_id))

    def first(self, clinic_id: int, resource: Resource) -> Record | None:
        """The one record of a singleton resource (SystemSetting)."""
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
                for field in refs:
                    record[field.name] = field.type.from_columns(field.name, record)
        for field in resource.fields:
            if isinstance(field.type, UidRef):
                target = self.tables[self.registry[field.type.target].table]
                ids = {r[field.type.via] for r in found if r.get(field.type.via) is not None}
                uids = dict(records.select_uids(conn, target, clinic_id, ids)) if ids else {}
                for record in found:
                    record[field.name] = uids.get(record.get(field.type.via))
        for field in resource.children():
            child = self.registry[field.type.target]
            by_parent: dict[int, list[Record]] = {r["id"]: [] for r in found}
            kids = records.select_children(conn, self.tables[child.table], clinic_id, field.type.via, by_parent)
            for kid in self._records(conn, clinic_id, child, kids):
                by_parent[kid[field.type.via]].append(kid)
            for record in found:
                record[field.name] = by_parent[record["id"]]
        return found

    @staticmethod
    def _record(resource: Resource, mapping) -> Record:
        record = dict(mapping)
        for field in resource.record_refs():
            record[field.name] = field.type.from_columns(field.name, record)
        return record

    # writing -------------------------------------------------------------------------------------------

    def create(self, clinic_id: int, resource: Resource, body: dict[str, Any], version: str | None,
               enforce_mandatory: bool = True) -> Record:
        """``enforce_mandatory=False`` lets a dialect apply its own required fields to the top record
        (a Provet client needs no contact detail); children and rules are checked as always."""
        with self.db.begin() as conn:  # (no early lock: a new record has no earlier state to lose)
            record_id = self._create(conn, clinic_id, resource, body, version, int(time.time()),
                                     enforce_mandatory=enforce_mandatory)
            return self._get(conn, clinic_id, resource, record_id)

    def update(self, clinic_id: int, resource: Resource, conditions: list[Condition], body: dict[str, Any],
               version: str | None, limit: int | None, enforce_mandatory: bool = True) -> Outcome:
        """``enforce_mandatory=False`` lets a dialect apply its own required fields (as ``create`` does)."""
        now = int(time.time())
        with self.db.begin() as conn:
            table = self.tables[resource.table]
            records.begin_writing(conn, table)
            matched = records.count(conn, table, clinic_id, conditions) if conditions else 0
            ids = records.select_ids(conn, table, clinic_id, conditions, limit, lock=True)
            befores = self._records(conn, clinic_id, resource, records.select_by_ids(conn, table, clinic_id, ids))
            problems: list[Problem] = []
            plans = []
            for before in befores:
                values, children = self._parse(resource, body, version, "update", problems)
                self._check_body_id(resource, body, version, before, problems)
                if enforce_mandatory:
                    self._require(resource, values, children, version, problems, updating=True)
                merged = {**before, **values}
                self._check(conn, clinic_id, resource, values, merged, before, version, problems)
                self._check_children(conn, clinic_id, resource, children, version, problems, before=before)
                plans.append((before, values, children))
            if problems:
                raise ValidationFailed(_unique(problems))
            for before, values, children in plans:
                if not values and not children:
                    continue  # an empty body changes nothing: no new modified_at, no event
                values["modified_at"] = now
                records.update(conn, table, clinic_id, [before["id"]], _columns(resource, values))
                for name, items in children.items():
                    field = resource.field_map[name]
                    if isinstance(field.type, Link):
                        failed = self._link_new(conn, clinic_id, resource, field, before["id"], items, version, now)
                        if failed:
                            raise ValidationFailed(failed)
                        self._retire_nested(conn, clinic_id, resource, field, before, now)
                    else:
                        self._replace_children(conn, clinic_id, resource, name, before["id"], items, version, now)
                records.record_event(conn, clinic_id, f"{resource.name}_updated", resource.name, before["id"], now)
            written = self._records(conn, clinic_id, resource, records.select_by_ids(conn, table, clinic_id, ids))
            return Outcome(max(matched, len(ids)), len(ids), written)

    def delete(self, clinic_id: int, resource: Resource, conditions: list[Condition],
               limit: int | None) -> Outcome:
        """Deactivates (``active`` false) every match; nothing is erased. A match already inactive is left as it
        is (no new ``modified_at``, no second event); ``processed`` counts the records deactivated."""
        now = int(time.time())
        with self.db.begin() as conn:
            table = self.tables[resource.table]
            records.begin_writing(conn, table)
            matched = records.count(conn, table, clinic_id, conditions) if conditions else 0
            ids = records.select_ids(conn, table, clinic_id, conditions, limit, lock=True)
            changed = records.deactivate(conn, table, clinic_id, ids, now)
            for record_id in changed:
                records.record_event(conn, clinic_id, f"{resource.name}_disabled", resource.name, record_id, now)
            written = self._records(conn, clinic_id, resource, records.select_by_ids(conn, table, clinic_id, ids))
            return Outcome(max(matched, len(ids)), len(changed), written)

    def _create(self, conn: sa.Connection, clinic_id: int, resource: Resource, body: dict[str, Any],
                version: str | None, now: int, parent: tuple[str, int] | None = None,
                prefix: str = "", enforce_mandatory: bool = True) -> int:
        problems: list[Problem] = []
        values, children = self._check_new(conn, clinic_id, resource, body, version, problems, prefix, parent,
                                           enforce_mandatory)
        if problems:  # report the children's own mistakes in the same answer
            self._check_children(conn, clinic_id, resource, children, version, problems, prefix)
            raise ValidationFailed(_unique(problems))
        for field in resource.fields:
            if isinstance(field.type, Uid) and field.stored:
                values[field.name] = field.type.make()
        values.update(active=values.get("active", True), created_at=now, modified_at=now)
        record_id = records.insert(conn, self.tables[resource.table], clinic_id, _columns(resource, values))
        child_problems: list[Problem] = []
        for name, items in children.items():
            field = resource.field_map[name]
            if isinstance(field.type, Link):
                child_problems += self._link_new(conn, clinic_id, resource, field, record_id, items, version, now,
                                                 prefix)
                continue
            child = self.registry[field.type.target]
            for index, item in enumerate(items):
                try:
                    self._create(conn, clinic_id, child, item, version, now, (field.type.via, record_id),
                                 f"{prefix}{field.wire_name(version or 'v1')}[{index}].")
                except ValidationFailed as failed:  # the transaction is rolled back by the caller
                    child_problems += failed.problems
        if child_problems:
            raise ValidationFailed(child_problems)
        records.record_event(conn, clinic_id, f"{resource.name}_created", resource.name, record_id, now)
        return record_id

    def _link_new(self, conn, clinic_id, resource, field, record_id, body, version, now, prefix="") -> list[Problem]:
        """A link written as a whole object (Contact ``address_physical``: an Address): create that record,
        owned by this one when it has an owner reference left unset, and link it."""
        target = self.registry[field.type.target]
        where = f"{prefix}{field.wire_name(version or 'v1')}."
        refused = self._parent_keys(target, body, version, {r.name for r in target.record_refs()}, where)
        if refused:
            return refused
        body = dict(body)
        for ref in target.record_refs():
            if resource.title in ref.type.targets:
                body[ref.wire_name(version or "v1")] = {resource.title: {"id": record_id}}
        try:
            new_id = self._create(conn, clinic_id, target, body, version, now, prefix=where)
        except ValidationFailed as failed:
            return failed.problems
        records.update(conn, self.tables[resource.table], clinic_id, [record_id], {field.name: new_id})
        return []

    def _retire_nested(self, conn, clinic_id, resource, field, before, now) -> None:
        """A PATCH that writes a new nested record in place of the old one deactivates the old one, when it
        belonged to this record: it no longer claims an owner that points elsewhere."""
        old_id = before.get(field.name)
        if old_id is None:
            return
        old = self.lookup(conn, clinic_id, field.type.target, old_id)
        if old and old.get("active") and (resource.title, before["id"]) in {
                old.get(ref.name) for ref in self.registry[field.type.target].record_refs()}:
            target = self.registry[field.type.target]
            records.update(conn, self.tables[target.table], clinic_id, [old_id], {"active": False, "modified_at": now})
            records.record_event(conn, clinic_id, f"{target.name}_disabled", target.name, old_id, now)

    def _replace_children(self, conn, clinic_id, resource, name, parent_id, items, version, now) -> None:
        """A PATCHed child list is the new set: objects without id are created, listed ids kept (and
        updated when given as objects), every other active child deactivated. ``_check_children`` has
        already checked every item."""
        field = resource.field_map[name]
        child = self.registry[field.type.target]
        table = self.tables[child.table]
        via = field.type.via
        current = {r.id for r in records.select_children(conn, table, clinic_id, via, [parent_id])}
        keep: set[int] = set()
        for index, item in enumerate(items):
            where = f"{field.wire_name(version or 'v1')}[{index}]."
            if isinstance(item, dict) and item.get("id") in (None, ""):
                self._create(conn, clinic_id, child, item, version, now, (via, parent_id), where)
                continue
            child_id = int(item.get("id") if isinstance(item, dict) else item)
            keep.add(child_id)
            if isinstance(item, dict) and len(item) > 1:
                problems: list[Problem] = []
                values, _ = self._parse(child, {k: v for k, v in item.items() if k != "id"}, version,
                                        "update", problems, where)
                self._check_links(conn, clinic_id, child, values, version, problems, where)  # resolves uids
                values["modified_at"] = now
                records.update(conn, table, clinic_id, [child_id], _columns(child, values))
        gone = sorted(current - keep)
        records.update(conn, table, clinic_id, gone, {"active": False, "modified_at": now})

    # validation ----------------------------------------------------------------------------------------

    def _parse(self, resource: Resource, body: dict[str, Any], version: str | None, operation: str,
               problems: list[Problem], prefix: str = "") -> tuple[dict[str, Any], dict[str, Any]]:
        """Body (wire names of ``version``, or field names when ``version`` is None) -> parsed values."""
        names = resource.wire_map(version) if version else resource.field_map
        values: dict[str, Any] = {}
        children: dict[str, list] = {}
        if not isinstance(body, dict):
            problems.append(Problem(prefix.rstrip(".") or None, "must be a JSON object"))
            return values, children
        for key, raw in body.items():
            field = names.get(key)
            where = prefix + key
            if field is None:
                problems.append(Problem(where, f"is not a field of {resource.title}"))
                continue
            allowed = field.create if operation == "create" else field.update
            if not allowed:
                if key == "id" and operation == "update":
                    continue  # an id in a PATCH body names the record already named by the path
                problems.append(Problem(where, f"cannot be set on {operation}"))
                continue
            if isinstance(field.type, Link) and field.type.nested and isinstance(raw, dict):
                children[field.name] = raw  # created with the record, then linked
                continue
            if isinstance(field.type, Children):
                if not isinstance(raw, list):
                    problems.append(Problem(where, "must be a list"))
                else:
                    children[field.name] = raw
                continue
            if raw is None and (field.mandatory_on(version) or field.default is not None):
                problems.append(Problem(where, "cannot be null: it always has a value"))
                continue
            try:
                values[field.name] = None if raw is None else field.type.parse(raw)
            except Invalid as error:
                problems.append(Problem(where, str(error)))
        return values, children

    def _check(self, conn, clinic_id, resource, values, merged, before, version, problems,
               prefix: str = "") -> None:
        """The links the client wrote, then the resource's rules on the record as it will be."""
        self._check_links(conn, clinic_id, resource, values, version, problems, prefix)
        for rule in resource.rules:
            services.RULES[rule](services.Change(self, conn, clinic_id, resource, values, merged, before,
                                                 version, problems, prefix))

    def _check_new(self, conn, clinic_id, resource, body, version, problems, prefix="", parent=None,
                   enforce_mandatory=True, rules=True) -> tuple[dict[str, Any], dict[str, Any]]:
        """A record to create: parsed, defaulted, required fields and links checked, rules run (``rules``
        false when its parent's id is not known yet). ``parent`` is (back-link field, parent id)."""
        values, children = self._parse(resource, body, version, "create", problems, prefix)
        if parent:
            problems += self._parent_keys(resource, body, version, {parent[0]}, prefix)
            for field in resource.fields:
                if field.name == parent[0] or (isinstance(field.type, UidRef) and field.type.via == parent[0]):
                    values.pop(field.name, None)
            values[parent[0]] = parent[1]
        for field in resource.fields:
            if field.name not in values and field.default is not None and field.stored:
                values[field.name] = field.default
        if enforce_mandatory:
            self._require(resource, values, children, version, problems, prefix, parent[0] if parent else None)
        if rules:
            self._check(conn, clinic_id, resource, values, values, None, version, problems, prefix)
        else:
            self._check_links(conn, clinic_id, resource, values, version, problems, prefix)
        self._check_children(conn, clinic_id, resource, children, version, problems, prefix, full=False)
        return values, children

    def _check_children(self, conn, clinic_id, resource, children, version, problems, prefix="", before=None,
                        full=True) -> None:
        """The child objects and nested records of a write, checked before anything is written so that one
        422 names every bad field: their shape always; when ``full``, their fields, links and rules."""
        parent_id = before["id"] if before else None
        for name, items in children.items():
            field = resource.field_map[name]
            child = self.registry[field.type.target]
            where = prefix + field.wire_name(version or "v1")
            if isinstance(field.type, Link):  # a nested record (an Address), owned by this one
                if full:
                    owners = {ref.name for ref in child.record_refs()}
                    problems += self._parent_keys(child, items, version, owners, f"{where}.")
                    wire = child.wire_map(version) if version else child.field_map
                    body = {k: v for k, v in items.items() if getattr(wire.get(k), "name", None) not in owners}
                    self._check_new(conn, clinic_id, child, body, version, problems, f"{where}.", rules=False)
                continue
            current: dict[int, Record] = {}
            if before is not None and full:
                rows = records.select_children(conn, self.tables[child.table], clinic_id, field.type.via,
                                               [parent_id])
                current = {kid["id"]: kid for kid in self._records(conn, clinic_id, child, rows)}
            for index, item in enumerate(items):
                at = f"{where}[{index}]"
                if isinstance(item, dict) and (before is None or item.get("id") in (None, "")):
                    if full:
                        self._check_new(conn, clinic_id, child, item, version, problems, f"{at}.",
                                        (field.type.via, parent_id), rules=parent_id is not None)
                    continue
                if before is None:
                    problems.append(Problem(at, f"must be a {child.title} object"))
                    continue
                if not full:
                    continue
                raw_id = item.get("id") if isinstance(item, dict) else item
                try:
                    child_id = Integer().parse(raw_id)  # not int(): "١٢" and 1.9 are no ids
                except (TypeError, ValueError, OverflowError):
                    problems.append(Problem(f"{at}.id", "must be an integer"))
                    continue
                if child_id not in current:
                    problems.append(Problem(f"{at}.id", f"is not a {child.title} of this {resource.title}"))
                    continue
                if isinstance(item, dict) and len(item) > 1:
                    body = {k: v for k, v in item.items() if k != "id"}
                    values, _ = self._parse(child, body, version, "update", problems, f"{at}.")
                    problems += self._parent_keys(child, body, version, {field.type.via}, f"{at}.")
                    values.pop(field.type.via, None)
                    self._require(child, values, {}, version, problems, f"{at}.", updating=True)
                    self._check(conn, clinic_id, child, values, {**current[child_id], **values}, current[child_id],
                                version, problems, f"{at}.")

    @staticmethod
    def _parent_keys(resource, body, version, names: set[str], prefix: str) -> list[Problem]:
        """A child object may not name its parent: the parent it is written under is its parent."""
        if not isinstance(body, dict):
            return []
        wire = resource.wire_map(version) if version else resource.field_map
        refused = []
        for key in body:
            field = wire.get(key)
            if field and (field.name in names or (isinstance(field.type, UidRef) and field.type.via in names)):
                refused.append(Problem(prefix + key, "is set by the parent"))
        return refused

    @staticmethod
    def _require(resource, values, children, version, problems, prefix="", parent_field=None,
                 updating=False) -> None:
        """Mandatory fields must hold something (whitespace is nothing); on update, those the body sets."""
        already = {p.field for p in problems}
        for field in resource.fields:
            if not (field.mandatory_on(version) and field.stored) or field.name == parent_field:
                continue
            if updating and field.name not in values:
                continue
            name = prefix + field.wire_name(version or "v1")
            if _blank(values.get(field.name)) and name not in already:
                problems.append(Problem(name, "is required"))
        for field in resource.children():
            if (field.mandatory_on(version) and (field.name in children or not updating)
                    and not children.get(field.name)):
                problems.append(Problem(prefix + field.wire_name(version or "v1"), "must list at least one item"))

    @staticmethod
    def _check_body_id(resource, body, version, before, problems) -> None:
        """An id in a PATCH body may only repeat the id of the record written."""
        if not isinstance(body, dict) or "id" not in body:
            return
        try:
            body_id = resource.field_map["id"].type.parse(body["id"])
        except Invalid as error:
            problems.append(Problem("id", str(error)))
            return
        if body_id != before["id"]:
            problems.append(Problem("id", "does not match the record in the path"))

    def _check_links(self, conn, clinic_id, resource, values, version, problems, prefix="") -> None:
        """Every linked record must exist in the same clinic; one query per target resource."""
        for field in resource.fields:
            if isinstance(field.type, UidRef) and values.get(field.name):
                target = self.tables[self.registry[field.type.target].table]
                found_id = records.id_by_uid(conn, target, clinic_id, values[field.name])
                if found_id is None:
                    problems.append(Problem(prefix + field.wire_name(version or "v1"),
                                            f"no {self.registry[field.type.target].title} has uid "
                                            f"{values[field.name]}"))
                elif values.get(field.type.via) not in (None, found_id):
                    problems.append(Problem(prefix + field.wire_name(version or "v1"),
                                            f"names another record than {field.type.via}"))
                else:
                    values[field.type.via] = found_id
        wanted: dict[str, set[int]] = {}
        for field in resource.fields:
            if isinstance(field.type, Link) and values.get(field.name) is not None:
                wanted.setdefault(field.type.target, set()).add(values[field.name])
        for field in resource.record_refs():
            ref = values.get(field.name)
            if ref:
                target = self.by_title.get(ref[0])
                if target:
                    wanted.setdefault(target.name, set()).add(ref[1])
        tables = {self.tables[self.registry[target].table]: ids for target, ids in wanted.items()
                  if target in self.registry}
        existing = records.existing(conn, clinic_id, tables)
        found = {target: existing.get(self.registry[target].table, set()) for target in wanted}
        for field in resource.fields:
            if isinstance(field.type, Link) and values.get(field.name) is not None:
                target = self.registry.get(field.type.target)
                if target and values[field.name] not in found[target.name]:
                    problems.append(Problem(prefix + field.wire_name(version or "v1"),
                                            f"{target.title} {values[field.name]} does not exist"))
        for field in resource.record_refs():
            ref = values.get(field.name)
            if ref:
                target = self.by_title.get(ref[0])
                if target is None or ref[1] not in found.get(target.name, set()):
                    problems.append(Problem(prefix + field.wire_name(version or "v1"),
                                            f"{ref[0]} {ref[1]} does not exist"))

    def lookup(self, conn: sa.Connection, clinic_id: int, resource_name: str, record_id: int) -> Record | None:
        """A linked record, for rules that look across resources."""
        resource = self.registry[resource_name]
        rows = records.select_by_ids(conn, self.tables[resource.table], clinic_id, [record_id])
        return self._record(resource, rows[0]._mapping) if rows else None


def _columns(resource: Resource, values: dict[str, Any]) -> dict[str, Any]:
    """Field values -> column values (a record reference takes two columns)."""
    columns: dict[str, Any] = {}
    for name, value in values.items():
        field = resource.field_map.get(name)
        if field is None or not field.stored:
            continue
        columns.update(field.type.to_columns(name, value))
    return columns


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
