"""Records <-> Provet JSON: ``patient`` is an Animal, ``client`` is a Contact, ``consultation`` a Consult.

Reading turns a page of records into Provet objects with a fixed number of queries per page (the lookups
a page names, the owners' details and animals), never one per record. Writing turns a Provet body into a
body keyed by the declaration's field names, which the engine validates and writes like any other; the
engine's problems, which name declaration fields, are named back in Provet's words (``field_names``).

Times go out as ISO-8601 in the clinic's timezone (its SystemSetting), dates as the clinic's calendar day.
"""

from __future__ import annotations

import calendar
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openvet.engine import Actor, Condition, Engine
from openvet.provet.hyperlinks import MAX_ID, Links, whole
from openvet.resources import REGISTRY
from openvet.resources.fields import Invalid
from openvet.services.contacts import detail_kind

Record = dict[str, Any]
MISSING = object()
EMPTY_VALUES = (None, "", False, [], {})
KG_PER = {"kg": Decimal(1), "lb": Decimal("0.45359237"), "g": Decimal("0.001")}
MANY = 1_000_000  # "every record" for engine.list
EARLIEST_DAY = date(1900, 1, 1)  # dates before it are refused (the year 1 was stored but read back null)
NO_BREED = (None, "", "None")


@dataclass(frozen=True, slots=True)
class Context:
    """What serialising needs besides the records: the engine, the clinic, its links and its timezone."""

    engine: Engine
    actor: Actor
    links: Links
    timezone: ZoneInfo

    @property
    def clinic_id(self) -> int:
        return self.actor.clinic_id

    @classmethod
    def of(cls, engine: Engine, actor: Actor, links: Links) -> Context:
        setting = engine.first(actor, REGISTRY["systemsetting"]) or {}
        try:
            zone = ZoneInfo(setting.get("timezone") or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        return cls(engine, actor, links, zone)

    def by_id(self, resource: str, ids: Iterable[int | None]) -> dict[int, Record]:
        """Records of ``resource`` by id, in one query."""
        wanted = sorted({i for i in ids if i is not None})
        if not wanted:
            return {}
        page = self.engine.list(self.actor, REGISTRY[resource], [Condition("id", "in", wanted)], 1, len(wanted))
        return {r["id"]: r for r in page.records}

    def linked(self, value: object, kind: str, resource: str) -> int:
        """The id of a hyperlink to a ``kind`` of this clinic that exists (a ``resource`` record); ``Invalid``, in
        DRF's words, otherwise."""
        record_id = self.links.record_id(value, kind)
        if not self.by_id(resource, [record_id]):
            raise Invalid("Invalid hyperlink - Object does not exist.")
        return record_id

    def where(self, resource: str, conditions: list[Condition]) -> list[Record]:
        return self.engine.list(self.actor, REGISTRY[resource], conditions, 1, MANY).records

    # times ------------------------------------------------------------------------------------------

    def _local(self, epoch: int | None) -> datetime | None:
        """None for no time, and for an epoch no calendar can show (an ezyVet client may store any)."""
        try:
            return None if epoch is None else datetime.fromtimestamp(epoch, self.timezone)
        except (OverflowError, ValueError, OSError):
            return None

    def moment(self, epoch: int | None) -> str | None:
        local = self._local(epoch)
        return local.isoformat() if local else None

    def day(self, epoch: int | None) -> str | None:
        local = self._local(epoch)
        return local.date().isoformat() if local else None

    def midnight(self, value: Any) -> int | None:
        """An ISO date -> the epoch of that day's start in the clinic's timezone."""
        if value is None or value == "":
            return None
        try:
            day = date.fromisoformat(value) if isinstance(value, str) and len(value.strip()) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise Invalid("Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")
        epoch = int(datetime.combine(day, time(0), self.timezone).timestamp())
        if day < EARLIEST_DAY or self.day(epoch) != day.isoformat():  # stored, it must read back the same
            raise Invalid(f"Date out of range: enter a day from {EARLIEST_DAY.isoformat()} on.")
        return epoch


def epoch_of(value: str) -> int:
    """An ISO-8601 date or time (a query filter) -> epoch seconds; a time without offset is UTC."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid("Enter a valid date/time (ISO 8601, e.g. 2024-03-21T16:50:10+02:00).") from None
    if moment.tzinfo is None:
        return calendar.timegm(moment.timetuple())
    return int(moment.timestamp())


# field parsers (DRF's wording) ----------------------------------------------------------------------

def text(value: Any, *, blank: bool = True, null: bool = True, max_length: int = 255) -> str | None:
    if value is None:
        if not null:
            raise Invalid("This field may not be null.")
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise Invalid("Not a valid string.")
    value = str(value).strip()
    if "\x00" in value:
        raise Invalid("Null characters are not allowed.")
    if not value and not blank:
        raise Invalid("This field may not be blank.")
    if len(value) > max_length:
        raise Invalid(f"Ensure this field has no more than {max_length} characters.")
    return value


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1) or (isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0")):
        return str(value).strip().lower() in ("true", "1")
    raise Invalid("Must be a valid boolean.")


def code(value: Any) -> int | None:
    if value is None or value == "":
        return None
    number = value if isinstance(value, int) and not isinstance(value, bool) else (
        whole(value.strip()) if isinstance(value, str) else None)
    if number is None or not 0 <= number <= MAX_ID:
        raise Invalid(f'"{value}" is not a valid choice.')
    return number


def number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Invalid("A valid number is required.")
    text = str(value).strip()
    if not text.isascii() or "_" in text:  # Decimal() also reads "١٢", "１２" and "1_0"
        raise Invalid("A valid number is required.")
    try:
        parsed = Decimal(text)
    except InvalidOperation:
        raise Invalid("A valid number is required.") from None
    if not parsed.is_finite():
        raise Invalid("A valid number is required.")
    if parsed < 0:
        raise Invalid("Ensure this value is greater than or equal to 0.")
    if parsed >= 10**13:
        raise Invalid("Ensure that there are no more than 13 digits before the decimal point.")
    return parsed


def _empty(value: Any) -> bool:
    return any(value is e or (value == e and type(value) is type(e)) for e in EMPTY_VALUES)


def plain_number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


class Serializer(ABC):
    """One Provet object kind over one declared resource."""

    kind: str  # "patient"
    resource: str  # "animal"
    required: tuple[str, ...] = ()  # Provet fields a create or PUT must send
    read_only: frozenset[str] = frozenset()  # served, ignored on write (as DRF ignores read-only fields)
    unstored: frozenset[str] = frozenset()  # served empty; accepted on write only when empty
    field_names: dict[str, str] = {}  # declaration field -> Provet field, for the engine's problems

    @abstractmethod
    def read(self, ctx: Context, records: list[Record]) -> list[dict[str, Any]]:
        """Records -> Provet objects (one query per page for what they link to, not one per record)."""

    @abstractmethod
    def write(self, ctx: Context, data: dict[str, Any], before: Record | None, partial: bool,
              errors: dict[str, list[str]]) -> dict[str, Any]:
        """A Provet body -> a body of declaration field names for the engine; problems go to ``errors``."""

    def screen(self, data: dict[str, Any], creating: bool, partial: bool, errors: dict[str, list[str]],
               writable: Iterable[str]) -> dict[str, Any]:
        """The fields to write: read-only ones dropped, unknown and non-empty unstored ones refused."""
        known = set(writable)
        kept = {}
        for key, value in data.items():
            if key in self.read_only:
                continue
            if key in self.unstored:
                if not _empty(value):
                    errors[key] = ["openvet does not store this field; send it empty or leave it out."]
                continue
            if key not in known:
                errors[key] = [f"Unknown field: {self.kind} has no field {key!r}."]
                continue
            kept[key] = value
        if creating or not partial:
            for name in self.required:
                if name not in data:
                    errors.setdefault(name, ["This field is required."])
        return kept


# patient <-> Animal -----------------------------------------------------------------------------------

PATIENT_EMPTY = {  # the example's empty values for what openvet does not keep (provet L63-L110)
    "official_name": "", "old_patient_id": None, "insurance": None, "insurance_company": None,
    "additional_identification": None, "stable_name": "", "street_address": "", "street_address_2": None,
    "zip_code": "", "city": "", "not_for_food": False, "passport_number": "", "register_number": "",
    "home_department": None, "date_imported": None, "imported": False, "tags_rel": [], "fields_rel": [],
    "holding_place_number": None, "herd_size": None, "private": False, "visible_departments": [],
    "visible_department_groups": [], "microchip_date": None, "picture": None, "patient_extras": None,
}


class PatientSerializer(Serializer):
    kind = "patient"
    resource = "animal"
    required = ("name", "client")
    read_only = frozenset({"id", "url", "created", "modified", "date_of_registration", "species_code",
                           "gender_code", "breed_code", "last_consultation"})
    unstored = frozenset(PATIENT_EMPTY)
    field_names = {
        "name": "name", "contact_id": "client", "species_id": "species", "sex_id": "gender", "breed_id": "breed",
        "weight": "weight", "weight_unit": "weight", "notes": "remarks", "notes_important": "critical_notes",
        "date_of_birth": "date_of_birth", "date_of_death": "deceased", "is_dead": "deceased",
        "death_reason": "reason_of_death", "animalcolour_id": "color", "microchip_number": "microchip",
        "active": "archived", "code": "animal_code",
    }
    writable = ("name", "client", "species", "gender", "breed", "weight", "remarks", "critical_notes",
                "date_of_birth", "deceased", "reason_of_death", "color", "microchip", "archived", "animal_code")

    def read(self, ctx: Context, records: list[Record]) -> list[dict[str, Any]]:
        species = ctx.by_id("species", (r.get("species_id") for r in records))
        sexes = ctx.by_id("sex", (r.get("sex_id") for r in records))
        breeds = ctx.by_id("breed", (r.get("breed_id") for r in records))
        colours = ctx.by_id("animalcolour", (r.get("animalcolour_id") for r in records))
        latest = last_consultations(ctx, [r["id"] for r in records])
        return [{**self._patient(ctx, r, species.get(r.get("species_id")), sexes.get(r.get("sex_id")),
                                 breeds.get(r.get("breed_id")), colours.get(r.get("animalcolour_id"))),
                 "last_consultation": ctx.links.url("consultation", latest.get(r["id"]))}
                for r in records]

    @staticmethod
    def _patient(ctx: Context, r: Record, species, sex, breed, colour) -> dict[str, Any]:
        weight = r.get("weight")
        if weight is not None:
            weight = (Decimal(weight) * KG_PER.get(r.get("weight_unit") or "kg", Decimal(1))).quantize(
                Decimal("0.0001")).normalize()
        notes = r.get("notes") or None
        e = PATIENT_EMPTY
        return {
            "id": r["id"], "url": ctx.links.url("patient", r["id"]),
            "client": ctx.links.url("client", r.get("contact_id")), "name": r.get("name") or "",
            "official_name": e["official_name"], "species": species["name"] if species else None,
            "breed": breed["name"] if breed else "None", "gender": sex["name"] if sex else None,
            "weight": plain_number(weight), "old_patient_id": e["old_patient_id"], "remarks": notes,
            "date_of_registration": ctx.day(r.get("created_at")), "date_of_birth": ctx.day(r.get("date_of_birth")),
            "deceased": ctx.day(r.get("date_of_death")), "insurance": e["insurance"],
            "insurance_company": e["insurance_company"], "color": colour["name"] if colour else None,
            "critical_notes": notes if r.get("notes_important") else None,
            "microchip": r.get("microchip_number") or None,
            "additional_identification": e["additional_identification"], "archived": not r.get("active", True),
            "reason_of_death": r.get("death_reason") or None, "stable_name": e["stable_name"],
            "street_address": e["street_address"], "street_address_2": e["street_address_2"],
            "zip_code": e["zip_code"], "city": e["city"], "not_for_food": e["not_for_food"],
            "passport_number": e["passport_number"], "register_number": e["register_number"],
            "home_department": e["home_department"], "date_imported": e["date_imported"],
            "imported": e["imported"], "tags_rel": [], "fields_rel": [],
            "holding_place_number": e["holding_place_number"], "animal_code": r.get("code") or None,
            "herd_size": e["herd_size"], "private": e["private"], "visible_departments": [],
            "visible_department_groups": [], "microchip_date": e["microchip_date"], "last_consultation": None,
            "created": ctx.moment(r.get("created_at")), "modified": ctx.moment(r.get("modified_at")),
            "species_code": species.get("provet_code") if species else None, "breed_code": None,
            "gender_code": sex.get("provet_code") if sex else None,
            "picture": e["picture"], "patient_extras": e["patient_extras"],
        }

    def write(self, ctx: Context, data: dict[str, Any], before: Record | None, partial: bool,
              errors: dict[str, list[str]]) -> dict[str, Any]:
        kept = self.screen(data, before is None, partial, errors, self.writable)
        body: dict[str, Any] = {}
        for key, value in kept.items():
            try:
                self._field(ctx, key, value, body, before)
            except Invalid as error:
                errors[key] = [str(error)]
        remarks, critical = kept.get("remarks", MISSING), kept.get("critical_notes", MISSING)
        if critical not in (MISSING, None, "") and remarks not in (MISSING, None, "") and remarks != critical:
            errors["critical_notes"] = ["openvet keeps one notes text per patient: when both are sent, "
                                        "critical_notes must equal remarks."]
        return body

    @staticmethod
    def _field(ctx: Context, key: str, value: Any, body: dict[str, Any], before: Record | None) -> None:
        if key == "name":
            body["name"] = text(value, blank=False, null=False)
        elif key == "client":
            if value is None:
                raise Invalid("This field may not be null.")
            body["contact_id"] = ctx.linked(value, "client", "contact")
        elif key in ("species", "gender"):
            resource, field = ("species", "species_id") if key == "species" else ("sex", "sex_id")
            if isinstance(value, str) and value and value == _current_name(ctx, resource, before, field):
                return  # the name a GET serves, sent back unchanged: a code changes it
            wanted = code(value)
            found = ctx.where(resource, [Condition("provet_code", "eq", wanted)]) if wanted is not None else []
            if wanted is not None and not found:
                raise Invalid(f'"{value}" is not a valid choice.')
            body[field] = found[0]["id"] if found else None
        elif key == "breed":
            current = _current_name(ctx, "breed", before, "breed_id")
            if value in NO_BREED and current is None or value == current:
                return  # as a GET serves it: unchanged
            if value in NO_BREED:
                body["breed_id"] = None
                return
            raise Invalid("A breed is set on /v1/animal (breed_id): Breeds carry no Provet code. Send the "
                          "patient's current breed, or empty to clear it.")
        elif key == "weight":
            body["weight"] = number(value)
            body["weight_unit"] = "kg"
        elif key == "remarks":
            body["notes"] = text(value, max_length=65535)
        elif key == "critical_notes":
            notes = text(value, max_length=65535)
            body["notes_important"] = bool(notes)
            if notes:
                body["notes"] = notes
        elif key == "date_of_birth":
            body["date_of_birth"] = ctx.midnight(value)
        elif key == "deceased":
            body["date_of_death"] = ctx.midnight(value)
            body["is_dead"] = body["date_of_death"] is not None
        elif key == "reason_of_death":
            body["death_reason"] = text(value)
        elif key == "microchip":
            body["microchip_number"] = text(value)
        elif key == "animal_code":
            body["code"] = text(value)
        elif key == "color":
            name = text(value)
            if not name:
                body["animalcolour_id"] = None
                return
            matches = [c for c in ctx.where("animalcolour", []) if c["name"].lower() == name.lower()]
            if not matches:
                raise Invalid(f'"{name}" is not a colour of this clinic.')
            body["animalcolour_id"] = matches[0]["id"]
        elif key == "archived":
            archived = boolean(value)
            if before is None:
                if archived:
                    raise Invalid("A patient cannot be created archived; archive it with PATCH.")
                return
            body["active"] = not archived


def _current_name(ctx: Context, resource: str, before: Record | None, field: str) -> str | None:
    """The name of the lookup record ``before`` links to (its species, sex, breed), or None."""
    found = ctx.by_id(resource, [(before or {}).get(field)])
    return next(iter(found.values()))["name"] if found else None


# client <-> Contact -----------------------------------------------------------------------------------

CLIENT_EMPTY = {"title": ""}


class ClientSerializer(Serializer):
    kind = "client"
    resource = "contact"
    read_only = frozenset({"id", "url", "created", "modified", "patients"})
    unstored = frozenset(CLIENT_EMPTY)
    field_names = {
        "first_name": "firstname", "last_name": "lastname", "business_name": "organization_name",
        "is_business": "organization_name", "active": "archived", "address_physical": "street_address",
    }
    writable = ("firstname", "lastname", "organization_name", "email", "phone_numbers", "street_address",
                "street_address_2", "zip_code", "city", "archived")
    address_fields = {"street_address": "street_1", "street_address_2": "street_2", "zip_code": "post_code",
                      "city": "city"}

    def read(self, ctx: Context, records: list[Record]) -> list[dict[str, Any]]:
        addresses = ctx.by_id("address", (r.get("address_physical") for r in records))
        types = ctx.by_id("contactdetailtype", (d.get("contact_detail_type_id")
                                                for r in records for d in r.get("contact_detail_list") or []))
        animals: dict[int, list[str]] = {r["id"]: [] for r in records}
        if animals:
            for animal in ctx.where("animal", [Condition("contact_id", "in", sorted(animals))]):
                animals[animal["contact_id"]].append(ctx.links.url("patient", animal["id"]))
        return [self._client(ctx, r, addresses.get(r.get("address_physical")), types, animals[r["id"]])
                for r in records]

    @staticmethod
    def _client(ctx: Context, r: Record, address: Record | None, types: dict[int, Record],
                patients: list[str]) -> dict[str, Any]:
        details = r.get("contact_detail_list") or []
        emails = [d["value"] for d in details if _kind(types, d) == "email"]
        phones = [{"phone_number": d["value"], "description": d.get("name") or ""}
                  for d in details if _kind(types, d) == "phone"]
        address = address or {}
        return {
            "id": r["id"], "url": ctx.links.url("client", r["id"]), "title": CLIENT_EMPTY["title"],
            "firstname": r.get("first_name") or "", "lastname": r.get("last_name") or "",
            "organization_name": r.get("business_name") or "", "email": emails[0] if emails else "",
            "phone_numbers": phones, "street_address": address.get("street_1") or "",
            "street_address_2": address.get("street_2") or "", "zip_code": address.get("post_code") or "",
            "city": address.get("city") or "", "archived": not r.get("active", True), "patients": patients,
            "created": ctx.moment(r.get("created_at")), "modified": ctx.moment(r.get("modified_at")),
        }

    def write(self, ctx: Context, data: dict[str, Any], before: Record | None, partial: bool,
              errors: dict[str, list[str]]) -> dict[str, Any]:
        kept = self.screen(data, before is None, partial, errors, self.writable)
        body: dict[str, Any] = {}
        for key, name in (("firstname", "first_name"), ("lastname", "last_name"),
                          ("organization_name", "business_name")):
            if key in kept:
                try:
                    body[name] = text(kept[key])
                except Invalid as error:
                    errors[key] = [str(error)]
        if before is None or not partial:  # Provet's own requirement, instead of ezyVet's last_name
            merged = {**(before or {}), **body}
            if not (merged.get("last_name") or merged.get("business_name")) and "lastname" not in errors:
                errors["lastname"] = ["This field is required unless organization_name is given."]
        if "business_name" in body:
            last_name = body["last_name"] if "last_name" in body else (before or {}).get("last_name")
            body["is_business"] = bool(body["business_name"]) and not last_name
        if before is None:
            body["is_customer"] = True
        if "archived" in kept:
            try:
                archived = boolean(kept["archived"])
                if before is not None:
                    body["active"] = not archived
                elif archived:
                    errors["archived"] = ["A client cannot be created archived; archive it with PATCH."]
            except Invalid as error:
                errors["archived"] = [str(error)]
        details = self._details(ctx, kept, before, errors)
        if details is not None:
            body["contact_detail_list"] = details
        address = self._address(ctx, kept, before, errors)
        if address is not None:
            body["address_physical"] = address
        return body

    @staticmethod
    def _details(ctx: Context, kept: dict[str, Any], before: Record | None,
                 errors: dict[str, list[str]]) -> list | None:
        """The new ContactDetail set: other details kept by id, the email and phones as sent."""
        if "email" not in kept and "phone_numbers" not in kept:
            return None
        types = {t["name"].lower(): t["id"] for t in ctx.where("contactdetailtype", [])}
        current = (before or {}).get("contact_detail_list") or []
        by_id = ctx.by_id("contactdetailtype", (d.get("contact_detail_type_id") for d in current))
        items: list = []
        email_done = "email" not in kept
        email = phones = None
        try:
            email = text(kept.get("email"))
            if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
                raise Invalid("Enter a valid email address.")
        except Invalid as error:
            errors["email"] = [str(error)]
        try:
            phones = _phone_numbers(kept.get("phone_numbers", []))
        except Invalid as error:
            errors["phone_numbers"] = [str(error)]
        for detail in current:
            kind = _kind(by_id, detail)
            if kind == "email" and not email_done:
                email_done = True
                if email:
                    items.append({"id": detail["id"], "value": email})
            elif kind == "phone" and "phone_numbers" in kept:
                if phones and detail["value"] in phones:
                    description = phones.pop(detail["value"])
                    renamed = description is not None and description != detail.get("name")
                    items.append({"id": detail["id"], "name": description} if renamed else detail["id"])
            else:
                items.append(detail["id"])
        if email and not email_done:
            if "email" not in types:
                errors["email"] = ["This clinic has no contact detail type named Email."]
            items.append({"name": "Email", "value": email, "contact_detail_type_id": types.get("email")})
        for phone, description in (phones or {}).items():
            if "mobile" not in types:
                errors["phone_numbers"] = ["This clinic has no contact detail type named Mobile."]
                break
            items.append({"name": description or "Mobile", "value": phone, "contact_detail_type_id": types["mobile"]})
        return items

    def _address(self, ctx: Context, kept: dict[str, Any], before: Record | None,
                 errors: dict[str, list[str]]) -> dict[str, Any] | None:
        """A new physical Address when any of its fields is sent (the old one is left as it was)."""
        sent = {k: v for k, v in kept.items() if k in self.address_fields}
        if not sent:
            return None
        old = ctx.by_id("address", [(before or {}).get("address_physical")])
        address = {k: v for k, v in next(iter(old.values()), {}).items()
                   if k in ("street_1", "street_2", "post_code", "city", "suburb", "region", "state", "country_id")}
        for key, value in sent.items():
            try:
                address[self.address_fields[key]] = text(value, max_length=32 if key == "zip_code" else 255)
            except Invalid as error:
                errors[key] = [str(error)]
        if not old and not any(address.values()):
            return None
        return {"name": "Physical", **address}


def _kind(types: dict[int, Record], detail: Record) -> str | None:
    return detail_kind((types.get(detail.get("contact_detail_type_id")) or {}).get("name"))


def _phone_numbers(value: Any) -> dict[str, str | None]:
    """A list of numbers, as strings or as ``{"phone_number", "description"}`` objects -> number: description
    (None when not sent). The description is the ContactDetail's name; a number may come once."""
    if value is None:
        return {}
    if not isinstance(value, list):
        raise Invalid(f'Expected a list of items but got type "{type(value).__name__}".')
    numbers: dict[str, str | None] = {}
    for item in value:
        number = item.get("phone_number") if isinstance(item, dict) else item
        number = text(number, blank=False, null=False, max_length=64)
        description = text(item.get("description")) if isinstance(item, dict) else None
        if number in numbers:
            raise Invalid(f'The number "{number}" is sent twice.')
        numbers[number] = description or None
    return numbers


def last_consultations(ctx: Context, animal_ids: list[int]) -> dict[int, int]:
    """Each animal's latest active Consult (by date, then id), in one query for a page of animals."""
    return ctx.engine.latest(ctx.actor, "consult", "animal_id", animal_ids, "date", {"active": True})


# consultation <- Consult (read only) --------------------------------------------------------------------

class ReadOnlySerializer(Serializer):
    """A kind served by GET alone (its routes answer 405 to anything else): nothing is ever written through it."""

    def write(self, ctx: Context, data: dict[str, Any], before: Record | None, partial: bool,
              errors: dict[str, list[str]]) -> dict[str, Any]:
        raise TypeError(f"{self.kind} is read only: its routes serve GET alone")


class ConsultationSerializer(ReadOnlySerializer):
    """A Consult read as the example's consultation (provet L4-L40). openvet keeps no consultation workflow,
    departments, reporting dimensions or billing items on a Consult: a Consult is a visit that has started
    (``admitted_time`` and ``started`` are its date) and is served with the example's status 8 and type 0;
    the client is the animal's owner."""

    kind = "consultation"
    resource = "consult"

    def read(self, ctx: Context, records: list[Record]) -> list[dict[str, Any]]:
        animals = ctx.by_id("animal", (r.get("animal_id") for r in records))
        out = []
        for r in records:
            animal = animals.get(r.get("animal_id")) or {}
            started = ctx.moment(r.get("date"))
            out.append({
                "url": ctx.links.url("consultation", r["id"]),
                "client": ctx.links.url("client", animal.get("contact_id")),
                "patients": [ctx.links.url("patient", r["animal_id"])] if r.get("animal_id") else [],
                "complaint": r.get("description") or "",
                "admitted_time": started, "first_entry": None, "started": started, "finished": None,
                "ended": None, "status": CONSULTATION_STATUS, "type": CONSULTATION_TYPE,
                "invoice": None,
                "supervising_veterinarian": ctx.links.url("user", r.get("vet_id")),
                "department": None, "consultation_items": [],
                "reporting_dimension_1": None, "reporting_dimension_2": None,
            })
        return out


CONSULTATION_STATUS = 8  # the example's (provet L24): a consultation started, not finished
CONSULTATION_TYPE = 0  # the example's (provet L25)

PATIENT = PatientSerializer()
CLIENT = ClientSerializer()
CONSULTATION = ConsultationSerializer()
