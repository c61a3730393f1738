"""A token of one clinic never sees, counts, filters on, changes or deletes a record of another (DESIGN.md).

Checked for every endpoint of every declared resource, so that a resource added to the registry is
covered without a new test. The endpoint checks share one pair of clinics (made by conftest's
``make_clinic``): each check writes its own fresh record, and none of them may change anything.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from conftest import make_clinic
from openvet.resources import REGISTRY
from openvet.resources.fields import Text
from openvet.store import records

pytestmark = pytest.mark.both_databases  # behaviour that differs between the databases

# (a listed resource, WebHookEvents, keeps no records: it is the same for every clinic)
ENDPOINTS = [(resource.name, version) for resource in REGISTRY.values() for version in resource.endpoints
             if not resource.endpoints[version].singleton and not resource.listed_by]
SINGLETONS = [(resource.name, version) for resource in REGISTRY.values() for version in resource.endpoints
              if resource.endpoints[version].singleton]


@pytest.fixture(scope="module")
def clinics(engine, client):
    """(owner, stranger): two clinics shared by the per-endpoint checks of this module."""
    return make_clinic(engine, client), make_clinic(engine, client)


def keys_of(resource, version) -> set[str]:
    """Body keys that name the record written (ExternalPrescription's prescription_uid)."""
    return {op.address for op in resource.operations(version) if op.address not in ("path", "matching")}


def matching(resource, version, kind: str) -> bool:
    """Whether the version serves ``kind`` on the records a filter matches (on the collection)."""
    return any(op.kind == kind and op.address == "matching" for op in resource.operations(version))


def record_of(api, engine, resource, marker: str) -> int:
    """A fresh record of ``api``'s clinic, written straight to the store (every resource, writable or not)."""
    now = int(time.time())
    values = {"active": True, "created_at": now, "modified_at": now}
    name = resource.field_map.get("name")
    if name is not None and isinstance(name.type, Text):
        values["name"] = marker
    for key in {k for version in resource.endpoints for k in keys_of(resource, version)}:
        values[key] = f"{key}-{marker}-{time.monotonic_ns()}"
    with engine.db.begin() as conn:
        return records.insert(conn, engine.tables[resource.table], api.id, values)


def item_ids(response, name: str) -> list[int]:
    assert response.status_code == 200, response.text
    return [int(item[name]["id"]) for item in response.json()["items"]]


def every_id(clinic, path: str, name: str) -> list[int]:
    """Every id the clinic can list, page by page."""
    ids: list[int] = []
    page = 1
    while True:
        response = clinic.get(f"{path}?limit=10&page={page}")
        found = item_ids(response, name)
        ids += found
        if not found or page >= int(response.json()["meta"]["items_page_total"]):
            return ids
        page += 1


def items_total(response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["meta"]["items_total"])


def stored_row(engine, resource, record_id: int) -> dict:
    with engine.db.connect() as conn:
        row = conn.execute(sa.select(engine.tables[resource.table])
                           .where(engine.tables[resource.table].c.id == record_id)).one()
    return dict(row._mapping)


@pytest.mark.parametrize("name, version", ENDPOINTS, ids=[f"{n}-{v}" for n, v in ENDPOINTS])
def test_other_clinic_cannot_read_count_filter_change_or_delete_a_record(clinics, engine, name, version):
    api, other = clinics
    resource = REGISTRY[name]
    endpoint = resource.endpoints[version]
    path = f"/{version}/{name}"
    served = endpoint.kinds()
    marker = f"Isolated {api.slug}"
    listed = "list" in served

    other_total = items_total(other.get(path)) if listed else None
    record_id = record_of(api, engine, resource, marker)
    stored = stored_row(engine, resource, record_id)
    seen_by_api = api.get(f"{path}/{record_id}").json() if "get" in served else None
    if listed:
        assert record_id in item_ids(api.get(f"{path}?id={record_id}"), name)  # there for its own clinic
    for key in keys_of(resource, version):  # written and deleted by a key in the body: not by another clinic
        for method in ("PATCH", "DELETE"):
            response = other.request(method, path, json={key: stored[key]})
            assert response.status_code in (404, 405, 422), response.text
        assert stored_row(engine, resource, record_id) == stored
    if not listed:
        if "get" in served:
            response = other.get(f"{path}/{record_id}")
            assert response.status_code == 404, response.text
        assert stored_row(engine, resource, record_id) == stored
        return

    # read
    assert record_id not in every_id(other, path, name)
    if "get" in served:
        response = other.get(f"{path}/{record_id}")
        assert response.status_code == 404, response.text
        assert response.json()["items"] == []
    # count
    assert items_total(other.get(path)) == other_total
    # filter
    by_id = other.get(f"{path}?id={record_id}")
    assert item_ids(by_id, name) == [] and items_total(by_id) == 0
    assert items_total(other.get(f'{path}?id={{"in": [{record_id}]}}')) == 0
    assert items_total(other.get(f'{path}?id={{">=": {record_id}, "<=": {record_id}}}')) == 0
    name_field = resource.field_map.get("name")
    if name_field is not None and name_field.filter and version in name_field.versions:
        assert items_total(other.get(f"{path}?name={marker}")) == 0
        assert items_total(other.get(f'{path}?name={{"like": "Isolated%"}}')) == 0
    # update
    if "update" in served and not keys_of(resource, version):
        # a body the endpoint takes (a StockAdjustment's active is not written on update): only the record is wrong
        change = {"active": False} if resource.field_map["active"].update else {}
        response = other.patch(f"{path}/{record_id}", change)
        assert response.status_code == 404, response.text
        response = other.patch(f"{path}?id={record_id}", change)
        if matching(resource, version, "update"):
            assert response.status_code == 200, response.text
            assert int(response.json()["meta"]["items_matched"]) == 0
            assert int(response.json()["meta"]["items_processed"]) == 0
            assert response.json()["items"] == []
        else:
            assert response.status_code == 405, response.text
    else:
        assert other.patch(f"{path}/{record_id}", {"active": False}).status_code in (403, 404, 405)
    # delete
    if "delete" in served and not keys_of(resource, version):
        response = other.delete(f"{path}/{record_id}")
        assert response.status_code == 404, response.text
        response = other.delete(f"{path}?id={record_id}")
        if matching(resource, version, "delete"):
            assert response.status_code == 200, response.text
            assert int(response.json()["meta"]["items_matched"]) == 0
            assert response.json()["items"] == []
        else:
            assert response.status_code == 405, response.text
    else:
        assert other.delete(f"{path}/{record_id}").status_code in (403, 404, 405)

    # the record is as it was, for its own clinic
    assert stored_row(engine, resource, record_id) == stored
    if seen_by_api is not None:
        after = api.get(f"{path}/{record_id}").json()
        assert after["items"] == seen_by_api["items"]


def test_other_clinic_cannot_update_through_a_link_to_a_record_it_does_not_own(api, other):
    """A PATCH of one's own record may not name another clinic's record either."""
    theirs = api.new_contact()
    mine = other.new_animal()
    response = other.patch(f"/v1/animal/{mine['id']}", {"contact_id": theirs["id"]})
    assert response.status_code == 422, response.text
    assert other.get(f"/v1/animal/{mine['id']}").json()["items"][0]["animal"]["contact_id"] == mine["contact_id"]


def test_other_clinic_cannot_adopt_a_contact_detail_of_another_clinic(api, other):
    theirs = api.new_contact()
    mine = other.new_contact()
    response = other.patch(f"/v1/contact/{mine['id']}", {"contact_detail_list": [
        {"id": theirs["contact_detail_list"][0], "value": "stolen@example.com"}]})
    assert response.status_code == 422, response.text
    detail = api.get(f"/v1/contactdetail/{theirs['contact_detail_list'][0]}").json()["items"][0]["contactdetail"]
    assert detail["value"] == "ada@example.com" and detail["contact_id"] == theirs["id"]


def test_uid_of_another_clinic_names_nothing(api, other):
    theirs = api.new_contact()
    uid = api.get(f"/v2/contact/{theirs['id']}").json()["items"][0]["contact"]["uid"]
    assert items_total(other.get(f"/v2/contact?uid={uid}")) == 0
    response = other.post("/v2/contactdetail", {"value": "021", "contact_uid": uid,
                                                "type_id": other.first_id("contactdetailtype")})
    assert response.status_code == 422, response.text
    assert api.get(f"/v1/contact/{theirs['id']}").json()["items"][0]["contact"] == theirs


@pytest.mark.parametrize("name, version", SINGLETONS, ids=[f"{n}-{v}" for n, v in SINGLETONS])
def test_singleton_of_one_clinic_is_not_read_by_another(api, other, engine, name, version):
    """Each clinic reads its own SystemSetting."""
    resource = REGISTRY[name]
    table = engine.tables[resource.table]
    with engine.db.begin() as conn:
        conn.execute(table.update().where(table.c.clinic_id == api.id).values(timezone="Europe/Helsinki"))
    mine = api.get(f"/{version}/{name}").json()["items"][0][name]
    theirs = other.get(f"/{version}/{name}").json()["items"][0][name]
    assert mine["timezone"]["name"] == "Europe/Helsinki"
    assert theirs["timezone"]["name"] == "Pacific/Auckland"
