"""Payments taken online: Provet Pay payment links (the Provet API's ``postransaction``, P111–P269).

A POS transaction asks a client to pay an amount, for an invoice or as a prepayment, through a payment link: a
page of this server (``/pay/<clinic>/<external_id>``) that the client opens, where the payment is accepted or
aborted. The link expires ``duration`` minutes after it was made. Only the Provet API serves these records
(``provet/payment_links.py``); events fire as for any record (``postransaction_created``, ``_updated``), so an
integrator can deliver the link and follow its status. The rules are in ``services/payments.py``.
"""

from openvet.resources.declaration import Resource
from openvet.resources.fields import (
    ACTING_USER,
    Choice,
    Epoch,
    Field,
    Guid,
    Integer,
    Link,
    Number,
    Text,
    WebAddress,
)

PROVET_PAY_METHOD = "Provet Pay"  # the PaymentMethod a paid link's Payment names
PROVET_PAY = 5003  # the payment type of Provet Pay payments (P150)
PAYMENT_LINK_TRANSACTION = 4  # their transaction type (P151)
DELIVERY_METHODS = {0: "Do not send", 1: "Send by SMS and email", 2: "Email only", 3: "SMS only"}  # P135
PAYMENT_STATUSES = {1: "Pending", 2: "Failed", 3: "Expired", 4: "Aborted", 5: "Accepted"}  # P140
DELIVERY_STATUSES = {1: "Not sent", 2: "Sent", 3: "Failed"}  # P146
FIXED = {"create": True, "update": False}

POS_TRANSACTION = Resource(
    name="postransaction",
    title="POSTransaction",
    endpoints={},  # not an ezyVet resource: served on the Provet API (provet/payment_links.py)
    rules=("payment_link_is_provet_pay", "payment_link_pays_an_invoice_or_a_prepayment",
           "payment_link_reaches_the_client", "payment_link_status_moves_once"),
    fields=(
        Field("amount", Number(2, above=0), mandatory=True, **FIXED, doc="The amount asked for, e.g. 120.50."),
        Field("terminal_id", Integer(0, 2**31 - 1), default=0, **FIXED,
              doc="The card terminal; 0 for a payment link (P152)."),
        Field("payment_type", Integer(0, 2**31 - 1), default=PROVET_PAY, **FIXED,
              doc="5003 for Provet Pay (P150)."),
        Field("transaction_type", Integer(0, 2**31 - 1), default=PAYMENT_LINK_TRANSACTION, **FIXED,
              doc="4 for Provet Pay (P151)."),
        Field("creator_id", Link("user"), default=ACTING_USER, **FIXED,
              doc="The User who made the transaction (when not sent: the User the calling credentials act as)."),
        Field("separation_id", Link("separation"), mandatory=True, **FIXED,
              doc="The department (an ezyVet Separation) the payment is taken for."),
        Field("contact_id", Link("contact"), index=True, **FIXED,
              doc="Who pays: the prepayment's client (or the invoice's)."),
        Field("invoice_id", Link("invoice"), index=True, **FIXED,
              doc="The invoice the link pays; null for a prepayment."),
        Field("payment_method_id", Link("paymentmethod"), create=False, update=False,
              doc='The PaymentMethod the payment is taken by: "Provet Pay", made when the clinic has none.'),
        Field("payment_id", Link("payment"), create=False, update=False, index=True,
              doc="The Payment made when the link was paid: allocated to the invoice, or kept as the client's "
                  "surplus (a prepayment)."),
        Field("description", Text(1024), default="", **FIXED, doc="The prepayment's description."),
        Field("aborted_at", Epoch(), create=False, doc="When the client aborted the payment."),
        Field("paid_at", Epoch(), create=False, doc="When the payment was accepted."),
        Field("link_external_id", Guid(), create=False, update=False, index=True,
              doc="The payment link's public identifier: the last part of its URL."),
        Field("link_duration", Integer(1, 525_600), mandatory=True, **FIXED,
              doc="How long the link may be paid, in minutes (at most a year)."),
        Field("link_expires_at", Epoch(), create=False, update=False, doc="When the link expires."),
        Field("link_email", Text(254), **FIXED,
              doc="Where the link is emailed; the client's email when not given."),
        Field("link_phone", Text(64), **FIXED, doc="Where the link is texted; the client's mobile when not given."),
        Field("link_delivery_method", Integer(0, 3), default=2, **FIXED,
              doc="0 do not send, 1 SMS and email, 2 email only (the default), 3 SMS only (P135)."),
        Field("link_description", Text(1024), default="", **FIXED,
              doc="Shown to the client on the payment page."),
        Field("link_return_url", WebAddress(2048), **FIXED,
              doc="Where the payment page sends the client after paying."),
        Field("link_tokenize", Choice("yes", "no", "ask"), **FIXED,
              doc="Whether to save the card for later payments: yes, no, or ask the client."),
        Field("link_recurring_model", Choice("subscription", "one-off"), **FIXED,
              doc="How saved card details will be used; required with tokenize."),
        Field("link_payment_status", Integer(1, 5), default=1, create=False,
              doc="1 Pending, 2 Failed, 3 Expired, 4 Aborted, 5 Accepted (P140)."),
        Field("link_delivery_status", Integer(1, 3), default=1, create=False,
              doc="1 Not sent, 2 Sent, 3 Failed (P146): openvet sends no email or SMS itself."),
    ),
)

RESOURCES = (POS_TRANSACTION,)
