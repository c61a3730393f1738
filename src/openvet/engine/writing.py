"""The write pipeline: validate → plan → write → events, for every record, in one transaction.

A ``Writer`` lives for one transaction. Every record it writes, whether the client sent it, it sits in a
parent's child list, or a rule planned it, goes through the same steps:

1. *check*: the body is parsed against the declaration (wire names of a version, or field names when the
   version is None), defaults are filled (``NOW``, ``CALLER`` included), mandatory fields and links are
   checked, and the resource's rules run on a ``Change``: they refuse, derive values, or plan writes to
   other records (effects). Child objects and nested records are checked in the same pass, so that one 422
   names every bad field of the record and of its children;
2. *write*: planned writes that the record depends on first, then the row, its nested records and its
   children (each through this same pipeline, with its own rules and events), then the planned writes that
   depend on the record;
3. *events*: ``<endpoint>_created`` / ``_updated`` / ``_disabled`` in the outbox, with the change;
4. *parents*: a record that sits in another record's child list makes that parent's rules run again
   (``on_child_change`` rules, e.g. a total), and the parent records its own ``_updated`` event.

Nothing here commits: the caller's transaction holds every write, so a refusal anywhere changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openvet import services
from openvet.engine.actors import Actor
from openvet.engine.problems import Problem, ValidationFailed
from openvet.resources import Resource
from openvet.resources.fields import (
    ACTING_USER,
    CALLER,
    NOW,
    PARTNER,
    Boolean,
    Children,
    ContextDefault,
    Integer,
    Invalid,
    Link,
    LinkList,
    TypedLink,
    Uid,
    UidRef,
)
from openvet.services import Change, Effect, Pending
from openvet.store import records

if TYPE_CHECKING:
    from openvet.engine.engine import Engine, Record


@dataclass
class Plan:
    """A record checked and ready to write."""

    resource: Resource
    version: str | None
    values: dict[str, Any]
    before: dict[str, Any] | None
    children: dict[str, list] = field(default_factory=dict)
    nested: dict[str, dict] = field(default_factory=dict)
    change: Change | None = None
    prefix: str = ""
    parent: tuple[str, int] | None = None
    under_parent: bool | str = False  # written in a parent's list: True, or the back-link of that list


class _Shape:
    """A resource's fields sorted by what the pipeline does with them, once per resource, so that a write
    does not test every field's type on every step (a tenth of a POST went on isinstance and wire names)."""

    def __init__(self, resource: Resource):
        fields = resource.fields
        self.defaults = tuple(f for f in fields if f.default is not None and f.stored)
        self.uid_refs = tuple(f for f in fields if isinstance(f.type, UidRef))
        self.links = tuple(f for f in fields if isinstance(f.type, (TypedLink, Link, LinkList)))
        self.typed_links = tuple(f for f in fields if isinstance(f.type, TypedLink))
        self.uids = tuple(f for f in fields if isinstance(f.type, Uid) and f.stored)
        self.shown_once = tuple(f for f in fields if f.read and not f.stored)
        self.not_children = tuple(f for f in fields if not isinstance(f.type, Children))
        self.wire: dict[str, dict[str, str]] = {}  # version -> field name -> wire name

    def where(self, resource: Resource, version: str | None) -> dict[str, str]:
        version = version or "v1"
        found = self.wire.get(version)
        if found is None:
            found = self.wire[version] = {f.name: f.wire_name(version) for f in resource.fields}
        return found


_SHAPES: dict[int, tuple[Resource, _Shape]] = {}


def shape(resource: Resource) -> _Shape:
    kept = _SHAPES.get(id(resource))
    if kept is None or kept[0] is not resource:
        kept = _SHAPES[id(resource)] = (resource, _Shape(resource))
    return kept[1]


