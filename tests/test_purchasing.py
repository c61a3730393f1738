"""Purchasing: orders and receipts, and the stock they move or will move (L10753, L10847, L10923, L11496, decisions
"Purchasing").

Receipts raise stock through the ledger, in the supplier's units; a duplicate invoice number of a supplier is
refused unless confirmed; batch-tracked products need their batches; the stocklevel question answers what is on
order and being receipted. Every refusal is proven to change nothing. The property test over receipts, orders and
adjustments lives with the other stock invariant, in test_stock.py.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from practice import BOOKED_DAY, Practice, item, items, refused

STOCKLEVEL = json.dumps([{"name": "stocklevel"}])
DUE = BOOKED_DAY + 30 * 86400


@pytest.fixture
def practice(api, engine) -> Practice:
    return Practice(api, engine)


def ownership(practice) -> int:
    return practice.api.first_id("separation")


def supplier(practice, name: str = "Provet Supplies") -> int:
    return practice.owner(is_supplier=True, last_name=name)


def supplied(practice, vendor: int, code: str, per_outer: str = "1", name: str = "Amoxicillin 50 mg",
             **product) -> int:
    """A product the supplier sells under ``code``, in outers of ``per_outer`` units."""
    made = practice.product(name, "Medication", **product)
    rate = items(practice.api.get("/v2/taxrate?code=S"), "taxrate")[0]["id"]
    practice.record("productsupplier", product_id=made, supplier_contact_id=vendor, supplier_code=code,
                    units_per_outer=per_outer, tax_rate_id=rate, ownership_id=ownership(practice))
    return made


def receive(api, *lines: dict, version: str = "v2", params: dict | None = None, **fields):
    body = {"invoice_number": "INV-1", "date": BOOKED_DAY, "due_date": DUE, **fields,
            ("line_item" if version == "v2" else "receive_invoice_item_list"): list(lines)}
    return api.post(f"/{version}/receiveinvoice", body, params=params or {})


def line(code: str, quantity, price="10", tax="1", **fields) -> dict:
    return {"supplier_code": code, "quantity": quantity, "price": price, "tax": tax, **fields}


def levels(api, *products: int) -> dict[int, dict]:
    answered = items(api.get("/v1/product", params={"questions": STOCKLEVEL,
                                                    "id": json.dumps({"in": list(products)})}), "product")
    return {int(p["id"]): p["_answers"]["stocklevel"] for p in answered}


def ledger(api, product: int) -> list[dict]:
    return items(api.get(f"/v2/stocktransaction?product_id={product}&limit=200"), "stocktransaction")


def in_stock(api, product: int) -> Decimal:
    return Decimal(levels(api, product)[product]["in_stock"])


# receipts raise stock, in the supplier's units ----------------------------------------------------------------


def test_a_receipt_raises_stock_by_its_items_through_the_ledger(practice, api):
    vendor = supplier(practice)
    product = supplied(practice, vendor, "AMX50")
    receipt = item(receive(api, line("AMX50", 12, "2.5", "0.25")), "receiveinvoice")
    (received,) = receipt["line_item"]
    assert (received["product_id"], received["quantity"], received["status"]) == (product, 12, "Finalised")
    assert receipt["supplier_id"] == vendor  # worked out from the code: the supplier whose code it is
    (row,) = ledger(api, product)
    assert (row["quantity"], row["for_class"], row["for_id"], row["date"]) == (12, "ReceiveInvoiceItem",
                                                                               received["id"], BOOKED_DAY)
    assert levels(api, product)[product]["in_stock"] == "12.00"


def test_a_supplier_counting_in_outers_is_kept_in_units_as_the_v2_sample(practice, api):
    """2 outers of 4 at 100 (tax 10) read back as 8 units at 25 (tax 2.5): total 200, total tax 20 (L11445)."""
    vendor = supplier(practice)
    product = supplied(practice, vendor, "supplier123", per_outer="4")
    receipt = item(receive(api, line("supplier123", 2, "100.00", "10", tax_rate=10, tax_code="S",
                                     location_id=ownership(practice)),
                           invoice_number="INV_001", freight="4.00", freight_tax="10.00"), "receiveinvoice")
    (received,) = receipt["line_item"]
    assert (received["quantity"], received["price"], received["tax"]) == (8, 25, 2.5)
    assert (received["total"], received["total_tax"], received["tax_rate"], received["tax_code"]) == (200, 20, 10,
                                                                                                     "S")
    assert received["product_supplier_id"] is not None and received["name"] == "Amoxicillin 50 mg"
    assert in_stock(api, product) == 8
    # tax: the items' tax and the freight's; total: items, their tax and the freight (which includes its tax)
    assert (receipt["tax"], receipt["total"]) == (30, 224)


def test_v1_receipt_totals_as_the_v1_sample(practice, api):
    """5.17 + 0.517 + 12.2 = 17.887 (L11050); the sample's tax 1.455 counts the item's tax once: the table's
    'total tax content' is 0.517 + 1.22."""
    vendor = supplier(practice)
    supplied(practice, vendor, "AMMOX 5")
    created = item(receive(api, line("AMMOX 5", "2.2", "2.35", "0.235"), version="v1", invoice_number="2AC_B22",
                           freight="12.2", freight_tax="1.22", comments="Order invoice 2AC_B22."), "receiveinvoice")
    assert (Decimal(created["total"]), Decimal(created["tax"])) == (Decimal("17.887"), Decimal("1.737"))
    (kid,) = created["receive_invoice_item_list"]
    got = item(api.get(f"/v1/receiveinvoiceitem/{kid}"), "receiveinvoiceitem")
    assert (Decimal(got["total"]), Decimal(got["total_tax"])) == (Decimal("5.17"), Decimal("0.517"))
    assert created["ownership_id"] == str(practice.api.first_id("separation"))  # the Database separation


def test_a_line_no_product_matches_is_received_without_moving_stock(practice, api):
    receipt = item(receive(api, line("UNKNOWN-1", 3)), "receiveinvoice")
    (received,) = receipt["line_item"]
    assert received["product_id"] is None and received["total"] == 30
    assert receipt["supplier_id"] is None
    assert items(api.get("/v2/stocktransaction"), "stocktransaction") == []


def test_a_code_of_two_suppliers_needs_the_receipts_supplier(practice, api):
    first, second = supplier(practice, "One"), supplier(practice, "Two")
    mine = supplied(practice, first, "SAME")
    supplied(practice, second, "SAME", name="Another product")
    with practice.unchanged():
        refused(receive(api, line("SAME", 1), supplier_id=None), 422)
    assert item(receive(api, line("SAME", 1), supplier_id=first), "receiveinvoice")["line_item"][0][
        "product_id"] == mine
    not_supplier = practice.owner()
    with practice.unchanged():
        refused(receive(api, line("SAME", 1), supplier_id=not_supplier, invoice_number="X"), 422, "supplier_id")


# the supplier's invoice number, once -------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_a_duplicate_invoice_number_of_a_supplier_is_refused_unless_confirmed(practice, api, version):
    vendor, other = supplier(practice), supplier(practice, "Other")
    supplied(practice, vendor, "AMX50")
    first = item(receive(api, line("AMX50", 1), version=version), "receiveinvoice")
    with practice.unchanged():
        refused(receive(api, line("AMX50", 1), version=version), 422, "invoice_number")
        refused(receive(api, line("AMX50", 1), version=version, params={"confirm_invoice_number": "0"}), 422,
                "invoice_number")
    again = item(receive(api, line("AMX50", 1), version=version, params={"confirm_invoice_number": "1"}),
                 "receiveinvoice")
    assert again["invoice_number"] == first["invoice_number"] and "confirm_invoice_number" not in again
    item(receive(api, version=version, supplier_id=other), "receiveinvoice")  # another supplier's number
    item(receive(api, line("NO-SUCH-CODE", 1), version=version), "receiveinvoice")  # no supplier known: no check
    item(receive(api, line("NO-SUCH-CODE", 1), version=version), "receiveinvoice")


def test_renaming_a_receipt_to_a_used_number_is_refused_unless_confirmed(practice, api):
    vendor = supplier(practice)
    item(receive(api, supplier_id=vendor, invoice_number="A"), "receiveinvoice")
    second = item(receive(api, supplier_id=vendor, invoice_number="B", version="v1"), "receiveinvoice")
    with practice.unchanged():
        refused(api.patch(f"/v1/receiveinvoice/{second['id']}", {"invoice_number": "A"}), 422, "invoice_number")
    renamed = item(api.patch(f"/v1/receiveinvoice/{second['id']}", {"invoice_number": "A"},
                             params={"confirm_invoice_number": 1}), "receiveinvoice")
    assert renamed["invoice_number"] == "A"
    third = item(receive(api, supplier_id=vendor, invoice_number="C", version="v1"), "receiveinvoice")
    with practice.unchanged():  # the query string's value is the one the document names
        refused(api.patch(f"/v1/receiveinvoice/{third['id']}", {"invoice_number": "A", "confirm_invoice_number": 1},
                          params={"confirm_invoice_number": 0}), 422, "invoice_number")
    item(api.patch(f"/v1/receiveinvoice/{third['id']}", {"invoice_number": "A", "confirm_invoice_number": 1}),
         "receiveinvoice")  # in the body alone, it is understood too


# batches ------------------------------------------------------------------------------------------------------


def test_a_batch_tracked_product_is_received_with_its_batches_as_the_sample(practice, api):
    """15 outers of 4 in three batches (7, 3, 5) are 60 units at 1.25 (L2283)."""
    vendor = supplier(practice)
    product = supplied(practice, vendor, "EZY_001", per_outer="4", tracking_level="Batch")
    receipt = item(receive(api, supplier_id=vendor), "receiveinvoice")
    body = {"quantity": 15, "price": 5, "tax": 0.5, "supplier_code": "EZY_001", "location_id": ownership(practice),
            "receive_invoice_id": receipt["id"], "batch": [
                {"name": "Batch One", "expiry": 1560718800, "quantity": 7},
                {"name": "Batch Two", "expiry": 1560718800, "quantity": 3},
                {"name": "Batch Three", "expiry": 1560718800, "quantity": 5}]}
    received = item(api.post("/v2/receiveinvoiceitem", body), "receiveinvoiceitem")
    assert (received["quantity"], received["price"], received["total"], received["total_tax"]) == (60, 1.25, 75, 7.5)
    assert [b["name"] for b in received["batch"]] == ["Batch One", "Batch Two", "Batch Three"]
    assert all(b["type"] == "Batch" and b["parent"] for b in received["batch"])
    assert in_stock(api, product) == 60
    with practice.unchanged():
        refused(api.post("/v2/receiveinvoiceitem", {**body, "batch": []}), 422, "batch")
        refused(api.post("/v2/receiveinvoiceitem", {**body, "batch": body["batch"][:2]}), 422, "batch")


def test_v1_receipt_items_carry_no_batches_so_a_batch_tracked_product_is_received_on_v2(practice, api):
    """v1 ReceiveInvoiceItem documents no batch, on list, create or PATCH (L11559-L11571, L11647-L11656,
    L11736-L11745), nor v1 ReceiveInvoice's item list, which refers to those fields (L11109): a v1 client's batch
    is refused naming it, and a batch-tracked product cannot be received there (decisions, "Purchasing")."""
    vendor = supplier(practice)
    supplied(practice, vendor, "EZY_001", per_outer="4", tracking_level="Batch")
    plain = supplied(practice, vendor, "TP1", name="Plain")
    receipt = item(receive(api, supplier_id=vendor, version="v1"), "receiveinvoice")
    body = {"quantity": 1, "price": 5, "tax": 0.5, "supplier_code": "EZY_001", "receive_invoice_id": receipt["id"]}
    with practice.unchanged():
        status = api.post("/v1/receiveinvoiceitem", {**body, "batch": [{"name": "B1", "quantity": 1}]})
        assert 400 <= status.status_code < 500 and "batch" in status.text
        refused(api.post("/v1/receiveinvoiceitem", body), 422, "batch")
        refused(receive(api, line("EZY_001", 1), version="v1", supplier_id=vendor, invoice_number="INV-2"), 422,
                "receive_invoice_item_list[0].batch")
    made = item(api.post("/v1/receiveinvoiceitem", {**body, "supplier_code": "TP1"}), "receiveinvoiceitem")
    assert "batch" not in made and in_stock(api, plain) == 1


def test_a_batch_tracked_product_is_adjusted_with_its_batches(practice, api):
    product = practice.product("Rimadyl", tracking_level="Batch")
    body = {"date": BOOKED_DAY, "ownership_id": ownership(practice),
            "line_item": [{"product_id": product, "quantity": 2}]}
    adjustment = item(api.post("/v2/stockadjustment", {"date": BOOKED_DAY, "ownership_id": ownership(practice)}),
                      "stockadjustment")
    with practice.unchanged():
        refused(api.post("/v2/stockadjustment", body), 422, "line_item[0].batch")
        refused(api.post("/v2/stockadjustmentitem", {"stockadjustment_id": adjustment["id"], "product_id": product,
                                                     "quantity": 1}), 422, "batch")
    made = item(api.post("/v2/stockadjustment", {**body, "line_item": [
        {"product_id": product, "quantity": 2, "batch": [{"name": "123ABC", "quantity": 2}]}]}), "stockadjustment")
    assert made["line_item"][0]["status"] == "Finalised"


# corrections keep the ledger right -------------------------------------------------------------------------------


def test_changing_or_deleting_a_received_item_appends_the_movements_that_keep_the_ledger_right(practice, api):
    vendor = supplier(practice)
    product = supplied(practice, vendor, "AMX50", per_outer="10")
    other = practice.product("Other product")
    receipt = item(receive(api, line("AMX50", 2), version="v1"), "receiveinvoice")
    (kid,) = receipt["receive_invoice_item_list"]
    assert in_stock(api, product) == 20
    patched = item(api.patch(f"/v1/receiveinvoiceitem/{kid}", {"quantity": 3, "comments": "Recounted"}),
                   "receiveinvoiceitem")
    assert Decimal(patched["quantity"]) == 30 and in_stock(api, product) == 30  # 3 outers of 10
    item(api.patch(f"/v1/receiveinvoiceitem/{kid}", {"product_id": other}), "receiveinvoiceitem")
    assert (in_stock(api, product), in_stock(api, other)) == (0, 30)
    api.delete(f"/v1/receiveinvoiceitem/{kid}")
    assert in_stock(api, other) == 0
    assert sorted(Decimal(str(r["quantity"])) for r in ledger(api, product)) == [-30, 10, 20]
    assert Decimal(item(api.get(f"/v1/receiveinvoice/{receipt['id']}"), "receiveinvoice")["total"]) == 0


def test_deleting_a_receipt_deletes_its_items_and_takes_their_stock_out(practice, api):
    vendor = supplier(practice)
    product = supplied(practice, vendor, "AMX50")
    receipt = item(receive(api, line("AMX50", 5), line("AMX50", 2), version="v1"), "receiveinvoice")
    assert in_stock(api, product) == 7
    api.delete(f"/v1/receiveinvoice/{receipt['id']}")
    assert in_stock(api, product) == 0
    assert items(api.get(f"/v1/receiveinvoiceitem?receive_invoice_id={receipt['id']}&active=0"),
                 "receiveinvoiceitem") != []


def test_patching_the_item_list_keeps_listed_items_and_deletes_the_others(practice, api):
    vendor = supplier(practice)
    product = supplied(practice, vendor, "AMX50")
    receipt = item(receive(api, line("AMX50", 5), line("AMX50", 2), version="v1"), "receiveinvoice")
    first, second = receipt["receive_invoice_item_list"]
    patched = item(api.patch(f"/v1/receiveinvoice/{receipt['id']}", {"receive_invoice_item_list": [
        {"id": int(first), "quantity": 4}]}), "receiveinvoice")
    assert patched["receive_invoice_item_list"] == [first]
    assert in_stock(api, product) == 4


# pending receipts are being receipted ----------------------------------------------------------------------------


def test_a_pending_receipt_is_being_receipted_until_finalised(practice, api):
    vendor = supplier(practice)
    product = supplied(practice, vendor, "AMX50")
    receipt = item(receive(api, line("AMX50", 6), version="v1", status="Pending"), "receiveinvoice")
    assert levels(api, product)[product]["being_receipted"] == "6.00"
    assert levels(api, product)[product]["in_stock"] == "0.00" and ledger(api, product) == []
    finalised = item(api.patch(f"/v1/receiveinvoice/{receipt['id']}", {"status": "Finalised"}), "receiveinvoice")
    assert finalised["status"] == "Finalised"
    level = levels(api, product)[product]
    assert (level["being_receipted"], level["in_stock"]) == ("0.00", "6.00")
    with practice.unchanged():
        refused(api.patch(f"/v1/receiveinvoice/{receipt['id']}", {"status": "Pending"}), 422, "status")


# purchase orders and what is on order ---------------------------------------------------------------------------


def order(practice, vendor: int, product: int, status: str = "Sent", **fields) -> int:
    return practice.record("purchaseorder", date=BOOKED_DAY, supplier_id=vendor, status=status, **fields,
                           purchase_order_item_list=[{"product_id": product, "outers": 2, "tax_per_unit": "0.4",
                                                      "price_per_unit": 4}])


def test_a_purchase_order_counts_in_units_and_totals_as_the_sample(practice, api):
    vendor = supplier(practice)
    product = supplied(practice, vendor, "TP1", per_outer="5")
    made = order(practice, vendor, product, status="Created")
    listed = item(api.get(f"/v1/purchaseorder/{made}"), "purchaseorder")
    (line_id,) = listed["purchase_order_item_list"]
    ordered = item(api.get(f"/v1/purchaseorderitem/{line_id}"), "purchaseorderitem")
    assert (ordered["supplier_code"], Decimal(ordered["units_per_outer"]), Decimal(ordered["quantity"])) == (
        "TP1", 5, 10)
    assert (Decimal(ordered["total"]), Decimal(ordered["total_tax"])) == (40, 4)
    assert (Decimal(listed["tax"]), Decimal(listed["total"])) == (4, 44)
    assert items(api.get("/v1/purchaseorderitem?supplier_code=TP1"), "purchaseorderitem")[0]["id"] == line_id
    from openvet.engine.problems import ValidationFailed
    not_supplier = practice.owner()
    with practice.unchanged(), pytest.raises(ValidationFailed):
        order(practice, not_supplier, product)


def test_stocklevel_answers_what_is_on_order_until_it_is_received(practice, api, engine):
    from openvet.resources import REGISTRY
    from openvet.store.filters import Condition
    vendor = supplier(practice)
    product = supplied(practice, vendor, "TP1", per_outer="5")
    made = order(practice, vendor, product, status="Created")
    level = levels(api, product)[product]
    assert (level["on_order_for_inventory"], level["on_order_total"]) == ("10.00", "0.00")  # not sent yet
    engine.update(api.id, REGISTRY["purchaseorder"], [Condition("id", "eq", made)], {"status": "Sent"}, None, 1)
    level = levels(api, product)[product]
    assert (level["on_order_for_inventory"], level["on_order_total"]) == ("10.00", "10.00")
    line_id = int(item(api.get(f"/v1/purchaseorder/{made}"), "purchaseorder")["purchase_order_item_list"][0])
    receipt = item(receive(api, line("TP1", 1, purchase_order_item_id=line_id)), "receiveinvoice")
    level = levels(api, product)[product]
    assert (level["on_order_total"], level["in_stock"]) == ("5.00", "5.00")  # one outer of two received
    assert receipt["line_item"][0]["purchase_order_item_id"] == line_id
    v1 = item(api.get(f"/v1/receiveinvoice/{receipt['id']}"), "receiveinvoice")
    assert v1["purchase_order_list"] == [str(made)]
    other = supplied(practice, vendor, "TP2", name="Another product")
    with practice.unchanged():
        refused(receive(api, line("TP2", 1, purchase_order_item_id=line_id), invoice_number="INV-2"), 422,
                "line_item[0].purchase_order_item_id")
    assert in_stock(api, other) == 0
    engine.update(api.id, REGISTRY["purchaseorder"], [Condition("id", "eq", made)], {"status": "Cancelled"}, None, 1)
    level = levels(api, product)[product]
    assert (level["on_order_for_inventory"], level["on_order_total"]) == ("0.00", "0.00")


def order_status(api, made: int) -> tuple[str, str, str]:
    """The order's status, and what stocklevel says is on order (total, for inventory) of its one product."""
    listed = item(api.get(f"/v1/purchaseorder/{made}"), "purchaseorder")
    line_id = int(listed["purchase_order_item_list"][0])
    product = int(item(api.get(f"/v1/purchaseorderitem/{line_id}"), "purchaseorderitem")["product_id"])
    level = levels(api, product)[product]
    return listed["status"], level["on_order_total"], level["on_order_for_inventory"]


