"""Billing: invoices and their lines, approval and dispensing, payments and their allocation (L6772, L7420,
L8380, decisions "Billing").

An invoice's figures are never counters: they are the sums of its lines, whichever endpoint wrote a line, and
what is outstanding is its total less the payments allocated to it. The property test at the end drives random
invoices, lines and payments through the HTTP API and the engine, on both databases, and checks the invariants
after every step. Every refusal is proven to change nothing.
"""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openvet.engine import ValidationFailed
from openvet.services import Reading
from openvet.services.billing import allocated_by_product, balances
from practice import Practice, item, items, refused

APPROVED_AT = 1_767_312_000  # 2026-01-02 00:00 UTC


class Till(Practice):
    """The practice, with what billing needs: a salesperson, priced products, the ownership Separation."""

    def __init__(self, api, engine):
        super().__init__(api, engine)
        self.ownership = api.first_id("separation")
        self.seller = self.record("user", name="Sam Sales", is_salesperson=True)
        (rate,) = items(api.get("/v2/taxrate?code=S"), "taxrate")
        self.standard_rate = rate["id"]

    def priced(self, name: str, sell_price: str, tracked: bool = False) -> int:
        """A product sold at ``sell_price`` (without tax) at the standard rate (10 %)."""
        product = self.product(name, "Standard", tracking_level="Product" if tracked else "No")
        self.record("productpricing", product_id=product, ownership_id=self.ownership, based_on="Price",
                    cost_price="1", sell_price=sell_price, tax_rate=self.standard_rate)
        return product

    def line(self, product: int, quantity: object, **fields) -> dict:
        return {"product_id": product, "quantity": quantity, "sales_person": self.seller,
                "ownership_id": self.ownership, "location_id": self.ownership, **fields}

    def invoice(self, contact: int | None = None, *lines: dict, **fields) -> dict:
        body = {"contact_id": contact or self.owner(), "ownership_id": self.ownership, "line_item": list(lines),
                **fields}
        return item(self.api.post("/v2/invoice", body), "invoice")

    def v2(self, endpoint: str, record_id: int) -> dict:
        return item(self.api.get(f"/v2/{endpoint}/{record_id}"), endpoint)

    def pay(self, contact: int, amount: str, *allocations: tuple[int, str], **fields) -> dict:
        """A payment made by the clinic (no API creates one), allocated to (invoice, amount) pairs."""
        return self.engine.create(self.api.id, self.engine.registry["payment"], {
            "client_id": contact, "amount": amount, "ownership_id": self.ownership,
            "allocation": [{"invoice_id": i, "amount": a} for i, a in allocations], **fields}, None)


@pytest.fixture
def till(api, engine) -> Till:
    return Till(api, engine)


def money(value) -> Decimal:
    return Decimal(str(value))


# invoices and their figures --------------------------------------------------------------------------------


def test_a_line_is_priced_from_the_product_and_cut_to_the_cent_as_the_sample(till, api):
    """1.25 cans at 2.26 + 10 % tax: 2.82 and 0.28, as the sample shows (L7108-L7116)."""
    coke = till.priced("Can of Coke 350ml", "2.26")
    invoice = till.invoice(None, till.line(coke, "1.25"))
    (line,) = invoice["line_item"]
    assert (line["name"], line["standard_price"], line["standard_price_tax"]) == ("Can of Coke 350ml", 2.26, 0.23)
    assert (line["price"], line["price_tax"], line["total"], line["total_tax"]) == (2.26, 0.23, 2.82, 0.28)
    assert (line["tax_code"], line["tax_percent"], line["status"], line["discount"]) == ("S", 10, "pending", 0)
    assert (invoice["subtotal"], invoice["tax"], invoice["total"], invoice["outstanding"]) == (2.82, 0.28, 3.1, 3.1)
    assert invoice["code"] == str(400_000 + invoice["id"])
    # v1: strings, with the document's decimals; the line under its v1 names
    v1 = item(api.get(f"/v1/invoice/{invoice['id']}"), "invoice")
    assert (v1["subtotal"], v1["tax"], v1["invoice_line_list"]) == ("2.82", "0.28", [str(line["id"])])
    v1_line = item(api.get(f"/v1/invoiceline/{line['id']}"), "invoiceline")
    assert (v1_line["quantity"], v1_line["total"], v1_line["staff_user_id"]) == ("1.2500", "2.8200", str(till.seller))
    assert v1_line["status"] == "Pending"


