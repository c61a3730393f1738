"""The job queue (JobQueue, L8040): API requests kept and run later, through the same engine, exactly once.

A job is queued through the API (``POST /v2/jobqueue``) and run by the job runner, which the test drives round
by round (``Dispatcher.round``, the same rounds ``openvet serve`` and ``openvet worker`` run), or by real server
and worker processes (kill -9, two workers on PostgreSQL).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import jsonschema_rs
import pytest
import sqlalchemy as sa

from conftest import SPEC, migrated_database, running_server, settle
from openvet.engine import Actor, Engine
from openvet.request_body import MAX_BODY
from openvet.resources import REGISTRY
from openvet.services import clinics, credentials
from openvet.services.jobs import JobRefused, data_schema, queued_request
from openvet.store.database import connect
from practice import Practice, item, items, refused

CATALOG = json.loads((SPEC / "ezyvet_catalog.json").read_text())


@pytest.fixture
def practice(api, engine) -> Practice:
    return Practice(api, engine)


def pricing_body(practice: Practice, **fields) -> dict:
    """A ProductPricing as the document's sample writes it (L10302)."""
    (rate,) = items(practice.api.get("/v2/taxrate?code=S"), "taxrate")
    return {"product_id": practice.product("Rimadyl", "Medication"),
            "ownership_id": practice.api.first_id("separation"),
            "based_on": "Price", "tax_rate": rate["id"], "cost_price": 114, "sell_price": 300, **fields}


def queue(api, method: str, endpoint: str, body: dict, **fields) -> dict:
    response = api.post("/v2/jobqueue", {"data": {"method": method, "endpoint": endpoint, "body": body}, **fields})
    return item(response, "jobqueue")


def job(api, job_id: int) -> dict:
    (found,) = items(api.get(f"/v2/jobqueue?id={job_id}"), "jobqueue")
    return found


def rows(engine: Engine, clinic_id: int, table: str) -> list[tuple]:
    t = engine.tables[table]
    with engine.db.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(t).where(t.c.clinic_id == clinic_id).order_by(t.c.id))]


def events(engine: Engine, clinic_id: int) -> list[tuple[str, int]]:
    outbox = engine.tables["outbox"]
    with engine.db.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(outbox.c.event, outbox.c.record_id).where(
            outbox.c.clinic_id == clinic_id).order_by(outbox.c.id))]


# queueing ----------------------------------------------------------------------------------------------------


def test_a_job_is_queued_pending_with_the_documented_fields(practice, api):
    body = pricing_body(practice)
    queued = queue(api, "post", "api/v2/productpricing", body)
    assert queued["status"] == "Pending" and queued["error"] is None and queued["record_id"] is None
    assert (queued["type"], queued["type_id"], queued["action"], queued["active"]) == ("ProductPricing", 0,
                                                                                      "ApiRequest", True)
    assert queued["data"] == {"method": "POST", "endpoint": "api/v2/productpricing", "body": body}
    assert set(queued) == {"id", "created_at", "modified_at", "active", "type", "type_id", "action", "status", "data",
                           "error", "record_id"}  # the sample's fields (L8073) and the record written (openvet)
    assert job(api, queued["id"]) == queued == item(api.get(f"/v2/jobqueue/{queued['id']}"), "jobqueue")


@pytest.mark.both_databases
def test_jobs_are_listed_and_filtered_by_status_type_type_id_and_id(practice, api):
    first = queue(api, "POST", "api/v2/productpricing", pricing_body(practice), type_id=7)
    second = queue(api, "POST", "api/v2/contactdetail", {"value": "021"}, type="ContactDetail")
    listed = api.get("/v2/jobqueue?status=pending")  # the sample's own query, lower-case (L8052)
    assert [j["id"] for j in items(listed, "jobqueue")] == [first["id"], second["id"]]
    assert listed.headers["x-item-limit-per-page"] == "10"  # "up to 10" (L8046)
    assert [j["id"] for j in items(api.get("/v2/jobqueue?type=ContactDetail"), "jobqueue")] == [second["id"]]
    assert [j["id"] for j in items(api.get("/v2/jobqueue?type_id=7"), "jobqueue")] == [first["id"]]
    assert [j["id"] for j in items(api.get(f"/v2/jobqueue?id={second['id']}"), "jobqueue")] == [second["id"]]
    assert items(api.get("/v2/jobqueue?status=Completed"), "jobqueue") == []


