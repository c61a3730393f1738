"""The billing rows of the bench: ``POST /v2/invoice`` with 10 lines (issue 7's "invoice create with 10 lines"),
and a payment allocated to an invoice.

``top_up`` gives the bench clinic what an invoice needs (through the engine, before the server starts): a
salesperson and ten priced products, and picks owners that are not on stop credit. Each request then creates one
invoice of ten lines for one of them: every line priced from its product's pricing, its total and tax worked out,
and the invoice's subtotal, tax and total summed from them, in one transaction.

The document gives Payment no create (payments are read-only on v1 and v2), so the HTTP request that makes a
Payment allocated to an invoice is a client paying a Provet Pay link: ``POST /pay/<clinic>/<link>`` with
``outcome=accept`` (``pages/pay.py``). ``top_up_payments`` makes, through the engine before the server starts,
invoices of the bench's owners and a Pending link of 10.00 for each request the run may send (``LINKS_PER_INVOICE``
to an invoice, which owes more than they ask); each request then pays one link, never one paid before (the
scenario walks its paths ``once``): the link is Accepted, a Payment of its client is made by Provet Pay, allocated
to the invoice, whose outstanding falls, all in one transaction. Making the links is the link API's work
(``POST /api/0.1/postransaction/``), measured by nobody here: the row is the payment.
"""

from __future__ import annotations

import json
import random
from decimal import Decimal

import sqlalchemy as sa

from databases import bench_clinic
from load import Scenario

LINES = 10
OWNERS = 500  # the invoices' contacts: a sample of owners not on stop credit
LINKS = 6000  # payment links made ahead: more than one run at 1,000 animals pays (warm-up, probe, 10 s measured)
LINKS_PER_INVOICE = 100
LINK_AMOUNT = Decimal("10.00")
PAYMENT_ROW = "payment allocated to an invoice (pay link)"


def top_up(url: str) -> dict:
    """A salesperson and ten priced products in the bench clinic of the database at ``url`` (made once), and
    owners to invoice."""
    with bench_clinic(url) as (engine, clinic_id, ownership):
        t = engine.tables
        with engine.db.connect() as conn:
            seller = conn.execute(sa.select(t["user"].c.id).where(t["user"].c.clinic_id == clinic_id,
                                                                  t["user"].c.name == "Bench Salesperson")).scalar()
            products = list(conn.execute(sa.select(t["product"].c.id).where(
                t["product"].c.clinic_id == clinic_id, t["product"].c.code.like("BENCH-BILL-%"))
                .order_by(t["product"].c.id)).scalars())
            contact = t["contact"]
            owners = list(conn.execute(sa.select(contact.c.id).where(
                contact.c.clinic_id == clinic_id, contact.c.active.is_(True), contact.c.stop_credit != "STOP")
                .order_by(contact.c.id).limit(OWNERS)).scalars())
            rate = conn.execute(sa.select(t["taxrate"].c.id).where(t["taxrate"].c.clinic_id == clinic_id)
                                .order_by(t["taxrate"].c.id).limit(1)).scalar()
        if seller is None or len(products) < LINES:
            registry = engine.registry
            with engine.writing(clinic_id) as writer:
                if seller is None:
                    seller = writer.create(registry["user"], {"name": "Bench Salesperson", "is_salesperson": True},
                                           None)
                for n in range(len(products), LINES):
                    product = writer.create(registry["product"], {
                        "name": f"Bench service {n}", "code": f"BENCH-BILL-{n:02d}", "type": "Standard"}, None)
                    writer.create(registry["productpricing"], {
                        "product_id": product, "ownership_id": ownership, "based_on": "Price", "cost_price": "1",
                        "sell_price": str(Decimal(12) + n), "tax_rate": rate}, None)
                    products.append(product)
        return {"ownership": ownership, "seller": seller, "products": products[:LINES], "owners": owners}


def scenarios(auth: dict[str, str], setting: dict) -> list[tuple[str, Scenario]]:
    draw = random.Random(7)
    bodies = []
    for owner in setting["owners"]:
        lines = [{"product_id": product, "quantity": draw.choice((1, 2, 0.5, 1.25)),
                  "sales_person": setting["seller"], "ownership_id": setting["ownership"],
                  "location_id": setting["ownership"]} for product in setting["products"]]
        bodies.append(json.dumps({"contact_id": owner, "ownership_id": setting["ownership"], "line_item": lines},
                                 separators=(",", ":")))
    return [("post-billing", Scenario(f"invoice create v2, {LINES} lines", "POST", ["/v2/invoice"], bodies=bodies,
                                      headers={**auth, "Content-Type": "application/json"},
                                      note="lines priced from the products, totals summed in one transaction"))]


def top_up_payments(url: str, setting: dict, links: int = LINKS) -> dict:
    """Invoices owing 1,100.00 each (100 of a 10.00 service, 10 % tax) and ``links`` Pending Provet Pay links of
    10.00 against them, made through the engine in one transaction; answers the links' payment page paths."""
    with bench_clinic(url) as (engine, clinic_id, ownership):
        registry, t = engine.registry, engine.tables
        with engine.db.connect() as conn:
            rate = conn.execute(sa.select(t["taxrate"].c.id).where(t["taxrate"].c.clinic_id == clinic_id,
                                                                   t["taxrate"].c.code == "S")).scalar()
        with engine.writing(clinic_id) as writer:
            service = writer.create(registry["product"], {"name": "Bench payment service", "code": "BENCH-PAY",
                                                          "type": "Standard"}, None)
            writer.create(registry["productpricing"], {
                "product_id": service, "ownership_id": ownership, "based_on": "Price", "cost_price": "1",
                "sell_price": "10", "tax_rate": rate}, None)
            made = []
            for n in range(0, links, LINKS_PER_INVOICE):
                owner = setting["owners"][(n // LINKS_PER_INVOICE) % len(setting["owners"])]
                invoice = writer.create(registry["invoice"], {
                    "contact_id": owner, "ownership_id": ownership, "line_item": [{
                        "product_id": service, "quantity": LINKS_PER_INVOICE, "sales_person": setting["seller"],
                        "ownership_id": ownership, "location_id": ownership}]}, None)
                for _ in range(min(LINKS_PER_INVOICE, links - n)):
                    made.append(writer.create(registry["postransaction"], {
                        "amount": LINK_AMOUNT, "separation_id": ownership, "invoice_id": invoice,
                        "link_duration": 1440, "link_delivery_method": 0, "link_description": "Bench payment"},
                        None))
            posted = t["postransaction"]
            external = dict(writer.conn.execute(sa.select(posted.c.id, posted.c.link_external_id).where(
                posted.c.clinic_id == clinic_id, posted.c.id.in_(made))).all())
        return {"paths": [f"/pay/{clinic_id}/{external[i]}" for i in made]}


def payment_scenarios(paid: dict) -> list[tuple[str, Scenario]]:
    return [("post-billing", Scenario(
        PAYMENT_ROW, "POST", paid["paths"], bodies=["outcome=accept"],
        headers={"Content-Type": "application/x-www-form-urlencoded"}, once=True,
        note="a Provet Pay link paid on its page: link Accepted, Payment by Provet Pay allocated to the invoice, "
             "the invoice's outstanding less, in one transaction; each link paid once"))]


def wanted(only: str) -> bool:
    """Whether ``--only`` runs the payment row (making its links takes a while: only then)."""
    words = [w.strip() for w in only.split(",") if w.strip()]
    return not words or any(w in PAYMENT_ROW for w in words)
