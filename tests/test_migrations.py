"""The migrations build exactly the schema the registry declares, on both databases, search indexes included."""

from __future__ import annotations

import warnings

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from conftest import migrated_database
from openvet.resources import REGISTRY
from openvet.store import records
from openvet.store.filters import Condition
from openvet.store.migrate import alembic_config, upgrade
from openvet.store.schema import build_metadata, create_search, search_objects, searched_columns

pytestmark = pytest.mark.both_databases  # behaviour that differs between the databases


def test_migrations_match_the_registry(engine):
    """A declaration changed without a migration shows up here (``alembic revision --autogenerate``)."""
    metadata = build_metadata(REGISTRY.values())
    searches = search_objects(metadata)  # Alembic cannot see them: the tests below check them
    with engine.db.connect() as conn, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "include_name": lambda name, _type, _parents: name not in searches})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_every_declared_resource_has_its_table_and_clinic_index(engine):
    inspector = sa.inspect(engine.db)
    tables = set(inspector.get_table_names())
    for resource in (r for r in REGISTRY.values() if not r.listed_by):  # WebHookEvents is worked out
        assert resource.table in tables
        indexes = {tuple(i["column_names"]) for i in inspector.get_indexes(resource.table)}
        assert ("clinic_id", "id") in indexes


def test_the_searched_fields_are_the_indexed_text_fields():
    """Derived from the declarations, not from a list: what ``like`` must find fast at a million records."""
    searched = {(r.table, c) for r in REGISTRY.values() for c in searched_columns(r)}
    assert {("animal", "name"), ("animal", "code"), ("animal", "microchip_number"), ("contact", "last_name"),
            ("contactdetail", "value_cleaned"), ("address", "post_code")} <= searched
    assert ("contact", "uid") not in searched  # indexed and likeable, but opaque: no substring index
    assert ("animal", "notes") not in searched  # searchable text, but not declared index=True


