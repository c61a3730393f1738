"""Rules of the lab: requests take their animal and contact from their consult; results from their request."""

from __future__ import annotations

from openvet.services.changes import Change, rule

KINDS = ("diagnostic", "integrateddiagnostic")
TITLE = {"diagnostic": "Diagnostic", "integrateddiagnostic": "IntegratedDiagnostic"}


@rule
def diagnostic_request_is_for_its_consult(change: Change) -> None:
    """A request names its consult; its animal is the consult's and its contact the animal's owner. The create
    answer shows both though the request cannot send them (L5410–L5429)."""
    if not (change.creating or "consult_id" in change.values):
        return
    consult = change.lookup("consult", change.record.get("consult_id"))
    if consult is None:
        return
    animal = change.lookup("animal", consult["animal_id"])
    change.derive("animal_id", consult["animal_id"])
    change.derive("contact_id", (animal or {}).get("contact_id"))


@rule
def diagnostic_request_has_a_reference(change: Change) -> None:
    """A new request gets the lab reference ``OV<clinic>-DR<id>`` (the samples: "NZ50-DR1", L5405)."""
    if change.creating:
        clinic_id = change.clinic_id
        change.derive_from_id("reference_number", lambda record_id: f"OV{clinic_id}-DR{record_id}")


@rule
def diagnostic_request_item_names_a_diagnostic(change: Change) -> None:
    """An item names a Diagnostic or an IntegratedDiagnostic in one of three ways (L5316): ``diagnostic_id``
    with ``diagnostic_class``; ``product_id`` alone (the diagnostic that product bills); ``diagnostic_id`` with
    ``product_id``. Its name and code are the diagnostic's."""
    record, values = change.record, change.values
    if not (change.creating or {"diagnostic_id", "diagnostic_class", "product_id"} & values.keys()):
        return
    kind, diagnostic_id, product_id = record.get("diagnostic_class"), record.get("diagnostic_id"), \
        record.get("product_id")
    kinds = [k for k in KINDS if TITLE[k] == kind] if kind else list(KINDS)
    found = named_diagnostic(change, kinds, diagnostic_id, product_id)
    if found is None:
        if diagnostic_id is None and product_id is None:
            change.refuse("diagnostic_id", "is required (or product_id): the item names what is requested")
        elif not change.refused("diagnostic_id") and not change.refused("product_id"):
            named = f"diagnostic {diagnostic_id}" if diagnostic_id is not None else f"product {product_id}"
            change.refuse("diagnostic_id" if diagnostic_id is not None else "product_id",
                          f"no Diagnostic or IntegratedDiagnostic of the clinic is {named}")
        return
    name, diagnostic = found
    change.derive("diagnostic_class", TITLE[name])
    change.derive("diagnostic_id", diagnostic["id"])
    change.derive("name", diagnostic.get("name"))
    change.derive("code", diagnostic.get("code"))


def named_diagnostic(change: Change, kinds: list[str], diagnostic_id: int | None,
                     product_id: int | None) -> tuple[str, dict] | None:
    """(kind, record) of the diagnostic an item names. Diagnostics and IntegratedDiagnostics count their ids
    apart, so an id alone may name one of each: with a product too, the one that product bills is chosen
    before one that names no product."""
    found = []
    for name in kinds:
        if diagnostic_id is not None:
            candidate = change.lookup(name, diagnostic_id)
            if candidate is not None and (product_id is None or candidate.get("product_id") in (None, product_id)):
                found.append((name, candidate))
        elif product_id is not None:
            found += [(name, match) for match in change.find(name, limit=1, product_id=product_id)]
    billed = [f for f in found if product_id is not None and f[1].get("product_id") == product_id]
    return (billed or found or [None])[0]


@rule
def diagnostic_result_takes_its_request(change: Change) -> None:
    """A result linked to a request takes the request's animal, consult, contact, vet, supplier, ownership,
    reference and specifics when it does not say them (L4760); what it says must agree with the request. Given
    an animal, its contact is the animal's owner. Every result is of an Animal (L4615)."""
    record, values = change.record, change.values
    if not (change.creating or {"diagnostic_request_id", "animal_id", "consult_id"} & values.keys()):
        return
    request = change.lookup("diagnosticrequest", record.get("diagnostic_request_id"))
    if request is not None:
        for field in ("animal_id", "consult_id", "vet_id", "supplier_id"):
            theirs = request.get(field)
            if theirs is None:
                continue
            if record.get(field) is None:
                change.derive(field, theirs)
            elif record[field] != theirs and field in ("animal_id", "consult_id"):
                change.refuse(field, f"is not the {field[:-3]} of DiagnosticRequest {request['id']} ({theirs})")
        for field in ("ownership_id", "reference_number", "specifics"):
            if record.get(field) in (None, "") and request.get(field) not in (None, ""):
                change.derive(field, request[field])
    if record.get("animal_id") is None:  # given only a consult: "the API will figure out the rest" (L4764)
        consult = change.lookup("consult", record.get("consult_id"))
        if consult is not None:
            change.derive("animal_id", consult["animal_id"])
    animal = change.lookup("animal", record.get("animal_id"))
    if animal is not None:
        change.derive("contact_id", animal.get("contact_id"))
    elif record.get("animal_id") is None and record.get("consult_id") is None and not change.refused("animal_id"):
        change.refuse("animal_id", "is required (or diagnostic_request_id, or consult_id): a result is of an Animal")
