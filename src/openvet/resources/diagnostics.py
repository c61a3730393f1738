"""The lab: the diagnostics a clinic can order, requests for them, and the results that come back.

A DiagnosticRequest lists the Diagnostics or IntegratedDiagnostics asked for (``diagnostic_list``, its
DiagnosticRequestItems, which have no endpoint of their own: L5537). A DiagnosticResult linked to a request
takes its animal, consult, contact and vet from it (L4760) and lists its DiagnosticResultItems.
"""

from openvet.resources.declaration import Endpoint, Resource
from openvet.resources.fields import NOW, Children, Epoch, Field, Link, Number, Text, TypedLink, TypeName

READ_WRITE = ("list", "get", "create", "update", "delete")

DIAGNOSTIC = Resource(
    name="diagnostic",
    title="Diagnostic",
    spec_line=4541,
    endpoints={"v1": Endpoint(("list", "get"))},
    fields=(
        Field("name", Text(), index=True, doc='The name of the Diagnostic, e.g. "B12/Folate".'),
        Field("code", Text(), index=True, doc="A code the clinic gives the Diagnostic; subject to change."),
        Field("supplier_contact_id", Link("contact"), doc="The supplier's Contact."),
        Field("product_id", Link("product"), versions=(), filter=False,
              doc="The Product that bills this Diagnostic (a request item may name it by product)."),
    ),
)

INTEGRATED_DIAGNOSTIC = Resource(
    name="integrateddiagnostic",
    title="IntegratedDiagnostic",
    spec_line=6094,
    # the document's samples are typed JSON on v1 (L6108)
    endpoints={"v1": Endpoint(("list", "get"), typed=True)},
    fields=(
        Field("name", Text(), index=True, doc="The name of the IntegratedDiagnostic."),
        Field("code", Text(), index=True, doc="A code the clinic gives it; subject to change."),
        Field("supplier_price", Number(4), doc="The supplier's price."),
        Field("supplier_currency", Text(8), doc="The currency of the supplier's price."),
        Field("description", Text(4000), doc="The description of the IntegratedDiagnostic."),
        Field("product_id", Link("product"), versions=(), filter=False,
              doc="The Product that bills this IntegratedDiagnostic."),
    ),
)

DIAGNOSTIC_REQUEST_ITEM = Resource(
    name="diagnosticrequestitem",
    title="DiagnosticRequestItem",
    spec_line=5537,
    rules=("diagnostic_request_item_names_a_diagnostic",),
    endpoints={},  # "Each DiagnosticRequestItem must belong to a DiagnosticRequest": written in its list only
    fields=(
        Field("diagnostic_request_id", Link("diagnosticrequest"), index=True,
              doc="The DiagnosticRequest the item belongs to."),
        Field("diagnostic_class", TypeName("Diagnostic", "IntegratedDiagnostic"),
              doc="What diagnostic_id names: a Diagnostic or an IntegratedDiagnostic."),
        Field("diagnostic_id", TypedLink("diagnostic_class"), doc="The Diagnostic or IntegratedDiagnostic asked for."),
        Field("product_id", Link("product"), read=False, filter=False,
              doc="Write-only: the Product of the diagnostic, instead of diagnostic_id (L5330)."),
        Field("name", Text(), create=False, update=False, doc="The name of the Diagnostic."),
        Field("code", Text(), create=False, update=False, doc="The code of the Diagnostic."),
    ),
)

