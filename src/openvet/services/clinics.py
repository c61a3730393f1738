"""Opening a clinic: the tenant itself, its settings, and the lists every practice starts with.

A new clinic gets its SystemSetting (timezone) and the standard vocabularies: species (with their Provet
codes), breeds, sexes (with Provet gender codes), colours, countries and contact detail types, so that both
APIs can be used at once. Seeding is idempotent table by table: a table the clinic already has rows in is
left as it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from openvet.services import billing, credentials
from openvet.store import accounts, records

# name, Provet species code (22001 = Dog (Canine - Domestic), the Provet example)
SPECIES = (
    ("Canine", 22001), ("Feline", 22002), ("Equine", 22003), ("Bovine", 22004), ("Avian", 22005),
    ("Rabbit", 22006), ("Guinea Pig", 22007), ("Ferret", 22008), ("Ovine", 22009), ("Caprine", 22010),
    ("Porcine", 22011), ("Reptile", 22012),
)

BREEDS = {
    "Canine": (
        "Labrador Retriever", "German Shepherd", "Golden Retriever", "Border Collie", "Jack Russell Terrier",
        "Staffordshire Bull Terrier", "Huntaway", "Cavalier King Charles Spaniel", "Beagle", "Dachshund",
        "French Bulldog", "Boxer", "Miniature Schnauzer", "Poodle (Toy)", "Cocker Spaniel", "Rottweiler",
        "Shih Tzu", "Bichon Frise", "Pug", "Siberian Husky", "Heading Dog", "Mixed Breed",
    ),
    "Feline": (
        "Domestic Shorthair", "Domestic Longhair", "Domestic Medium Hair", "Siamese", "Burmese", "Persian",
        "Maine Coon", "Ragdoll", "British Shorthair", "Bengal", "Birman", "Abyssinian",
    ),
    "Equine": (
        "Thoroughbred", "Standardbred", "Quarter Horse", "Arabian", "Clydesdale", "Welsh Pony",
        "Shetland Pony", "Warmblood", "Kaimanawa",
    ),
    "Bovine": ("Friesian", "Jersey", "Angus", "Hereford", "Kiwicross", "Ayrshire", "Simmental"),
    "Avian": ("Budgerigar", "Cockatiel", "Sulphur-crested Cockatoo", "Eclectus Parrot", "Lovebird",
              "Domestic Chicken", "African Grey Parrot"),
    "Rabbit": ("Netherland Dwarf", "Mini Lop", "Holland Lop", "Lionhead", "Flemish Giant", "Rex"),
    "Guinea Pig": ("American", "Abyssinian", "Peruvian", "Teddy", "Texel"),
    "Ferret": ("Sable", "Albino", "Cinnamon"),
    "Ovine": ("Romney", "Merino", "Corriedale", "Perendale", "Texel", "Suffolk"),
    "Caprine": ("Saanen", "Boer", "Nubian", "Toggenburg", "Angora"),
    "Porcine": ("Kunekune", "Large White", "Berkshire", "Duroc"),
    "Reptile": ("Bearded Dragon", "Blue-tongued Skink", "Leopard Gecko", "Red-eared Slider"),
}

# name, abbreviation, is_desexed, Provet gender code (2 = Female, the Provet example)
SEXES = (
    ("Male", "M", False, 1), ("Female", "F", False, 2), ("Male Neutered", "MN", True, 3),
    ("Female Spayed", "FS", True, 4), ("Unknown", "U", False, 0),
)

COLOURS = (
    "Black", "White", "Black & White", "Tan", "Black & Tan", "Brown", "Chocolate", "Brindle", "Golden",
    "Cream", "Red", "Liver", "Tricolour", "Blue Merle", "Grey", "Tabby", "Ginger", "Tortoiseshell",
    "Calico", "Seal Point", "Bay", "Chestnut", "Palomino", "Dun", "Roan", "Piebald", "Sable", "Fawn",
)

COUNTRIES = (
    "New Zealand", "Australia", "United Kingdom", "Ireland", "United States", "Canada", "South Africa",
    "Finland", "Sweden", "Germany", "Netherlands", "Singapore", "Fiji",
)

CONTACT_DETAIL_TYPES = ("Email", "Mobile", "Home", "Business Phone", "Fax", "Website")

# The calendar's standard lists. Status "Cancelled" is the one an appointment cancelled with `cancel` takes.
APPOINTMENT_STATUSES = ("Pending", "Confirmed", "In Waiting Room", "In Consult", "Completed", "No Show",
                        "Cancelled")
# name, default duration (minutes), needs an animal, needs a contact
APPOINTMENT_TYPES = (
    ("Consultation", 15, True, True), ("Vaccination", 15, True, True), ("Recheck", 15, True, True),
    ("Surgery", 120, True, True), ("Dental", 90, True, True), ("Euthanasia", 30, True, True),
    ("Phone Call", 10, False, True), ("Staff Meeting", 60, False, False),
)
ROOMS = ("Consult Room 1", "Consult Room 2", "Surgery", "Dental Suite", "Kennels")
CANCELLATION_REASONS = ("Client cancelled", "Client did not attend", "Rescheduled", "Clinic cancelled",
                        "Patient deceased", "Other")
PRESENTING_PROBLEMS = (
    "Annual health check", "Vaccination due", "Vomiting", "Diarrhoea", "Lameness", "Itching", "Coughing",
    "Seizures", "Lethargy", "Inappetence", "Wound", "Ear infection", "Eye problem", "Skin mass", "Weight loss",
    "Urinary problem", "Dental disease", "Trauma", "Toxin ingestion", "Behavioural problem",
)
THERAPEUTICS = ("Anaesthesia", "Desexing", "Microchipping", "Dental scale and polish", "Arthroscopy",
                "Wound repair", "Mass removal", "Radiography", "Ultrasound", "Euthanasia")

# The tax rates and ledger accounts prices, adjustments and invoice lines name and the API cannot create
# (TaxRate and LedgerAccount are list-only, L13242, L8241): the document's own samples (L13296, L8285).
TAX_RATES = (("E", 0), ("S", 10), ("Z", 0))  # exempt, standard, zero-rated
LEDGER_ACCOUNTS = (("200", "Sales"), ("310", "Cost of Goods Sold"), ("630", "Inventory"))


def create_clinic(engine, slug: str, name: str, timezone: str) -> int:
    """A new clinic with its settings and standard lists; ValueError if the slug is taken."""
    with engine.db.begin() as conn:
        clinic_id = credentials.create_clinic(conn, slug, name)
    seed_settings(engine, clinic_id, timezone)
    seed_vocabularies(engine, clinic_id)
    return clinic_id


def list_clinics(engine) -> list[sa.Row]:
    with engine.db.connect() as conn:
        return accounts.list_clinics(conn)


def stamp(now: int) -> dict[str, Any]:
    return {"active": True, "created_at": now, "modified_at": now}


def seeder(conn: sa.Connection, tables, clinic_id: int) -> Callable[[str, list[dict[str, Any]]], None]:
    """``seed(table, rows)``: insert the rows, stamped now, unless the clinic has rows in that table."""
    now = int(time.time())

    def seed(name: str, rows: list[dict[str, Any]]) -> None:
        if not records.has_rows(conn, tables[name], clinic_id):
            records.insert_many(conn, tables[name], clinic_id, [dict(row, **stamp(now)) for row in rows])

    return seed


def seed_settings(engine, clinic_id: int, timezone: str) -> None:
    """The clinic's one SystemSetting row, unless it has one already."""
    table = engine.tables["systemsetting"]
    with engine.db.begin() as conn:
        if records.has_rows(conn, table, clinic_id):
            return
        values: dict[str, Any] = {"timezone": timezone}
        if "active" in table.c:
            values.update(stamp(int(time.time())))
        records.insert(conn, table, clinic_id, values)


