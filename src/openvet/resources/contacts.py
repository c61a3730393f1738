"""Contacts (clients, businesses, suppliers, vets) and what hangs off them: details, addresses, associations.

A Contact owns its ContactDetails (phone, email…) as a child list that is written with the Contact and
read back as ids (v1) or embedded objects (v2), and points at one physical and one postal Address. An
Address in turn names the record it belongs to (``for_resource``), the document's one polymorphic owner.
"""

from openvet.resources.declaration import Endpoint, Resource
from openvet.resources.fields import (
    Boolean,
    Children,
    Choice,
    ChoiceList,
    Epoch,
    Field,
    Link,
    Number,
    RecordRef,
    Text,
    Uid,
    UidRef,
)

READ_WRITE = ("list", "get", "create", "update", "delete")

CONTACT = Resource(
    name="contact",
    title="Contact",
    spec_line=3386,
    rules=("contact_requires_details",),
    # v1: "(up to 10)" in the caption but the limit parameter says "range: 1 - 50" (L3482): serve 50.
    endpoints={"v1": Endpoint(READ_WRITE, page_limit=50), "v2": Endpoint(("list", "get"))},
    fields=(
        Field("uid", Uid("contact"), create=False, update=False, versions=("v2",), index=True,
              doc="Identifies the Contact across all ezyVet sites."),
        Field("ownership_id", Link("separation"), versions=("v1",),
              doc="The ID of the ownership Separation to which this Contact belongs."),
        Field("code", Text(), index=True, doc="The custom code override for the Contact."),
        Field("first_name", Text(), index=True, doc="The Contact's first name."),
        Field("last_name", Text(), mandatory=True, index=True, doc="The Contact's last/family name."),
        Field("business_name", Text(), index=True, doc="The Contact's business name, if it is a business."),
        Field("is_business", Boolean(), default=False, doc="If true, the Contact is a business."),
        Field("is_customer", Boolean(), default=False, doc="If true, the Contact is a customer."),
        Field("is_supplier", Boolean(), default=False, doc="If true, the Contact is a supplier."),
        Field("is_vet", Boolean(), default=False, doc="If true, the Contact is a vet."),
        Field("is_syndicate", Boolean(), default=False, doc="If true, the Contact is a syndicate."),
        Field("is_staff_member", Boolean(), default=False, doc="If true, the Contact is a staff member."),
        Field("website", Text(), create=False, update=False, doc="The Contact's website."),
        Field("stop_credit", Choice("OK", "WARNING", "STOP"), default="OK",
              doc="OK (invoiceable), WARNING (issues a warning when invoiced) or STOP (cannot be invoiced)."),
        Field("address_physical", Link("address", nested=True),
              doc="The physical Address of the Contact (v1 writes also accept an Address object)."),
        Field("address_postal", Link("address", nested=True),
              doc="The postal Address of the Contact (v1 writes also accept an Address object)."),
        Field("contact_detail_list", Children("contactdetail", via="contact_id"),
              filter=False, mandatory=True,
              doc="The Contact's ContactDetails: objects on write (a PATCH list replaces the set), "
                  "ids on v1 reads, objects on v2 reads."),
        Field("date_of_birth", Epoch(), default=0, versions=("v1",),
              doc="The date of birth of the primary contact."),
        Field("driver_license_number", Text(), versions=("v1",),
              doc="The driver license number of the primary contact."),
        Field("driver_license_issuer", Text(), versions=("v1",),
              doc="The issuer of the driver license of the primary contact."),
        Field("driver_license_expiry", Epoch(), versions=("v1",),
              doc="The expiry date of the driver license of the primary contact."),
    ),
)

