"""Every documented operation of every declared resource, called over HTTP and checked against the document.

Driven by ``shared/spec/ezyvet_catalog.json``, one pass per operation: the route and method answer; list
items carry every documented field in the version's typing; the documented sample create body (its links
pointed at one consistent set of records of this clinic: an owner, their animal, its consult, a vet…) is
accepted and reads back as sent; a create missing a mandatory field is refused, naming the field, creating
nothing; a number out of range is refused like any bad value. Operations of resources not declared yet are
not generated: the set grows with the registry.
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from typing import Any

import pytest

from conftest import SPEC  # shared/spec, or OPENVET_SPEC_DIR
from openvet.resources import REGISTRY, Resource
from openvet.resources.fields import (
    Children,
    Epoch,
    FileData,
    Integer,
    Invalid,
    Link,
    LinkList,
    Number,
    RecordRef,
    TypedLink,
    TypeName,
    UidRef,
)

CATALOG = json.loads((SPEC / "ezyvet_catalog.json").read_text())
KINDS = {"list": "list", "singleton": "get", "retrieve": "get", "create": "create", "update": "update",
         "delete": "delete", "download": "download"}
PAGING = {"limit", "page"}
BY_TITLE = {r.title: r for r in REGISTRY.values()}

# Names the document uses that are not fields: typos of a documented name (as in test_registry.py).
NOT_FIELDS = {
    ("contact.v1.update", "primary_contact_date_of_birth"),  # sample response, for date_of_birth (L3695)
    ("animal.v1.update", "contact"),  # sample request body, for contact_id (L886)
    ("product.v2.retrieve", "has_cost_price"),  # sample response, for has_direct_cost (L10063)
    # wellness plans: the PriceAdjustment sample spells the table's wellness_plan_* without their underscore (L9840)
    ("priceadjustment.v1.list", "wellnessplan_id"), ("priceadjustment.v1.list", "wellnessplan_benefit_id"),
    ("priceadjustment.v1.list", "wellnessplan_membership_id"),
}
# Names a list does not answer: a query parameter that is not a field, a value only written.
NOT_ANSWERED = {
    ("appointment.v1.list", "time_range_start"), ("appointment.v1.list", "time_range_end"),  # L1096
    ("prescription.v1.list", "prescribing_vet_user"), ("prescription.v2.list", "prescribing_vet_user"),  # L9035
    ("product.v1.list", "questions"),  # a query parameter: the list below asks the documented questions (L9966)
    ("productsupplier.v2.list", "last_updated"),  # the table's name; the sample answers last_update (L10731)
    # billing: fields of the objects in a list, answered inside them, not on the record
    ("invoice.v1.list", "amount"),  # of each linked_payments object (L6888)
    ("invoice.v2.list", "financials->linked_payments"),  # financials' linked_payments (L7031)
    ("payment.v1.list", "allocated_amount"),  # of each linked_invoices object (L8483)
}
# v2 sample values whose JSON type contradicts the parameter table: the table wins.
V2_SAMPLE_TYPOS = {
    ("contactdetail.v2.list", "id"): "integer",  # "id": "3" in the sample, "num" in the table (L4250)
    ("contactdetail.v2.create", "type_id"): "integer",  # "type_id": "3" in the sample response
    ("prescription.v2.list", "id"): "integer",  # "id": "1" in the sample, "num" in the table (L9320)
    # the list sample writes times and an item's active as strings, the create sample as numbers and booleans
    # (L5223, L5370): typed, as the create sample and the other typed fields of the same record
    ("diagnosticrequest.v1.list", "created_at"): "integer",
    ("diagnosticrequest.v1.list", "modified_at"): "integer",
    ("diagnosticrequest.v1.list", "active"): "boolean",
    # quantities and prices written as text, epochs as text, a boolean as 1 (L10661, L10593, L12925): the table
    # says num and bool, and v2 writes numbers and booleans
    ("productsupplier.v2.list", "created_at"): "integer",
    ("productsupplier.v2.list", "expected_price"): "number",
    ("productsupplier.v2.list", "units_per_outer"): "number",
    ("productsupplier.v2.list", "is_default"): "boolean",
    ("productminimumstock.v2.list", "re_order_qty"): "number",
    ("productminimumstock.v2.list", "re_order_to_max_level"): "boolean",
    ("stocktransaction.v2.list", "quantity"): "number",
    # money, rates and quantities whose sample happens to be whole (114, 80, 10, 456): numbers, fractions included
    **{(op, name): "number" for op, name in (
        ("productpricing.v2.list", "cost_price"), ("productpricing.v2.list", "markup"),
        ("productpricing.v2.list", "dispense_fee"), ("productpricing.v2.create", "sell_price"),
        ("taxrate.v2.list", "rate"), ("productminimumstock.v2.list", "minimumstock"),
        ("productsupplier.v2.list", "contract_price"), ("stockadjustmentitem.v2.list", "quantity"),
        ("stockadjustment.v2.list", "amount"),
        # billing: a line's quantity and figures whose sample is whole (1, 0, 15: L7528)
        ("invoiceline.v2.list", "quantity"), ("invoiceline.v2.list", "discount"),
        ("invoiceline.v2.list", "dispense"), ("invoiceline.v2.list", "tax_percent"))},
    # wellness plans: extends_end_date is a bool written 1 (L14253, table L14296); portion_revenue_payable
    # "string, num", written "0.2000" (L14254): a number; whole-number samples of numbers (L14996, L14997)
    ("wellnessplan.v2.list", "extends_end_date"): "boolean",
    ("wellnessplan.v2.list", "portion_revenue_payable"): "number",
    ("wellnessplanbenefititem.v2.list", "earn_amount"): "number",
    ("wellnessplanbenefititem.v2.list", "consumption_rate"): "number",
    ("wellnessplanbenefit.v2.list", "benefit_type"): "string",  # null in the sample, an "enum" of text (L14695)
    # purchasing: money and quantities whose sample happens to be whole (freight 0, quantity 1,
    # price 5, tax_rate 15: L11290, L11800); the tables say num
    **{(op, name): "number" for op, name in (
        ("receiveinvoice.v2.list", "freight"), ("receiveinvoice.v2.list", "freight_tax"),
        ("receiveinvoice.v2.list", "rounding"), ("receiveinvoiceitem.v2.list", "quantity"),
        ("receiveinvoiceitem.v2.list", "price"), ("receiveinvoiceitem.v2.list", "total"),
        ("receiveinvoiceitem.v2.list", "tax_rate"))},
}
# Fields marked * that are mandatory only as "one of" (L4389, L1900): either name satisfies the rule.
EITHER_OR = {"contactdetail.v2.create": ("contact_id", "contact_uid"),
             "attachment.v1.create": ("file_data", "file_id"),
             "productpricing.v2.create": ("markup", "sell_price")}  # the one based_on names (L10302)
FORM_FIELD = re.compile(r"data\.append\('(\w+)',\s*'([^']*)'\)")
A_FILE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # the bytes every upload here sends


def _served(op: dict) -> bool:
    resource = REGISTRY.get(op["resource_slug"])
    return resource is not None and op["kind"] in KINDS and resource.serves(op["api_version"], KINDS[op["kind"]])


OPERATIONS = [op for op in CATALOG if _served(op)]
LISTS = [op for op in OPERATIONS if op["kind"] in ("list", "singleton")]
CREATES = [op for op in OPERATIONS if op["kind"] == "create"]


def op_id(op: dict) -> str:
    return op["operation_id"]


def resource_of(op: dict) -> Resource:
    return REGISTRY[op["resource_slug"]]


def declared(op: dict):
    """The declaration's operation that serves this document operation."""
    resource, kind = resource_of(op), KINDS[op["kind"]]
    found = [o for o in resource.operations(op["api_version"]) if o.kind == kind]
    return next((o for o in found if o.address != "matching"), found[0])


