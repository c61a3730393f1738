"""The ezyVet filter language, checked against a plain Python model of it with generated filters.

A herd of animals is made through the API once per test; hypothesis then writes filters (plain values,
JSON comparators by name or symbol, several per field, whitespace around values, fractional epochs,
repeated query keys) and the API must answer exactly the animals the model picks. The model:

- a plain value means equals; the last of repeated query keys wins; values are trimmed;
- eq, neq, lt, lte, gt, gte compare exactly (a whole-second epoch against 5.5: 5 < 5.5);
- neq also matches unset values; every other comparison against an unset value fails;
- like means contains: the pattern matched anywhere in the value, case-insensitive, % matching any run
  of characters and _ one character;
- in matches a value equal to one of the list.

Filters the language cannot read (bad JSON, unknown comparator, text for a number, like on a number,
in with a non-list) are refused with 400 naming the parameter, never a 500.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.both_databases  # behaviour that differs between the databases

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FEW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# name, weight, date_of_birth, is_dead: case variants, a literal _ and %, decimals, float and unset epochs.
HERD = (
    ("Rex", "10.5", 1500000000, False),
    ("rex", "10.5000", 1500000001, True),
    ("REX", "3.25", None, False),
    ("Rexie", "0.0001", 946684800, False),
    ("Bella", "12.3456", 1499999999, True),
    ("bella", None, 1500000000, False),
    ("Bel_la", "10", -43200, False),
    ("Max", "100", 0, True),
    ("Maxine", "7.0001", None, False),
    ("Mr Whiskers", "10.4999", 1600000000.75, False),  # a float epoch is floored when written
    ("50% Luna", "0", 2000000000, False),
    (None, "10.5", None, True),
)
NAMES = sorted({name for name, *_ in HERD if name})
WEIGHTS = sorted({Decimal(w) for _, w, _, _ in HERD if w is not None})
EPOCHS = sorted({int(d // 1) for _, _, d, _ in HERD if d is not None})
SYMBOL = {"lt": "<", "lte": "<=", "eq": "=", "gte": ">=", "gt": ">"}
ORDERED = ("lt", "lte", "eq", "gte", "gt", "neq")
LIMIT = 10  # the page limit of /v1/animal ("up to 10")


@dataclass(frozen=True)
class Animal:
    id: int
    name: str | None
    weight: Decimal | None
    date_of_birth: int | None
    is_dead: bool


@dataclass(frozen=True)
class Filter:
    """One query parameter value and what the model says it means: (operator, target) pairs, all to hold."""

    raw: str
    tests: tuple[tuple[str, Any], ...]


@pytest.fixture
def herd(api) -> list[Animal]:
    owner = api.new_contact()["id"]
    animals = []
    for name, weight, born, dead in HERD:
        body = {"contact_id": owner, "is_dead": dead}
        if name is not None:
            body["name"] = name
        if weight is not None:
            body["weight"] = weight
        if born is not None:
            body["date_of_birth"] = born
        response = api.post("/v1/animal", body)
        assert response.status_code == 200, response.text
        record = response.json()["items"][0]["animal"]
        animal = Animal(int(record["id"]), name, None if weight is None else Decimal(weight),
                        None if born is None else int(born // 1), dead)
        # the model's values are the stored ones
        assert record["name"] == (name or "")
        assert record["date_of_birth"] == ("" if born is None else str(animal.date_of_birth))
        assert (Decimal(record["weight"]) if record["weight"] else None) == animal.weight
        animals.append(animal)
    return animals


# the model ---------------------------------------------------------------------------------------------

def like(value: str, pattern: str) -> bool:
    """Contains: the pattern anywhere in the value (L128)."""
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern.lower())
    return re.search(regex, value.lower(), re.DOTALL) is not None


def holds(op: str, actual: Any, target: Any) -> bool:
    if op == "neq":
        return actual is None or actual != target
    if actual is None:
        return False
    if op == "in":
        return any(actual == t for t in target)
    if op == "like":
        return like(actual, target)
    return {"eq": actual == target, "lt": actual < target, "lte": actual <= target,
            "gt": actual > target, "gte": actual >= target}[op]


def expected(herd: list[Animal], filters: dict[str, Filter]) -> set[int]:
    return {a.id for a in herd
            if all(holds(op, getattr(a, field), target) for field, f in filters.items() for op, target in f.tests)}


def listed(api, params: list[tuple[str, str]]) -> set[int]:
    """Ids of every animal the filters match, page by page (Animal serves at most 10 per page)."""
    ids: set[int] = set()
    page = 1
    while True:
        response = api.get("/v1/animal", params=[("limit", "1"), *params, ("limit", str(LIMIT)), ("page", str(page))])
        assert response.status_code == 200, response.text
        body = response.json()
        ids |= {int(item["animal"]["id"]) for item in body["items"]}
        if page >= int(body["meta"]["items_page_total"]):
            assert int(body["meta"]["items_total"]) == len(ids)
            return ids
        page += 1


# generating filters ------------------------------------------------------------------------------------

padding = st.sampled_from(["", " ", "  ", "\t"])


def padded(draw, text: str) -> str:
    return draw(padding) + text + draw(padding)


def operator_key(draw, op: str) -> str:
    """The comparator as a name or (where it has one) a symbol, sometimes with spaces around it."""
    key = draw(st.sampled_from([op, SYMBOL[op]])) if op in SYMBOL else op
    return draw(st.sampled_from([key, key, f" {key} "]))


@st.composite
def comparators(draw, values, ops, encode) -> Filter:
    """A JSON object of one to three comparators; ``values`` draw (model target, JSON value) pairs."""
    chosen = draw(st.lists(st.sampled_from(ops), min_size=1, max_size=3, unique=True))
    pairs, tests = {}, []
    for op in chosen:
        if op == "in":
            drawn = draw(st.lists(values, max_size=4))
            pairs[operator_key(draw, op)] = [encoded for _, encoded in drawn]
            tests.append((op, [target for target, _ in drawn]))
        else:
            target, encoded = draw(values)
            pairs[operator_key(draw, op)] = encoded
            tests.append((op, target))
    if len(set(pairs)) < len(pairs):  # "eq" and "=" collapsed to one key; keep it simple
        return draw(comparators(values, ops, encode))
    return Filter(padded(draw, encode(pairs)), tuple(tests))


def encode_json(pairs: dict) -> str:
    return json.dumps(pairs)


@st.composite
def texts(draw) -> tuple[str, str]:
    """(model target, JSON value) for the name: a name, a case variant, a prefix, or a few letters."""
    name = draw(st.sampled_from(NAMES))
    letters = draw(st.text(alphabet="aBelRxXm _%", min_size=1, max_size=4).filter(str.strip))  # blank: refused
    variant = draw(st.sampled_from([name, name.lower(), name.upper(), name.swapcase(), name[:3], letters]))
    return variant.strip(), padded(draw, variant)


@st.composite
def patterns(draw) -> tuple[str, str]:
    """(model pattern, JSON value) for like: a name in any case, characters swapped for _ and %."""
    name = draw(st.sampled_from(NAMES))
    chars = []
    for c in name:
        kind = draw(st.sampled_from(["keep", "keep", "keep", "upper", "lower", "one", "any", "drop"]))
        chars.append({"keep": c, "upper": c.upper(), "lower": c.lower(), "one": "_", "any": "%", "drop": ""}[kind])
    pattern = draw(st.sampled_from(["", "%"])) + "".join(chars) + draw(st.sampled_from(["", "%", "_"]))
    return pattern.strip(), padded(draw, pattern)


@st.composite
def name_filters(draw) -> Filter:
    if draw(st.booleans()):
        target, value = draw(texts())
        return Filter(value, (("eq", target),))
    text_filter = draw(comparators(texts(), ORDERED + ("in",), encode_json))
    if draw(st.booleans()):
        return text_filter
    pattern, value = draw(patterns())
    pairs = json.loads(text_filter.raw)
    pairs["like"] = value
    return Filter(json.dumps(pairs), (*text_filter.tests, ("like", pattern)))


def number_value(draw, number: Decimal) -> Any:
    """A number as JSON: an int, a float (when exact), or a string with spaces around it."""
    forms = [padded(draw, str(number))]
    if number == number.to_integral_value():
        forms.append(int(number))
    if Decimal(repr(float(number))) == number:
        forms.append(float(number))
    return draw(st.sampled_from(forms))


@st.composite
def weights(draw) -> tuple[Decimal, Any]:
    base = draw(st.sampled_from([*WEIGHTS, Decimal(0)]))
    delta = draw(st.sampled_from([Decimal(0), Decimal("0.0001"), Decimal("-0.0001"), Decimal("0.5"),
                                  Decimal("-0.25"), Decimal(1)]))
    number = draw(st.one_of(st.just(base + delta),
                            st.decimals(min_value=-5, max_value=200, places=4, allow_nan=False)))
    return number, number_value(draw, number)


@st.composite
def epochs(draw) -> tuple[Decimal, Any]:
    base = draw(st.sampled_from(EPOCHS))
    delta = draw(st.sampled_from([Decimal(0), Decimal(0), Decimal("0.5"), Decimal("-0.5"), Decimal("0.25"),
                                  Decimal(1), Decimal(-1)]))
    number = draw(st.one_of(st.just(base + delta),
                            st.integers(min_value=-10**6, max_value=3 * 10**9).map(Decimal)))
    return number, number_value(draw, number)


@st.composite
def booleans(draw) -> tuple[bool, Any]:
    truth = draw(st.booleans())
    return truth, draw(st.sampled_from([truth, int(truth), str(int(truth)), str(truth).lower(),
                                        padded(draw, str(int(truth)))]))


@st.composite
def plain_or_json(draw, values, ops) -> Filter:
    if draw(st.booleans()):
        target, value = draw(values)
        return Filter(padded(draw, str(value).lower() if isinstance(value, bool) else str(value).strip()),
                      (("eq", target),))
    return draw(comparators(values, ops, encode_json))


FIELDS = {
    "name": name_filters(),
    "weight": plain_or_json(weights(), ORDERED + ("in",)),
    "date_of_birth": plain_or_json(epochs(), ORDERED + ("in",)),
    "is_dead": plain_or_json(booleans(), ("eq", "neq", "in")),
}


def check(api, herd, filters: dict[str, Filter], decoys: dict[str, str] | None = None) -> None:
    params = [(field, value) for field, value in (decoys or {}).items()]
    params += [(field, f.raw) for field, f in filters.items()]
    assert listed(api, params) == expected(herd, filters), params


# the language matches the model ------------------------------------------------------------------------

@SETTINGS
@given(st.data())
@example(data=None)  # the explicit cases below run first
def test_name_filters_match_the_model(api, herd, data):
    if data is None:
        for raw, tests in [("Rex", [("eq", "Rex")]), (' {"like": "rex"} ', [("like", "rex")]),
                           ('{"like": "bel_la"}', [("like", "bel_la")]),
                           ('{"like": "%50!%%"}', [("like", "%50!%%")]),
                           ('{"neq": "Rex"}', [("neq", "Rex")]), ('{"in": ["Max", "REX"]}', [("in", ["Max", "REX"])])]:
            check(api, herd, {"name": Filter(raw, tuple(tests))})
        return
    check(api, herd, {"name": data.draw(FIELDS["name"])})


@SETTINGS
@given(st.data())
def test_weight_filters_match_the_model(api, herd, data):
    check(api, herd, {"weight": data.draw(FIELDS["weight"])})


@SETTINGS
@given(st.data())
@example(data=None)
def test_date_of_birth_filters_match_the_model(api, herd, data):
    if data is None:
        for raw, tests in [('{"<": 1500000000.5}', [("lt", Decimal("1500000000.5"))]),
                           ('{">": 1499999999.5, "<=": 1500000000}', [("gt", Decimal("1499999999.5")),
                                                                       ("lte", 1500000000)]),
                           ("1500000000.5", [("eq", Decimal("1500000000.5"))]),
                           ('{"neq": 1500000000.5}', [("neq", Decimal("1500000000.5"))]),
                           ('{"gte": "1500000000.5"}', [("gte", Decimal("1500000000.5"))]),
                           ('{"in": [946684800, 1500000000.5]}', [("in", [946684800, Decimal("1500000000.5")])])]:
            check(api, herd, {"date_of_birth": Filter(raw, tuple(tests))})
        return
    check(api, herd, {"date_of_birth": data.draw(FIELDS["date_of_birth"])})


@FEW
@given(st.data())
def test_is_dead_filters_match_the_model(api, herd, data):
    check(api, herd, {"is_dead": data.draw(FIELDS["is_dead"])})


@SETTINGS
@given(st.data())
def test_several_fields_and_repeated_keys_match_the_model(api, herd, data):
    """Filters on several fields all hold; of a repeated query key only the last value counts."""
    fields = data.draw(st.lists(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=3, unique=True))
    filters = {field: data.draw(FIELDS[field]) for field in fields}
    repeated = data.draw(st.lists(st.sampled_from(fields), max_size=2, unique=True))
    decoys = {field: data.draw(FIELDS[field]).raw for field in repeated}
    check(api, herd, filters, decoys)


def test_in_with_a_fractional_epoch_matches_nothing(api, herd):
    """{"in": [5.5]} on whole seconds is like {"eq": 5.5}: no whole second equals it."""
    for raw in ('{"in": [1500000000.5]}', '{"in": ["1500000000.5"]}', '{"eq": 1500000000.5}'):
        assert listed(api, [("date_of_birth", raw)]) == set(), raw


def test_weight_compares_exactly_past_the_stored_scale(api, herd):
    """A weight is stored with four decimals; a filter with more still compares exactly (10.5 > 10.50004)."""
    at = {a.id for a in herd if a.weight == Decimal("10.5")}
    assert at
    assert listed(api, [("weight", '{"gt": 10.50004}')]) == {a.id for a in herd if a.weight and a.weight > 10.5}
    assert listed(api, [("weight", '{"lt": "10.50004"}')]) >= at
    assert listed(api, [("weight", '{"gte": "10.49996"}')]) >= at
    assert listed(api, [("weight", "10.50004")]) == set()


def test_like_folds_ascii_case_and_matches_other_letters_as_written(api):
    """like folds A-Z on both databases; accented letters match as written (docs/decisions.md)."""
    owner = api.new_contact()["id"]
    names = {api.new_animal(contact_id=owner, name=name)["id"]: name for name in ("Élan", "élan", "ÉLAN", "Zoë")}
    assert {names[str(i)] for i in listed(api, [("name", '{"like": "élan"}')])} >= {"élan"}
    assert {names[str(i)] for i in listed(api, [("name", '{"like": "zoË"}')])} <= {"Zoë"}
    assert {names[str(i)] for i in listed(api, [("name", '{"like": "ZO%"}')])} == {"Zoë"}


def test_like_treats_a_backslash_as_an_ordinary_character(api):
    """Only % and _ are wildcards, on both databases: a backslash escapes nothing."""
    owner = api.new_contact()["id"]
    slash = api.new_animal(contact_id=owner, name="A\\B")["id"]
    plain = api.new_animal(contact_id=owner, name="AB")["id"]
    found = listed(api, [("name", '{"like": "a\\\\b"}')])
    assert found == {int(slash)}, (found, slash, plain)


# like means contains (L128) ------------------------------------------------------------------------------

def named(api, *names: str) -> dict[int, str]:
    """Animals of one owner in a fresh clinic: id -> name."""
    owner = api.new_contact()["id"]
    return {int(api.new_animal(contact_id=owner, name=name)["id"]): name for name in names}


def names_like(api, animals: dict[int, str], value: str) -> set[str]:
    return {animals[i] for i in listed(api, [("name", json.dumps({"like": value}))])}


def test_like_finds_the_value_in_the_middle_of_the_field(api):
    """Sample #3: {"like": "250ml"} finds "Amoxicillin 250ml tabs" (L128)."""
    animals = named(api, "Amoxicillin 250ml tabs", "250ml", "Amoxicillin 500ml tabs", "Bella")
    assert names_like(api, animals, "250ml") == {"Amoxicillin 250ml tabs", "250ml"}
    assert names_like(api, animals, "ml tabs") == {"Amoxicillin 250ml tabs", "Amoxicillin 500ml tabs"}
    assert names_like(api, animals, "Bella") == {"Bella"}
    assert names_like(api, animals, "tabs x") == set()
    assert names_like(api, animals, " 250ml ") == {"Amoxicillin 250ml tabs", "250ml"}  # values are trimmed


