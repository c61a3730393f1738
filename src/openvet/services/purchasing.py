"""Rules of purchasing: what is on order, and receipts that raise stock through the ledger.

A ReceiveInvoiceItem names its product by the supplier's code and counts in the supplier's units: outers of the
ProductSupplier's ``units_per_outer`` (1: units). It is kept in the product's units (quantity times, price and tax
divided by ``units_per_outer``: the v2 sample's 2 at 100 is 8 at 25, L11445) and, once its receipt is Finalised,
moves that many units into stock: one StockTransaction row naming it. A correction (a new quantity, another
product, a deleted item or receipt) appends the movement that makes the ledger right; no row is ever changed.
A PurchaseOrderItem keeps what is still to come (``on_order_*``), which the ``stocklevel`` question sums.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openvet.services.changes import Change, rule
from openvet.services.stock import ZERO, batches_required, movement

Q4 = Decimal("0.0001")  # the scale of quantities and money columns
SENT = ("Sent", "Confirmed", "Partial")  # on order with the supplier: on_order_total
OPEN = ("Created", "Approved", *SENT)  # not yet received, completed or cancelled: on_order_for_inventory


LIMIT = Decimal(10) ** 14  # NUMERIC(18, 4): what a quantity or an amount column holds


def exact(value: Decimal) -> Decimal:
    return value.quantize(Q4)


def work_out(change: Change, name: str, value: Decimal) -> None:
    """A value the clinic works out (a total, units from outers), to the column's 4 places; one the column cannot
    hold is refused, naming the field, rather than failing the write."""
    if abs(value) >= LIMIT:
        change.refuse(name, f"would be {value:.4E}, more than a quantity or an amount can be (10^14)")
        return
    change.derive(name, exact(value))


# purchase orders ---------------------------------------------------------------------------------------------


@rule(on_child_change=True)
def purchase_order_totals(change: Change) -> None:
    """An order is sent to a supplier (a Contact who is a supplier); its ``tax`` is its items' total_tax and the
    freight_tax, its ``total`` its items' total and total_tax and the freight (which includes its tax), as the
    sample's 4 + 0.4 is 4.4 (L10790). A new status or client makes its items count again what is on order."""
    record, before = change.record, change.before
    if change.creating or change.sent("supplier_id"):
        supplier = change.lookup("contact", record.get("supplier_id"))
        if supplier is not None and not supplier.get("is_supplier"):
            change.refuse("supplier_id", f"Contact {supplier['id']} is not a supplier")
    kids = [k for k in change.children("purchase_order_item_list") if k.get("active")]
    total = sum((k.get("total") or ZERO for k in kids), ZERO)
    tax = sum((k.get("total_tax") or ZERO for k in kids), ZERO)
    work_out(change, "tax", tax + (record.get("freight_tax") or ZERO))
    work_out(change, "total", total + tax + (record.get("freight") or ZERO))
    if before is None:
        return
    if change.child_changed:
        advance_on_receipt(change, kids)
    if record.get("status") != before.get("status") or record.get("client_id") != before.get("client_id"):
        for kid in kids:
            change.update("purchaseorderitem", kid["id"], {"order_status": record.get("status"),
                                                           "for_client": record.get("client_id") is not None})


RECEIVING = (*OPEN, "Received")  # the statuses a receipt moves on; Completed and Cancelled are the clinic's word


def advance_on_receipt(change: Change, kids: list[dict[str, Any]]) -> None:
    """What receipts received against its items moves an order on (the statuses of L10831): every item received
    in full, it is Received; some units of some item, Partial (part received). A correction that takes every
    receipt back (an item deleted or recounted to nothing) puts a Partial or Received order back to Sent: the goods
    are on order again. Completed and Cancelled are left as the clinic set them."""
    status = change.record.get("status")
    if status not in RECEIVING or not kids:
        return
    received = [k.get("received") or ZERO for k in kids]
    if all(got >= (k.get("quantity") or ZERO) for got, k in zip(received, kids, strict=True)) and any(received):
        change.derive("status", "Received")
    elif any(got > 0 for got in received):
        change.derive("status", "Partial")
    elif status in ("Partial", "Received"):
        change.derive("status", "Sent")