@pytest.mark.parametrize("start", ["Sent", "Created"])
def test_receipts_move_an_order_on_to_partial_then_received_and_corrections_move_it_back(practice, api, start):
    """L10831: a receipt of some of its units makes an order Partial, of all of them Received; taking the receipts
    back (a recount, a deleted item) moves it back, and on_order keeps agreeing with what is still to come."""
    vendor = supplier(practice)
    product = supplied(practice, vendor, "TP1", per_outer="5")
    made = order(practice, vendor, product, status=start)  # 2 outers of 5: 10 units
    line_id = int(item(api.get(f"/v1/purchaseorder/{made}"), "purchaseorder")["purchase_order_item_list"][0])
    first = item(receive(api, line("TP1", 1, purchase_order_item_id=line_id)), "receiveinvoice")
    assert order_status(api, made) == ("Partial", "5.00", "5.00")
    second = item(receive(api, line("TP1", 1, purchase_order_item_id=line_id), invoice_number="INV-2"),
                  "receiveinvoice")
    assert order_status(api, made) == ("Received", "0.00", "0.00")
    assert in_stock(api, product) == 10
    item(api.patch(f"/v1/receiveinvoiceitem/{second['line_item'][0]['id']}", {"quantity": "0.4"}),
         "receiveinvoiceitem")  # recounted: 2 units of the second outer came
    assert order_status(api, made) == ("Partial", "3.00", "3.00")
    assert api.delete(f"/v1/receiveinvoiceitem/{second['line_item'][0]['id']}").status_code == 200
    assert order_status(api, made) == ("Partial", "5.00", "5.00")
    assert api.delete(f"/v1/receiveinvoice/{first['id']}").status_code == 200
    assert order_status(api, made) == ("Sent", "10.00", "10.00")
    assert in_stock(api, product) == 0


