"""Clinical histories: each animal's appointments and what its visits recorded, as rows.

For a chunk of animals (made by ``households.py``), ``Histories.plan`` decides the visits: past ones between the
animal's registration and its death or yesterday (yearly vaccinations for cats and dogs, sick visits by species
and age, rechecks, a last visit for an animal put to sleep), and a booking today or ahead for some living
animals (``calendar.py``). The plan says how many rows each table gets, so their ids can be taken before the
rows are made (``bulk.NextIds``); ``Histories.rows`` then makes them, tuples in ``LAYOUTS[table].columns``
order, each as the engine would write it: the values its rules derive (a consult's code, a lab request's
reference, a result's request fields, the SalesResource of a vaccination) and the defaults it fills.
``tests/test_demo_data.py`` runs the rules over samples of every table to prove it.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal

from openvet.demo import cases as C
from openvet.demo.billing import PriceList, invoice_code, invoice_figures
from openvet.demo.bulk import Layout
from openvet.demo.calendar import Calendar
from openvet.demo.households import ANIMAL_COLUMNS, DETAIL_COLUMNS, OWNER_COLUMNS, YEAR, Catalogue
from openvet.demo.practice import CLINIC_EMAIL, CLINIC_PHONE, Practice
from openvet.services.clinical import CONSULT_CODES

DAY = 86_400
STAMP = ("id", "clinic_id", "active", "created_at", "modified_at")
LAYOUTS = {
    "appointment": Layout(
        (*STAMP, "start_at", "duration", "type_id", "status_id", "description", "animal_id", "consult_id",
         "contact_id", "sales_resource", "resources", "cancellation_reason", "cancellation_reason_text",
         "recurrence_number", "recurrence_interval", "recurrence_end_time"),
        {"animal_id": "animal", "consult_id": "consult", "contact_id": "contact"}),
    "consult": Layout((*STAMP, "ownership_id", "code", "date", "animal_id", "vet_id", "description"),
                      {"animal_id": "animal"}, remade={"code": lambda row: str(CONSULT_CODES + row[0])}),
    "presentingproblemlink": Layout((*STAMP, "presenting_problem_id", "consult_id"), {"consult_id": "consult"}),
    "history": Layout((*STAMP, "consult_id", "animal_id", "vet_id", "timestamp", "comments"),
                      {"consult_id": "consult", "animal_id": "animal"}),
    "physicalexam": Layout(
        (*STAMP, "consult_id", "animal_id", "vet_id", "ownership_id", "body_system", "chain", "comments", "timestamp",
         "historical_record_id"),
        {"consult_id": "consult", "animal_id": "animal", "historical_record_id": "physicalexam"}),
    "healthstatus": Layout(
        (*STAMP, "consult_id", "animal_id", "timestamp", "notes", "weight", "weight_unit", "temperature", "heart_rate",
         "respiratory_rate", "bcs", "max_bcs", "pain_score", "max_pain_score", "dental_score", "max_dental_score",
         "crt", "mm", "attitude", "pulse_quality", "respiratory_effort"),
        {"consult_id": "consult", "animal_id": "animal"}),
    "assessment": Layout((*STAMP, "consult_id", "animal_id", "vet_id", "timestamp", "notes"),
                         {"consult_id": "consult", "animal_id": "animal"}),
    "plan": Layout((*STAMP, "consult_id", "animal_id", "vet_id", "timestamp", "notes"),
                   {"consult_id": "consult", "animal_id": "animal"}),
    "vaccination": Layout(
        (*STAMP, "vet_id", "animal_id", "consult_id", "product_id", "qty", "description", "notes",
         "date_of_administration", "batch_id", "date_of_next_administration", "sales_resource_id"),
        {"animal_id": "animal", "consult_id": "consult"}),
    "diagnosticrequest": Layout(
        (*STAMP, "timestamp", "contact_id", "animal_id", "consult_id", "vet_id", "reference_number", "specifics",
         "status", "supplier_id", "ownership_id"),
        {"contact_id": "contact", "animal_id": "animal", "consult_id": "consult"},
        remade={"reference_number": lambda row: f"OV{row[1]}-DR{row[0]}"}),
    "diagnosticrequestitem": Layout((*STAMP, "diagnostic_request_id", "diagnostic_class", "diagnostic_id", "name",
                                     "code"), {"diagnostic_request_id": "diagnosticrequest"}),
    "diagnosticresult": Layout(
        (*STAMP, "ownership_id", "contact_id", "consult_id", "animal_id", "supplier_id", "vet_id",
         "diagnostic_request_id", "reference_number", "timestamp", "specifics", "outcome", "external_link"),
        {"contact_id": "contact", "consult_id": "consult", "animal_id": "animal",
         "diagnostic_request_id": "diagnosticrequest"},
        remade={"reference_number": lambda row: f"OV{row[1]}-DR{row[RESULT_REQUEST]}"}),
    "diagnosticresultitem": Layout((*STAMP, "timestamp", "diagnostic_result_id", "name", "value", "unit",
                                    "range_low", "range_high", "qualifier", "notes"),
                                   {"diagnostic_result_id": "diagnosticresult"}),
    "prescription": Layout(
        (*STAMP, "uid", "animal_id", "consult_id", "contact_id", "prescribing_vet_user_id", "date_of_prescription",
         "sales_resource_id"),
        {"animal_id": "animal", "consult_id": "consult", "contact_id": "contact"}),
    "prescriptionitem": Layout((*STAMP, "prescription_id", "product_id", "qty", "remaining", "instructions",
                                "date_start"), {"prescription_id": "prescription"}),
    "communication": Layout(
        (*STAMP, "associated_type", "associated_id", "contact_detail_type_id", "destination", "origin", "direction",
         "user_resource", "sent_as_user", "content", "content_format", "status", "subject", "communicating_type",
         "communicating_id", "read_at"),
        typed={"associated_id": "associated_type", "communicating_id": "communicating_type"}),
    "attachment": Layout((*STAMP, "file_id", "record_type", "record_id", "mime_type", "name", "primary_image",
                          "notes"), typed={"record_id": "record_type"}),
    "invoice": Layout(
        (*STAMP, "ownership_id", "code", "contact_id", "animal_id", "consult_id", "subtotal", "tax", "total",
         "outstanding", "includes_tax", "payment_terms_id", "date", "date_due", "date_approved", "approved_by",
         "customer_reference_number", "created_by", "modified_by"),
        {"contact_id": "contact", "animal_id": "animal", "consult_id": "consult"},
        remade={"code": lambda row: invoice_code(row[0])}),
    "invoiceline": Layout(
        (*STAMP, "invoice_id", "name", "product_id", "batch", "sales_person", "quantity", "discount", "dispense",
         "price", "price_tax", "standard_price", "standard_price_tax", "total", "total_tax", "status", "tax_code",
         "tax_percent", "ownership_id", "location_id", "ledger_account", "group_id", "type", "animal_id",
         "consult_id", "date"),
        {"invoice_id": "invoice", "animal_id": "animal", "consult_id": "consult"}),
    "payment": Layout(
        (*STAMP, "ownership_id", "amount", "method", "details", "date", "comments", "available", "allocated",
         "client_id", "ledger_account", "cash_amount", "cash_change", "rounding_factor", "status"),
        {"client_id": "contact"}),
    "paymentallocation": Layout((*STAMP, "payment_id", "invoice_id", "amount"),
                                {"payment_id": "payment", "invoice_id": "invoice"}),
    "receiveinvoice": Layout(
        (*STAMP, "invoice_number", "date", "due_date", "supplier_id", "freight", "freight_tax", "rounding", "comments",
         "tax", "total", "ownership_id", "purchase_order_list", "status"),
        remade={"invoice_number": lambda row: restock_number(row[0])}),
    "receiveinvoiceitem": Layout(
        (*STAMP, "receive_invoice_id", "name", "quantity", "price", "tax", "total", "total_tax", "tax_rate",
         "tax_code", "product_id", "product_supplier_id", "supplier_code", "ownership_id", "location_id", "comments",
         "purchase_order_item_id", "status"),
        {"receive_invoice_id": "receiveinvoice"}),
    "stocktransaction": Layout(
        (*STAMP, "quantity", "alter_stock", "separation_id", "for_id", "for_class", "product_id", "status", "date"),
        typed={"for_id": "for_class"}),  # a receipt's item (stock in) or an invoice line (dispensed: out)
}
TABLES = tuple(LAYOUTS)  # in the order they are written
RESULT_REQUEST = LAYOUTS["diagnosticresult"].columns.index("diagnostic_request_id")

_a = ANIMAL_COLUMNS.index
A_ID, A_ACTIVE, A_CREATED, A_NAME, A_DEAD, A_SPECIES, A_OWNER, A_BORN, A_DIED, A_REASON, A_WEIGHT, A_UNIT = (
    _a("id"), _a("active"), _a("created_at"), _a("name"), _a("is_dead"), _a("species_id"), _a("contact_id"),
    _a("date_of_birth"), _a("date_of_death"), _a("death_reason"), _a("weight"), _a("weight_unit"))
D_CONTACT, D_TYPE, D_CLEANED = DETAIL_COLUMNS.index("contact_id"), DETAIL_COLUMNS.index("contact_detail_type_id"), \
    DETAIL_COLUMNS.index("value_cleaned")
O_ID, O_FIRST, O_STOP = OWNER_COLUMNS.index("id"), OWNER_COLUMNS.index("first_name"), \
    OWNER_COLUMNS.index("stop_credit")

# sick visits a year, by species (the rest: 0.4), and the share of the older animals' extra visits
VISITS_A_YEAR = {"Canine": 0.9, "Feline": 0.7, "Rabbit": 0.6, "Ferret": 0.6, "Guinea Pig": 0.5, "Equine": 0.8}
MOST_VISITS = 6
PHOTO_SHARE = 0.03  # animals with a photo attached
AHEAD_KINDS = (("Consultation", 55), ("Recheck", 18), ("Surgery", 7), ("Dental", 6), ("Phone Call", 8),
               ("Vaccination", 6))

# what a visit records: bits of Visit.records
HISTORY, EXAM, HEALTH, ASSESSMENT, PLAN = 1, 2, 4, 8, 16
# what becomes of a visit's invoice: approved at checkout once a week old (the last week's are still open), then
# paid in full (now and then with more than was due: a surplus kept), in part, or not at all (overdue after 2 weeks)
OPEN, PAID, OVERPAID, PART, UNPAID = "open", "paid", "overpaid", "part", "unpaid"
FATES = ((PAID, 0.65), (OVERPAID, 0.05), (PART, 0.15), (UNPAID, 0.15))
WEEK = 7 * DAY
PAID_AT_CHECKOUT = 0.6  # of the payments, those made as the consult closed
MONTH = 30 * DAY  # the wholesaler restocks every 30 days back from the load: the month's dispensing, ahead
RESTOCK = "Monthly restock: what the month's consults dispense"


def restock_number(receipt_id: int) -> str:
    """The wholesaler's invoice number of a restock receipt: one per receipt, so never a duplicate."""
    return f"VS-R{receipt_id}"


