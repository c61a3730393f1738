"""The Provet Cloud API (0.1): patients, clients and consultations over the same records as the ezyVet API.

Read against ``shared/spec/provet-cloud-api-examples.txt`` (the create-patient example, L40-L110) and
docs/provet.md (the mapping, paging and errors openvet chose where the examples say nothing).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from conftest import SPEC as SPEC_DIR  # shared/spec, or OPENVET_SPEC_DIR
from practice import Practice

SPEC = SPEC_DIR / "provet-cloud-api-examples.txt"


def base(clinic) -> str:
    return f"/{clinic.provet['provet_id']}/api/0.1"


def url(clinic, kind: str, record_id: int) -> str:
    return f"http://testserver{base(clinic)}/{kind}/{record_id}/"


def provet(clinic, method: str, path: str, body=None, **kwargs):
    headers = {**clinic.provet_headers, **kwargs.pop("headers", {})}
    return clinic.client.request(method, base(clinic) + path, json=body, headers=headers, **kwargs)


def example_response_fields() -> list[str]:
    """The field names of the create-patient response, in the example's order."""
    text = SPEC.read_text()
    response = text[text.index("Create new patient"):text.index("Provet Pay payment links")]
    body = response[response.rindex("Body:"):]
    return re.findall(r'^"([a-z_0-9]+)":', body, flags=re.M)


def new_client(clinic, **fields) -> dict:
    body = {"firstname": "Ada", "lastname": "Lovelace", **fields}
    response = provet(clinic, "POST", "/client/", body)
    assert response.status_code == 201, response.text
    return response.json()


