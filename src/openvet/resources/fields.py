"""The vocabulary of a resource declaration: field types and fields.

A field type knows four things: how it is stored (an SQLAlchemy type), how a value sent by a client
is read (``parse``, which raises ``Invalid`` with a reason a client can act on), and how a stored value
is written on the wire by ezyVet v1 (strings) and v2 (typed JSON). Everything else (tables, filters,
validation, serialisation, OpenAPI) is derived from these declarations.
"""

from __future__ import annotations

import calendar
import math
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
import sqlalchemy as sa

from openvet.store.types import ExactDecimal

VERSIONS = ("v1", "v2")


class Invalid(ValueError):
    """A value a client sent that cannot be used; the message says why."""


class FieldType:
    """Base of every field type. Subclasses override what differs."""

    json_type = "string"  # the OpenAPI / v2 JSON type
    stored = True  # False for virtual fields (child lists)
    comparable = True  # accepts lt/lte/gt/gte
    likeable = False  # accepts like
    searchable = False  # declared index=True, gets a substring (trigram) index: see store/schema.py

    def column_type(self) -> sa.types.TypeEngine:
        return sa.String(255)

    def parse(self, value: Any) -> Any:
        return value

    def bounded(self, value: Any) -> None:
        """Refuse a parsed value outside what the field allows on write (``qty`` must be positive). Filters
        compare with any value, so the bounds are checked on writes only."""

    def to_v1(self, value: Any) -> Any:
        return "" if value is None else str(value)

    def to_v2(self, value: Any) -> Any:
        return value

    def to_wire(self, value: Any, version: str) -> Any:
        """The value as ``version`` writes it; dialects may call this instead of ``to_v1``/``to_v2``."""
        return self.to_v1(value) if version == "v1" else self.to_v2(value)

    def columns(self, name: str) -> list[tuple[str, sa.types.TypeEngine]]:
        """The table columns that hold this field: one, named after it, for most types."""
        return [(name, self.column_type())]

    def to_columns(self, name: str, value: Any) -> dict[str, Any]:
        return {name: value}

    def from_columns(self, name: str, row: dict[str, Any]) -> Any:
        return row.get(name)

    def openapi(self) -> dict:
        return {"type": [self.json_type, "null"]}


BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
MAX_EXPONENT = 20  # a Decimal beyond 10^20 is out of every field's range: refused before any arithmetic
MAX_NUMBER_TEXT = 100  # characters of a number sent as text (int() of thousands of digits is slow, then refused)


def decimal_of(value: Any) -> Decimal:
    """A finite, bounded Decimal of ``value`` (a str, int, float or Decimal), or Invalid.

    ``Decimal("1e1999999")`` is cheap to make but ruinous to floor, quantize or divide: its adjusted
    exponent is checked first, so no arithmetic ever meets a huge number. Text is read in ASCII only:
    ``Decimal`` also reads other digits ("١٢", "１２") and underscores ("1_000"), which ids never took.
    """
    if isinstance(value, bool):
        raise Invalid("must be a number")
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_NUMBER_TEXT:
            raise Invalid("is out of range")
        if not text.isascii() or "_" in text:
            raise Invalid("must be a number written with the ASCII digits 0-9")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise Invalid("must be a number") from None
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, int):
        if not -(10**MAX_EXPONENT) < value < 10**MAX_EXPONENT:
            raise Invalid("is out of range")
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    else:
        raise Invalid("must be a number")
    if not number.is_finite():
        raise Invalid("must be a finite number")
    if number and number.adjusted() > MAX_EXPONENT:
        raise Invalid("is out of range")
    return number


def in_range(number: int) -> int:
    """Whole numbers are stored as 64-bit integers on both databases; anything larger is refused."""
    if not BIGINT_MIN <= number <= BIGINT_MAX:
        raise Invalid("is out of range (a 64-bit integer)")
    return number


