"""The API documents: /openapi.json describes exactly what the registry serves; /docs describes it for people."""

from __future__ import annotations

import html
import re

import jsonschema
import pytest

from openvet.ezyvet.pagination import MAX_PAGE
from openvet.resources import REGISTRY, RESOURCES
from openvet.resources.fields import Children

SCHEMAS = "#/components/schemas/"


def served() -> set[tuple[str, str, str]]:
    """(method, path, operationId) of every operation the ezyVet routes answer, from the registry alone."""
    out = set()
    for resource in RESOURCES:
        for version in resource.endpoints:
            for op in resource.operations(version):
                path = f"/{version}/{resource.name}" + (f"/{op.path}" if op.path else "")
                suffix = "_matching" if op.address == "matching" else ""
                out.add((op.method, path, f"{resource.name}.{version}.{op.kind}{suffix}"))
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


def validator_of(spec: dict, schema: dict) -> jsonschema.Draft202012Validator:
    """A validator for a schema of the document, its references resolved against the document."""
    return jsonschema.Draft202012Validator({**schema, "components": spec["components"]})


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


def test_every_operation_documents_the_throttle(spec):
    """The 429 and its headers, and the x-ratelimit headers of a success (docs/throttling.md, L155-L169)."""
    for method, path, op in operations(spec):
        assert "429" in op["responses"], (method, path)
        if path == "/v1/oauth/access_token":
            continue  # its own budget per client id, no clinic yet: a 429 without the clinic's headers
        ok = next(r for status, r in op["responses"].items() if status.startswith("2"))
        ok = spec["components"]["responses"][ok["$ref"].rsplit("/", 1)[1]] if "$ref" in ok else ok
        assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(ok.get("headers", {})), (
            method, path)
    refused = spec["components"]["responses"]["TooManyRequests.v2"]
    assert {"Retry-After", "x-ratelimit-reset"} <= set(refused["headers"])


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


def test_member_paths_take_a_positive_64_bit_id(spec):
    for path, item in spec["paths"].items():
        if path.endswith("{id}"):
            (param,) = item["parameters"]
            assert param["in"] == "path" and param["name"] == "id" and param["required"] is True
            # digits without a leading zero, 1 to 2^63 - 1 (a fuzzer writes an integer 5 as "5.0" in a path)
            assert param["schema"]["type"] == "string"
            pattern = re.compile(param["schema"]["pattern"])
            for accepted in ("1", "42", str(2**63 - 1), str(2**63 - 2), "9" * 18):
                assert pattern.fullmatch(accepted), accepted
            for refused in ("0", "05", "5.0", "-1", str(2**63), "9" * 19, "١٢", " 5"):
                assert not pattern.fullmatch(refused), refused
            assert "ASCII digits" in param["description"]


def parameters_of(spec: dict, op: dict) -> dict[str, dict]:
    return {p["name"]: p for p in (deref(spec, p) for p in op.get("parameters", []))}


def test_lists_take_any_limit_from_one_a_bounded_page_and_every_filter(spec):
    for resource in RESOURCES:
        for version, endpoint in resource.endpoints.items():
            if not resource.serves(version, "list"):
                continue
            op = operation(spec, "GET", f"/{version}/{resource.name}")
            params = parameters_of(spec, op)
            assert "maximum" not in params["limit"]["schema"]  # a larger limit is served at the maximum
            assert params["limit"]["schema"]["minimum"] == 1
            assert f"served as {endpoint.page_limit}" in params["limit"]["description"]
            assert params["page"]["schema"]["minimum"] == 1
            assert params["page"]["schema"]["maximum"] == MAX_PAGE
            filters = set(resource.filter_map(version)) | set(endpoint.filters)
            questions = any(o.questions for o in resource.operations(version) if o.kind == "list")
            asked = {"questions"} if questions else set()
            assert set(params) == filters | {"limit", "page"} | asked, resource.name
            for name in filters:
                assert params[name]["in"] == "query"
                assert "schema" in params[name]
            for name in resource.filter_map(version):
                assert "comparators" in params[name]["description"]


def test_filters_take_the_leaf_names_of_nested_fields_and_the_endpoint_parameters(spec):
    params = parameters_of(spec, operation(spec, "GET", "/v1/appointment"))
    assert {"appointment_type_id", "animal_id", "start_time", "time_range_start", "time_range_end"} <= set(params)
    assert not any("." in name for name in params)
    assert "start_time is at or after" in params["time_range_start"]["description"]


