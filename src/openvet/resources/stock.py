"""Products and stock: what the clinic sells, dispenses and keeps, its prices, suppliers and batches, and the
ledger of every movement of stock.

Stock levels are never a counter: every movement (an adjustment's item, a receipt's item, later a dispensed
invoice line) writes one StockTransaction row naming what moved it (``for_class``/``for_id``), and a product's stock is
the sum of its rows. Rows are written only by rules (``services/stock.py``), never changed: a correction is
another movement. ``GET /v1/product`` answers the ``stocklevel`` question (L9966) from that ledger.
"""

from openvet.resources.declaration import Endpoint, Operation, Resource, Sum
from openvet.resources.fields import (
    NOW,
    Boolean,
    Children,
    Choice,
    Epoch,
    Field,
    Integer,
    Link,
    Number,
    Text,
    TypedLink,
    TypeName,
    Uid,
    UidRef,
)

LOOKUP = ("list", "get")
V2_LOOKUP = {"v2": Endpoint(LOOKUP)}
STATUSES = ("Pending", "Allocated", "Finalised")  # InvoiceLine and StockAdjustmentItem (L7504, L12781)

TAX_RATE = Resource(
    name="taxrate",
    title="TaxRate",
    spec_line=13242,
    endpoints=V2_LOOKUP,
    fields=(
        Field("code", Text(32), index=True, doc='The code of the Tax Rate, e.g. "S".'),
        Field("rate", Number(4), doc="The percentage rate of the Tax Rate, e.g. 10."),
    ),
)

LEDGER_ACCOUNT = Resource(
    name="ledgeraccount",
    title="LedgerAccount",
    spec_line=8241,
    endpoints=V2_LOOKUP,
    fields=(
        Field("code", Text(32), index=True, doc='The unique code of the Ledger Account, e.g. "200".'),
        Field("name", Text(), index=True, doc='The name of the Ledger Account, e.g. "Sales".'),
    ),
)

PRODUCT_GROUP = Resource(
    name="productgroup",
    title="ProductGroup",
    spec_line=10123,
    endpoints={"v1": Endpoint(LOOKUP)},
    fields=(
        Field("name", Text(), index=True, doc="The name of the ProductGroup."),
        Field("description", Text(4000), doc="The description of the ProductGroup."),
    ),
)

PRODUCT = Resource(
    name="product",
    title="Product",
    spec_line=9885,
    rules=("product_is_in_a_group",),
    endpoints={
        # v1 lists answer the stocklevel question (L9966); v2 only reads (L10006)
        "v1": Endpoint((Operation("list", questions=("stocklevel",)), "get")),
        "v2": Endpoint(LOOKUP),
    },
    fields=(
        Field("uid", Uid("product"), create=False, update=False, versions=(), index=True,
              doc="Identifies the Product across all ezyVet sites (Prescription v2 names it: product_uid)."),
        Field("name", Text(), index=True, doc="The name of the Product as the clinic sees it."),
        Field("code", Text(), index=True, doc="The code staff use to identify the Product."),
        Field("product_group_id", Link("productgroup"), index=True,
              doc="The Product's primary ProductGroup: every Product has one (L9889); written without one, the "
                  "clinic's General group."),
        Field("description", Text(4000), doc="The description of the Product."),
        Field("warning", Text(4000), doc='A warning about the Product, e.g. "For external use only".'),
        Field("type", Choice("Standard", "Medication", "Vaccination", "Diagnostic", "Integrated Diagnostic",
                             "Procedure"), default="Standard", doc="Where the Product can be used."),
        Field("tracking_level", Choice("No", "Product", "Batch"), default="No", versions=("v2",),
              doc="How stock of the Product is tracked: No, Product or Batch."),
        Field("is_sold", Boolean(), default=True, doc="If true, the Product can be sold."),
        Field("is_purchased", Boolean(), default=False, doc="If true, the Product can be bought."),
        Field("is_container", Boolean(), default=False, doc="If true, the Product contains other Products."),
        Field("is_derived_price", Boolean(), default=False,
              doc="If true, the price is derived from the Products contained."),
        Field("has_direct_cost", Boolean(), default=False, doc="If true, the Product can use markup."),
        Field("product_identifier", Text(64), versions=("v1",), doc="For the US, the 11-digit NDC."),
        Field("product_schedule_or_class", Text(16), versions=("v1",),
              doc="The controlled-substance schedule, e.g. III."),
        Field("lowest_dispensable_quantity", Number(4), versions=("v2",),
              doc="The lowest dispensable quantity of the medication."),
        Field("lowest_dispensable_unit", Text(32), versions=("v2",), doc="Its unit."),
        Field("concentration", Number(4), versions=("v2",), doc="The concentration of the medication."),
        Field("concentration_unit", Text(32), versions=("v2",), doc="The unit of the concentration."),
        Field("concentration_volume", Text(32), versions=("v2",), doc="The unit of the concentration's volume."),
        Field("concentration_diluted", Number(4), versions=("v2",), doc="The dilution of the medication."),
        Field("concentration_diluted_unit", Text(32), versions=("v2",), doc="The unit of the diluted concentration."),
        Field("concentration_diluted_volume", Text(32), versions=("v2",),
              doc="The unit of the diluted concentration's volume."),
        Field("default_dosage_calculation_method", Text(), versions=("v2",),
              doc="The default dosage calculation method."),
        Field("is_constant_rate_infusion", Boolean(), default=False, versions=("v2",),
              doc="If true, the medication is a constant rate infusion."),
        Field("default_infusion_rate_per", Text(32), versions=("v2",), doc="The default infusion rate unit."),
        Field("default_route_of_administration", Text(), versions=("v2",),
              doc="The default route of administration."),
        Field("sheet_group", Integer(), versions=("v2",), doc="The sheet group of the Product."),
        Field("sheet_group_name", Text(), versions=("v2",), doc="The name of that sheet group."),
        Field("external_product_reference", Text(), versions=(), index=True,
              doc="The reference an external pharmacy knows the Product by (ExternalPrescription, L5773)."),
    ),
)

