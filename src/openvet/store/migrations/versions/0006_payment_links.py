"""payment links: Provet Pay POS transactions (the Provet API's postransaction)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import openvet.store.types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('postransaction',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('amount', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('terminal_id', sa.BigInteger(), nullable=True),
    sa.Column('payment_type', sa.BigInteger(), nullable=True),
    sa.Column('transaction_type', sa.BigInteger(), nullable=True),
    sa.Column('creator_id', sa.BigInteger(), nullable=True),
    sa.Column('separation_id', sa.BigInteger(), nullable=True),
    sa.Column('contact_id', sa.BigInteger(), nullable=True),
    sa.Column('invoice_id', sa.BigInteger(), nullable=True),
    sa.Column('payment_method_id', sa.BigInteger(), nullable=True),
    sa.Column('payment_id', sa.BigInteger(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('aborted_at', sa.BigInteger(), nullable=True),
    sa.Column('paid_at', sa.BigInteger(), nullable=True),
    sa.Column('link_external_id', sa.String(length=64), nullable=True),
    sa.Column('link_duration', sa.BigInteger(), nullable=True),
    sa.Column('link_expires_at', sa.BigInteger(), nullable=True),
    sa.Column('link_email', sa.String(length=254), nullable=True),
    sa.Column('link_phone', sa.String(length=64), nullable=True),
    sa.Column('link_delivery_method', sa.BigInteger(), nullable=True),
    sa.Column('link_description', sa.Text(), nullable=True),
    sa.Column('link_return_url', sa.Text(), nullable=True),
    sa.Column('link_tokenize', sa.String(length=11), nullable=True),
    sa.Column('link_recurring_model', sa.String(length=20), nullable=True),
    sa.Column('link_payment_status', sa.BigInteger(), nullable=True),
    sa.Column('link_delivery_status', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('postransaction', schema=None) as batch_op:
        batch_op.create_index('ix_postransaction_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_postransaction_contact_id', ['clinic_id', 'contact_id'], unique=False)
        batch_op.create_index('ix_postransaction_invoice_id', ['clinic_id', 'invoice_id'], unique=False)
        batch_op.create_index('ix_postransaction_link_external_id', ['clinic_id', 'link_external_id'], unique=False)
        batch_op.create_index('ix_postransaction_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_postransaction_payment_id', ['clinic_id', 'payment_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('postransaction', schema=None) as batch_op:
        batch_op.drop_index('ix_postransaction_payment_id')
        batch_op.drop_index('ix_postransaction_modified_at')
        batch_op.drop_index('ix_postransaction_link_external_id')
        batch_op.drop_index('ix_postransaction_invoice_id')
        batch_op.drop_index('ix_postransaction_contact_id')
        batch_op.drop_index('ix_postransaction_clinic_id')

    op.drop_table('postransaction')
