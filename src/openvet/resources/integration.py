"""Integration: webhooks, the events they subscribe to, the log of their deliveries, and the job queue.

A WebHook (L13909) subscribes a ``webhook_url`` to one event, ``<endpoint>_<event>`` (L13903); WebHookEvents
lists every event the registry declares. Each attempt to deliver an event is kept as a WebHookAttempt, and a
WebHookReplay sends an attempt's event again: both are openvet's own, beyond the document (extensions).
Delivery itself (the outbox, retries, signatures) lives in ``openvet.events``.

A JobQueue job (L8040) is an API request kept to be run later: ``data`` names the method (POST or PATCH), the
endpoint (``api/v2/<endpoint>``) and the body. The job runner in ``openvet.events`` runs it through the engine
with the scopes of the token that queued it; its rules are in ``openvet.services.jobs``.
"""

from openvet.resources.declaration import Endpoint, Operation, Resource
from openvet.resources.fields import (
    CALLER,
    PARTNER,
    Boolean,
    Choice,
    Epoch,
    EventName,
    Field,
    Integer,
    JsonObject,
    Link,
    Text,
    TextList,
    WebAddress,
)

URL_DOC = ("The WebHook URL: where a fired event's data is POSTed. Its query parameters are sent with every "
           "delivery, for crude authentication (L13983). http or https; a loopback, link-local or private "
           "address is refused unless the server allows it (OPENVET_WEBHOOK_PRIVATE_TARGETS=allow).")

WEBHOOK = Resource(
    name="webhooks",
    title="WebHook",
    spec_line=13909,
    rules=("webhook_subscribes_to_a_known_event", "webhook_url_is_a_public_http_url", "webhook_gets_a_secret"),
    # Every WebHooks sample is typed JSON though on v1 (L13947); DELETE answers the record, inactive (L14169).
    endpoints={"v1": Endpoint(("list", Operation("get", "{id}", extension=True), "create", "update", "delete"),
                              typed=True, delete_answers="items")},
    fields=(
        Field("webhook_url", WebAddress(2048), mandatory=True, filter=False, doc=URL_DOC),
        Field("event", EventName(96), mandatory=True,
              doc="The subscribed event, <endpoint>_<event> as /v1/webhookevents lists them, e.g. "
                  "appointment_created (L13984)."),
        Field("fields", TextList(), default=(), filter=False,
              doc="The fields the pushed record keeps, dotted for nested values (appointment.created_at); empty: "
                  "every field (L14051)."),
        Field("secret", Text(64), create=False, update=False, filter=False, store=False,
              doc="openvet: the key that signs every delivery (Standard Webhooks, docs/webhooks.md), whsec_… . "
                  "Shown once, in the answer to the create; null on every other read."),
        Field("secret_seed", Text(64), create=False, update=False, filter=False, versions=(),
              doc="What the secret is worked out from, with the installation's webhook key; never on the wire."),
    ),
)

WEBHOOK_EVENTS = Resource(
    name="webhookevents",
    title="WebHookEvents",
    spec_line=13855,
    system=False,
    events=(),
    listed_by="webhook_events",
    item_value="webhookevents",
    endpoints={"v1": Endpoint(("list",), typed=True)},
    fields=(Field("webhookevents", TextList(max_items=100000), filter=False, create=False, update=False,
                  doc="Every event a WebHook may subscribe to: <endpoint>_<event> of every resource (L13903)."),),
)

READ_ONLY = {"create": False, "update": False}

WEBHOOK_ATTEMPT = Resource(
    name="webhookattempt",
    title="WebHookAttempt",
    events=(),  # written by the dispatcher, about deliveries: no event of its own (nothing to loop on)
    endpoints={"v1": Endpoint(("list", "get"), typed=True, extension=True)},
    fields=(
        Field("webhook_id", Link("webhooks"), index=True, **READ_ONLY, doc="The WebHook the event was sent to."),
        Field("event", Text(96), **READ_ONLY, doc="The event sent, e.g. animal_created."),
        Field("event_id", Integer(), index=True, **READ_ONLY,
              doc="The event's id (the same for every attempt and replay of one event)."),
        Field("record_id", Integer(), **READ_ONLY, doc="The ID of the record the event is about."),
        Field("attempt", Integer(), filter=False, **READ_ONLY,
              doc="1, 2 or 3: which attempt of this delivery (a replay starts again at 1)."),
        Field("replay_id", Link("webhookreplay"), **READ_ONLY,
              doc="The WebHookReplay that asked for it; null if none."),
        Field("url", Text(2048), filter=False, **READ_ONLY, doc="Where the request went (the webhook_url then)."),
        Field("request_headers", JsonObject(), filter=False, **READ_ONLY,
              doc="The request's headers (webhook-id, webhook-timestamp, webhook-signature, content-type…)."),
        Field("request_body", Text(1048576), filter=False, **READ_ONLY, doc="The JSON body sent."),
        Field("response_status", Integer(), **READ_ONLY, doc="The receiver's HTTP status; null when none came."),
        Field("response_body", Text(2048), filter=False, **READ_ONLY,
              doc="The first 2 KiB of the receiver's answer."),
        Field("error", Text(1024), filter=False, **READ_ONLY,
              doc="Why the attempt failed (a status that is not 2xx, a timeout, a refused address); null if it "
                  "was delivered."),
        Field("delivered", Boolean(), **READ_ONLY, doc="Whether the receiver answered 2xx."),
        Field("attempted_at", Epoch(), **READ_ONLY, doc="When the request was sent."),
        Field("duration_ms", Integer(), filter=False, **READ_ONLY, doc="How long the receiver took to answer."),
    ),
)

