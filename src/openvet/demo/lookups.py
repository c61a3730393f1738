"""A demo clinic's setup: the standard vocabularies (``openvet.services.clinics``), then its separations
(Database > Business > Division > Location), users and tags.

Seeding is idempotent table by table: a table the clinic already has rows in is left as it is.
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from openvet.services.clinics import seed_settings, seed_vocabularies, seeder, stamp
from openvet.store import records

__all__ = ["seed_lookups", "seed_settings"]

GROUP = "Riverside Veterinary Group"

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


def _uid(engine, resource: str) -> str:
    return engine.registry[resource].field_map["uid"].type.make()


def seed_lookups(engine, clinic_id: int) -> None:
    """The standard vocabularies, then a demo practice's setup: separations, users and tags."""
    seed_vocabularies(engine, clinic_id)
    now = int(time.time())
    t = engine.tables
    with engine.db.begin() as conn:
        seed = seeder(conn, t, clinic_id)
        if not records.has_rows(conn, t["separation"], clinic_id):
            _seed_separations(engine, conn, clinic_id, now)
        if not records.has_rows(conn, t["user"], clinic_id):
            seed("user", [{"name": n, "code": c, "is_vet": v, "is_salesperson": s, "uid": _uid(engine, "user")}
                          for n, c, v, s, _ in USERS])
        seed("tagcategory", [{"name": name} for name in TAGS])
        categories = records.ids_by_name(conn, t["tagcategory"], clinic_id)
        seed("tagname", [{"name": tag, "category_id": categories[category]}
                         for category, tags in TAGS.items() if category in categories for tag in tags])
        if not records.has_rows(conn, t["tag"], clinic_id) and "Staff" in categories:
            users = records.ids_by_name(conn, t["user"], clinic_id)
            seed("tag", [{"name": tag, "associated_type": "User", "associated_id": users[name],
                          "category_id": categories["Staff"]}
                         for name, _, _, _, tags in USERS if name in users for tag in tags])


def _seed_separations(engine, conn: sa.Connection, clinic_id: int, now: int) -> None:
    """The group's hierarchy, and the business Contact (with its details and address) that the
    Database and Business separations point at."""
    t = engine.tables
    countries = records.ids_by_name(conn, t["country"], clinic_id)
    types = records.ids_by_name(conn, t["contactdetailtype"], clinic_id)
    business = records.insert(conn, t["contact"], clinic_id, {
        **stamp(now), "uid": _uid(engine, "contact"), "last_name": f"{GROUP} Ltd",
        "business_name": f"{GROUP} Ltd", "is_business": True, "is_customer": False, "is_supplier": False,
        "is_vet": True, "is_syndicate": False, "is_staff_member": False, "stop_credit": "OK",
        "website": "https://riverside-vets.example.nz", "date_of_birth": 0,
    })
    address = records.insert(conn, t["address"], clinic_id, {
        **stamp(now), "name": "Physical", "street_1": "181 Victoria Street", "suburb": "Hamilton Central",
        "city": "Hamilton", "region": "Waikato", "post_code": "3204",
        "country_id": countries.get("New Zealand"),
        "for_resource_type": "Contact", "for_resource_id": business,
    })
    records.update(conn, t["contact"], clinic_id, [business], {"address_physical": address,
                                                               "address_postal": address})
    email = "reception@riverside-vets.example.nz"
    details = [("Email", "Reception", email, email),
               ("Business Phone", "Reception", "07 838 1234", "078381234")]
    records.insert_many(conn, t["contactdetail"], clinic_id, [
        {**stamp(now), "name": name, "value": value, "value_cleaned": cleaned, "contact_id": business,
         "contact_detail_type_id": types.get(kind), "preferred": i == 0, "subscription_groups": ["General"]}
        for i, (kind, name, value, cleaned) in enumerate(details)
    ])
    ids: dict[str, int] = {}
    for name, kind, parent, place in SEPARATIONS:
        ids[name] = records.insert(conn, t["separation"], clinic_id, {
            **stamp(now), "uid": _uid(engine, "separation"), "name": name, "type": kind,
            "parent": ids.get(parent) if parent else None, "child": 1, "separation_type": place,
            "contact_id": business if kind in ("Database", "Business") else None,
        })
