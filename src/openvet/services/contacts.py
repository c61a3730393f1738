"""Rules for contacts."""

from __future__ import annotations

import re

from openvet.services import Change, rule

EMAIL_TYPES = ("email", "e-mail")
PHONE_TYPES = ("mobile", "home", "business phone", "phone", "work")


def detail_kind(type_name: str | None) -> str | None:
    """What a ContactDetailType's name says its details are: "email", "phone" (Mobile, Home, any type naming
    "phone"…) or None (a fax, a website)."""
    name = (type_name or "").lower()
    if name in EMAIL_TYPES:
        return "email"
    if name in PHONE_TYPES or "phone" in name:
        return "phone"
    return None


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
def contactdetail_has_type(change: Change) -> None:
    """A contact detail has a ContactDetailType. v1 does not mark it mandatory (L4132): a v1 create that
    leaves it out takes the type its ``name`` names, in any case ("Email", "mobile"); v2 marks it (L4396).

    A PATCH may not take the type away.
    """
    field = change.resource.field_map["contact_detail_type_id"]
    if change.record.get("contact_detail_type_id") is not None or any(
            p.field == change.prefix + field.wire_name(change.version or "v1") for p in change.problems):
        return  # set, or already refused (missing where the version marks it mandatory, or not an id)
    if not change.creating:
        change.refuse("contact_detail_type_id", "is required")
        return
    name = (change.record.get("name") or "").strip().casefold()
    by_name: dict[str, int] = {}
    for kind in change.find("contactdetailtype"):  # a clinic has a handful: matched here, in any case
        by_name.setdefault((kind.get("name") or "").strip().casefold(), kind["id"])
    if name in by_name:
        change.derive("contact_detail_type_id", by_name[name])
    else:
        change.refuse("contact_detail_type_id", "is required, unless name is the name of a ContactDetailType "
                      "(e.g. Email, Mobile)")


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
