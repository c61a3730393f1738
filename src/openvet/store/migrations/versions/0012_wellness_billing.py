"""wellness against billing: a PriceAdjustment's associated_type names an InvoiceLine (a wellness benefit taken
by a line, a cancellation fee invoiced)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('priceadjustment', schema=None) as batch_op:
        batch_op.alter_column('associated_type', existing_type=sa.String(length=15), type_=sa.String(length=19),
                              existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('priceadjustment', schema=None) as batch_op:
        batch_op.alter_column('associated_type', existing_type=sa.String(length=19), type_=sa.String(length=15),
                              existing_nullable=True)
