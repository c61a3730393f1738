"""Wellness plans: the plans a clinic sells (a subscription billed each cycle), their benefits and benefit items,
the memberships of animals with their lifecycle and status periods, the options chosen, and the billing credits
and price adjustments a membership earns and consumes (L14204-L15500, L2387, L9782).

A membership's status changes only through its rules (``services/wellness.py``): each change closes the open
WellnessPlanMembershipStatusPeriod and opens the next one, in the same transaction, so that the periods tile the
membership's life. What a cancellation bills is invoiced (a line of the plan's cancellation product) and recorded
as a PriceAdjustment triggered by the membership naming that line; an invoice line of a covered product takes the
membership's benefit through a consuming PriceAdjustment of its credit.
"""

from decimal import Decimal

from openvet.resources.declaration import Endpoint, Resource
from openvet.resources.fields import (
    Boolean,
    Choice,
    Epoch,
    Field,
    Integer,
    Invalid,
    JsonObject,
    Link,
    Number,
    Text,
    TypedLink,
    TypeName,
    decimal_of,
)

LOWER = {"v1": str.lower, "v2": str.lower}
CYCLES = 1200  # the most cycles a plan counts in any of its settings (a century of months)
MONEY_LIMIT = 10**14  # a Number(4)'s magnitude stays under 10^(18 - 4)
COUNT_LIMIT = 1_000_000  # uses and refresh cycles of a benefit: a credit amount stays a Number(4)


class BenefitConfig(JsonObject):
    """WellnessPlanBenefit's ``benefit_config`` (L14699): a JSON object of the keys the document lists, each of its
    JSON type; any of them may be sent (an update merges them into the config, as the PATCH sample sends only
    ``usages``, L14834). Amounts are kept exactly: whole numbers as numbers, fractions as text, never floats."""

    shape = {
        "type": "object", "additionalProperties": False,
        "properties": {
            "type": {"enum": ["percentage", "value"]},
            "allocation": {"enum": ["unit", "line"]},
            "type_value": {"type": "number", "minimum": 0, "exclusiveMaximum": MONEY_LIMIT},
            "usages": {"type": "integer", "minimum": 0, "maximum": COUNT_LIMIT},
            "renewable": {"type": "boolean"},
            "option_cost_exc_tax": {"type": "number", "minimum": 0, "exclusiveMaximum": MONEY_LIMIT},
            "refresh_cycle_quantity": {"type": "integer", "minimum": 1, "maximum": COUNT_LIMIT},
        },
        "description": "How the benefit behaves: type percentage|value, type_value (the percentage or the amount), "
                       "allocation unit|line, usages, renewable, option_cost_exc_tax (what an option of the benefit "
                       "costs a cycle, billed with the subscription), refresh_cycle_quantity.",
    }

    def parse(self, value):
        value = super().parse(value)
        config = {}
        for key, raw in value.items():
            rule = self.shape["properties"].get(key)
            if rule is None:
                raise Invalid(f"has no key {key!r}: its keys are " + ", ".join(self.shape["properties"]))
            if "enum" in rule:
                if raw not in rule["enum"]:
                    raise Invalid(f"{key} must be one of " + ", ".join(rule["enum"]))
                config[key] = raw
            elif rule["type"] == "boolean":
                if not isinstance(raw, bool):
                    raise Invalid(f"{key} must be true or false")
                config[key] = raw
            elif rule["type"] == "integer":  # 12.0 is a whole number too, as JSON Schema reads it
                whole = isinstance(raw, float) and raw.is_integer() and abs(raw) <= COUNT_LIMIT
                if isinstance(raw, bool) or not (isinstance(raw, int) or whole) or \
                        not rule["minimum"] <= raw <= COUNT_LIMIT:
                    raise Invalid(f"{key} must be a whole number, at least {rule['minimum']}")
                config[key] = int(raw)
            else:
                if isinstance(raw, bool) or not isinstance(raw, (int, float)):
                    raise Invalid(f"{key} must be a number")
                number = decimal_of(raw)
                if number < 0 or number >= MONEY_LIMIT:
                    raise Invalid(f"{key} must be at least 0 and less than {MONEY_LIMIT:,}")
                number = number.quantize(Decimal("0.0001"))
                config[key] = int(number) if number == number.to_integral_value() else format(number.normalize(), "f")
        return config


