"""Writes on the ezyVet API: POST creates, PATCH updates, DELETE deactivates (summary section 4, L153, L3622).

PATCH and DELETE act on one record (``/x/{id}``) or on every record a filter matches, bounded by ``limit``,
and say so in ``meta.items_matched`` / ``items_processed``. A refused write answers 422 naming every bad
field at once, and changes nothing. A record of another clinic does not exist, as far as a link goes.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from openvet.engine.problems import ValidationFailed
from openvet.resources import REGISTRY
from openvet.store.filters import Condition

pytestmark = pytest.mark.both_databases  # behaviour that differs between the databases


def fields_named(response) -> set[str]:
    return {name for message in response.json()["messages"] for name in message.get("fields") or {}}


def reasons(response) -> dict[str, str]:
    return {name: reason for message in response.json()["messages"]
            for name, reason in (message.get("fields") or {}).items()}


def total(api, path: str) -> int:
    response = api.get(path)
    assert response.status_code == 200, response.text
    return int(response.json()["meta"]["items_total"])


def item(response, name: str) -> dict:
    assert response.status_code == 200, response.text
    (wrapped,) = response.json()["items"]
    return wrapped[name]


def lookup_id(api, endpoint: str, name: str) -> int:
    items = api.get(f"/v1/{endpoint}?name={name}").json()["items"]
    assert items, (endpoint, name)
    return int(items[0][endpoint]["id"])


def detail_body(api, value: str, **fields) -> dict:
    return {"name": "Email", "value": value, "contact_detail_type_id": api.first_id("contactdetailtype"), **fields}


def age_record(engine, table: str, record_id: int) -> None:
    """Move a record's modified_at into the past, so that a write in the same second shows."""
    with engine.db.begin() as conn:
        conn.execute(sa.text(f"UPDATE {table} SET modified_at = 1000 WHERE id = :i"), {"i": record_id})


# create -------------------------------------------------------------------------------------------------


def test_post_creates_a_record_that_can_be_read_back(api):
    contact_id = api.new_contact()["id"]
    created = item(api.post("/v1/animal", {"name": "Bella", "contact_id": contact_id, "weight": "12.5",
                                           "weight_unit": "kg", "is_hostile": True}), "animal")
    assert created["name"] == "Bella" and created["contact_id"] == str(contact_id)
    assert created["weight"] == "12.5000" and created["is_hostile"] == "1" and created["active"] == "1"
    assert int(created["id"]) > 0 and int(created["created_at"]) > 0
    assert item(api.get(f"/v1/animal/{created['id']}"), "animal") == created


def test_post_takes_no_query_parameters(api):
    contact_id = api.new_contact()["id"]
    response = api.post("/v1/animal?name=Bella", {"name": "Bella", "contact_id": contact_id})
    assert response.status_code == 400
    assert "name" in fields_named(response)


def test_animal_guid_is_a_uuid_and_unique(api):
    first, second = api.new_animal(), api.new_animal()
    assert str(uuid.UUID(first["guid"])) == first["guid"].lower()
    assert first["guid"] != second["guid"]


def test_client_cannot_set_read_only_fields(api):
    contact_id = api.new_contact()["id"]
    response = api.post("/v1/animal", {"name": "Rex", "contact_id": contact_id, "id": 5, "guid": "x",
                                       "created_at": 1})
    assert response.status_code == 422
    assert {"id", "guid", "created_at"} <= fields_named(response)


def test_contact_v2_uid_is_present_and_unique(api):
    first, second = api.new_contact(), api.new_contact()
    uids = []
    for contact in (first, second):
        v2 = item(api.get(f"/v2/contact/{contact['id']}"), "contact")
        assert isinstance(v2["uid"], str) and len(v2["uid"]) > 8
        uids.append(v2["uid"])
    assert uids[0] != uids[1]
    assert "uid" not in first  # v1 has no uid
    assert total(api, f"/v2/contact?uid={uids[0]}") == 1


# update -------------------------------------------------------------------------------------------------


def test_patch_by_id_updates_that_record_only(api):
    contact_id = api.new_contact()["id"]
    first, second = api.new_animal(contact_id=contact_id), api.new_animal(contact_id=contact_id)
    response = api.patch(f"/v1/animal/{first['id']}", {"name": "Max", "microchip_number": "985112345678901"})
    updated = item(response, "animal")
    assert updated["name"] == "Max" and updated["microchip_number"] == "985112345678901"
    assert response.json()["meta"]["items_matched"] == "1"
    assert response.json()["meta"]["items_processed"] == "1"
    assert item(api.get(f"/v1/animal/{first['id']}"), "animal")["name"] == "Max"
    assert item(api.get(f"/v1/animal/{second['id']}"), "animal") == second


def test_patch_moves_modified_at(api, engine):
    animal = api.new_animal()
    age_record(engine, "animal", int(animal["id"]))
    updated = item(api.patch(f"/v1/animal/{animal['id']}", {"notes": "Limps"}), "animal")
    assert int(updated["modified_at"]) > 1000
    assert updated["created_at"] == animal["created_at"]


def test_patch_of_a_missing_record_is_a_404(api):
    response = api.patch("/v1/animal/999999999", {"name": "Ghost"})
    assert response.status_code == 404, response.text


