"""The ``openvet`` command: migrate, clinics and credentials, against a throw-away SQLite database.

Credentials the command prints must work against the app on that database, and restrict what they say.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient
from typer.testing import CliRunner

from openvet.app import create_app
from openvet.cli import app as cli
from openvet.config import Settings
from openvet.services import credentials


class Command:
    """``openvet`` run in-process with its environment pointing at one database."""

    def __init__(self, data_dir: Path, database_url: str | None):
        self.data_dir = data_dir
        self.database_url = database_url or f"sqlite:///{data_dir / 'openvet.sqlite3'}"
        self.env = {"OPENVET_DATA_DIR": str(data_dir), "OPENVET_DATABASE_URL": database_url or ""}
        self.runner = CliRunner()

    def __call__(self, *args: str, expect: int = 0):
        result = self.runner.invoke(cli, list(args), env=self.env)
        assert result.exit_code == expect, (args, result.exit_code, result.output, result.exception)
        return result

    def json(self, *args: str) -> dict:
        return json.loads(self(*args).stdout)

    def client(self) -> TestClient:
        settings = Settings(database_url=self.database_url, data_dir=self.data_dir, public_url="http://testserver")
        return TestClient(create_app(settings))

    def rows(self, sql: str, **params) -> list:
        engine = sa.create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return conn.execute(sa.text(sql), params).all()
        finally:
            engine.dispose()


@pytest.fixture
def openvet(tmp_path) -> Command:
    """The command on a fresh SQLite file named by OPENVET_DATABASE_URL."""
    return Command(tmp_path / "data", f"sqlite:///{tmp_path / 'cli.sqlite3'}")


@pytest.fixture
def migrated(openvet) -> Command:
    openvet("migrate")
    openvet("clinic", "create", "riverside", "--name", "Riverside Vets")
    return openvet


def token(client: TestClient, made: dict, scope: str | None = None):
    data = {**made, "grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    return client.post("/v1/oauth/access_token", data=data)


def bearer(response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_migrate_creates_the_schema(openvet):
    openvet("migrate")
    tables = set(sa.inspect(sa.create_engine(openvet.database_url)).get_table_names())
    assert {"clinic", "credential", "access_token", "animal", "contact"} <= tables
    openvet("migrate")  # a second run has nothing to do and succeeds


def test_migrate_uses_the_data_dir_when_no_database_url_is_given(tmp_path):
    openvet = Command(tmp_path / "data", None)
    openvet("migrate")
    assert (tmp_path / "data" / "openvet.sqlite3").exists()


def test_clinic_create_adds_a_clinic(migrated):
    (row,) = migrated.rows("SELECT slug, name FROM clinic")
    assert (row.slug, row.name) == ("riverside", "Riverside Vets")
    listed = migrated("clinic", "list").stdout
    assert "riverside" in listed and "Riverside Vets" in listed


def test_clinic_create_refuses_a_slug_in_use(migrated):
    migrated("clinic", "create", "riverside", "--name", "Another", expect=1)
    assert len(migrated.rows("SELECT id FROM clinic")) == 1


def test_clinic_create_requires_a_name(migrated):
    migrated("clinic", "create", "hillside", expect=2)
    assert len(migrated.rows("SELECT id FROM clinic")) == 1


def test_ezyvet_credentials_as_json_work_against_the_app(migrated):
    made = migrated.json("credentials", "create", "--clinic", "riverside", "--json")
    assert set(made) == {"partner_id", "client_id", "client_secret"}
    assert all(isinstance(value, str) and value for value in made.values())
    with migrated.client() as client:
        headers = bearer(token(client, made))
        assert client.get("/v1/animal", headers=headers).status_code == 200
        assert client.get("/v1/contact", headers=headers).status_code == 200
        setting = client.get("/v1/systemsetting", headers=headers).json()["items"][0]["systemsetting"]
        assert setting["timezone"]["name"] == "UTC"  # the clinic create default
        wrong = token(client, {**made, "client_secret": "guess"})
        assert wrong.status_code == 401


def test_credentials_belong_to_the_clinic_named(migrated):
    migrated("clinic", "create", "hillside", "--name", "Hillside Vets", "--timezone", "Europe/Helsinki")
    riverside = migrated.json("credentials", "create", "--clinic", "riverside", "--json")
    hillside = migrated.json("credentials", "create", "--clinic", "hillside", "--json")
    with migrated.client() as client:
        zones = {}
        for slug, made in (("riverside", riverside), ("hillside", hillside)):
            response = client.get("/v1/systemsetting", headers=bearer(token(client, made)))
            zones[slug] = response.json()["items"][0]["systemsetting"]["timezone"]["name"]
    assert zones == {"riverside": "UTC", "hillside": "Europe/Helsinki"}


def test_credentials_with_scopes_are_restricted_to_them(migrated):
    made = migrated.json("credentials", "create", "--clinic", "riverside", "--scope", "read-animal",
                         "--scope", "write-animal", "--json")
    with migrated.client() as client:
        headers = bearer(token(client, made))
        assert client.get("/v1/animal", headers=headers).status_code == 200
        refused = client.get("/v1/contact", headers=headers)
        assert refused.status_code == 403
        assert "read-contact" in refused.text
        assert token(client, made, "read-animal write-animal").status_code == 200
        asked_more = token(client, made, "read-animal read-contact")
        assert asked_more.status_code == 200 and asked_more.json()["scope"] == "read-animal"
        assert token(client, made, "read-contact").status_code == 400
    (row,) = migrated.rows("SELECT scopes FROM credential WHERE client_id = :c", c=made["client_id"])
    assert set(row.scopes.split()) == {"read-animal", "write-animal"}


def test_provet_credentials_as_json_are_a_stored_hashed_token_of_the_clinic(migrated):
    made = migrated.json("credentials", "create", "--clinic", "riverside", "--kind", "provet", "--json")
    assert set(made) == {"provet_id", "token"}
    (clinic,) = migrated.rows("SELECT id FROM clinic WHERE slug = 'riverside'")
    assert int(made["provet_id"]) == clinic.id
    rows = migrated.rows("SELECT t.clinic_id, t.token_hash, t.expires_at, c.kind FROM access_token t "
                         "JOIN credential c ON c.id = t.credential_id")
    assert [(r.clinic_id, r.token_hash, r.expires_at, r.kind) for r in rows] == [
        (clinic.id, credentials.token_digest(made["token"]), None, "provet")]
    with migrated.client() as client:  # a Provet key is not an ezyVet bearer token
        assert client.get("/v1/animal", headers={"Authorization": f"Bearer {made['token']}"}).status_code == 401


def test_provet_token_works_against_the_provet_api(migrated):
    made = migrated.json("credentials", "create", "--clinic", "riverside", "--kind", "provet", "--json")
    with migrated.client() as client:
        response = client.get(f"/{made['provet_id']}/api/0.1/patient/",
                              headers={"Authorization": f"Token {made['token']}"})
        assert response.status_code == 200, response.text
        refused = client.get(f"/{made['provet_id']}/api/0.1/patient/", headers={"Authorization": "Token nope"})
        assert refused.status_code == 401


def test_credentials_secret_is_printed_once_and_stored_hashed(migrated):
    made = migrated.json("credentials", "create", "--clinic", "riverside", "--json")
    stored = repr([tuple(row) for row in migrated.rows("SELECT * FROM credential")])
    assert made["client_secret"] not in stored
    assert made["client_id"] in stored


def test_credentials_for_an_unknown_clinic_fail(migrated):
    result = migrated("credentials", "create", "--clinic", "nowhere", "--json", expect=1)
    assert "nowhere" in result.output
    assert migrated.rows("SELECT id FROM credential") == []


def test_credentials_of_an_unknown_kind_fail(migrated):
    migrated("credentials", "create", "--clinic", "riverside", "--kind", "oauth1", "--json", expect=2)
    assert migrated.rows("SELECT id FROM credential") == []


def test_credentials_with_a_scope_of_no_documented_endpoint_fail_suggesting_the_near_one(migrated):
    result = migrated("credentials", "create", "--clinic", "riverside", "--scope", "read-animals", "--json", expect=2)
    assert "read-animals" in result.output and "Did you mean read-animal?" in result.output
    for scope in ("read-paymentallocation", "animal", "*"):
        migrated("credentials", "create", "--clinic", "riverside", "--scope", scope, "--json", expect=2)
    assert migrated.rows("SELECT id FROM credential") == []


def test_credentials_may_hold_scopes_of_documented_endpoints_not_served_yet(migrated):
    made = migrated.json("credentials", "create", "--clinic", "riverside", "--scope", "read-invoice,write-invoice",
                         "--scope", "read-animal", "--json")
    (row,) = migrated.rows("SELECT scopes FROM credential WHERE client_id = :c", c=made["client_id"])
    assert set(row.scopes.split()) == {"read-invoice", "write-invoice", "read-animal"}
    with migrated.client() as client:
        granted = token(client, made, "read-invoice read-animal")
        assert granted.status_code == 200 and granted.json()["scope"] == "read-invoice read-animal"


@pytest.mark.parametrize("slug", ["Riverside Vets", "-riverside", "a/b", ""])
def test_clinic_create_refuses_an_unusable_slug(migrated, slug):
    migrated("clinic", "create", slug, "--name", "Another", expect=2)
    assert len(migrated.rows("SELECT id FROM clinic")) == 1


def test_clinic_create_refuses_an_unknown_timezone(migrated):
    migrated("clinic", "create", "hillside", "--name", "Hillside", "--timezone", "Mars/Olympus", expect=2)
    assert len(migrated.rows("SELECT id FROM clinic")) == 1


def test_demo_data_adds_animals_with_owners_to_the_clinic_named(migrated):
    migrated("demo-data", "--clinic", "riverside", "--animals", "30")
    (clinic_id,) = migrated.rows("SELECT id FROM clinic WHERE slug = 'riverside'")[0]
    assert migrated.rows("SELECT count(*) FROM animal WHERE clinic_id = :c", c=clinic_id)[0][0] == 30
    orphans = migrated.rows("SELECT count(*) FROM animal a LEFT JOIN contact c ON c.id = a.contact_id "
                            "WHERE a.clinic_id = :c AND c.id IS NULL", c=clinic_id)[0][0]
    assert orphans == 0
    with migrated.client() as client:  # the new animals are served, counted through record_count
        made = migrated.json("credentials", "create", "--clinic", "riverside", "--json")
        headers = bearer(token(client, made))
        assert client.get("/v1/animal", headers=headers).json()["meta"]["items_total"] == "30"


def test_demo_data_refuses_a_count_below_one(migrated):
    migrated("demo-data", "--clinic", "riverside", "--animals", "0", expect=2)
    assert migrated.rows("SELECT count(*) FROM animal")[0][0] == 0


# fixtures -----------------------------------------------------------------------------------------------

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "lab-and-pharmacy.json"


def test_load_makes_the_records_of_a_fixture_file_with_links_by_key(migrated):
    result = migrated("load", str(EXAMPLE), "--clinic", "riverside")
    assert "Loaded 10 records" in " ".join(result.output.split())
    (clinic_id,) = migrated.rows("SELECT id FROM clinic WHERE slug = 'riverside'")[0]
    diagnostic = migrated.rows("SELECT d.name, p.code FROM diagnostic d JOIN product p ON p.id = d.product_id "
                               "WHERE d.clinic_id = :c", c=clinic_id)
    assert [tuple(row) for row in diagnostic] == [("Complete blood count", "CBC")]
    puppy = migrated.rows("SELECT default_duration, requires_animal FROM appointmenttype WHERE name = 'Puppy Check'")
    assert [tuple(row) for row in puppy] == [(20, True)]
    events = migrated.rows("SELECT event FROM outbox WHERE clinic_id = :c AND resource = 'diagnostic'", c=clinic_id)
    assert [row.event for row in events] == ["diagnostic_created"]  # through the engine, with its events


def test_load_writes_nothing_and_names_the_record_when_one_is_refused(migrated, tmp_path):
    fixture = tmp_path / "broken.json"
    fixture.write_text(json.dumps({"records": [
        {"resource": "productgroup", "key": "lab", "fields": {"name": "Laboratory"}},
        {"resource": "diagnostic", "key": "cbc", "fields": {"name": "CBC", "product_id": 999999}},
    ]}))
    before = migrated.rows("SELECT count(*) FROM productgroup")[0][0]
    result = migrated("load", str(fixture), "--clinic", "riverside", expect=1)
    said = " ".join(result.output.split())
    assert "record 2 (diagnostic, key 'cbc')" in said and "product_id" in said
    assert migrated.rows("SELECT count(*) FROM productgroup")[0][0] == before


def test_load_refuses_a_file_that_is_not_a_fixture_file_and_unknown_keys(migrated, tmp_path):
    for content, said in (("not json", "not a fixture file"), ('{"records": 5}', "not a fixture file"),
                          ('[{"resource": "nosuch"}]', "not a resource"),
                          ('[{"resource": "diagnostic", "fields": {"product_id": "@missing"}}]', "no earlier record")):
        fixture = tmp_path / "bad.json"
        fixture.write_text(content)
        result = migrated("load", str(fixture), "--clinic", "riverside", expect=2 if "fixture file" in said else 1)
        assert said in " ".join(result.output.split())  # as printed, wrapped to the terminal


def test_migrate_gives_clinics_made_before_a_list_existed_their_standard_lists(migrated):
    """A clinic made by an earlier version has no appointment statuses: migrate seeds them, once."""
    migrated("clinic", "create", "older", "--name", "Older Vets")
    (clinic_id,) = migrated.rows("SELECT id FROM clinic WHERE slug = 'older'")[0]
    engine = sa.create_engine(migrated.database_url)
    with engine.begin() as conn:  # as the clinic was before this version: no calendar lists
        for table in ("appointmentstatus", "appointmenttype", "presentingproblem"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE clinic_id = :c"), {"c": clinic_id})
    engine.dispose()
    migrated("migrate")
    statuses = [row.name for row in migrated.rows("SELECT name FROM appointmentstatus WHERE clinic_id = :c",
                                                  c=clinic_id)]
    assert "Cancelled" in statuses and "In Waiting Room" in statuses
    migrated("migrate")  # idempotent: a clinic with a list keeps it as it is
    assert len(migrated.rows("SELECT id FROM appointmentstatus WHERE clinic_id = :c", c=clinic_id)) == len(statuses)


def test_credentials_act_as_a_user_of_their_own_or_the_one_named(migrated):
    made = migrated.json("credentials", "create", "--clinic", "riverside", "--json")
    migrated.json("credentials", "create", "--clinic", "riverside", "--kind", "provet", "--json")
    users = migrated.rows("SELECT id, name, code FROM user ORDER BY id")
    (ezyvet_user,) = [u for u in users if u.name == f"API {made['partner_id']}"]
    (provet_user,) = [u for u in users if u.name.startswith("Provet API key ")]
    assert ezyvet_user.code == provet_user.code == "API"
    assert migrated.rows("SELECT kind, user_id FROM credential ORDER BY id") == [
        ("ezyvet", ezyvet_user.id), ("provet", provet_user.id)]
    named = migrated.json("credentials", "create", "--clinic", "riverside", "--user", str(ezyvet_user.id), "--json")
    assert migrated.rows("SELECT user_id FROM credential WHERE partner_id = :p", p=named["partner_id"]) == [
        (ezyvet_user.id,)]
    assert len(migrated.rows("SELECT id FROM user")) == 2  # acting as the User named: none made
    refused = migrated("credentials", "create", "--clinic", "riverside", "--user", "999", "--json", expect=2)
    assert "no active User 999" in refused.output
    assert len(migrated.rows("SELECT id FROM credential")) == 3  # nothing written