def test_a_discount_sent_applies_none(till):
    """"Passing a value in the discount property will not apply any discount" (L7734)."""
    invoice = till.invoice(None, till.line(till.priced("Rimadyl", "10"), 2, discount=50))
    (line,) = invoice["line_item"]
    assert (line["discount"], line["price"], line["total"]) == (0, 10, 20)


def test_prices_that_include_tax_are_split_into_price_and_tax(till):
    product = till.priced("Bravecto", "40")
    invoice = till.invoice(None, till.line(product, 2, price="11.00"), includes_tax=True)
    (line,) = invoice["line_item"]
    assert (line["price"], line["price_tax"], line["total"], line["total_tax"]) == (10, 1, 20, 2)
    assert (invoice["subtotal"], invoice["tax"]) == (20, 2)
    excluded = till.invoice(None, till.line(product, 2, price="11.00"))
    assert (excluded["line_item"][0]["price_tax"], excluded["subtotal"], excluded["tax"]) == (1.1, 22, 2.2)


def test_totals_follow_every_line_written_through_either_endpoint(till, api):
    product = till.priced("Meloxicam", "5")
    invoice = till.invoice(None, till.line(product, 1))
    assert invoice["subtotal"] == 5
    added = item(api.post("/v2/invoiceline", {**till.line(product, 3), "invoice_id": invoice["id"]}), "invoiceline")
    assert till.v2("invoice", invoice["id"])["subtotal"] == 20
    item(api.patch("/v2/invoiceline", {"id": added["id"], "quantity": 2}), "invoiceline")  # the id in the body
    assert (till.v2("invoice", invoice["id"])["subtotal"], till.v2("invoice", invoice["id"])["tax"]) == (15, 1.5)
    response = api.request("DELETE", "/v2/invoiceline", json={"id": added["id"]})  # the id in the body (L7934)
    assert item(response, "invoiceline")["active"] is False
    assert till.v2("invoice", invoice["id"])["subtotal"] == 5
    # through the invoice's own list: the PATCH list is the new set (the id in the body, L7176)
    first = invoice["line_item"][0]["id"]
    patched = item(api.patch("/v2/invoice", {"id": invoice["id"], "line_item": [
        {"id": first, "quantity": 4}, till.line(product, 1)]}), "invoice")
    assert (patched["subtotal"], patched["tax"], len(patched["line_item"])) == (25, 2.5, 2)
    patched = item(api.patch("/v2/invoice", {"id": invoice["id"], "line_item": []}), "invoice")
    assert (patched["subtotal"], patched["tax"], patched["total"], patched["line_item"]) == (0, 0, 0, [])


def test_an_invoice_code_is_never_given_twice(till, api):
    first = till.invoice()
    assert item(api.delete(f"/v2/invoice/{first['id']}"), "invoice")["active"] is False
    second = till.invoice()
    assert second["code"] != first["code"] and int(second["code"]) > int(first["code"])
    refused(api.patch("/v2/invoice", {"id": second["id"], "code": "1"}), 422, "code")