def new_patient(clinic, **fields) -> dict:
    owner = fields.pop("client", None) or new_client(clinic)["url"]
    response = provet(clinic, "POST", "/patient/", {"name": "Fenton", "client": owner, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_patient_created_like_the_example_is_an_animal_on_v1(api):
    owner = api.new_contact()
    response = provet(api, "POST", "/patient/", {"name": "Fenton", "client": url(api, "client", int(owner["id"])),
                                                 "species": 22001, "gender": 2})
    assert response.status_code == 201, response.text
    patient = response.json()
    assert patient["url"] == url(api, "patient", patient["id"]) == response.headers["location"]
    assert patient["client"] == url(api, "client", int(owner["id"]))
    assert (patient["species_code"], patient["gender_code"]) == (22001, 2)
    assert (patient["species"], patient["gender"], patient["breed"], patient["breed_code"]) == (
        "Canine", "Female", "None", None)
    animal = api.get(f"/v1/animal/{patient['id']}").json()["items"][0]["animal"]
    species = api.get(f"/v1/species/{animal['species_id']}").json()["items"][0]["species"]
    sex = api.get(f"/v1/sex/{animal['sex_id']}").json()["items"][0]["sex"]
    assert (animal["name"], animal["contact_id"], species["name"], sex["name"]) == (
        "Fenton", owner["id"], "Canine", "Female")


def test_a_patient_has_every_field_of_the_example_response_in_its_order(api):
    patient = new_patient(api, species=22001, gender=2)
    assert list(patient) == example_response_fields()
    assert patient["official_name"] == "" and patient["tags_rel"] == [] and patient["archived"] is False
    assert patient["date_of_registration"] == patient["created"][:10]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", patient["created"])


def test_an_animal_made_on_v1_reads_as_a_patient_with_labels_and_codes(api):
    species_id = next(int(item["species"]["id"]) for item in api.get("/v1/species?name=Feline").json()["items"])
    sex_id = next(int(item["sex"]["id"]) for item in api.get("/v1/sex?name=Male Neutered").json()["items"])
    colour_id = api.get("/v1/animalcolour?name=Tabby").json()["items"][0]["animalcolour"]["id"]
    born = int(datetime(2020, 5, 17, 12, tzinfo=UTC).timestamp())
    animal = api.new_animal(name="Miso", species_id=species_id, sex_id=sex_id, animalcolour_id=colour_id,
                            weight="11", weight_unit="lb", microchip_number="985112345678901",
                            date_of_birth=born, notes="Bites", notes_important=1)
    response = provet(api, "GET", f"/patient/{animal['id']}/")
    assert response.status_code == 200, response.text
    patient = response.json()
    assert patient["client"] == url(api, "client", int(animal["contact_id"]))
    assert (patient["species"], patient["species_code"], patient["gender"], patient["gender_code"]) == (
        "Feline", 22002, "Male Neutered", 3)
    assert patient["color"] == "Tabby" and patient["microchip"] == "985112345678901"
    assert patient["weight"] == pytest.approx(4.9895, abs=1e-4)  # 11 lb in kg
    assert patient["date_of_birth"] == "2020-05-18"  # the clinic's day (Pacific/Auckland)
    assert patient["remarks"] == patient["critical_notes"] == "Bites"


def test_patient_dates_and_weight_written_on_provet_read_back_on_both_apis(api):
    patient = new_patient(api, date_of_birth="2019-02-03", weight=12.5, microchip="123", remarks="Calm",
                          color="Black", animal_code="F-1")
    assert (patient["date_of_birth"], patient["weight"], patient["remarks"], patient["color"]) == (
        "2019-02-03", 12.5, "Calm", "Black")
    animal = api.get(f"/v1/animal/{patient['id']}").json()["items"][0]["animal"]
    assert (animal["weight"], animal["weight_unit"], animal["microchip_number"], animal["notes"], animal["code"]) == (
        "12.5000", "kg", "123", "Calm", "F-1")
    assert datetime.fromtimestamp(int(animal["date_of_birth"]), UTC).isoformat() == "2019-02-02T11:00:00+00:00"


def test_patients_are_paged_with_count_next_and_previous(api):
    owner = new_client(api)["url"]
    ids = [new_patient(api, client=owner, name=f"Pet {n}")["id"] for n in range(5)]
    first = provet(api, "GET", "/patient/?page_size=2").json()
    assert first["count"] == 5 and [p["id"] for p in first["results"]] == ids[:2]
    assert first["previous"] is None
    assert first["next"] == f"http://testserver{base(api)}/patient/?page_size=2&page=2"
    second = api.client.get(first["next"].removeprefix("http://testserver"), headers=api.provet_headers).json()
    assert [p["id"] for p in second["results"]] == ids[2:4]
    assert second["previous"] == f"http://testserver{base(api)}/patient/?page_size=2"
    last = provet(api, "GET", "/patient/?page_size=2&page=3").json()
    assert last["next"] is None and [p["id"] for p in last["results"]] == ids[4:]
    assert provet(api, "GET", "/patient/?page=4&page_size=2").json() == {"detail": "Invalid page."}
    assert provet(api, "GET", "/patient/?page=abc").status_code == 404
    assert provet(api, "GET", "/patient/?page_size=1000").json()["count"] == 5  # served at the maximum


def test_patients_filter_by_client_name_microchip_species_and_modified(api):
    owner, other_owner = new_client(api), new_client(api, lastname="Babbage")
    rex = new_patient(api, client=owner["url"], name="Rex", microchip="999", species=22001)
    tom = new_patient(api, client=other_owner["url"], name="Tom", species=22002)

    def found(query: str) -> list[int]:
        response = provet(api, "GET", f"/patient/?{query}")
        assert response.status_code == 200, response.text
        assert response.json()["count"] == len(response.json()["results"])
        return [p["id"] for p in response.json()["results"]]

    assert found(f"client={owner['id']}") == [rex["id"]]
    assert found(f"client={owner['url']}") == [rex["id"]]
    assert found("name=Tom") == [tom["id"]] and found("microchip=999") == [rex["id"]]
    assert found("species=22002") == [tom["id"]]
    assert found(f"id__in={tom['id']},{rex['id']}") == [rex["id"], tom["id"]]
    assert found("modified__gte=2000-01-01T00:00:00%2B00:00") == [rex["id"], tom["id"]]
    future = datetime.fromtimestamp(time.time() + 3600, UTC).isoformat().replace("+", "%2B")
    assert found(f"modified__gte={future}") == []


def test_an_unknown_query_parameter_is_refused_naming_it(api):
    response = provet(api, "GET", "/patient/?colour=Black")
    assert response.status_code == 400
    assert list(response.json()) == ["colour"]
    bad = provet(api, "GET", "/patient/?modified__gte=yesterday")
    assert bad.status_code == 400 and "modified__gte" in bad.json()


def test_a_client_is_created_listed_and_read_with_its_details_and_patients(api):
    client = new_client(api, email="ada@example.com", phone_numbers=["021 555 0101"], street_address="1 Main St",
                        zip_code="3204", city="Hamilton")
    assert (client["email"], client["phone_numbers"][0]["phone_number"]) == ("ada@example.com", "021 555 0101")
    assert (client["street_address"], client["zip_code"], client["city"]) == ("1 Main St", "3204", "Hamilton")
    patient = new_patient(api, client=client["url"])
    detail = provet(api, "GET", f"/client/{client['id']}/").json()
    assert detail["patients"] == [patient["url"]]
    listed = provet(api, "GET", f"/client/?id__in={client['id']}").json()
    assert listed["count"] == 1 and listed["results"][0] == detail
    contact = api.get(f"/v2/contact/{client['id']}").json()["items"][0]["contact"]
    assert (contact["first_name"], contact["last_name"]) == ("Ada", "Lovelace")
    assert sorted(d["value"] for d in contact["contact_detail_list"]) == ["021 555 0101", "ada@example.com"]


def test_a_client_needs_no_contact_detail_but_a_lastname_or_an_organization(api):
    business = new_client(api, firstname="", lastname="", organization_name="Farm Ltd")
    assert (business["organization_name"], business["email"], business["phone_numbers"]) == ("Farm Ltd", "", [])
    response = provet(api, "POST", "/client/", {"firstname": "Nobody"})
    assert response.status_code == 400
    assert response.json() == {"lastname": ["This field is required unless organization_name is given."]}


def test_patch_and_put_update_a_patient(api):
    patient = new_patient(api, species=22001, gender=2)
    response = provet(api, "PATCH", f"/patient/{patient['id']}/", {"gender": 4, "deceased": "2024-01-02",
                                                                  "reason_of_death": "Age"})
    assert response.status_code == 200, response.text
    assert (response.json()["gender"], response.json()["deceased"]) == ("Female Spayed", "2024-01-02")
    animal = api.get(f"/v1/animal/{patient['id']}").json()["items"][0]["animal"]
    assert (animal["is_dead"], animal["death_reason"]) == ("1", "Age")
    archived = provet(api, "PATCH", f"/patient/{patient['id']}", {"archived": True}).json()
    assert archived["archived"] is True
    assert api.get(f"/v1/animal/{patient['id']}").json()["items"][0]["animal"]["active"] == "0"
    incomplete = provet(api, "PUT", f"/patient/{patient['id']}/", {"name": "Fenton II"})
    assert incomplete.status_code == 400 and incomplete.json() == {"client": ["This field is required."]}
    full = provet(api, "PUT", f"/patient/{patient['id']}/", {**archived, "name": "Fenton II", "species": 22001,
                                                             "gender": 4, "breed": "None"})
    assert full.status_code == 200, full.text
    assert full.json()["name"] == "Fenton II" and full.json()["id"] == patient["id"]


def test_patch_a_client_replaces_its_email_and_keeps_other_details(api):
    client = new_client(api, email="old@example.com", phone_numbers=["021 1"])
    response = provet(api, "PATCH", f"/client/{client['id']}/", {"email": "new@example.com", "lastname": "King"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["email"], body["lastname"], body["phone_numbers"]) == (
        "new@example.com", "King", client["phone_numbers"])
    blank = provet(api, "PATCH", f"/client/{client['id']}/", {"lastname": ""})
    assert blank.status_code == 400 and list(blank.json()) == ["lastname"]


@pytest.mark.parametrize(("body", "field", "reason"), [
    ({"species": 99999}, "species", '"99999" is not a valid choice.'),
    ({"gender": "x"}, "gender", '"x" is not a valid choice.'),
    ({"client": "https://elsewhere.example/api/client/1/"}, "client", "Invalid hyperlink - No URL match."),
    ({"client": 5}, "client", "Incorrect type. Expected URL string, received int."),
    ({"date_of_birth": "17/05/2020"}, "date_of_birth",
     "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
    ({"colour": "Black"}, "colour", "Unknown field: patient has no field 'colour'."),
    ({"passport_number": "P-1"}, "passport_number",
     "openvet does not store this field; send it empty or leave it out."),
])
def test_a_bad_patient_field_is_refused_naming_it(api, body, field, reason):
    owner = new_client(api)["url"]
    response = provet(api, "POST", "/patient/", {"name": "Fenton", "client": owner, **body})
    assert response.status_code == 400, response.text
    assert response.json() == {field: [reason]}


def test_a_client_url_of_another_clinic_is_refused(api, other):
    theirs = new_client(other)
    response = provet(api, "POST", "/patient/", {"name": "Fenton", "client": theirs["url"]})
    assert response.status_code == 400
    assert response.json() == {"client": ["Invalid hyperlink - Incorrect URL match."]}
    forged = url(api, "client", theirs["id"])  # their client's id under our provet_id
    response = provet(api, "POST", "/patient/", {"name": "Fenton", "client": forged})
    assert response.status_code == 400
    assert response.json() == {"client": ["Invalid hyperlink - Object does not exist."]}


def test_authentication_errors_are_drf_shaped(api, other):
    assert api.client.get(base(api) + "/patient/").json() == {
        "detail": "Authentication credentials were not provided."}
    assert api.client.get(base(api) + "/patient/").status_code == 401
    wrong = api.client.get(base(api) + "/patient/", headers={"Authorization": "Token nope"})
    assert (wrong.status_code, wrong.json()) == (401, {"detail": "Invalid token."})
    bearer = api.client.get(base(api) + "/patient/", headers=api.headers)  # an ezyVet token is not a key
    assert bearer.status_code == 401
    elsewhere = api.client.get(base(other) + "/patient/", headers=api.provet_headers)
    assert (elsewhere.status_code, elsewhere.json()) == (404, {"detail": "Not found."})


def test_malformed_json_unknown_ids_and_methods(api):
    bad = provet(api, "POST", "/patient/", content=b'{"name": ', headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["detail"].startswith("JSON parse error - ")
    listed = provet(api, "POST", "/patient/", [1, 2])
    assert listed.status_code == 400
    assert listed.json() == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}
    assert provet(api, "GET", "/patient/999999999/").json() == {"detail": "Not found."}
    assert provet(api, "GET", "/patient/abc/").status_code == 404
    deleted = provet(api, "DELETE", "/patient/1/")
    assert (deleted.status_code, deleted.json()) == (405, {"detail": 'Method "DELETE" not allowed.'})
    assert provet(api, "PUT", "/client/").status_code == 405


def test_a_body_over_one_mebibyte_is_a_413_in_provet_s_shape(api):
    patient = new_patient(api)
    before = provet(api, "GET", "/patient/").json()["count"]
    big = {"name": "Fenton", "client": patient["client"], "remarks": "a" * (1 << 20)}
    for method, path in (("POST", "/patient/"), ("PATCH", f"/patient/{patient['id']}/"),
                         ("PUT", f"/patient/{patient['id']}/"), ("POST", "/client/")):
        response = provet(api, method, path, big)
        assert response.status_code == 413, (method, path, response.text)
        assert list(response.json()) == ["detail"] and "1048576 bytes" in response.json()["detail"]
    chunked = api.client.post(base(api) + "/patient/", content=iter([b'{"name": "', b"a" * (1 << 20), b'"}']),
                              headers={**api.provet_headers, "Content-Type": "application/json"})
    assert chunked.status_code == 413, chunked.text
    assert provet(api, "GET", "/patient/").json()["count"] == before
    assert provet(api, "GET", f"/patient/{patient['id']}/").json() == patient


def test_a_streamed_body_is_not_read_past_the_limit(api):
    """No Content-Length, 64 chunks of 256 KiB: the answer comes once the limit is passed, the rest unread."""
    received = []

    async def receive():
        received.append(1)
        return {"type": "http.request", "body": b"a" * (1 << 18), "more_body": len(received) < 64}

    sent = []

    async def send(message):
        sent.append(message)

    path = base(api) + "/patient/"
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                         (b"authorization", f"Token {api.provet['token']}".encode())],
             "client": ("127.0.0.1", 1), "server": ("testserver", 80)}
    asyncio.run(api.client.app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert len(received) <= 5  # 4 chunks make 1 MiB; the fifth passes it


def test_trace_connect_and_unknown_methods_are_405_in_provet_s_shape_with_allow(api):
    patient = new_patient(api)
    paths = {"/patient/": "GET, POST", f"/patient/{patient['id']}/": "GET, PUT, PATCH", "/client": "GET, POST",
             f"/client/{patient['client'].rstrip('/').rsplit('/', 1)[1]}": "GET, PUT, PATCH"}
    for method in ("TRACE", "CONNECT", "FOO", "DELETE"):
        for path, allow in paths.items():
            response = provet(api, method, path)
            assert (response.status_code, response.headers.get("allow")) == (405, allow), (method, path)
            assert response.json() == {"detail": f'Method "{method}" not allowed.'}
    anonymous = api.client.request("TRACE", base(api) + "/patient/")  # as DRF: the key is checked first
    assert anonymous.status_code == 401
    assert anonymous.json() == {"detail": "Authentication credentials were not provided."}
    head = provet(api, "HEAD", f"/patient/{patient['id']}/")
    assert (head.status_code, head.content) == (200, b"")


def test_a_key_of_one_clinic_never_reaches_another_clinics_records(api, other):
    patient, client = new_patient(other), new_client(other)
    before = {"patient": provet(other, "GET", f"/patient/{patient['id']}/").json(),
              "client": provet(other, "GET", f"/client/{client['id']}/").json()}
    own = provet(api, "GET", "/client/").json()["count"]  # the clinic's own Contact
    ours = new_client(api)
    bodies = {"patient": {"name": "Mine", "client": ours["url"]}, "client": {"lastname": "Mine"}}
    for kind, theirs in (("patient", patient), ("client", client)):
        path = f"/{kind}/{theirs['id']}/"
        response = provet(api, "GET", path)
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
        for method in ("PUT", "PATCH"):
            assert provet(api, method, path, bodies[kind]).status_code == 404
            assert provet(api, method, path, {}).status_code == 404
        across = api.client.get(f"{base(other)}{path}", headers=api.provet_headers)  # their provet_id
        assert across.status_code == 404
        listed = provet(api, "GET", f"/{kind}/?page_size=100").json()
        assert theirs["id"] not in [r["id"] for r in listed["results"]]
        assert provet(api, "GET", f"/{kind}/?id__in={theirs['id']}").json()["count"] == 0
        assert provet(other, "GET", path).json() == before[kind]  # untouched
    assert provet(api, "GET", "/client/").json()["count"] == own + 1  # ours only
    assert provet(api, "GET", "/patient/").json()["count"] == 0
    # filtering on their client: by id or by a URL under our provet_id it finds nothing; their URL is refused
    assert provet(api, "GET", f"/patient/?client={client['id']}").json()["count"] == 0
    assert provet(api, "GET", f"/patient/?client={patient['client']}").status_code == 400
    assert provet(api, "GET", f"/patient/?client={patient['client']}").json() == {
        "client": ["Invalid hyperlink - Incorrect URL match."]}
    forged = url(api, "client", int(patient["client"].rstrip("/").rsplit("/", 1)[1]))
    assert provet(api, "GET", f"/patient/?client={forged}").json()["count"] == 0
    # linking to their client: refused, and the patient keeps its owner
    mine = new_patient(api, client=ours["url"])
    for link, reason in ((client["url"], "Incorrect URL match."), (forged, "Object does not exist.")):
        response = provet(api, "PATCH", f"/patient/{mine['id']}/", {"client": link})
        assert (response.status_code, response.json()) == (400, {"client": [f"Invalid hyperlink - {reason}"]})
    assert provet(api, "GET", f"/patient/{mine['id']}/").json()["client"] == ours["url"]


LONG = "9" * 5000  # int() refuses strings of over 4300 digits


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/patient/99999999999999999999999/", None),
    ("GET", "/patient/?client=99999999999999999999999", None),
    ("GET", "/patient/?id__in=1,99999999999999999999999", None),
    ("GET", "/patient/?species=99999999999999999999999", None),
    ("GET", "/patient/?client=http://x/{P}/api/0.1/client/99999999999999999999999/", None),
    ("POST", "/patient/", {"name": ["Rex"], "weight": "1e30", "species": -1, "archived": "maybe"}),
    ("POST", "/patient/", {"name": "Rex", "client": "http://x/{P}/api/0.1/client/99999999999999999999999/"}),
    ("POST", "/client/", {"lastname": {"a": 1}, "phone_numbers": "021", "email": "not-an-email"}),
    ("PATCH", "/client/{C}/", {"phone_numbers": [{"phone_number": None}]}),
    ("POST", "/client/", {"lastname": "Nul\u0000", "email": "a\u0000@b.c", "city": "\u0000"}),
    ("GET", "/patient/?name=Rex%00", None),
    ("GET", "/patient/?page=99999999999999999999999", None),
    ("GET", "/client/?page=92233720368547758&page_size=100", None),
    ("GET", "/patient/%C2%B2/", None),
    ("GET", "/patient/?page=%C2%B2", None),
    ("GET", "/patient/?page_size=%C2%B2", None),
    ("GET", "/patient/?id__in=1,%C2%B2", None),
    ("GET", "/patient/?client=%C2%B2", None),
    ("GET", "/patient/?species=%C2%B2", None),
    ("POST", "/patient/", {"name": "Rex", "client": "http://x/{P}/api/0.1/client/{C}/", "species": "\u00b2"}),
    ("GET", f"/patient/{LONG}/", None),
    ("GET", f"/patient/?page={LONG}", None),
    ("GET", f"/patient/?page_size={LONG}", None),
    ("GET", f"/patient/?id__in={LONG}", None),
    ("GET", f"/patient/?client={LONG}", None),
    ("GET", f"/patient/?species={LONG}", None),
    ("GET", f"/patient/?client=http://x/{{P}}/api/0.1/client/{LONG}/", None),
    ("PATCH", "/patient/{A}/", {"client": "http://[/{P}/api/0.1/client/{C}/"}),
    ("GET", "/patient/?client=http://%5B/{P}/api/0.1/client/{C}/", None),
    ("PATCH", "/patient/{A}/", {"deceased": "0001-01-01"}),
    ("GET", f"/consultation/{LONG}/", None),
    ("GET", "/consultation/%C2%B2/", None),
    ("GET", f"/consultation/?patient={LONG}", None),
    ("GET", "/consultation/?patient=%C2%B2", None),
    ("GET", f"/consultation/?client={LONG}", None),
    ("GET", "/consultation/?client=http://%5B/{P}/api/0.1/client/{C}/", None),
    ("GET", "/consultation/?patient=http://x/{P}/api/0.1/client/{C}/", None),
    ("GET", "/consultation/?admitted_time__gte=yesterday", None),
    ("GET", "/consultation/?admitted_time__lt=9999999-01-01", None),
])
def test_odd_input_gets_an_answer_never_a_500(api, method, path, body):
    patient = new_patient(api)
    fill = {"{P}": str(api.provet["provet_id"]), "{C}": patient["client"].rstrip("/").rsplit("/", 1)[1],
            "{A}": str(patient["id"])}

    def filled(value):
        if isinstance(value, dict):
            return {k: filled(v) for k, v in value.items()}
        if isinstance(value, str):
            for token, text in fill.items():
                value = value.replace(token, text)
        return value

    response = provet(api, method, filled(path), filled(body))
    assert response.status_code < 500, response.text
    assert isinstance(response.json(), dict) and response.json()


@pytest.mark.parametrize(("query", "status", "answer"), [
    ("page=%C2%B2", 404, {"detail": "Invalid page."}),
    (f"page={LONG}", 404, {"detail": "Invalid page."}),
    ("id__in=1,%C2%B2", 400, {"id__in": ["Enter a whole number, or several separated by commas."]}),
    (f"id__in={LONG}", 400, {"id__in": ["Enter a whole number, or several separated by commas."]}),
    ("client=%C2%B2", 400, {"client": ["Invalid hyperlink - No URL match."]}),
    ("client=http://%5B/1/api/0.1/client/2/", 400, {"client": ["Invalid hyperlink - No URL match."]}),
    ("species=%C2%B2", 400, {"species": ['"\u00b2" is not a valid choice.']}),
    (f"species={LONG}", 400, {"species": [f'"{LONG}" is not a valid choice.']}),
])
def test_unicode_and_overlong_numbers_in_queries_are_refused(api, query, status, answer):
    response = provet(api, "GET", f"/patient/?{query}")
    assert (response.status_code, response.json()) == (status, answer)


def test_unicode_and_overlong_numbers_elsewhere_are_refused(api):
    new_patient(api)
    for path in ("/patient/%C2%B2/", f"/patient/{LONG}/", "/patient/%D9%A3/"):  # "²", 5000 nines, Arabic "3"
        response = provet(api, "GET", path)
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert provet(api, "GET", "/patient/?page_size=%C2%B2").json()["count"] == 1  # the default page size
    assert provet(api, "GET", f"/patient/?client={LONG}").json()["count"] == 0  # no such client
    wrong_clinic = api.client.get(f"/{LONG}/api/0.1/patient/", headers=api.provet_headers)
    assert (wrong_clinic.status_code, wrong_clinic.json()) == (404, {"detail": "Not found."})
    owner = new_client(api)["url"]
    response = provet(api, "POST", "/patient/", {"name": "Rex", "client": owner, "species": "\u00b2"})
    assert (response.status_code, response.json()) == (400, {"species": ['"\u00b2" is not a valid choice.']})
    long_link = f"http://x/{api.provet['provet_id']}/api/0.1/client/{LONG}/"
    response = provet(api, "POST", "/patient/", {"name": "Rex", "client": long_link})
    assert response.json() == {"client": ["Invalid hyperlink - Object does not exist."]}


def test_a_patient_weight_in_other_digits_is_refused(api):
    """``Decimal("١٢")`` is 12: a weight is read in ASCII digits only, like every number."""
    patient = new_patient(api, weight=7.5)
    before = provet(api, "GET", "/patient/").json()["count"]
    for weight in ("١٢", "١٢.٥", "１２", "１２.５", "1_2"):
        created = provet(api, "POST", "/patient/", {"name": "Rex", "client": patient["client"], "weight": weight})
        patched = provet(api, "PATCH", f"/patient/{patient['id']}/", {"weight": weight})
        for response in (created, patched):
            assert (response.status_code, response.json()) == (400, {"weight": ["A valid number is required."]})
    assert provet(api, "GET", "/patient/").json()["count"] == before
    assert provet(api, "GET", f"/patient/{patient['id']}/").json()["weight"] == 7.5


def test_a_malformed_hyperlink_is_no_url_match(api):
    patient = new_patient(api)
    client_id = patient["client"].rstrip("/").rsplit("/", 1)[1]
    response = provet(api, "PATCH", f"/patient/{patient['id']}/",
                      {"client": f"http://[/{api.provet['provet_id']}/api/0.1/client/{client_id}/"})
    assert (response.status_code, response.json()) == (400, {"client": ["Invalid hyperlink - No URL match."]})


def test_a_public_url_with_a_path_serves_and_accepts_its_own_hyperlinks(api):
    state = api.client.app.state
    settings = state.settings
    state.settings = replace(settings, public_url="https://example.com/vets/")
    try:
        owner = new_client(api)
        prefix = f"https://example.com/vets/{api.provet['provet_id']}/api/0.1"
        assert owner["url"] == f"{prefix}/client/{owner['id']}/"
        patient = new_patient(api, client=owner["url"])
        assert (patient["url"], patient["client"]) == (f"{prefix}/patient/{patient['id']}/", owner["url"])
        assert provet(api, "GET", f"/patient/?client={owner['url']}").json()["count"] == 1
        assert provet(api, "PUT", f"/patient/{patient['id']}/", patient).status_code == 200
        unprefixed = f"https://example.com/{api.provet['provet_id']}/api/0.1/client/{owner['id']}/"
        assert provet(api, "GET", f"/patient/?client={unprefixed}").json()["count"] == 1  # the path after the base
    finally:
        state.settings = settings


def test_a_patient_read_can_be_put_back_unchanged(api):
    breed_id = api.first_id("breed")
    breed = api.get(f"/v1/breed/{breed_id}").json()["items"][0]["breed"]["name"]
    patient = new_patient(api, species=22001, gender=2, weight=7.5, remarks="Calm", color="Black",
                          date_of_birth="2019-02-03", microchip="42", animal_code="F-9")
    assert api.patch(f"/v1/animal/{patient['id']}", {"breed_id": breed_id}).status_code == 200
    read = provet(api, "GET", f"/patient/{patient['id']}/").json()
    assert (read["species"], read["gender"], read["breed"]) == ("Canine", "Female", breed)
    response = provet(api, "PUT", f"/patient/{patient['id']}/", read)
    assert response.status_code == 200, response.text
    assert {k: v for k, v in response.json().items() if k != "modified"} == {
        k: v for k, v in read.items() if k != "modified"}
    assert provet(api, "PATCH", f"/patient/{patient['id']}/", {"species": "Canine", "gender": "Female",
                                                              "breed": breed}).status_code == 200
    # another name is refused; a breed is cleared, not set; a code still changes species and gender
    for field, value in (("species", "Feline"), ("gender", "Male"), ("breed", "Poodle-ish")):
        refused = provet(api, "PATCH", f"/patient/{patient['id']}/", {field: value})
        assert refused.status_code == 400 and list(refused.json()) == [field], refused.text
    assert "does not store" not in str(refused.json())
    cleared = provet(api, "PATCH", f"/patient/{patient['id']}/", {"breed": "None"})
    assert cleared.json()["breed"] == "None"
    assert api.get(f"/v1/animal/{patient['id']}").json()["items"][0]["animal"]["breed_id"] in (None, "", "0")
    changed = provet(api, "PATCH", f"/patient/{patient['id']}/", {"species": 22002, "gender": 4}).json()
    assert (changed["species"], changed["gender"]) == ("Feline", "Female Spayed")


def test_a_client_read_can_be_put_back_unchanged(api):
    client = new_client(api, email="a@example.com", organization_name="Farm", city="Hamilton",
                        phone_numbers=[{"phone_number": "021 1", "description": "Work"}, "021 2"])
    response = provet(api, "PUT", f"/client/{client['id']}/", client)
    assert response.status_code == 200, response.text
    assert {k: v for k, v in response.json().items() if k != "modified"} == {
        k: v for k, v in client.items() if k != "modified"}


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "9999-12-31"])
def test_a_date_that_cannot_be_stored_and_read_back_is_refused(api, day):
    patient = new_patient(api)
    response = provet(api, "PATCH", f"/patient/{patient['id']}/", {"deceased": day, "date_of_birth": day})
    if day == "9999-12-31" and response.status_code == 200:  # representable: it must read back
        assert (response.json()["deceased"], response.json()["date_of_birth"]) == (day, day)
        return
    assert response.status_code == 400, response.text
    assert sorted(response.json()) == ["date_of_birth", "deceased"]
    assert response.json()["deceased"] == ["Date out of range: enter a day from 1900-01-01 on."]
    assert provet(api, "GET", f"/patient/{patient['id']}/").json()["deceased"] is None
    earliest = provet(api, "PATCH", f"/patient/{patient['id']}/", {"date_of_birth": "1900-01-01"})
    assert (earliest.status_code, earliest.json()["date_of_birth"]) == (200, "1900-01-01")


