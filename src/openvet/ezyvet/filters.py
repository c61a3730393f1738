"""The ezyVet filter language: ``?name=Rex`` or URL-encoded JSON comparators ``?modified_at={">":1,"<=":9}``.

Comparators go by name or by symbol (lt <, lte <=, eq =, gte >=, gt >, neq, like, in), several per field.
``like`` means "contains" (L128: ``{"like": "250ml"}`` finds "Amoxicillin 250ml tabs"): the value matched
anywhere in the field, its ``%`` and ``_`` still wildcards, case-insensitive for A-Z.
Anything that cannot be understood is refused with a message naming the parameter: a filter is never
silently dropped. A blank value is refused too, never read as "unset": one empty template variable in a
client would turn a DELETE by filter into a mass write. "Unset" is asked for explicitly: ``{"eq": null}``.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import orjson

from openvet.engine import Condition, Problem
from openvet.resources import Resource
from openvet.resources.fields import (
    Boolean,
    Epoch,
    Field,
    Integer,
    Invalid,
    Link,
    LinkList,
    Number,
    UidRef,
    decimal_of,
    in_range,
)

SYMBOLS = {"<": "lt", "<=": "lte", "=": "eq", ">=": "gte", ">": "gt", "!=": "neq", "<>": "neq"}
NAMES = ("lt", "lte", "eq", "gte", "gt", "neq", "like", "in")
PAGING = ("limit", "page")
MAX_VALUE = 1000  # characters of one parameter: a URL stays far under the HTTP server's 64 KiB request line


class FilterError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def parse_filters(resource: Resource, version: str, params: dict[str, str]) -> list[Condition]:
    """Query parameters (last value of each key) -> conditions; raises FilterError naming every bad one."""
    filters = resource.filter_map(version)
    aliases = resource.endpoints[version].filters if version in resource.endpoints else {}
    conditions: list[Condition] = []
    problems: list[Problem] = []
    for key, raw in params.items():
        if key in PAGING:
            continue
        if len(raw) > MAX_VALUE:
            problems.append(Problem(key, f"is too long: a filter value is at most {MAX_VALUE} characters"))
            continue
        if key in aliases:  # a parameter that compares a field one way (time_range_start: start_at >=)
            name, op = aliases[key]
            try:
                if not raw.strip():
                    raise Invalid(BLANK)
                conditions += _compare(resource.field_map[name], op, raw.strip())
            except Invalid as error:
                problems.append(Problem(key, str(error)))
            continue
        field = filters.get(key)
        if field is None:
            problems.append(Problem(key, f"is not a filter of {resource.title} ({version})"))
            continue
        try:
            conditions += _conditions(field, raw)
        except Invalid as error:
            problems.append(Problem(key, str(error)))
    if problems:
        raise FilterError(problems)
    return conditions


BLANK = ('is blank: a filter needs a value (an empty one would match every record where it is unset). '
         'To find records where it is unset, send {"eq": null}; where it is set, {"neq": null}')


def _conditions(field: Field, raw: str) -> list[Condition]:
    text = raw.strip()
    if not text:
        raise Invalid(BLANK)
    if text.startswith("{"):
        try:
            comparators = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise Invalid("is not valid JSON: comparators are written like {\">\": 5, \"<\": 10}") from None
        if not isinstance(comparators, dict) or not comparators:
            raise Invalid("must be a JSON object of comparators, like {\">\": 5}")
        return [c for op, value in comparators.items() for c in _compare(field, _operator(op), value)]
    return _compare(field, "eq", text)


def _operator(op: str) -> str:
    name = SYMBOLS.get(op.strip(), op.strip().lower())
    if name not in NAMES:
        raise Invalid(f"unknown comparator {op!r}; use one of lt <, lte <=, eq =, gte >=, gt >, neq, like, in")
    return name


def _compare(field: Field, op: str, value: Any) -> list[Condition]:
    kind = field.type
    if isinstance(kind, (UidRef, LinkList)):
        return _named(field, op, value)
    column = field.type.columns(field.name)[-1][0]
    if op != "like" and _blank(value):
        raise Invalid(BLANK)
    if op == "in":
        if not isinstance(value, list):
            raise Invalid("the in comparator takes a JSON list, like {\"in\": [1, 2]}")
        if any(_blank(v) for v in value):
            raise Invalid(BLANK)
        # A value off the field's grid (a fraction for a whole number) can equal nothing: it is dropped.
        return [Condition(column, "in", [_value(field, v) for v in value if _off_grid(field, v) is None])]
    if op == "like":
        if not kind.likeable:
            raise Invalid("like compares text only")
        if not isinstance(value, str):
            raise Invalid("like takes a text pattern, like {\"like\": \"Bel\"}")
        if "\x00" in value:  # no stored text holds one (PostgreSQL cannot)
            raise Invalid("must not contain NUL characters")
        return [Condition(column, "contains", value.strip())]
    if op in ("lt", "lte", "gt", "gte") and not kind.comparable:
        raise Invalid(f"{op} does not apply to this field")
    if op in ("lt", "lte", "gt", "gte") and value is None:
        raise Invalid(f"{op} needs a value; to find unset fields use {{\"eq\": null}}")
    off_grid = _off_grid(field, value)
    if off_grid is not None:
        return _between_steps(column, op, *off_grid)
    parsed = _value(field, value)
    if parsed is None and op in ("lt", "lte", "gt", "gte") and isinstance(field.type, Integer):
        parsed = Integer.parse(field.type, value)  # a link's 0 means "none" when written, 0 when compared
    return [Condition(column, op, parsed)]


def _named(field: Field, op: str, value: Any) -> list[Condition]:
    """A uid (``animal_uid``: the record whose link names the Animal with that uid) or a list of links
    (``department_ids``: the records whose list holds that id): compared for equality, or ``in``, only."""
    if op not in ("eq", "in"):
        raise Invalid(f"{op} does not apply to this field: use a value, or {{\"in\": [...]}}")
    values = value if op == "in" else [value]
    if not isinstance(values, list):
        raise Invalid("the in comparator takes a JSON list, like {\"in\": [1, 2]}")
    kind = field.type
    if isinstance(kind, UidRef):
        uids = [kind.parse(v) for v in values]
        return [Condition(kind.via, "uid_in", (kind.target, uids))]
    ids = []
    for item in values:
        parsed = Link(kind.target).parse(item.strip() if isinstance(item, str) else item)
        if parsed is None:
            raise Invalid(f"must be a positive {kind.target} id")
        ids.append(parsed)
    return [Condition(field.name, "holds", ids)]


def _blank(value: Any) -> bool:
    """A value that is only spaces, or nothing: what an empty template variable gives, never a value."""
    return isinstance(value, str) and not value.strip()


def _value(field: Field, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
    if value is None:
        return None
    if isinstance(field.type, Boolean) and isinstance(value, str) and value == "":
        raise Invalid("must be a boolean (true/false or 1/0)")
    return field.type.parse(value)


def _off_grid(field: Field, value: Any) -> tuple[Decimal, Decimal] | None:
    """(value, step) when a number falls between the values the field can hold, else None.

    Whole numbers (ids, epochs) step by 1, decimals by their scale (0.0001 for a weight): ``1479954983.5``
    or ``weight 10.50004`` are valid to compare with, and are compared exactly.
    """
    if isinstance(field.type, (Integer, Epoch)):
        step = Decimal(1)
    elif isinstance(field.type, Number):
        step = Decimal(1).scaleb(-field.type.scale)
    else:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = decimal_of(value)  # refuses 1e1999999 before any arithmetic
    except Invalid as error:
        if "range" in str(error):
            raise
        return None  # not a number: the field's parse says why
    if isinstance(field.type, Integer):  # ids and links: any number within 64 bits may be compared with
        in_range(math.floor(number))
    else:
        field.type.parse(value)  # first refuse what the field refuses (out of range…)
    if number % step == 0:
        return None
    return number, step


def _between_steps(column: str, op: str, number: Decimal, step: Decimal) -> list[Condition]:
    """Compare with a value between two steps exactly: x < 5.5 is x <= 5; x = 5.5 matches nothing."""
    below = (number / step).to_integral_value(rounding="ROUND_FLOOR") * step
    below = int(below) if step == 1 else below
    if op in ("lt", "lte"):
        return [Condition(column, "lte", below)]
    if op in ("gt", "gte"):
        return [Condition(column, "gt", below)]
    if op == "eq":
        return [Condition(column, "in", [])]
    return []  # neq: every record differs from a value it cannot hold
