"""Provet Pay payment links (``postransaction``, P112–P269) and the payment page they open.

Read against the two examples of ``shared/spec/provet-cloud-api-examples.txt`` (a prepayment link, P155, and an
invoice link, P216) and the prose before them; docs/provet.md says what openvet chose where they are silent.
"""

from __future__ import annotations

import json
import re
import time

import pytest
import sqlalchemy as sa

from conftest import SPEC as SPEC_DIR  # shared/spec, or OPENVET_SPEC_DIR
from practice import Practice
from test_provet import base, provet, url

SPEC = SPEC_DIR / "provet-cloud-api-examples.txt"


@pytest.fixture
def practice(api, engine) -> Practice:
    return Practice(api, engine)


def example(title: str, part: str) -> dict:
    """The request or response body of one of the payment link examples, as JSON."""
    text = SPEC.read_text()
    start = text.index(title)
    section = text[start:text.index("Create payment link for for invoice") if "prepayment" in title else None]
    request = section[section.index("Body:") + 5:section.index("Response")]
    response = section[section.rindex("Body:") + 5:]
    body = request if part == "request" else response
    return json.loads(body[:body.rindex("}") + 1])


@pytest.fixture
def setting(api, practice):
    """A department, a user and a client with an email and a mobile: what a link names."""
    department = practice.record("separation", name="Kiwi Vets Ponsonby", type="Location")
    creator = practice.user("Dr Ruth Kiwi")
    answer = provet(api, "POST", "/client/", {"firstname": "Ada", "lastname": "Lovelace",
                                               "email": "ada@example.com", "phone_numbers": ["+64211234567"]})
    assert answer.status_code == 201, answer.text
    return {"department": department, "creator": creator, "client": answer.json()["id"]}


def prepayment(api, setting, **changes) -> dict:
    body = example("Create payment link for prepayment", "request")
    body["creator"] = url(api, "user", setting["creator"])
    body["department"] = url(api, "department", setting["department"])
    body["prepayment_data"] = {**body["prepayment_data"], "client_id": setting["client"],
                               "department_id": setting["department"]}
    for name, value in changes.items():
        if isinstance(value, dict) and isinstance(body.get(name), dict):
            body[name] = {k: v for k, v in {**body[name], **value}.items() if v is not ...}
        elif value is ...:
            body.pop(name, None)
        else:
            body[name] = value
    return body


def made(api, setting, **changes) -> dict:
    answer = provet(api, "POST", "/postransaction/", prepayment(api, setting, **changes))
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_prepayment_link_is_made_as_the_example_shows(api, setting, practice):
    answer = provet(api, "POST", "/postransaction/", prepayment(api, setting))
    assert answer.status_code == 201, answer.text
    made_ = answer.json()
    wanted = example("Create payment link for prepayment", "response")
    assert list(made_) == list(wanted)
    assert list(made_["payment_link"]) == list(wanted["payment_link"])
    assert (made_["amount"], made_["terminal_id"], made_["payment_type"], made_["transaction_type"]) == (
        120.5, 0, 5003, 4)
    assert made_["invoice"] is None and made_["aborted"] is None and made_["task_id"] == ""
    assert made_["department"] == url(api, "department", setting["department"])
    assert made_["creator"] == url(api, "user", setting["creator"])
    link = made_["payment_link"]
    assert (link["payment_status"], link["delivery_status"]) == (1, 1)  # Pending, Not sent (P260, P266)
    assert re.fullmatch(r"[0-9a-f-]{36}", link["external_id"])
    assert link["url"] == f"http://testserver/pay/{api.provet['provet_id']}/{link['external_id']}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", link["expiration_time"])
    stored = practice.read("postransaction", made_["id"])
    assert stored["link_expires_at"] - stored["created_at"] == 2880 * 60  # duration is in minutes (P236)
    assert stored["contact_id"] == setting["client"] and stored["description"] == "Prepayment for surgery."
    assert answer.headers["location"] == url(api, "postransaction", made_["id"])
    assert provet(api, "GET", f"/postransaction/{made_['id']}/").json() == made_
    assert practice.events("postransaction", made_["id"]) == ["postransaction_created"]


