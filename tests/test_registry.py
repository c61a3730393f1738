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
from openvet.resources.fields import Children, Link, UidRef

COVERED = {
    "Contact", "ContactDetail", "ContactDetailType", "ContactAssociation", "Address",
    "Animal", "AnimalColour", "Species", "Breed", "Sex",
    "Country", "Separation", "User", "Tag", "TagCategory", "TagName", "SystemSetting",
}
PAGING = {"limit", "page"}  # request controls, not fields

# Field names the document uses that are not fields: typos of a documented name.
NOT_FIELDS = {
    ("contact.v1.update", "primary_contact_date_of_birth"),  # sample response, for date_of_birth (L3695)
    ("animal.v1.update", "contact"),  # sample request body, for contact_id (L886)
}
# Item wrappers that are not the endpoint name: copy-paste of the Procedure sample.
WRONG_WRAPPERS = {
    ("animalcolour.v1.list", "procedure"),  # L1047
    ("contactdetailtype.v1.list", "procedure"),  # L4438
}
# Fields marked * that are mandatory only as "one of": "You will need pass in one of contact_id or
# contact_uid" (L4389); the rule contactdetail_names_contact enforces it.
EITHER_OR = {("contactdetail.v2.create", "contact_id"), ("contactdetail.v2.create", "contact_uid")}
# Query parameters we refuse as filters: subscription_groups is a list held as JSON, and equality of JSON
# values is not portable (PostgreSQL has no json = json); the document lists it as a filter (L4043).
NOT_FILTERS = {("contactdetail.v1.list", "subscription_groups")}
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
                yield wrapper, record


def request_fields(op):
    for request in op["sample_requests"]:
        if isinstance(request.get("body"), dict):
            yield from request["body"]


def named_fields(op):
    names = {p["name"] for p in op["query_parameters"] + op["body_parameters"] + op["response_fields"]}
    for _, record in sample_items(op):
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
        assert resource.serves(version, "list") and resource.serves(version, "get")
    else:
        assert resource.serves(version, kind)


@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_every_documented_field_is_on_the_wire(op):
    wire = resource_of(op).wire_map(op["api_version"])
    assert sorted(named_fields(op) - set(wire)) == []


@pytest.mark.parametrize("op", LISTS, ids=op_id)
def test_query_parameters_are_filters(op):
    wire = resource_of(op).wire_map(op["api_version"])
    names = {p["name"] for p in op["query_parameters"]} - PAGING
    names = {n for n in names if (op["operation_id"], n) not in NOT_FILTERS}
    assert sorted(n for n in names if not wire[n].filter) == []


@pytest.mark.parametrize("op", WRITES, ids=op_id)
def test_body_parameters_are_writable(op):
    wire = resource_of(op).wire_map(op["api_version"])
    flag = "create" if op["kind"] == "create" else "update"
    names = {p["name"] for p in op["body_parameters"]}
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
            if isinstance(field.type, (Link, Children, UidRef)):
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
