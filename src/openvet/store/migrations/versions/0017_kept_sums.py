"""kept sums (store/sums.py): the stock ledger's totals the stocklevel question reads, kept by triggers as the ledger
changes (``stocktransaction_sum_in_stock``: per product; ``stocktransaction_sum_moved_out``: per product and UTC
day), counted here from the rows already there. On PostgreSQL the triggers append to ``…_changes`` tables, folded
in by the dispatcher, as the counts of 0016 are.

The sums are written out here as they were declared when this revision was made (resources/stock.py), not read
from the code, so that a later change of the declaration needs a revision of its own.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from openvet.store.sums import Kept, create_kept_sum, drop_kept_sum

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

MOVED = (("alter_stock", "eq", True), ("status", "eq", "Finalised"), ("active", "eq", True))
SUMS = (Kept("stocktransaction", "in_stock", "quantity", "product_id", MOVED),
        Kept("stocktransaction", "moved_out", "quantity", "product_id",
             (*MOVED, ("quantity", "lt", 0), ("for_class", "neq", "ReceiveInvoiceItem")), "date"))


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for kept in SUMS:
        for statement in create_kept_sum(kept, dialect):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for kept in SUMS:
        for statement in drop_kept_sum(kept, dialect):
            op.execute(statement)
