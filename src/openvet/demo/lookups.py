"""A demo clinic's lookup lists and setup: species, breeds, sexes, colours, countries, contact detail types,
its separations (Database > Business > Division > Location), users and tags.

Seeding is idempotent table by table: a table the clinic already has rows in is left as it is.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from openvet.store import records

GROUP = "Riverside Veterinary Group"

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

# name, type, parent name, separation_type
SEPARATIONS = (
    (GROUP, "Database", None, None),
    (f"{GROUP} Ltd", "Business", GROUP, None),
    ("Companion Animals", "Division", f"{GROUP} Ltd", None),
    ("Equine & Farm", "Division", f"{GROUP} Ltd", None),
    ("Riverside Hamilton Central", "Location", "Companion Animals", "Hospital"),
    ("Riverside Cambridge", "Location", "Companion Animals", "Clinic"),
    ("Riverside Te Awamutu Equine", "Location", "Equine & Farm", "Hospital"),
)

# name, code, is_vet, is_salesperson, tags
USERS = (
    ("Dr Aroha Ngata", "AN", True, True, ("Surgery", "Senior Vet")),
    ("Dr James Whitfield", "JW", True, True, ("Equine",)),
    ("Dr Priya Raman", "PR", True, True, ("Dentistry",)),
    ("Dr Sophie Laurent", "SL", True, True, ("Exotics",)),
    ("Hannah McKenzie", "HM", False, True, ("Head Nurse",)),
    ("Tama Walker", "TW", False, True, ("Nurse",)),
    ("Grace Liu", "GL", False, True, ("Nurse",)),
    ("Olivia Brown", "OB", False, True, ("Reception",)),
    ("Practice Manager", "PM", False, False, ("Management",)),
)

TAGS = {
    "Staff": ("Surgery", "Senior Vet", "Equine", "Dentistry", "Exotics", "Head Nurse", "Nurse", "Reception",
              "Management"),
    "Client": ("VIP", "Bad Debtor", "Prefers Email", "Farm Account"),
    "Patient": ("Aggressive", "Nervous", "Blood Donor", "Senior Care"),
}


def _has_rows(conn: sa.Connection, table: sa.Table, clinic_id: int) -> bool:
    query = sa.select(table.c.id).where(table.c.clinic_id == clinic_id).limit(1)
    return conn.execute(query).first() is not None


def _ids_by_name(conn: sa.Connection, table: sa.Table, clinic_id: int) -> dict[str, int]:
    query = sa.select(table.c.name, table.c.id).where(table.c.clinic_id == clinic_id).order_by(table.c.id)
    found: dict[str, int] = {}
    for name, record_id in conn.execute(query):
        found.setdefault(name, record_id)
    return found


def _stamp(now: int) -> dict[str, Any]:
    return {"active": True, "created_at": now, "modified_at": now}


def _uid(engine, resource: str) -> str:
    return engine.registry[resource].field_map["uid"].type.make()


def seed_settings(engine, clinic_id: int, timezone: str) -> None:
    """The clinic's one SystemSetting row, unless it has one already."""
    table = engine.tables["systemsetting"]
    with engine.db.begin() as conn:
        if conn.execute(sa.select(table.c.clinic_id).where(table.c.clinic_id == clinic_id).limit(1)).first():
            return
        values: dict[str, Any] = {"timezone": timezone}
        if "active" in table.c:
            values.update(_stamp(int(time.time())))
        records.insert(conn, table, clinic_id, values)