def test_more_than_ordered_is_received_and_completed_or_cancelled_orders_keep_their_status(practice, api, engine):
    from openvet.resources import REGISTRY
    from openvet.store.filters import Condition
    vendor = supplier(practice)
    product = supplied(practice, vendor, "TP1", per_outer="5")
    made = order(practice, vendor, product)
    line_id = int(item(api.get(f"/v1/purchaseorder/{made}"), "purchaseorder")["purchase_order_item_list"][0])
    item(receive(api, line("TP1", 3, purchase_order_item_id=line_id)), "receiveinvoice")
    assert order_status(api, made) == ("Received", "0.00", "0.00")  # 15 of 10: received, nothing to come
    engine.update(api.id, REGISTRY["purchaseorder"], [Condition("id", "eq", made)], {"status": "Completed"}, None, 1)
    item(receive(api, line("TP1", 1, purchase_order_item_id=line_id), invoice_number="INV-2"), "receiveinvoice")
    assert order_status(api, made)[0] == "Completed"
    cancelled = order(practice, vendor, product, status="Cancelled")
    line_id = int(item(api.get(f"/v1/purchaseorder/{cancelled}"), "purchaseorder")["purchase_order_item_list"][0])
    item(receive(api, line("TP1", 1, purchase_order_item_id=line_id), invoice_number="INV-3"), "receiveinvoice")
    assert order_status(api, cancelled) == ("Cancelled", "0.00", "0.00")


