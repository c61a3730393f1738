"""The billing row of the bench: ``POST /v2/invoice`` with 10 lines (issue 7's "invoice create with 10 lines").

``top_up`` gives the bench clinic what an invoice needs (through the engine, before the server starts): a
salesperson and ten priced products, and picks owners that are not on stop credit. Each request then creates one
invoice of ten lines for one of them: every line priced from its product's pricing, its total and tax worked out,
and the invoice's subtotal, tax and total summed from them, in one transaction.
"""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from databases import bench_clinic
from load import Scenario

LINES = 10
OWNERS = 500  # the invoices' contacts: a sample of owners not on stop credit


def top_up(folder: Path) -> dict:
    """A salesperson and ten priced products in the bench clinic (made once), and owners to invoice."""
    with bench_clinic(folder) as (engine, clinic_id, ownership):
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
