"""The calendar: appointments book a SalesResource and Resources, name who their type needs, are cancelled with
a reason and kept; v1 and v2 read the same appointments; calendar resources are found by the uids they name
(L1084–L1507, L11986, decisions "Clinical and scheduling").

Every refusal is proven to change nothing: no row and no event of the clinic moves.
"""

from __future__ import annotations

import json

import pytest

from practice import BOOKED_DAY, Practice, ids, item, items, refused

HOUR = 3600
DAY = 86_400


@pytest.fixture
def practice(api, engine) -> Practice:
    return Practice(api, engine)


def booking(practice: Practice, kind: str = "Consultation", **fields) -> dict:
    """A v2 create body: a quarter of an hour on the booked day, Confirmed, with a vet as SalesResource."""
    body = {"start_at": BOOKED_DAY + 9 * HOUR, "duration": 900, "type_id": practice.named("appointmenttype", kind),
            "status_id": practice.named("appointmentstatus", "Confirmed")}
    if "sales_resource" not in fields:
        body["sales_resource"] = practice.vet().resource
    return {**body, **fields}


def book(practice: Practice, kind: str = "Consultation", **fields) -> dict:
    if kind in ("Consultation", "Surgery") and "animal_id" not in fields and "consult_id" not in fields:
        fields["animal_id"] = practice.animal()
    return item(practice.api.post("/v2/appointment", booking(practice, kind, **fields)), "appointment")


def patch(practice: Practice, appointment: dict, **fields):
    """A v2 PATCH sending the status the appointment has, as every v2 PATCH must (L1480)."""
    body = {"status_id": appointment["status_id"], **fields}
    return practice.api.patch(f"/v2/appointment/{appointment['id']}", body)


# what an appointment books -------------------------------------------------------------------------------


def test_resources_read_back_with_the_sales_resource_first(practice, api):
    vet, room, nurse = practice.vet(), practice.room(), practice.vet("Nurse Aroha")
    created = book(practice, resources=[room, nurse.resource], sales_resource=vet.resource)
    assert created["sales_resource"] == vet.resource
    assert created["resources"] == [{"id": vet.resource}, {"id": room}, {"id": nurse.resource}]
    assert item(api.get(f"/v2/appointment/{created['id']}"), "appointment")["resources"] == created["resources"]


def test_a_sales_resource_also_listed_among_the_resources_is_booked_once(practice):
    vet, room = practice.vet(), practice.room()
    created = book(practice, resources=[room, vet.resource, room], sales_resource=vet.resource)
    assert created["resources"] == [{"id": vet.resource}, {"id": room}]


def test_an_appointment_without_a_sales_resource_is_refused(practice, api):
    body = booking(practice, animal_id=practice.animal(), resources=[practice.room()])
    del body["sales_resource"]
    with practice.unchanged():
        refused(api.post("/v2/appointment", body), 422, "sales_resource")
    body["sales_resource"] = None
    with practice.unchanged():
        refused(api.post("/v2/appointment", body), 422, "sales_resource")


def test_an_appointment_booking_a_resource_that_does_not_exist_is_refused(practice, api, other):
    elsewhere = Practice(other, practice.engine).room()
    body = booking(practice, animal_id=practice.animal(), resources=[practice.room(), elsewhere])
    with practice.unchanged():
        reasons = refused(api.post("/v2/appointment", body), 422, "resources")
    assert str(elsewhere) in reasons["resources"]


@pytest.mark.parametrize("duration", [0, -900, 7 * DAY + 1])
def test_a_duration_out_of_bounds_is_refused(practice, api, duration):
    body = booking(practice, animal_id=practice.animal(), duration=duration)
    with practice.unchanged():
        refused(api.post("/v2/appointment", body), 422, "duration")


def test_a_duration_of_a_second_to_a_week_is_booked(practice):
    assert book(practice, duration=1)["duration"] == 1
    assert book(practice, duration=7 * DAY)["duration"] == 7 * DAY


