"""The calendar: appointments, their types and statuses, the resources they book, shelter bookings.

One Appointment record answers both versions: v1 (list only) nests most of it under ``details`` and
names times ``start_time``; v2 is flat and typed, books a list of ``resources`` plus a ``sales_resource``
(L1184), and cancels with ``cancel`` + a reason while keeping the record (L1408). The ezyVet "Resource"
is a calendar resource (a vet, a room), declared here as ``CALENDAR_RESOURCE``.
"""

from openvet.resources.declaration import Endpoint, Operation, Resource
from openvet.resources.fields import (
    Boolean,
    Choice,
    Epoch,
    Field,
    Integer,
    Link,
    LinkList,
    Text,
    Uid,
    UidRef,
)

LOOKUP = Endpoint(("list", "get"))
WEEK = 7 * 86_400

APPOINTMENT_STATUS = Resource(
    name="appointmentstatus",
    title="AppointmentStatus",
    spec_line=1507,
    endpoints={"v1": LOOKUP},
    fields=(
        Field("name", Text(), index=True, doc='The name of the AppointmentStatus, e.g. "In Waiting Room".'),
        Field("cancelled", Boolean(), default=False, versions=(), filter=False,
              doc="If true, an appointment cancelled with `cancel` takes this status (not on the ezyVet wire)."),
    ),
)

APPOINTMENT_TYPE = Resource(
    name="appointmenttype",
    title="AppointmentType",
    spec_line=1571,
    endpoints={"v1": LOOKUP, "v2": LOOKUP},
    fields=(
        Field("uid", Uid("appointmentType"), create=False, update=False, versions=("v2",), index=True,
              doc="Identifies the AppointmentType across all ezyVet sites."),
        Field("name", Text(), index=True, doc="The name of the AppointmentType, e.g. Consultation."),
        Field("default_duration", Integer(), default=30, doc="The default duration of the Appointment (minutes)."),
        Field("requires_animal", Boolean(), default=False, versions=(), filter=False,
              doc="If true, an appointment of this type must name an Animal (L1184; not on the ezyVet wire)."),
        Field("requires_contact", Boolean(), default=False, versions=(), filter=False,
              doc="If true, an appointment of this type must name a Contact (L1184; not on the ezyVet wire)."),
    ),
)

CALENDAR_RESOURCE = Resource(
    name="resource",
    title="Resource",
    spec_line=11986,
    endpoints={"v1": LOOKUP, "v2": LOOKUP},
    fields=(
        Field("uid", Uid("resource"), create=False, update=False, versions=("v2",), index=True,
              doc="Identifies the Resource across all ezyVet sites."),
        Field("name", Text(), index=True, versions=("v1", "v2"), doc='The name of the Resource, e.g. "Surgery Room".'),
        Field("type", Choice("user", "facility"), default="user", wire={"v2": "associated_type"},
              doc='What the Resource is: "user" (a person, default) or "facility" (a room, a machine).'),
        Field("associated_id", Link("user"), versions=("v2",),
              doc="The User the Resource is, when its type is user."),
        Field("associated_uid", UidRef("user", via="associated_id"), create=False, update=False,
              versions=("v2",), doc="The uid of the User the Resource is."),
        Field("access", Choice("None", "On Calendar", "Member"), default="On Calendar",
              doc='The access the Resource has: "None", "On Calendar" or "Member".'),
        Field("ownership_id", Link("separation"), doc="The ownership Separation the Resource belongs to."),
        Field("ownership_uid", UidRef("separation", via="ownership_id"), create=False, update=False,
              versions=("v2",), doc="The uid of the ownership Separation the Resource belongs to."),
    ),
)

CANCELLATION_REASON = Resource(
    name="appointmentcancellationreason",
    title="AppointmentCancellationReason",
    spec_line=1480,
    # Not in the ezyVet document, which names reasons by id without a way to list them (L1424, L1480):
    # openvet serves the clinic's list so that a client can find the ids to send.
    endpoints={"v2": Endpoint(("list", "get"), extension=True)},
    fields=(Field("name", Text(), index=True, doc='Why an appointment was cancelled, e.g. "Client cancelled".'),),
)