def test_patch_by_filter_updates_every_match_bounded_by_limit(api):
    contact_id = api.new_contact()["id"]
    ids = [int(api.new_animal(contact_id=contact_id, name="Batch")["id"]) for _ in range(3)]
    untouched = api.new_animal(contact_id=contact_id, name="Solo")
    response = api.patch("/v1/animal?name=Batch&limit=2", {"notes": "Vaccinated"})
    assert response.status_code == 200, response.text
    meta = response.json()["meta"]
    assert (meta["items_matched"], meta["items_processed"]) == ("3", "2")
    assert sorted(int(i["animal"]["id"]) for i in response.json()["items"]) == ids[:2]
    notes = {i: item(api.get(f"/v1/animal/{i}"), "animal")["notes"] for i in ids}
    assert notes == {ids[0]: "Vaccinated", ids[1]: "Vaccinated", ids[2]: ""}
    assert item(api.get(f"/v1/animal/{untouched['id']}"), "animal")["notes"] == ""

    response = api.patch("/v1/animal?name=Batch", {"notes": "All"})  # default limit 10 takes all three
    assert (response.json()["meta"]["items_matched"], response.json()["meta"]["items_processed"]) == ("3", "3")
    assert total(api, "/v1/animal?notes=All") == 3


def test_patch_by_filter_that_matches_nothing_changes_nothing(api):
    response = api.patch("/v1/animal?name=Nobody", {"notes": "x"})
    assert response.status_code == 200, response.text
    assert response.json()["meta"]["items_matched"] == "0"
    assert response.json()["items"] == []


def test_patch_without_id_or_filter_is_refused(api):
    api.new_animal()
    response = api.patch("/v1/animal", {"notes": "everyone"})
    assert response.status_code == 400
    assert total(api, "/v1/animal?notes=everyone") == 0


def test_refused_patch_by_filter_changes_no_record(api):
    contact_id = api.new_contact()["id"]
    for _ in range(2):
        api.new_animal(contact_id=contact_id, name="Pair")
    response = api.patch("/v1/animal?name=Pair", {"notes": "x", "weight_unit": "stone"})
    assert response.status_code == 422
    assert total(api, "/v1/animal?notes=x") == 0


def test_patch_body_id_must_name_the_record_in_the_path(api):
    first, second = api.new_animal(), api.new_animal()
    response = api.patch(f"/v1/animal/{first['id']}", {"id": int(second["id"]), "name": "Nell"})
    assert response.status_code == 422, response.text
    assert reasons(response)["id"] == "does not match the record in the path"
    assert item(api.get(f"/v1/animal/{first['id']}"), "animal") == first
    assert item(api.get(f"/v1/animal/{second['id']}"), "animal") == second
    same = api.patch(f"/v1/animal/{first['id']}", {"id": first["id"], "name": "Nell"})
    assert item(same, "animal")["name"] == "Nell"


def outbox_events(engine, record_id: int) -> int:
    with engine.db.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM outbox WHERE record_id = :i"), {"i": record_id}).scalar()


def test_empty_patch_changes_nothing_and_records_no_event(api, engine):
    animal = api.new_animal()
    age_record(engine, "animal", int(animal["id"]))
    events = outbox_events(engine, int(animal["id"]))
    response = api.patch(f"/v1/animal/{animal['id']}", {})
    assert item(response, "animal") == {**animal, "modified_at": "1000"}
    assert outbox_events(engine, int(animal["id"])) == events


def test_concurrent_patches_read_the_record_after_each_other(api, engine):
    """A PATCH waits for a write in progress on its record before checking its rules against it."""
    canine, feline = lookup_id(api, "species", "Canine"), lookup_id(api, "species", "Feline")
    labrador = lookup_id(api, "breed", "Labrador Retriever")
    dog = api.new_animal(species_id=canine)
    outcome = {}

    def give_breed():
        try:
            engine.update(api.id, REGISTRY["animal"], [Condition("id", "eq", int(dog["id"]))],
                          {"breed_id": labrador}, "v1", 1)
            outcome["result"] = "written"
        except ValidationFailed as failed:
            outcome["result"] = [p.field for p in failed.problems]

    with engine.db.begin() as conn:  # another writer turns the dog into a cat, and takes its time
        conn.execute(sa.text("UPDATE animal SET species_id = :s WHERE id = :i"), {"s": feline, "i": int(dog["id"])})
        writer = threading.Thread(target=give_breed)
        writer.start()
        time.sleep(0.5)
        assert writer.is_alive()  # waiting for the row, not reading the dog as it was
    writer.join(10)
    assert outcome["result"] == ["breed_id"]  # checked against the cat: no Labrador cat


# delete -------------------------------------------------------------------------------------------------


def test_delete_deactivates_rather_than_erases(api, engine):
    animal = api.new_animal()
    before = total(api, "/v1/animal")
    age_record(engine, "animal", int(animal["id"]))
    response = api.delete(f"/v1/animal/{animal['id']}")
    deleted = item(response, "animal")
    assert deleted["active"] == "0"
    assert response.json()["meta"]["items_processed"] == "1"
    after = item(api.get(f"/v1/animal/{animal['id']}"), "animal")
    assert after["active"] == "0" and after["name"] == animal["name"]
    assert int(after["modified_at"]) > 1000
    assert total(api, "/v1/animal") == before  # still counted: nothing was erased
    assert total(api, f"/v1/animal?id={animal['id']}&active=0") == 1


def test_delete_of_a_missing_record_is_a_404(api):
    assert api.delete("/v1/animal/999999999").status_code == 404


def test_delete_by_filter_deactivates_every_match(api):
    contact_id = api.new_contact()["id"]
    gone = [int(api.new_animal(contact_id=contact_id, name="Gone")["id"]) for _ in range(2)]
    kept = api.new_animal(contact_id=contact_id, name="Kept")
    response = api.delete("/v1/animal?name=Gone")
    assert response.status_code == 200, response.text
    assert (response.json()["meta"]["items_matched"], response.json()["meta"]["items_processed"]) == ("2", "2")
    for record_id in gone:
        assert item(api.get(f"/v1/animal/{record_id}"), "animal")["active"] == "0"
    assert item(api.get(f"/v1/animal/{kept['id']}"), "animal")["active"] == "1"