@pytest.mark.parametrize("data, named", [
    ({"method": "GET", "endpoint": "api/v2/productpricing", "body": {}}, "data.method"),
    ({"method": "DELETE", "endpoint": "api/v2/productpricing", "body": {}}, "data.method"),
    ({"method": "POST", "endpoint": "api/v2/nosuchthing", "body": {}}, "data.endpoint"),
    ({"method": "POST", "endpoint": "api/v1/animal", "body": {}}, "data.endpoint"),
    ({"method": "POST", "endpoint": "api/v2/jobqueue", "body": {}}, "data.endpoint"),
    ({"method": "POST", "endpoint": "api/v2/product", "body": {}}, "data.endpoint"),  # v2 Product is read-only
    ({"method": "PATCH", "endpoint": "api/v2/receiveinvoice/5", "body": {}}, "data.method"),  # documented: POST
    ({"method": "PATCH", "endpoint": "api/v2/contactdetail/5", "body": {}}, "data.method"),
    ({"method": "PATCH", "endpoint": "api/v2/productpricing", "body": {}}, "data.endpoint"),  # which record?
    ({"method": "PATCH", "endpoint": "api/v2/productpricing/5", "body": {"id": 6}}, "data.endpoint"),
    ({"method": "POST", "endpoint": "api/v2/productpricing/5", "body": {}}, "data.endpoint"),
    ({"method": "POST", "endpoint": "api/v2/productpricing", "body": [1]}, "data.body"),
    ({"method": "POST", "endpoint": "api/v2/productpricing"}, "data.body"),
    ({"endpoint": "api/v2/productpricing", "body": {}}, "data.method"),
    ({"method": "POST", "body": {}}, "data.endpoint"),
    ({"method": "POST", "endpoint": "api/v2/productpricing", "body": {}, "query": "x"}, "data"),
    ("POST api/v2/productpricing", "data"),
])
def test_a_job_the_api_could_not_run_is_a_422_at_post_naming_the_field(practice, api, data, named):
    with practice.unchanged():
        refused(api.post("/v2/jobqueue", {"data": data}), 422, named)


def test_the_data_config_is_mandatory_and_type_must_name_the_endpoint(practice, api):
    with practice.unchanged():
        refused(api.post("/v2/jobqueue", {"type": "Animal"}), 422, "data")
        refused(api.post("/v2/jobqueue", {"type": "Animal", "data": {
            "method": "POST", "endpoint": "api/v2/productpricing", "body": {}}}), 422, "type")
        refused(api.post("/v2/jobqueue", {"action": "Delete", "data": {
            "method": "POST", "endpoint": "api/v2/productpricing", "body": {}}}), 422, "action")
        refused(api.post("/v2/jobqueue", {"status": "Completed", "data": {
            "method": "POST", "endpoint": "api/v2/productpricing", "body": {}}}), 422, "status")


def test_a_token_cannot_queue_what_it_may_not_write(practice, api):
    token = api.token_for(["write-jobqueue", "read-jobqueue", "write-contactdetail"])
    headers = {"Authorization": f"Bearer {token}"}
    with practice.unchanged():
        response = api.post("/v2/jobqueue", {"data": {"method": "POST", "endpoint": "api/v2/productpricing",
                                                      "body": {}}}, headers=headers)
        assert response.status_code == 403 and "write-productpricing" in response.text, response.text
        reader = {"Authorization": f"Bearer {api.token_for(['read-jobqueue'])}"}
        response = api.post("/v2/jobqueue", {"data": {"method": "POST", "endpoint": "api/v2/contactdetail",
                                                      "body": {}}}, headers=reader)
        assert response.status_code == 403 and "write-jobqueue" in response.text, response.text


# running -----------------------------------------------------------------------------------------------------


@pytest.mark.both_databases
def test_a_queued_post_runs_through_the_engine_and_shows_the_record_it_created(practice, api, runner, engine):
    body = pricing_body(practice)
    queued = queue(api, "POST", "api/v2/productpricing", body)
    assert rows(engine, api.id, "productpricing") == []  # nothing written at POST: the body waits for the run
    settle(runner)
    done = job(api, queued["id"])
    assert (done["status"], done["error"]) == ("Completed", None) and done["modified_at"] >= queued["modified_at"]
    created = item(api.get(f"/v2/productpricing/{done['record_id']}"), "productpricing")
    # the rules ran as on an immediate POST (L10302: markup and tax worked out)
    assert (created["markup"], created["sell_price"], created["sell_price_tax"]) == (163.16, 300, 30)
    assert ("productpricing_created", created["id"]) in events(engine, api.id)
    assert ("jobqueue_updated", queued["id"]) in events(engine, api.id)
    settle(runner)
    assert len(rows(engine, api.id, "productpricing")) == 1  # run once


@pytest.mark.both_databases
def test_a_queued_patch_names_its_record_by_endpoint_body_id_or_type_id(practice, api, runner):
    created = item(api.post("/v2/productpricing", pricing_body(practice)), "productpricing")
    ways = [queue(api, "PATCH", f"api/v2/productpricing/{created['id']}", {"sell_price": 285}),
            queue(api, "PATCH", "api/v2/productpricing", {"id": created["id"], "sell_price": 250}),
            queue(api, "PATCH", "api/v2/productpricing", {"sell_price": 228}, type_id=created["id"])]
    settle(runner)
    for way in ways:
        done = job(api, way["id"])
        assert (done["status"], done["record_id"]) == ("Completed", created["id"]), done
    patched = item(api.get(f"/v2/productpricing/{created['id']}"), "productpricing")
    assert (patched["sell_price"], patched["markup"]) == (228, 100)  # the jobs ran in the order queued


