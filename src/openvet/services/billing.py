"""Rules of billing: an invoice's code and figures, its lines' prices and statuses, approval, dispensing, and how
payments are allocated.

Figures are never counters: an invoice's ``subtotal``/``tax``/``total`` are worked out again from its lines, and
its ``outstanding`` from the allocations of payments, whenever one of them is written (``on_child_change``: the
engine runs the rule again on the parent, whichever endpoint wrote the child). Amounts are Decimal throughout.

Rounding (docs/decisions.md, Billing): a line's ``total`` is quantity * price and its ``total_tax`` quantity *
price_tax, each cut (not rounded) to the cent: 1.25 * 2.26 = 2.825 -> 2.82 and 1.25 * 0.23 = 0.2875 -> 0.28, the
only rounding that gives both figures of the samples (L7108-L7116). A unit tax worked out from a rate is rounded
half up to the cent, as ProductPricing's ``sell_price_tax`` is (2.26 at 10 % -> 0.23).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openvet.services.changes import Change, Reading, computed, rule
from openvet.services.money import HUNDRED, ZERO, cut, to_cents

INVOICE_CODES = 400_000  # an invoice's code is 400000 + its id (4951 -> "404951", 5080 -> "405080": L7086, L7341)
ESTIMATE_NUMBERS = 60_000  # an estimate's number is 60000 + its id (1 -> "60001", L5598)
PAYMENT_METHODS = (("Cash", False, "Cash"), ("EFTPOS", True, "Direct"), ("Credit Card", True, "Credit Card"),
                   ("Direct Credit", False, "Direct"))  # (name, uses an eftpos machine, type)


LIMIT = Decimal(10) ** 14  # a line's figures are NUMERIC(18, 4): under 10^14 in magnitude
INVOICE_LIMIT = Decimal(10) ** 16  # an invoice's are NUMERIC(18, 2)


def line_figure(change: Change, name: str, quantity: Decimal, unit: Decimal, field: str = "quantity") -> None:
    """``name`` = quantity * unit, cut to the cent; a product out of the column's range refuses the quantity."""
    value = quantity * unit
    if abs(value) >= LIMIT:
        if not change.refused(field):
            change.refuse(field, f"makes a {name} out of range (under {LIMIT:,} in magnitude)")
        return
    change.derive(name, cut(value))


def approved(invoice: dict[str, Any] | None) -> bool:
    return bool(invoice and invoice.get("date_approved"))


# invoices --------------------------------------------------------------------------------------------------


@rule
def invoice_has_a_code(change: Change) -> None:
    """A new Invoice gets its code from its id: unique in the clinic, and never given again, even after the
    invoice is deleted (ids are never reused)."""
    if change.creating:
        change.derive_from_id("code", lambda record_id: str(INVOICE_CODES + record_id))


@rule
def contact_may_be_invoiced(change: Change) -> None:
    """A Contact whose ``stop_credit`` is STOP cannot be invoiced; WARNING invoices them, and says so (L3481)."""
    if not (change.creating or "contact_id" in change.values):
        return
    contact = change.lookup("contact", change.record.get("contact_id"))
    if contact is None:
        return
    if contact.get("stop_credit") == "STOP":
        change.refuse("contact_id", f"Contact {contact['id']} cannot be invoiced: its stop_credit is STOP")
    elif contact.get("stop_credit") == "WARNING":
        change.warn("contact_id", f"Contact {contact['id']} has stop_credit WARNING: check before giving credit")


@rule
def approved_invoice_is_not_edited(change: Change) -> None:
    """Once approved (``date_approved`` set, L7194) an invoice is final: it cannot be changed, unapproved or
    deleted; a mistake is put right with a credit, another invoice whose lines have negative quantities.
    ``includes_tax`` cannot change under lines already priced with the other reading."""
    before = change.before
    if before is None:
        return
    if approved(before):
        sent = [name for name, value in change.values.items() if before.get(name) != value] + sorted(change.lists)
        if change.deactivating or sent:  # named by date_approved: the approval is what forbids it
            change.refuse("date_approved", f"is set (Invoice {before['id']} is approved): it cannot be "
                                           f"{'deleted' if change.deactivating else 'changed'}, only credited")
        return
    if "includes_tax" in change.values and change.values["includes_tax"] != before.get("includes_tax") and any(
            kid.get("active") for kid in change.children("line_item")):
        change.refuse("includes_tax", "cannot change on an invoice with lines: they were priced with the other "
                                      "reading; remove them first")