def test_a_patch_to_a_duration_out_of_bounds_changes_nothing(practice):
    appointment = book(practice)
    with practice.unchanged():
        refused(patch(practice, appointment, duration=0), 422, "duration")


# who an appointment is for -------------------------------------------------------------------------------


def test_a_consultation_needs_an_animal_and_a_contact(practice, api):
    nobody, owner_only = booking(practice), booking(practice, contact_id=practice.owner())
    with practice.unchanged():
        refused(api.post("/v2/appointment", nobody), 422, "animal_id", "contact_id")
        refused(api.post("/v2/appointment", owner_only), 422, "animal_id")


def test_a_phone_call_needs_a_contact_and_no_animal(practice, api):
    body = booking(practice, "Phone Call")
    with practice.unchanged():
        reasons = refused(api.post("/v2/appointment", body), 422, "contact_id")
    assert "animal_id" not in reasons
    owner = practice.owner()
    created = book(practice, "Phone Call", contact_id=owner)
    assert created["contact_id"] == owner and created["animal_id"] is None


def test_a_staff_meeting_needs_neither_animal_nor_contact(practice):
    created = book(practice, "Staff Meeting", resources=[practice.room()])
    assert created["animal_id"] is None and created["contact_id"] is None


@pytest.mark.parametrize("kind", ["Consultation", "Staff Meeting"])
def test_an_animal_without_a_contact_brings_its_owner(practice, kind):
    owner = practice.owner()
    created = book(practice, kind, animal_id=practice.animal(owner))
    assert created["contact_id"] == owner


def test_a_contact_who_is_not_the_animals_owner_is_refused(practice, api):
    animal, stranger = practice.animal(), practice.owner(first_name="Stranger")
    body = booking(practice, animal_id=animal, contact_id=stranger)
    with practice.unchanged():
        reasons = refused(api.post("/v2/appointment", body), 422, "contact_id")
    assert str(animal) in reasons["contact_id"]


def test_the_animals_carer_may_be_the_contact(practice, api):
    owner, carer = practice.owner(), practice.owner(first_name="Carer")
    animal = practice.animal(owner, residence_contact_id=carer)
    assert book(practice, animal_id=animal, contact_id=carer)["contact_id"] == carer


def test_a_consult_takes_its_animal_and_the_animals_owner(practice):
    owner = practice.owner()
    animal = practice.animal(owner)
    created = book(practice, consult_id=practice.consult(animal))
    assert (created["animal_id"], created["contact_id"]) == (animal, owner)


def test_a_consult_of_another_animal_is_refused(practice, api):
    consult = practice.consult(practice.animal())
    body = booking(practice, animal_id=practice.animal(), consult_id=consult)
    with practice.unchanged():
        refused(api.post("/v2/appointment", body), 422, "consult_id")


def test_a_patch_to_another_owners_animal_is_refused(practice):
    appointment, animal = book(practice), practice.animal()
    with practice.unchanged():
        refused(patch(practice, appointment, animal_id=animal), 422, "contact_id")


def test_a_patch_to_a_type_that_needs_an_animal_is_refused_without_one(practice):
    appointment = book(practice, "Phone Call", contact_id=practice.owner())
    surgery = practice.named("appointmenttype", "Surgery")
    with practice.unchanged():
        refused(patch(practice, appointment, type_id=surgery), 422, "animal_id")


# rescheduling and cancelling (v2 PATCH) ------------------------------------------------------------------


def test_every_patch_sends_status_id(practice, api):
    appointment = book(practice)
    with practice.unchanged():
        refused(api.patch(f"/v2/appointment/{appointment['id']}", {"description": "Limping"}), 422, "status_id")
        refused(api.patch(f"/v2/appointment/{appointment['id']}", {"status_id": None}), 422, "status_id")
    status = practice.named("appointmentstatus", "In Waiting Room")
    changed = item(api.patch(f"/v2/appointment/{appointment['id']}", {"status_id": status}), "appointment")
    assert changed["status_id"] == status


