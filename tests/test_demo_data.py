"""Demo data: lookups, then owners and animals in bulk, on SQLite and (when configured) PostgreSQL.

Checked with SQL: counts, links between records, record_count, unique ids and microchips, and that one
clinic's demo data never touches another's.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from conftest import migrated_database
from openvet import demo
from openvet.demo import bulk
from openvet.engine import Engine
from openvet.resources import REGISTRY
from openvet.services.credentials import create_clinic
from openvet.store import records
from openvet.store.database import connect
from openvet.store.filters import Condition

pytestmark = pytest.mark.both_databases  # behaviour that differs between the databases

TABLES = [resource.table for resource in REGISTRY.values() if not resource.listed_by]  # (WebHookEvents: no table)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """Bulk loading is checked against row counts: every test here gets an empty database of its own
    (this overrides the shared, session-wide ``engine`` of conftest.py for this module only)."""
    with migrated_database(request.param, tmp_path) as url:
        made = Engine(connect(url))
        yield made
        made.close()


def new_clinic(engine: Engine, slug: str) -> int:
    with engine.db.begin() as conn:
        clinic_id = create_clinic(conn, slug, slug.title())
    demo.seed_settings(engine, clinic_id, "Pacific/Auckland")
    demo.seed_lookups(engine, clinic_id)
    return clinic_id


def scalar(engine: Engine, sql: str, **params) -> int:
    with engine.db.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def clinic_rows(engine: Engine, clinic_id: int) -> dict[str, list[tuple]]:
    with engine.db.connect() as conn:
        return {name: [tuple(row) for row in conn.execute(
                    sa.select(engine.tables[name]).where(engine.tables[name].c.clinic_id == clinic_id)
                    .order_by(engine.tables[name].c.id))]
                for name in TABLES}


def check_clinic(engine: Engine, clinic_id: int, animals: int) -> None:
    c = {"c": clinic_id}
    assert scalar(engine, "SELECT count(*) FROM animal WHERE clinic_id = :c", **c) == animals
    # every animal's owner is a contact of the same clinic
    assert scalar(engine, "SELECT count(*) FROM animal a LEFT JOIN contact o ON o.id = a.contact_id "
                          "AND o.clinic_id = a.clinic_id WHERE a.clinic_id = :c AND o.id IS NULL", **c) == 0
    # every breed belongs to the animal's species, and lookups are the clinic's own
    assert scalar(engine, "SELECT count(*) FROM animal a JOIN breed b ON b.id = a.breed_id "
                          "WHERE a.clinic_id = :c AND (b.species_id <> a.species_id "
                          "OR b.clinic_id <> a.clinic_id)", **c) == 0
    assert scalar(engine, "SELECT count(*) FROM animal a LEFT JOIN species s ON s.id = a.species_id "
                          "AND s.clinic_id = a.clinic_id WHERE a.clinic_id = :c AND s.id IS NULL", **c) == 0
    assert scalar(engine, "SELECT count(*) FROM animal a LEFT JOIN sex s ON s.id = a.sex_id "
                          "AND s.clinic_id = a.clinic_id WHERE a.clinic_id = :c AND s.id IS NULL", **c) == 0
    # owners: one to three contact details each, of the seeded types, and a physical address of their own
    owner = "o.clinic_id = :c AND EXISTS (SELECT 1 FROM animal a WHERE a.contact_id = o.id)"
    assert scalar(engine, f"SELECT count(*) FROM contact o WHERE {owner} AND NOT EXISTS "
                          "(SELECT 1 FROM contactdetail d WHERE d.contact_id = o.id)", **c) == 0
    assert scalar(engine, "SELECT count(*) FROM contactdetail d LEFT JOIN contactdetailtype t "
                          "ON t.id = d.contact_detail_type_id AND t.clinic_id = d.clinic_id "
                          "WHERE d.clinic_id = :c AND t.id IS NULL", **c) == 0
    assert scalar(engine, "SELECT count(*) FROM contact o LEFT JOIN address a ON a.id = o.address_physical "
                          "AND a.for_resource_type = 'Contact' AND a.for_resource_id = o.id "
                          f"AND a.clinic_id = o.clinic_id WHERE {owner} AND a.id IS NULL", **c) == 0
    owners = scalar(engine, "SELECT count(DISTINCT contact_id) FROM animal WHERE clinic_id = :c", **c)
    assert animals / 2.5 < owners < animals
    # record_count says what is really there
    with engine.db.connect() as conn:
        query = sa.text("SELECT resource, total FROM record_count WHERE clinic_id = :c")
        counted = dict(conn.execute(query, c).all())
        for name in TABLES:
            table = engine.tables[name]
            real = conn.execute(sa.select(sa.func.count()).where(table.c.clinic_id == clinic_id)).scalar_one()
            assert counted.get(name, 0) == real, name
    # ids and microchips are unique, guids and uids are filled
    for name in ("animal", "contact", "contactdetail", "address"):
        assert scalar(engine, f"SELECT count(*) - count(DISTINCT id) FROM {name}") == 0
    assert scalar(engine, "SELECT count(microchip_number) - count(DISTINCT microchip_number) "
                          "FROM animal") == 0
    assert scalar(engine, "SELECT count(*) FROM animal WHERE microchip_number IS NOT NULL "
                          "AND length(microchip_number) <> 15") == 0
    assert scalar(engine, "SELECT count(*) FROM animal WHERE clinic_id = :c AND (guid IS NULL "
                          "OR length(guid) <> 36)", **c) == 0
    assert scalar(engine, "SELECT count(*) FROM contact WHERE clinic_id = :c AND uid NOT LIKE 'contact\\_%' "
                          "ESCAPE '\\'", **c) == 0
    assert scalar(engine, "SELECT count(*) FROM animal WHERE clinic_id = :c AND (active IS NULL "
                          "OR created_at IS NULL OR modified_at < created_at)", **c) == 0
    check_search(engine, clinic_id)


SEARCHED = (("animal", "name"), ("animal", "microchip_number"), ("contact", "last_name"),
            ("contact", "first_name"), ("contactdetail", "value_cleaned"), ("address", "post_code"))


def check_search(engine: Engine, clinic_id: int) -> None:
    """Rows written in bulk (executemany on SQLite, COPY on PostgreSQL) are found by contains exactly as a
    scan of the table finds them: fragments of real values, a letter, and a fragment found nowhere."""
    postgresql = engine.db.dialect.name == "postgresql"
    with engine.db.connect() as conn:
        for name, column in SEARCHED:
            table = engine.tables[name]
            values = [v for (v,) in conn.execute(sa.select(table.c[column]).where(
                table.c.clinic_id == clinic_id, table.c[column].is_not(None)).order_by(table.c.id).limit(3))]
            fragments = {v[1:5].upper() for v in values if len(v) > 4} | {"a", "zqxj"}
            for fragment in sorted(fragments):
                column_sql = f"lower({column}) LIKE lower(:p)" if postgresql else f"{column} LIKE :p"
                scanned = [i for (i,) in conn.execute(sa.text(
                    f"SELECT id FROM {name} WHERE clinic_id = :c AND {column_sql} ORDER BY id"),
                    {"c": clinic_id, "p": f"%{fragment}%"})]
                conditions = [Condition(column, "contains", fragment)]
                assert records.count(conn, table, clinic_id, conditions) == len(scanned), (name, column, fragment)
                assert records.select_ids(conn, table, clinic_id, conditions, 50) == scanned[:50], (name, fragment)
            if not postgresql:
                conn.exec_driver_sql(f"INSERT INTO {name}_search ({name}_search, rank) "
                                     "VALUES ('integrity-check', 1)")


def test_lookups_are_seeded_once(engine):
    clinic_id = new_clinic(engine, "riverside")
    before = clinic_rows(engine, clinic_id)
    demo.seed_lookups(engine, clinic_id)
    demo.seed_settings(engine, clinic_id, "Europe/Helsinki")
    assert clinic_rows(engine, clinic_id) == before
    assert scalar(engine, "SELECT provet_code FROM species WHERE name = 'Canine'") == 22001
    assert scalar(engine, "SELECT provet_code FROM sex WHERE abbreviation = 'F'") == 2
    assert scalar(engine, "SELECT count(*) FROM systemsetting WHERE timezone = 'Pacific/Auckland'") == 1
    assert scalar(engine, "SELECT count(*) FROM separation s JOIN separation p ON p.id = s.parent "
                          "WHERE s.type = 'Location' AND p.type = 'Division'") == 3
    assert scalar(engine, "SELECT count(*) FROM species s WHERE NOT EXISTS "
                          "(SELECT 1 FROM breed b WHERE b.species_id = s.id)") == 0


def test_load_animals(engine):
    clinic_id = new_clinic(engine, "riverside")
    demo.load_animals(engine, clinic_id, 300, show_progress=False)
    check_clinic(engine, clinic_id, 300)
    # the records read back through the engine, and new records still get fresh ids (sequences advanced)
    animal_id = scalar(engine, "SELECT max(id) FROM animal WHERE clinic_id = :c", c=clinic_id)
    animal = engine.get(clinic_id, REGISTRY["animal"], animal_id)
    owner = engine.get(clinic_id, REGISTRY["contact"], animal["contact_id"])
    assert owner["contact_detail_list"] and owner["last_name"]
    with engine.db.begin() as conn:
        added = records.insert(conn, engine.tables["contact"], clinic_id,
                               {"last_name": "Walk-in", "active": True, "created_at": 0, "modified_at": 0})
    assert added > scalar(engine, "SELECT max(id) FROM contact WHERE id <> :i", i=added)
    demo.load_animals(engine, clinic_id, 50, show_progress=False)
    check_clinic(engine, clinic_id, 350)


def test_a_second_clinic_leaves_the_first_alone(engine):
    first = new_clinic(engine, "riverside")
    demo.load_animals(engine, first, 300, show_progress=False)
    before = clinic_rows(engine, first)
    second = new_clinic(engine, "hillcrest")
    demo.load_animals(engine, second, 120, show_progress=False)
    assert clinic_rows(engine, first) == before
    check_clinic(engine, first, 300)
    check_clinic(engine, second, 120)


def test_ids_taken_meanwhile_are_skipped(engine, monkeypatch):
    """If another writer takes the ids counted on (SQLite), the rows move past them, links included."""
    clinic_id = new_clinic(engine, "riverside")
    demo.load_animals(engine, clinic_id, 100, show_progress=False)
    made = bulk.NextIds.__init__

    def counting_from_one(self, *args):
        made(self, *args)
        self.next = dict.fromkeys(self.next, 1)

    monkeypatch.setattr(bulk.NextIds, "__init__", counting_from_one)
    monkeypatch.setattr(demo, "CHUNK", 40)
    demo.load_animals(engine, clinic_id, 200, show_progress=False)
    check_clinic(engine, clinic_id, 300)


def test_progress_and_summary_go_to_stderr(engine, capsys):
    clinic_id = new_clinic(engine, "riverside")
    demo.load_animals(engine, clinic_id, 30, show_progress=True)
    out, err = capsys.readouterr()
    assert out == ""
    assert "Loaded 30 animals" in err


def test_loading_twice_never_repeats_a_guid(engine):
    from openvet.services import clinics

    clinic_id = clinics.create_clinic(engine, f"guids-{uuid.uuid4().hex[:8]}", "Guids", "UTC")
    for _ in range(2):
        demo.load_animals(engine, clinic_id, 40, show_progress=False)
    table = engine.tables["animal"]
    with engine.db.connect() as conn:
        guids = [row.guid for row in conn.execute(sa.select(table.c.guid).where(table.c.clinic_id == clinic_id))]
    assert len(guids) == 80 and len(set(guids)) == 80
