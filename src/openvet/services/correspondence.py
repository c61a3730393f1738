"""Rules of the clinic's communications."""

from __future__ import annotations

import re

from openvet.services.changes import Change, rule

EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
PHONE = re.compile(r"\+?[\d\s()\-.]{3,}")
PHONE_WORDS = ("mobile", "phone", "fax", "home", "sms", "cell")


@rule
def communication_is_sent_as_a_user(change: Change) -> None:
    """A communication is sent on behalf of a User, named by that User's calendar Resource (``user_resource``,
    L2782): ``sent_as_user`` is that User. It is about the record it is directed at unless it says otherwise."""
    values, record = change.values, change.record
    if "user_resource" in values:
        resource = change.lookup("resource", values["user_resource"])
        if resource is not None:
            if resource.get("type") != "user" or resource.get("associated_id") is None:
                change.refuse("user_resource", f"Resource {resource['id']} is not the Resource of a User")
            else:
                change.derive("sent_as_user", resource["associated_id"])
    if change.creating and record.get("communicating_id") is None and record.get("communicating_type") is None:
        change.derive("communicating_type", record.get("associated_type"))
        change.derive("communicating_id", record.get("associated_id"))
    elif change.creating and (record.get("communicating_id") is None) != (record.get("communicating_type") is None):
        change.refuse("communicating_id", "is sent with communicating_type (both, or neither)")


@rule
def communication_reaches_its_destination(change: Change) -> None:
    """The destination is written as its ContactDetailType says (L2610): an email address for an email type,
    a number for a phone, mobile or fax type."""
    if not (change.creating or {"destination", "contact_detail_type_id"} & change.values.keys()):
        return
    kind = change.lookup("contactdetailtype", change.record.get("contact_detail_type_id"))
    destination = (change.record.get("destination") or "").strip()
    if kind is None or not destination:
        return
    name = (kind.get("name") or "").lower()
    if "mail" in name and not EMAIL.fullmatch(destination):
        change.refuse("destination", f"must be an email address for a {kind['name']} communication")
    elif any(word in name for word in PHONE_WORDS) and not PHONE.fullmatch(destination):
        change.refuse("destination", f"must be a number for a {kind['name']} communication")