def test_a_patch_reschedules_and_rebooks(practice):
    appointment = book(practice, resources=[practice.room()])
    vet, room = practice.vet("Dr Hemi"), practice.room("Surgery 2")
    changed = item(patch(practice, appointment, start_at=BOOKED_DAY + 14 * HOUR, duration=1800,
                         sales_resource=vet.resource, resources=[room]), "appointment")
    assert (changed["start_at"], changed["duration"]) == (BOOKED_DAY + 14 * HOUR, 1800)
    assert changed["sales_resource"] == vet.resource
    assert changed["resources"] == [{"id": vet.resource}, {"id": room}]


def test_cancel_sets_the_cancelled_status_whatever_status_id_says_and_keeps_the_appointment(practice, api):
    appointment = book(practice)
    confirmed = practice.named("appointmentstatus", "Confirmed")
    cancelled = item(api.patch(f"/v2/appointment/{appointment['id']}", {
        "status_id": confirmed, "cancel": True, "cancellation_reason_text": "Test cancellation",
        "cancellation_reason": 0}), "appointment")  # the document's own sample (L1408)
    assert cancelled["status_id"] == practice.named("appointmentstatus", "Cancelled")
    assert cancelled["active"] is True
    assert cancelled["cancellation_reason"] is None
    assert cancelled["cancellation_reason_text"] == "Test cancellation"
    assert "cancel" not in cancelled
    assert item(api.get(f"/v2/appointment/{appointment['id']}"), "appointment") == cancelled


def test_cancel_with_a_reason_of_the_clinics_list(practice, api):
    appointment = book(practice)
    reason = practice.named("appointmentcancellationreason", "Client cancelled")
    cancelled = item(patch(practice, appointment, cancel=True, cancellation_reason=reason), "appointment")
    assert cancelled["cancellation_reason"] == reason
    assert cancelled["status_id"] == practice.named("appointmentstatus", "Cancelled")


@pytest.mark.parametrize("reason", [{}, {"cancellation_reason": 0}, {"cancellation_reason_text": "  "},
                                    {"cancellation_reason": None, "cancellation_reason_text": ""}])
def test_cancel_without_a_reason_is_refused(practice, reason):
    appointment = book(practice)
    with practice.unchanged():
        refused(patch(practice, appointment, cancel=True, **reason), 422, "cancellation_reason")


def test_a_reason_without_cancel_is_refused_on_an_appointment_not_cancelled(practice):
    appointment = book(practice)
    reason = practice.named("appointmentcancellationreason", "Rescheduled")
    with practice.unchanged():
        refused(patch(practice, appointment, cancellation_reason=reason), 422, "cancellation_reason")
        refused(patch(practice, appointment, cancellation_reason_text="Rescheduled"), 422, "cancellation_reason")
        refused(patch(practice, appointment, cancel=False, cancellation_reason=reason), 422, "cancellation_reason")


def test_the_reason_of_a_cancelled_appointment_may_be_corrected(practice):
    appointment = item(patch(practice, book(practice), cancel=True, cancellation_reason_text="Owner away"),
                       "appointment")
    reason = practice.named("appointmentcancellationreason", "Client did not attend")
    corrected = item(patch(practice, appointment, cancellation_reason=reason), "appointment")
    assert corrected["cancellation_reason"] == reason


def test_a_reason_of_another_clinic_is_refused(practice, api, other):
    appointment = book(practice)
    theirs = Practice(other, practice.engine).named("appointmentcancellationreason", "Rescheduled")
    with practice.unchanged():
        refused(patch(practice, appointment, cancel=True, cancellation_reason=theirs), 422, "cancellation_reason")


def test_cancel_cannot_be_sent_on_create(practice, api):
    body = booking(practice, animal_id=practice.animal(), cancel=True, cancellation_reason_text="No")
    with practice.unchanged():
        refused(api.post("/v2/appointment", body), 422, "cancel", "cancellation_reason_text")