CYCLE_UNITS = ("year", "month", "week", "day")
EARN_METHODS = ("default", "percent", "value")
LOOKUP = ("list", "get")

WELLNESS_PLAN = Resource(
    name="wellnessplan",
    title="WellnessPlan",
    spec_line=14204,
    rules=("wellness_plan_terms",),
    endpoints={"v2": Endpoint(("list", "get", "create", "update", "delete"))},
    fields=(
        Field("name", Text(), mandatory=True, index=True, doc="The name of the Wellness Plan."),
        Field("subscription_cycle_unit", Choice(*CYCLE_UNITS), default="month", filter=False,
              doc="The unit of one cycle of the plan (how often clients are billed): year, month, week or day."),
        Field("subscription_cycle_qty", Integer(1, CYCLES), default=1, filter=False,
              doc="How many units make one cycle of the plan."),
        Field("subscription_fee_product", Link("product"), mandatory=True, filter=False,
              doc="The Product charged each cycle of the subscription: the lines of a membership's bills (and "
                  "of its options' costs), quantity the cycles billed."),
        Field("fixed_subscription_price", Number(4, minimum=0), filter=False,
              doc="The price of a cycle (without tax) overriding the subscription fee product's price; null: the "
                  "product's sell price."),
        Field("min_cycle_qty_on_signup", Integer(1, CYCLES), mandatory=True, filter=False,
              doc="How many cycles are paid in advance on signup (the joining bill), rounded up to whole bills of "
                  "the membership's billing_interval."),
        Field("term_qty", Integer(1, CYCLES), default=12, filter=False,
              doc="The term of the plan, in cycles (decisions: Wellness plans)."),
        Field("pause_limit_qty", Integer(0, CYCLES), default=6, filter=False,
              doc="How many cycles a membership of the plan may be paused for, in all."),
        Field("extends_end_date", Boolean(), default=True, update=False, filter=False,
              doc="If true, pausing a membership extends its end date by the cycles paused."),
        Field("portion_revenue_payable", Number(4, minimum=0), default="0.2", filter=False,
              doc="The share of the benefits' discounts recorded as earnings (0.2 is 20%)."),
        Field("enrollment_fee_product", Link("product"), filter=False,
              doc="The Product charged once on enrollment (at its sell price, on the joining invoice; not on a "
                  "renewal)."),
        Field("replacement_wellness_plan", Link("wellnessplan"), filter=False,
              doc="The Wellness Plan that replaces this one once completed."),
        Field("discontinued", Boolean(), default=False, create=False, filter=False,
              doc="If true, the plan takes no new members."),
        Field("cancellation_product", Link("product"), filter=False,
              doc="The Product charged when a membership of the plan is cancelled."),
        Field("default_renew", Boolean(), default=True, filter=False,
              doc="If true, memberships of the plan renew by default."),
        Field("renewal_fee_product", Link("product"), filter=False,
              doc="The Product charged when a membership of the plan renews (at its sell price, on the renewal's "
                  "joining invoice, in place of the enrollment fee)."),
        Field("ownership_id", Link("separation"), filter=False,
              doc="The ownership Separation the plan belongs to."),
    ),
)

WELLNESS_PLAN_BENEFIT = Resource(
    name="wellnessplanbenefit",
    title="WellnessPlanBenefit",
    spec_line=14609,
    rules=("benefit_config_is_complete",),
    endpoints={"v2": Endpoint(("list", "get", "create", "update"))},
    fields=(
        Field("name", Text(), filter=False, doc="The name of the Wellness Plan Benefit."),
        Field("earn_method", Choice(*EARN_METHODS), mandatory=True, filter=False,
              doc="default (the plan's portion_revenue_payable), percent or value: how the discount is earned."),
        Field("earn_amount", Number(4), mandatory=True, filter=False,
              doc="The value of the benefit's discount recorded as earnings."),
        Field("optional", Boolean(), mandatory=True, filter=False,
              doc="If true, the client opts in or out on signing up (a WellnessPlanMembershipOption)."),
        Field("benefit_type", Choice("percentage", "value"), filter=False,
              doc="percentage or value; the type of its benefit_config."),
        Field("benefit_config", BenefitConfig(), mandatory=True, filter=False,
              doc="How the benefit behaves: type (percentage|value), type_value, allocation (unit|line), usages, "
                  "renewable, option_cost_exc_tax, refresh_cycle_quantity (L14698)."),
        Field("wellnessplan_id", Link("wellnessplan"), mandatory=True, index=True,
              doc="The Wellness Plan the benefit is part of."),
    ),
)