def test_like_keeps_percent_and_underscore_as_wildcards(api):
    """Inside the value, % is any run of characters and _ one character; the value is still found anywhere."""
    animals = named(api, "Bella", "Isabel", "Bilbo", "Bolt", "Amabel Rose", "Bl", "50% Luna", "500 Luna")
    assert names_like(api, animals, "Bel%") == {"Bella", "Isabel", "Amabel Rose"}
    assert names_like(api, animals, "B_l") == {"Bella", "Isabel", "Bilbo", "Bolt", "Amabel Rose"}
    assert names_like(api, animals, "Is%el") == {"Isabel"}
    assert names_like(api, animals, "bel%ros") == {"Amabel Rose"}
    assert names_like(api, animals, "abel_") == {"Amabel Rose"}
    assert names_like(api, animals, "50%Luna") == {"50% Luna", "500 Luna"}
    assert names_like(api, animals, "0_ L") == {"50% Luna", "500 Luna"}


def test_like_ignores_the_case_of_a_to_z(api):
    animals = named(api, "Bella", "ISABELLA", "isabel", "Max")
    for value in ("bella", "BELLA", "bElLa"):
        assert names_like(api, animals, value) == {"Bella", "ISABELLA"}, value
    assert names_like(api, animals, "SABE") == {"ISABELLA", "isabel"}