def test_the_clinics_cancellation_reasons_are_listed_on_v2(api, other):
    reasons = items(api.get("/v2/appointmentcancellationreason?limit=200"), "appointmentcancellationreason")
    assert [r["name"] for r in reasons] == ["Client cancelled", "Client did not attend", "Rescheduled",
                                            "Clinic cancelled", "Patient deceased", "Other"]
    assert all(isinstance(r["id"], int) for r in reasons)
    theirs = ids(other.get("/v2/appointmentcancellationreason"), "appointmentcancellationreason")
    assert not set(theirs) & {r["id"] for r in reasons}
    assert api.get("/v1/appointmentcancellationreason").status_code == 403  # an extension of v2 only


# reading the calendar ------------------------------------------------------------------------------------


def test_v1_and_v2_list_the_same_appointments(practice, api):
    owner = practice.owner()
    animal = practice.animal(owner)
    room = practice.room()
    first = book(practice, animal_id=animal, resources=[room], description="Annual check")
    second = book(practice, "Phone Call", contact_id=owner, start_at=BOOKED_DAY + 10 * HOUR)
    v2 = {a["id"]: a for a in items(api.get("/v2/appointment?limit=200"), "appointment")}
    v1 = {int(a["id"]): a for a in items(api.get("/v1/appointment?limit=200"), "appointment")}
    assert set(v1) == set(v2) == {first["id"], second["id"]}
    one = v1[first["id"]]
    assert one["start_time"] == str(first["start_at"]) and one["duration"] == "900"
    assert one["details"] == {
        "appointment_type_id": str(first["type_id"]), "appointment_status_id": str(first["status_id"]),
        "description": "Annual check", "animal_id": str(animal), "consult_id": "", "contact_id": str(owner),
        "resource_list": [str(first["sales_resource"]), str(room)]}
    assert (one["recurrence_number"], one["recurrence_interval"], one["recurrence_end_time"]) == ("0", "0", "0")
    assert "start_at" not in one and "sales_resource" not in one
    assert item(api.get(f"/v1/appointment/{first['id']}"), "appointment") == one


def test_v1_lists_a_time_range(practice, api):
    times = [BOOKED_DAY + h * HOUR for h in (8, 9, 10, 11)]
    made = [book(practice, "Staff Meeting", start_at=t)["id"] for t in times]
    found = ids(api.get(f"/v1/appointment?time_range_start={times[1]}&time_range_end={times[2]}"), "appointment")
    assert sorted(found) == made[1:3]  # both ends included
    assert sorted(ids(api.get(f"/v1/appointment?time_range_start={times[3]}"), "appointment")) == made[3:]
    refused(api.get("/v1/appointment?time_range_start="), 400, "time_range_start")
    refused(api.get("/v1/appointment?time_range_end=soon"), 400, "time_range_end")


@pytest.mark.both_databases  # JSON lists and uid subqueries are each database's own SQL
def test_the_calendar_query_answers_exactly_that_days_appointments(practice, api):
    day = BOOKED_DAY
    times = {"eve": day - 1, "midnight": day, "noon": day + 12 * HOUR, "last": day + DAY - 1, "next": day + DAY}
    made = {name: book(practice, "Staff Meeting", start_at=t)["id"] for name, t in times.items()}
    window = json.dumps({"gte": day, "lt": day + DAY})
    response = api.get("/v2/appointment", params={"start_at": window, "limit": "200"})
    assert sorted(ids(response, "appointment")) == sorted(made[n] for n in ("midnight", "noon", "last"))
    assert response.json()["meta"]["items_total"] == 3


