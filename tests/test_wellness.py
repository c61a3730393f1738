"""Wellness plans: plans and their benefits, memberships and their lifecycle (Active, Paused for ``pause_length``
cycles, Cancelled with a ``cancellation_option``), the status periods written for every change, billing intervals,
renewal, options, and the credits and price adjustments a membership earns and consumes (L14204-L15500, L2387,
L9782; decisions "Wellness plans").

The clock of the engine is moved by the tests (``clock``), so that status changes fall in known cycles. Every
refusal is proven to change nothing: no row and no event of the clinic moves.
"""

from __future__ import annotations

import types
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from practice import Practice, item, items, refused

DAY = 86_400
START = 1_767_225_600  # 2026-01-01 00:00 UTC
MEMBERSHIP = "/v2/wellnessplanmembership"


class Clock:
    """The engine's idea of now: every write is stamped with it."""

    def __init__(self, now: int):
        self.now = now

    def time(self) -> float:
        return float(self.now)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    import openvet.engine.engine as engine_module

    moment = Clock(START)
    monkeypatch.setattr(engine_module, "time", types.SimpleNamespace(time=moment.time))
    return moment


@pytest.fixture
def practice(api, engine) -> Practice:
    return Practice(api, engine)


def new_plan(practice, **fields) -> dict:
    body = {"name": "Puppy Plan", "subscription_fee_product": practice.product("Puppy Plan fee", "Standard"),
            "min_cycle_qty_on_signup": 1, "cancellation_product": practice.product("Cancellation fee", "Standard"),
            **fields}
    return item(practice.api.post("/v2/wellnessplan", body), "wellnessplan")


def new_benefit(practice, plan: dict, **fields) -> dict:
    body = {"name": "Free consults", "earn_method": "default", "earn_amount": 0, "optional": False,
            "benefit_config": {"type": "percentage", "type_value": 100, "allocation": "unit", "usages": 3,
                               "renewable": True, "option_cost_exc_tax": 0, "refresh_cycle_quantity": 12},
            "wellnessplan_id": plan["id"], **fields}
    return item(practice.api.post("/v2/wellnessplanbenefit", body), "wellnessplanbenefit")


def seller(practice) -> int:
    """The sales Resource of a User who is a salesperson (a cancellation's invoice line names that User)."""
    user = practice.record("user", name="Sam Sales", is_salesperson=True)
    return practice.record("resource", name="Sam Sales", type="user", associated_id=user)


def enrol_body(practice, plan: dict, **fields) -> dict:
    return {"start_date": START, "animal_id": fields.pop("animal_id", None) or practice.animal(),
            "renew_when_expired": 1, "billing_interval": 1, "resource_id": fields.pop("resource_id", None) or
            seller(practice),
            "wellness_plan": plan["id"], "ownership_id": practice.api.first_id("separation"), **fields}


def enrol(practice, plan: dict, **fields) -> dict:
    return item(practice.api.post(MEMBERSHIP, enrol_body(practice, plan, **fields)), "wellnessplanmembership")


def change(api, membership: dict, **body) -> dict:
    return item(api.patch(f"{MEMBERSHIP}/{membership['id']}", body), "wellnessplanmembership")


def status_periods(api, membership: dict) -> list[dict]:
    found = items(api.get("/v1/wellnessplanmembershipstatusperiod", params={
        "wellness_plan_membership": membership["id"], "active": 1, "limit": 200}), "wellnessplanmembershipstatusperiod")
    return sorted(found, key=lambda p: (int(p["start_date"]), int(p["id"])))


def shape(periods: list[dict]) -> list[tuple]:
    """(status, start_cycle, end_cycle, start_date, end_date) of each period, as numbers (v1 writes text)."""
    number = lambda v: int(v) if v not in ("", None) else None  # noqa: E731
    return [(p["status"], number(p["start_cycle"]), number(p["end_cycle"]), number(p["start_date"]),
             number(p["end_date"])) for p in periods]


def credits(api, membership: dict) -> list[dict]:
    return items(api.get("/v1/billingcredit", params={"wellness_plan_membership_id": membership["id"]}),
                 "billingcredit")


def adjustments(api, membership: dict) -> list[dict]:
    return items(api.get("/v1/priceadjustment", params={"wellness_plan_membership_id": membership["id"]}),
                 "priceadjustment")


def owner_of(api, membership: dict) -> int:
    return int(item(api.get(f"/v1/animal/{membership['animal_id']}"), "animal")["contact_id"])


def bills_of(api, membership: dict) -> list[list[tuple]]:
    """The invoices of the member's owner, oldest first, each as its lines: (product, quantity, price, name)."""
    found = sorted(items(api.get("/v2/invoice", params={"contact_id": owner_of(api, membership), "limit": 200}),
                         "invoice"), key=lambda i: i["id"])
    return [[(line["product_id"], Decimal(str(line["quantity"])), Decimal(str(line["price"])), line["name"])
             for line in sorted(i["line_item"], key=lambda line: line["id"])] for i in found]