def test_an_order_for_a_client_is_not_on_order_for_inventory(practice, api):
    vendor = supplier(practice)
    product = supplied(practice, vendor, "TP1")
    order(practice, vendor, product, client_id=practice.owner())
    level = levels(api, product)[product]
    assert (level["on_order_for_inventory"], level["on_order_total"]) == ("0.00", "2.00")


# the other figures -----------------------------------------------------------------------------------------------


def test_inventory_turn_is_the_monthly_consumption_over_the_last_year(practice, api):
    import time
    product = practice.product()
    owner = ownership(practice)
    now = int(time.time())
    item(api.post("/v2/stockadjustment", {"date": now, "ownership_id": owner, "line_item": [
        {"product_id": product, "quantity": 100}, {"product_id": product, "quantity": -24}]}), "stockadjustment")
    item(api.post("/v2/stockadjustment", {"date": now - 400 * 86400, "ownership_id": owner, "line_item": [
        {"product_id": product, "quantity": -50}]}), "stockadjustment")  # more than a year ago: not counted
    assert levels(api, product)[product]["inventory_turn"] == "2.00"  # 24 out in a year: 2 a month


def test_allocated_is_a_pluggable_figure_and_available_is_in_stock_less_it(practice, api, monkeypatch):
    from openvet.services import stock
    product = practice.product()
    item(api.post("/v2/stockadjustment", {"date": BOOKED_DAY, "ownership_id": ownership(practice), "line_item": [
        {"product_id": product, "quantity": 23}]}), "stockadjustment")
    monkeypatch.setitem(stock.FIGURES, "allocated", lambda reading, ids: {product: Decimal(8)})
    level = levels(api, product)[product]
    assert (level["in_stock"], level["allocated"], level["available"]) == ("23.00", "8.00", "15.00")  # L9950