@pytest.mark.both_databases  # JSON lists and uid subqueries are each database's own SQL
def test_appointments_are_found_by_a_resource_they_book(practice, api):
    room, surgery = practice.room(), practice.room("Surgery 3")
    in_room = book(practice, "Staff Meeting", resources=[room])["id"]
    in_surgery = book(practice, "Staff Meeting", resources=[surgery])["id"]
    both = book(practice, "Staff Meeting", resources=[surgery, room])["id"]
    book(practice, "Staff Meeting")
    assert sorted(ids(api.get(f"/v2/appointment?resources={room}"), "appointment")) == [in_room, both]
    found = ids(api.get("/v2/appointment", params={"resources": json.dumps({"in": [room, surgery]})}), "appointment")
    assert sorted(found) == [in_room, in_surgery, both]
    vet = item(api.get(f"/v2/appointment/{in_room}"), "appointment")["sales_resource"]
    assert ids(api.get(f"/v2/appointment?resources={vet}"), "appointment") == [in_room]  # the SalesResource too
    assert sorted(ids(api.get(f"/v1/appointment?resource_list={room}"), "appointment")) == [in_room, both]


@pytest.mark.parametrize("comparator", ['{"gt": 1}', '{"neq": 1}', '{"like": "1%"}', '{"lte": 5}'])
def test_a_list_of_links_is_filtered_by_eq_and_in_only(api, comparator):
    refused(api.get("/v2/appointment", params={"resources": comparator}), 400, "resources")


@pytest.mark.parametrize("value", ["0", "-3", "room", '{"in": "3"}', '{"in": [1, "x"]}'])
def test_a_list_of_links_filter_takes_record_ids(api, value):
    refused(api.get("/v2/appointment", params={"resources": value}), 400, "resources")


# calendar resources, by the uids they name ---------------------------------------------------------------


@pytest.mark.both_databases  # JSON lists and uid subqueries are each database's own SQL
def test_calendar_resources_are_found_by_their_users_uid(practice, api):
    vet, other_vet = practice.vet(), practice.vet("Dr Tane")
    practice.room()
    uid = practice.read("user", vet.user)["uid"]
    assert ids(api.get("/v2/resource", params={"associated_uid": uid}), "resource") == [vet.resource]
    both = [uid, practice.read("user", other_vet.user)["uid"]]
    found = ids(api.get("/v2/resource", params={"associated_uid": json.dumps({"in": both})}), "resource")
    assert sorted(found) == [vet.resource, other_vet.resource]
    assert ids(api.get("/v2/resource", params={"associated_uid": "user_nobody"}), "resource") == []
    shown = item(api.get(f"/v2/resource/{vet.resource}"), "resource")
    assert (shown["associated_type"], shown["associated_id"], shown["associated_uid"]) == ("user", vet.user, uid)


@pytest.mark.both_databases  # JSON lists and uid subqueries are each database's own SQL
def test_calendar_resources_are_found_by_their_ownerships_uid(practice, api, engine):
    separation = items(api.get("/v2/separation?limit=1"), "separation")[0]
    owned = practice.record("resource", name="Mobile Clinic", type="facility", ownership_id=separation["id"])
    practice.room()
    found = ids(api.get("/v2/resource", params={"ownership_uid": separation["uid"]}), "resource")
    assert found == [owned]
    assert item(api.get(f"/v2/resource/{owned}"), "resource")["ownership_uid"] == separation["uid"]


@pytest.mark.both_databases  # JSON lists and uid subqueries are each database's own SQL
def test_a_uid_of_another_clinic_finds_nothing(practice, api, other):
    theirs = Practice(other, practice.engine).vet()
    uid = Practice(other, practice.engine).read("user", theirs.user)["uid"]
    assert ids(api.get("/v2/resource", params={"associated_uid": uid}), "resource") == []


@pytest.mark.parametrize("comparator", ['{"neq": "user_x"}', '{"like": "user%"}', '{"gt": "a"}'])
def test_a_uid_filter_takes_eq_and_in_only(api, comparator):
    refused(api.get("/v2/resource", params={"associated_uid": comparator}), 400, "associated_uid")
    refused(api.get("/v2/resource", params={"ownership_uid": comparator}), 400, "ownership_uid")


@pytest.mark.parametrize("value", ['{"eq": 5}', '{"in": [5]}', '{"in": "user_x"}', "   "])
def test_a_uid_filter_takes_text(api, value):
    refused(api.get("/v2/resource", params={"associated_uid": value}), 400, "associated_uid")
