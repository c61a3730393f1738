"""Rules of the calendar: what an appointment books, who it must name, how it is cancelled (L1184, L1408)."""

from __future__ import annotations

from openvet.services.changes import Change, rule


@rule
def appointment_books_its_resources(change: Change) -> None:
    """An appointment books at least one Resource and a SalesResource; the SalesResource is always one of the
    Resources it books, listed first (as the v2 samples read back, L1340)."""
    record = change.record
    if change.creating or {"sales_resource", "resources"} & change.values.keys():
        booked = list(record.get("resources") or [])
        sales = record.get("sales_resource")
        if sales is None and booked:
            sales = booked[0]
            change.derive("sales_resource", sales)
        if sales is None:
            if not change.refused("sales_resource"):
                change.refuse("sales_resource", "is required: an appointment books a SalesResource (L1184)")
            return
        change.derive("resources", [sales, *(r for r in booked if r != sales)])


@rule
def appointment_names_who_its_type_needs(change: Change) -> None:
    """An appointment names a Contact, an Animal or both as its AppointmentType requires (L1184). An animal
    without a contact brings its owner; a contact named with an animal is that animal's owner (or carer);
    a consult named is a consult of that animal."""
    record, values = change.record, change.values
    if not (change.creating or {"type_id", "animal_id", "contact_id", "consult_id"} & values.keys()):
        return
    consult = change.lookup("consult", record.get("consult_id"))
    if consult is not None and record.get("animal_id") is None:
        change.derive("animal_id", consult["animal_id"])
    animal = change.lookup("animal", record.get("animal_id"))
    kind = change.lookup("appointmenttype", record.get("type_id"))
    if animal is not None and record.get("contact_id") is None:
        change.derive("contact_id", animal["contact_id"])
    if kind is not None:
        if kind.get("requires_animal") and record.get("animal_id") is None and not change.refused("animal_id"):
            change.refuse("animal_id", f"is required: an appointment of type {kind['name']} is for an Animal")
        if kind.get("requires_contact") and record.get("contact_id") is None and not change.refused("contact_id"):
            change.refuse("contact_id", f"is required: an appointment of type {kind['name']} is for a Contact")
    contact_id = record.get("contact_id")
    if animal is not None and contact_id is not None and contact_id not in (
            animal.get("contact_id"), animal.get("residence_contact_id")):
        change.refuse("contact_id", f"is not the owner of Animal {animal['id']}")
    if consult is not None and animal is not None and consult["animal_id"] != animal["id"]:
        change.refuse("consult_id", f"is a consult of another animal than Animal {animal['id']}")


@rule
def appointment_is_cancelled_with_a_reason(change: Change) -> None:
    """``cancel: true`` cancels the appointment and keeps it: its status becomes the clinic's cancelled status,
    whatever status_id was sent (the sample sends 2 and reads 4, L1408). A cancellation needs a reason: a
    cancellation_reason id, or cancellation_reason_text (the sample sends reason 0 with a text)."""
    values, record = change.values, change.record
    if values.get("cancel") is True:
        if record.get("cancellation_reason") is None and not (record.get("cancellation_reason_text") or "").strip():
            change.refuse("cancellation_reason", "is required to cancel: a cancellation reason id, or "
                                                 "cancellation_reason_text")
            return
        statuses = change.find("appointmentstatus", limit=1, cancelled=True)
        if not statuses:
            change.refuse("cancel", "the clinic has no AppointmentStatus marked as cancelled")
            return
        change.derive("status_id", statuses[0]["id"])
    elif {"cancellation_reason", "cancellation_reason_text"} & values.keys() and not change.creating:
        status = change.lookup("appointmentstatus", (change.before or {}).get("status_id"))
        if not (status or {}).get("cancelled"):
            change.refuse("cancellation_reason", "is sent with cancel: true, or to an appointment already cancelled")