# pending stock adjustments -----------------------------------------------------------------------------------------


def test_a_pending_adjustment_moves_stock_only_once_finalised(practice, api):
    product = practice.product()
    pending = item(api.post("/v2/stockadjustment", {"date": BOOKED_DAY, "ownership_id": ownership(practice),
                                                    "status": "Pending",
                                                    "line_item": [{"product_id": product, "quantity": 5}]}),
                   "stockadjustment")
    assert pending["line_item"][0]["status"] == "Pending" and ledger(api, product) == []
    added = item(api.post("/v2/stockadjustmentitem", {"stockadjustment_id": pending["id"], "product_id": product,
                                                      "quantity": 2}), "stockadjustmentitem")
    assert added["status"] == "Pending"
    finalised = item(api.patch(f"/v2/stockadjustment/{pending['id']}", {"status": "Finalised"}), "stockadjustment")
    assert [kid["status"] for kid in finalised["line_item"]] == ["Finalised", "Finalised"]
    assert in_stock(api, product) == 7 and len(ledger(api, product)) == 2
    with practice.unchanged():
        refused(api.patch(f"/v2/stockadjustment/{pending['id']}", {"status": "Pending"}), 422, "status")
        refused(api.patch(f"/v2/stockadjustment/{pending['id']}", {"active": False}), 422, "active")
        refused(api.patch(f"/v2/stockadjustment/{pending['id']}", {"date": 1}), 422, "date")