def test_like_with_one_or_two_characters_is_answered_in_full(api):
    """Too short for a trigram index, so every row of the clinic is tested: still the right answer."""
    animals = named(api, "Bella", "Max", "Ox", "Al", "Zed", "")
    assert names_like(api, animals, "a") == {"Bella", "Max", "Al"}
    assert names_like(api, animals, "X") == {"Max", "Ox"}
    assert names_like(api, animals, "el") == {"Bella"}
    assert names_like(api, animals, "ED") == {"Zed"}
    assert names_like(api, animals, "_") == {"Bella", "Max", "Ox", "Al", "Zed"}
    assert names_like(api, animals, "") == set(animals.values())
    assert names_like(api, animals, "%") == set(animals.values())


def test_like_with_a_nul_character_is_refused_naming_the_field(api):
    """No stored text holds a NUL (PostgreSQL cannot): a 400, not a database error."""
    response = api.get("/v1/animal", params={"name": '{"like": "a\\u0000b"}'})
    assert response.status_code == 400, response.text
    assert "name" in response.json()["messages"][0]["fields"]


def test_like_on_contact_lists_of_v1_and_v2(api):
    """The same contains on both versions (v2 lists Contacts by last_name too)."""
    made = {api.new_contact(last_name=name)["id"]: name for name in ("Campbell", "Bellamy", "Abel", "Smith")}
    for version in ("v1", "v2"):
        response = api.get(f"/{version}/contact", params={"last_name": '{"like": "BEL"}', "limit": "50"})
        assert response.status_code == 200, response.text
        body = response.json()
        found = {str(item["contact"]["id"]) for item in body["items"]}
        assert {made[i] for i in found} == {"Campbell", "Bellamy", "Abel"}, version
        assert str(body["meta"]["items_total"]) == "3", version


