"""Billing: invoices and their lines, payments and how they are allocated, payment methods, card transactions,
estimates.

Money and quantities are exact decimals (NUMERIC), written by v1 as strings and by v2 as JSON numbers, with the
document's decimals: two for an invoice's and a payment's amounts (``"50.00"``, L8423), four for a line's
prices and quantities ("up to 4 decimal places", L7503). An invoice's figures are always the sums of its lines
(``services/billing.py``); a payment is allocated to invoices through PaymentAllocation records, which no API
serves but both the payment and the invoice list (``linked_invoices``, ``linked_payments``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openvet.resources.declaration import Endpoint, Operation, Resource, Sum
from openvet.resources.fields import (
    ACTING_USER,
    NOW,
    Boolean,
    Children,
    Choice,
    Computed,
    Epoch,
    Field,
    FieldType,
    Integer,
    Link,
    LinkOrZero,
    Number,
    Text,
)

LIST = ("list", "get")
LINE_STATUSES = ("Pending", "Allocated", "Finalised")  # L7504


class Allocations(FieldType):
    """The payments allocated to an invoice, or the invoices a payment is allocated to: a list of objects
    (``{"id": "10", "amount": "5", "type": "payment"}``, L6835). v1 writes every value as a string, v2 writes
    ids and amounts as numbers. Worked out on read (a ``Computed`` field shows it)."""

    json_type = "array"
    stored = False
    comparable = False

    def to_v1(self, value: Any) -> Any:
        return [{k: _v1(v) for k, v in item.items()} for item in value or []]

    def to_v2(self, value: Any) -> Any:
        return [{k: _v2(v) for k, v in item.items()} for item in value or []]

    def openapi(self) -> dict:
        return {"type": "array", "items": {"type": "object"}}


class Financials(Allocations):
    """Invoice v2 ``financials``: one object holding ``linked_payments`` (L6975)."""

    def to_v1(self, value: Any) -> Any:
        return [{"linked_payments": Allocations.to_v1(self, value)}]

    def to_v2(self, value: Any) -> Any:
        return [{"linked_payments": Allocations.to_v2(self, value)}]


def _v1(value: Any) -> Any:
    return "" if value is None else str(value)


def _v2(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


INVOICE = Resource(
    name="invoice",
    title="Invoice",
    spec_line=6772,
    rules=("invoice_has_a_code", "contact_may_be_invoiced", "approved_invoice_is_not_edited",
           "invoice_names_its_users", "approval_finalises_lines", "invoice_totals",
           "deleted_invoice_gives_benefits_back"),  # the last: services/wellness.py
    endpoints={
        "v1": Endpoint(LIST, page_limit=50),  # "limit ... (range: 1 - 50)" (L6868)
        # PATCH names the invoice by the id in its body (L7176); DELETE by the path (L7287)
        "v2": Endpoint(("list", "get", "create", Operation("update", "", address="matching"),
                        Operation("update", "{id}"), Operation("delete", "{id}"),
                        Operation("delete", "", address="matching"))),
    },
    fields=(
        Field("ownership_id", Link("separation"), mandatory=True, update=False, index=True,
              doc="The ID of the Ownership Separation to which this Invoice belongs."),
        Field("code", Text(32), create=False, update=False, index=True,
              doc="The code of the Invoice, given by the clinic when it is created (400000 + its id, as the "
                  "samples show: 4951 -> 404951, L7086); never reused."),
        Field("contact_id", Link("contact"), mandatory=True, index=True,
              doc="The Contact invoiced (not one whose stop_credit is STOP)."),
        Field("animal_id", Link("animal"), index=True, doc="The ID of the Animal associated with the Invoice."),
        Field("consult_id", Link("consult"), index=True, doc="The ID of the Consult associated with the Invoice."),
        Field("subtotal", Number(2), create=False, update=False, default=0,
              doc="The sum of all InvoiceLines totals exclusive of tax (up to 2 decimal places)."),
        Field("tax", Number(2), create=False, update=False, default=0,
              doc="The sum of all InvoiceLines tax amounts (up to 2 decimal places)."),
        Field("total", Number(2), create=False, update=False, default=0, filter=False,
              doc="subtotal + tax (openvet: the amount the Contact owes for the Invoice)."),
        Field("outstanding", Number(2), create=False, update=False, default=0, filter=False,
              doc="total less the payments allocated to the Invoice (openvet)."),
        Field("includes_tax", Boolean(), default=False,
              doc="If true, the InvoiceLine prices sent include tax and are split into price and tax; if false, "
                  "they exclude it."),
        Field("payment_terms_id", Integer(minimum=0), create=False, update=False, default=0,
              doc="The ID for the PaymentTerm of the Invoice."),
        Field("date", Epoch(), default=NOW, index=True, doc="The epoch time of the Invoice transaction date."),
        Field("date_due", Epoch(), default=NOW, doc="The epoch time of when the Invoice is due for payment."),
        Field("date_approved", Epoch(), default=0,
              doc="The epoch time of when the Invoice was approved (0: not approved). Setting it approves the "
                  "Invoice: its lines are Finalised and it cannot be edited any more."),
        Field("approved_by", LinkOrZero("user"), create=False, update=False,
              doc="The ID of the User that approved the Invoice: the User the approving credentials act as (0: not "
                  "approved, or approved by the clinic itself)."),
        Field("customer_reference_number", Text(), doc="Customer reference number for the Invoice."),
        Field("created_by", Link("user"), create=False, update=False, versions=("v2",), default=ACTING_USER,
              doc="The ID of the User that created the invoice: the User the calling credentials act as."),
        Field("modified_by", Link("user"), create=False, update=False, versions=("v2",), default=ACTING_USER,
              doc="The ID of the User that modified the invoice last: the User the calling credentials act as."),
        Field("line_item", Children("invoiceline", via="invoice_id", embed=("v2",)), filter=False,
              wire={"v1": "invoice_line_list"},
              doc="The Invoice's InvoiceLines: objects on write (a PATCH list is the new set), ids on v1 reads, "
                  "the lines on v2 reads."),
        Field("allocations", Children("paymentallocation", via="invoice_id", embed=()), filter=False,
              create=False, update=False, versions=(),
              doc="The payments allocated to the Invoice (written by their Payment)."),
        Field("linked_payments", Computed("invoice_linked_payments", Allocations()), filter=False,
              create=False, update=False, versions=("v1",),
              doc="The payments allocated to this Invoice: id, amount, type."),
        Field("financials", Computed("invoice_linked_payments", Financials()), filter=False,
              create=False, update=False, versions=("v2",),
              doc="One object whose linked_payments are the payments allocated to this Invoice."),
    ),
)

INVOICE_LINE = Resource(
    name="invoiceline",
    title="InvoiceLine",
    spec_line=7420,
    rules=("line_prices", "line_takes_a_wellness_benefit", "line_status"),  # the second: services/wellness.py
    endpoints={
        "v1": Endpoint(LIST),
        # PATCH and DELETE name the line by the id in the body (L7862, L7934), or by the path
        "v2": Endpoint(("list", "get", "create", Operation("update", "", address="matching"),
                        Operation("update", "{id}"), Operation("delete", "{id}"),
                        Operation("delete", "", address="matching", parses="json"))),
    },
    # the stocklevel question's allocated (services/billing.py): what Allocated lines reserve, per product, read
    # without going through millions of lines (SQLite's planner cannot tell that Allocated ones are few)
    sums=(Sum("allocated", "quantity", by="product_id",
              where=(("status", "eq", "Allocated"), ("active", "eq", True))),),
    fields=(
        Field("invoice_id", Link("invoice"), mandatory=True, index=True,
              doc="The ID of the Invoice to which this InvoiceLine belongs."),
        Field("name", Text(), doc="The name of the InvoiceLine (the Product's, unless one is sent)."),
        Field("product_id", Link("product"), mandatory=True, index=True,
              doc="The ID of the Product used in the InvoiceLine."),
        Field("batch", Link("batch"), versions=("v2",), doc="The Batch used on the InvoiceLine."),
        Field("sales_person", Link("user"), mandatory=True, index=True, wire={"v1": "staff_user_id"},
              doc="The sales person User (marked is_salesperson)."),
        Field("quantity", Number(4), mandatory=True,
              doc="The amount of the Product in this InvoiceLine (up to 4 decimal places; negative on a credit)."),
        Field("discount", Number(4), default=0, filter=False,
              doc="The percent discount: a value sent applies no discount (L7734), so it is always 0."),
        Field("dispense", Number(4), default=0, filter=False, versions=("v2",),
              doc="The dispense fee for the InvoiceLine."),
        Field("price", Number(4), filter=False,
              doc="The unit price without tax, after the discount (the standard price unless sent)."),
        Field("price_tax", Number(4), filter=False, doc="The tax on the unit price."),
        Field("standard_price", Number(4), filter=False,
              doc="The standard unit price without tax (the Product's pricing unless sent)."),
        Field("standard_price_tax", Number(4), filter=False, doc="The tax on the standard unit price."),
        Field("total", Number(4), create=False, update=False, default=0, filter=False,
              doc="quantity * price, cut to the cent (no tax)."),
        Field("total_tax", Number(4), create=False, update=False, default=0, filter=False,
              doc="quantity * price_tax, cut to the cent."),
        Field("status", Choice(*LINE_STATUSES, wire_case={"v2": str.lower}), default="Pending", index=True,
              doc="Pending (initial status), Allocated (Product reserved, when the client says so), Finalised "
                  "(Invoice approved)."),
        Field("tax_code", Text(32), doc="The code of the TaxRate applied (the Product's pricing's unless sent)."),
        Field("tax_percent", Number(4), create=False, update=False, filter=False,
              doc="The percentage of the tax applied (the TaxRate's rate)."),
        Field("ownership_id", Link("separation"), mandatory=True, index=True,
              doc="The ID of the Ownership Separation to which this InvoiceLine belongs."),
        Field("location_id", Link("separation"), mandatory=True, index=True,
              doc="The ID of the Location Separation the Product is dispensed from."),
        Field("ledger_account", Link("ledgeraccount"), versions=("v2",),
              doc="The ID of the Ledger Account to which this InvoiceLine is recorded under."),
        Field("group_id", Integer(), create=False, update=False, versions=("v2",),
              doc="The ID of the line item group the InvoiceLine is under."),
        Field("type", Choice("standard"), create=False, update=False, default="standard", versions=("v2",),
              doc="The type of the InvoiceLine (openvet makes standard lines only)."),
        Field("animal_id", Link("animal"), create=False, update=False, versions=("v1",),
              doc="The Animal of the line's Invoice."),
        Field("consult_id", Link("consult"), create=False, update=False, versions=("v1",),
              doc="The Consult of the line's Invoice."),
        Field("date", Epoch(), create=False, update=False, filter=False,
              doc="When the product was administered on a related record (null: no administration date)."),
    ),
)

PAYMENT_METHOD = Resource(
    name="paymentmethod",
    title="PaymentMethod",
    spec_line=8588,
    endpoints={"v1": Endpoint(LIST)},
    fields=(
        Field("name", Text(), index=True, doc='The name of the PaymentMethod, e.g. "Direct Credit".'),
        Field("uses_eftpos_machine", Boolean(), default=False,
              doc="If true, the PaymentMethod uses an eftpos machine."),
        Field("type", Text(64), default="", doc="The type of the PaymentMethod, e.g. 'Direct'."),
        Field("commission_rate", Number(2), default=0, doc="The commission rate of the PaymentMethod."),
        Field("surcharge_amount", Number(2), default=0, doc="The surcharge amount of the PaymentMethod."),
        Field("surcharge_type", Text(64), default="None", doc="The type of the surcharge."),
    ),
)

PAYMENT_ALLOCATION = Resource(
    name="paymentallocation",
    title="PaymentAllocation",
    rules=("allocation_to_an_invoice",),
    endpoints={},
    fields=(
        Field("payment_id", Link("payment"), mandatory=True, index=True, doc="The Payment allocated."),
        Field("invoice_id", Link("invoice"), mandatory=True, index=True, doc="The Invoice it pays."),
        Field("amount", Number(2, above=0), mandatory=True, doc="The part of the Payment allocated to the Invoice."),
    ),
)

PAYMENT = Resource(
    name="payment",
    title="Payment",
    spec_line=8380,
    rules=("payment_cash", "payment_allocated"),
    endpoints={"v1": Endpoint(LIST), "v2": Endpoint(LIST)},
    fields=(
        Field("ownership_id", Link("separation"), index=True,
              doc="The ID of the ownership Separation to which this Payment belongs."),
        Field("amount", Number(2, above=0), mandatory=True, doc="The total amount paid in the Payment."),
        Field("method", Link("paymentmethod"), index=True, doc="The PaymentMethod used to make the Payment."),
        Field("details", Text(), default="", doc="Any details regarding the Payment."),
        Field("date", Epoch(), default=NOW, index=True, doc="The date on which the Payment was made."),
        Field("comments", Text(4000), default="", doc="Any comments associated to the Payment."),
        Field("available", Number(2), create=False, update=False, default=0, wire={"v2": "outstanding"},
              doc="The surplus: amount less what is allocated, available for other invoices."),
        Field("allocated", Number(2), create=False, update=False, default=0,
              doc="The portion of the Payment allocated against invoices."),
        Field("client_id", Link("contact"), mandatory=True, index=True, wire={"v2": "client_contact"},
              doc="The ID of the Client Contact that made the Payment."),
        Field("ledger_account", Link("ledgeraccount"), versions=("v2",),
              doc="The ID of the Ledger Account the Payment was paid into."),
        Field("cash_amount", Number(2, minimum=0), default=0, doc="The amount handed over in cash."),
        Field("cash_change", Number(2), create=False, update=False, default=0,
              doc="The change given back: cash handed over beyond the amount paid."),
        Field("rounding_factor", Number(2, minimum=0), default=Decimal("0.05"),
              doc="The denomination to which a cash Payment is rounded (the smallest coin)."),
        Field("status", Choice("Created", "Accepted", "Declined", wire_case={"v2": str.lower}), default="Accepted",
              index=True, doc="The status of the Payment: v1 Accepted, Declined (L8474); v2 created, accepted, "
                              "declined (L8581)."),
        Field("allocation", Children("paymentallocation", via="payment_id", embed=()), filter=False, versions=(),
              doc="Where the Payment is allocated: objects with invoice_id and amount on write."),
        Field("linked_invoices", Computed("payment_linked_invoices", Allocations()), filter=False, create=False,
              update=False, versions=("v1",), doc="The invoices this Payment is allocated to: id, allocated_amount."),
    ),
)

TRANSACTION = Resource(
    name="transaction",
    title="Transaction",
    spec_line=13469,
    endpoints={"v2": Endpoint(LIST)},
    fields=(
        Field("ownership_id", Link("separation"), index=True,
              doc="The ID of the Ownership Separation to which this Transaction belongs."),
        Field("payment_id", Link("payment"), mandatory=True, index=True,
              doc="The ID of the associated Payment linked to this Transaction."),
        Field("status", Choice("Declined", "Accepted", "Canceled", "Capture", "Initiated", "Error"),
              default="Initiated", filter=False, doc="The status of the Transaction."),
        Field("integration_name", Text(), default="", filter=False,
              doc="The name of the external partner for the Transaction."),
        Field("external_reference", Text(), default="", filter=False,
              doc="The reference provided by the external partner."),
        Field("external_id", Integer(), filter=False,
              doc="The ID of the Transaction in the external integration's system."),
    ),
)

ESTIMATE_ITEM = Resource(
    name="estimateitem",
    title="EstimateItem",
    rules=("estimate_item_totals",),
    endpoints={},
    fields=(
        Field("estimate_id", Link("estimate"), mandatory=True, index=True, versions=(),
              doc="The Estimate the line item is on."),
        Field("name", Text(), default="", doc="The name of the line item."),
        Field("price", Number(4), default=0, doc="The unit price of the line item."),
        Field("pricetax", Number(4), default=0, doc="The tax on the unit price."),
        Field("qty", Number(4), default=1, doc="The quantity of the line item."),
        Field("total", Number(4), create=False, update=False, default=0, doc="qty * price, cut to the cent."),
        Field("totaltax", Number(4), create=False, update=False, default=0, doc="qty * pricetax, cut to the cent."),
        Field("taxcode", Text(32), default="", doc="The tax code of the line item."),
        Field("taxrate", Number(4), default=0, doc="The tax rate of the line item."),
        Field("discount", Number(4), default=0, doc="The discount of the line item."),
    ),
)

ESTIMATE = Resource(
    name="estimate",
    title="Estimate",
    spec_line=5555,
    rules=("estimate_has_a_number", "estimate_totals"),
    endpoints={"v2": Endpoint(LIST)},
    fields=(
        Field("number", Text(32), create=False, update=False, filter=False,
              doc="The unique number of the Estimate (60000 + its id: 1 -> 60001, L5598)."),
        Field("name", Text(), default="", filter=False, doc="The name of the Estimate."),
        Field("total", Number(2), create=False, update=False, default=0, filter=False,
              doc="subtotal + tax."),
        Field("date", Epoch(), default=NOW, doc="When the Estimate was last updated."),
        Field("subtotal", Number(2), create=False, update=False, default=0, filter=False,
              doc="The sum of its line items' totals."),
        Field("tax", Number(2), create=False, update=False, default=0, filter=False,
              doc="The sum of its line items' tax."),
        Field("contact_id", Link("contact"), mandatory=True, index=True,
              doc="The ID of the Contact associated with the Estimate."),
        Field("animal_id", Link("animal"), index=True, doc="The ID of the Animal associated with the Estimate."),
        Field("consult_id", Link("consult"), filter=False, doc="The ID of the Consult associated with the Estimate."),
        Field("line_item", Children("estimateitem", via="estimate_id", embed=("v2",)), filter=False,
              doc="The Estimate's line items."),
    ),
)

RESOURCES = (INVOICE, INVOICE_LINE, PAYMENT_METHOD, PAYMENT, PAYMENT_ALLOCATION, TRANSACTION, ESTIMATE,
             ESTIMATE_ITEM)
