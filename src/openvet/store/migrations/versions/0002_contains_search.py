"""like means contains: trigram search indexes replace the case-insensitive prefix indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

The searched columns are written out as they are at this revision (a later migration that adds a searched
field drops and creates its table's search again); the DDL itself comes from ``store/schema.py``, the
code the metadata runs too. Each search index is filled from the rows already there.
"""

from __future__ import annotations

from alembic import op

from openvet.store.schema import Search, create_search, drop_search

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

SEARCHED = (
    Search('country', ('name',)),
    Search('user', ('name', 'code')),
    Search('contact', ('code', 'first_name', 'last_name', 'business_name')),
    Search('contactdetail', ('value_cleaned',)),
    Search('contactdetailtype', ('name',)),
    Search('address', ('post_code',)),
    Search('animal', ('name', 'code', 'microchip_number')),
    Search('animalcolour', ('name',)),
    Search('species', ('name',)),
    Search('breed', ('name',)),
    Search('sex', ('name',)),
)

# 0001's case-insensitive prefix indexes: a pattern that starts with % cannot use them.
PREFIX_INDEXED = (
    ('country', 'name'),
    ('user', 'name'),
    ('user', 'code'),
    ('contact', 'code'),
    ('contact', 'first_name'),
    ('contact', 'last_name'),
    ('contact', 'business_name'),
    ('contactdetail', 'value_cleaned'),
    ('contactdetailtype', 'name'),
    ('address', 'post_code'),
    ('animal', 'name'),
    ('animal', 'code'),
    ('animal', 'microchip_number'),
    ('animalcolour', 'name'),
    ('species', 'name'),
    ('breed', 'name'),
    ('sex', 'name'),
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    suffix = {"sqlite": "nocase", "postgresql": "lower"}.get(dialect)
    for table, column in PREFIX_INDEXED:
        if suffix:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_{suffix}")
    for search in SEARCHED:
        for statement in create_search(search, dialect):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for search in SEARCHED:
        for statement in drop_search(search, dialect):
            op.execute(statement)
    if dialect == "postgresql":
        op.execute("DROP EXTENSION IF EXISTS pg_trgm")
    for table, column in PREFIX_INDEXED:
        if dialect == "sqlite":
            op.execute(f'CREATE INDEX ix_{table}_{column}_nocase ON "{table}" (clinic_id, {column} COLLATE NOCASE)')
        elif dialect == "postgresql":
            op.execute(f'CREATE INDEX ix_{table}_{column}_lower ON "{table}" (clinic_id, lower({column}) text_pattern_ops)')