@rule
def purchase_order_item_on_order(change: Change) -> None:
    """An item orders ``outers`` of ``units_per_outer`` units (by default its ProductSupplier's for the order's
    supplier, else 1): ``quantity`` is in units, worked out from outers (or outers from it); ``total`` is
    quantity * price_per_unit, ``total_tax`` quantity * tax_per_unit (L10900). What is still to come (quantity less
    what receipts received) counts as on order while its order is open, as stocklevel asks (L9966)."""
    record = change.record
    order = change.lookup("purchaseorder", record.get("purchase_order_id")) or {}
    status = change.values.pop("order_status", None) or order.get("status")
    for_client = change.values.pop("for_client", None)
    for_client = (order.get("client_id") is not None) if for_client is None else for_client
    if change.creating:
        supplier = [s for s in change.find("productsupplier", product_id=record.get("product_id"))
                    if s.get("active") and s.get("supplier_contact_id") == order.get("supplier_id")] \
            if record.get("product_id") is not None else []
        if supplier:
            for name, source in (("supplier_code", "supplier_code"), ("units_per_outer", "units_per_outer")):
                if record.get(name) is None and supplier[0].get(source) is not None:
                    change.derive(name, supplier[0][source])
            if record.get("price_per_unit") is None and supplier[0].get("expected_price") is not None:
                work_out(change, "price_per_unit", supplier[0]["expected_price"] / (record.get("units_per_outer")
                                                                                     or 1))
        if record.get("units_per_outer") is None:
            change.derive("units_per_outer", Decimal(1))
        if record.get("ownership_id") is None and order.get("ownership_id") is not None:
            change.derive("ownership_id", order["ownership_id"])
    per_outer = record.get("units_per_outer") or Decimal(1)
    if change.sent("outers") and not change.sent("quantity") and record.get("outers") is not None:
        work_out(change, "quantity", record["outers"] * per_outer)
    elif record.get("quantity") is not None and (change.sent("quantity") or change.sent("units_per_outer")
                                                  or record.get("outers") is None):
        work_out(change, "outers", record["quantity"] / per_outer)
    if record.get("quantity") is None:
        if not change.refused("quantity"):
            change.refuse("quantity", "is required: send quantity (units) or outers")
        return
    work_out(change, "total", record["quantity"] * (record.get("price_per_unit") or ZERO))
    work_out(change, "total_tax", record["quantity"] * (record.get("tax_per_unit") or ZERO))
    to_come = max(record["quantity"] - (record.get("received") or ZERO), ZERO) if record.get("active") else ZERO
    change.derive("on_order_total", to_come if status in SENT else ZERO)
    change.derive("on_order_for_inventory", to_come if status in OPEN and not for_client else ZERO)


# receipts -------------------------------------------------------------------------------------------------


def database_separation(change: Change) -> int | None:
    """The clinic's Database Separation, the documented default ownership of a receipt (L11105)."""
    found = [s for s in change.find("separation", type="Database") if s.get("active")]
    return found[0]["id"] if found else None


def suppliers_of(change: Change, code: Any) -> list[dict[str, Any]]:
    """The active ProductSuppliers with this supplier's code."""
    if not isinstance(code, str) or not code.strip():
        return []
    return [s for s in change.find("productsupplier", supplier_code=code.strip()) if s.get("active")]


