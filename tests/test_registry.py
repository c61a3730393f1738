"""The registry serves every operation and field the ezyVet document gives for the clinic's core records.

Read against ``shared/spec/ezyvet_catalog.json`` (the document, parsed): each operation of these resources
must be served on its version, and each field its tables and samples name must exist on that version's
wire. Where the document contradicts itself, the exceptions below say which reading we chose, with the line.
"""

import json
import re

import pytest

from conftest import SPEC  # shared/spec, or OPENVET_SPEC_DIR
from openvet.resources import REGISTRY
from openvet.resources.fields import Children, Link, TypedLink, UidRef

COVERED = {
    "Contact", "ContactDetail", "ContactDetailType", "ContactAssociation", "Address",
    "Animal", "AnimalColour", "Species", "Breed", "Sex",
    "Country", "Separation", "User", "Tag", "TagCategory", "TagName", "SystemSetting",
    # part 2: the clinical and scheduling records
    "Appointment", "AppointmentStatus", "AppointmentType", "Resource", "Consult", "History", "Assessment", "Plan",
    "PhysicalExam", "HealthStatus", "Operation", "Therapeutic", "PresentingProblem", "PresentingProblemLink",
    "Vaccination", "Diagnostic", "IntegratedDiagnostic", "DiagnosticRequest", "DiagnosticResult",
    "DiagnosticResultItem", "Communication", "Attachment", "File", "Prescription", "PrescriptionItem",
    "ExternalPrescription", "ShelterAnimalBooking",
    # part 3: products and the stock ledger
    "Product", "ProductGroup", "ProductPricing", "ProductMinimumStock", "ProductSupplier", "Barcode", "Batch",
    "TaxRate", "LedgerAccount", "StockAdjustment", "StockAdjustmentItem", "StockTransaction",
    # part 4: integration
    "WebHooks", "WebHookEvents",
    # part 3: wellness plans
    "WellnessPlan", "WellnessPlanBenefit", "WellnessPlanBenefitItem", "WellnessPlanMembership",
    "WellnessPlanMembershipOption", "WellnessPlanMembershipStatusPeriod", "BillingCredit", "PriceAdjustment",
    # part 3: purchasing
    "PurchaseOrder", "PurchaseOrderItem", "ReceiveInvoice", "ReceiveInvoiceItem",
    # part 3: billing
    "Invoice", "InvoiceLine", "Payment", "PaymentMethod", "Transaction", "Estimate",
}
PAGING = {"limit", "page"}  # request controls, not fields

# Field names the document uses that are not fields: typos of a documented name.
NOT_FIELDS = {
    ("contact.v1.update", "primary_contact_date_of_birth"),  # sample response, for date_of_birth (L3695)
    ("animal.v1.update", "contact"),  # sample request body, for contact_id (L886)
    ("product.v2.retrieve", "has_cost_price"),  # sample response, for has_direct_cost (L10063)
    ("productsupplier.v2.list", "last_updated"),  # the table's name; the sample answers last_update (L10731)
    # wellness plans: the PATCH answer's table spells subscriptionion_* (L14511); the PriceAdjustment sample
    # spells the table's wellness_plan_* without their underscore (L9840)
    *(("wellnessplan.v2.update", f"subscriptionion_cycle_{n}") for n in ("unit", "qty")),
    ("wellnessplan.v2.update", "subscriptionion_fee_product"),
    ("priceadjustment.v1.list", "wellnessplan_id"), ("priceadjustment.v1.list", "wellnessplan_benefit_id"),
    ("priceadjustment.v1.list", "wellnessplan_membership_id"),
    # billing : fields of the objects in a list, not of the record
    ("invoice.v1.list", "amount"),  # of each linked_payments object (L6888)
    ("invoice.v2.list", "financials->linked_payments"),  # financials' linked_payments (L7031)
    ("payment.v1.list", "allocated_amount"),  # of each linked_invoices object (L8483)
}
# Item wrappers that are not the endpoint name: copy-paste of the Procedure sample, a capital letter.
WRONG_WRAPPERS = {
    ("animalcolour.v1.list", "procedure"),  # L1047
    ("contactdetailtype.v1.list", "procedure"),  # L4438
    ("assessment.v1.list", "Assessment"),  # L1731
}
# Samples of another endpoint shown under an operation: Batch create shows batches made by a ReceiveInvoiceItem
# create (L2283); their fields are that endpoint's.
OTHER_ENDPOINT = {("batch.v2.create", "receiveinvoiceitem")}
# Fields marked * that are mandatory only as "one of": "You will need pass in one of contact_id or
# contact_uid" (L4389), "Either file_data or file_id can be supplied" (L1900); rules enforce them.
EITHER_OR = {("contactdetail.v2.create", "contact_id"), ("contactdetail.v2.create", "contact_uid"),
             ("attachment.v1.create", "file_data"), ("attachment.v1.create", "file_id"),
             # markup or sell_price, the one based_on names; the other is worked out (L10302, L10341)
             ("productpricing.v2.create", "markup"), ("productpricing.v2.create", "sell_price")}
