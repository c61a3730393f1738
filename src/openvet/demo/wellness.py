"""The demo practice's wellness plans: three plans with their fee and cancellation products and prices, their
benefits and benefit items, and memberships for a few of the demo animals (one paused), all written through the
engine so that every rule applies: the memberships' status periods, credits and joining invoices are the rules'
own.

Seeded idempotently: plans are found by name (``seed_wellness``, run by ``load_animals``). Once the demo's consults
are invoiced (``seed_billing``, which leaves alone a clinic that has invoices: so the memberships, whose joining
bills are invoices, come after it), ``seed_wellness_billing`` enrols a few animals while the clinic has no
membership (each membership's joining bill invoiced), has a puppy member's vaccination invoiced (its free use of
the plan's credit: a consuming PriceAdjustment) and a dental membership cancelled, its fee invoiced.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

DAY = 86_400

# name, cycle unit, cycle qty, term (cycles), pause limit, price of a cycle, fee product code
PLANS = (
    ("Puppy Wellness Plan", "month", 1, 12, 3, Decimal("39.00"), "WP-PUPPY"),
    ("Adult Dental Plan", "month", 1, 12, 6, Decimal("29.00"), "WP-DENTAL"),
    ("Senior Care Plan", "month", 3, 4, 1, Decimal("120.00"), "WP-SENIOR"),
)
# plan, benefit name, optional, config, product codes the benefit covers
BENEFITS = (
    ("Puppy Wellness Plan", "Core vaccinations", False,
     {"type": "percentage", "type_value": 100, "allocation": "unit", "usages": 3, "renewable": True,
      "option_cost_exc_tax": 0, "refresh_cycle_quantity": 12}, ("VAC-C5", "VAC-LEP")),
    ("Puppy Wellness Plan", "Faecal test", True,
     {"type": "percentage", "type_value": 50, "allocation": "unit", "usages": 1, "renewable": True,
      "option_cost_exc_tax": 15, "refresh_cycle_quantity": 12}, ("LAB-FEC",)),
    ("Adult Dental Plan", "Dental check", False,
     {"type": "value", "type_value": 40, "allocation": "line", "renewable": True, "option_cost_exc_tax": 0,
      "refresh_cycle_quantity": 6}, ()),
    ("Senior Care Plan", "Senior blood panel", False,
     {"type": "percentage", "type_value": 25, "allocation": "unit", "usages": 2, "renewable": True,
      "option_cost_exc_tax": 0, "refresh_cycle_quantity": 4}, ("LAB-BIO", "LAB-CBC", "LAB-T4")),
)
MEMBERS = 6  # animals enrolled
CANCELLATION = ("WP-CANCEL", "Wellness plan cancellation", Decimal("25.00"))


def seed_wellness(engine, clinic_id: int) -> None:
    """The plans, their fee products and prices, their benefits and benefit items (no membership yet: a
    membership's joining bill is an invoice, and the bulk load's invoices are the consults' alone)."""
    t, registry = engine.tables, engine.registry
    with engine.writing(clinic_id) as writer:
        conn = writer.conn

        def create(name: str, body: dict[str, Any]) -> int:
            return writer.create(registry[name], body, None)

        def named(name: str, column: str = "name") -> dict[str, int]:
            table = t[name]
            return {key: record_id for key, record_id in conn.execute(
                sa.select(table.c[column], table.c.id).where(table.c.clinic_id == clinic_id)
                .order_by(table.c.id.desc()))}

        def first(name: str, **equal: Any) -> int | None:
            table = t[name]
            query = sa.select(table.c.id).where(table.c.clinic_id == clinic_id, *(
                table.c[k] == v for k, v in equal.items())).order_by(table.c.id).limit(1)
            return conn.execute(query).scalar()

        products, plans = named("product", "code"), named("wellnessplan")
        location, rate = first("separation", type="Location"), first("taxrate", code="S")
        fees = [(code, f"{name} subscription", price) for name, _, _, _, _, price, code in PLANS] + [CANCELLATION]
        for code, name, price in fees:
            if code in products:
                continue
            products[code] = create("product", {"name": name, "code": code, "type": "Standard", "is_sold": True})
            if rate is not None and location is not None:
                create("productpricing", {"product_id": products[code], "ownership_id": location,
                                          "based_on": "Price", "tax_rate": rate, "cost_price": 0, "sell_price": price})
        for name, unit, qty, term, pauses, _, code in PLANS:
            if name in plans:
                continue
            plans[name] = create("wellnessplan", {
                "name": name, "subscription_cycle_unit": unit, "subscription_cycle_qty": qty, "term_qty": term,
                "pause_limit_qty": pauses, "subscription_fee_product": products[code], "min_cycle_qty_on_signup": 1,
                "cancellation_product": products[CANCELLATION[0]], "ownership_id": location})
            for plan, benefit, optional, config, covered in BENEFITS:
                if plan != name:
                    continue
                made = create("wellnessplanbenefit", {"name": benefit, "earn_method": "default", "earn_amount": 0,
                                                      "optional": optional, "benefit_config": config,
                                                      "wellnessplan_id": plans[name]})
                for covered_code in covered:
                    if covered_code in products:
                        create("wellnessplanbenefititem", {
                            "wellness_plan_benefit": made, "associated_type": "Product",
                            "associated_id": products[covered_code], "earn_method": "Default", "earn_amount": 0,
                            "consumption_rate": 1})


def seed_wellness_billing(engine, clinic_id: int) -> None:
    """After the consults are invoiced: a few animals are enrolled (``enrol``); the first puppy member has its C5
    vaccination invoiced, free through the plan's credit; the second dental member cancels, billed what remains
    of its term on an invoice of its own. Once: a clinic with a cancelled membership is left alone."""
    registry = engine.registry
    with engine.writing(clinic_id) as writer:
        conn = writer.conn

        def rows(name: str, **equal: Any) -> list[dict[str, Any]]:
            return [r for r in engine.find(conn, clinic_id, name, equal) if r.get("active")]

        if rows("wellnessplanmembership", status="Cancelled"):
            return
        stopped = {c["id"] for c in rows("contact", stop_credit="STOP")}
        if not rows("wellnessplanmembership"):
            enrol(writer, clinic_id)
        plans = {p["name"]: p["id"] for p in rows("wellnessplan")}
        members = {name: [m for m in rows("wellnessplanmembership", wellness_plan=plan_id, status="Active")
                          if (engine.lookup(conn, clinic_id, "animal", m["animal_id"]) or {}).get("contact_id")
                          not in stopped] for name, plan_id in plans.items()}
        vaccine = next(iter(rows("product", code="VAC-C5")), None)
        sellers = rows("user", is_salesperson=True)
        location = next(iter(rows("separation", type="Location")), None)
        rate = next(iter(rows("taxrate", code="S")), None)
        puppies = members.get("Puppy Wellness Plan") or []
        if vaccine is not None and sellers and location is not None and puppies:
            if not rows("productpricing", product_id=vaccine["id"]) and rate is not None:
                writer.create(registry["productpricing"], {
                    "product_id": vaccine["id"], "ownership_id": location["id"], "based_on": "Price",
                    "tax_rate": rate["id"], "cost_price": Decimal("12.00"), "sell_price": Decimal("45.00")}, None)
            animal = engine.lookup(conn, clinic_id, "animal", puppies[0]["animal_id"])
            writer.create(registry["invoice"], {
                "contact_id": animal["contact_id"], "animal_id": animal["id"], "ownership_id": location["id"],
                "line_item": [{"product_id": vaccine["id"], "quantity": 1, "sales_person": sellers[0]["id"],
                               "ownership_id": location["id"], "location_id": location["id"]}]}, None)
        dental = members.get("Adult Dental Plan") or []
        if dental:
            membership = engine.lookup(conn, clinic_id, "wellnessplanmembership", dental[-1]["id"], full=True)
            writer.change(registry["wellnessplanmembership"], membership,
                          {"status": "Cancelled", "cancellation_option": "remaining"}, None)


def enrol(writer, clinic_id: int) -> None:
    """A few of the clinic's first active animals (of owners who may be invoiced) join the plans in turn, from 100
    days ago, billed every cycle: each membership's joining bill is invoiced (its first cycle); the second puppy
    is paused for a cycle."""
    engine, registry, t = writer.engine, writer.engine.registry, writer.engine.tables
    conn = writer.conn

    def first(name: str, **equal: Any) -> int | None:
        table = t[name]
        query = sa.select(table.c.id).where(table.c.clinic_id == clinic_id, *(
            table.c[k] == v for k, v in equal.items())).order_by(table.c.id).limit(1)
        return conn.execute(query).scalar()

    animals, contacts = t["animal"], t["contact"]
    query = sa.select(animals.c.id).join(contacts, contacts.c.id == animals.c.contact_id).where(
        animals.c.clinic_id == clinic_id, animals.c.active.is_(True),
        sa.or_(contacts.c.stop_credit.is_(None), contacts.c.stop_credit != "STOP"))
    enrolled = conn.execute(query.order_by(animals.c.id).limit(MEMBERS)).scalars().all()
    seller, location = first("resource", type="user"), first("separation", type="Location")
    plans = {p["name"]: p["id"] for p in engine.find(conn, clinic_id, "wellnessplan", {}) if p.get("active")}
    names = [name for name, *_ in PLANS if name in plans]
    if not enrolled or seller is None or location is None or not names:
        return
    start = writer.now - 100 * DAY
    for number, animal_id in enumerate(enrolled):
        plan = names[number % len(names)]
        membership = writer.create(registry["wellnessplanmembership"], {
            "wellness_plan": plans[plan], "animal_id": animal_id, "resource_id": seller, "start_date": start,
            "renew_when_expired": number % 2 == 0, "billing_interval": 1, "ownership_id": location,
            "reference": f"DEMO-{number + 1:03d}"}, None)
        if number == len(names):  # the second puppy is paused for a month
            before = engine.lookup(conn, clinic_id, "wellnessplanmembership", membership, full=True)
            writer.change(registry["wellnessplanmembership"], before, {"status": "Paused", "pause_length": 1}, None)


__all__ = ["PLANS", "seed_wellness", "seed_wellness_billing"]