WELLNESS_PLAN_BENEFIT_ITEM = Resource(
    name="wellnessplanbenefititem",
    title="WellnessPlanBenefitItem",
    spec_line=14922,
    endpoints={"v2": Endpoint(LOOKUP)},
    fields=(
        Field("wellness_plan_benefit", Link("wellnessplanbenefit"), mandatory=True, index=True,
              doc="The Wellness Plan Benefit the item is part of."),
        Field("associated_type", TypeName("Product", "Tag Name"), filter=False,
              doc="The kind of record the benefit covers: Product or TagName (products with that tag)."),
        Field("associated_id", TypedLink("associated_type"), filter=False,
              doc="The Product or TagName covered."),
        Field("earn_method", Choice("Default", "Percent", "Value"), filter=False,
              doc="Default (the plan's portion_revenue_payable), Percent or Value, as the sample spells them."),
        Field("earn_amount", Number(4), filter=False, doc="The value of the item's discount recorded as earnings."),
        Field("consumption_rate", Number(4, minimum=0), default=0, filter=False,
              doc="How much of the benefit one unit of the item consumes."),
        Field("consumption_rate_fixed", Boolean(), default=False, filter=False,
              doc="If true, the consumption is fixed, whatever quantity is invoiced."),
    ),
)

WELLNESS_PLAN_MEMBERSHIP = Resource(
    name="wellnessplanmembership",
    title="WellnessPlanMembership",
    spec_line=15033,
    rules=("membership_joins_a_plan", "membership_lifecycle", "membership_bills_its_subscription"),
    endpoints={"v2": Endpoint(("list", "get", "create", "update"))},
    fields=(
        Field("wellness_plan", Link("wellnessplan"), mandatory=True, update=False, index=True,
              doc="The Wellness Plan of the membership: an active plan that is not discontinued."),
        Field("animal_id", Link("animal"), mandatory=True, update=False, index=True,
              doc="The Animal enrolled: an active animal."),
        Field("resource_id", Link("resource"), mandatory=True, update=False, index=True,
              doc="The sales Resource that enrolled the animal."),
        Field("renew_when_expired", Boolean(), mandatory=True, filter=False,
              doc="If true, the membership renews when it expires (into next_wellness_plan)."),
        Field("start_date", Epoch(), mandatory=True, update=False, filter=False,
              doc="When the membership takes effect: the start of its first cycle."),
        Field("end_date", Epoch(), create=False, update=False, filter=False,
              doc="When the membership ends: the last second of its term, extended by the cycles paused if the "
                  "plan extends_end_date."),
        Field("status", Choice("Active", "Paused", "Cancelled"), create=False, required_on_update=True,
              filter=False, doc="Active, Paused or Cancelled: the status to change to, on update."),
        Field("billing_interval", Integer(1, CYCLES), mandatory=True, update=False, filter=False,
              doc="Every how many cycles the client is billed, in advance: a number of cycles dividing the plan's "
                  "term."),
        Field("previous_wellness_plan_membership", Link("wellnessplanmembership"), create=False, update=False,
              filter=False, doc="The membership this one renews."),
        Field("next_wellness_plan", Link("wellnessplan"), filter=False,
              doc="The plan the membership renews into; by default its own plan."),
        Field("reference", Text(50), filter=False, doc="Free text, at most 50 characters."),
        Field("ownership_id", Link("separation"), mandatory=True, update=False, filter=False,
              doc="The ownership Separation the membership belongs to."),
        # openvet: what of the subscription is billed (the document does not say), written by the rules only
        Field("billed_cycles", Integer(0), create=False, update=False, default=0, filter=False,
              doc="openvet: how many cycles of the term have been billed (in advance: the joining bill, then a "
                  "bill every billing_interval cycles); a cancellation's remaining bills the rest."),
        Field("next_bill_date", Epoch(), create=False, update=False, filter=False, index=True,
              doc="openvet: when the next subscription bill falls due (the start of the first cycle not billed, "
                  "paused cycles skipped); null once the term is billed, while paused and once cancelled."),
        # commands of a status change (L15311): written, never read
        Field("cancellation_option", Choice("savings_only", "remaining", "custom"), create=False, read=False,
              store=False, filter=False,
              doc="With status Cancelled: what the cancellation bills: savings_only (the discounts received), "
                  "remaining (the unbilled cycles of the term) or custom (cancellation_fee)."),
        Field("cancellation_fee", Number(4, minimum=0), create=False, read=False, store=False, filter=False,
              doc="With status Cancelled and cancellation_option custom: the fee billed."),
        Field("pause_length", Integer(0, CYCLES), create=False, read=False, store=False, filter=False,
              doc="With status Paused: for how many cycles of the plan to pause; 0 unpauses."),
    ),
)

