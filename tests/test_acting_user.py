"""Credentials act as a User of their clinic (decisions "Who is calling"): what they create, change or approve
names that User, as an ezyVet integration's API user does (Invoice ``created_by``, ``modified_by``,
``approved_by``: L7023, L7168, L7232). Credentials made without a User (the clinic's own writes) name nobody.
"""

from __future__ import annotations

import pytest

from conftest import settle
from openvet.services import credentials
from practice import item, items
from test_billing import APPROVED_AT, Till
from test_provet import provet, url
from test_provet_pay import prepayment


@pytest.fixture
def till(api, engine) -> Till:
    return Till(api, engine)


def bearer(api, made: dict) -> dict[str, str]:
    response = api.client.post("/v1/oauth/access_token", data={**made, "grant_type": "client_credentials"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def users_named(api, name: str) -> list[dict]:
    """The clinic's Users of that name, their ids as numbers (v1 writes them as strings)."""
    return [{**user, "id": int(user["id"])} for user in items(api.get("/v1/user?limit=200"), "user")
            if user["name"] == name]


@pytest.mark.both_databases
def test_an_invoice_names_the_users_its_credentials_act_as(api, engine, till):
    integration = credentials.create_credentials(engine, api.id, "ezyvet", [])
    (api_user,) = users_named(api, f"API {integration['partner_id']}")  # a User of its own, named after them
    assert (api_user["code"], int(api_user["is_vet"]), int(api_user["is_salesperson"])) == ("API", 0, 0)
    manager = till.record("user", name="Mia Manager")
    by_manager = credentials.create_credentials(engine, api.id, "ezyvet", [], user_id=manager)
    assert users_named(api, f"API {by_manager['partner_id']}") == []  # acting as the User named: no new one
    as_integration, as_manager = bearer(api, integration), bearer(api, by_manager)

    product = till.priced("Consultation", "50.00")
    made = item(api.post("/v2/invoice", {"contact_id": till.owner(), "ownership_id": till.ownership,
                                         "line_item": [till.line(product, 1)]}, headers=as_integration), "invoice")
    assert (made["created_by"], made["modified_by"], made["approved_by"]) == (api_user["id"], api_user["id"], 0)

    # a line written through its own endpoint changes the invoice: the invoice names who changed it
    item(api.post("/v2/invoiceline", {**till.line(product, 2), "invoice_id": made["id"]}, headers=as_manager),
         "invoiceline")
    changed = till.v2("invoice", made["id"])
    assert (changed["created_by"], changed["modified_by"], changed["approved_by"]) == (api_user["id"], manager, 0)

    approved = item(api.patch("/v2/invoice", {"id": made["id"], "date_approved": APPROVED_AT}, headers=as_manager),
                    "invoice")
    assert (approved["created_by"], approved["modified_by"], approved["approved_by"]) == (
        api_user["id"], manager, manager)
    (v1,) = items(api.get(f"/v1/invoice?id={made['id']}"), "invoice")
    assert int(v1["approved_by"]) == manager


def test_credentials_without_a_user_name_nobody(api, till):
    """The test clinics' credentials act as no User (as the clinic itself writes: fixtures, renewals)."""
    product = till.priced("Consultation", "50.00")
    made = till.invoice(None, till.line(product, 1))
    assert (made["created_by"], made["modified_by"], made["approved_by"]) == (None, None, 0)
    approved = item(api.patch("/v2/invoice", {"id": made["id"], "date_approved": APPROVED_AT}), "invoice")
    assert (approved["modified_by"], approved["approved_by"]) == (None, 0)


def test_an_invoice_created_on_create_approved_names_its_approver(api, engine, till):
    integration = credentials.create_credentials(engine, api.id, "ezyvet", [])
    (api_user,) = users_named(api, f"API {integration['partner_id']}")
    product = till.priced("Consultation", "50.00")
    made = item(api.post("/v2/invoice", {"contact_id": till.owner(), "ownership_id": till.ownership,
                                         "date_approved": APPROVED_AT, "line_item": [till.line(product, 1)]},
                         headers=bearer(api, integration)), "invoice")
    assert (made["created_by"], made["approved_by"]) == (api_user["id"], api_user["id"])


def test_a_queued_invoice_names_the_user_of_the_credentials_that_queued_it(api, engine, till, runner):
    integration = credentials.create_credentials(engine, api.id, "ezyvet", [])
    (api_user,) = users_named(api, f"API {integration['partner_id']}")
    product = till.priced("Consultation", "50.00")
    queued = item(api.post("/v2/jobqueue", {"data": {"method": "POST", "endpoint": "api/v2/invoice", "body": {
        "contact_id": till.owner(), "ownership_id": till.ownership, "line_item": [till.line(product, 1)]}}},
        headers=bearer(api, integration)), "jobqueue")
    settle(runner)
    (done,) = items(api.get(f"/v2/jobqueue?id={queued['id']}"), "jobqueue")
    assert done["status"] == "Completed", done
    invoice = till.v2("invoice", int(done["record_id"]))
    assert (invoice["created_by"], invoice["modified_by"]) == (api_user["id"], api_user["id"])


def test_credentials_refuse_a_user_the_clinic_does_not_have(api, other, engine):
    stranger = Till(other, engine).record("user", name="Olga Other")  # a User of another clinic
    before = len(items(api.get("/v1/user?limit=200"), "user"))
    for user_id in (987_654_321, stranger):
        with pytest.raises(ValueError, match=f"no active User {user_id}"):
            credentials.create_credentials(engine, api.id, "provet", [], user_id=user_id)
    assert len(items(api.get("/v1/user?limit=200"), "user")) == before  # nothing written


def test_a_payment_link_made_without_a_creator_names_the_user_of_the_provet_key(api, engine):
    practice = Till(api, engine)
    department = practice.record("separation", name="Kiwi Vets Ponsonby", type="Location")
    answer = provet(api, "POST", "/client/", {"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com",
                                              "phone_numbers": ["+64211234567"]})
    assert answer.status_code == 201, answer.text
    key = credentials.create_credentials(engine, api.id, "provet", [])
    (key_user,) = [user for user in items(api.get("/v1/user?limit=200"), "user")
                   if user["name"].startswith("Provet API key ")]
    body = prepayment(api, {"department": department, "creator": 0, "client": answer.json()["id"]})
    del body["creator"]
    made = provet(api, "POST", "/postransaction/", body, headers={"Authorization": f"Token {key['token']}"})
    assert made.status_code == 201, made.text
    assert made.json()["creator"] == url(api, "user", int(key_user["id"]))
    named = provet(api, "POST", "/postransaction/", {**body, "creator": url(api, "user", practice.seller)},
                   headers={"Authorization": f"Token {key['token']}"})
    assert named.status_code == 201 and named.json()["creator"] == url(api, "user", practice.seller), named.text