def test_delete_by_filter_is_bounded_by_limit(api):
    contact_id = api.new_contact()["id"]
    ids = [int(api.new_animal(contact_id=contact_id, name="Many")["id"]) for _ in range(3)]
    response = api.delete("/v1/animal?name=Many&limit=1")
    assert (response.json()["meta"]["items_matched"], response.json()["meta"]["items_processed"]) == ("3", "1")
    states = [item(api.get(f"/v1/animal/{i}"), "animal")["active"] for i in ids]
    assert states == ["0", "1", "1"]


def disabled_events(engine, resource: str, record_id: int) -> int:
    with engine.db.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM outbox WHERE record_id = :i AND event = :e"),
                            {"i": record_id, "e": f"{resource}_disabled"}).scalar()


def test_delete_of_an_inactive_record_changes_nothing_and_records_no_second_event(api, engine):
    animal = api.new_animal()
    first = api.delete(f"/v1/animal/{animal['id']}")
    assert first.json()["meta"]["items_processed"] == "1"
    assert disabled_events(engine, "animal", int(animal["id"])) == 1
    age_record(engine, "animal", int(animal["id"]))
    again = api.delete(f"/v1/animal/{animal['id']}")
    assert again.status_code == 200, again.text
    assert (again.json()["meta"]["items_matched"], again.json()["meta"]["items_processed"]) == ("1", "0")
    assert item(again, "animal")["active"] == "0"  # the record acted on, as it is
    assert item(api.get(f"/v1/animal/{animal['id']}"), "animal")["modified_at"] == "1000"
    assert disabled_events(engine, "animal", int(animal["id"])) == 1


def test_delete_by_filter_counts_as_processed_only_the_records_it_deactivates(api, engine):
    contact_id = api.new_contact()["id"]
    ids = [int(api.new_animal(contact_id=contact_id, name="Twice")["id"]) for _ in range(3)]
    assert api.delete(f"/v1/animal/{ids[0]}").status_code == 200
    response = api.delete("/v1/animal?name=Twice")
    assert (response.json()["meta"]["items_matched"], response.json()["meta"]["items_processed"]) == ("3", "2")
    assert [disabled_events(engine, "animal", i) for i in ids] == [1, 1, 1]
    repeated = api.delete("/v1/animal?name=Twice")
    assert (repeated.json()["meta"]["items_matched"], repeated.json()["meta"]["items_processed"]) == ("3", "0")
    assert [disabled_events(engine, "animal", i) for i in ids] == [1, 1, 1]


def test_a_blank_filter_value_on_patch_or_delete_writes_nothing(api, engine):
    """``?referring_clinic_id=&limit=200`` (one empty template variable) once deactivated 99 animals."""
    contact_id = api.new_contact()["id"]
    animals = [api.new_animal(contact_id=contact_id, name="Spared") for _ in range(3)]
    for method, query in (("DELETE", "referring_clinic_id=&limit=200"), ("PATCH", "referring_clinic_id=%20%20"),
                          ("DELETE", "referring_clinic_id=%7B%22eq%22%3A%22%22%7D"), ("DELETE", "name=")):
        response = api.request(method, f"/v1/animal?{query}", json={"name": "Overwritten"})
        assert response.status_code == 400, (method, query, response.text)
        assert fields_named(response) == {query.split("=")[0]}, (method, query)
        assert '{"eq": null}' in response.json()["messages"][0]["text"]
    for animal in animals:
        assert item(api.get(f"/v1/animal/{animal['id']}"), "animal") == animal
    explicit = api.request("DELETE", "/v1/animal", params={"referring_clinic_id": '{"eq": null}',
                                                           "contact_id": contact_id, "limit": "200"})
    assert explicit.status_code == 200, explicit.text
    assert explicit.json()["meta"]["items_processed"] == "3"


# validation ---------------------------------------------------------------------------------------------


def test_422_names_every_bad_field_at_once_and_creates_nothing(api):
    contact_id = api.new_contact()["id"]
    before = total(api, "/v1/animal")
    response = api.post("/v1/animal", {
        "name": "Rex",
        "contact_id": contact_id,
        "weight": "heavy",  # type
        "date_of_birth": "yesterday",  # type
        "is_dead": "perhaps",  # type
        "weight_unit": "stone",  # enum
        "resuscitate": "Maybe",  # enum
        "colour": "black",  # unknown field
        "species_id": 999999999,  # missing linked record
        "sex_id": "abc",  # type of a link
    })
    assert response.status_code == 422, response.text
    assert {"weight", "date_of_birth", "is_dead", "weight_unit", "resuscitate", "colour", "species_id",
            "sex_id"} <= fields_named(response)
    assert total(api, "/v1/animal") == before


def test_422_on_contact_names_missing_mandatory_fields_with_the_others(api):
    before = total(api, "/v1/contact")
    response = api.post("/v1/contact", {"first_name": "Ada", "stop_credit": "MAYBE", "hobby": "chess",
                                        "ownership_id": 999999999, "is_vet": "sometimes"})
    assert response.status_code == 422, response.text
    assert {"last_name", "contact_detail_list", "stop_credit", "hobby", "ownership_id",
            "is_vet"} <= fields_named(response)
    assert total(api, "/v1/contact") == before


def test_422_names_mistakes_inside_the_child_list(api):
    before = (total(api, "/v1/contact"), total(api, "/v1/contactdetail"))
    response = api.post("/v1/contact", {"last_name": "Lovelace", "contact_detail_list": [
        {"name": "Email", "contact_detail_type_id": 999999999, "colour": "x"}]})
    assert response.status_code == 422, response.text
    named = fields_named(response)
    assert any("contact_detail_list" in name and "value" in name for name in named), named
    assert any("contact_detail_list" in name and "contact_detail_type_id" in name for name in named), named
    assert (total(api, "/v1/contact"), total(api, "/v1/contactdetail")) == before