def test_a_contact_on_stop_credit_cannot_be_invoiced_and_a_warning_is_said(till, api):
    stopped = till.owner(stop_credit="STOP")
    with till.unchanged():
        named = refused(api.post("/v2/invoice", {"contact_id": stopped, "ownership_id": till.ownership}), 422,
                        "contact_id")
    assert "STOP" in named["contact_id"]
    warned = till.owner(stop_credit="WARNING")
    response = api.post("/v2/invoice", {"contact_id": warned, "ownership_id": till.ownership})
    assert response.status_code == 200, response.text
    (message,) = response.json()["messages"]
    assert message["level"] == "warning" and "contact_id" in message["fields"]
    other = till.invoice()
    with till.unchanged():
        refused(api.patch("/v2/invoice", {"id": other["id"], "contact_id": stopped}), 422, "contact_id")


def test_a_sales_person_is_a_salesperson(till, api):
    invoice, product = till.invoice(), till.priced("Gabapentin", "3")
    not_selling = till.record("user", name="Dr No Sales", is_vet=True)
    with till.unchanged():
        refused(api.post("/v2/invoiceline", {**till.line(product, 1),
                                             "invoice_id": invoice["id"], "sales_person": not_selling}),
                422, "sales_person")


def test_a_batch_is_of_the_line_s_product(till, api):
    product, other = till.priced("Bravecto", "40", tracked=True), till.priced("Nexgard", "30", tracked=True)
    lot = till.record("batch", product_id=other, name="LOT-7", type="Batch")
    invoice = till.invoice()
    with till.unchanged():
        refused(api.post("/v2/invoiceline", {**till.line(product, 1), "invoice_id": invoice["id"], "batch": lot}),
                422, "batch")
    line = item(api.post("/v2/invoiceline", {**till.line(other, 1), "invoice_id": invoice["id"], "batch": lot}),
                "invoiceline")
    assert line["batch"] == lot


def test_a_tax_code_names_a_tax_rate(till, api):
    invoice, product = till.invoice(), till.priced("Cerenia", "3")
    with till.unchanged():
        refused(api.post("/v2/invoiceline", {**till.line(product, 1), "invoice_id": invoice["id"],
                                             "tax_code": "Q"}), 422, "tax_code")
    zero = item(api.post("/v2/invoiceline", {**till.line(till.priced("Food", "3"), 1), "invoice_id": invoice["id"],
                                              "tax_code": "Z"}), "invoiceline")
    assert (zero["tax_percent"], zero["price_tax"], zero["total_tax"]) == (0, 0, 0)


# line statuses, approval and dispensing --------------------------------------------------------------------


def test_lines_are_allocated_on_request_and_counted_by_product(till, api, engine):
    tracked = till.priced("Apoquel 16mg", "2", tracked=True)
    other = till.priced("Apoquel 5.4mg", "1", tracked=True)
    invoice = till.invoice(None, till.line(tracked, "3.5"), till.line(tracked, 2), till.line(other, 1))
    first, second, _ = invoice["line_item"]
    item(api.patch("/v2/invoiceline", {"id": first["id"], "status": "allocated"}), "invoiceline")
    item(api.patch("/v2/invoiceline", {"id": second["id"], "status": "Allocated"}), "invoiceline")
    with engine.db.connect() as conn:
        reading = Reading(engine, conn, api.id)
        assert allocated_by_product(reading, [tracked, other]) == {tracked: Decimal("5.5"), other: 0}
    # the stocklevel question reserves them: allocated, and available = in_stock - allocated (L9966)
    asked = api.get("/v1/product", params={"id": json.dumps({"in": [tracked, other]}),
                                           "questions": json.dumps([{"name": "stocklevel"}])})
    levels = {int(p["id"]): p["_answers"]["stocklevel"] for p in items(asked, "product")}
    assert (levels[tracked]["allocated"], levels[tracked]["available"]) == ("5.50", "-5.50")
    assert (levels[other]["allocated"], levels[other]["available"]) == ("0.00", "0.00")
    item(api.patch("/v2/invoiceline", {"id": second["id"], "status": "pending"}), "invoiceline")
    with till.unchanged():
        refused(api.patch("/v2/invoiceline", {"id": first["id"], "status": "Finalised"}), 422, "status")
    item(api.delete(f"/v2/invoice/{invoice['id']}"), "invoice")  # a deleted invoice reserves nothing
    with engine.db.connect() as conn:
        assert allocated_by_product(Reading(engine, conn, api.id), [tracked]) == {tracked: 0}


