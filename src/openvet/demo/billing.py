"""The demo practice's billing: an invoice for each consult (but those of owners on stop credit), with lines
from the product catalogue, and payments.

Two paths. The bulk load (``openvet demo-data``, ``histories.py``) bills every completed consult of the history
as rows, with what ``read_price_list`` reads of the clinic's prices: ``PriceList.line`` and ``invoice_figures`` work
a line and an invoice out as the rules of ``services/billing.py`` do (``tests/test_demo_data.py`` replays samples
through the engine to prove it). ``seed_billing`` below is the engine path, for a clinic loaded before the bulk
load billed its consults.

``seed_billing`` writes through the engine (``Writer.create``, every rule and event applies), in one transaction:
a consult's invoice is priced, approved and paid by the rules, row by row (some 60 ms an invoice and its payment
on SQLite), so only the consults of the last ``BILLED_DAYS`` are invoiced. Repeatable: a clinic that has
invoices (every clinic the bulk load filled, ``serve --demo``'s included) is left as it is.

Its invoices bills a consultation and one or two products of the catalogue (its vaccines, medications
and tests), priced by a ProductPricing made for each product that has none. Invoices of consults more than a week
old are approved; of those, most are paid in full, some in part, and the rest are left unpaid, overdue once
their due date (two weeks after the consult) has passed. A few payments are larger than what they pay, and keep
the surplus for later.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from openvet.services.billing import INVOICE_CODES

CONSULTATION = ("CON-STD", "Standard consultation", Decimal("78.26"))
PRICES = {"VAC": Decimal("85.00"), "MED": Decimal("32.50"), "LAB": Decimal("96.00"), "IDX": Decimal("64.00")}
WEEK, DAY = 7 * 86_400, 86_400
BILLED_DAYS = 120  # the consults invoiced: those of the last four months


CENT, HUNDRED, Q4 = Decimal("0.01"), Decimal(100), Decimal("0.0001")
RESTOCKED_BY = "VetSupply Wholesale NZ"  # the supplier of the monthly restock receipts (stock.py's wholesaler)


@dataclass(frozen=True)
class Priced:
    """A product as a line bills it: its pricing's sell price, the tax of its pricing's TaxRate."""

    product_id: int
    name: str
    price: Decimal
    price_tax: Decimal
    tax_code: str
    tax_percent: Decimal
    tracked: bool = False  # its stock is tracked: a Finalised line dispenses it (``line_status``)


@dataclass
class PriceList:
    """What the bulk load bills with: the priced products by code, the invoices' ownership and the lines'
    location, the clinic's payment methods."""

    products: dict[str, Priced]
    ownership: int
    location: int
    methods: list[int]
    supplied: dict[str, Supplied]  # what the wholesaler restocks, by product code

    def line(self, code: str, quantity: Decimal) -> tuple[Priced, Decimal, Decimal]:
        """(the product, total, total_tax) of a line: quantity times the unit figures, cut to the cent, as
        ``line_prices`` works them out."""
        priced = self.products[code]
        return (priced, (quantity * priced.price).quantize(CENT, rounding=ROUND_DOWN),
                (quantity * priced.price_tax).quantize(CENT, rounding=ROUND_DOWN))


@dataclass(frozen=True)
class Supplied:
    """A product the clinic buys by the outer from a supplier: its ProductSupplier and that supplier's tax."""

    product_id: int
    name: str
    product_supplier_id: int
    supplier_id: int
    supplier_code: str
    units_per_outer: Decimal
    outer_price: Decimal  # the ProductSupplier's expected price of an outer, without tax
    tax_rate: Decimal  # percent
    tax_code: str

    def item(self, outers: int) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
        """(quantity, price, tax, total, total_tax) of a receipt item of ``outers``, kept in units as
        ``receive_invoice_item_receives_stock`` keeps them: written per outer, the price and tax divided by the units
        of an outer, to 4 places."""
        outer_tax = (self.outer_price * self.tax_rate / HUNDRED).quantize(Q4)  # as the supplier writes it
        quantity = (outers * self.units_per_outer).quantize(Q4)
        price = (self.outer_price / self.units_per_outer).quantize(Q4)
        tax = (outer_tax / self.units_per_outer).quantize(Q4)
        return quantity, price, tax, (quantity * price).quantize(Q4), (quantity * tax).quantize(Q4)


