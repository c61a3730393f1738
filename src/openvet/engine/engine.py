"""The engine proper. One instance per process; it holds the database engine and the tables."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from openvet import services
from openvet.engine.problems import NotFound, Problem, ValidationFailed
from openvet.resources import REGISTRY, Resource
from openvet.resources.fields import Children, Invalid, Link, Uid, UidRef
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
        unknown = {f"{r.name}: {rule}" for r in registry.values() for rule in r.rules if rule not in services.RULES}
        if unknown:  # a declaration names a rule nobody wrote: refuse to start rather than fail on a write
            raise LookupError("no such rule in openvet.services: " + ", ".join(sorted(unknown)))

    # reading -------------------------------------------------------------------------------------------

    def list(self, clinic_id: int, resource: Resource, conditions: list[Condition], page: int,
             limit: int) -> Page:
        table = self.tables[resource.table]
        with self.db.connect() as conn:
            rows = records.select_page(conn, table, clinic_id, conditions, (page - 1) * limit, limit)
            total = (len(rows) if page == 1 and len(rows) < limit
                     else records.count(conn, table, clinic_id, conditions))
            return Page(self._records(conn, clinic_id, resource, rows), total)

    def get(self, clinic_id: int, resource: Resource, record_id: int) -> Record:
        with self.db.connect() as conn:
            return self._get(conn, clinic_id, resource, record_id)

    def first(self, clinic_id: int, resource: Resource) -> Record | None:
        """The one record of a singleton resource (SystemSetting)."""
        with self.db.connect() as conn:
            rows = records.select_page(conn, self.tables[resource.table], clinic_id, [], 0, 1)
            found = self._records(conn, clinic_id, resource, rows)
            return found[0] if found else None

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
        with self.db.begin() as conn:
            record_id = self._create(conn, clinic_id, resource, body, version, int(time.time()),
                                     enforce_mandatory=enforce_mandatory)
            return self._get(conn, clinic_id, resource, record_id)

    def update(self, clinic_id: int, resource: Resource, conditions: list[Condition], body: dict[str, Any],
               version: str | None, limit: int | None) -> Outcome:
        now = int(time.time())
        with self.db.begin() as conn:
            table = self.tables[resource.table]
            matched = records.count(conn, table, clinic_id, conditions) if conditions else 0
            ids = records.select_ids(conn, table, clinic_id, conditions, limit)
            befores = self._records(conn, clinic_id, resource, records.select_by_ids(conn, table, clinic_id, ids))
            problems: list[Problem] = []
            plans = []
            for before in befores:
                values, children = self._parse(resource, body, version, "update", problems)
                merged = {**before, **values}
                self._check(conn, clinic_id, resource, values, merged, before, children, version, problems)
                plans.append((before, values, children))
            if problems:
                raise ValidationFailed(_unique(problems))
            for before, values, children in plans:
                values["modified_at"] = now
                records.update(conn, table, clinic_id, [before["id"]], _columns(resource, values))
                for name, items in children.items():
                    field = resource.field_map[name]
                    if isinstance(field.type, Link):
                        failed = self._link_new(conn, clinic_id, resource, field, before["id"], items, version, now)
                        if failed:
                            raise ValidationFailed(failed)
                    else:
                        self._replace_children(conn, clinic_id, resource, name, before["id"], items, version, now)
                records.record_event(conn, clinic_id, f"{resource.name}_updated", resource.name, before["id"], now)
            written = self._records(conn, clinic_id, resource, records.select_by_ids(conn, table, clinic_id, ids))
            return Outcome(max(matched, len(ids)), len(ids), written)

    def delete(self, clinic_id: int, resource: Resource, conditions: list[Condition],
               limit: int | None) -> Outcome:
        """Deactivates (``active`` false) every match; nothing is erased."""
        now = int(time.time())
        with self.db.begin() as conn:
            table = self.tables[resource.table]
            matched = records.count(conn, table, clinic_id, conditions) if conditions else 0
            ids = records.select_ids(conn, table, clinic_id, conditions, limit)
            records.update(conn, table, clinic_id, ids, {"active": False, "modified_at": now})
            for record_id in ids:
                records.record_event(conn, clinic_id, f"{resource.name}_disabled", resource.name, record_id, now)
            written = self._records(conn, clinic_id, resource, records.select_by_ids(conn, table, clinic_id, ids))
            return Outcome(max(matched, len(ids)), len(ids), written)

    def _create(self, conn: sa.Connection, clinic_id: int, resource: Resource, body: dict[str, Any],
                version: str | None, now: int, parent: tuple[str, int] | None = None,
                prefix: str = "", enforce_mandatory: bool = True) -> int:
        problems: list[Problem] = []
        values, children = self._parse(resource, body, version, "create", problems, prefix)
        if parent:
            values[parent[0]] = parent[1]
        for field in resource.fields:
            if field.name not in values and field.default is not None and field.stored:
                values[field.name] = field.default
        already = {p.field for p in problems}
        for field in resource.fields:
            missing = enforce_mandatory and field.mandatory and field.stored and values.get(field.name) in (None, "")
            name = prefix + field.wire_name(version or "v1")
            if missing and name not in already and not (parent and field.name == parent[0]):
                problems.append(Problem(name, "is required"))
        for field in resource.children():
            if enforce_mandatory and field.mandatory and not children.get(field.name):
                problems.append(Problem(prefix + field.wire_name(version or "v1"), "must list at least one item"))
        self._check(conn, clinic_id, resource, values, values, None, children, version, problems, prefix)
        if problems:
            for name, items in children.items():  # report the children's own mistakes in the same answer
                field = resource.field_map[name]
                child = self.registry[field.type.target]
                where = f"{prefix}{field.wire_name(version or 'v1')}"
                if isinstance(field.type, Link):
                    self._parse(child, items, version, "create", problems, f"{where}.")
                    continue
                for index, item in enumerate(items):
                    if isinstance(item, dict):
                        self._parse(child, item, version, "create", problems, f"{where}[{index}].")
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
        body = dict(body)
        for ref in target.record_refs():
            if ref.wire_name(version or "v1") not in body and resource.title in ref.type.targets:
                body[ref.wire_name(version or "v1")] = {resource.title: {"id": record_id}}
        try:
            new_id = self._create(conn, clinic_id, target, body, version, now,
                                  prefix=f"{prefix}{field.wire_name(version or 'v1')}.")
        except ValidationFailed as failed:
            return failed.problems
        records.update(conn, self.tables[resource.table], clinic_id, [record_id], {field.name: new_id})
        return []

    def _replace_children(self, conn, clinic_id, resource, name, parent_id, items, version, now) -> None:
        """A PATCHed child list is the new set: objects without id are created, listed ids kept (and
        updated when given as objects), every other active child deactivated."""
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
            raw_id = item.get("id") if isinstance(item, dict) else item
            try:
                child_id = int(raw_id)
            except (TypeError, ValueError):
                raise ValidationFailed([Problem(where + "id", "must be an integer")]) from None
            if child_id not in current:
                raise ValidationFailed([Problem(where + "id", f"is not a {child.title} of this {resource.title}")])
            keep.add(child_id)
            if isinstance(item, dict) and len(item) > 1:
                problems: list[Problem] = []
                values, _ = self._parse(child, {k: v for k, v in item.items() if k != "id"}, version,
                                        "update", problems, where)
                self._check_links(conn, clinic_id, child, values, version, problems, where)
                if problems:
                    raise ValidationFailed(problems)
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
            if raw is None and (field.mandatory or field.default is not None):
                problems.append(Problem(where, "cannot be null: it always has a value"))
                continue
            try:
                values[field.name] = None if raw is None else field.type.parse(raw)
            except Invalid as error:
                problems.append(Problem(where, str(error)))
        return values, children

    def _check(self, conn, clinic_id, resource, values, merged, before, children, version, problems,
               prefix: str = "") -> None:
        self._check_links(conn, clinic_id, resource, values, version, problems, prefix)
        for name, items in children.items():
            if before is None and isinstance(resource.field_map[name].type, Children):
                field = resource.field_map[name]
                child = self.registry[field.type.target]
                for index, item in enumerate(items):
                    if not isinstance(item, dict):
                        problems.append(Problem(f"{prefix}{field.wire_name(version or 'v1')}[{index}]",
                                                f"must be a {child.title} object"))
        for rule in resource.rules:
            services.RULES[rule](services.Change(self, conn, clinic_id, resource, values, merged, before,
                                                 version, problems, prefix))

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
                target = next((r.name for r in self.registry.values() if r.title == ref[0]), None)
                if target:
                    wanted.setdefault(target, set()).add(ref[1])
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
                target = next((r for r in self.registry.values() if r.title == ref[0]), None)
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


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