@pytest.mark.both_databases
def test_a_job_whose_body_fails_validation_ends_in_error_with_the_immediate_reason_and_writes_nothing(
        practice, api, runner, engine):
    body = pricing_body(practice, based_on="Price", sell_price=None, markup=80)
    body.pop("sell_price")
    immediate = refused(api.post("/v2/productpricing", body), 422, "sell_price")
    queued = queue(api, "POST", "api/v2/productpricing", body)
    before = events(engine, api.id)
    settle(runner)
    failed = job(api, queued["id"])
    assert failed["status"] == "Error" and failed["record_id"] is None
    assert failed["error"] == "; ".join(f"{name}: {reason}" for name, reason in immediate.items())
    assert rows(engine, api.id, "productpricing") == []
    assert events(engine, api.id) == [*before, ("jobqueue_updated", queued["id"])]  # only the job's own end


def test_a_patch_of_a_record_that_does_not_exist_ends_in_error(api, runner, engine):
    queued = queue(api, "PATCH", "api/v2/productpricing/999999999", {"sell_price": 1})
    settle(runner)
    failed = job(api, queued["id"])
    assert failed["status"] == "Error" and "ProductPricing 999999999 does not exist" in failed["error"]


@pytest.mark.both_databases
def test_a_job_runs_with_the_scopes_of_the_token_that_queued_it_and_no_more(practice, api, runner, engine):
    """A token that may queue jobs and write contact details: the job keeps the token's scopes, and a job that
    holds no write-productpricing cannot write a pricing, though the credentials may (the token held less)."""
    narrow = {"Authorization": f"Bearer {api.token_for(['write-jobqueue', 'read-jobqueue', 'write-contactdetail'])}"}
    queued = queue(api, "POST", "api/v2/productpricing", pricing_body(practice))
    table = engine.tables["jobqueue"]
    with engine.db.begin() as conn:  # as if the token had queued it: the scopes kept are those of the token
        conn.execute(table.update().where(table.c.id == queued["id"]).values(
            scopes="read-jobqueue write-contactdetail write-jobqueue"))
    settle(runner)
    failed = job(api, queued["id"])
    assert failed["status"] == "Error" and "write-productpricing" in failed["error"]
    assert rows(engine, api.id, "productpricing") == []
    contact = api.new_contact()
    detail = {"contact_id": contact["id"], "value": "021 555 123", "type_id": api.first_id("contactdetailtype")}
    allowed = item(api.request("POST", "/v2/jobqueue", headers=narrow, json={"data": {
        "method": "POST", "endpoint": "api/v2/contactdetail", "body": detail}}), "jobqueue")
    with engine.db.connect() as conn:
        kept = conn.execute(sa.select(table.c.scopes).where(table.c.id == allowed["id"])).scalar_one()
    assert kept == "read-jobqueue write-contactdetail write-jobqueue"
    settle(runner)
    done = job(api, allowed["id"])
    assert done["status"] == "Completed", done
    written = item(api.get(f"/v2/contactdetail/{done['record_id']}"), "contactdetail")
    assert written["value"] == "021 555 123"


@pytest.mark.both_databases
def test_a_job_of_deactivated_credentials_ends_in_error_and_writes_nothing(practice, api, runner, engine):
    queued = queue(api, "POST", "api/v2/productpricing", pricing_body(practice))
    credential = engine.tables["credential"]
    with engine.db.begin() as conn:
        conn.execute(credential.update().where(credential.c.clinic_id == api.id).values(active=False))
    try:
        settle(runner)
    finally:
        with engine.db.begin() as conn:
            conn.execute(credential.update().where(credential.c.clinic_id == api.id).values(active=True))
    failed = job(api, queued["id"])
    assert failed["status"] == "Error" and "no longer active" in failed["error"]
    assert rows(engine, api.id, "productpricing") == []


