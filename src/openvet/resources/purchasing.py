"""Purchasing: what the clinic orders from its suppliers (PurchaseOrder, L10753) and what it receives from them
(ReceiveInvoice, L10929), line by line.

A receipt's items name the product by the supplier's code (``supplier_code``, the ProductSupplier of that
supplier) and count in the supplier's units: outers of ``units_per_outer`` units. They are kept in the product's
own units (the v2 sample: 2 outers of 4 at 100 read back as 8 at 25, L11445), and a Finalised receipt's items
raise stock through the ledger (StockTransaction rows naming them, ``for_class``/``for_id``), as stock
adjustments do (``resources/stock.py``). The rules are in ``services/purchasing.py``.
"""

from openvet.resources.declaration import Endpoint, Operation, Resource, standard
from openvet.resources.fields import Boolean, Children, Choice, Epoch, Field, Integer, Link, LinkList, Number, Text

LOOKUP = ("list", "get")
ORDER_STATUSES = ("Created", "Approved", "Sent", "Confirmed", "Partial", "Received", "Completed", "Cancelled")  # L10831
RECEIPT_STATUSES = ("Pending", "Finalised")
READ_ONLY = {"create": False, "update": False}
INTERNAL = {"versions": (), "filter": False}  # kept by the rules, never on the wire
CONFIRM = ("confirm_invoice_number",)  # the query parameter a receipt's write reads (L11095, L11195)
CONFIRM_DOC = ("Write-only, a query parameter: 1 lets the invoice_number of another ReceiveInvoice of the same "
               "supplier be used again (L11095); without it a duplicate is refused.")

PURCHASE_ORDER = Resource(
    name="purchaseorder",
    title="PurchaseOrder",
    spec_line=10753,
    rules=("purchase_order_totals",),
    endpoints={"v1": Endpoint(LOOKUP)},
    fields=(
        Field("date", Epoch(), mandatory=True, doc="The moment of the PurchaseOrder."),
        Field("shipping_address_id", Link("address"), doc="The Address the products ordered are delivered to."),
        Field("comments", Text(4000), default="", doc="Comments of the User placing the order."),
        Field("freight", Number(4), default=0, doc="The cost of the freight, tax included."),
        Field("freight_tax", Number(4), default=0, doc="The tax in the freight."),
        Field("tax", Number(4), default=0, **READ_ONLY,
              doc="The tax of the PurchaseOrder: its items' total_tax and the freight_tax."),
        Field("total", Number(4), default=0, **READ_ONLY,
              doc="The total of the PurchaseOrder, tax included: its items' total and total_tax and the freight "
                  "(negative for a return)."),
        Field("client_id", Link("contact"), index=True,
              doc="The client Contact the order is for; null for the clinic's own inventory."),
        Field("supplier_id", Link("contact"), mandatory=True, index=True,
              doc="The supplier the order is sent to: a Contact who is a supplier."),
        Field("status", Choice(*ORDER_STATUSES), default="Created", index=True, doc="The status of the order."),
        Field("supplier_order_number", Text(64), doc="The number the supplier gave the order."),
        Field("supplier_account_number", Text(64), doc="The clinic's account with the supplier."),
        Field("ownership_id", Link("separation"), doc="The ownership Separation the order belongs to."),
        Field("purchase_order_item_list", Children("purchaseorderitem", via="purchase_order_id", embed=()),
              filter=False, doc="The PurchaseOrderItems: objects on write, ids on read."),
    ),
)

