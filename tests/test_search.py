"""The search index behind ``like`` (contains): used by the queries, kept in step with every write, and
never a way to see or count another clinic's records. See store/schema.py and store/filters.py."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from conftest import make_clinic, migrated_database
from openvet.app import create_app
from openvet.config import Settings
from openvet.demo.bulk import insert_rows
from openvet.engine import Engine
from openvet.events import schedule
from openvet.resources import REGISTRY
from openvet.store import records
from openvet.store.database import connect
from openvet.store.filters import Condition, bind, count_query, ids_query
from openvet.store.schema import build_metadata, search_of

pytestmark = pytest.mark.both_databases  # behaviour that differs between the databases


def plan(conn: sa.Connection, query: sa.Select) -> str:
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    if conn.dialect.name == "sqlite":
        return "\n".join(row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
    return "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {compiled}"))


def in_step(conn: sa.Connection, table: str) -> None:
    """SQLite: FTS5's own check that the index holds exactly what its content (the table) says."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"INSERT INTO {table}_search ({table}_search, rank) VALUES ('integrity-check', 1)")


def test_the_query_plan_uses_the_search_index(api, engine):
    """SQLite reads the FTS5 table; PostgreSQL a trigram index (a Bitmap Index Scan on it): with 30,000
    rows in the clinic, where scanning the clinic's rows costs more than the index."""
    table = engine.tables["animal"]
    rows = [{"name": f"Animal {n:05d}", "active": True, "created_at": 0, "modified_at": 0} for n in range(30_000)]
    rows.append({"name": "Quokka the Qzx", "active": True, "created_at": 0, "modified_at": 0})
    with engine.db.begin() as conn:
        records.insert_many(conn, table, api.id, rows)
        if conn.dialect.name == "postgresql":  # the new rows' index entries out of GIN's pending list
            conn.exec_driver_sql("SELECT gin_clean_pending_list('ix_animal_name_trgm'::regclass)")
        conn.exec_driver_sql("ANALYZE animal")
    conditions = [Condition("name", "contains", "qzx")]
    with engine.db.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        shape, params = bind(table, conditions, conn.dialect.name)
        params["clinic_id"] = api.id
        ids = ids_query(table, shape, conn.dialect.name)
        plans = [plan(conn, query.params(**params)) for query in (
            ids.limit(200), count_query(table, shape, conn.dialect.name))]
        found = [int(i) for i in conn.execute(ids, params).scalars()]
    # three characters are one trigram: its count is one lookup of the terms table (on PostgreSQL, plus one of
    # the changes not folded into it yet)
    page, counted = plans
    if engine.db.dialect.name == "sqlite":
        assert "animal_search VIRTUAL TABLE" in page, page
        assert "animal_search_terms USING PRIMARY KEY" in counted, counted
    else:
        assert "ix_animal_name_trgm" in page and "Bitmap Index Scan" in page, page
        assert "Index Scan using animal_search_terms_pkey" in counted, counted
        assert "Index Scan using ix_animal_search_terms_changes" in counted, counted
        assert "animal_name_trgm" not in counted and "Seq Scan" not in counted, counted
    assert len(found) == 1
    response = api.get("/v1/animal", params={"name": '{"like": "QZX"}'})
    assert [item["animal"]["name"] for item in response.json()["items"]] == ["Quokka the Qzx"]


