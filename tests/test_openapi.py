"""The API documents: /openapi.json describes exactly what the registry serves; /docs describes it for people."""

from __future__ import annotations

import jsonschema
import pytest

from openvet.resources import RESOURCES
from openvet.resources.fields import Children

SCHEMAS = "#/components/schemas/"


def served() -> set[tuple[str, str, str]]:
    """(method, path, operationId) of every operation the ezyVet routes answer, from the registry alone."""
    out = set()
    for resource in RESOURCES:
        for version, endpoint in resource.endpoints.items():
            collection = f"/{version}/{resource.name}"
            member = collection + "/{id}"
            prefix = f"{resource.name}.{version}."
            for op in endpoint.operations:
                if op == "get" and endpoint.singleton:
                    out.add(("GET", collection, prefix + "get"))
                elif op == "list":
                    out.add(("GET", collection, prefix + op))
                elif op == "get":
                    out.add(("GET", member, prefix + op))
                elif op == "create":
                    out.add(("POST", collection, prefix + op))
                else:  # update and delete: one record by id, or every record the filters match
                    method = "PATCH" if op == "update" else "DELETE"
                    out.add((method, member, prefix + op))
                    out.add((method, collection, prefix + op + "_matching"))
    return out


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method != "parameters":
                yield method.upper(), path, op


