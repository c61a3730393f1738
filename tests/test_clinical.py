"""The clinical record: consults and their codes, presenting problems and referrers; the records a consult holds
(health status, physical exams, history, assessments, plans, operations, vaccinations) and prescriptions, with
the external pharmacies' prescriptions (L3050, L6171, L6704, L1707, L8917, L8312, L8660, L13620, L8989, L9384,
L5683, decisions "Clinical and scheduling").

Every refusal is proven to change nothing: no row and no event of the clinic moves.
"""

from __future__ import annotations

import json

import pytest

from openvet.engine.problems import ValidationFailed
from openvet.services import credentials
from practice import BOOKED_DAY, Practice, Vet, ids, item, items, refused


@pytest.fixture
def practice(api, engine) -> Practice:
    return Practice(api, engine)


def problems_of(failed: pytest.ExceptionInfo) -> set[str]:
    return {p.field for p in failed.value.problems}


# consults ------------------------------------------------------------------------------------------------


def test_a_consult_code_counts_on_from_300000_by_its_id(practice, api):
    for _ in range(2):
        consult = item(api.get(f"/v1/consult/{practice.consult()}"), "consult")
        assert consult["code"] == str(300_000 + int(consult["id"]))
    assert ids(api.get(f"/v1/consult?code={consult['code']}"), "consult") == [int(consult["id"])]


def test_a_consult_code_cannot_be_written(practice, api):
    animal, consult = practice.animal(), practice.consult()
    with practice.unchanged():
        refused(api.post("/v1/consult", {"date": BOOKED_DAY, "animal_id": animal, "code": "999"}), 422, "code")
        refused(api.patch(f"/v1/consult/{consult}", {"code": "999"}), 422, "code")


def test_presenting_problems_are_linked_on_create_and_read_back_as_link_ids(practice, api):
    vomiting, lethargy = (practice.named("presentingproblem", name) for name in ("Vomiting", "Lethargy"))
    created = item(api.post("/v1/consult", {"date": BOOKED_DAY, "animal_id": practice.animal(),
                                            "presenting_problem_link_list": [{"presenting_problem_id": str(vomiting)},
                                                                             {"presenting_problem_id": lethargy}]}),
                   "consult")
    links = created["presenting_problem_link_list"]
    assert len(links) == 2 and all(isinstance(link, str) for link in links)
    listed = items(api.get(f"/v1/presentingproblemlink?consult_id={created['id']}"), "presentingproblemlink")
    assert sorted((link["id"], link["presenting_problem_id"]) for link in listed) == sorted(
        zip(links, (str(vomiting), str(lethargy)), strict=True))


def test_a_patched_presenting_problem_list_is_the_new_set(practice, api):
    problems = [practice.named("presentingproblem", n) for n in ("Vomiting", "Lethargy", "Seizures")]
    consult = item(api.post("/v1/consult", {"date": BOOKED_DAY, "animal_id": practice.animal(),
                                            "presenting_problem_link_list": [
                                                {"presenting_problem_id": p} for p in problems[:2]]}), "consult")
    kept, dropped = consult["presenting_problem_link_list"]
    vet = practice.vet("Dr Rufus")
    patched = item(api.patch(f"/v1/consult/{consult['id']}", {  # the document's own sample (L3260)
        "vet_id": vet.user, "presenting_problem_link_list": [{"presenting_problem_id": str(problems[2])},
                                                             {"id": int(kept)}]}), "consult")
    links = patched["presenting_problem_link_list"]
    assert patched["vet_id"] == str(vet.user) and kept in links and dropped not in links and len(links) == 2
    assert item(api.get(f"/v1/presentingproblemlink/{dropped}"), "presentingproblemlink")["active"] == "0"
    listed = items(api.get(f"/v1/presentingproblemlink?consult_id={consult['id']}&active=1"), "presentingproblemlink")
    assert sorted(int(link["presenting_problem_id"]) for link in listed) == sorted([problems[0], problems[2]])


def test_a_link_of_another_consult_or_an_unknown_problem_is_refused(practice, api):
    vomiting = practice.named("presentingproblem", "Vomiting")
    theirs = item(api.post("/v1/consult", {"date": BOOKED_DAY, "animal_id": practice.animal(),
                                           "presenting_problem_link_list": [{"presenting_problem_id": vomiting}]}),
                  "consult")["presenting_problem_link_list"][0]
    consult, animal = practice.consult(), practice.animal()
    with practice.unchanged():
        refused(api.patch(f"/v1/consult/{consult}", {"presenting_problem_link_list": [{"id": theirs}]}),
                422, "presenting_problem_link_list[0].id")
        refused(api.post("/v1/consult", {"date": BOOKED_DAY, "animal_id": animal,
                                         "presenting_problem_link_list": [{"presenting_problem_id": 10**12}]}),
                422, "presenting_problem_link_list[0].presenting_problem_id")