@rule(on_child_change=True)
def invoice_names_its_users(change: Change) -> None:
    """``modified_by`` is the User the calling credentials act as, whenever the invoice or one of its lines is
    written; ``approved_by`` the one that approved it (L7168, L7232). Writes of the clinic itself (renewals, the
    demo) name nobody new."""
    user_id = change.actor.user_id
    if user_id is None or approved(change.before):  # an approved invoice is final (and its lines with it)
        return
    if not change.creating:  # a new one names the User in created_by and modified_by by their default
        change.derive("modified_by", user_id)
    if change.record.get("date_approved"):
        change.derive("approved_by", user_id)


@rule
def approval_finalises_lines(change: Change) -> None:
    """Approving an invoice (a PATCH of ``date_approved``, L7232) finalises its lines (L7775); a deleted invoice
    reserves nothing: its Allocated lines go back to Pending."""
    before = change.before
    if before is None or approved(before):
        return
    if change.record.get("date_approved") and not change.deactivating:
        for line in change.children("line_item"):
            if line.get("status") != "Finalised":
                change.update("invoiceline", line["id"], {"status": "Finalised"})
    elif change.deactivating:
        for line in change.children("line_item"):
            if line.get("status") == "Allocated":
                change.update("invoiceline", line["id"], {"status": "Pending"})


@rule(on_child_change=True)
def invoice_totals(change: Change) -> None:
    """``subtotal`` and ``tax`` are the sums of the active lines' ``total`` and ``total_tax``; ``total`` is their
    sum, ``outstanding`` the total less the payments allocated to the invoice, which may not pay more than it."""
    if change.creating and not change.child_changed:
        return
    lines = [kid for kid in change.children("line_item") if kid.get("active")]
    subtotal = sum((kid.get("total") or ZERO for kid in lines), ZERO)
    tax = sum((kid.get("total_tax") or ZERO for kid in lines), ZERO)
    paid = sum((a["amount"] for a in change.children("allocations") if a.get("active")), ZERO)
    total = to_cents(subtotal) + to_cents(tax)
    if abs(total) >= INVOICE_LIMIT:
        change.refuse("line_item" if change.version else None, f"make a total out of range (under {INVOICE_LIMIT:,})")
        return
    if paid and paid > total:
        change.refuse("line_item" if change.version else None,
                      f"Invoice {change.this.id or change.before['id']} would be paid {paid} of a total of {total}: "
                      "payments cannot pay an invoice more than its total")
    change.derive("subtotal", to_cents(subtotal))
    change.derive("tax", to_cents(tax))
    change.derive("total", total)
    change.derive("outstanding", total - paid)


@computed
def invoice_linked_payments(record: dict[str, Any], view: Any) -> list[dict[str, Any]]:
    """The payments allocated to an invoice (L6835): the payment's id, the amount allocated, its type."""
    return [{"id": a["payment_id"], "amount": a["amount"], "type": "payment"} for a in record.get("allocations") or ()]


# invoice lines ---------------------------------------------------------------------------------------------

PRICED = {"product_id", "quantity", "price", "price_tax", "standard_price", "standard_price_tax", "tax_code",
          "ownership_id", "discount"}


def pricing_of(change: Change, product_id: int, ownership_id: int | None) -> dict[str, Any] | None:
    """The product's active ProductPricing of that ownership, else its newest active one."""
    pricings = [p for p in change.find("productpricing", product_id=product_id) if p.get("active")]
    own = [p for p in pricings if p.get("ownership_id") == ownership_id]
    chosen = own or pricings
    return chosen[-1] if chosen else None