def test_patch_and_delete_by_a_like_filter_act_on_what_contains_it(api):
    animals = named(api, "Patchy", "Old Patch", "Rex", "Dispatch")
    patch = '{"like": "patch"}'
    response = api.patch("/v1/animal", {"notes": "Found by contains"}, params={"name": patch, "limit": "10"})
    assert response.status_code == 200, response.text
    meta = response.json()["meta"]
    assert (meta["items_matched"], meta["items_processed"]) == ("3", "3")
    assert {animals[int(i["animal"]["id"])] for i in response.json()["items"]} == {"Patchy", "Old Patch", "Dispatch"}
    response = api.delete("/v1/animal", params={"name": '{"like": "ld pa"}'})
    assert response.status_code == 200, response.text
    assert (response.json()["meta"]["items_matched"], response.json()["meta"]["items_processed"]) == ("1", "1")
    active = {name: api.get(f"/v1/animal/{i}").json()["items"][0]["animal"]["active"] for i, name in animals.items()}
    assert active == {"Patchy": "1", "Old Patch": "0", "Rex": "1", "Dispatch": "1"}


# what the language cannot read -------------------------------------------------------------------------

BAD = {
    "name": ['{"lt": }', '{"like": 5}', '{"in": "Rex"}', '{"gtx": "Rex"}', '{"~": "R"}', "{}",
             '{"eq": {"a": 1}}', '{"in": {"a": 1}}', "{'eq': 'Rex'}", '{"like": ["R%"]}', '{"like": "a\\u0000b"}'],
    "weight": ["heavy", '{"gt": "abc"}', '{"like": "1%"}', '{"in": 5}', '{"in": ["x"]}', '{"between": 1}',
               "{bad json", '{"gt": true}', "1.2.3", '{"in": "10"}'],
    "date_of_birth": ["yesterday", '{"like": "15%"}', '{"<": "soon"}', '{"in": 1500000000}', '{"in": "x"}',
                      "{'gt': 1}", '{"gt": [1]}', '{"eq": {"a": 1}}', "15OO", '{"lte": "nan"}'],
    "is_dead": ["maybe", '{"lt": 1}', '{"like": "1"}', '{"in": true}', '{"eq": "x"}', '{"eq": 2}',
                '{"gte": true}', "{", '{"in": [2]}', '{"neq": [true]}'],
}


