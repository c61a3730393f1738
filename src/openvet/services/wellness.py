"""Wellness plans: the terms of a plan, what a benefit's config holds, and a membership's life (L15033, L15311).

A membership is counted in cycles of its plan (``subscription_cycle_qty`` x ``subscription_cycle_unit``), from its
``start_date``; its term is ``term_qty`` cycles. Every status change closes the open status period (its
``end_date`` is the second before the change) and opens the next one, planned as effects of the change, so the
periods tile the membership's life. A membership bills its subscription in advance: on joining (``joining_bill``:
its enrolment or renewal fee and its first cycles, one invoice), then a bill every ``billing_interval`` cycles as
time passes (``bill_due``), counted in ``billed_cycles``. A cancellation invoices what it bills
(``billing.raise_charge``) and records it as a PriceAdjustment the membership triggers (type Surcharge) naming the
line. Invoice lines of covered products take the benefits of the animal's membership
(``line_takes_a_wellness_benefit``), and ``renew_due`` lets time pass: bills fall due, credits refresh, terms end
and renew.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any

from openvet.services import billing
from openvet.services.changes import Change, rule
from openvet.services.money import ZERO, to_cents

log = logging.getLogger("openvet.wellness")
SECONDS = {"day": 86_400, "week": 7 * 86_400}
APPROXIMATE = {"day": 86_400, "week": 7 * 86_400, "month": 2_629_746, "year": 31_556_952}
PERIOD = "wellnessplanmembershipstatusperiod"
LAST = 253_402_300_799  # 9999-12-31 23:59:59 UTC
LATEST_START = 32_503_680_000  # 3000-01-01: a membership starts before then, so its term fits the calendar


# cycles ---------------------------------------------------------------------------------------------------------


def shift(moment: int, units: int, unit: str) -> int:
    """``moment`` moved on by ``units`` days, weeks, months or years (calendar months: 31 Jan + 1 month is the
    last day of February, at the same time of day); never past the calendar's last second (LAST)."""
    if unit in SECONDS:
        return min(moment + units * SECONDS[unit], LAST)
    when = datetime.fromtimestamp(min(max(moment, 0), LAST), UTC)
    months = when.month - 1 + units * (12 if unit == "year" else 1)
    year, month = when.year + months // 12, months % 12 + 1
    if year > 9999:
        return LAST
    day = min(when.day, calendar.monthrange(year, month)[1])
    return int(when.replace(year=year, month=month, day=day).timestamp())


def cycle_start(plan: dict[str, Any], start: int, cycle: int) -> int:
    """The first second of cycle ``cycle`` (1 is the first) of a membership that started at ``start``."""
    return shift(start, (cycle - 1) * (plan.get("subscription_cycle_qty") or 1),
                 plan.get("subscription_cycle_unit") or "month")