def test_a_presenting_problem_link_belongs_to_a_consult(practice):
    vomiting = practice.named("presentingproblem", "Vomiting")
    with practice.unchanged(), pytest.raises(ValidationFailed) as failed:
        practice.record("presentingproblemlink", presenting_problem_id=vomiting)
    assert problems_of(failed) == {"consult_id"}


def test_the_referring_vet_is_a_contact_marked_as_a_vet(practice, api):
    referrer, layman = practice.owner(is_vet=True), practice.owner(is_vet=False)
    animal = practice.animal()
    consult = item(api.post("/v1/consult", {"date": BOOKED_DAY, "animal_id": animal,
                                            "referring_vet_contact_id": referrer, "referring_clinic_id": layman}),
                   "consult")
    assert consult["referring_vet_contact_id"] == str(referrer) and consult["referring_clinic_id"] == str(layman)
    with practice.unchanged():
        reasons = refused(api.post("/v1/consult", {"date": BOOKED_DAY, "animal_id": animal,
                                                   "referring_vet_contact_id": layman}),
                          422, "referring_vet_contact_id")
        refused(api.patch(f"/v1/consult/{consult['id']}", {"referring_vet_contact_id": layman}),
                422, "referring_vet_contact_id")
    assert "is_vet" in reasons["referring_vet_contact_id"]


# records of a consult ------------------------------------------------------------------------------------

LIST_ONLY = ["history", "assessment", "plan", "operation"]


@pytest.mark.parametrize("endpoint", LIST_ONLY)
def test_a_list_only_record_of_a_consult_takes_the_consults_animal(practice, api, endpoint):
    animal = practice.animal()
    consult = practice.consult(animal)
    made = practice.record(endpoint, consult_id=consult)
    shown = item(api.get(f"/v1/{endpoint}/{made}"), endpoint)
    assert (shown["consult_id"], shown["animal_id"]) == (str(consult), str(animal))
    assert ids(api.get(f"/v1/{endpoint}?animal_id={animal}"), endpoint) == [made]


@pytest.mark.parametrize("endpoint", LIST_ONLY)
def test_a_list_only_record_refuses_a_consult_of_another_animal(practice, endpoint):
    consult, animal = practice.consult(), practice.animal()
    with practice.unchanged(), pytest.raises(ValidationFailed) as failed:
        practice.record(endpoint, consult_id=consult, animal_id=animal)
    assert problems_of(failed) == {"consult_id"}


@pytest.mark.parametrize("endpoint", LIST_ONLY)
def test_a_list_only_record_is_linked_to_a_consult(practice, endpoint):
    animal = practice.animal()
    with practice.unchanged(), pytest.raises(ValidationFailed) as failed:
        practice.record(endpoint, animal_id=animal)
    assert "consult_id" in problems_of(failed)


@pytest.mark.parametrize("endpoint", LIST_ONLY)
def test_a_list_only_record_is_noted_by_a_vet(practice, endpoint):
    consult, vet, nurse = practice.consult(), practice.vet(), practice.user("Nurse Mere", is_vet=False)
    assert practice.read(endpoint, practice.record(endpoint, consult_id=consult, vet_id=vet.user))["vet_id"] == vet.user
    with practice.unchanged(), pytest.raises(ValidationFailed) as failed:
        practice.record(endpoint, consult_id=consult, vet_id=nurse)
    assert problems_of(failed) == {"vet_id"}


def health_status(practice: Practice, consult: int, **fields) -> dict:
    return item(practice.api.post("/v1/healthstatus", {"consult_id": consult, "weight": "16.5", "weight_unit": "kg",
                                                      **fields}), "healthstatus")


def test_a_health_status_of_a_consult_takes_its_animal(practice):
    animal = practice.animal()
    taken = health_status(practice, practice.consult(animal))
    assert taken["animal_id"] == str(animal) and taken["weight"] == "16.5000"


