"""What the clinic sends and keeps: communications with clients, files, and attachments of files to records.

A File is uploaded as multipart/form-data (``file_data``) and kept by content under the data directory; an
Attachment links a File to a Consult, an Animal, a Contact… (``record_type``/``record_id``), uploading the
file itself or naming an existing ``file_id``. Both answer a signed ``file_download_url`` that expires after
one day (L6011); ``GET /v1/attachment/download/{id}`` streams the bytes (L2031).
"""

from openvet.resources.declaration import Endpoint, Operation, Resource
from openvet.resources.fields import (
    Boolean,
    Choice,
    Computed,
    Epoch,
    Field,
    FileData,
    Integer,
    JsonObject,
    Link,
    Text,
    TypedLink,
    TypeName,
)

# The records a communication or an attachment may be about ("Contact", "Animal", "Consult" and "a few other
# types of records", L1780, L2600)
ABOUT = ("Contact", "Animal", "Consult", "Appointment", "DiagnosticRequest", "DiagnosticResult", "HealthStatus",
         "Prescription", "Vaccination", "PhysicalExam", "Communication")
# Communication names them in lower case ("contact", L2601). Its v1 answers are typed, and typed answers take
# a value's typed (v2) form: the spelling is declared for both forms.
LOWER_CASE = {"v1": str.lower, "v2": str.lower}

COMMUNICATION = Resource(
    name="communication",
    title="Communication",
    spec_line=2568,
    rules=("communication_is_sent_as_a_user", "communication_reaches_its_destination"),
    # Every Communication sample is typed JSON though on v1 (L2580); the DELETE sample answers the record
    # (L2960).
    endpoints={"v1": Endpoint(("list", "get", "create", "update", "delete"), typed=True, delete_answers="items")},
    fields=(
        Field("associated_type", TypeName(*ABOUT, spell=LOWER_CASE), mandatory=True,
              doc='The kind of record the Communication is directed at: "Contact", "Animal", "Consult"…'),
        Field("associated_id", TypedLink("associated_type"), mandatory=True, index=True,
              doc="The record the Communication is directed at."),
        Field("contact_detail_type_id", Link("contactdetailtype"), mandatory=True,
              doc="The ContactDetailType used to send it; it says what the destination looks like."),
        Field("destination", Text(), mandatory=True, doc="Where the Communication went (a number, an address)."),
        Field("origin", Text(), doc="Where the Communication came from."),
        Field("direction", Choice("Outgoing", "Incoming"), mandatory=True, doc="Outgoing or Incoming."),
        Field("user_resource", Link("resource"), mandatory=True, read=False, filter=False,
              doc="Write-only: the calendar Resource of the User the Communication is sent as."),
        Field("sent_as_user", Link("user", expand=("v1",)), create=False, update=False,
              doc="The User the Communication is sent on behalf of (the User of user_resource), in full."),
        Field("content", Text(65535), mandatory=True, doc="The message."),
        Field("content_format", Choice("SMS", "PlainText", "HTML"), mandatory=True,
              doc="The format of the content: SMS, PlainText or HTML."),
        Field("status", Choice("Pending", "Done", "Sending", "Failed"), mandatory=True,
              doc="Pending (waits for a user to action it), Done (sent), Sending (sends once generated) or "
                  "Failed (met an error)."),
        Field("subject", Text(), default="", doc="The subject of the Communication."),
        Field("communicating_type", TypeName(*ABOUT, spell=LOWER_CASE), update=False,
              doc="The kind of record the Communication is about (the associated record when not given)."),
        Field("communicating_id", TypedLink("communicating_type"), update=False, index=True,
              doc="The record the Communication is about."),
        Field("template", JsonObject(), create=False, filter=False,
              doc="The template the content was made from, as an object; null when none."),
        Field("read_at", Epoch(), create=False,
              doc="When the Communication was read (email and SMS only); null until then."),
    ),
)

FILE = Resource(
    name="file",
    title="File",
    spec_line=5950,
    rules=("file_keeps_its_upload",),
    endpoints={"v1": Endpoint((
        "list", "get",
        Operation("create", parses="multipart"),
        # not in the document, whose File links point elsewhere (L6011): openvet's own signed download
        Operation("download", "download/{id}", answers="binary", extension=True),
    ))},
    fields=(
        Field("name", Text(), create=False, update=False, index=True, doc="The file's name, as it was uploaded."),
        Field("size", Integer(), create=False, update=False, doc="The file's size in bytes."),
        Field("mime_type", Text(128), create=False, update=False, doc="The file's media type, e.g. image/png."),
        Field("notes", Text(4000), doc="Notes about the File."),
        Field("file_download_url", Computed("file_download_url"), filter=False, create=False, update=False,
              doc="A signed link that downloads the file; it expires after one day (L6011)."),
        Field("file_data", FileData(), mandatory=True, read=False, store=False, filter=False, update=False,
              doc="Write-only: the file's bytes, as a multipart/form-data part."),
        Field("content_key", Text(64), create=False, update=False, versions=(), filter=False,
              doc="Where the bytes are kept: their SHA-256 (never a name a client sent)."),
    ),
)

ATTACHMENT = Resource(
    name="attachment",
    title="Attachment",
    spec_line=1777,
    rules=("attachment_has_a_file",),
    endpoints={"v1": Endpoint((
        "list", "get",
        Operation("create", parses="multipart"),
        Operation("update", "{id}"), Operation("update", "", address="matching"),
        Operation("delete", "{id}", answers="none"), Operation("delete", "", address="matching", answers="none"),
        # the attachment's id is in the path (L2031; the samples' ids match no record: L1885-L1890)
        Operation("download", "download/{id}", answers="binary"),
    ))},
    fields=(
        Field("file_id", Link("file"), update=False, index=True,
              doc="The File attached (instead of file_data: an existing File)."),
        Field("file_download_url", Computed("attachment_download_url"), filter=False, create=False, update=False,
              doc="A signed link that downloads the file; it expires after one day."),
        Field("record_type", TypeName(*ABOUT), mandatory=True,
              doc="The kind of record the Attachment is for: Animal, Contact, Consult…"),
        Field("record_id", TypedLink("record_type"), mandatory=True, index=True,
              doc="The record the Attachment is for."),
        Field("mime_type", Text(128), create=False, update=False, doc="The media type of the file."),
        Field("name", Text(), create=False, update=False, doc="The file's name."),
        Field("primary_image", Boolean(), default=False, doc="If true, the primary image of its record."),
        Field("notes", Text(4000), doc="Notes about the Attachment."),
        Field("file_data", FileData(), read=False, store=False, filter=False, update=False,
              doc="Write-only: the file's bytes, as a multipart/form-data part (or send file_id)."),
    ),
)

RESOURCES = (COMMUNICATION, FILE, ATTACHMENT)