def month(number: int, year: int = 2026) -> int:
    """The first second of a month: a monthly membership started on START begins cycle ``number`` then."""
    from datetime import UTC, datetime

    return int(datetime(year + (number - 1) // 12, (number - 1) % 12 + 1, 1, tzinfo=UTC).timestamp())


def read(api, membership: dict) -> dict:
    return item(api.get(f"{MEMBERSHIP}/{membership['id']}"), "wellnessplanmembership")


# plans and benefits ---------------------------------------------------------------------------------------------


def test_a_plan_takes_the_documented_defaults_and_delete_deactivates_it(practice, api):
    plan = new_plan(practice)  # the sample create sends name, fee product, signup cycles and cancellation (L14418)
    assert (plan["subscription_cycle_unit"], plan["subscription_cycle_qty"], plan["term_qty"],
            plan["pause_limit_qty"], plan["extends_end_date"], plan["portion_revenue_payable"],
            plan["discontinued"], plan["default_renew"]) == ("month", 1, 12, 6, True, 0.2, False, True)
    deleted = item(api.delete(f"/v2/wellnessplan/{plan['id']}"), "wellnessplan")
    assert deleted["active"] is False


def test_a_plan_with_more_signup_cycles_than_its_term_is_refused(practice, api):
    fee = practice.product("Fee")
    with practice.unchanged():
        refused(api.post("/v2/wellnessplan", {"name": "Short", "subscription_fee_product": fee,
                                              "min_cycle_qty_on_signup": 13}), 422, "min_cycle_qty_on_signup")
        refused(api.post("/v2/wellnessplan", {"name": "Weekly", "subscription_fee_product": fee,
                                              "min_cycle_qty_on_signup": 1, "subscription_cycle_unit": "fortnight"}),
                422, "subscription_cycle_unit")
        refused(api.post("/v2/wellnessplan", {"name": "Forever", "subscription_fee_product": fee,
                                              "min_cycle_qty_on_signup": 1, "term_qty": 10**6}), 422, "term_qty")


def test_a_benefit_config_is_checked_and_an_update_merges_the_keys_sent(practice, api):
    """The PATCH sample sends only ``usages`` (L14834): the other keys stay; benefit_type is the config's type."""
    benefit = new_benefit(practice, new_plan(practice))
    assert benefit["benefit_type"] == "percentage" and benefit["benefit_config"]["usages"] == 3
    patched = item(api.patch(f"/v2/wellnessplanbenefit/{benefit['id']}", {
        "name": "api modified benefit", "benefit_config": {"usages": 10}}), "wellnessplanbenefit")
    assert patched["benefit_config"] == {**benefit["benefit_config"], "usages": 10}
    with practice.unchanged():
        refused(api.patch(f"/v2/wellnessplanbenefit/{benefit['id']}", {"benefit_config": {"colour": "red"}}), 422,
                "benefit_config")
        refused(api.patch(f"/v2/wellnessplanbenefit/{benefit['id']}", {"benefit_config": {"type": "free"}}), 422,
                "benefit_config")
        refused(api.patch(f"/v2/wellnessplanbenefit/{benefit['id']}", {"benefit_config": {"usages": -1}}), 422,
                "benefit_config")
        refused(api.patch(f"/v2/wellnessplanbenefit/{benefit['id']}", {"benefit_type": "value", "benefit_config": {
            "type": "percentage"}}), 422, "benefit_type")
        refused(api.patch(f"/v2/wellnessplanbenefit/{benefit['id']}", {"benefit_config": {"type_value": "10"}}), 422,
                "benefit_config")  # a number, as its schema says
    retyped = item(api.patch(f"/v2/wellnessplanbenefit/{benefit['id']}", {"benefit_type": "value"}),
                   "wellnessplanbenefit")
    assert retyped["benefit_config"]["type"] == "value"
    fraction = item(api.patch(f"/v2/wellnessplanbenefit/{benefit['id']}", {"benefit_config": {"type_value": 12.5}}),
                    "wellnessplanbenefit")
    assert fraction["benefit_config"]["type_value"] == "12.5"  # kept exactly, never a float
    whole = item(api.patch(f"/v2/wellnessplanbenefit/{benefit['id']}", {"benefit_config": {"usages": 4.0}}),
                 "wellnessplanbenefit")
    assert whole["benefit_config"]["usages"] == 4


# joining a plan -----------------------------------------------------------------------------------------------


def test_a_membership_starts_active_with_one_open_status_period_and_ends_with_its_term(practice, api, clock):
    plan = new_plan(practice)
    membership = enrol(practice, plan)
    assert membership["status"] == "Active"
    assert membership["end_date"] == 1_798_761_600 - 1  # 2027-01-01: twelve monthly cycles, to the last second
    assert membership["next_wellness_plan"] == plan["id"]  # "current plan" by default (L15221)
    assert membership["previous_wellness_plan_membership"] is None
    assert shape(status_periods(api, membership)) == [("active", 1, None, START, None)]


def test_billing_interval_must_be_a_cycle_count_dividing_the_plan_term(practice, api, clock):
    """L15218: billing every 1, 2, 3, 4, 6 or 12 cycles of a twelve-cycle term; 5 or 24 is refused."""
    plan = new_plan(practice)
    body = enrol_body(practice, plan)
    with practice.unchanged():
        for interval in (5, 24, 0):
            refused(api.post(MEMBERSHIP, {**body, "billing_interval": interval}), 422, "billing_interval")
    assert item(api.post(MEMBERSHIP, {**body, "billing_interval": 4}), "wellnessplanmembership")[
        "billing_interval"] == 4


def test_joining_needs_a_known_active_plan_that_takes_members_and_an_active_animal(practice, api, clock):
    plan, closed = new_plan(practice), new_plan(practice, name="Old Plan")
    item(api.patch(f"/v2/wellnessplan/{closed['id']}", {"discontinued": True}), "wellnessplan")
    gone = practice.animal(active=False)
    body = enrol_body(practice, plan)
    with practice.unchanged():
        refused(api.post(MEMBERSHIP, {**body, "wellness_plan": 999_999_999}), 422, "wellness_plan")
        refused(api.post(MEMBERSHIP, {**body, "wellness_plan": closed["id"]}), 422, "wellness_plan")
        refused(api.post(MEMBERSHIP, {**body, "next_wellness_plan": closed["id"]}), 422, "next_wellness_plan")
        refused(api.post(MEMBERSHIP, {**body, "animal_id": gone}), 422, "animal_id")
        refused(api.post(MEMBERSHIP, {**body, "pause_length": 2}), 422, "pause_length")
        refused(api.post(MEMBERSHIP, {**body, "start_date": "soon"}), 422, "start_date")
        refused(api.post(MEMBERSHIP, {**body, "start_date": 10**12}), 422, "start_date")  # past the year 3000
        refused(api.post(MEMBERSHIP, {**body, "renew_when_expired": " "}), 422, "renew_when_expired")  # not false


def test_a_membership_earns_a_credit_per_benefit_that_is_not_optional(practice, api, clock):
    plan = new_plan(practice)
    benefit = new_benefit(practice, plan)
    new_benefit(practice, plan, name="Dental", optional=True)
    membership = enrol(practice, plan)
    (credit,) = credits(api, membership)
    (period,) = status_periods(api, membership)
    assert (credit["available_associated_type"], int(credit["available_associated_id"])) == (
        "animal", membership["animal_id"])
    assert (credit["associated_type"], int(credit["associated_id"])) == ("wellnessplanbenefit", benefit["id"])
    assert (credit["type"], credit["amount"], credit["used"], credit["wasted"]) == (
        "quantity", "3.0000", "0.0000", "0.0000")
    assert credit["wellness_plan_membership_status_period_id"] == period["id"]
    assert (credit["expires_in_unit"], credit["expires_in_qty"]) == ("month", "12")


def test_an_option_is_an_optional_benefit_of_the_membership_plan_and_earns_its_credit(practice, api, clock):
    plan, other = new_plan(practice), new_plan(practice, name="Other")
    dental = new_benefit(practice, plan, name="Dental", optional=True)
    included = new_benefit(practice, plan, name="Consults")
    elsewhere = new_benefit(practice, other, name="Elsewhere", optional=True)
    membership = enrol(practice, plan)
    from openvet.engine.problems import ValidationFailed
    for benefit in (included, elsewhere):
        with practice.unchanged(), pytest.raises(ValidationFailed):
            practice.record("wellnessplanmembershipoption", wellness_plan_membership=membership["id"],
                            wellness_plan_benefit=benefit["id"])
    clock.now = START + 40 * DAY  # in the second monthly cycle
    option = practice.record("wellnessplanmembershipoption", wellness_plan_membership=membership["id"],
                             wellness_plan_benefit=dental["id"])
    (listed,) = items(api.get(f"/v1/wellnessplanmembershipoption/{option}"), "wellnessplanmembershipoption")
    assert listed["start_cycle"] == "2"
    assert sorted(int(c["wellness_plan_benefit_id"]) for c in credits(api, membership)) == sorted(
        [included["id"], dental["id"]])


def test_a_membership_of_the_next_plan_after_the_end_renews_the_earlier_one(practice, api, clock):
    plan, senior = new_plan(practice), new_plan(practice, name="Senior Plan")
    animal = practice.animal()
    first = enrol(practice, plan, animal_id=animal, next_wellness_plan=senior["id"])
    assert first["next_wellness_plan"] == senior["id"]
    renewal = enrol(practice, senior, animal_id=animal, start_date=first["end_date"] + 1)
    assert renewal["previous_wellness_plan_membership"] == first["id"]
    again = enrol(practice, senior, animal_id=animal, start_date=first["end_date"] + 1)
    assert again["previous_wellness_plan_membership"] is None  # a membership is renewed once


# pausing ------------------------------------------------------------------------------------------------------


def test_pausing_closes_the_active_period_opens_a_paused_one_and_extends_the_end(practice, api, clock):
    """pause_length counts cycles of the plan, as pause_limit_qty does (L14295, L15314)."""
    plan = new_plan(practice)
    membership = enrol(practice, plan)
    clock.now = START + 40 * DAY  # 2026-02-10: the second cycle
    paused = change(api, membership, status="Paused", pause_length=2)
    assert paused["status"] == "Paused"
    assert paused["end_date"] == 1_803_859_200 - 1  # 2027-03-01: the term and two paused cycles
    assert shape(status_periods(api, membership)) == [
        ("active", 1, 2, START, clock.now - 1), ("paused", 2, 3, clock.now, None)]
    clock.now = START + 70 * DAY  # 2026-03-12: the third cycle, the pause's last
    resumed = change(api, membership, status="Paused", pause_length=0)  # "Set to 0 to unpause"
    assert resumed["status"] == "Active" and resumed["end_date"] == paused["end_date"]
    assert shape(status_periods(api, membership))[1:] == [
        ("paused", 2, 3, START + 40 * DAY, clock.now - 1), ("active", 3, None, clock.now, None)]


def test_unpausing_early_shortens_the_extension_to_the_cycles_paused(practice, api, clock):
    plan = new_plan(practice)
    membership = enrol(practice, plan)
    clock.now = START + 10 * DAY
    assert change(api, membership, status="Paused", pause_length=3)["end_date"] == 1_806_537_600 - 1  # 2027-04-01
    clock.now = START + 20 * DAY  # still the first cycle: one cycle paused
    resumed = change(api, membership, status="Active")
    assert resumed["end_date"] == 1_801_440_000 - 1  # 2027-02-01


def test_a_plan_that_does_not_extend_keeps_the_end_date(practice, api, clock):
    plan = new_plan(practice, extends_end_date=False)
    membership = enrol(practice, plan)
    clock.now = START + 10 * DAY
    assert change(api, membership, status="Paused", pause_length=2)["end_date"] == membership["end_date"]


def test_pause_requests_outside_the_rules_are_refused_and_change_nothing(practice, api, clock):
    plan = new_plan(practice, pause_limit_qty=3)
    membership = enrol(practice, plan)
    clock.now = START + 10 * DAY
    path = f"{MEMBERSHIP}/{membership['id']}"
    with practice.unchanged():
        refused(api.patch(path, {"status": "Paused"}), 422, "pause_length")  # required with Paused
        refused(api.patch(path, {"status": "Active", "pause_length": 2}), 422, "pause_length")  # on Active
        refused(api.patch(path, {"status": "Paused", "pause_length": 0}), 422, "pause_length")  # nothing to unpause
        refused(api.patch(path, {"status": "Paused", "pause_length": 4}), 422, "pause_length")  # over the limit
        refused(api.patch(path, {"status": "Paused", "pause_length": -1}), 422, "pause_length")
        refused(api.patch(path, {"status": "Sleeping"}), 422, "status")  # an unknown status
        refused(api.patch(path, {"reference": "no status"}), 422, "status")  # status* on every update (L15311)
    change(api, membership, status="Paused", pause_length=2)
    clock.now = START + 80 * DAY
    change(api, membership, status="Active")
    with practice.unchanged():  # two of the three cycles are used
        refused(api.patch(path, {"status": "Paused", "pause_length": 2}), 422, "pause_length")


# cancelling ---------------------------------------------------------------------------------------------------


def test_a_custom_cancellation_bills_its_fee_and_is_final(practice, api, clock):
    """The document's sample: PATCH with the id in the body, status cancelled, custom, 123.45 (L15258)."""
    plan = new_plan(practice)
    new_benefit(practice, plan)
    membership = enrol(practice, plan)
    clock.now = START + 40 * DAY
    response = api.patch(MEMBERSHIP, {"id": membership["id"], "status": "cancelled", "cancellation_option": "custom",
                                      "cancellation_fee": 123.45, "reference": "RefNo:124585"})
    cancelled = item(response, "wellnessplanmembership")
    assert (cancelled["status"], cancelled["renew_when_expired"], cancelled["next_wellness_plan"],
            cancelled["reference"]) == ("Cancelled", False, None, "RefNo:124585")
    assert shape(status_periods(api, membership))[-1] == ("cancelled", 2, None, clock.now, None)
    (bill,) = adjustments(api, membership)
    assert (bill["type"], bill["total_change"], bill["triggering_type"], int(bill["triggering_id"]),
            bill["associated_type"]) == ("surcharge", "123.4500", "WellnessPlanMembership", membership["id"],
                                         "InvoiceLine")
    # the fee is invoiced: a new invoice of the animal's owner, one line of the cancellation product
    line = item(api.get(f"/v2/invoiceline/{bill['associated_id']}"), "invoiceline")
    assert (line["product_id"], line["quantity"], line["price"], line["total"], line["status"]) == (
        plan["cancellation_product"], 1, 123.45, 123.45, "pending")
    invoice = item(api.get(f"/v2/invoice/{line['invoice_id']}"), "invoice")
    animal = item(api.get(f"/v1/animal/{membership['animal_id']}"), "animal")
    assert (invoice["contact_id"], invoice["animal_id"], invoice["total"], invoice["date_approved"]) == (
        int(animal["contact_id"]), membership["animal_id"], 123.45, 0)
    (credit,) = credits(api, membership)
    assert credit["wasted"] == "3.0000"  # what was left of it
    path = f"{MEMBERSHIP}/{membership['id']}"
    with practice.unchanged():
        refused(api.patch(path, {"status": "Active"}), 422, "status")
        refused(api.patch(path, {"status": "Paused", "pause_length": 1}), 422, "status")
        refused(api.patch(path, {"status": "Cancelled", "cancellation_option": "remaining"}), 422,
                "cancellation_option")


def test_a_cancellation_needs_its_option_and_a_custom_one_its_fee(practice, api, clock):
    membership = enrol(practice, new_plan(practice))
    path = f"{MEMBERSHIP}/{membership['id']}"
    with practice.unchanged():
        refused(api.patch(path, {"status": "Cancelled"}), 422, "cancellation_option")
        refused(api.patch(path, {"status": "Cancelled", "cancellation_option": "everything"}), 422,
                "cancellation_option")
        refused(api.patch(path, {"status": "Cancelled", "cancellation_option": "custom"}), 422, "cancellation_fee")
        refused(api.patch(path, {"status": "Cancelled", "cancellation_option": "remaining",
                                 "cancellation_fee": 10}), 422, "cancellation_fee")
        refused(api.patch(path, {"status": "Active", "cancellation_option": "custom"}), 422, "cancellation_option")
        refused(api.patch(path, {"status": "Cancelled", "cancellation_option": "custom", "cancellation_fee": -1}),
                422, "cancellation_fee")


def test_a_remaining_cancellation_bills_the_cycles_of_the_term_not_billed_yet(practice, api, clock):
    """Billed every 3 cycles in advance: cancelled in cycle 2, cycles 1-3 are billed, 9 remain at the fixed price."""
    plan = new_plan(practice, fixed_subscription_price="25.50")
    membership = enrol(practice, plan, billing_interval=3)
    clock.now = START + 40 * DAY
    change(api, membership, status="Cancelled", cancellation_option="remaining")
    (bill,) = adjustments(api, membership)
    assert bill["total_change"] == "229.5000"  # 9 x 25.50


def test_a_remaining_cancellation_bills_what_the_bills_raised_did_not_at_the_fee_product_price(
        practice, api, engine, clock):
    """What the bills raised (joining, then each bill after) and what a remaining cancellation bills always make
    the whole term: cancelled in cycle 7, a membership billed every 6 cycles owes nothing once its second bill is
    raised; one billed every cycle owes the 5 cycles after the 7th, or 11 if no bill was raised after joining."""
    plan = new_plan(practice)
    rate = items(api.get("/v2/taxrate?code=S"), "taxrate")[0]["id"]
    item(api.post("/v2/productpricing", {"product_id": plan["subscription_fee_product"], "based_on": "Price",
                                         "ownership_id": api.first_id("separation"), "tax_rate": rate,
                                         "cost_price": 10, "sell_price": 30}), "productpricing")
    by_six, by_one = (enrol(practice, plan, billing_interval=n) for n in (6, 1))
    clock.now = START + 200 * DAY  # cycle 7
    renew(engine, api, clock.now)
    unbilled = enrol(practice, plan, billing_interval=1)  # joined now, started in cycle 1: billed cycle 1 only
    for membership, remaining in ((by_six, "0.0000"), (by_one, "150.0000"), (unbilled, "330.0000")):
        change(api, membership, status="Cancelled", cancellation_option="remaining")
        (bill,) = adjustments(api, membership)
        assert bill["total_change"] == remaining
        subscription = [line for lines in bills_of(api, membership) for line in lines if line[0] == plan[
            "subscription_fee_product"]]
        assert all(price == 30 for _, _, price, _ in subscription)
        assert sum(quantity for _, quantity, _, _ in subscription) + Decimal(remaining) / 30 == 12


def test_a_savings_only_cancellation_bills_what_the_credits_saved(practice, api, clock):
    """Consuming adjustments (the sample: -1 of a quantity credit, total_change -34.80, L9822) use the credit and
    are what the membership saved; a credit cannot give more than it has left."""
    plan = new_plan(practice)
    new_benefit(practice, plan)
    membership = enrol(practice, plan)
    (credit,) = credits(api, membership)
    for _ in range(2):
        practice.record("priceadjustment", type="Credit", adjustment_method="quantity", adjustment_amount=-1,
                        triggering_type="BillingCredit", triggering_id=int(credit["id"]), consuming=True,
                        description="Free consult", total_change="-34.80", total_change_tax="-5.22")
    (used,) = credits(api, membership)
    assert used["used"] == "2.0000"
    from openvet.engine.problems import ValidationFailed
    with practice.unchanged(), pytest.raises(ValidationFailed):
        practice.record("priceadjustment", type="Credit", adjustment_amount=-2, triggering_type="BillingCredit",
                        triggering_id=int(credit["id"]), consuming=True, total_change="-69.60")
    clock.now = START + 10 * DAY
    change(api, membership, status="Cancelled", cancellation_option="savings_only")
    bill = next(a for a in adjustments(api, membership) if a["triggering_type"] == "WellnessPlanMembership")
    assert bill["total_change"] == "69.6000"
    assert credits(api, membership)[0]["wasted"] == "1.0000"


# invoices: the cancellation fee and the benefits lines take -----------------------------------------------------


def priced(practice, name: str, sell_price: str) -> int:
    """A product sold at ``sell_price`` (without tax) at the standard rate (10 %)."""
    (rate,) = items(practice.api.get("/v2/taxrate?code=S"), "taxrate")
    product = practice.product(name, "Standard")
    practice.record("productpricing", product_id=product, ownership_id=practice.api.first_id("separation"),
                    based_on="Price", cost_price="1", sell_price=sell_price, tax_rate=rate["id"])
    return product


def covering(practice, benefit: dict, product: int, **fields) -> int:
    """A benefit item: the benefit covers the product (or, with associated_type Tag Name, a tag)."""
    return practice.record("wellnessplanbenefititem", **{
        "wellness_plan_benefit": benefit["id"], "associated_type": "Product", "associated_id": product,
        "earn_method": "Default", "earn_amount": 0, "consumption_rate": 1, **fields})


def invoice_line(practice, animal: int, product: int, quantity, for_animal: bool = True) -> dict:
    """A new invoice of the animal's owner (for the animal, unless not ``for_animal``) with one line of the product
    (through HTTP, v2)."""
    api = practice.api
    owner = int(item(api.get(f"/v1/animal/{animal}"), "animal")["contact_id"])
    sales = practice.record("user", name="Till", is_salesperson=True)
    ownership = api.first_id("separation")
    invoice = item(api.post("/v2/invoice", {"contact_id": owner, "animal_id": animal if for_animal else None,
                                            "ownership_id": ownership,
                                            "line_item": [{"product_id": product, "quantity": quantity,
                                                           "sales_person": sales, "ownership_id": ownership,
                                                           "location_id": ownership}]}), "invoice")
    return invoice["line_item"][0]


def consuming(api, membership: dict) -> list[dict]:
    return [a for a in adjustments(api, membership) if a["consuming"] == "1" and a["active"] == "1"]


def test_a_cancellation_fee_is_taxed_as_its_product_and_nothing_billed_raises_no_invoice(practice, api, clock):
    plan = new_plan(practice, cancellation_product=priced(practice, "Cancellation fee", "50"))
    membership = enrol(practice, plan)
    change(api, membership, status="Cancelled", cancellation_option="custom", cancellation_fee=100)
    (bill,) = adjustments(api, membership)
    assert (bill["total_change"], bill["total_change_tax"], bill["associated_type"]) == (
        "100.0000", "10.0000", "InvoiceLine")
    line = item(api.get(f"/v2/invoiceline/{bill['associated_id']}"), "invoiceline")
    assert (line["price"], line["price_tax"], line["total"], line["total_tax"]) == (100, 10, 100, 10)
    assert item(api.get(f"/v2/invoice/{line['invoice_id']}"), "invoice")["total"] == 110
    free = enrol(practice, plan)  # nothing saved: nothing to invoice, the adjustment names the product
    owner = int(item(api.get(f"/v1/animal/{free['animal_id']}"), "animal")["contact_id"])
    change(api, free, status="Cancelled", cancellation_option="savings_only")
    (nothing,) = adjustments(api, free)
    assert (nothing["total_change"], nothing["associated_type"], int(nothing["associated_id"])) == (
        "0.0000", "Product", plan["cancellation_product"])
    assert items(api.get("/v2/invoice", params={"contact_id": owner}), "invoice") == []


def test_a_fee_the_owner_cannot_be_invoiced_refuses_the_cancellation(practice, api, clock):
    plan = new_plan(practice)
    stopped = practice.owner(stop_credit="STOP")
    membership = enrol(practice, plan, animal_id=practice.animal(stopped))
    path = f"{MEMBERSHIP}/{membership['id']}"
    with practice.unchanged():
        refused(api.patch(path, {"status": "Cancelled", "cancellation_option": "custom", "cancellation_fee": 5}),
                422, "cancellation_option")
    cancelled = change(api, membership, status="Cancelled", cancellation_option="custom", cancellation_fee=0)
    assert cancelled["status"] == "Cancelled"  # a fee of nothing is not invoiced


def test_a_covered_line_takes_the_benefit_and_its_credit_is_used_and_given_back(practice, api, clock):
    """A free consult (100 %, 3 uses): the sample's figures at 10 % tax: -34.80, tax -3.48, earned 6.96 at the plan's
    portion 0.2 (L9822). The third use covers two of three units; the credit is then empty; removing a line
    gives its use back; a line that took a benefit cannot change its quantity."""
    plan = new_plan(practice)
    benefit = new_benefit(practice, plan)
    consult = priced(practice, "Consultation", "34.80")
    covering(practice, benefit, consult)
    membership = enrol(practice, plan)
    animal = membership["animal_id"]
    clock.now = START + 10 * DAY
    first = invoice_line(practice, animal, consult, 1)
    assert (first["price"], first["price_tax"], first["total"], first["total_tax"]) == (0, 0, 0, 0)
    (used,) = consuming(api, membership)
    assert (used["type"], used["adjustment_method"], used["adjustment_amount"], used["total_change"],
            used["total_change_tax"], used["total_earned"], used["total_earned_tax"], used["associated_type"],
            int(used["associated_id"]), used["triggering_type"]) == (
        "credit", "quantity", "-1.0000", "-34.8000", "-3.4800", "6.9600", "0.7000", "InvoiceLine", first["id"],
        "BillingCredit")
    second = invoice_line(practice, animal, consult, 3)  # two uses left: two of the three units are free
    assert (second["price"], second["total"]) == (11.6, 34.8)
    assert credits(api, membership)[0]["used"] == "3.0000"
    third = invoice_line(practice, animal, consult, 1)  # nothing left: full price, no adjustment
    assert (third["price"], third["total"]) == (34.8, 34.8) and len(consuming(api, membership)) == 2
    other = invoice_line(practice, practice.animal(), consult, 1)  # another animal: no benefit
    assert other["total"] == 34.8
    with practice.unchanged():
        refused(api.patch("/v2/invoiceline", {"id": second["id"], "quantity": 4}), 422, "quantity")
    item(api.request("DELETE", "/v2/invoiceline", json={"id": second["id"]}), "invoiceline")
    assert credits(api, membership)[0]["used"] == "1.0000"  # the two uses are back
    assert len(consuming(api, membership)) == 1
    again = invoice_line(practice, animal, consult, 1)
    assert again["total"] == 0
    item(api.delete(f"/v2/invoice/{again['invoice_id']}"), "invoice")  # a deleted invoice sells nothing
    assert credits(api, membership)[0]["used"] == "1.0000"
    again = invoice_line(practice, animal, consult, 1)
    assert again["total"] == 0
    clock.now = START + 20 * DAY
    change(api, membership, status="Cancelled", cancellation_option="savings_only")
    bill = next(a for a in adjustments(api, membership) if a["triggering_type"] == "WellnessPlanMembership")
    assert bill["total_change"] == "69.6000"  # two free consults saved


def test_a_value_benefit_per_line_never_gives_more_than_its_credit_has(practice, api, clock):
    plan = new_plan(practice)
    benefit = new_benefit(practice, plan, name="Dental allowance", benefit_config={
        "type": "value", "type_value": 40, "allocation": "line", "renewable": True, "refresh_cycle_quantity": 12})
    dental = priced(practice, "Dental scale", "30")
    covering(practice, benefit, dental)
    membership = enrol(practice, plan)
    first = invoice_line(practice, membership["animal_id"], dental, 2)  # 60: 40 off the line
    assert (first["price"], first["total"]) == (10, 20)
    (used,) = consuming(api, membership)
    assert (used["adjustment_method"], used["adjustment_amount"], used["total_change"]) == (
        "value", "-40.0000", "-40.0000")
    (credit,) = credits(api, membership)
    assert (credit["type"], credit["amount"], credit["used"]) == ("value", "40.0000", "40.0000")
    assert invoice_line(practice, membership["animal_id"], dental, 1)["total"] == 30  # nothing left


def test_a_tag_name_item_covers_the_products_carrying_that_tag_and_a_paused_membership_gives_nothing(
        practice, api, clock):
    plan = new_plan(practice)
    benefit = new_benefit(practice, plan, benefit_config={"type": "percentage", "type_value": 50, "usages": 5})
    category = practice.record("tagcategory", name="Products")
    vaccines = practice.record("tagname", name="Vaccines", category_id=category)
    covering(practice, benefit, vaccines, associated_type="Tag Name")
    vaccine, food = priced(practice, "Nobivac", "20"), priced(practice, "Kibble", "20")
    practice.record("tag", name="Vaccines", associated_type="Product", associated_id=vaccine, category_id=category)
    membership = enrol(practice, plan)
    animal = membership["animal_id"]
    assert invoice_line(practice, animal, vaccine, 1)["total"] == 10
    assert invoice_line(practice, animal, food, 1)["total"] == 20
    assert invoice_line(practice, animal, vaccine, -1)["total"] == -20  # a credit line takes no benefit
    assert invoice_line(practice, animal, vaccine, 1, for_animal=False)["total"] == 20  # nor an owner's invoice
    clock.now = START + 10 * DAY
    change(api, membership, status="Paused", pause_length=1)
    assert invoice_line(practice, animal, vaccine, 1)["total"] == 20
    assert credits(api, membership)[0]["used"] == "1.0000"


# time passing: renewals and refreshed credits ------------------------------------------------------------------


def renew(engine, api, now: int) -> dict[str, int]:
    from openvet.services.wellness import renew_due

    return renew_due(engine, now, [api.id])


def memberships_of(api, animal: int) -> list[dict]:
    return sorted(items(api.get(MEMBERSHIP, params={"animal_id": animal}), "wellnessplanmembership"),
                  key=lambda m: m["id"])


NOTHING = {"memberships_billed": 0, "credits_refreshed": 0, "credits_expired": 0, "memberships_ended": 0,
           "memberships_renewed": 0}


def test_a_term_that_ends_renews_into_the_next_plan_once(practice, api, engine, clock):
    plan, senior = new_plan(practice), new_plan(practice, name="Senior Plan")
    new_benefit(practice, plan)
    senior_benefit = new_benefit(practice, senior, name="Senior checks")
    first = enrol(practice, plan, next_wellness_plan=senior["id"], billing_interval=4, reference="R-1")
    end = first["end_date"]
    # the last second of the term: not ended yet, but its bills of cycles 5-8 and 9-12 are due (free: no invoice)
    assert renew(engine, api, end) == {**NOTHING, "memberships_billed": 1}
    assert renew(engine, api, end + 1) == {"memberships_billed": 0, "credits_refreshed": 0, "credits_expired": 1,
                                           "memberships_ended": 1, "memberships_renewed": 1}
    assert renew(engine, api, end + 1) == NOTHING  # idempotent
    old, renewal = memberships_of(api, first["animal_id"])
    assert shape(status_periods(api, old)) == [("active", 1, 12, START, end)]  # closed at the end of the term
    assert (renewal["wellness_plan"], renewal["previous_wellness_plan_membership"], renewal["start_date"],
            renewal["status"], renewal["billing_interval"], renewal["renew_when_expired"], renewal["reference"],
            renewal["resource_id"]) == (senior["id"], old["id"], end + 1, "Active", 4, True, "R-1",
                                        old["resource_id"])
    assert shape(status_periods(api, renewal)) == [("active", 1, None, end + 1, None)]
    (expired,) = credits(api, old)
    assert (expired["wasted"], expired["expires_in_qty"]) == ("3.0000", "0")
    (earned,) = credits(api, renewal)
    assert int(earned["wellness_plan_benefit_id"]) == senior_benefit["id"]
    clock.now = end + 10
    with practice.unchanged():  # an ended membership's status no longer changes
        refused(api.patch(f"{MEMBERSHIP}/{old['id']}", {"status": "Paused", "pause_length": 1}), 422, "status")


def test_a_term_ends_when_its_open_period_was_loaded_without_a_start(practice, api, engine):
    """A status period's start_date is optional (``openvet load``): the term still ends, the period closed at the
    end of the term (a run over every clinic of a shared database once failed here and renewed nothing)."""
    import sqlalchemy as sa

    first = enrol(practice, new_plan(practice))
    periods = engine.tables["wellnessplanmembershipstatusperiod"]
    with engine.db.begin() as conn:
        conn.execute(sa.update(periods).where(periods.c.wellness_plan_membership == first["id"],
                                              periods.c.end_date.is_(None)).values(start_date=None))
    assert renew(engine, api, first["end_date"] + 1)["memberships_ended"] == 1
    (period,) = items(api.get("/v1/wellnessplanmembershipstatusperiod", params={
        "wellness_plan_membership": first["id"], "active": 1}), "wellnessplanmembershipstatusperiod")
    assert shape([period])[0][3:] == (None, first["end_date"])  # no start, closed at the end of the term


def test_a_term_ends_without_renewal_when_not_asked_or_cancelled_and_a_discontinued_plan_is_replaced(
        practice, api, engine, clock):
    plan, newer = new_plan(practice), new_plan(practice, name="Puppy Plan 2027")
    staying = enrol(practice, plan, renew_when_expired=0)
    cancelled = enrol(practice, plan)
    change(api, cancelled, status="Cancelled", cancellation_option="custom", cancellation_fee=0)
    replaced = enrol(practice, plan)
    item(api.patch(f"/v2/wellnessplan/{plan['id']}", {"discontinued": True, "replacement_wellness_plan":
                                                      newer["id"]}), "wellnessplan")
    done = renew(engine, api, staying["end_date"] + 1)
    assert (done["memberships_ended"], done["memberships_renewed"]) == (2, 1)
    assert len(memberships_of(api, staying["animal_id"])) == 1
    assert len(memberships_of(api, cancelled["animal_id"])) == 1
    old, renewal = memberships_of(api, replaced["animal_id"])
    assert (old["next_wellness_plan"], renewal["wellness_plan"], renewal["previous_wellness_plan_membership"]) == (
        newer["id"], newer["id"], old["id"])


def test_a_renewal_into_the_same_plan_keeps_the_options_chosen_to_auto_renew(practice, api, engine, clock):
    plan = new_plan(practice)
    dental, grooming = (new_benefit(practice, plan, name=name, optional=True) for name in ("Dental", "Grooming"))
    membership = enrol(practice, plan)  # next_wellness_plan: its own plan
    for benefit, again in ((dental, True), (grooming, False)):
        practice.record("wellnessplanmembershipoption", wellness_plan_membership=membership["id"],
                        wellness_plan_benefit=benefit["id"], auto_renew=again)
    renew(engine, api, membership["end_date"] + 1)
    _, renewal = memberships_of(api, membership["animal_id"])
    (option,) = items(api.get("/v1/wellnessplanmembershipoption", params={
        "wellness_plan_membership": renewal["id"]}), "wellnessplanmembershipoption")
    assert (int(option["wellness_plan_benefit"]), option["start_cycle"], option["auto_renew"]) == (
        dental["id"], "1", "1")
    (credit,) = credits(api, renewal)
    assert (int(credit["wellness_plan_benefit_id"]), int(credit["start_date"])) == (dental["id"],
                                                                                    renewal["start_date"])


def test_credits_refresh_every_refresh_cycle_quantity_cycles_within_the_term(practice, api, engine, clock):
    plan = new_plan(practice)
    new_benefit(practice, plan, benefit_config={"type": "percentage", "type_value": 100, "usages": 2,
                                                "refresh_cycle_quantity": 3})
    new_benefit(practice, plan, name="Once", benefit_config={"type": "percentage", "type_value": 10, "usages": 1,
                                                             "refresh_cycle_quantity": 3, "renewable": False})
    membership = enrol(practice, plan, renew_when_expired=0)
    refreshing = next(c for c in credits(api, membership) if c["amount"] == "2.0000")
    assert int(refreshing["end_date"]) == 1_775_001_600 - 1  # cycles 1-3: to 2026-04-01
    practice.record("priceadjustment", type="Credit", adjustment_method="quantity", adjustment_amount=-1,
                    triggering_type="BillingCredit", triggering_id=int(refreshing["id"]), consuming=True,
                    total_change="-10")
    april = START + 100 * DAY
    assert renew(engine, api, april) == {"memberships_billed": 1, "credits_refreshed": 1, "credits_expired": 2,
                                         "memberships_ended": 0, "memberships_renewed": 0}
    assert renew(engine, api, april) == NOTHING
    by_cycle = {(c["amount"], c["wellness_plan_membership_cycle_id"]): c for c in credits(api, membership)}
    assert (by_cycle["2.0000", "1"]["wasted"], by_cycle["2.0000", "1"]["used"]) == ("1.0000", "1.0000")
    fresh = by_cycle["2.0000", "4"]
    assert (int(fresh["start_date"]), int(fresh["end_date"]), fresh["used"]) == (
        1_775_001_600, 1_782_864_000 - 1, "0.0000")  # cycles 4-6: 2026-04-01 to 2026-07-01
    later = membership["end_date"] + 1  # a worker stopped for months catches up: cycles 7 and 10, then the end
    done = renew(engine, api, later)
    assert (done["credits_refreshed"], done["memberships_ended"], done["memberships_renewed"]) == (2, 1, 0)
    assert sorted(int(c["wellness_plan_membership_cycle_id"]) for c in credits(api, membership)
                  if c["amount"] == "2.0000") == [1, 4, 7, 10]


@pytest.mark.both_databases
def test_two_runs_at_once_renew_a_membership_once(practice, api, engine, clock):
    """Two workers (threads) run the renewal at the same moment: the rows are taken under lock (PostgreSQL row
    locks, SQLite's write lock), so the membership ends and renews once, and its credit expires once."""
    from concurrent.futures import ThreadPoolExecutor

    from openvet.services.wellness import renew_due

    plan = new_plan(practice)
    new_benefit(practice, plan)
    membership = enrol(practice, plan)
    now = membership["end_date"] + 1
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: renew_due(engine, now, [api.id]), range(2)))
    assert sum(r["memberships_renewed"] for r in runs) == sum(r["memberships_ended"] for r in runs) == 1
    assert sum(r["credits_expired"] for r in runs) == 1
    assert len(memberships_of(api, membership["animal_id"])) == 2