# Query parameters we refuse as filters: subscription_groups is a list held as JSON, and equality of JSON
# values is not portable (PostgreSQL has no json = json); the document lists it as a filter (L4043).
# ``details`` names Appointment v1's nested object, whose fields are the filters (L1154); a download link is
# signed anew on every read (L1826).
NOT_FILTERS = {("contactdetail.v1.list", "subscription_groups"), ("appointment.v1.list", "details"),
               ("attachment.v1.list", "file_download_url")}
# Request controls and read-only fields listed among a body's parameters by mistake (L6338, L6350).
NOT_WRITABLE = {("healthstatus.v1.create", n) for n in ("created_at", "modified_at", "limit", "page")} | {
    ("healthstatus.v1.update", n) for n in ("created_at", "modified_at", "limit", "page")}
# Page limits where the document contradicts itself; elsewhere the "(up to N)" of the operation holds.
GLOBAL_LIMIT = 200  # "limit: range 1 - 200" for every list (L153); captions' "(up to 10)" is the default page


def documented_limit(op) -> int:
    """The narrower range an operation's own ``limit`` row states (Contact v1: 1 - 50, L3482), else 200."""
    for parameter in op["query_parameters"]:
        found = re.search(r"range: 1 - (\d+)", parameter["description"]) if parameter["name"] == "limit" else None
        if found:
            return int(found.group(1))
    return GLOBAL_LIMIT


def operations():
    catalog = json.loads((SPEC / "ezyvet_catalog.json").read_text())
    return [op for op in catalog if op["resource"] in COVERED]


OPERATIONS = operations()
LISTS = [op for op in OPERATIONS if op["kind"] == "list"]
CREATES = [op for op in OPERATIONS if op["kind"] == "create"]
WRITES = [op for op in OPERATIONS if op["kind"] in ("create", "update")]


def op_id(op):
    return op["operation_id"]


def sample_items(op):
    """(wrapper, item) for every item of every parsed sample response."""
    for sample in op["sample_responses"]:
        body = sample.get("json")
        if not isinstance(body, dict):
            continue
        for item in body.get("items") or []:
            if isinstance(item, dict) and len(item) == 1:
                (wrapper, record), = item.items()
                if (op["operation_id"], wrapper) not in OTHER_ENDPOINT:
                    yield wrapper, record


def request_fields(op):
    for request in op["sample_requests"]:
        url = (request.get("url") or "").lower()
        if any(op_id == op["operation_id"] and f"/{other}" in url for op_id, other in OTHER_ENDPOINT):
            continue
        if isinstance(request.get("body"), dict):
            yield from request["body"]


def named_fields(op):
    names = {p["name"] for p in op["query_parameters"] + op["body_parameters"] + op["response_fields"]}
    for _, record in sample_items(op):
        if isinstance(record, dict):  # not WebHookEvents' item, a list of event names (L13880)
            names.update(record)
    if op["kind"] in ("create", "update"):
        names.update(request_fields(op))
    return {n for n in names if n not in PAGING and (op["operation_id"], n) not in NOT_FIELDS}


def resource_of(op):
    return REGISTRY[op["resource_slug"]]


def test_catalog_has_every_covered_resource():
    assert {op["resource"] for op in OPERATIONS} == COVERED


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_operation_is_served(op):
    resource, version, kind = resource_of(op), op["api_version"], op["kind"]
    if kind == "singleton":
        assert resource.endpoints[version].singleton
        assert resource.serves(version, "get")
    elif kind == "list":
        # a list worked out from the registry (WebHookEvents) has no records to get one by one
        assert resource.serves(version, "list") and (resource.serves(version, "get") or resource.listed_by)
    else:
        assert resource.serves(version, {"retrieve": "get"}.get(kind, kind))


def wire_names(resource, version) -> set[str]:
    """The names a version's wire uses: each field's, the objects that nest some (``details``), the leaf names
    within them (the document lists ``details.animal_id`` as ``animal_id``), and the version's other query
    parameters (``time_range_start``)."""
    names = set()
    for name in resource.wire_map(version):
        parts = name.split(".")
        names |= {name, parts[-1], *parts[:-1]}
    return names | set(resource.endpoints[version].filters if version in resource.endpoints else ()) | asked(
        resource, version)


def asked(resource, version) -> set[str]:
    """``questions`` and the ``_answers`` it brings, on a version where a list answers questions (L9950)."""
    return {"questions", "_answers"} if any(o.questions for o in resource.operations(version)) else set()


def addressed_by(op) -> set[str]:
    """A body key that names the record written instead of a field of it (prescription_uid, L5797)."""
    resource = resource_of(op)
    return {o.address for o in resource.operations(op["api_version"]) if o.address not in ("path", "matching")}


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_every_documented_field_is_on_the_wire(op):
    wire = wire_names(resource_of(op), op["api_version"])
    assert sorted(named_fields(op) - wire - addressed_by(op)) == []