def test_is_business_follows_the_last_name_sent_with_the_organization(api):
    client = new_client(api, lastname="Smith")
    response = provet(api, "PATCH", f"/client/{client['id']}/", {"lastname": "", "organization_name": "Org"})
    assert response.status_code == 200, response.text
    contact = api.get(f"/v2/contact/{client['id']}").json()["items"][0]["contact"]
    assert (contact["last_name"], contact["business_name"], contact["is_business"]) == ("", "Org", True)
    provet(api, "PATCH", f"/client/{client['id']}/", {"lastname": "Jones", "organization_name": "Org"})
    assert api.get(f"/v2/contact/{client['id']}").json()["items"][0]["contact"]["is_business"] is False


def test_phone_descriptions_are_kept_and_duplicates_refused(api):
    client = new_client(api, phone_numbers=[{"phone_number": "2", "description": "Work"}, "3"])
    assert client["phone_numbers"] == [{"phone_number": "2", "description": "Work"},
                                       {"phone_number": "3", "description": "Mobile"}]
    contact = api.get(f"/v2/contact/{client['id']}").json()["items"][0]["contact"]
    assert sorted((d["name"], d["value"]) for d in contact["contact_detail_list"]) == [("Mobile", "3"), ("Work", "2")]
    renamed = provet(api, "PATCH", f"/client/{client['id']}/", {"phone_numbers": [
        {"phone_number": "2", "description": "Home"}, "3"]})
    assert renamed.json()["phone_numbers"] == [{"phone_number": "2", "description": "Home"},
                                               {"phone_number": "3", "description": "Mobile"}]
    twice = provet(api, "PATCH", f"/client/{client['id']}/", {"phone_numbers": ["4", {"phone_number": "4"}]})
    assert (twice.status_code, twice.json()) == (400, {"phone_numbers": ['The number "4" is sent twice.']})