def test_the_worker_rounds_and_the_cli_renew_what_is_due(practice, api, engine, monkeypatch):
    """``schedule.tick`` (called by every dispatcher round) renews at most every OPENVET_WELLNESS_RENEW_SECONDS; a
    weekly plan of two weeks that started five weeks ago is renewed term after term up to now."""
    import time

    from typer.testing import CliRunner

    from openvet.cli import app as cli
    from openvet.events import schedule
    from openvet.store import accounts

    monkeypatch.setattr(schedule, "_last_run", {})
    weekly = new_plan(practice, subscription_cycle_unit="week", term_qty=2, min_cycle_qty_on_signup=1)
    now = int(time.time())
    first = enrol(practice, weekly, start_date=now - 35 * DAY)
    assert schedule.tick(engine, every=0) is False  # off
    assert schedule.tick(engine, every=600) is True
    assert schedule.tick(engine, every=600) is False  # not again within the interval
    chain = memberships_of(api, first["animal_id"])
    assert len(chain) == 3 and chain[-1]["start_date"] <= now <= chain[-1]["end_date"]
    assert [m["previous_wellness_plan_membership"] for m in chain] == [None, chain[0]["id"], chain[1]["id"]]
    with engine.db.connect() as conn:
        slug = accounts.clinic_by_id(conn, api.id).slug
    env = {"OPENVET_DATABASE_URL": engine.db.url.render_as_string(hide_password=False)}
    result = CliRunner().invoke(cli, ["wellness", "renew", "--clinic", slug, "--at", str(chain[-1]["end_date"] + 1)],
                                env=env)
    assert result.exit_code == 0, result.output
    assert "memberships_renewed=1" in result.output
    assert len(memberships_of(api, first["animal_id"])) == 4