WELLNESS_PLAN_MEMBERSHIP_OPTION = Resource(
    name="wellnessplanmembershipoption",
    title="WellnessPlanMembershipOption",
    spec_line=15339,
    rules=("option_is_a_benefit_of_the_plan",),
    endpoints={"v1": Endpoint(LOOKUP)},
    fields=(
        Field("wellness_plan_membership", Link("wellnessplanmembership"), mandatory=True, index=True,
              doc="The membership that chose the option."),
        Field("wellness_plan_benefit", Link("wellnessplanbenefit"), mandatory=True, index=True,
              doc="The optional benefit chosen, of the membership's plan."),
        Field("start_cycle", Integer(1), filter=False, doc="The membership cycle the option started at."),
        Field("auto_renew", Boolean(), default=False, filter=False,
              doc="If true, the option is chosen again each cycle."),
    ),
)

WELLNESS_PLAN_MEMBERSHIP_STATUS_PERIOD = Resource(
    name="wellnessplanmembershipstatusperiod",
    title="WellnessPlanMembershipStatusPeriod",
    spec_line=15416,
    endpoints={"v1": Endpoint(LOOKUP)},
    fields=(
        Field("wellness_plan_membership", Link("wellnessplanmembership"), mandatory=True, index=True,
              doc="The membership whose status the period shows."),
        Field("start_cycle", Integer(1), filter=False, doc="The cycle the period started at."),
        Field("end_cycle", Integer(1), filter=False,
              doc="The cycle the period ended at; on the open period, null (a pause: its planned last cycle)."),
        Field("start_date", Epoch(), index=True, doc="When the period started."),
        Field("end_date", Epoch(), filter=False, doc="The last second of the period; null while it is open."),
        Field("status", Choice("active", "cancelled", "paused", "imported"), default="active", filter=False,
              doc="active, cancelled, paused or imported."),
    ),
)

