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
from typing import Any

from openvet.services.changes import Change, computed, rule

LINK_LIFETIME = 86_400  # "The download link is set to expire after one day" (L6011)
TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,127}")


def clean_name(name: str | None) -> str:
    """The file name to show: the last part of what the client sent, without control characters or
    separators (it is only ever shown, never used as a path)."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C")
    return name.strip()[:255] or "file"


def clean_type(content_type: str | None, name: str | None) -> str:
    """The media type: the client's, when it is a well-formed type; else guessed from the name."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if TYPE.fullmatch(kind) and kind != "application/octet-stream":
        return kind
    guessed = mimetypes.guess_type(clean_name(name))[0]
    return guessed or "application/octet-stream"


def signature(key: bytes, endpoint: str, record_id: int, clinic_id: int, expires: int) -> str:
    message = f"{endpoint}:{record_id}:{clinic_id}:{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def download_link(view: Any, endpoint: str, record: dict[str, Any]) -> str | None:
    if view is None or not view.signing_key or record.get("id") is None:
        return None
    expires = view.now + LINK_LIFETIME
    clinic_id = record["clinic_id"]
    mark = signature(view.signing_key, endpoint, record["id"], clinic_id, expires)
    return (f"{view.base_url}/v1/{endpoint}/download/{record['id']}?clinic={clinic_id}&expires={expires}"
            f"&signature={mark}")


def check_link(key: bytes, endpoint: str, record_id: int, params: dict[str, str], now: float) -> int | None:
    """The clinic a signed download link was made for, if it is genuine and not expired; else None."""
    clinic, expires, mark = params.get("clinic", ""), params.get("expires", ""), params.get("signature", "")
    if set(params) - {"clinic", "expires", "signature"}:
        return None
    if not (re.fullmatch(r"[0-9]{1,19}", clinic) and re.fullmatch(r"[0-9]{1,19}", expires)):
        return None
    if int(expires) < now:
        return None
    expected = signature(key, endpoint, record_id, int(clinic), int(expires))
    return int(clinic) if hmac.compare_digest(expected, mark) else None


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