# consultation: a Consult, read only ----------------------------------------------------------------------

def example_consultation_fields() -> list[str]:
    """The field names of the consultation example (provet L14-L37), in its order."""
    text = SPEC.read_text()
    body = text[text.index("Get consultation details"):text.index("Create new patient")]
    return re.findall(r'^"([a-z_0-9]+)":', body[body.index("{"):], flags=re.M)


@pytest.mark.both_databases  # the latest consult per animal is a window function in SQL
def test_a_consult_reads_as_a_consultation_like_the_example(api, engine):
    practice = Practice(api, engine)
    vet = practice.vet()
    patient = new_patient(api)
    consult = practice.consult(patient["id"], vet, description="Test consultation")
    response = provet(api, "GET", f"/consultation/{consult}/")
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == example_consultation_fields()
    stored = practice.read("consult", consult)
    assert body["url"] == url(api, "consultation", consult)
    assert body["client"] == patient["client"] and body["patients"] == [patient["url"]]
    assert body["complaint"] == "Test consultation"
    assert body["admitted_time"] == body["started"]
    assert datetime.fromisoformat(body["started"]).timestamp() == stored["date"]
    assert body["supervising_veterinarian"] == url(api, "user", vet.user)
    assert (body["status"], body["type"], body["consultation_items"]) == (8, 0, [])
    # and the patient names it as its last consultation, the latest by date
    later = practice.consult(patient["id"], date=stored["date"] + 86400)
    practice.consult(patient["id"], date=stored["date"] - 86400)
    assert provet(api, "GET", f"/patient/{patient['id']}/").json()["last_consultation"] == url(
        api, "consultation", later)
    assert new_patient(api)["last_consultation"] is None