def test_approving_an_invoice_finalises_its_lines_and_dispenses_tracked_stock(till, api):
    tracked = till.priced("Apoquel 16mg", "2", tracked=True)
    service = till.priced("Consultation", "60")
    invoice = till.invoice(None, till.line(tracked, "2.5"), till.line(service, 1))
    approved = item(api.patch("/v2/invoice", {"id": invoice["id"], "date_approved": APPROVED_AT}), "invoice")
    assert approved["date_approved"] == APPROVED_AT
    assert [line["status"] for line in approved["line_item"]] == ["finalised", "finalised"]
    rows = items(api.get(f"/v2/stocktransaction?product_id={tracked}"), "stocktransaction")
    assert [(r["quantity"], r["for_class"], r["for_id"], r["status"]) for r in rows] == [
        (-2.5, "InvoiceLine", approved["line_item"][0]["id"], "Finalised")]
    assert items(api.get(f"/v2/stocktransaction?product_id={service}"), "stocktransaction") == []
    # an approved invoice is final: no change, no deletion, no line written (only a credit puts it right)
    line_id = approved["line_item"][0]["id"]
    with till.unchanged():
        refused(api.patch("/v2/invoice", {"id": invoice["id"], "customer_reference_number": "x"}), 422,
                "date_approved")
        refused(api.patch("/v2/invoice", {"id": invoice["id"], "date_approved": 0}), 422, "date_approved")
        refused(api.delete(f"/v2/invoice/{invoice['id']}"), 422, "date_approved")
        refused(api.patch("/v2/invoiceline", {"id": line_id, "quantity": 1}), 422, "invoice_id")
        refused(api.request("DELETE", "/v2/invoiceline", json={"id": line_id}), 422, "invoice_id")
        refused(api.post("/v2/invoiceline", {**till.line(service, 1), "invoice_id": invoice["id"]}), 422,
                "invoice_id")
        every = [{"id": line["id"]} for line in approved["line_item"]]  # the same lines, and one more
        refused(api.patch("/v2/invoice", {"id": invoice["id"], "line_item": [*every, till.line(service, 1)]}), 422,
                "date_approved")
    credit = till.invoice(approved["contact_id"], till.line(service, -1))
    assert (credit["subtotal"], credit["tax"]) == (-60, -6)


def test_an_invoice_approved_when_created_is_final_at_once(till, api):
    tracked = till.priced("Bravecto", "40", tracked=True)
    invoice = till.invoice(None, till.line(tracked, 1), date_approved=APPROVED_AT)
    assert [line["status"] for line in invoice["line_item"]] == ["finalised"]
    rows = items(api.get(f"/v2/stocktransaction?product_id={tracked}"), "stocktransaction")
    assert [r["quantity"] for r in rows] == [-1]


# payments --------------------------------------------------------------------------------------------------


def test_a_payment_is_split_across_invoices_and_keeps_its_surplus(till, api):
    product = till.priced("Vaccination", "50")
    owner = till.owner()
    first, second = till.invoice(owner, till.line(product, 1)), till.invoice(owner, till.line(product, 2))
    payment = till.pay(owner, "100.00", (first["id"], "55.00"), (second["id"], "30"), cash_amount="100.00",
                       rounding_factor="0.10")
    v1 = item(api.get(f"/v1/payment/{payment['id']}"), "payment")
    assert (v1["amount"], v1["allocated"], v1["available"], v1["cash_change"]) == ("100.00", "85.00", "15.00", "0.00")
    assert v1["linked_invoices"] == [{"id": str(first["id"]), "allocated_amount": "55.00"},
                                     {"id": str(second["id"]), "allocated_amount": "30.00"}]
    v2 = item(api.get(f"/v2/payment/{payment['id']}"), "payment")
    assert (v2["outstanding"], v2["client_contact"], v2["status"], v2["rounding_factor"]) == (15, owner, "accepted",
                                                                                               0.1)
    assert till.v2("invoice", first["id"])["outstanding"] == 0
    read = till.v2("invoice", second["id"])
    assert (read["total"], read["outstanding"]) == (110, 80)
    assert read["financials"] == [{"linked_payments": [{"id": payment["id"], "amount": 30, "type": "payment"}]}]
    v1_invoice = item(api.get(f"/v1/invoice/{second['id']}"), "invoice")
    assert v1_invoice["linked_payments"] == [{"id": str(payment["id"]), "amount": "30.00", "type": "payment"}]
    with api.client.app.state.engine.db.connect() as conn:
        assert balances(Reading(api.client.app.state.engine, conn, api.id), [owner]) == {owner: Decimal("65.00")}