PRODUCT_PRICING = Resource(
    name="productpricing",
    title="ProductPricing",
    spec_line=10189,
    rules=("product_pricing_prices",),
    endpoints={"v2": Endpoint(("list", "get", "create", "update", "delete"))},
    fields=(
        Field("cost_price", Number(4, minimum=0), mandatory=True, filter=False,
              doc="The cost price of the product."),
        Field("based_on", Choice("Markup", "Price"), mandatory=True, filter=False,
              doc='What the sell price is worked out from: "Markup" (sell_price from markup) or "Price" (markup '
                  "from sell_price)."),
        Field("markup", Number(4), filter=False,
              doc="The percentage markup on the cost price; sent when based_on is Markup, else worked out."),
        Field("sell_price", Number(4, minimum=0), filter=False,
              doc="The sell price, excluding tax; sent when based_on is Price, else worked out."),
        Field("sell_price_tax", Number(4), create=False, update=False, filter=False,
              doc="The tax of the sell price at the tax rate, to the cent."),
        Field("tax_rate", Link("taxrate", expand=("v2",)), mandatory=True, filter=False,
              doc="The TaxRate applied: its id on write, the whole TaxRate on read."),
        Field("dispense_fee", Number(4), default=0, create=False, update=False, filter=False,
              doc="The dispense fee applied when billing this product, including tax."),
        Field("product_id", Link("product"), mandatory=True, index=True,
              doc="The Product this pricing is for."),
        Field("ownership_id", Link("separation"), mandatory=True, filter=False,
              doc="The ownership Separation the pricing belongs to."),
    ),
)

PRODUCT_MINIMUM_STOCK = Resource(
    name="productminimumstock",
    title="ProductMinimumStock",
    spec_line=10551,
    rules=("one_minimum_stock_per_product",),
    endpoints=V2_LOOKUP,
    fields=(
        Field("product_id", Link("product"), mandatory=True, index=True,
              doc="The Product this minimum stock is for."),
        Field("minimumstock", Number(4, minimum=0), filter=False, doc="The minimum stock level in units."),
        Field("re_order_to_max_level", Boolean(), default=False, filter=False,
              doc="If true, stock is re-ordered to the maximum level."),
        Field("re_order_qty", Number(4, minimum=0), filter=False,
              doc="The re-order amount, from inner units to the supplier's outer units."),
        Field("start_day", Integer(1, 31), filter=False, doc="The first day of the month stock can be re-ordered."),
        Field("start_month", Integer(1, 12), filter=False, doc="The first month stock can be re-ordered."),
        Field("end_day", Integer(1, 31), filter=False, doc="The last day stock can be re-ordered."),
        Field("end_month", Integer(1, 12), filter=False, doc="The last month stock can be re-ordered."),
        Field("ownership_id", Link("separation"), filter=False,
              doc="The ownership Separation it belongs to."),
    ),
)

