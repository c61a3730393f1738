"""Files and attachments (L1777–L2055, L5950–L6089): uploads kept by content, never by a client's name; the upload
limit; attachments of a record by ``file_data`` or ``file_id``; downloads by token and by signed link.

Everything goes through the HTTP API on both databases; the streaming download and the upload limit also
through a real ``openvet serve`` over real HTTP. Tests that look at the file store itself get an app of their
own (``store``) with a fresh data directory and a small upload limit, so that "nothing was written" can be
seen on the disk.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from conftest import Clinic, make_clinic, migrated_database, running_server
from openvet.app import create_app
from openvet.config import Settings
from openvet.engine import Engine
from openvet.ezyvet.serializers import View
from openvet.services import clinics, credentials, files
from openvet.store.blobs import Blobs
from openvet.store.database import connect
from test_conformance import World

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8  # 2056 bytes, every byte value
SMALL = 4096  # the upload limit of the ``store`` apps
BOUNDARY = "openvet-test-boundary"
LINK_REFUSED = "The download link is not valid or has expired"


# helpers ------------------------------------------------------------------------------------------------


def one(response, name: str) -> dict:
    assert response.status_code == 200, response.text
    (item,) = response.json()["items"]
    return item[name]


def upload(api: Clinic, endpoint: str = "file", content: bytes = PNG, name: str = "scan of Rex.png",
           kind: str | None = "image/png", **fields) -> dict:
    """A multipart create with ``content`` as file_data; the record answered."""
    response = api.request("POST", f"/v1/{endpoint}", data={k: str(v) for k, v in fields.items()},
                           files={"file_data": (name, content, kind)})
    return one(response, endpoint)


def form(*parts: tuple[str, str | None, str | None, bytes]) -> tuple[bytes, dict[str, str]]:
    """A multipart/form-data body written by hand, as raw as a hostile client writes it: (name, filename,
    content type, bytes) per part; a None filename or type leaves that parameter or header out."""
    out = b""
    for name, filename, kind, data in parts:
        disposition = f'form-data; name="{name}"' + ("" if filename is None else f'; filename="{filename}"')
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if kind is not None:
            out += f"Content-Type: {kind}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode(), {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def post_form(api: Clinic, endpoint: str, *parts):
    body, headers = form(*parts)
    return api.request("POST", f"/v1/{endpoint}", content=body, headers=headers)


def count(api: Clinic, endpoint: str) -> int:
    response = api.get(f"/v1/{endpoint}?limit=1")
    assert response.status_code == 200, response.text
    return int(response.json()["meta"]["items_total"])


def refused(response, status: int, field: str | None = None) -> None:
    """An error in the ezyVet envelope, naming ``field`` when given."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["items"] == [] and body["messages"], body
    if field is not None:
        assert any(field in m["fields"] for m in body["messages"]), body["messages"]


def without_link(record: dict) -> dict:
    """A record without its download link (signed at the moment of each read)."""
    return {k: v for k, v in record.items() if k != "file_download_url"}


def path_of(url: str) -> str:
    """A link's path and query, to follow it with the test client (no token sent)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def link_with(url: str, **changes: str | None) -> str:
    """A download link with query parameters changed (None leaves one out)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return f"{parts.path}?" + "&".join(f"{k}={v}" for k, v in query.items())


def anonymous(api: Clinic, path: str, method: str = "GET", **kwargs):
    """A request with no token at all."""
    return api.client.request(method, path, **kwargs)


@dataclass
class Store:
    """A clinic on an app of its own, whose file store is a fresh directory: what the API writes can be
    seen on the disk. ``root`` holds the data directory and nothing else of the app."""

    api: Clinic
    root: Path
    data_dir: Path
    blobs: Blobs

    def disk(self) -> dict[str, bytes]:
        """Every regular file under ``root`` (relative path: bytes), the database's own files left out."""
        return {str(p.relative_to(self.root)): p.read_bytes() for p in sorted(self.root.rglob("*"))
                if p.is_file() and not p.name.startswith("openvet.sqlite3")}

    def kept(self) -> dict[str, bytes]:
        """What the file store holds."""
        return {name: data for name, data in self.disk().items() if name.startswith("data/files/")}


