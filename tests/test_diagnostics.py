"""The lab: requests take their animal and contact from their consult and name the diagnostics asked for in three
ways; results take what they do not say from their request and list their items (L5207, L4613, L5045,
decisions "Clinical and scheduling", "The engine grown").

Every refusal is proven to change nothing: no row and no event of the clinic moves.
"""

from __future__ import annotations

import pytest

from practice import Practice, ids, item, items, refused


@pytest.fixture
def practice(api, engine) -> Practice:
    return Practice(api, engine)


class Lab:
    """What a test of the lab needs: an owner, their animal and its consult, a vet, a supplier, and the
    diagnostics the clinic can order (each billed by its own product)."""

    def __init__(self, practice: Practice):
        self.practice = practice
        self.owner = practice.owner()
        self.animal = practice.animal(self.owner)
        self.vet = practice.vet()
        self.consult = practice.consult(self.animal, self.vet)
        self.supplier = practice.owner(last_name="IDEXX", is_supplier=True)
        self.bile_product = practice.product("Bile Acids", "Integrated Diagnostic")
        self.bile_acids = practice.record("integrateddiagnostic", name="Bile Acids", code="HEI-1",
                                          product_id=self.bile_product)
        self.b12_product = practice.product("B12/Folate", "Diagnostic")
        self.b12 = practice.record("diagnostic", name="B12/Folate", code="B12", product_id=self.b12_product)

    def request(self, **fields) -> dict:
        body = {"consult_id": self.consult, "vet_id": self.vet.user, "status": "Created",
                "specifics": "Made by APIUSER", "supplier_id": self.supplier,
                "diagnostic_list": [{"diagnostic_id": self.b12, "diagnostic_class": "Diagnostic"}], **fields}
        return item(self.practice.api.post("/v1/diagnosticrequest", body), "diagnosticrequest")


@pytest.fixture
def lab(practice) -> Lab:
    return Lab(practice)


# requests ------------------------------------------------------------------------------------------------


def test_a_request_is_for_its_consults_animal_and_its_owner(lab):
    request = lab.request()
    assert (request["consult_id"], request["animal_id"], request["contact_id"]) == (lab.consult, lab.animal,
                                                                                     lab.owner)


@pytest.mark.parametrize("field", ["animal_id", "contact_id", "reference_number", "timestamp"])
def test_what_a_request_takes_from_the_clinic_cannot_be_written(lab, practice, api, field):
    request = lab.request()
    body = {"consult_id": lab.consult, "vet_id": lab.vet.user, field: request[field]}
    with practice.unchanged():
        refused(api.post("/v1/diagnosticrequest", body), 422, field)
        refused(api.patch(f"/v1/diagnosticrequest/{request['id']}", {field: request[field]}), 422, field)


@pytest.mark.parametrize("field", ["consult_id", "supplier_id", "ownership_id"])
def test_a_request_keeps_its_consult_supplier_and_ownership(lab, practice, api, field):
    request = lab.request()
    other = {"consult_id": practice.consult(lab.animal), "supplier_id": practice.owner(is_supplier=True),
             "ownership_id": ids(api.get("/v1/separation?limit=1"), "separation")[0]}[field]
    with practice.unchanged():  # not in the PATCH table (L5475)
        refused(api.patch(f"/v1/diagnosticrequest/{request['id']}", {field: other}), 422, field)


def test_a_request_reference_is_given_by_the_clinic(lab, api):
    first, second = lab.request(), lab.request()
    assert first["reference_number"] == f"OV{api.id}-DR{first['id']}"
    assert second["reference_number"] == f"OV{api.id}-DR{second['id']}"
    found = ids(api.get(f"/v1/diagnosticrequest?reference_number={first['reference_number']}"), "diagnosticrequest")
    assert found == [first["id"]]