@dataclass
class Patient:
    """What a history needs of an animal and its owner."""

    id: int
    owner: int
    owner_first: str
    name: str
    species: str
    weight: Decimal | None
    unit: str
    mobile: str | None  # the owner's cleaned mobile number
    email: str | None
    vet: int  # the index of the animal's usual vet


class Visit:
    """One appointment of the plan and what it records."""

    __slots__ = ("patient", "start", "kind", "case", "status", "vet", "room", "booked", "consult", "records",
                 "problems", "vaccines", "tests", "released", "medications", "document", "reminder", "billed")

    def __init__(self, patient: Patient, start: int, kind: str, case: C.Case | None, vet: int):
        self.patient, self.start, self.kind, self.case, self.vet = patient, start, kind, case, vet
        self.status = "Completed"
        self.room: int | None = None
        self.booked = start
        self.consult = False
        self.records = 0
        self.problems: tuple[int, ...] = ()
        self.vaccines: tuple[str, ...] = ()
        self.tests: tuple[str, ...] = ()
        self.released: int | None = None  # when the lab's results came back (None: not yet)
        self.medications: tuple[str, ...] = ()
        self.document: str | None = None
        self.reminder: int | None = None  # when an SMS reminder of this booking is sent
        self.billed: str | None = None  # the fate of its invoice (OPEN, PAID...); None: not invoiced


