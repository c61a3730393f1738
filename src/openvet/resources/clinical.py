"""The clinical record: consults and what a consult records (history, exams, health status, assessments,
plans, procedures, presenting problems, vaccinations) and prescriptions.

Every clinical record of a consult names the animal the consult is for (``clinical_record_matches_consult``).
The ezyVet "Operation" is a surgical procedure, declared here as ``SURGICAL_PROCEDURE``.
"""

from openvet.resources.declaration import Endpoint, Operation, Resource
from openvet.resources.fields import (
    CALLER,
    NOW,
    PARTNER,
    Children,
    Choice,
    Epoch,
    Field,
    Integer,
    Link,
    LinkList,
    LinkOrZero,
    Number,
    Text,
    Uid,
    UidRef,
)

READ_WRITE = ("list", "get", "create", "update", "delete")
LOOKUP = Endpoint(("list", "get"))
UP_TO_50 = Endpoint(("list", "get"), page_limit=50)  # "range: 1 - 50" (L9689, L9753)
OF_CONSULT = "clinical_record_matches_consult"
BY_A_VET = "recorded_by_a_vet"


def consult_fields(record: str, vet: str = "the User (a vet) who recorded it") -> tuple[Field, ...]:
    """The fields every clinical record of a consult has."""
    return (
        Field("consult_id", Link("consult"), mandatory=True, index=True,
              doc=f"The Consult the {record} is part of (every {record} is linked to one: L1709, L6704, L8310, "
                  "L8919)."),
        Field("animal_id", Link("animal"), index=True, doc=f"The Animal the {record} is about."),
        Field("vet_id", Link("user"), doc=f"The ID of {vet}."),
        Field("timestamp", Epoch(), default=NOW,
              doc=f"When the {record} was noted (not necessarily when the record was created)."),
    )


PRESENTING_PROBLEM = Resource(
    name="presentingproblem",
    title="PresentingProblem",
    spec_line=9660,
    endpoints={"v1": UP_TO_50},
    fields=(Field("name", Text(), index=True, doc='The name of the PresentingProblem, e.g. "Seizures".'),),
)

PRESENTING_PROBLEM_LINK = Resource(
    name="presentingproblemlink",
    title="PresentingProblemLink",
    spec_line=9724,
    rules=("presenting_problem_link_names_a_consult",),
    endpoints={"v1": UP_TO_50},
    fields=(
        Field("presenting_problem_id", Link("presentingproblem"), mandatory=True, index=True,
              doc="The PresentingProblem linked to the Consult."),
        Field("consult_id", Link("consult"), index=True, doc="The Consult the PresentingProblem is linked to."),
    ),
)

CONSULT = Resource(
    name="consult",
    title="Consult",
    spec_line=3050,
    rules=("consult_has_a_code", "consult_referrer_is_a_vet"),
    # DELETE answers no items (L3377)
    endpoints={"v1": Endpoint(READ_WRITE, delete_answers="none")},
    fields=(
        Field("ownership_id", Link("separation"), doc="The ownership Separation the Consult belongs to."),
        Field("code", Text(), create=False, update=False, index=True,
              doc="The Consult's code, given by the clinic when it is created (e.g. 300233)."),
        Field("date", Epoch(), mandatory=True, index=True, doc="When the consultation took place."),
        Field("animal_id", Link("animal"), mandatory=True, index=True, doc="The Animal the Consult is for."),
        Field("vet_id", Link("user"), index=True, doc="The User who owns the case (the case owner)."),
        Field("description", Text(4000), doc="The Consult's general description."),
        Field("referring_vet_contact_id", Link("contact"),
              doc="The referring vet: a Contact marked as a vet (is_vet)."),
        Field("referring_clinic_id", Link("contact"), doc="The referring clinic (a Contact)."),
        Field("presenting_problem_link_list", Children("presentingproblemlink", via="consult_id", embed=()),
              filter=False,
              doc="The Consult's PresentingProblemLinks: objects with presenting_problem_id on write (a PATCH "
                  "list is the new set; {\"id\": n} keeps a link), ids on read."),
    ),
)