PURCHASE_ORDER_ITEM = Resource(
    name="purchaseorderitem",
    title="PurchaseOrderItem",
    spec_line=10847,
    rules=("purchase_order_item_on_order",),
    endpoints={"v1": Endpoint(LOOKUP)},
    fields=(
        Field("purchase_order_id", Link("purchaseorder"), mandatory=True, update=False, index=True,
              doc="The PurchaseOrder the item is part of."),
        Field("product_id", Link("product"), mandatory=True, index=True, doc="The Product ordered."),
        Field("supplier_code", Text(64), index=True,
              doc="The supplier's code for the product; by default its ProductSupplier's."),
        Field("outers", Number(4), doc="How many outers are ordered."),
        Field("units_per_outer", Number(4, above=0),
              doc="How many units an outer holds; by default its ProductSupplier's, else 1."),
        Field("price_per_unit", Number(4), doc="The price of one unit, excluding tax."),
        Field("tax_per_unit", Number(4), default=0, doc="The tax of one unit."),
        Field("quantity", Number(4), doc="How many units are ordered: outers * units_per_outer."),
        Field("total", Number(4), default=0, **READ_ONLY, doc="quantity * price_per_unit, excluding tax."),
        Field("total_tax", Number(4), default=0, **READ_ONLY, doc="quantity * tax_per_unit."),
        Field("ownership_id", Link("separation"), doc="The ownership Separation; by default its order's."),
        Field("received", Number(4), default=0, **INTERNAL,
              doc="The units received against the item so far (by ReceiveInvoiceItems naming it)."),
        Field("on_order_total", Number(4), default=0, **INTERNAL,
              doc="The units still to come while the order is sent (Sent, Confirmed, Partial): stocklevel's "
                  "on_order_total."),
        Field("on_order_for_inventory", Number(4), default=0, **INTERNAL,
              doc="The units still to come while the order is open and for no client: stocklevel's "
                  "on_order_for_inventory."),
        Field("order_status", Choice(*ORDER_STATUSES), store=False, read=False, **INTERNAL,
              doc="A command from the order: its status changed to this (its items count again)."),
        Field("for_client", Boolean(), store=False, read=False, **INTERNAL,
              doc="A command from the order: it is (or is no longer) for a client."),
    ),
)

RECEIVE_INVOICE_ITEM = Resource(
    name="receiveinvoiceitem",
    title="ReceiveInvoiceItem",
    spec_line=11496,
    rules=("receive_invoice_item_receives_stock",),
    endpoints={
        "v1": Endpoint(("list", "get", "create", "update", "delete")),
        "v2": Endpoint(("list", "get", "create")),
    },
    fields=(
        Field("receive_invoice_id", Link("receiveinvoice"), mandatory=True, index=True,
              doc="The ReceiveInvoice the item is part of."),
        Field("name", Text(), versions=("v2",), filter=False,
              doc="The name of the item; by default the name of its Product."),
        Field("quantity", Number(4), mandatory=True,
              doc="Written in the supplier's units (outers of its ProductSupplier's units_per_outer, else units); "
                  "kept and read in units of the Product (L11962)."),
        Field("price", Number(4, minimum=0), mandatory=True,
              doc="The price of one supplier's unit on write (an outer, else a unit); of one unit on read."),
        Field("tax", Number(4), mandatory=True, doc="The tax of one supplier's unit on write; of one unit on read."),
        Field("total", Number(4), default=0, **READ_ONLY, doc="quantity * price, excluding tax."),
        Field("total_tax", Number(4), default=0, **READ_ONLY, doc="quantity * tax."),
        Field("tax_rate", Number(4), versions=("v2",), update=False,
              doc="The tax rate (percent); by default the rate of its ProductSupplier's TaxRate."),
        Field("tax_code", Text(32), versions=("v2",), update=False,
              doc="The code of that tax rate, e.g. S."),
        Field("product_id", Link("product"), index=True,
              doc="The Product received: the one whose ProductSupplier of the receipt's supplier has the "
                  "supplier_code; null for a line no product matches (it moves no stock)."),
        Field("product_supplier_id", Link("productsupplier"), versions=("v2",), **READ_ONLY,
              doc="The ProductSupplier the supplier_code matched."),
        Field("supplier_code", Text(64), mandatory=True, update=False, index=True,
              doc="The supplier's code for the product."),
        Field("ownership_id", Link("separation"),
              doc="The ownership Separation; by default its receipt's."),
        Field("location_id", Link("separation"), versions=("v2",), update=False,
              doc="The Separation where the stock is received; by default ownership_id."),
        Field("comments", Text(4000), default="", filter=False, doc="Comments on the item."),
        Field("purchase_order_item_id", Link("purchaseorderitem"), update=False, index=True,
              doc="The PurchaseOrderItem received."),
        Field("batch", Children("batch", via="receive_invoice_item_id", embed=("v2",), optional=("product_id",)),
              versions=("v2",), filter=False,
              doc="The Batches received, with a quantity each (in supplier's units, adding up to the item's); "
                  "required when the Product is tracked by Batch (L11948)."),
        Field("status", Choice(*RECEIPT_STATUSES), **READ_ONLY,
              doc="openvet: its receipt's status; a Pending item is being receipted and moves no stock yet."),
        Field("finalise", Boolean(), store=False, read=False, **INTERNAL,
              doc="A command from the receipt: it is finalised, and so is the item (its stock moves)."),
    ),
)