# what a membership bills: joining, each bill after, renewal, options ----------------------------------------


def test_joining_bills_the_enrolment_fee_and_the_subscription_paid_in_advance_on_one_invoice(practice, api, clock):
    """3 cycles to pay on signup, billed every 2: two whole bills, 4 cycles, at the fixed price; the enrolment fee
    at its product's price (taxed as its product, 10 %), on the same new invoice of the animal's owner."""
    enrolment = priced(practice, "Enrolment fee", "50")
    plan = new_plan(practice, fixed_subscription_price="20", min_cycle_qty_on_signup=3,
                    enrollment_fee_product=enrolment)
    membership = enrol(practice, plan, billing_interval=2)
    assert (membership["billed_cycles"], membership["next_bill_date"]) == (4, month(5))
    fee = plan["subscription_fee_product"]
    assert bills_of(api, membership) == [[
        (enrolment, 1, 50, "Puppy Plan enrolment fee (Enrolment fee)"),
        (fee, 4, 20, "Puppy Plan subscription, cycles 1-4")]]
    (invoice,) = items(api.get("/v2/invoice", params={"contact_id": owner_of(api, membership)}), "invoice")
    assert (invoice["animal_id"], invoice["total"], invoice["date_approved"]) == (membership["animal_id"], 135, 0)
    free = enrol(practice, new_plan(practice, name="Free Plan"), billing_interval=3)  # nothing to pay: no invoice
    assert (free["billed_cycles"], free["next_bill_date"], bills_of(api, free)) == (3, month(4), [])


