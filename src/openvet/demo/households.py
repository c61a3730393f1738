"""Households: owners (Contacts with their details and physical Address) and their animals, as rows.

Everything is drawn from a seeded ``random.Random`` and the pools of ``pools.py``, so a run is repeatable,
and rows are plain dicts ready for one executemany per table. Species, breed, sex and colour agree with
each other; weights, ages and microchips follow the species.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from openvet.demo import pools as demo_pools
from openvet.demo.bulk import Layout
from openvet.demo.pools import DEATH_REASONS, NOTES, PET_NAMES

YEAR = 31_557_600
HISTORY = 3 * YEAR  # records are created over the past three years

# species: share of animals, weight range, unit, oldest age (years), microchip and desexed probabilities,
# colours
PROFILES = {
    "Canine": (44, (3.0, 45.0), "kg", 17, 0.96, 0.75,
               ("Black", "Tan", "Black & Tan", "Brown", "Chocolate", "Brindle", "Golden", "Cream", "Red",
                "Liver", "Tricolour", "Blue Merle", "White", "Black & White", "Fawn", "Sable")),
    "Feline": (34, (2.5, 7.5), "kg", 20, 0.72, 0.85,
               ("Tabby", "Ginger", "Tortoiseshell", "Calico", "Black", "White", "Black & White", "Grey",
                "Seal Point", "Cream")),
    "Equine": (5, (280.0, 680.0), "kg", 20, 0.85, 0.4, ("Bay", "Chestnut", "Grey", "Black", "Palomino",
                                                       "Dun", "Roan", "Piebald")),
    "Bovine": (3, (350.0, 850.0), "kg", 15, 0.0, 0.2, ("Black", "Black & White", "Brown", "Red", "Fawn")),
    "Avian": (4, (30.0, 900.0), "g", 20, 0.0, 0.0, ("Grey", "White", "Golden", "Red", "Black & White")),
    "Rabbit": (4, (1.0, 5.5), "kg", 11, 0.2, 0.6, ("White", "Brown", "Black", "Grey", "Black & White",
                                                   "Cream")),
    "Guinea Pig": (2, (700.0, 1200.0), "g", 7, 0.0, 0.1, ("Tricolour", "Brown", "White", "Cream", "Ginger")),
    "Ferret": (1, (0.6, 2.0), "kg", 9, 0.5, 0.8, ("Sable", "White", "Cream")),
    "Ovine": (1, (40.0, 100.0), "kg", 12, 0.0, 0.3, ("White", "Black", "Cream")),
    "Caprine": (1, (30.0, 80.0), "kg", 15, 0.0, 0.3, ("White", "Brown", "Black & White")),
    "Porcine": (0.5, (60.0, 220.0), "kg", 15, 0.0, 0.3, ("Black", "Piebald", "Brown", "Cream")),
    "Reptile": (0.5, (50.0, 2500.0), "g", 20, 0.0, 0.0, ("Brown", "Grey", "Tan")),
}
# how many animals an owner has, and how often: 1.61 animals per owner on average
ANIMALS_PER_OWNER = ((1, 60), (2, 25), (3, 10), (4, 4), (5, 1))
PLACE_WEIGHTS = (40, 10, 8, 8, 6, 4, 5, 5, 3, 3, 3, 3, 2)


@dataclass
class Species:
    id: int
    name: str
    breeds: list[int]
    low: float
    high: float
    unit: str
    oldest: int
    chipped: float
    desexed: float
    colours: list[int]


@dataclass
class Catalogue:
    """The clinic's lookup ids the generator needs, read from the database."""

    species: list[Species]
    shares: list[float]
    sex: dict[str, int | None]
    email_type: int | None
    mobile_type: int | None
    country_id: int | None
    ownership_id: int | None
    colours: list[int] = field(default_factory=list)


