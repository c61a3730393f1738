"""Rules for contacts."""

from __future__ import annotations

import re

from openvet.services import Change, rule


@rule
def contact_requires_details(change: Change) -> None:
    """A Contact keeps a last name, or a business name for a business: a PATCH may not blank both.

    (On create the declaration's mandatory ``last_name`` and ``contact_detail_list`` already apply.)
    """
    if change.creating or any(p.field == change.prefix + "last_name" for p in change.problems):
        return  # already refused (on the ezyVet wire, last_name is mandatory like on create)
    record = change.record
    if not (record.get("last_name") or record.get("business_name")):
        change.refuse("last_name", "cannot be empty unless the Contact has a business_name")


@rule
def contactdetail_names_contact(change: Change) -> None:
    """A contact detail belongs to one Contact, named by ``contact_id`` or (v2) ``contact_uid`` (L4389)."""
    if change.record.get("contact_id") is None:
        change.refuse("contact_id", "is required (or contact_uid on v2): a detail belongs to a Contact")


@rule
def contactdetail_cleans_value(change: Change) -> None:
    """``value_cleaned`` is the value as software compares it (the document's samples show it derived):
    a phone number's digits (with a leading + kept), an email address in lower case, anything else trimmed."""
    if "value" not in change.values:
        return
    value = (change.record.get("value") or "").strip()
    if "@" in value:
        cleaned = value.lower()
    elif re.fullmatch(r"[\d\s()+\-.]+", value):
        cleaned = ("+" if value.startswith("+") else "") + re.sub(r"\D", "", value)
    else:
        cleaned = value
    change.derive("value_cleaned", cleaned)