@pytest.mark.parametrize("op", LISTS, ids=op_id)
def test_query_parameters_are_filters(op):
    resource, version = resource_of(op), op["api_version"]
    filters = set(resource.filter_map(version)) | set(resource.endpoints[version].filters) | asked(resource, version)
    names = {p["name"] for p in op["query_parameters"]} - PAGING
    names = {n for n in names if (op["operation_id"], n) not in NOT_FILTERS}
    assert sorted(names - filters) == []


@pytest.mark.parametrize("op", WRITES, ids=op_id)
def test_body_parameters_are_writable(op):
    wire = resource_of(op).wire_map(op["api_version"])
    flag = "create" if op["kind"] == "create" else "update"
    names = {p["name"] for p in op["body_parameters"]} - addressed_by(op)
    if flag == "update":
        names.discard("id")  # an id in a PATCH body repeats the record's (L8830)
    names = {n for n in names if (op["operation_id"], n) not in NOT_WRITABLE}
    assert sorted(n for n in names if not getattr(wire[n], flag)) == []


@pytest.mark.parametrize("op", CREATES, ids=op_id)
def test_mandatory_fields_are_mandatory(op):
    wire = resource_of(op).wire_map(op["api_version"])
    marked = {p["name"] for p in op["body_parameters"] if p["mandatory"]}
    marked -= {name for op_id, name in EITHER_OR if op_id == op["operation_id"]}
    assert sorted(n for n in marked if not wire[n].mandatory_on(op["api_version"])) == []


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_items_are_wrapped_in_the_endpoint_name(op):
    for wrapper, _ in sample_items(op):
        assert wrapper == resource_of(op).name or (op["operation_id"], wrapper) in WRONG_WRAPPERS


@pytest.mark.parametrize("op", LISTS, ids=op_id)
def test_page_limit(op):
    resource, version = resource_of(op), op["api_version"]
    assert resource.endpoints[version].page_limit == documented_limit(op)


def test_contact_v2_embeds_contact_details():
    """The Contact v2 sample embeds ContactDetail objects, in ContactDetail's v2 wire names."""
    children = REGISTRY["contact"].field_map["contact_detail_list"].type
    assert children.embeds("v2") and not children.embeds("v1")
    detail_wire = REGISTRY[children.target].wire_map("v2")
    op = next(op for op in OPERATIONS if op["operation_id"] == "contact.v2.list")
    embedded = [d for _, record in sample_items(op) for d in record["contact_detail_list"]]
    assert embedded and all(set(d) <= set(detail_wire) for d in embedded)


def test_links_name_registered_resources():
    for resource in REGISTRY.values():
        for field in resource.fields:
            if isinstance(field.type, TypedLink):  # its target is the resource its kind field names
                assert field.type.kind in resource.field_map, (resource.name, field.name)
                assert set(resource.field_map[field.type.kind].type.titles) <= {r.title for r in REGISTRY.values()}
            elif isinstance(field.type, (Link, Children, UidRef)):
                assert field.type.target in REGISTRY, (resource.name, field.name)
            if isinstance(field.type, UidRef):
                assert field.type.via in resource.field_map, (resource.name, field.name)


def test_separation_type_is_spelled_per_version():
    kind = REGISTRY["separation"].field_map["type"].type
    assert kind.parse("division") == "Division"
    assert kind.to_wire("Division", "v1") == "Division"
    assert kind.to_wire("Division", "v2") == "division"


def test_provet_codes_are_stored_but_not_on_the_ezyvet_wire():
    for name in ("species", "sex"):
        field = REGISTRY[name].field_map["provet_code"]
        assert field.stored and field.versions == ()
        assert all("provet_code" not in REGISTRY[name].wire_map(v) for v in ("v1", "v2"))


def test_every_rule_a_declaration_names_exists():
    from openvet import services

    named = {rule for resource in REGISTRY.values() for rule in resource.rules}
    assert named <= set(services.RULES), named - set(services.RULES)


def test_contact_website_is_read_only():
    """No create or update table lists it (L3479)."""
    website = REGISTRY["contact"].field_map["website"]
    assert not website.create and not website.update and website.filter


def test_country_does_not_belong_to_a_species():
    """'Each Country must belong to a Species' is copied from Breed (L4477): Country has no species link."""
    assert "species_id" not in REGISTRY["country"].field_map
    assert not any(isinstance(f.type, Link) for f in REGISTRY["country"].fields)


def test_association_class_is_free_text_defaulting_to_other():
    """Called an enum with no values listed (L3967): free text, default Other."""
    from openvet.resources.fields import Choice

    field = REGISTRY["contactassociation"].field_map["associationclass"]
    assert not isinstance(field.type, Choice) and field.default == "Other"