def read_catalogue(conn: sa.Connection, tables, clinic_id: int) -> Catalogue:
    def by_name(name: str) -> dict[str, int]:
        table = tables[name]
        rows = conn.execute(sa.select(table.c.name, table.c.id)
                            .where(table.c.clinic_id == clinic_id).order_by(table.c.id))
        found: dict[str, int] = {}
        for row_name, record_id in rows:
            found.setdefault(row_name, record_id)
        return found

    breed = tables["breed"]
    breeds: dict[int, list[int]] = {}
    for record_id, species_id in conn.execute(sa.select(breed.c.id, breed.c.species_id)
                                              .where(breed.c.clinic_id == clinic_id).order_by(breed.c.id)):
        breeds.setdefault(species_id, []).append(record_id)
    colours = by_name("animalcolour")
    species: list[Species] = []
    shares: list[float] = []
    for name, species_id in by_name("species").items():
        share, (low, high), unit, oldest, chipped, desexed, palette = PROFILES.get(
            name, (1, (1.0, 30.0), "kg", 15, 0.5, 0.5, ()))
        palette_ids = [colours[c] for c in palette if c in colours] or list(colours.values())
        species.append(Species(species_id, name, breeds.get(species_id, []), low, high, unit, oldest, chipped,
                               desexed, palette_ids))
        shares.append(share)
    if not species:
        raise ValueError("the clinic has no species: seed its lookups first")
    sexes = by_name("sex")
    types = by_name("contactdetailtype")
    separation = tables["separation"]
    location = conn.execute(sa.select(separation.c.id).where(separation.c.clinic_id == clinic_id,
                                                             separation.c.type == "Location")
                            .order_by(separation.c.id).limit(1)).scalar()
    return Catalogue(
        species=species, shares=shares,
        sex={n: sexes.get(n) for n in ("Male", "Female", "Male Neutered", "Female Spayed", "Unknown")},
        email_type=types.get("Email"), mobile_type=types.get("Mobile"),
        country_id=by_name("country").get("New Zealand"), ownership_id=location,
        colours=list(colours.values()),
    )


