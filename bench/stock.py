"""The stock row of the bench: the ``stocklevel`` question on a list of 200 products (L9966).

The demo practice sells a few dozen products; ``top_up`` makes the bench clinic's catalogue 200 products (through
the engine, as the clinic would, before the server starts), each with stock moved by an adjustment, a quarter on
a purchase order sent to a supplier and some written down, so that every figure of the question reads rows. The
scenario then asks the question of the whole page: one grouped query per figure, whatever the clinic's size.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from urllib.parse import quote

import sqlalchemy as sa

from databases import bench_clinic
from load import Scenario

PRODUCTS = 200  # the page asked
QUESTION = quote(json.dumps([{"name": "stocklevel"}], separators=(",", ":")))


def top_up(url: str) -> None:
    """At least ``PRODUCTS`` products in the bench clinic of the database at ``url``, with stock, orders and
    consumption (once)."""
    with bench_clinic(url) as (engine, clinic_id, ownership):
        with engine.db.connect() as conn:
            product = engine.tables["product"]
            have = conn.execute(sa.select(sa.func.count()).select_from(product)
                                .where(product.c.clinic_id == clinic_id)).scalar_one()
            kinds = engine.tables["contactdetailtype"]
            email = conn.execute(sa.select(kinds.c.id).where(kinds.c.clinic_id == clinic_id,
                                                             kinds.c.name == "Email")).scalar_one()
        if have >= PRODUCTS:
            return
        registry, now = engine.registry, int(time.time())
        with engine.writing(clinic_id) as writer:
            supplier = writer.create(registry["contact"], {
                "last_name": "Bench Wholesale", "business_name": "Bench Wholesale", "is_business": True,
                "is_supplier": True, "contact_detail_list": [
                    {"name": "Email", "value": "orders@bench.example", "contact_detail_type_id": email}]}, None)
            made = [writer.create(registry["product"], {"name": f"Bench product {n}", "code": f"BENCH-{n:03d}",
                                                        "type": "Medication", "is_purchased": True}, None)
                    for n in range(PRODUCTS - have)]
            writer.create(registry["stockadjustment"], {
                "date": now - 30 * 86400, "ownership_id": ownership, "comments": "Bench opening count",
                "line_item": [{"product_id": p, "quantity": Decimal(50 + n % 7)} for n, p in enumerate(made)]}, None)
            writer.create(registry["stockadjustment"], {
                "date": now - 86400, "ownership_id": ownership, "comments": "Bench write-off",
                "line_item": [{"product_id": p, "quantity": Decimal(-3)} for p in made[::3]]}, None)
            writer.create(registry["purchaseorder"], {
                "date": now, "supplier_id": supplier, "status": "Sent", "ownership_id": ownership,
                "purchase_order_item_list": [{"product_id": p, "quantity": Decimal(12), "price_per_unit": Decimal(4)}
                                             for p in made[::4]]}, None)


def scenarios(auth: dict[str, str]) -> list[tuple[str, Scenario]]:
    return [("stock", Scenario(f"stocklevel question, list of {PRODUCTS} products",
                               paths=[f"/v1/product?limit={PRODUCTS}&questions={QUESTION}"], headers=auth,
                               expect_items=PRODUCTS, note="one grouped query per figure"))]