@st.composite
def unknown_comparators(draw) -> tuple[str, str]:
    known = {"lt", "lte", "eq", "gte", "gt", "neq", "like", "in", "<", "<=", "=", ">=", ">", "!=", "<>"}
    op = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz<>=!~", min_size=1, max_size=4)
              .filter(lambda o: o.strip().lower() not in known))
    field = draw(st.sampled_from(sorted(BAD)))
    return field, json.dumps({op: 1})


@st.composite
def malformed(draw) -> tuple[str, str]:
    if draw(st.integers(0, 4)) == 0:
        return draw(unknown_comparators())
    field = draw(st.sampled_from(sorted(BAD)))
    return field, padded(draw, draw(st.sampled_from(BAD[field])))


@SETTINGS
@given(st.data())
def test_malformed_filters_are_refused_naming_the_parameter(api, herd, data):
    field, raw = data.draw(malformed())
    good = data.draw(st.lists(st.sampled_from(sorted(set(FIELDS) - {field})), max_size=2, unique=True))
    params = [(name, data.draw(FIELDS[name]).raw) for name in good]
    if data.draw(st.booleans()):  # a valid earlier value of the same key does not rescue the last one
        params.insert(0, (field, data.draw(FIELDS[field]).raw))
    response = api.get("/v1/animal", params=[*params, (field, raw)])
    assert response.status_code == 400, (field, raw, response.text)
    message = response.json()["messages"][0]
    assert field in message["fields"], (field, raw, message)


