"""Rules of the clinical record: consults, what they record, prescriptions and vaccinations."""

from __future__ import annotations

from openvet.services.changes import Change, rule

CONSULT_CODES = 300_000  # consult codes count on from 300000 by id (the samples: 233 -> 300233, L3075)


@rule
def consult_has_a_code(change: Change) -> None:
    """A new Consult gets its code from its id (233 -> "300233", 3392 -> "303392"), as the samples show."""
    if change.creating:
        change.derive_from_id("code", lambda record_id: str(CONSULT_CODES + record_id))


@rule
def consult_referrer_is_a_vet(change: Change) -> None:
    """The referring vet is "a Contact marked as a vet (is_vet=1)" (L3093)."""
    contact_id = change.values.get("referring_vet_contact_id")
    contact = change.lookup("contact", contact_id)
    if contact is not None and not contact.get("is_vet"):
        change.refuse("referring_vet_contact_id", f"Contact {contact_id} is not marked as a vet (is_vet)")


@rule
def clinical_record_matches_consult(change: Change) -> None:
    """A clinical record of a consult is about the animal the consult is for: given only the consult, it takes
    the consult's animal; given both, they must agree."""
    record = change.record
    if not (change.creating or {"consult_id", "animal_id"} & change.values.keys()):
        return
    consult = change.lookup("consult", record.get("consult_id"))
    if consult is None:
        return
    if record.get("animal_id") is None:
        change.derive("animal_id", consult["animal_id"])
    elif record["animal_id"] != consult["animal_id"] and not change.refused("consult_id"):
        change.refuse("consult_id", f"is a consult of Animal {consult['animal_id']}, not of Animal "
                                    f"{record['animal_id']}")


@rule
def presenting_problem_link_names_a_consult(change: Change) -> None:
    """A PresentingProblemLink joins a PresentingProblem to a Consult (L9726)."""
    if change.record.get("consult_id") is None:
        change.refuse("consult_id", "is required: a PresentingProblemLink belongs to a Consult")


@rule
def health_status_needs_active_consult_and_animal(change: Change) -> None:
    """"Each HealthStatus must be linked to an active Consult and to an active Animal" (L6173)."""
    for field, resource in (("consult_id", "consult"), ("animal_id", "animal")):
        if field in change.values or change.creating:
            linked = change.lookup(resource, change.record.get(field))
            if linked is not None and not linked.get("active"):
                change.refuse(field, f"{resource.title()} {linked['id']} is not active")


@rule
def physical_exam_chain(change: Change) -> None:
    """The chain of body systems is the path to the body system examined; with no body-system tree in the API,
    it is the body system alone ("|1|" for body_system 1, as the create sample reads back, L8778)."""
    if change.creating or "body_system" in change.values:
        change.derive("chain", f"|{change.record.get('body_system') or 0}|")


@rule
def physical_exam_follows_an_earlier_exam(change: Change) -> None:
    """``historical_record_id`` names the previous PhysicalExam of the same animal, or is 0 (none, L8810)."""
    previous = change.lookup("physicalexam", change.values.get("historical_record_id"))
    if previous is not None and previous.get("animal_id") != change.record.get("animal_id"):
        change.refuse("historical_record_id", f"PhysicalExam {previous['id']} is of another animal")


def calendar_resource_of(change: Change, user_id: int | None) -> int | None:
    """The calendar Resource that is this User (what a vet's work is sold by), if the clinic has one."""
    if user_id is None:
        return None
    found = change.find("resource", limit=1, associated_id=user_id)
    return found[0]["id"] if found else None


def require_vet(change: Change, field: str) -> None:
    user_id = change.values.get(field)
    user = change.lookup("user", user_id)
    if user is not None and not user.get("is_vet"):
        change.refuse(field, f"User {user_id} is not a vet (is_vet)")


@rule
def recorded_by_a_vet(change: Change) -> None:
    """The ``vet_id`` of a clinical record is a User who is a vet: "the User who is a Vet" of a PhysicalExam,
    History, Assessment, Plan or Operation (L8798, L6770, L1767, L8977, L8374), "the User (who is a vet)" of a
    DiagnosticResult (L4868), "the vet assigned to the consult" of a DiagnosticRequest (L5411)."""
    require_vet(change, "vet_id")


@rule
def vaccinated_by_a_vet(change: Change) -> None:
    """A Vaccination is given by a User who is a vet (L13677); it is sold by that vet's calendar Resource."""
    require_vet(change, "vet_id")
    if "vet_id" in change.values:
        change.derive("sales_resource_id", calendar_resource_of(change, change.record.get("vet_id")))