def test_a_diagnostic_is_named_in_three_ways(lab):
    request = lab.request(diagnostic_list=[  # the document's own sample (L5316)
        {"diagnostic_id": lab.bile_acids, "diagnostic_class": "IntegratedDiagnostic"},
        {"product_id": lab.bile_product},
        {"diagnostic_id": lab.bile_acids, "product_id": lab.bile_product},
        {"product_id": lab.b12_product}])
    named = [(i["diagnostic_id"], i["diagnostic_class"], i["name"], i["code"]) for i in request["diagnostic_list"]]
    assert named == [(lab.bile_acids, "IntegratedDiagnostic", "Bile Acids", "HEI-1")] * 3 + [
        (lab.b12, "Diagnostic", "B12/Folate", "B12")]
    assert all("product_id" not in i for i in request["diagnostic_list"])  # write-only


def test_an_id_and_a_product_name_the_diagnostic_that_product_bills(lab, practice):
    """A Diagnostic and an IntegratedDiagnostic may have the same id (each kind counts its own)."""
    unbilled = practice.record("diagnostic", name="Cytology", code="CYT")
    billed = lab.bile_acids
    while unbilled != billed:  # bring the two kinds' ids together
        if unbilled < billed:
            unbilled = practice.record("diagnostic", name="Cytology", code="CYT")
        else:
            billed = practice.record("integrateddiagnostic", name="Bile Acids", code="HEI-1",
                                     product_id=lab.bile_product)
    (named,) = lab.request(diagnostic_list=[{"diagnostic_id": billed, "product_id": lab.bile_product}])[
        "diagnostic_list"]
    assert (named["diagnostic_id"], named["diagnostic_class"], named["code"]) == (billed, "IntegratedDiagnostic",
                                                                                  "HEI-1")


def a_diagnostic_that_is_no_integrated_diagnostics_id(lab: Lab) -> int:
    """Diagnostics and IntegratedDiagnostics count their ids apart: find a Diagnostic whose id no
    IntegratedDiagnostic of the clinic has."""
    made = lab.b12
    while made == lab.bile_acids:
        made = lab.practice.record("diagnostic", name="Haematology", code="HAEM")
    return made


@pytest.mark.parametrize(("name", "where"), [
    ("nothing", "diagnostic_id"), ("unknown diagnostic", "diagnostic_id"), ("product billing none", "product_id"),
    ("diagnostic of another product", "diagnostic_id"), ("wrong class", "diagnostic_id")])
def test_an_item_naming_no_diagnostic_of_the_clinic_is_refused(lab, practice, api, name, where):
    plain = practice.product("Lead", "Standard")
    body = {
        "nothing": {},
        "unknown diagnostic": {"diagnostic_id": 10**12, "diagnostic_class": "Diagnostic"},
        "product billing none": {"product_id": plain},
        "diagnostic of another product": {"diagnostic_id": lab.bile_acids, "product_id": plain},
        "wrong class": {"diagnostic_id": a_diagnostic_that_is_no_integrated_diagnostics_id(lab),
                        "diagnostic_class": "IntegratedDiagnostic"},
    }[name]
    with practice.unchanged():
        refused(api.post("/v1/diagnosticrequest", {"consult_id": lab.consult, "vet_id": lab.vet.user,
                                                   "diagnostic_list": [body]}), 422, f"diagnostic_list[0].{where}")


def test_a_patched_diagnostic_list_is_the_new_set(lab, api):
    request = lab.request(diagnostic_list=[{"product_id": lab.b12_product}, {"product_id": lab.bile_product}])
    kept, dropped = (i["id"] for i in request["diagnostic_list"])
    patched = item(api.patch(f"/v1/diagnosticrequest/{request['id']}", {  # the document's own sample (L5440)
        "vet_id": lab.vet.user, "specifics": "This request has been updated", "status": "Updated", "active": 1,
        "diagnostic_list": [{"diagnostic_id": lab.bile_acids, "diagnostic_class": "IntegratedDiagnostic"},
                            {"id": kept}]}), "diagnosticrequest")
    listed = {i["id"]: i["diagnostic_id"] for i in patched["diagnostic_list"]}
    assert kept in listed and dropped not in listed and len(listed) == 2
    assert sorted(listed.values()) == sorted([lab.b12, lab.bile_acids])
    assert (patched["status"], patched["specifics"]) == ("Updated", "This request has been updated")
    assert item(api.get(f"/v1/diagnosticrequest/{request['id']}"), "diagnosticrequest") == patched


