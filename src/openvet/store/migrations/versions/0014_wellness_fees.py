"""wellness fees: a membership keeps what of its subscription is billed (billed_cycles) and when its next bill falls
due (next_bill_date, indexed: renew_due finds the bills due by it). Memberships made before keep both null: nothing
is billed for them behind the clinic's back (docs/wellness.md)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('wellnessplanmembership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('billed_cycles', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('next_bill_date', sa.BigInteger(), nullable=True))
        batch_op.create_index('ix_wellnessplanmembership_next_bill_date', ['clinic_id', 'next_bill_date'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('wellnessplanmembership', schema=None) as batch_op:
        batch_op.drop_index('ix_wellnessplanmembership_next_bill_date')
        batch_op.drop_column('next_bill_date')
        batch_op.drop_column('billed_cycles')
