"""The demo practice's billing: every completed consult of the bulk load is invoiced (but those of owners on stop
credit), priced from the clinic's products, approved once a week old, then paid in full, in part or not at all
(overdue), by payments never allocated beyond their amount. ``tests/test_demo_data.py`` proves the rows are the
engine's (replayed through it) and reads them over HTTP; here, what a clinic's books look like."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from openvet import demo
from openvet.demo.billing import seed_billing
from openvet.services import Reading
from openvet.services.billing import balances
from openvet.services.credentials import create_clinic
from openvet.store.blobs import Blobs

WEEK = 7 * 86_400


@pytest.mark.both_databases
def test_every_completed_consult_of_the_demo_is_invoiced_and_some_are_paid(engine, tmp_path):
    with engine.db.begin() as conn:
        clinic_id = create_clinic(conn, f"billing-demo-{tmp_path.name}"[:60], "Billing demo")
    demo.seed_settings(engine, clinic_id, "Pacific/Auckland")
    demo.seed_lookups(engine, clinic_id)
    demo.load_animals(engine, clinic_id, 60, show_progress=False, blobs=Blobs(tmp_path / "data"))
    now = int(time.time())
    assert seed_billing(engine, clinic_id, now) == 0  # the bulk load billed them: a clinic with invoices is left
    with engine.db.connect() as conn:
        stopped = {c["id"] for c in engine.find(conn, clinic_id, "contact", {"stop_credit": "STOP"})}
        owner_of = {a["id"]: a["contact_id"] for a in engine.find(conn, clinic_id, "animal", {})}
        statuses = {s["id"]: s["name"] for s in engine.find(conn, clinic_id, "appointmentstatus", {})}
        completed = {a["consult_id"] for a in engine.find(conn, clinic_id, "appointment", {})
                     if a["consult_id"] and statuses[a["status_id"]] == "Completed"}
        consults = [c for c in engine.find(conn, clinic_id, "consult", {})
                    if owner_of[c["animal_id"]] not in stopped and c["id"] in completed]
        invoices = [engine.lookup(conn, clinic_id, "invoice", i["id"], full=True)
                    for i in engine.find(conn, clinic_id, "invoice", {})]
        payments = engine.find(conn, clinic_id, "payment", {})
        products = {p["id"] for p in engine.find(conn, clinic_id, "product", {})}
        contacts = sorted({i["contact_id"] for i in invoices})
        owed = balances(Reading(engine, conn, clinic_id), contacts)
    assert sorted(i["consult_id"] for i in invoices) == sorted(c["id"] for c in consults) != []
    assert len({i["code"] for i in invoices}) == len(invoices)
    for invoice in invoices:
        assert invoice["line_item"] and invoice["total"] > 0
        assert {line["product_id"] for line in invoice["line_item"]} <= products
        assert invoice["subtotal"] == sum((line["total"] for line in invoice["line_item"]), Decimal(0))
        assert invoice["total"] == invoice["subtotal"] + invoice["tax"]
        final = {line["status"] for line in invoice["line_item"]}
        assert final == ({"Finalised"} if invoice["date_approved"] else {"Pending"})
        assert bool(invoice["date_approved"]) == (invoice["date"] < now - WEEK)
    approved = [i for i in invoices if i["date_approved"]]
    paid = [i for i in approved if i["outstanding"] == 0]
    part = [i for i in approved if 0 < i["outstanding"] < i["total"]]
    overdue = [i for i in approved if i["outstanding"] == i["total"] and i["date_due"] < now]
    assert paid and part and overdue
    assert all(p["allocated"] <= p["amount"] for p in payments) and any(p["available"] > 0 for p in payments)
    for contact in contacts:
        total = sum((i["total"] for i in invoices if i["contact_id"] == contact), Decimal(0))
        assert owed[contact] == total - sum((p["amount"] for p in payments if p["client_id"] == contact), Decimal(0))
