"""Files and attachments: what an upload is, where its bytes are, and the links that download them.

An upload's bytes are kept by content (``store/blobs.py``) before its record is written; the File record
keeps their key, size, type and the name the client gave. An Attachment links a File to any record of the
clinic (``record_type``/``record_id``); sent with ``file_data`` it makes its File first. Download links are
signed (HMAC-SHA256 with the server's key) and expire after one day (L6011): anyone holding one can fetch
the bytes, nobody can make one for another file, clinic or time.
"""

from __future__ import annotations

import hashlib
import hmac
import mimetypes
import re
import unicodedata
from typing import Any, BinaryIO
from urllib.parse import quote

from openvet.resources.fields import Upload
from openvet.services.changes import Change, computed, rule
from openvet.store.blobs import Blobs

LINK_LIFETIME = 86_400  # "The download link is set to expire after one day" (L6011)
LINK_STEP = 3_600  # links expire on whole hours
# a media type (RFC 6838 names) that fits the records' mime_type column (128 characters)
TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")
DIGITS = re.compile(r"[0-9]{1,19}")
MARK = re.compile(r"[0-9a-f]{64}")
# Python's own table of types by extension, not the host's /etc/mime.types: the same guess on every server;
# with what a clinic sends that the table lacks (radiographs, office documents)
GUESSES = mimetypes.MimeTypes()
for _kind, _extension in (
        ("application/dicom", ".dcm"), ("application/dicom", ".dicom"),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
        ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx")):
    GUESSES.add_type(_kind, _extension)
COMPRESSED = {"gzip": "application/gzip", "bzip2": "application/x-bzip2", "xz": "application/x-xz",
              "compress": "application/x-compress", "br": "application/x-brotli"}


# control and format characters (a right-to-left override that shows "exe.png" for "gnp.exe"), unassigned
# and private code points, and line and paragraph separators: no part of a name to show
UNSHOWN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def clean_name(name: str | None) -> str:
    """The file name to show: the last part of what the client sent, without control characters or
    separators (it is only ever shown, never used as a path)."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c) not in UNSHOWN).strip()
    if len(name) > 255:  # shortened, keeping the extension that says what the file is
        stem, dot, extension = name.rpartition(".")
        keep = dot + extension if stem and len(extension) <= 16 else ""
        name = (name[:255 - len(keep)].rstrip() + keep).strip()
    return name if name.strip(".") else "file"  # "", "." and ".." name nothing


def clean_type(content_type: str | None, name: str | None) -> str:
    """The media type: the client's, when it is a well-formed type; else guessed from the name."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if TYPE.fullmatch(kind) and kind != "application/octet-stream":
        return kind
    guessed, compression = GUESSES.guess_type(clean_name(name), strict=False)
    if compression:  # x.tar.gz is gzip bytes, not a tar file
        return COMPRESSED.get(compression, "application/octet-stream")
    return guessed or "application/octet-stream"


def receive(blobs: Blobs, source: BinaryIO, name: str | None, content_type: str | None, limit: int) -> Upload:
    """An uploaded part kept in the file store, as the ``Upload`` a write takes. Copying the bytes blocks:
    the caller runs this in a worker thread, never on the event loop."""
    key, size = blobs.put(source, limit)
    return Upload(clean_name(name), clean_type(content_type, name), key, size)


def content_disposition(name: str) -> str:
    """How a download names its file (RFC 6266): ``filename`` in plain ASCII for every client, and the name
    itself as ``filename*`` (UTF-8, percent-encoded) when it is anything else."""
    unaccented = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    plain = "".join(c if " " <= c <= "~" and c not in '"\\%/' else "_" for c in unaccented)
    if plain == name:
        return f'attachment; filename="{plain}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def signature(key: bytes, endpoint: str, record_id: int, clinic_id: int, expires: int) -> str:
    message = f"{endpoint}:{record_id}:{clinic_id}:{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def download_link(view: Any, endpoint: str, record: dict[str, Any]) -> str | None:
    """A signed link that expires on the first whole hour at least one day away (L6011): a day or a little
    more, and the same link for every read within the hour, so that a record read twice reads the same
    (a client comparing records to find what changed does not see every File change every second)."""
    if view is None or not view.signing_key or record.get("id") is None:
        return None
    expires = -(-(view.now + LINK_LIFETIME) // LINK_STEP) * LINK_STEP
    clinic_id = record["clinic_id"]
    mark = signature(view.signing_key, endpoint, record["id"], clinic_id, expires)
    return (f"{view.base_url}/v1/{endpoint}/download/{record['id']}?clinic={clinic_id}&expires={expires}"
            f"&signature={mark}")


def check_link(key: bytes, endpoint: str, record_id: int, params: dict[str, str], now: float) -> int | None:
    """The clinic a signed download link was made for, if it is genuine and not expired; else None."""
    clinic, expires, mark = params.get("clinic", ""), params.get("expires", ""), params.get("signature", "")
    if set(params) != {"clinic", "expires", "signature"}:
        return None
    # the shape first: compare_digest refuses (TypeError) a str that is not ASCII
    if not (DIGITS.fullmatch(clinic) and DIGITS.fullmatch(expires) and MARK.fullmatch(mark)):
        return None
    if int(expires) < now:
        return None
    expected = signature(key, endpoint, record_id, int(clinic), int(expires))
    return int(clinic) if hmac.compare_digest(expected.encode(), mark.encode()) else None


@computed
def file_download_url(record: dict[str, Any], view: Any) -> str | None:
    return download_link(view, "file", record)


@computed
def attachment_download_url(record: dict[str, Any], view: Any) -> str | None:
    return download_link(view, "attachment", record)


def stored_file(engine: Any, actor: Any, resource: Any, record: dict[str, Any]) -> dict[str, Any] | None:
    """The File whose bytes a File or an Attachment record downloads."""
    if resource.name == "file":
        return record
    if record.get("file_id") is None:
        return None
    with engine.db.connect() as conn:
        return engine.lookup(conn, actor.clinic_id, "file", record["file_id"])


@rule
def file_keeps_its_upload(change: Change) -> None:
    """A File is made from the bytes sent as ``file_data`` (multipart/form-data): its name, size and type
    are those of the upload; the bytes are kept by content, under the data directory."""
    upload = change.values.get("file_data")
    if upload is None:
        return
    change.derive("name", upload.filename)
    change.derive("size", upload.size)
    change.derive("mime_type", upload.content_type)
    change.derive("content_key", upload.key)


@rule
def attachment_has_a_file(change: Change) -> None:
    """An Attachment is made with ``file_data`` (a new File) or ``file_id`` (an existing one), not both
    (L1900); its name and type are its File's."""
    upload = change.values.get("file_data")
    file_id = change.record.get("file_id")
    if change.creating and upload is None and file_id is None:
        change.refuse("file_data", "is required: send file_data (a file) or file_id (an existing File)")
        return
    if upload is not None and change.sent("file_id") and file_id is not None:
        change.refuse("file_id", "cannot be sent with file_data: the Attachment is of one file")
        return
    if upload is not None:
        made = change.create("file", {"file_data": upload, "notes": change.record.get("notes")}, where="file_data.")
        change.derive("file_id", made)
        change.derive("name", upload.filename)
        change.derive("mime_type", upload.content_type)
    elif change.sent("file_id") and file_id is not None:
        stored = change.lookup("file", file_id)
        if stored is not None:
            change.derive("name", stored.get("name"))
            change.derive("mime_type", stored.get("mime_type"))
