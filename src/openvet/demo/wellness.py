"""The demo practice's wellness plans: three plans with their fee products and prices, their benefits and benefit
items, and memberships for a few of the demo animals (one paused, one cancelled), all written through the engine
so that every rule applies: the memberships' status periods, credits and cancellation bill are the rules' own.

Seeded after the animals are loaded, idempotently: plans are found by name, and animals are enrolled only while
the clinic has no membership.
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


def seed_wellness(engine, clinic_id: int) -> None:
    """The plans, their benefits and a few memberships of the clinic's first animals."""
    t, registry = engine.tables, engine.registry
    with engine.writing(clinic_id) as writer:
        conn = writer.conn

        def create(name: str, body: dict[str, Any]) -> int:
            return writer.create(registry[name], body, None)

        def change(membership: int, body: dict[str, Any]) -> None:
            before = writer.engine.lookup(conn, clinic_id, "wellnessplanmembership", membership)
            writer.change(registry["wellnessplanmembership"], before, body, None)

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
        for name, unit, qty, term, pauses, price, code in PLANS:
            if name in plans:
                continue
            if code not in products:
                products[code] = create("product", {"name": f"{name} subscription", "code": code,
                                                    "type": "Standard", "is_sold": True})
                if rate is not None and location is not None:
                    create("productpricing", {"product_id": products[code], "ownership_id": location,
                                              "based_on": "Price", "tax_rate": rate, "cost_price": 0,
                                              "sell_price": price})
            plans[name] = create("wellnessplan", {
                "name": name, "subscription_cycle_unit": unit, "subscription_cycle_qty": qty, "term_qty": term,
                "pause_limit_qty": pauses, "subscription_fee_product": products[code], "min_cycle_qty_on_signup": 1,
                "ownership_id": location})
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
        if first("wellnessplanmembership") is not None:
            return
        animals = t["animal"]
        enrolled = conn.execute(sa.select(animals.c.id).where(animals.c.clinic_id == clinic_id,
                                                              animals.c.active.is_(True))
                                .order_by(animals.c.id).limit(MEMBERS)).scalars().all()
        seller = first("resource", type="user")
        if not enrolled or seller is None or location is None:
            return
        names = [name for name, *_ in PLANS]
        start = writer.now - 100 * DAY
        for number, animal_id in enumerate(enrolled):
            plan = names[number % len(names)]
            membership = create("wellnessplanmembership", {
                "wellness_plan": plans[plan], "animal_id": animal_id, "resource_id": seller, "start_date": start,
                "renew_when_expired": number % 2 == 0, "billing_interval": 1, "ownership_id": location,
                "reference": f"DEMO-{number + 1:03d}"})
            if number == len(names):  # the second puppy is paused for a month
                change(membership, {"status": "Paused", "pause_length": 1})
            elif number == len(names) + 1:  # the second dental member cancelled, billed what remains of the term
                change(membership, {"status": "Cancelled", "cancellation_option": "remaining"})


__all__ = ["PLANS", "seed_wellness"]
