"""Rules of products and stock: prices worked out from markup or price, batches of a lot, and the ledger.

Stock moves only through the ledger: a rule that moves stock plans one StockTransaction row naming what moved
it (``for_class``/``for_id``), written in the same transaction as the record that moved it. A row is never
changed; undoing a movement appends the opposite one. A product's stock is the sum of its rows, asked as the
``stocklevel`` question (L9966).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from openvet.services.billing import allocated_by_product
from openvet.services.changes import Change, Reading, question, rule
from openvet.services.money import CENT, HUNDRED, ZERO, to_cents


def as_quantity(value: Decimal) -> Decimal:
    """A stock quantity as the stocklevel sample writes it, with two decimals ("23.00", L9950), and more only when
    the quantity has them (0.125 stays 0.125: a stock level is never rounded away from its ledger)."""
    exact = value.normalize()
    return value.quantize(CENT) if exact == value.quantize(CENT) else exact


# prices --------------------------------------------------------------------------------------------------


@rule
def product_pricing_prices(change: Change) -> None:
    """The sell price is based on a markup or is a price (L10273): the field ``based_on`` names is sent, the other
    worked out from it and the cost price (cost 114 at price 300 is a markup of 163.16, L10302); the tax of the
    sell price comes from the tax rate (300 at 10 % is 30). A value sent for the field worked out must agree."""
    priced = {"cost_price", "based_on", "markup", "sell_price", "tax_rate"}
    if not (change.creating or priced & change.values.keys()):
        return
    record = change.record
    cost, based_on = record.get("cost_price"), record.get("based_on")
    if cost is None or based_on is None:
        return  # already refused as required
    source, worked = ("sell_price", "markup") if based_on == "Price" else ("markup", "sell_price")
    if record.get(source) is None:
        change.refuse(source, f"is required when based_on is {based_on}")
        return
    if based_on == "Price":
        value = to_cents((record["sell_price"] - cost) / cost * HUNDRED) if cost else ZERO
    else:
        value = to_cents(cost * (1 + record["markup"] / HUNDRED))
    sent = change.values.get(worked)
    if sent is not None and change.sent(worked) and to_cents(sent) != value:
        change.refuse(worked, f"is worked out from {source} when based_on is {based_on} ({value}): send {source}, "
                              f"or based_on {'Markup' if based_on == 'Price' else 'Price'}")
        return
    change.derive(worked, value)
    rate = change.lookup("taxrate", record.get("tax_rate"))
    if rate is not None:
        change.derive("sell_price_tax", to_cents(record["sell_price"] * (rate.get("rate") or ZERO) / HUNDRED))


def cost_price(change: Change, product_id: int, ownership_id: int | None) -> Decimal:
    """A product's cost price: its active ProductPricing of that ownership, else its newest active one, else 0."""
    pricings = [p for p in change.find("productpricing", product_id=product_id) if p.get("active")]
    own = [p for p in pricings if p.get("ownership_id") == ownership_id]
    chosen = (own or pricings)[-1:] if pricings else []
    return chosen[0]["cost_price"] if chosen and chosen[0].get("cost_price") is not None else ZERO


# reference records ---------------------------------------------------------------------------------------

GENERAL_GROUP = {"name": "General", "description": "Products not filed in a group of their own"}


@rule
def product_is_in_a_group(change: Change) -> None:
    """"Each Product must be part of a ProductGroup" (L9889, L9987): a product written without one is filed in the
    clinic's General group (found, or made once), as ezyVet files it in a primary group; a group cannot be taken
    away (null is refused)."""
    if change.creating:
        if change.record.get("product_group_id") is None:
            found = [g for g in change.find("productgroup", name=GENERAL_GROUP["name"]) if g.get("active")]
            change.derive("product_group_id", found[0]["id"] if found else change.create("productgroup",
                                                                                          GENERAL_GROUP))
        return
    if change.sent("product_group_id") and change.values["product_group_id"] is None:
        change.refuse("product_group_id", "is required: every Product is part of a ProductGroup (L9889)")


@rule
def one_minimum_stock_per_product(change: Change) -> None:
    """"There is one product minimum stock record for each associated product" (L10555): one active record per
    product and ownership Separation."""
    if not (change.creating or {"product_id", "ownership_id", "active"} & change.values.keys()):
        return
    record = change.record
    if not record.get("active") or record.get("product_id") is None:
        return
    others = [r for r in change.find("productminimumstock", product_id=record["product_id"])
              if r.get("active") and r.get("ownership_id") == record.get("ownership_id")
              and (change.before is None or r["id"] != change.before["id"])]
    if others:
        change.refuse("product_id", f"has a minimum stock already (ProductMinimumStock {others[0]['id']})")


@rule
def supplied_by_a_supplier(change: Change) -> None:
    """A ProductSupplier's supplier is a Contact who is a supplier (``is_supplier``, L10737)."""
    if not (change.creating or "supplier_contact_id" in change.values):
        return
    supplier = change.lookup("contact", change.record.get("supplier_contact_id"))
    if supplier is not None and not supplier.get("is_supplier"):
        change.refuse("supplier_contact_id", f"Contact {supplier['id']} is not a supplier")


