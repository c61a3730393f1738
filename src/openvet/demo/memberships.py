"""Wellness memberships in bulk: a share of the dogs and cats of a chunk belong to one of the demo's plans, with
what the engine's rules have written for each by the moment of loading.

The plans are ``wellness.py``'s (found by name). A member joined between two years ago (or the day after it was
registered) and yesterday; a puppy joins the Puppy Wellness Plan, an animal of eight or more the Senior Care Plan,
any other the Adult Dental Plan. Its life is then played out here by the rules of ``services/wellness.py``, using
its own functions (``end_of_term``, ``cycle_at``, ``credit``...): joining opens an active status period and gives one
BillingCredit per benefit that is not optional (``membership_joins_a_plan``); a pause closes that period and opens
a paused one, moving the end of the term (``membership_lifecycle``); a cancellation (savings only: no credit was
used, so nothing is billed) opens a cancelled one, wastes what the credits had left and records its PriceAdjustment
(``cancel``); and time passes as ``renew_due`` lets it pass, each thing done the second it falls due: a credit past
its end expires and the benefit gives the next one (``refresh_credit``), a term that ended closes its period and
expires its credits, and is renewed by a membership of the same plan if the owner chose to renew
(``end_term``). The membership now current may be paused (lately) or cancelled; most are active.

What is not written: the invoices of a membership's joining and cycle fees (docs/demo-data.md names the gap), and
no bulk invoice line took a member's benefit: the memberships are recorded as if entered after the consults were
invoiced, so every credit is unused. ``tests/test_demo_data.py`` replays samples through the engine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from openvet.demo.bulk import Layout
from openvet.demo.households import ANIMAL_COLUMNS, OWNER_COLUMNS, YEAR
from openvet.services.wellness import credit, credit_left, cycle_at, end_of_term, paused_cycles

DAY = 86_400
SHARE = 0.12  # of the living dogs and cats of owners who may be invoiced
MEMBERS_FROM = 1_000  # animals in a load: a smaller demo keeps the few memberships wellness.py makes by the engine
RENEWING = 0.65  # members who chose to renew when the term ends
PAUSED, CANCELLED = 0.07, 0.08  # of the memberships current at loading
PUPPY, DENTAL, SENIOR = "Puppy Wellness Plan", "Adult Dental Plan", "Senior Care Plan"
CANCELLATION = "savings_only"

STAMP = ("id", "clinic_id", "active", "created_at", "modified_at")
MEMBERSHIP = ("wellness_plan", "animal_id", "resource_id", "renew_when_expired", "start_date", "end_date", "status",
              "billing_interval", "previous_wellness_plan_membership", "next_wellness_plan", "reference",
              "ownership_id")
PERIOD = ("wellness_plan_membership", "start_cycle", "end_cycle", "start_date", "end_date", "status")
CREDIT = ("available_associated_type", "available_associated_id", "wellness_plan_id", "wellness_plan_benefit_id",
          "wellness_plan_membership_id", "wellness_plan_membership_status_period_id", "associated_type",
          "associated_id", "type", "amount", "wasted", "used", "start_date", "expires_in_unit", "expires_in_qty",
          "end_date", "single_use", "wellness_plan_membership_cycle_id", "allocation_method")
ADJUSTMENT = ("type", "adjustment_method", "adjustment_amount", "associated_type", "associated_id", "triggering_type",
              "triggering_id", "description", "total_change", "total_change_tax", "total_earned", "total_earned_tax",
              "consuming", "wellness_plan_id", "wellness_plan_benefit_id", "wellness_plan_membership_id")
LAYOUTS = {
    "wellnessplanmembership": Layout((*STAMP, *MEMBERSHIP), {"animal_id": "animal", "previous_wellness_plan_membership":
                                                             "wellnessplanmembership"}),
    "wellnessplanmembershipstatusperiod": Layout((*STAMP, *PERIOD),
                                                 {"wellness_plan_membership": "wellnessplanmembership"}),
    "billingcredit": Layout((*STAMP, *CREDIT), {
        "wellness_plan_membership_id": "wellnessplanmembership",
        "wellness_plan_membership_status_period_id": "wellnessplanmembershipstatusperiod"},
        typed={"available_associated_id": "available_associated_type"}),
    "priceadjustment": Layout((*STAMP, *ADJUSTMENT), {"wellness_plan_membership_id": "wellnessplanmembership"},
                              typed={"triggering_id": "triggering_type"}),
}
TABLES = tuple(LAYOUTS)

_a = ANIMAL_COLUMNS.index
A_ID, A_ACTIVE, A_CREATED, A_DEAD, A_SPECIES, A_OWNER, A_BORN = (
    _a("id"), _a("active"), _a("created_at"), _a("is_dead"), _a("species_id"), _a("contact_id"), _a("date_of_birth"))
O_ID, O_STOP = OWNER_COLUMNS.index("id"), OWNER_COLUMNS.index("stop_credit")


@dataclass
class Scheme:
    """A plan as its memberships need it: the plan's record and its active benefits."""

    plan: dict[str, Any]
    benefits: list[dict[str, Any]]


