"""purchasing: purchase orders and receipts; stock adjustment status; batches of receipts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import openvet.store.types
from openvet.store.schema import Search, create_search, drop_search

# The new tables' searched columns (store/schema.py): trigram search indexes, as 0002 to 0004 made.
SEARCHED = (
    Search('purchaseorderitem', ('supplier_code',)),
    Search('receiveinvoice', ('invoice_number',)),
    Search('receiveinvoiceitem', ('supplier_code',)),
)


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('purchaseorder',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('date', sa.BigInteger(), nullable=True),
    sa.Column('shipping_address_id', sa.BigInteger(), nullable=True),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.Column('freight', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('freight_tax', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('tax', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('total', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('client_id', sa.BigInteger(), nullable=True),
    sa.Column('supplier_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=17), nullable=True),
    sa.Column('supplier_order_number', sa.String(length=64), nullable=True),
    sa.Column('supplier_account_number', sa.String(length=64), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('purchaseorder', schema=None) as batch_op:
        batch_op.create_index('ix_purchaseorder_client_id', ['clinic_id', 'client_id'], unique=False)
        batch_op.create_index('ix_purchaseorder_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_purchaseorder_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_purchaseorder_status', ['clinic_id', 'status'], unique=False)
        batch_op.create_index('ix_purchaseorder_supplier_id', ['clinic_id', 'supplier_id'], unique=False)

    op.create_table('purchaseorderitem',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('purchase_order_id', sa.BigInteger(), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.Column('supplier_code', sa.String(length=64), nullable=True),
    sa.Column('outers', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('units_per_outer', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('price_per_unit', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('tax_per_unit', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('quantity', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('total', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('total_tax', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.Column('received', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('on_order_total', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('on_order_for_inventory', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('purchaseorderitem', schema=None) as batch_op:
        batch_op.create_index('ix_purchaseorderitem_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_purchaseorderitem_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_purchaseorderitem_product_id', ['clinic_id', 'product_id'], unique=False)
        batch_op.create_index('ix_purchaseorderitem_purchase_order_id', ['clinic_id', 'purchase_order_id'], unique=False)
        batch_op.create_index('ix_purchaseorderitem_supplier_code', ['clinic_id', 'supplier_code'], unique=False)

    op.create_table('receiveinvoice',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('invoice_number', sa.String(length=64), nullable=True),
    sa.Column('date', sa.BigInteger(), nullable=True),
    sa.Column('due_date', sa.BigInteger(), nullable=True),
    sa.Column('supplier_id', sa.BigInteger(), nullable=True),
    sa.Column('freight', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('freight_tax', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('rounding', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.Column('tax', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('total', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.Column('purchase_order_list', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=17), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('receiveinvoice', schema=None) as batch_op:
        batch_op.create_index('ix_receiveinvoice_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_receiveinvoice_invoice_number', ['clinic_id', 'invoice_number'], unique=False)
        batch_op.create_index('ix_receiveinvoice_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_receiveinvoice_ownership_id', ['clinic_id', 'ownership_id'], unique=False)
        batch_op.create_index('ix_receiveinvoice_status', ['clinic_id', 'status'], unique=False)
        batch_op.create_index('ix_receiveinvoice_supplier_id', ['clinic_id', 'supplier_id'], unique=False)

    op.create_table('receiveinvoiceitem',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('receive_invoice_id', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('quantity', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('price', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('tax', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('total', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('total_tax', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('tax_rate', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('tax_code', sa.String(length=32), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.Column('product_supplier_id', sa.BigInteger(), nullable=True),
    sa.Column('supplier_code', sa.String(length=64), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.Column('location_id', sa.BigInteger(), nullable=True),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.Column('purchase_order_item_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=17), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('receiveinvoiceitem', schema=None) as batch_op:
        batch_op.create_index('ix_receiveinvoiceitem_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_receiveinvoiceitem_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_receiveinvoiceitem_product_id', ['clinic_id', 'product_id'], unique=False)
        batch_op.create_index('ix_receiveinvoiceitem_purchase_order_item_id', ['clinic_id', 'purchase_order_item_id'], unique=False)
        batch_op.create_index('ix_receiveinvoiceitem_receive_invoice_id', ['clinic_id', 'receive_invoice_id'], unique=False)
        batch_op.create_index('ix_receiveinvoiceitem_supplier_code', ['clinic_id', 'supplier_code'], unique=False)

    with op.batch_alter_table('batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receive_invoice_item_id', sa.BigInteger(), nullable=True))
        batch_op.create_index('ix_batch_receive_invoice_item_id', ['clinic_id', 'receive_invoice_item_id'], unique=False)

    with op.batch_alter_table('stockadjustment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=17), nullable=True))
        batch_op.create_index('ix_stockadjustment_status', ['clinic_id', 'status'], unique=False)
    # every adjustment written before moved its stock at once
    op.execute("UPDATE stockadjustment SET status = 'Finalised'")
    dialect = op.get_bind().dialect.name
    for search in SEARCHED:
        for statement in create_search(search, dialect):
            op.execute(statement)



def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for search in SEARCHED:
        for statement in drop_search(search, dialect):
            op.execute(statement)
    with op.batch_alter_table('stockadjustment', schema=None) as batch_op:
        batch_op.drop_index('ix_stockadjustment_status')
        batch_op.drop_column('status')

    with op.batch_alter_table('batch', schema=None) as batch_op:
        batch_op.drop_index('ix_batch_receive_invoice_item_id')
        batch_op.drop_column('receive_invoice_item_id')

    with op.batch_alter_table('receiveinvoiceitem', schema=None) as batch_op:
        batch_op.drop_index('ix_receiveinvoiceitem_supplier_code')
        batch_op.drop_index('ix_receiveinvoiceitem_receive_invoice_id')
        batch_op.drop_index('ix_receiveinvoiceitem_purchase_order_item_id')
        batch_op.drop_index('ix_receiveinvoiceitem_product_id')
        batch_op.drop_index('ix_receiveinvoiceitem_modified_at')
        batch_op.drop_index('ix_receiveinvoiceitem_clinic_id')

    op.drop_table('receiveinvoiceitem')
    with op.batch_alter_table('receiveinvoice', schema=None) as batch_op:
        batch_op.drop_index('ix_receiveinvoice_supplier_id')
        batch_op.drop_index('ix_receiveinvoice_status')
        batch_op.drop_index('ix_receiveinvoice_ownership_id')
        batch_op.drop_index('ix_receiveinvoice_modified_at')
        batch_op.drop_index('ix_receiveinvoice_invoice_number')
        batch_op.drop_index('ix_receiveinvoice_clinic_id')

    op.drop_table('receiveinvoice')
    with op.batch_alter_table('purchaseorderitem', schema=None) as batch_op:
        batch_op.drop_index('ix_purchaseorderitem_supplier_code')
        batch_op.drop_index('ix_purchaseorderitem_purchase_order_id')
        batch_op.drop_index('ix_purchaseorderitem_product_id')
        batch_op.drop_index('ix_purchaseorderitem_modified_at')
        batch_op.drop_index('ix_purchaseorderitem_clinic_id')

    op.drop_table('purchaseorderitem')
    with op.batch_alter_table('purchaseorder', schema=None) as batch_op:
        batch_op.drop_index('ix_purchaseorder_supplier_id')
        batch_op.drop_index('ix_purchaseorder_status')
        batch_op.drop_index('ix_purchaseorder_modified_at')
        batch_op.drop_index('ix_purchaseorder_clinic_id')
        batch_op.drop_index('ix_purchaseorder_client_id')

    op.drop_table('purchaseorder')
