"""appended counts (PostgreSQL): writers append their differences to ``record_count_change`` and to each search
index's ``<table>_search_terms_changes`` instead of updating the counts in place, and the dispatcher folds them in
(store/records.py ``fold_counts``). Beside each trigram index, ``<table>_search_terms`` counts the clinic's rows
that hold each trigram of each searched column, as on SQLite since 0015: the count of a three-character ``like``
is then a lookup. ``record_count_change`` is made on SQLite too (one schema), where it stays empty.

The searched tables are read from the database (its ``ix_<table>_<column>_trgm`` indexes), not from the code: this
revision acts on the search indexes that exist when it runs. Their counts are made from the rows already there.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from openvet.store.records import fold_counts
from openvet.store.schema import Search, create_search_terms, drop_postgres_terms

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def _searches() -> list[Search]:
    """PostgreSQL: the searched tables and columns, from the trigram indexes (columns in table order)."""
    conn = op.get_bind()
    found: dict[str, list[tuple[int, str]]] = {}
    rows = conn.exec_driver_sql(
        "SELECT i.tablename, i.indexname, c.ordinal_position, c.column_name FROM pg_indexes AS i "
        "JOIN information_schema.columns AS c ON c.table_schema = i.schemaname AND c.table_name = i.tablename "
        "AND i.indexname = 'ix_' || i.tablename || '_' || c.column_name || '_trgm' "
        "WHERE i.schemaname = current_schema() ORDER BY i.tablename").all()
    for table, _, position, column in rows:
        found.setdefault(table, []).append((position, column))
    return [Search(table, tuple(column for _, column in sorted(columns))) for table, columns in found.items()]


def upgrade() -> None:
    op.create_table('record_count_change',
                    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
                    sa.Column('resource', sa.String(length=64), nullable=False),
                    sa.Column('total', sa.BigInteger(), nullable=False))
    op.create_index('ix_record_count_change_clinic_id', 'record_count_change', ['clinic_id', 'resource'],
                    unique=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    for search in _searches():
        for statement in create_search_terms(search, "postgresql"):
            op.execute(statement)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        found = _searches()
        fold_counts(conn, [])  # record_count alone: it takes back what was appended to it
        for search in found:
            for statement in drop_postgres_terms(search):  # the trigram indexes stay
                op.execute(statement)
    op.drop_index('ix_record_count_change_clinic_id', table_name='record_count_change')
    op.drop_table('record_count_change')