def test_an_item_added_to_a_finalised_adjustment_moves_stock_when_it_is_finalised_again(practice, api):
    product = practice.product()
    adjustment = item(api.post("/v2/stockadjustment", {"date": BOOKED_DAY, "ownership_id": ownership(practice)}),
                      "stockadjustment")
    api.post("/v2/stockadjustmentitem", {"stockadjustment_id": adjustment["id"], "product_id": product,
                                         "quantity": 3})
    assert in_stock(api, product) == 0
    item(api.patch(f"/v2/stockadjustment/{adjustment['id']}", {"status": "Finalised"}), "stockadjustment")
    assert in_stock(api, product) == 3


# products and their groups -------------------------------------------------------------------------------------------


def test_a_product_is_always_in_a_group(practice, api, engine):
    from openvet.engine.problems import ValidationFailed
    from openvet.resources import REGISTRY
    from openvet.store.filters import Condition
    first, second = practice.product("One"), practice.product("Two")
    groups = {item(api.get(f"/v1/product/{p}"), "product")["product_group_id"] for p in (first, second)}
    (group,) = groups
    assert item(api.get(f"/v1/productgroup/{group}"), "productgroup")["name"] == "General"  # made once
    with practice.unchanged(), pytest.raises(ValidationFailed):
        engine.update(api.id, REGISTRY["product"], [Condition("id", "eq", first)], {"product_group_id": None},
                      None, 1)


