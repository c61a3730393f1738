"""trigram counts: beside each FTS5 search index (SQLite), ``<table>_search_terms`` counts the clinic's rows that
hold each trigram of each searched column, kept by the search triggers; the count of a three-character
``like`` is then one lookup (store/filters.py). PostgreSQL is unchanged.

The searched tables are read from the database (its FTS5 tables and their columns), not from the code: this
revision acts on the search indexes that exist when it runs. Their counts are made from the rows already there.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from openvet.store.schema import Search, create_search_terms, search_triggers

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def _searches() -> list[Search]:
    conn = op.get_bind()
    found = []
    for (fts,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_search' "
                                       "ESCAPE '\\' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%' ORDER BY name").all():
        columns = tuple(row[1] for row in conn.exec_driver_sql(f'PRAGMA table_info("{fts}")').all())
        found.append(Search(fts.removesuffix("_search"), columns))
    return found


def _replace_triggers(search: Search, terms: bool) -> None:
    for name in search.triggers():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in search_triggers(search, terms=terms):
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for search in _searches():
        for statement in create_search_terms(search, "sqlite"):
            op.execute(statement)
        _replace_triggers(search, terms=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for search in _searches():
        _replace_triggers(search, terms=False)
        op.execute(f"DROP TABLE IF EXISTS {search.terms}")