HISTORY = Resource(
    name="history",
    title="History",
    spec_line=6704,
    rules=(OF_CONSULT, BY_A_VET),
    endpoints={"v1": LOOKUP},
    fields=(
        *consult_fields("History"),
        Field("history_system", Integer(), doc="The ID of the HistorySystem."),
        Field("chain", Text(), doc="The chain of HistorySystem items thus far."),
        Field("comments", Text(65535), doc="Comments for the History record."),
    ),
)

ASSESSMENT = Resource(
    name="assessment",
    title="Assessment",
    spec_line=1707,
    rules=(OF_CONSULT, BY_A_VET),
    endpoints={"v1": LOOKUP},
    fields=(*consult_fields("Assessment"), Field("notes", Text(65535), doc="Notes about the Assessment.")),
)

PLAN = Resource(
    name="plan",
    title="Plan",
    spec_line=8917,
    rules=(OF_CONSULT, BY_A_VET),
    endpoints={"v1": LOOKUP},
    fields=(*consult_fields("Plan"), Field("notes", Text(65535), doc="The plan of action.")),
)

PHYSICAL_EXAM = Resource(
    name="physicalexam",
    title="PhysicalExam",
    spec_line=8660,
    rules=(OF_CONSULT, BY_A_VET, "physical_exam_chain", "physical_exam_follows_an_earlier_exam"),
    endpoints={"v1": Endpoint(("list", "get", "create", "update"))},
    fields=(
        Field("consult_id", Link("consult"), mandatory=True, index=True,
              doc="The Consult the PhysicalExam is part of."),
        Field("animal_id", Link("animal"), mandatory=True, index=True, doc="The Animal examined."),
        Field("vet_id", Link("user"), mandatory=True, doc="The User (a vet) who examined the Animal."),
        Field("ownership_id", Link("separation"), filter=False,
              doc="The ownership Separation the PhysicalExam belongs to."),
        Field("body_system", Integer(), default=0, doc="The ID of the BodySystem examined (0: none)."),
        Field("chain", Text(), create=False, update=False,
              doc='The chain of BodySystem items thus far, e.g. "|1|" (worked out from body_system).'),
        Field("comments", Text(65535), doc="Comments for the PhysicalExam record."),
        Field("timestamp", Epoch(), default=NOW, doc="When the PhysicalExam was noted."),
        Field("historical_record_id", LinkOrZero("physicalexam"),
              doc="The previous PhysicalExam of the same animal this one follows; 0: none (L8810)."),
    ),
)