def invoice_figures(totals: list[Decimal], taxes: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """(subtotal, tax, total) of an invoice from its lines' totals and taxes, as ``invoice_totals``."""
    subtotal = sum(totals, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)
    tax = sum(taxes, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)
    return subtotal, tax, subtotal + tax


def invoice_code(invoice_id: int) -> str:
    return str(INVOICE_CODES + invoice_id)


def read_price_list(conn: sa.Connection, t, clinic_id: int, location: int | None) -> PriceList | None:
    """The clinic's priced products (a product's pricing of the invoices' ownership, else its newest, as
    ``pricing_of``); None when it has no ownership Separation or no payment method."""
    def rows(name: str, *columns: str) -> list[tuple]:
        table = t[name]
        return [tuple(r) for r in conn.execute(sa.select(*(table.c[c] for c in columns)).where(
            table.c.clinic_id == clinic_id, table.c.active.is_(True)).order_by(table.c.id))]

    separations = rows("separation", "id", "type")
    if not separations:
        return None
    ownership = next((i for i, kind in separations if kind == "Database"), separations[0][0])
    rates = {i: (code, rate) for i, code, rate in rows("taxrate", "id", "code", "rate")}
    chosen: dict[int, tuple] = {}
    for product, owner, sell, rate in rows("productpricing", "product_id", "ownership_id", "sell_price", "tax_rate"):
        if owner == ownership or product not in chosen or chosen[product][0] != ownership:
            chosen[product] = (owner, sell, rate)
    products = {}
    for product, code, name, tracking in rows("product", "id", "code", "name", "tracking_level"):
        if product not in chosen or not code:
            continue
        _, sell, rate = chosen[product]
        tax_code, percent = rates.get(rate, (None, Decimal(0)))
        if tax_code is None or sell is None:
            continue
        standard_tax = (sell * percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
        products.setdefault(code, Priced(product, name, sell, standard_tax, tax_code, percent,
                                         tracking not in (None, "No")))
    methods = [i for (i,) in rows("paymentmethod", "id")]
    if not methods:
        return None
    supplier = next((i for i, name in rows("contact", "id", "business_name") if name == RESTOCKED_BY), None)
    codes = {i: (code, name) for i, code, name in rows("product", "id", "code", "name")}
    supplied: dict[str, Supplied] = {}
    for i, product, code, per_outer, price, rate, vendor in rows(
            "productsupplier", "id", "product_id", "supplier_code", "units_per_outer", "expected_price",
            "tax_rate_id", "supplier_contact_id"):
        if vendor != supplier or product not in codes or rate not in rates or price is None or not code:
            continue
        tax_code, percent = rates[rate]
        supplied.setdefault(codes[product][0], Supplied(product, codes[product][1], i, vendor, code,
                                                        per_outer or Decimal(1), price, percent, tax_code))
    return PriceList(products, ownership, location or ownership, methods, supplied)


def seed_billing(engine, clinic_id: int, now: int | None = None, seed: int = 7) -> int:
    """An invoice (and perhaps a payment) for every recent consult of the clinic; answers how many were made."""
    now = int(time.time()) if now is None else now
    t, registry = engine.tables, engine.registry
    rand = random.Random(seed * 1_000_003 + clinic_id)
    with engine.writing(clinic_id) as writer:
        conn = writer.conn

        def rows(name: str, *columns: str, **equal) -> list[tuple]:
            table = t[name]
            query = sa.select(*(table.c[c] for c in columns)).where(table.c.clinic_id == clinic_id,
                                                                     table.c.active.is_(True))
            for column, value in equal.items():
                query = query.where(table.c[column] == value)
            return [tuple(r) for r in conn.execute(query.order_by(table.c.id))]

        if rows("invoice", "id"):
            return 0
        separations = rows("separation", "id", "type")
        ownership = next((i for i, kind in separations if kind != "Location"), separations[0][0])
        location = next((i for i, kind in separations if kind == "Location"), ownership)
        sellers = [i for (i,) in rows("user", "id", is_salesperson=True)]
        standard = next(iter(rows("taxrate", "id", code="S")), (None,))[0]
        products = dict(rows("product", "code", "id"))
        if CONSULTATION[0] not in products:
            products[CONSULTATION[0]] = writer.create(registry["product"], {
                "code": CONSULTATION[0], "name": CONSULTATION[1], "type": "Standard", "is_sold": True}, None)
        priced = {p for (p,) in rows("productpricing", "product_id")}
        for code, product in products.items():
            price = CONSULTATION[2] if code == CONSULTATION[0] else PRICES.get(code.split("-")[0])
            if product not in priced and price is not None and standard is not None:
                writer.create(registry["productpricing"], {
                    "product_id": product, "ownership_id": ownership, "based_on": "Price", "tax_rate": standard,
                    "cost_price": (price * Decimal("0.45")).quantize(Decimal("0.01")), "sell_price": price}, None)
        methods = [i for (i,) in rows("paymentmethod", "id")]
        catalogue = [p for code, p in products.items() if code != CONSULTATION[0] and code.split("-")[0] in PRICES]
        owner_of = dict(rows("animal", "id", "contact_id"))
        stopped = {i for (i,) in rows("contact", "id", stop_credit="STOP")}  # cannot be invoiced (L3481)
        made = 0
        fates = Fates(rand)
        for consult, animal, date in rows("consult", "id", "animal_id", "date"):
            contact = owner_of.get(animal)
            if contact is None or contact in stopped or not sellers or date < now - BILLED_DAYS * DAY:
                continue
            seller = rand.choice(sellers)

            def line(product: int, quantity: int = 1, seller: int = seller) -> dict:
                return {"product_id": product, "quantity": quantity, "sales_person": seller,
                        "ownership_id": ownership, "location_id": location}

            lines = [line(products[CONSULTATION[0]])]
            lines += [line(p, rand.choice((1, 1, 2))) for p in rand.sample(catalogue, k=rand.choice((1, 1, 2)))]
            old = date < now - WEEK
            invoice = writer.create(registry["invoice"], {
                "contact_id": contact, "animal_id": animal, "consult_id": consult, "ownership_id": ownership,
                "date": date, "date_due": date + 2 * WEEK, "line_item": lines,
                "date_approved": date + rand.randrange(0, DAY) if old else 0}, None)
            made += 1
            if not old:
                continue
            total = engine.lookup(conn, clinic_id, "invoice", invoice)["total"]
            fate = fates.next()
            if fate in ("paid", "surplus"):  # paid in full, now and then with more than was due (the surplus kept)
                amount = total + (Decimal(rand.choice((10, 20, 50))) if fate == "surplus" else 0)
                pay(writer, registry, contact, ownership, amount, invoice, total, date + rand.randrange(0, WEEK),
                    rand.choice(methods) if methods else None)
            elif fate == "part":  # part-paid
                part = (total * Decimal(rand.choice(("0.25", "0.5", "0.75")))).quantize(Decimal("0.01"))
                pay(writer, registry, contact, ownership, part, invoice, part, date + rand.randrange(0, WEEK),
                    rand.choice(methods) if methods else None)
            # else unpaid: overdue once date_due has passed
    return made


class Fates:
    """What becomes of the approved invoices, dealt from a shuffled deck of twenty: 13 paid in full, 1 with a
    surplus, 3 part-paid, 3 unpaid (overdue). A deck rather than a draw each, so that every clinic with seven
    approved invoices or more shows every kind whatever its seed (a draw each left a clinic without a part-paid
    invoice one time in ten)."""

    DECK = ("surplus", "part", "unpaid", "paid", "paid", "paid", "part", "unpaid", "paid", "paid",
            "paid", "part", "unpaid", "paid", "paid", "paid", "paid", "paid", "paid", "paid")

    def __init__(self, rand: random.Random) -> None:
        self.rand, self.left = rand, []

    def next(self) -> str:
        if not self.left:  # the first seven of each deal hold one of each kind; the rest are shuffled
            head, tail = list(self.DECK[:7]), list(self.DECK[7:])
            self.rand.shuffle(head)
            self.rand.shuffle(tail)
            self.left = head + tail
        return self.left.pop(0)


def pay(writer, registry, contact: int, ownership: int, amount: Decimal, invoice: int, allocated: Decimal,
        date: int, method: int | None) -> None:
    writer.create(registry["payment"], {
        "client_id": contact, "ownership_id": ownership, "amount": amount, "date": date, "status": "Accepted",
        "method": method,
        "allocation": [{"invoice_id": invoice, "amount": allocated}] if allocated > 0 else []}, None)