DIAGNOSTIC_REQUEST = Resource(
    name="diagnosticrequest",
    title="DiagnosticRequest",
    spec_line=5207,
    rules=("diagnostic_request_is_for_its_consult", "diagnostic_request_has_a_reference", "recorded_by_a_vet"),
    # typed JSON on v1, as every sample shows (L5216); DELETE answers no items (L5528)
    endpoints={"v1": Endpoint(READ_WRITE, typed=True, delete_answers="none")},
    fields=(
        Field("timestamp", Epoch(), default=NOW, create=False, update=False,
              doc="When the DiagnosticRequest was made."),
        Field("contact_id", Link("contact"), create=False, update=False, index=True,
              doc="The Contact: the owner of the consult's animal (L5410)."),
        Field("animal_id", Link("animal"), create=False, update=False, index=True,
              doc="The Animal: the consult's animal (L5410)."),
        Field("consult_id", Link("consult"), mandatory=True, update=False, index=True,
              doc="The Consult the request is part of."),
        Field("vet_id", Link("user"), mandatory=True, doc="The User (a vet) assigned to the consult."),
        Field("reference_number", Text(64), create=False, update=False, index=True,
              doc='The lab request reference, given by the clinic (e.g. "NZ50-DR1").'),
        Field("specifics", Text(65535), doc="The request's specifics or history, visible in the clinic."),
        Field("status", Text(), doc="The status of the request, as the lab or the clinic says it."),
        Field("supplier_id", Link("contact"), update=False, doc="The supplier the request is sent to."),
        Field("ownership_id", Link("separation"), update=False, doc="The ownership Separation of the request."),
        Field("diagnostic_list", Children("diagnosticrequestitem", via="diagnostic_request_id", embed=("v1",)),
              filter=False,
              doc="The DiagnosticRequestItems: objects with diagnostic_id and diagnostic_class, or product_id, on "
                  "write (a PATCH list is the new set; {\"id\": n} keeps an item); objects on read."),
    ),
)

DIAGNOSTIC_RESULT_ITEM = Resource(
    name="diagnosticresultitem",
    title="DiagnosticResultItem",
    spec_line=5045,
    endpoints={"v1": Endpoint(("list", "get", "create"), page_limit=50)},  # "range: 1 - 50" (L5083)
    fields=(
        Field("timestamp", Epoch(), default=NOW, doc="When the item was finished."),
        Field("diagnostic_result_id", Link("diagnosticresult"), mandatory=True, index=True,
              doc="The DiagnosticResult the item is part of."),
        Field("name", Text(), doc='The name of the measure, e.g. "GLU".'),
        Field("value", Text(), doc="The value measured."),
        Field("unit", Text(64), doc="The unit of the value."),
        Field("range_low", Text(64), doc="The low threshold."),
        Field("range_high", Text(64), doc="The high threshold."),
        Field("qualifier", Text(64), default="", doc="The qualifier of the value."),
        Field("notes", Text(4000), default="", doc="Notes about the item."),
    ),
)

DIAGNOSTIC_RESULT = Resource(
    name="diagnosticresult",
    title="DiagnosticResult",
    spec_line=4613,
    rules=("recorded_by_a_vet", "diagnostic_result_takes_its_request", "clinical_record_matches_consult"),
    endpoints={"v1": Endpoint(READ_WRITE, page_limit=50, delete_answers="none")},  # "range: 1 - 50" (L4671)
    # a result is of an Animal, named or found through its request or consult (the rule refuses none of them)
    one_of=(("animal_id", "diagnostic_request_id", "consult_id"),),
    fields=(
        Field("ownership_id", Link("separation"), create=False, update=False,
              doc="The Separation the DiagnosticResult belongs to."),
        Field("contact_id", Link("contact"), create=False, update=False, index=True,
              doc="The Contact: the animal's owner."),
        Field("consult_id", Link("consult"), index=True, doc="The Consult the result is attached to."),
        Field("animal_id", Link("animal"), index=True,
              doc="The Animal (taken from the request, when one is named)."),
        Field("supplier_id", Link("contact"), doc="The supplier of the diagnostic."),
        Field("vet_id", Link("user"), doc="The User (a vet) of the result."),
        Field("diagnostic_request_id", Link("diagnosticrequest"), index=True,
              doc="The DiagnosticRequest answered: the result takes its animal, consult, contact and vet."),
        Field("reference_number", Text(64), create=False, update=False, index=True,
              doc="The reference number of the DiagnosticRequest."),
        Field("timestamp", Epoch(), default=NOW, doc="When the results were released."),
        Field("specifics", Text(65535), doc="Specifics/notes about the result."),
        Field("outcome", Text(65535), doc="The result's notes, in Markdown."),
        Field("external_link", Text(2000), doc="A link to more of the result on the lab's system."),
        Field("diagnostic_result_item_list", Children("diagnosticresultitem", via="diagnostic_result_id",
                                                      embed=()), filter=False,
              doc="The DiagnosticResultItems: objects on write (a PATCH list is the new set), ids on read."),
    ),
)

RESOURCES = (DIAGNOSTIC, INTEGRATED_DIAGNOSTIC, DIAGNOSTIC_REQUEST_ITEM, DIAGNOSTIC_REQUEST, DIAGNOSTIC_RESULT_ITEM,
             DIAGNOSTIC_RESULT)
