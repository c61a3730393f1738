"""Products and their groups: what the clinic sells, dispenses, vaccinates and tests with.

Declared here as far as the clinical records need them (a Vaccination's vaccine, a PrescriptionItem's
medication, the products an ExternalPrescription makes by its pharmacy reference). Pricing, stock levels and
the ``stocklevel`` question belong to billing and stock.
"""

from openvet.resources.declaration import Endpoint, Resource
from openvet.resources.fields import Boolean, Choice, Field, Integer, Link, Number, Text, Uid

PRODUCT_GROUP = Resource(
    name="productgroup",
    title="ProductGroup",
    spec_line=10129,
    endpoints={"v1": Endpoint(("list", "get"))},
    fields=(
        Field("name", Text(), index=True, doc="The name of the ProductGroup."),
        Field("description", Text(4000), doc="The description of the ProductGroup."),
    ),
)

PRODUCT = Resource(
    name="product",
    title="Product",
    spec_line=9891,
    endpoints={"v1": Endpoint(("list", "get")), "v2": Endpoint(("list", "get"))},
    fields=(
        Field("uid", Uid("product"), create=False, update=False, versions=(), index=True,
              doc="Identifies the Product across all ezyVet sites (Prescription v2 names it: product_uid)."),
        Field("name", Text(), index=True, doc="The name of the Product as the clinic sees it."),
        Field("code", Text(), index=True, doc="The code staff use to identify the Product."),
        Field("product_group_id", Link("productgroup"), index=True, doc="The Product's primary ProductGroup."),
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

RESOURCES = (PRODUCT_GROUP, PRODUCT)