MEASURE = Number(4)
SCORE = Number(1)
HEALTH_STATUS = Resource(
    name="healthstatus",
    title="HealthStatus",
    spec_line=6171,
    rules=(OF_CONSULT, "health_status_needs_active_consult_and_animal"),
    endpoints={"v1": Endpoint(READ_WRITE, delete_answers="none")},
    fields=(
        Field("consult_id", Link("consult"), mandatory=True, index=True,
              doc="The Consult the HealthStatus relates to (an active one)."),
        Field("animal_id", Link("animal"), index=True,
              doc="The Animal the HealthStatus relates to (an active one; the consult's when not given)."),
        Field("timestamp", Epoch(), default=NOW, doc="When the HealthStatus was taken."),
        Field("notes", Text(65535), doc="HealthStatus notes."),
        Field("blood_pressure", MEASURE, doc="Blood pressure."),
        Field("weight", MEASURE, doc="Weight, in weight_unit."),
        Field("weight_unit", Choice("kg", "lb", "g"), default="lb", doc="The unit of the weight: kg, lb or g."),
        Field("temperature", MEASURE, doc="Temperature (°C)."),
        Field("heart_rate", MEASURE, doc="Heart rate (bpm)."),
        Field("respiratory_rate", MEASURE, doc="Respiratory rate (bpm)."),
        Field("bcs", SCORE, doc="Body condition score."),
        Field("max_bcs", Integer(), default=9, doc="Body condition score (max)."),
        Field("pain_score", SCORE, doc="Pain score."),
        Field("max_pain_score", Integer(), default=5, doc="Pain score (max)."),
        Field("dental_score", SCORE, doc="Dental score."),
        Field("max_dental_score", Integer(), default=4, doc="Dental score (max)."),
        Field("crt", Choice("<1 sec", "1-2 sec", ">2 sec"), doc="Capillary refill time."),
        Field("mm", Choice("Blue", "Grey", "White", "Pale", "Yellow", "Pigmented", "Tacky", "Pale Pink", "Pink",
                           "Injected", "Red"), doc="Mucous membrane."),
        Field("attitude", Choice("BAR", "QAR", "Comatose", "Sleeping", "Vocalising", "Sedate"), doc="Attitude."),
        Field("left_ovary_size", MEASURE, doc="The size of the left ovary."),
        Field("left_ovary_stage", Choice("CL", "CH", "ANOV"), doc="The stage of the left ovary."),
        Field("right_ovary_size", MEASURE, doc="The size of the right ovary (L6286 says 'attitude': a typo)."),
        Field("right_ovary_stage", Choice("CL", "CH", "ANOV"), doc="The stage of the right ovary."),
        Field("uterine_tone", MEASURE, doc="Uterine tone."),
        Field("uterine_edema", MEASURE, doc="Uterine edema."),
        Field("uterine_fluid", Choice("Positive", "Negative"), doc="Uterine fluid."),
        Field("uterine_cyst", Choice("Body", "Left Horn", "Right Horn", "Negative"),
              doc="Uterine cyst (typed num in the document, but its values are words: L6290)."),
        Field("uterine_cytology", MEASURE, doc="Uterine cytology."),
        Field("cervix_tone", MEASURE, doc="Cervix tone."),
        Field("cervix_cytology", MEASURE, doc="Cervix cytology."),
        Field("pregnant", Choice("Yes", "No"), doc="Whether the Animal is pregnant."),
        Field("pulse_quality", Choice("Bounding", "Normal", "Fair", "Difficult To Palpate", "Weak",
                                      "No Pulse Detected", "Dropped Pulse"), doc="Pulse quality."),
        Field("respiratory_effort", Choice("Normal", "Laboured Breathing", "Shallow"), doc="Respiratory effort."),
    ),
)

THERAPEUTIC = Resource(
    name="therapeutic",
    title="Therapeutic",
    spec_line=13407,
    endpoints={"v1": LOOKUP},
    fields=(
        Field("name", Text(), index=True, doc='The name of the Therapeutic (procedure), e.g. "Arthroscopy".'),
        Field("default_template_id", Integer(), default=0, doc="The Template linked to the Therapeutic (0: none)."),
        Field("department_ids", LinkList("separation"), default=(),
              doc="The departments the Therapeutic is enabled for; empty: every department."),
    ),
)

SURGICAL_PROCEDURE = Resource(
    name="operation",
    title="Operation",
    spec_line=8312,
    rules=(OF_CONSULT, BY_A_VET),
    endpoints={"v1": LOOKUP},
    fields=(
        *consult_fields("Operation"),
        Field("therapeutic_id", Link("therapeutic"), doc="The Therapeutic performed in the Operation."),
        Field("specifics", Text(65535), doc="Specifics/notes about the Operation."),
        Field("outcome", Text(65535), doc="Notes about the result of the Operation."),
    ),
)

VACCINATION = Resource(
    name="vaccination",
    title="Vaccination",
    spec_line=13620,
    rules=(OF_CONSULT, "vaccinated_by_a_vet"),
    endpoints={"v1": Endpoint(("list", "get", "create", Operation("update", "{id}")))},
    fields=(
        Field("vet_id", Link("user"), mandatory=True, doc="The User (a vet) who vaccinated."),
        Field("animal_id", Link("animal"), mandatory=True, index=True, doc="The Animal vaccinated."),
        Field("consult_id", Link("consult"), index=True,
              doc="The Consult of the Vaccination (optional; when given, a consult of the same animal)."),
        Field("product_id", Link("product"), mandatory=True, index=True, doc="The vaccine Product used."),
        Field("qty", Number(4), default=1, doc="The product units administered."),
        Field("description", Text(4000), doc="Description of the Vaccination."),
        Field("notes", Text(65535), doc="Notes for the Vaccination."),
        Field("date_of_administration", Epoch(), default=NOW, doc="When the vaccine was administered."),
        Field("batch_id", Integer(), default=0, doc="The Batch of the product (0: none)."),
        Field("date_of_next_administration", Epoch(), default=0,
              doc="When the vaccine is next due (0: not set)."),
        Field("sales_resource_id", Link("resource"), create=False, update=False,
              doc="The Resource the Vaccination is sold by: the vaccinating vet's calendar Resource."),
    ),
)