def sample_body(op: dict) -> dict | None:
    for request in op["sample_requests"]:
        if isinstance(request.get("body"), dict):
            return copy.deepcopy(request["body"])
        fields = FORM_FIELD.findall(request.get("raw") or "")
        if fields:  # a FormData sample: its text fields (its file is the one this test sends)
            return dict(fields)
    return None


def sample_records(op: dict) -> list[dict]:
    """Every item of every parsed sample response, unwrapped (whatever the wrapper's name)."""
    found = []
    for sample in op["sample_responses"]:
        body = sample.get("json")
        if isinstance(body, dict):
            for item in body.get("items") or []:
                if isinstance(item, dict) and len(item) == 1:
                    found.append(next(iter(item.values())))
    return [r for r in found if isinstance(r, dict)]


def documented_fields(op: dict) -> set[str]:
    names = {p["name"] for p in op["query_parameters"] + op["response_fields"]}
    for record in sample_records(op):
        names.update(record)
    return {n for n in names if n not in PAGING and (op["operation_id"], n) not in NOT_FIELDS | NOT_ANSWERED}


def catalog_type(op: dict, name: str) -> str:
    for p in op["query_parameters"] + op["response_fields"] + op["body_parameters"]:
        if p["name"] == name and p.get("type"):
            return p["type"]
    return ""