def _ascii(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def microchip(animal_id: int) -> str:
    """A 15-digit ISO 11784 number (manufacturer code, then the chip's serial), unique per animal id."""
    return f"{MANUFACTURERS[animal_id % 4]}{412_000_000_000 + animal_id // 4:012d}"


MANUFACTURERS = ("985", "956", "900", "941")

# The columns each generated row fills, in order (the others stay NULL).
OWNER_COLUMNS = ("id", "clinic_id", "active", "created_at", "modified_at", "uid", "ownership_id",
                 "first_name", "last_name", "business_name", "is_business", "is_customer", "is_supplier",
                 "is_vet", "is_syndicate", "is_staff_member", "stop_credit", "address_physical",
                 "address_postal", "date_of_birth")
ADDRESS_COLUMNS = ("id", "clinic_id", "active", "created_at", "modified_at", "name", "street_1", "street_2",
                   "suburb", "city", "region", "post_code", "country_id", "latitude", "longitude",
                   "for_resource_type", "for_resource_id")
DETAIL_COLUMNS = ("id", "clinic_id", "active", "created_at", "modified_at", "name", "value", "value_cleaned",
                  "contact_id", "contact_detail_type_id", "preferred", "subscription_groups")
ANIMAL_COLUMNS = ("id", "clinic_id", "active", "created_at", "modified_at", "name", "sex_id", "is_dead",
                  "is_hostile", "animalcolour_id", "species_id", "breed_id", "rabies_number",
                  "date_of_rabies_vaccination", "microchip_number", "contact_id", "date_of_birth",
                  "is_estimated_date_of_birth", "date_of_death", "death_reason", "date_of_desex", "weight",
                  "weight_unit", "resuscitate", "notes", "notes_important", "guid", "uid")
SUBSCRIBED = (["General", "Reminders"], ["General"])
VARIANT = "89ab"  # the RFC 4122 variant digit of a version-4 uuid
_GUIDS = random.Random()  # seeded from the OS: GUIDs differ between runs, unlike the repeatable demo data


@dataclass
class Plan:
    """A chunk of households before ids are known: each owner's animal count and contact detail kinds."""

    animals: list[int]  # per owner
    details: list[tuple[str, ...]]  # per owner: ("mobile",), ("email",) or ("mobile", "email")

    @property
    def detail_count(self) -> int:
        return sum(len(d) for d in self.details)


class Households:
    """Makes the rows (tuples in ``*_COLUMNS`` order) of owners and their animals, chunk after chunk,
    spreading their creation over the past three years in the order they are made."""

    def __init__(self, clinic_id: int, catalogue: Catalogue, pools: demo_pools.Pools, seed: int, now: int,
                 total: int, uid_maker, animal_uid_maker):
        self.clinic_id = clinic_id
        self.c = catalogue
        self.rng = random.Random(seed)
        self.now = now
        self.start = now - HISTORY
        self.step = HISTORY / max(total, 1)
        self.position = 0  # animals made so far
        self.make_uid = uid_maker
        self.make_animal_uid = animal_uid_maker
        self.firsts = pools.first_names
        self.lasts = pools.last_names
        self.streets = pools.streets
        self.first_ascii = [_ascii(n) for n in self.firsts]
        self.last_ascii = [_ascii(n) for n in self.lasts]
        self.places = demo_pools.PLACES
        self.place_weights = PLACE_WEIGHTS[:len(self.places)] + (1,) * max(0, len(self.places) - 13)

    def plan(self, animals: int) -> Plan:
        rng = self.rng
        counts = [n for n, _ in ANIMALS_PER_OWNER]
        weights = [w for _, w in ANIMALS_PER_OWNER]
        per_owner: list[int] = []
        made = 0
        while made < animals:
            for n in rng.choices(counts, weights, k=max(16, int((animals - made) / 1.6) + 1)):
                n = min(n, animals - made)
                if n <= 0:
                    break
                per_owner.append(n)
                made += n
        kinds = rng.choices((("mobile", "email"), ("mobile",), ("email",)), (55, 30, 15), k=len(per_owner))
        return Plan(per_owner, kinds)

    def _modified(self, created: int) -> int:
        r = self.rng.random()
        if r < 0.45:
            return created
        return created + int((self.now - created) * (r - 0.45) / 0.55 * self.rng.random())

    def rows(self, plan: Plan, owner_ids: list[int], address_ids: list[int], detail_ids: list[int],
             animal_ids: list[int]) -> tuple[list[tuple], list[tuple], list[tuple], list[tuple]]:
        rng = self.rng
        rand = rng.random
        c = self.c
        now = self.now
        clinic_id = self.clinic_id
        firsts, lasts, streets = self.firsts, self.lasts, self.streets
        first_ascii, last_ascii = self.first_ascii, self.last_ascii
        mobiles, domains = demo_pools.MOBILE_PREFIXES, demo_pools.EMAIL_DOMAINS
        owners: list[tuple] = []
        addresses: list[tuple] = []
        details: list[tuple] = []
        animals: list[tuple] = []
        n_owners = len(owner_ids)
        places = rng.choices(self.places, self.place_weights, k=n_owners)
        species_draws = rng.choices(c.species, c.shares, k=len(animal_ids))
        detail_at = 0
        animal_at = 0
        make_animal = self._animal
        for i in range(n_owners):
            owner_id = owner_ids[i]
            address_id = address_ids[i]
            created = int(self.start + (self.position + animal_at) * self.step + rand() * 3600)
            if created > now:
                created = now
            modified = self._modified(created)
            f = int(rand() * len(firsts))
            la = int(rand() * len(lasts))
            last = lasts[la]
            business = rand() < 0.02
            owners.append((
                owner_id, clinic_id, True, created, modified, self.make_uid(), c.ownership_id,
                firsts[f], last, f"{last} Farms Ltd" if business else None, business, True, False, False,
                False, rand() < 0.005,
                "OK" if rand() < 0.96 else ("WARNING" if rand() < 0.7 else "STOP"), address_id, address_id,
                (now - int((18 + rand() * 65) * YEAR)) if rand() < 0.6 else 0,
            ))
            city, region, (low, high), lat, lon, suburbs = places[i]
            addresses.append((
                address_id, clinic_id, True, created, modified, "Physical",
                f"{int(rand() * 400) + 1} {streets[int(rand() * len(streets))]}",
                f"Flat {int(rand() * 12) + 1}" if rand() < 0.08 else None,
                suburbs[int(rand() * len(suburbs))], city, region,
                f"{low + int(rand() * (high - low + 1)):04d}",
                c.country_id, Decimal(f"{lat + (rand() - 0.5) * 0.12:.6f}"),
                Decimal(f"{lon + (rand() - 0.5) * 0.12:.6f}"), "Contact", owner_id,
            ))
            for k, kind in enumerate(plan.details[i]):
                if kind == "mobile":
                    prefix = mobiles[int(rand() * len(mobiles))]
                    n = int(rand() * 10_000_000)
                    value = f"{prefix} {n // 10_000:03d} {n % 10_000:04d}"
                    cleaned = f"{prefix}{n:07d}"  # its digits, as the rule cleans it
                    name, type_id = "Mobile", c.mobile_type
                else:
                    number = int(rand() * 100) if rand() < 0.5 else ""
                    dot = "." if rand() < 0.6 else ""
                    value = cleaned = (f"{first_ascii[f]}{dot}{last_ascii[la]}{number}"
                                       f"@{domains[int(rand() * len(domains))]}")
                    name, type_id = "Email", c.email_type
                details.append((detail_ids[detail_at], clinic_id, True, created, modified, name, value,
                                cleaned, owner_id, type_id, k == 0, SUBSCRIBED[rand() < 0.3]))
                detail_at += 1
            for k in range(plan.animals[i]):
                # a household's later animals join it within the following months
                joined = created + int(rand() * YEAR / 2) if k else created
                animals.append(make_animal(animal_ids[animal_at], species_draws[animal_at], owner_id, joined))
                animal_at += 1
        self.position += animal_at
        return owners, addresses, details, animals

    def _animal(self, animal_id: int, species: Species, owner_id: int, created: int) -> tuple:
        rand = self.rng.random
        now = self.now
        if created > now:
            created = now
        age = (0.15 + rand() * (species.oldest * 0.75)) * YEAR
        born = max(int(created - age), now - 20 * YEAR + 86_400)
        female = rand() < 0.5
        desexed = rand() < species.desexed and now - born > YEAR // 2
        if species.name in ("Avian", "Reptile") and rand() < 0.5:
            sex_name = "Unknown"
        elif desexed:
            sex_name = "Female Spayed" if female else "Male Neutered"
        else:
            sex_name = "Female" if female else "Male"
        dead = rand() < 0.04
        died = created + int((now - created) * rand()) if dead else None
        modified = min(died + int(rand() * 86_400), now) if dead else self._modified(created)
        weight = species.low + (species.high - species.low) * rand()
        unit = species.unit
        if unit == "kg" and species.name == "Canine" and rand() < 0.03:
            weight, unit = weight * 2.20462, "lb"
        hostile = rand() < 0.03
        vaccinated = species.name in ("Canine", "Feline") and rand() < 0.08
        breeds, colours = species.breeds, species.colours
        guid = f"{_GUIDS.getrandbits(128):032x}"  # never from the seeded generator: a rerun must not repeat
        return (
            animal_id, self.clinic_id, not dead or rand() < 0.5, created, modified,
            PET_NAMES[int(rand() * len(PET_NAMES))], self.c.sex[sex_name], dead, hostile,
            colours[int(rand() * len(colours))] if colours else None, species.id,
            breeds[int(rand() * len(breeds))] if breeds else None,
            f"RV{animal_id:09d}" if vaccinated else None,
            created + int(rand() * 86_400 * 30) if vaccinated else None,
            microchip(animal_id) if rand() < species.chipped else None,
            owner_id, born, rand() < 0.15, died,
            DEATH_REASONS[int(rand() * len(DEATH_REASONS))] if dead else None,
            min(born + YEAR // 2 + int(rand() * YEAR / 2), now) if desexed else None,
            Decimal(f"{weight:.2f}") if unit != "g" else Decimal(int(weight)), unit,
            "0" if rand() < 0.9 else "1",
            NOTES[int(rand() * len(NOTES))] if hostile or rand() < 0.06 else None, hostile,
            f"{guid[:8]}-{guid[8:12]}-4{guid[13:16]}-{VARIANT[int(guid[16], 16) & 3]}"
            f"{guid[17:20]}-{guid[20:]}",
            self.make_animal_uid(),
        )


# How each table's rows are laid out, and which of their columns hold ids of rows made with them.
LAYOUTS = {
    "contact": Layout(OWNER_COLUMNS, {"address_physical": "address", "address_postal": "address"}),
    "address": Layout(ADDRESS_COLUMNS, {"for_resource_id": "contact"}),
    "contactdetail": Layout(DETAIL_COLUMNS, {"contact_id": "contact"}),
    "animal": Layout(ANIMAL_COLUMNS, {"contact_id": "contact"},
                     remade={"microchip_number": lambda row: microchip(row[0]),
                             "rabies_number": lambda row: f"RV{row[0]:09d}"}),
}
TABLES = tuple(LAYOUTS)  # in the order they are written
