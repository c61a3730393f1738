"""ezyVet scope names: ``read-<endpoint>`` and ``write-<endpoint>`` (L211, L240).

A scope is known when its endpoint is one the ezyVet document describes, served yet or not: credentials
can be made today for an endpoint a later release serves, and a client that asks for the scopes of the
whole document is not refused for the part not served. Anything else (``read-paymentallocation``, which
the document never names, or a typo) names no endpoint.
"""

from __future__ import annotations

from functools import cache

from openvet.resources import REGISTRY

# Every endpoint name of the document: the ``resource_slug`` of each operation of
# shared/spec/ezyvet_catalog.json but ``oauth`` (tests/test_authentication.py checks the two agree).
DOCUMENTED_ENDPOINTS = (
    "address", "animal", "animalcolour", "appointment", "appointmentstatus", "appointmenttype", "assessment",
    "attachment", "barcode", "batch", "billingcredit", "breed", "communication", "consult", "contact",
    "contactassociation", "contactdetail", "contactdetailtype", "country", "diagnostic", "diagnosticrequest",
    "diagnosticresult", "diagnosticresultitem", "estimate", "externalprescription", "file", "healthstatus",
    "history", "integrateddiagnostic", "invoice", "invoiceline", "jobqueue", "ledgeraccount", "operation",
    "payment", "paymentmethod", "physicalexam", "plan", "prescription", "prescriptionitem", "presentingproblem",
    "presentingproblemlink", "priceadjustment", "product", "productgroup", "productminimumstock", "productpricing",
    "productsupplier", "purchaseorder", "purchaseorderitem", "receiveinvoice", "receiveinvoiceitem", "resource",
    "separation", "sex", "shelteranimalbooking", "species", "stockadjustment", "stockadjustmentitem",
    "stocktransaction", "systemsetting", "tag", "tagcategory", "tagname", "taxrate", "therapeutic", "transaction",
    "user", "vaccination", "webhookevents", "webhooks", "wellnessplan", "wellnessplanbenefit",
    "wellnessplanbenefititem", "wellnessplanmembership", "wellnessplanmembershipoption",
    "wellnessplanmembershipstatusperiod",
)


@cache
def known_scopes() -> frozenset[str]:
    """read-<endpoint> and write-<endpoint> of every documented endpoint and every declared resource."""
    endpoints = set(DOCUMENTED_ENDPOINTS) | {name for name, resource in REGISTRY.items() if resource.endpoints}
    return frozenset(f"{access}-{name}" for name in endpoints for access in ("read", "write"))