def mandatory_cases(op: dict) -> list[tuple[str, ...]]:
    """Groups of wire names, one group per mandatory field (an either-or pair is one group)."""
    wire = resource_of(op).wire_map(op["api_version"])
    names = {p["name"] for p in op["body_parameters"] if p["mandatory"]}
    names |= {name for name, field in wire.items() if field.mandatory_on(op["api_version"]) and field.create}
    pair = EITHER_OR.get(op["operation_id"], ())
    cases = [(name,) for name in sorted(names - set(pair))]
    return cases + ([pair] if pair else [])


def unwrap(response, name: str) -> list[dict]:
    assert response.status_code == 200, response.text
    return [item[name] for item in response.json()["items"]]


def list_version(resource: Resource) -> str | None:
    return next((v for v in sorted(resource.endpoints) if resource.serves(v, "list")), None)


def total(api, resource: Resource) -> int | None:
    version = list_version(resource)
    if version is None:
        return None
    response = api.get(f"/{version}/{resource.name}", params={"limit": "1"})
    assert response.status_code == 200, response.text
    return int(response.json()["meta"]["items_total"])


class World:
    """One consistent set of records of a clinic, made as it is needed: an owner (a Contact who is also a vet,
    so that referring vet and clinic fields may name them), their animal, its consult, a vet User with a
    calendar Resource, a vaccine, a diagnostic and its request, and so on. Every link of a sample body is
    pointed at the world's record of its resource, so the records a body names agree with each other."""

    def __init__(self, api, engine):
        self.api = api
        self.engine = engine
        self.made: dict[str, int] = {}
        self.uids: dict[str, str] = {}

    def post(self, endpoint: str, body: dict, version: str = "v1") -> dict:
        (record,) = unwrap(self.api.post(f"/{version}/{endpoint}", body), endpoint)
        return record

    def engine_record(self, endpoint: str, values: dict) -> int:
        return int(self.engine.create(self.api.id, REGISTRY[endpoint], values, None)["id"])

    def first(self, endpoint: str, **where: str) -> int | None:
        resource = REGISTRY[endpoint]
        version = list_version(resource)
        if version is None:
            return None
        found = unwrap(self.api.get(f"/{version}/{endpoint}", params={"limit": "1", **where}), endpoint)
        return int(found[0]["id"]) if found else None

    def id(self, endpoint: str) -> int:
        if endpoint not in self.made:
            self.made[endpoint] = self.make(endpoint)
        return self.made[endpoint]

    def make(self, endpoint: str) -> int:
        """A new record of ``endpoint``, consistent with the rest of the world."""
        made = {
            "contact": lambda: int(self.api.new_contact(is_vet=True, is_customer=True, is_supplier=True)["id"]),
            "animal": lambda: int(self.api.new_animal(contact_id=self.id("contact"))["id"]),
            # a vet who also sells (an InvoiceLine's sales_person is a salesperson, L7482)
            "user": lambda: self.first("user", is_vet="1", is_salesperson="1") or self.engine_record(
                "user", {"name": "Dr World", "is_vet": True, "is_salesperson": True}),
            "resource": lambda: self.engine_record("resource", {"name": "Dr World", "type": "user",
                                                                "associated_id": self.id("user")}),
            "contactdetailtype": lambda: self.first("contactdetailtype", name="Email"),
            "appointmentstatus": lambda: self.first("appointmentstatus", name="Confirmed"),
            "consult": lambda: int(self.post("consult", {"date": 1700000000, "animal_id": self.id("animal"),
                                                         "vet_id": self.id("user")})["id"]),
            "product": lambda: self.engine_record("product", {"name": "Vaccine DHPPi", "type": "Vaccination"}),
            "diagnostic": lambda: self.engine_record("diagnostic", {"name": "Bile Acids", "code": "HEI-1",
                                                                    "product_id": self.id("product")}),
            "integrateddiagnostic": lambda: self.engine_record("integrateddiagnostic", {
                "name": "Prep Profile II", "code": "Prep", "product_id": self.id("product")}),
            "diagnosticrequest": lambda: int(self.post("diagnosticrequest", {
                "consult_id": self.id("consult"), "vet_id": self.id("user"),
                "diagnostic_list": [{"diagnostic_id": self.id("diagnostic"), "diagnostic_class": "Diagnostic"}]})
                ["id"]),
            "diagnosticresult": lambda: int(self.post("diagnosticresult", {
                "diagnostic_request_id": self.id("diagnosticrequest")})["id"]),
            "prescription": lambda: int(self.post("prescription", {
                "animal_id": self.id("animal"), "prescribing_vet_user_id": self.id("user")})["id"]),
            "file": lambda: int(upload(self.api, "file", {"notes": "world"})["id"]),
            "separation": lambda: self.first("separation"),
            "taxrate": lambda: self.first("taxrate"),
            "ledgeraccount": lambda: self.first("ledgeraccount"),
        }.get(endpoint)
        if made is not None:
            record_id = made()
            if record_id is not None:
                return record_id
        return self.fresh(endpoint)

    def fresh(self, endpoint: str) -> int:
        """Another record of ``endpoint``: from the document's own sample create, else made in the engine with
        the world's records in its mandatory links."""
        resource = REGISTRY[endpoint]
        by_clinic = {
            # the reference records of stock that the API only lists, made by the clinic with the samples' values
            "barcode": lambda: self.engine_record("barcode", {
                "for_type": "Product", "for_id": self.id("product"), "format": "CODE128", "barcode": "AB234623461235"}),
            "productminimumstock": lambda: self.engine_record("productminimumstock", {
                "product_id": self.fresh("product"), "minimumstock": 456, "re_order_to_max_level": False,
                "re_order_qty": "50.0000", "start_day": 1, "start_month": 1, "end_day": 31, "end_month": 12,
                "ownership_id": self.id("separation")}),
            "productsupplier": lambda: self.engine_record("productsupplier", {
                "product_id": self.id("product"), "supplier_code": "DIA050", "expected_price": "17.60",
                "units_per_outer": "1.00", "supplier_contact_id": self.id("contact"), "tax_rate_id": self.id("taxrate"),
                "list_price": "18.00", "is_default": True, "unit_of_measure": "box", "last_update": 1540846566,
                "contract_price": 0, "ownership_id": self.id("separation")}),
            # purchasing: orders the API only lists, made by the clinic with the samples' values
            # (L10790, L10880)
            "purchaseorder": lambda: self.engine_record("purchaseorder", {
                "date": 1514466000, "supplier_id": self.id("contact"), "client_id": self.id("contact"),
                "status": "Created", "shipping_address_id": None, "supplier_order_number": "SO-1",
                "supplier_account_number": "AC-1", "ownership_id": self.id("separation")}),
            "purchaseorderitem": lambda: self.engine_record("purchaseorderitem", {
                "purchase_order_id": self.id("purchaseorder"), "product_id": self.id("product"),
                "supplier_code": "TP1", "outers": 1, "units_per_outer": 1, "price_per_unit": 4, "tax_per_unit": "0.4",
                "quantity": 1, "ownership_id": self.id("separation")}),
            # a ledger row is written by a rule: the stock adjustment of the document's sample writes one
            "stocktransaction": lambda: self.fresh("stockadjustment") and self.first("stocktransaction"),
            # billing: payments and card transactions are made by the clinic, with the samples' values
            "payment": lambda: self.engine_record("payment", {
                "amount": "50.00", "method": self.first("paymentmethod"), "details": "Some Details",
                "comments": "Some Comments", "client_id": self.id("contact"), "cash_amount": "45.00",
                "rounding_factor": "0.10", "ownership_id": self.id("separation"),
                "ledger_account": self.id("ledgeraccount")}),
            "transaction": lambda: self.engine_record("transaction", {
                "payment_id": self.id("payment"), "ownership_id": self.id("separation"), "status": "Accepted",
                "integration_name": "PayJunction", "external_reference": "70e18ec178d196c56486878d16debd84",
                "external_id": 1123}),
            "estimate": lambda: self.engine_record("estimate", {
                "name": "Estimate 1", "contact_id": self.id("contact"), "animal_id": self.id("animal"),
                "consult_id": self.id("consult"), "line_item": [{"name": "Saline eye solution", "price": 100,
                                                                 "pricetax": 10, "qty": 1, "taxcode": "S",
                                                                 "taxrate": 10}]}),
        }.get(endpoint)
        if by_clinic is not None:
            return by_clinic()
        op = next((o for o in CREATES if o["resource_slug"] == endpoint), None)
        if op is not None:
            body = self.swap(resource, op["api_version"], create_body(op))
            if declared(op).parses == "multipart":
                return int(upload(self.api, endpoint, body)["id"])
            response = self.api.post(f"/{op['api_version']}/{endpoint}", body)
            served = declared(op)
            if served.answers == "items":
                (record,) = unwrap(response, endpoint)
                return int(record["id"])
            assert response.status_code == 200, response.text
            (message,) = response.json()["messages"]  # the record named by its key
            with self.engine.db.connect() as conn:
                (record,) = self.engine.find(conn, self.api.id, endpoint, {
                    served.address: message["fields"][served.address]})
            return int(record["id"])
        values: dict[str, Any] = {}
        for field in resource.fields:
            if isinstance(field.type, Link) and not isinstance(field.type, TypedLink) and field.create and (
                    field.mandatory_on(None) or field.type.target in ("consult", "animal")):
                values[field.name] = self.id(field.type.target)
        if endpoint == "externalprescriptionitem":
            raise AssertionError("external prescription lines are made by their prescription")
        return self.engine_record(endpoint, values)

    def uid(self, endpoint: str) -> str:
        if endpoint not in self.uids:
            record_id = self.id(endpoint)
            with self.engine.db.connect() as conn:
                self.uids[endpoint] = self.engine.lookup(conn, self.api.id, endpoint, record_id)["uid"]
        return self.uids[endpoint]

    def swap(self, resource: Resource, version: str, body: dict) -> dict:
        """The sample body with every link pointing at the world's record of its resource."""
        wire = resource.wire_map(version)
        out = dict(body)
        for name, value in body.items():
            field = wire.get(name)
            if field is None or value in (None, "", 0, "0"):
                continue
            kind = field.type
            if isinstance(kind, TypedLink):
                kind_field = resource.field_map[kind.kind]
                sent_kind = body.get(kind_field.wire_name(version))
                try:  # no kind sent: a rule works it out; the world's record of the first kind will do
                    title = kind_field.type.parse(sent_kind) if sent_kind else kind_field.type.titles[0]
                except Invalid:
                    continue
                out[name] = keep_form(value, self.id(BY_TITLE[title].name))
            elif isinstance(kind, Link) and kind.target in REGISTRY:
                out[name] = keep_form(value, self.id(kind.target))
            elif isinstance(kind, LinkList) and isinstance(value, list):
                out[name] = [keep_form(v, self.id(kind.target)) for v in value[:1]]
            elif isinstance(kind, UidRef):
                out[name] = self.uid(kind.target)
            elif isinstance(kind, RecordRef) and isinstance(value, dict) and len(value) == 1:
                (title, inner), = value.items()
                if title in BY_TITLE:
                    raw = inner.get("id") if isinstance(inner, dict) else inner
                    out[name] = {title: {"id": keep_form(raw, self.id(BY_TITLE[title].name))}}
            elif isinstance(kind, Children) and isinstance(value, list):
                child = REGISTRY[kind.target]
                out[name] = [self.swap(child, version, item) if isinstance(item, dict) else item for item in value]
        return out


