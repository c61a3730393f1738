"""Payment links (Provet Pay, P111–P269): what a link may ask for, whom it reaches, and how its status moves.

A link is made Pending; the client accepts (5) or aborts (4) it on its payment page, once, before it expires.
An expired link reads as Expired (3) without anyone writing it (``link_status``). Accepting a link of an
invoice pays that invoice; a prepayment is money held for the client (see docs/provet.md).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openvet.resources.payments import PAYMENT_LINK_TRANSACTION, PAYMENT_STATUSES, PROVET_PAY, PROVET_PAY_METHOD
from openvet.services.changes import Change, rule
from openvet.services.contacts import detail_kind

PENDING, FAILED, EXPIRED, ABORTED, ACCEPTED = 1, 2, 3, 4, 5
ZERO = Decimal(0)
SENDS_EMAIL, SENDS_SMS = (1, 2), (1, 3)  # delivery methods (P135)


def link_status(record: dict[str, Any], now: int) -> int:
    """The link's payment status as the client sees it: a Pending link past its expiry is Expired."""
    status = record.get("link_payment_status") or PENDING
    expires = record.get("link_expires_at")
    return EXPIRED if status == PENDING and expires is not None and now >= expires else status


@rule
def payment_link_is_provet_pay(change: Change) -> None:
    """openvet takes payments by Provet Pay payment link only: payment type 5003, transaction type 4, terminal 0
    (P150–P152). Card details are saved only with a recurring model (P130). The link expires ``duration``
    minutes after it is made."""
    if not change.creating:
        return
    record = change.record
    for name, wanted in (("payment_type", PROVET_PAY), ("transaction_type", PAYMENT_LINK_TRANSACTION),
                         ("terminal_id", 0)):
        if record.get(name) != wanted:
            change.refuse(name, f"must be {wanted} for a Provet Pay payment link")
    if record.get("link_tokenize") and not record.get("link_recurring_model"):
        change.refuse("link_recurring_model", "is required with tokenize: subscription or one-off")
    if record.get("link_duration"):
        change.derive("link_expires_at", change.now + 60 * record["link_duration"])


@rule
def payment_link_pays_an_invoice_or_a_prepayment(change: Change) -> None:
    """A link pays one invoice (its client is the invoice's) or is a prepayment of one client (P126)."""
    if not change.creating:
        return
    record = change.record
    if record.get("invoice_id") is not None:
        if record.get("contact_id") is not None:
            change.refuse("contact_id", "a link pays an invoice or is a prepayment, not both")
            return
        invoice = change.lookup("invoice", record["invoice_id"])
        if invoice is None:
            return  # the link's check says so
        if not invoice.get("active"):
            change.refuse("invoice_id", f"Invoice {invoice['id']} is deleted")
            return
        outstanding = invoice.get("outstanding") or ZERO
        if record.get("amount") is not None and record["amount"] > outstanding:
            change.refuse("amount", f"is more than the {outstanding} the invoice has outstanding")
        change.derive("contact_id", invoice.get("contact_id"))
    elif record.get("contact_id") is None:
        change.refuse("contact_id", "is required: a link pays an invoice or is a prepayment for a client")
    methods = change.find("paymentmethod", limit=1, name=PROVET_PAY_METHOD)
    change.derive("payment_method_id", methods[0]["id"] if methods else change.create(
        "paymentmethod", {"name": PROVET_PAY_METHOD, "type": "Online"}))


@rule
def payment_link_reaches_the_client(change: Change) -> None:
    """The link's email and phone default to the client's own (P123); a link to be emailed needs an email
    address, one to be texted a phone number (P135)."""
    if not change.creating or change.record.get("contact_id") is None:
        return
    record = change.record
    method = record.get("link_delivery_method")
    wanted = {"link_email": not record.get("link_email"), "link_phone": not record.get("link_phone")}
    if any(wanted.values()):
        found = _contact_details(change, record["contact_id"])
        for name, missing in wanted.items():
            if missing and found.get(name):
                change.derive(name, found[name])
    if method in SENDS_EMAIL and not change.record.get("link_email"):
        change.refuse("link_email", "is required to email the link: the client has no email address")
    if method in SENDS_SMS and not change.record.get("link_phone"):
        change.refuse("link_phone", "is required to text the link: the client has no phone number")


def _payment(change: Change, link: dict[str, Any]) -> dict[str, Any]:
    """The Payment a paid link makes: its amount from its client, by Provet Pay, allocated to its invoice as far
    as the invoice still owes (paid elsewhere meanwhile, the rest is the client's surplus); a prepayment's is all
    surplus, available for the client's next invoices."""
    payment = {"client_id": link["contact_id"], "amount": link["amount"], "method": link.get("payment_method_id"),
               "date": change.now, "details": f"Provet Pay payment link {link.get('link_external_id')}",
               "comments": link.get("link_description") or link.get("description") or ""}
    invoice = change.lookup("invoice", link.get("invoice_id"))
    owed = min(link["amount"], invoice.get("outstanding") or ZERO) if invoice and invoice.get("active") else ZERO
    if owed > 0:
        payment["allocation"] = [{"invoice_id": invoice["id"], "amount": owed}]
    return payment


def _contact_details(change: Change, contact_id: int) -> dict[str, str]:
    """The client's email and phone (the first active ones; a mobile before another phone)."""
    kinds = {t["id"]: t.get("name") or "" for t in change.find("contactdetailtype")}  # the clinic's few types
    details = [d for d in change.find("contactdetail", contact_id=contact_id)
               if d.get("active", True) and d.get("value")]
    named = [(kinds.get(d.get("contact_detail_type_id"), ""), d["value"]) for d in details]
    email = next((value for name, value in named if detail_kind(name) == "email"), None)
    phones = sorted(((name, value) for name, value in named if detail_kind(name) == "phone"),
                    key=lambda pair: pair[0].lower() != "mobile")
    return {"link_email": email, "link_phone": phones[0][1] if phones else None}


@rule
def payment_link_status_moves_once(change: Change) -> None:
    """A Pending link is accepted or aborted once; an expired one no more (P140). Accepting or aborting says
    when."""
    if change.creating or not change.sent("link_payment_status"):
        return
    before, status = change.before, change.record.get("link_payment_status")
    was = link_status(before, change.now)
    if status == before.get("link_payment_status"):
        return
    if was != PENDING:
        change.refuse("link_payment_status", f"the payment is {PAYMENT_STATUSES[was]} already: it cannot change")
        return
    if status not in (ACCEPTED, ABORTED, FAILED):
        change.refuse("link_payment_status", "a Pending payment can only become Accepted, Aborted or Failed")
        return
    if status == ACCEPTED:
        change.derive("paid_at", change.now)
        change.derive("payment_id", change.create("payment", _payment(change, before)))
    elif status == ABORTED:
        change.derive("aborted_at", change.now)