@pytest.mark.parametrize("allocations, said", [
    ([("first", "55.01")], "more than its total"),  # more than the invoice's total (55)
    ([("first", "50"), ("second", "51")], "less than the 101.00 allocated"),  # more than the payment's 100
    ([("stranger", "10")], "is not an invoice of Contact"),  # an invoice of another contact
])
def test_a_payment_is_never_allocated_beyond_its_amount_or_an_invoice_beyond_its_total(till, allocations, said):
    product = till.priced("Vaccination", "50")
    owner = till.owner()
    invoices = {"first": till.invoice(owner, till.line(product, 1)),
                "second": till.invoice(owner, till.line(product, 1)),
                "stranger": till.invoice(None, till.line(product, 1))}
    with till.unchanged(), pytest.raises(ValidationFailed) as refusal:
        till.pay(owner, "100", *((invoices[name]["id"], amount) for name, amount in allocations))
    assert any(said in problem.reason for problem in refusal.value.problems), refusal.value.problems
    till.pay(owner, "100", (invoices["first"]["id"], "55"), (invoices["second"]["id"], "45"))  # up to both


def test_cash_is_counted_in_coins_and_the_change_handed_back(till):
    owner = till.owner()
    paid = till.pay(owner, "12.34", cash_amount="20.00", rounding_factor="0.05")
    assert paid["cash_change"] == Decimal("7.65")
    part = till.pay(owner, "50", cash_amount="45", rounding_factor="0.10")  # cash pays part of it (L8420)
    assert part["cash_change"] == 0
    with till.unchanged(), pytest.raises(ValidationFailed):
        till.pay(owner, "10", cash_amount="10.03", rounding_factor="0.05")


def test_payments_are_read_only_on_the_api(till, api):
    assert api.post("/v2/payment", {"amount": 5}).status_code == 405
    assert api.post("/v1/payment", {"amount": 5}).status_code == 405


# estimates and transactions --------------------------------------------------------------------------------


def test_an_estimate_sums_its_line_items(till, api):
    owner = till.owner()
    estimate = till.record("estimate", name="Dental", contact_id=owner, line_item=[
        {"name": "Scale and polish", "price": 100, "pricetax": 10, "qty": 1, "taxcode": "S", "taxrate": 10},
        {"name": "Extraction", "price": "45.50", "pricetax": "4.55", "qty": 2}])
    read = till.v2("estimate", estimate)
    assert (read["subtotal"], read["tax"], read["total"], read["number"]) == (191, 19.1, 210.1, str(60_000 + estimate))
    assert [i["total"] for i in read["line_item"]] == [100, 91]


def test_a_transaction_names_its_payment(till, api):
    payment = till.pay(till.owner(), "20")
    record = till.record("transaction", payment_id=payment["id"], status="Accepted", integration_name="PayJunction",
                         external_id=1123)
    (listed,) = items(api.get(f"/v2/transaction?payment_id={payment['id']}"), "transaction")
    assert (listed["id"], listed["status"], listed["external_id"]) == (record, "Accepted", 1123)


# the invariants, over random sequences ---------------------------------------------------------------------