def keep_form(sample: Any, record_id: int) -> Any:
    """The id written as the sample wrote its own: a string stays a string."""
    return str(record_id) if isinstance(sample, str) else record_id


def upload(api, endpoint: str, fields: dict) -> dict:
    """A multipart/form-data create with the test file as ``file_data``."""
    data = {k: str(v) for k, v in fields.items() if k != "file_data"}
    response = api.request("POST", f"/v1/{endpoint}", data=data,
                           files={"file_data": ("scan of Rex.png", A_FILE, "image/png")})
    (record,) = unwrap(response, endpoint)
    return record


def create_body(op: dict) -> dict:
    """The document's sample body; for a create whose sample has none (Vaccination, L13700), its mandatory
    fields with the values the sample answer shows."""
    body = sample_body(op)
    if body is not None:
        return body
    wire = resource_of(op).wire_map(op["api_version"])
    shown = {k: v for record in sample_records(op) for k, v in record.items()}
    return {name: shown.get(name, 1) for name, field in wire.items()
            if field.mandatory_on(op["api_version"]) and field.create}


@pytest.fixture
def world(api, engine) -> World:
    return World(api, engine)


# a. every documented route and method answers ---------------------------------------------------------

def route_and_method_answer(op, api, world):
    resource, version, kind = resource_of(op), op["api_version"], KINDS[op["kind"]]
    served = declared(op)
    path = f"/{version}/{resource.name}"
    if op["kind"] in ("list", "singleton"):
        response = api.get(path)
        assert response.status_code == 200, response.text
        return
    if kind == "create":
        response = (api.request("POST", path, data={"notes": "x"}) if served.parses == "multipart"
                    else api.post(path, {}))
        if mandatory_cases(op) or resource.rules:
            assert response.status_code == 422, response.text
            assert response.json()["messages"][0]["type"] == "validation"
        else:
            assert response.status_code in (200, 422), response.text
        return
    record_id = world.fresh(resource.name) if kind in ("update", "delete") else world.id(resource.name)
    if served.address not in ("path", "matching"):  # the record named by a key in the body
        with world.engine.db.connect() as conn:
            key = world.engine.lookup(conn, api.id, resource.name, record_id)[served.address]
        body = {served.address: key}
        if kind == "update":
            body.update(world.swap(resource, version, sample_body(op)))
            body[served.address] = key
        response = api.request(served.method, path, json=body)
        assert response.status_code == 200, response.text
        assert [m["fields"] for m in response.json()["messages"]] == [{served.address: key}]
        return
    member = f"{path}/{served.path.replace('{id}', str(record_id))}"
    if kind == "download":
        response = api.get(member)
        assert response.status_code == 200, response.text
        assert response.content == A_FILE
        return
    body = None
    if kind == "update":  # the fields a version requires on every update, as they are
        current = unwrap(api.get(f"{path}/{record_id}"), resource.name)[0] if resource.serves(version, "get") else {}
        body = {f.wire_name(version): current.get(f.wire_name(version)) for f in resource.fields
                if f.required_on_update and version in f.versions}
    response = api.request(served.method, member, json=body)
    assert response.status_code == 200, response.text
    if served.answers == "items":
        (item,) = unwrap(response, resource.name)
        assert int(item["id"]) == record_id
    else:
        assert response.json()["items"] == []
        assert int(response.json()["meta"]["items_matched"]) == 1