def cycle_at(plan: dict[str, Any], start: int, moment: int) -> int:
    """The cycle ``moment`` falls in (1 before or at the start)."""
    if moment <= start:
        return 1
    length = APPROXIMATE[plan.get("subscription_cycle_unit") or "month"] * (plan.get("subscription_cycle_qty") or 1)
    cycle = max(1, 1 + (moment - start) // length)
    while cycle > 1 and cycle_start(plan, start, cycle) > moment:
        cycle -= 1
    while cycle_start(plan, start, cycle + 1) <= moment:
        cycle += 1
    return cycle


def billing_intervals(plan: dict[str, Any]) -> list[int]:
    """The billing cycles a plan sets up (L15218): every number of cycles that divides its term, so that each
    bill covers whole cycles and the term ends on a bill's last cycle."""
    term = plan.get("term_qty") or 12
    return [n for n in range(1, term + 1) if term % n == 0]


# the plan ---------------------------------------------------------------------------------------------------------


@rule
def wellness_plan_terms(change: Change) -> None:
    """A plan is not its own replacement; its signup cycles fit in its term."""
    record = change.record
    if record.get("replacement_wellness_plan") is not None and record["replacement_wellness_plan"] == change.this.id:
        change.refuse("replacement_wellness_plan", "cannot be the plan itself")
    signup, term = record.get("min_cycle_qty_on_signup"), record.get("term_qty")
    if signup is not None and term is not None and signup > term:
        change.refuse("min_cycle_qty_on_signup", f"cannot be more than the plan's term_qty ({term} cycles)")


# a benefit's config -----------------------------------------------------------------------------------------------

CONFIG_KEYS = ("type", "allocation", "type_value", "usages", "renewable", "option_cost_exc_tax",
               "refresh_cycle_quantity")


@rule
def benefit_config_is_complete(change: Change) -> None:
    """``benefit_config`` (its keys checked by its type, L14699): an update merges the keys sent into the config
    (the PATCH sample sends only ``usages``, L14834); a config without a type takes ``benefit_type`` (else
    percentage), without a ``type_value`` 0, without an allocation unit. ``benefit_type`` is the config's type:
    sent alone it sets it, sent with a config of another type it is refused."""
    record, before = change.record, change.before or {}
    if not (change.sent("benefit_config") or change.sent("benefit_type")) or record.get("benefit_config") is None:
        return
    config = dict(before.get("benefit_config") or {})
    config.update(change.values.get("benefit_config") or {})
    sent_type = (change.values.get("benefit_config") or {}).get("type")
    if change.sent("benefit_type") and record.get("benefit_type") is not None:
        if sent_type is not None and sent_type != record["benefit_type"]:
            change.refuse("benefit_type", "must be the type of benefit_config")
            return
        config["type"] = record["benefit_type"]
    config.setdefault("type", record.get("benefit_type") or "percentage")
    config.setdefault("type_value", 0)
    config.setdefault("allocation", "unit")
    change.derive("benefit_config", {key: config[key] for key in CONFIG_KEYS if key in config})
    change.derive("benefit_type", config["type"])


# the membership ---------------------------------------------------------------------------------------------------


def usable_plan(change: Change, field_name: str, plan_id: int | None) -> dict[str, Any] | None:
    """An active plan that takes members ("Needs to be a valid, active Wellness Plan", L15219)."""
    plan = change.lookup("wellnessplan", plan_id)
    if plan is None:
        return None
    if not plan.get("active"):
        change.refuse(field_name, f"WellnessPlan {plan['id']} is not active")
    elif plan.get("discontinued"):
        change.refuse(field_name, f"WellnessPlan {plan['id']} is discontinued: it takes no new members")
    return plan


def periods(change: Change, membership_id: int) -> list[dict[str, Any]]:
    return sorted((p for p in change.find(PERIOD, wellness_plan_membership=membership_id) if p.get("active")),
                  key=lambda p: (p["start_date"], p["id"]))


def paused_cycles(rows: list[dict[str, Any]]) -> int:
    """The cycles a membership has been (or is planned to be) paused for."""
    return sum(p["end_cycle"] - p["start_cycle"] + 1 for p in rows
               if p["status"] == "paused" and p.get("end_cycle") is not None)


def end_of_term(plan: dict[str, Any], start: int, paused: int) -> int:
    extra = paused if plan.get("extends_end_date", True) else 0
    return cycle_start(plan, start, (plan.get("term_qty") or 12) + extra + 1) - 1


def cycle_price(change: Change, plan: dict[str, Any]) -> Decimal:
    """The price of one cycle: the plan's fixed price, else the subscription fee product's sell price."""
    if plan.get("fixed_subscription_price") is not None:
        return plan["fixed_subscription_price"]
    prices = [p for p in change.find("productpricing", product_id=plan.get("subscription_fee_product"))
              if p.get("active") and p.get("sell_price") is not None]
    return prices[-1]["sell_price"] if prices else ZERO


# the subscription: what is billed, and when ----------------------------------------------------------------------


def paused_until(rows: list[dict[str, Any]], cycle: int) -> int:
    """The cycles up to ``cycle`` (included) a membership was paused for: a paused period counts the cycles it
    touched, as ``paused_cycles`` (the pause's extension of the term) does."""
    return sum(max(min(cycle if p.get("end_cycle") is None else p["end_cycle"], cycle) - p["start_cycle"] + 1, 0)
               for p in rows if p["status"] == "paused" and p.get("start_cycle") is not None)


def billable_cycles(plan: dict[str, Any], rows: list[dict[str, Any]]) -> int:
    """The cycles of its term a membership is billed for: ``term_qty``; when the plan does not ``extends_end_date``
    the cycles paused are lost to the term, and not billed either."""
    term = plan.get("term_qty") or 12
    return term if plan.get("extends_end_date", True) else max(term - paused_cycles(rows), 0)


def next_bill(plan: dict[str, Any], start: int, rows: list[dict[str, Any]], billed: int) -> int | None:
    """When the first cycle not billed yet begins (the paused cycles skipped), the moment its bill falls due; None
    once the term is billed."""
    if billed >= billable_cycles(plan, rows):
        return None
    cycle = billed + 1
    while cycle - paused_until(rows, cycle) < billed + 1:
        cycle += 1
    return cycle_start(plan, start, cycle)


@dataclass(frozen=True, slots=True)
class Payer:
    """Who a membership's bills are invoiced to and by; ``blocked_by`` ("owner" or "seller") names what keeps
    them from being invoiced, and ``reason`` says why."""

    owner: dict[str, Any] | None
    seller: int | None
    blocked_by: str | None = None
    reason: str = ""


def payer(change: Change, membership: dict[str, Any]) -> Payer:
    """The animal's owner, to invoice, and the User to name as the lines' sales person."""
    animal = change.lookup("animal", membership.get("animal_id")) or {}
    owner = change.lookup("contact", animal.get("contact_id"))
    seller = billing.salesperson_for(change, membership.get("resource_id"))
    if owner is None:
        return Payer(None, seller, "owner", f"Animal {membership.get('animal_id')} has no owner to invoice")
    if owner.get("stop_credit") == "STOP":
        return Payer(owner, seller, "owner", f"Contact {owner['id']} (the animal's owner) cannot be invoiced: its "
                                             "stop_credit is STOP")
    if seller is None:
        return Payer(owner, None, "seller", "no User is a salesperson (is_salesperson) to name on its invoice lines")
    return Payer(owner, seller)


def options_cost(change: Change, membership: dict[str, Any]) -> Decimal:
    """What the membership's options cost a cycle (their benefit's ``option_cost_exc_tax``)."""
    return sum((cost for _, cost, _ in option_costs(change, membership)), ZERO)


def option_costs(change: Change, membership: dict[str, Any]) -> list[tuple[str, Decimal, int]]:
    """(benefit name, cost a cycle, start cycle) of each active option of the membership that costs something."""
    if membership.get("id") is None:
        return []
    found = []
    for option in change.find("wellnessplanmembershipoption", wellness_plan_membership=membership["id"]):
        benefit = change.lookup("wellnessplanbenefit", option.get("wellness_plan_benefit")) if option.get(
            "active") else None
        cost = Decimal(str(((benefit or {}).get("benefit_config") or {}).get("option_cost_exc_tax") or 0))
        if benefit is not None and cost > 0:
            found.append((benefit.get("name") or "option", cost, option.get("start_cycle") or 1))
    return found


def subscription_lines(change: Change, plan: dict[str, Any], membership: dict[str, Any], first: int,
                       last: int) -> list[tuple[int, Decimal, Decimal, str]]:
    """The lines billing cycles ``first``..``last`` of the term: the subscription fee product at the cycle price,
    and one line per option (the same product at its cost) for the cycles from its start."""
    product, price = plan.get("subscription_fee_product"), cycle_price(change, plan)
    cycles = f"cycle {first}" if first == last else f"cycles {first}-{last}"
    lines = [(product, Decimal(last - first + 1), price, f"{plan.get('name')} subscription, {cycles}")] \
        if price > 0 and product is not None else []
    for name, cost, start in option_costs(change, membership):
        if start <= last and product is not None:
            lines.append((product, Decimal(last - max(first, start) + 1), cost,
                          f"{plan.get('name')} option {name}, {cycles}"))
    return lines


def joining_bill(change: Change, plan: dict[str, Any], record: dict[str, Any]) -> None:
    """A new membership is billed, on one new invoice of the animal's owner: the plan's ``enrollment_fee_product``
    (``renewal_fee_product`` when it renews an earlier membership) at its price, and the subscription paid in
    advance, ``min_cycle_qty_on_signup`` cycles rounded up to whole bills of ``billing_interval`` cycles, at the
    cycle price. Nothing is invoiced when it all comes to 0; an owner on STOP (or no owner) refuses the membership
    (422 naming ``animal_id``), a clinic without a salesperson too (naming ``resource_id``)."""
    interval = record.get("billing_interval") or 1
    billed = min(-(-(plan.get("min_cycle_qty_on_signup") or 1) // interval) * interval, plan.get("term_qty") or 12)
    change.derive("billed_cycles", billed)
    change.derive("next_bill_date", next_bill(plan, record["start_date"], [], billed))
    renews = record.get("previous_wellness_plan_membership") is not None
    fee = plan.get("renewal_fee_product" if renews else "enrollment_fee_product")
    lines = []
    pricing = billing.pricing_of(change, fee, record.get("ownership_id")) if fee else None
    if pricing is not None and (pricing.get("sell_price") or ZERO) > 0:
        product = change.lookup("product", fee) or {}
        lines.append((fee, Decimal(1), pricing["sell_price"], f"{plan.get('name')} "
                      f"{'renewal' if renews else 'enrolment'} fee ({product.get('name')})"))
    lines += subscription_lines(change, plan, record, 1, billed)
    if not lines:
        return
    to = payer(change, record)
    if to.blocked_by:
        change.refuse("animal_id" if to.blocked_by == "owner" else "resource_id",
                      f"its joining bill cannot be invoiced: {to.reason}")
        return
    billing.raise_invoice(change, to.owner["id"], record.get("animal_id"), record["ownership_id"], lines, to.seller,
                          where="animal_id.")


def bill_due(change: Change, plan: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """The subscription bills due by now of an Active membership (``rows`` its status periods as they will be):
    billed in advance, each bill ``billing_interval`` cycles (never past the cycles the term bills) on a new invoice
    of the animal's owner, raised when the membership enters the first cycle not billed yet, its paused cycles not
    counted. A bill that cannot be invoiced (owner on STOP, no salesperson) is not raised and is logged:
    ``next_bill_date`` stays due, so the next run tries again. Several bills due (a long gap) are raised at once,
    one invoice each."""
    record = change.record
    if record.get("start_date") is None or record.get("billed_cycles") is None:
        return  # made before openvet billed subscriptions (0014): never billed by it
    billed, interval = record["billed_cycles"], record.get("billing_interval") or 1
    limit = billable_cycles(plan, rows)
    cycle = cycle_at(plan, record["start_date"], change.now)
    served = max(cycle - paused_until(rows, cycle), 1)
    bills = []
    while billed < limit and billed < served:
        bills.append((billed + 1, min(billed + interval, limit)))
        billed = bills[-1][1]
    if bills:
        invoices = [lines for first, last in bills if (lines := subscription_lines(change, plan, record, first,
                                                                                    last))]
        to = payer(change, record) if invoices else Payer(None, None)
        if to.blocked_by:
            log.warning("WellnessPlanMembership %s: its bill of cycles %s-%s is not raised, retried at the next "
                        "run: %s", record.get("id"), bills[0][0], bills[-1][1], to.reason)
            billed = record["billed_cycles"]
        else:
            for lines in invoices:
                billing.raise_invoice(change, to.owner["id"], record.get("animal_id"), record["ownership_id"], lines,
                                      to.seller)
            change.derive("billed_cycles", billed)
    due = next_bill(plan, record["start_date"], rows, billed)
    if due != record.get("next_bill_date"):
        change.derive("next_bill_date", due)


@rule
def membership_bills_its_subscription(change: Change) -> None:
    """Any write of an Active membership that keeps its status (``renew_due``'s, or a client's PATCH) raises the
    subscription bills due by its moment (``bill_due``); a status change does it in ``membership_lifecycle``."""
    before = change.before
    if change.creating or change.problems or change.deactivating or not before.get("active") or \
            before.get("status") != "Active" or change.record.get("status") != "Active":
        return
    plan = change.lookup("wellnessplan", before.get("wellness_plan"))
    if plan is not None:
        bill_due(change, plan, periods(change, before["id"]))


@rule
def membership_joins_a_plan(change: Change) -> None:
    """A new membership: of an active plan taking members, for an active animal, billed every ``billing_interval``
    cycles, a number of cycles that divides the plan's term (L15218); ``next_wellness_plan`` is its own plan unless
    another active one is named (L15221). It starts Active, with its first status period open, ends at the end of
    its term, and earns one BillingCredit per benefit of the plan that is not optional (optional ones are earned by
    a WellnessPlanMembershipOption). A membership of the plan an earlier membership of the animal named as its next
    plan, starting after that one ended, renews it (``previous_wellness_plan_membership``)."""
    if not change.creating:
        return
    record = change.record
    plan = usable_plan(change, "wellness_plan", record.get("wellness_plan"))
    animal = change.lookup("animal", record.get("animal_id"))
    if animal is not None and not animal.get("active"):
        change.refuse("animal_id", f"Animal {animal['id']} is not active")
    if record.get("next_wellness_plan") is None:
        change.derive("next_wellness_plan", record.get("wellness_plan"))
    elif record["next_wellness_plan"] != record.get("wellness_plan"):
        usable_plan(change, "next_wellness_plan", record["next_wellness_plan"])
    if plan is None or record.get("start_date") is None:
        return
    if not 0 <= record["start_date"] < LATEST_START:
        change.refuse("start_date", "must be a moment between 1970 and the year 3000")
        return
    interval = record.get("billing_interval")
    if interval is not None and interval not in billing_intervals(plan):
        change.refuse("billing_interval", "must be a billing cycle of the plan: a number of its cycles that divides "
                      f"its term of {plan.get('term_qty')}, one of " + ", ".join(map(str, billing_intervals(plan))))
    start = record["start_date"]
    change.derive("status", "Active")
    end = end_of_term(plan, start, 0)
    change.derive("end_date", end)
    if animal is not None:
        earlier = [m for m in change.find("wellnessplanmembership", animal_id=animal["id"])
                   if m.get("active") and m.get("next_wellness_plan") == plan["id"]
                   and (m.get("end_date") or 0) < start]
        renewed = {m.get("previous_wellness_plan_membership") for m in change.find(
            "wellnessplanmembership", animal_id=animal["id"])}
        earlier = [m for m in earlier if m["id"] not in renewed]
        if earlier:
            change.derive("previous_wellness_plan_membership", earlier[-1]["id"])
    period = change.create(PERIOD, {"wellness_plan_membership": change.this, "start_cycle": 1, "start_date": start,
                                    "status": "active"})
    for benefit in change.find("wellnessplanbenefit", wellnessplan_id=plan["id"]):
        if benefit.get("active") and not benefit.get("optional"):
            change.create("billingcredit", credit(plan, benefit, change.this, period, record, start, end, 1))
    if not change.problems:
        joining_bill(change, plan, record)


def credit(plan: dict[str, Any], benefit: dict[str, Any], membership: Any, period: Any, record: dict[str, Any],
           start: int, end: int, cycle: int) -> dict[str, Any]:
    """The BillingCredit a benefit gives a membership: its usages (a quantity) or its value, for its refresh
    cycles (L2387)."""
    config = benefit.get("benefit_config") or {}
    refresh = config.get("refresh_cycle_quantity") or plan.get("term_qty") or 12
    unit, qty = plan.get("subscription_cycle_unit") or "month", plan.get("subscription_cycle_qty") or 1
    by_quantity = config.get("usages") is not None
    amount = Decimal(str(config["usages"] if by_quantity else config.get("type_value") or 0))
    return {"available_associated_type": "Animal", "available_associated_id": record.get("animal_id"),
            "wellness_plan_id": plan["id"], "wellness_plan_benefit_id": benefit["id"],
            "wellness_plan_membership_id": membership, "wellness_plan_membership_status_period_id": period,
            "associated_type": "WellnessPlanBenefit", "associated_id": benefit["id"],
            "type": "Quantity" if by_quantity else "Value", "amount": amount, "used": ZERO, "wasted": ZERO,
            "start_date": start, "expires_in_unit": unit, "expires_in_qty": refresh * qty,
            "end_date": min(end, shift(start, refresh * qty, unit) - 1), "single_use": False,
            "wellness_plan_membership_cycle_id": cycle,
            "allocation_method": "Line Total" if config.get("allocation") == "line" else "Unit"}


@rule
def membership_lifecycle(change: Change) -> None:
    """A status change (L15311): Active -> Paused needs ``pause_length`` cycles (1 or more, within what is left of
    the plan's ``pause_limit_qty``); Paused -> Active, or Paused with ``pause_length`` 0, unpauses; Cancelled needs
    ``cancellation_option`` (and ``cancellation_fee`` for custom) and is final. Each change closes the open status
    period and opens the next; a pause extends ``end_date`` when the plan says so."""
    if change.creating:
        for name in ("pause_length", "cancellation_option", "cancellation_fee"):
            if change.sent(name):
                change.refuse(name, "is only written when changing a membership's status")
        return
    record, before = change.record, change.before
    was, now_ = before.get("status") or "Active", record.get("status") or before.get("status")
    pause, option, fee = (change.values.get(n) for n in ("pause_length", "cancellation_option", "cancellation_fee"))
    if change.sent("next_wellness_plan") and record.get("next_wellness_plan") not in (None, before.get(
            "next_wellness_plan"), record.get("wellness_plan")):
        usable_plan(change, "next_wellness_plan", record["next_wellness_plan"])
    if change.sent("pause_length") and now_ != "Paused":
        change.refuse("pause_length", "is only sent with status Paused")
    if (change.sent("cancellation_option") or change.sent("cancellation_fee")) and now_ != "Cancelled":
        change.refuse("cancellation_option" if change.sent("cancellation_option") else "cancellation_fee",
                      "is only sent with status Cancelled")
    if was == "Cancelled":
        if now_ != "Cancelled":
            change.refuse("status", "cannot change: the membership is Cancelled")
        elif option is not None or fee is not None:
            change.refuse("cancellation_option", "the membership is already Cancelled")
        return
    if now_ == "Cancelled":
        if option is None:
            change.refuse("cancellation_option", "is required when status is Cancelled: savings_only, remaining "
                                                 "or custom")
        elif option == "custom" and fee is None:
            change.refuse("cancellation_fee", "is required when cancellation_option is custom")
        elif option != "custom" and fee is not None:
            change.refuse("cancellation_fee", "is only sent when cancellation_option is custom")
    if now_ == "Paused":
        if pause is None:
            change.refuse("pause_length", "is required when status is Paused (0 unpauses)")
        elif was == "Active" and pause == 0:
            change.refuse("pause_length", "0 unpauses, but the membership is not paused")
        elif was == "Paused" and pause > 0:
            change.refuse("pause_length", "the membership is already paused: send 0 to unpause first")
    if change.problems:
        return
    plan = change.lookup("wellnessplan", before.get("wellness_plan"))
    rows = periods(change, before["id"])
    if plan is None or not rows:
        return
    target = {"Active": "active", "Paused": "paused", "Cancelled": "cancelled"}[now_]
    if now_ == "Paused" and pause == 0:
        target = "active"
    current = rows[-1]
    if target == current["status"]:
        return
    if current.get("end_date") is not None:  # its term ended (renew_due closed its last period)
        change.refuse("status", f"cannot change: the membership ended at {before.get('end_date')}")
        return
    start = before["start_date"]
    moment = max(change.now, current["start_date"])
    cycle = cycle_at(plan, start, moment)
    planned_end = cycle + pause - 1 if target == "paused" else None
    if target == "paused":
        used = paused_cycles(rows[:-1])
        left = (plan.get("pause_limit_qty") or 0) - used
        if pause > left:
            change.refuse("pause_length", f"is more than the {max(left, 0)} cycles left of the plan's "
                                          f"pause_limit_qty ({plan.get('pause_limit_qty')} cycles)")
            return
    opened = {"status": target, "end_cycle": planned_end}
    if moment <= current["start_date"]:
        # a change in the same second as the last (or before the membership starts) undoes it: the open period
        # becomes this one, or is dropped if the period before it has this status, which opens again
        earlier = rows[-2] if len(rows) > 1 else None
        if earlier is not None and earlier["status"] == target:
            change.deactivate(PERIOD, current["id"])
            change.update(PERIOD, earlier["id"], {"end_date": None, "end_cycle": planned_end})
            closed = [*rows[:-2], {**earlier, "end_cycle": planned_end}]
        else:
            change.update(PERIOD, current["id"], opened)
            closed = [*rows[:-1], {**current, **opened}]
    else:
        last = cycle_at(plan, start, moment - 1)
        change.update(PERIOD, current["id"], {"end_date": moment - 1, "end_cycle": last})
        change.create(PERIOD, {"wellness_plan_membership": before["id"], "start_cycle": cycle,
                               "start_date": moment, **opened})
        closed = [*rows[:-1], {**current, "end_cycle": last}, {"status": target, "start_cycle": cycle,
                                                                 "end_cycle": planned_end}]
    change.derive("status", {"active": "Active", "paused": "Paused", "cancelled": "Cancelled"}[target])
    change.derive("end_date", end_of_term(plan, start, paused_cycles(closed)))
    if target == "cancelled":
        cancel(change, plan, option, fee, closed)
    if target == "active":
        bill_due(change, plan, closed)
    else:  # nothing is billed while paused (unpausing bills what is due) nor once cancelled
        change.derive("next_bill_date", None)


def cancel(change: Change, plan: dict[str, Any], option: str, fee: Decimal | None, rows: list[dict[str, Any]]) -> None:
    """What a cancellation bills (L15312): savings_only, the discounts the membership's credits gave (its consuming
    adjustments); remaining, the cycles of the term not billed yet at the cycle price; custom, ``cancellation_fee``.
    The amount is invoiced: a new Invoice of the animal's owner with one line of the plan's cancellation product
    at that price (``billing.raise_charge``), and recorded as a PriceAdjustment the membership triggers, whose
    ``associated_*`` name that line. The credits' unused parts are wasted first (so the fee line takes no benefit);
    the membership no longer renews."""
    before = change.before
    for credit_ in change.find("billingcredit", wellness_plan_membership_id=before["id"]):
        left = credit_left(credit_)
        if credit_.get("active") and left > 0:
            change.update("billingcredit", credit_["id"], {"wasted": (credit_.get("wasted") or ZERO) + left})
    if option == "custom":
        amount = fee
    elif option == "savings_only":
        amount = -sum((a.get("total_change") or ZERO for a in change.find(
            "priceadjustment", wellness_plan_membership_id=before["id"]) if a.get("active") and a.get("consuming")),
            ZERO)
    else:
        price = cycle_price(change, plan) + options_cost(change, before)
        amount = remaining_cycles(plan, before, rows, change.now) * price
    amount = to_cents(max(amount, ZERO))
    product = plan.get("cancellation_product")
    description = f"Cancellation of {plan.get('name')} ({option})"
    line, tax = None, ZERO
    if product is not None and amount > 0:
        to = payer(change, before)
        if to.blocked_by:
            change.refuse("cancellation_option", f"bills {amount}, but {to.reason}")
        else:
            line = billing.raise_charge(change, to.owner["id"], before.get("animal_id"), before["ownership_id"],
                                        product, amount, to.seller, description, where="cancellation_option.")
            tax = billing.unit_tax(change, product, before["ownership_id"], amount)
    change.create("priceadjustment", {
        "type": "Surcharge", "adjustment_method": "value", "adjustment_amount": amount,
        "associated_type": "InvoiceLine" if line else "Product" if product else None,
        "associated_id": line or product,
        "triggering_type": "WellnessPlanMembership", "triggering_id": before["id"],
        "description": description, "total_change": amount, "total_change_tax": tax, "total_earned": ZERO,
        "total_earned_tax": ZERO, "consuming": False, "wellness_plan_id": plan["id"],
        "wellness_plan_membership_id": before["id"]})
    change.derive("renew_when_expired", False)
    change.derive("next_wellness_plan", None)


def credit_left(credit_: dict[str, Any]) -> Decimal:
    return (credit_.get("amount") or ZERO) - (credit_.get("used") or ZERO) - (credit_.get("wasted") or ZERO)


def remaining_cycles(plan: dict[str, Any], membership: dict[str, Any], rows: list[dict[str, Any]], now: int) -> int:
    """The cycles of the term not billed yet: those it bills (``billable_cycles``) less ``billed_cycles``, what the
    joining bill and the subscription bills raised so far have billed."""
    billed = membership.get("billed_cycles")
    if billed is None:  # made before openvet billed subscriptions (0014): billed in advance up to the current bill
        interval = membership.get("billing_interval") or 1
        cycle = cycle_at(plan, membership["start_date"], now)
        billed = max(-(-cycle // interval) * interval, plan.get("min_cycle_qty_on_signup") or 1)
    return max(billable_cycles(plan, rows) - billed, 0)


# options, credits and adjustments ---------------------------------------------------------------------------------


@rule
def option_is_a_benefit_of_the_plan(change: Change) -> None:
    """An option is an optional benefit of the membership's own plan; it starts at the membership's current cycle
    unless told, and earns that benefit's BillingCredit."""
    if not change.creating:
        return
    record = change.record
    membership = change.lookup("wellnessplanmembership", record.get("wellness_plan_membership"))
    benefit = change.lookup("wellnessplanbenefit", record.get("wellness_plan_benefit"))
    if membership is None or benefit is None:
        return
    if benefit.get("wellnessplan_id") != membership.get("wellness_plan"):
        change.refuse("wellness_plan_benefit", "is not a benefit of the membership's plan")
        return
    if not benefit.get("optional"):
        change.refuse("wellness_plan_benefit", "is not optional: every member has it")
        return
    plan = change.lookup("wellnessplan", membership["wellness_plan"])
    if plan is None:
        return
    cycle = record.get("start_cycle") or cycle_at(plan, membership["start_date"], change.now)
    change.derive("start_cycle", cycle)
    rows = periods(change, membership["id"])
    start = cycle_start(plan, membership["start_date"], cycle)
    change.create("billingcredit", credit(plan, benefit, membership["id"], rows[-1]["id"] if rows else None,
                                          membership, start, membership.get("end_date") or start, cycle))
    option_bill(change, plan, benefit, membership, cycle)


def option_bill(change: Change, plan: dict[str, Any], benefit: dict[str, Any], membership: dict[str, Any],
                cycle: int) -> None:
    """An option that costs something (its benefit's ``option_cost_exc_tax``, a cycle) chosen in cycles already
    billed is billed for them at once, from its start cycle: one line of the plan's subscription fee product on a
    new invoice of the animal's owner (later cycles are on the subscription's bills). An owner who cannot be
    invoiced refuses it (422 naming ``wellness_plan_benefit``)."""
    cost = Decimal(str((benefit.get("benefit_config") or {}).get("option_cost_exc_tax") or 0))
    last, product = membership.get("billed_cycles") or 0, plan.get("subscription_fee_product")
    if cost <= 0 or last < cycle or product is None or membership.get("status") == "Cancelled":
        return
    to = payer(change, membership)
    if to.blocked_by:
        change.refuse("wellness_plan_benefit", f"costs {cost} a cycle, which cannot be invoiced: {to.reason}")
        return
    cycles = f"cycle {cycle}" if cycle == last else f"cycles {cycle}-{last}"
    billing.raise_invoice(change, to.owner["id"], membership.get("animal_id"), membership["ownership_id"], [
        (product, Decimal(last - cycle + 1), cost, f"{plan.get('name')} option {benefit.get('name')}, {cycles}")],
        to.seller, where="wellness_plan_benefit.")


@rule
def credit_of_a_membership(change: Change) -> None:
    """A credit is of its membership's plan and available to its animal; never more used and wasted than its
    amount."""
    record = change.record
    membership = change.lookup("wellnessplanmembership", record.get("wellness_plan_membership_id"))
    if change.creating and membership is not None:
        if record.get("wellness_plan_id") is None:
            change.derive("wellness_plan_id", membership.get("wellness_plan"))
        if record.get("available_associated_id") is None:
            change.derive("available_associated_type", "Animal")
            change.derive("available_associated_id", membership.get("animal_id"))
        if record.get("associated_id") is None and record.get("wellness_plan_benefit_id") is not None:
            change.derive("associated_type", "WellnessPlanBenefit")
            change.derive("associated_id", record["wellness_plan_benefit_id"])
        if record.get("wellness_plan_membership_status_period_id") is None:
            rows = periods(change, membership["id"])
            if rows:
                change.derive("wellness_plan_membership_status_period_id", rows[-1]["id"])
    amount = record.get("amount") or ZERO
    if (record.get("used") or ZERO) + (record.get("wasted") or ZERO) > amount:
        change.refuse("used", f"and wasted cannot be more than the credit's amount ({amount})")


@rule
def adjustment_consumes_a_credit(change: Change) -> None:
    """A consuming adjustment uses ``-adjustment_amount`` of the BillingCredit that triggers it (the sample consumes
    1 with adjustment_amount -1, L9822): the credit's ``used`` grows by as much, and a credit cannot give more than
    it has left. Its wellness links are the credit's. Deactivated ("active: if true, the Price Adjustment is
    applied", L9853), it gives the use back: to the credit if it is still current, else to what it wasted."""
    record, before = change.record, change.before
    if change.deactivating and before.get("consuming"):
        give_back(change, before)
        return
    if not change.creating or not record.get("consuming"):
        return
    if record.get("triggering_type") != "BillingCredit" or record.get("triggering_id") is None:
        change.refuse("triggering_type", "must be BillingCredit: a consuming adjustment uses a credit")
        return
    credit_ = change.lookup("billingcredit", record["triggering_id"])
    if credit_ is None:
        return
    taken = -(record.get("adjustment_amount") or ZERO)
    left = credit_left(credit_)
    if taken <= 0:
        change.refuse("adjustment_amount", "must be negative: the part of the credit consumed")
        return
    if not credit_.get("active") or taken > left:
        change.refuse("adjustment_amount", f"consumes more than the credit has left ({left})")
        return
    for name, value in (("wellness_plan_id", credit_.get("wellness_plan_id")),
                        ("wellness_plan_benefit_id", credit_.get("wellness_plan_benefit_id")),
                        ("wellness_plan_membership_id", credit_.get("wellness_plan_membership_id"))):
        if record.get(name) is None:
            change.derive(name, value)
    change.update("billingcredit", credit_["id"], {"used": (credit_.get("used") or ZERO) + taken})


def give_back(change: Change, adjustment: dict[str, Any]) -> None:
    """The use of a consuming adjustment returned to its credit: usable again while the credit is current (its
    membership not cancelled, the credit not expired), else wasted."""
    credit_ = change.lookup("billingcredit", adjustment.get("triggering_id"))
    if credit_ is None or adjustment.get("triggering_type") != "BillingCredit":
        return
    taken = min(-(adjustment.get("adjustment_amount") or ZERO), credit_.get("used") or ZERO)
    if taken <= 0:
        return
    membership = change.lookup("wellnessplanmembership", credit_.get("wellness_plan_membership_id")) or {}
    current = (credit_.get("active") and membership.get("status") != "Cancelled" and credit_.get("expires_in_qty")
               and (credit_.get("end_date") or LAST) >= change.now)
    values = {"used": credit_["used"] - taken}
    if not current:
        values["wasted"] = (credit_.get("wasted") or ZERO) + taken
    change.update("billingcredit", credit_["id"], values)


# benefits taken by invoice lines --------------------------------------------------------------------------------

LINE_FIGURES = ("product_id", "quantity", "price", "price_tax", "tax_code", "invoice_id")
UNIT = Decimal("0.0001")


def line_adjustments(change: Change, line_id: int) -> list[dict[str, Any]]:
    return [a for a in change.find("priceadjustment", associated_type="InvoiceLine", associated_id=line_id)
            if a.get("active") and a.get("consuming")]


@rule
def line_takes_a_wellness_benefit(change: Change) -> None:
    """A new invoice line of a product a benefit item covers (the product, or a Tag Name a Tag on the product
    carries, L15026), on an invoice of an animal with an Active membership in its term, takes the benefit of the
    first such credit that has something left (L2387): its unit price is lowered by the discount (percentage or
    value of the benefit's config, per unit or per line as its allocation says, L14699) over the units the credit
    covers, and a consuming PriceAdjustment of the credit names the line with the change of its totals. A
    Quantity credit gives ``consumption_rate`` uses per unit (0 reads as 1), or that many per line when the rate
    is fixed or the allocation is line; a Value credit gives money, never more than it has left. Removing the
    line gives the use back; the product, quantity or price of a line that took a benefit cannot change (remove
    it and add it again)."""
    record, before = change.record, change.before
    if change.deactivating:
        for adjustment in line_adjustments(change, before["id"]):
            change.deactivate("priceadjustment", adjustment["id"])
        return
    if not change.creating:
        changed = [n for n in LINE_FIGURES if n in change.values and change.values[n] != before.get(n)]
        if changed and line_adjustments(change, before["id"]):
            change.refuse(changed[0], "cannot change: the line took a wellness benefit (a consuming "
                                      "PriceAdjustment names it); remove the line and add it again")
        return
    quantity, price = record.get("quantity"), record.get("price")
    if change.problems or quantity is None or quantity <= 0 or not price or price <= 0 or not record.get(
            "animal_id") or record.get("product_id") is None:
        return
    found = covering_credit(change, record["animal_id"], record["product_id"])
    if found is None:
        return
    plan, benefit, item_, credit_ = found
    take_benefit(change, plan, benefit, item_, credit_, quantity, price)


@rule
def deleted_invoice_gives_benefits_back(change: Change) -> None:
    """A deleted invoice (only one not approved can be) sells nothing: the benefits its lines took are given back,
    as if each line were removed."""
    if change.deactivating:
        for line in change.children("line_item"):
            if line.get("active"):
                for adjustment in line_adjustments(change, line["id"]):
                    change.deactivate("priceadjustment", adjustment["id"])


def covering_credit(change: Change, animal_id: int, product_id: int) -> tuple | None:
    """(plan, benefit, benefit item, credit) of the animal's first Active membership in its term whose current
    credit has something left and covers the product."""
    memberships = [m for m in change.find("wellnessplanmembership", animal_id=animal_id)
                   if m.get("active") and m.get("status") == "Active"
                   and (m.get("start_date") or 0) <= change.now <= (m.get("end_date") or LAST)]
    tags: set[str] | None = None
    for membership in memberships:
        for credit_ in change.find("billingcredit", wellness_plan_membership_id=membership["id"]):
            if not credit_.get("active") or credit_left(credit_) <= 0 or not (
                    (credit_.get("start_date") or 0) <= change.now <= (credit_.get("end_date") or LAST)):
                continue
            benefit = change.lookup("wellnessplanbenefit", credit_.get("wellness_plan_benefit_id"))
            if benefit is None or not benefit.get("active"):
                continue
            for item_ in change.find("wellnessplanbenefititem", wellness_plan_benefit=benefit["id"]):
                if not item_.get("active"):
                    continue
                if item_.get("associated_type") == "Product" and item_.get("associated_id") == product_id:
                    return change.lookup("wellnessplan", membership["wellness_plan"]), benefit, item_, credit_
                if item_.get("associated_type") == "Tag Name":
                    if tags is None:
                        tags = {t.get("name") for t in change.find("tag", associated_type="Product",
                                                                   associated_id=product_id) if t.get("active")}
                    tag_name = change.lookup("tagname", item_.get("associated_id"))
                    if tag_name is not None and tag_name.get("name") in tags:
                        return change.lookup("wellnessplan", membership["wellness_plan"]), benefit, item_, credit_
    return None


def take_benefit(change: Change, plan: dict[str, Any], benefit: dict[str, Any], item_: dict[str, Any],
                 credit_: dict[str, Any], quantity: Decimal, price: Decimal) -> None:
    record = change.record
    config = benefit.get("benefit_config") or {}
    value = Decimal(str(config.get("type_value") or 0))
    per_line = config.get("allocation") == "line" or bool(item_.get("consumption_rate_fixed"))
    rate = item_.get("consumption_rate") or Decimal(1)
    left = credit_left(credit_)
    if credit_.get("type") == "Quantity":
        if per_line:
            if left < rate:
                return
            covered, uses = quantity, rate
        else:
            covered = min(quantity, left / rate).quantize(UNIT, rounding=ROUND_DOWN)
            uses = covered * rate
    else:
        covered, uses = quantity, None
    if config.get("type") == "value":
        discount = min(value if per_line else value * covered, covered * price)
    else:
        discount = covered * price * min(value, Decimal(100)) / Decimal(100)
    if uses is None:
        discount = min(discount, left)
    old_total, old_tax = record.get("total") or ZERO, record.get("total_tax") or ZERO
    unit = (quantity * price - discount) / quantity
    unit = unit.quantize(UNIT, rounding=ROUND_UP)  # never more off than the discount
    percent = record.get("tax_percent") or ZERO
    change.derive("price", unit)
    change.derive("price_tax", to_cents(unit * percent / Decimal(100)))
    billing.line_figure(change, "total", quantity, unit)
    billing.line_figure(change, "total_tax", quantity, record["price_tax"])
    total_change = (record.get("total") or ZERO) - old_total
    tax_change = (record.get("total_tax") or ZERO) - old_tax
    if total_change >= 0:
        return
    earned = earning_rate(plan, benefit, item_)
    change.create("priceadjustment", {
        "type": "Credit", "adjustment_method": "quantity" if uses is not None else "value",
        "adjustment_amount": -uses if uses is not None else total_change,
        "associated_type": "InvoiceLine", "associated_id": change.this,
        "triggering_type": "BillingCredit", "triggering_id": credit_["id"],
        "description": f"{plan.get('name')} - {benefit.get('name')}", "total_change": total_change,
        "total_change_tax": tax_change, "total_earned": to_cents(-total_change * earned),
        "total_earned_tax": to_cents(-tax_change * earned), "consuming": True})


def earning_rate(plan: dict[str, Any], benefit: dict[str, Any], item_: dict[str, Any]) -> Decimal:
    """The share of a discount recorded as earnings: the item's Percent earn_amount, else the benefit's percent,
    else the plan's ``portion_revenue_payable`` (the sample: 34.80 at 0.2 earns 6.96, L9822)."""
    for method, amount in ((item_.get("earn_method"), item_.get("earn_amount")),
                           (benefit.get("earn_method"), benefit.get("earn_amount"))):
        if (method or "").lower() == "percent" and amount is not None:
            return amount / Decimal(100)
    return plan.get("portion_revenue_payable") or ZERO


# time passing: terms end, credits refresh ------------------------------------------------------------------------

BATCH = 200  # memberships or credits handled per transaction
ROUNDS = 10_000  # transactions per clinic per run at most (a long-stopped worker catches up over several terms)


def renew_due(engine: Any, now: int, clinic_ids: list[int] | None = None) -> dict[str, int]:
    """Everything due by ``now`` in every clinic (or those named): subscription bills raised (``next_bill_date``
    reached), credits past their end refreshed, memberships past their end renewed (or ended). Idempotent: run
    again at the same ``now`` it finds nothing to do. Run by the worker rounds (``events/schedule.py``) and by
    ``openvet wellness renew [--at EPOCH]``. Counts of what it did (``memberships_billed``: memberships that had
    bills raised)."""
    from openvet.store import accounts

    done = {"memberships_billed": 0, "credits_refreshed": 0, "credits_expired": 0, "memberships_ended": 0,
            "memberships_renewed": 0}
    if clinic_ids is None:
        with engine.db.connect() as conn:
            clinic_ids = [row.id for row in accounts.list_clinics(conn)]
    for clinic_id in clinic_ids:
        passed = {"membership": 0}  # the memberships whose bills were looked at in this run (in id order)
        for _ in range(ROUNDS):
            before = dict(done)
            try:
                if not renew_clinic(engine, clinic_id, now, done, passed):
                    break
            except Exception:  # noqa: BLE001 (one clinic's odd record must not stop every other clinic's renewals)
                done.update(before)  # that round's transaction was rolled back
                log.exception("wellness renewal failed in clinic %s; its other work waits for the next run", clinic_id)
                break
    return done


def renew_clinic(engine: Any, clinic_id: int, now: int, done: dict[str, int], passed: dict[str, int] | None = None
                 ) -> bool:
    """One transaction of what is due in one clinic (at most BATCH bills, BATCH credits or BATCH memberships), the
    rows locked (PostgreSQL) or the database's write lock taken (SQLite) before they are read again, so that two
    workers never do the same work. Bills first, so that a term is billed before it ends and renews; a bill that
    cannot be raised is passed (``passed``: the last membership id looked at in this run) and waits for the next
    run. Whether there was anything."""
    from openvet.store import records
    from openvet.store.filters import Condition

    passed = {"membership": 0} if passed is None else passed
    memberships = engine.registry["wellnessplanmembership"]
    with engine.writing(clinic_id, lock=memberships) as writer:
        writer.now = now  # the rules see the moment renewed as of, not the clock
        conn, tables = writer.conn, engine.tables
        billed_ids = records.select_ids(conn, tables["wellnessplanmembership"], clinic_id, [
            Condition("next_bill_date", "lte", now), Condition("id", "gt", passed["membership"]),
            Condition("active", "eq", True), Condition("status", "eq", "Active")], BATCH, lock=True)
        for membership_id in billed_ids:
            bill_membership(writer, clinic_id, membership_id, done)
            passed["membership"] = max(passed["membership"], membership_id)
        if billed_ids:
            return True
        credit_ids = records.select_ids(conn, tables["billingcredit"], clinic_id, [
            Condition("active", "eq", True), Condition("end_date", "lt", now), Condition("expires_in_qty", "gt", 0)],
            BATCH, lock=True)
        for credit_id in credit_ids:
            refresh_credit(writer, clinic_id, credit_id, done)
        if credit_ids:  # credits first, till none is due: a refreshed one may be due too, within the term
            return True
        open_periods = engine.find(conn, clinic_id, PERIOD, {"end_date": None, "active": True})
        live = sorted({p["wellness_plan_membership"] for p in open_periods})
        due = records.select_ids(conn, tables["wellnessplanmembership"], clinic_id, [
            Condition("id", "in", live), Condition("end_date", "lt", now), Condition("active", "eq", True),
            Condition("status", "neq", "Cancelled")],
            BATCH, lock=True) if live else []
        for membership_id in due:
            end_term(writer, clinic_id, membership_id, done)
        return bool(due)


def bill_membership(writer: Any, clinic_id: int, membership_id: int, done: dict[str, int]) -> None:
    """The subscription bills due of one membership: a write of the membership that changes nothing of its own, so
    that its rules (``membership_bills_its_subscription``) raise them."""
    engine = writer.engine
    membership = engine.lookup(writer.conn, clinic_id, "wellnessplanmembership", membership_id, full=True)
    if membership is None:
        return
    from openvet.engine.problems import ValidationFailed

    try:
        with writer.conn.begin_nested():
            writer.change(engine.registry["wellnessplanmembership"], membership, {}, None)
    except ValidationFailed as refused:  # one membership's odd record does not stop the others' bills
        log.warning("WellnessPlanMembership %s: its bill is not raised, retried at the next run (%s)", membership_id,
                    refused)
        return
    after = engine.lookup(writer.conn, clinic_id, "wellnessplanmembership", membership_id)
    done["memberships_billed"] += (after.get("billed_cycles") or 0) != (membership.get("billed_cycles") or 0)


def refresh_credit(writer: Any, clinic_id: int, credit_id: int, done: dict[str, int]) -> None:
    """A credit past its end: what is left is wasted and it expires (``expires_in_qty`` 0); while its membership's
    term goes on, not cancelled, the benefit (active, ``renewable`` unless false) gives the next credit, for the
    next ``refresh_cycle_quantity`` cycles (L14707)."""
    engine, conn = writer.engine, writer.conn
    credit_ = engine.lookup(conn, clinic_id, "billingcredit", credit_id, full=True)
    if credit_ is None or not credit_.get("expires_in_qty"):
        return
    left = credit_left(credit_)
    writer.change(engine.registry["billingcredit"], credit_, {
        "expires_in_qty": 0, **({"wasted": (credit_.get("wasted") or ZERO) + left} if left > 0 else {})}, None)
    done["credits_expired"] += 1
    membership = engine.lookup(conn, clinic_id, "wellnessplanmembership", credit_["wellness_plan_membership_id"])
    benefit = engine.lookup(conn, clinic_id, "wellnessplanbenefit", credit_["wellness_plan_benefit_id"])
    if membership is None or benefit is None or not benefit.get("active") or not membership.get("active") or \
            membership.get("status") == "Cancelled" or (benefit.get("benefit_config") or {}).get("renewable") is False:
        return
    start = credit_["end_date"] + 1
    if start > (membership.get("end_date") or 0):
        return  # the term ends with it
    plan = engine.lookup(conn, clinic_id, "wellnessplan", membership["wellness_plan"])
    cycle = cycle_at(plan, membership["start_date"], start)
    if engine.find(conn, clinic_id, "billingcredit", {"wellness_plan_membership_id": membership["id"],
                                                      "wellness_plan_benefit_id": benefit["id"],
                                                      "wellness_plan_membership_cycle_id": cycle, "active": True}):
        return
    opened = engine.find(conn, clinic_id, PERIOD, {"wellness_plan_membership": membership["id"], "end_date": None,
                                                   "active": True})
    writer.create(engine.registry["billingcredit"], credit(
        plan, benefit, membership["id"], opened[0]["id"] if opened else credit_.get(
            "wellness_plan_membership_status_period_id"), membership, start, membership["end_date"], cycle), None)
    done["credits_refreshed"] += 1


def end_term(writer: Any, clinic_id: int, membership_id: int, done: dict[str, int]) -> None:
    """A membership past its ``end_date`` (not cancelled): its open status period closes at the end of the term,
    its credits waste what is left, and, if it ``renew_when_expired``, a membership of its ``next_wellness_plan``
    starts the second after (the plan's ``replacement_wellness_plan`` if the next one takes no members), for the
    same animal, renewing it (``previous_wellness_plan_membership``); it keeps its billing interval if the new plan
    has it, else 1, its sales resource, ownership and reference, and the options chosen with ``auto_renew`` that are
    benefits of the new plan. A renewal the rules refuse (the animal is no longer
    active, no plan takes members) leaves the membership ended, not renewed."""
    from openvet.engine.problems import ValidationFailed

    engine, conn, registry = writer.engine, writer.conn, writer.engine.registry
    membership = engine.lookup(conn, clinic_id, "wellnessplanmembership", membership_id, full=True)
    opened = engine.find(conn, clinic_id, PERIOD, {"wellness_plan_membership": membership_id, "end_date": None,
                                                   "active": True})
    if membership is None or not opened or membership.get("status") == "Cancelled" or \
            (membership.get("end_date") or LAST) >= writer.now:
        return
    plan = engine.lookup(conn, clinic_id, "wellnessplan", membership["wellness_plan"])
    # a period loaded without a start (``openvet load``: start_date is optional) closes at the term's end too
    end = max([membership["end_date"], *(p["start_date"] for p in opened if p.get("start_date") is not None)])
    for period in opened:
        writer.change(registry[PERIOD], engine.lookup(conn, clinic_id, PERIOD, period["id"], full=True), {
            "end_date": end, "end_cycle": max(cycle_at(plan, membership["start_date"], end),
                                              period.get("start_cycle") or 1)}, None)
    for credit_ in engine.find(conn, clinic_id, "billingcredit", {"wellness_plan_membership_id": membership_id,
                                                                  "active": True}):
        left = credit_left(credit_)
        if credit_.get("expires_in_qty") or left > 0:
            writer.change(registry["billingcredit"], credit_, {
                "expires_in_qty": 0, **({"wasted": (credit_.get("wasted") or ZERO) + left} if left > 0 else {})},
                None)
    done["memberships_ended"] += 1
    if not membership.get("renew_when_expired") or membership.get("next_wellness_plan") is None:
        return
    next_plan = engine.lookup(conn, clinic_id, "wellnessplan", membership["next_wellness_plan"])
    if next_plan is not None and not (next_plan.get("active") and not next_plan.get("discontinued")):
        next_plan = engine.lookup(conn, clinic_id, "wellnessplan", next_plan.get("replacement_wellness_plan"))
        if next_plan is None or not next_plan.get("active") or next_plan.get("discontinued"):
            return
        with conn.begin_nested():  # the renewal of the plan replacing the next one
            writer.change(registry["wellnessplanmembership"], membership, {"next_wellness_plan": next_plan["id"]},
                          None)
    if next_plan is None:
        return
    interval = membership.get("billing_interval") or 1
    body = {"wellness_plan": next_plan["id"], "animal_id": membership["animal_id"],
            "resource_id": membership["resource_id"], "renew_when_expired": True,
            "start_date": membership["end_date"] + 1, "ownership_id": membership["ownership_id"],
            "billing_interval": interval if interval in billing_intervals(next_plan) else 1,
            "reference": membership.get("reference")}
    try:
        with conn.begin_nested():
            renewal = writer.create(registry["wellnessplanmembership"], body, None)
            for option in engine.find(conn, clinic_id, "wellnessplanmembershipoption",
                                      {"wellness_plan_membership": membership_id, "active": True}):
                benefit = engine.lookup(conn, clinic_id, "wellnessplanbenefit", option["wellness_plan_benefit"])
                if option.get("auto_renew") and benefit and benefit.get("active") and \
                        benefit.get("wellnessplan_id") == next_plan["id"]:
                    writer.create(registry["wellnessplanmembershipoption"], {
                        "wellness_plan_membership": renewal, "wellness_plan_benefit": benefit["id"],
                        "start_cycle": 1, "auto_renew": True}, None)
    except ValidationFailed as refused:
        log.warning("WellnessPlanMembership %s ended without renewal: the renewal was refused (%s)", membership_id,
                    refused)
        return
    done["memberships_renewed"] += 1