def test_a_health_status_refuses_a_consult_of_another_animal(practice, api):
    consult, animal = practice.consult(), practice.animal()
    mine = health_status(practice, practice.consult(animal))
    with practice.unchanged():
        refused(api.post("/v1/healthstatus", {"consult_id": consult, "animal_id": animal}), 422, "consult_id")
        refused(api.patch(f"/v1/healthstatus/{mine['id']}", {"consult_id": consult}), 422, "consult_id")


def test_a_health_status_needs_a_consult(practice, api):
    animal = practice.animal()
    with practice.unchanged():
        refused(api.post("/v1/healthstatus", {"animal_id": animal, "weight": "3"}), 422, "consult_id")


def test_a_health_status_needs_an_active_consult_and_an_active_animal(practice, api):
    animal = practice.animal()
    closed = practice.consult(animal)
    assert api.delete(f"/v1/consult/{closed}").status_code == 200
    with practice.unchanged():
        refused(api.post("/v1/healthstatus", {"consult_id": closed}), 422, "consult_id")
    open_consult = practice.consult(animal)
    status = health_status(practice, open_consult)
    with practice.unchanged():
        refused(api.patch(f"/v1/healthstatus/{status['id']}", {"consult_id": closed}), 422, "consult_id")
    assert api.delete(f"/v1/animal/{animal}").status_code == 200
    with practice.unchanged():
        reasons = refused(api.post("/v1/healthstatus", {"consult_id": open_consult}), 422, "animal_id")
    assert "not active" in reasons["animal_id"]


def test_a_health_status_weighs_in_pounds_unless_told(practice):
    assert health_status(practice, practice.consult(), weight_unit="lb")["weight_unit"] == "lb"
    taken = item(practice.api.post("/v1/healthstatus", {"consult_id": practice.consult(), "weight": "9"}),
                 "healthstatus")
    assert taken["weight_unit"] == "lb"


def physical_exam(practice: Practice, consult: int, animal: int, vet: Vet, **fields):
    return practice.api.post("/v1/physicalexam", {"consult_id": consult, "animal_id": animal, "vet_id": vet.user,
                                                  "comments": "Bright, alert", **fields})


def test_a_physical_exam_chain_is_its_body_system(practice, api):
    vet, animal = practice.vet(), practice.animal()
    consult = practice.consult(animal)
    exam = item(physical_exam(practice, consult, animal, vet, body_system="1", historical_record_id="0"),
                "physicalexam")
    assert (exam["body_system"], exam["chain"], exam["historical_record_id"]) == ("1", "|1|", "0")
    changed = item(api.patch(f"/v1/physicalexam/{exam['id']}", {"body_system": 4}), "physicalexam")
    assert changed["chain"] == "|4|"
    with practice.unchanged():
        refused(physical_exam(practice, consult, animal, vet, chain="|2|"), 422, "chain")
        refused(api.patch(f"/v1/physicalexam/{exam['id']}", {"chain": "|2|"}), 422, "chain")


def test_a_physical_exam_follows_an_earlier_exam_of_the_same_animal(practice, api):
    vet, animal, stranger = practice.vet(), practice.animal(), practice.animal()
    consult = practice.consult(animal)
    first = item(physical_exam(practice, consult, animal, vet), "physicalexam")
    second = item(physical_exam(practice, consult, animal, vet, historical_record_id=first["id"]), "physicalexam")
    assert second["historical_record_id"] == first["id"]
    theirs = item(physical_exam(practice, practice.consult(stranger), stranger, vet), "physicalexam")
    with practice.unchanged():
        refused(physical_exam(practice, consult, animal, vet, historical_record_id=theirs["id"]),
                422, "historical_record_id")
        refused(physical_exam(practice, consult, animal, vet, historical_record_id=10**12), 422, "historical_record_id")
        refused(api.patch(f"/v1/physicalexam/{second['id']}", {"historical_record_id": theirs["id"]}),
                422, "historical_record_id")


def test_a_physical_exam_refuses_a_consult_of_another_animal(practice, api):
    vet, animal = practice.vet(), practice.animal()
    consult = practice.consult()
    with practice.unchanged():
        refused(physical_exam(practice, consult, animal, vet), 422, "consult_id")


def test_a_physical_exam_is_made_by_a_vet(practice, api):
    animal, nurse = practice.animal(), Vet(practice.user("Nurse Mere", is_vet=False), 0)
    consult = practice.consult(animal)
    with practice.unchanged():
        refused(physical_exam(practice, consult, animal, nurse), 422, "vet_id")