# b. list items carry every documented field, typed as the version types them ----------------------------

def _v1_typed(value: Any, sample: Any) -> bool:
    """A string, a list of strings, or (where the sample has an object) an object of v1-typed values."""
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return all(_v1_typed(v, {}) if isinstance(v, dict) else isinstance(v, str) for v in value)
    return isinstance(value, dict) and isinstance(sample, dict) and all(_v1_typed(v, {}) for v in value.values())


def _v2_kind(op: dict, name: str, sample: Any) -> str | None:
    if (op["operation_id"], name) in V2_SAMPLE_TYPOS:
        return V2_SAMPLE_TYPOS[(op["operation_id"], name)]
    if sample is not None:
        for kind, types in (("boolean", bool), ("integer", int), ("number", float), ("string", str),
                            ("list", list), ("object", dict)):
            if isinstance(sample, types):
                return kind
    declared_type = catalog_type(op, name).lower()
    if "bool" in declared_type:
        return "boolean"
    if "[]" in declared_type or "array" in declared_type:
        return "list"
    if "num" in declared_type or "int" in declared_type:
        return "number"
    if "string" in declared_type or "enum" in declared_type:
        return "string"
    return None


def _v2_typed(kind: str | None, value: Any) -> bool:
    if value is None or kind is None:
        return True
    return {
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "list": isinstance(value, list),
        "object": isinstance(value, dict),
    }[kind]