def test_refused_patch_names_every_bad_field_and_changes_nothing(api):
    animal = api.new_animal()
    response = api.patch(f"/v1/animal/{animal['id']}", {"name": "Max", "weight": "heavy", "weight_unit": "stone",
                                                        "colour": "black", "sex_id": 999999999})
    assert response.status_code == 422, response.text
    assert {"weight", "weight_unit", "colour", "sex_id"} <= fields_named(response)
    assert item(api.get(f"/v1/animal/{animal['id']}"), "animal") == animal


def test_link_to_a_record_of_another_clinic_is_refused_as_not_existing(api, other):
    foreign = other.new_contact()["id"]
    missing = api.post("/v1/animal", {"name": "Rex", "contact_id": 999999999})
    response = api.post("/v1/animal", {"name": "Rex", "contact_id": foreign})
    assert response.status_code == 422, response.text
    assert "contact_id" in fields_named(response)
    # the same answer as for an id that exists nowhere: nothing tells that the record exists elsewhere
    assert reasons(response)["contact_id"] == reasons(missing)["contact_id"].replace("999999999", str(foreign))
    own = api.new_animal()
    patched = api.patch(f"/v1/animal/{own['id']}", {"residence_contact_id": foreign})
    assert patched.status_code == 422
    assert item(api.get(f"/v1/animal/{own['id']}"), "animal") == own


def test_lookup_of_another_clinic_cannot_be_linked(api, other):
    foreign_species = other.first_id("species")
    contact_id = api.new_contact()["id"]
    response = api.post("/v1/animal", {"name": "Rex", "contact_id": contact_id, "species_id": foreign_species})
    assert response.status_code == 422
    assert "species_id" in fields_named(response)


def test_animal_must_have_an_owner_contact(api):
    before = total(api, "/v1/animal")
    for body in ({"name": "Stray"}, {"name": "Stray", "contact_id": None}, {"name": "Stray", "contact_id": 0}):
        response = api.post("/v1/animal", body)
        assert response.status_code == 422, (body, response.text)
        assert "contact_id" in fields_named(response)
    assert total(api, "/v1/animal") == before
    animal = api.new_animal()
    response = api.patch(f"/v1/animal/{animal['id']}", {"contact_id": None})
    assert response.status_code == 422
    assert item(api.get(f"/v1/animal/{animal['id']}"), "animal")["contact_id"] == animal["contact_id"]


def test_breed_must_belong_to_the_species(api):
    canine, feline = lookup_id(api, "species", "Canine"), lookup_id(api, "species", "Feline")
    labrador, siamese = lookup_id(api, "breed", "Labrador Retriever"), lookup_id(api, "breed", "Siamese")
    contact_id = api.new_contact()["id"]
    refused = api.post("/v1/animal", {"name": "Rex", "contact_id": contact_id, "species_id": canine,
                                      "breed_id": siamese})
    assert refused.status_code == 422
    assert "breed_id" in fields_named(refused)
    dog = item(api.post("/v1/animal", {"name": "Rex", "contact_id": contact_id, "species_id": canine,
                                       "breed_id": labrador}), "animal")
    # changing the species alone makes the breed wrong as well
    assert api.patch(f"/v1/animal/{dog['id']}", {"species_id": feline}).status_code == 422
    assert api.patch(f"/v1/animal/{dog['id']}", {"breed_id": siamese}).status_code == 422
    cat = item(api.patch(f"/v1/animal/{dog['id']}", {"species_id": feline, "breed_id": siamese}), "animal")
    assert (cat["species_id"], cat["breed_id"]) == (str(feline), str(siamese))


def test_contact_create_requires_last_name(api):
    body = {"first_name": "Ada", "contact_detail_list": [detail_body(api, "ada@example.com")]}
    for last_name in (None, ""):
        response = api.post("/v1/contact", {**body, **({} if last_name is None else {"last_name": last_name})})
        assert response.status_code == 422, response.text
        assert "last_name" in fields_named(response)


def test_contact_create_requires_a_contact_detail(api):
    for details in ({}, {"contact_detail_list": []}):
        response = api.post("/v1/contact", {"last_name": "Lovelace", **details})
        assert response.status_code == 422, response.text
        assert "contact_detail_list" in fields_named(response)


def test_patch_cannot_blank_the_last_name_of_a_person(api):
    contact = api.new_contact()
    response = api.patch(f"/v1/contact/{contact['id']}", {"last_name": ""})
    assert response.status_code == 422
    assert "last_name" in fields_named(response)


def test_stop_credit_accepts_ok_warning_and_stop(api):
    for value in ("OK", "WARNING", "STOP"):
        contact = api.new_contact(stop_credit=value)
        assert contact["stop_credit"] == value
        assert item(api.get(f"/v2/contact/{contact['id']}"), "contact")["stop_credit"] == value
    patched = item(api.patch(f"/v1/contact/{contact['id']}", {"stop_credit": "WARNING"}), "contact")
    assert patched["stop_credit"] == "WARNING"


def test_stop_credit_refuses_anything_else(api):
    contact = api.new_contact()
    before = total(api, "/v1/contact")
    wrong = {}
    for value in ("BLOCKED", "", "1", None, True, ["OK"]):
        body = {"last_name": "Lovelace", "stop_credit": value, "contact_detail_list": [detail_body(api, "a@b.c")]}
        created = api.post("/v1/contact", body)
        patched = api.patch(f"/v1/contact/{contact['id']}", {"stop_credit": value})
        if created.status_code != 422 or "stop_credit" not in fields_named(created) or patched.status_code != 422:
            wrong[repr(value)] = (created.status_code, patched.status_code)
    assert not wrong
    assert total(api, "/v1/contact") == before
    assert item(api.get(f"/v1/contact/{contact['id']}"), "contact")["stop_credit"] == "OK"


