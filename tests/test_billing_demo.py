"""The demo practice's billing (``openvet serve --demo``): an invoice for each consult, priced from the product
catalogue, approved when old, paid in full, in part or not at all, through the engine and its rules."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from openvet import demo
from openvet.demo.billing import BILLED_DAYS, DAY, seed_billing
from openvet.services import Reading
from openvet.services.billing import balances
from openvet.services.credentials import create_clinic
from openvet.store.blobs import Blobs


@pytest.mark.both_databases
def test_every_consult_of_the_demo_is_invoiced_and_some_are_paid(engine, tmp_path):
    with engine.db.begin() as conn:
        clinic_id = create_clinic(conn, f"billing-demo-{tmp_path.name}"[:60], "Billing demo")
    demo.seed_settings(engine, clinic_id, "Pacific/Auckland")
    demo.seed_lookups(engine, clinic_id)
    demo.load_animals(engine, clinic_id, 40, show_progress=False, blobs=Blobs(tmp_path / "data"))
    now = int(time.time())  # the demo's histories are laid out around now
    made = seed_billing(engine, clinic_id, now)
    assert seed_billing(engine, clinic_id, now) == 0  # repeatable: a clinic with invoices is left alone
    with engine.db.connect() as conn:
        stopped = {c["id"] for c in engine.find(conn, clinic_id, "contact", {"stop_credit": "STOP"})}
        owner_of = {a["id"]: a["contact_id"] for a in engine.find(conn, clinic_id, "animal", {})}
        consults = [c for c in engine.find(conn, clinic_id, "consult", {}) if owner_of[c["animal_id"]] not in stopped
                    and c["date"] >= now - BILLED_DAYS * DAY]
        invoices = engine.find(conn, clinic_id, "invoice", {})
        payments = engine.find(conn, clinic_id, "payment", {})
        contacts = sorted({i["contact_id"] for i in invoices})
        owed = balances(Reading(engine, conn, clinic_id), contacts)
    assert made == len(invoices) == len(consults) > 0
    assert sorted(i["consult_id"] for i in invoices) == sorted(c["id"] for c in consults)
    for invoice in invoices:
        assert len(invoice["line_item"]) >= 2 and invoice["total"] > 0
        assert invoice["subtotal"] == sum((line["total"] for line in invoice["line_item"]), Decimal(0))
        final = {line["status"] for line in invoice["line_item"]}
        assert final == ({"Finalised"} if invoice["date_approved"] else {"Pending"})
    approved = [i for i in invoices if i["date_approved"]]
    paid = [i for i in approved if i["outstanding"] == 0]
    part = [i for i in approved if 0 < i["outstanding"] < i["total"]]
    overdue = [i for i in approved if i["outstanding"] == i["total"] and i["date_due"] < now]
    assert paid and part and overdue
    assert all(p["allocated"] <= p["amount"] for p in payments)
    for contact in contacts:
        total = sum((i["total"] for i in invoices if i["contact_id"] == contact), Decimal(0))
        assert owed[contact] == total - sum((p["amount"] for p in payments if p["client_id"] == contact), Decimal(0))