def _v2_problems(op: dict, record: dict, sample: dict, prefix: str = "") -> list[str]:
    problems = []
    for name, value in record.items():
        expected = _v2_kind(op, name, sample.get(name))
        if not _v2_typed(expected, value):
            problems.append(f"{prefix}{name}={value!r} is not {expected}")
        nested = sample.get(name)
        if isinstance(value, list) and isinstance(nested, list) and nested and isinstance(nested[0], dict):
            for index, child in enumerate(value):
                if not isinstance(child, dict):
                    problems.append(f"{prefix}{name}[{index}]={child!r} is not an object")
                    continue
                missing = set(nested[0]) - set(child)
                problems += [f"{prefix}{name}[{index}].{m} is missing" for m in sorted(missing)]
                child_op, child_sample = _embedded(op, name, nested[0])
                shown = child if child_op is not op else {k: v for k, v in child.items() if k in nested[0]}
                problems += _v2_problems(child_op, shown, child_sample, f"{prefix}{name}[{index}].")
    return problems


def _embedded(op: dict, name: str, sample: dict) -> tuple[dict, dict]:
    """The list operation of an embedded child resource, and its sample merged with the parent's."""
    field = resource_of(op).wire_map(op["api_version"]).get(name)
    child_ops = [o for o in CATALOG if field is not None and isinstance(field.type, Children)
                 and o["resource_slug"] == field.type.target and o["kind"] == "list"
                 and o["api_version"] == op["api_version"]]
    if not child_ops:
        return op, sample
    merged = {k: v for record in sample_records(child_ops[0]) for k, v in record.items()}
    return child_ops[0], {**merged, **sample}