@rule
def line_prices(change: Change) -> None:
    """A line's prices: ``standard_price`` from the product's pricing (unless sent), ``price`` the standard price
    (a discount sent applies none, L7734), the tax from the line's tax code (the pricing's TaxRate unless sent).
    On an invoice that ``includes_tax``, a price sent includes its tax and is split into price and price_tax.
    ``total`` and ``total_tax`` are quantity times the unit figures, cut to the cent."""
    record, values = change.record, change.values
    if not (change.creating or PRICED & values.keys() or change.deactivating):
        return
    if change.creating or "discount" in values:
        change.derive("discount", ZERO)
    if record.get("product_id") is None or record.get("quantity") is None:
        return
    invoice = change.lookup("invoice", record.get("invoice_id"))
    if change.creating and invoice is not None:
        change.derive("animal_id", invoice.get("animal_id"))
        change.derive("consult_id", invoice.get("consult_id"))
    product = change.lookup("product", record["product_id"])
    if product is None:
        return
    repriced = change.creating or any(
        name in values and values[name] != change.before.get(name) for name in ("product_id", "tax_code"))
    if change.creating and not record.get("name"):
        change.derive("name", product.get("name"))
    pricing = pricing_of(change, product["id"], record.get("ownership_id")) if repriced else None
    if repriced:
        code = record.get("tax_code")
        rate = None
        if code:
            found = [r for r in change.find("taxrate", code=code) if r.get("active")]
            if not found:
                change.refuse("tax_code", f"is not the code of a TaxRate ({code!r})")
                return
            rate = found[0]
        elif pricing is not None:
            rate = change.lookup("taxrate", pricing.get("tax_rate"))
            if rate is not None:
                change.derive("tax_code", rate.get("code"))
        change.derive("tax_percent", (rate or {}).get("rate") or ZERO)
    percent = record.get("tax_percent") or ZERO
    for name, source in (("standard_price", "sell_price"),):
        if repriced and name not in values:
            change.derive(name, (pricing or {}).get(source) or ZERO)
    if repriced and "standard_price_tax" not in values:
        change.derive("standard_price_tax", to_cents(record["standard_price"] * percent / HUNDRED))
    if "price" in values:
        if invoice is not None and invoice.get("includes_tax") and "price_tax" not in values:
            tax = to_cents(values["price"] * percent / (HUNDRED + percent))
            change.derive("price", values["price"] - tax)
            change.derive("price_tax", tax)
        elif "price_tax" not in values:
            change.derive("price_tax", to_cents(values["price"] * percent / HUNDRED))
    elif repriced:
        change.derive("price", record["standard_price"])
        if "price_tax" not in values:
            change.derive("price_tax", record["standard_price_tax"])
    line_figure(change, "total", record["quantity"], record.get("price") or ZERO)
    line_figure(change, "total_tax", record["quantity"], record.get("price_tax") or ZERO)


@rule
def line_status(change: Change) -> None:
    """Pending (initial) -> Allocated (the product reserved: when the client says so) -> Finalised (its invoice
    approved, L7775). A client moves a line between Pending and Allocated; only approval finalises it. A line of
    an approved invoice cannot be written (but a line written with its invoice in the request that approves it is
    Finalised at once). A Finalised line of a stock-tracked product dispenses it: one ledger row, out of the
    line's location. The sales person is a User marked ``is_salesperson``."""
    record, before = change.record, change.before
    invoice = change.lookup("invoice", record.get("invoice_id"))
    if change.creating or "sales_person" in change.values:
        user = change.lookup("user", record.get("sales_person"))
        if user is not None and not user.get("is_salesperson"):
            change.refuse("sales_person", f"User {user['id']} is not a salesperson (is_salesperson)")
    if record.get("batch") is not None and ({"batch", "product_id"} & change.values.keys()):
        batch = change.lookup("batch", record["batch"])
        if batch is not None and batch.get("product_id") != record.get("product_id"):
            change.refuse("batch", f"Batch {batch['id']} is not a batch of Product {record.get('product_id')}")
    finalising = change.version is None and change.values.get("status") == "Finalised"
    if change.creating:
        if approved(invoice):
            if not change.listed:
                change.refuse("invoice_id", f"Invoice {invoice['id']} is approved: it takes no more lines")
                return
            change.derive("status", "Finalised")
        elif record.get("status") == "Finalised" and not finalising:
            change.refuse("status", "is Finalised when the invoice is approved (a PATCH of its date_approved)")
            return
    else:
        moved_from = change.lookup("invoice", before.get("invoice_id")) if "invoice_id" in change.values else None
        if approved(invoice) or approved(moved_from) or before.get("status") == "Finalised":
            changed = [n for n, v in change.values.items() if before.get(n) != v]
            if not (finalising and set(changed) <= {"status"}) and changed:  # named by the link to the invoice
                change.refuse("invoice_id", f"Invoice {before.get('invoice_id')} is approved: its lines cannot change "
                                            f"({changed[0]})")
            return
        if change.values.get("status") == "Finalised" and not finalising:
            change.refuse("status", "is Finalised when the invoice is approved (a PATCH of its date_approved)")
            return
    becomes_final = record.get("status") == "Finalised" and (before is None or before.get("status") != "Finalised")
    if not becomes_final or not record.get("active", True):
        return
    product = change.lookup("product", record.get("product_id"))
    if product is None or product.get("tracking_level") in (None, "No"):
        return
    change.create("stocktransaction", {
        "quantity": -record["quantity"], "alter_stock": True, "separation_id": record.get("location_id"),
        "for_class": "InvoiceLine", "for_id": change.this, "product_id": product["id"], "status": "Finalised",
        **({"date": invoice["date_approved"]} if approved(invoice) else {})})