# vaccinations --------------------------------------------------------------------------------------------


@pytest.fixture
def vaccine(practice) -> int:
    return practice.product()


def vaccination(practice: Practice, vaccine: int, animal: int, vet: int, **fields):
    return practice.api.post("/v1/vaccination", {"animal_id": animal, "vet_id": vet, "product_id": vaccine,
                                                 "description": "First vaccination.", **fields})


def test_a_vaccination_is_sold_by_the_vets_calendar_resource(practice, api, vaccine):
    vet, other_vet, animal = practice.vet(), practice.vet("Dr Tui"), practice.animal()
    given = item(vaccination(practice, vaccine, animal, vet.user, consult_id=practice.consult(animal)), "vaccination")
    assert given["sales_resource_id"] == str(vet.resource)
    moved = item(api.patch(f"/v1/vaccination/{given['id']}", {"vet_id": other_vet.user}), "vaccination")
    assert moved["sales_resource_id"] == str(other_vet.resource)
    without_calendar = practice.user("Dr Locum")
    assert item(api.patch(f"/v1/vaccination/{given['id']}", {"vet_id": without_calendar}),
                "vaccination")["sales_resource_id"] == ""
    with practice.unchanged():
        refused(vaccination(practice, vaccine, animal, vet.user, sales_resource_id=vet.resource),
                422, "sales_resource_id")


def test_a_vaccination_is_given_by_a_vet_only(practice, api, vaccine):
    vet, nurse, animal = practice.vet(), practice.user("Nurse Mere", is_vet=False), practice.animal()
    given = item(vaccination(practice, vaccine, animal, vet.user), "vaccination")
    with practice.unchanged():
        reasons = refused(vaccination(practice, vaccine, animal, nurse), 422, "vet_id")
        refused(api.patch(f"/v1/vaccination/{given['id']}", {"vet_id": nurse}), 422, "vet_id")
    assert "vet" in reasons["vet_id"]


def test_a_vaccination_may_have_no_consult_but_not_a_consult_of_another_animal(practice, api, vaccine):
    vet, animal = practice.vet(), practice.animal()
    walk_in = item(vaccination(practice, vaccine, animal, vet.user), "vaccination")
    assert walk_in["consult_id"] == "" and walk_in["animal_id"] == str(animal)
    others = practice.consult()
    with practice.unchanged():
        refused(vaccination(practice, vaccine, animal, vet.user, consult_id=others), 422, "consult_id")
        refused(api.patch(f"/v1/vaccination/{walk_in['id']}", {"consult_id": others}), 422, "consult_id")


# prescriptions -------------------------------------------------------------------------------------------


def prescribe(practice: Practice, animal: int, vet: Vet, **fields):
    return practice.api.post("/v1/prescription", {"animal_id": animal, "prescribing_vet_user_id": vet.user,
                                                  "date_of_prescription": BOOKED_DAY, **fields})


def test_a_prescription_is_for_the_animals_owner_by_default(practice):
    owner = practice.owner()
    prescription = item(prescribe(practice, practice.animal(owner), practice.vet()), "prescription")
    assert prescription["contact_id"] == str(owner)


def test_a_prescription_for_someone_else_than_the_owner_is_refused(practice, api):
    owner, carer, stranger = practice.owner(), practice.owner(first_name="Carer"), practice.owner(first_name="Eve")
    animal, vet = practice.animal(owner, residence_contact_id=carer), practice.vet()
    assert item(prescribe(practice, animal, vet, contact_id=carer), "prescription")["contact_id"] == str(carer)
    mine = item(prescribe(practice, animal, vet), "prescription")
    with practice.unchanged():
        refused(prescribe(practice, animal, vet, contact_id=stranger), 422, "contact_id")
        refused(api.patch(f"/v1/prescription/{mine['id']}", {
            "animal_id": animal, "prescribing_vet_user_id": vet.user, "contact_id": stranger}), 422, "contact_id")


def test_a_prescription_refuses_a_consult_of_another_animal(practice):
    animal, vet, consult = practice.animal(), practice.vet(), practice.consult()
    with practice.unchanged():
        refused(prescribe(practice, animal, vet, consult_id=consult), 422, "consult_id")


def test_a_prescription_patch_names_the_animal_and_the_prescriber(practice, api):
    mine = item(prescribe(practice, practice.animal(), practice.vet()), "prescription")
    with practice.unchanged():
        refused(api.patch(f"/v1/prescription/{mine['id']}", {"date_of_prescription": BOOKED_DAY + 60}),
                422, "animal_id", "prescribing_vet_user_id")