# bad input ---------------------------------------------------------------------------------------------------------


def test_bad_receipts_are_refused_naming_the_field_and_change_nothing(practice, api):
    vendor = supplier(practice)
    product = supplied(practice, vendor, "AMX50")
    with practice.unchanged():
        refused(receive(api, line("AMX50", "x")), 422, "line_item[0].quantity")
        refused(receive(api, line("AMX50", 1, price="-1")), 422, "line_item[0].price")
        refused(receive(api, {"quantity": 1, "price": 1, "tax": 0}), 422, "line_item[0].supplier_code")
        refused(api.post("/v2/receiveinvoice", {"date": BOOKED_DAY, "due_date": DUE}), 422, "invoice_number")
        refused(api.post("/v2/receiveinvoiceitem", {"receive_invoice_id": 10**12, "quantity": 1, "price": 1,
                                                    "tax": 0, "supplier_code": "AMX50"}), 422, "receive_invoice_id")
        refused(api.post("/v2/receiveinvoice", {"invoice_number": "A", "date": BOOKED_DAY, "due_date": DUE},
                         params={"confirm": 1}), 400, "confirm")
        big = "99999999999999"  # the most a column holds: a total of two of them is refused, not a 500
        refused(receive(api, line("AMX50", big, price=big)), 422, "line_item[0].total")
        refused(api.post("/v2/stockadjustment", {"date": BOOKED_DAY, "ownership_id": ownership(practice),
                                                 "line_item": [{"product_id": product, "quantity": big,
                                                                "price": big}]}), 422, "amount")