RECEIVE_INVOICE = Resource(
    name="receiveinvoice",
    title="ReceiveInvoice",
    spec_line=10923,
    rules=("receive_invoice_totals",),
    endpoints={
        "v1": Endpoint(("list", "get", Operation("create", params=CONFIRM), *standard("update", params=CONFIRM),
                        "delete")),
        "v2": Endpoint(("list", "get", Operation("create", params=CONFIRM))),
    },
    fields=(
        Field("invoice_number", Text(64), mandatory=True, index=True,
              doc="The supplier's number of the invoice; once per supplier unless confirm_invoice_number=1."),
        Field("date", Epoch(), mandatory=True, doc="The moment of the ReceiveInvoice."),
        Field("due_date", Epoch(), mandatory=True, doc="When the invoice is due."),
        Field("supplier_id", Link("contact"), index=True,
              doc="The supplier who sent it: a Contact who is a supplier. openvet takes it on write; when not "
                  "sent, it is the supplier whose ProductSupplier codes the items name."),
        Field("freight", Number(4), default=0, doc="The cost of the freight, tax included."),
        Field("freight_tax", Number(4), default=0, doc="The tax in the freight."),
        Field("rounding", Number(4), default=0, versions=("v2",), filter=False, **READ_ONLY,
              doc="The rounding applied."),
        Field("comments", Text(4000), default="", doc="Comments."),
        Field("tax", Number(4), default=0, **READ_ONLY,
              doc="Its active items' total_tax and the freight_tax."),
        Field("total", Number(4), default=0, **READ_ONLY,
              doc="Its active items' total and total_tax and the freight (freight includes its tax, L11028)."),
        Field("ownership_id", Link("separation"), index=True,
              doc="The ownership Separation; by default the clinic's Database Separation (L11105)."),
        Field("purchase_order_list", LinkList("purchaseorder"), versions=("v1",), **READ_ONLY,
              doc="The PurchaseOrders its items receive."),
        Field("line_item", Children("receiveinvoiceitem", via="receive_invoice_id", embed=("v2",)),
              wire={"v1": "receive_invoice_item_list"}, filter=False,
              doc="The ReceiveInvoiceItems: objects on write (on PATCH, objects with id or ids: the new set); ids "
                  "on v1 read, objects on v2."),
        Field("status", Choice(*RECEIPT_STATUSES), default="Finalised", index=True,
              doc="openvet: Finalised (the default) moves its items' stock; Pending is being receipted: PATCH it "
                  "to Finalised and its items' stock moves then. A Finalised receipt is never Pending again."),
        Field("confirm_invoice_number", Integer(), store=False, read=False, filter=False, doc=CONFIRM_DOC),
    ),
)

RESOURCES = (PURCHASE_ORDER, PURCHASE_ORDER_ITEM, RECEIVE_INVOICE, RECEIVE_INVOICE_ITEM)