BILLING_CREDIT = Resource(
    name="billingcredit",
    title="BillingCredit",
    spec_line=2387,
    rules=("credit_of_a_membership",),
    endpoints={"v1": Endpoint(LOOKUP)},
    fields=(
        Field("available_associated_type", TypeName("Animal", "Contact", spell=LOWER), filter=False,
              doc="The kind of record the credit is available to: animal or contact."),
        Field("available_associated_id", TypedLink("available_associated_type"), filter=False,
              doc="The Animal or Contact the credit is available to."),
        Field("wellness_plan_id", Link("wellnessplan"), index=True, doc="The Wellness Plan of the credit."),
        Field("wellness_plan_benefit_id", Link("wellnessplanbenefit"), mandatory=True, index=True,
              doc="The benefit the credit is a use of."),
        Field("wellness_plan_membership_id", Link("wellnessplanmembership"), mandatory=True, index=True,
              doc="The membership that earned the credit."),
        Field("wellness_plan_membership_status_period_id", Link("wellnessplanmembershipstatusperiod"),
              doc="The status period the credit was earned in."),
        Field("associated_type", TypeName("WellnessPlanBenefit", spell=LOWER),
              doc="The kind of record the credit is of: wellnessplanbenefit."),
        Field("associated_id", TypedLink("associated_type"), index=True, doc="The record the credit is of."),
        Field("type", Choice("Value", "Quantity", wire_case=LOWER), default="Quantity", filter=False,
              doc="Value (an amount of money) or Quantity (a number of uses)."),
        Field("amount", Number(4, minimum=0), default=0, filter=False, doc="The amount of the credit."),
        Field("wasted", Number(4, minimum=0), default=0, filter=False, doc="The part of it wasted."),
        Field("used", Number(4, minimum=0), default=0, filter=False, doc="The part of it used."),
        Field("start_date", Epoch(), filter=False, doc="When the credit started."),
        Field("expires_in_unit", Choice(*CYCLE_UNITS), filter=False, doc="The unit its expiry is counted in."),
        Field("expires_in_qty", Integer(0), filter=False, doc="How many of those units it lasts."),
        Field("end_date", Epoch(), filter=False, doc="When the credit ends."),
        Field("single_use", Boolean(), default=False, filter=False, doc="If true, the credit is used once."),
        Field("wellness_plan_membership_cycle_id", Integer(), filter=False,
              doc="The membership cycle the credit is of (a cycle number: WellnessPlanMembershipCycle is not "
                  "documented)."),
        Field("allocation_method", Choice("Unit", "Line Total"), filter=False,
              doc="Unit or Line Total: how the credit is allocated (the benefit's allocation unit or line)."),
    ),
)

PRICE_ADJUSTMENT = Resource(
    name="priceadjustment",
    title="PriceAdjustment",
    spec_line=9782,
    rules=("adjustment_consumes_a_credit",),
    endpoints={"v1": Endpoint(LOOKUP)},
    fields=(
        Field("type", Choice("User", "Credit", "Rounding", "Discount", "Surcharge", wire_case=LOWER),
              doc="User, Credit, Rounding, Discount or Surcharge."),
        Field("adjustment_method", Text(32), filter=False,
              doc='How the adjustment was worked out: "quantity" (uses of a credit) or "value" (an amount).'),
        Field("adjustment_amount", Number(4), filter=False, doc="By how much the associated record was adjusted."),
        # InvoiceLine is the sample's InvoiceExpense (L9822); Product: a cancellation that raised no line
        Field("associated_type", TypeName("InvoiceLine", "Product"),
              doc="The kind of record adjusted: InvoiceLine (the sample's InvoiceExpense), or Product."),
        Field("associated_id", TypedLink("associated_type"), index=True, doc="The record adjusted."),
        Field("triggering_type", TypeName("BillingCredit", "WellnessPlanMembership"),
              doc="The kind of record that caused the adjustment."),
        Field("triggering_id", TypedLink("triggering_type"), index=True,
              doc="The record that caused the adjustment."),
        Field("description", Text(), filter=False, doc="What the adjustment is."),
        Field("total_change", Number(4), filter=False, doc="The total change of price (negative: a discount)."),
        Field("total_change_tax", Number(4), filter=False, doc="The change of tax."),
        Field("total_earned", Number(4), filter=False, doc="The amount earned from the adjustment."),
        Field("total_earned_tax", Number(4), filter=False, doc="The tax on the amount earned."),
        Field("consuming", Boolean(), default=False, filter=False,
              doc="If true, the adjustment consumes (part of) a BillingCredit: its triggering record."),
        Field("wellness_plan_id", Link("wellnessplan"), index=True, doc="The related Wellness Plan."),
        Field("wellness_plan_benefit_id", Link("wellnessplanbenefit"), index=True,
              doc="The related Wellness Plan Benefit."),
        Field("wellness_plan_membership_id", Link("wellnessplanmembership"), index=True,
              doc="The related Wellness Plan Membership."),
    ),
)

RESOURCES = (WELLNESS_PLAN, WELLNESS_PLAN_BENEFIT, WELLNESS_PLAN_BENEFIT_ITEM, WELLNESS_PLAN_MEMBERSHIP,
             WELLNESS_PLAN_MEMBERSHIP_OPTION, WELLNESS_PLAN_MEMBERSHIP_STATUS_PERIOD, BILLING_CREDIT, PRICE_ADJUSTMENT)
