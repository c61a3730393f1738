"""OAuth 2.0 client credentials on ``POST /v1/oauth/access_token`` and Bearer tokens on every call (L200-L240).

A token names one clinic and a set of scopes (``<access>-<resource>``, e.g. ``read-animal``). Secrets and
tokens are kept hashed: a copy of the database does not give them away.
"""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from conftest import SPEC  # shared/spec, or OPENVET_SPEC_DIR
from openvet.ezyvet.scopes import DOCUMENTED_ENDPOINTS, known_scopes
from openvet.resources import REGISTRY
from openvet.services import credentials

TOKEN_URL = "/v1/oauth/access_token"
HEX64 = re.compile(r"[0-9a-f]{64}")


def token_request(api, **overrides) -> dict:
    return {**api.ezyvet, "grant_type": "client_credentials", **overrides}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_error_envelope(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert HEX64.fullmatch(body["meta"]["transaction_id"])
    assert body["items"] == []
    assert body["messages"] and all(m["level"] == "error" for m in body["messages"])
    return body


def error_text(response) -> str:
    return " ".join(m["text"] + " " + " ".join(m.get("fields") or {}) for m in response.json()["messages"])


def restricted_credentials(engine, clinic_id: int, scopes: list[str]) -> dict:
    with engine.db.begin() as conn:
        return credentials.create_ezyvet_credentials(conn, clinic_id, scopes)


def test_the_server_keeps_client_secrets_as_argon2_of_64_mib_and_three_passes(engine, api):
    """What `openvet credentials create` and the demo keep (the tests' own clinics use a cheaper hash, see
    conftest.QUICK_SECRETS): argon2id, 64 MiB, three passes; the secret verifies, a wrong one does not."""
    made = restricted_credentials(engine, api.id, [])
    with engine.db.connect() as conn:
        stored = conn.execute(sa.text("SELECT secret_hash FROM credential WHERE client_id = :c"),
                              {"c": made["client_id"]}).scalar_one()
    assert stored.startswith("$argon2id$") and "m=65536,t=3" in stored
    assert made["client_secret"] not in stored
    assert api.client.post(TOKEN_URL, data={**made, "grant_type": "client_credentials"}).status_code == 200
    wrong = {**made, "client_secret": made["client_secret"][:-1] + "x", "grant_type": "client_credentials"}
    assert_error_envelope(api.client.post(TOKEN_URL, data=wrong), 401)


# fetching a token ---------------------------------------------------------------------------------------


def test_token_is_issued_for_a_form_encoded_request(api):
    response = api.client.post(TOKEN_URL, data=token_request(api, scope="read-animal"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 1209600
    assert isinstance(body["access_token"], str) and len(body["access_token"]) >= 32
    assert api.client.get("/v1/animal", headers=bearer(body["access_token"])).status_code == 200


def test_token_is_issued_for_a_json_request(api):
    response = api.client.post(TOKEN_URL, json=token_request(api, scope="read-animal"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 1209600
    assert api.client.get("/v1/animal", headers=bearer(body["access_token"])).status_code == 200


def test_scopes_may_be_separated_by_commas_or_spaces(api):
    for scope in ("read-animal,write-animal", "read-animal write-animal", "read-animal, write-animal"):
        response = api.client.post(TOKEN_URL, data=token_request(api, scope=scope))
        assert response.status_code == 200, (scope, response.text)
        token = response.json()["access_token"]
        assert set(response.json()["scope"].split()) == {"read-animal", "write-animal"}
        contact_id = api.new_contact()["id"]
        created = api.client.post("/v1/animal", json={"name": "Rex", "contact_id": contact_id},
                                  headers=bearer(token))
        assert created.status_code == 200, (scope, created.text)
        assert api.client.get("/v1/animal", headers=bearer(token)).status_code == 200
        assert api.client.get("/v1/contact", headers=bearer(token)).status_code == 403


def test_a_credential_may_hold_several_live_tokens(api):
    tokens = [api.token_for(["read-animal"]) for _ in range(3)]
    assert len(set(tokens)) == 3
    for token in tokens:  # the newest token does not revoke the older ones
        assert api.client.get("/v1/animal", headers=bearer(token)).status_code == 200


def test_wrong_secret_is_refused_with_401(api):
    response = api.client.post(TOKEN_URL, data=token_request(api, client_secret="not-the-secret"))
    assert_error_envelope(response, 401)
    assert "access_token" not in response.json()


def test_wrong_client_id_is_refused_with_401(api):
    response = api.client.post(TOKEN_URL, data=token_request(api, client_id="nobody"))
    assert_error_envelope(response, 401)


def test_wrong_partner_id_is_refused_with_401(api):
    response = api.client.post(TOKEN_URL, data=token_request(api, partner_id="someone-else"))
    assert_error_envelope(response, 401)


def test_secret_of_another_clinic_is_refused_with_401(api, other):
    response = api.client.post(TOKEN_URL, data=token_request(api, client_secret=other.ezyvet["client_secret"]))
    assert_error_envelope(response, 401)


def test_token_request_without_credentials_is_refused_naming_what_is_missing(api):
    response = api.client.post(TOKEN_URL, data={"grant_type": "client_credentials"})
    assert response.status_code in (400, 401), response.text
    assert "client_secret" in error_text(response)


def test_token_request_with_another_grant_type_is_refused(api):
    response = api.client.post(TOKEN_URL, data=token_request(api, grant_type="password"))
    assert response.status_code == 400, response.text
    assert "grant_type" in error_text(response)


def test_token_request_with_malformed_json_is_a_400(api):
    response = api.client.post(TOKEN_URL, content=b'{"partner_id": ', headers={"Content-Type": "application/json"})
    assert_error_envelope(response, 400)


# using a token ------------------------------------------------------------------------------------------


def test_request_without_a_token_is_a_401_in_the_envelope(api):
    assert_error_envelope(api.client.get("/v1/animal"), 401)


def test_request_with_an_unknown_token_is_a_401(api):
    assert_error_envelope(api.client.get("/v1/animal", headers=bearer("0" * 64)), 401)


def test_request_with_a_token_in_another_scheme_is_a_401(api):
    response = api.client.get("/v1/animal", headers={"Authorization": f"Basic {api.token}"})
    assert_error_envelope(response, 401)


def test_provet_api_key_is_not_an_ezyvet_bearer_token(api):
    assert_error_envelope(api.client.get("/v1/animal", headers=bearer(api.provet["token"])), 401)


def expire(engine, token: str) -> None:
    with engine.db.begin() as conn:
        changed = conn.execute(sa.text("UPDATE access_token SET expires_at = :t WHERE token_hash = :h"),
                               {"t": 1_000_000, "h": credentials.token_digest(token)}).rowcount
    assert changed == 1


def test_expired_token_is_a_401(api, engine):
    token = api.token_for(["read-animal"])
    expire(engine, token)
    response = api.client.get("/v1/animal", headers=bearer(token))
    assert_error_envelope(response, 401)
    assert "expired" in error_text(response)


def test_token_that_expires_while_in_use_is_refused_once_the_token_cache_lapses(api, engine):
    token = api.token_for(["read-animal"])
    assert api.client.get("/v1/animal", headers=bearer(token)).status_code == 200
    expire(engine, token)
    credentials.recent_tokens.clear()  # what the cache's few seconds of life do
    assert_error_envelope(api.client.get("/v1/animal", headers=bearer(token)), 401)


def test_token_expires_fourteen_days_after_it_is_issued(api, engine):
    token = api.token_for(["read-animal"])
    with engine.db.connect() as conn:
        row = conn.execute(sa.text("SELECT expires_at, created_at FROM access_token WHERE token_hash = :h"),
                           {"h": credentials.token_digest(token)}).one()
    assert row.expires_at - row.created_at == 1209600


def test_token_without_write_scope_cannot_create_but_can_read(api):
    contact_id = api.new_contact()["id"]
    token = api.token_for(["read-animal"])
    response = api.client.post("/v1/animal", json={"name": "Rex", "contact_id": contact_id},
                               headers=bearer(token))
    assert_error_envelope(response, 403)
    assert "write-animal" in error_text(response)
    assert api.get(f"/v1/animal?contact_id={contact_id}").json()["items"] == []  # nothing was created
    assert api.client.get("/v1/animal", headers=bearer(token)).status_code == 200


def test_token_without_write_scope_cannot_update_or_delete(api):
    animal = api.new_animal()
    token = api.token_for(["read-animal"])
    patched = api.client.patch(f"/v1/animal/{animal['id']}", json={"name": "Max"}, headers=bearer(token))
    assert_error_envelope(patched, 403)
    deleted = api.client.delete(f"/v1/animal/{animal['id']}", headers=bearer(token))
    assert_error_envelope(deleted, 403)
    after = api.get(f"/v1/animal/{animal['id']}").json()["items"][0]["animal"]
    assert after["name"] == "Rex" and after["active"] == "1"


def test_token_scoped_to_animals_cannot_read_contacts(api):
    token = api.token_for(["read-animal"])
    response = api.client.get("/v1/contact", headers=bearer(token))
    assert_error_envelope(response, 403)
    assert "read-contact" in error_text(response)


def test_a_scope_the_credential_lacks_is_left_out_of_the_grant(api, engine):
    limited = restricted_credentials(engine, api.id, ["read-animal"])
    response = api.client.post(TOKEN_URL, data={**limited, "grant_type": "client_credentials",
                                                "scope": "read-animal write-animal"})
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "read-animal"
    token = response.json()["access_token"]
    assert api.client.get("/v1/animal", headers=bearer(token)).status_code == 200
    contact_id = api.new_contact()["id"]
    refused = api.client.post("/v1/animal", json={"name": "Rex", "contact_id": contact_id}, headers=bearer(token))
    assert_error_envelope(refused, 403)


def test_token_without_requested_scope_gets_only_the_scopes_the_credential_holds(api, engine):
    limited = restricted_credentials(engine, api.id, ["read-animal"])
    response = api.client.post(TOKEN_URL, data={**limited, "grant_type": "client_credentials"})
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert api.client.get("/v1/animal", headers=bearer(token)).status_code == 200
    contact_id = api.new_contact()["id"]
    refused = api.client.post("/v1/animal", json={"name": "Rex", "contact_id": contact_id}, headers=bearer(token))
    assert refused.status_code == 403


# storage ------------------------------------------------------------------------------------------------


def test_client_secrets_and_tokens_are_stored_hashed(api, engine):
    token = api.token_for(["read-animal"])
    plaintexts = [api.ezyvet["client_secret"], api.token, token, api.provet["token"]]
    with engine.db.connect() as conn:
        rows = [*conn.execute(sa.text("SELECT * FROM credential WHERE clinic_id = :c"), {"c": api.id}).all(),
                *conn.execute(sa.text("SELECT * FROM access_token WHERE clinic_id = :c"), {"c": api.id}).all()]
    assert len(rows) >= 5  # two credentials, at least three tokens
    stored = repr([tuple(row) for row in rows])
    for plaintext in plaintexts:
        assert plaintext not in stored
    with engine.db.connect() as conn:
        hashes = set(conn.execute(sa.text("SELECT token_hash FROM access_token WHERE clinic_id = :c"),
                                  {"c": api.id}).scalars())
    assert credentials.token_digest(token) in hashes  # kept as a digest, looked up by it


# requested scopes --------------------------------------------------------------------------------------


def test_a_request_granting_no_scope_at_all_is_a_400_invalid_scope_naming_scope(api):
    for scope in ("garbage", "read-nosuchendpoint", "*", "admin", "read-paymentallocation", "READ-ANIMAL",
                  "garbage, read-nonsense"):
        response = api.client.post(TOKEN_URL, data=token_request(api, scope=scope))
        assert_error_envelope(response, 400)
        assert "access_token" not in response.json()
        body = response.json()
        assert "scope" in body["messages"][0]["fields"], scope
        assert "invalid_scope" in error_text(response), scope


def test_unknown_scopes_are_left_out_of_the_grant_and_the_answer_says_what_was_granted(api):
    response = api.client.post(TOKEN_URL, data=token_request(api, scope="read-animal garbage read-nonsense"))
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "read-animal"
    token = response.json()["access_token"]
    assert api.client.get("/v1/animal", headers=bearer(token)).status_code == 200
    assert_error_envelope(api.client.get("/v1/contact", headers=bearer(token)), 403)


def test_a_grant_asking_for_many_read_scopes_gets_every_documented_one_and_works(api):
    """Real clients ask for dozens of read scopes at once (PyPI ``ezyvetapi`` asks for 74, among them
    ``read-paymentallocation``, which the document never names): the grant is what can be granted."""
    asked = [f"read-{name}" for name in DOCUMENTED_ENDPOINTS] + ["read-paymentallocation", "read-nonsense"]
    response = api.client.post(TOKEN_URL, data=token_request(api, scope=",".join(asked)))
    assert response.status_code == 200, response.text
    granted = response.json()["scope"].split()
    assert granted == [f"read-{name}" for name in DOCUMENTED_ENDPOINTS]  # exactly, in the order asked
    token = response.json()["access_token"]
    assert api.client.get("/v1/animal", headers=bearer(token)).status_code == 200
    assert api.client.get("/v2/contact", headers=bearer(token)).status_code == 200
    contact_id = api.new_contact()["id"]
    refused = api.client.post("/v1/animal", json={"name": "Rex", "contact_id": contact_id}, headers=bearer(token))
    assert_error_envelope(refused, 403)  # read scopes only


def test_a_grant_of_many_scopes_is_cut_to_the_scopes_the_credential_holds(api, engine):
    limited = restricted_credentials(engine, api.id, ["read-animal", "read-contact", "write-contact"])
    asked = [f"read-{name}" for name in DOCUMENTED_ENDPOINTS] + ["read-paymentallocation"]
    response = api.client.post(TOKEN_URL, json={**limited, "grant_type": "client_credentials", "scope": asked})
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "read-animal read-contact"
    outside = api.client.post(TOKEN_URL, json={**limited, "grant_type": "client_credentials",
                                               "scope": ["write-animal", "read-invoice", "read-nonsense"]})
    assert_error_envelope(outside, 400)
    assert "invalid_scope" in error_text(outside) and "scope" in outside.json()["messages"][0]["fields"]


def test_a_documented_endpoint_not_served_yet_is_a_known_scope(api):
    response = api.client.post(TOKEN_URL, data=token_request(api, scope="read-invoice read-animal"))
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "read-invoice read-animal"


def test_documented_endpoints_are_the_endpoint_names_of_the_document():
    catalog = json.loads((SPEC / "ezyvet_catalog.json").read_text())
    named = sorted({op["resource_slug"] for op in catalog if op["resource_slug"] != "oauth"})
    assert list(DOCUMENTED_ENDPOINTS) == named
    documented = {name for name, r in REGISTRY.items() if any(not e.extension for e in r.endpoints.values())}
    assert documented <= set(DOCUMENTED_ENDPOINTS)
    assert "read-appointmentcancellationreason" in known_scopes()  # served beyond the document
    assert "read-externalprescriptionitem" not in known_scopes()  # written only inside its prescription
    assert {"read-animal", "write-animal", "read-wellnessplan"} <= known_scopes()
    assert "read-paymentallocation" not in known_scopes()


def test_a_scope_must_be_a_string_or_a_list_of_strings(api):
    for scope in ([{"a": 1}], {"read-animal": 1}, 5, [["read-animal"]], ["read-animal", 1]):
        response = api.client.post(TOKEN_URL, json=token_request(api, scope=scope))
        assert_error_envelope(response, 400)
        assert "scope" in response.json()["messages"][0]["fields"], scope


def test_a_json_list_of_scopes_is_granted(api):
    response = api.client.post(TOKEN_URL, json=token_request(api, scope=["read-animal", "write-animal"]))
    assert response.status_code == 200, response.text
    assert set(response.json()["scope"].split()) == {"read-animal", "write-animal"}


def test_an_unknown_client_id_costs_one_secret_verification_like_a_wrong_secret(api, monkeypatch):
    """Timing does not tell a known client_id (or partner_id) from an unknown one: both verify a hash."""
    verified = []
    hasher = credentials._hasher

    class Counting(type(hasher)):
        def verify(self, hash, password):  # noqa: A002 - the argon2 signature
            verified.append(hash)
            return hasher.verify(hash, password)

    monkeypatch.setattr(credentials, "_hasher", Counting())
    for overrides in ({"client_secret": "wrong"}, {"client_id": "0" * 32}, {"partner_id": "nobody"}):
        verified.clear()
        response = api.client.post(TOKEN_URL, data=token_request(api, **overrides))
        assert_error_envelope(response, 401)
        assert len(verified) == 1, overrides
        assert verified[0].startswith("$argon2"), overrides


def test_the_token_endpoint_answers_other_methods_with_a_405_in_the_envelope(api):
    for method in ("GET", "PATCH", "DELETE", "PUT", "OPTIONS"):
        response = api.client.request(method, TOKEN_URL)
        assert_error_envelope(response, 405)
        assert response.headers["allow"] == "POST"


def test_a_token_request_over_one_mebibyte_is_a_413(api):
    response = api.client.post(TOKEN_URL, data=token_request(api, scope="read-animal " * 100_000))
    assert_error_envelope(response, 413)
