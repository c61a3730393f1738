"""Products and stock: prices worked out from markup or price, batches of a lot, stock adjustments and the ledger
they write, and the ``stocklevel`` question (L9885, L10189, L2134, L12485, L12699, L12895, decisions "Products and
stock").

A product's stock is the sum of its ledger (StockTransaction) rows, never a counter: the property test at the end
drives random adjustments through the HTTP API against a plain Python model, on both databases.
Every refusal is proven to change nothing: no row and no event of the clinic moves.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practice import BOOKED_DAY, Practice, item, items, refused

STOCKLEVEL = json.dumps([{"name": "stocklevel"}])


@pytest.fixture
def practice(api, engine) -> Practice:
    return Practice(api, engine)


def ownership(practice) -> int:
    return practice.api.first_id("separation")


def tax_rate(practice, code: str = "S") -> dict:
    (rate,) = items(practice.api.get(f"/v2/taxrate?code={code}"), "taxrate")
    return rate


def adjust(practice, *lines: tuple[int, object], **fields) -> dict:
    """A StockAdjustment with one item per (product, quantity), through the API."""
    body = {"date": BOOKED_DAY, "ownership_id": ownership(practice),
            "line_item": [{"product_id": p, "quantity": q} for p, q in lines], **fields}
    return item(practice.api.post("/v2/stockadjustment", body), "stockadjustment")


def stock_levels(api, *products: int) -> dict[int, dict]:
    answered = items(api.get("/v1/product", params={"questions": STOCKLEVEL,
                                                    "id": json.dumps({"in": list(products)})}), "product")
    return {int(p["id"]): p["_answers"]["stocklevel"] for p in answered}


def ledger(api, product: int) -> list[dict]:
    return [row for row in items(api.get(f"/v2/stocktransaction?product_id={product}&limit=200"), "stocktransaction")]


# the reference lists ------------------------------------------------------------------------------------------


def test_a_new_clinic_has_the_documented_tax_rates_and_ledger_accounts(api):
    rates = {r["code"]: r["rate"] for r in items(api.get("/v2/taxrate"), "taxrate")}
    assert rates == {"E": 0, "S": 10, "Z": 0}
    accounts = {a["code"]: a["name"] for a in items(api.get("/v2/ledgeraccount"), "ledgeraccount")}
    assert accounts["200"] == "Sales"


# prices -------------------------------------------------------------------------------------------------------


def test_a_price_based_pricing_works_out_its_markup_and_tax_as_the_sample(practice, api):
    product = practice.product("Rimadyl", "Medication")
    created = item(api.post("/v2/productpricing", {  # the document's own sample (L10302)
        "product_id": product, "ownership_id": ownership(practice), "based_on": "Price",
        "tax_rate": tax_rate(practice)["id"], "cost_price": 114, "sell_price": 300}), "productpricing")
    assert (created["markup"], created["sell_price"], created["sell_price_tax"]) == (163.16, 300, 30)
    assert created["tax_rate"]["code"] == "S" and created["tax_rate"]["rate"] == 10  # the whole TaxRate (L10233)
    patched = item(api.patch(f"/v2/productpricing/{created['id']}", {"sell_price": 285}), "productpricing")
    assert (patched["markup"], patched["sell_price_tax"]) == (150, 28.5)  # L10420


def test_a_markup_based_pricing_works_out_its_sell_price(practice, api):
    created = item(api.post("/v2/productpricing", {
        "product_id": practice.product("Metacam", "Medication"), "ownership_id": ownership(practice),
        "based_on": "Markup", "tax_rate": tax_rate(practice)["id"], "cost_price": 114, "markup": 80}),
        "productpricing")
    assert (created["sell_price"], created["sell_price_tax"]) == (205.2, 20.52)  # L10231


def test_a_pricing_without_the_value_its_basis_names_or_with_a_disagreeing_one_is_refused(practice, api):
    body = {"product_id": practice.product("Metacam", "Medication"), "ownership_id": ownership(practice),
            "tax_rate": tax_rate(practice)["id"], "cost_price": 114}
    with practice.unchanged():
        refused(api.post("/v2/productpricing", {**body, "based_on": "Price", "markup": 80}), 422, "sell_price")
        refused(api.post("/v2/productpricing", {**body, "based_on": "Markup", "sell_price": 300}), 422, "markup")
        refused(api.post("/v2/productpricing", {**body, "based_on": "Price", "sell_price": 300, "markup": 10}), 422,
                "markup")
        refused(api.post("/v2/productpricing", {**body, "based_on": "Price", "sell_price": 300, "cost_price": -1}),
                422, "cost_price")


def test_deleting_a_pricing_deactivates_it(practice, api):
    created = item(api.post("/v2/productpricing", {
        "product_id": practice.product(), "ownership_id": ownership(practice), "based_on": "Price",
        "tax_rate": tax_rate(practice)["id"], "cost_price": 1, "sell_price": 2}), "productpricing")
    deleted = item(api.delete(f"/v2/productpricing/{created['id']}"), "productpricing")
    assert deleted["active"] is False


# reference records of products --------------------------------------------------------------------------------


def test_a_product_has_one_minimum_stock_per_ownership(practice, api):
    product, owner = practice.product(), ownership(practice)
    practice.record("productminimumstock", product_id=product, minimumstock=5, ownership_id=owner)
    from openvet.engine.problems import ValidationFailed
    with practice.unchanged(), pytest.raises(ValidationFailed):
        practice.record("productminimumstock", product_id=product, minimumstock=9, ownership_id=owner)
    (listed,) = items(api.get(f"/v2/productminimumstock?product_id={product}"), "productminimumstock")
    assert listed["minimumstock"] == 5


def test_a_product_supplier_is_a_supplier_contact(practice, api):
    from openvet.engine.problems import ValidationFailed
    not_supplier, supplier, product = practice.owner(), practice.owner(is_supplier=True), practice.product()
    with practice.unchanged(), pytest.raises(ValidationFailed):
        practice.record("productsupplier", product_id=product, supplier_contact_id=not_supplier)
    made = practice.record("productsupplier", product_id=product, supplier_contact_id=supplier,
                           ownership_id=ownership(practice))
    (listed,) = items(api.get(f"/v2/productsupplier?supplier_contact_id={supplier}"), "productsupplier")
    assert listed["id"] == made and listed["ownership_uid"].startswith("ownershipSeparation_")


def test_a_barcode_names_its_product_in_lower_case(practice, api):
    product = practice.product()
    practice.record("barcode", for_type="Product", for_id=product, format="EAN-13", barcode="9400000000017")
    (barcode,) = items(api.get("/v1/barcode?barcode=9400000000017"), "barcode")
    assert (barcode["for_type"], barcode["for_id"]) == ("product", str(product))  # L2100


# batches ------------------------------------------------------------------------------------------------------


def test_a_batch_is_of_its_products_lot_made_once(practice, api):
    product = practice.product("Rimadyl", "Medication", tracking_level="Batch")
    first = item(api.post("/v2/batch", {"name": "123ABC", "type": "Batch", "product_id": product}), "batch")
    second = item(api.post("/v2/batch", {"name": "123ABC", "product_id": product}), "batch")
    assert first["parent"] == second["parent"] is not None
    lot = item(api.get(f"/v2/batch/{first['parent']}"), "batch")
    assert (lot["type"], lot["name"], lot["product_id"]) == ("Product", "123ABC", product)
    assert first["uid"].startswith("batch_") and first["type"] == "Batch"


def test_a_batch_needs_a_product(practice, api):
    with practice.unchanged():
        refused(api.post("/v2/batch", {"name": "123ABC"}), 422, "product_id")


# stock adjustments and the ledger --------------------------------------------------------------------------


def test_an_adjustment_finalises_its_items_and_writes_one_ledger_row_each(practice, api):
    rimadyl, metacam = practice.product("Rimadyl", "Medication", code="RMDYL-50"), practice.product("Metacam")
    adjustment = adjust(practice, (rimadyl, 5), (metacam, "-2.5"), comments="Count")
    first, second = adjustment["line_item"]
    assert (first["status"], first["name"], first["code"], first["quantity"]) == ("Finalised", "Rimadyl",
                                                                                  "RMDYL-50", 5)
    assert second["quantity"] == -2.5 and second["stockadjustment_id"] == adjustment["id"]
    (row,) = ledger(api, rimadyl)
    assert (row["quantity"], row["for_class"], row["for_id"], row["status"], row["alter_stock"],
            row["date"]) == (5, "StockAdjustmentItem", first["id"], "Finalised", True, BOOKED_DAY)
    assert row["separation_id"] == ownership(practice)  # no location: the adjustment's ownership
    levels = stock_levels(api, rimadyl, metacam)
    assert levels[rimadyl]["in_stock"] == "5.00" and levels[rimadyl]["available"] == "5.00"
    assert levels[metacam]["in_stock"] == "-2.50"


def test_an_item_added_on_its_own_is_pending_and_moves_no_stock(practice, api):
    product = practice.product()
    adjustment = adjust(practice)
    added = item(api.post("/v2/stockadjustmentitem", {  # the document's own sample (L12800)
        "stockadjustment_id": adjustment["id"], "product_id": product, "quantity": 2,
        "batch": [{"name": "123ABC", "quantity": 2}], "location_id": ownership(practice)}), "stockadjustmentitem")
    assert added["status"] == "Pending"
    assert ledger(api, product) == []
    assert stock_levels(api, product)[product]["in_stock"] == "0.00"


def test_an_item_is_priced_at_its_products_cost_price_unless_it_says_a_price(practice, api):
    product, owner = practice.product(), ownership(practice)
    api.post("/v2/productpricing", {"product_id": product, "ownership_id": owner, "based_on": "Price",
                                    "tax_rate": tax_rate(practice)["id"], "cost_price": "57.5", "sell_price": 80})
    adjustment = adjust(practice, (product, 2))
    assert adjustment["line_item"][0]["price"] == 57.5
    assert adjustment["amount"] == 115  # 2 * 57.50, the sample (L12633)
    priced = item(api.post("/v2/stockadjustment", {"date": BOOKED_DAY, "ownership_id": owner, "line_item": [
        {"product_id": product, "quantity": 3, "price": "1.25"}]}), "stockadjustment")
    assert priced["line_item"][0]["price"] == 1.25 and priced["amount"] == 3.75
    unpriced = practice.product("Cotton wool")
    assert adjust(practice, (unpriced, 1))["line_item"][0]["price"] == 0


def test_an_item_added_on_its_own_counts_in_its_adjustments_amount(practice, api):
    product = practice.product()
    adjustment = adjust(practice, line_item=[{"product_id": product, "quantity": 1, "price": 2}])
    api.post("/v2/stockadjustmentitem", {"stockadjustment_id": adjustment["id"], "product_id": product,
                                         "quantity": 4, "price": "0.5"})
    assert item(api.get(f"/v2/stockadjustment/{adjustment['id']}"), "stockadjustment")["amount"] == 4


def test_batches_of_an_item_are_made_under_their_lot(practice, api):
    product = practice.product("Rimadyl", tracking_level="Batch")
    adjustment = item(api.post("/v2/stockadjustment", {  # the document's own sample (L12600)
        "date": 1573517912, "comments": "Adjust stock to zero", "ownership_id": ownership(practice),
        "line_item": [{"product_id": product, "quantity": 2, "batch": [{"name": "123ABC", "quantity": 2}],
                       "location_id": ownership(practice)}]}), "stockadjustment")
    (batch,) = adjustment["line_item"][0]["batch"]
    assert (batch["name"], batch["type"]) == ("123ABC", "Batch") and "quantity" not in batch
    lot = item(api.get(f"/v2/batch/{batch['parent']}"), "batch")
    assert (lot["type"], lot["product_id"]) == ("Product", product)


def test_a_zero_quantity_or_an_unknown_product_is_refused_and_writes_nothing(practice, api):
    product = practice.product()
    with practice.unchanged():
        refused(api.post("/v2/stockadjustment", {"date": BOOKED_DAY, "ownership_id": ownership(practice),
                                                 "line_item": [{"product_id": product, "quantity": 0}]}),
                422, "line_item[0].quantity")
        refused(api.post("/v2/stockadjustment", {"date": BOOKED_DAY, "ownership_id": ownership(practice),
                                                 "line_item": [{"product_id": product, "quantity": 1},
                                                               {"product_id": 10**12, "quantity": 1}]}),
                422, "line_item[1].product_id")
        refused(api.post("/v2/stockadjustment", {"date": BOOKED_DAY, "line_item": []}), 422, "ownership_id")
        refused(api.post("/v2/stockadjustmentitem", {"product_id": product, "quantity": "x"}), 422,
                "stockadjustment_id", "quantity")
    assert ledger(api, product) == []


def test_the_ledger_is_never_changed_a_deactivated_item_appends_the_opposite_movement(practice, api, engine):
    from openvet.engine.problems import ValidationFailed
    from openvet.resources import REGISTRY
    from openvet.store.filters import Condition
    product = practice.product()
    finalised = adjust(practice, (product, 7))["line_item"][0]
    (row,) = ledger(api, product)
    with practice.unchanged(), pytest.raises(ValidationFailed):
        engine.update(api.id, REGISTRY["stocktransaction"], [Condition("id", "eq", row["id"])], {"quantity": 1},
                      None, 1)
    with practice.unchanged(), pytest.raises(ValidationFailed):
        engine.update(api.id, REGISTRY["stockadjustmentitem"], [Condition("id", "eq", finalised["id"])],
                      {"quantity": 1}, None, 1)
    engine.delete(api.id, REGISTRY["stockadjustmentitem"], [Condition("id", "eq", finalised["id"])], 1)
    assert sorted(r["quantity"] for r in ledger(api, product)) == [-7, 7]
    assert stock_levels(api, product)[product]["in_stock"] == "0.00"


def test_stock_rows_record_their_events(practice, api):
    product = practice.product()
    line = adjust(practice, (product, 1))["line_item"][0]
    (row,) = ledger(api, product)
    assert practice.events("stocktransaction", row["id"]) == ["stocktransaction_created"]
    assert practice.events("stockadjustmentitem", line["id"]) == ["stockadjustmentitem_created"]


# the stocklevel question ---------------------------------------------------------------------------------------


def test_stocklevel_answers_every_documented_key_as_v1_strings(practice, api):
    product = practice.product()
    adjust(practice, (product, "23"))
    (answered,) = items(api.get("/v1/product", params={"questions": STOCKLEVEL, "id": product}), "product")
    assert answered["_answers"]["stocklevel"] == {  # L9950
        "in_stock": "23.00", "allocated": "0.00", "available": "23.00", "on_order_for_inventory": "0.00",
        "on_order_total": "0.00", "being_receipted": "0.00", "inventory_turn": "0.00"}


def test_stocklevel_keeps_quantities_finer_than_cents(practice, api):
    product = practice.product()
    adjust(practice, (product, "0.125"))
    assert stock_levels(api, product)[product]["in_stock"] == "0.125"


def test_products_are_answered_without_answers_unless_asked(practice, api):
    product = practice.product()
    (plain,) = items(api.get(f"/v1/product?id={product}"), "product")
    assert "_answers" not in plain


@pytest.mark.parametrize("asked", ['[{"name": "pricelevel"}]', "stocklevel", "[1]", "[]", '{"nam": 1}'])
def test_an_unknown_or_malformed_question_is_a_400_naming_questions(api, asked):
    refused(api.get("/v1/product", params={"questions": asked}), 400, "questions")


def test_questions_are_not_a_parameter_of_lists_that_declare_none(api):
    refused(api.get("/v2/product", params={"questions": STOCKLEVEL}), 400, "questions")
    refused(api.get("/v1/animal", params={"questions": STOCKLEVEL}), 400, "questions")


def test_stocklevel_on_a_page_of_200_is_one_grouped_query_per_figure(practice, api, engine):
    """Every product of a full page is answered from one grouped query per figure (in_stock and inventory_turn from
    the ledger's kept sums, the two on_order over order items, being_receipted over receipt items, allocated over
    invoice lines), never one per product, and the ledger itself is not summed."""
    import sqlalchemy as sa
    products = [practice.record("product", name=f"P{n}") for n in range(200)]
    adjust(practice, *((p, 1) for p in products[:3]))
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if "GROUP BY" in statement:
            seen.append(statement)
    sa.event.listen(engine.db, "before_cursor_execute", count)
    try:
        answered = items(api.get("/v1/product", params={"questions": STOCKLEVEL, "limit": 200}), "product")
    finally:
        sa.event.remove(engine.db, "before_cursor_execute", count)
    assert [int(a["id"]) for a in answered] == products  # a new clinic: only these
    assert sorted(re.findall(r"FROM (\w+)", statement)[0] for statement in seen) == [
        "invoiceline_sum_allocated", "purchaseorderitem", "purchaseorderitem", "receiveinvoiceitem",
        "stocktransaction_sum_in_stock", "stocktransaction_sum_moved_out"]
    assert not any(re.search(r"FROM stocktransaction\b", statement) for statement in seen)
    assert [a["_answers"]["stocklevel"]["in_stock"] for a in answered[:4]] == ["1.00", "1.00", "1.00", "0.00"]


# the invariant, against a plain model ----------------------------------------------------------------------------

QUANTITIES = st.decimals(min_value=-50, max_value=50, places=2, allow_nan=False).filter(lambda q: q != 0)
LINES = st.lists(st.tuples(st.integers(0, 2), QUANTITIES), min_size=1, max_size=3)
KINDS = ["adjust", "add", "receive", "pending", "finalise", "recount", "remove", "order"]
STEPS = st.lists(st.tuples(st.sampled_from(KINDS), LINES), min_size=1, max_size=6)
PER_OUTER = (Decimal(1), Decimal(4), Decimal("2.5"))  # each product's supplier counts in outers of these


class Stockroom:
    """Three products of one supplier, and what the ledger should say of them: the plain model."""

    def __init__(self, practice, api):
        self.api = api
        vendor = practice.owner(is_supplier=True, last_name="Vet Wholesale")
        self.vendor = vendor
        self.products = [practice.product(f"Stock {n}") for n in range(3)]
        for n, (product, per_outer) in enumerate(zip(self.products, PER_OUTER, strict=True)):
            practice.record("productsupplier", product_id=product, supplier_contact_id=vendor,
                            supplier_code=f"CODE-{n}", units_per_outer=per_outer)
        self.stock = {p: Decimal(0) for p in self.products}
        self.receipting = {p: Decimal(0) for p in self.products}
        self.adjustment = adjust(practice)
        self.pending: list[tuple[int, list[tuple[int, Decimal]]]] = []  # receipt, its (product, units)
        self.received: list[tuple[int, int, Decimal]] = []  # finalised items: id, product, units
        self.numbers = 0

    def receive(self, lines, status: str) -> dict:
        self.numbers += 1
        body = {"invoice_number": f"INV-{self.numbers}", "date": BOOKED_DAY, "due_date": BOOKED_DAY,
                "supplier_id": self.vendor, "status": status,
                "line_item": [{"supplier_code": f"CODE-{i}", "quantity": str(abs(q)), "price": "1.5", "tax": "0.15"}
                              for i, q in lines]}
        return item(self.api.post("/v2/receiveinvoice", body), "receiveinvoice")

    def step(self, practice, kind: str, lines) -> None:
        api, products = self.api, self.products
        units = [(products[i], abs(q) * PER_OUTER[i]) for i, q in lines]
        if kind == "adjust":
            adjust(practice, *((products[i], str(q)) for i, q in lines))
            for i, q in lines:
                self.stock[products[i]] += q
        elif kind == "add":  # pending items of a finalised adjustment: nothing moves
            for i, q in lines:
                item(api.post("/v2/stockadjustmentitem", {"stockadjustment_id": self.adjustment["id"],
                                                          "product_id": products[i], "quantity": str(q)}),
                     "stockadjustmentitem")
        elif kind == "receive":
            receipt = self.receive(lines, "Finalised")
            for kid, (product, quantity) in zip(receipt["line_item"], units, strict=True):
                self.stock[product] += quantity
                self.received.append((kid["id"], product, quantity))
        elif kind == "pending":
            receipt = self.receive(lines, "Pending")
            self.pending.append((receipt["id"], [(kid["id"], *u) for kid, u in zip(receipt["line_item"], units,
                                                                                   strict=True)]))
            for product, quantity in units:
                self.receipting[product] += quantity
        elif kind == "finalise" and self.pending:
            receipt, kids = self.pending.pop(0)
            item(api.patch(f"/v1/receiveinvoice/{receipt}", {"status": "Finalised"}), "receiveinvoice")
            for kid, product, quantity in kids:
                self.receipting[product] -= quantity
                self.stock[product] += quantity
                self.received.append((kid, product, quantity))
        elif kind == "recount" and self.received:
            index = len(lines) % len(self.received)
            kid, product, old = self.received[index]
            outers = abs(lines[0][1])
            new = outers * PER_OUTER[products.index(product)]
            item(api.patch(f"/v1/receiveinvoiceitem/{kid}", {"quantity": str(outers)}), "receiveinvoiceitem")
            self.stock[product] += new - old
            self.received[index] = (kid, product, new)
        elif kind == "remove" and self.received:
            kid, product, quantity = self.received.pop(len(lines) % len(self.received))
            assert api.delete(f"/v1/receiveinvoiceitem/{kid}").status_code == 200
            self.stock[product] -= quantity
        elif kind == "order":  # an order moves no stock until it is received
            practice.record("purchaseorder", date=BOOKED_DAY, supplier_id=self.vendor, status="Sent",
                            purchase_order_item_list=[{"product_id": p, "quantity": q} for p, q in units])

    def check(self) -> None:
        levels = stock_levels(self.api, *self.products)
        for product in self.products:
            level = levels[product]
            rows = ledger(self.api, product)
            in_ledger = sum((Decimal(str(r["quantity"])) for r in rows if r["alter_stock"]), Decimal(0))
            assert Decimal(level["in_stock"]) == self.stock[product] == in_ledger
            assert Decimal(level["available"]) == Decimal(level["in_stock"]) - Decimal(level["allocated"])
            assert Decimal(level["being_receipted"]) == self.receipting[product]


@pytest.mark.both_databases
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_in_stock_is_always_the_sum_of_the_ledger_and_available_is_in_stock_less_allocated(practice, api, steps):
    """Random adjustments (finalised, in their adjustment's line_item), items added on their own (pending), receipts
    in the supplier's outers (finalised, or pending then finalised), received items recounted or deleted, and
    purchase orders, through the HTTP API: after each, every product's in_stock is the model's and the sum of its
    ledger rows, available is in_stock less allocated, and being_receipted is what pending receipts hold."""
    room = Stockroom(practice, api)
    for kind, lines in steps:
        room.step(practice, kind, lines)
        room.check()
