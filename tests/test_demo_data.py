"""Demo data: lookups, then owners, animals and their clinical histories in bulk, on SQLite and (when
configured) PostgreSQL.

The bulk path writes rows straight through the driver; DESIGN.md asks that it be "proven to give the same
rows" as the engine. ``check_rules`` does that: for a sample of every table the load writes, it reads the record
through the engine and runs its rules as the engine runs them on a write (a create with the record's own
values, a no-op update, and the update a record needs to reach its state: cancelling an appointment), asserting
no refusal, no planned write the load did not make, and that every value the engine would store (what the
rules derive, the defaults it fills) is the stored one. SQL checks the rest over whole tables: counts, links
inside the clinic, record_count, unique ids and microchips, search indexes, and that one clinic's demo data
never touches another's.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from conftest import migrated_database
from openvet import demo
from openvet.demo import bulk, memberships
from openvet.engine import Engine
from openvet.engine.problems import ValidationFailed
from openvet.resources import REGISTRY
from openvet.resources.fields import Children, Guid, Link, LinkList, RecordRef, TypedLink, Uid, Upload
from openvet.services.credentials import create_clinic
from openvet.store import records
from openvet.store.blobs import Blobs
from openvet.store.database import connect
from openvet.store.filters import Condition

pytestmark = pytest.mark.both_databases  # behaviour that differs between the databases

TABLES = [resource.table for resource in REGISTRY.values() if not resource.listed_by]  # (WebHookEvents: no table)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """Bulk loading is checked against row counts: every test here gets an empty database of its own
    (this overrides the shared, session-wide ``engine`` of conftest.py for this module only)."""
    with migrated_database(request.param, tmp_path) as url:
        made = Engine(connect(url))
        yield made
        made.close()


@pytest.fixture(autouse=True)
def members_in_bulk(monkeypatch):
    """These loads are small: their dogs and cats get memberships in bulk as a large load's do (a load under
    ``MEMBERS_FROM`` animals otherwise keeps the few that wellness.py enrols through the engine), and more of them
    paused and cancelled, so that a few hundred animals have every kind."""
    monkeypatch.setattr(memberships, "MEMBERS_FROM", 0)
    monkeypatch.setattr(memberships, "PAUSED", 0.2)
    monkeypatch.setattr(memberships, "CANCELLED", 0.2)


@pytest.fixture
def blobs(tmp_path) -> Blobs:
    """The file store the demo's attachments are kept in."""
    return Blobs(tmp_path / "data")


def load(engine: Engine, clinic_id: int, animals: int, blobs: Blobs) -> None:
    demo.load_animals(engine, clinic_id, animals, show_progress=False, blobs=blobs)


def new_clinic(engine: Engine, slug: str) -> int:
    with engine.db.begin() as conn:
        clinic_id = create_clinic(conn, slug, slug.title())
    demo.seed_settings(engine, clinic_id, "Pacific/Auckland")
    demo.seed_lookups(engine, clinic_id)
    return clinic_id


def scalar(engine: Engine, sql: str, **params) -> int:
    with engine.db.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def clinic_rows(engine: Engine, clinic_id: int) -> dict[str, list[tuple]]:
    with engine.db.connect() as conn:
        return {name: [tuple(row) for row in conn.execute(
                    sa.select(engine.tables[name]).where(engine.tables[name].c.clinic_id == clinic_id)
                    .order_by(engine.tables[name].c.id))]
                for name in TABLES}


def check_clinic(engine: Engine, clinic_id: int, animals: int) -> None:
    c = {"c": clinic_id}
    assert scalar(engine, "SELECT count(*) FROM animal WHERE clinic_id = :c", **c) == animals
    # every animal's owner is a contact of the same clinic
    assert scalar(engine, "SELECT count(*) FROM animal a LEFT JOIN contact o ON o.id = a.contact_id "
                          "AND o.clinic_id = a.clinic_id WHERE a.clinic_id = :c AND o.id IS NULL", **c) == 0
    # every breed belongs to the animal's species, and lookups are the clinic's own
    assert scalar(engine, "SELECT count(*) FROM animal a JOIN breed b ON b.id = a.breed_id "
                          "WHERE a.clinic_id = :c AND (b.species_id <> a.species_id "
                          "OR b.clinic_id <> a.clinic_id)", **c) == 0
    assert scalar(engine, "SELECT count(*) FROM animal a LEFT JOIN species s ON s.id = a.species_id "
                          "AND s.clinic_id = a.clinic_id WHERE a.clinic_id = :c AND s.id IS NULL", **c) == 0
    assert scalar(engine, "SELECT count(*) FROM animal a LEFT JOIN sex s ON s.id = a.sex_id "
                          "AND s.clinic_id = a.clinic_id WHERE a.clinic_id = :c AND s.id IS NULL", **c) == 0
    # owners: one to three contact details each, of the seeded types, and a physical address of their own
    owner = "o.clinic_id = :c AND EXISTS (SELECT 1 FROM animal a WHERE a.contact_id = o.id)"
    assert scalar(engine, f"SELECT count(*) FROM contact o WHERE {owner} AND NOT EXISTS "
                          "(SELECT 1 FROM contactdetail d WHERE d.contact_id = o.id)", **c) == 0
    assert scalar(engine, "SELECT count(*) FROM contactdetail d LEFT JOIN contactdetailtype t "
                          "ON t.id = d.contact_detail_type_id AND t.clinic_id = d.clinic_id "
                          "WHERE d.clinic_id = :c AND t.id IS NULL", **c) == 0
    assert scalar(engine, "SELECT count(*) FROM contact o LEFT JOIN address a ON a.id = o.address_physical "
                          "AND a.for_resource_type = 'Contact' AND a.for_resource_id = o.id "
                          f"AND a.clinic_id = o.clinic_id WHERE {owner} AND a.id IS NULL", **c) == 0
    owners = scalar(engine, "SELECT count(DISTINCT contact_id) FROM animal WHERE clinic_id = :c", **c)
    assert animals / 2.5 < owners < animals
    # record_count (with the changes appended to it on PostgreSQL) says what is really there
    with engine.db.connect() as conn:
        for name in TABLES:
            table = engine.tables[name]
            real = conn.execute(sa.select(sa.func.count()).where(table.c.clinic_id == clinic_id)).scalar_one()
            assert records.count(conn, table, clinic_id, []) == real, name
    # ids and microchips are unique, guids and uids are filled
    for name in ("animal", "contact", "contactdetail", "address"):
        assert scalar(engine, f"SELECT count(*) - count(DISTINCT id) FROM {name}") == 0
    assert scalar(engine, "SELECT count(microchip_number) - count(DISTINCT microchip_number) "
                          "FROM animal") == 0
    assert scalar(engine, "SELECT count(*) FROM animal WHERE microchip_number IS NOT NULL "
                          "AND length(microchip_number) <> 15") == 0
    assert scalar(engine, "SELECT count(*) FROM animal WHERE clinic_id = :c AND (guid IS NULL "
                          "OR length(guid) <> 36)", **c) == 0
    assert scalar(engine, "SELECT count(*) FROM contact WHERE clinic_id = :c AND uid NOT LIKE 'contact\\_%' "
                          "ESCAPE '\\'", **c) == 0
    assert scalar(engine, "SELECT count(*) FROM animal WHERE clinic_id = :c AND (active IS NULL "
                          "OR created_at IS NULL OR modified_at < created_at)", **c) == 0
    for name in demo.TABLES:
        assert scalar(engine, f"SELECT count(*) FROM {name} WHERE clinic_id = :c AND (active IS NULL "
                              f"OR created_at IS NULL OR modified_at < created_at OR created_at > :now)",
                      now=int(time.time()) + 1, **c) == 0, name
    check_links(engine, clinic_id)
    check_search(engine, clinic_id)
    check_billing(engine, clinic_id)
    check_stock(engine, clinic_id)
    check_wellness(engine, clinic_id)


