"""credentials act as a User of their clinic: what they create, change and approve names that User (Invoice
created_by, modified_by, approved_by)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('credential', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('credential', schema=None) as batch_op:
        batch_op.drop_column('user_id')