@dataclass
class Plan:
    visits: list[Visit]
    photos: list[Patient]  # animals with a photo attached
    counts: dict[str, int]
    restock: list[tuple[int, list[tuple[str, int]]]]  # the receipts, oldest first: (period, [(code, outers)])


class Histories:
    def __init__(self, clinic_id: int, catalogue: Catalogue, practice: Practice, calendar: Calendar, seed: int,
                 now: int, animals: int, uid_maker, prices: PriceList | None = None):
        self.clinic_id = clinic_id
        self.prices = prices  # None: consults are not invoiced
        self.practice = practice
        self.calendar = calendar
        self.rng = random.Random(seed ^ 0x5EED)
        self.now = now
        self.make_uid = uid_maker
        self.species = {s.id: s.name for s in catalogue.species}
        self.vets = practice.vets
        # each living animal is booked today or ahead with this chance, so that the bookings are all taken
        self.booking_chance = min(1.0, 1.05 * len(calendar.bookings) / max(animals * 0.96, 1))
        self.cases: dict[str, tuple[list[C.Case], list[float]]] = {}
        for name in self.species.values():
            fitting = [c for c in C.CASES if not c.species or name in c.species]
            self.cases[name] = (fitting, list(itertools.accumulate(c.weight for c in fitting)))
        self.other_problems = [pid for name, pid in practice.problems.items()]
        self.rooms = practice.rooms
        self.ahead_kinds = [k for k, _ in AHEAD_KINDS]
        self.ahead_weights = list(itertools.accumulate(w for _, w in AHEAD_KINDS))
        self.cancelled = practice.statuses.get("Cancelled")

    # planning --------------------------------------------------------------------------------------------

    def plan(self, owners: list[tuple], details: list[tuple], animals: list[tuple]) -> Plan:
        rand = self.rng.random
        first_names = {row[O_ID]: row[O_FIRST] for row in owners}
        stopped = {row[O_ID] for row in owners if row[O_STOP] == "STOP"}  # cannot be invoiced (L3481)
        mobiles: dict[int, str] = {}
        emails: dict[int, str] = {}
        mobile_type = self.practice.mobile_type
        for row in details:
            (mobiles if row[D_TYPE] == mobile_type else emails).setdefault(row[D_CONTACT], row[D_CLEANED])
        visits: list[Visit] = []
        photos: list[Patient] = []
        vets = len(self.vets)
        for row in animals:
            owner = row[A_OWNER]
            patient = Patient(row[A_ID], owner, first_names.get(owner) or "there", row[A_NAME],
                              self.species.get(row[A_SPECIES], ""), row[A_WEIGHT], row[A_UNIT], mobiles.get(owner),
                              emails.get(owner), int(rand() * vets))
            visits += self._visits(patient, row)
            if rand() < PHOTO_SHARE:
                photos.append(patient)
        counts = dict.fromkeys(TABLES, 0)
        counts["appointment"] = len(visits)
        counts["attachment"] = len(photos)
        for visit in visits:
            if visit.reminder is not None:
                counts["communication"] += 1
            if visit.consult:
                counts["consult"] += 1
                counts["presentingproblemlink"] += len(visit.problems)
                bits = visit.records
                counts["history"] += bits & HISTORY and 1
                counts["physicalexam"] += bits & EXAM and 1
                counts["healthstatus"] += bits & HEALTH and 1
                counts["assessment"] += bits & ASSESSMENT and 1
                counts["plan"] += bits & PLAN and 1
                counts["vaccination"] += len(visit.vaccines)
                counts["communication"] += sum(1 for _ in self._vaccine_reminders(visit))
                if visit.tests:
                    counts["diagnosticrequest"] += 1
                    counts["diagnosticrequestitem"] += len(visit.tests)
                    if visit.released is not None:
                        counts["diagnosticresult"] += 1
                        counts["diagnosticresultitem"] += sum(len(C.ANALYTES[t]) for t in visit.tests)
                        if visit.patient.email:
                            counts["communication"] += 1
                if visit.medications:
                    counts["prescription"] += 1
                    counts["prescriptionitem"] += len(visit.medications)
                if visit.document:
                    counts["attachment"] += 1
                if self.prices is not None and visit.status == "Completed" and visit.patient.owner not in stopped:
                    visit.billed = self._fate(visit)
                    counts["invoice"] += 1
                    counts["invoiceline"] += len(self.billed_codes(visit))
                    counts["stocktransaction"] += sum(1 for _ in self.dispensed_by(visit))
                    if visit.billed in (PAID, OVERPAID, PART):
                        counts["payment"] += 1
                        counts["paymentallocation"] += 1
        restock = self.restock(visits)
        counts["receiveinvoice"] = len(restock)
        items = sum(len(bought) for _, bought in restock)
        counts["receiveinvoiceitem"] = items
        counts["stocktransaction"] += items
        return Plan(visits, photos, counts, restock)

    def dispensed_by(self, visit: Visit):
        """(code, units) of each line of the visit's invoice that dispenses stock: once approved, a line of a
        tracked product (its vaccines, its medicines) takes its units out of stock (``line_status``)."""
        if visit.billed is None or visit.billed == OPEN:
            return
        products = self.prices.products
        for code, quantity in self.billed_lines(visit):
            if products[code].tracked:
                yield code, quantity

    def restock(self, visits: list[Visit]) -> list[tuple[int, list[tuple[str, int]]]]:
        """The wholesaler's receipts, one per 30-day period back from now that needs one, oldest first: received
        as the period begins, the whole outers of each supplied product that, with what is left on the shelf from
        the periods before, cover what the period's invoices dispense. So the chunk's own stock never goes below
        nothing, and what is left over is less than an outer of each product."""
        supplied = self.prices.supplied if self.prices is not None else {}
        dispensed: dict[tuple[int, str], Decimal] = {}
        for visit in visits:
            for code, units in self.dispensed_by(visit):
                if code in supplied:
                    key = ((self.now - visit.start) // MONTH, code)
                    dispensed[key] = dispensed.get(key, Decimal(0)) + units
        shelf: dict[str, Decimal] = {}
        receipts = []
        for period in sorted({period for period, _ in dispensed}, reverse=True):
            bought = []
            for code in sorted(code for at, code in dispensed if at == period):
                units, per_outer = dispensed[period, code], supplied[code].units_per_outer
                short = units - shelf.get(code, Decimal(0))
                outers = int((short / per_outer).to_integral_value(ROUND_CEILING)) if short > 0 else 0
                shelf[code] = shelf.get(code, Decimal(0)) + outers * per_outer - units
                if outers:
                    bought.append((code, outers))
            if bought:
                receipts.append((period, bought))
        return receipts

    def _fate(self, visit: Visit) -> str:
        if visit.start >= self.now - WEEK:
            return OPEN
        roll, reached = self.rng.random(), 0.0
        for fate, share in FATES:
            reached += share
            if roll < reached:
                return fate
        return UNPAID

    def billed_lines(self, visit: Visit) -> list[tuple[str, Decimal]]:
        """(code, quantity) of each line of the visit's invoice: one of a consultation, a vaccine or a test, the
        units prescribed of a medicine (what leaves the shelf)."""
        return [(code, Decimal(C.MEDICATIONS[code][1]) if code in C.MEDICATIONS else Decimal(1))
                for code in self.billed_codes(visit)]

    def billed_codes(self, visit: Visit) -> list[str]:
        """The products a visit's invoice bills: the consultation (a revisit's for a recheck), then the vaccines
        given, the lab tests and the medicines prescribed; those the clinic has a price for."""
        priced = self.prices.products if self.prices is not None else {}
        codes = ["CON-REV" if visit.kind == "Recheck" and "CON-REV" in priced else "CON-STD",
                 *visit.vaccines, *visit.tests, *visit.medications]
        return [code for code in codes if code in priced]

    def _visits(self, patient: Patient, row: tuple) -> list[Visit]:
        """The animal's appointments, oldest first: past visits, then a booking today or ahead."""
        rand = self.rng.random
        calendar = self.calendar
        created = row[A_CREATED]
        dead = row[A_DEAD]
        end = min(row[A_DIED] if dead else self.now, calendar.today_midnight)
        species = patient.species
        planned: list[tuple[int, str, C.Case | None]] = []  # (start, kind, case)
        vaccinated = species in C.VACCINES
        if vaccinated:
            moment = created + int(rand() * 5 * DAY)
            while moment < end:
                planned.append((moment, "Vaccination", C.VACCINATION))
                moment += YEAR + int((rand() - 0.3) * 30 * DAY)
        years = max(end - created, 0) / YEAR
        age = (created - (row[A_BORN] or created)) / YEAR
        rate = VISITS_A_YEAR.get(species, 0.4) * (1.6 if age > 8 else 1.0)
        cases, weights = self.cases.get(species, ([], []))
        for _ in range(int(rate * years + rand())):
            if not cases:
                break
            moment = created + int(rand() * (end - created))
            case = self.rng.choices(cases, cum_weights=weights)[0]
            planned.append((moment, case.kind, case))
            if rand() < case.recheck and moment + 14 * DAY < end:
                planned.append((moment + int((7 + rand() * 7) * DAY), "Recheck", case))
        if dead and (row[A_REASON] or "").startswith("Euthanasia") and created < end:
            planned.append((max(end - 3600, created), "Euthanasia", C.EUTHANASIA))
        if not planned and created < end:
            planned.append((created + int(rand() * 2 * DAY), "Consultation", C.CHECK))  # the new patient's check
        planned.sort(key=lambda p: p[0])
        if len(planned) > MOST_VISITS - 1:
            planned = planned[-(MOST_VISITS - 1):]
        visits = []
        for moment, kind, case in planned:
            start = calendar.slot_on(calendar.day_of(moment), rand)
            if start is None or start >= calendar.today_midnight or start < created - DAY or start > end + DAY:
                continue
            visits.append(self._past(patient, start, kind, case, created))
        if not dead and row[A_ACTIVE] and rand() < self.booking_chance:
            booking = calendar.take_booking()
            if booking is not None:
                visits.append(self._ahead(patient, *booking, created, visits))
        return visits

    def _past(self, patient: Patient, start: int, kind: str, case: C.Case | None, created: int) -> Visit:
        rand = self.rng.random
        vet = patient.vet if rand() < 0.7 else int(rand() * len(self.vets))
        visit = Visit(patient, start, kind, case, vet)
        visit.booked = max(min(created, start), start - int(rand() * 21 * DAY))
        roll = rand()
        if kind != "Euthanasia" and roll < 0.08:
            visit.status = "Cancelled"
        elif kind != "Euthanasia" and roll < 0.12:
            visit.status = "No Show"
        self._room(visit)
        if visit.status == "Completed":
            self._record(visit, full=True)
        return visit

    def _ahead(self, patient: Patient, start: int, vet: int, created: int, before: list[Visit]) -> Visit:
        """A booking from the calendar: its kind, and its status from where it stands against now."""
        rand = self.rng.random
        kind = self.ahead_kinds[self.rng.choices(range(len(self.ahead_kinds)), cum_weights=self.ahead_weights)[0]]
        case: C.Case | None
        vaccinated = [v.start for v in before if v.kind == "Vaccination"]
        if patient.species in C.VACCINES and (kind == "Vaccination" or (vaccinated and start - vaccinated[-1] > YEAR
                                                                         - 30 * DAY)):
            kind, case = "Vaccination", C.VACCINATION
        else:
            kind = "Consultation" if kind == "Vaccination" else kind
            cases, weights = self.cases.get(patient.species, ([], []))
            fitting = [c for c in cases if c.kind == kind] if kind in ("Surgery", "Dental") else cases
            if not fitting:
                kind, fitting = "Consultation", cases
            case = self.rng.choices(fitting)[0] if fitting else C.CHECK
        visit = Visit(patient, start, kind, case, vet)
        visit.booked = min(max(created, start - int((1 + rand() * 20) * DAY)), self.now)
        duration = self.practice.durations.get(kind, 900)
        if start + duration <= self.now:
            visit.status = "Completed"
        elif start <= self.now:
            visit.status = "In Consult"
        elif start - self.now <= 1800:
            visit.status = "In Waiting Room"
        elif start < self.calendar.today_midnight + DAY:
            visit.status = "Confirmed" if rand() < 0.85 else "Pending"
        else:
            visit.status = "Confirmed" if rand() < 0.4 else "Pending"
        if visit.status in ("Confirmed", "Pending") and rand() < 0.04:
            visit.status = "Cancelled"
        self._room(visit)
        if visit.status in ("Completed", "In Consult"):
            self._record(visit, full=visit.status == "Completed")
        if visit.status not in ("Cancelled",) and patient.mobile and rand() < 0.6:
            visit.reminder = start - DAY
        return visit

    def _room(self, visit: Visit) -> None:
        if visit.kind == "Phone Call":
            return
        kind = visit.case.room if visit.case is not None and visit.kind in ("Surgery", "Dental") else "Consult Room"
        rooms = self.rooms.get(kind) or self.rooms.get("Consult Room") or []
        if rooms:
            visit.room = rooms[int(self.rng.random() * len(rooms))]

    def _record(self, visit: Visit, full: bool) -> None:
        """What a visit seen by a vet records: a consult, its notes, vaccines, lab work, medication, a file."""
        if visit.kind == "Phone Call":
            return
        rand = self.rng.random
        case = visit.case or C.CHECK
        visit.consult = True
        problems = self.practice.problems
        main = problems.get(case.problem)
        extra = self.other_problems[int(rand() * len(self.other_problems))] if rand() < 0.2 else None
        visit.problems = tuple(p for p in (main, extra if extra != main else None) if p is not None)
        if not full:  # still in the consult room: the history is being written
            visit.records = HISTORY
            return
        bits = HISTORY if rand() < 0.95 else 0
        bits |= EXAM if rand() < 0.85 else 0
        bits |= HEALTH if rand() < 0.85 else 0
        bits |= ASSESSMENT if rand() < 0.8 else 0
        bits |= PLAN if rand() < 0.8 else 0
        visit.records = bits
        species = visit.patient.species
        if visit.kind == "Vaccination":
            vaccines = C.VACCINES.get(species, ())
            visit.vaccines = tuple(v for i, v in enumerate(vaccines) if i == 0 or rand() < 0.6)
        if case.tests and species in C.COMPANION and rand() < case.tested:
            tests = case.tests
            visit.tests = tuple(sorted(self.rng.sample(tests, min(len(tests), 1 + int(rand() * 2)))))
            in_house = all(t.startswith("IDX") for t in visit.tests)
            released = visit.start + (1800 if in_house else int((1 + rand()) * DAY))
            visit.released = released if released <= self.now else None
        if case.medications and rand() < case.prescribed:
            meds = case.medications
            visit.medications = tuple(self.rng.sample(meds, min(len(meds), 1 + int(rand() * 2))))
        if case.document and rand() < 0.3:
            visit.document = case.document

    def _vaccine_reminders(self, visit: Visit):
        """When each vaccine's reminder goes out (two weeks before it is due), for those sent or due to be."""
        if not (visit.patient.mobile or visit.patient.email):
            return
        for _ in visit.vaccines[:1]:  # one reminder a visit, for its core vaccine
            sent = visit.start + YEAR - 14 * DAY
            if sent <= self.now + 21 * DAY:
                yield sent

    # making rows -----------------------------------------------------------------------------------------

    def rows(self, plan: Plan, ids: dict[str, list[int]]) -> dict[str, list[tuple]]:
        made = Rows(self, ids)
        for visit in plan.visits:
            made.visit(visit)
        for patient in plan.photos:
            made.photo(patient)
        made.restock(plan.restock)
        for table, rows in made.tables.items():
            assert len(rows) == plan.counts[table], (table, len(rows), plan.counts[table])
        return made.tables


class Rows:
    """The rows of one chunk, table by table; ids handed out in order from those taken for the chunk."""

    def __init__(self, histories: Histories, ids: dict[str, list[int]]):
        self.h = histories
        self.ids = {table: iter(taken) for table, taken in ids.items()}
        self.tables: dict[str, list[tuple]] = {table: [] for table in TABLES}
        self.rand = histories.rng.random
        self.clinic = histories.clinic_id
        self.now = histories.now
        self.p = histories.practice
        self.last_exam: dict[int, int] = {}  # animal -> its latest PhysicalExam

    def pick(self, choices):
        return choices[int(self.rand() * len(choices))]

    def text(self, templates, patient: Patient) -> str:
        rand = self.rand
        return self.pick(templates).format(
            name=patient.name, days=1 + int(rand() * 5), times=2 + int(rand() * 5), leg=self.pick(C.LEGS),
            side=self.pick(C.SIDES))

    def visit(self, visit: Visit) -> None:
        h, p, rand, now, clinic = self.h, self.p, self.rand, self.now, self.clinic
        patient = visit.patient
        user, resource = h.vets[visit.vet]
        kind = visit.kind
        duration = p.durations.get(kind, 900)
        appointment_id = next(self.ids["appointment"])
        consult_id = next(self.ids["consult"]) if visit.consult else None
        start = visit.start
        status = visit.status
        reason = reason_text = None
        if status == "Cancelled":
            if p.reasons and rand() < 0.75:
                reason = self.pick(p.reasons)
            else:
                reason_text = self.pick(C.CANCELLED_WORDS)
            modified = min(visit.booked + int((start - visit.booked) * rand()), now)
        elif status in ("Completed", "No Show"):
            modified = min(start + duration + int(rand() * 3600), now)
        elif status in ("In Consult", "In Waiting Room"):
            modified = max(visit.booked, min(start, now) - int(rand() * 600))
        else:
            modified = visit.booked
        case = visit.case
        if kind == "Vaccination":
            description = "Annual vaccination and health check"
        elif kind == "Euthanasia":
            description = "Euthanasia"
        elif case is None or case is C.CHECK:
            description = "Health check"
        else:
            description = f"{'Recheck: ' if kind == 'Recheck' else ''}{case.problem}"
        phone = kind == "Phone Call"
        self.tables["appointment"].append((
            appointment_id, clinic, True, visit.booked, max(modified, visit.booked), start, duration,
            p.types[kind], p.statuses[status], description, None if phone else patient.id, consult_id, patient.owner,
            resource, [resource] if visit.room is None else [resource, visit.room], reason, reason_text, 0, 0, 0))
        if visit.reminder is not None:
            self.booking_reminder(visit, appointment_id)
        if consult_id is not None:
            self.consult(visit, consult_id, user, resource, description, duration)

    def consult(self, visit: Visit, consult_id: int, user: int, resource: int, description: str,
                duration: int) -> None:
        t, p, rand, now, clinic = self.tables, self.p, self.rand, self.now, self.clinic
        patient = visit.patient
        start = visit.start
        case = visit.case or C.CHECK
        closed = min(start + duration + int(rand() * 7200), now) if visit.records != HISTORY else min(start, now)
        t["consult"].append((consult_id, clinic, True, start, max(closed, start), p.location_id,
                             str(CONSULT_CODES + consult_id), start, patient.id, user, description))
        for problem in visit.problems:
            t["presentingproblemlink"].append((next(self.ids["presentingproblemlink"]), clinic, True, start, start,
                                               problem, consult_id))

        def at(minutes: int) -> int:
            return min(start + minutes * 60, now)

        bits = visit.records
        if bits & HISTORY:
            moment = at(2)
            t["history"].append((next(self.ids["history"]), clinic, True, moment, moment, consult_id, patient.id, user,
                                 moment, self.text(case.history, patient)))
        if bits & HEALTH:
            self.health_status(visit, consult_id, at(4))
        if bits & EXAM:
            moment = at(6)
            exam_id = next(self.ids["physicalexam"])
            t["physicalexam"].append((exam_id, clinic, True, moment, moment, consult_id, patient.id, user,
                                      p.location_id, case.body_system, f"|{case.body_system}|",
                                      self.text(case.exam, patient), moment, self.last_exam.get(patient.id)))
            self.last_exam[patient.id] = exam_id
        for index, code in enumerate(visit.vaccines):
            moment = at(8 + index)
            t["vaccination"].append((
                next(self.ids["vaccination"]), clinic, True, moment, moment, user, patient.id, consult_id,
                p.products[code], Decimal(1), "Annual booster" if index == 0 else "Non-core vaccine",
                None if rand() < 0.8 else "No reaction observed after 15 minutes.", moment, 0, moment + 365 * DAY,
                resource))
            if index == 0:
                for sent in self.h._vaccine_reminders(visit):
                    self.vaccine_reminder(visit, sent, moment + 365 * DAY, user, resource)
        if bits & ASSESSMENT:
            moment = at(10)
            t["assessment"].append((next(self.ids["assessment"]), clinic, True, moment, moment, consult_id,
                                    patient.id, user, moment, self.pick(case.assessment)))
        if visit.tests:
            self.lab(visit, consult_id, user, at(12))
        if visit.medications:
            self.prescription(visit, consult_id, user, resource, at(13))
        if bits & PLAN:
            moment = at(14)
            t["plan"].append((next(self.ids["plan"]), clinic, True, moment, moment, consult_id, patient.id, user,
                              moment, self.pick(case.plan)))
        if visit.document:
            file_id, name, mime = p.files[visit.document]
            moment = at(15)
            t["attachment"].append((next(self.ids["attachment"]), clinic, True, moment, moment, file_id, "Consult",
                                    consult_id, mime, name, False, None))
        if visit.billed is not None:
            self.invoice(visit, consult_id, user, max(closed, start))

    def invoice(self, visit: Visit, consult_id: int, user: int, closed: int) -> None:
        """The visit's invoice, made as the consult closed: a line a product, priced from the clinic's price list,
        the vet its salesperson; approved then (its lines Finalised, each of a tracked product dispensing it: one
        ledger row out of the line's location) unless still open, and paid as its fate says, by one payment
        allocated to it."""
        t, rand, now, clinic, prices = self.tables, self.rand, self.now, self.clinic, self.h.prices
        patient = visit.patient
        invoice_id = next(self.ids["invoice"])
        approved = visit.billed != OPEN
        totals, taxes = [], []
        for code, quantity in self.h.billed_lines(visit):
            priced, total, tax = prices.line(code, quantity)
            totals.append(total)
            taxes.append(tax)
            line_id = next(self.ids["invoiceline"])
            t["invoiceline"].append((
                line_id, clinic, True, closed, closed, invoice_id, priced.name,
                priced.product_id, None, user, quantity, Decimal(0), Decimal(0), priced.price, priced.price_tax,
                priced.price, priced.price_tax, total, tax, "Finalised" if approved else "Pending", priced.tax_code,
                priced.tax_percent, prices.ownership, prices.location, None, None, "standard", patient.id,
                consult_id, None))
            if approved and priced.tracked:
                t["stocktransaction"].append((next(self.ids["stocktransaction"]), clinic, True, closed, closed,
                                              -quantity, True, prices.location, line_id, "InvoiceLine",
                                              priced.product_id, "Finalised", closed))
        subtotal, tax, total = invoice_figures(totals, taxes)
        paid, modified = Decimal(0), closed
        if visit.billed in (PAID, OVERPAID, PART):
            if visit.billed == PART:
                paid = (total * Decimal(self.pick(("0.25", "0.5", "0.75")))).quantize(Decimal("0.01"))
            else:
                paid = total
            amount = paid + (Decimal(self.pick((10, 20, 50))) if visit.billed == OVERPAID else 0)
            when = closed if rand() < PAID_AT_CHECKOUT else min(closed + int(rand() * 3 * WEEK), now)
            payment_id = next(self.ids["payment"])
            t["payment"].append((payment_id, clinic, True, when, when, prices.ownership, amount,
                                 self.pick(prices.methods), "", when, "", amount - paid, paid, patient.owner, None,
                                 Decimal(0), Decimal(0), Decimal("0.05"), "Accepted"))
            t["paymentallocation"].append((next(self.ids["paymentallocation"]), clinic, True, when, when, payment_id,
                                           invoice_id, paid))
            modified = when  # the allocation touched the invoice
        t["invoice"].append((
            invoice_id, clinic, True, closed, modified, prices.ownership, invoice_code(invoice_id), patient.owner,
            patient.id, consult_id, subtotal, tax, total, total - paid, False, 0, visit.start, visit.start + 2 * WEEK,
            closed if approved else 0, None, None, None, None))

    def health_status(self, visit: Visit, consult_id: int, moment: int) -> None:
        rand = self.rand
        patient = visit.patient
        temperature, heart, breathing = C.VITALS.get(patient.species, C.VITALS["Canine"])
        weight = None
        if patient.weight is not None:
            drift = 1 + (rand() - 0.5) * 0.12
            weight = (Decimal(int(patient.weight * Decimal(drift))) if patient.unit == "g"
                      else (patient.weight * Decimal(f"{drift:.3f}")).quantize(Decimal("0.01")))
        sick = visit.kind not in ("Vaccination",) and visit.case is not C.CHECK
        fever = 0.8 if sick and rand() < 0.2 else 0.0
        self.tables["healthstatus"].append((
            next(self.ids["healthstatus"]), self.clinic, True, moment, moment, consult_id, patient.id, moment,
            None if rand() < 0.7 else "Weight stable since last visit.", weight, patient.unit,
            Decimal(f"{temperature[0] + (temperature[1] - temperature[0]) * rand() + fever:.1f}"),
            Decimal(int(heart[0] + (heart[1] - heart[0]) * rand())),
            Decimal(int(breathing[0] + (breathing[1] - breathing[0]) * rand())),
            Decimal(4 + int(rand() * 3)), 9, Decimal(int(rand() * 3) if sick else 0), 5,
            Decimal(int(rand() * 3)), 4, "<1 sec" if rand() < 0.7 else "1-2 sec", "Pink",
            "BAR" if not sick or rand() < 0.6 else "QAR", "Normal", "Normal"))

    def lab(self, visit: Visit, consult_id: int, user: int, moment: int) -> None:
        t, p, rand, clinic = self.tables, self.p, self.rand, self.clinic
        patient = visit.patient
        request_id = next(self.ids["diagnosticrequest"])
        reference = f"OV{clinic}-DR{request_id}"
        external = any(not code.startswith("IDX") for code in visit.tests)
        supplier = p.lab_id if external else None
        specifics = f"{visit.case.problem if visit.case else 'Check'}; {patient.species.lower()}, {patient.name}."
        released = visit.released
        t["diagnosticrequest"].append((
            request_id, clinic, True, moment, released or moment, moment, patient.owner, patient.id, consult_id, user,
            reference, specifics, "Results received" if released else "Sent", supplier, p.location_id))
        for code in visit.tests:
            kind, diagnostic_id, name, diagnostic_code = p.diagnostics[code]
            t["diagnosticrequestitem"].append((next(self.ids["diagnosticrequestitem"]), clinic, True, moment, moment,
                                               request_id, kind, diagnostic_id, name, diagnostic_code))
        if released is None:
            return
        result_id = next(self.ids["diagnosticresult"])
        feline = patient.species == "Feline"
        abnormal = []
        for code in visit.tests:
            for name, unit, canine, cat, decimals in C.ANALYTES[code]:
                limits = cat if feline else canine
                qualifier = ""
                if limits is None:
                    words = C.WORD_RESULTS[name]
                    value, low, high = (words[0] if rand() < 0.8 else self.pick(words)), None, None
                else:
                    low, high = limits
                    span = high - low
                    number = low + span * (0.1 + 0.8 * rand())
                    roll = rand()
                    if roll < 0.08:
                        number, qualifier = high + span * rand() * 0.5, "H"
                    elif roll < 0.12:
                        number, qualifier = max(low - span * rand() * 0.2, 0), "L"
                    value = f"{number:.{decimals}f}"
                    low, high = f"{low:.{decimals}f}", f"{high:.{decimals}f}"
                    if qualifier:
                        abnormal.append(name)
                t["diagnosticresultitem"].append((next(self.ids["diagnosticresultitem"]), clinic, True, released,
                                                  released, released, result_id, name, value, unit or None, low,
                                                  high, qualifier, ""))
        outcome = ("All values within reference ranges." if not abnormal else
                   f"**Outside reference range:** {', '.join(abnormal)}. Interpret with the clinical picture.")
        t["diagnosticresult"].append((
            result_id, clinic, True, released, released, p.location_id, patient.owner, consult_id, patient.id, supplier,
            user, request_id, reference, released, specifics, outcome,
            f"https://results.gribbles.example.nz/{reference}" if external else None))
        if patient.email:
            self.results_email(visit, result_id, released, user, abnormal)

    def prescription(self, visit: Visit, consult_id: int, user: int, resource: int, moment: int) -> None:
        t, p, clinic = self.tables, self.p, self.clinic
        patient = visit.patient
        prescription_id = next(self.ids["prescription"])
        t["prescription"].append((prescription_id, clinic, True, moment, moment, self.h.make_uid(), patient.id,
                                  consult_id, patient.owner, user, moment, resource))
        for code in visit.medications:
            instructions, quantity, refills = C.MEDICATIONS[code]
            t["prescriptionitem"].append((next(self.ids["prescriptionitem"]), clinic, True, moment, moment,
                                          prescription_id, p.products[code], Decimal(quantity), Decimal(refills),
                                          instructions, moment))

    # what is sent to owners: communications, sent as the vet (by the vet's calendar Resource) ----------------

    def communication(self, patient: Patient, sent: int, sms: bool, content: str, subject: str, user: int,
                      resource: int, about: tuple[str, int]) -> None:
        p, rand, now = self.p, self.rand, self.now
        done = sent <= now
        created = sent if done else now - int(rand() * 2 * DAY)  # a reminder still to go was queued lately
        read_at = None
        if done and not sms and rand() < 0.45:
            read_at = min(sent + int(rand() * 2 * DAY), now)
        self.tables["communication"].append((
            next(self.ids["communication"]), self.clinic, True, created, read_at or created,
            "Contact", patient.owner, p.mobile_type if sms else p.email_type,
            patient.mobile if sms else patient.email, CLINIC_PHONE if sms else CLINIC_EMAIL, "Outgoing", resource,
            user, content, "SMS" if sms else "PlainText", "Done" if done else "Pending", "" if sms else subject,
            about[0], about[1], read_at))

    def vaccine_reminder(self, visit: Visit, sent: int, due: int, user: int, resource: int) -> None:
        patient = visit.patient
        when = _day(due)
        sms = patient.mobile is not None and (patient.email is None or self.rand() < 0.6)
        words = C.REMINDER_SMS if sms else C.REMINDER_EMAIL
        self.communication(patient, sent, sms, words.format(owner=patient.owner_first, name=patient.name, due=when),
                           f"{patient.name}'s vaccination is due", user, resource, ("Animal", patient.id))

    def booking_reminder(self, visit: Visit, appointment_id: int) -> None:
        patient = visit.patient
        user, resource = self.h.vets[visit.vet]
        when = datetime.fromtimestamp(visit.start, UTC).strftime("%a %d %b at %H:%M UTC")
        self.communication(patient, visit.reminder, True,
                           C.APPOINTMENT_SMS.format(owner=patient.owner_first, name=patient.name, when=when), "",
                           user, resource, ("Appointment", appointment_id))

    def results_email(self, visit: Visit, result_id: int, released: int, user: int, abnormal: list[str]) -> None:
        patient = visit.patient
        _, resource = self.h.vets[visit.vet]
        summary = ("Everything is within the normal ranges." if not abnormal else
                   "A few values need a closer look; the vet will call you to talk them through.")
        sent = min(released + 7200, self.now)
        self.communication(patient, sent, False, C.RESULTS_EMAIL.format(owner=patient.owner_first,
                                                                         name=patient.name, summary=summary),
                           f"{patient.name}'s lab results", user, resource, ("DiagnosticResult", result_id))

    def restock(self, receipts: list[tuple[int, list[tuple[str, int]]]]) -> None:
        """The wholesaler's receipts (``Histories.restock``), each dated the first moment of its 30-day period:
        received into the clinic's location and so into stock (one ledger row an item), as a Finalised receipt
        written through the engine would."""
        t, clinic, prices = self.tables, self.clinic, self.h.prices
        for period, bought in receipts:
            moment = self.now - (period + 1) * MONTH
            receipt_id = next(self.ids["receiveinvoice"])
            totals, taxes = Decimal(0), Decimal(0)
            for code, outers in bought:
                supplied = prices.supplied[code]
                quantity, price, tax, total, total_tax = supplied.item(outers)
                totals, taxes = totals + total, taxes + total_tax
                item_id = next(self.ids["receiveinvoiceitem"])
                t["receiveinvoiceitem"].append((
                    item_id, clinic, True, moment, moment, receipt_id, supplied.name, quantity, price, tax, total,
                    total_tax, supplied.tax_rate, supplied.tax_code, supplied.product_id,
                    supplied.product_supplier_id, supplied.supplier_code, prices.ownership, prices.location, "", None,
                    "Finalised"))
                t["stocktransaction"].append((next(self.ids["stocktransaction"]), clinic, True, moment, moment,
                                              quantity, True, prices.location, item_id, "ReceiveInvoiceItem",
                                              supplied.product_id, "Finalised", moment))
            vendor = next(iter(prices.supplied.values())).supplier_id
            t["receiveinvoice"].append((
                receipt_id, clinic, True, moment, moment, restock_number(receipt_id), moment, moment + MONTH, vendor,
                Decimal(0), Decimal(0), Decimal(0), RESTOCK, taxes, totals + taxes, prices.ownership, [],
                "Finalised"))

    def photo(self, patient: Patient) -> None:
        file_id, name, mime = self.p.files["photo"]
        moment = self.now - int(self.rand() * 90 * DAY)
        self.tables["attachment"].append((next(self.ids["attachment"]), self.clinic, True, moment, moment, file_id,
                                          "Animal", patient.id, mime, name, True, f"{patient.name}'s photo"))


def _day(moment: int) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%d %B %Y")