@rule(on_child_change=True)
def receive_invoice_totals(change: Change) -> None:
    """A receipt comes from a supplier: the one sent (a Contact who is a supplier), else the one whose product codes its
    items name. Its invoice_number is used once per supplier, unless ``confirm_invoice_number`` is 1 (L11095,
    L11195; on v2 too); a receipt whose supplier is not known has no supplier to repeat a number of. Its ``tax`` is
    its items' total_tax and the freight_tax, its ``total`` its items' total and total_tax and the freight, which
    includes its tax (the v1 sample: 5.17 + 0.517 + 12.2 = 17.887, L11050). Finalising a Pending receipt finalises
    its items; a Finalised receipt is never Pending again. Deleting it deletes its items, which takes their stock
    out again."""
    record, before = change.record, change.before
    confirmed = change.values.pop("confirm_invoice_number", None) == 1
    if change.creating and record.get("ownership_id") is None:
        change.derive("ownership_id", database_separation(change))
    if change.creating and record.get("supplier_id") is None:
        codes = [item.get("supplier_code") for item in change.lists.get("line_item", []) if isinstance(item, dict)]
        found = {s["supplier_contact_id"] for code in codes for s in suppliers_of(change, code)}
        if len(found) == 1:
            change.derive("supplier_id", found.pop())
    if not change.child_changed:
        if change.sent("supplier_id"):
            supplier = change.lookup("contact", record.get("supplier_id"))
            if supplier is not None and not supplier.get("is_supplier"):
                change.refuse("supplier_id", f"Contact {supplier['id']} is not a supplier")
        if (change.creating or {"invoice_number", "supplier_id"} & change.values.keys()) and not confirmed \
                and record.get("invoice_number") and record.get("supplier_id") is not None \
                and record.get("active", True):
            same = [r for r in change.find("receiveinvoice", invoice_number=record["invoice_number"],
                                           supplier_id=record["supplier_id"])
                    if r.get("active") and (before is None or r["id"] != before["id"])]
            if same:
                change.refuse("invoice_number", f"is the number of ReceiveInvoice {same[0]['id']} of the same "
                                                "supplier already: send confirm_invoice_number=1 to use it again")
    if before is not None and not change.child_changed:
        if change.deactivating:
            for kid in change.children("line_item"):
                change.deactivate("receiveinvoiceitem", kid["id"])
            return
        status = change.values.get("status")
        if status == "Pending" and before.get("status") == "Finalised":
            change.refuse("status", "cannot go back to Pending: the receipt is Finalised and its stock has moved")
        elif status == "Finalised" and before.get("status") == "Pending":
            for kid in change.children("line_item"):
                if kid.get("status") == "Pending":
                    change.update("receiveinvoiceitem", kid["id"], {"finalise": True})
    kids = [k for k in change.children("line_item") if k.get("active")]
    total = sum((k.get("total") or ZERO for k in kids), ZERO)
    tax = sum((k.get("total_tax") or ZERO for k in kids), ZERO)
    work_out(change, "tax", tax + (record.get("freight_tax") or ZERO))
    work_out(change, "total", total + tax + (record.get("freight") or ZERO))
    orders = []
    for kid in kids:
        line = change.lookup("purchaseorderitem", kid.get("purchase_order_item_id"))
        if line is not None and line["purchase_order_id"] not in orders:
            orders.append(line["purchase_order_id"])
    change.derive("purchase_order_list", orders)
    if record.get("supplier_id") is None:
        for kid in kids:
            supplied = change.lookup("productsupplier", kid.get("product_supplier_id"))
            if supplied is not None:
                change.derive("supplier_id", supplied["supplier_contact_id"])
                break


def match_product(change: Change, receipt: dict[str, Any]) -> dict[str, Any] | None:
    """The ProductSupplier the item's supplier_code names: of the receipt's supplier when it has one, of the
    item's product when it names one. None when no product matches (the line moves no stock)."""
    record = change.record
    found = suppliers_of(change, record.get("supplier_code"))
    if receipt.get("supplier_id") is not None:
        found = [s for s in found if s.get("supplier_contact_id") == receipt["supplier_id"]]
    if record.get("product_id") is not None:
        found = [s for s in found if s.get("product_id") == record["product_id"]]
    if len({s["supplier_contact_id"] for s in found}) > 1:
        change.refuse("supplier_code", "names products of several suppliers: give the ReceiveInvoice its "
                                       "supplier_id")
        return None
    if len({s["product_id"] for s in found}) > 1:
        change.refuse("supplier_code", "names several products of this supplier: send the item's product_id")
        return None
    return found[0] if found else None


def in_units(change: Change, per_outer: Decimal) -> None:
    """Quantity, price and tax as written count the supplier's units (outers of ``per_outer``): kept in units."""
    if per_outer == 1:
        return
    for name, convert in (("quantity", lambda v: v * per_outer), ("price", lambda v: v / per_outer),
                          ("tax", lambda v: v / per_outer)):
        if change.values.get(name) is not None:
            work_out(change, name, convert(change.values[name]))