def test_an_item_of_another_request_cannot_be_kept(lab, practice, api):
    theirs = lab.request()["diagnostic_list"][0]["id"]
    mine = lab.request()
    with practice.unchanged():
        refused(api.patch(f"/v1/diagnosticrequest/{mine['id']}", {"diagnostic_list": [{"id": theirs}]}),
                422, "diagnostic_list[0].id")


def test_a_request_is_written_as_typed_json_on_v1(lab, api):
    made = lab.request()
    for request in (made, item(api.get(f"/v1/diagnosticrequest/{made['id']}"), "diagnosticrequest"),
                    items(api.get("/v1/diagnosticrequest"), "diagnosticrequest")[0]):
        assert isinstance(request["id"], int) and request["active"] is True
        assert isinstance(request["created_at"], int) and isinstance(request["timestamp"], int)
        assert isinstance(request["vet_id"], int) and request["ownership_id"] is None
        (line,) = request["diagnostic_list"]
        assert isinstance(line["id"], int) and line["active"] is True and line["diagnostic_id"] == lab.b12
    meta = api.get("/v1/diagnosticrequest").json()["meta"]
    assert meta["items_total"] == "1"  # the meta stays v1's


def test_a_request_delete_answers_no_items(lab, api):
    request = lab.request()
    response = api.delete(f"/v1/diagnosticrequest/{request['id']}")
    assert response.status_code == 200 and response.json()["items"] == []
    assert item(api.get(f"/v1/diagnosticrequest/{request['id']}"), "diagnosticrequest")["active"] is False


def test_a_request_is_assigned_to_a_vet(lab, practice, api):
    nurse = practice.user("Nurse Mere", is_vet=False)
    request = lab.request()
    with practice.unchanged():
        refused(api.post("/v1/diagnosticrequest", {"consult_id": lab.consult, "vet_id": nurse}), 422, "vet_id")
        refused(api.patch(f"/v1/diagnosticrequest/{request['id']}", {"vet_id": nurse}), 422, "vet_id")


# results -------------------------------------------------------------------------------------------------


def result(practice: Practice, **fields):
    return practice.api.post("/v1/diagnosticresult", {"outcome": "Results show the pupper is fine.", **fields})


def test_a_result_takes_what_it_does_not_say_from_its_request(lab, practice):
    request = lab.request()
    made = item(result(practice, diagnostic_request_id=request["id"]), "diagnosticresult")
    assert {k: made[k] for k in ("animal_id", "consult_id", "contact_id", "vet_id", "supplier_id")} == {
        "animal_id": str(lab.animal), "consult_id": str(lab.consult), "contact_id": str(lab.owner),
        "vet_id": str(lab.vet.user), "supplier_id": str(lab.supplier)}
    assert (made["reference_number"], made["specifics"]) == (request["reference_number"], "Made by APIUSER")


def test_a_result_keeps_what_it_says_itself(lab, practice):
    request, other_vet = lab.request(), practice.vet("Dr Tui")
    made = item(result(practice, diagnostic_request_id=request["id"], animal_id=lab.animal, consult_id=lab.consult,
                       vet_id=other_vet.user, specifics="Haemolysed sample"), "diagnosticresult")
    assert (made["vet_id"], made["specifics"]) == (str(other_vet.user), "Haemolysed sample")


@pytest.mark.parametrize("field", ["animal_id", "consult_id"])
def test_a_result_disagreeing_with_its_request_is_refused(lab, practice, api, field):
    request = lab.request()
    other_animal = practice.animal()
    other = {"animal_id": other_animal, "consult_id": practice.consult(lab.animal)}[field]
    with practice.unchanged():
        refused(result(practice, diagnostic_request_id=request["id"], **{field: other}), 422, field)
    mine = item(result(practice, diagnostic_request_id=request["id"]), "diagnosticresult")
    with practice.unchanged():
        refused(api.patch(f"/v1/diagnosticresult/{mine['id']}", {field: other}), 422, field)


def test_a_result_names_a_request_an_animal_or_a_consult(lab, practice):
    with practice.unchanged():
        reasons = refused(result(practice, specifics="Whose?"), 422, "animal_id")
    assert "diagnostic_request_id" in reasons["animal_id"]


