"""The stock side of the demo practice: what it sells and buys, at what price, from whom, and the stock it holds.

Seeded once per clinic (a clinic with a purchase order already is left as it is), after ``practice.py`` made the
vaccines, medications and lab tests, record by record through the engine so that every rule applies: prices are
worked out from cost and sell price, receipts raise stock through the ledger in the supplier's outers, and the
stocklevel question has something to say of every figure:

- two suppliers (a veterinary wholesaler and a pet food company) and the ProductSupplier of each product they
  sell, with their codes, outers and expected prices;
- the products ``practice.py`` lacks: consultation fees, prescription foods, a parasiticide;
- every product bought by the outer (``SUPPLIED``: vaccines, medicines, the parasiticide, foods) is tracked
  (``tracking_level`` Product), so that a Finalised invoice line of one dispenses it (one ledger row out);
- a ProductPricing (cost, sell price, tax rate) for every product of the catalogue;
- an opening stock count, a purchase order sent and then received in full (its receipt makes it Received), one
  sent and still on order, a receipt being receipted (Pending), and an adjustment writing off broken stock.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

DAY = 86400
WHOLESALER, FOOD = "VetSupply Wholesale NZ", "Hill's Pet Nutrition NZ"
GROUPS = (("Consultations", "Consultation and examination fees"), ("Food", "Prescription and life-stage diets"),
          ("Parasiticides", "Flea, tick and worming products"))
# code, name, type, group: what practice.py does not make
PRODUCTS = (
    ("CON-STD", "Standard consultation (15 min)", "Procedure", "Consultations"),
    ("CON-REV", "Revisit consultation", "Procedure", "Consultations"),
    ("CON-AH", "After-hours consultation", "Procedure", "Consultations"),
    ("FD-ID-CAN", "Hill's Prescription Diet i/d Canine 3.85 kg", "Standard", "Food"),
    ("FD-KD-FEL", "Hill's Prescription Diet k/d Feline 1.8 kg", "Standard", "Food"),
    ("FD-SD-PUP", "Hill's Science Diet Puppy Medium 2.5 kg", "Standard", "Food"),
    ("PAR-BRAV", "Fluralaner chewable tablet, dog 10-20 kg", "Medication", "Parasiticides"),
)
# code -> (cost price, sell price) per unit, excluding tax
PRICES = {
    "CON-STD": ("0", "85.00"), "CON-REV": ("0", "55.00"), "CON-AH": ("0", "180.00"),
    "FD-ID-CAN": ("38.50", "64.90"), "FD-KD-FEL": ("27.80", "46.50"), "FD-SD-PUP": ("24.10", "39.90"),
    "PAR-BRAV": ("31.20", "54.00"),
    "VAC-C5": ("14.20", "42.00"), "VAC-LEP": ("9.80", "32.00"), "VAC-F3": ("11.60", "38.00"),
    "MED-MAR": ("2.10", "5.40"), "MED-MET": ("0.22", "0.85"), "MED-MEL": ("9.40", "24.50"),
    "MED-GAB": ("0.48", "1.60"), "MED-OCL": ("1.95", "4.90"), "MED-PRED": ("0.09", "0.45"),
    "MED-AMC": ("0.55", "1.75"), "MED-EAR": ("14.70", "36.00"), "MED-EYE": ("6.20", "17.50"),
    "LAB-BIO": ("48.00", "120.00"), "LAB-CBC": ("32.00", "85.00"), "LAB-UA": ("18.00", "55.00"),
    "LAB-T4": ("26.00", "70.00"), "LAB-FEC": ("21.00", "60.00"),
    "IDX-CHEM": ("38.50", "110.00"), "IDX-CBC": ("24.00", "75.00"),
}
# code -> (supplier, supplier's code, units per outer): what the clinic buys, by the outer
SUPPLIED = {
    "VAC-C5": (WHOLESALER, "ZOE-C5-10", "10"), "VAC-LEP": (WHOLESALER, "MSD-LEP-10", "10"),
    "VAC-F3": (WHOLESALER, "BI-F3-10", "10"), "MED-MAR": (WHOLESALER, "ZOE-CER16-4", "4"),
    "MED-MET": (WHOLESALER, "MET200-100", "100"), "MED-MEL": (WHOLESALER, "BI-MEL10", "1"),
    "MED-GAB": (WHOLESALER, "GAB100-100", "100"), "MED-OCL": (WHOLESALER, "ZOE-APQ16-20", "20"),
    "MED-PRED": (WHOLESALER, "PRED5-1000", "1000"), "MED-AMC": (WHOLESALER, "CLAV250-100", "100"),
    "MED-EAR": (WHOLESALER, "SUR-15", "1"), "MED-EYE": (WHOLESALER, "CHLOR-EYE-4", "1"),
    "PAR-BRAV": (WHOLESALER, "MSD-BRAV-M", "1"),
    "FD-ID-CAN": (FOOD, "HPD-ID-385", "4"), "FD-KD-FEL": (FOOD, "HPD-KD-18", "6"),
    "FD-SD-PUP": (FOOD, "HSD-PUP-25", "4"),
}
OPENING = {"VAC-C5": 40, "VAC-LEP": 30, "VAC-F3": 30, "MED-MAR": 48, "MED-MET": 400, "MED-MEL": 12, "MED-GAB": 300,
           "MED-OCL": 120, "MED-PRED": 2000, "MED-AMC": 500, "MED-EAR": 10, "MED-EYE": 15, "PAR-BRAV": 24,
           "FD-ID-CAN": 8, "FD-KD-FEL": 12, "FD-SD-PUP": 8}  # units counted when the clinic began
RECEIVED = {"VAC-C5": 3, "VAC-F3": 2, "MED-OCL": 2, "MED-AMC": 1}  # outers ordered and received in full
ON_ORDER = {"VAC-LEP": 2, "MED-MAR": 6, "PAR-BRAV": 12}  # outers ordered, sent, not received yet
BEING_RECEIPTED = {"FD-ID-CAN": 2, "FD-KD-FEL": 1}  # outers of food delivered, receipt not finalised


def seed_stock(engine, clinic_id: int) -> None:
    """The catalogue's missing products, prices, suppliers, orders, receipts and adjustments (once)."""
    t, registry = engine.tables, engine.registry
    now = int(time.time())
    with engine.writing(clinic_id) as writer:
        conn = writer.conn
        order = t["purchaseorder"]
        if conn.execute(sa.select(order.c.id).where(order.c.clinic_id == clinic_id).limit(1)).first():
            return

        def create(name: str, body: dict[str, Any]) -> int:
            return writer.create(registry[name], body, None)

        def named(name: str, column: str = "name") -> dict[Any, int]:
            table = t[name]
            found: dict[Any, int] = {}
            for key, record_id in conn.execute(sa.select(table.c[column], table.c.id).where(
                    table.c.clinic_id == clinic_id).order_by(table.c.id)):
                found.setdefault(key, record_id)
            return found

        separations = named("separation", "type")
        ownership = separations.get("Database") or next(iter(separations.values()), None)
        location = separations.get("Location", ownership)
        rate = named("taxrate", "code")["S"]
        groups = named("productgroup")
        for name, description in GROUPS:
            if name not in groups:
                groups[name] = create("productgroup", {"name": name, "description": description})
        products = named("product", "code")
        for code, name, kind, group in PRODUCTS:
            if code not in products:
                products[code] = create("product", {"name": name, "code": code, "type": kind, "is_sold": True,
                                                    "product_group_id": groups[group],
                                                    "is_purchased": code in SUPPLIED,
                                                    **({"tracking_level": "Product"} if code in SUPPLIED else {})})
        for code in SUPPLIED:  # practice.py's vaccines and medicines: stocked, so tracked (selling one dispenses it)
            if code in products:
                product = writer.engine.lookup(conn, clinic_id, "product", products[code], full=True)
                if product.get("tracking_level") in (None, "No"):
                    writer.change(registry["product"], product, {"tracking_level": "Product"}, None)
        for code, (cost, sell) in PRICES.items():
            if code in products:
                create("productpricing", {"product_id": products[code], "ownership_id": ownership,
                                          "based_on": "Price", "cost_price": Decimal(cost),
                                          "sell_price": Decimal(sell), "tax_rate": rate})
        suppliers = {}
        email = named("contactdetailtype").get("Email")
        for name, address in ((WHOLESALER, "orders@vetsupply.example.nz"), (FOOD, "vets@hillspet.example.nz")):
            suppliers[name] = named("contact", "business_name").get(name) or create("contact", {
                "last_name": name, "business_name": name, "is_business": True, "is_customer": False,
                "is_supplier": True, "contact_detail_list": [
                    {"name": "Email", "value": address, "contact_detail_type_id": email}]})
        for code, (vendor, their_code, per_outer) in SUPPLIED.items():
            cost = Decimal(PRICES[code][0]) * Decimal(per_outer)
            create("productsupplier", {"product_id": products[code], "supplier_contact_id": suppliers[vendor],
                                       "supplier_code": their_code, "units_per_outer": Decimal(per_outer),
                                       "expected_price": cost, "list_price": cost, "tax_rate_id": rate,
                                       "is_default": True, "unit_of_measure": "outer", "ownership_id": ownership,
                                       "last_update": now - 90 * DAY})
        create("stockadjustment", {"date": now - 60 * DAY, "ownership_id": ownership,
                                   "comments": "Opening stock count", "line_item": [
                                       {"product_id": products[code], "quantity": count, "location_id": location}
                                       for code, count in OPENING.items()]})

        def ordered(outers: dict[str, int], status: str, days_ago: int, number: str) -> int:
            return create("purchaseorder", {
                "date": now - days_ago * DAY, "supplier_id": suppliers[WHOLESALER], "status": status,
                "supplier_order_number": number, "supplier_account_number": "RIVERSIDE-0042",
                "ownership_id": ownership, "purchase_order_item_list": [
                    {"product_id": products[code], "outers": count, "tax_per_unit": Decimal(0)}
                    for code, count in outers.items()]})

        received = ordered(RECEIVED, "Sent", 21, "SO-118204")  # received in full below: Received
        lines = {row.product_id: row.id for row in conn.execute(
            sa.select(t["purchaseorderitem"].c.product_id, t["purchaseorderitem"].c.id)
            .where(t["purchaseorderitem"].c.purchase_order_id == received))}

        def receipt_line(code: str, outers: int, **more: Any) -> dict[str, Any]:
            per_outer = Decimal(SUPPLIED[code][2])
            price = Decimal(PRICES[code][0]) * per_outer
            return {"supplier_code": SUPPLIED[code][1], "quantity": outers, "price": price,
                    "tax": (price * Decimal("0.10")).quantize(Decimal("0.0001")), "location_id": location, **more}

        create("receiveinvoice", {
            "invoice_number": "VS-INV-77310", "date": now - 18 * DAY, "due_date": now + 12 * DAY,
            "supplier_id": suppliers[WHOLESALER], "freight": Decimal("12.50"), "freight_tax": Decimal("1.14"),
            "comments": "Order SO-118204, delivered in full", "line_item": [
                receipt_line(code, outers, purchase_order_item_id=lines[products[code]])
                for code, outers in RECEIVED.items()]})
        ordered(ON_ORDER, "Sent", 3, "SO-118377")
        create("receiveinvoice", {
            "invoice_number": "HPN-55120", "date": now - DAY, "due_date": now + 29 * DAY,
            "supplier_id": suppliers[FOOD], "status": "Pending", "comments": "Delivered; invoice to check",
            "line_item": [receipt_line(code, outers) for code, outers in BEING_RECEIPTED.items()]})
        create("stockadjustment", {"date": now - 7 * DAY, "ownership_id": ownership,
                                   "comments": "Broken in the fridge", "line_item": [
                                       {"product_id": products["VAC-F3"], "quantity": -2, "location_id": location}]})


__all__ = ["seed_stock"]
