"""Communications with clients: sent as the User of a calendar Resource, about the record they are directed at
unless they say otherwise, to a destination written as their ContactDetailType says, in typed JSON on v1
(L2568–L3047, decisions "Clinical and scheduling").

Every refusal is proven to change nothing: no row and no event of the clinic moves.
"""

from __future__ import annotations

import pytest

from practice import Practice, Vet, ids, item, items, refused


@pytest.fixture
def practice(api, engine) -> Practice:
    return Practice(api, engine)


def message(practice: Practice, vet: Vet, about: int, **fields) -> dict:
    """The document's own create sample (L2702), directed at a Contact."""
    return {"active": True, "associated_type": "Contact", "associated_id": about,
            "contact_detail_type_id": practice.named("contactdetailtype", "Email"), "destination": "demo@demo.com",
            "direction": "Outgoing", "content": "example content", "content_format": "PlainText", "status": "Done",
            "subject": "example subject", "user_resource": vet.resource, **fields}


def send(practice: Practice, vet: Vet, about: int, **fields) -> dict:
    return item(practice.api.post("/v1/communication", message(practice, vet, about, **fields)), "communication")


def test_a_communication_is_sent_as_the_user_of_its_resource_answered_whole(practice, api):
    vet, owner = practice.vet("Demo user"), practice.owner()
    sent = send(practice, vet, owner)
    user = sent["sent_as_user"]
    assert (user["id"], user["name"], user["is_vet"], user["active"]) == (vet.user, "Demo user", True, True)
    assert isinstance(user["created_at"], int) and "is_salesperson" in user and "code" in user
    assert "user_resource" not in sent  # write-only
    assert item(api.get(f"/v1/communication/{sent['id']}"), "communication")["sent_as_user"] == user


def test_a_patched_user_resource_changes_who_it_was_sent_as(practice, api):
    sent = send(practice, practice.vet(), practice.owner())
    other = practice.vet("Demo user 2")
    patched = item(api.patch(f"/v1/communication/{sent['id']}", {  # the document's own sample (L2856)
        "content": "New example content", "user_resource": other.resource}), "communication")
    assert (patched["sent_as_user"]["id"], patched["content"]) == (other.user, "New example content")


def test_a_facility_cannot_send_a_communication(practice, api):
    owner, room = practice.owner(), practice.room()
    sent = send(practice, practice.vet(), owner)
    body = message(practice, practice.vet(), owner, user_resource=room)
    with practice.unchanged():
        reasons = refused(api.post("/v1/communication", body), 422, "user_resource")
        refused(api.patch(f"/v1/communication/{sent['id']}", {"user_resource": room}), 422, "user_resource")
        refused(api.post("/v1/communication", {**body, "user_resource": 10**12}), 422, "user_resource")
    assert "not the Resource of a User" in reasons["user_resource"]


def test_sent_as_user_is_worked_out_not_written(practice, api):
    vet, owner = practice.vet(), practice.owner()
    body = message(practice, vet, owner, sent_as_user=vet.user)
    with practice.unchanged():
        refused(api.post("/v1/communication", body), 422, "sent_as_user")


def test_a_communication_is_about_the_record_it_is_directed_at_unless_it_says(practice, api):
    vet, owner = practice.vet(), practice.owner()
    plain = send(practice, vet, owner)
    assert (plain["communicating_type"], plain["communicating_id"]) == ("contact", owner)
    consult = practice.consult(practice.animal(owner))
    about = send(practice, vet, owner, communicating_type="Consult", communicating_id=consult)
    assert (about["associated_type"], about["associated_id"]) == ("contact", owner)
    assert (about["communicating_type"], about["communicating_id"]) == ("consult", consult)


@pytest.mark.parametrize("half", [{"communicating_type": "Consult"}, {"communicating_id": 5}])
def test_a_communicating_record_is_named_by_type_and_id_together(practice, api, half):
    body = message(practice, practice.vet(), practice.owner(), **half)
    with practice.unchanged():
        refused(api.post("/v1/communication", body), 422, "communicating_id")


def test_a_communicating_record_cannot_be_changed(practice, api):
    owner = practice.owner()
    sent = send(practice, practice.vet(), owner)
    with practice.unchanged():
        refused(api.patch(f"/v1/communication/{sent['id']}", {"communicating_type": "Animal"}), 422,
                "communicating_type")


def test_the_associated_type_reads_lower_case_and_is_written_in_any_case(practice, api):
    vet, owner = practice.vet(), practice.owner()
    animal = practice.animal(owner)
    by_title = send(practice, vet, animal, associated_type="Animal")
    by_name = send(practice, vet, animal, associated_type="animal")
    assert by_title["associated_type"] == by_name["associated_type"] == "animal"
    assert by_title["communicating_type"] == "animal"
    found = ids(api.get(f"/v1/communication?associated_type=Animal&associated_id={animal}"), "communication")
    assert sorted(found) == sorted([by_title["id"], by_name["id"]])
    assert ids(api.get("/v1/communication?associated_type=animal"), "communication") == sorted(found)