def test_patch_cannot_blank_mandatory_fields(api):
    contact = api.new_contact()
    (detail_id,) = contact["contact_detail_list"]
    detail = item(api.get(f"/v1/contactdetail/{detail_id}"), "contactdetail")
    response = api.patch(f"/v1/contactdetail/{detail_id}", {"contact_detail_type_id": 0, "value": ""})
    assert response.status_code == 422, response.text
    assert reasons(response) == {"contact_detail_type_id": "is required", "value": "is required"}
    assert item(api.get(f"/v1/contactdetail/{detail_id}"), "contactdetail") == detail
    for body in ({"contact_detail_list": []}, {"last_name": "   "},
                 {"contact_detail_list": [{"id": detail_id, "value": "  "}]}):
        response = api.patch(f"/v1/contact/{contact['id']}", body)
        assert response.status_code == 422, (body, response.text)
    assert item(api.get(f"/v1/contact/{contact['id']}"), "contact") == contact
    assert item(api.get(f"/v1/contactdetail/{detail_id}"), "contactdetail") == detail


def test_whitespace_is_not_a_value_on_create(api):
    before = total(api, "/v1/contact")
    response = api.post("/v1/contact", {"last_name": "   ", "contact_detail_list": [detail_body(api, " ")]})
    assert response.status_code == 422, response.text
    assert {"last_name", "contact_detail_list[0].value"} <= fields_named(response)
    assert total(api, "/v1/contact") == before


def test_animal_cannot_be_given_an_inactive_owner(api):
    contact = api.new_contact()
    animal = api.new_animal()
    assert api.delete(f"/v1/contact/{contact['id']}").status_code == 200
    for response in (api.post("/v1/animal", {"name": "Orphan", "contact_id": contact["id"]}),
                     api.patch(f"/v1/animal/{animal['id']}", {"contact_id": contact["id"]})):
        assert response.status_code == 422, response.text
        assert reasons(response)["contact_id"] == f"Contact {contact['id']} is not active"
    assert item(api.get(f"/v1/animal/{animal['id']}"), "animal") == animal


# child lists --------------------------------------------------------------------------------------------


def test_contact_detail_list_on_patch_replaces_the_set(api):
    contact = api.new_contact(contact_detail_list=[detail_body(api, "one@example.com"),
                                                   detail_body(api, "two@example.com")])
    kept, removed = contact["contact_detail_list"]
    response = api.patch(f"/v1/contact/{contact['id']}", {"contact_detail_list": [
        {"id": kept}, detail_body(api, "three@example.com")]})
    listed = item(response, "contact")["contact_detail_list"]
    assert kept in listed and removed not in listed and len(listed) == 2
    new = next(detail_id for detail_id in listed if detail_id != kept)
    assert item(api.get(f"/v1/contactdetail/{new}"), "contactdetail")["value"] == "three@example.com"
    assert item(api.get(f"/v1/contact/{contact['id']}"), "contact")["contact_detail_list"] == listed
    v2 = item(api.get(f"/v2/contact/{contact['id']}"), "contact")["contact_detail_list"]
    assert sorted(d["value"] for d in v2) == ["one@example.com", "three@example.com"]
    listed_active = api.get(f"/v1/contactdetail?contact_id={contact['id']}&active=1").json()["items"]
    assert sorted(i["contactdetail"]["id"] for i in listed_active) == sorted(listed)


def test_contact_detail_list_on_patch_updates_listed_objects(api):
    contact = api.new_contact()
    (detail_id,) = contact["contact_detail_list"]
    response = api.patch(f"/v1/contact/{contact['id']}", {"contact_detail_list": [
        {"id": detail_id, "value": "new@example.com"}]})
    assert item(response, "contact")["contact_detail_list"] == [detail_id]
    assert item(api.get(f"/v1/contactdetail/{detail_id}"), "contactdetail")["value"] == "new@example.com"


def test_contact_detail_list_cannot_claim_a_detail_of_another_contact(api):
    first, second = api.new_contact(), api.new_contact()
    response = api.patch(f"/v1/contact/{first['id']}", {"contact_detail_list": [
        {"id": second["contact_detail_list"][0]}]})
    assert response.status_code == 422, response.text
    assert item(api.get(f"/v1/contact/{first['id']}"), "contact") == first
    assert item(api.get(f"/v1/contact/{second['id']}"), "contact") == second


def test_child_object_cannot_move_to_another_contact(api):
    first, second = api.new_contact(), api.new_contact()
    (detail_id,) = first["contact_detail_list"]
    for items in ([{"id": detail_id, "contact_id": second["id"]}],
                  [{"id": detail_id}, detail_body(api, "x@example.com", contact_id=second["id"])]):
        response = api.patch(f"/v1/contact/{first['id']}", {"contact_detail_list": items})
        assert response.status_code == 422, response.text
        assert "is set by the parent" in reasons(response)[f"contact_detail_list[{len(items) - 1}].contact_id"]
    response = api.post("/v1/contact", {"last_name": "L", "contact_detail_list": [
        detail_body(api, "y@example.com", contact_id=second["id"])]})
    assert reasons(response)["contact_detail_list[0].contact_id"] == "is set by the parent"
    assert item(api.get(f"/v1/contact/{first['id']}"), "contact") == first
    assert item(api.get(f"/v1/contact/{second['id']}"), "contact") == second
    assert item(api.get(f"/v1/contactdetail/{detail_id}"), "contactdetail")["contact_id"] == first["id"]