class Integer(FieldType):
    """A whole number of 64 bits. ``minimum`` (0 or 1) and ``maximum`` bound what a write may set (a duration
    is a second to a week)."""

    json_type = "integer"
    minimum: int | None = None
    maximum: int | None = None

    def __init__(self, minimum: int | None = None, maximum: int | None = None):
        assert minimum in (None, 0, 1), "a bound the OpenAPI patterns can say: 0 or 1"
        assert maximum is None or (minimum is not None and maximum > minimum)
        self.minimum = minimum
        self.maximum = maximum

    def column_type(self):
        return sa.BigInteger()

    def bounded(self, value):
        if value is None:
            return
        if self.minimum is not None and value < self.minimum:
            raise Invalid("cannot be negative" if self.minimum == 0 else "must be 1 or more")
        if self.maximum is not None and value > self.maximum:
            raise Invalid(f"must be at most {self.maximum}")

    def parse(self, value):
        if isinstance(value, bool):
            raise Invalid("must be an integer")
        if isinstance(value, int):
            return in_range(value)
        if isinstance(value, float) and value.is_integer():
            if value <= BIGINT_MIN:  # -2**63 - 1 is read by orjson as this float: beyond 64 bits, whatever it was
                raise Invalid("is out of range (a 64-bit integer)")
            return in_range(int(value))
        if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]+\s*", value):  # ASCII digits only, unlike int()
            if len(value.strip()) > MAX_NUMBER_TEXT:
                raise Invalid("is out of range (a 64-bit integer)")
            return in_range(int(value.strip()))  # str.strip(): int() keeps \x1c-\x1f
        raise Invalid("must be an integer")


class Number(FieldType):
    """An exact decimal (weights, money, quantities): Decimal in, Decimal stored, never float."""

    json_type = "number"

    def __init__(self, scale: int = 4, precision: int = 18, minimum: int | None = None, above: int | None = None):
        """``minimum`` 0: not negative; ``above`` 0: more than 0 (a quantity prescribed). Checked on writes
        (filters compare with any number); the sign is kept through rounding, so "-0.00001" is negative."""
        assert minimum in (None, 0) and above in (None, 0), "bounds the OpenAPI patterns can say"
        self.scale = scale
        self.precision = precision
        self.minimum = minimum
        self.above = above

    def bounded(self, value):
        if value is None:
            return
        if (self.minimum is not None or self.above is not None) and value.is_signed():
            raise Invalid("cannot be negative")  # a bounded number carries no sign: "-0" and "-0.00001" neither
        if self.above is not None and value <= self.above:
            raise Invalid(f"must be more than {self.above}")
        if self.minimum is not None and value < self.minimum:
            raise Invalid("cannot be negative")

    def column_type(self):
        return ExactDecimal(self.precision, self.scale)

    def parse(self, value):
        if isinstance(value, bool) or value is None or value == "":
            raise Invalid("must be a number")
        number = decimal_of(value if isinstance(value, (str, int, float, Decimal)) else str(value))
        if abs(number) >= self.limit:
            raise Invalid(f"must be less than {self.limit:,} in magnitude")
        return number.quantize(Decimal(1).scaleb(-self.scale))

    @property
    def limit(self) -> Decimal:
        """Numbers are NUMERIC(precision, scale): their magnitude stays under 10^(precision - scale)."""
        return Decimal(10) ** (self.precision - self.scale)

    def parse_exact(self, value) -> Decimal:
        """A filter value, not rounded to the scale (``weight < 10.50004`` must still find 10.5)."""
        rounded = self.parse(value)
        return decimal_of(value) if isinstance(value, (str, int, float)) else rounded

    def to_v1(self, value):
        if value is None:
            return ""
        return f"{Decimal(value):.{self.scale}f}"

    def to_v2(self, value):
        """A JSON number, whole numbers without a fraction (the samples write ``"quantity": 2``, L9330)."""
        if value is None:
            return None
        return int(value) if value == value.to_integral_value() else float(value)