@pytest.mark.both_databases
def test_a_job_another_runner_took_over_is_not_written_twice(practice, api, runner, engine):
    """A runner whose lease ran out (it was slow, or died) and was taken over cannot complete the job."""
    queued = queue(api, "POST", "api/v2/productpricing", pricing_body(practice))
    jobs = runner.jobs
    now = int(time.time())
    from openvet.store import jobs as store
    with engine.db.begin() as conn:
        (taken,) = [j for j in store.claim(conn, engine.tables, now, now + 120, "slow", 500) if j.id == queued["id"]]
    assert job(api, queued["id"])["status"] == "Queued"
    with engine.db.begin() as conn:  # the lease ran out; the job is due again
        conn.execute(engine.tables["jobqueue"].update().where(engine.tables["jobqueue"].c.id == queued["id"])
                     .values(claimed_until=now - 1))
    settle(runner)  # this runner takes it over and runs it
    jobs.token, mine = "slow", jobs.token
    try:
        jobs.run(taken)  # the slow runner wakes up: its claim is gone
    finally:
        jobs.token = mine
    assert len(rows(engine, api.id, "productpricing")) == 1 and job(api, queued["id"])["status"] == "Completed"


def test_another_clinic_sees_no_job(practice, api, other):
    queued = queue(api, "POST", "api/v2/productpricing", pricing_body(practice))
    assert items(other.get(f"/v2/jobqueue?id={queued['id']}"), "jobqueue") == []
    assert other.get(f"/v2/jobqueue/{queued['id']}").status_code == 404


def test_every_documented_write_can_be_queued():
    """Every v2 POST and PATCH the document describes (but the job queue's own) names a request a job can make."""
    documented = {(op["resource_slug"], op["http_method"]) for op in CATALOG if op["api_version"] == "v2"
                  and op["http_method"] in ("POST", "PATCH") and op["resource_slug"] != "jobqueue"}
    assert len(documented) == 20
    for endpoint, method in sorted(documented):
        request = queued_request(REGISTRY, {"method": method, "endpoint": f"api/v2/{endpoint}/1", "body": {}}
                                 if method == "PATCH" else {"method": method, "endpoint": f"api/v2/{endpoint}",
                                                            "body": {}})
        assert (request.endpoint, request.kind) == (endpoint, {"POST": "create", "PATCH": "update"}[method])


@pytest.mark.both_databases
def test_the_documents_sample_job_is_queued_and_ends_in_error_naming_what_is_wrong(api, runner):
    """The create sample (L8128): a ReceiveInvoice whose links name records this clinic does not have. It is
    queued as sent; run, it ends in Error with the reason an immediate request would get, and writes nothing."""
    (sample,) = [op for op in CATALOG if op["operation_id"] == "jobqueue.v2.create"]
    body = sample["sample_requests"][0]["body"]
    queued = item(api.post("/v2/jobqueue", body), "jobqueue")
    assert (queued["type"], queued["type_id"], queued["status"], queued["data"]) == (
        "ReceiveInvoice", 3, "Pending", body["data"])
    settle(runner)
    ended = job(api, queued["id"])
    immediate = api.post("/v2/receiveinvoice", body["data"]["body"])
    assert immediate.status_code == 422
    reasons = [f"{f}: {r}" for m in immediate.json()["messages"] for f, r in m.get("fields", {}).items()]
    assert ended["status"] == "Error" and ended["error"] and all(r in ended["error"] for r in reasons[:1]), (
        ended["error"], reasons)
    assert items(api.get("/v2/receiveinvoice"), "receiveinvoice") == []


def test_webhookevents_lists_the_jobqueue_events(api):
    (listed,) = items(api.get("/v1/webhookevents"), "webhookevents")
    assert {"jobqueue_created", "jobqueue_updated"} <= set(listed)
    assert "jobqueue_disabled" not in listed  # a job is never deleted


# the schema of data, and what a client could turn into a 500 ------------------------------------------------


def test_the_schema_of_data_and_the_server_agree_on_every_endpoint_method_and_id():
    """/openapi.json's ``data`` (``data_schema``) accepts exactly what the server queues: every resource's name
    (and names that are none) with every method, endpoint form and body id. (With a type_id, and no two ids that
    disagree: the two things the schema leaves to the server, tests/test_fuzzing.py NOT_YET.) Validated as the
    fuzzer validates, with ECMA-262 patterns (``$`` is the end: no final newline)."""
    validator = jsonschema_rs.validator_for(data_schema(REGISTRY))
    names = [*sorted(REGISTRY), "nosuchthing", "Product_Pricing", "productpricing2"]
    methods = ["POST", "PATCH", "post", "Patch", " PATCH\n", "GET", "DELETE", "POST\u2003", "PO\u017fT", "", 5, None]
    bodies = [{}, {"id": 5}, {"id": "0005"}, {"id": 5.0}, {"id": None}, {"id": 0}, {"id": -5}, {"id": True},
              {"id": "5 "}, {"id": "\u0665"}, {"id": 2**63}, {"id": 2**63 - 1}, [], "x", None]
    checked = agreed = 0
    for name in names:
        forms = [f"api/v2/{name}", f"api/v2/{name}/5", f"/api/v2/{name.upper()}/", f"api/v2/{name}/05",
                 f"api/v1/{name}", f"api/v2/{name}/{10**18}", f"api/v2/{name}\n", f"api/v2/{name}/5/x"]
        for method in methods:
            for endpoint in forms:
                for body in bodies:
                    data = {"method": method, "endpoint": endpoint, "body": body}
                    try:
                        queued_request(REGISTRY, data, 7)
                        accepted = True
                    except JobRefused as refusal:
                        if "the endpoint's id and the body's id name different records" in str(refusal):
                            continue  # what no schema of data can say
                        accepted = False
                    valid = validator.is_valid(data)
                    assert valid == accepted, (data, valid, accepted)
                    checked += 1
                    agreed += accepted
    extra = {"method": "POST", "endpoint": "api/v2/contactdetail", "body": {}, "query": "x"}
    assert not validator.is_valid(extra)
    assert checked > 10000 and agreed > 100