def check_wellness(engine: Engine, clinic_id: int) -> None:
    """Over whole tables: members are living dogs and cats of owners who may be invoiced, joined after they were
    registered; a membership's status periods tile its life from its start (the last open, unless its term ended:
    then closed at its end), the last one its status; each has a credit of each benefit that is not optional from
    its first cycle, none used; and ``renew_due`` at the end of the load finds nothing to do: the load did what
    time passing does (credits refreshed, terms ended and renewed)."""
    from openvet.services.wellness import renew_due

    now = int(time.time())
    with engine.db.connect() as conn:
        def rows(name: str, **equal) -> list[dict]:
            return engine.find(conn, clinic_id, name, equal)

        members = rows("wellnessplanmembership")
        assert members, "no memberships"
        animals = {a["id"]: a for a in rows("animal")}
        species = {s["id"]: s["name"] for s in rows("species")}
        stopped = {c["id"] for c in rows("contact", stop_credit="STOP")}
        benefits = {}
        for benefit in rows("wellnessplanbenefit"):
            if not benefit["optional"]:
                benefits.setdefault(benefit["wellnessplan_id"], set()).add(benefit["id"])
        for member in members:
            animal = animals[member["animal_id"]]
            assert species[animal["species_id"]] in ("Canine", "Feline") and not animal["is_dead"], member
            assert animal["contact_id"] not in stopped and member["start_date"] > animal["created_at"], member
            periods = sorted(rows("wellnessplanmembershipstatusperiod", wellness_plan_membership=member["id"]),
                             key=lambda p: p["start_date"])
            assert periods[0]["start_date"] == member["start_date"] and periods[0]["start_cycle"] == 1, member
            assert all(b["start_date"] == a["end_date"] + 1 for a, b in zip(periods, periods[1:], strict=False))
            if member["previous_wellness_plan_membership"] is not None:  # a renewal: from the second after
                renewed = engine.lookup(conn, clinic_id, "wellnessplanmembership",
                                        member["previous_wellness_plan_membership"])
                assert renewed["end_date"] + 1 == member["start_date"] and renewed["animal_id"] == animal["id"]
            assert periods[-1]["status"] == member["status"].lower(), (member, periods)
            ended = member["end_date"] < now and member["status"] != "Cancelled"
            assert periods[-1]["end_date"] == (member["end_date"] if ended else None), (member, periods)
            credits = rows("billingcredit", wellness_plan_membership_id=member["id"])
            assert {c["wellness_plan_benefit_id"] for c in credits if c["wellness_plan_membership_cycle_id"] == 1} \
                == benefits.get(member["wellness_plan"], set()), member
            assert all(c["used"] == 0 for c in credits)
    done = renew_due(engine, now, [clinic_id])  # nothing due, and no bulk membership billed behind the clinic's back
    assert set(done.values()) == {0} and "memberships_billed" in done, done


def check_stock(engine: Engine, clinic_id: int) -> None:
    """Over whole tables: every Finalised invoice line of a tracked product dispensed it, once (its quantity out of
    its location, dated its invoice's approval), and no other line did; the demo's stocked products are tracked;
    a tracked product's ledger, read in time order (receipts of a moment before what they supply), never goes
    below nothing; and the stocklevel question answers its sum."""
    from openvet.demo.stock import SUPPLIED
    from openvet.services import Reading
    from openvet.services.stock import stocklevel

    with engine.db.connect() as conn:
        products = {p["id"]: p for p in engine.find(conn, clinic_id, "product", {})}
        tracked = {i for i, p in products.items() if p.get("tracking_level") == "Product"}
        assert {products[i]["code"] for i in tracked} == set(SUPPLIED)
        approvals = {i["id"]: i["date_approved"] for i in engine.find(conn, clinic_id, "invoice", {})}
        dispensed = {}
        for row in engine.find(conn, clinic_id, "stocktransaction", {"for_class": "InvoiceLine"}):
            assert row["for_id"] not in dispensed, row
            dispensed[row["for_id"]] = row
        lines = engine.find(conn, clinic_id, "invoiceline", {})
        for line in lines:
            row = dispensed.pop(line["id"], None)
            if line["status"] != "Finalised" or line["product_id"] not in tracked:
                assert row is None, line
                continue
            assert row is not None, line
            assert (row["quantity"], row["product_id"], row["separation_id"], row["date"], row["status"]) == (
                -line["quantity"], line["product_id"], line["location_id"], approvals[line["invoice_id"]],
                "Finalised"), (line, row)
        assert not dispensed  # no ledger row names a line that is not there
        assert any(line["status"] == "Finalised" and line["product_id"] in tracked for line in lines)
        ledger = sorted((r["date"], r["quantity"] < 0, r["product_id"], r["quantity"])
                         for r in engine.find(conn, clinic_id, "stocktransaction", {}))
        balance: dict[int, Decimal] = {}
        for date, _, product_id, quantity in ledger:
            balance[product_id] = balance.get(product_id, Decimal(0)) + quantity
            assert balance[product_id] >= 0, (products[product_id]["code"], date, balance[product_id])
        levels = stocklevel(Reading(engine, conn, clinic_id), [products[i] for i in sorted(tracked)])
        for product_id, level in levels.items():
            assert level["in_stock"] == balance.get(product_id, 0), products[product_id]["code"]