def test_consultations_are_listed_by_patient_client_and_time_and_are_read_only(api, engine):
    practice = Practice(api, engine)
    first, second = new_patient(api), new_patient(api)
    a = practice.consult(first["id"])
    b = practice.consult(second["id"])
    c = practice.consult(first["id"], date=practice.read("consult", a)["date"] + 7 * 86400)

    def found(query: str) -> list[str]:
        response = provet(api, "GET", f"/consultation/{query}")
        assert response.status_code == 200, response.text
        return sorted(r["url"] for r in response.json()["results"])

    assert found(f"?patient={first['id']}") == sorted(url(api, "consultation", i) for i in (a, c))
    assert found(f"?patient={second['url']}") == [url(api, "consultation", b)]
    owner = second["client"].rstrip("/").rsplit("/", 1)[1]
    assert found(f"?client={owner}") == [url(api, "consultation", b)]
    started = provet(api, "GET", f"/consultation/{c}/").json()["started"]
    assert found(f"?patient={first['id']}&admitted_time__gte={quote(started)}") == [url(api, "consultation", c)]
    refused = provet(api, "GET", "/consultation/?complaint=x")
    assert refused.status_code == 400 and "complaint" in refused.json()
    with practice.unchanged():
        for method, path in (("POST", "/consultation/"), ("PATCH", f"/consultation/{a}/"),
                             ("PUT", f"/consultation/{a}/"), ("DELETE", f"/consultation/{a}/")):
            response = provet(api, method, path, {"complaint": "changed"})
            assert response.status_code == 405, (method, response.text)
            assert response.headers["allow"] == "GET"


def test_a_consultation_of_another_clinic_is_not_found(api, other, engine):
    theirs = Practice(other, engine).consult()
    response = provet(api, "GET", f"/consultation/{theirs}/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert provet(other, "GET", f"/consultation/{theirs}/").status_code == 200