def test_422_names_bad_fields_of_the_record_and_of_its_children_together(api):
    contact = api.new_contact()
    bad_type = {"value": "z@example.com", "contact_detail_type_id": 999999999}
    created = api.post("/v1/contact", {"stop_credit": "MAYBE", "last_name": "L", "contact_detail_list": [bad_type],
                                       "address_physical": {"country_id": 999999999}})
    patched = api.patch(f"/v1/contact/{contact['id']}", {"stop_credit": "MAYBE", "contact_detail_list": [bad_type],
                                                         "address_physical": {"country_id": 999999999}})
    for response in (created, patched):
        assert response.status_code == 422, response.text
        assert {"stop_credit", "contact_detail_list[0].contact_detail_type_id",
                "address_physical.country_id"} <= fields_named(response)
    assert item(api.get(f"/v1/contact/{contact['id']}"), "contact") == contact


def test_refused_child_list_patch_changes_nothing(api):
    contact = api.new_contact()
    response = api.patch(f"/v1/contact/{contact['id']}", {"first_name": "Augusta", "contact_detail_list": [
        detail_body(api, "new@example.com"), {"id": "not-a-number"}]})
    assert response.status_code == 422, response.text
    assert item(api.get(f"/v1/contact/{contact['id']}"), "contact") == contact


# polymorphic and uid links ------------------------------------------------------------------------------


def test_address_for_resource_round_trip(api):
    contact_id = int(api.new_contact()["id"])
    created = item(api.post("/v1/address", {"name": "Physical", "street_1": "1 Queen Street", "city": "Auckland",
                                            "for_resource": {"Contact": {"id": contact_id}}}), "address")
    assert created["for_resource"] == {"Contact": {"id": str(contact_id)}}
    assert item(api.get(f"/v1/address/{created['id']}"), "address")["for_resource"] == created["for_resource"]
    also = item(api.post("/v1/address", {"name": "Postal", "for_resource": {"Contact": {"id": str(contact_id)}}}),
                "address")
    assert also["for_resource"] == {"Contact": {"id": str(contact_id)}}


def test_address_for_a_record_that_does_not_exist_is_refused(api, other):
    foreign = other.new_contact()["id"]
    before = total(api, "/v1/address")
    for ref in ({"Contact": {"id": 999999999}}, {"Contact": {"id": foreign}}, {"Invoice": {"id": 1}},
                {"Contact": {"id": "x"}}, "Contact 5", {"Contact": {"id": 1}, "Animal": {"id": 1}}):
        response = api.post("/v1/address", {"name": "Physical", "for_resource": ref})
        assert response.status_code == 422, (ref, response.text)
        assert "for_resource" in fields_named(response)
    assert total(api, "/v1/address") == before


def test_patch_with_a_nested_address_retires_the_address_it_replaces(api):
    contact = api.new_contact(address_physical={"street_1": "1 Queen Street", "city": "Auckland"})
    first = contact["address_physical"]
    assert item(api.get(f"/v1/address/{first}"), "address")["for_resource"] == {"Contact": {"id": contact["id"]}}
    patched = item(api.patch(f"/v1/contact/{contact['id']}", {"address_physical": {"street_1": "2 King Street"}}),
                   "contact")
    second = patched["address_physical"]
    assert second != first
    assert item(api.get(f"/v1/address/{first}"), "address")["active"] == "0"
    new = item(api.get(f"/v1/address/{second}"), "address")
    assert (new["active"], new["street_1"], new["for_resource"]) == ("1", "2 King Street",
                                                                     {"Contact": {"id": contact["id"]}})
    owned = api.get(f"/v1/address?active=1&id={first}").json()["items"]
    assert owned == []
    # an Address that belongs to no one else is left alone when the Contact points elsewhere
    shared = item(api.post("/v1/address", {"name": "Shared"}), "address")["id"]
    api.patch(f"/v1/contact/{contact['id']}", {"address_postal": shared})
    api.patch(f"/v1/contact/{contact['id']}", {"address_postal": {"street_1": "PO Box 1"}})
    assert item(api.get(f"/v1/address/{shared}"), "address")["active"] == "1"


def test_nested_address_cannot_name_another_owner(api):
    contact, victim = api.new_contact(), api.new_contact()
    before = total(api, "/v1/address")
    nested = {"street_1": "1 Queen Street", "for_resource": {"Contact": {"id": victim["id"]}}}
    created = api.post("/v1/contact", {"last_name": "L", "address_physical": nested,
                                       "contact_detail_list": [detail_body(api, "a@b.c")]})
    patched = api.patch(f"/v1/contact/{contact['id']}", {"address_physical": nested})
    for response in (created, patched):
        assert response.status_code == 422, response.text
        assert reasons(response)["address_physical.for_resource"] == "is set by the parent"
    assert total(api, "/v1/address") == before
    assert item(api.get(f"/v1/contact/{contact['id']}"), "contact") == contact


def test_contactdetail_v2_is_created_with_contact_uid(api):
    contact = api.new_contact()
    uid = item(api.get(f"/v2/contact/{contact['id']}"), "contact")["uid"]
    created = item(api.post("/v2/contactdetail", {"name": "Mobile", "value": "021 555 0101", "contact_uid": uid,
                                                  "type_id": api.first_id("contactdetailtype")}), "contactdetail")
    assert created["contact_id"] == int(contact["id"])
    assert created["contact_uid"] == uid
    listed = item(api.get(f"/v1/contact/{contact['id']}"), "contact")["contact_detail_list"]
    assert str(created["id"]) in listed


def test_contactdetail_v2_with_an_unknown_or_foreign_uid_is_refused(api, other):
    foreign = other.new_contact()
    foreign_uid = item(other.get(f"/v2/contact/{foreign['id']}"), "contact")["uid"]
    before = total(api, "/v1/contactdetail")
    for uid in ("contact_doesnotexist", foreign_uid):
        response = api.post("/v2/contactdetail", {"value": "021 555 0101", "contact_uid": uid,
                                                  "type_id": api.first_id("contactdetailtype")})
        assert response.status_code == 422, response.text
        assert "contact_uid" in fields_named(response)
    missing = api.post("/v2/contactdetail", {"value": "021", "type_id": api.first_id("contactdetailtype")})
    assert missing.status_code == 422
    assert total(api, "/v1/contactdetail") == before