def check_billing(engine: Engine, clinic_id: int) -> None:
    """Over whole tables: a completed consult of an owner not on stop credit has one invoice, and no other consult
    has one; an invoice's figures are the sums of its lines; codes are unique; a payment's allocations add up to
    its allocated, never beyond its amount, nor beyond the invoice's total; some invoices are paid, some in part,
    some overdue."""
    c = {"c": clinic_id}
    completed = ("SELECT k.id FROM consult k JOIN appointment a ON a.consult_id = k.id JOIN appointmentstatus s "
                 "ON s.id = a.status_id JOIN animal n ON n.id = k.animal_id JOIN contact o ON o.id = n.contact_id "
                 "WHERE k.clinic_id = :c AND s.name = 'Completed' AND o.stop_credit <> 'STOP'")
    assert scalar(engine, f"SELECT count(*) FROM ({completed}) x", **c) == scalar(
        engine, "SELECT count(*) FROM invoice WHERE clinic_id = :c", **c) > 0
    assert scalar(engine, f"SELECT count(*) FROM invoice i WHERE i.clinic_id = :c AND i.consult_id NOT IN "
                          f"({completed})", **c) == 0
    assert scalar(engine, "SELECT count(*) - count(DISTINCT code) FROM invoice WHERE clinic_id = :c", **c) == 0
    t = engine.tables  # amounts compared in Python: SQLite keeps them as integers of each column's own scale
    with engine.db.connect() as conn:
        def rows(name: str, *columns: str) -> list[tuple]:
            return [tuple(r) for r in conn.execute(sa.select(*(t[name].c[n] for n in columns)).where(
                t[name].c.clinic_id == clinic_id))]

        lines, allocated, allocations = {}, {}, {}
        for invoice_id, total, tax in rows("invoiceline", "invoice_id", "total", "total_tax"):
            subtotal_, tax_ = lines.get(invoice_id, (Decimal(0), Decimal(0)))
            lines[invoice_id] = (subtotal_ + total, tax_ + tax)
        for payment_id, invoice_id, amount in rows("paymentallocation", "payment_id", "invoice_id", "amount"):
            allocated[invoice_id] = allocated.get(invoice_id, Decimal(0)) + amount
            allocations[payment_id] = allocations.get(payment_id, Decimal(0)) + amount
        for invoice_id, subtotal, tax, total, outstanding in rows("invoice", "id", "subtotal", "tax", "total",
                                                                   "outstanding"):
            assert (subtotal, tax) == lines[invoice_id] and total == subtotal + tax, invoice_id
            assert outstanding == total - allocated.get(invoice_id, 0) >= 0, invoice_id
        for payment_id, amount, paid, available in rows("payment", "id", "amount", "allocated", "available"):
            assert paid == allocations[payment_id] <= amount and available == amount - paid, payment_id
    assert scalar(engine, "SELECT count(*) FROM invoiceline l JOIN product p ON p.id = l.product_id "
                          "WHERE l.clinic_id = :c AND (p.clinic_id <> l.clinic_id OR l.name <> p.name)", **c) == 0
    now = int(time.time())
    approved = "FROM invoice WHERE clinic_id = :c AND date_approved > 0"
    assert scalar(engine, f"SELECT count(*) {approved} AND outstanding = 0", **c) > 0  # paid
    assert scalar(engine, f"SELECT count(*) {approved} AND outstanding > 0 AND outstanding < total", **c) > 0
    assert scalar(engine, f"SELECT count(*) {approved} AND outstanding = total AND date_due < :now", now=now,
                  **c) > 0  # overdue
    assert scalar(engine, "SELECT count(*) FROM payment WHERE clinic_id = :c AND available > 0", **c) > 0  # surplus


# The tables demo data writes: the bulk load's, and what practice.py seeds through the engine for it
WRITTEN = (*demo.TABLES, "user", "resource", "productgroup", "product", "diagnostic", "integrateddiagnostic", "file")
SAMPLE = 25  # records checked per table, besides one of each kind (status, type, kind of record linked)
KINDS = {"appointment": ("status_id", "type_id"), "communication": ("communicating_type", "contact_detail_type_id"),
         "attachment": ("record_type",), "diagnosticrequestitem": ("diagnostic_class",),
         "diagnosticresult": ("supplier_id",), "wellnessplanmembership": ("status", "wellness_plan"),
         "billingcredit": ("wellness_plan_membership_cycle_id",)}
SYSTEM = ("id", "created_at", "modified_at")
GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"


class _Undo(Exception):
    """Ends the checking transaction: nothing it did is kept."""


def sample_ids(conn: sa.Connection, table: sa.Table, clinic_id: int) -> list[int]:
    """Some records of the table, the same ones every run, with the first of each kind (KINDS)."""
    mine = table.c.clinic_id == clinic_id
    ids = set(conn.execute(sa.select(table.c.id).where(mine).order_by((table.c.id * 7919) % 1009).limit(SAMPLE))
              .scalars())
    for column in KINDS.get(table.name, ()):
        ids |= set(conn.execute(sa.select(sa.func.min(table.c.id)).where(mine).group_by(table.c[column])).scalars())
    if table.name == "invoice":  # and those a member's credit would cover, made again without the membership
        ids |= set(covered_invoices(conn, clinic_id))
    if table.name == "wellnessplanmembership":  # all of them: a few dozen
        ids |= set(conn.execute(sa.select(table.c.id).where(mine)).scalars())
    return sorted(ids)


def covered_invoices(conn: sa.Connection, clinic_id: int) -> list[int]:
    """Invoices with a line of a product that a credit of the animal's Active membership covered when the
    invoice was made: made again with the membership, the engine would discount them."""
    return list(conn.execute(sa.text(
        "SELECT DISTINCT i.id FROM invoice i JOIN wellnessplanmembership m ON m.animal_id = i.animal_id "
        "AND m.status = 'Active' AND i.created_at BETWEEN m.start_date AND m.end_date "
        "JOIN invoiceline l ON l.invoice_id = i.id JOIN billingcredit c ON c.wellness_plan_membership_id = m.id "
        "AND i.created_at BETWEEN c.start_date AND c.end_date JOIN wellnessplanbenefititem b "
        "ON b.wellness_plan_benefit = c.wellness_plan_benefit_id AND b.associated_id = l.product_id "
        "WHERE i.clinic_id = :c ORDER BY i.id"), {"c": clinic_id}).scalars())


def body_of(resource, record: dict) -> dict:
    """What a client (or the clinic itself) sends to create this record: its own values of the fields a create
    may set, with the children its declaration requires, and a File's bytes as the upload they were."""
    body = {}
    for f in resource.fields:
        value = record.get(f.name)
        if not f.create or value is None or f.name in SYSTEM or isinstance(f.type, Uid):
            continue
        if isinstance(f.type, Children):
            if f.mandatory:
                child = REGISTRY[f.type.target]
                body[f.name] = [{k: v for k, v in body_of(child, kid).items() if k != f.type.via} for kid in value]
        elif isinstance(f.type, RecordRef):
            body[f.name] = {value[0]: {"id": value[1]}}
        elif f.stored:
            body[f.name] = value
    if resource.name == "file":
        body["file_data"] = Upload(record["name"], record["mime_type"], record["content_key"], record["size"])
    return body


def check_rules(engine: Engine, clinic_id: int) -> int:
    """Runs the engine's rules over a sample of every table demo data writes, as the engine would on the writes
    that made each record; answers how many records were checked. See the module's docstring."""
    checked = 0
    failures: list[str] = []
    with engine.db.connect() as conn:
        samples = {name: sample_ids(conn, engine.tables[REGISTRY[name].table], clinic_id) for name in WRITTEN}
    try:
        with engine.writing(clinic_id) as writer:
            # a record was made while its animal was active; some animals were deactivated since (is_dead)
            writer.conn.execute(sa.update(engine.tables["animal"]).where(
                engine.tables["animal"].c.clinic_id == clinic_id).values(active=True))
            for name, ids in samples.items():
                resource = REGISTRY[name]
                assert ids or name in ("diagnosticresult", "diagnosticresultitem", "priceadjustment"), \
                    f"demo data wrote no {name}"
                for record_id in ids:
                    record = engine.lookup(writer.conn, clinic_id, name, record_id, full=True)
                    if name in REPLAYED:
                        problems = REPLAYED[name](writer, record)
                    elif name in THROUGH_PARENT:
                        problems = through_parent(writer, name, record)
                    else:
                        problems = check_record(writer, resource, record)
                    failures += [f"{name} {record_id}: {p}" for p in problems]
                    checked += 1
            raise _Undo
    except _Undo:
        pass
    assert not failures, "\n".join(sorted({f.split(" ", 2)[0] + " " + f.split(": ", 1)[1][:150] for f in failures}))
    return checked