def test_each_bill_after_is_raised_in_advance_as_time_passes_once(practice, api, engine, clock):
    """Billed every 3 cycles: the bill of cycles 4-6 is raised when cycle 4 begins, not a second before, once
    however often the run comes; a run after a long gap raises every bill due, one invoice each; the term's
    bills done, nothing more, and an ended or cancelled membership is billed no more."""
    plan = new_plan(practice, fixed_subscription_price="10")
    membership = enrol(practice, plan, billing_interval=3, renew_when_expired=0)
    fee = plan["subscription_fee_product"]
    assert renew(engine, api, month(4) - 1) == NOTHING
    assert renew(engine, api, month(4))["memberships_billed"] == 1
    with practice.unchanged():
        assert renew(engine, api, month(4)) == NOTHING
        assert renew(engine, api, month(6)) == NOTHING  # cycles 4-6 are paid
    assert read(api, membership)["next_bill_date"] == month(7)
    assert renew(engine, api, month(12) + DAY)["memberships_billed"] == 1  # catching up: 7-9 and 10-12
    assert [lines[0][1:] for lines in bills_of(api, membership)] == [
        (3, 10, "Puppy Plan subscription, cycles 1-3"), (3, 10, "Puppy Plan subscription, cycles 4-6"),
        (3, 10, "Puppy Plan subscription, cycles 7-9"), (3, 10, "Puppy Plan subscription, cycles 10-12")]
    assert all(lines[0][0] == fee and len(lines) == 1 for lines in bills_of(api, membership))
    billed = read(api, membership)
    assert (billed["billed_cycles"], billed["next_bill_date"]) == (12, None)
    patched = enrol(practice, plan, billing_interval=1, renew_when_expired=0)
    clock.now = month(3)
    assert change(api, patched, status="Active", reference="R-2")["billed_cycles"] == 3  # a client's write too
    assert [lines[0][3] for lines in bills_of(api, patched)] == [
        "Puppy Plan subscription, cycle 1", "Puppy Plan subscription, cycle 2", "Puppy Plan subscription, cycle 3"]
    cancelled = enrol(practice, plan, billing_interval=1)
    change(api, cancelled, status="Cancelled", cancellation_option="custom", cancellation_fee=0)
    assert read(api, cancelled)["next_bill_date"] is None
    renew(engine, api, month(12, 2027))
    assert len(bills_of(api, membership)) == 4 and len(bills_of(api, cancelled)) == 1