def allocated_by_product(reading: Reading, product_ids: list[int]) -> dict[int, Decimal]:
    """For a page of products, the quantity on their Allocated invoice lines (reserved, not yet dispensed), from
    ``InvoiceLine``'s kept sum ``allocated``: one query. A deleted invoice's lines are Pending again, so they
    reserve nothing."""
    found = reading.kept("invoiceline", "allocated", list(product_ids))
    return {product_id: found.get(product_id) or ZERO for product_id in product_ids}


# charges raised by other areas (a wellness membership: its joining bill, subscription bills, cancellation) ------


def unit_tax(change: Change, product_id: int, ownership_id: int | None, price: Decimal) -> Decimal:
    """The tax a line of the product sent at ``price`` (without tax) carries per unit: ``line_prices``' rule (the
    rate of the product's pricing's TaxRate, rounded half up to the cent)."""
    pricing = pricing_of(change, product_id, ownership_id)
    rate = change.lookup("taxrate", pricing.get("tax_rate")) if pricing else None
    return to_cents(price * ((rate or {}).get("rate") or ZERO) / HUNDRED)


def salesperson_for(change: Change, resource_id: int | None) -> int | None:
    """The User to name as a line's sales person for a sale made by a calendar Resource: the Resource's User if
    a salesperson, else the clinic's first active salesperson; None when the clinic has none."""
    resource = change.lookup("resource", resource_id)
    user = change.lookup("user", resource.get("associated_id")) if resource else None
    if user is not None and user.get("active") and user.get("is_salesperson"):
        return user["id"]
    sellers = change.find("user", limit=1, is_salesperson=True, active=True)
    return sellers[0]["id"] if sellers else None


def raise_charge(change: Change, contact_id: int, animal_id: int | None, ownership_id: int, product_id: int,
                 price: Decimal, sales_person: int, name: str, where: str = "") -> Any:
    """Plan a new Invoice for ``contact_id`` (not approved: the clinic reviews it) holding one line of the product
    at ``price`` (without tax; the tax comes from the product's pricing). The Pending id of the line."""
    return raise_invoice(change, contact_id, animal_id, ownership_id, [(product_id, Decimal(1), price, name)],
                         sales_person, where)[0]


def raise_invoice(change: Change, contact_id: int, animal_id: int | None, ownership_id: int,
                  lines: list[tuple[int, Decimal, Decimal, str]], sales_person: int, where: str = "") -> list[Any]:
    """Plan a new Invoice for ``contact_id`` (not approved) holding one line per (product, quantity, unit price
    without tax, name) of ``lines``, all sold by ``sales_person``: a charge of several lines on one invoice (a
    wellness membership's joining bill). The Pending ids of the lines."""
    invoice = change.create("invoice", {"contact_id": contact_id, "animal_id": animal_id,
                                        "ownership_id": ownership_id}, where=where)
    return [change.create("invoiceline", {"invoice_id": invoice, "product_id": product_id, "quantity": quantity,
                                          "price": price, "sales_person": sales_person, "name": name,
                                          "ownership_id": ownership_id, "location_id": ownership_id}, where=where)
            for product_id, quantity, price, name in lines]


# payments --------------------------------------------------------------------------------------------------