def test_contactdetail_v1_create_without_a_type_takes_the_type_its_name_names(api):
    """v1 does not mark the type mandatory (L4132): the name picks it, in any case."""
    contact = api.new_contact()
    for name, type_name in (("Email", "Email"), ("mobile", "Mobile"), ("  BUSINESS PHONE ", "Business Phone")):
        for body in ({"name": name}, {"name": name, "contact_detail_type_id": None},
                     {"name": name, "contact_detail_type_id": ""}):
            response = api.post("/v1/contactdetail", {"contact_id": contact["id"], "value": "021 555 0101", **body})
            detail = item(response, "contactdetail")
            assert detail["contact_detail_type_id"] == str(lookup_id(api, "contactdetailtype", type_name)), body
    home = lookup_id(api, "contactdetailtype", "Home")  # a type that is sent is kept, whatever the name
    sent = item(api.post("/v1/contactdetail", {"contact_id": contact["id"], "value": "x@example.com",
                                               "name": "Email", "contact_detail_type_id": home}), "contactdetail")
    assert sent["contact_detail_type_id"] == str(home)


def test_contactdetail_v1_create_without_a_type_or_a_type_name_is_a_422_naming_contact_detail_type_id(api):
    contact = api.new_contact()
    before = total(api, "/v1/contactdetail")
    for body in ({"name": "Business E-mail"}, {}, {"name": ""}, {"name": "Pager", "contact_detail_type_id": None}):
        response = api.post("/v1/contactdetail", {"contact_id": contact["id"], "value": "021 555 0101", **body})
        assert response.status_code == 422, (body, response.text)
        assert fields_named(response) == {"contact_detail_type_id"}, body
    assert total(api, "/v1/contactdetail") == before


def test_a_contact_s_detail_list_takes_each_missing_type_from_the_detail_s_name(api):
    response = api.post("/v1/contact", {"last_name": "Lovelace", "contact_detail_list": [
        {"name": "Email", "value": "ada@example.com"}, {"name": "MOBILE", "value": "021 555 0101"}]})
    contact = item(response, "contact")
    types = [item(api.get(f"/v1/contactdetail/{d}"), "contactdetail")["contact_detail_type_id"]
             for d in contact["contact_detail_list"]]
    assert types == [str(lookup_id(api, "contactdetailtype", "Email")),
                     str(lookup_id(api, "contactdetailtype", "Mobile"))]
    kept = contact["contact_detail_list"][0]
    patched = item(api.patch(f"/v1/contact/{contact['id']}", {"contact_detail_list": [
        {"id": kept}, {"name": "home", "value": "07 838 1234"}]}), "contact")
    added = item(api.get(f"/v1/contactdetail/{patched['contact_detail_list'][-1]}"), "contactdetail")
    assert added["contact_detail_type_id"] == str(lookup_id(api, "contactdetailtype", "Home"))
    before = (total(api, "/v1/contact"), total(api, "/v1/contactdetail"))
    refused = api.post("/v1/contact", {"last_name": "Babbage", "contact_detail_list": [
        {"name": "Email", "value": "cb@example.com"}, {"name": "Pager", "value": "555"}]})
    assert refused.status_code == 422, refused.text
    assert fields_named(refused) == {"contact_detail_list[1].contact_detail_type_id"}
    refused_patch = api.patch(f"/v1/contact/{contact['id']}", {"contact_detail_list": [{"id": kept},
                                                                                      {"value": "555"}]})
    assert refused_patch.status_code == 422, refused_patch.text
    assert fields_named(refused_patch) == {"contact_detail_list[1].contact_detail_type_id"}
    assert (total(api, "/v1/contact"), total(api, "/v1/contactdetail")) == before


def test_contactdetail_v2_create_still_requires_type_id(api):
    """v2 marks type_id mandatory (L4396): a name does not stand in for it there."""
    contact = api.new_contact()
    before = total(api, "/v1/contactdetail")
    for body in ({"name": "Email"}, {"name": "Email", "type_id": None}):
        response = api.post("/v2/contactdetail", {"contact_id": contact["id"], "value": "x@example.com", **body})
        assert response.status_code == 422, (body, response.text)
        assert fields_named(response) == {"type_id"}, body
    assert total(api, "/v1/contactdetail") == before


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_numbers_dates_and_ids_in_other_digits_are_refused_in_a_body(api):
    """``Decimal("١٢")`` is 12 and ``int("１２")`` is 12: a body is read in ASCII digits only, like a path id."""
    animal = api.new_animal()
    contact = api.new_contact()
    before = total(api, "/v1/animal")
    wrong = {}
    for digits in (ARABIC_INDIC, FULL_WIDTH):
        for field, value in (("weight", "12"), ("weight", "12.5"), ("date_of_birth", "1500000000"),
                             ("contact_id", str(contact["id"])), ("species_id", "1")):
            other = value.translate(digits)
            created = api.post("/v1/animal", {"name": "Digits", "contact_id": contact["id"], field: other})
            patched = api.patch(f"/v1/animal/{animal['id']}", {field: other})
            for response in (created, patched):
                if response.status_code != 422 or field not in fields_named(response):
                    wrong[f"{field}={other}"] = (response.status_code, response.text[:200])
        detail_id = contact["contact_detail_list"][0].translate(digits)
        listed = api.patch(f"/v1/contact/{contact['id']}", {"contact_detail_list": [{"id": detail_id}]})
        if listed.status_code != 422 or "contact_detail_list[0].id" not in fields_named(listed):
            wrong[f"detail id {detail_id}"] = (listed.status_code, listed.text[:200])
    assert not wrong
    assert total(api, "/v1/animal") == before
    assert item(api.get(f"/v1/animal/{animal['id']}"), "animal") == animal
    assert item(api.get(f"/v1/contact/{contact['id']}"), "contact") == contact
    underscore = api.patch(f"/v1/animal/{animal['id']}", {"weight": "1_000"})  # Decimal() reads it: 1000
    assert underscore.status_code == 422 and "weight" in fields_named(underscore)


