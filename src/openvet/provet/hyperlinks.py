"""Full URLs for records (``<base>/<provet_id>/api/0.1/patient/<id>/``) and reading them back on write.

The base is ``Settings.public_url`` when set, else the scheme and host of the request. A hyperlink sent
by a client is matched on its path only (hosts differ behind proxies), like DRF's HyperlinkedRelatedField;
the base's own path (``https://example.com/vets``) is taken off first.

Numbers in paths, links and query parameters are read by ``whole``: ASCII digits only (``str.isdigit`` is
true for "²", which ``int`` refuses), and never handed to ``int`` past 19 digits (``int`` refuses strings of
over 4300 digits; anything past 19 is beyond a BIGINT anyway).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.requests import Request

from openvet.resources.fields import Invalid

API = "api/0.1"
MAX_ID = 2**63 - 1  # a BIGINT: larger ids name no record (and must not reach the database)
_PATH = re.compile(r"^/(?P<provet_id>[0-9]+)/api/0\.1/(?P<kind>[a-z_]+)/(?P<id>[0-9]+)/?$")
_DIGITS = re.compile(r"[0-9]+")
OUT_OF_RANGE = MAX_ID + 1


def whole(raw: str) -> int | None:
    """A string of ASCII digits -> its value (``OUT_OF_RANGE`` past 19 digits); anything else -> None."""
    if not _DIGITS.fullmatch(raw):
        return None
    return int(raw) if len(raw) <= 19 else OUT_OF_RANGE


def base_url(request: Request) -> str:
    configured = request.app.state.settings.public_url
    return configured.rstrip("/") if configured else f"{request.url.scheme}://{request.url.netloc}"


@dataclass(frozen=True, slots=True)
class Links:
    base: str  # scheme://host[:port][/prefix], no trailing slash
    provet_id: int

    def url(self, kind: str, record_id: int | None) -> str | None:
        return None if record_id is None else f"{self.base}/{self.provet_id}/{API}/{kind}/{record_id}/"

    def record_id(self, value: object, kind: str) -> int:
        """The id a hyperlink names; ``Invalid`` (DRF's wording) when it is not a ``kind`` of this clinic."""
        if not isinstance(value, str):
            raise Invalid(f"Incorrect type. Expected URL string, received {type(value).__name__}.")
        try:
            path = urlsplit(value.strip()).path
        except ValueError:  # "http://[/1/…": "Invalid IPv6 URL"
            raise Invalid("Invalid hyperlink - No URL match.") from None
        prefix = urlsplit(self.base).path.rstrip("/")
        if prefix and path.startswith(prefix + "/"):
            path = path[len(prefix):]
        match = _PATH.match(path)
        if match is None:
            raise Invalid("Invalid hyperlink - No URL match.")
        if match["kind"] != kind or whole(match["provet_id"]) != self.provet_id:
            raise Invalid("Invalid hyperlink - Incorrect URL match.")
        record_id = whole(match["id"])
        if record_id is None or record_id > MAX_ID:
            raise Invalid("Invalid hyperlink - Object does not exist.")
        return record_id