@rule
def prescription_is_for_the_animals_owner(change: Change) -> None:
    """A Prescription's contact is its animal's owner: taken from the animal when not given, refused when it
    is someone else. It is sold by the prescribing vet's calendar Resource."""
    record, values = change.record, change.values
    if change.creating or {"animal_id", "contact_id"} & values.keys():
        animal = change.lookup("animal", record.get("animal_id"))
        if animal is not None:
            if record.get("contact_id") is None:
                change.derive("contact_id", animal.get("contact_id"))
            elif record["contact_id"] not in (animal.get("contact_id"), animal.get("residence_contact_id")):
                change.refuse("contact_id", f"is not the owner of Animal {animal['id']}")
    if "prescribing_vet_user_id" in values:
        change.derive("sales_resource_id", calendar_resource_of(change, record.get("prescribing_vet_user_id")))


@rule
def prescription_item_defaults_from_its_prescription(change: Change) -> None:
    """Written in a Prescription's list, an item may leave out ``remaining`` (none: 0) and ``date_start`` (the
    prescription's date)."""
    record = change.record
    if change.creating:
        if record.get("remaining") is None:
            change.derive("remaining", 0)
        if record.get("date_start") is None:
            prescription = change.lookup("prescription", record.get("prescription_id"))
            change.derive("date_start", (prescription or {}).get("date_of_prescription"))


@rule
def external_prescription_is_for_the_animal(change: Change) -> None:
    """An external pharmacy's prescription: its consult and contact belong to its animal, its prescriber is a vet
    (L5745); it is a Prescription of the clinic, made, changed and deactivated with it (L5888), and its lines
    are that prescription's items."""
    record = change.record
    if change.deactivating:
        prescription_id = record.get("prescription_id")
        if prescription_id is not None:
            for item in change.find("prescriptionitem", prescription_id=prescription_id, active=True):
                change.deactivate("prescriptionitem", item["id"])
            change.deactivate("prescription", prescription_id)
        return
    animal = change.lookup("animal", record.get("animal_id"))
    consult = change.lookup("consult", record.get("consult_id"))
    if animal is not None and consult is not None and consult["animal_id"] != animal["id"]:
        change.refuse("consult_id", f"is not a consult of Animal {animal['id']}")
    if animal is not None and record.get("contact_id") is not None and record["contact_id"] not in (
            animal.get("contact_id"), animal.get("residence_contact_id")):
        change.refuse("contact_id", f"is not the owner of Animal {animal['id']}")
    require_vet(change, "prescribing_vet_user_id")
    if change.problems:
        return
    prescription = {"animal_id": record.get("animal_id"), "consult_id": record.get("consult_id"),
                    "contact_id": record.get("contact_id") or (animal or {}).get("contact_id"),
                    "prescribing_vet_user_id": record.get("prescribing_vet_user_id"),
                    "date_of_prescription": record.get("date_of_prescription")}
    if change.creating:
        made = change.create("prescription", prescription)
        change.derive("prescription_id", made)
        change.derive_from_id("prescription_uid", lambda _id: change.lookup("prescription", made.id)["uid"])
    elif record.get("prescription_id") is not None:
        change.update("prescription", record["prescription_id"], prescription)


@rule
def external_prescription_belongs_to_its_partner(change: Change) -> None:
    """"Third parties can only deactivate external prescriptions that they created" (L5890): the third party
    is the partner whose credentials wrote it; no other partner may change or deactivate it."""
    if change.creating:
        return
    owner = (change.before or {}).get("written_by_partner")
    if owner is not None and change.actor.partner_id is not None and owner != change.actor.partner_id:
        change.forbid("This external prescription was written by another partner; only it may change it")


@rule
def external_prescription_item_is_prescribed(change: Change) -> None:
    """Each line names a product by the pharmacy's reference: the clinic's Product with that reference is
    renamed to the line's name, or made (a Medication) when there is none (L5773); the line is then an item of
    the prescription. Deactivating the line deactivates that item."""
    record = change.record
    if change.deactivating:
        if record.get("prescription_item_id") is not None:
            change.deactivate("prescriptionitem", record["prescription_item_id"])
        return
    if not change.creating:
        return
    parent = change.lookup("externalprescription", record.get("external_prescription_id"))
    if parent is None or change.problems:
        return
    reference = (record.get("external_product_reference") or "").strip()
    name = (record.get("external_product_name") or "").strip()
    found = change.find("product", limit=1, external_product_reference=reference)
    if found:
        product = found[0]["id"]
        if found[0].get("name") != name:
            change.update("product", product, {"name": name})
    else:
        product = change.create("product", {"name": name, "type": "Medication", "is_sold": False,
                                            "external_product_reference": reference})
    item = change.create("prescriptionitem", {
        "prescription_id": parent["prescription_id"], "product_id": product, "qty": record.get("qty"),
        "remaining": record.get("remaining") or 0, "instructions": record.get("instructions"),
        "date_start": parent.get("date_of_prescription")})
    change.derive("product_id", product)
    change.derive("prescription_item_id", item)