def test_a_paused_membership_is_not_billed_for_its_paused_cycles(practice, api, engine, clock):
    """Paused in cycle 2 and unpaused in cycle 4, it was paused for cycles 2-4 (the cycles touched): when the plan
    extends_end_date, its term moves on by 3 cycles and its 12 cycles are billed, cycle 3 when calendar cycle 6
    begins; when it does not, the 3 cycles are lost to the term and only 9 are billed."""
    for extends, billed in ((True, 12), (False, 9)):
        plan = new_plan(practice, name=f"Plan {extends}", fixed_subscription_price="10", extends_end_date=extends)
        clock.now = START
        membership = enrol(practice, plan)
        clock.now = month(2) + DAY
        renew(engine, api, clock.now)
        change(api, membership, status="Paused", pause_length=2)
        assert read(api, membership)["next_bill_date"] is None
        with practice.unchanged():
            assert renew(engine, api, month(3) + DAY) == NOTHING  # paused: nothing billed
        clock.now = month(4) + DAY
        unpaused = change(api, membership, status="Active")
        assert (unpaused["billed_cycles"], unpaused["next_bill_date"]) == (2, month(6))
        renew(engine, api, month(6))
        assert bills_of(api, membership)[-1][0][1:] == (1, 10, "Puppy Plan subscription, cycle 3".replace(
            "Puppy Plan", f"Plan {extends}"))
        renew(engine, api, read(api, membership)["end_date"])
        done = read(api, membership)
        assert (done["billed_cycles"], done["next_bill_date"]) == (billed, None)
        assert sum(lines[0][1] for lines in bills_of(api, membership)) == billed


def test_a_renewal_bills_its_renewal_fee_and_the_new_term_in_advance_but_no_enrolment_fee(
        practice, api, engine, clock):
    enrolment, renewal_fee = priced(practice, "Enrolment fee", "50"), priced(practice, "Renewal fee", "15")
    plan = new_plan(practice, fixed_subscription_price="10", min_cycle_qty_on_signup=3,
                    enrollment_fee_product=enrolment, renewal_fee_product=renewal_fee)
    first = enrol(practice, plan, billing_interval=3)
    assert renew(engine, api, first["end_date"] + 1) == {"memberships_billed": 1, "credits_refreshed": 0,
                                                         "credits_expired": 0, "memberships_ended": 1,
                                                         "memberships_renewed": 1}
    _, renewal = memberships_of(api, first["animal_id"])
    fee = plan["subscription_fee_product"]
    bills = bills_of(api, first)
    assert bills[0] == [(enrolment, 1, 50, "Puppy Plan enrolment fee (Enrolment fee)"),
                        (fee, 3, 10, "Puppy Plan subscription, cycles 1-3")]
    assert [lines[0][3] for lines in bills[1:4]] == [
        f"Puppy Plan subscription, cycles {n}-{n + 2}" for n in (4, 7, 10)]
    assert bills[4] == [(renewal_fee, 1, 15, "Puppy Plan renewal fee (Renewal fee)"),
                        (fee, 3, 10, "Puppy Plan subscription, cycles 1-3")]
    assert len(bills) == 5 and (renewal["billed_cycles"], renewal["next_bill_date"]) == (
        3, month(4, 2027))


def test_a_fee_that_cannot_be_invoiced_refuses_joining_and_a_bill_waits_for_the_next_run(
        practice, api, engine, clock, caplog):
    """Joining: an owner on STOP is a 422 naming animal_id, a clinic without a salesperson one naming resource_id;
    nothing is written. A bill due later: not raised, logged, the run goes on with the other memberships; raised
    by the first run after the owner may be invoiced again."""
    plan = new_plan(practice, fixed_subscription_price="10")
    import sqlalchemy as sa

    users = engine.tables["user"]
    with engine.db.begin() as conn:  # the clinic's seeded salespeople no longer sell
        conn.execute(sa.update(users).where(users.c.clinic_id == api.id).values(is_salesperson=False))
    nobody = practice.record("resource", name="Front desk", type="user",
                             associated_id=practice.record("user", name="Reception", is_salesperson=False))
    body = enrol_body(practice, plan, resource_id=nobody)
    with practice.unchanged():
        refused(api.post(MEMBERSHIP, body), 422, "resource_id")
    body = enrol_body(practice, plan, animal_id=practice.animal(practice.owner(stop_credit="STOP")))
    with practice.unchanged():
        refused(api.post(MEMBERSHIP, body), 422, "animal_id")
    late, prompt = enrol(practice, plan), enrol(practice, plan)
    owner = owner_of(api, late)
    item(api.patch(f"/v1/contact/{owner}", {"stop_credit": "STOP"}), "contact")
    with caplog.at_level("WARNING", logger="openvet.wellness"):
        assert renew(engine, api, month(2))["memberships_billed"] == 1  # the other one
    assert f"WellnessPlanMembership {late['id']}: its bill of cycles 2-2 is not raised" in caplog.text
    assert (read(api, late)["billed_cycles"], read(api, prompt)["billed_cycles"]) == (1, 2)
    with practice.unchanged():
        assert renew(engine, api, month(2)) == NOTHING
    item(api.patch(f"/v1/contact/{owner}", {"stop_credit": "OK"}), "contact")
    assert renew(engine, api, month(2) + 60)["memberships_billed"] == 1
    assert [lines[0][3] for lines in bills_of(api, late)] == ["Puppy Plan subscription, cycle 1",
                                                              "Puppy Plan subscription, cycle 2"]