NUMBERS = st.one_of(st.integers(min_value=-10**30, max_value=10**30),
                    st.floats(allow_nan=False, allow_infinity=False, width=64),
                    st.decimals(allow_nan=False, allow_infinity=False).map(str))


@FEW
@given(field=st.sampled_from(["weight", "date_of_birth", "id", "contact_id"]), op=st.sampled_from(ORDERED),
       number=NUMBERS)
@example(field="weight", op="gt", number=10**30)
@example(field="date_of_birth", op="lt", number=10**20)
@example(field="contact_id", op="eq", number=10**20)
def test_any_number_is_answered_never_with_a_500(api, herd, field, op, number):
    """However large or small a number is, a numeric filter answers: the matching records, or a 400."""
    response = api.get("/v1/animal", params={field: json.dumps({op: number}), "limit": str(LIMIT)})
    assert response.status_code in (200, 400), (field, op, number, response.status_code, response.text)
    if response.status_code == 400:
        assert field in response.json()["messages"][0]["fields"]
    elif field in ("weight", "date_of_birth"):
        target = Decimal(str(number)) if not isinstance(number, str) else Decimal(number)
        ids = listed(api, [(field, json.dumps({op: number}))])
        assert ids == {a.id for a in herd if holds(op, getattr(a, field), target)}, (field, op, number)