def test_every_searched_field_has_its_search_index(engine):
    """SQLite: the FTS5 table, its source view and triggers, exactly as the metadata makes them;
    PostgreSQL: the trigram GIN index of each searched column. Nothing else is left behind (the
    case-insensitive prefix indexes of the first migration are gone)."""
    metadata = build_metadata(REGISTRY.values())
    with engine.db.connect() as conn:
        if conn.dialect.name == "sqlite":
            made = {name: sql for name, sql in conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'view', 'trigger')")}
            leftovers = [n for (n,) in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%nocase'")]
        else:
            made = {name: sql for name, sql in conn.exec_driver_sql(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")}
            leftovers = [n for n in made if n.endswith("_lower")]
            assert conn.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").scalar() == 1
    assert leftovers == []
    found = 0
    for resource in (r for r in REGISTRY.values() if not r.listed_by):
        table = metadata.tables[resource.table]
        columns = searched_columns(resource)
        search = table.info.get("search")
        assert (search.columns if search else ()) == columns
        if not columns:
            continue
        if engine.db.dialect.name == "sqlite":
            expected = [s.replace(" IF NOT EXISTS", "") for s in create_search(search, "sqlite")
                        if s.startswith("CREATE")]
            names = [search.source, search.fts, search.terms, *search.triggers()]
            assert [made.get(name) for name in names] == expected, resource.table
            found += len(columns)
        else:
            for column in columns:
                definition = made.get(search.trigram_index(column), "")
                assert "USING gin (lower(" in definition and f"{column})" in definition, (column, definition)
                assert "gin_trgm_ops" in definition
                found += 1
    if engine.db.dialect.name == "postgresql":
        assert found == sum(1 for n in made if n.endswith("_trgm"))
    assert found >= 17


def test_a_database_made_from_the_metadata_has_the_same_search_objects(tmp_path):
    """``build_metadata(...).create_all`` (DDL events) and the migration write the same search objects."""
    url = f"sqlite:///{tmp_path / 'made.sqlite3'}"
    db = sa.create_engine(url)
    metadata = build_metadata(REGISTRY.values())
    metadata.create_all(db)
    query = "SELECT type, name, sql FROM sqlite_master WHERE name IN ({})".format(
        ", ".join(f"'{n}'" for n in sorted(search_objects(metadata))))
    with db.connect() as conn:
        made = sorted(conn.exec_driver_sql(query).all())
    migrated_url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    upgrade(migrated_url)
    migrated = sa.create_engine(migrated_url)
    with migrated.connect() as conn:
        assert sorted(conn.exec_driver_sql(query).all()) == made
    assert len(made) > 11 * 5
    metadata.drop_all(db)
    with db.connect() as conn:
        assert conn.exec_driver_sql(query).all() == []
    db.dispose()
    migrated.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_search_migration_indexes_the_rows_already_there(backend, tmp_path):
    """0002 on a database with records: the search finds them at once; its downgrade gives the prefix
    indexes back, and upgrading again fills the search again."""
    metadata = build_metadata(REGISTRY.values())
    animal = metadata.tables["animal"]
    with migrated_database(backend, tmp_path, "0001") as url:
        db = sa.create_engine(url)
        with db.begin() as conn:
            clinic = conn.execute(sa.text("INSERT INTO clinic (slug, name, created_at) VALUES ('a', 'A', 0) "
                                          "RETURNING id")).scalar_one()
            for name in ("Bella", "Isabel", "Max", "BELINDA"):
                conn.execute(sa.insert(animal).values(clinic_id=clinic, name=name, microchip_number="985000111"))

        def found(value: str) -> int:
            with db.connect() as conn:
                return records.count(conn, animal, clinic, [Condition("name", "contains", value)])

        def indexes() -> set[str]:
            return {i["name"] for i in sa.inspect(db).get_indexes("animal")}

        suffix = "_nocase" if backend == "sqlite" else "_lower"
        assert f"ix_animal_name{suffix}" in indexes()
        upgrade(url, "0002")  # not head: later migrations change these tables too
        assert (found("bel"), found("BEL"), found("ax"), found("zzz")) == (3, 3, 1, 0)
        assert f"ix_animal_name{suffix}" not in indexes()
        command.downgrade(alembic_config(url), "0001")
        assert f"ix_animal_name{suffix}" in indexes()
        with db.connect() as conn:
            if backend == "sqlite":
                left = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE name LIKE '%search%'").all()
            else:
                left = conn.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%trgm'").all()
            assert left == []
        with db.begin() as conn:
            conn.execute(sa.insert(animal).values(clinic_id=clinic, name="Abel"))
        upgrade(url, "0002")
        assert found("bel") == 4
        db.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_trigram_counts_migration_counts_the_rows_already_there(tmp_path, backend):
    """0015 on a SQLite database with records, 0016 on a PostgreSQL one: every search index gets its trigram
    counts, counted from the rows there, and its triggers keep them from then on; the downgrade takes them away
    again (and on PostgreSQL gives record_count back what was appended to it)."""
    from test_search import expected_terms, held_terms

    metadata = build_metadata(REGISTRY.values())
    animal, contact = metadata.tables["animal"], metadata.tables["contact"]
    before = {"sqlite": "0014", "postgresql": "0015"}[backend]

    def count_tables(conn: sa.Connection) -> set[str]:
        return {name for name in sa.inspect(conn).get_table_names() if name.endswith("_search_terms")}

    with migrated_database(backend, tmp_path) as url:
        # the earlier migrations make their search indexes with today's create_search (terms included): going
        # down leaves the database as the revision before made it, before the counts existed
        command.downgrade(alembic_config(url), before)
        db = sa.create_engine(url)
        with db.begin() as conn:
            clinic = conn.execute(sa.text("INSERT INTO clinic (slug, name, created_at) VALUES ('a', 'A', 0) "
                                          "RETURNING id")).scalar_one()
            for name in ("Bella", "Isabel", "BELINDA", None):
                conn.execute(sa.insert(animal).values(clinic_id=clinic, name=name, microchip_number="985000111"))
            conn.execute(sa.insert(contact).values(clinic_id=clinic, first_name="Ann", last_name="Bellamy"))
            assert count_tables(conn) == set()
            conn.execute(sa.text("INSERT INTO record_count (clinic_id, resource, total) VALUES (:c, 'animal', 4)"),
                         {"c": clinic})
        upgrade(url)
        with db.begin() as conn:
            conn.execute(sa.insert(animal).values(clinic_id=clinic, name="Abel"))
            records.add_to_count(conn, clinic, "animal", 1)
        with db.connect() as conn:
            for table, column in (("animal", "name"), ("animal", "microchip_number"), ("contact", "last_name")):
                assert held_terms(conn, table, column) == expected_terms(conn, table, column)
            assert held_terms(conn, "animal", "name")[(clinic, "bel")] == 4
            assert records.count(conn, animal, clinic, [Condition("name", "contains", "BEL")]) == 4
            assert records.count(conn, animal, clinic, []) == 5
            assert {"animal_search_terms", "contact_search_terms", "product_search_terms"} <= count_tables(conn)
        command.downgrade(alembic_config(url), before)
        with db.begin() as conn:
            assert count_tables(conn) == set()
            conn.execute(sa.insert(animal).values(clinic_id=clinic, name="Belle"))  # the triggers still work
            assert records.count(conn, animal, clinic, [Condition("name", "contains", "bell")]) == 2
            total = conn.execute(sa.text("SELECT total FROM record_count WHERE clinic_id = :c AND resource = 'animal'"),
                                 {"c": clinic}).scalar_one()
            assert total == 5  # what was appended on PostgreSQL came back into record_count
        db.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_kept_sums_migration_counts_the_ledger_already_there(tmp_path, backend):
    """0017 on a database with stock movements: the stock ledger's kept sums are counted from the rows there and
    kept from then on; its downgrade takes them away."""
    from decimal import Decimal

    from test_kept_sums import MOVED, PRODUCTS, ledger_row

    ledger = build_metadata(REGISTRY.values()).tables["stocktransaction"]

    def sums_tables(conn: sa.Connection) -> set[str]:
        return {name for name in sa.inspect(conn).get_table_names() if name.startswith("stocktransaction_sum_")}

    with migrated_database(backend, tmp_path) as url:
        command.downgrade(alembic_config(url), "0016")
        db = sa.create_engine(url)
        with db.begin() as conn:
            clinic = conn.execute(sa.text("INSERT INTO clinic (slug, name, created_at) VALUES ('a', 'A', 0) "
                                          "RETURNING id")).scalar_one()
            assert sums_tables(conn) == set()
            for row in (ledger_row(901, "6", 20_000), ledger_row(901, "-1.5", 20_001), ledger_row(902, "3", 20_000),
                        ledger_row(902, "9", 20_000, status="Pending")):
                conn.execute(sa.insert(ledger).values(clinic_id=clinic, **row))
        upgrade(url)
        with db.begin() as conn:
            conn.execute(sa.insert(ledger).values(clinic_id=clinic, **ledger_row(902, "-1", 20_002)))
        with db.connect() as conn:
            assert {"stocktransaction_sum_in_stock", "stocktransaction_sum_moved_out"} <= sums_tables(conn)
            kept = records.kept_totals(conn, ledger, "in_stock", clinic, PRODUCTS)
            assert kept == records.totals(conn, ledger, clinic, "quantity", "product_id", PRODUCTS, MOVED)
            assert kept == {901: Decimal("4.5"), 902: Decimal("2")}
            assert records.kept_totals(conn, ledger, "moved_out", clinic, PRODUCTS, 20_001) == {
                901: Decimal("-1.5"), 902: Decimal("-1")}
        command.downgrade(alembic_config(url), "0016")
        with db.connect() as conn:
            assert sums_tables(conn) == set()
        db.dispose()