@rule
def payment_cash(change: Change) -> None:
    """Cash is counted in coins of ``rounding_factor`` (0.05 by default, L8580): ``cash_amount`` is a multiple of
    it, and ``cash_change`` is what is handed back, the cash beyond the amount paid rounded down to a coin
    (amount 12.34, cash 20.00 -> change 7.65). Cash below the amount pays part of it (45 of 50, L8431)."""
    if not (change.creating or {"amount", "cash_amount", "rounding_factor"} & change.values.keys()):
        return
    record = change.record
    cash, amount = record.get("cash_amount") or ZERO, record.get("amount")
    factor = record.get("rounding_factor") or ZERO
    if amount is None:
        return
    if factor and cash % factor:
        change.refuse("cash_amount", f"must be a multiple of rounding_factor ({factor}): cash is counted in coins")
        return
    over = max(cash - amount, ZERO)
    change.derive("cash_change", (over // factor) * factor if factor else over)


@rule(on_child_change=True)
def payment_allocated(change: Change) -> None:
    """``allocated`` is the sum of the payment's allocations, never more than its amount; what is left is
    ``available`` (v1) / ``outstanding`` (v2): a surplus kept for other invoices (L8468, L8573)."""
    record = change.record
    if record.get("amount") is None:
        return
    allocated = sum((a["amount"] for a in change.children("allocation") if a.get("active")), ZERO)
    if allocated > record["amount"]:
        change.refuse("amount", f"is {record['amount']}, less than the {allocated} allocated to invoices")
    change.derive("allocated", allocated)
    change.derive("available", record["amount"] - allocated)


@rule
def allocation_to_an_invoice(change: Change) -> None:
    """A payment pays the invoices of the Contact who made it, active ones; an allocation, once made, is undone
    (deleted) rather than changed."""
    record = change.record
    if not change.creating:
        changed = [n for n, v in change.values.items() if n != "active" and change.before.get(n) != v]
        if changed:
            change.refuse(changed[0], "cannot change: remove the allocation and allocate again")
        return
    payment = change.lookup("payment", record.get("payment_id"))
    invoice = change.lookup("invoice", record.get("invoice_id"))
    if payment is None or invoice is None:
        return
    if not invoice.get("active"):
        change.refuse("invoice_id", f"Invoice {invoice['id']} is deleted")
    elif invoice.get("contact_id") != payment.get("client_id"):
        change.refuse("invoice_id", f"Invoice {invoice['id']} is not an invoice of Contact {payment.get('client_id')}"
                                    ", who made the payment")


@computed
def payment_linked_invoices(record: dict[str, Any], view: Any) -> list[dict[str, Any]]:
    """The invoices a payment is allocated to (L8435): the invoice's id and the amount allocated to it."""
    return [{"id": a["invoice_id"], "allocated_amount": a["amount"]} for a in record.get("allocation") or ()]


def balances(reading: Reading, contact_ids: list[int]) -> dict[int, Decimal]:
    """What each Contact owes: the totals of their active invoices less the amounts of their accepted payments
    (a payment's surplus counts as credit). Two grouped queries."""
    invoiced = reading.totals("invoice", "total", "contact_id", list(contact_ids), active=True)
    paid = reading.totals("payment", "amount", "client_id", list(contact_ids), active=True, status="Accepted")
    return {c: (invoiced.get(c) or ZERO) - (paid.get(c) or ZERO) for c in contact_ids}


# estimates -------------------------------------------------------------------------------------------------


@rule
def estimate_has_a_number(change: Change) -> None:
    if change.creating:
        change.derive_from_id("number", lambda record_id: str(ESTIMATE_NUMBERS + record_id))


@rule
def estimate_item_totals(change: Change) -> None:
    """An estimate's line: ``total`` qty * price, ``totaltax`` qty * pricetax, cut to the cent as invoice lines."""
    record = change.record
    line_figure(change, "total", record.get("qty") or ZERO, record.get("price") or ZERO, "qty")
    line_figure(change, "totaltax", record.get("qty") or ZERO, record.get("pricetax") or ZERO, "qty")


@rule(on_child_change=True)
def estimate_totals(change: Change) -> None:
    if change.creating and not change.child_changed:
        return
    items = [kid for kid in change.children("line_item") if kid.get("active")]
    subtotal = to_cents(sum((kid.get("total") or ZERO for kid in items), ZERO))
    tax = to_cents(sum((kid.get("totaltax") or ZERO for kid in items), ZERO))
    change.derive("subtotal", subtotal)
    change.derive("tax", tax)
    change.derive("total", subtotal + tax)