def test_a_renewal_whose_bill_cannot_be_invoiced_does_not_happen_and_says_why(practice, api, engine, clock, caplog):
    plan = new_plan(practice, fixed_subscription_price="10", min_cycle_qty_on_signup=12)
    membership = enrol(practice, plan, billing_interval=12)  # the whole term paid on joining
    item(api.patch(f"/v1/contact/{owner_of(api, membership)}", {"stop_credit": "STOP"}), "contact")
    with caplog.at_level("WARNING", logger="openvet.wellness"):
        done = renew(engine, api, membership["end_date"] + 1)
    assert (done["memberships_ended"], done["memberships_renewed"]) == (1, 0)
    assert len(memberships_of(api, membership["animal_id"])) == 1
    assert f"WellnessPlanMembership {membership['id']} ended without renewal" in caplog.text
    assert "stop_credit is STOP" in caplog.text


def test_a_membership_made_before_openvet_billed_is_never_billed_and_its_remaining_is_as_before(
        practice, api, engine, clock):
    """Migration 0014 leaves billed_cycles null on the memberships already there: no run, PATCH or unpause bills
    them; a remaining cancellation counts the cycles billed in advance up to the current bill (cancelled in cycle 2,
    billed every 3: 9 cycles remain)."""
    import sqlalchemy as sa

    plan = new_plan(practice, fixed_subscription_price="10")
    membership = enrol(practice, plan, billing_interval=3)
    table = engine.tables["wellnessplanmembership"]
    with engine.db.begin() as conn:
        conn.execute(sa.update(table).where(table.c.id == membership["id"]).values(billed_cycles=None,
                                                                                   next_bill_date=None))
    joined = bills_of(api, membership)
    clock.now = month(5) + DAY
    with practice.unchanged():
        assert renew(engine, api, clock.now) == NOTHING
    change(api, membership, status="Paused", pause_length=1)
    change(api, membership, status="Active", reference="R-3")
    assert bills_of(api, membership) == joined
    with practice.unchanged():
        assert renew(engine, api, clock.now + 100 * DAY) == NOTHING
    clock.now = month(2) + DAY
    old = enrol(practice, plan, billing_interval=3)
    with engine.db.begin() as conn:
        conn.execute(sa.update(table).where(table.c.id == old["id"]).values(billed_cycles=None, next_bill_date=None))
    change(api, old, status="Cancelled", cancellation_option="remaining")
    (bill,) = adjustments(api, old)
    assert bill["total_change"] == "90.0000"


def test_an_option_costs_its_cycles_from_its_start_on_the_bills(practice, api, engine, clock):
    """An optional benefit's option_cost_exc_tax is a cost a cycle: chosen in cycle 2 of a membership billed
    through cycle 3, cycles 2-3 are billed at once; then each bill carries it; a remaining cancellation counts it."""
    plan = new_plan(practice, fixed_subscription_price="10")
    dental = new_benefit(practice, plan, name="Dental", optional=True, benefit_config={
        "type": "percentage", "type_value": 50, "usages": 1, "option_cost_exc_tax": 5})
    membership = enrol(practice, plan, billing_interval=3)
    clock.now = month(2)
    practice.record("wellnessplanmembershipoption", wellness_plan_membership=membership["id"],
                    wellness_plan_benefit=dental["id"])
    fee = plan["subscription_fee_product"]
    renew(engine, api, month(4))
    assert bills_of(api, membership) == [
        [(fee, 3, 10, "Puppy Plan subscription, cycles 1-3")],
        [(fee, 2, 5, "Puppy Plan option Dental, cycles 2-3")],
        [(fee, 3, 10, "Puppy Plan subscription, cycles 4-6"), (fee, 3, 5, "Puppy Plan option Dental, cycles 4-6")]]
    clock.now = month(4) + DAY
    change(api, membership, status="Cancelled", cancellation_option="remaining")
    (bill,) = adjustments(api, membership)
    assert bill["total_change"] == "90.0000"  # 6 cycles x (10 + 5)


def test_the_openapi_document_says_what_a_membership_billed_and_that_the_client_cannot_write_it(api):
    spec = api.client.get("/openapi.json").json()
    record = spec["components"]["schemas"]["wellnessplanmembership.v2.Record"]["properties"]
    create = spec["components"]["schemas"]["wellnessplanmembership.v2.Create"]["properties"]
    for name in ("billed_cycles", "next_bill_date"):
        assert record[name]["readOnly"] is True and record[name]["description"].startswith("openvet: ")
        assert name not in create
    plan = spec["components"]["schemas"]["wellnessplan.v2.Record"]["properties"]
    assert "rounded up to whole bills" in plan["min_cycle_qty_on_signup"]["description"]
    assert "not on a renewal" in plan["enrollment_fee_product"]["description"]


# the invariant ------------------------------------------------------------------------------------------------

STEPS = st.lists(st.tuples(
    st.sampled_from(["active", "pause", "unpause", "cancel", "same"]),
    st.integers(0, 3),  # pause length
    st.sampled_from([0, 0, 1, 3 * DAY, 20 * DAY, 45 * DAY])),  # time passing before the change
    min_size=1, max_size=8)


@pytest.mark.both_databases
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
@example(steps=[("pause", 2, 3 * DAY), ("unpause", 0, 0)])  # undone in the same second: the active period reopens
@example(steps=[("pause", 1, 0), ("active", 0, 45 * DAY), ("cancel", 0, 0)])
def test_status_periods_tile_the_membership_life(practice, api, clock, steps):
    """Random status changes (some refused, some in the same second): after each, the periods start at the
    membership's start, each begins the second after the one before ends, and the last is open and is the
    membership's status."""
    clock.now = START
    plan = new_plan(practice, pause_limit_qty=4)
    membership = enrol(practice, plan)
    for kind, length, later in steps:
        clock.now += later
        body = {"active": {"status": "Active"}, "pause": {"status": "Paused", "pause_length": length},
                "unpause": {"status": "Paused", "pause_length": 0}, "same": {"status": membership["status"]},
                "cancel": {"status": "Cancelled", "cancellation_option": "custom", "cancellation_fee": "9.99"},
                }[kind]
        response = api.patch(f"{MEMBERSHIP}/{membership['id']}", body)
        assert response.status_code in (200, 422), response.text
        if response.status_code == 200:
            membership = item(response, "wellnessplanmembership")
        periods = shape(status_periods(api, membership))
        assert periods[0][3] == START
        for before, after in zip(periods, periods[1:], strict=False):
            assert before[4] is not None and after[3] == before[4] + 1
            assert before[0] != after[0]  # a period is a change of status
        assert periods[-1][4] is None and periods[-1][0] == membership["status"].lower()
    refunds = [a for a in adjustments(api, membership) if a["triggering_type"] == "WellnessPlanMembership"]
    assert len(refunds) == (1 if membership["status"] == "Cancelled" else 0)
    assert all(Decimal(a["total_change"]) == Decimal("9.99") for a in refunds)


BILLING_STEPS = st.lists(st.tuples(
    st.sampled_from(["pause", "unpause", "active", "same", "run", "run"]),
    st.integers(1, 2),  # pause length
    st.sampled_from([0, 1, 3 * DAY, 20 * DAY, 45 * DAY])),  # time passing before the step
    min_size=1, max_size=6)


@pytest.mark.both_databases
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=BILLING_STEPS, interval=st.sampled_from([1, 2, 3]), extends=st.booleans())
@example(steps=[("run", 1, 45 * DAY), ("pause", 2, 0), ("run", 1, 45 * DAY), ("active", 1, 20 * DAY)], interval=2,
         extends=False)