class Text(FieldType):
    likeable = True
    searchable = True  # free text people search by a fragment (names, codes, numbers); a Uid is not

    def __init__(self, max_length: int = 255):
        self.max_length = max_length

    def column_type(self):
        return sa.Text() if self.max_length > 255 else sa.String(self.max_length)

    def parse(self, value):
        # a whole number is taken as its digits (a code sent as 300233, or 300233.0: JSON says the same number);
        # a fraction's text is no one's text
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**64:
            value = int(value)
        if isinstance(value, (dict, list, float)):
            raise Invalid("must be a string")
        text = value if isinstance(value, str) else ("" if value is None else str(value))
        if isinstance(value, bool):
            text = "1" if value else "0"
        if len(text) > self.max_length:
            raise Invalid(f"must be at most {self.max_length} characters")
        if "\x00" in text:
            raise Invalid("must not contain NUL characters")
        return text

    def openapi(self):
        return {"type": ["string", "null"], "maxLength": self.max_length}


class Boolean(FieldType):
    json_type = "boolean"
    comparable = False
    _true = {"1", "true", "yes", "y", "on"}
    _false = {"0", "false", "no", "n", "off", ""}

    def column_type(self):
        return sa.Boolean()

    def parse(self, value):
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in self._true:
                return True
            if lowered in self._false:
                return False
        raise Invalid("must be a boolean (true/false or 1/0)")

    def to_v1(self, value):
        return "" if value is None else ("1" if value else "0")


class Epoch(FieldType):
    """A moment as Unix epoch seconds (UTC). Float epochs are accepted and floored."""

    json_type = "integer"

    def column_type(self):
        return sa.BigInteger()

    def parse(self, value):
        if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
            raise Invalid("must be an epoch time in seconds")
        if isinstance(value, int):
            return in_range(value)
        try:
            number = decimal_of(value)
        except Invalid as error:
            if "range" in str(error):
                raise Invalid("is out of range (a 64-bit integer)") from None
            raise Invalid("must be an epoch time in seconds") from None
        return in_range(math.floor(number))


class Choice(FieldType):
    """One of a closed set of labels; matched without regard to case, stored in the documented spelling."""

    likeable = True
    comparable = False

    def __init__(
        self,
        *values: str,
        aliases: dict[str, str] | None = None,
        wire_case: dict[str, Callable[[str], str]] | None = None,
    ):
        self.values = values
        self.wire_case = wire_case or {}  # version -> spelling on that wire (Separation v2: str.lower)
        self._lookup = {v.lower(): v for v in values}
        for alias, value in (aliases or {}).items():
            self._lookup[alias.lower()] = value

    def column_type(self):
        return sa.String(max(len(v) for v in self.values) + 8)

    def parse(self, value):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip().lower() in self._lookup:
            return self._lookup[value.strip().lower()]
        raise Invalid("must be one of " + ", ".join(self.values))

    def to_wire(self, value, version):
        spell = self.wire_case.get(version)
        if spell is not None and value is not None:
            value = spell(value)
        return FieldType.to_v1(self, value) if version == "v1" else FieldType.to_v2(self, value)

    def to_v1(self, value):
        return self.to_wire(value, "v1") if "v1" in self.wire_case else super().to_v1(value)

    def to_v2(self, value):
        return self.to_wire(value, "v2") if "v2" in self.wire_case else super().to_v2(value)

    def spelled(self, version: str) -> tuple[str, ...]:
        """The values as ``version`` spells them (for OpenAPI and error messages)."""
        spell = self.wire_case.get(version)
        return tuple(spell(v) for v in self.values) if spell else self.values

    def openapi(self):
        return {"type": ["string", "null"], "enum": [*self.values, None]}


class ChoiceList(FieldType):
    """Several labels of a closed set (ContactDetail ``subscription_groups``); a JSON array of strings."""

    json_type = "array"
    comparable = False

    def __init__(self, *values: str):
        self.choice = Choice(*values)
        self.values = values

    def column_type(self):
        return sa.JSON()

    def parse(self, value):
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = [part for part in (p.strip() for p in value.split(",")) if part]
        if not isinstance(value, (list, tuple)):
            raise Invalid("must be a list of " + ", ".join(self.values))
        chosen = [self.choice.parse(v) for v in value]
        return [v for v in self.values if v in chosen]  # documented order, no duplicates

    def to_v1(self, value):
        return list(value or [])

    def to_v2(self, value):
        return list(value or [])

    def openapi(self):
        return {"type": "array", "items": {"type": "string", "enum": list(self.values)}}


