"""Query filters, DRF/django-filter style: ``?client=12``, ``?name=Rex``, ``?modified__gte=<ISO>``.

Each object kind names the filters it understands; any other query parameter answers 400 naming it
(a filter is never silently ignored).
"""

from __future__ import annotations

from collections.abc import Callable

from openvet.engine import Condition
from openvet.provet.exceptions import invalid
from openvet.provet.hyperlinks import MAX_ID, whole
from openvet.provet.pagination import PARAMS
from openvet.provet.serializers import Context, boolean, code, epoch_of, text
from openvet.resources.fields import Invalid

Filter = Callable[[Context, str], list[Condition]]
RENDERING = ("format",)  # ?format=json, as DRF's browsable API adds it
COMPARATORS = {"gte": "gte", "gt": "gt", "lte": "lte", "lt": "lt"}


def exact(column: str) -> Filter:
    return lambda _ctx, raw: [Condition(column, "eq", text(raw, blank=True, null=False))]


def ids(column: str) -> Filter:
    def parse(_ctx: Context, raw: str) -> list[Condition]:
        parts = [whole(p.strip()) for p in raw.split(",") if p.strip()]
        if not parts or not all(p is not None and p <= MAX_ID for p in parts):
            raise Invalid("Enter a whole number, or several separated by commas.")
        return [Condition(column, "in", parts)]
    return parse


def archived(_ctx: Context, raw: str) -> list[Condition]:
    return [Condition("active", "eq", not boolean(raw.strip()))]


def moment(column: str, op: str) -> Filter:
    return lambda _ctx, raw: [Condition(column, op, epoch_of(raw))]


def client(ctx: Context, raw: str) -> list[Condition]:
    """``?client=12`` or ``?client=<client URL>``; an id of no client of this clinic finds nothing."""
    raw = raw.strip()
    number = whole(raw)
    if number is not None:
        return [Condition("contact_id", "in", [number] if number <= MAX_ID else [])]
    return [Condition("contact_id", "eq", ctx.links.record_id(raw, "client"))]


def species(ctx: Context, raw: str) -> list[Condition]:
    wanted = code(raw.strip())
    found = ctx.where("species", [Condition("provet_code", "eq", wanted)]) if wanted is not None else []
    return [Condition("species_id", "in", [s["id"] for s in found])]


def _times() -> dict[str, Filter]:
    out: dict[str, Filter] = {}
    for name, column in (("created", "created_at"), ("modified", "modified_at")):
        for suffix, op in COMPARATORS.items():
            out[f"{name}__{suffix}"] = moment(column, op)
    return out


PATIENT_FILTERS: dict[str, Filter] = {
    "id__in": ids("id"), "client": client, "name": exact("name"), "microchip": exact("microchip_number"),
    "species": species, "archived": archived, **_times(),
}


def patient(ctx: Context, raw: str) -> list[Condition]:
    """``?patient=5`` or ``?patient=<patient URL>``."""
    raw = raw.strip()
    number = whole(raw)
    if number is not None:
        return [Condition("animal_id", "in", [number] if number <= MAX_ID else [])]
    return [Condition("animal_id", "eq", ctx.links.record_id(raw, "patient"))]


def client_of_patient(ctx: Context, raw: str) -> list[Condition]:
    """``?client=12`` on consultations: those of the client's animals."""
    animals = ctx.where("animal", client(ctx, raw))
    return [Condition("animal_id", "in", [a["id"] for a in animals])]


CONSULTATION_FILTERS: dict[str, Filter] = {
    "id__in": ids("id"), "patient": patient, "client": client_of_patient,
    **{f"admitted_time__{suffix}": moment("date", op) for suffix, op in COMPARATORS.items()}, **_times(),
}
CLIENT_FILTERS: dict[str, Filter] = {
    "id__in": ids("id"), "firstname": exact("first_name"), "lastname": exact("last_name"),
    "organization_name": exact("business_name"), "archived": archived, **_times(),
}


def invoice(ctx: Context, raw: str) -> list[Condition]:
    """``?invoice=7`` or ``?invoice=<invoice URL>``: an invoice's payment links (P114)."""
    raw = raw.strip()
    number = whole(raw)
    if number is not None:
        return [Condition("invoice_id", "in", [number] if number <= MAX_ID else [])]
    return [Condition("invoice_id", "eq", ctx.links.record_id(raw, "invoice"))]


def department(ctx: Context, raw: str) -> list[Condition]:
    raw = raw.strip()
    number = whole(raw)
    if number is not None:
        return [Condition("separation_id", "in", [number] if number <= MAX_ID else [])]
    return [Condition("separation_id", "eq", ctx.links.record_id(raw, "department"))]


POS_TRANSACTION_FILTERS: dict[str, Filter] = {
    "id__in": ids("id"), "invoice": invoice, "client": client, "department": department, **_times(),
}
DEPARTMENT_FILTERS: dict[str, Filter] = {"id__in": ids("id"), "name": exact("name")}
USER_FILTERS: dict[str, Filter] = {"id__in": ids("id")}


def parse_filters(ctx: Context, filters: dict[str, Filter], params: dict[str, str]) -> list[Condition]:
    conditions: list[Condition] = []
    errors: dict[str, list[str]] = {}
    for key, raw in params.items():
        if key in PARAMS:
            continue
        if key in RENDERING:
            if raw.strip().lower() != "json":
                errors[key] = ["Only format=json is served."]
            continue
        parse = filters.get(key)
        if parse is None:
            errors[key] = [f"Unknown query parameter. Filters here: {', '.join(sorted(filters))}; "
                           f"paging: {', '.join(PARAMS)}."]
            continue
        try:
            conditions += parse(ctx, raw)
        except Invalid as error:
            errors[key] = [str(error)]
    if errors:
        raise invalid(errors)
    return conditions