@rule
def batch_is_of_a_lot(change: Change) -> None:
    """A Batch of type Batch is stock of a lot: its parent is the product's Batch of type Product with the same
    name, found or made (the samples: batches of "123ABC" have parent 47, L12533, L12651). A Batch written in an
    item's ``batch`` list (an adjustment's or a receipt's) is of the item's product."""
    if not change.creating:
        return
    record = change.record
    for name, parent in (("stock_adjustment_item_id", "stockadjustmentitem"),
                         ("receive_invoice_item_id", "receiveinvoiceitem")):
        if record.get("product_id") is None and record.get(name) is not None:
            item = change.lookup(parent, record[name])
            if item is not None and item.get("product_id") is not None:
                change.derive("product_id", item["product_id"])
    if record.get("product_id") is None:
        if not change.refused("product_id"):
            change.refuse("product_id", "is required: a Batch is of a Product")
        return
    if record.get("type") != "Batch" or not record.get("name"):
        return
    lots = [b for b in change.find("batch", product_id=record["product_id"], name=record["name"], type="Product")
            if b.get("active")]
    if lots:
        change.derive("parent", lots[0]["id"])
    else:
        change.derive("parent", change.create("batch", {"name": record["name"], "type": "Product",
                                                        "product_id": record["product_id"],
                                                        "expiry": record.get("expiry")}))


# the ledger ----------------------------------------------------------------------------------------------


@rule
def ledger_rows_are_never_changed(change: Change) -> None:
    """The ledger is append-only: a movement, once written, is never changed or deactivated; a correction is
    another movement, so that a product's stock is always the sum of its rows."""
    if not change.creating:
        change.refuse(None, "a StockTransaction is never changed: a correction is another movement")


def movement(change: Change, quantity: Decimal, location_id: int | None, date: int | None,
             product_id: int | None = None) -> dict[str, Any]:
    """One ledger row moving ``quantity`` of the product (the record's, unless ``product_id``), naming the record
    written as what moved it."""
    return {"quantity": quantity, "alter_stock": True, "separation_id": location_id, "for_class": change.resource.title,
            "for_id": change.this, "product_id": product_id or change.record["product_id"], "status": "Finalised",
            **({"date": date} if date is not None else {})}


def batches_required(change: Change, product: dict[str, Any] | None) -> None:
    """A product tracked by Batch is adjusted or received batch by batch: its item lists its batches (L11948)."""
    if product is not None and product.get("tracking_level") == "Batch" and not change.lists.get("batch"):
        change.refuse("batch", f"is required: Product {product['id']} is tracked by Batch, so the item names its "
                               "batches")


@rule
def stock_adjustment_item_moves_stock(change: Change) -> None:
    """An item adjusts one product by a signed quantity (not 0) at a price, by default the product's cost price
    (L12781). Written in the ``line_item`` of a Finalised StockAdjustment it is Finalised and moves stock at once,
    one ledger row (L12651); added on its own (POST /v2/stockadjustmentitem, L12845) or to a Pending adjustment it
    is Pending and moves nothing until its adjustment is finalised (``finalise``). A product tracked by Batch needs
    its batches. A Finalised item's product and quantity cannot change; deactivating it appends the opposite
    movement."""
    record, before = change.record, change.before
    adjustment = change.lookup("stockadjustment", record.get("stockadjustment_id"))
    location = record.get("location_id") or (adjustment or {}).get("ownership_id")
    if change.creating:
        if record.get("quantity") is not None and record["quantity"] == 0:
            change.refuse("quantity", "cannot be 0: an adjustment raises (positive) or lowers (negative) stock")
        product = change.lookup("product", record.get("product_id"))
        if product is None:
            return
        change.derive("name", product.get("name"))
        change.derive("code", product.get("code"))
        if record.get("price") is None:
            change.derive("price", cost_price(change, product["id"], (adjustment or {}).get("ownership_id")))
        batches_required(change, product)
        finalised = change.listed and (adjustment or {}).get("status", "Finalised") == "Finalised"
        change.derive("status", "Finalised" if finalised else "Pending")
        if finalised and record.get("quantity"):
            change.create("stocktransaction", movement(change, record["quantity"], location,
                                                       (adjustment or {}).get("date")))
        return
    if change.values.pop("finalise", None) and before.get("status") == "Pending" and before.get("active"):
        change.derive("status", "Finalised")
        change.create("stocktransaction", movement(change, record["quantity"], location,
                                                   (adjustment or {}).get("date")))
        return
    if before.get("status") != "Finalised":
        return
    for name in ("product_id", "quantity", "location_id"):
        if change.sent(name) and change.values[name] != before.get(name):
            change.refuse(name, "cannot change: the item is Finalised and has moved stock")
    if change.deactivating:
        change.create("stocktransaction", movement(change, -before["quantity"], location, None))