PRESCRIPTION_ITEM = Resource(
    name="prescriptionitem",
    title="PrescriptionItem",
    spec_line=9384,
    rules=("prescription_item_defaults_from_its_prescription",),
    endpoints={"v1": Endpoint(("list", "get", "create", Operation("update", "{id}"), Operation("delete", "{id}",
                                                                                             answers="none")))},
    fields=(
        Field("prescription_id", Link("prescription"), mandatory=True, index=True,
              versions=("v1",), doc="The Prescription the item belongs to."),
        Field("product_id", Link("product"), mandatory=True, doc="The Product prescribed."),
        Field("product_uid", UidRef("product", via="product_id"), filter=False, create=False, update=False,
              versions=("v2",), doc="The uid of the Product prescribed."),
        Field("qty", Number(4, above=0), mandatory=True, wire={"v2": "quantity"}, doc="The amount prescribed."),
        Field("remaining", Number(4, minimum=0), mandatory=True,
              doc="How many refills (dispenses) are still allowed (L5779; L9447 says 'amount')."),
        Field("instructions", Text(4000), doc="How to use the medication."),
        Field("date_start", Epoch(), mandatory=True, wire={"v2": "start_date"},
              doc="When the medication must start being taken."),
        Field("serial_number", Text(), versions=("v1",), doc="The serial number of the item."),
    ),
)

PRESCRIPTION = Resource(
    name="prescription",
    title="Prescription",
    spec_line=8989,
    rules=(OF_CONSULT, "prescription_is_for_the_animals_owner"),
    endpoints={
        "v1": Endpoint(("list", "get", "create", Operation("update", "{id}"), Operation("delete", "{id}",
                                                                                         answers="none")),
                       filters={"prescribing_vet_user": ("prescribing_vet_user_id", "eq")}),
        "v2": Endpoint(("list", "get"), filters={"prescribing_vet_user": ("prescribing_vet_user_id", "eq")}),
    },
    fields=(
        Field("uid", Uid("prescription"), create=False, update=False, versions=("v2",), index=True,
              doc="Identifies the Prescription across all ezyVet sites."),
        Field("animal_id", Link("animal"), mandatory=True, index=True, required_on_update=True,
              doc="The Animal the Prescription is for."),
        Field("animal_uid", UidRef("animal", via="animal_id"), create=False, update=False, versions=("v2",),
              doc="The uid of the Animal the Prescription is for."),
        Field("consult_id", Link("consult"), index=True, doc="The Consult the Prescription is part of."),
        Field("contact_id", Link("contact"), versions=("v1",),
              doc="The Animal's owner (the Animal's Contact when not given)."),
        Field("prescribing_vet_user_id", Link("user"), mandatory=True, required_on_update=True,
              doc="The User prescribing the medication."),
        Field("prescribing_vet_user_uid", UidRef("user", via="prescribing_vet_user_id"), create=False,
              update=False, versions=("v2",), doc="The uid of the User prescribing the medication."),
        Field("date_of_prescription", Epoch(), default=NOW, doc="When the Prescription was issued."),
        Field("sales_resource_id", Link("resource"), create=False, update=False, versions=("v2",),
              doc="The Resource the Prescription is sold by: the prescribing vet's calendar Resource."),
        # items written in the list may leave out remaining (0) and date_start (the prescription's date),
        # as the document's own Prescription sample does (L9075)
        Field("prescription_item_list", Children("prescriptionitem", via="prescription_id",
                                                 optional=("remaining", "date_start")), filter=False,
              doc="The Prescription's items: objects on write (a PATCH list is the new set), ids on v1 "
                  "reads, objects on v2 reads."),
    ),
)