def test_items_in_a_prescription_may_leave_out_remaining_and_date_start(practice, api):
    medication = practice.product("Metacam", "Medication")
    prescription = item(prescribe(practice, practice.animal(), practice.vet(), prescription_item_list=[
        {"product_id": str(medication), "qty": "2"}, {"product_id": medication, "qty": 3, "remaining": 1,
                                                      "date_start": BOOKED_DAY + 86_400}]), "prescription")
    first, second = (item(api.get(f"/v1/prescriptionitem/{i}"), "prescriptionitem")
                     for i in prescription["prescription_item_list"])
    assert (first["qty"], first["remaining"], first["date_start"]) == ("2.0000", "0.0000", str(BOOKED_DAY))
    assert (second["remaining"], second["date_start"]) == ("1.0000", str(BOOKED_DAY + 86_400))


@pytest.mark.parametrize("missing", ["remaining", "date_start"])
def test_a_prescription_item_posted_alone_states_remaining_and_date_start(practice, api, missing):
    prescription = item(prescribe(practice, practice.animal(), practice.vet()), "prescription")
    body = {"prescription_id": prescription["id"], "product_id": practice.product("Metacam", "Medication"),
            "qty": "5", "remaining": "2", "date_start": BOOKED_DAY}
    del body[missing]
    with practice.unchanged():
        refused(api.post("/v1/prescriptionitem", body), 422, missing)


@pytest.mark.parametrize(("field", "value"), [("qty", "0"), ("qty", "-1"), ("remaining", "-1")])
def test_a_prescription_item_prescribes_something_and_no_negative_refills(practice, api, field, value):
    prescription = item(prescribe(practice, practice.animal(), practice.vet()), "prescription")
    body = {"prescription_id": prescription["id"], "product_id": practice.product("Metacam", "Medication"),
            "qty": "5", "remaining": "2", "date_start": BOOKED_DAY, field: value}
    with practice.unchanged():
        refused(api.post("/v1/prescriptionitem", body), 422, field)


def test_a_prescription_item_patch_sends_what_it_changes(practice, api):
    medication = practice.product("Metacam", "Medication")
    prescription = item(prescribe(practice, practice.animal(), practice.vet(), prescription_item_list=[
        {"product_id": medication, "qty": 2}]), "prescription")
    (item_id,) = prescription["prescription_item_list"]
    changed = item(api.patch(f"/v1/prescriptionitem/{item_id}", {"instructions": "With food"}), "prescriptionitem")
    assert changed["instructions"] == "With food" and changed["qty"] == "2.0000"


def test_v2_embeds_a_prescriptions_items(practice, api):
    vet, animal = practice.vet(), practice.animal()
    medication = practice.product("Metacam", "Medication")
    made = item(prescribe(practice, animal, vet, prescription_item_list=[
        {"product_id": medication, "qty": 2, "instructions": "Once a day"}]), "prescription")
    shown = item(api.get(f"/v2/prescription/{made['id']}"), "prescription")
    assert shown["uid"].startswith("prescription_")
    assert shown["animal_uid"] == practice.read("animal", animal)["uid"]
    assert shown["prescribing_vet_user_uid"] == practice.read("user", vet.user)["uid"]
    assert shown["sales_resource_id"] == vet.resource
    assert shown["prescription_item_list"] == [{
        "product_id": medication, "product_uid": practice.read("product", medication)["uid"], "start_date": BOOKED_DAY,
        "quantity": 2, "remaining": 0, "instructions": "Once a day",
        "id": shown["prescription_item_list"][0]["id"], "active": True,
        "created_at": shown["prescription_item_list"][0]["created_at"],
        "modified_at": shown["prescription_item_list"][0]["modified_at"]}]


