"""The migrations build exactly the schema the registry declares, on both databases."""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from openvet.resources import REGISTRY
from openvet.store.schema import build_metadata


def _comparable(obj, name, kind, reflected, compare_to) -> bool:
    """Expression indexes (case-insensitive LIKE, one per database) cannot be reflected; the last test checks them."""
    return not (kind == "index" and name and name.endswith(("_nocase", "_lower")))


def test_migrations_match_the_registry(engine):
    """A declaration changed without a migration shows up here (``alembic revision --autogenerate``)."""
    with engine.db.connect() as conn, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _comparable})
        differences = compare_metadata(context, build_metadata(REGISTRY.values()))
    assert differences == []


def test_every_declared_resource_has_its_table_and_clinic_index(engine):
    inspector = sa.inspect(engine.db)
    tables = set(inspector.get_table_names())
    for resource in REGISTRY.values():
        assert resource.table in tables
        indexes = {tuple(i["column_names"]) for i in inspector.get_indexes(resource.table)}
        assert ("clinic_id", "id") in indexes


def test_like_searched_columns_have_a_case_insensitive_index(engine):
    inspector = sa.inspect(engine.db)
    names = {i["name"] for i in inspector.get_indexes("animal")}
    suffix = "_nocase" if engine.db.dialect.name == "sqlite" else "_lower"
    assert f"ix_animal_name{suffix}" in names