def check_record(writer, resource, record: dict) -> list[str]:
    out: list[str] = []
    writer.now = record["created_at"]  # NOW defaults (a lab request's timestamp) are the moment it was made
    problems: list = []
    plan = writer.check_new(resource, body_of(resource, record), None, problems)
    out += [f"create refused: {p.field}: {p.message}" for p in problems]
    out += [f"create plans a write the load did not make: {e.kind} {e.resource}" for e in plan.change.effects]
    expected = dict(plan.values)
    for name, made_from_id in plan.change.after_insert:
        expected[name] = made_from_id(record["id"])
    later = {f.name: record[f.name] for f in resource.fields
             if f.stored and not f.create and f.update and record.get(f.name) is not None and f.name not in SYSTEM}
    if later:  # reached by an update: a cancelled appointment was made, then cancelled (cancel: true)
        if "cancel" in resource.field_map and {"cancellation_reason", "cancellation_reason_text"} & later.keys():
            later["cancel"] = True
        before = {**record, **expected, **dict.fromkeys(later, None)}
        problems = []
        update = writer.check_change(resource, before, later, None, problems)
        out += [f"update refused: {p.field}: {p.message}" for p in problems]
        expected.update({k: v for k, v in update.values.items() if resource.field_map[k].stored})
    problems = []
    again = writer.check_change(resource, record, {}, None, problems)  # a write that changes nothing
    out += [f"no-op update refused: {p.field}: {p.message}" for p in problems]
    out += [f"no-op update derives {k}={v!r}, stored {record.get(k)!r}" for k, v in again.values.items()
            if v != record.get(k)]
    for f in resource.fields:
        if not f.stored or f.name in SYSTEM or isinstance(f.type, Uid):
            continue
        stored, engine_would = record.get(f.name), expected.get(f.name)
        if isinstance(f.type, LinkList):
            stored, engine_would = list(stored or []), list(engine_would or [])
        if stored != engine_would:
            out.append(f"{f.name} is {stored!r}; the engine would store {engine_would!r}")
    for f in resource.fields:
        if not isinstance(f.type, Uid) or not f.stored:
            continue
        made = record.get(f.name) or ""
        if isinstance(f.type, Guid) and not re.fullmatch(GUID, made):
            out.append(f"{f.name} {made!r} is not a GUID")
        elif not isinstance(f.type, Guid) and not made.startswith(f.type.prefix + "_"):
            out.append(f"{f.name} {made!r} is not a uid of {f.type.prefix}")
    return out


# Billing is proven by replay: a sampled invoice is made again through the engine from what a client sends (its
# contact, animal, consult, dates and approval, and per line the product, quantity, salesperson, ownership and
# location), and every value the engine works out (names, prices, tax, totals, statuses) must be the stored one; a
# payment is made again, allocated as it was to its invoices made again, and its figures and their outstanding
# must be the stored ones. A line or an allocation is proven with its invoice or its payment.
LINE_SENT = ("product_id", "quantity", "sales_person", "ownership_id", "location_id")
NOT_REPLAYED = (*SYSTEM, "code", "invoice_id", "payment_id", "receive_invoice_id")


def differences(what: str, stored: dict, made: dict, resource, skip: tuple = ()) -> list[str]:
    return [f"{what}{f.name} is {stored.get(f.name)!r}; the engine makes {made.get(f.name)!r}"
            for f in resource.fields if f.stored and f.name not in (*NOT_REPLAYED, *skip)
            and not isinstance(f.type, (Uid, Children)) and stored.get(f.name) != made.get(f.name)]


def replay_invoice(writer, record: dict, compare: bool = True) -> tuple[int | None, list[str]]:
    """The invoice made again through the engine; (its new id, what differs)."""
    engine, clinic_id, conn = writer.engine, writer.clinic_id, writer.conn
    lines = engine.find(conn, clinic_id, "invoiceline", {"invoice_id": record["id"]})
    body = body_of(REGISTRY["invoice"], record)
    body["line_item"] = [{k: line[k] for k in LINE_SENT} for line in lines]
    writer.now = record["created_at"]
    # the bulk memberships are recorded as if entered after the consults were invoiced: the invoice was made
    # before its animal's membership was, so it is made again without it (its lines take no benefit)
    members = engine.tables["wellnessplanmembership"]
    mine = sa.and_(members.c.clinic_id == clinic_id, members.c.animal_id == record["animal_id"],
                   members.c.active.is_(True))
    hidden = list(conn.execute(sa.select(members.c.id).where(mine)).scalars())
    conn.execute(sa.update(members).where(members.c.id.in_(hidden)).values(active=False))
    try:
        made_id = writer.create(REGISTRY["invoice"], body, None)
    except ValidationFailed as failed:
        return None, [f"refused: {p.field}: {p.reason}" for p in failed.problems]
    finally:
        conn.execute(sa.update(members).where(members.c.id.in_(hidden)).values(active=True))
    made = engine.lookup(conn, clinic_id, "invoice", made_id)
    out = [] if record["code"] == str(400_000 + record["id"]) else [f"code {record['code']} is not 400000 + id"]
    if not compare:
        return made_id, out
    allocated = sum((a["amount"] for a in engine.find(conn, clinic_id, "paymentallocation",
                                                       {"invoice_id": record["id"]})), Decimal(0))
    out += differences("", {**record, "outstanding": record["outstanding"] + allocated}, made, REGISTRY["invoice"])
    again = engine.find(conn, clinic_id, "invoiceline", {"invoice_id": made_id})
    if len(again) != len(lines):
        return made_id, [*out, f"{len(lines)} lines; the engine makes {len(again)}"]
    for n, (line, remade) in enumerate(zip(lines, again, strict=True)):
        out += differences(f"line {n}: ", line, remade, REGISTRY["invoiceline"])
        out += same_ledger_rows(writer, f"line {n}", "InvoiceLine", line["id"], remade["id"])
    return made_id, out


def same_ledger_rows(writer, what: str, kind: str, stored_id: int, made_id: int) -> list[str]:
    """The ledger rows the stored record moved (none, or one) are those the engine's copy moved."""
    engine, clinic_id, conn = writer.engine, writer.clinic_id, writer.conn
    moved = [engine.find(conn, clinic_id, "stocktransaction", {"for_class": kind, "for_id": i})
             for i in (stored_id, made_id)]
    if len(moved[0]) != len(moved[1]):
        return [f"{what}: {len(moved[0])} ledger rows; the engine makes {len(moved[1])}"]
    return [p for stored, made in zip(*moved, strict=True)
            for p in differences(f"{what}'s ledger row: ", stored, made, REGISTRY["stocktransaction"],
                                 skip=("for_id",))]


def replay_invoice_check(writer, record: dict) -> list[str]:
    return replay_invoice(writer, record)[1]