@pytest.mark.both_databases  # JSON lists and uid subqueries are each database's own SQL
def test_prescriptions_are_found_by_their_animals_uid_on_v2(practice, api):
    vet, animal, other_animal = practice.vet(), practice.animal(), practice.animal()
    mine = [int(item(prescribe(practice, animal, vet), "prescription")["id"]) for _ in range(2)]
    theirs = int(item(prescribe(practice, other_animal, vet), "prescription")["id"])
    uids = [practice.read("animal", a)["uid"] for a in (animal, other_animal)]
    assert sorted(ids(api.get("/v2/prescription", params={"animal_uid": uids[0]}), "prescription")) == mine
    both = ids(api.get("/v2/prescription", params={"animal_uid": json.dumps({"in": uids})}), "prescription")
    assert sorted(both) == sorted([*mine, theirs])
    refused(api.get("/v2/prescription", params={"animal_uid": json.dumps({"neq": uids[0]})}), 400, "animal_uid")
    refused(api.get("/v2/prescription", params={"animal_uid": json.dumps({"like": "animal_%"})}), 400, "animal_uid")
    refused(api.get("/v1/prescription", params={"animal_uid": uids[0]}), 400, "animal_uid")  # v2's filter


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_prescriptions_are_found_by_their_prescribing_vet(practice, api, version):
    vet, other_vet, animal = practice.vet(), practice.vet("Dr Tui"), practice.animal()
    mine = int(item(prescribe(practice, animal, vet), "prescription")["id"])
    prescribe(practice, animal, other_vet)
    assert ids(api.get(f"/{version}/prescription?prescribing_vet_user={vet.user}"), "prescription") == [mine]
    refused(api.get(f"/{version}/prescription?prescribing_vet_user=Dr"), 400, "prescribing_vet_user")


# external prescriptions ----------------------------------------------------------------------------------


def line(reference: str = "PH-3", name: str = "Product 3", **fields) -> dict:
    return {"external_product_name": name, "external_product_reference": reference,
            "external_link": "https://pharmacy.example/rx/3", "instructions": "Use as directed", "price": 50.00,
            "qty": 1, "remaining": 12, **fields}


def external(practice: Practice, animal: int, vet: Vet, lines: list | None = None, **fields) -> dict:
    return {"animal_id": animal, "prescribing_vet_user_id": vet.user, "date_of_prescription": BOOKED_DAY,
            "date_of_lastdispense": BOOKED_DAY + 56, "external_reference": "abc123", "total_price": 20.00,
            "external_prescription_item_list": lines if lines is not None else [line()], **fields}


def prescribe_externally(practice: Practice, body: dict, api=None) -> str:
    response = (api or practice.api).post("/v1/externalprescription", body)
    assert response.status_code == 200, response.text
    (message,) = response.json()["messages"]
    return message["fields"]["prescription_uid"]


def prescription_of(practice: Practice, uid: str) -> dict:
    return item(practice.api.get("/v2/prescription", params={"uid": uid}), "prescription")


def test_an_external_prescription_answers_only_a_success_message_naming_its_prescription(practice, api):
    response = api.post("/v1/externalprescription", external(practice, practice.animal(), practice.vet()))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["items"] == []
    (message,) = body["messages"]
    assert (message["level"], message["type"], message["text"]) == ("info", "success", "Record created successfully.")
    assert list(message["fields"]) == ["prescription_uid"]
    assert message["fields"]["prescription_uid"].startswith("prescription_")


def test_an_external_prescription_is_a_prescription_of_the_clinic_with_its_items(practice, api):
    owner = practice.owner()
    animal, vet = practice.animal(owner), practice.vet()
    consult = practice.consult(animal)
    uid = prescribe_externally(practice, external(practice, animal, vet, consult_id=consult, contact_id=owner))
    v2 = prescription_of(practice, uid)
    assert (v2["animal_id"], v2["prescribing_vet_user_id"], v2["date_of_prescription"]) == (
        animal, vet.user, BOOKED_DAY)
    (line_item,) = v2["prescription_item_list"]
    assert (line_item["quantity"], line_item["remaining"], line_item["start_date"]) == (1, 12, BOOKED_DAY)
    assert line_item["instructions"] == "Use as directed"
    v1 = item(api.get(f"/v1/prescription/{v2['id']}"), "prescription")
    assert (v1["consult_id"], v1["contact_id"]) == (str(consult), str(owner))
    assert v1["prescription_item_list"] == [str(line_item["id"])]