# the demo practice's stock -------------------------------------------------------------------------------------------


def test_the_demo_practice_has_prices_suppliers_orders_receipts_and_stock(practice, api, engine, tmp_path):
    from openvet import demo
    from openvet.demo.stock import seed_stock
    from openvet.store.blobs import Blobs
    # no animals: the figures are the seeded stock's alone (a history's invoices dispense vaccines and its monthly
    # restock receipts bring them back: tests/test_demo_data.py checks that ledger)
    demo.load_animals(engine, api.id, 0, show_progress=False, blobs=Blobs(tmp_path))
    catalogue = {p["code"]: p for p in items(api.get("/v1/product", params={"questions": STOCKLEVEL,
                                                                          "limit": 200}), "product")}
    assert all(p["product_group_id"] for p in catalogue.values())
    level = {code: p["_answers"]["stocklevel"] for code, p in catalogue.items()}
    assert level["VAC-C5"]["in_stock"] == "70.00"  # 40 counted, 3 outers of 10 received
    assert level["VAC-F3"]["in_stock"] == "48.00" and level["VAC-F3"]["inventory_turn"] == "0.17"  # 2 broken
    assert level["VAC-LEP"]["on_order_total"] == "20.00" and level["FD-ID-CAN"]["being_receipted"] == "8.00"
    assert {"CON-STD", "FD-ID-CAN", "PAR-BRAV"} <= set(catalogue)
    pricings = items(api.get("/v2/productpricing", params={"limit": 200}), "productpricing")
    assert {int(p["product_id"]) for p in pricings} == {int(p["id"]) for p in catalogue.values()}
    assert items(api.get("/v1/receiveinvoice?invoice_number=VS-INV-77310"), "receiveinvoice")[0][
        "purchase_order_list"]
    statuses = {o["supplier_order_number"]: o["status"] for o in items(api.get("/v1/purchaseorder"), "purchaseorder")}
    assert statuses == {"SO-118204": "Received", "SO-118377": "Sent"}  # sent, then received in full by its receipt
    with practice.unchanged():
        seed_stock(engine, api.id)  # once


def test_the_openapi_document_lists_confirm_invoice_number_as_a_query_parameter(api):
    spec = api.get("/openapi.json").json()
    for method, path in (("post", "/v1/receiveinvoice"), ("patch", "/v1/receiveinvoice/{id}"),
                         ("post", "/v2/receiveinvoice")):
        op = spec["paths"][path][method]
        assert "confirm_invoice_number" in {p.get("name") for p in op.get("parameters", [])}, path