def test_the_document_and_the_server_agree_on_type_and_type_id_beside_data(practice, api, client):
    """What data asks of the job's other fields (a PATCH naming no record needs a type_id; a type names the
    endpoint's resource) is in the create body's schema: valid there exactly when the server queues the job."""
    document = client.get("/openapi.json").json()
    schema = {**document["components"]["schemas"]["jobqueue.v2.Create"], "components": document["components"]}
    validator = jsonschema_rs.validator_for(schema)
    datas = [{"method": "POST", "endpoint": "api/v2/productpricing", "body": {}},
             {"method": "PATCH", "endpoint": "api/v2/productpricing", "body": {}},
             {"method": "PATCH", "endpoint": "api/v2/productpricing", "body": {"id": None}},
             {"method": "PATCH", "endpoint": "api/v2/productpricing/5", "body": {}},
             {"method": "PATCH", "endpoint": "api/v2/productpricing", "body": {"id": "5"}}]
    types = [..., None, "ProductPricing", " productpricing\t", "PRODUCTPRICING", "Contact", "", 5, True,
             "Productpricing\u2003", "\uff30roductPricing"]
    type_ids = [..., 0, 7, "7", " 7 ", -1, 7.0, 2**63]
    agreed = 0
    for data in datas:
        for kind in types:
            for type_id in type_ids:
                body = {"data": data, **({} if kind is ... else {"type": kind}),
                        **({} if type_id is ... else {"type_id": type_id})}
                answer = api.post("/v2/jobqueue", body)
                assert answer.status_code in (200, 422), answer.text
                assert validator.is_valid(body) == (answer.status_code == 200), (body, answer.text)
                agreed += answer.status_code == 200
    assert agreed > 20


def test_the_document_describes_data_with_the_endpoints_of_each_method(client):
    document = client.get("/openapi.json").json()
    data = document["components"]["schemas"]["jobqueue.v2.Create"]["properties"]["data"]
    posting, patching = data["oneOf"][:2]
    assert "productpricing" in posting["properties"]["endpoint"]["description"]
    assert "contactdetail" in posting["properties"]["endpoint"]["description"]
    assert "contactdetail" not in patching["properties"]["endpoint"]["description"]  # POST only
    assert "jobqueue" not in posting["properties"]["endpoint"]["description"]  # a job cannot queue a job
    assert posting["additionalProperties"] is False and set(posting["required"]) == {"method", "endpoint", "body"}


@pytest.mark.parametrize("data, named", [
    ({"method": "POST", "endpoint": "api/v2/productpricing", "body": "sell_price=3"}, "data.body"),
    ({"method": "POST", "endpoint": "api/v2/productpricing", "body": None}, "data.body"),
    ({"method": "POST", "endpoint": "api/v2/productpricing", "body": 7}, "data.body"),
    ({"method": 5, "endpoint": "api/v2/productpricing", "body": {}}, "data.method"),
    ({"method": "P\u00d3ST", "endpoint": "api/v2/productpricing", "body": {}}, "data.method"),
    ({"method": "POST", "endpoint": ["api/v2/productpricing"], "body": {}}, "data.endpoint"),
    ({"method": "PATCH", "endpoint": "api/v2/productpricing/05", "body": {}}, "data.endpoint"),
    ({"method": "PATCH", "endpoint": "api/v2/productpricing/9999999999999999999", "body": {}}, "data.endpoint"),
    ({"method": "PATCH", "endpoint": "api/v2/productpricing", "body": {"id": 2**63}}, "data.body.id"),
    ({"method": "PATCH", "endpoint": "api/v2/productpricing", "body": {"id": "1e3"}}, "data.body.id"),
    ({"method": "PATCH", "endpoint": "api/v2/productpricing", "body": {"id": [5]}}, "data.body.id"),
    ({"method": "POST", "endpoint": "api/v2/productpricing", "body": {"note": "x" * 70000}}, "data"),
    ([], "data"), (None, "data"), (5, "data"),
])
def test_a_job_a_client_could_break_the_server_with_is_a_422_naming_the_field(practice, api, data, named):
    with practice.unchanged():
        refused(api.post("/v2/jobqueue", {"data": data}), 422, named)


