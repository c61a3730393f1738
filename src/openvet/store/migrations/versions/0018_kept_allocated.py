"""kept sums (store/sums.py): what Allocated invoice lines reserve, per product (``invoiceline_sum_allocated``), for
the stocklevel question's ``allocated``; counted here from the lines already there. On a million-animal SQLite
database the grouped query over the lines took 4.1 s: its planner cannot tell that Allocated lines are few among
five million, and walked each product's lines.

The sum is written out here as it was declared when this revision was made (resources/billing.py).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from openvet.store.sums import Kept, create_kept_sum, drop_kept_sum

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

ALLOCATED = Kept("invoiceline", "allocated", "quantity", "product_id",
                 (("status", "eq", "Allocated"), ("active", "eq", True)))


def upgrade() -> None:
    for statement in create_kept_sum(ALLOCATED, op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_kept_sum(ALLOCATED, op.get_bind().dialect.name):
        op.execute(statement)