class WebAddress(Text):
    """An http(s) URL a server sends to (WebHook ``webhook_url``); its rule refuses the rest, and OpenAPI says
    which URLs are taken."""


class EventName(Text):
    """The name of an event, one of those the registry declares (WebHook ``event``); its rule refuses the rest,
    and OpenAPI lists them."""


class TextList(FieldType):
    """Several free texts (WebHook ``fields``: field names, dotted for nested values); a JSON array of strings."""

    json_type = "array"
    comparable = False

    def __init__(self, max_items: int = 200, max_length: int = 255):
        self.max_items = max_items
        self.text = Text(max_length)

    def column_type(self):
        return sa.JSON()

    def parse(self, value):
        if value is None or value == "":
            return []
        if not isinstance(value, (list, tuple)):
            raise Invalid("must be a list of strings")
        if len(value) > self.max_items:
            raise Invalid(f"must hold at most {self.max_items} strings")
        if not all(isinstance(v, str) for v in value):
            raise Invalid("must be a list of strings")
        return list(dict.fromkeys(self.text.parse(v) for v in value))  # in the order sent, once each

    def to_v1(self, value):
        return list(value or [])

    def to_v2(self, value):
        return list(value or [])

    def openapi(self):
        return {"type": "array", "items": {"type": "string"}, "maxItems": self.max_items}


class Link(Integer):
    """The id of another record of the same clinic (``target`` is that resource's endpoint name).

    ``expand`` lists the versions whose reads answer the linked record in full, as that version writes it
    (Communication ``sent_as_user`` is a whole User); writes still take its id.
    """

    def __init__(self, target: str, nested: bool = False, expand: tuple[str, ...] = ()):
        self.target = target
        self.nested = nested  # writes may also send a whole new record (Contact's Address objects)
        self.expand = tuple(expand)

    def expands(self, version: str) -> bool:
        return version in self.expand

    def parse(self, value):
        if isinstance(value, (dict, bool)):  # false == 0 would read as "unset"
            raise Invalid(f"must be the id of a {self.target}")
        if value in ("", None, 0, "0"):
            return None
        number = super().parse(value)
        if number < 1:
            raise Invalid("must be a positive record id")
        return number


class LinkOrZero(Link):
    """A link whose "none" is written 0, as the document writes it (PhysicalExam ``historical_record_id``:
    "If 0, the PhysicalExam does not have any previous PhysicalExam", L8810)."""

    def to_v1(self, value):
        return "0" if value is None else str(value)

    def to_v2(self, value):
        return 0 if value is None else value


class Uid(FieldType):
    """A globally unique, opaque identifier made when the record is created (``contact_jGV3Oc…``).

    Opaque text: compared for equality (or ``like``), never ordered; a filter value must be a string.
    """

    comparable = False
    likeable = True

    def __init__(self, prefix: str):
        self.prefix = prefix

    def column_type(self):
        return sa.String(64)

    def parse(self, value):
        if not isinstance(value, str):
            raise Invalid("must be a uid (a string)")
        if len(value) > 64:
            raise Invalid("must be at most 64 characters")
        if "\x00" in value:
            raise Invalid("must not contain NUL characters")
        return value

    def make(self) -> str:
        return f"{self.prefix}_{secrets.token_urlsafe(16).replace('-', 'x').replace('_', 'Z')}"


class Guid(Uid):
    def __init__(self):
        super().__init__("")

    def make(self) -> str:
        return str(uuid.uuid4())


