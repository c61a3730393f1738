"""throttling: the counters of the request budgets when no Redis holds them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('throttle_bucket',
    sa.Column('bucket', sa.String(length=160), nullable=False),
    sa.Column('window_start', sa.BigInteger(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('endpoints', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('bucket')
    )


def downgrade() -> None:
    op.drop_table('throttle_bucket')