PRODUCT_SUPPLIER = Resource(
    name="productsupplier",
    title="ProductSupplier",
    spec_line=10635,
    rules=("supplied_by_a_supplier",),
    endpoints=V2_LOOKUP,
    fields=(
        Field("product_id", Link("product"), mandatory=True, index=True, doc="The Product supplied."),
        Field("supplier_code", Text(64), filter=False, doc="The supplier's code for the product."),
        Field("expected_price", Number(4), filter=False, doc="The price expected from the supplier."),
        Field("units_per_outer", Number(4), default=1, filter=False,
              doc="How many units the supplier's outer holds."),
        Field("supplier_contact_id", Link("contact"), mandatory=True, index=True,
              doc="The supplier: a Contact who is a supplier."),
        Field("tax_rate_id", Link("taxrate"), filter=False, doc="The TaxRate of the supplier's price."),
        Field("list_price", Number(4), filter=False, doc="The listed price."),
        Field("is_default", Boolean(), default=False, filter=False,
              doc="If true, the product's default supplier."),
        Field("unit_of_measure", Text(32), filter=False, doc="The unit the supplier measures the product in."),
        Field("last_update", Epoch(), filter=False,
              doc="When the stock of this supplier record was last updated (the table says last_updated, the "
                  "sample last_update, L10731)."),
        Field("contract_price", Number(4), filter=False, doc="The contract price."),
        Field("ownership_id", Link("separation"), doc="The ownership Separation it belongs to."),
        Field("ownership_uid", UidRef("separation", via="ownership_id"),
              doc="The uid of that ownership Separation."),
    ),
)

BARCODE = Resource(
    name="barcode",
    title="Barcode",
    spec_line=2056,
    endpoints={"v1": Endpoint(LOOKUP)},
    fields=(
        Field("for_type", TypeName("Product", spell={"v1": str.lower, "v2": str.lower}), mandatory=True,
              doc='The kind of record the Barcode is for: "product".'),
        Field("for_id", TypedLink("for_type"), mandatory=True, index=True, doc="The record the Barcode is for."),
        Field("format", Text(32), doc='The barcode standard, e.g. "EAN-13" or "CODE128".'),
        Field("barcode", Text(), mandatory=True, index=True, doc="The text the Barcode represents when read."),
    ),
)

BATCH = Resource(
    name="batch",
    title="Batch",
    spec_line=2134,
    rules=("batch_is_of_a_lot",),
    endpoints={"v2": Endpoint(("list", "get", "create"))},
    fields=(
        Field("uid", Uid("batch"), create=False, update=False, index=True,
              doc="Identifies the Batch across all ezyVet sites."),
        Field("name", Text(), mandatory=True, index=True, doc='The name (lot) of the Batch, e.g. "123ABC".'),
        Field("type", Choice("Product", "Batch"), default="Batch",
              doc='"Product": a lot of a product; "Batch": stock of that lot received or adjusted, whose parent '
                  "is the lot."),
        Field("product_id", Link("product"), mandatory=True, filter=False, update=False,
              doc="The Product the Batch is of (written on create; taken from the item it is part of)."),
        Field("parent", Link("batch"), create=False, update=False, filter=False,
              doc="The lot (a Batch of type Product, of the same product and name) this Batch is of."),
        Field("expiry", Epoch(), filter=False, doc="When the Batch expires."),
        Field("quantity", Number(4), read=False, filter=False,
              doc="Write-only: how much of the lot an adjustment or a receipt moves (L2378)."),
        Field("stock_adjustment_item_id", Link("stockadjustmentitem"), versions=(), filter=False, index=True,
              doc="The StockAdjustmentItem this Batch is part of."),
        Field("receive_invoice_item_id", Link("receiveinvoiceitem"), versions=(), filter=False, index=True,
              doc="The ReceiveInvoiceItem this Batch is part of."),
    ),
)

# the ledger rows a stock level counts (Finalised movements), and those that took stock away
MOVED = (("alter_stock", "eq", True), ("status", "eq", "Finalised"), ("active", "eq", True))
MOVED_OUT = (*MOVED, ("quantity", "lt", 0), ("for_class", "neq", "ReceiveInvoiceItem"))