class UidRef(FieldType):
    """Another record named by its uid instead of its id (v2 ContactDetail ``contact_uid``).

    Not stored: on write the engine resolves the uid into the ``via`` link field; on read it is the
    uid of the record that ``via`` names (Separation v2 ``contact_uid``).
    """

    stored = False
    comparable = False

    def __init__(self, target: str, via: str):
        self.target = target  # endpoint name of the record named
        self.via = via  # the Link field of this resource that holds its id

    def parse(self, value):
        if not isinstance(value, str) or not value.strip():
            raise Invalid("must be a record uid")
        return value.strip()


class Timezone(FieldType):
    """A site's IANA timezone; stored as its name, written as ``{name, utc_offset, utc_offset_seconds}``.

    The offsets are derived at the moment of reading, so they follow daylight saving time. v1 writes the
    nested values as strings too (``"43200"``), as it writes every value; v2 writes the seconds as a number.
    """

    json_type = "object"
    comparable = False

    def column_type(self):
        return sa.String(64)

    def parse(self, value):
        name = value.get("name") if isinstance(value, dict) else value
        try:
            ZoneInfo(str(name))
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid("must be an IANA timezone name such as Pacific/Auckland") from None
        return str(name)

    def describe(self, name: str | None, at: datetime | None = None) -> dict | None:
        if not name:
            return None
        offset = (at or datetime.now(UTC)).astimezone(ZoneInfo(name)).utcoffset()
        seconds = int(offset.total_seconds())
        sign = "-" if seconds < 0 else "+"
        hours, minutes = divmod(abs(seconds) // 60, 60)
        return {"name": name, "utc_offset": f"{sign}{hours:02d}:{minutes:02d}", "utc_offset_seconds": seconds}

    def to_v1(self, value):
        described = self.describe(value)
        return {k: str(v) for k, v in described.items()} if described else ""

    def to_v2(self, value):
        return self.describe(value)

    def openapi(self, version: str = "v2"):
        seconds = {"type": "string", "pattern": "^-?[0-9]+$"} if version == "v1" else {"type": "integer"}
        return {
            "type": ["object", "null"],
            "properties": {
                "name": {"type": "string"},
                "utc_offset": {"type": "string"},
                "utc_offset_seconds": seconds,
            },
        }


class RecordRef(FieldType):
    """A polymorphic owner written ``{"Contact": {"id": "5"}}``; stored as a type and an id column."""

    comparable = False

    def __init__(self, *targets: str):
        self.targets = targets  # ezyVet resource titles, e.g. "Contact"

    def columns(self, name):
        return [(f"{name}_type", sa.String(64)), (f"{name}_id", sa.BigInteger())]

    def to_columns(self, name, value):
        return {f"{name}_type": value[0] if value else None, f"{name}_id": value[1] if value else None}

    def from_columns(self, name, row):
        kind, record_id = row.pop(f"{name}_type", None), row.pop(f"{name}_id", None)
        return (kind, record_id) if kind else None

    def parse(self, value):
        if not isinstance(value, dict) or len(value) != 1:
            raise Invalid('must be an object like {"Contact": {"id": 5}}')
        (title, inner), = value.items()
        if title not in self.targets:
            raise Invalid("must name one of " + ", ".join(self.targets))
        record_id = inner.get("id") if isinstance(inner, dict) else inner
        return (title, Integer().parse(record_id))

    def to_v1(self, value):
        return {value[0]: {"id": str(value[1])}} if value else ""

    def to_v2(self, value):
        return {value[0]: {"id": value[1]}} if value else None

    def openapi(self):
        return {"type": ["object", "null"], "additionalProperties": {"type": "object"}}


class Children(FieldType):
    """A list of child records (``contact_detail_list``): objects on write; on read, ids (v1) or the
    whole child objects on the versions listed in ``embed`` (the Contact v2 sample embeds them)."""

    stored = False
    comparable = False

    def __init__(self, target: str, via: str, embed: tuple[str, ...] = ("v2",), optional: tuple[str, ...] = ()):
        self.target = target  # child resource endpoint name
        self.via = via  # the child's field that points back at the parent
        self.embed = tuple(embed)  # versions that write child objects instead of ids
        self.optional = tuple(optional)  # child fields mandatory on their own but not when written in this list

    def embeds(self, version: str) -> bool:
        return version in self.embed

    def to_v1(self, value):
        return [str(v) for v in value or []]

    def to_v2(self, value):
        return list(value or [])

    def openapi(self):
        return {"type": "array", "items": {"type": ["integer", "object"]}}


class TypeName(Choice):
    """The resource half of a polymorphic link (``record_type``, ``associated_type``): one of ``titles``.

    Matched without regard to case, by title ("Consult") or endpoint name ("consult"); stored as the title;
    written as the title, or as ``spell`` makes it on the versions that spell it otherwise (Communication
    answers "contact").
    """

    def __init__(self, *titles: str, spell: dict[str, Callable[[str], str]] | None = None):
        super().__init__(*titles, aliases={t.lower().replace(" ", ""): t for t in titles}, wire_case=spell)
        self.titles = titles


class TypedLink(Link):
    """The id half of a polymorphic link: a record of whichever resource the ``kind`` field names
    (``record_id`` of ``record_type``), checked for existence in the clinic like any link."""

    def __init__(self, kind: str):
        super().__init__(target="")
        self.kind = kind  # the TypeName field of the same resource


class LinkList(FieldType):
    """Several records of ``target`` (Appointment ``resources``), kept in order without repeats.

    Written as ids or ``{"id": n}`` objects; read as id strings on v1 and ``{"id": n}`` objects on v2, as
    the Appointment samples show. Stored as a JSON list; not a filter (JSON equality is not portable).
    """

    json_type = "array"
    comparable = False

    def __init__(self, target: str):
        self.target = target
        self._id = Link(target)

    def column_type(self):
        return sa.JSON()

    def parse(self, value):
        if value is None or value == "":
            return []
        if not isinstance(value, (list, tuple)):
            raise Invalid(f"must be a list of {self.target} ids")
        ids = []
        for item in value:
            raw = item.get("id") if isinstance(item, dict) else item
            record_id = self._id.parse(raw)
            if record_id is None:
                raise Invalid(f"must list positive {self.target} ids")
            if record_id not in ids:
                ids.append(record_id)
        return ids

    def to_v1(self, value):
        return [str(v) for v in value or []]

    def to_v2(self, value):
        return [{"id": v} for v in value or []]

    def openapi(self):
        return {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}}}}