# blank values and null ------------------------------------------------------------------------------------

BLANKS = ["", " ", "\t ", '{"eq": ""}', '{"=": "  "}', '{"neq": ""}', '{"gt": " "}', '{"in": [""]}',
          '{"in": ["  ", "Rex"]}']


@pytest.mark.parametrize("field", ["name", "weight", "date_of_birth", "is_dead", "contact_id", "referring_clinic_id"])
def test_a_blank_filter_value_is_refused_naming_the_parameter(api, field):
    """An empty template variable (``?referring_clinic_id=``) is never read as "unset" (docs/decisions.md)."""
    api.new_animal()
    for raw in BLANKS:
        response = api.get("/v1/animal", params={field: raw, "limit": "200"})
        assert response.status_code == 400, (field, raw, response.text)
        message = response.json()["messages"][0]
        assert set(message["fields"]) == {field}, (field, raw)
        assert '{"eq": null}' in message["text"], (field, raw)
    assert api.get("/v2/contact", params={"uid": " "}).status_code == 400


def test_eq_null_finds_the_records_where_a_field_is_unset_and_neq_null_the_others(api, herd):
    for field in ("weight", "date_of_birth", "name"):
        unset = {a.id for a in herd if getattr(a, field) is None}
        assert unset, field
        assert listed(api, [(field, '{"eq": null}')]) == unset, field
        assert listed(api, [(field, '{"neq": null}')]) == {a.id for a in herd} - unset, field
    assert listed(api, [("referring_clinic_id", '{"eq": null}')]) == {a.id for a in herd}


# digits other than ASCII -----------------------------------------------------------------------------------