def test_an_external_line_renames_the_product_of_its_reference_or_makes_one(practice, api):
    known = practice.product("Old name", "Medication", external_product_reference="PH-1")
    uid = prescribe_externally(practice, external(practice, practice.animal(), practice.vet(), [
        line("PH-1", "Rimadyl 50mg"), line("PH-2", "Apoquel 16mg")]))
    named = {i["product_id"]: i for i in prescription_of(practice, uid)["prescription_item_list"]}
    assert known in named and len(named) == 2
    assert item(api.get(f"/v1/product/{known}"), "product")["name"] == "Rimadyl 50mg"
    (made,) = set(named) - {known}
    product = item(api.get(f"/v1/product/{made}"), "product")
    assert (product["name"], product["type"], product["is_sold"]) == ("Apoquel 16mg", "Medication", "0")
    assert practice.read("product", made)["external_product_reference"] == "PH-2"
    again = prescribe_externally(practice, external(practice, practice.animal(), practice.vet(), [line("PH-2",
                                                                                                      "Apoquel")]))
    assert [i["product_id"] for i in prescription_of(practice, again)["prescription_item_list"]] == [made]


def test_an_external_prescription_patch_states_the_last_dispense_and_the_lines(practice, api):
    body = external(practice, practice.animal(), practice.vet())
    uid = prescribe_externally(practice, body)
    without_date = {**body, "prescription_uid": uid}
    del without_date["date_of_lastdispense"]
    without_lines = {**body, "prescription_uid": uid}
    del without_lines["external_prescription_item_list"]
    with practice.unchanged():
        refused(api.patch("/v1/externalprescription", without_date), 422, "date_of_lastdispense")
        refused(api.patch("/v1/externalprescription", without_lines), 422, "external_prescription_item_list")
        refused(api.patch("/v1/externalprescription", {**body, "prescription_uid": uid,
                                                       "external_prescription_item_list": []}),
                422, "external_prescription_item_list")


def test_an_external_prescription_patch_replaces_its_lines(practice, api):
    body = external(practice, practice.animal(), practice.vet(), [line("PH-1", "Rimadyl"), line("PH-2", "Apoquel")])
    uid = prescribe_externally(practice, body)
    old = [i["id"] for i in prescription_of(practice, uid)["prescription_item_list"]]
    response = api.patch("/v1/externalprescription", {**body, "prescription_uid": uid, "total_price": 35,
                                                      "external_prescription_item_list": [line("PH-9", "Simparica")]})
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []
    assert response.json()["messages"][0]["fields"] == {"prescription_uid": uid}
    assert response.json()["messages"][0]["text"] == "Record updated successfully."
    (new,) = prescription_of(practice, uid)["prescription_item_list"]
    assert new["id"] not in old and new["product_id"] == practice.named("product", "Simparica")
    for old_id in old:
        assert item(api.get(f"/v1/prescriptionitem/{old_id}"), "prescriptionitem")["active"] == "0"


def test_an_external_prescription_patch_changes_its_prescription(practice, api):
    owner = practice.owner()
    animal, vet, other_vet = practice.animal(owner), practice.vet(), practice.vet("Dr Tui")
    body = external(practice, animal, vet)
    uid = prescribe_externally(practice, body)
    consult = practice.consult(animal)
    response = api.patch("/v1/externalprescription", {**body, "prescription_uid": uid, "consult_id": consult,
                                                      "prescribing_vet_user_id": other_vet.user})
    assert response.status_code == 200, response.text
    changed = prescription_of(practice, uid)
    assert (changed["consult_id"], changed["prescribing_vet_user_id"]) == (consult, other_vet.user)
    assert changed["sales_resource_id"] == other_vet.resource


def test_deleting_an_external_prescription_deactivates_its_prescription_and_items(practice, api):
    uid = prescribe_externally(practice, external(practice, practice.animal(), practice.vet(), [line("A"),
                                                                                                  line("B")]))
    prescription = prescription_of(practice, uid)
    response = api.request("DELETE", "/v1/externalprescription", json={"prescription_uid": uid})
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []
    assert response.json()["messages"][0]["fields"] == {"prescription_uid": uid}
    assert response.json()["messages"][0]["text"] == "Record deactivated successfully."
    assert prescription_of(practice, uid)["active"] is False
    for line_item in prescription["prescription_item_list"]:
        assert item(api.get(f"/v1/prescriptionitem/{line_item['id']}"), "prescriptionitem")["active"] == "0"
    assert "prescription_disabled" in practice.events("prescription", prescription["id"])


