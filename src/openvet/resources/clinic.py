"""The clinic itself: its separations (Database > Business > Division > Location), users, tags, countries
and site settings.

These are read-only on the ezyVet API (v1 list/get; Separation also v2). They are still declared as
records, so a clinic's setup is data in the same store, scoped by clinic like everything else.
"""

from openvet.resources.declaration import Endpoint, Resource
from openvet.resources.fields import Boolean, Choice, Field, Integer, Link, Text, Timezone, Uid, UidRef

LOOKUP = Endpoint(("list", "get"))

COUNTRY = Resource(
    name="country",
    title="Country",
    spec_line=4473,
    endpoints={"v1": LOOKUP},
    fields=(Field("name", Text(), index=True, doc="The name of the Country, e.g. New Zealand."),),
)

SEPARATION = Resource(
    name="separation",
    title="Separation",
    spec_line=12122,
    endpoints={"v1": LOOKUP, "v2": LOOKUP},
    fields=(
        Field("uid", Uid("ownershipSeparation"), create=False, update=False, versions=("v2",), index=True,
              doc="Identifies the Separation across all ezyVet sites."),
        Field("name", Text(), doc="The name of the Separation."),
        # v1 spells the types capitalised (L12194), v2 lowercase (L12274).
        Field("type", Choice("Database", "Business", "Division", "Location", wire_case={"v2": str.lower}),
              doc="Where records are split: Database > Business > Division > Location."),
        Field("parent", Link("separation"), doc="The ID of the parent Separation; a Database has no parent."),
        Field("child", Integer(), filter=False, create=False, update=False, versions=("v2",),
              doc="Not described; the v2 sample shows an integer (1)."),
        Field("separation_type", Text(64), filter=False, versions=("v2",),
              doc="The kind of place the Separation is, e.g. Hospital (v2 sample only)."),
        Field("contact_id", Link("contact"), doc="The ID of the Contact holding the business details."),
        Field("contact_uid", UidRef("contact", via="contact_id"), filter=False, create=False, update=False,
              versions=("v2",), doc="The uid of the Contact holding the business details."),
    ),
)

USER = Resource(
    name="user",
    title="User",
    spec_line=13546,
    endpoints={"v1": LOOKUP},
    fields=(
        Field("uid", Uid("user"), create=False, update=False, versions=(), index=True,
              doc="Identifies the User across all ezyVet sites (v2 records name users by it)."),
        Field("name", Text(), index=True, doc="The name of the User."),
        Field("code", Text(), index=True, doc="The code of the User."),
        Field("is_vet", Boolean(), default=False, doc="If true, the User is a vet (can own consultations)."),
        Field("is_salesperson", Boolean(), default=False,
              doc="If true, the User is a salesperson (can be named on invoice lines)."),
    ),
)

TAG_CATEGORY = Resource(
    name="tagcategory",
    title="TagCategory",
    spec_line=13101,
    endpoints={"v1": LOOKUP},
    fields=(Field("name", Text(), doc="The name of the TagCategory."),),
)

TAG_NAME = Resource(
    name="tagname",
    title="Tag Name",
    spec_line=13161,
    endpoints={"v1": Endpoint(("list", "get"))},
    fields=(
        Field("name", Text(), filter=False, doc="The Tag Name's name, e.g. Canine."),
        Field("category_id", Link("tagcategory"), doc="The ID of the TagCategory the Tag Name is part of."),
    ),
)

TAG = Resource(
    name="tag",
    title="Tag",
    spec_line=13035,
    endpoints={"v1": LOOKUP},
    fields=(
        Field("name", Text(), doc="The name of the Tag."),
        Field("associated_type", Text(64), doc="The name of the resource the Tag is on, e.g. User."),
        Field("associated_id", Integer(), index=True, doc="The ID of the record the Tag is on."),
        Field("category_id", Link("tagcategory"), doc="The ID of the TagCategory the Tag belongs to."),
    ),
)

SYSTEM_SETTING = Resource(
    name="systemsetting",
    title="SystemSetting",
    spec_line=12976,
    system=False,
    endpoints={"v1": Endpoint(("get",), singleton=True)},
    fields=(
        Field("timezone", Timezone(), filter=False, create=False, update=False, default="Pacific/Auckland",
              doc="The site's timezone: {name, utc_offset, utc_offset_seconds}."),
    ),
)

RESOURCES = (COUNTRY, SEPARATION, USER, TAG_CATEGORY, TAG_NAME, TAG, SYSTEM_SETTING)