@rule
def receive_invoice_item_receives_stock(change: Change) -> None:
    """An item receives a product named by the supplier's code (``supplier_code``, L11962), counted in the
    supplier's units: outers of its ProductSupplier's ``units_per_outer``, kept in units. ``total`` is quantity *
    price, ``total_tax`` quantity * tax. A product tracked by Batch needs its batches, whose quantities add up to
    the item's. The item is its receipt's status: Finalised, it moves its units into stock (one ledger row);
    Pending, it is being receipted and moves nothing until the receipt is finalised. What it receives counts
    against the PurchaseOrderItem it names. A new quantity or product, or deleting it, appends the movements that
    keep the ledger right."""
    record, before = change.record, change.before
    receipt = change.lookup("receiveinvoice", record.get("receive_invoice_id")) or {}
    if change.creating:
        supplied = match_product(change, receipt)
        product = change.lookup("product", (supplied or {}).get("product_id") or record.get("product_id"))
        per_outer = (supplied or {}).get("units_per_outer") or Decimal(1)
        if supplied is not None:
            change.derive("product_id", supplied["product_id"])
            change.derive("product_supplier_id", supplied["id"])
            rate = change.lookup("taxrate", supplied.get("tax_rate_id"))
            if rate is not None and record.get("tax_rate") is None and record.get("tax_code") is None:
                change.derive("tax_rate", rate.get("rate"))
                change.derive("tax_code", rate.get("code"))
        if product is not None and not record.get("name"):
            change.derive("name", product.get("name"))
        batches_required(change, product)
        sent = change.values.get("quantity")
        counted = [b.get("quantity") for b in change.lists.get("batch", []) if isinstance(b, dict)]
        if sent is not None and counted and all(q not in (None, "") for q in counted):
            try:
                in_batches = sum((Decimal(str(q)) for q in counted), ZERO)
            except ArithmeticError:
                in_batches = None  # the batch's own parsing names the bad quantity
            if in_batches is not None and in_batches != sent:
                change.refuse("batch", f"the batches' quantities add up to {in_batches}, not the item's {sent}")
        in_units(change, per_outer)
        if record.get("ownership_id") is None:
            change.derive("ownership_id", receipt.get("ownership_id"))
        if record.get("location_id") is None:
            change.derive("location_id", record.get("ownership_id"))
        change.derive("status", receipt.get("status") or "Finalised")
        ordered = change.lookup("purchaseorderitem", record.get("purchase_order_item_id"))
        if ordered is not None and record.get("product_id") is not None \
                and ordered.get("product_id") != record["product_id"]:
            change.refuse("purchase_order_item_id", f"is an order line of Product {ordered.get('product_id')}, not "
                                                    f"of the item's Product {record['product_id']}")
        totals(change)
        if record.get("quantity") is not None:
            if record.get("purchase_order_item_id") is not None:
                receive_against_order(change, record["purchase_order_item_id"], record["quantity"])
            if record["status"] == "Finalised" and record.get("product_id") is not None and record.get("active"):
                move(change, record["quantity"], record["product_id"])
        return
    if not before.get("active"):
        if change.values.get("active"):
            change.refuse("active", "a deleted item is not restored: add a new one")
        return
    if change.values.pop("finalise", None):
        if before.get("status") == "Pending":
            change.derive("status", "Finalised")
            if record.get("product_id") is not None:
                move(change, record["quantity"], record["product_id"])
        return
    if change.sent("receive_invoice_id") and record.get("receive_invoice_id") != before.get("receive_invoice_id") \
            and receipt.get("status") != before.get("status"):
        change.refuse("receive_invoice_id", f"names a {receipt.get('status')} ReceiveInvoice; the item is "
                                            f"{before.get('status')}")
    if change.sent("product_id") and record.get("product_id") != before.get("product_id"):
        change.derive("product_supplier_id", None)
        product = change.lookup("product", record.get("product_id"))
        if product is not None and product.get("tracking_level") == "Batch":
            change.refuse("product_id", f"Product {product['id']} is tracked by Batch: receive it in a new item "
                                        "with its batches")
    supplied = change.lookup("productsupplier", record.get("product_supplier_id"))
    in_units(change, (supplied or {}).get("units_per_outer") or Decimal(1))
    totals(change)
    quantity = ZERO if change.deactivating else record["quantity"]
    if before.get("purchase_order_item_id") is not None and quantity != before["quantity"]:
        receive_against_order(change, before["purchase_order_item_id"], quantity - before["quantity"])
    if before.get("status") != "Finalised":
        return
    old, new = before.get("product_id"), None if change.deactivating else record.get("product_id")
    if old == new:
        if new is not None and quantity != before["quantity"]:
            move(change, quantity - before["quantity"], new)
        return
    if old is not None:
        move(change, -before["quantity"], old)
    if new is not None and quantity:
        move(change, quantity, new)


def totals(change: Change) -> None:
    record = change.record
    if record.get("quantity") is None:
        return
    work_out(change, "total", record["quantity"] * (record.get("price") or ZERO))
    work_out(change, "total_tax", record["quantity"] * (record.get("tax") or ZERO))


def move(change: Change, quantity: Decimal, product_id: int) -> None:
    receipt = change.lookup("receiveinvoice", change.record.get("receive_invoice_id")) or {}
    location = change.record.get("location_id") or change.record.get("ownership_id")
    change.create("stocktransaction", movement(change, quantity, location, receipt.get("date"), product_id))


def receive_against_order(change: Change, line_id: int, quantity: Decimal) -> None:
    """``quantity`` more units received against a PurchaseOrderItem: less of it is still on order."""
    line = change.lookup("purchaseorderitem", line_id)
    if line is not None:
        change.update("purchaseorderitem", line_id, {"received": exact((line.get("received") or ZERO) + quantity)})