def another_partner(api, engine) -> str:
    """A token of the same clinic through other credentials, as a second pharmacy would hold."""
    with engine.db.begin() as conn:
        theirs = credentials.create_ezyvet_credentials(conn, api.id, [])
    assert theirs["partner_id"] != api.ezyvet["partner_id"]
    response = api.client.post("/v1/oauth/access_token", data={**theirs, "grant_type": "client_credentials"})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def test_only_the_partner_that_made_an_external_prescription_may_change_it(practice, api, engine):
    body = external(practice, practice.animal(), practice.vet())
    uid = prescribe_externally(practice, body)
    token = another_partner(api, engine)
    headers = {"Authorization": f"Bearer {token}"}
    with practice.unchanged():
        patched = api.client.request("PATCH", "/v1/externalprescription", headers=headers,
                                     json={**body, "prescription_uid": uid, "total_price": 99})
        deleted = api.client.request("DELETE", "/v1/externalprescription", headers=headers,
                                     json={"prescription_uid": uid})
    for response in (patched, deleted):
        assert response.status_code == 403, response.text
        assert "another partner" in response.json()["messages"][0]["text"]
    mine = api.patch("/v1/externalprescription", {**body, "prescription_uid": uid, "total_price": 99})
    assert mine.status_code == 200, mine.text


def test_an_unknown_prescription_uid_is_not_found(practice, api):
    body = external(practice, practice.animal(), practice.vet())
    with practice.unchanged():
        response = api.patch("/v1/externalprescription", {**body, "prescription_uid": "prescription_nothing"})
        assert response.status_code == 404, response.text
        response = api.request("DELETE", "/v1/externalprescription", json={"prescription_uid": "prescription_nothing"})
        assert response.status_code == 404, response.text
        refused(api.request("DELETE", "/v1/externalprescription", json={}), 422, "prescription_uid")
        refused(api.patch("/v1/externalprescription", body), 422, "prescription_uid")


def test_an_external_prescriptions_consult_and_contact_belong_to_its_animal(practice, api):
    animal, vet = practice.animal(), practice.vet()
    others_consult, stranger = practice.consult(), practice.owner(first_name="Eve")
    with practice.unchanged():
        refused(api.post("/v1/externalprescription", external(practice, animal, vet, consult_id=others_consult)),
                422, "consult_id")
        refused(api.post("/v1/externalprescription", external(practice, animal, vet, contact_id=stranger)),
                422, "contact_id")
    uid = prescribe_externally(practice, external(practice, animal, vet))
    with practice.unchanged():
        refused(api.patch("/v1/externalprescription", {**external(practice, animal, vet, consult_id=others_consult),
                                                       "prescription_uid": uid}), 422, "consult_id")


def test_an_external_prescriber_is_a_vet(practice, api):
    animal, nurse = practice.animal(), Vet(practice.user("Nurse Mere", is_vet=False), 0)
    with practice.unchanged():
        refused(api.post("/v1/externalprescription", external(practice, animal, nurse)), 422, "prescribing_vet_user_id")


@pytest.mark.parametrize(("where", "field", "value"), [
    ("line", "price", -1), ("line", "qty", -1), ("prescription", "total_price", -0.01)])
def test_external_prices_and_quantities_are_not_negative(practice, api, where, field, value):
    animal, vet = practice.animal(), practice.vet()
    body = (external(practice, animal, vet, [line(**{field: value})]) if where == "line"
            else external(practice, animal, vet, **{field: value}))
    name = f"external_prescription_item_list[0].{field}" if where == "line" else field
    with practice.unchanged():
        refused(api.post("/v1/externalprescription", body), 422, name)


# procedures ----------------------------------------------------------------------------------------------


@pytest.mark.both_databases  # JSON lists and uid subqueries are each database's own SQL
def test_therapeutics_are_found_by_a_department_they_are_enabled_for(practice, api):
    separations = ids(api.get("/v1/separation?limit=200"), "separation")
    north, south = separations[0], separations[1]
    cruciate = practice.record("therapeutic", name="Cruciate repair", department_ids=[north])
    dental = practice.record("therapeutic", name="Dental extraction", department_ids=[south, north])
    scan = practice.record("therapeutic", name="CT scan", department_ids=[south])
    assert sorted(ids(api.get(f"/v1/therapeutic?department_ids={north}"), "therapeutic")) == [cruciate, dental]
    found = ids(api.get("/v1/therapeutic", params={"department_ids": json.dumps({"in": [south]})}), "therapeutic")
    assert sorted(found) == [dental, scan]
    assert item(api.get(f"/v1/therapeutic/{dental}"), "therapeutic")["department_ids"] == [str(south), str(north)]
    refused(api.get("/v1/therapeutic", params={"department_ids": json.dumps({"gte": north})}), 400, "department_ids")
    refused(api.get("/v1/therapeutic", params={"department_ids": "north"}), 400, "department_ids")