@pytest.mark.parametrize("fields, named", [({"type_id": "abc"}, "type_id"), ({"type_id": 2**63}, "type_id"),
                                           ({"type_id": -2**63 - 1}, "type_id"), ({"type": ["x"]}, "type"),
                                           ({"action": None}, "action")])
def test_the_jobs_other_fields_out_of_range_are_a_422(practice, api, fields, named):
    with practice.unchanged():
        refused(api.post("/v2/jobqueue", {"data": {"method": "POST", "endpoint": "api/v2/contactdetail", "body": {}},
                                          **fields}), 422, named)


def test_a_body_past_the_servers_limit_is_a_413_and_not_json_a_400(practice, api):
    with practice.unchanged():
        text = b'{"data": {"body": {"x": "' + b"x" * (MAX_BODY + 1) + b'"}}}'
        huge = api.request("POST", "/v2/jobqueue", content=text, headers={"content-type": "application/json"})
        assert huge.status_code == 413, huge.text[:300]
        deep = api.request("POST", "/v2/jobqueue", content=b'{"data": ' + b"[" * 5000 + b"]" * 5000 + b"}",
                           headers={"content-type": "application/json"})
        assert deep.status_code == 400, deep.text[:300]


@pytest.mark.both_databases
def test_a_job_naming_a_record_of_another_clinic_ends_in_error_and_changes_nothing(practice, api, other, runner,
                                                                                    engine):
    """A PATCH endpoint (or body id) naming another clinic's record finds nothing: Error, the record untouched;
    a POST whose body links another clinic's record is refused as the immediate POST would be."""
    theirs = item(other.post("/v2/productpricing", pricing_body(Practice(other, engine))), "productpricing")
    by_path = queue(api, "PATCH", f"api/v2/productpricing/{theirs['id']}", {"sell_price": 1})
    by_body = queue(api, "PATCH", "api/v2/productpricing", {"id": theirs["id"], "sell_price": 1})
    by_type = queue(api, "PATCH", "api/v2/productpricing", {"sell_price": 1}, type_id=theirs["id"])
    linking = queue(api, "POST", "api/v2/productpricing", {**pricing_body(practice),
                                                           "product_id": theirs["product_id"]})
    settle(runner)
    for queued in (by_path, by_body, by_type):
        failed = job(api, queued["id"])
        assert failed["status"] == "Error" and failed["error"] == f"ProductPricing {theirs['id']} does not exist"
    failed = job(api, linking["id"])
    assert failed["status"] == "Error" and "product_id" in failed["error"], failed
    assert item(other.get(f"/v2/productpricing/{theirs['id']}"), "productpricing") == theirs
    assert rows(engine, api.id, "productpricing") == []


def test_a_job_body_deeply_nested_or_odd_ends_in_error_and_never_stops_the_runner(practice, api, runner, engine):
    nested: dict = {}
    for _ in range(200):
        nested = {"x": nested}
    odd = [queue(api, "POST", "api/v2/productpricing", {"nested": nested}),
           queue(api, "POST", "api/v2/productpricing", {"product_id": {"id": [1]}, "sell_price": "1e999999"}),
           queue(api, "PATCH", "api/v2/productpricing/1", {"sell_price": {"$gt": 0}}, type_id=1)]
    good = queue(api, "POST", "api/v2/productpricing", pricing_body(practice))
    settle(runner)
    for queued in odd:
        ended = job(api, queued["id"])
        assert ended["status"] == "Error" and ended["error"] and "could not be run" not in ended["error"], ended
    assert job(api, good["id"])["status"] == "Completed"


# real processes ----------------------------------------------------------------------------------------------


def _clinic(url: str) -> tuple[Engine, int, dict]:
    engine = Engine(connect(url))
    clinic_id = clinics.create_clinic(engine, f"jobs-{os.getpid()}-{time.monotonic_ns()}", "Jobs", "UTC")
    with engine.db.begin() as conn:
        made = credentials.create_ezyvet_credentials(conn, clinic_id, [])
    return engine, clinic_id, made


def _contact(engine: Engine, actor: Actor) -> tuple[int, int]:
    """A contact of the clinic, and a contact detail type to write its details with."""
    with engine.db.connect() as conn:
        type_id = engine.find(conn, actor.clinic_id, "contactdetailtype", {}, limit=1)[0]["id"]
    contact = engine.create(actor, REGISTRY["contact"], {"last_name": "Kiwi", "contact_detail_list": [
        {"name": "Email", "value": "k@example.com", "contact_detail_type_id": type_id}]}, "v1")
    return int(contact["id"]), int(type_id)