STOCK_TRANSACTION = Resource(
    name="stocktransaction",
    title="StockTransaction",
    spec_line=12895,
    rules=("ledger_rows_are_never_changed",),
    endpoints=V2_LOOKUP,
    # the stocklevel question's in_stock and inventory_turn (services/stock.py), read without summing the ledger
    sums=(Sum("in_stock", "quantity", by="product_id", where=MOVED),
          Sum("moved_out", "quantity", by="product_id", where=MOVED_OUT, per_day="date")),
    fields=(
        Field("quantity", Number(4), doc="The quantity moved: positive into stock, negative out of it."),
        Field("alter_stock", Boolean(), default=True, doc="If true, the movement alters the stock level."),
        Field("separation_id", Link("separation"), doc="The location Separation the stock moved at."),
        Field("for_id", TypedLink("for_class"), index=True, doc="The record that moved the stock."),
        Field("for_class", TypeName("StockAdjustmentItem", "ReceiveInvoiceItem", "InvoiceLine"),
              doc="The kind of record that moved the stock."),
        Field("product_id", Link("product"), index=True, doc="The Product moved."),
        Field("status", Choice(*STATUSES), default="Finalised", doc="The status of the movement."),
        Field("date", Epoch(), default=NOW, doc="When the stock moved."),
    ),
)

STOCK_ADJUSTMENT_ITEM = Resource(
    name="stockadjustmentitem",
    title="StockAdjustmentItem",
    spec_line=12699,
    rules=("stock_adjustment_item_moves_stock",),
    endpoints={"v2": Endpoint(("list", "get", "create"))},
    fields=(
        Field("stockadjustment_id", Link("stockadjustment"), mandatory=True, update=False, index=True,
              doc="The StockAdjustment the item is part of."),
        Field("product_id", Link("product"), mandatory=True, index=True, doc="The Product adjusted."),
        Field("name", Text(), create=False, update=False, doc="The name of the Product."),
        Field("code", Text(), create=False, update=False, doc="The code of the Product."),
        Field("quantity", Number(4), mandatory=True,
              doc="By how much the Product's stock is adjusted: positive raises it, negative lowers it."),
        Field("price", Number(4, minimum=0), filter=False,
              doc="The cost price per unit (excl. tax); by default the Product's cost price (its ProductPricing)."),
        Field("ledger_account", Link("ledgeraccount"), doc="The LedgerAccount of the adjustment."),
        Field("status", Choice(*STATUSES), create=False, update=False,
              doc="Finalised when written in the line_item of a Finalised StockAdjustment (stock moves); Pending "
                  "when added on its own or to a Pending StockAdjustment (no stock moves until it is finalised)."),
        Field("finalise", Boolean(), store=False, read=False, versions=(), filter=False,
              doc="A command from the StockAdjustment: it is finalised, and so is the item (its stock moves)."),
        Field("batch", Children("batch", via="stock_adjustment_item_id", embed=("v2",), optional=("product_id",)),
              filter=False, doc="The Batches adjusted: objects with name and quantity on write; Batches on read."),
        Field("location_id", Link("separation"), doc="The location Separation where stock is adjusted."),
    ),
)

STOCK_ADJUSTMENT = Resource(
    name="stockadjustment",
    title="StockAdjustment",
    spec_line=12485,
    rules=("stock_adjustment_amount", "stock_adjustment_finalises_its_items"),
    # openvet: PATCH finalises a Pending adjustment (status), beyond the document
    endpoints={"v2": Endpoint(("list", "get", "create", Operation("update", "{id}", extension=True)))},
    fields=(
        # a StockAdjustment is not deleted (a correction is another adjustment): its PATCH does not set active
        Field("active", Boolean(), update=False, default=True,
              doc="If true, the StockAdjustment is active and usable."),
        Field("date", Epoch(), mandatory=True, update=False, doc="The moment of the StockAdjustment."),
        Field("amount", Number(4), default=0, create=False, update=False, filter=False,
              doc="The total quantity * price of its active items."),
        Field("comments", Text(4000), default="", filter=False, doc="Comments on the StockAdjustment."),
        Field("line_item", Children("stockadjustmentitem", via="stockadjustment_id", embed=("v2",)), filter=False,
              update=False, doc="The StockAdjustmentItems: objects on write, embedded on read."),
        Field("ownership_id", Link("separation"), mandatory=True, index=True, update=False,
              doc="The ownership Separation the StockAdjustment belongs to."),
        Field("status", Choice("Pending", "Finalised"), default="Finalised", index=True,
              doc="openvet: Finalised (the default) moves its items' stock as they are written; Pending moves none "
                  "until PATCHed to Finalised, which finalises its Pending items (and items added on their own) "
                  "and moves their stock then. A Finalised adjustment is never Pending again."),
    ),
)

RESOURCES = (TAX_RATE, LEDGER_ACCOUNT, PRODUCT_GROUP, PRODUCT, PRODUCT_PRICING, PRODUCT_MINIMUM_STOCK,
             PRODUCT_SUPPLIER, BARCODE, BATCH, STOCK_TRANSACTION, STOCK_ADJUSTMENT_ITEM, STOCK_ADJUSTMENT)