def test_filters_refuse_a_blank_value_and_take_eq_null_for_unset(spec):
    op = operation(spec, "GET", "/v1/animal")
    params = parameters_of(spec, op)
    for name in ("name", "referring_clinic_id", "weight", "is_dead"):
        param = params[name]
        assert '{"eq": null}' in param["description"], name
        validator = validator_of(spec, param["schema"])
        assert not validator.is_valid("   "), name  # neither as a plain value nor as JSON
        assert validator.is_valid('{"eq": null, "neq": null}'), name
    assert validator_of(spec, params["name"]["schema"]).is_valid("Rex")
    assert not validator_of(spec, params["name"]["schema"]).is_valid('{"eq": " "}')


def test_filter_patterns_admit_only_json_the_parser_accepts(spec):
    """The JSON form is a pattern, not "any string that starts with {": a fuzzer or a client generator that
    follows it sends JSON the filter parser takes."""
    op = operation(spec, "GET", "/v1/animal")
    params = parameters_of(spec, op)
    name = validator_of(spec, params["name"]["schema"])
    for sent in ('{"eq": "Rex"}', '{"like": "Re%"}', '{"in": ["Rex","Bella"]}', '{">": "A", "<=": "Z"}'):
        assert name.is_valid(sent), sent
    for sent in ("{__main__", "{", '{"eq": }', '{"nope": 1}', "\t{x", '{"eq": "Rex"'):
        assert not name.is_valid(sent), sent
    species = validator_of(spec, params["species_id"]["schema"])
    assert species.is_valid('{"in": [1,2]}') and species.is_valid("5") and species.is_valid("0")
    assert not species.is_valid('{"in": [-1]}') and not species.is_valid("-3") and not species.is_valid("1e5")


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_generated_filter_values_are_accepted_by_the_server(api, spec, version):
    """Values drawn from every filter schema of a few lists are answered 200, never 400: the document is
    no looser than the parser."""
    strategies = pytest.importorskip("hypothesis.strategies")
    hypothesis = pytest.importorskip("hypothesis")
    lists = [p for p in ("animal", "contact", "consult", "healthstatus", "appointment", "prescription",
                         "communication", "separation", "product") if REGISTRY[p].serves(version, "list")]

    @hypothesis.settings(max_examples=25, deadline=None, derandomize=True,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(data=strategies.data())
    def check(data):
        endpoint = data.draw(strategies.sampled_from(lists))
        params = parameters_of(spec, operation(spec, "GET", f"/{version}/{endpoint}"))
        name = data.draw(strategies.sampled_from(sorted(set(params) - {"limit", "page"})))
        schema = deref(spec, params[name]["schema"])
        branch = data.draw(strategies.sampled_from(schema.get("anyOf", [schema])))
        value = data.draw(strategies.sampled_from(branch["enum"]) if "enum" in branch else strategies.from_regex(
            branch["pattern"], fullmatch=True).filter(lambda v: len(v) <= branch.get("maxLength", 10**6)))
        response = api.get(f"/{version}/{endpoint}", params={name: value, "limit": "1"})
        assert response.status_code == 200, (endpoint, name, value, response.text)

    check()


def test_writes_on_matching_records_take_limit_and_the_filters_and_say_one_is_needed(spec):
    for _method, path, op in operations(spec):
        if op["operationId"].endswith("_matching"):
            names = set(parameters_of(spec, op))
            listing = operation(spec, "GET", path) if "get" in spec["paths"][path] else None
            assert "limit" in names
            if listing:
                assert names == set(parameters_of(spec, listing)) - {"page"}
            assert op["x-openvet-requires-filter"] is True
            assert "At least one filter is needed" in op["description"]
            assert "filter" in deref(spec, op["responses"]["400"])["description"]
        else:
            assert "x-openvet-requires-filter" not in op


def top_names(resource, version: str, fields) -> set[str]:
    return {f.wire_name(version).split(".")[0] for f in fields}


def json_body(spec: dict, op: dict) -> dict:
    return deref(spec, op["requestBody"]["content"]["application/json"]["schema"])


def test_create_bodies_take_the_creatable_fields_and_require_the_mandatory_ones(spec):
    for resource in RESOURCES:
        for version in resource.endpoints:
            for declared in resource.operations(version):
                if declared.kind != "create":
                    continue
                op = operation(spec, "POST", f"/{version}/{resource.name}")
                content = op["requestBody"]["content"]
                media = "multipart/form-data" if declared.parses == "multipart" else "application/json"
                schema = deref(spec, content[media]["schema"])
                fields = [f for f in resource.fields_for(version) if f.create]
                assert set(schema["properties"]) == top_names(resource, version, fields)
                assert sorted(schema.get("required", [])) == sorted(
                    f.wire_name(version) for f in fields
                    if f.mandatory_on(version) or (f.name,) in resource.one_of_for(version))
                assert schema["additionalProperties"] is False


def test_mandatory_values_refuse_blanks_and_null(spec):
    """A blank value for a mandatory field is refused by the server (422): the schema refuses it too."""
    for resource in RESOURCES:
        for version in resource.endpoints:
            if not resource.serves(version, "create"):
                continue
            op = operation(spec, "POST", f"/{version}/{resource.name}")
            if "application/json" not in op["requestBody"]["content"]:
                continue
            schema = json_body(spec, op)
            for f in resource.fields_for(version):
                if f.create and f.mandatory_on(version) and not isinstance(f.type, Children) and "." not in \
                        f.wire_name(version):
                    check = validator_of(spec, schema["properties"][f.wire_name(version)])
                    for blank in ("", "   ", None):
                        assert not check.is_valid(blank), (resource.name, f.name, blank)


def test_update_bodies_take_the_updatable_fields_and_require_those_every_update_needs(spec):
    for resource in RESOURCES:
        for version in resource.endpoints:
            for declared in resource.operations(version):
                if declared.kind != "update":
                    continue
                path = f"/{version}/{resource.name}" + (f"/{declared.path}" if declared.path else "")
                schema = json_body(spec, operation(spec, "PATCH", path))
                updatable = [f for f in resource.fields_for(version) if f.update]
                key = {declared.address} if declared.address not in ("path", "matching") else set()
                extra = {"id"} if declared.address == "matching" else set()
                assert set(schema["properties"]) - extra - key == top_names(resource, version, updatable), path
                assert set(schema.get("required", [])) == key | {f.wire_name(version) for f in updatable
                                                                 if f.required_on_update}, path


def test_update_served_on_the_member_path_only_is_documented_there_only(spec):
    for name, version in (("appointment", "v2"), ("vaccination", "v1"), ("prescription", "v1"),
                          ("prescriptionitem", "v1")):
        assert "patch" in spec["paths"][f"/{version}/{name}/{{id}}"]
        assert "patch" not in spec["paths"][f"/{version}/{name}"]
    assert "patch" in spec["paths"]["/v1/animal"]


def test_child_lists_are_written_as_the_child_create_schema_without_the_parent_link(spec):
    for resource in RESOURCES:
        for version in resource.endpoints:
            if not resource.serves(version, "create"):
                continue
            op = operation(spec, "POST", f"/{version}/{resource.name}")
            if "application/json" not in op["requestBody"]["content"]:
                continue
            schema = json_body(spec, op)
            for field in resource.fields_for(version):
                if isinstance(field.type, Children) and field.create:
                    prop = schema["properties"][field.wire_name(version)]
                    assert prop["type"] == "array"
                    child = deref(spec, prop["items"])
                    child_resource = REGISTRY[field.type.target]
                    via = child_resource.field_map[field.type.via].wire_name(version)
                    assert via not in child["properties"]
                    assert not set(child.get("required", [])) & {
                        child_resource.field_map[n].wire_name(version) for n in field.type.optional}


def test_answers_say_what_each_operation_answers(spec):
    for resource in RESOURCES:
        for version in resource.endpoints:
            for declared in resource.operations(version):
                path = f"/{version}/{resource.name}" + (f"/{declared.path}" if declared.path else "")
                ok = operation(spec, declared.method, path)["responses"]["200"]
                if declared.answers == "binary":
                    assert set(ok["content"]) == {"application/octet-stream", "*/*"}
                    assert ok["content"]["application/octet-stream"]["schema"]["format"] == "binary"
                    continue
                envelope = deref(spec, ok["content"]["application/json"]["schema"])
                assert set(envelope["required"]) == {"meta", "items", "messages"}
                items = envelope["properties"]["items"]
                if declared.answers == "items":
                    item = items["items"]
                    assert item["required"] == [resource.name]
                    if resource.item_value:  # the item is one value (WebHookEvents' list of names)
                        assert item["properties"][resource.name]["type"] == "array"
                        continue
                    record = deref(spec, item["properties"][resource.name])
                    assert "id" in record["properties"] or resource.name == "systemsetting"
                else:
                    assert items["maxItems"] == 0, path
                if declared.answers == "messages":
                    fields = deref(spec, envelope["properties"]["messages"]["items"])["properties"]["fields"]
                    assert fields["required"] == [declared.address]


def test_v1_records_are_strings_and_typed_records_typed(spec):
    for resource in RESOURCES:
        for version in resource.endpoints:
            typed = resource.typed(version)
            if all(op.answers != "items" for op in resource.operations(version)) or resource.item_value:
                continue  # answers messages only (ExternalPrescription), or one value (WebHookEvents)
            record = spec["components"]["schemas"][f"{resource.name}.{version}.Record"]
            for field in resource.read_fields(version):
                if "." in field.wire_name(version):
                    outer, leaf = field.wire_name(version).split(".")
                    prop = record["properties"][outer]["properties"][leaf]
                else:
                    prop = record["properties"][field.wire_name(version)]
                if not typed and prop.get("type") not in ("array", None, ["object", "null"]):
                    assert prop["type"] == "string", (resource.name, field.name)
                if typed and prop.get("type") and not isinstance(field.type, Children):
                    assert "integer" in prop["type"] or "null" in prop["type"] or prop["type"] in (
                        "array", "object", "string", "boolean"), (resource.name, field.name)
            written_only = {f.wire_name(version) for f in resource.fields_for(version) if not f.read}
            assert not written_only & set(record["properties"]), resource.name


def test_typed_v1_endpoints_answer_typed_json(spec):
    record = spec["components"]["schemas"]["communication.v1.Record"]
    assert record["properties"]["id"]["type"] == ["integer", "null"]
    assert "contact" in record["properties"]["associated_type"]["enum"]  # lowercase, as its samples answer
    assert "user_resource" not in record["properties"]  # write-only
    assert deref(spec, record["properties"]["sent_as_user"]["anyOf"][0])["title"].startswith("User")
    request = spec["components"]["schemas"]["diagnosticrequest.v1.Record"]
    items = deref(spec, request["properties"]["diagnostic_list"]["items"])
    assert items["properties"]["id"]["type"] == ["integer", "null"]  # a typed answer embeds typed children


def test_link_lists_read_as_strings_on_v1_and_objects_on_v2(spec):
    v1 = spec["components"]["schemas"]["therapeutic.v1.Record"]["properties"]["department_ids"]
    assert v1["items"]["type"] == "string"
    v2 = spec["components"]["schemas"]["appointment.v2.Record"]["properties"]["resources"]
    assert v2["items"]["properties"]["id"]["type"] == "integer"
    body = spec["components"]["schemas"]["appointment.v2.Create"]["properties"]["resources"]
    check = validator_of(spec, body)
    assert check.is_valid([1, "2", {"id": 3}]) and not check.is_valid([-1]) and not check.is_valid(5)


def test_nested_wire_names_are_nested_objects(spec):
    record = spec["components"]["schemas"]["appointment.v1.Record"]
    details = record["properties"]["details"]
    assert {"appointment_type_id", "animal_id", "resource_list"} <= set(details["properties"])
    assert "appointment_type_id" not in record["properties"]


def test_context_defaults_are_described_not_given_as_values(spec):
    timestamp = spec["components"]["schemas"]["healthstatus.v1.Create"]["properties"]["timestamp"]
    assert "default" not in timestamp
    assert "the moment of the request" in timestamp["description"]


def test_uploads_are_multipart_with_a_binary_file_and_text_fields(spec):
    file = operation(spec, "POST", "/v1/file")["requestBody"]["content"]
    assert set(file) == {"multipart/form-data"}
    schema = deref(spec, file["multipart/form-data"]["schema"])
    assert schema["properties"]["file_data"]["format"] == "binary"
    assert schema["required"] == ["file_data"]
    assert schema["properties"]["notes"]["type"] == "string"
    attachment = operation(spec, "POST", "/v1/attachment")["requestBody"]["content"]
    assert set(attachment) == {"multipart/form-data", "application/x-www-form-urlencoded", "application/json"}
    multipart = deref(spec, attachment["multipart/form-data"]["schema"])
    assert {"required": ["file_data"]} in multipart["anyOf"] and {"required": ["file_id"]} in multipart["anyOf"]
    assert "file_id" in json_body(spec, operation(spec, "POST", "/v1/attachment"))["required"]
    assert "file_data" not in json_body(spec, operation(spec, "POST", "/v1/attachment"))["properties"]


def test_downloads_answer_bytes_to_a_token_or_a_signed_link(spec):
    for path in ("/v1/file/download/{id}", "/v1/attachment/download/{id}"):
        op = operation(spec, "GET", path)
        assert op["security"][0] == {"ezyvet": [f"read-{path.split('/')[2]}"]}
        assert op["security"][1] == {"signedLinkClinic": [], "signedLinkExpires": [], "signedLinkSignature": []}
        assert "no token" in op["description"]
    schemes = spec["components"]["securitySchemes"]
    assert {schemes[s]["name"] for s in ("signedLinkClinic", "signedLinkExpires", "signedLinkSignature")} == {
        "clinic", "expires", "signature"}


def test_extensions_are_marked(spec):
    marked = {(m, p) for m, p, op in operations(spec) if op.get("x-openvet-extension")}
    assert marked == {("GET", "/v2/appointmentcancellationreason"), ("GET", "/v2/appointmentcancellationreason/{id}"),
                      ("GET", "/v1/file/download/{id}"), ("GET", "/v1/webhooks/{id}"),
                      ("GET", "/v1/webhookattempt"), ("GET", "/v1/webhookattempt/{id}"), ("GET", "/v1/webhookreplay"),
                      ("GET", "/v1/webhookreplay/{id}"), ("POST", "/v1/webhookreplay"),
                      ("GET", "/v2/jobqueue/{id}"),  # the job queue: one job, to poll it
                      ("PATCH", "/v2/stockadjustment/{id}")}  # finalising a Pending adjustment
    for method, path in marked:
        assert "openvet extension" in operation(spec, method, path)["description"]


def test_operations_keyed_by_a_body_field_take_it_and_answer_a_message(spec):
    for method in ("PATCH", "DELETE"):
        op = operation(spec, method, "/v1/externalprescription")
        schema = json_body(spec, op)
        assert "prescription_uid" in schema["required"]
        assert not validator_of(spec, schema["properties"]["prescription_uid"]).is_valid(" ")
        assert "404" in op["responses"]
        ok = deref(spec, op["responses"]["200"]["content"]["application/json"]["schema"])
        assert ok["properties"]["items"]["maxItems"] == 0


def test_errors_come_in_the_envelope_with_messages(spec):
    for method, path, op in operations(spec):
        expected = {"400", "401", "503"} if path == "/v1/oauth/access_token" else {"400", "401", "403", "405", "503"}
        if path.endswith("{id}"):
            expected.add("404")
        if method in ("POST", "PATCH"):
            expected |= {"413"} | ({"422"} if path != "/v1/oauth/access_token" else set())
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
        assert op["security"][0] == {"ezyvet": [f"{'read' if method == 'GET' else 'write'}-{name}"]}


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


# every field type: a schema to read and one to write, on each version ------------------------------------

def field_types():
    """One field of every type of the vocabulary, as declarations use them."""
    from openvet.resources import fields as vocabulary

    made = {
        vocabulary.Text: vocabulary.Text(8), vocabulary.Integer: vocabulary.Integer(), vocabulary.Number:
        vocabulary.Number(4), vocabulary.Boolean: vocabulary.Boolean(), vocabulary.Epoch: vocabulary.Epoch(),
        vocabulary.Choice: vocabulary.Choice("kg", "lb"), vocabulary.ChoiceList: vocabulary.ChoiceList("A", "B"),
        vocabulary.Link: vocabulary.Link("animal"), vocabulary.TypedLink: vocabulary.TypedLink("record_type"),
        vocabulary.TypeName: vocabulary.TypeName("Animal", "Contact", spell={"v1": str.lower}),
        vocabulary.LinkList: vocabulary.LinkList("resource"), vocabulary.Children: vocabulary.Children(
            "contactdetail", via="contact_id"), vocabulary.UidRef: vocabulary.UidRef("contact", via="contact_id"),
        vocabulary.RecordRef: vocabulary.RecordRef("Contact", "Animal"), vocabulary.Computed: vocabulary.Computed(
            "file_download_url"), vocabulary.FileData: vocabulary.FileData(), vocabulary.JsonObject:
        vocabulary.JsonObject(), vocabulary.Day: vocabulary.Day(), vocabulary.Uid: vocabulary.Uid("animal"),
        vocabulary.Guid: vocabulary.Guid(), vocabulary.Timezone: vocabulary.Timezone(),
        vocabulary.LinkOrZero: vocabulary.LinkOrZero("physicalexam"), vocabulary.TextList: vocabulary.TextList(),
        vocabulary.WebAddress: vocabulary.WebAddress(), vocabulary.EventName: vocabulary.EventName(),
    }
    declared = {c for c in vars(vocabulary).values() if isinstance(c, type) and issubclass(c, vocabulary.FieldType)
                and c is not vocabulary.FieldType}
    assert declared <= set(made), declared - set(made)  # a new type needs its schemas (and a line here)
    return made


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("typed", [False, True])
def test_every_field_type_has_a_read_and_a_write_schema(version, typed):
    from openvet.openapi.values import read_schema, write_schema
    from openvet.resources.fields import Field

    for kind in field_types().values():
        for mandatory in (False, True):
            field = Field("f", kind, mandatory=mandatory, doc="A field.")
            for schema in (read_schema(field, version, typed), write_schema(field, version, "create"),
                           write_schema(field, version, "update")):
                jsonschema.Draft202012Validator.check_schema(schema)
                assert schema.get("description", "").startswith("A field."), (type(kind).__name__, schema)


def test_write_schemas_accept_what_the_types_parse_and_refuse_the_rest(spec):
    from openvet.openapi.values import write_schema
    from openvet.resources import fields as vocabulary
    from openvet.resources.fields import Field

    cases = {
        vocabulary.Link("animal"): ([5, "5", " 7 ", 0, "0", ""], [-1, "x", True, False, 2**63, {"id": 1}]),
        vocabulary.Integer(): ([-5, "12", 2**63 - 1], ["1.5", 2**63, True, "١٢"]),
        vocabulary.Epoch(): ([1700000000, 1.5, "1700000000"], ["soon", True, 1e30]),
        vocabulary.Number(4): ([1.25, "1.25", -3], ["", "x", 1e15]),
        vocabulary.Text(8): (["Rex", 12345678, True], ["123456789", 123456789, 1.5, {"a": 1}, "a\x00"]),
        vocabulary.Boolean(): ([True, 0, "yes", " Off ", ""], ["maybe", 2]),
        vocabulary.Choice("kg", "lb", aliases={"Kilogram": "kg"}): (["kg", "LB", " kilogram "], ["stone", 5]),
        vocabulary.LinkList("resource"): ([[1, "2", {"id": 3}], ""], [[0], [-1], 5, "5"]),
        vocabulary.JsonObject(): ([{"a": 1}], [[1], "x"]),
        vocabulary.Day(): (["2024-02-29", 1700000000], ["29/02/2024"]),
    }
    for kind, (good, bad) in cases.items():
        schema = write_schema(Field("f", kind), "v1", "create")
        check = validator_of(spec, schema)
        for value in good:
            assert check.is_valid(value), (type(kind).__name__, value)
            kind.parse(value)  # the server takes it too
        for value in bad:
            assert not check.is_valid(value), (type(kind).__name__, value)


# real answers and the document's samples --------------------------------------------------------------

def _answers_of_every_list(api, engine):
    from test_conformance import LISTS, World, resource_of

    world = World(api, engine)
    for op in LISTS:
        if op["kind"] == "list" and not resource_of(op).listed_by:
            world.fresh(resource_of(op).name)
    for resource in RESOURCES:
        for version in resource.endpoints:
            if resource.serves(version, "list") or resource.endpoints[version].singleton:
                yield resource, version, api.get(f"/{version}/{resource.name}", params=(
                    {} if resource.endpoints[version].singleton else {"limit": "2"}))


def test_record_schemas_validate_real_answers_of_every_list(api, engine, spec):
    """One or two items of every list, on every version, after records are made with the document's own
    sample bodies: each answer validates against the envelope the document gives for it."""
    checked = 0
    for resource, version, response in _answers_of_every_list(api, engine):
        assert response.status_code == 200, response.text
        path = f"/{version}/{resource.name}"
        schema = operation(spec, "GET", path)["responses"]["200"]["content"]["application/json"]["schema"]
        errors = sorted(validator_of(spec, schema).iter_errors(response.json()), key=str)
        assert not errors, (path, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]])
        checked += bool(response.json()["items"])
    assert checked >= 30