def test_links_are_listed_by_client_and_department(api, setting, practice):
    first, second = made(api, setting), made(api, setting, amount="10.00")
    other = practice.record("separation", name="Kiwi Vets Grey Lynn", type="Location")
    listed = provet(api, "GET", "/postransaction/", params={"client": setting["client"]}).json()
    assert {t["id"] for t in listed["results"]} == {first["id"], second["id"]} and listed["count"] == 2
    by_department = provet(api, "GET", "/postransaction/", params={"department": other}).json()
    assert by_department["count"] == 0
    assert provet(api, "GET", "/postransaction/", params={"invoice": 123}).json()["count"] == 0


def test_the_links_email_and_phone_default_to_the_clients(api, setting, practice):
    made_ = made(api, setting, payment_link_data={"email": ..., "phone": ..., "delivery_method": 1})
    stored = practice.read("postransaction", made_["id"])
    assert (stored["link_email"], stored["link_phone"]) == ("ada@example.com", "+64211234567")
    sent = made(api, setting, payment_link_data={"email": "billing@example.com"})
    assert practice.read("postransaction", sent["id"])["link_email"] == "billing@example.com"


@pytest.mark.parametrize(("changes", "errors"), [
    ({"payment_type": 1}, {"payment_type": ["Must be 5003 for a Provet Pay payment link."]}),
    ({"terminal_id": 3}, {"terminal_id": ["Must be 0 for a Provet Pay payment link."]}),
    ({"amount": "-5"}, {"amount": ["Ensure this value is greater than or equal to 0."]}),
    ({"amount": ...}, {"amount": ["This field is required."]}),
    ({"payment_link_data": ...}, {"payment_link_data": ["This field is required."]}),
    ({"payment_link_data": {"duration": ...}}, {"payment_link_data": {"duration": ["This field is required."]}}),
    ({"payment_link_data": {"colour": "red"}},
     {"payment_link_data": {"colour": ["Unknown field: payment_link_data has no field 'colour'."]}}),
    ({"payment_link_data": {"tokenize": "yes", "recurring_model": ...}},
     {"payment_link_data": {"recurring_model": ["Is required with tokenize: subscription or one-off."]}}),
    ({"payment_link_data": {"tokenize": "maybe"}},
     {"payment_link_data": {"tokenize": ["Must be one of yes, no, ask."]}}),
    ({"prepayment_data": {"client_id": 999999999}},
     {"prepayment_data": {"client_id": ['Invalid pk "999999999" - object does not exist.']}}),
    ({"prepayment_data": ...}, {"prepayment_data": {"client_id": [
        "Is required: a link pays an invoice or is a prepayment for a client."]}}),
    ({"department": "https://example.com/1/api/0.1/department/1/"},
     {"department": ["Invalid hyperlink - Incorrect URL match."]}),
    ({"invoice": "http://testserver/{clinic}/api/0.1/invoice/77/", "prepayment_data": ...},
     {"invoice": ["Invoice 77 does not exist."]}),
    ({"unknown": 1}, {"unknown": ["Unknown field: postransaction has no field 'unknown'."]}),
])
def test_a_bad_link_is_refused_naming_the_field_and_changes_nothing(api, setting, practice, changes, errors):
    body = prepayment(api, setting, **changes)
    if isinstance(body.get("invoice"), str):
        body["invoice"] = body["invoice"].format(clinic=api.provet["provet_id"])
    with practice.unchanged():
        answer = provet(api, "POST", "/postransaction/", body)
    assert answer.status_code == 400, answer.text
    assert answer.json() == errors


def test_a_link_to_be_texted_needs_a_phone(api, setting, practice):
    bare = provet(api, "POST", "/client/", {"firstname": "No", "lastname": "Phone"}).json()
    with practice.unchanged():
        answer = provet(api, "POST", "/postransaction/", prepayment(
            api, setting, prepayment_data={"client_id": bare["id"]},
            payment_link_data={"phone": ..., "email": ..., "delivery_method": 3}))
    assert answer.status_code == 400
    assert answer.json() == {"payment_link_data": {
        "phone": ["Is required to text the link: the client has no phone number."]}}