def test_the_search_index_follows_creates_renames_and_deletes(api, engine):
    owner = api.new_contact()["id"]
    animal = api.new_animal(contact_id=owner, name="Wobbegong", microchip_number="985112233445566")

    def found(field: str, value: str) -> list[str]:
        response = api.get("/v1/animal", params={field: json.dumps({"like": value})})
        assert response.status_code == 200, response.text
        return [item["animal"]["id"] for item in response.json()["items"]]

    assert found("name", "bbeg") == [animal["id"]]
    assert found("microchip_number", "12233") == [animal["id"]]
    response = api.patch(f"/v1/animal/{animal['id']}", {"name": "Quoll", "microchip_number": ""})
    assert response.status_code == 200, response.text
    assert found("name", "bbeg") == [] and found("name", "uol") == [animal["id"]]
    assert found("microchip_number", "12233") == []
    assert api.patch(f"/v1/animal/{animal['id']}", {"notes": "unsearched field"}).status_code == 200
    assert found("name", "uol") == [animal["id"]]
    assert api.delete(f"/v1/animal/{animal['id']}").status_code == 200  # deactivated, still found
    assert found("name", "quoll") == [animal["id"]]
    with engine.db.begin() as conn:  # a row really removed leaves the index too
        conn.execute(sa.delete(engine.tables["animal"]).where(engine.tables["animal"].c.id == int(animal["id"])))
    assert found("name", "quoll") == []
    with engine.db.connect() as conn:
        for table in ("animal", "contact", "contactdetail", "address"):
            in_step(conn, table)


@pytest.fixture(params=["sqlite", "postgresql"])
def own_database(request, tmp_path) -> Iterator[tuple[Engine, TestClient]]:
    """A database of its own, and an app on it: the count of a search depends on which clinics have rows
    in a table."""
    with migrated_database(request.param, tmp_path) as url:
        made = Engine(connect(url))
        app = create_app(Settings(database_url=url, data_dir=tmp_path / "data", public_url="http://testserver"),
                         made)
        yield made, TestClient(app)
        made.close()


def test_a_count_never_includes_another_clinics_rows(own_database):
    """Alone in a table, a clinic's count comes from the search index alone; once another clinic has rows
    there, each match is checked against the clinic. Either way: this clinic's matches, no others."""
    own_engine, http = own_database
    first = make_clinic(own_engine, http)
    owner = first.new_contact()["id"]
    for name in ("Bella", "Isabel", "Max"):
        first.new_animal(contact_id=owner, name=name)

    def total(clinic, value: str) -> int:
        response = clinic.get("/v1/animal", params={"name": json.dumps({"like": value}), "limit": "1"})
        assert response.status_code == 200, response.text
        return int(response.json()["meta"]["items_total"])

    assert (total(first, "bel"), total(first, "b_l"), total(first, "ax")) == (2, 2, 1)
    second = make_clinic(own_engine, http)
    other_owner = second.new_contact()["id"]
    for name in ("Bellamy", "Abel", "Belinda", "Maxwell"):
        second.new_animal(contact_id=other_owner, name=name)
    assert (total(first, "bel"), total(first, "b_l"), total(first, "ax")) == (2, 2, 1)
    assert (total(second, "bel"), total(second, "b_l"), total(second, "ax")) == (3, 3, 1)
    table = own_engine.tables["animal"]
    assert search_of(table).columns == ("name", "code", "microchip_number")
    with own_engine.db.connect() as conn:
        in_step(conn, "animal")


def test_every_searched_resource_answers_a_contains_filter(api):
    """Each resource with a search index answers like on each searched field (no SQL error, 200)."""
    for resource in REGISTRY.values():
        for version in resource.endpoints:
            filters = resource.filter_map(version)
            for name, field in filters.items():
                if not (field.index and field.type.searchable) or "list" not in resource.endpoints[version].operations:
                    continue
                response = api.get(f"/{version}/{resource.name}", params={name: '{"like": "a_b%cde"}'})
                assert response.status_code == 200, (resource.name, version, name, response.text)


# the trigram counts (SQLite) -------------------------------------------------------------------------------

def expected_terms(conn: sa.Connection, table: str, column: str) -> dict[tuple[int, str], int]:
    """Per clinic and trigram, how many rows' values hold it: counted here from the rows themselves, each value
    lowered by the database's own lower() (SQLite folds A-Z only), each trigram once per row."""
    counted: Counter = Counter()
    for clinic_id, lowered in conn.exec_driver_sql(f'SELECT clinic_id, lower({column}) FROM "{table}"'):
        if lowered is not None:
            counted.update({(clinic_id, lowered[i:i + 3]) for i in range(len(lowered) - 2)})
    return dict(counted)