def replay_payment(writer, record: dict) -> list[str]:
    """The payment made again through the engine, allocated as it was to its invoices made again."""
    engine, clinic_id, conn = writer.engine, writer.clinic_id, writer.conn
    allocations = engine.find(conn, clinic_id, "paymentallocation", {"payment_id": record["id"]})
    out, copies = [], {}
    for allocation in allocations:
        invoice = engine.lookup(conn, clinic_id, "invoice", allocation["invoice_id"])
        copies[invoice["id"]], problems = replay_invoice(writer, invoice, compare=False)
        out += [f"its invoice {invoice['id']}: {p}" for p in problems]
    if None in copies.values():
        return out
    body = body_of(REGISTRY["payment"], record)
    body["allocation"] = [{"invoice_id": copies[a["invoice_id"]], "amount": a["amount"]} for a in allocations]
    writer.now = record["created_at"]
    try:
        made_id = writer.create(REGISTRY["payment"], body, None)
    except ValidationFailed as failed:
        return [*out, *(f"refused: {p.field}: {p.reason}" for p in failed.problems)]
    out += differences("", record, engine.lookup(conn, clinic_id, "payment", made_id), REGISTRY["payment"])
    for original, copy in copies.items():
        stored = engine.lookup(conn, clinic_id, "invoice", original)
        remade = engine.lookup(conn, clinic_id, "invoice", copy)
        if (stored["outstanding"], stored["modified_at"]) != (remade["outstanding"], remade["modified_at"]):
            out.append(f"invoice {original} owes {stored['outstanding']} (modified {stored['modified_at']}); paid "
                       f"by the engine it owes {remade['outstanding']} (modified {remade['modified_at']})")
    return out


def replay_receipt(writer, record: dict) -> list[str]:
    """A restock receipt made again through the engine as the wholesaler invoiced it: per item, the outers of its
    ProductSupplier, at its expected price of an outer and the tax of its TaxRate; its items and their ledger rows
    must be the stored ones. Receipts ``stock.py`` wrote through the engine itself are not replayed."""
    engine, clinic_id, conn = writer.engine, writer.clinic_id, writer.conn
    if not record["invoice_number"].startswith("VS-R"):
        return []
    items = engine.find(conn, clinic_id, "receiveinvoiceitem", {"receive_invoice_id": record["id"]})
    sent = []
    for kid in items:
        supplied = engine.lookup(conn, clinic_id, "productsupplier", kid["product_supplier_id"])
        rate = engine.lookup(conn, clinic_id, "taxrate", supplied["tax_rate_id"])["rate"]
        sent.append({"supplier_code": kid["supplier_code"], "quantity": kid["quantity"] / supplied["units_per_outer"],
                     "price": supplied["expected_price"], "location_id": kid["location_id"],
                     "tax": (supplied["expected_price"] * rate / 100).quantize(Decimal("0.0001"))})
    body = {**body_of(REGISTRY["receiveinvoice"], record), "line_item": sent, "confirm_invoice_number": 1}
    writer.now = record["created_at"]
    try:
        made_id = writer.create(REGISTRY["receiveinvoice"], body, None)
    except ValidationFailed as failed:
        return [f"refused: {p.field}: {p.reason}" for p in failed.problems]
    out = differences("", record, engine.lookup(conn, clinic_id, "receiveinvoice", made_id), REGISTRY["receiveinvoice"])
    again = engine.find(conn, clinic_id, "receiveinvoiceitem", {"receive_invoice_id": made_id})
    if len(again) != len(items):
        return [*out, f"{len(items)} items; the engine makes {len(again)}"]
    for n, (kid, remade) in enumerate(zip(items, again, strict=True)):
        out += differences(f"item {n}: ", kid, remade, REGISTRY["receiveinvoiceitem"])
        out += same_ledger_rows(writer, f"item {n}", "ReceiveInvoiceItem", kid["id"], remade["id"])
    return out


def through_parent(writer, name: str, record: dict) -> list[str]:
    """A line, an allocation, a receipt item or a ledger row is proven with its invoice, payment or receipt (a
    ledger row with the invoice line that dispensed it or the receipt item that received it); an adjustment's
    ledger row was written through the engine (``stock.py``)."""
    engine, clinic_id, conn = writer.engine, writer.clinic_id, writer.conn
    if name == "stocktransaction":
        name = {"ReceiveInvoiceItem": "receiveinvoiceitem", "InvoiceLine": "invoiceline"}.get(record["for_class"])
        if name is None:
            return []
        record = engine.lookup(conn, clinic_id, name, record["for_id"])
    parent, link = THROUGH_PARENT[name]
    return REPLAYED[parent](writer, engine.lookup(conn, clinic_id, parent, record[link], full=True))


PERIOD = "wellnessplanmembershipstatusperiod"
UNBILLED = ("billed_cycles", "next_bill_date")  # null on a bulk membership (never billed: docs/demo-data.md)


def replay_membership(writer, record: dict) -> list[str]:
    """The membership made again through the engine as its life went: created at its start as a client sends it,
    then each change its status periods record (a pause for their cycles, a cancellation with the option its
    PriceAdjustment names), made at the moment its period starts, with what ``renew_due`` does meanwhile done the
    second it falls due (``catch_up``). Compared: the membership, its status periods and its credits, and nothing
    else: what it invoices (joining and cycle fees, a renewal's) is not written in bulk (docs/demo-data.md). In a
    savepoint, rolled back; the stored membership's link to the one it renewed is set aside meanwhile, so that
    the engine finds that one not renewed yet."""
    engine, clinic_id, conn = writer.engine, writer.clinic_id, writer.conn
    resource = REGISTRY["wellnessplanmembership"]

    def life(membership_id: int) -> tuple[list[dict], list[dict]]:
        periods = sorted(engine.find(conn, clinic_id, PERIOD, {"wellness_plan_membership": membership_id}),
                         key=lambda p: (p["start_date"], p["id"]))
        credits = sorted(engine.find(conn, clinic_id, "billingcredit", {"wellness_plan_membership_id": membership_id}),
                         key=lambda c: (c["wellness_plan_membership_cycle_id"], c["wellness_plan_benefit_id"],
                                        c["start_date"]))
        return periods, credits

    periods, credits = life(record["id"])
    charged = engine.find(conn, clinic_id, "priceadjustment", {"triggering_type": "WellnessPlanMembership",
                                                              "triggering_id": record["id"]})
    option = re.search(r"\((\w+)\)$", charged[0]["description"]).group(1) if charged else "savings_only"
    table = engine.tables["wellnessplanmembership"]
    savepoint = conn.begin_nested()
    try:
        conn.execute(sa.update(table).where(table.c.id == record["id"]).values(previous_wellness_plan_membership=None))
        writer.now = record["start_date"]
        made_id = writer.create(resource, body_of(resource, record), None)
        for period in periods[1:]:
            catch_up(writer, made_id, period["start_date"])
            writer.now = period["start_date"]
            if period["status"] == "paused":
                body = {"status": "Paused", "pause_length": period["end_cycle"] - period["start_cycle"] + 1}
            elif period["status"] == "cancelled":
                body = {"status": "Cancelled", "cancellation_option": option}
            else:
                body = {"status": "Active"}
            writer.change(resource, engine.lookup(conn, clinic_id, "wellnessplanmembership", made_id, full=True),
                          body, None)
        catch_up(writer, made_id, int(time.time()))
        # not billed in bulk: recorded as made before openvet billed subscriptions (docs/demo-data.md), so that the
        # dispatcher's rounds never bill them behind the clinic's back; the engine's own would be billed
        out = differences("", record, engine.lookup(conn, clinic_id, "wellnessplanmembership", made_id), resource,
                          skip=UNBILLED)
        out += [f"{name} is {record[name]!r}: a bulk membership is not billed" for name in UNBILLED
                if record.get(name) is not None]
        made_periods, made_credits = life(made_id)
        if len(made_periods) != len(periods) or len(made_credits) != len(credits):
            return [*out, f"{len(periods)} periods and {len(credits)} credits; the engine makes {len(made_periods)} "
                          f"and {len(made_credits)}"]
        for n, (stored, made) in enumerate(zip(periods, made_periods, strict=True)):
            out += differences(f"period {n}: ", stored, made, REGISTRY[PERIOD], skip=("wellness_plan_membership",))
        at = {p["id"]: n for rows in (periods, made_periods) for n, p in enumerate(rows)}
        for n, (stored, made) in enumerate(zip(credits, made_credits, strict=True)):
            out += differences(f"credit {n}: ", stored, made, REGISTRY["billingcredit"], skip=(
                "wellness_plan_membership_id", "wellness_plan_membership_status_period_id"))
            if at[stored["wellness_plan_membership_status_period_id"]] != \
                    at[made["wellness_plan_membership_status_period_id"]]:
                out.append(f"credit {n}: of another status period than the engine's")
        renewals = [[(m["start_date"], m["wellness_plan"], m["resource_id"], m["billing_interval"], m["ownership_id"])
                     for m in engine.find(conn, clinic_id, "wellnessplanmembership",
                                          {"previous_wellness_plan_membership": renewed})] for renewed in
                    (record["id"], made_id)]
        if renewals[0] != renewals[1]:
            out.append(f"renewed by {renewals[0]}; the engine renews it by {renewals[1]}")
        return out
    except ValidationFailed as failed:
        return [f"refused: {p.field}: {p.reason}" for p in failed.problems]
    finally:
        savepoint.rollback()