def seed_lookups(engine, clinic_id: int) -> None:
    """Realistic lookup records and setup for a clinic; tables it already has rows in are left alone."""
    now = int(time.time())
    t = engine.tables
    with engine.db.begin() as conn:
        def seed(name: str, rows: list[dict[str, Any]]) -> None:
            if not _has_rows(conn, t[name], clinic_id):
                records.insert_many(conn, t[name], clinic_id, [dict(row, **_stamp(now)) for row in rows])

        seed("species", [{"name": name, "provet_code": code} for name, code in SPECIES])
        species = _ids_by_name(conn, t["species"], clinic_id)
        seed("breed", [{"name": breed, "species_id": species[name]}
                       for name, breeds in BREEDS.items() if name in species for breed in breeds])
        seed("sex", [{"name": n, "abbreviation": a, "is_desexed": d, "provet_code": c}
                     for n, a, d, c in SEXES])
        seed("animalcolour", [{"name": name} for name in COLOURS])
        seed("country", [{"name": name} for name in COUNTRIES])
        seed("contactdetailtype", [{"name": name} for name in CONTACT_DETAIL_TYPES])
        if not _has_rows(conn, t["separation"], clinic_id):
            _seed_separations(engine, conn, clinic_id, now)
        if not _has_rows(conn, t["user"], clinic_id):
            seed("user", [{"name": n, "code": c, "is_vet": v, "is_salesperson": s}
                          for n, c, v, s, _ in USERS])
        seed("tagcategory", [{"name": name} for name in TAGS])
        categories = _ids_by_name(conn, t["tagcategory"], clinic_id)
        seed("tagname", [{"name": tag, "category_id": categories[category]}
                         for category, tags in TAGS.items() if category in categories for tag in tags])
        if not _has_rows(conn, t["tag"], clinic_id) and "Staff" in categories:
            users = _ids_by_name(conn, t["user"], clinic_id)
            seed("tag", [{"name": tag, "associated_type": "User", "associated_id": users[name],
                          "category_id": categories["Staff"]}
                         for name, _, _, _, tags in USERS if name in users for tag in tags])


def _seed_separations(engine, conn: sa.Connection, clinic_id: int, now: int) -> None:
    """The group's hierarchy, and the business Contact (with its details and address) that the
    Database and Business separations point at."""
    t = engine.tables
    countries = _ids_by_name(conn, t["country"], clinic_id)
    types = _ids_by_name(conn, t["contactdetailtype"], clinic_id)
    business = records.insert(conn, t["contact"], clinic_id, {
        **_stamp(now), "uid": _uid(engine, "contact"), "last_name": f"{GROUP} Ltd",
        "business_name": f"{GROUP} Ltd", "is_business": True, "is_customer": False, "is_supplier": False,
        "is_vet": True, "is_syndicate": False, "is_staff_member": False, "stop_credit": "OK",
        "website": "https://riverside-vets.example.nz", "date_of_birth": 0,
    })
    address = records.insert(conn, t["address"], clinic_id, {
        **_stamp(now), "name": "Physical", "street_1": "181 Victoria Street", "suburb": "Hamilton Central",
        "city": "Hamilton", "region": "Waikato", "post_code": "3204",
        "country_id": countries.get("New Zealand"),
        "for_resource_type": "Contact", "for_resource_id": business,
    })
    records.update(conn, t["contact"], clinic_id, [business], {"address_physical": address,
                                                               "address_postal": address})
    email = "reception@riverside-vets.example.nz"
    details = [("Email", "Reception", email, email),
               ("Business Phone", "Reception", "07 838 1234", "+6478381234")]
    records.insert_many(conn, t["contactdetail"], clinic_id, [
        {**_stamp(now), "name": name, "value": value, "value_cleaned": cleaned, "contact_id": business,
         "contact_detail_type_id": types.get(kind), "preferred": i == 0, "subscription_groups": ["General"]}
        for i, (kind, name, value, cleaned) in enumerate(details)
    ])
    ids: dict[str, int] = {}
    for name, kind, parent, place in SEPARATIONS:
        ids[name] = records.insert(conn, t["separation"], clinic_id, {
            **_stamp(now), "uid": _uid(engine, "separation"), "name": name, "type": kind,
            "parent": ids.get(parent) if parent else None, "child": 1, "separation_type": place,
            "contact_id": business if kind in ("Database", "Business") else None,
        })