class WatchedBlobs(Blobs):
    """The app's own file store, noting whether each copy ran on the event loop (it must not)."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.on_event_loop: list[bool] = []

    def put(self, source, limit):
        try:
            asyncio.get_running_loop()
            self.on_event_loop.append(True)
        except RuntimeError:  # a worker thread has no running loop
            self.on_event_loop.append(False)
        return super().put(source, limit)


@pytest.fixture
def store(engine, database_url, tmp_path) -> Store:
    data_dir = tmp_path / "data"
    settings = Settings(database_url=database_url, data_dir=data_dir, public_url="http://testserver",
                        max_upload=SMALL)
    app = create_app(settings, engine)
    app.state.blobs = WatchedBlobs(data_dir)
    api = make_clinic(engine, TestClient(app))
    return Store(api, tmp_path, data_dir, app.state.blobs)


def key_path(content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    return f"data/files/{digest[:2]}/{digest}"


# uploads ------------------------------------------------------------------------------------------------


def test_a_file_uploaded_reads_back_with_its_name_size_type_and_notes(api):
    made = upload(api, notes="Lateral view")
    assert (made["name"], made["size"], made["mime_type"], made["notes"]) == (
        "scan of Rex.png", str(len(PNG)), "image/png", "Lateral view")
    assert "file_data" not in made and "content_key" not in made  # write-only input; where the bytes are
    assert without_link(one(api.get(f"/v1/file/{made['id']}"), "file")) == without_link(made)
    downloaded = api.get(f"/v1/file/download/{made['id']}")
    assert downloaded.status_code == 200
    assert downloaded.content == PNG
    assert downloaded.headers["content-type"] == "image/png"
    assert downloaded.headers["content-length"] == str(len(PNG))


def test_the_same_bytes_uploaded_twice_are_kept_once_under_their_sha256(store):
    first = upload(store.api, name="a.png")
    second = upload(store.api, name="b.png")
    assert first["id"] != second["id"] and (first["name"], second["name"]) == ("a.png", "b.png")
    assert store.kept() == {key_path(PNG): PNG}
    for made in (first, second):
        assert store.api.get(f"/v1/file/download/{made['id']}").content == PNG


def test_a_zero_byte_file_is_a_file(api):
    made = upload(api, content=b"", name="empty.txt", kind="text/plain")
    assert (made["size"], made["name"]) == ("0", "empty.txt")
    assert api.get(f"/v1/file/download/{made['id']}").content == b""


HOSTILE_NAMES = [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Windows\\win.ini", "win.ini"),
    ("C:\\Users\\vet\\Desktop\\x-ray.png", "x-ray.png"),
    ("/etc/shadow", "shadow"),
    ("..", "file"),
    (".", "file"),
    ("dir/..", "file"),
    ("", "file"),
    ("   ", "file"),
    ("a\x01b\x1bc\x7fd.txt", "abcd.txt"),  # control characters
    ("report\u202egnp.exe", "reportgnp.exe"),  # a right-to-left override that would show "exe.png"
    ("x\tray.pdf", "xray.pdf"),
    ("line\u2028break.pdf", "linebreak.pdf"),
    ("Screenshot 10.00.00\u202fAM.png", "Screenshot 10.00.00\u202fAM.png"),  # macOS's narrow no-break space
    ("Größe.pdf", "Größe.pdf"),
    ("e\u0301.txt", "\u00e9.txt"),  # composed (NFC)
    ("n" * 300 + ".png", "n" * 251 + ".png"),  # shortened, keeping its extension
]


@pytest.mark.parametrize(("sent", "shown"), HOSTILE_NAMES, ids=[repr(n)[:30] for n, _ in HOSTILE_NAMES])
def test_a_hostile_file_name_is_shown_cleaned_and_never_used_as_a_path(store, sent, shown):
    content = f"bytes of {sent!r}".encode()
    before = store.disk()
    response = post_form(store.api, "file", ("file_data", sent, "text/plain", content))
    made = one(response, "file")
    assert made["name"] == shown
    written = {name: data for name, data in store.disk().items() if name not in before}
    assert written == {key_path(content): content}  # under <data dir>/files, named by content only
    downloaded = store.api.get(f"/v1/file/download/{made['id']}")
    assert downloaded.content == content
    assert "/" not in downloaded.headers["content-disposition"].split("filename*=")[0]


@pytest.mark.parametrize(("sent", "name", "stored"), [
    (None, "x.png", "image/png"),  # no Content-Type header: guessed from the name
    ("application/octet-stream", "report.pdf", "application/pdf"),  # the default of clients that do not know
    ("", "x.jpg", "image/jpeg"),
    ("image/png; charset=binary", "x", "image/png"),  # parameters dropped
    ("TEXT/Plain", "x", "text/plain"),
    ("../../etc/passwd", "radiograph.dcm", "application/dicom"),  # not a media type
    ("text/html\x01", "notes.txt", "text/plain"),
    ("image/png\\x", "x.gif", "image/gif"),
    ("a" * 63 + "/" + "b" * 64, "x", "a" * 63 + "/" + "b" * 64),  # the longest the records keep: 128
    ("a" * 64 + "/" + "b" * 64, "x.txt", "text/plain"),  # one more: not taken
    ("nonsense", "archive.tar.gz", "application/gzip"),  # the bytes are gzip
    (None, "no-extension", "application/octet-stream"),
])
def test_a_missing_or_hostile_content_type_is_guessed_from_the_name(api, sent, name, stored):
    made = one(post_form(api, "file", ("file_data", name, sent, b"some bytes")), "file")
    assert made["mime_type"] == stored
    downloaded = api.get(f"/v1/file/download/{made['id']}")
    assert downloaded.headers["content-type"] == stored  # exactly: no charset added to text/plain


@given(st.text(max_size=400))
def test_a_cleaned_name_is_one_plain_name_whatever_is_sent(name):
    cleaned = files.clean_name(name)
    assert cleaned and len(cleaned) <= 255
    assert "/" not in cleaned and "\\" not in cleaned and cleaned.strip(".")
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in cleaned)
    assert cleaned == cleaned.strip() and unicodedata.is_normalized("NFC", cleaned)
    disposition = files.content_disposition(cleaned)
    assert disposition.isascii() and "\r" not in disposition and "\n" not in disposition


@given(st.text(max_size=80))
def test_the_store_names_only_sha256_keys(key):
    blobs = Blobs("/nonexistent-openvet-root")
    if len(key) == 64 and all(c in "0123456789abcdef" for c in key):
        assert blobs.path(key) == blobs.root / key[:2] / key
    else:
        with pytest.raises(FileNotFoundError):
            blobs.path(key)


def test_the_file_copy_runs_in_a_worker_thread_never_on_the_event_loop(store):
    upload(store.api)
    one(store.api.request("POST", "/v1/attachment", data={"record_type": "animal",
                                                            "record_id": store.api.new_animal()["id"]},
                          files={"file_data": ("b.png", PNG + b"2", "image/png")}), "attachment")
    assert store.blobs.on_event_loop == [False, False]


# the upload limit ---------------------------------------------------------------------------------------


def test_a_file_at_the_upload_limit_is_taken_and_one_byte_more_is_a_413_that_keeps_nothing(store):
    api = store.api
    at_limit = b"a" * SMALL
    assert one(api.request("POST", "/v1/file", files={"file_data": ("a.bin", at_limit, "application/x-a")}),
               "file")["size"] == str(SMALL)
    files_before, kept_before = count(api, "file"), store.kept()
    response = api.request("POST", "/v1/file", data={"notes": "too big"},
                           files={"file_data": ("b.bin", b"b" * (SMALL + 1), "application/x-b")})
    refused(response, 413, "file_data")
    assert response.json()["messages"][0]["type"] == "payload_too_large"
    assert str(SMALL) in response.json()["messages"][0]["text"]
    assert count(api, "file") == files_before
    assert store.kept() == kept_before  # no record, no bytes, no half-written file


def test_an_attachment_past_the_upload_limit_makes_neither_attachment_nor_file(store):
    api = store.api
    animal = api.new_animal()
    response = api.request("POST", "/v1/attachment", data={"record_type": "animal", "record_id": animal["id"]},
                           files={"file_data": ("big.bin", b"x" * (SMALL + 1), "application/x-big")})
    refused(response, 413, "file_data")
    assert (count(api, "attachment"), count(api, "file")) == (0, 0)
    assert store.kept() == {}


def test_a_body_declared_far_past_the_limit_is_refused_before_it_is_read(store):
    body, headers = form(("file_data", "huge.bin", "application/x-huge", b"h" * (SMALL + (2 << 20))))
    response = store.api.request("POST", "/v1/file", content=body, headers=headers)
    refused(response, 413, "file_data")
    assert count(store.api, "file") == 0
    assert store.kept() == {}


def test_a_body_streamed_past_the_limit_without_a_length_is_refused_as_it_arrives(store):
    body, headers = form(("notes", None, None, b"streamed"),
                         ("file_data", "huge.bin", "application/x-huge", b"h" * (SMALL + (2 << 20))))

    def chunks():  # no Content-Length: sent chunked
        for start in range(0, len(body), 65536):
            yield body[start:start + 65536]

    response = store.api.request("POST", "/v1/file", content=chunks(), headers=headers)
    refused(response, 413, "file_data")
    assert count(store.api, "file") == 0
    assert store.kept() == {}


def test_an_upload_without_the_write_scope_is_refused_before_its_bytes_are_taken(store):
    token = store.api.token_for(["read-file", "read-attachment"])
    response = store.api.request("POST", "/v1/file", headers={"Authorization": f"Bearer {token}"},
                                 files={"file_data": ("a.png", PNG, "image/png")})
    refused(response, 403)
    assert count(store.api, "file") == 0
    assert store.kept() == {}


# multipart bodies that are not an upload ----------------------------------------------------------------


def test_a_file_create_without_a_file_part_is_a_422_naming_file_data(api):
    refused(post_form(api, "file", ("notes", None, None, b"no file here")), 422, "file_data")
    refused(api.post("/v1/file", {"notes": "JSON has no file"}), 422, "file_data")


def test_a_second_file_part_is_a_400_naming_file_data(api):
    before = count(api, "file")
    refused(post_form(api, "file", ("file_data", "a.png", "image/png", b"1"),
                      ("file_data", "b.png", "image/png", b"2")), 400, "file_data")
    refused(post_form(api, "file", ("file_data", "a.png", "image/png", b"1"),
                      ("other", "b.png", "image/png", b"2")), 400, "file_data")
    assert count(api, "file") == before


def test_a_file_in_a_field_that_is_not_a_file_is_a_422_naming_it(api):
    before = count(api, "file")
    refused(post_form(api, "file", ("notes", "notes.txt", "text/plain", b"text as a file")), 422, "notes")
    refused(post_form(api, "file", ("file_data", "a.png", "image/png", b"1"),
                      ("size", "s.txt", "text/plain", b"2")), 400)  # two files: refused before either is kept
    assert count(api, "file") == before


def test_text_in_the_file_part_is_a_422_naming_file_data(api):
    refused(post_form(api, "file", ("file_data", None, None, b"just text")), 422, "file_data")


def test_a_field_sent_twice_is_a_400_naming_it(api):
    refused(post_form(api, "file", ("file_data", "a.png", "image/png", b"1"),
                      ("notes", None, None, b"one"), ("notes", None, None, b"two")), 400, "notes")
    animal = api.new_animal()
    refused(api.request("POST", "/v1/attachment", content=f"record_type=animal&record_id={animal['id']}"
                        f"&record_id={animal['id']}&file_id=1",
                        headers={"content-type": "application/x-www-form-urlencoded"}), 400, "record_id")


def test_fields_a_client_may_not_write_are_refused_in_a_form(api):
    for field in ("content_key", "size", "name"):
        refused(post_form(api, "file", ("file_data", "a.png", "image/png", b"1"),
                          (field, None, None, b"0" * 64)), 422, field)


@pytest.mark.parametrize(("content_type", "body"), [
    ("multipart/form-data", b"--x\r\n"),  # no boundary
    (f"multipart/form-data; boundary={BOUNDARY}", b"not a multipart body at all"),
    ("text/plain", b"file_data=..."),
    ("application/xml", b"<file/>"),
])
def test_a_body_that_is_not_a_form_is_a_400(api, content_type, body):
    refused(api.request("POST", "/v1/file", content=body, headers={"content-type": content_type}), 400)


# attachments --------------------------------------------------------------------------------------------


def test_an_attachment_made_with_file_data_makes_its_file(api, engine):
    consult = World(api, engine).id("consult")
    # as the sample sends it (L1852): a form with record_type 'consult', lower-case
    made = upload(api, "attachment", name="7_ezyvet_small.png", record_type="consult", record_id=consult,
                  notes="Demo note")
    assert (made["record_type"], made["record_id"], made["notes"]) == ("Consult", str(consult), "Demo note")
    assert (made["name"], made["mime_type"], made["primary_image"], made["active"]) == (
        "7_ezyvet_small.png", "image/png", "0", "1")
    file = one(api.get(f"/v1/file/{made['file_id']}"), "file")
    assert (file["name"], file["size"], file["mime_type"]) == ("7_ezyvet_small.png", str(len(PNG)), "image/png")
    assert api.get(f"/v1/attachment/download/{made['id']}").content == PNG


def test_an_attachment_of_an_existing_file_id_takes_its_name_and_type(api):
    file = upload(api, name="dental chart.pdf", kind="application/pdf", content=b"%PDF-1.4 chart")
    animal = api.new_animal()
    by_json = one(api.post("/v1/attachment", {"record_type": "Animal", "record_id": int(animal["id"]),
                                              "file_id": int(file["id"])}), "attachment")
    by_form = one(api.request("POST", "/v1/attachment", data={"record_type": "contact", "record_id":
                                                               animal["contact_id"], "file_id": file["id"]}),
                  "attachment")
    # an HTML form whose file input is left empty sends an empty, nameless file part: no file
    by_html_form = one(post_form(api, "attachment", ("record_type", None, None, b"animal"),
                                 ("record_id", None, None, animal["id"].encode()),
                                 ("file_id", None, None, file["id"].encode()),
                                 ("file_data", "", "application/octet-stream", b"")), "attachment")
    for made in (by_json, by_form, by_html_form):
        assert (made["file_id"], made["name"], made["mime_type"]) == (file["id"], "dental chart.pdf",
                                                                     "application/pdf")
        assert api.get(f"/v1/attachment/download/{made['id']}").content == b"%PDF-1.4 chart"
    assert by_form["record_type"] == "Contact"


def test_an_attachment_with_both_file_data_and_file_id_is_a_422_that_writes_nothing(api):
    file = upload(api)
    animal = api.new_animal()
    before = (count(api, "attachment"), count(api, "file"))
    response = api.request("POST", "/v1/attachment", data={"record_type": "animal", "record_id": animal["id"],
                                                           "file_id": file["id"]},
                           files={"file_data": ("other.png", PNG + b"other", "image/png")})
    refused(response, 422, "file_id")
    assert (count(api, "attachment"), count(api, "file")) == before


def test_an_attachment_with_neither_file_data_nor_file_id_is_a_422(api):
    animal = api.new_animal()
    refused(api.post("/v1/attachment", {"record_type": "animal", "record_id": animal["id"]}), 422, "file_data")
    refused(post_form(api, "attachment", ("record_type", None, None, b"animal"),
                      ("record_id", None, None, animal["id"].encode())), 422, "file_data")
    assert count(api, "attachment") == 0


def test_an_attachment_for_an_unknown_kind_or_a_record_not_of_the_clinic_is_a_422(api, other):
    file = upload(api)
    animal, strangers = api.new_animal(), other.new_animal()
    theirs = upload(other)
    files_before = count(api, "file")
    for body, field in [
        ({"record_type": "FeatureRequest", "record_id": animal["id"]}, "record_type"),  # the sample's kind
        ({"record_type": "wombat", "record_id": animal["id"]}, "record_type"),
        ({"record_type": "animal", "record_id": strangers["id"]}, "record_id"),  # another clinic's animal
        ({"record_type": "animal", "record_id": 10**15}, "record_id"),
        ({"record_type": "consult", "record_id": animal["id"]}, "record_id"),  # an animal's id as a consult
        ({"record_type": "animal"}, "record_id"),
        ({"record_id": animal["id"]}, "record_type"),
    ]:
        refused(api.post("/v1/attachment", {**body, "file_id": file["id"]}), 422, field)
        # with file_data too: the File it would make is not made either
        response = api.request("POST", "/v1/attachment", data={k: str(v) for k, v in body.items()},
                               files={"file_data": ("x.png", PNG + b"x", "image/png")})
        refused(response, 422, field)
    refused(api.post("/v1/attachment", {"record_type": "animal", "record_id": animal["id"],
                                        "file_id": theirs["id"]}), 422, "file_id")  # another clinic's File
    assert count(api, "attachment") == 0 and count(api, "file") == files_before


def test_patch_moves_an_attachment_to_another_record_and_changes_its_notes_and_active(api, engine):
    animal = api.new_animal()
    made = upload(api, "attachment", record_type="animal", record_id=animal["id"], notes="first")
    consult = World(api, engine).id("consult")
    # the sample of L1934: record_type 'consult', record_id a number, active 0
    moved = one(api.patch(f"/v1/attachment/{made['id']}", {"notes": "Demo edit", "record_type": "consult",
                                                           "record_id": consult, "active": 0}), "attachment")
    assert (moved["record_type"], moved["record_id"], moved["notes"], moved["active"]) == (
        "Consult", str(consult), "Demo edit", "0")
    assert (moved["file_id"], moved["name"]) == (made["file_id"], made["name"])  # the same file
    back = one(api.patch(f"/v1/attachment/{made['id']}", {"record_type": "Animal", "record_id": animal["id"],
                                                          "active": 1}), "attachment")
    assert (back["record_type"], back["record_id"], back["active"]) == ("Animal", animal["id"], "1")
    listed = api.get(f"/v1/attachment?record_type=Animal&record_id={animal['id']}")
    assert [item["attachment"]["id"] for item in listed.json()["items"]] == [made["id"]]


def test_patch_cannot_move_an_attachment_out_of_the_clinic_or_change_its_file(api, other):
    animal = api.new_animal()
    made = upload(api, "attachment", record_type="animal", record_id=animal["id"])
    refused(api.patch(f"/v1/attachment/{made['id']}", {"record_id": other.new_animal()["id"]}), 422, "record_id")
    refused(api.patch(f"/v1/attachment/{made['id']}", {"record_type": "consult"}), 422, "record_id")
    refused(api.patch(f"/v1/attachment/{made['id']}", {"record_type": "Invoice"}), 422, "record_type")
    refused(api.patch(f"/v1/attachment/{made['id']}", {"file_id": upload(api, content=b"new")["id"]}), 422,
            "file_id")
    refused(other.patch(f"/v1/attachment/{made['id']}", {"notes": "not yours"}), 404)
    assert without_link(one(api.get(f"/v1/attachment/{made['id']}"), "attachment")) == without_link(made)


def test_delete_deactivates_an_attachment_and_answers_an_empty_items(api):
    animal = api.new_animal()
    made = upload(api, "attachment", record_type="animal", record_id=animal["id"])
    response = api.delete(f"/v1/attachment/{made['id']}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["items"] == [] and body["messages"] == []  # L2010
    assert (body["meta"]["items_matched"], body["meta"]["items_processed"]) == ("1", "1")
    assert one(api.get(f"/v1/attachment/{made['id']}"), "attachment")["active"] == "0"
    assert api.get("/v1/attachment?active=1").json()["items"] == []
    assert one(api.get(f"/v1/file/{made['file_id']}"), "file")["active"] == "1"  # the File stays
    refused(api.delete(f"/v1/attachment/{10**15}"), 404)


# downloads ----------------------------------------------------------------------------------------------


@pytest.fixture
def attached(api) -> dict:
    """An attachment of an animal, made with file_data."""
    return upload(api, "attachment", record_type="animal", record_id=api.new_animal()["id"])


def test_a_download_by_token_streams_the_exact_bytes_with_their_type_and_name(api, attached):
    response = api.get(f"/v1/attachment/download/{attached['id']}")
    assert response.status_code == 200
    assert response.content == PNG
    headers = response.headers
    assert headers["content-type"] == "image/png"
    assert headers["content-length"] == str(len(PNG))
    assert headers["content-disposition"] == 'attachment; filename="scan of Rex.png"'
    assert headers["x-content-type-options"] == "nosniff"  # a browser never runs an upload as a page
    assert headers["etag"] == f'"{hashlib.sha256(PNG).hexdigest()}"'


def test_a_download_needs_the_read_scope_of_its_endpoint(api, attached):
    for scopes, status in ((["read-animal"], 403), (["write-attachment"], 403), (["read-file"], 403),
                           (["read-attachment"], 200)):
        token = api.token_for(scopes)
        response = api.get(f"/v1/attachment/download/{attached['id']}", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == status, (scopes, response.text)
    token = api.token_for(["read-attachment"])
    refused(api.get(f"/v1/file/download/{attached['file_id']}", headers={"Authorization": f"Bearer {token}"}),
            403)
    refused(anonymous(api, f"/v1/attachment/download/{attached['id']}"), 401)


def test_a_signed_link_downloads_without_a_token(api, attached):
    for url, content in ((attached["file_download_url"], PNG),
                         (one(api.get(f"/v1/file/{attached['file_id']}"), "file")["file_download_url"], PNG)):
        assert url.startswith("http://testserver/v1/")
        response = anonymous(api, path_of(url))
        assert response.status_code == 200, response.text
        assert response.content == content
        assert response.headers["content-type"] == "image/png"


def test_a_link_expires_on_the_first_whole_hour_a_day_after_it_is_read(api, attached):
    before = int(time.time())
    url = one(api.get(f"/v1/attachment/{attached['id']}"), "attachment")["file_download_url"]
    expires = int(dict(parse_qsl(urlsplit(url).query))["expires"])
    assert before + 86_400 <= expires < int(time.time()) + 86_400 + 3_600  # L6011
    assert expires % 3_600 == 0


def test_a_record_read_twice_in_the_hour_reads_the_same_link(engine):
    key = engine.signing_key()
    on_the_hour = 1_800_000_000  # a whole hour
    record = {"id": 7, "clinic_id": 3}
    links = {files.download_link(View("http://x", on_the_hour + offset, key), "file", record)
             for offset in (-3_599, -1, 0)}
    assert len(links) == 1 and f"expires={on_the_hour + 86_400}&" in links.pop()
    later = files.download_link(View("http://x", on_the_hour + 1, key), "file", record)
    assert f"expires={on_the_hour + 86_400 + 3_600}&" in later


def test_an_expired_link_is_refused(api, engine, attached):
    two_days_ago = View("http://testserver", int(time.time()) - 2 * 86_400, engine.signing_key())
    for endpoint, record_id in (("attachment", attached["id"]), ("file", attached["file_id"])):
        url = files.download_link(two_days_ago, endpoint, {"id": int(record_id), "clinic_id": api.id})
        response = anonymous(api, path_of(url))
        refused(response, 403)
        assert response.json()["messages"][0]["text"] == LINK_REFUSED
    fresh = View("http://testserver", int(time.time()), engine.signing_key())
    url = files.download_link(fresh, "attachment", {"id": int(attached["id"]), "clinic_id": api.id})
    assert anonymous(api, path_of(url)).content == PNG  # the same link, signed now, is good


def test_a_link_changed_in_any_way_is_refused_saying_nothing_more(api, other, attached):
    url = path_of(attached["file_download_url"])
    query = dict(parse_qsl(urlsplit(url).query))
    mark, expires = query["signature"], int(query["expires"])
    theirs = upload(other, "attachment", record_type="animal", record_id=other.new_animal()["id"])
    flipped = ("0" if mark[0] != "0" else "1") + mark[1:]
    changed = [
        link_with(url, signature=flipped),
        link_with(url, signature=mark.upper()),
        link_with(url, signature=mark[:-1]),
        link_with(url, signature="%C3%A9" * 32),  # not ASCII
        link_with(url, signature=""),
        link_with(url, signature=None),
        link_with(url, expires=str(expires + 86_400)),  # a longer life
        link_with(url, expires="9" * 19),
        link_with(url, expires="-1"),
        link_with(url, expires=None),
        link_with(url, clinic=str(other.id)),  # another clinic
        link_with(url, clinic=None),
        link_with(url, clinic="1e3"),
        link_with(url, extra="1"),  # an extra parameter
        url + f"&signature={mark}",  # a parameter twice
        url.replace(f"/download/{attached['id']}?", f"/download/{theirs['id']}?"),  # another record's id
        url.replace(f"/download/{attached['id']}?", f"/download/{int(attached['id']) + 1}?"),
        url.replace("/v1/attachment/", "/v1/file/"),  # the link of an attachment used for a File
        path_of(theirs["file_download_url"]).replace(f"clinic={other.id}", f"clinic={api.id}"),
        f"/v1/attachment/download/{attached['id']}?x=1",
    ]
    for link in changed:
        response = anonymous(api, link)
        refused(response, 403)
        assert response.json()["messages"][0]["text"] == LINK_REFUSED, link
        assert "image/png" not in response.text and "scan of Rex" not in response.text
        with_token = api.get(link)  # a token does not mend a bad link
        assert with_token.status_code == 403, link
    assert anonymous(api, url).content == PNG


def test_another_clinic_cannot_download_by_token(api, other, attached):
    for title, record_id in (("Attachment", attached["id"]), ("File", attached["file_id"])):
        response = other.get(f"/v1/{title.lower()}/download/{record_id}")
        refused(response, 404)  # read like a record that does not exist
        assert response.json()["messages"][0]["text"] == f"{title} {record_id} does not exist"


def test_a_deactivated_attachment_serves_no_file(api, attached):
    link = path_of(attached["file_download_url"])
    assert api.delete(f"/v1/attachment/{attached['id']}").status_code == 200
    refused(api.get(f"/v1/attachment/download/{attached['id']}"), 404)
    refused(anonymous(api, link), 404)
    assert api.get(f"/v1/file/download/{attached['file_id']}").content == PNG  # its File is still served
    assert api.patch(f"/v1/attachment/{attached['id']}", {"active": 1}).status_code == 200
    assert anonymous(api, link).content == PNG  # active again: the link works again


@pytest.mark.parametrize(("name", "disposition"), [
    ("x-ray.png", 'attachment; filename="x-ray.png"'),
    ("Größe ü.pdf", "attachment; filename=\"Gro_e u.pdf\"; filename*=UTF-8''Gr%C3%B6%C3%9Fe%20%C3%BC.pdf"),
    ("日本.pdf", "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.pdf"),
    ('say "ah".txt', "attachment; filename=\"say _ah_.txt\"; filename*=UTF-8''say%20%22ah%22.txt"),
    ("100%.txt", "attachment; filename=\"100_.txt\"; filename*=UTF-8''100%25.txt"),
    ("a;b=c.txt", 'attachment; filename="a;b=c.txt"'),
])
def test_the_download_names_its_file_as_rfc_6266_says(api, name, disposition):
    made = one(post_form(api, "file", ("file_data", name, "text/plain", b"named")), "file")
    assert made["name"] == name
    response = api.get(f"/v1/file/download/{made['id']}")
    assert response.headers["content-disposition"] == disposition


def test_head_on_a_download_answers_its_headers_without_the_bytes(api, attached):
    for path in (f"/v1/attachment/download/{attached['id']}", f"/v1/file/download/{attached['file_id']}"):
        head = api.request("HEAD", path)
        assert head.status_code == 200
        assert head.content == b""
        assert (head.headers["content-length"], head.headers["content-type"]) == (str(len(PNG)), "image/png")
    head = anonymous(api, path_of(attached["file_download_url"]), "HEAD")
    assert (head.status_code, head.content, head.headers["content-length"]) == (200, b"", str(len(PNG)))
    assert anonymous(api, f"/v1/attachment/download/{attached['id']}?signature=0", "HEAD").status_code == 403


def test_a_range_is_served_and_a_range_that_cannot_be_read_is_ignored(api, attached):
    path = f"/v1/attachment/download/{attached['id']}"
    part = api.get(path, headers={"Range": "bytes=8-11"})
    assert (part.status_code, part.content, part.headers["content-range"]) == (206, PNG[8:12],
                                                                               f"bytes 8-11/{len(PNG)}")
    for unreadable in ("bytes=x", "bytes=11-8", "lines=1-2", "bytes=", "bytes=1-2,,x", f"bytes={'9' * 5000}-"):
        whole = api.get(path, headers={"Range": unreadable})
        assert (whole.status_code, whole.content) == (200, PNG), unreadable
    beyond = api.get(path, headers={"Range": f"bytes={len(PNG) + 10}-"})
    assert beyond.status_code == 416  # a readable range past the end


@pytest.mark.parametrize("path", [
    "/v1/attachment/download/..%2F..%2Fetc%2Fpasswd",
    "/v1/attachment/download/../../etc/passwd",
    "/v1/attachment/download/%2Fetc%2Fpasswd",
    "/v1/attachment/download/1%00",
    "/v1/attachment/download/-1",
    "/v1/attachment/download/0x1",
    "/v1/attachment/download/1/2",
    "/v1/file/download/abc",
    "/v1/file/download/99999999999999999999",
])
def test_a_download_path_that_is_not_a_record_id_serves_nothing(api, path):
    response = api.get(path)
    assert response.status_code in (400, 403, 404), response.text
    assert response.headers["content-type"] == "application/json"


def test_a_file_whose_bytes_are_gone_from_the_store_is_a_404_not_a_500(store):
    made = upload(store.api)
    (store.root / key_path(PNG)).unlink()
    refused(store.api.get(f"/v1/file/download/{made['id']}"), 404)


# a real server over real HTTP ---------------------------------------------------------------------------

REAL_LIMIT = 3 << 20  # 3 MiB
BIG = os.urandom(REAL_LIMIT)  # many chunks of the server's 64 KiB


@pytest.fixture
def served(tmp_path):
    """``openvet serve`` on an SQLite database of its own with one clinic, the upload limit set to 3 MiB;
    (base URL, bearer headers, data directory)."""
    with migrated_database("sqlite", tmp_path) as url:
        engine = Engine(connect(url))
        try:
            clinic_id = clinics.create_clinic(engine, "served", "Served clinic", "UTC")
            with engine.db.begin() as conn:
                ezyvet = credentials.create_ezyvet_credentials(conn, clinic_id, [])
        finally:
            engine.close()
        limit = {"OPENVET_DATABASE_URL": url, "OPENVET_MAX_UPLOAD_BYTES": str(REAL_LIMIT)}
        with running_server(tmp_path, env=limit) as server:
            token = httpx.post(f"{server.base}/v1/oauth/access_token", timeout=30,
                               data={**ezyvet, "grant_type": "client_credentials"})
            assert token.status_code == 200, token.text
            yield server.base, {"Authorization": f"Bearer {token.json()['access_token']}"}, server.data_dir
        log = server.log
        assert "Traceback" not in log.read_text(), log.read_text()[-4000:]


def kept_on_disk(data_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(data_dir)) for p in (data_dir / "files").rglob("*") if p.is_file())


@pytest.mark.server
def test_a_real_server_streams_downloads_and_refuses_uploads_past_the_limit(served):
    base, headers, data_dir = served
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        detail_type = http.get("/v1/contactdetailtype?limit=1").json()["items"][0]["contactdetailtype"]["id"]
        contact = http.post("/v1/contact", json={"first_name": "Ada", "last_name": "Lovelace", "contact_detail_list": [
            {"name": "Email", "value": "ada@example.com", "contact_detail_type_id": detail_type}]})
        assert contact.status_code == 200, contact.text
        animal = http.post("/v1/animal", json={"name": "Rex",
                                               "contact_id": contact.json()["items"][0]["contact"]["id"]})
        assert animal.status_code == 200, animal.text
        animal_id = animal.json()["items"][0]["animal"]["id"]
        made = http.post("/v1/attachment", data={"record_type": "animal", "record_id": animal_id},
                         files={"file_data": ("ultrasound.bin", BIG, "application/x-ultrasound")})
        assert made.status_code == 200, made.text
        attachment = made.json()["items"][0]["attachment"]
        assert kept_on_disk(data_dir) == [key_path(BIG).removeprefix("data/")]

        # the download streams: its first bytes arrive, and another request is answered, before the rest is read
        link = attachment["file_download_url"]
        assert link.startswith(base)
        with httpx.Client(timeout=60) as anonymous_http, anonymous_http.stream("GET", link) as download:
            assert download.status_code == 200
            assert download.headers["content-type"] == "application/x-ultrasound"
            assert download.headers["content-length"] == str(len(BIG))
            assert "chunked" not in download.headers.get("transfer-encoding", "")
            chunks = download.iter_bytes()
            first = next(chunks)
            assert 0 < len(first) < len(BIG)
            assert http.get("/v1/animal?limit=1").status_code == 200
            assert first + b"".join(chunks) == BIG
        by_token = http.get(f"/v1/attachment/download/{attachment['id']}")
        assert hashlib.sha256(by_token.content).digest() == hashlib.sha256(BIG).digest()
        head = http.head(f"/v1/attachment/download/{attachment['id']}")
        assert (head.status_code, head.content, head.headers["content-length"]) == (200, b"", str(len(BIG)))

        # past the limit: a 413 in the envelope, read by the client, and nothing kept
        over = BIG + b"!"
        body, form_headers = form(("file_data", "chunked.bin", "application/x-chunked", over * 2))
        chunked = [body[start:start + (1 << 16)] for start in range(0, len(body), 1 << 16)]
        attempts = {
            "just past": http.post("/v1/file", files={"file_data": ("over.bin", over, "application/x-over")}),
            "declared far past": http.post("/v1/file", files={"file_data": ("far.bin", over * 2, "x/y")}),
            "chunked far past": http.post("/v1/file", content=iter(chunked), headers=form_headers),
        }
        for name, response in attempts.items():
            assert response.status_code == 413, (name, response.text)
            assert response.json()["messages"][0]["type"] == "payload_too_large", name
        assert http.get("/v1/file?limit=1").json()["meta"]["items_total"] == "1"
        assert kept_on_disk(data_dir) == [key_path(BIG).removeprefix("data/")]


@pytest.mark.server
def test_an_upload_coming_in_slowly_does_not_hold_up_other_requests(served):
    """Half an upload is sent, then the client waits: the server answers another request meanwhile."""
    base, headers, _ = served
    body, form_headers = form(("file_data", "slow.bin", "application/x-slow", b"s" * (1 << 20)))
    half_sent, answered = threading.Event(), threading.Event()
    outcome: list[int] = []

    def trickle():
        yield body[:len(body) // 2]
        half_sent.set()
        answered.wait(30)
        yield body[len(body) // 2:]

    def slow_upload():
        with httpx.Client(timeout=60) as http:
            outcome.append(http.post(f"{base}/v1/file", content=trickle(), headers={**headers, **form_headers})
                           .status_code)

    worker = threading.Thread(target=slow_upload)
    worker.start()
    try:
        assert half_sent.wait(30)
        with httpx.Client(base_url=base, headers=headers, timeout=10) as http:
            assert http.get("/v1/file?limit=1").status_code == 200
            assert not outcome  # answered while the upload was still coming in
    finally:
        answered.set()
        worker.join(60)
    assert outcome == [200]