APPOINTMENT = Resource(
    name="appointment",
    title="Appointment",
    spec_line=1084,
    rules=("appointment_books_its_resources", "appointment_names_who_its_type_needs",
           "appointment_is_cancelled_with_a_reason"),
    endpoints={
        # v1 lists only (L1090), filtered by a time range in its sample (L1096)
        "v1": Endpoint(("list", "get"), filters={"time_range_start": ("start_at", "gte"),
                                                 "time_range_end": ("start_at", "lte")}),
        "v2": Endpoint(("list", "get", "create", Operation("update", "{id}"))),
    },
    fields=(
        Field("start_at", Epoch(), mandatory=True, index=True, wire={"v1": "start_time"},
              doc="When the Appointment starts (epoch seconds)."),
        # a second to a week: longer is a typo, not a booking
        Field("duration", Integer(minimum=1, maximum=WEEK), mandatory=True,
              doc="How long the Appointment lasts, in seconds (1 to 604800, a week)."),
        Field("type_id", Link("appointmenttype"), mandatory=True, wire={"v1": "details.appointment_type_id"},
              doc="The AppointmentType of the Appointment."),
        Field("status_id", Link("appointmentstatus"), mandatory=True, required_on_update=True,
              wire={"v1": "details.appointment_status_id"},
              doc="The AppointmentStatus of the Appointment (sent with every v2 update, L1480)."),
        Field("description", Text(4000), wire={"v1": "details.description"},
              doc="The reason for the Appointment."),
        Field("animal_id", Link("animal"), index=True, wire={"v1": "details.animal_id"},
              doc="The Animal the Appointment is for."),
        Field("consult_id", Link("consult"), index=True, wire={"v1": "details.consult_id"},
              doc="The Consult of the Appointment."),
        Field("contact_id", Link("contact"), index=True, wire={"v1": "details.contact_id"},
              doc="The Contact the Appointment is for."),
        Field("sales_resource", Link("resource"), mandatory=True, versions=("v2",),
              doc="The SalesResource of the Appointment: the Resource its work is sold by (L1184)."),
        Field("resources", LinkList("resource"), default=(), wire={"v1": "details.resource_list"},
              doc="The Resources the Appointment books; the SalesResource is always among them, first."),
        Field("cancel", Boolean(), create=False, read=False, store=False, filter=False, versions=("v2",),
              doc="Write-only: true cancels the Appointment (its status becomes the clinic's cancelled "
                  "status; the record is kept). Needs cancellation_reason or cancellation_reason_text."),
        Field("cancellation_reason", Link("appointmentcancellationreason"), create=False, versions=("v2",),
              doc="Why the Appointment was cancelled: an AppointmentCancellationReason id (0: none)."),
        Field("cancellation_reason_text", Text(1000), create=False, versions=("v2",),
              doc="Why the Appointment was cancelled, in words."),
        Field("recurrence_number", Integer(), default=0, create=False, update=False, versions=("v1",),
              doc="The number of a recurring appointment: 0 is the original (v1; v2 has no recurrence)."),
        Field("recurrence_interval", Integer(), default=0, create=False, update=False, versions=("v1",),
              doc="Weeks between recurring appointments; 0: not recurring (L1086)."),
        Field("recurrence_end_time", Epoch(), default=0, create=False, update=False, versions=("v1",),
              doc="When the recurrence ends, if the appointment recurs."),
    ),
)

SHELTER_ANIMAL_BOOKING = Resource(
    name="shelteranimalbooking",
    title="ShelterAnimalBooking",
    spec_line=12345,
    # "Only GET requests are supported currently" (L12347): one booking by id.
    endpoints={"v2": Endpoint(("get",))},
    fields=(
        Field("animal_id", Link("animal"), doc="The Animal the booking is for."),
        Field("start_time", Epoch(), doc="When the booking starts."),
        Field("end_time", Epoch(), doc="When the booking ends."),
        Field("consult_id", Link("consult"), doc="The Consult related to the booking."),
        Field("status", Text(), doc="The status of the booking."),
        Field("shelter_resource_place_id", Integer(), doc="The Shelter Resource Place the booking is under."),
        Field("contact_id", Link("contact"), doc="The Contact that owns the animal."),
        Field("shelter_resource_id", Integer(), doc="The Shelter Resource the booking is under."),
        Field("shelter_resource_name", Text(), doc="The name of that Shelter Resource."),
        Field("shelter_resource_ownership_id", Link("separation"),
              doc="The ownership Separation of that Shelter Resource."),
        Field("comment", Text(4000), doc="The comment stored on the booking."),
    ),
)

RESOURCES = (APPOINTMENT_STATUS, APPOINTMENT_TYPE, CALENDAR_RESOURCE, CANCELLATION_REASON, APPOINTMENT,
             SHELTER_ANIMAL_BOOKING)