def seed_vocabularies(engine, clinic_id: int) -> None:
    """Species, breeds, sexes, colours, countries and contact detail types, where the clinic has none."""
    t = engine.tables
    with engine.db.begin() as conn:
        seed = seeder(conn, t, clinic_id)
        seed("species", [{"name": name, "provet_code": code} for name, code in SPECIES])
        species = records.ids_by_name(conn, t["species"], clinic_id)
        seed("breed", [{"name": breed, "species_id": species[name]}
                       for name, breeds in BREEDS.items() if name in species for breed in breeds])
        seed("sex", [{"name": n, "abbreviation": a, "is_desexed": d, "provet_code": c}
                     for n, a, d, c in SEXES])
        seed("animalcolour", [{"name": name} for name in COLOURS])
        seed("country", [{"name": name} for name in COUNTRIES])
        seed("contactdetailtype", [{"name": name} for name in CONTACT_DETAIL_TYPES])
    seed_standard_lists(engine, clinic_id)


def seed_standard_lists(engine, clinic_id: int) -> None:
    """The lists the API reads but cannot write (statuses, types, rooms, reasons, presenting problems,
    procedures, tax rates, ledger accounts), each made through the engine like any record (with its rules and
    events), in a table where the clinic has none yet. Run on ``clinic create`` and on ``migrate`` for clinics
    made before a list was."""
    lists = {
        "appointmentstatus": [{"name": n, "cancelled": n == "Cancelled"} for n in APPOINTMENT_STATUSES],
        "appointmenttype": [{"name": n, "default_duration": d, "requires_animal": a, "requires_contact": c}
                            for n, d, a, c in APPOINTMENT_TYPES],
        "resource": [{"name": n, "type": "facility", "access": "On Calendar"} for n in ROOMS],
        "appointmentcancellationreason": [{"name": n} for n in CANCELLATION_REASONS],
        "presentingproblem": [{"name": n} for n in PRESENTING_PROBLEMS],
        "therapeutic": [{"name": n} for n in THERAPEUTICS],
        "taxrate": [{"code": c, "rate": r} for c, r in TAX_RATES],
        "ledgeraccount": [{"code": c, "name": n} for c, n in LEDGER_ACCOUNTS],
        # billing: how the clinic is paid
        "paymentmethod": [{"name": n, "uses_eftpos_machine": e, "type": t} for n, e, t in billing.PAYMENT_METHODS],
    }
    with engine.writing(clinic_id) as writer:
        for name, rows in lists.items():
            resource = engine.registry[name]
            if records.has_rows(writer.conn, engine.tables[resource.table], clinic_id):
                continue
            for row in rows:
                writer.create(resource, row, None)


def seed_every_clinic(engine) -> int:
    """``seed_vocabularies`` for every clinic (``openvet migrate``): a list added by a new version reaches the
    clinics made before it. Answers how many clinics there are."""
    clinics = list_clinics(engine)
    for clinic in clinics:
        seed_vocabularies(engine, clinic.id)
    return len(clinics)