def catch_up(writer, membership_id: int, until: int) -> None:
    """What ``renew_due`` does for one membership by ``until``, each thing at the second after it falls due (a
    credit before the term it ends with): its credits refreshed, its term ended (and renewed, if it renews)."""
    from openvet.services.wellness import end_term, refresh_credit

    engine, clinic_id, conn = writer.engine, writer.clinic_id, writer.conn
    done = dict.fromkeys(("credits_refreshed", "credits_expired", "memberships_ended", "memberships_renewed"), 0)
    while True:
        membership = engine.lookup(conn, clinic_id, "wellnessplanmembership", membership_id)
        due = [c for c in engine.find(conn, clinic_id, "billingcredit", {"wellness_plan_membership_id": membership_id,
                                                                          "active": True})
               if c["expires_in_qty"] and c["end_date"] < until]
        ending = membership["status"] != "Cancelled" and membership["end_date"] < until and engine.find(
            conn, clinic_id, PERIOD, {"wellness_plan_membership": membership_id, "end_date": None, "active": True})
        if due:
            first = min(due, key=lambda c: c["end_date"])
            if not ending or first["end_date"] <= membership["end_date"]:
                writer.now = first["end_date"] + 1
                refresh_credit(writer, clinic_id, first["id"], done)
                continue
        if ending:
            writer.now = membership["end_date"] + 1
            end_term(writer, clinic_id, membership_id, done)
        return


REPLAYED = {"invoice": replay_invoice_check, "payment": replay_payment, "receiveinvoice": replay_receipt,
            "wellnessplanmembership": replay_membership}
THROUGH_PARENT = {"invoiceline": ("invoice", "invoice_id"), "paymentallocation": ("payment", "payment_id"),
                  "receiveinvoiceitem": ("receiveinvoice", "receive_invoice_id"), "stocktransaction": None,
                  PERIOD: ("wellnessplanmembership", "wellness_plan_membership"),
                  "billingcredit": ("wellnessplanmembership", "wellness_plan_membership_id")}


def check_links(engine: Engine, clinic_id: int) -> None:
    """Every link of every row demo data wrote names a record of the same clinic (the samples aside)."""
    by_title = {r.title: r for r in REGISTRY.values()}
    with engine.db.connect() as conn:
        for name in WRITTEN:
            resource = REGISTRY[name]
            table = engine.tables[resource.table]
            for f in resource.fields:
                if not f.stored or not isinstance(f.type, Link):
                    continue
                if isinstance(f.type, TypedLink):
                    kinds = conn.execute(sa.select(table.c[f.type.kind]).distinct().where(
                        table.c.clinic_id == clinic_id, table.c[f.name].is_not(None))).scalars().all()
                    targets = [(by_title[k].table, table.c[f.type.kind] == k) for k in kinds]
                else:
                    targets = [(REGISTRY[f.type.target].table, sa.true())]
                for target_name, only in targets:
                    target = engine.tables[target_name].alias("target")  # a link may name its own table
                    orphans = conn.execute(
                        sa.select(sa.func.count()).select_from(table.outerjoin(
                            target, sa.and_(target.c.id == table.c[f.name], target.c.clinic_id == clinic_id)))
                        .where(table.c.clinic_id == clinic_id, table.c[f.name].is_not(None), only,
                               target.c.id.is_(None))).scalar_one()
                    assert orphans == 0, f"{name}.{f.name}: {orphans} links to no {target_name} of the clinic"
        resources = engine.tables["resource"]
        ours = set(conn.execute(sa.select(resources.c.id).where(resources.c.clinic_id == clinic_id)).scalars())
        appointments = engine.tables["appointment"]
        for sales, booked in conn.execute(sa.select(appointments.c.sales_resource, appointments.c.resources)
                                          .where(appointments.c.clinic_id == clinic_id)):
            assert booked[0] == sales and set(booked) <= ours, (sales, booked)


SEARCHED = (("animal", "name"), ("animal", "microchip_number"), ("contact", "last_name"),
            ("contact", "first_name"), ("contactdetail", "value_cleaned"), ("address", "post_code"),
            ("consult", "code"), ("diagnosticrequest", "reference_number"), ("diagnosticresult", "reference_number"))


def check_search(engine: Engine, clinic_id: int) -> None:
    """Rows written in bulk (executemany on SQLite, COPY on PostgreSQL) are found by contains exactly as a
    scan of the table finds them: fragments of real values, a letter, and a fragment found nowhere."""
    postgresql = engine.db.dialect.name == "postgresql"
    with engine.db.connect() as conn:
        for name, column in SEARCHED:
            table = engine.tables[name]
            values = [v for (v,) in conn.execute(sa.select(table.c[column]).where(
                table.c.clinic_id == clinic_id, table.c[column].is_not(None)).order_by(table.c.id).limit(3))]
            fragments = {v[1:5].upper() for v in values if len(v) > 4} | {"a", "zqxj"}
            for fragment in sorted(fragments):
                column_sql = f"lower({column}) LIKE lower(:p)" if postgresql else f"{column} LIKE :p"
                scanned = [i for (i,) in conn.execute(sa.text(
                    f"SELECT id FROM {name} WHERE clinic_id = :c AND {column_sql} ORDER BY id"),
                    {"c": clinic_id, "p": f"%{fragment}%"})]
                conditions = [Condition(column, "contains", fragment)]
                assert records.count(conn, table, clinic_id, conditions) == len(scanned), (name, column, fragment)
                assert records.select_ids(conn, table, clinic_id, conditions, 50) == scanned[:50], (name, fragment)
            if not postgresql:
                conn.exec_driver_sql(f"INSERT INTO {name}_search ({name}_search, rank) "
                                     "VALUES ('integrity-check', 1)")