def _bearer(http: httpx.Client, made: dict) -> dict[str, str]:
    token = http.post("/v1/oauth/access_token", data={**made, "grant_type": "client_credentials"})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def _wait(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.server
def test_a_job_queued_before_a_kill_writes_its_record_once_after_the_restart(tmp_path):
    with running_server(tmp_path, env={"OPENVET_DISPATCHER": "off"}) as server:
        engine, clinic_id, made = _clinic(f"sqlite:///{server.data_dir / 'openvet.sqlite3'}")
        with httpx.Client(base_url=server.base, timeout=30) as http:
            headers = _bearer(http, made)
            contact_id, type_id = _contact(engine, Actor(clinic_id))
            body = {"value": "021 555 123", "contact_id": contact_id, "type_id": type_id}
            queued = http.post("/v2/jobqueue", headers=headers, json={"data": {
                "method": "POST", "endpoint": "api/v2/contactdetail", "body": body}})
            assert queued.status_code == 200, queued.text
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
    job_id = queued.json()["items"][0]["jobqueue"]["id"]
    table, details = engine.tables["jobqueue"], engine.tables["contactdetail"]

    def ended():
        with engine.db.connect() as conn:
            return conn.execute(sa.select(table.c.status, table.c.record_id, table.c.error)
                                .where(table.c.id == job_id)).one()

    assert ended().status == "Pending"  # acknowledged, not run
    with running_server(tmp_path):
        assert _wait(lambda: ended().status in ("Completed", "Error"))
        time.sleep(1.5)
    assert ended().status == "Completed", ended()
    with engine.db.connect() as conn:
        written = conn.execute(sa.select(details.c.id).where(details.c.clinic_id == clinic_id,
                                                            details.c.value == "021 555 123")).scalars().all()
    assert written == [ended().record_id]
    engine.close()


@pytest.mark.server
def test_two_workers_on_postgresql_run_each_of_many_jobs_once(tmp_path):
    with migrated_database("postgresql", tmp_path) as url:
        engine, clinic_id, _ = _clinic(url)
        actor = Actor(clinic_id)
        contact_id, type_id = _contact(engine, actor)
        env = {**os.environ, "OPENVET_DATABASE_URL": url}
        burst = 60
        for n in range(burst):
            engine.create(actor, REGISTRY["jobqueue"], {"data": {
                "method": "POST", "endpoint": "api/v2/contactdetail",
                "body": {"contact_id": contact_id, "type_id": type_id, "value": f"Town {n}"}}}, None)
        workers = [subprocess.Popen([sys.executable, "-m", "openvet", "worker"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=(tmp_path / f"worker-{n}.log").open("wb"))
                   for n in range(2)]
        table = engine.tables["jobqueue"]

        def statuses() -> dict[str, int]:
            with engine.db.connect() as conn:
                return dict(conn.execute(sa.select(table.c.status, sa.func.count()).where(
                    table.c.clinic_id == clinic_id).group_by(table.c.status)).all())
        try:
            assert _wait(lambda: statuses() == {"Completed": burst}, 120), statuses()
            time.sleep(1.5)
            assert all(w.poll() is None for w in workers), [(tmp_path / f"worker-{n}.log").read_text()
                                                            for n in range(2)]
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(30)
        details = engine.tables["contactdetail"]
        with engine.db.connect() as conn:
            cities = sorted(conn.execute(sa.select(details.c.value).where(
                details.c.clinic_id == clinic_id, details.c.value.like("Town %"))).scalars())
            made = conn.execute(sa.select(table.c.record_id).where(table.c.clinic_id == clinic_id)).scalars().all()
        assert cities == sorted(f"Town {n}" for n in range(burst))  # each job's record written once
        assert len(set(made)) == burst
        engine.close()


class HeldRow:
    """PostgreSQL's slow path: the test holds the contact's row (``FOR UPDATE``, as a transaction editing that
    contact would), so the job's write, which touches its parent contact, waits on the lock inside its
    transaction."""

    def __init__(self, engine: Engine, contact_id: int):
        contact = engine.tables["contact"]
        self.engine = engine
        self.holder = engine.db.connect()
        self.holding = self.holder.begin()
        self.holder.execute(sa.select(contact.c.id).where(contact.c.id == contact_id).with_for_update())

    def inside(self) -> bool:
        """Whether a transaction waits on the lock (the job's write)."""
        with self.engine.db.connect() as conn:
            return bool(conn.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar())

    def release(self) -> None:
        if self.holder.in_transaction():
            self.holding.rollback()
        self.holder.close()


class BusyTrigger:
    """SQLite's slow path: holding SQLite's one write lock would stop the worker before it marks the job
    Processing (that is a write too), so instead the job's own insert fires a trigger that counts a cross join
    of a billion rows: the worker sits inside its write transaction, the job Processing, for minutes."""

    def __init__(self, engine: Engine, value: str):
        self.engine = engine
        with engine.db.begin() as conn:
            conn.execute(sa.text("CREATE TABLE busy_rows (x INTEGER)"))
            conn.execute(sa.text("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000) "
                                 "INSERT INTO busy_rows SELECT x FROM n"))
            conn.execute(sa.text(
                f"CREATE TRIGGER busy_detail AFTER INSERT ON contactdetail WHEN NEW.value = '{value}' BEGIN "
                "SELECT count(*) FROM busy_rows a, busy_rows b, busy_rows c; END"))

    def inside(self) -> bool:
        """Whether another connection holds the write lock (the job's write, once the job is Processing)."""
        with self.engine.db.connect() as conn:
            conn.exec_driver_sql("PRAGMA busy_timeout=0")
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except sa.exc.OperationalError as error:
                return "locked" in str(error)
            conn.exec_driver_sql("ROLLBACK")
            return False

    def release(self) -> None:
        with self.engine.db.begin() as conn:
            conn.execute(sa.text("DROP TRIGGER IF EXISTS busy_detail"))


@pytest.mark.server
@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_worker_killed_while_a_job_is_processing_leaves_it_to_another_after_the_lease_written_once(
        tmp_path, backend):
    """A real slow path (``HeldRow`` on PostgreSQL, ``BusyTrigger`` on SQLite) keeps the job's write inside its
    transaction, the job Processing. The worker is killed there (kill -9). Its transaction never commits:
    nothing of the job is written. Another worker takes the job once the lease (``OPENVET_JOB_LEASE_SECONDS``)
    has run out, and the job ends Completed, its record and its ``contactdetail_created`` written once."""
    lease, value = 3, "021 999 000"
    with migrated_database(backend, tmp_path) as url:
        engine, clinic_id, _ = _clinic(url)
        actor = Actor(clinic_id)
        contact_id, type_id = _contact(engine, actor)
        env = {**os.environ, "OPENVET_DATABASE_URL": url, "OPENVET_JOB_LEASE_SECONDS": str(lease)}
        table, details, outbox = (engine.tables[n] for n in ("jobqueue", "contactdetail", "outbox"))

        def worker(name: str) -> subprocess.Popen:
            return subprocess.Popen([sys.executable, "-m", "openvet", "worker"], env=env, stdout=subprocess.DEVNULL,
                                    stderr=(tmp_path / f"{name}.log").open("wb"))

        def state():
            with engine.db.connect() as conn:
                return conn.execute(sa.select(table.c.status, table.c.record_id, table.c.claim,
                                              table.c.claimed_until, table.c.modified_at)
                                    .where(table.c.id == job_id)).one()

        def written() -> list[int]:
            with engine.db.connect() as conn:
                return conn.execute(sa.select(details.c.id).where(details.c.clinic_id == clinic_id,
                                                                  details.c.value == value)).scalars().all()

        with engine.db.connect() as conn:
            before = conn.execute(sa.select(sa.func.max(outbox.c.id))).scalar() or 0
        slow = HeldRow(engine, contact_id) if backend == "postgresql" else BusyTrigger(engine, value)
        queued = engine.create(actor, REGISTRY["jobqueue"], {"data": {
            "method": "POST", "endpoint": "api/v2/contactdetail",
            "body": {"contact_id": contact_id, "type_id": type_id, "value": value}}}, None)
        job_id = int(queued["id"])
        first = worker("first")
        second = None
        try:
            assert _wait(lambda: state().status == "Processing" and slow.inside(), 60), (
                state(), (tmp_path / "first.log").read_text())
            taken = state()
            first.send_signal(signal.SIGKILL)
            first.wait(30)
            slow.release()  # the dead worker's transaction goes on to find no client
            assert state().status == "Processing" and written() == []  # nothing of the job committed
            second = worker("second")
            assert _wait(lambda: state().status in ("Completed", "Error"), 60), state()
            time.sleep(1.5)  # a second run, were there one, would have its time to show
            done = state()
            assert second.poll() is None, (tmp_path / "second.log").read_text()
        finally:
            if isinstance(slow, HeldRow):
                slow.release()
            for process in (first, second):
                if process is not None and process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    process.wait(30)
        assert done.status == "Completed" and done.claim is None, done
        assert done.modified_at >= taken.claimed_until  # taken again only once the first worker's lease ran out
        assert written() == [done.record_id]  # the record written once
        with engine.db.connect() as conn:
            fired = conn.execute(sa.select(outbox.c.event, outbox.c.record_id).where(
                outbox.c.clinic_id == clinic_id, outbox.c.id > before).order_by(outbox.c.id)).all()
        # queued; then the one run that committed: its record, its parent touched, the job's end
        assert [tuple(e) for e in fired] == [("jobqueue_created", job_id), ("contactdetail_created", done.record_id),
                                             ("contact_updated", contact_id), ("jobqueue_updated", job_id)], fired
        engine.close()