def test_links_are_read_only_through_the_api(api, setting):
    made_ = made(api, setting)
    answer = provet(api, "PATCH", f"/postransaction/{made_['id']}/", {"amount": 1})
    assert answer.status_code == 405 and answer.headers["allow"] == "GET"


def page(api, link: dict, outcome: str | None = None):
    path = link["payment_link"]["url"].removeprefix("http://testserver")
    if outcome is None:
        return api.client.get(path)
    return api.client.post(path, data={"outcome": outcome}, follow_redirects=False)


def test_the_payment_page_takes_a_payment_once(api, setting, practice):
    made_ = made(api, setting)
    shown = page(api, made_)
    assert shown.status_code == 200 and "120.50" in shown.text and "Kiwi Vets Ponsonby" in shown.text
    assert "Prepayment for clinic X" in shown.text and 'value=accept' in shown.text
    paid = page(api, made_, "accept")
    assert paid.status_code == 303
    assert paid.headers["location"] == "https://your-custom-successful-redirect-payment.url"
    after = provet(api, "GET", f"/postransaction/{made_['id']}/").json()
    assert after["payment_link"]["payment_status"] == 5 and after["aborted"] is None
    assert practice.read("postransaction", made_["id"])["paid_at"] is not None
    assert practice.events("postransaction", made_["id"]) == ["postransaction_created", "postransaction_updated"]
    again = page(api, made_, "abort")  # the page refuses, the record is unchanged
    assert again.status_code == 200 and "Accepted already" in again.text and "value=accept" not in again.text
    assert provet(api, "GET", f"/postransaction/{made_['id']}/").json()["payment_link"]["payment_status"] == 5


def test_an_aborted_payment_says_when(api, setting):
    made_ = made(api, setting)
    answer = page(api, made_, "abort")
    assert answer.status_code == 303 and answer.headers["location"] == made_["payment_link"]["url"]
    after = provet(api, "GET", f"/postransaction/{made_['id']}/").json()
    assert after["payment_link"]["payment_status"] == 4 and after["aborted"] is not None
    assert "This payment is Aborted." in page(api, made_).text


def test_an_expired_link_reads_expired_and_takes_no_payment(api, setting, engine):
    made_ = made(api, setting)
    table = engine.tables["postransaction"]
    with engine.db.begin() as conn:
        conn.execute(sa.update(table).where(table.c.id == made_["id"]).values(link_expires_at=int(time.time()) - 1))
    assert provet(api, "GET", f"/postransaction/{made_['id']}/").json()["payment_link"]["payment_status"] == 3
    answer = page(api, made_, "accept")
    assert answer.status_code == 200 and "Expired already" in answer.text
    with engine.db.connect() as conn:
        assert conn.execute(sa.select(table.c.link_payment_status).where(table.c.id == made_["id"])).scalar() == 1


def test_a_payment_page_of_no_link_or_another_clinics_link_is_not_found(api, other, setting):
    made_ = made(api, setting)
    external = made_["payment_link"]["external_id"]
    assert api.client.get(f"/pay/{other.provet['provet_id']}/{external}").status_code == 404
    assert api.client.get(f"/pay/{api.provet['provet_id']}/not-a-link").status_code == 404
    assert api.client.get(f"/pay/x/{external}").status_code == 404
    assert api.client.post(made_["payment_link"]["url"], data={"outcome": "steal"}).status_code == 400
    theirs = other.client.get(f"{base(other)}/postransaction/{made_['id']}/", headers=other.provet_headers)
    assert theirs.status_code == 404


def test_departments_take_provet_pay_and_users_are_linked(api, setting):
    departments = provet(api, "GET", "/department/").json()["results"]
    ours = next(d for d in departments if d["id"] == setting["department"])
    assert ours == {"id": setting["department"], "url": url(api, "department", setting["department"]),
                    "name": "Kiwi Vets Ponsonby", "allow_nhp_processing": True}
    user = provet(api, "GET", f"/user/{setting['creator']}/").json()
    assert (user["first_name"], user["last_name"], user["url"]) == (
        "Dr", "Ruth Kiwi", url(api, "user", setting["creator"]))
    assert provet(api, "POST", "/department/", {"name": "x"}).status_code == 405