def test_a_result_of_an_animal_is_for_its_owner(lab, practice):
    made = item(result(practice, animal_id=lab.animal), "diagnosticresult")
    assert (made["contact_id"], made["consult_id"]) == (str(lab.owner), "")


def test_a_result_of_a_consult_is_of_its_animal_and_for_its_owner(lab, practice):
    made = item(result(practice, consult_id=lab.consult), "diagnosticresult")
    assert (made["animal_id"], made["contact_id"]) == (str(lab.animal), str(lab.owner))


def test_a_result_refuses_a_consult_of_another_animal(lab, practice):
    other_animal = practice.animal()
    with practice.unchanged():
        refused(result(practice, animal_id=other_animal, consult_id=lab.consult), 422, "consult_id")


def test_a_result_is_of_a_vet(lab, practice):
    nurse = practice.user("Nurse Mere", is_vet=False)
    with practice.unchanged():
        refused(result(practice, animal_id=lab.animal, vet_id=nurse), 422, "vet_id")


def test_a_result_contact_is_worked_out_not_written(lab, practice):
    with practice.unchanged():
        refused(result(practice, animal_id=lab.animal, contact_id=lab.owner), 422, "contact_id")


def test_a_result_lists_its_items(lab, practice, api):
    made = item(result(practice, diagnostic_request_id=lab.request()["id"], diagnostic_result_item_list=[
        {"name": "GLUC", "value": "4.2", "range_low": "3.9", "range_high": "5.5", "unit": "mmol/L"},
        {"name": "ALT", "value": "55", "unit": "U/L"}]), "diagnosticresult")
    listed = items(api.get(f"/v1/diagnosticresultitem?diagnostic_result_id={made['id']}"), "diagnosticresultitem")
    assert sorted(i["id"] for i in listed) == sorted(made["diagnostic_result_item_list"])
    assert sorted((i["name"], i["value"], i["qualifier"], i["notes"]) for i in listed) == [
        ("ALT", "55", "", ""), ("GLUC", "4.2", "", "")]
    gluc = next(i for i in listed if i["name"] == "GLUC")
    patched = item(api.patch(f"/v1/diagnosticresult/{made['id']}", {"diagnostic_result_item_list": [
        {"id": gluc["id"]}, {"name": "BUN", "value": "6.1"}]}), "diagnosticresult")
    assert gluc["id"] in patched["diagnostic_result_item_list"] and len(patched["diagnostic_result_item_list"]) == 2


def test_an_item_posted_alone_makes_its_result_say_it_changed(lab, practice, api):
    made = item(result(practice, animal_id=lab.animal), "diagnosticresult")
    practice.age("diagnosticresult", int(made["id"]))
    events = practice.events("diagnosticresult", int(made["id"]))
    added = item(api.post("/v1/diagnosticresultitem", {  # the document's own sample (L5129)
        "name": "GLUC", "value": "4.2", "range_low": "3.9", "range_high": "5.5", "unit": "mmol/L",
        "diagnostic_result_id": made["id"]}), "diagnosticresultitem")
    now = item(api.get(f"/v1/diagnosticresult/{made['id']}"), "diagnosticresult")
    assert int(now["modified_at"]) > 1000
    assert now["diagnostic_result_item_list"] == [added["id"]]
    assert practice.events("diagnosticresult", int(made["id"])) == [*events, "diagnosticresult_updated"]
    assert practice.events("diagnosticresultitem", int(added["id"])) == ["diagnosticresultitem_created"]
    found = ids(api.get(f"/v1/diagnosticresult?modified_at={{\">\": 1000}}&id={made['id']}"), "diagnosticresult")
    assert found == [int(made["id"])]  # delta sync sees the result's list change


def test_an_item_belongs_to_a_result(lab, practice, api):
    with practice.unchanged():
        refused(api.post("/v1/diagnosticresultitem", {"name": "GLUC", "value": "4.2"}), 422, "diagnostic_result_id")
        refused(api.post("/v1/diagnosticresultitem", {"name": "GLUC", "diagnostic_result_id": 10**12}),
                422, "diagnostic_result_id")

