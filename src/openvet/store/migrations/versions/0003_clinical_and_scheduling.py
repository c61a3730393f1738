"""the engine grown: the installation's signing key; the clinical and scheduling records

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('server_key',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    # made once per database: every process and server of the installation signs with the same key
    op.execute(sa.text("INSERT INTO server_key (name, value) VALUES ('signing', :v)").bindparams(
        v=secrets.token_hex(32)))


def downgrade() -> None:
    op.drop_table('server_key')