def held_terms(conn: sa.Connection, table: str, column: str) -> dict[tuple[int, str], int]:
    """What the counts say: on PostgreSQL the counts plus the changes appended since they were last folded."""
    held = [f"{table}_search_terms"] + ([f"{table}_search_terms_changes"] if conn.dialect.name == "postgresql" else [])
    both = " UNION ALL ".join(f"SELECT clinic_id, term, rows FROM {name} WHERE col = :c" for name in held)
    rows = conn.execute(sa.text(f"SELECT clinic_id, term, sum(rows) FROM ({both}) AS t GROUP BY clinic_id, term"),
                        {"c": column}).all()
    assert all(n >= 0 for _, _, n in rows), rows
    return {(clinic_id, term): int(n) for clinic_id, term, n in rows if n}


def unfolded(conn: sa.Connection, table: str) -> int:
    """PostgreSQL: the changes appended to a table's trigram counts and not folded into them yet."""
    return conn.exec_driver_sql(f"SELECT count(*) FROM {table}_search_terms_changes").scalar_one()


def test_the_trigram_counts_follow_every_write(own_database):
    """``<table>_search_terms`` holds, per clinic, column and trigram, the rows that hold it (on PostgreSQL with
    the changes appended to ``<table>_search_terms_changes``, and alone once they are folded in), after creates,
    renames, a value unset, a row removed, rows written in bulk (the demo's path: SQLite's trigger set aside,
    PostgreSQL's COPY) and rows written by executemany. A three-character like counts what LIKE counts."""
    own_engine, http = own_database
    first, second = make_clinic(own_engine, http), make_clinic(own_engine, http)
    owner = first.new_contact()["id"]
    made = [first.new_animal(contact_id=owner, name=name, microchip_number=chip) for name, chip in (
        ("Lielie", "985112233445566"), ("Charlie", None), ("ÉLAN élan", "ab"), ("Bo", None), ("Ollie", "985000")
    )]
    second.new_animal(contact_id=second.new_contact()["id"], name="Lieselotte")
    renamed = first.patch(f"/v1/animal/{made[1]['id']}", {"name": "Charlene", "microchip_number": "4120"})
    assert renamed.status_code == 200, renamed.text
    assert first.patch(f"/v1/animal/{made[0]['id']}", {"microchip_number": ""}).status_code == 200
    assert first.patch(f"/v1/animal/{made[4]['id']}", {"notes": "not searched"}).status_code == 200
    table = own_engine.tables["animal"]
    with own_engine.db.begin() as conn:
        conn.execute(sa.delete(table).where(table.c.id == int(made[3]["id"])))
        records.insert_many(conn, table, first.id, [{"name": n, "active": True, "created_at": 0, "modified_at": 0}
                                                     for n in ("Lilie", "Bellie", "lie")])
    with own_engine.db.connect() as conn, conn.begin():
        records.add_to_count(conn, first.id, "animal", 4)  # the demo's way: counted in the transaction
        ids = conn.exec_driver_sql("SELECT max(id) FROM animal").scalar() + 1
        insert_rows(conn, table, ("id", "clinic_id", "name", "microchip_number", "active", "created_at",
                                  "modified_at"),
                    [(ids + n, first.id, name, "98" + str(n), True, 0, 0)
                     for n, name in enumerate(("Allie", "LIE", None, "Oliver"))])
    columns = search_of(table).columns
    with own_engine.db.connect() as conn:
        for column in columns:
            assert held_terms(conn, "animal", column) == expected_terms(conn, "animal", column), column
        in_step(conn, "animal")
    if own_engine.db.dialect.name == "postgresql":
        with own_engine.db.connect() as conn:
            assert unfolded(conn, "animal") > 0  # the writes above appended their changes
        with own_engine.db.begin() as conn:
            assert records.fold_counts(conn, [table])
        with own_engine.db.connect() as conn:
            assert unfolded(conn, "animal") == 0
            for column in columns:
                assert held_terms(conn, "animal", column) == expected_terms(conn, "animal", column), column

    def total(value: str) -> int:
        response = first.get("/v1/animal", params={"name": json.dumps({"like": value}), "limit": "1"})
        assert response.status_code == 200, response.text
        return int(response.json()["meta"]["items_total"])

    like = "lower(name) LIKE lower(:v)" if own_engine.db.dialect.name == "postgresql" else "name LIKE :v"
    with own_engine.db.connect() as conn:
        for value in ("lie", "LIE", "éla", "ÉLA", "lln", "zzq", "e é"):
            expected = conn.execute(sa.text(f"SELECT count(*) FROM animal WHERE clinic_id = :c AND {like}"),
                                    {"c": first.id, "v": f"%{value}%"}).scalar()
            assert total(value) == expected, value
    assert total("lie") == 7  # Lielie, Ollie, Lilie, Bellie, lie, Allie, LIE: not the other clinic's Lieselotte