def test_the_stocklevel_question_is_documented_and_its_answers_validate(api, engine, spec):
    """``questions`` is a parameter of the lists that answer questions, and ``_answers`` is in their record."""
    from practice import Practice

    Practice(api, engine).product("Amoxicillin 250ml tabs", "Medication")
    path = "/v1/product"
    documented = {p.get("name"): p for p in operation(spec, "GET", path)["parameters"]}
    asked = documented["questions"]["schema"]["enum"][0]
    assert asked == '[{"name":"stocklevel"}]'
    assert "questions" not in {p.get("name") for p in operation(spec, "GET", "/v1/animal")["parameters"]}
    response = api.get(path, params={"questions": asked})
    assert response.status_code == 200, response.text
    assert "stocklevel" in response.json()["items"][0]["product"]["_answers"]
    schema = operation(spec, "GET", path)["responses"]["200"]["content"]["application/json"]["schema"]
    validator = validator_of(spec, schema)
    assert not list(validator.iter_errors(response.json()))
    wrong = response.json()
    wrong["items"][0]["product"]["_answers"]["stocklevel"]["in_stock"] = 3  # v1 figures are text
    assert list(validator.iter_errors(wrong))


def test_create_bodies_accept_the_documents_sample_bodies(api, engine, spec):
    from test_conformance import CREATES, World, create_body, declared, resource_of

    world = World(api, engine)
    for op in CREATES:
        resource, version = resource_of(op), op["api_version"]
        body = world.swap(resource, version, create_body(op))
        content = operation(spec, "POST", f"/{version}/{resource.name}")["requestBody"]["content"]
        if declared(op).parses == "multipart":
            body = {k: str(v) for k, v in body.items()}
            schema = content["multipart/form-data"]["schema"]
            body["file_data"] = "(the bytes)"
        else:
            schema = content["application/json"]["schema"]
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator_of(spec, schema).iter_errors(body)]
        assert not errors, (op["operation_id"], errors[:5])