def test_lookups_are_seeded_once(engine):
    clinic_id = new_clinic(engine, "riverside")
    before = clinic_rows(engine, clinic_id)
    demo.seed_lookups(engine, clinic_id)
    demo.seed_settings(engine, clinic_id, "Europe/Helsinki")
    assert clinic_rows(engine, clinic_id) == before
    assert scalar(engine, "SELECT provet_code FROM species WHERE name = 'Canine'") == 22001
    assert scalar(engine, "SELECT provet_code FROM sex WHERE abbreviation = 'F'") == 2
    assert scalar(engine, "SELECT count(*) FROM systemsetting WHERE timezone = 'Pacific/Auckland'") == 1
    assert scalar(engine, "SELECT count(*) FROM separation s JOIN separation p ON p.id = s.parent "
                          "WHERE s.type = 'Location' AND p.type = 'Division'") == 3
    assert scalar(engine, "SELECT count(*) FROM species s WHERE NOT EXISTS "
                          "(SELECT 1 FROM breed b WHERE b.species_id = s.id)") == 0


def test_load_animals(engine, blobs):
    clinic_id = new_clinic(engine, "riverside")
    load(engine, clinic_id, 300, blobs)
    check_clinic(engine, clinic_id, 300)
    # the records read back through the engine, and new records still get fresh ids (sequences advanced)
    animal_id = scalar(engine, "SELECT max(id) FROM animal WHERE clinic_id = :c", c=clinic_id)
    animal = engine.get(clinic_id, REGISTRY["animal"], animal_id)
    owner = engine.get(clinic_id, REGISTRY["contact"], animal["contact_id"])
    assert owner["contact_detail_list"] and owner["last_name"]
    with engine.db.begin() as conn:
        added = records.insert(conn, engine.tables["contact"], clinic_id,
                               {"last_name": "Walk-in", "active": True, "created_at": 0, "modified_at": 0})
    assert added > scalar(engine, "SELECT max(id) FROM contact WHERE id <> :i", i=added)
    load(engine, clinic_id, 50, blobs)
    check_clinic(engine, clinic_id, 350)


def test_a_second_clinic_leaves_the_first_alone(engine, blobs):
    first = new_clinic(engine, "riverside")
    load(engine, first, 300, blobs)
    before = clinic_rows(engine, first)
    second = new_clinic(engine, "hillcrest")
    load(engine, second, 120, blobs)
    assert clinic_rows(engine, first) == before
    check_clinic(engine, first, 300)
    check_clinic(engine, second, 120)


def test_ids_taken_meanwhile_are_skipped(engine, blobs, monkeypatch):
    """If another writer takes the ids counted on (SQLite), the rows move past them, links included."""
    clinic_id = new_clinic(engine, "riverside")
    load(engine, clinic_id, 100, blobs)
    made = bulk.NextIds.__init__

    def counting_from_one(self, *args):
        made(self, *args)
        self.next = dict.fromkeys(self.next, 1)

    monkeypatch.setattr(bulk.NextIds, "__init__", counting_from_one)
    monkeypatch.setattr(demo, "CHUNK", 40)
    load(engine, clinic_id, 200, blobs)
    check_clinic(engine, clinic_id, 300)


def test_progress_and_summary_go_to_stderr(engine, blobs, capsys):
    clinic_id = new_clinic(engine, "riverside")
    demo.load_animals(engine, clinic_id, 30, show_progress=True, blobs=blobs)
    out, err = capsys.readouterr()
    assert out == ""
    assert "Loaded 30 animals" in err
    assert "animals and histories" in err and "30/30" in err and "records" in err  # the bar, at its end


def test_loading_twice_never_repeats_a_guid(engine, blobs):
    from openvet.services import clinics

    clinic_id = clinics.create_clinic(engine, f"guids-{uuid.uuid4().hex[:8]}", "Guids", "UTC")
    for _ in range(2):
        load(engine, clinic_id, 40, blobs)
    table = engine.tables["animal"]
    with engine.db.connect() as conn:
        guids = [row.guid for row in conn.execute(sa.select(table.c.guid).where(table.c.clinic_id == clinic_id))]
    assert len(guids) == 80 and len(set(guids)) == 80


def test_bulk_records_are_as_the_engine_makes_them(engine, blobs):
    clinic_id = new_clinic(engine, "riverside")
    load(engine, clinic_id, 300, blobs)
    for _ in range(4):  # whether a member's covered visit falls in its credit's window depends on the seed and the
        with engine.db.connect() as conn:  # clinic's day: more animals, until one does (they are replayed below)
            if covered_invoices(conn, clinic_id):
                break
        load(engine, clinic_id, 150, blobs)
    assert check_rules(engine, clinic_id) > 200
    with engine.db.connect() as conn:  # made again with the membership set aside, as it was recorded after them
        assert covered_invoices(conn, clinic_id)
    # every kind of membership was replayed: active, paused, cancelled, ended, and renewed
    kinds = {"SELECT count(*) FROM wellnessplanmembership WHERE clinic_id = :c AND status = 'Paused'",
             "SELECT count(*) FROM wellnessplanmembership WHERE clinic_id = :c AND status = 'Cancelled'",
             "SELECT count(*) FROM wellnessplanmembership WHERE clinic_id = :c AND status = 'Active' AND end_date > :n",
             "SELECT count(*) FROM wellnessplanmembership WHERE clinic_id = :c AND status = 'Active' AND end_date < :n",
             "SELECT count(*) FROM wellnessplanmembership WHERE clinic_id = :c "
             "AND previous_wellness_plan_membership IS NOT NULL"}
    assert all(scalar(engine, kind, c=clinic_id, n=int(time.time())) for kind in kinds)


