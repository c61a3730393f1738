"""JSON Schemas of field values, one per field type, for what the server answers and what it accepts.

Each schema says what the type's ``parse`` (``resources/fields.py``) and the write pipeline accept, no more
and no less where a schema can say it, so that generated clients and fuzzers agree with the server: a blank
mandatory value is refused (``minLength`` and a non-space character), ids stay within 64 bits, a filter's
JSON form only admits JSON the filter parser accepts. Answers: v1 writes strings (unset: ""), v2 and the
typed v1 endpoints (Communication…) typed JSON.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from openvet.ezyvet.filters import MAX_VALUE as FILTER_TEXT_MAX
from openvet.resources.fields import (
    BIGINT_MAX,
    BIGINT_MIN,
    Boolean,
    Children,
    Choice,
    ChoiceList,
    Computed,
    ContextDefault,
    Day,
    Epoch,
    EventName,
    Field,
    FieldType,
    FileData,
    Integer,
    JsonObject,
    Link,
    LinkList,
    LinkOrZero,
    Number,
    RecordRef,
    Text,
    TextList,
    Timezone,
    Uid,
    UidRef,
    WebAddress,
)

SCHEMAS = "#/components/schemas/"
ID_MAX = BIGINT_MAX
BLANK = r"[^\s\x1c-\x1f\x85]"  # a character str.strip() keeps: a blank mandatory value is refused

# What a webhook_url takes, said as a pattern: http(s), a host name (letters first, not localhost), an optional
# port of 1 to 65535, then anything without spaces. The server takes more (public IP addresses, capitals).
_PORT = "(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
_LABEL = "[a-z][a-z0-9-]{0,62}"
WEB_ADDRESS = (rf"^https?://(?!localhost([:/?#]|$))(?![^/?#:]*\.localhost([:/?#]|$))"
               rf"{_LABEL}(\.{_LABEL})*(:{_PORT})?([/?#][^\s\x00]*)?$")


def ref(name: str) -> dict:
    return {"$ref": SCHEMAS + name}


def jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def ci(word: str) -> str:
    """A case-insensitive regular expression for ``word`` (JSON Schema patterns take no flags)."""
    out = []
    for c in word:
        if c.isalpha() and c.lower() != c.upper():
            out.append(f"[{c.lower()}{c.upper()}]")
        else:
            out.append(re.escape(c) if c not in " -" else ("\\-" if c == "-" else " "))
    return "".join(out)


# Answers --------------------------------------------------------------------------------------------

DIGITS = {"type": "string", "pattern": "^[0-9]+$"}
UNSET = {"const": ""}


def read_schema(field: Field, version: str, typed: bool) -> dict:
    """A field's value in an answer. ``typed``: as v2 writes it (and the typed v1 endpoints); else v1's
    strings. Embedded children and whole linked records are referenced by their record schema."""
    kind = field.type
    if isinstance(kind, Children):
        if kind.embeds(version):
            schema = {"type": "array", "items": ref(record_name(kind.target, version, typed))}
        else:
            schema = {"type": "array", "items": {"type": "integer", "minimum": 1} if typed else DIGITS}
    elif isinstance(kind, Link) and kind.expands(version):
        schema = {"anyOf": [ref(record_name(kind.target, version, typed)), {"type": "null"}],
                  "description": f"The whole {kind.target} record."}
    elif typed:
        schema = _read_typed(kind, version)
    else:
        schema = _read_strings(kind, version)
    return describe(schema, field)


def record_name(target: str, version: str, typed: bool) -> str:
    """The record schema of ``target``: typed or not as the answer embedding it (a child of a typed v1
    answer is typed too)."""
    from openvet.resources import REGISTRY

    own = REGISTRY[target].typed(version)
    return f"{target}.{version}.Record" if typed == own else f"{target}.{version}.{'Typed' if typed else 'Plain'}Record"


def _read_typed(kind: FieldType, version: str) -> dict:
    if isinstance(kind, Computed):
        schema = _read_typed(kind.shown_as, version)
        schema.pop("maxLength", None)
        return schema
    if isinstance(kind, RecordRef):
        return record_ref(kind, {"type": "integer"}, nullable=True)
    if isinstance(kind, Timezone):
        return kind.openapi("v2")
    if isinstance(kind, (ChoiceList, TextList)):
        return kind.openapi()
    if isinstance(kind, Choice):
        return {"type": ["string", "null"], "enum": [*kind.spelled(version), None]}
    if isinstance(kind, LinkList):
        return {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer", "minimum": 1}},
                                           "required": ["id"]}}
    if isinstance(kind, LinkOrZero):  # "none" is written 0 (Invoice v2 approved_by, L6945)
        return {"type": "integer", "minimum": 0}
    if isinstance(kind, Link):
        return {"type": ["integer", "null"], "minimum": 1}
    if isinstance(kind, Day):
        return {"type": ["integer", "null"], "description": "a calendar day: the epoch second of its UTC midnight"}
    if isinstance(kind, JsonObject):
        return {"type": ["object", "null"]}
    if isinstance(kind, Text):
        return {"type": ["string", "null"], "maxLength": kind.max_length}
    return {"type": [kind.json_type, "null"]}


def _read_strings(kind: FieldType, version: str) -> dict:
    if isinstance(kind, Computed):  # a list worked out (an invoice's linked_payments) is a list on v1 too
        return kind.shown_as.openapi() if kind.shown_as.json_type == "array" else {"type": "string"}
    if isinstance(kind, Timezone):
        return {"anyOf": [{**kind.openapi("v1"), "type": "object"}, UNSET]}
    if isinstance(kind, RecordRef):
        return {"anyOf": [record_ref(kind, DIGITS), UNSET]}
    if isinstance(kind, (ChoiceList, TextList)):
        return kind.openapi()
    if isinstance(kind, Choice):
        return {"type": "string", "enum": [*kind.spelled(version), ""]}
    if isinstance(kind, LinkList):
        return {"type": "array", "items": DIGITS}
    if isinstance(kind, JsonObject):
        return {"type": ["object", "null"]}
    if isinstance(kind, Boolean):
        return {"type": "string", "enum": ["1", "0", ""], "description": "1 (true), 0 (false) or empty"}
    if isinstance(kind, Day):
        return {"type": "string", "pattern": "^(-?[0-9]+)?$",
                "description": "a calendar day: the epoch second of its UTC midnight"}
    if isinstance(kind, (Integer, Epoch)):
        return {"type": "string", "pattern": "^(-?[0-9]+)?$"}
    if isinstance(kind, Number):
        fraction = rf"\.[0-9]{{{kind.scale}}}" if kind.scale else ""
        return {"type": "string", "pattern": rf"^(-?[0-9]+{fraction})?$"}
    if isinstance(kind, Text):
        return {"type": "string", "maxLength": kind.max_length}
    return {"type": "string"}


def record_ref(kind: RecordRef, id_schema: dict, nullable: bool = False) -> dict:
    """``{"Contact": {"id": 5}}``: one key, the title of the record's resource."""
    return {
        "type": ["object", "null"] if nullable else "object",
        "minProperties": 1,
        "maxProperties": 1,
        "propertyNames": {"enum": list(kind.targets)},
        "additionalProperties": {"type": "object", "properties": {"id": id_schema}, "required": ["id"]},
    }


