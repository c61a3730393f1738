"""The clinical side of the demo practice: who sees the animals, in which rooms, with which products.

Seeded before the histories, idempotently (what the clinic already has, by name, is left as it is), and
record by record through the engine like the clinic's standard lists (``services/clinics.py``), so every
rule and event applies:

- a calendar Resource for every vet User: what their appointments, vaccinations and prescriptions are sold
  by (``sales_resource``);
- more vets and rooms for a practice with many animals, so that a calendar day stays plausible (about forty
  bookings a vet): one vet for every 10,000 animals, at least the four of ``lookups.USERS``;
- product groups and products: vaccines, medications and lab tests;
- the laboratory (a supplier Contact), the Diagnostics it runs and the practice's IntegratedDiagnostics
  (in-house analysers), each billed by its product;
- a handful of small files (a PNG or a PDF each), kept once in the file store by their content: Attachments
  of thousands of records name these few Files.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from openvet.demo.pools import Pools
from openvet.resources.fields import Upload
from openvet.store.blobs import Blobs

ANIMALS_PER_VET = 10_000
SEEDED_VETS = 4  # lookups.USERS
LAB = "Gribbles Veterinary Pathology"
CLINIC_PHONE, CLINIC_EMAIL = "07 838 1234", "reception@riverside-vets.example.nz"

PRODUCT_GROUPS = (("Vaccines", "Core and non-core vaccines"), ("Medications", "Dispensed and prescribed medicines"),
                  ("Laboratory", "External laboratory and in-house analyser tests"))
# code, name, type, group
PRODUCTS = (
    ("VAC-C5", "Canine C5 vaccine (DHPPi + Bordetella)", "Vaccination", "Vaccines"),
    ("VAC-LEP", "Canine leptospirosis vaccine", "Vaccination", "Vaccines"),
    ("VAC-F3", "Feline F3 vaccine (FVRCP)", "Vaccination", "Vaccines"),
    ("MED-MAR", "Maropitant 16 mg tablets", "Medication", "Medications"),
    ("MED-MET", "Metronidazole 200 mg tablets", "Medication", "Medications"),
    ("MED-MEL", "Meloxicam 1.5 mg/ml oral suspension 10 ml", "Medication", "Medications"),
    ("MED-GAB", "Gabapentin 100 mg capsules", "Medication", "Medications"),
    ("MED-OCL", "Oclacitinib 16 mg tablets", "Medication", "Medications"),
    ("MED-PRED", "Prednisolone 5 mg tablets", "Medication", "Medications"),
    ("MED-AMC", "Amoxicillin/clavulanate 250 mg tablets", "Medication", "Medications"),
    ("MED-EAR", "Otic suspension (miconazole, polymyxin B, prednisolone) 15 ml", "Medication", "Medications"),
    ("MED-EYE", "Chloramphenicol 1 % eye ointment 4 g", "Medication", "Medications"),
    ("LAB-BIO", "Biochemistry panel", "Diagnostic", "Laboratory"),
    ("LAB-CBC", "Haematology (CBC)", "Diagnostic", "Laboratory"),
    ("LAB-UA", "Urinalysis", "Diagnostic", "Laboratory"),
    ("LAB-T4", "Total T4", "Diagnostic", "Laboratory"),
    ("LAB-FEC", "Faecal parasitology", "Diagnostic", "Laboratory"),
    ("IDX-CHEM", "In-house chemistry (Chem 17)", "Integrated Diagnostic", "Laboratory"),
    ("IDX-CBC", "In-house haematology (ProCyte CBC)", "Integrated Diagnostic", "Laboratory"),
)
# IntegratedDiagnostics: code -> (supplier price in NZD, description)
INTEGRATED = {"IDX-CHEM": (Decimal("38.50"), "17-parameter chemistry on the in-house analyser"),
              "IDX-CBC": (Decimal("24.00"), "Complete blood count on the in-house haematology analyser")}


@dataclass(frozen=True)
class Document:
    kind: str  # how histories name it
    name: str
    mime_type: str
    notes: str


DOCUMENTS = (
    Document("radiograph", "radiograph.png", "image/png", "Radiograph, lateral view"),
    Document("dental-chart", "dental-chart.png", "image/png", "Dental chart"),
    Document("photo", "patient-photo.png", "image/png", "Patient photo"),
    Document("lab-report", "lab-report.pdf", "application/pdf", "Laboratory report"),
    Document("consent", "consent-form.pdf", "application/pdf", "Signed consent form"),
)


@dataclass
class Practice:
    """The ids the history generator needs, read back from the database."""

    vets: list[tuple[int, int]]  # (user id, calendar resource id), in id order
    rooms: dict[str, list[int]]  # "Consult Room", "Surgery", "Dental Suite", "Kennels" -> resource ids
    types: dict[str, int]  # AppointmentType name -> id
    durations: dict[str, int]  # AppointmentType name -> seconds
    statuses: dict[str, int]
    reasons: list[int]  # AppointmentCancellationReason ids
    problems: dict[str, int]  # PresentingProblem name -> id
    products: dict[str, int]  # product code -> id
    diagnostics: dict[str, tuple[str, int, str, str]]  # code -> (class title, id, name, code)
    lab_id: int | None  # the laboratory's Contact
    files: dict[str, tuple[int, str, str]]  # document kind -> (File id, name, mime type)
    location_id: int | None  # the ownership Separation of clinical records
    email_type: int | None
    mobile_type: int | None
    timezone: str


def vets_for(animals: int) -> int:
    return max(SEEDED_VETS, round(animals / ANIMALS_PER_VET))


def room_names(vets: int) -> list[tuple[str, str]]:
    """(kind, name) of the rooms a practice with this many vets has: a consult room for two vets, a theatre for
    eight, a dental suite for twenty, one kennel ward (the first of each is a standard list's)."""
    wanted = {"Consult Room": max(2, math.ceil(vets / 2)), "Surgery": max(1, math.ceil(vets / 8)),
              "Dental Suite": max(1, math.ceil(vets / 20)), "Kennels": 1}
    names = []
    for kind, count in wanted.items():
        for n in range(1, count + 1):
            if kind == "Consult Room":
                names.append((kind, f"Consult Room {n}"))
            else:
                names.append((kind, kind if n == 1 else f"{kind} {n}"))
    return names


def seed_practice(engine, clinic_id: int, animals: int, blobs: Blobs, pools: Pools) -> Practice:
    """Everything the histories of ``animals`` animals (the clinic's whole count after the load) refer to."""
    t = engine.tables
    registry = engine.registry
    with engine.writing(clinic_id) as writer:
        conn = writer.conn

        def create(name: str, body: dict[str, Any]) -> int:
            return writer.create(registry[name], body, None)

        def named(name: str, column: str = "name") -> dict[str, int]:
            table = t[name]
            rows = conn.execute(sa.select(table.c[column], table.c.id).where(table.c.clinic_id == clinic_id)
                                .order_by(table.c.id))
            found: dict[str, int] = {}
            for key, record_id in rows:
                found.setdefault(key, record_id)
            return found

        location = _location(conn, t, clinic_id)
        users = t["user"]
        vets = conn.execute(sa.select(users.c.id, users.c.name).where(users.c.clinic_id == clinic_id,
                                                                      users.c.is_vet.is_(True))
                            .order_by(users.c.id)).all()
        taken = {name for _, name in vets}
        names = (f"Dr {first} {last}" for first, last in zip(pools.first_names, pools.last_names[::-1], strict=False))
        for number in range(len(vets) + 1, vets_for(animals) + 1):
            name = next(n for n in names if n not in taken)
            taken.add(name)
            create("user", {"name": name, "code": f"V{number:03d}", "is_vet": True, "is_salesperson": True})
        resource = t["resource"]
        booked = set(conn.execute(sa.select(resource.c.associated_id).where(
            resource.c.clinic_id == clinic_id, resource.c.associated_id.is_not(None))).scalars())
        for user_id, name in conn.execute(sa.select(users.c.id, users.c.name).where(
                users.c.clinic_id == clinic_id, users.c.is_vet.is_(True)).order_by(users.c.id)).all():
            if user_id not in booked:
                create("resource", {"name": name, "type": "user", "associated_id": user_id, "access": "On Calendar",
                                    "ownership_id": location})
        rooms = named("resource")
        for _, name in room_names(vets_for(animals)):
            if name not in rooms:
                create("resource", {"name": name, "type": "facility", "access": "On Calendar",
                                    "ownership_id": location})
        groups = named("productgroup")
        for name, description in PRODUCT_GROUPS:
            if name not in groups:
                groups[name] = create("productgroup", {"name": name, "description": description})
        products = named("product", "code")
        for code, name, kind, group in PRODUCTS:
            if code not in products:
                products[code] = create("product", {
                    "name": name, "code": code, "type": kind, "product_group_id": groups[group], "is_sold": True,
                    "is_purchased": kind != "Integrated Diagnostic"})
        lab = named("contact", "business_name").get(LAB)
        if lab is None:
            email_type = named("contactdetailtype").get("Email")
            lab = create("contact", {
                "last_name": LAB, "business_name": LAB, "is_business": True, "is_customer": False,
                "is_supplier": True, "contact_detail_list": [
                    {"name": "Email", "value": "results@gribbles.example.nz", "contact_detail_type_id": email_type}]})
        diagnostics = named("diagnostic", "code")
        integrated = named("integrateddiagnostic", "code")
        for code, name, kind, _ in PRODUCTS:
            if kind == "Diagnostic" and code not in diagnostics:
                create("diagnostic", {"name": name, "code": code, "supplier_contact_id": lab,
                                      "product_id": products[code]})
            elif kind == "Integrated Diagnostic" and code not in integrated:
                price, description = INTEGRATED[code]
                create("integrateddiagnostic", {"name": name, "code": code, "supplier_price": price,
                                                "supplier_currency": "NZD", "description": description,
                                                "product_id": products[code]})
        files = named("file")
        for document in DOCUMENTS:
            if document.name not in files:
                key, size = blobs.put(_Bytes(document_bytes(document)), limit=1 << 20)
                create("file", {"file_data": Upload(document.name, document.mime_type, key, size),
                                "notes": document.notes})
    with engine.db.connect() as conn:
        return read_practice(conn, t, clinic_id)


def read_practice(conn: sa.Connection, t, clinic_id: int) -> Practice:
    def rows(name: str, *columns: str, where=None) -> list[tuple]:
        table = t[name]
        query = sa.select(*(table.c[c] for c in columns)).where(table.c.clinic_id == clinic_id)
        if where is not None:
            query = query.where(where(table))
        return [tuple(row) for row in conn.execute(query.order_by(table.c.id))]

    def first_by(pairs: list[tuple]) -> dict:
        found: dict = {}
        for key, value, *_ in pairs:
            found.setdefault(key, value)
        return found

    resource_of = first_by([(user, rid) for rid, user in rows("resource", "id", "associated_id",
                                                              where=lambda r: r.c.type == "user")])
    vets = [(user, resource_of[user]) for (user,) in rows("user", "id", where=lambda u: u.c.is_vet.is_(True))
            if user in resource_of]
    facilities = first_by(rows("resource", "name", "id", where=lambda r: r.c.type == "facility"))
    kinds = {name: kind for kind, name in room_names(len(vets))}
    rooms: dict[str, list[int]] = {}
    for name, rid in facilities.items():
        kind = kinds.get(name) or next((k for k in ("Consult Room", "Surgery", "Dental Suite", "Kennels")
                                        if name.startswith(k)), None)
        if kind:
            rooms.setdefault(kind, []).append(rid)
    types = rows("appointmenttype", "name", "id", "default_duration")
    products = first_by(rows("product", "code", "id"))
    diagnostics = {code: ("Diagnostic", rid, name, code)
                   for rid, name, code in rows("diagnostic", "id", "name", "code")}
    diagnostics.update({code: ("IntegratedDiagnostic", rid, name, code)
                        for rid, name, code in rows("integrateddiagnostic", "id", "name", "code")})
    files = {}
    stored = first_by([(name, (rid, name, mime)) for rid, name, mime in rows("file", "id", "name", "mime_type")])
    for document in DOCUMENTS:
        if document.name in stored:
            files[document.kind] = stored[document.name]
    kinds_of_detail = first_by(rows("contactdetailtype", "name", "id"))
    setting = t["systemsetting"]
    timezone = conn.execute(sa.select(setting.c.timezone).where(setting.c.clinic_id == clinic_id)).scalar()
    return Practice(
        vets=vets, rooms=rooms, types=first_by(types), durations=first_by([(n, (d or 15) * 60) for n, _, d in types]),
        statuses=first_by(rows("appointmentstatus", "name", "id")),
        reasons=[rid for (rid,) in rows("appointmentcancellationreason", "id")],
        problems=first_by(rows("presentingproblem", "name", "id")), products=products, diagnostics=diagnostics,
        lab_id=first_by(rows("contact", "business_name", "id")).get(LAB), files=files,
        location_id=_location(conn, t, clinic_id), email_type=kinds_of_detail.get("Email"),
        mobile_type=kinds_of_detail.get("Mobile"), timezone=timezone or "UTC")


def _location(conn: sa.Connection, t, clinic_id: int) -> int | None:
    separation = t["separation"]
    return conn.execute(sa.select(separation.c.id).where(separation.c.clinic_id == clinic_id,
                                                         separation.c.type == "Location")
                        .order_by(separation.c.id).limit(1)).scalar()


class _Bytes:
    """``Blobs.put`` reads a file-like object."""

    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.at + size
        chunk, self.at = self.data[self.at:end], min(end, len(self.data))
        return chunk


# The files themselves: made here, byte for byte the same every time (so they are kept once) ------------------

def document_bytes(document: Document) -> bytes:
    if document.mime_type == "image/png":
        return tiny_png(sum(document.name.encode()) % 251)
    return tiny_pdf(document.notes)


def tiny_png(seed: int, size: int = 32) -> bytes:
    """A size × size greyscale PNG with a pattern that depends on ``seed``."""
    rows = b"".join(b"\x00" + bytes((x * 7 + y * 5 + seed) * (1 + (x ^ y) % 3) % 256 for x in range(size))
                    for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def tiny_pdf(title: str) -> bytes:
    """A one-page PDF saying ``title`` (cross-reference offsets worked out, so readers open it)."""
    text = f"BT /F1 18 Tf 72 720 Td ({title} - Riverside Veterinary Group) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


__all__ = ["DOCUMENTS", "Practice", "read_practice", "seed_practice", "vets_for"]