def _leaves(record: dict) -> set[str]:
    """The names a record answers, nested objects opened (``details.animal_id`` answers ``animal_id``)."""
    names = set(record)
    for value in record.values():
        if isinstance(value, dict) and not {"id"} <= set(value):
            names |= set(value)
    return names


def list_items_carry_every_documented_field_typed(op, api, world):
    resource, version = resource_of(op), op["api_version"]
    if op["kind"] == "list" and not resource.listed_by:  # a listed resource's records are worked out
        world.fresh(resource.name)  # a record with the sample's values set, not only defaults
    params = {} if op["kind"] == "singleton" else {"limit": str(resource.endpoints[version].page_limit)}
    if op["questions"]:  # the documented questions are asked, so that their answers are on the items (L9950)
        params["questions"] = json.dumps([{"name": q["name"]} for q in op["questions"]])
    items = unwrap(api.get(f"/{version}/{resource.name}", params=params), resource.name)
    assert items, f"no {resource.name} to list"
    if resource.item_value:  # each item is one value, typed as the sample's (WebHookEvents: a list of names)
        shown = [next(iter(i.values())) for s in op["sample_responses"] for i in (s.get("json") or {})["items"]]
        assert shown and all(type(value) is type(shown[0]) for value in items), (items, shown)
        return
    samples = sample_records(op)
    sample = {k: v for record in samples for k, v in record.items()}
    documented = documented_fields(op)
    typed = resource.typed(version)
    for record in items:
        assert sorted(documented - _leaves(record)) == []
        if not typed:
            wrong = {k: v for k, v in record.items() if not _v1_typed(v, sample.get(k))}
            assert wrong == {}, "v1 writes every scalar as a string"
        else:
            assert _v2_problems(op, record, sample) == []


# c. the documented sample create body is accepted and reads back as sent --------------------------------

def norm(value: Any) -> Any:
    """A value as either version may write it, reduced to compare: "1"/1/true alike, "10"/"10.0000" alike."""
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [norm(v) for v in value]
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    text = str(value).strip()
    if text.lower() in ("true", "false"):
        return Decimal(int(text.lower() == "true"))
    if re.fullmatch(r"-?(0|[1-9]\d*)(\.\d+)?", text):  # not "0211…": a phone number keeps its zero
        return Decimal(text)
    return text


def _differences(api, resource: Resource, version: str, sent: dict, read: dict, prefix: str = "") -> list[str]:
    wire = resource.wire_map(version)
    differences = []
    for name, value in sent.items():
        field = wire.get(name)
        if field is not None and not field.read:
            continue  # a write-only input (file_data, cancel) is not answered
        if name not in read:
            differences.append(f"{prefix}{name} is not on the record read back")
            continue
        got = read[name]
        if field is not None and isinstance(field.type, Children) and isinstance(value, list):
            child = REGISTRY[field.type.target]
            kids = [k if isinstance(k, dict) else unwrap(api.get(f"/{version}/{child.name}/{k}"), child.name)[0]
                    for k in got]
            if len(kids) != len(value):
                differences.append(f"{prefix}{name}: sent {len(value)} children, read {len(kids)}")
            for index, item in enumerate(value):
                if not any(not _differences(api, child, version, item, kid) for kid in kids):
                    differences.append(f"{prefix}{name}[{index}]={item!r} is not among {kids!r}")
            continue
        if field is not None and isinstance(field.type, LinkList):
            ids = {norm(v.get("id") if isinstance(v, dict) else v) for v in got}
            if not {norm(v) for v in value} <= ids:  # the SalesResource joins the resources booked
                differences.append(f"{prefix}{name}: sent {value!r}, read {got!r}")
            continue
        if field is not None and isinstance(field.type, Link) and field.type.expands(version) and isinstance(got, dict):
            got = got.get("id")  # a link answered as the whole record (ProductPricing v2 tax_rate, L10233)
        if field is not None and isinstance(field.type, TypeName):
            if field.type.parse(value) != field.type.parse(got):
                differences.append(f"{prefix}{name}: sent {value!r}, read {got!r}")
            continue
        if norm(value) != norm(got):
            differences.append(f"{prefix}{name}: sent {value!r}, read {got!r}")
    return differences