OTHER_DIGITS = (str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"), str.maketrans("0123456789", "０１２３４５６７８９"))


def test_a_filter_number_in_other_digits_is_refused_naming_the_parameter(api):
    contact = api.new_contact()
    detail = contact["contact_detail_list"][0]
    cases = [("/v2/contact", "id", str(contact["id"])), ("/v2/contact", "modified_at", contact["modified_at"]),
             ("/v2/contactdetail", "contact_id", str(contact["id"])), ("/v2/contactdetail", "id", detail),
             ("/v1/animal", "weight", "12.5")]
    wrong = {}
    for digits in OTHER_DIGITS:
        for path, field, value in cases:
            other = value.translate(digits)
            for raw in (other, json.dumps({"eq": other}, ensure_ascii=False), json.dumps({">": other}),
                        json.dumps({"in": [other]}, ensure_ascii=False)):
                if raw.startswith('{"in"') and field == "modified_at":
                    continue
                response = api.get(path, params={field: raw})
                if response.status_code != 400 or field not in response.json()["messages"][0]["fields"]:
                    wrong[f"{path}?{field}={raw}"] = (response.status_code, response.text[:200])
    assert not wrong
    assert api.get("/v2/contact", params={"id": str(contact["id"])}).json()["meta"]["items_total"] == 1


# huge numbers, opaque uids, off-grid ids ------------------------------------------------------------------


@pytest.mark.parametrize("field", ["modified_at", "date_of_birth", "weight", "id", "contact_id"])
@pytest.mark.parametrize("raw", ["1e1999999", "-1e1999999", '{"gt": "1e1999999"}', '{"in": ["9e999999999"]}',
                                 "1" * 5000, '{"lt": "' + "9" * 5000 + '"}'])
def test_a_huge_number_is_refused_at_once(api, field, raw):
    """A number far outside every range is refused before any arithmetic (flooring 1e1999999 took minutes)."""
    started = time.monotonic()
    response = api.get("/v1/animal", params={field: raw})
    assert time.monotonic() - started < 2, (field, raw)
    assert response.status_code == 400, (field, raw, response.text)
    assert field in response.json()["messages"][0]["fields"]


def test_a_tiny_number_is_answered_at_once(api, herd):
    started = time.monotonic()
    for field in ("modified_at", "weight", "id"):
        response = api.get("/v1/animal", params={field: json.dumps({"gt": "1e-1999999"})})
        assert response.status_code in (200, 400), (field, response.text)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("raw", ['{"eq": {"a": 1}}', '{"in": [[1]]}', '{"in": [{"a": 1}]}', '{"gt": 5}',
                                 '{"lt": "contact_a"}', '{"eq": 5}'])
def test_a_uid_filter_takes_text_and_equality_only(api, raw):
    response = api.get("/v2/contact", params={"uid": raw})
    assert response.status_code == 400, (raw, response.text)
    assert "uid" in response.json()["messages"][0]["fields"]


def test_a_uid_filter_finds_the_record(api):
    contact_id = api.new_contact()["id"]
    uid = api.get(f"/v2/contact/{contact_id}").json()["items"][0]["contact"]["uid"]
    for raw in (uid, json.dumps({"eq": uid}), json.dumps({"in": [uid, "contact_none"]})):
        response = api.get("/v2/contact", params={"uid": raw})
        assert response.status_code == 200, (raw, response.text)
        assert [item["contact"]["uid"] for item in response.json()["items"]] == [uid], raw
    assert api.get("/v2/contact", params={"uid": "contact_none"}).json()["items"] == []


def test_subscription_groups_is_not_a_filter(api):
    """A list held as JSON: its equality is not portable, so it is refused rather than answered wrongly."""
    for raw in ("General", '{"eq": ["General"]}'):
        response = api.get("/v1/contactdetail", params={"subscription_groups": raw})
        assert response.status_code == 400, (raw, response.text)
        assert "subscription_groups" in response.json()["messages"][0]["fields"]


def test_an_id_compares_with_a_fraction_like_an_epoch_does(api, herd):
    ids = sorted(a.id for a in herd)
    middle = ids[len(ids) // 2]
    above = listed(api, [("id", json.dumps({"gt": middle + 0.5}))])
    assert above == {i for i in ids if i > middle}
    at_most = listed(api, [("id", json.dumps({"lt": middle + 0.5}))])
    assert at_most == {i for i in ids if i <= middle}
    assert listed(api, [("id", json.dumps({"eq": middle + 0.5}))]) == set()
    response = api.get("/v1/animal", params={"contact_id": json.dumps({"gt": 1.5})})
    assert response.status_code == 200, response.text


def test_a_bound_on_writes_does_not_bound_what_a_filter_compares_with(api):
    """``qty`` must be more than 0 when written, but ``qty < -1`` or ``qty = -0`` is a question with an answer
    (none), not a 400: the fuzzer found the document allowing what the parser refused."""
    for value in ("-1", "-0", '{"lt": -1}', '{"gte": -0.5}', '{"in": [-2, 3]}'):
        response = api.get("/v1/prescriptionitem", params={"qty": value})
        assert response.status_code == 200, (value, response.text)
        assert response.json()["meta"]["items_total"] == "0"
    refused = api.post("/v1/prescriptionitem", {"qty": "-0"})
    assert refused.status_code == 422 and "cannot be negative" in refused.json()["messages"][0]["fields"]["qty"]