def test_a_missing_associated_record_is_refused(practice, api, other):
    vet = practice.vet()
    theirs = Practice(other, practice.engine).owner()
    animal = practice.animal()
    with practice.unchanged():
        reasons = refused(api.post("/v1/communication", message(practice, vet, 10**12)), 422, "associated_id")
        refused(api.post("/v1/communication", message(practice, vet, theirs)), 422, "associated_id")
        refused(api.post("/v1/communication", message(practice, vet, animal, associated_type="Consult")), 422,
                "associated_id")  # an animal's id is not a consult's
        refused(api.post("/v1/communication", message(practice, vet, animal, associated_type="Invoice")), 422,
                "associated_type")
    assert "does not exist" in reasons["associated_id"]


@pytest.mark.parametrize(("kind", "good", "bad"), [
    ("Email", "demo@demo.com", "demo at demo.com"), ("Email", "ruth@vets.example.nz", "021 555 0199"),
    ("Mobile", "+64 21 555 0199", "demo@demo.com"), ("Mobile", "(09) 555-0199", "call me"),
    ("Fax", "09 555 0100", "fax"), ("Home", "09 555 0100", "x")])
def test_a_destination_looks_like_its_contact_detail_type(practice, api, kind, good, bad):
    vet, owner = practice.vet(), practice.owner()
    kind_id = practice.named("contactdetailtype", kind)
    assert send(practice, vet, owner, contact_detail_type_id=kind_id, destination=good)["destination"] == good
    body = message(practice, vet, owner, contact_detail_type_id=kind_id, destination=bad)
    with practice.unchanged():
        reasons = refused(api.post("/v1/communication", body), 422, "destination")
    assert kind in reasons["destination"]


def test_a_patch_keeps_the_destination_and_its_type_agreeing(practice, api):
    sent = send(practice, practice.vet(), practice.owner())  # Email, demo@demo.com
    mobile = practice.named("contactdetailtype", "Mobile")
    with practice.unchanged():
        refused(api.patch(f"/v1/communication/{sent['id']}", {"destination": "0215550199"}), 422, "destination")
        refused(api.patch(f"/v1/communication/{sent['id']}", {"contact_detail_type_id": mobile}), 422, "destination")
    moved = item(api.patch(f"/v1/communication/{sent['id']}", {"contact_detail_type_id": mobile,
                                                               "destination": "021 555 0199"}), "communication")
    assert (moved["contact_detail_type_id"], moved["destination"]) == (mobile, "021 555 0199")


@pytest.mark.parametrize(("field", "value"), [
    ("status", "Sent"), ("status", "Delivered"), ("content_format", "Markdown"), ("content_format", "Text"),
    ("direction", "Inbound")])
def test_statuses_formats_and_directions_are_the_documented_ones(practice, api, field, value):
    owner = practice.owner()
    sent = send(practice, practice.vet(), owner)
    body = message(practice, practice.vet(), owner, **{field: value})
    with practice.unchanged():
        refused(api.post("/v1/communication", body), 422, field)
        refused(api.patch(f"/v1/communication/{sent['id']}", {field: value}), 422, field)


@pytest.mark.parametrize(("field", "values"), [
    ("status", ["Pending", "Done", "Sending", "Failed"]), ("content_format", ["SMS", "PlainText", "HTML"]),
    ("direction", ["Outgoing", "Incoming"])])
def test_every_documented_status_format_and_direction_is_taken(practice, field, values):
    vet, owner = practice.vet(), practice.owner()
    assert [send(practice, vet, owner, **{field: v})[field] for v in values] == values


def test_a_communication_is_typed_json_on_v1(practice, api):
    sent = send(practice, practice.vet(), practice.owner())
    for record in (sent, items(api.get("/v1/communication"), "communication")[0]):
        assert isinstance(record["id"], int) and record["active"] is True
        assert isinstance(record["created_at"], int) and isinstance(record["associated_id"], int)
        assert isinstance(record["contact_detail_type_id"], int)
        assert record["template"] is None and record["read_at"] is None
    assert api.get("/v1/communication").json()["meta"]["items_total"] == "1"  # the meta stays v1's


def test_a_communication_subject_defaults_to_empty(practice, api):
    body = message(practice, practice.vet(), practice.owner())
    del body["subject"]
    assert item(api.post("/v1/communication", body), "communication")["subject"] == ""


def test_a_communication_delete_answers_the_record(practice, api):
    sent = send(practice, practice.vet(), practice.owner())
    response = api.delete(f"/v1/communication/{sent['id']}")
    deleted = item(response, "communication")
    assert deleted["id"] == sent["id"] and deleted["active"] is False
    assert response.json()["meta"]["items_processed"] == "1"