STEP = st.one_of(
    st.tuples(st.just("invoice"), st.integers(0, 1), st.lists(st.tuples(st.integers(0, 1), st.integers(1, 7)),
                                                              max_size=3)),
    st.tuples(st.just("line"), st.integers(0, 5), st.integers(0, 1), st.integers(-2, 9)),
    st.tuples(st.just("change"), st.integers(0, 9), st.integers(1, 9)),
    st.tuples(st.just("remove"), st.integers(0, 9)),
    st.tuples(st.just("pay"), st.integers(0, 1), st.integers(1, 40), st.lists(st.tuples(st.integers(0, 5),
                                                                                         st.integers(1, 30)),
                                                                               max_size=2)),
    st.tuples(st.just("approve"), st.integers(0, 5)),
    st.tuples(st.just("edit"), st.integers(0, 5)),
)


LINE_FIGURES = ("id", "product_id", "quantity", "price", "price_tax", "total", "total_tax", "status", "active")


def line_figures(invoice: dict) -> list[tuple]:
    return sorted(tuple(line[name] for name in LINE_FIGURES) for line in invoice["line_item"])


def check_invariants(till, contacts, approved: dict[int, list[tuple]] | None = None,
                     made: set[int] | None = None) -> None:
    """``approved``: the lines of each approved invoice as they were approved, which nothing may change; the other
    invoices ``made`` (by this example: the clinic keeps those of the examples before) are not approved."""
    engine, clinic = till.engine, till.api.id
    with engine.db.connect() as conn:
        invoices = engine.find(conn, clinic, "invoice", {"active": True})
        payments = engine.find(conn, clinic, "payment", {"active": True})
        for invoice in invoices:
            lines = [line for line in invoice["line_item"] if line["active"]]
            if invoice["id"] in (approved or {}):
                assert invoice["date_approved"] == APPROVED_AT
                assert line_figures(invoice) == approved[invoice["id"]]
                assert all(line["status"] == "Finalised" for line in lines)
            elif invoice["id"] in (made or ()):
                assert not invoice["date_approved"]
            assert invoice["subtotal"] == sum((line["total"] for line in lines), Decimal(0))
            assert invoice["tax"] == sum((line["total_tax"] for line in lines), Decimal(0))
            paid = sum((a["amount"] for a in invoice["allocations"]), Decimal(0))
            assert invoice["outstanding"] == invoice["subtotal"] + invoice["tax"] - paid
        for payment in payments:
            allocated = sum((a["amount"] for a in payment["allocation"]), Decimal(0))
            assert payment["allocated"] == allocated <= payment["amount"]
            assert payment["available"] == payment["amount"] - allocated
        owed = balances(Reading(engine, conn, clinic), contacts)
    for contact in contacts:
        invoiced = sum((i["total"] for i in invoices if i["contact_id"] == contact), Decimal(0))
        paid = sum((p["amount"] for p in payments if p["client_id"] == contact), Decimal(0))
        assert owed[contact] == invoiced - paid
        outstanding = sum((i["outstanding"] for i in invoices if i["contact_id"] == contact), Decimal(0))
        surplus = sum((p["available"] for p in payments if p["client_id"] == contact), Decimal(0))
        assert owed[contact] == outstanding - surplus