def sample_create_body_is_accepted_and_reads_back(op, api, world):
    resource, version, served = resource_of(op), op["api_version"], declared(op)
    body = world.swap(resource, version, create_body(op))
    if served.parses == "multipart":
        created = upload(api, resource.name, body)
        sent = {k: v for k, v in body.items() if k != "file_data"}
        assert created["name"] == "scan of Rex.png" and created["mime_type"] == "image/png"
    else:
        response = api.post(f"/{version}/{resource.name}", body)
        assert response.status_code == 200, response.text
        if served.answers == "messages":  # the record is named by its key; nothing to read back here
            (message,) = response.json()["messages"]
            assert message["type"] == "success" and message["fields"][served.address]
            return
        (created,) = unwrap(response, resource.name)
        sent = body
    assert _differences(api, resource, version, sent, created) == []
    (read,) = unwrap(api.get(f"/{version}/{resource.name}/{created['id']}"), resource.name)
    assert _differences(api, resource, version, sent, read) == []


# d. a create missing a mandatory field is refused, names it, and creates nothing ------------------------

def _counts(api, resource: Resource) -> dict[str, int | None]:
    names = [resource.name] + [f.type.target for f in resource.children()]
    return {name: total(api, REGISTRY[name]) for name in names}


def create_without_a_mandatory_field_is_refused(op, names, blank, api, world):
    resource, version, served = resource_of(op), op["api_version"], declared(op)
    body = world.swap(resource, version, create_body(op))
    wire = resource.wire_map(version)
    for name in names:
        if blank == "missing":
            body.pop(name, None)
        else:
            body[name] = [] if name in wire and isinstance(wire[name].type, Children) else None
    before = _counts(api, resource)
    if served.parses == "multipart":
        uploading = not any(isinstance(wire[n].type, FileData) for n in names)
        files = {"file_data": ("a.png", A_FILE, "image/png")} if uploading else None
        response = api.request("POST", f"/{version}/{resource.name}", files=files,
                               data={k: str(v) for k, v in body.items() if v is not None and k != "file_data"})
    else:
        response = api.post(f"/{version}/{resource.name}", body)
    assert response.status_code == 422, response.text
    messages = response.json()["messages"]
    assert messages and all(m["type"] == "validation" for m in messages)
    named = {field for m in messages for field in m["fields"]}
    assert named & set(names), f"no message names {names}: {messages}"
    assert _counts(api, resource) == before


# e. a number out of every column's range is refused like any other bad value, never with a 500 ---------

NUMERIC = (Integer, Number, Epoch)  # Link is an Integer


def numbers_of(op: dict) -> list[str]:
    """The numeric fields of a create's sample body, each of which is tried with a number out of range."""
    if declared(op).parses != "json":
        return []
    return [name for name, field in sorted(resource_of(op).wire_map(op["api_version"]).items())
            if field.create and isinstance(field.type, NUMERIC) and name in (create_body(op) or {})]


def create_with_a_number_out_of_range_is_refused(op, name, api, world):
    resource, version = resource_of(op), op["api_version"]
    body = world.swap(resource, version, create_body(op))
    body[name] = 10**20
    before = _counts(api, resource)
    response = api.post(f"/{version}/{resource.name}", body)
    assert response.status_code == 422, response.text
    assert name in {field for m in response.json()["messages"] for field in m["fields"]}
    assert _counts(api, resource) == before


# one pass per operation -----------------------------------------------------------------------------------

@pytest.mark.parametrize("op", OPERATIONS, ids=op_id)
def test_operation_is_served_as_documented(op, api, world):
    """Every check the document gives for this operation, in one pass over one clinic (a. to e. above)."""
    route_and_method_answer(op, api, world)
    if op["kind"] in ("list", "singleton"):
        list_items_carry_every_documented_field_typed(op, api, world)
    if op["kind"] == "create":
        sample_create_body_is_accepted_and_reads_back(op, api, world)
        for names in mandatory_cases(op):
            for blank in ("missing", "null"):
                create_without_a_mandatory_field_is_refused(op, names, blank, api, world)
        for name in numbers_of(op):
            create_with_a_number_out_of_range_is_refused(op, name, api, world)
