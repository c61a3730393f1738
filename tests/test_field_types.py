"""Field types of the vocabulary, each with its parsing, its wire forms on each version and its schema.

Most types are proven through the resources that use them (test_conformance, test_writes); the ones below
are checked here on their own as well, because a resource using them comes later or uses only part of them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openvet.resources.fields import Day, Integer, Invalid, JsonObject, Link, LinkList, Number, TypeName


def test_a_calendar_day_is_read_as_a_date_or_as_epoch_seconds_and_written_as_its_utc_midnight():
    day = Day()
    assert day.parse("2024-02-29") == date(2024, 2, 29)
    assert day.parse(1709164800) == date(2024, 2, 29)  # that day's UTC midnight
    assert day.parse(1709164800 + 86399) == date(2024, 2, 29)  # any second of the day
    assert day.parse("1709164800") == date(2024, 2, 29)
    assert (day.to_v1(date(2024, 2, 29)), day.to_v2(date(2024, 2, 29))) == ("1709164800", 1709164800)
    assert (day.to_v1(None), day.to_v2(None)) == ("", None)
    assert day.openapi()["type"] == ["integer", "null"]
    for bad in ("2023-02-29", "29/02/2024", "١٧٠٩١٦٤٨٠٠", True, [], 10**30):
        with pytest.raises(Invalid):
            day.parse(bad)


def test_a_list_of_links_keeps_order_drops_repeats_and_reads_per_version():
    links = LinkList("resource")
    assert links.parse([5, "3", {"id": 5}, {"id": "7"}]) == [5, 3, 7]
    assert links.to_v1([5, 3]) == ["5", "3"] and links.to_v2([5, 3]) == [{"id": 5}, {"id": 3}]
    for bad in ("5", [0], [-1], [{"name": 5}], [True], ["١"]):
        with pytest.raises(Invalid):
            links.parse(bad)


def test_a_type_name_matches_titles_and_endpoint_names_in_any_case_and_spells_per_version():
    kind = TypeName("Contact", "Animal", "Consult", spell={"v1": str.lower})
    assert {kind.parse("consult"), kind.parse("CONSULT"), kind.parse("Consult")} == {"Consult"}
    assert (kind.to_wire("Contact", "v1"), kind.to_wire("Contact", "v2")) == ("contact", "Contact")
    with pytest.raises(Invalid):
        kind.parse("FeatureRequest")


def test_a_json_object_is_kept_as_sent_and_bounded():
    value = {"id": 53, "name": "Sympathy Postcard", "additional_information": {"key": "value"}}
    assert JsonObject().parse(value) == value
    for bad in ("{}", [1], 5):
        with pytest.raises(Invalid):
            JsonObject().parse(bad)
    with pytest.raises(Invalid):
        JsonObject().parse({"x": "a" * 70000})


def test_v2_writes_a_whole_decimal_without_a_fraction():
    assert Number(4).to_v2(Decimal("2.0000")) == 2 and isinstance(Number(4).to_v2(Decimal("2.0000")), int)
    assert Number(4).to_v2(Decimal("2.5000")) == 2.5
    assert Number(4).to_v1(Decimal("2")) == "2.0000"


@pytest.mark.parametrize("text", ["\x1f5\x1c", "\x855\x85", " \x1e5\t"])
def test_an_integer_padded_with_what_str_strip_takes_away_is_read(text):
    """``int()`` keeps the separators \\x1c-\\x1f that ``\\s`` and ``str.strip()`` take away: it was a 500."""
    assert Integer().parse(text) == 5
    assert Link("animal").parse(text) == 5