def test_payment_link_events_can_be_subscribed_to(api):
    events = api.get("/v1/webhookevents").json()["items"][0]["webhookevents"]
    assert {"postransaction_created", "postransaction_updated"} <= set(events)


# links of invoices, and the payments paid links make -------------------------------------------------------


@pytest.fixture
def till(api, engine):
    from test_billing import Till

    return Till(api, engine)


def invoice_link(api, setting, invoice_id: int, **changes) -> dict:
    body = example("Create payment link for for invoice", "request")
    body.update(creator=url(api, "user", setting["creator"]), department=url(api, "department", setting["department"]),
                invoice=url(api, "invoice", invoice_id), **changes)
    return body


def test_an_invoice_link_is_paid_on_its_page_and_pays_the_invoice(api, setting, till, practice):
    product = till.priced("Consultation", "50")
    invoice = till.invoice(setting["client"], till.line(product, 1))
    assert till.v2("invoice", invoice["id"])["outstanding"] == 55  # 50 and 10 % tax
    answer = provet(api, "POST", "/postransaction/", invoice_link(api, setting, invoice["id"]))
    assert answer.status_code == 201, answer.text
    made_ = answer.json()
    assert list(made_) == list(example("Create payment link for for invoice", "response"))
    assert made_["invoice"] == url(api, "invoice", invoice["id"]) and made_["amount"] == 30.05
    assert made_["payment"] is None and made_["unallocated_payment"] is None
    assert practice.read("postransaction", made_["id"])["contact_id"] == setting["client"]  # the invoice's
    method = practice.read("paymentmethod", int(made_["payment_method"].rstrip("/").rsplit("/", 1)[1]))
    assert method["name"] == "Provet Pay"

    assert page(api, made_, "accept").status_code == 303
    paid = provet(api, "GET", f"/postransaction/{made_['id']}/").json()
    payment_id = int(paid["payment"].rstrip("/").rsplit("/", 1)[1])
    assert paid["unallocated_payment"] is None and paid["payment_link"]["payment_status"] == 5
    payment = till.v2("payment", payment_id)
    assert (payment["amount"], payment["client_contact"], payment["outstanding"]) == (30.05, setting["client"], 0)
    assert till.v2("invoice", invoice["id"])["outstanding"] == pytest.approx(24.95)
    # a second link for what is left: the invoice owes 24.95 now, no more can be asked
    with practice.unchanged():
        refused = provet(api, "POST", "/postransaction/", invoice_link(api, setting, invoice["id"], amount=25))
    assert refused.status_code == 400 and refused.json() == {
        "amount": ["Is more than the 24.95 the invoice has outstanding."]}
    listed = provet(api, "GET", "/postransaction/", params={"invoice": url(api, "invoice", invoice["id"])}).json()
    assert [t["id"] for t in listed["results"]] == [made_["id"]]


def test_an_invoice_may_be_named_in_the_link_data(api, setting, till):
    invoice = till.invoice(setting["client"], till.line(till.priced("Vaccination", "40"), 1))
    body = invoice_link(api, setting, invoice["id"])
    del body["invoice"]
    body["payment_link_data"]["invoice_id"] = invoice["id"]  # "defining invoice_id in payment_link_data" (P126)
    answer = provet(api, "POST", "/postransaction/", body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["invoice"] == url(api, "invoice", invoice["id"])


def test_a_paid_prepayment_is_the_clients_surplus(api, setting, till):
    made_ = made(api, setting)
    assert page(api, made_, "accept").status_code == 303
    paid = provet(api, "GET", f"/postransaction/{made_['id']}/").json()
    assert paid["payment"] is None and paid["unallocated_payment"]
    payment = till.v2("payment", int(paid["unallocated_payment"].rstrip("/").rsplit("/", 1)[1]))
    assert (payment["amount"], payment["outstanding"], payment["client_contact"]) == (120.5, 120.5, setting["client"])
