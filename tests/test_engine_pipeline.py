"""The write pipeline, for every resource: validate → plan → write → events, in one transaction.

A child written through its parent's list runs its own rules and records its own events; a child written on
its own makes its parent say it changed; rules plan writes to other records that are written, with their
own rules and events, in the same transaction as the change that caused them, and nothing at all is written
when anything is refused. These are engine behaviours: they are shown here on the resources that use them.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from openvet.engine import Engine
from openvet.resources import REGISTRY
from openvet.resources.declaration import Endpoint, Resource
from openvet.resources.fields import Computed, Field, Text

pytestmark = pytest.mark.both_databases  # behaviour that differs between the databases


def events(engine, clinic_id: int, resource: str | None = None, record_id: int | None = None) -> list[str]:
    """The outbox events of a clinic (of one record), oldest first."""
    query = "SELECT event FROM outbox WHERE clinic_id = :c"
    params: dict = {"c": clinic_id}
    if resource is not None:
        query += " AND resource = :r"
        params["r"] = resource
    if record_id is not None:
        query += " AND record_id = :i"
        params["i"] = record_id
    with engine.db.connect() as conn:
        return [row.event for row in conn.execute(sa.text(query + " ORDER BY id"), params)]


def count(engine, clinic_id: int, table: str, active_only: bool = False) -> int:
    condition = " AND active" if active_only else ""
    with engine.db.connect() as conn:
        return conn.execute(sa.text(f'SELECT count(*) FROM "{table}" WHERE clinic_id = :c{condition}'),
                            {"c": clinic_id}).scalar_one()


def one(response, name: str) -> dict:
    assert response.status_code == 200, response.text
    (item,) = response.json()["items"]
    return item[name]


def vet_id(api) -> int:
    return int(one(api.get("/v1/user", params={"is_vet": "1", "limit": "1"}), "user")["id"])


# children written through their parent --------------------------------------------------------------

def test_a_child_patched_through_its_parent_runs_its_own_rules(api):
    """The bug the issue names first: a PATCHed contact_detail_list left value_cleaned stale."""
    contact = api.new_contact()
    detail_id = int(contact["contact_detail_list"][0])
    response = api.patch(f"/v1/contact/{contact['id']}", {"contact_detail_list": [
        {"id": detail_id, "value": "Ada.Lovelace@Example.COM"}]})
    assert response.status_code == 200, response.text
    detail = one(api.get(f"/v1/contactdetail/{detail_id}"), "contactdetail")
    assert detail["value"] == "Ada.Lovelace@Example.COM"
    assert detail["value_cleaned"] == "ada.lovelace@example.com"


def test_a_child_written_through_its_parent_records_its_own_events(api, engine):
    contact = api.new_contact()
    first = int(contact["contact_detail_list"][0])
    assert events(engine, api.id, "contactdetail", first) == ["contactdetail_created"]
    kind = api.first_id("contactdetailtype")
    response = api.patch(f"/v1/contact/{contact['id']}", {"contact_detail_list": [
        {"id": first, "value": "ada@example.org"},
        {"name": "Mobile", "value": "021 555 0199", "contact_detail_type_id": kind}]})
    assert response.status_code == 200, response.text
    listed = one(response, "contact")["contact_detail_list"]
    added = next(int(i) for i in listed if int(i) != first)
    assert events(engine, api.id, "contactdetail", first) == ["contactdetail_created", "contactdetail_updated"]
    assert events(engine, api.id, "contactdetail", added) == ["contactdetail_created"]
    assert events(engine, api.id, "contact", int(contact["id"])) == ["contact_created", "contact_updated"]
    # a child left out of the PATCHed list is deactivated, and says so
    response = api.patch(f"/v1/contact/{contact['id']}", {"contact_detail_list": [{"id": added}]})
    assert response.status_code == 200, response.text
    assert events(engine, api.id, "contactdetail", first)[-1] == "contactdetail_disabled"


def test_a_child_written_on_its_own_makes_its_parent_say_it_changed(api, engine):
    """POST /v1/diagnosticresultitem: the result's list changed, so the result's modified_at moves and it
    records ``diagnosticresult_updated`` (delta sync and webhooks see it)."""
    animal = api.new_animal()
    result = one(api.post("/v1/diagnosticresult", {"animal_id": animal["id"]}), "diagnosticresult")
    engine.db.dispose()
    with engine.db.begin() as conn:  # as if the result were written a while ago
        conn.execute(sa.text("UPDATE diagnosticresult SET modified_at = modified_at - 100 WHERE id = :i"),
                     {"i": int(result["id"])})
    before = int(one(api.get(f"/v1/diagnosticresult/{result['id']}"), "diagnosticresult")["modified_at"])
    item = one(api.post("/v1/diagnosticresultitem", {"diagnostic_result_id": result["id"], "name": "GLU",
                                                      "value": "5.0"}), "diagnosticresultitem")
    after = one(api.get(f"/v1/diagnosticresult/{result['id']}"), "diagnosticresult")
    assert int(after["modified_at"]) > before
    assert after["diagnostic_result_item_list"] == [item["id"]]
    assert events(engine, api.id, "diagnosticresult", int(result["id"])) == [
        "diagnosticresult_created", "diagnosticresult_updated"]
    assert events(engine, api.id, "diagnosticresultitem", int(item["id"])) == ["diagnosticresultitem_created"]


def test_one_422_names_the_mistakes_of_the_record_and_of_its_children(api, engine):
    animal = api.new_animal()
    before = count(engine, api.id, "prescriptionitem")
    response = api.post("/v1/prescription", {"animal_id": animal["id"], "prescribing_vet_user_id": "x",
                                             "prescription_item_list": [{"qty": "lots"}, {"product_id": 0}]})
    assert response.status_code == 422, response.text
    named = {field for m in response.json()["messages"] for field in m["fields"]}
    assert {"prescribing_vet_user_id", "prescription_item_list[0].qty",
            "prescription_item_list[1].product_id"} <= named
    assert count(engine, api.id, "prescriptionitem") == before


# writes a rule plans -----------------------------------------------------------------------------------

def external_prescription(api, **fields) -> dict:
    animal = fields.pop("animal", None) or api.new_animal()
    body = {"animal_id": animal["id"], "prescribing_vet_user_id": vet_id(api), "date_of_prescription": 1700000000,
            "external_reference": "RX-1", "total_price": 20,
            "external_prescription_item_list": [{"external_product_name": "Carprofen 50mg",
                                                 "external_product_reference": "CARP-50", "price": 20, "qty": 30,
                                                 "remaining": 2, "instructions": "One a day with food"}]}
    body.update(fields)
    return body


def test_planned_writes_are_made_with_the_change_each_with_its_own_rules_and_events(api, engine):
    response = api.post("/v1/externalprescription", external_prescription(api))
    assert response.status_code == 200, response.text
    uid = response.json()["messages"][0]["fields"]["prescription_uid"]
    prescriptions = [i["prescription"] for i in api.get("/v2/prescription", params={"limit": "200"}).json()["items"]]
    (made,) = [p for p in prescriptions if p["uid"] == uid]
    (line,) = made["prescription_item_list"]
    assert (line["quantity"], line["remaining"], line["start_date"]) == (30, 2, 1700000000)
    product = one(api.get(f"/v2/product/{line['product_id']}"), "product")
    assert (product["name"], product["type"]) == ("Carprofen 50mg", "Medication")
    for resource, record_id in (("prescription", made["id"]), ("product", line["product_id"])):
        assert events(engine, api.id, resource, record_id)[0] == f"{resource}_created"
    # the Prescription's own rule ran: its contact is the animal's owner
    v1 = one(api.get(f"/v1/prescription/{made['id']}"), "prescription")
    animal = one(api.get(f"/v1/animal/{made['animal_id']}"), "animal")
    assert v1["contact_id"] == animal["contact_id"]


def test_a_refusal_anywhere_in_the_planned_writes_writes_nothing(api, engine):
    tables = ("externalprescription", "prescription", "prescriptionitem", "product")
    body = external_prescription(api)
    before = {t: count(engine, api.id, t) for t in tables}
    outbox = len(events(engine, api.id))
    body["external_prescription_item_list"].append({"external_product_name": "Gabapentin",
                                                    "external_product_reference": "GABA-100", "price": -5,
                                                    "qty": 10})
    response = api.post("/v1/externalprescription", body)
    assert response.status_code == 422, response.text
    assert {f for m in response.json()["messages"] for f in m["fields"]} == {
        "external_prescription_item_list[1].price"}
    assert {t: count(engine, api.id, t) for t in tables} == before
    assert len(events(engine, api.id)) == outbox


def test_a_value_made_from_the_new_id_is_written_with_the_record(api):
    animal = api.new_animal()
    consult = one(api.post("/v1/consult", {"date": 1700000000, "animal_id": animal["id"]}), "consult")
    assert consult["code"] == str(300000 + int(consult["id"]))
    assert one(api.get(f"/v1/consult/{consult['id']}"), "consult")["code"] == consult["code"]


# events ------------------------------------------------------------------------------------------------

def test_every_resource_names_its_created_updated_and_disabled_events():
    """Events name what happened to a record, whoever did it (the API cannot create products)."""
    # but the list of events itself and the log of their deliveries, which would feed back into it, and jobs,
    # which are never deleted (docs/jobqueue.md)
    for resource in (r for r in REGISTRY.values() if r.name not in ("webhookevents", "webhookattempt", "jobqueue")):
        assert resource.event_names() == tuple(f"{resource.name}_{e}" for e in ("created", "updated", "disabled"))
    assert REGISTRY["webhookattempt"].event_names() == REGISTRY["webhookevents"].event_names() == ()
    assert REGISTRY["jobqueue"].event_names() == ("jobqueue_created", "jobqueue_updated")
    assert "product_created" in REGISTRY["product"].event_names()


def test_a_patch_that_deactivates_says_disabled_and_a_second_delete_says_nothing(api, engine):
    animal = api.new_animal()
    assert api.patch(f"/v1/animal/{animal['id']}", {"active": "0"}).status_code == 200
    assert events(engine, api.id, "animal", int(animal["id"])) == ["animal_created", "animal_disabled"]
    response = api.delete(f"/v1/animal/{animal['id']}")
    assert response.status_code == 200, response.text
    assert (response.json()["meta"]["items_matched"], response.json()["meta"]["items_processed"]) == ("1", "0")
    assert events(engine, api.id, "animal", int(animal["id"])) == ["animal_created", "animal_disabled"]


def test_delete_runs_the_resources_rules(api, engine):
    """Deactivating an external prescription deactivates its Prescription and items: a rule, on DELETE."""
    response = api.post("/v1/externalprescription", external_prescription(api))
    uid = response.json()["messages"][0]["fields"]["prescription_uid"]
    response = api.request("DELETE", "/v1/externalprescription", json={"prescription_uid": uid})
    assert response.status_code == 200, response.text
    assert response.json()["messages"][0]["text"] == "Record deactivated successfully."
    (made,) = [i["prescription"] for i in api.get("/v2/prescription", params={"limit": "200"}).json()["items"]
               if i["prescription"]["uid"] == uid]
    assert made["active"] is False
    assert made["prescription_item_list"] == []  # its items are no longer active in its list


# the engine refuses to start on a declaration it cannot serve ----------------------------------------

def test_a_declaration_naming_a_missing_rule_or_computed_value_stops_the_engine(engine):
    broken = Resource(name="broken", title="Broken", endpoints={"v1": Endpoint(("list",))}, rules=("no_such_rule",),
                      fields=(Field("name", Text()), Field("link", Computed("no_such_value"))))
    try:
        Engine(engine.db, {**REGISTRY, "broken": broken})
    except LookupError as error:
        assert "no_such_rule" in str(error) and "no_such_value" in str(error)
    else:
        raise AssertionError("an engine was made for a declaration naming functions nobody wrote")


def test_a_read_holds_no_transaction_open_on_the_database(engine):
    """On PostgreSQL a read's statements run in autocommit (each sees what was committed when it began, as at
    READ COMMITTED), so a read costs no BEGIN and ROLLBACK round trips; SQLite's driver opens none for a SELECT."""
    from psycopg.pq import TransactionStatus

    def during(conn: sa.Connection):
        conn.execute(sa.text("SELECT 1")).scalar_one()
        driver = conn.connection.driver_connection
        return driver.info.transaction_status if engine.dialect == "postgresql" else driver.in_transaction

    assert engine._read(during) == (TransactionStatus.IDLE if engine.dialect == "postgresql" else False)