class Day(FieldType):
    """A calendar day (no time of day): stored as a date. The ezyVet wire speaks it as the epoch second of
    its midnight in UTC; a day is also accepted as ``YYYY-MM-DD``. Provet speaks ``YYYY-MM-DD``."""

    json_type = "integer"

    def column_type(self):
        return sa.Date()

    def parse(self, value):
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and re.fullmatch(r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*", value):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                raise Invalid("must be a real calendar day (YYYY-MM-DD)") from None
        seconds = Epoch().parse(value)
        try:
            return datetime.fromtimestamp(seconds, UTC).date()
        except (OverflowError, OSError, ValueError):
            raise Invalid("is out of the calendar's range") from None

    @staticmethod
    def epoch(value: date | None) -> int | None:
        return None if value is None else calendar.timegm(value.timetuple())

    def to_v1(self, value):
        return "" if value is None else str(self.epoch(value))

    def to_v2(self, value):
        return self.epoch(value)

    def openapi(self):
        return {"type": ["integer", "null"], "description": "a calendar day, as the epoch second of its UTC midnight"}


@dataclass(frozen=True, slots=True)
class Upload:
    """A file sent in a multipart body: its name and type as the client gave them, and where its bytes are
    kept (the key of the file store: the SHA-256 of the bytes) and how many there are."""

    filename: str
    content_type: str
    key: str
    size: int


class FileData(FieldType):
    """The bytes of a file, sent as a multipart/form-data part; write-only (the record keeps what they are)."""

    stored = False
    comparable = False

    def parse(self, value):
        if not isinstance(value, Upload):
            raise Invalid("must be a file, sent as a part of a multipart/form-data body")
        return value

    def openapi(self):
        return {"type": "string", "format": "binary"}


class Computed(FieldType):
    """A value worked out when the record is read (a signed download link), never stored or written.

    ``function`` names a function registered in ``openvet.services`` (``@computed``) that takes the
    record and the reading's view (base URL, moment, signing key); ``shown_as`` says how it is written.
    """

    stored = False
    comparable = False

    def __init__(self, function: str, shown_as: FieldType | None = None):
        self.function = function
        self.shown_as = shown_as or Text()
        self.json_type = self.shown_as.json_type

    def to_v1(self, value):
        return self.shown_as.to_v1(value)

    def to_v2(self, value):
        return self.shown_as.to_v2(value)

    def openapi(self):
        return self.shown_as.openapi()


class ContextDefault:
    """A default that depends on the write: the moment (``NOW``, "Current epoch") or who is calling."""

    def __init__(self, name: str, doc: str):
        self.name = name
        self.doc = doc

    def __repr__(self) -> str:
        return self.name


NOW = ContextDefault("now", "the moment of the request")
CALLER = ContextDefault("caller", "the credentials that made the request")
PARTNER = ContextDefault("partner", "the partner (third party) whose credentials made the request")
ACTING_USER = ContextDefault("acting user", "the User the calling credentials act as")


class JsonObject(FieldType):
    """A nested value object kept as it was sent (Communication ``template``): a JSON object, or null."""

    json_type = "object"
    comparable = False

    def column_type(self):
        return sa.JSON()

    def parse(self, value):
        if not isinstance(value, dict):
            raise Invalid("must be a JSON object")
        if len(orjson.dumps(value)) > 65536:
            raise Invalid("must be at most 64 KiB of JSON")
        return value

    def to_v1(self, value):
        return value

    def to_v2(self, value):
        return value

    def openapi(self):
        return {"type": ["object", "null"]}


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a resource, as the ezyVet document describes it.

    ``name`` is the stored name and the v1 wire name; ``wire`` renames it per version
    (ContactDetail's ``contact_detail_type_id`` is ``type_id`` on v2); a dotted wire name puts the value
    in a nested object (Appointment v1 ``details.animal_id``). ``mandatory`` applies on create (True, or
    the versions that mark it: ContactDetail's type ``("v2",)``), ``required_on_update`` on every update.
    ``read`` false makes a write-only input (a command such as Appointment ``cancel``), ``store`` false a
    value that is never a column (rules act on it).
    """

    name: str
    type: FieldType
    filter: bool = True
    create: bool = True
    update: bool = True
    mandatory: bool | tuple[str, ...] = False
    default: Any = None
    versions: tuple[str, ...] = VERSIONS
    wire: dict[str, str] = field(default_factory=dict)
    doc: str = ""
    index: bool = False
    required_on_update: bool = False
    read: bool = True
    store: bool = True

    def wire_name(self, version: str) -> str:
        return self.wire.get(version, self.name)

    def leaf_name(self, version: str) -> str:
        """The name within its object: ``animal_id`` for ``details.animal_id`` (filters use it)."""
        return self.wire_name(version).rsplit(".", 1)[-1]

    def mandatory_on(self, version: str | None) -> bool:
        """Whether a create on ``version`` must set it (None, the engine's own writes, reads as v1)."""
        return self.mandatory is True or (isinstance(self.mandatory, tuple) and (version or "v1") in self.mandatory)

    @property
    def stored(self) -> bool:
        return self.type.stored and self.store


def system_fields(title: str) -> tuple[Field, ...]:
    """The fields every record has; read-only to clients except ``active``."""
    return (
        Field("id", Integer(), create=False, update=False, doc=f"The ID of the {title}."),
        # a record may be created inactive, as the Consult, PhysicalExam and DiagnosticResult bodies allow (L3164)
        Field("active", Boolean(), create=True, update=True, default=True,
              doc=f"If true, the {title} is active and usable."),
        Field("created_at", Epoch(), create=False, update=False, doc=f"When the {title} was created."),
        Field("modified_at", Epoch(), create=False, update=False, index=True,
              doc=f"When the {title} was last modified."),
    )