# what the server refuses, as the document says -----------------------------------------------------------

def test_the_server_refuses_what_the_document_refuses(api):
    animal = api.new_animal()
    assert api.patch(f"/v1/animal/{animal['id']}", {"name": 1.5}).status_code == 422  # a fraction is no text
    assert api.patch(f"/v1/animal/{animal['id']}", {"code": 300233}).json()["items"][0]["animal"]["code"] == "300233"
    assert api.patch(f"/v1/animal/{animal['id']}", {"breed_id": False}).status_code == 422  # a link is never false
    assert api.get("/v1/animal?limit=").status_code == 400 and api.get("/v1/animal?page=%20").status_code == 400
    assert api.get("/v1/animal?limit=0").status_code == 400
    assert api.get("/v1/animal", params={"notes": "x" * 1001}).status_code == 400
    assert api.get("/v1/animal", params={"notes": "x" * 1000}).status_code == 200
    nothing = api.patch("/v1/animal?name=Nobody-by-this-name", {"weight_unit": "stone"})
    assert nothing.status_code == 422, nothing.text  # the body is read though nothing matches
    other = api.new_animal(name="Other")
    narrowed = api.patch(f"/v1/animal?name={animal['name']}", {"id": int(other["id"]), "notes": "x"})
    assert narrowed.status_code == 200 and narrowed.json()["meta"]["items_matched"] == "0"
    named = api.patch("/v1/animal?name=Other", {"id": int(other["id"]), "notes": "y"})
    assert named.json()["meta"]["items_matched"] == "1"
    assert api.get("/v1/file/download/1?clinic=1").status_code == 403  # a part of a signed link is checked


def test_the_docs_page_shows_the_new_kinds_of_operation(client):
    page = client.get("/docs").text
    assert "openvet extension" in page
    assert "token or signed link" in page
    assert "multipart/form-data with the file as file_data" in page
    assert "names its record by prescription_uid in the JSON body" in page
    assert "needs a filter" in page
    assert '<span class="context">the moment of the request</span>' in page
    assert "Query parameters that are not fields" in page and "time_range_start" in page
    from openvet.openapi.document import rule_docs

    for resource in RESOURCES:
        for doc in rule_docs(resource):
            assert html.escape(doc, quote=True) in page, (resource.name, doc)