def test_bulk_records_read_and_change_through_the_api(engine, blobs, tmp_path):
    """A bulk appointment, consult, vaccination, invoice, payment and receipt read back through the HTTP API in the
    shape of records the API made itself, and take a PATCH (an approved invoice refuses it, as the API's own);
    today's calendar is booked across vets and rooms."""
    from starlette.testclient import TestClient

    from conftest import make_clinic
    from openvet.app import create_app
    from openvet.config import Settings

    settings = Settings(database_url=engine.db.url.render_as_string(hide_password=False), data_dir=tmp_path / "data",
                        public_url="http://testserver")
    clinic = make_clinic(engine, TestClient(create_app(settings, engine)))
    load(engine, clinic.id, 120, blobs)
    zone = ZoneInfo(scalar(engine, "SELECT timezone FROM systemsetting WHERE clinic_id = :c", c=clinic.id))
    today = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    day = int(today.timestamp())
    response = clinic.get("/v2/appointment", params={"start_at": f'{{"gte":{day},"lt":{day + 86400}}}', "limit": 200})
    assert response.status_code == 200, response.text
    booked = [item["appointment"] for item in response.json()["items"]]
    assert booked and all(day <= a["start_at"] < day + 86400 for a in booked)
    assert len({a["sales_resource"] for a in booked}) >= 2
    assert scalar(engine, "SELECT count(*) FROM appointment WHERE clinic_id = :c AND start_at < :d", c=clinic.id,
                  d=day) > scalar(engine, "SELECT count(*) FROM appointment WHERE clinic_id = :c AND start_at >= :d",
                                  c=clinic.id, d=day + 86400) > 0

    appointment = booked[0]
    made = clinic.post("/v2/appointment", {
        key: appointment[key] for key in ("start_at", "duration", "type_id", "status_id", "animal_id",
                                          "contact_id", "sales_resource", "description") if appointment.get(key)})
    assert made.status_code == 200, made.text
    assert made.json()["items"][0]["appointment"].keys() == appointment.keys()
    patched = clinic.patch(f"/v2/appointment/{appointment['id']}", {"status_id": appointment["status_id"],
                                                                   "description": "Owner asks for an early slot"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["items"][0]["appointment"]["description"] == "Owner asks for an early slot"

    consult_id = scalar(engine, "SELECT min(id) FROM consult WHERE clinic_id = :c", c=clinic.id)
    consult = clinic.get(f"/v1/consult/{consult_id}").json()["items"][0]["consult"]
    assert consult["code"] == str(300000 + consult_id)
    made = clinic.post("/v1/consult", {"animal_id": consult["animal_id"], "vet_id": consult["vet_id"],
                                       "date": consult["date"]})
    assert made.status_code == 200, made.text
    assert made.json()["items"][0]["consult"].keys() == consult.keys()
    assert int(clinic.get(f"/v1/consult?animal_id={consult['animal_id']}").json()["meta"]["items_total"]) >= 2

    vaccination_id = scalar(engine, "SELECT min(id) FROM vaccination WHERE clinic_id = :c", c=clinic.id)
    vaccination = clinic.get(f"/v1/vaccination/{vaccination_id}").json()["items"][0]["vaccination"]
    patched = clinic.patch(f"/v1/vaccination/{vaccination_id}", {"notes": "Mild swelling at the injection site"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["items"][0]["vaccination"].keys() == vaccination.keys()

    # billing: a bulk invoice reads as one the API makes; an open one takes a PATCH, an approved one refuses it;
    # its payment reads allocated to it on both sides
    def first(sql: str) -> int:
        return scalar(engine, f"SELECT min(id) FROM {sql}", c=clinic.id)

    def one(response, kind: str) -> dict:
        assert response.status_code == 200, response.text
        return response.json()["items"][0][kind]

    open_id = first("invoice WHERE clinic_id = :c AND date_approved = 0")
    invoice = one(clinic.get(f"/v2/invoice/{open_id}"), "invoice")
    line = invoice["line_item"][0]
    made = one(clinic.post("/v2/invoice", {"contact_id": invoice["contact_id"], "ownership_id": invoice["ownership_id"],
                                           "line_item": [{k: line[k] for k in ("product_id", "quantity",
                                                                               "sales_person", "ownership_id",
                                                                               "location_id")}]}), "invoice")
    assert made.keys() == invoice.keys() and made["line_item"][0].keys() == line.keys()
    assert [made["line_item"][0][k] for k in ("name", "price", "price_tax", "total", "total_tax", "tax_code")] == [
        line[k] for k in ("name", "price", "price_tax", "total", "total_tax", "tax_code")]
    patched = one(clinic.patch("/v2/invoice", {"id": open_id, "customer_reference_number": "PO-7731"}), "invoice")
    assert patched["customer_reference_number"] == "PO-7731" and patched["total"] == invoice["total"]
    paid_id = first("paymentallocation WHERE clinic_id = :c")
    allocation = scalar(engine, "SELECT invoice_id FROM paymentallocation WHERE id = :i", i=paid_id)
    payment_id = scalar(engine, "SELECT payment_id FROM paymentallocation WHERE id = :i", i=paid_id)
    approved = one(clinic.get(f"/v1/invoice/{allocation}"), "invoice")
    assert approved["date_approved"] != "0" and [p["id"] for p in approved["linked_payments"]] == [str(payment_id)]
    refusal = clinic.patch("/v2/invoice", {"id": allocation, "customer_reference_number": "late"})
    assert refusal.status_code == 422 and "date_approved" in refusal.text
    payment = one(clinic.get("/v1/payment", params={"id": payment_id}), "payment")
    assert [i["id"] for i in payment["linked_invoices"]] == [str(allocation)]
    assert Decimal(payment["allocated"]) <= Decimal(payment["amount"])

    # stock: a bulk restock receipt reads as one the API makes, and its item takes a PATCH that moves the ledger
    receipt_id = first("receiveinvoice WHERE clinic_id = :c AND invoice_number LIKE 'VS-R%'")
    receipt = one(clinic.get(f"/v2/receiveinvoice/{receipt_id}"), "receiveinvoice")
    kid = receipt["line_item"][0]
    made = one(clinic.post("/v2/receiveinvoice", {
        "invoice_number": "API-1", "date": receipt["date"], "due_date": receipt["due_date"],
        "supplier_id": receipt["supplier_id"], "line_item": [{"supplier_code": kid["supplier_code"], "quantity": 1,
                                                              "price": 10, "tax": 1}]}), "receiveinvoice")
    assert made.keys() == receipt.keys() and made["line_item"][0].keys() == kid.keys()
    patched = one(clinic.patch(f"/v1/receiveinvoiceitem/{kid['id']}", {"comments": "Counted on arrival"}),
                  "receiveinvoiceitem")
    assert patched["comments"] == "Counted on arrival" and Decimal(patched["quantity"]) == Decimal(str(kid["quantity"]))

    # dispensing: a tracked product's stocklevel answers its ledger, bulk receipts in and bulk invoice lines out
    product_id = first("product WHERE clinic_id = :c AND code = 'VAC-C5'")
    product = one(clinic.get("/v1/product", params={"id": product_id, "questions": '[{"name": "stocklevel"}]'}),
                  "product")
    ledger = [(kind, Decimal(str(q))) for kind, q in clinic_rows_of(engine, "stocktransaction", clinic.id, product_id)]
    assert any(kind == "InvoiceLine" for kind, _ in ledger)
    assert Decimal(product["_answers"]["stocklevel"]["in_stock"]) == sum((q for _, q in ledger), Decimal(0)) > 0

    # wellness: a bulk membership reads as one the API makes, and takes a pause as one would
    membership_id = first("wellnessplanmembership WHERE clinic_id = :c AND status = 'Active' AND end_date > "
                          f"{int(time.time()) + 86400 * 62}")
    membership = one(clinic.get(f"/v2/wellnessplanmembership/{membership_id}"), "wellnessplanmembership")
    made = one(clinic.post("/v2/wellnessplanmembership", {
        key: membership[key] for key in ("wellness_plan", "animal_id", "resource_id", "renew_when_expired",
                                         "start_date", "billing_interval", "ownership_id")}), "wellnessplanmembership")
    assert made.keys() == membership.keys()
    paused = one(clinic.patch(f"/v2/wellnessplanmembership/{membership_id}", {"status": "Paused", "pause_length": 1}),
                 "wellnessplanmembership")
    assert paused["status"] == "Paused" and paused["end_date"] > membership["end_date"]
    response = clinic.get("/v1/wellnessplanmembershipstatusperiod", params={"wellness_plan_membership": membership_id})
    assert response.status_code == 200, response.text
    periods = [i["wellnessplanmembershipstatusperiod"] for i in response.json()["items"]]
    assert sorted(p["status"] for p in periods) == ["active", "paused"]


def clinic_rows_of(engine: Engine, name: str, clinic_id: int, product_id: int) -> list[tuple]:
    table = engine.tables[name]
    with engine.db.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(table.c.for_class, table.c.quantity).where(
            table.c.clinic_id == clinic_id, table.c.product_id == product_id))]