CONTACT_DETAIL = Resource(
    name="contactdetail",
    title="ContactDetail",
    spec_line=3969,
    # a detail names its Contact by id or (v2) uid (L4389), and its type by id or (v1) by its name (L4132)
    one_of=(("contact_id", "contact_uid"), ("contact_detail_type_id", "name")),
    # v2 create: one of contact_id or contact_uid (L4389); value_cleaned is worked out from value (L4043);
    # v1 create may leave the type out when the name names one (L4132)
    rules=("contactdetail_names_contact", "contactdetail_has_type", "contactdetail_cleans_value"),
    endpoints={
        "v1": Endpoint(("list", "get", "create", "update")),
        "v2": Endpoint(("list", "get", "create")),
    },
    fields=(
        Field("name", Text(), doc='The name of the ContactDetail, e.g. "Home Phone" or "Business E-mail".'),
        Field("value", Text(), mandatory=True,
              doc="The number, email… of the ContactDetail, depending on its ContactDetailType."),
        Field("value_cleaned", Text(), create=False, update=False, index=True,
              doc="The value without special characters, prefixed with the country code (phone lookups)."),
        Field("contact_id", Link("contact"), index=True,
              doc="The ID of the Contact to whom this ContactDetail is assigned."),
        Field("contact_uid", UidRef("contact", via="contact_id"),
              filter=False, update=False, versions=("v2",),
              doc="The uid of the Contact to whom this ContactDetail is assigned (instead of contact_id)."),
        # Marked mandatory on v2 only (L4396); on v1 a rule takes it from the name when it is not sent.
        Field("contact_detail_type_id", Link("contactdetailtype"), mandatory=("v2",), wire={"v2": "type_id"},
              doc="The ID of the ContactDetailType of this ContactDetail (v1: when not sent, the "
                  "ContactDetailType that name names, e.g. Email or Mobile)."),
        Field("preferred", Boolean(), default=False,
              doc="If true, this is a preferred contact method for the Contact."),
        # Not a filter, though the document lists it as one (L4043): it is a list held as JSON, and
        # equality of JSON values is not portable (PostgreSQL has no json = json).
        Field("subscription_groups", ChoiceList("General", "Reminders", "Accounts"), default=(),
              versions=("v1",), filter=False,
              doc="The subscription groups this ContactDetail is subscribed to."),
    ),
)

CONTACT_DETAIL_TYPE = Resource(
    name="contactdetailtype",
    title="ContactDetailType",
    spec_line=4413,
    endpoints={"v1": Endpoint(("list", "get"))},
    fields=(Field("name", Text(), index=True, doc='The name of the ContactDetailType, e.g. "Mobile".'),),
)

CONTACT_ASSOCIATION = Resource(
    name="contactassociation",
    title="ContactAssociation",
    spec_line=3887,
    # No "(up to N)" for this list: the global limit range 1 - 200 applies (L153).
    endpoints={"v1": Endpoint(("list", "get"))},
    fields=(
        Field("contact_id", Link("contact"), index=True, doc="The Contact whose associations these are."),
        Field("associatedcontact_id", Link("contact"), filter=False, doc="The id of the Contact associated."),
        Field("associationclass", Text(64), filter=False, default="Other",
              doc="The class of the association, e.g. Family or Other."),
    ),
)

ADDRESS = Resource(
    name="address",
    title="Address",
    spec_line=289,
    endpoints={"v1": Endpoint(READ_WRITE)},
    fields=(
        Field("name", Text(), doc="The Address's name, e.g. Physical."),
        Field("street_1", Text(), doc="The Address's first street line."),
        Field("street_2", Text(), doc="The Address's second street line."),
        Field("suburb", Text(), doc="The Address's suburb."),
        Field("city", Text(), doc="The Address's city."),
        Field("region", Text(), doc="The Address's region."),
        Field("post_code", Text(32), index=True, doc="The Address's post code."),
        Field("state", Text(), doc="The Address's state, where applicable."),
        Field("country_id", Link("country"), doc="The Address's Country ID."),
        Field("longitude", Number(8), doc="The longitudinal geographic coordinate (-180 to 180)."),
        Field("latitude", Number(8), doc="The latitudinal geographic coordinate (-90 to 90)."),
        Field("for_resource", RecordRef("Contact", "Animal"), filter=False, update=False,
              doc='The record this Address belongs to, as {"Contact": {"id": "5"}}.'),
        Field("distance", Number(4), filter=False, create=False, update=False,
              doc="The distance from the clinic to the Address."),
    ),
)

RESOURCES = (CONTACT, CONTACT_DETAIL, CONTACT_DETAIL_TYPE, CONTACT_ASSOCIATION, ADDRESS)