def test_writers_of_one_clinic_never_wait_for_each_others_counts(tmp_path):
    """PostgreSQL: a write counts its records and their trigrams by appending its changes (``record_count_change``,
    ``<table>_search_terms_changes``), so a second writer of the same clinic commits while the first is still open.
    With the counts updated in place, the second waited on the first's count rows until it committed (here: past
    the lock timeout). The counts are right before and after the changes are folded in."""
    animal = build_metadata(REGISTRY.values()).tables["animal"]
    with migrated_database("postgresql", tmp_path) as url:
        db = sa.create_engine(url)
        with db.begin() as conn:
            clinic = conn.execute(sa.text("INSERT INTO clinic (slug, name, created_at) VALUES ('a', 'A', 0) "
                                          "RETURNING id")).scalar_one()

        def new_animal(conn: sa.Connection, name: str) -> None:
            records.insert(conn, animal, clinic, {"name": name, "active": True, "created_at": 0, "modified_at": 0})

        with db.connect() as first:
            first.begin()
            new_animal(first, "Bella")
            with db.connect() as second, second.begin():
                second.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
                new_animal(second, "Isabel")  # the same clinic, table and trigrams as the open write
            first.commit()
        bel = [Condition("name", "contains", "BEL")]
        with db.begin() as conn:
            assert (records.count(conn, animal, clinic, []), records.count(conn, animal, clinic, bel)) == (2, 2)
            assert records.fold_counts(conn, [animal])
        with db.connect() as conn:
            assert unfolded(conn, "animal") == 0
            assert conn.exec_driver_sql("SELECT count(*) FROM record_count_change").scalar_one() == 0
            assert (records.count(conn, animal, clinic, []), records.count(conn, animal, clinic, bel)) == (2, 2)
        db.dispose()


def test_the_dispatchers_rounds_fold_the_appended_counts(api, engine):
    """The dispatcher's rounds (``openvet serve``, ``openvet worker``) fold the changes writers appended to the
    counts (PostgreSQL), at most every ``FOLD_EVERY`` seconds; SQLite has nothing to fold."""
    owner = api.new_contact()["id"]
    api.new_animal(contact_id=owner, name="Mabel")
    postgresql = engine.db.dialect.name == "postgresql"
    assert schedule.fold(engine, every=0) is postgresql
    assert schedule.fold(engine) is False  # just done: not again before FOLD_EVERY seconds
    if postgresql:
        with engine.db.connect() as conn:
            assert unfolded(conn, "animal") == 0
            assert conn.exec_driver_sql("SELECT count(*) FROM record_count_change").scalar_one() == 0
    response = api.get("/v1/animal", params={"name": json.dumps({"like": "abe"}), "limit": "1"})
    assert int(response.json()["meta"]["items_total"]) == 1
    response = api.get("/v1/animal", params={"limit": "1"})
    assert int(response.json()["meta"]["items_total"]) == 1