def resolve(spec: dict, pointer: str) -> dict:
    assert pointer.startswith("#/"), pointer
    node = spec
    for part in pointer[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def deref(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        node = resolve(spec, node["$ref"])
    return node


def operation(spec: dict, method: str, path: str) -> dict:
    return spec["paths"][path][method.lower()]


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def test_the_document_is_openapi_3_1_and_built_once(client, spec):
    assert spec["openapi"] == "3.1.0"
    assert client.get("/openapi.json").content == client.get("/openapi.json").content


def test_every_served_operation_is_documented_and_nothing_else(spec):
    documented = {(method, path, op["operationId"]) for method, path, op in operations(spec)}
    token = ("POST", "/v1/oauth/access_token", "oauth.v1.access_token")
    assert documented == served() | {token}


def test_documented_operations_are_answered_and_others_refused(api, spec):
    """Calling every documented operation never meets 'no such endpoint' or 'method not allowed'; every other
    method on a documented path does."""
    for method, path, _ in operations(spec):
        if path == "/v1/oauth/access_token":
            continue
        url = path.replace("{id}", "999999999")
        response = api.request(method, url, json={} if method in ("POST", "PATCH") else None)
        assert response.status_code not in (403, 405), (method, path, response.text)
    for path, item in spec["paths"].items():
        if path == "/v1/oauth/access_token":
            continue
        for method in {"get", "post", "patch", "delete"} - set(item):
            response = api.request(method.upper(), path.replace("{id}", "1"))
            assert response.status_code == 405, (method, path, response.text)


def test_member_paths_take_a_positive_integer_id(spec):
    for path, item in spec["paths"].items():
        if path.endswith("{id}"):
            (param,) = item["parameters"]
            assert param["in"] == "path" and param["name"] == "id" and param["required"] is True
            assert param["schema"] == {"type": "integer", "minimum": 1}


def test_lists_take_any_limit_from_one_page_and_every_filter(spec):
    for resource in RESOURCES:
        for version, endpoint in resource.endpoints.items():
            if "list" not in endpoint.operations:
                continue
            op = operation(spec, "GET", f"/{version}/{resource.name}")
            params = {p["name"]: p for p in (deref(spec, p) for p in op["parameters"])}
            assert "maximum" not in params["limit"]["schema"]  # a larger limit is served at the maximum
            assert params["limit"]["schema"]["minimum"] == 1
            assert f"served as {endpoint.page_limit}" in params["limit"]["description"]
            assert params["page"]["schema"]["minimum"] == 1
            filters = {f.wire_name(version) for f in resource.fields_for(version) if f.filter}
            assert set(params) == filters | {"limit", "page"}, resource.name
            for name in filters:
                assert params[name]["in"] == "query"
                assert "comparators" in params[name]["description"]
                assert "schema" in params[name]


def test_filters_refuse_a_blank_value_and_take_eq_null_for_unset(spec):
    op = operation(spec, "GET", "/v1/animal")
    params = {p["name"]: p for p in (deref(spec, p) for p in op["parameters"])}
    for name in ("name", "referring_clinic_id", "weight", "is_dead"):
        param = params[name]
        assert '{"eq": null}' in param["description"], name
        validator = jsonschema.Draft202012Validator(param["schema"])
        assert not validator.is_valid("   "), name  # neither as a plain value nor as JSON
        comparators = param["schema"]["anyOf"][1]["contentSchema"]
        assert jsonschema.Draft202012Validator(comparators).is_valid({"eq": None, "neq": None}), name
    assert jsonschema.Draft202012Validator(params["name"]["schema"]).is_valid("Rex")
    assert not jsonschema.Draft202012Validator(params["name"]["schema"]["anyOf"][1]["contentSchema"]).is_valid(
        {"eq": " "})


def test_writes_on_matching_records_take_limit_and_the_filters(spec):
    for _method, path, op in operations(spec):
        if op["operationId"].endswith("_matching"):
            names = {deref(spec, p)["name"] for p in op["parameters"]}
            listing = operation(spec, "GET", path) if "get" in spec["paths"][path] else None
            assert "limit" in names
            if listing:
                assert names == {deref(spec, p)["name"] for p in listing["parameters"]} - {"page"}


def test_create_bodies_take_the_creatable_fields_and_require_the_mandatory_ones(spec):
    for resource in RESOURCES:
        for version in resource.endpoints:
            if not resource.serves(version, "create"):
                continue
            op = operation(spec, "POST", f"/{version}/{resource.name}")
            schema = deref(spec, op["requestBody"]["content"]["application/json"]["schema"])
            fields = resource.fields_for(version)
            assert set(schema["properties"]) == {f.wire_name(version) for f in fields if f.create}
            assert sorted(schema.get("required", [])) == sorted(f.wire_name(version) for f in fields
                                                                if f.mandatory_on(version))
            assert schema["additionalProperties"] is False


def test_update_bodies_take_the_updatable_fields(spec):
    for resource in RESOURCES:
        for version in resource.endpoints:
            if not resource.serves(version, "update"):
                continue
            for path in (f"/{version}/{resource.name}/{{id}}", f"/{version}/{resource.name}"):
                op = operation(spec, "PATCH", path)
                schema = deref(spec, op["requestBody"]["content"]["application/json"]["schema"])
                updatable = {f.wire_name(version) for f in resource.fields_for(version) if f.update}
                assert set(schema["properties"]) - {"id"} == updatable
                assert "required" not in schema


def test_child_lists_are_written_as_the_child_create_schema(spec):
    for resource in RESOURCES:
        for version in resource.endpoints:
            if not resource.serves(version, "create"):
                continue
            op = operation(spec, "POST", f"/{version}/{resource.name}")
            schema = deref(spec, op["requestBody"]["content"]["application/json"]["schema"])
            for field in resource.fields_for(version):
                if isinstance(field.type, Children) and field.create:
                    prop = schema["properties"][field.wire_name(version)]
                    assert prop["type"] == "array"
                    assert prop["items"] == {"$ref": f"{SCHEMAS}{field.type.target}.{version}.Create"}


def test_answers_wrap_each_record_under_the_endpoint_name(spec):
    for _method, path, op in operations(spec):
        if path == "/v1/oauth/access_token":
            continue
        resource = path.split("/")[2]
        envelope = deref(spec, op["responses"]["200"]["content"]["application/json"]["schema"])
        assert set(envelope["required"]) == {"meta", "items", "messages"}
        item = envelope["properties"]["items"]["items"]
        assert item["required"] == [resource]
        record = deref(spec, item["properties"][resource])
        assert "id" in record["properties"] or resource == "systemsetting"


def test_v1_records_are_strings_and_v2_records_typed(spec):
    for resource in RESOURCES:
        for version in resource.endpoints:
            record = spec["components"]["schemas"][f"{resource.name}.{version}.Record"]
            for field in resource.fields_for(version):
                prop = record["properties"][field.wire_name(version)]
                if version == "v1" and prop.get("type") not in ("array", None):
                    assert prop["type"] == "string", (resource.name, field.name)
                if version == "v2" and not isinstance(field.type, Children):
                    assert prop["type"] == field.type.openapi()["type"], (resource.name, field.name)


def test_errors_come_in_the_envelope_with_messages(spec):
    for method, path, op in operations(spec):
        expected = {"400", "401", "503"} if path == "/v1/oauth/access_token" else {"400", "401", "403", "405", "503"}
        if path.endswith("{id}"):
            expected.add("404")
        if method in ("POST", "PATCH") and path != "/v1/oauth/access_token":
            expected.add("422")
        assert expected <= set(op["responses"]), (method, path)
        for status in expected:
            response = deref(spec, op["responses"][status])
            envelope = deref(spec, response["content"]["application/json"]["schema"])
            message = deref(spec, envelope["properties"]["messages"]["items"])
            assert set(message["required"]) == {"level", "type", "text", "fields"}
        assert "Retry-After" in deref(spec, op["responses"]["503"])["headers"]


def test_every_operation_requires_its_scope_and_the_scheme_lists_them_all(spec):
    flows = spec["components"]["securitySchemes"]["ezyvet"]["flows"]["clientCredentials"]
    assert flows["tokenUrl"] == "/v1/oauth/access_token"
    assert set(flows["scopes"]) == {s for r in RESOURCES for s in (r.scope_read, r.scope_write)}
    for method, path, op in operations(spec):
        if path == "/v1/oauth/access_token":
            assert op["security"] == []
            continue
        name = path.split("/")[2]
        assert op["security"] == [{"ezyvet": [f"{'read' if method == 'GET' else 'write'}-{name}"]}]


def test_operations_are_tagged_and_described_from_the_declarations(spec):
    titles = {r.title for r in RESOURCES}
    assert titles <= {t["name"] for t in spec["tags"]}
    for _method, _path, op in operations(spec):
        assert op["tags"] and op["summary"] and op["description"]
    animal = spec["components"]["schemas"]["animal.v1.Record"]["properties"]["microchip_number"]
    assert animal["description"] == "The microchip number of the Animal."


def test_every_ref_resolves(spec):
    refs = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    assert refs
    for pointer in refs:
        assert isinstance(resolve(spec, pointer), dict), pointer


def test_the_document_passes_the_openapi_validator(spec):
    from openapi_spec_validator import validate

    validate(spec)


def test_the_docs_page_describes_every_resource(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert 'href="/openapi.json"' in page
    for resource in RESOURCES:
        assert f'id="{resource.name}"' in page and resource.title in page
        for version in resource.endpoints:
            for field in resource.fields_for(version):
                assert f"<code>{field.wire_name(version)}</code>" in page
    for section in ("authentication", "paging", "filters", "errors"):
        assert f'id="{section}"' in page