class Writer:
    def __init__(self, engine: Engine, conn, actor: Actor, now: int):
        self.engine = engine
        self.conn = conn
        self.actor = actor
        self.now = now
        # (resource, id) -> values a rule worked out for fields that are never stored (a WebHook's secret):
        # the answer to this write shows them, no later read can
        self.shown_once: dict[tuple[str, int], dict[str, Any]] = {}
        self.warnings: list[Problem] = []  # what rules allowed but want said (``Change.warn``)

    @property
    def clinic_id(self) -> int:
        return self.actor.clinic_id

    def table(self, resource: Resource):
        return self.engine.tables[resource.table]

    # the record's life --------------------------------------------------------------------------------

    def create(self, resource: Resource, body: dict, version: str | None, *, prefix: str = "",
               parent: tuple[str, int] | None = None, enforce_mandatory: bool = True,
               under_parent: bool = False) -> int:
        problems: list[Problem] = []
        plan = self.check_new(resource, body, version, problems, prefix, parent, enforce_mandatory)
        if problems:
            raise ValidationFailed(_unique(problems))
        plan.under_parent = under_parent
        return self.write_new(plan)

    def change(self, resource: Resource, before: Record, body: dict, version: str | None, *, prefix: str = "",
               enforce_mandatory: bool = True, under_parent: bool | str = False) -> bool:
        problems: list[Problem] = []
        plan = self.check_change(resource, before, body, version, problems, prefix, enforce_mandatory)
        if problems:
            raise ValidationFailed(_unique(problems))
        plan.under_parent = under_parent
        return self.write_change(plan)

    def deactivate(self, resource: Resource, before: Record, *, prefix: str = "",
                   under_parent: bool | str = False) -> bool:
        """DELETE: ``active`` false through the pipeline (rules may refuse). An inactive record is left as it
        is: no new ``modified_at``, no second ``_disabled`` event."""
        if not before.get("active"):
            return False
        return self.change(resource, before, {"active": False}, None, prefix=prefix, enforce_mandatory=False,
                           under_parent=under_parent)

    # checking -----------------------------------------------------------------------------------------

    def check_new(self, resource: Resource, body: dict, version: str | None, problems: list[Problem],
                  prefix: str = "", parent: tuple[str, int] | None = None, enforce_mandatory: bool = True,
                  rules: bool = True) -> Plan:
        """A record to create: parsed, defaulted, required fields and links checked, rules run (``rules``
        false when its parent is not written yet: they run when it is). ``parent``: (back-link, parent id)."""
        values, children, nested = self.parse(resource, body, version, "create", problems, prefix)
        if parent:
            problems += self.parent_keys(resource, body, version, {parent[0]}, prefix)
            for f in resource.fields:
                if f.name == parent[0] or (isinstance(f.type, UidRef) and f.type.via == parent[0]):
                    values.pop(f.name, None)
            values[parent[0]] = parent[1]
        for f in shape(resource).defaults:
            if f.name not in values:
                values[f.name] = self.default(f.default)
        if enforce_mandatory:
            relaxed = self.engine.relaxed.get((resource.name, parent[0]), ()) if parent else ()
            self.require(resource, values, children, version, problems, prefix, parent[0] if parent else None,
                         relaxed=relaxed)
        plan = Plan(resource, version, values, None, children, nested, prefix=prefix, parent=parent)
        if rules:
            plan.change = self.run_rules(resource, values, dict(values), None, version, problems, prefix,
                                         listed=parent is not None, lists=children)
        else:  # the rules run when the record is written; a kind they may work out is not required yet
            self.check_links(resource, values, values, version, problems, prefix, defer_kinds=True)
        self.check_children(plan, problems, full=False)
        return plan

    def check_change(self, resource: Resource, before: Record, body: dict, version: str | None,
                     problems: list[Problem], prefix: str = "", enforce_mandatory: bool = True) -> Plan:
        values, children, nested = self.parse(resource, body, version, "update", problems, prefix)
        if enforce_mandatory:
            self.require(resource, values, children, version, problems, prefix, updating=True)
        plan = Plan(resource, version, values, before, children, nested, prefix=prefix)
        plan.change = self.run_rules(resource, values, {**before, **values}, before, version, problems, prefix,
                                     lists=children)
        self.check_children(plan, problems, full=True)
        return plan

    def check_shape(self, resource: Resource, body: dict, version: str | None, problems: list[Problem]) -> None:
        """A PATCH body checked without a record to apply it to (its filters matched none): its fields, and the
        fields of the records it would create in child lists or nested links, as far as they go alone."""
        values, children, nested = self.parse(resource, body, version, "update", problems)
        plan = Plan(resource, version, values, None, {name: [i for i in items if isinstance(i, dict) and
                                                             i.get("id") in (None, "")]
                                                      for name, items in children.items()}, nested)
        self.check_children(plan, problems, full=False)

    def default(self, value: Any) -> Any:
        if value is NOW:
            return self.now
        if value is CALLER:
            return self.actor.credential_id
        if value is PARTNER:
            return self.actor.partner_id
        if value is ACTING_USER:
            return self.actor.user_id
        return value

    def run_rules(self, resource, values, record, before, version, problems, prefix,
                  child_changed: bool = False, listed: bool = False, lists: dict | None = None) -> Change:
        """The links the client wrote, the rules, then the links the rules worked out (a result's animal taken
        from its request) and the polymorphic links whose kind only a rule could tell."""
        self.check_links(resource, values, record, version, problems, prefix, defer_kinds=True)
        sent = dict(values)
        change = Change(self.engine, self.conn, self.actor, resource, values, record, before, version, problems, prefix,
                        child_changed=child_changed, listed=listed, now=self.now, warnings=self.warnings,
                        lists=lists or {})
        if before is not None:
            change.this.id = before["id"]
        for name in resource.rules:
            registered = services.RULES[name]
            if child_changed and not registered.on_child_change:
                continue
            registered.function(change)
        later = {k: v for k, v in values.items() if k not in sent or sent[k] is not v}
        for f in shape(resource).typed_links:
            if record.get(f.name) is None:
                continue
            unknown_kind = f.name in values and not record.get(f.type.kind)
            kind_changed = f.type.kind in values and f.type.kind not in sent or f.type.kind in later
            if unknown_kind or kind_changed or (f.type.kind in values and f.name not in values):
                later[f.name] = record[f.name]  # the id, checked against the kind it now has
        if later:
            self.check_links(resource, later, record, version, problems, prefix)
        return change

    def parse(self, resource: Resource, body: dict, version: str | None, operation: str, problems: list[Problem],
              prefix: str = "") -> tuple[dict[str, Any], dict[str, list], dict[str, dict]]:
        """Body (wire names of ``version``, or field names when ``version`` is None) -> parsed values, child
        lists and nested records (a link written as a whole object)."""
        names = resource.wire_map(version) if version else resource.field_map
        values: dict[str, Any] = {}
        children: dict[str, list] = {}
        nested: dict[str, dict] = {}
        if not isinstance(body, dict):
            problems.append(Problem(prefix.rstrip(".") or None, "must be a JSON object"))
            return values, children, nested
        for key, raw in _flatten(body, names):
            f = names.get(key)
            where = prefix + key
            if f is None:
                problems.append(Problem(where, f"is not a field of {resource.title}"))
                continue
            allowed = f.create if operation == "create" else f.update
            if not allowed:
                if key == "id" and operation == "update":
                    continue  # an id in a PATCH body names the record already named by the path
                problems.append(Problem(where, f"cannot be set on {operation}"))
                continue
            if isinstance(f.type, Link) and f.type.nested and isinstance(raw, dict):
                nested[f.name] = raw  # created with the record, then linked
                continue
            if isinstance(f.type, Children):
                if not isinstance(raw, list):
                    problems.append(Problem(where, "must be a list"))
                else:
                    children[f.name] = raw
                continue
            if raw is None and (f.mandatory_on(version) or f.default is not None) and not isinstance(f.type, LinkList):
                problems.append(Problem(where, "cannot be null: it always has a value"))
                continue
            if isinstance(raw, str) and not raw.strip() and f.mandatory_on(version) and isinstance(f.type, Boolean):
                problems.append(Problem(where, "is required"))  # not a blank read as a value ("" is false)
                continue
            try:
                values[f.name] = None if raw is None else f.type.parse(raw)
                f.type.bounded(values[f.name])
            except Invalid as error:
                problems.append(Problem(where, str(error)))
        return values, children, nested

    def check_children(self, plan: Plan, problems: list[Problem], full: bool) -> None:
        """The child objects and nested records of a write, checked before anything is written: their shape
        always; their fields and links when ``full`` (a new parent's children are checked field by field in
        ``check_new``, and run their rules when written, once the parent's id is known)."""
        resource, version, before = plan.resource, plan.version, plan.before
        for name, body in plan.nested.items():
            f = resource.field_map[name]
            target = self.engine.registry[f.type.target]
            where = f"{plan.prefix}{f.wire_name(version or 'v1')}."
            owners = {ref.name for ref in target.record_refs()}
            problems += self.parent_keys(target, body, version, owners, where)
            wire = target.wire_map(version) if version else target.field_map
            body = {k: v for k, v in body.items() if getattr(wire.get(k), "name", None) not in owners}
            self.check_new(target, body, version, problems, where, rules=False)
        for name, items in plan.children.items():
            f = resource.field_map[name]
            child = self.engine.registry[f.type.target]
            where = plan.prefix + f.wire_name(version or "v1")
            current = {kid["id"]: kid for kid in self.engine.children_of(self.conn, self.clinic_id, resource, name,
                                                                       before["id"])} if before else {}
            for index, item in enumerate(items):
                at = f"{where}[{index}]"
                if isinstance(item, dict) and (before is None or item.get("id") in (None, "")):
                    self.check_new(child, item, version, problems, f"{at}.",
                                   (f.type.via, before["id"] if before else None), rules=False)
                    continue
                if before is None:
                    problems.append(Problem(at, f"must be a {child.title} object"))
                    continue
                child_id = _child_id(item)
                if child_id is None:
                    problems.append(Problem(f"{at}.id", "must be an integer"))
                    continue
                if child_id not in current:
                    problems.append(Problem(f"{at}.id", f"is not a {child.title} of this {resource.title}"))
                    continue
                if isinstance(item, dict) and len(item) > 1:
                    body = {k: v for k, v in item.items() if k != "id"}
                    problems += self.parent_keys(child, body, version, {f.type.via}, f"{at}.")
                    values, _, _ = self.parse(child, body, version, "update", problems, f"{at}.")
                    values.pop(f.type.via, None)
                    self.require(child, values, {}, version, problems, f"{at}.", updating=True)
                    self.check_links(child, values, {**current[child_id], **values}, version, problems, f"{at}.")

    @staticmethod
    def parent_keys(resource: Resource, body, version, names: set[str], prefix: str) -> list[Problem]:
        """A child object may not name its parent: the parent it is written under is its parent."""
        if not isinstance(body, dict):
            return []
        wire = resource.wire_map(version) if version else resource.field_map
        refused = []
        for key in body:
            f = wire.get(key)
            if f and (f.name in names or (isinstance(f.type, UidRef) and f.type.via in names)):
                refused.append(Problem(prefix + key, "is set by the parent"))
        return refused

    @staticmethod
    def require(resource: Resource, values, children, version, problems, prefix="", parent_field=None,
                updating=False, relaxed: tuple[str, ...] = ()) -> None:
        """Mandatory fields must hold something (whitespace is nothing); on update, those the body sets, and
        those the version requires on every update. ``relaxed``: fields a parent's list may leave out."""
        already = {p.field for p in problems}
        wire = shape(resource).where(resource, version)
        for f in shape(resource).not_children:
            if f.name == parent_field or f.name in relaxed:
                continue
            name = prefix + wire[f.name]
            # on update: what the version requires every time, and what the body sets but may not blank
            mandatory = f.mandatory_on(version)
            required = ((f.required_on_update and version) or (mandatory and f.name in values)) if updating \
                else mandatory
            if required and _blank(values.get(f.name)) and name not in already:
                problems.append(Problem(name, "is required"))
        for f in resource.children():
            sent_or_due = f.name in children or not updating or bool(f.required_on_update and version)
            if f.mandatory_on(version) and sent_or_due and not children.get(f.name):
                problems.append(Problem(prefix + f.wire_name(version or "v1"), "must list at least one item"))

    def check_links(self, resource: Resource, values, record, version, problems, prefix="",
                    defer_kinds: bool = False) -> None:
        """Every linked record must exist in the same clinic: one query for all of a write's links.
        ``defer_kinds``: a polymorphic id whose kind is not known yet is left for after the rules."""
        kind = shape(resource)
        where = _Prefixed(prefix, kind.where(resource, version))
        for f in kind.uid_refs:
            if values.get(f.name):
                target = self.engine.registry[f.type.target]
                found_id = records.id_by_uid(self.conn, self.table(target), self.clinic_id, values[f.name])
                if found_id is None:
                    problems.append(Problem(where[f.name], f"no {target.title} has uid {values[f.name]}"))
                elif values.get(f.type.via) not in (None, found_id):
                    problems.append(Problem(where[f.name], f"names another record than {f.type.via}"))
                else:
                    values[f.type.via] = found_id
                    record[f.type.via] = found_id
        wanted: list[tuple[str, str, int]] = []  # (field, target endpoint, id)
        for f in kind.links:
            value = values.get(f.name)
            if value is None or isinstance(value, Pending):
                continue
            if isinstance(f.type, TypedLink):
                title = record.get(f.type.kind)
                target = self.engine.by_title.get(title) if title else None
                if target is None:
                    if not defer_kinds:
                        problems.append(Problem(where[f.name], f"needs {where.get(f.type.kind, f.type.kind)} "
                                                               "to say what kind of record it is"))
                    continue
                wanted.append((f.name, target.name, value))
            elif isinstance(f.type, Link):
                wanted.append((f.name, f.type.target, value))
            elif isinstance(f.type, LinkList):
                wanted += [(f.name, f.type.target, v) for v in value]
        for f in resource.record_refs():
            ref = values.get(f.name)
            if ref:
                target = self.engine.by_title.get(ref[0])
                if target is None:
                    problems.append(Problem(where[f.name], f"{ref[0]} {ref[1]} does not exist"))
                else:
                    wanted.append((f.name, target.name, ref[1]))
        if not wanted:
            return
        tables: dict = {}
        for _, target, record_id in wanted:
            tables.setdefault(self.table(self.engine.registry[target]), set()).add(record_id)
        existing = records.existing(self.conn, self.clinic_id, tables)
        for name, target, record_id in wanted:
            resource_of = self.engine.registry[target]
            if record_id not in existing.get(resource_of.table, ()):
                problems.append(Problem(where[name], f"{resource_of.title} {record_id} does not exist"))

    # writing ------------------------------------------------------------------------------------------

    def write_new(self, plan: Plan) -> int:
        resource, values, change = plan.resource, plan.values, plan.change
        first, then = _order(change.effects if change else [], change.this if change else None)
        for effect in first:
            self.run_effect(effect)
        _resolve(values)
        for f in shape(resource).uids:
            values[f.name] = f.type.make()
        values.update(active=values.get("active", True), created_at=self.now, modified_at=self.now)
        record_id = records.insert(self.conn, self.table(resource), self.clinic_id, _columns(resource, values))
        once = {f.name: values[f.name] for f in shape(resource).shown_once if f.name in values}
        if once:
            self.shown_once[(resource.name, record_id)] = once
        if change:
            change.this.id = record_id
            later = {name: function(record_id) for name, function in change.after_insert}
            if later:
                records.update(self.conn, self.table(resource), self.clinic_id, [record_id], _columns(resource, later))
        self.write_nested(plan, record_id)
        problems: list[Problem] = []
        for name, items in plan.children.items():
            f = resource.field_map[name]
            child = self.engine.registry[f.type.target]
            for index, item in enumerate(items):
                try:
                    self.create(child, item, plan.version, prefix=f"{plan.prefix}{f.wire_name(plan.version or 'v1')}"
                                f"[{index}].", parent=(f.type.via, record_id), under_parent=True)
                except ValidationFailed as failed:  # every child's problems in one answer
                    problems += failed.problems
        if problems:
            raise ValidationFailed(problems)
        for effect in then:
            self.run_effect(effect)
        if plan.children:
            self.touch(resource, record_id, event=False)
        self.record_event(resource, "created", record_id)
        if resource.name in self.engine.parents:  # the parent listing it is touched by its own write
            listing = plan.parent[0] if plan.under_parent and plan.parent else None
            if listing or not plan.under_parent:
                self.touch_parents(resource, None, self.engine.lookup(self.conn, self.clinic_id, resource.name,
                                                                      record_id), skip=listing)
        return record_id

    def write_change(self, plan: Plan) -> bool:
        resource, values, before, change = plan.resource, plan.values, plan.before, plan.change
        effects = change.effects if change else []
        if not values and not plan.children and not plan.nested and not effects:
            return False  # an empty body changes nothing: no new modified_at, no event
        first, then = _order(effects, change.this if change else None)
        for effect in first:
            self.run_effect(effect)
        _resolve(values)
        values["modified_at"] = self.now
        records.update(self.conn, self.table(resource), self.clinic_id, [before["id"]], _columns(resource, values))
        self.write_nested(plan, before["id"])
        for name, items in plan.children.items():
            self.replace_children(plan, name, items)
        for effect in then:
            self.run_effect(effect)
        if plan.children:
            self.touch(resource, before["id"], event=False)
        disabled = before.get("active") and values.get("active") is False
        self.record_event(resource, "disabled" if disabled else "updated", before["id"])
        listing = plan.under_parent if isinstance(plan.under_parent, str) else None
        if (listing or not plan.under_parent) and resource.name in self.engine.parents:
            after = self.engine.lookup(self.conn, self.clinic_id, resource.name, before["id"])
            self.touch_parents(resource, before, after, skip=listing)
        return True

    def write_nested(self, plan: Plan, record_id: int) -> None:
        """Links written as whole objects (Contact ``address_physical``): create that record, owned by this
        one when it has an owner reference left unset, link it, and retire the one it replaces."""
        resource, version = plan.resource, plan.version
        for name, body in plan.nested.items():
            f = resource.field_map[name]
            target = self.engine.registry[f.type.target]
            body = dict(body)
            for ref in target.record_refs():
                if resource.title in ref.type.targets:
                    body[ref.wire_name(version or "v1")] = {resource.title: {"id": record_id}}
            new_id = self.create(target, body, version, prefix=f"{plan.prefix}{f.wire_name(version or 'v1')}.")
            records.update(self.conn, self.table(resource), self.clinic_id, [record_id], {f.name: new_id})
            if plan.before is not None:
                self.retire_nested(resource, f, plan.before)

    def retire_nested(self, resource: Resource, f, before: Record) -> None:
        """A new nested record in place of the old one deactivates the old one, when it belonged to this
        record: it no longer claims an owner that points elsewhere."""
        old_id = before.get(f.name)
        if old_id is None:
            return
        target = self.engine.registry[f.type.target]
        old = self.engine.lookup(self.conn, self.clinic_id, target.name, old_id)
        if old and old.get("active") and (resource.title, before["id"]) in {
                old.get(ref.name) for ref in target.record_refs()}:
            self.deactivate(target, old)

    def replace_children(self, plan: Plan, name: str, items: list) -> None:
        """A PATCHed child list is the new set: objects without id are created, listed ids kept (and changed,
        through their own rules, when given as objects), every other active child deactivated."""
        resource, version, parent_id = plan.resource, plan.version, plan.before["id"]
        f = resource.field_map[name]
        child = self.engine.registry[f.type.target]
        current = {kid["id"]: kid for kid in self.engine.children_of(self.conn, self.clinic_id, resource, name,
                                                                   parent_id)}
        keep: set[int] = set()
        problems: list[Problem] = []
        for index, item in enumerate(items):
            where = f"{plan.prefix}{f.wire_name(version or 'v1')}[{index}]."
            try:
                if isinstance(item, dict) and item.get("id") in (None, ""):
                    self.create(child, item, version, prefix=where, parent=(f.type.via, parent_id), under_parent=True)
                    continue
                child_id = _child_id(item)
                keep.add(child_id)
                if isinstance(item, dict) and len(item) > 1:
                    body = {k: v for k, v in item.items() if k != "id"}
                    self.change(child, current[child_id], body, version, prefix=where, under_parent=f.type.via)
            except ValidationFailed as failed:
                problems += failed.problems
        if problems:
            raise ValidationFailed(problems)
        for child_id in sorted(set(current) - keep):
            self.deactivate(child, current[child_id], under_parent=f.type.via)

    def run_effect(self, effect: Effect) -> None:
        target = self.engine.registry[effect.resource]
        values = {k: (v.id if isinstance(v, Pending) else v) for k, v in effect.values.items()}
        record_id = effect.record_id.id if isinstance(effect.record_id, Pending) else effect.record_id
        if effect.kind == "create":
            effect.result.id = self.create(target, values, None, prefix=effect.where)
            return
        before = self.engine.lookup(self.conn, self.clinic_id, target.name, record_id, full=True)
        if before is None:
            raise ValidationFailed([Problem(effect.where.rstrip(".") or None,
                                            f"{target.title} {record_id} does not exist")])
        if effect.kind == "deactivate":
            self.deactivate(target, before, prefix=effect.where)
        else:
            self.change(target, before, values, None, prefix=effect.where, enforce_mandatory=False)

    # parents and events -------------------------------------------------------------------------------

    def touch(self, resource: Resource, record_id: int, event: bool = True) -> None:
        """A child in one of this record's lists was written: its ``on_child_change`` rules run again, the
        values they work out are written, and (``event``) the record says it was updated."""
        before = self.engine.lookup(self.conn, self.clinic_id, resource.name, record_id, full=True)
        if before is None:
            return
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        change = self.run_rules(resource, values, dict(before), before, None, problems, "", child_changed=True)
        if problems:
            raise ValidationFailed(_unique(problems))
        derived = {k: v for k, v in values.items() if before.get(k) != v}
        if event:
            derived["modified_at"] = self.now
        if derived:
            _resolve(derived)
            records.update(self.conn, self.table(resource), self.clinic_id, [record_id], _columns(resource, derived))
        for effect in change.effects:
            self.run_effect(effect)
        if event:
            self.record_event(resource, "updated", record_id)
            if resource.name in self.engine.parents:
                after = self.engine.lookup(self.conn, self.clinic_id, resource.name, record_id)
                self.touch_parents(resource, before, after)

    def touch_parents(self, resource: Resource, before: Record | None, after: Record | None,
                      skip: str | None = None) -> None:
        """The parents whose child lists hold this record, before and after the write (it may have moved);
        ``skip``: the back-link of the list it was written in (that parent is touched by its own write), so that a
        record listed by two parents (a payment's allocation to an invoice) touches the other one."""
        for parent, f in self.engine.parents.get(resource.name, ()):
            if f.type.via == skip:
                continue
            ids = {r.get(f.type.via) for r in (before, after) if r}
            for parent_id in sorted(i for i in ids if i is not None):
                self.touch(parent, parent_id)

    def record_event(self, resource: Resource, event: str, record_id: int) -> None:
        if event in resource.events:
            records.record_event(self.conn, self.clinic_id, f"{resource.name}_{event}", resource.name, record_id,
                                 self.now)