@pytest.mark.both_databases
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=8))
def test_totals_allocations_and_balances_always_add_up(till, api, steps):
    """Random invoices and lines (through HTTP), changes and removals of lines, approvals and edits of invoices,
    and payments allocated to invoices (through the engine, some refused): after each step every invoice's
    figures are the sums of its lines, an approved invoice's lines are Finalised and exactly as approved (a line
    added, changed or removed, or the invoice edited, is a 422 naming what forbids it), no payment is allocated
    beyond its amount, and every contact's balance is invoices less payments."""
    products = [till.priced("Tablets", "1.15"), till.priced("Consult", "62.50")]
    contacts = [till.owner(), till.owner()]
    invoices: list[dict] = []
    lines: list[int] = []
    invoice_of: dict[int, int] = {}  # line -> its invoice
    approved: dict[int, list[tuple]] = {}  # invoice -> its lines when approved

    def settled(response, final: bool, field: str) -> None:
        """A write to an approved invoice is refused naming ``field``; any other is written, or refused because
        it would leave an invoice paid beyond its total."""
        if final:
            refused(response, 422, field)
        else:
            assert response.status_code in (200, 422), response.text

    for step in steps:
        kind = step[0]
        if kind == "invoice":
            _, who, wanted = step
            made = till.invoice(contacts[who], *(till.line(products[p], q) for p, q in wanted))
            invoices.append(made)
            lines += [line["id"] for line in made["line_item"]]
            invoice_of.update((line["id"], made["id"]) for line in made["line_item"])
        elif kind == "line" and invoices:
            _, which, p, quantity = step
            invoice_id = invoices[which % len(invoices)]["id"]
            response = api.post("/v2/invoiceline", {**till.line(products[p], quantity), "invoice_id": invoice_id})
            if invoice_id in approved:
                refused(response, 422, "invoice_id")
            else:
                lines.append(item(response, "invoiceline")["id"])
                invoice_of[lines[-1]] = invoice_id
        elif kind == "change" and lines:
            _, which, quantity = step
            line_id = lines[which % len(lines)]
            same = money(till.v2("invoiceline", line_id)["quantity"]) == money(quantity)
            response = api.patch("/v2/invoiceline", {"id": line_id, "quantity": quantity})
            # a PATCH that changes nothing changes nothing, approved or not (as for the invoice itself)
            settled(response, invoice_of[line_id] in approved and not same, "invoice_id")
        elif kind == "remove" and lines:
            line_id = lines[step[1] % len(lines)]
            gone = not till.v2("invoiceline", line_id)["active"]
            response = api.request("DELETE", "/v2/invoiceline", json={"id": line_id})
            # removing a line removed before changes nothing (200, nothing processed), approved or not
            settled(response, invoice_of[line_id] in approved and not gone, "invoice_id")
            if gone:
                assert response.json()["meta"]["items_processed"] == 0, response.text
        elif kind == "approve" and invoices:
            invoice_id = invoices[step[1] % len(invoices)]["id"]
            made = item(api.patch("/v2/invoice", {"id": invoice_id, "date_approved": APPROVED_AT}), "invoice")
            with till.engine.db.connect() as conn:  # the lines as approved, as stored
                approved.setdefault(invoice_id, line_figures(till.engine.lookup(conn, api.id, "invoice", invoice_id,
                                                                                full=True)))
            assert all(line["status"] == "finalised" for line in made["line_item"] if line["active"])
        elif kind == "edit" and invoices:
            invoice_id = invoices[step[1] % len(invoices)]["id"]
            response = api.patch("/v2/invoice", {"id": invoice_id, "customer_reference_number": f"edit {len(steps)}"})
            settled(response, invoice_id in approved, "date_approved")
        elif kind == "pay":
            _, who, amount, wanted = step
            own = [i for i in invoices if i["contact_id"] == contacts[who]]
            allocations = {own[i % len(own)]["id"]: str(a) for i, a in wanted} if own else {}
            with contextlib.suppress(ValidationFailed):  # beyond its amount or an invoice's total: nothing written
                till.pay(contacts[who], str(amount), *allocations.items())
        check_invariants(till, contacts, approved, {i["id"] for i in invoices})


def test_a_clinic_is_paid_by_the_standard_payment_methods(api):
    methods = {m["name"]: m for m in items(api.get("/v1/paymentmethod"), "paymentmethod")}
    assert set(methods) == {"Cash", "EFTPOS", "Credit Card", "Direct Credit"}
    assert (methods["EFTPOS"]["uses_eftpos_machine"], methods["Direct Credit"]["type"]) == ("1", "Direct")