def read_schemes(engine, conn: sa.Connection, clinic_id: int) -> dict[str, Scheme]:
    """The demo's plans that take members, by name (``wellness.py`` made them)."""
    schemes = {}
    for plan in engine.find(conn, clinic_id, "wellnessplan", {"active": True}):
        if plan["name"] in (PUPPY, DENTAL, SENIOR) and not plan.get("discontinued"):
            benefits = [b for b in engine.find(conn, clinic_id, "wellnessplanbenefit", {"wellnessplan_id": plan["id"]})
                        if b.get("active")]
            schemes.setdefault(plan["name"], Scheme(plan, benefits))
    return schemes


@dataclass
class Life:
    """One membership as the rules have left it: its values, status periods, credits and (cancelled) the
    cancellation's PriceAdjustment; each row a dict of its columns, with its moments made and last changed."""

    scheme: Scheme
    values: dict[str, Any]
    periods: list[dict[str, Any]] = field(default_factory=list)
    credits: list[dict[str, Any]] = field(default_factory=list)
    adjustment: dict[str, Any] | None = None
    previous: Life | None = None


def _row(values: dict[str, Any], at: int) -> dict[str, Any]:
    return {**values, "_created": at, "_modified": at}


class Memberships:
    def __init__(self, clinic_id: int, schemes: dict[str, Scheme], species: dict[int, str],
                 resources: list[int], location: int | None, now: int, seed: int, animals: int):
        self.clinic_id, self.schemes, self.species, self.resources = clinic_id, schemes, species, resources
        self.location, self.now = location, now
        self.rng = random.Random(seed ^ 0x3E11)
        self.on = animals >= MEMBERS_FROM and bool(resources) and location is not None and all(
            name in schemes for name in (PUPPY, DENTAL, SENIOR))

    # planning: each member's memberships, played out till now ---------------------------------------------------

    def plan(self, owners: list[tuple], animals: list[tuple]) -> list[Life]:
        if not self.on:
            return []
        rand, now = self.rng.random, self.now
        stopped = {row[O_ID] for row in owners if row[O_STOP] == "STOP"}
        lives: list[Life] = []
        for row in animals:
            if rand() >= SHARE or row[A_DEAD] or not row[A_ACTIVE] or row[A_OWNER] in stopped or \
                    self.species.get(row[A_SPECIES]) not in ("Canine", "Feline"):
                continue
            earliest = max(row[A_CREATED] + DAY, now - 2 * YEAR)
            if earliest >= now - DAY:
                continue
            start = earliest + int(rand() * (now - DAY - earliest))
            age = (start - (row[A_BORN] or start)) / YEAR
            canine = self.species.get(row[A_SPECIES]) == "Canine"
            name = SENIOR if age >= 8 else PUPPY if canine and age < 1.5 else DENTAL
            resource = self.resources[int(rand() * len(self.resources))]
            lives += self.member(self.schemes[name], row[A_ID], start, resource, rand() < RENEWING)
        return lives

    def member(self, scheme: Scheme, animal_id: int, start: int, resource: int, renew: bool) -> list[Life]:
        """The animal's memberships from the one it joined at ``start``: renewals follow each term that ended while
        it renews; the last is current (or ended, not renewed), and may be paused or cancelled."""
        rand, now = self.rng.random, self.now
        lives = [self.join(scheme, animal_id, start, resource, renew, None)]
        while True:
            life = lives[-1]
            if life.values["end_date"] >= now:  # the membership of today: paused, cancelled, or active
                roll = rand()
                begun = life.values["start_date"] + DAY
                if roll < PAUSED + CANCELLED and begun < now - 3600:
                    if roll < PAUSED:  # lately: a pause of the last 30 days
                        lately = max(begun, now - 30 * DAY)
                        moment = lately + int(rand() * (now - 3600 - lately))
                        limit = scheme.plan.get("pause_limit_qty") or 0
                        if limit:
                            self.catch_up(life, moment)
                            self.pause(life, moment, 1 + int(rand() * min(2, limit)))
                    else:
                        moment = begun + int(rand() * (now - 3600 - begun))
                        self.catch_up(life, moment)
                        self.cancel(life, moment)
            renewal = self.catch_up(life, now)
            if renewal is None:
                return lives
            lives.append(renewal)

    def join(self, scheme: Scheme, animal_id: int, start: int, resource: int, renew: bool,
             previous: Life | None) -> Life:
        """``membership_joins_a_plan``: Active till the end of its term, its first period open, a credit per benefit
        that is not optional."""
        plan = scheme.plan
        end = end_of_term(plan, start, 0)
        values = _row({"wellness_plan": plan["id"], "animal_id": animal_id, "resource_id": resource,
                       "renew_when_expired": renew, "start_date": start, "end_date": end, "status": "Active",
                       "billing_interval": 1, "previous_wellness_plan_membership": None,
                       "next_wellness_plan": plan["id"], "reference": None, "ownership_id": self.location}, start)
        life = Life(scheme, values, previous=previous)
        life.periods.append(_row({"start_cycle": 1, "end_cycle": None, "start_date": start, "end_date": None,
                                  "status": "active"}, start))
        for benefit in scheme.benefits:
            if not benefit.get("optional"):
                life.credits.append(_row(credit(plan, benefit, None, 0, values, start, end, 1), start))
        return life

    def catch_up(self, life: Life, until: int) -> Life | None:
        """What ``renew_due`` does for the membership by ``until``, each thing the second after it falls due (a
        credit before the term it ends with): credits refreshed, the term ended. The renewal, if it renews."""
        values = life.values
        while True:
            due = [c for c in life.credits if c["expires_in_qty"] and c["end_date"] < until]
            ending = values["status"] != "Cancelled" and life.periods[-1]["end_date"] is None and \
                values["end_date"] < until
            if due:
                first = min(due, key=lambda c: c["end_date"])
                if not ending or first["end_date"] <= values["end_date"]:
                    self.refresh(life, first)
                    continue
            if not ending:
                return None
            return self.end_term(life)

    def refresh(self, life: Life, old: dict[str, Any]) -> None:
        """``refresh_credit``: what is left is wasted and the credit expires; within the term, not cancelled, the
        benefit gives the next one, from the second after."""
        at, values, plan = old["end_date"] + 1, life.values, life.scheme.plan
        left = credit_left(old)
        old.update({"expires_in_qty": 0, "_modified": at, **({"wasted": old["wasted"] + left} if left > 0 else {})})
        benefit = next(b for b in life.scheme.benefits if b["id"] == old["wellness_plan_benefit_id"])
        if values["status"] == "Cancelled" or (benefit.get("benefit_config") or {}).get("renewable") is False:
            return
        if at > values["end_date"]:
            return
        cycle = cycle_at(plan, values["start_date"], at)
        if any(c["wellness_plan_benefit_id"] == benefit["id"] and c["wellness_plan_membership_cycle_id"] == cycle
               for c in life.credits):
            return
        opened = [n for n, p in enumerate(life.periods) if p["end_date"] is None]
        period = opened[0] if opened else old["wellness_plan_membership_status_period_id"]
        life.credits.append(_row(credit(plan, benefit, None, period, values, at, values["end_date"], cycle), at))

    def end_term(self, life: Life) -> Life | None:
        """``end_term``: the open period closes at the end of the term, the credits expire (what is left wasted);
        a membership that renews is followed by one of its next plan (its own) from the second after."""
        values, plan = life.values, life.scheme.plan
        at = values["end_date"] + 1
        end = max([values["end_date"], *(p["start_date"] for p in life.periods if p["end_date"] is None)])
        for period in life.periods:
            if period["end_date"] is None:
                period.update({"end_date": end, "_modified": at, "end_cycle": max(
                    cycle_at(plan, values["start_date"], end), period["start_cycle"] or 1)})
        for kept in life.credits:
            left = credit_left(kept)
            if kept["expires_in_qty"] or left > 0:
                kept.update({"expires_in_qty": 0, "_modified": at,
                             **({"wasted": kept["wasted"] + left} if left > 0 else {})})
        if not values["renew_when_expired"] or values["next_wellness_plan"] is None:
            return None
        return self.join(life.scheme, values["animal_id"], at, values["resource_id"], True, life)

    def pause(self, life: Life, moment: int, length: int) -> None:
        """``membership_lifecycle``, Active -> Paused for ``length`` cycles: the term ends that much later."""
        values, plan = life.values, life.scheme.plan
        start, current = values["start_date"], life.periods[-1]
        cycle = cycle_at(plan, start, moment)
        current.update({"end_date": moment - 1, "end_cycle": cycle_at(plan, start, moment - 1), "_modified": moment})
        life.periods.append(_row({"start_cycle": cycle, "end_cycle": cycle + length - 1, "start_date": moment,
                                  "end_date": None, "status": "paused"}, moment))
        values.update({"status": "Paused", "end_date": end_of_term(plan, start, paused_cycles(life.periods)),
                       "_modified": moment})

    def cancel(self, life: Life, moment: int) -> None:
        """``membership_lifecycle`` and ``cancel``, savings only: the cancelled period opens, the credits waste what
        they had left, nothing is billed (no credit was used) and the PriceAdjustment of 0 records it."""
        values, plan = life.values, life.scheme.plan
        start, current = values["start_date"], life.periods[-1]
        cycle = cycle_at(plan, start, moment)
        current.update({"end_date": moment - 1, "end_cycle": cycle_at(plan, start, moment - 1), "_modified": moment})
        life.periods.append(_row({"start_cycle": cycle, "end_cycle": None, "start_date": moment, "end_date": None,
                                  "status": "cancelled"}, moment))
        for kept in life.credits:
            left = credit_left(kept)
            if left > 0:
                kept.update({"wasted": kept["wasted"] + left, "_modified": moment})
        zero = Decimal("0.00")
        life.adjustment = _row({
            "type": "Surcharge", "adjustment_method": "value", "adjustment_amount": zero,
            "associated_type": "Product" if plan.get("cancellation_product") else None,
            "associated_id": plan.get("cancellation_product"), "triggering_type": "WellnessPlanMembership",
            "triggering_id": None, "description": f"Cancellation of {plan.get('name')} ({CANCELLATION})",
            "total_change": zero, "total_change_tax": Decimal(0), "total_earned": Decimal(0),
            "total_earned_tax": Decimal(0), "consuming": False, "wellness_plan_id": plan["id"],
            "wellness_plan_benefit_id": None, "wellness_plan_membership_id": None}, moment)
        values.update({"status": "Cancelled", "end_date": end_of_term(plan, start, paused_cycles(life.periods)),
                       "renew_when_expired": False, "next_wellness_plan": None, "_modified": moment})

    # rows --------------------------------------------------------------------------------------------------------

    @staticmethod
    def counts(lives: list[Life]) -> dict[str, int]:
        return {"wellnessplanmembership": len(lives),
                "wellnessplanmembershipstatusperiod": sum(len(life.periods) for life in lives),
                "billingcredit": sum(len(life.credits) for life in lives),
                "priceadjustment": sum(life.adjustment is not None for life in lives)}

    def rows(self, lives: list[Life], ids: dict[str, list[int]]) -> dict[str, list[tuple]]:
        taken = {name: iter(ids.get(name, ())) for name in TABLES}
        tables: dict[str, list[tuple]] = {name: [] for name in TABLES}
        clinic = self.clinic_id
        made: dict[int, int] = {}  # id(life) -> its membership id
        for life in lives:
            membership = made[id(life)] = next(taken["wellnessplanmembership"])
            values = {**life.values, "previous_wellness_plan_membership":
                      made[id(life.previous)] if life.previous is not None else None}
            tables["wellnessplanmembership"].append(
                (membership, clinic, True, values["_created"], values["_modified"], *(values[c] for c in MEMBERSHIP)))
            periods = []
            for period in life.periods:
                periods.append(next(taken["wellnessplanmembershipstatusperiod"]))
                values = {**period, "wellness_plan_membership": membership}
                tables["wellnessplanmembershipstatusperiod"].append(
                    (periods[-1], clinic, True, period["_created"], period["_modified"], *(values[c] for c in PERIOD)))
            for kept in life.credits:
                values = {**kept, "wellness_plan_membership_id": membership,
                          "wellness_plan_membership_status_period_id":
                              periods[kept["wellness_plan_membership_status_period_id"]]}
                tables["billingcredit"].append((next(taken["billingcredit"]), clinic, True, kept["_created"],
                                                kept["_modified"], *(values[c] for c in CREDIT)))
            if life.adjustment is not None:
                values = {**life.adjustment, "triggering_id": membership, "wellness_plan_membership_id": membership}
                tables["priceadjustment"].append((next(taken["priceadjustment"]), clinic, True, values["_created"],
                                                  values["_modified"], *(values[c] for c in ADJUSTMENT)))
        return tables