class _Prefixed:
    """Field name -> wire name behind a prefix, worked out only for the fields a problem names."""

    __slots__ = ("names", "prefix")

    def __init__(self, prefix: str, names: dict[str, str]):
        self.prefix, self.names = prefix, names

    def __getitem__(self, name: str) -> str:
        return self.prefix + self.names[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.prefix + self.names[name] if name in self.names else default


def _flatten(body: dict, names: dict) -> list[tuple[str, Any]]:
    """Body items as (wire name, value); an object whose key begins nested wire names (``details``) is
    opened into them (``details.animal_id``)."""
    out = []
    for key, raw in body.items():
        if key in names or not isinstance(raw, dict):  # the common case: no scan of every name for nested ones
            out.append((key, raw))
            continue
        inside = {n[len(key) + 1:]: f for n, f in names.items() if n.startswith(f"{key}.")}
        if inside:
            out += [(f"{key}.{inner}", value) for inner, value in _flatten(raw, inside)]
        else:
            out.append((key, raw))
    return out


def _order(effects: list[Effect], this: Pending | None) -> tuple[list[Effect], list[Effect]]:
    """Planned writes split into those to make before the record (the record may need their ids) and those
    after it (they need the record's id, or the id of another write that does)."""
    late: set[int] = set()
    first, then = [], []
    for effect in effects:
        needs = effect.pendings()
        if any(p is this and this.id is None for p in needs) or any(id(p) in late for p in needs):
            then.append(effect)
            if effect.result is not None:
                late.add(id(effect.result))
        else:
            first.append(effect)
    return first, then


def _resolve(values: dict[str, Any]) -> None:
    for key, value in values.items():
        if isinstance(value, Pending):
            if value.id is None:
                raise RuntimeError(f"{key} needs the id of {value.label}, which is not written yet")
            values[key] = value.id


def _child_id(item: Any) -> int | None:
    raw = item.get("id") if isinstance(item, dict) else item
    try:
        return Integer().parse(raw)  # not int(): "١٢" and 1.9 are no ids
    except Invalid:
        return None


def _columns(resource: Resource, values: dict[str, Any]) -> dict[str, Any]:
    """Field values -> column values (a record reference takes two columns); write-only inputs are dropped."""
    columns: dict[str, Any] = {}
    for name, value in values.items():
        f = resource.field_map.get(name)
        if f is None or not f.stored:
            continue
        columns.update(f.type.to_columns(name, value))
    return columns


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


__all__ = ["CALLER", "NOW", "ContextDefault", "Plan", "Writer"]