@rule(on_child_change=True)
def stock_adjustment_amount(change: Change) -> None:
    """``amount`` is the total quantity * price of the adjustment's active items (2 at 57.50 is 115, L12633)."""
    if change.creating and not change.child_changed:
        return
    total = sum((kid["quantity"] * (kid.get("price") or ZERO) for kid in change.children("line_item")
                 if kid.get("active")), ZERO)
    if abs(total) >= Decimal(10) ** 14:  # NUMERIC(18, 4): refused, naming it, rather than failing the write
        change.refuse("amount", f"would be {total:.4E}, more than an amount can be (10^14): lower a quantity or price")
        return
    change.derive("amount", to_cents(total))


@rule
def stock_adjustment_finalises_its_items(change: Change) -> None:
    """A StockAdjustment written Pending moves no stock; PATCHing it to Finalised finalises every Pending item it
    has (those of its line_item and those added on their own), and each moves its stock then. Finalised is for
    good: an adjustment is never made Pending again, nor deleted (its ``active`` is not written on update: a correction
    is another adjustment)."""
    before = change.before
    if before is None or change.child_changed:
        return
    status = change.values.get("status")
    if status == "Pending" and before.get("status") == "Finalised":
        change.refuse("status", "cannot go back to Pending: the adjustment is Finalised and has moved stock")
    if status == "Finalised":
        for kid in change.children("line_item"):
            if kid.get("active") and kid.get("status") == "Pending":
                change.update("stockadjustmentitem", kid["id"], {"finalise": True})


# the stocklevel question -----------------------------------------------------------------------------------
# Each figure is one contributor: a function of (reading, product ids) answering {product id: quantity} from one
# grouped query for the whole page. ``allocated`` is the billing area's: the quantity on Allocated invoice lines.

TURN_DAYS = 365  # inventory_turn: the monthly consumption over the last year


def in_stock(reading: Reading, ids: list[int]) -> dict[int, Decimal]:
    """The sum of the product's Finalised ledger rows (kept: ``StockTransaction``'s sum ``in_stock``)."""
    return reading.kept("stocktransaction", "in_stock", ids)


def on_order_for_inventory(reading: Reading, ids: list[int]) -> dict[int, Decimal]:
    """Units still to come on open purchase orders (Created to Partial) for no client: kept on each order item."""
    return reading.totals("purchaseorderitem", "on_order_for_inventory", "product_id", ids, active=True)


def on_order_total(reading: Reading, ids: list[int]) -> dict[int, Decimal]:
    """Units still to come on purchase orders sent to the supplier (Sent, Confirmed, Partial)."""
    return reading.totals("purchaseorderitem", "on_order_total", "product_id", ids, active=True)


def being_receipted(reading: Reading, ids: list[int]) -> dict[int, Decimal]:
    """Units of receipts not finalised yet: received, not yet in stock."""
    return reading.totals("receiveinvoiceitem", "quantity", "product_id", ids, active=True, status="Pending")


def inventory_turn(reading: Reading, ids: list[int]) -> dict[int, Decimal]:
    """The monthly consumption rate: units that left stock over the last year (today and the 365 UTC days
    before it) by anything but a receipt's correction (dispensing, adjustments down), divided by 12. Kept per
    product and day (``StockTransaction``'s sum ``moved_out``): at most 366 rows a product, whatever the ledger."""
    today = int(time.time()) // 86400
    out = reading.kept("stocktransaction", "moved_out", ids, from_day=today - TURN_DAYS)
    return {key: -value / 12 for key, value in out.items() if value}


FIGURES: dict[str, Callable[[Reading, list[int]], dict[int, Decimal]]] = {
    "in_stock": in_stock, "allocated": allocated_by_product, "on_order_for_inventory": on_order_for_inventory,
    "on_order_total": on_order_total, "being_receipted": being_receipted, "inventory_turn": inventory_turn,
}


@question
def stocklevel(reading: Reading, products: list[dict[str, Any]]) -> dict[int, dict[str, Decimal]]:
    """A page of products' stock numbers (L9966), one grouped query per figure (``FIGURES``): ``available`` is
    ``in_stock`` less ``allocated``."""
    ids = [p["id"] for p in products]
    figures = {name: contributor(reading, ids) for name, contributor in FIGURES.items()}
    answers = {}
    for product_id in ids:
        value = {name: figures[name].get(product_id) or ZERO for name in FIGURES}
        answers[product_id] = {
            "in_stock": as_quantity(value["in_stock"]), "allocated": as_quantity(value["allocated"]),
            "available": as_quantity(value["in_stock"] - value["allocated"]),
            "on_order_for_inventory": as_quantity(value["on_order_for_inventory"]),
            "on_order_total": as_quantity(value["on_order_total"]),
            "being_receipted": as_quantity(value["being_receipted"]),
            "inventory_turn": as_quantity(to_cents(value["inventory_turn"])),
        }
    return answers