def test_the_bills_and_a_remaining_cancellation_always_make_the_term(practice, api, engine, clock, steps, interval,
                                                                     extends):
    """Random pauses, unpauses, PATCHes and runs as time passes, then a remaining cancellation: the subscription's
    invoices bill cycles 1..billed_cycles in order, each at most billing_interval cycles, and what they bill plus
    what the cancellation bills is the term's billed cycles (term_qty, less the cycles paused if the plan does not
    extends_end_date)."""
    clock.now = START
    plan = new_plan(practice, name=f"Plan {interval} {extends}", fixed_subscription_price="10",
                    extends_end_date=extends, min_cycle_qty_on_signup=2, pause_limit_qty=4)
    membership = enrol(practice, plan, billing_interval=interval, renew_when_expired=0)
    for kind, length, later in steps:
        clock.now += later
        if kind == "run":
            renew(engine, api, clock.now)
            continue
        body = {"active": {"status": "Active"}, "pause": {"status": "Paused", "pause_length": length},
                "unpause": {"status": "Paused", "pause_length": 0},
                "same": {"status": read(api, membership)["status"], "reference": f"at {clock.now}"}}[kind]
        response = api.patch(f"{MEMBERSHIP}/{membership['id']}", body)
        assert response.status_code in (200, 422), response.text
    clock.now += 1
    change(api, membership, status="Cancelled", cancellation_option="remaining")
    billed = read(api, membership)["billed_cycles"]
    cycles = []
    for lines in bills_of(api, membership):
        (product, quantity, price, name) = lines[0]
        if product == plan["cancellation_product"]:
            continue
        joining = -(-2 // interval) * interval  # 2 cycles on signup, in whole bills
        assert price == 10 and len(lines) == 1
        assert quantity == joining if not cycles else quantity <= interval
        first, _, last = name.rsplit(" ", 1)[-1].partition("-")
        cycles += range(int(first), int(last or first) + 1)
        assert int(last or first) - int(first) + 1 == quantity
    assert cycles == list(range(1, billed + 1))
    paused = sum(end - start + 1 for status, start, end, *_ in shape(status_periods(api, membership))
                 if status == "paused")
    (bill,) = adjustments(api, membership)
    assert billed + Decimal(bill["total_change"]) / 10 == (12 if extends else 12 - paused)


USES = st.lists(st.one_of(
    st.tuples(st.just("line"), st.integers(0, 1), st.integers(1, 3)),  # (covered product or not, quantity)
    st.tuples(st.just("remove"), st.integers(0, 9)),
    st.tuples(st.just("delete"), st.integers(0, 9))),  # delete a whole invoice
    min_size=1, max_size=6)


@pytest.mark.both_databases
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=USES)
@example(steps=[("line", 0, 3), ("line", 0, 2), ("remove", 0), ("line", 0, 3)])
def test_a_credit_never_gives_more_than_it_has_and_gets_back_what_removed_lines_took(practice, api, clock, steps):
    """Random lines of a covered and an uncovered product (3 uses of a free consult), removals of lines and
    deletions of invoices: after each step the credit's ``used`` is the uses of its active consuming adjustments,
    never more than its amount, and what the animal's active lines were let off is what those adjustments say."""
    clock.now = START
    plan = new_plan(practice)
    benefit = new_benefit(practice, plan)
    covered, other = priced(practice, "Consultation", "34.80"), priced(practice, "Kibble", "12.00")
    covering(practice, benefit, covered)
    membership = enrol(practice, plan)
    full = {covered: Decimal("34.80"), other: Decimal("12.00")}
    lines: list[dict] = []
    for step in steps:
        if step[0] == "line":
            lines.append(invoice_line(practice, membership["animal_id"], (covered, other)[step[1]], step[2]))
        elif step[0] == "remove" and lines:
            line = lines[step[1] % len(lines)]
            assert api.request("DELETE", "/v2/invoiceline", json={"id": line["id"]}).status_code == 200
        elif step[0] == "delete" and lines:
            line = lines[step[1] % len(lines)]
            assert api.delete(f"/v2/invoice/{line['invoice_id']}").status_code == 200
        (credit,) = credits(api, membership)
        taken = consuming(api, membership)
        uses = -sum((Decimal(a["adjustment_amount"]) for a in taken), Decimal(0))
        assert Decimal(credit["used"]) == uses <= Decimal(credit["amount"]) - Decimal(credit["wasted"])
        live = [item(api.get(f"/v2/invoiceline/{line['id']}"), "invoiceline") for line in lines]
        live = [line for line in live if line["active"] and item(api.get(
            f"/v2/invoice/{line['invoice_id']}"), "invoice")["active"]]
        let_off = sum((full[line["product_id"]] * Decimal(str(line["quantity"])) - Decimal(str(line["total"]))
                       for line in live), Decimal(0))
        assert let_off == -sum((Decimal(a["total_change"]) for a in taken), Decimal(0))


# the demo ---------------------------------------------------------------------------------------------------


def test_the_demo_practice_has_plans_and_memberships_made_by_the_rules(engine, tmp_path):
    """The small demo (``serve --demo``) enrols a few animals through the engine: a paused membership has its
    closed active period and open paused one, and each its joining invoice; once the consults are invoiced, a puppy's
    vaccination uses its credit and a cancelled membership has its fee invoiced; loading again adds nothing."""
    import uuid

    from openvet import demo
    from openvet.demo.wellness import PLANS, seed_wellness_billing
    from openvet.services.credentials import create_clinic
    from openvet.store.blobs import Blobs

    with engine.db.begin() as conn:
        clinic_id = create_clinic(conn, f"wellness-{uuid.uuid4().hex[:8]}", "Wellness demo")
    demo.seed_settings(engine, clinic_id, "Pacific/Auckland")
    demo.seed_lookups(engine, clinic_id)
    for _ in range(2):
        demo.load_animals(engine, clinic_id, 12, show_progress=False, blobs=Blobs(tmp_path / "data"))
        seed_wellness_billing(engine, clinic_id)

    def rows(name: str, **equal) -> list[dict]:
        with engine.db.connect() as conn:
            return engine.find(conn, clinic_id, name, equal)

    assert sorted(p["name"] for p in rows("wellnessplan")) == [
        "Adult Dental Plan", "Puppy Wellness Plan", "Senior Care Plan"]
    memberships = rows("wellnessplanmembership")
    assert len(memberships) == 6
    assert sorted(m["status"] for m in memberships) == ["Active"] * 4 + ["Cancelled", "Paused"]
    for membership in memberships:
        periods = sorted((p for p in rows("wellnessplanmembershipstatusperiod",
                                          wellness_plan_membership=membership["id"]) if p["active"]),
                         key=lambda p: p["start_date"])
        assert periods[0]["start_date"] == membership["start_date"]
        assert periods[-1]["end_date"] is None and periods[-1]["status"] == membership["status"].lower()
        assert all(b["start_date"] == a["end_date"] + 1 for a, b in zip(periods, periods[1:], strict=False))
        # its joining bill: its first cycle, paid in advance at the price of the plan's fee product, invoiced
        plan = rows("wellnessplan", id=membership["wellness_plan"])[0]
        (joining,) = [line for line in rows("invoiceline", animal_id=membership["animal_id"])
                      if line["name"] == f"{plan['name']} subscription, cycle 1"]
        price = next(price for name, *_, price, _ in PLANS if name == plan["name"])
        assert (joining["quantity"], joining["price"], joining["product_id"], membership["billed_cycles"]) == (
            1, price, plan["subscription_fee_product"], 1)
    (cancelled,) = [m for m in memberships if m["status"] == "Cancelled"]
    (bill,) = rows("priceadjustment", wellness_plan_membership_id=cancelled["id"])
    assert bill["triggering_type"] == "WellnessPlanMembership" and bill["total_change"] > 0
    assert bill["associated_type"] == "InvoiceLine"
    (fee,) = rows("invoiceline", id=bill["associated_id"])
    assert (fee["total"], rows("product", id=fee["product_id"])[0]["code"]) == (bill["total_change"], "WP-CANCEL")
    (used,) = rows("priceadjustment", consuming=True)
    (credit,) = rows("billingcredit", id=used["triggering_id"])
    assert credit["used"] == 1 and used["associated_type"] == "InvoiceLine" and used["total_change"] < 0
    (line,) = rows("invoiceline", id=used["associated_id"])
    assert line["total"] == 0  # the C5 vaccination, free for the puppy member


def test_the_renewal_interval_is_a_checked_setting(monkeypatch):
    """``OPENVET_WELLNESS_RENEW_SECONDS``: unset is 300, 0 turns the runs off, anything else stops the server with
    the reason rather than being read as the default."""
    from openvet.config import Settings

    monkeypatch.delenv("OPENVET_WELLNESS_RENEW_SECONDS", raising=False)
    assert Settings.from_environment().wellness_renew == 300
    monkeypatch.setenv("OPENVET_WELLNESS_RENEW_SECONDS", "0")
    assert Settings.from_environment().wellness_renew == 0
    for bad in ("five", "-1", "1.5", "١٢"):
        monkeypatch.setenv("OPENVET_WELLNESS_RENEW_SECONDS", bad)
        with pytest.raises(ValueError, match="OPENVET_WELLNESS_RENEW_SECONDS must be a whole number"):
            Settings.from_environment()


def test_the_dispatcher_rounds_of_serve_and_worker_renew_at_their_setting(practice, api, engine, app, monkeypatch):
    """The installation's dispatcher (what `openvet serve` and `openvet worker` run) calls the renewals from its
    rounds at ``OPENVET_WELLNESS_RENEW_SECONDS``: 0 renews nothing, 600 renews what is due in the first round."""
    import time

    from conftest import round_by_round
    from openvet.events import schedule

    monkeypatch.setattr(schedule, "_last_run", {})
    weekly = new_plan(practice, subscription_cycle_unit="week", term_qty=2, min_cycle_qty_on_signup=1)
    first = enrol(practice, weekly, start_date=int(time.time()) - 35 * DAY)
    for every, memberships in ((0, 1), (600, 3)):
        running = round_by_round(engine, app, wellness_renew=every)
        try:
            running.round()
        finally:
            running.stop()
        assert len(memberships_of(api, first["animal_id"])) == memberships, every