WEBHOOK_REPLAY = Resource(
    name="webhookreplay",
    title="WebHookReplay",
    rules=("replay_sends_an_attempts_event_again",),
    # its created event reaches the dispatcher through the outbox, like every change: a replay asked for is
    # sent even if the server dies right after answering
    endpoints={"v1": Endpoint(("list", "get", "create"), typed=True, extension=True)},
    fields=(
        Field("attempt_id", Link("webhookattempt"), mandatory=True, update=False,
              doc="The WebHookAttempt whose event is sent again, to the same WebHook (as it is now)."),
        Field("webhook_id", Link("webhooks"), index=True, **READ_ONLY, doc="The WebHook the event is sent to."),
        Field("event_id", Integer(), **READ_ONLY, doc="The event sent again."),
    ),
)

class DataConfig(JsonObject):
    """A job's ``data`` (L8219, L8226-L8228): a JSON object whose schema names each endpoint a job can write to,
    with the methods it takes (worked out from the registry when the document is built;
    ``services.jobs.data_schema``). The server's checks are the rule ``job_is_an_api_request_openvet_serves``."""

    @property
    def shape(self) -> dict:
        from openvet.resources import REGISTRY
        from openvet.services.jobs import data_schema

        return data_schema(REGISTRY)

    def across(self) -> list[dict]:
        """What ``data`` asks of the job's other fields (``allOf`` items of the job's body): a PATCH that names
        no record in data needs a type_id; a ``type`` names data's endpoint."""
        from openvet.resources import REGISTRY
        from openvet.services.jobs import job_schema

        return job_schema(REGISTRY)


JOB_STATUSES = ("Pending", "Queued", "Processing", "Error", "Completed")  # L8119
HIDDEN = {"create": False, "update": False, "filter": False, "versions": ()}  # the runner's own, never on the wire

JOB_QUEUE = Resource(
    name="jobqueue",
    title="JobQueue",
    spec_line=8040,
    rules=("job_is_an_api_request_openvet_serves",),
    # jobqueue_created when queued; jobqueue_updated when it ends, Completed or Error (the steps between are
    # the runner's bookkeeping and fire nothing)
    events=("created", "updated"),
    # list and create as the document says (L8040); GET /v2/jobqueue/{id} is an extension, to poll one job
    endpoints={"v2": Endpoint(("list", Operation("get", "{id}", extension=True), "create"), page_limit=10)},
    fields=(
        Field("type", Text(64), doc="The endpoint type to hit: the title of the endpoint's resource, e.g. "
                                    "ReceiveInvoice (L8216). Left out: taken from data.endpoint."),
        Field("type_id", Integer(), default=0,
              doc="The id of the record the job is for (L8217). A PATCH whose endpoint and body name no record "
                  "writes this one."),
        Field("action", Choice("ApiRequest"), default="ApiRequest",
              doc="The type of action to perform: ApiRequest, the only one the document names (L8218)."),
        Field("status", Choice(*JOB_STATUSES), default="Pending", create=False, update=False, index=True,
              doc="Pending (waiting for a worker), Queued (taken by one), Processing (being run), then Completed "
                  "or Error (L8119)."),
        Field("data", DataConfig(), mandatory=True, filter=False,
              doc="The request to run (L8219, L8226-L8228): method (POST or PATCH), endpoint (api/v2/<endpoint>, or "
                  "api/v2/<endpoint>/<id> for a PATCH) and body (a JSON object, as the endpoint takes it)."),
        Field("error", Text(4096), create=False, update=False, filter=False,
              doc="Why the job ended in Error: the field and reason an immediate request would have been "
                  "answered with; null otherwise."),
        Field("record_id", Integer(), create=False, update=False,
              doc="openvet: the id of the record a Completed job created or updated; null until then."),
        Field("scopes", Text(16384), **HIDDEN,
              doc="The scopes of the token that queued the job: the job runs with these and no others."),
        Field("credential_id", Integer(), default=CALLER, **HIDDEN, doc="The credentials that queued the job."),
        Field("partner_id", Text(64), default=PARTNER, **HIDDEN, doc="The partner whose credentials queued it."),
        Field("claim", Text(32), **HIDDEN, doc="The runner that took the job (its lease's name)."),
        Field("claimed_until", Integer(), **HIDDEN, doc="When the runner's lease ends: another may take it then."),
    ),
)

RESOURCES = (WEBHOOK, WEBHOOK_EVENTS, WEBHOOK_ATTEMPT, WEBHOOK_REPLAY, JOB_QUEUE)