EXTERNAL_PRESCRIPTION_ITEM = Resource(
    name="externalprescriptionitem",
    title="ExternalPrescriptionItem",
    spec_line=5740,
    rules=("external_prescription_item_is_prescribed",),
    endpoints={},  # written only through its External prescription
    fields=(
        Field("external_prescription_id", Link("externalprescription"), index=True,
              doc="The External prescription the line belongs to."),
        Field("external_product_name", Text(), mandatory=True,
              doc="The name of the product prescribed; creates or renames the Product with this reference."),
        Field("external_product_reference", Text(), mandatory=True,
              doc="The pharmacy's reference of the product: ezyVet finds the Product by it."),
        Field("external_link", Text(2000), doc="A link to the line on the pharmacy's system."),
        Field("instructions", Text(4000), doc="The instructions, shown on the medication."),
        Field("price", Number(4, minimum=0), mandatory=True,
              doc="The price of the line (bills nothing in the clinic)."),
        Field("qty", Number(4, above=0), mandatory=True, doc="The quantity prescribed."),
        Field("remaining", Number(4, minimum=0), default=0, doc="How many refills remain."),
        Field("product_id", Link("product"), create=False, update=False, doc="The Product the line names."),
        Field("prescription_item_id", Link("prescriptionitem"), create=False, update=False,
              doc="The PrescriptionItem the line is."),
    ),
)

EXTERNAL_PRESCRIPTION = Resource(
    name="externalprescription",
    title="ExternalPrescription",
    spec_line=5683,
    rules=("external_prescription_is_for_the_animal", "external_prescription_belongs_to_its_partner"),
    endpoints={"v1": Endpoint((
        # answered with a message naming prescription_uid, not with items (L5720); PATCH and DELETE name
        # the record by prescription_uid in the body (L5797, L5895)
        Operation("create", answers="messages", address="prescription_uid"),
        Operation("update", address="prescription_uid", answers="messages"),
        Operation("delete", address="prescription_uid", answers="messages", parses="json"),
    ))},
    fields=(
        Field("prescription_uid", Text(64), create=False, update=False, index=True,
              doc="The uid of the Prescription this External prescription is (PATCH and DELETE name it)."),
        Field("prescription_id", Link("prescription"), create=False, update=False,
              doc="The Prescription this External prescription is."),
        Field("animal_id", Link("animal"), mandatory=True, required_on_update=True,
              doc="The Animal prescribed for."),
        Field("consult_id", Link("consult"), doc="The Consult; it must be a consult of the animal."),
        Field("contact_id", Link("contact"), doc="The Contact; it must be the animal's owner."),
        Field("prescribing_vet_user_id", Link("user"), mandatory=True, required_on_update=True,
              doc="The prescribing User; must be a vet."),
        Field("date_of_prescription", Epoch(), mandatory=True, required_on_update=True,
              doc="When the prescription was made."),
        Field("date_of_lastdispense", Epoch(), required_on_update=True,
              doc="When the prescription was last dispensed (mandatory on PATCH, L5829)."),
        Field("external_reference", Text(), mandatory=True, required_on_update=True,
              doc="The pharmacy's reference for the prescription."),
        Field("total_price", Number(4, minimum=0), mandatory=True, required_on_update=True,
              doc="The total price (bills nothing in the clinic)."),
        Field("external_prescription_item_list", Children("externalprescriptionitem",
                                                          via="external_prescription_id", embed=()),
              mandatory=True, required_on_update=True, filter=False,
              doc="The prescribed lines; sent with every PATCH (L5866), whose list is the new set of lines."),
        Field("written_by_partner", Text(64), default=PARTNER, create=False, update=False, versions=(),
              doc="The partner (third party) whose credentials created it: only it may change it (L5890)."),
        Field("written_by_credential", Integer(), default=CALLER, create=False, update=False, versions=(),
              doc="The credentials that created it."),
    ),
)

RESOURCES = (PRESENTING_PROBLEM, PRESENTING_PROBLEM_LINK, CONSULT, HISTORY, ASSESSMENT, PLAN, PHYSICAL_EXAM,
             HEALTH_STATUS, THERAPEUTIC, SURGICAL_PROCEDURE, VACCINATION, PRESCRIPTION_ITEM, PRESCRIPTION,
             EXTERNAL_PRESCRIPTION_ITEM, EXTERNAL_PRESCRIPTION)