# nasty input --------------------------------------------------------------------------------------------


NASTY_ANIMALS = [
    [],
    [{"name": "Rex"}],
    "Rex",
    123,
    None,
    {"name": {"first": ["R", "e", "x"]}},
    {"name": ["Rex"]},
    {"name": "x" * 100_000},
    {"name": None, "contact_id": None, "weight": None, "is_dead": None},
    {"contact_id": {"id": 5}},
    {"contact_id": [1, 2]},
    {"contact_id": 99999999999999999999999},
    {"contact_id": -5},
    {"contact_id": 1.5},
    {"date_of_birth": 10**30},
    {"date_of_birth": -(10**30)},
    {"date_of_birth": 1e300},
    {"weight": 1e300},
    {"weight": "NaN"},
    {"weight": "Infinity"},
    {"weight": "1e999999"},
    {"weight": 10**40},
    {"is_dead": {"value": True}},
    {"": "empty key"},
    {"name": "\u0000\ud7ff\U0001f415"},
]


def test_nasty_animal_bodies_never_give_a_500(api):
    animal = api.new_animal()
    before = total(api, "/v1/animal")
    wrong = {}
    for index, body in enumerate(NASTY_ANIMALS):
        created = api.request("POST", "/v1/animal", json=body)
        patched = api.request("PATCH", f"/v1/animal/{animal['id']}", json=body)
        if created.status_code not in (400, 422) or patched.status_code not in (200, 400, 422):
            wrong[f"{index}: {str(body)[:60]}"] = (created.status_code, patched.status_code)
    assert not wrong
    assert total(api, "/v1/animal") == before  # none of these bodies names an owner: nothing was created


NASTY_CONTACTS = [
    {"last_name": "L", "contact_detail_list": "not a list"},
    {"last_name": "L", "contact_detail_list": [1, "x", None]},
    {"last_name": "L", "contact_detail_list": [[{"value": "a"}]]},
    {"last_name": "L", "contact_detail_list": [{"value": [], "contact_detail_type_id": {"id": 1}}]},
    {"last_name": "L", "contact_detail_list": [{"id": 99999999999999999999999}]},
    {"last_name": "L", "contact_detail_list": [{"value": "a", "contact_detail_type_id": 10**30}]},
    {"last_name": "L", "contact_detail_list": [{"value": "a", "subscription_groups": {"x": 1}}]},
    {"last_name": "L", "contact_detail_list": [{"contact_detail_list": [{"value": "deep"}]}]},
    {"last_name": {"$ne": None}, "contact_detail_list": [{"value": "a"}]},
    {"last_name": "L" * 10_000, "first_name": "F" * 10_000, "contact_detail_list": [{"value": "v" * 100_000}]},
]


def test_nasty_contact_bodies_never_give_a_500(api):
    contact = api.new_contact()
    before = (total(api, "/v1/contact"), total(api, "/v1/contactdetail"))
    wrong = {}
    for index, body in enumerate(NASTY_CONTACTS):
        created = api.post("/v1/contact", body)
        patched = api.patch(f"/v1/contact/{contact['id']}", {"contact_detail_list": body["contact_detail_list"]})
        if created.status_code not in (400, 422) or patched.status_code not in (400, 422):
            wrong[f"{index}: {str(body)[:60]}"] = (created.status_code, patched.status_code)
    assert not wrong
    assert (total(api, "/v1/contact"), total(api, "/v1/contactdetail")) == before
    assert item(api.get(f"/v1/contact/{contact['id']}"), "contact") == contact


NASTY_REFERENCES = [
    {"Contact": None}, {"Contact": []}, {"Contact": {"id": None}}, {"Contact": {"id": {"id": 1}}},
    {"Contact": {"id": 99999999999999999999999}}, {}, [], {"contact": {"id": 1}}, {"Contact": {"id": -1}},
]


def test_nasty_for_resource_never_gives_a_500(api):
    wrong = {}
    for ref in NASTY_REFERENCES:
        response = api.post("/v1/address", {"name": "Physical", "for_resource": ref})
        if response.status_code not in (400, 422):
            wrong[repr(ref)] = response.status_code
    assert not wrong


def test_nasty_contact_uid_never_gives_a_500(api):
    wrong = {}
    for uid in (None, "", 5, ["contact_x"], {"uid": "x"}, "x" * 10_000):
        response = api.post("/v2/contactdetail", {"value": "021", "contact_uid": uid,
                                                  "type_id": api.first_id("contactdetailtype")})
        if response.status_code not in (400, 422):
            wrong[repr(uid)[:40]] = response.status_code
    assert not wrong


@pytest.mark.parametrize(("value", "cleaned"), [
    ("021 123-4567", "0211234567"), ("+64 (21) 123 4567", "+64211234567"),
    ("Ada@Example.COM", "ada@example.com"), ("  a note  ", "a note"),
])
def test_contact_detail_value_is_cleaned_on_write(api, value, cleaned):
    contact = api.new_contact()
    response = api.post("/v1/contactdetail", {"contact_id": contact["id"], "value": value,
                                              "contact_detail_type_id": api.first_id("contactdetailtype")})
    assert response.status_code == 200, response.text
    detail = response.json()["items"][0]["contactdetail"]
    assert detail["value_cleaned"] == cleaned
    patched = api.patch(f"/v1/contactdetail/{detail['id']}", {"value": "03 555 0000"})
    assert patched.json()["items"][0]["contactdetail"]["value_cleaned"] == "035550000"