def describe(schema: dict, field: Field) -> dict:
    doc = field.doc
    if "description" in schema:
        doc = f"{doc} ({schema.pop('description')})" if doc else schema.pop("description")
    if doc:
        schema["description"] = doc
    if not field.create and not field.update:
        schema["readOnly"] = True
    return schema


# Bodies ---------------------------------------------------------------------------------------------

# Python's str.strip() takes away more than the \s of a JSON Schema (ECMA) pattern: the separators \x1c-\x1f and
# NEL \x85 too. The patterns name them, so that a generator's "not blank" is the server's.
STRIPPED = r"\s\x1c-\x1f\x85"
SPACE = rf"[{STRIPPED}]*"
POSITIVE_ID = r"0{0,8}[1-9][0-9]{0,17}"  # a positive id of at most 18 digits (ASCII only)


def digits_up_to(maximum: int) -> str:
    """A regular expression for the whole numbers 1 to ``maximum`` written in ASCII digits, no leading zero:
    every shorter length, then the numbers of the same length digit by digit (JSON Schema has no numeric
    bound for a string)."""
    top = str(maximum)
    parts = [rf"[1-9][0-9]{{0,{len(top) - 2}}}"] if len(top) > 1 else []
    for i, digit in enumerate(top):
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            rest = len(top) - i - 1
            parts.append(top[:i] + f"[{low}-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    parts.append(top)
    return "(" + "|".join(parts) + ")"
WHOLE = r"-?[0-9]{1,18}"


def nullable(field: Field, version: str) -> bool:
    """Whether a body may send null: "unset" is refused for a mandatory field and one with a default."""
    if isinstance(field.type, LinkList):
        return True
    return not field.mandatory_on(version) and field.default is None


def required_value(field: Field, version: str, operation: str) -> bool:
    """Whether a blank value is refused: a mandatory field (on create, or when an update sends it) and one
    the version requires on every update."""
    return field.mandatory_on(version) or (operation == "update" and field.required_on_update)


def write_schema(field: Field, version: str, operation: str) -> dict:
    """A field's value in a JSON body: what its type's ``parse`` accepts; null where the field may be unset,
    never a blank value where it is required."""
    kind = field.type
    required = required_value(field, version, operation)
    schema = value_schema(kind, version, required)
    if nullable(field, version) and not required:
        schema = _or_null(schema)
    if isinstance(field.default, ContextDefault) and operation == "create":
        schema["description"] = f"{schema.get('description', '')} When not sent: {field.default.doc}.".strip()
    elif field.default is not None and operation == "create" and not isinstance(kind, Children):
        schema["default"] = jsonable(field.default)
    return describe(schema, field)


def _or_null(schema: dict) -> dict:
    if "anyOf" in schema:
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    kinds = schema.get("type")
    if isinstance(kinds, str):
        return {**schema, "type": [kinds, "null"], **({"enum": [*schema["enum"], None]} if "enum" in schema else {})}
    return {"anyOf": [schema, {"type": "null"}]}


def value_schema(kind: FieldType, version: str, required: bool) -> dict:
    """What ``kind.parse`` accepts (null aside). ``required``: a value that reads as "unset" is refused."""
    if isinstance(kind, RecordRef):
        return record_ref(kind, {"anyOf": [{"type": "integer", "minimum": BIGINT_MIN, "maximum": ID_MAX},
                                          {"type": "string", "pattern": rf"^{SPACE}{WHOLE}{SPACE}$"}]})
    if isinstance(kind, Timezone):
        return {"anyOf": [{"type": "string", "minLength": 1},
                          {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}],
                "description": "an IANA timezone name, e.g. Pacific/Auckland"}
    if isinstance(kind, ChoiceList):
        item = choice_schema(kind.choice, version)
        part = rf"{SPACE}(({_choice_words(kind.choice)}){SPACE})?"  # a word between commas, or nothing
        return {"anyOf": [{"type": "array", "items": item},
                          {"type": "string", "pattern": rf"^{part}(,{part})*$", "description": "comma-separated"}]}
    if isinstance(kind, Choice):
        return choice_schema(kind, version)
    if isinstance(kind, WebAddress):
        return {"type": "string", "maxLength": kind.max_length, "pattern": WEB_ADDRESS,
                "description": "an http(s) URL of a public host (a loopback, link-local or private address is "
                               "refused unless the server allows it; an address is shown here by name only)"}
    if isinstance(kind, EventName):
        from openvet.resources import REGISTRY  # (the registry is built from these types: named late)

        return {"type": "string", "enum": sorted(n for r in REGISTRY.values() for n in r.event_names())}
    if isinstance(kind, TextList):
        return {"anyOf": [{"type": "array", "maxItems": kind.max_items,
                           "items": {"type": "string", "maxLength": kind.text.max_length, "pattern": "^[^\\x00]*$"}},
                          {"const": ""}]}
    if isinstance(kind, Boolean):
        return boolean_input(blank=False) if required else ref("BooleanInput")
    if isinstance(kind, LinkList):
        one = link_schema(required=True)
        return {"anyOf": [{"type": "array", "items": {"anyOf": [one, {"type": "object", "properties": {"id": one},
                                                                         "required": ["id"]}]}},
                          {"const": ""}],
                "description": f"ids of {kind.target}, or {{\"id\": n}} objects"}
    if isinstance(kind, Link):
        return link_schema(required)
    if isinstance(kind, Day):
        return {"anyOf": [_epoch(), {"type": "string", "pattern": rf"^{SPACE}[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}{SPACE}$",
                                     "format": "date"}],
                "description": "a calendar day: YYYY-MM-DD, or an epoch second of it"}
    if isinstance(kind, Epoch):
        return _epoch()
    if isinstance(kind, Integer):
        if kind.minimum is not None:  # 0: not negative; 1: positive; up to maximum
            top = kind.maximum if kind.maximum is not None else BIGINT_MAX
            digits = f"0*{digits_up_to(top)}" if kind.minimum == 1 else f"(0+|0*{digits_up_to(top)})"
            return {"anyOf": [{"type": "integer", "minimum": kind.minimum, "maximum": top},
                              {"type": "string", "pattern": rf"^{SPACE}{digits}{SPACE}$"}]}
        return {"anyOf": [{"type": "integer", "minimum": BIGINT_MIN, "maximum": BIGINT_MAX},
                          {"type": "string", "pattern": rf"^{SPACE}{WHOLE}{SPACE}$"}]}
    if isinstance(kind, Number):
        return number_schema(kind)
    if isinstance(kind, Text):
        return text_schema(kind, required)
    if isinstance(kind, UidRef):
        return {"type": "string", "pattern": BLANK, "description": f"the uid of a {kind.target}"}
    if isinstance(kind, Uid):
        return {"type": "string", "maxLength": 64, "pattern": "^[^\x00]*$"}
    if isinstance(kind, JsonObject):  # a shape where its keys are known (WellnessPlanBenefit benefit_config)
        return dict(getattr(kind, "shape", None) or {"type": "object", "description": "a JSON object (at most 64 KiB)"})
    if isinstance(kind, FileData):
        return {"type": "string", "format": "binary"}
    return {"type": "string"}


def link_schema(required: bool) -> dict:
    """An id of a record: a positive integer of at most 64 bits, or its digits; 0, "0" and "" unset the
    link where it may be unset."""
    digits = rf"^{SPACE}{POSITIVE_ID}{SPACE}$" if required else rf"^({SPACE}{POSITIVE_ID}{SPACE}|0?)$"
    return {"anyOf": [{"type": "integer", "minimum": 1 if required else 0, "maximum": ID_MAX},
                      {"type": "string", "pattern": digits}]}


def _epoch() -> dict:
    """Epoch seconds: a whole number, or a decimal that is floored; at most 64 bits."""
    return {"anyOf": [{"type": "integer", "minimum": BIGINT_MIN, "maximum": BIGINT_MAX},
                      {"type": "number", "minimum": -9e18, "maximum": 9e18},
                      {"type": "string", "pattern": rf"^{SPACE}-?[0-9]{{1,18}}(\.[0-9]{{1,20}})?{SPACE}$"}],
            "description": "epoch seconds (UTC)"}


def number_schema(kind: Number) -> dict:
    """An exact decimal: its magnitude stays under 10^(precision - scale); more decimals are rounded."""
    limit = 10 ** (kind.precision - kind.scale)
    whole = kind.precision - kind.scale
    if kind.above is not None:  # more than 0: a non-zero digit somewhere, no sign
        text = rf"(0*[1-9][0-9]{{0,{whole - 1}}}(\.[0-9]{{1,20}})?|0*\.[0-9]{{0,19}}[1-9][0-9]{{0,19}})"
        return {"anyOf": [{"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": limit},
                          {"type": "string", "pattern": rf"^{SPACE}{text}{SPACE}$"}],
                "description": f"an exact decimal more than 0, rounded to {kind.scale} places"}
    if kind.minimum is not None:  # not negative: no sign
        return {"anyOf": [{"type": "number", "minimum": 0, "exclusiveMaximum": limit},
                          {"type": "string", "pattern": rf"^{SPACE}[0-9]{{1,{whole}}}(\.[0-9]{{1,20}})?{SPACE}$"}],
                "description": f"an exact decimal, not negative, rounded to {kind.scale} places"}
    return {"anyOf": [{"type": "number", "exclusiveMinimum": -limit, "exclusiveMaximum": limit},
                      {"type": "string", "pattern": rf"^{SPACE}-?[0-9]{{1,{whole}}}(\.[0-9]{{1,20}})?{SPACE}$"}],
            "description": f"an exact decimal, rounded to {kind.scale} places"}


def text_schema(kind: Text, required: bool) -> dict:
    """Text of at most ``max_length`` characters, without NUL; a whole number or a boolean is taken as its
    text (true: "1"). A required text must hold a character that is not a space."""
    pattern = rf"^[^\x00]*[^{STRIPPED}\x00][^\x00]*$" if required else r"^[^\x00]*$"
    text = {"type": "string", "maxLength": kind.max_length, "pattern": pattern}
    if required:
        text["minLength"] = 1
    n = kind.max_length  # a whole number's digits must fit too (JSON numbers past 2^64 are fractions)
    high, low = min(10**n - 1, 2**64 - 1), max(-(10 ** (n - 1) - 1), BIGINT_MIN)
    forms = [text, {"type": "integer", "minimum": low, "maximum": high}, {"type": "boolean"}]
    return {"anyOf": forms}


def _choice_words(kind: Choice) -> str:
    words = sorted(set(kind._lookup), key=lambda w: (-len(w), w))
    return "|".join(ci(w) for w in words)


def choice_schema(kind: Choice, version: str) -> dict:
    """One of the values, in any case (aliases too: "Kilogram" is kg)."""
    out: list[dict] = [{"type": "string", "enum": list(kind.spelled(version))},
                       {"type": "string", "pattern": rf"^{SPACE}({_choice_words(kind)}){SPACE}$"}]
    numbers = [int(v) for v in kind._lookup if re.fullmatch(r"[0-9]+", v)]
    if numbers:
        out.append({"type": "integer", "enum": sorted(numbers)})
    return {"anyOf": out, "description": "matched without regard to case"}


def boolean_input(blank: bool = True) -> dict:
    """What ``Boolean.parse`` accepts: true/false, 1/0, and yes/no, on/off, y/n in any case ("" is false, unless
    the field is mandatory: ``blank`` false)."""
    words = "|".join(ci(w) for w in sorted(Boolean._true | Boolean._false, key=lambda w: (-len(w), w)) if w)
    return {"anyOf": [{"type": "boolean"}, {"type": "integer", "enum": [0, 1]},
                      {"type": "string", "pattern": rf"^{SPACE}({words}){'?' if blank else ''}{SPACE}$"}],
            "description": "true/false, 1/0, yes/no, on/off, y/n"}


def form_schema(field: Field, version: str) -> dict:
    """A field sent as a form part (multipart/form-data or a urlencoded form): text, read as the JSON
    string form would be; the file part is binary."""
    if isinstance(field.type, FileData):
        return describe({"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"},
                        field)
    required = required_value(field, version, "create")
    schema = value_schema(field.type, version, required)
    strings = [s for s in _branches(schema) if s.get("type") == "string" or "const" in s]
    if isinstance(field.type, Boolean):
        strings = [boolean_input()["anyOf"][2]]
    form = {"anyOf": strings} if len(strings) > 1 else (strings[0] if strings else {"type": "string"})
    return describe(dict(form), field)


def _branches(schema: dict) -> list[dict]:
    return schema.get("anyOf", [schema])


# Filters --------------------------------------------------------------------------------------------

JSON_TEXT = r'[^"\\\x00-\x1f]'  # a character of a JSON string that needs no escape
JSON_WORD = r'[^\s"\\\x00-\x1f]'
FRACTION = r"\.[0-9]{0,19}[1-9]"  # a fraction that is not zero: between two whole values, matches exactly


def filter_plain(kind: FieldType, version: str) -> dict:
    """A filter's plain value (``?name=Rex``: equal to it), as ``ezyvet/filters.py`` reads it (stripped)."""
    if isinstance(kind, LinkList):
        return {"type": "string", "pattern": rf"^{SPACE}{POSITIVE_ID}{SPACE}$"}
    if isinstance(kind, Link):  # 0 asks for "unset"; a fraction matches nothing
        return {"type": "string", "pattern": rf"^{SPACE}(0|{POSITIVE_ID}|-?[0-9]{{1,18}}{FRACTION}){SPACE}$"}
    if isinstance(kind, Epoch):
        return {"type": "string", "pattern": rf"^{SPACE}-?[0-9]{{1,18}}(\.[0-9]{{1,20}})?{SPACE}$"}
    if isinstance(kind, Integer):
        return {"type": "string", "pattern": rf"^{SPACE}(-?[0-9]{{1,18}}|-?[0-9]{{1,18}}{FRACTION}){SPACE}$"}
    if isinstance(kind, Number):
        whole = kind.precision - kind.scale
        return {"type": "string", "pattern": rf"^{SPACE}-?[0-9]{{1,{whole}}}(\.[0-9]{{1,20}})?{SPACE}$"}
    if isinstance(kind, Boolean):
        return {"type": "string", "pattern": boolean_input()["anyOf"][2]["pattern"].replace(")?", ")")}
    if isinstance(kind, Choice):
        return {"type": "string", "pattern": rf"^{SPACE}({_choice_words(kind)}){SPACE}$"}
    longest = kind.max_length if isinstance(kind, Text) else 64
    # text: anything but a blank and not "{" first (the JSON form), at most ``longest`` once stripped
    inner = (rf"[^{STRIPPED}{{\x00]([^\x00]{{0,{longest - 2}}}[^{STRIPPED}\x00])?" if longest > 1
             else rf"[^{STRIPPED}{{\x00]")
    return {"type": "string", "maxLength": FILTER_TEXT_MAX, "pattern": rf"^{SPACE}{inner}{SPACE}$"}


def _json_value(kind: FieldType, version: str, op: str) -> str:
    """A regular expression for one JSON value that comparator ``op`` accepts for ``kind``."""
    if isinstance(kind, (Link, LinkList)):
        number = r"(0|[1-9][0-9]{0,17})" if not isinstance(kind, LinkList) else r"[1-9][0-9]{0,17}"
    elif isinstance(kind, (Integer, Epoch)):
        number = r"-?(0|[1-9][0-9]{0,17})"
    elif isinstance(kind, Number):
        number = rf"-?(0|[1-9][0-9]{{0,{kind.precision - kind.scale - 1}}})(\.[0-9]{{1,{kind.scale or 1}}})?"
    elif isinstance(kind, Boolean):
        number = r"(true|false|0|1)"
    elif isinstance(kind, Choice):
        number = rf'"({_choice_words(kind)})"'
    else:
        longest = min(kind.max_length if isinstance(kind, Text) else 64, 64)
        number = rf'"{JSON_TEXT}{{0,8}}{JSON_WORD}{JSON_TEXT}{{0,{max(longest - 9, 0)}}}"'
    if op == "like":
        return rf'"{JSON_TEXT}{{0,32}}"'
    if op == "in":
        return rf"\[({number}(,{number}){{0,9}})?\]"
    if op in ("eq", "neq") and not isinstance(kind, (UidRef, LinkList)):
        return rf"({number}|null)"
    return number


def comparators(kind: FieldType) -> list[str]:
    """The comparators a field accepts, by name (symbols follow their names)."""
    if isinstance(kind, (UidRef, LinkList)):
        return ["eq", "in"]
    names = ["eq", "neq", "in"]
    if kind.comparable:
        names += ["lt", "lte", "gt", "gte"]
    if kind.likeable:
        names.append("like")
    return names


def spellings(name: str) -> list[str]:
    from openvet.ezyvet.filters import SYMBOLS

    return [name] + [s for s, n in SYMBOLS.items() if n == name]


def filter_json(kind: FieldType, version: str) -> dict:
    """The JSON form: an object of comparators, as a pattern that only admits JSON the parser takes."""
    # comparators that take the same values share one branch ("(lt|<|lte|<=|...)": ?number): the same
    # language as one branch per comparator, in half the pattern, which a generator builds twice as fast
    keys_of: dict[str, list[str]] = {}
    for name in comparators(kind):
        keys_of.setdefault(_json_value(kind, version, name), []).extend(spellings(name))
    pair = "(" + "|".join(rf'"({"|".join(re.escape(s) for s in keys)})": ?{value}'
                          for value, keys in keys_of.items()) + ")"
    value = {"type": "string", "maxLength": FILTER_TEXT_MAX, "pattern": rf"^\{{{pair}(, ?{pair}){{0,3}}\}}$",
             "contentMediaType": "application/json",
             "contentSchema": {"type": "object", "minProperties": 1,
                               "propertyNames": {"enum": [s for n in comparators(kind) for s in spellings(n)]}},
             "description": "a JSON object of comparators"}
    return value


def filter_schema(kind: FieldType, version: str, op: str | None = None) -> dict:
    """A query parameter's schema: the plain value, or (``op`` None) also the JSON comparators."""
    plain = filter_plain(kind, version)
    if op is not None:  # a parameter that compares one way (time_range_start: start_at gte)
        return plain
    return {"anyOf": [plain, filter_json(kind, version)]}
