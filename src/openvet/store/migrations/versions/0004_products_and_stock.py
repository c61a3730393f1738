"""products and stock: tax rates, ledger accounts, product pricing, minimum stock, suppliers, barcodes,
batches, stock adjustments and their items, and the stock ledger (StockTransaction)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import openvet.store.types
from openvet.store.schema import Search, create_search, drop_search

# The new tables' searched columns (store/schema.py): trigram search indexes, as 0002 and 0003 made.
SEARCHED = (
    Search('barcode', ('barcode',)),
    Search('batch', ('name',)),
    Search('ledgeraccount', ('code', 'name')),
    Search('taxrate', ('code',)),
)

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('barcode',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('for_type', sa.String(length=15), nullable=True),
    sa.Column('for_id', sa.BigInteger(), nullable=True),
    sa.Column('format', sa.String(length=32), nullable=True),
    sa.Column('barcode', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('barcode', schema=None) as batch_op:
        batch_op.create_index('ix_barcode_barcode', ['clinic_id', 'barcode'], unique=False)
        batch_op.create_index('ix_barcode_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_barcode_for_id', ['clinic_id', 'for_id'], unique=False)
        batch_op.create_index('ix_barcode_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('batch',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('uid', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('type', sa.String(length=15), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.Column('parent', sa.BigInteger(), nullable=True),
    sa.Column('expiry', sa.BigInteger(), nullable=True),
    sa.Column('quantity', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('stock_adjustment_item_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('batch', schema=None) as batch_op:
        batch_op.create_index('ix_batch_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_batch_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_batch_name', ['clinic_id', 'name'], unique=False)
        batch_op.create_index('ix_batch_stock_adjustment_item_id', ['clinic_id', 'stock_adjustment_item_id'], unique=False)
        batch_op.create_index('ix_batch_uid', ['clinic_id', 'uid'], unique=False)

    op.create_table('ledgeraccount',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('code', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ledgeraccount', schema=None) as batch_op:
        batch_op.create_index('ix_ledgeraccount_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_ledgeraccount_code', ['clinic_id', 'code'], unique=False)
        batch_op.create_index('ix_ledgeraccount_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_ledgeraccount_name', ['clinic_id', 'name'], unique=False)

    op.create_table('productminimumstock',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.Column('minimumstock', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('re_order_to_max_level', sa.Boolean(), nullable=True),
    sa.Column('re_order_qty', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('start_day', sa.BigInteger(), nullable=True),
    sa.Column('start_month', sa.BigInteger(), nullable=True),
    sa.Column('end_day', sa.BigInteger(), nullable=True),
    sa.Column('end_month', sa.BigInteger(), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('productminimumstock', schema=None) as batch_op:
        batch_op.create_index('ix_productminimumstock_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_productminimumstock_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_productminimumstock_product_id', ['clinic_id', 'product_id'], unique=False)

    op.create_table('productpricing',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('cost_price', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('based_on', sa.String(length=14), nullable=True),
    sa.Column('markup', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('sell_price', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('sell_price_tax', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('tax_rate', sa.BigInteger(), nullable=True),
    sa.Column('dispense_fee', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('productpricing', schema=None) as batch_op:
        batch_op.create_index('ix_productpricing_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_productpricing_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_productpricing_product_id', ['clinic_id', 'product_id'], unique=False)

    op.create_table('productsupplier',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.Column('supplier_code', sa.String(length=64), nullable=True),
    sa.Column('expected_price', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('units_per_outer', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('supplier_contact_id', sa.BigInteger(), nullable=True),
    sa.Column('tax_rate_id', sa.BigInteger(), nullable=True),
    sa.Column('list_price', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('is_default', sa.Boolean(), nullable=True),
    sa.Column('unit_of_measure', sa.String(length=32), nullable=True),
    sa.Column('last_update', sa.BigInteger(), nullable=True),
    sa.Column('contract_price', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('productsupplier', schema=None) as batch_op:
        batch_op.create_index('ix_productsupplier_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_productsupplier_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_productsupplier_product_id', ['clinic_id', 'product_id'], unique=False)
        batch_op.create_index('ix_productsupplier_supplier_contact_id', ['clinic_id', 'supplier_contact_id'], unique=False)

    op.create_table('stockadjustment',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('date', sa.BigInteger(), nullable=True),
    sa.Column('amount', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stockadjustment', schema=None) as batch_op:
        batch_op.create_index('ix_stockadjustment_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_stockadjustment_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_stockadjustment_ownership_id', ['clinic_id', 'ownership_id'], unique=False)

    op.create_table('stockadjustmentitem',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('stockadjustment_id', sa.BigInteger(), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('code', sa.String(length=255), nullable=True),
    sa.Column('quantity', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('price', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('ledger_account', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=17), nullable=True),
    sa.Column('location_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stockadjustmentitem', schema=None) as batch_op:
        batch_op.create_index('ix_stockadjustmentitem_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_stockadjustmentitem_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_stockadjustmentitem_product_id', ['clinic_id', 'product_id'], unique=False)
        batch_op.create_index('ix_stockadjustmentitem_stockadjustment_id', ['clinic_id', 'stockadjustment_id'], unique=False)

    op.create_table('stocktransaction',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('quantity', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('alter_stock', sa.Boolean(), nullable=True),
    sa.Column('separation_id', sa.BigInteger(), nullable=True),
    sa.Column('for_id', sa.BigInteger(), nullable=True),
    sa.Column('for_class', sa.String(length=27), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=17), nullable=True),
    sa.Column('date', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stocktransaction', schema=None) as batch_op:
        batch_op.create_index('ix_stocktransaction_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_stocktransaction_for_id', ['clinic_id', 'for_id'], unique=False)
        batch_op.create_index('ix_stocktransaction_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_stocktransaction_product_id', ['clinic_id', 'product_id'], unique=False)

    op.create_table('taxrate',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('code', sa.String(length=32), nullable=True),
    sa.Column('rate', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('taxrate', schema=None) as batch_op:
        batch_op.create_index('ix_taxrate_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_taxrate_code', ['clinic_id', 'code'], unique=False)
        batch_op.create_index('ix_taxrate_modified_at', ['clinic_id', 'modified_at'], unique=False)
    dialect = op.get_bind().dialect.name
    for search in SEARCHED:
        for statement in create_search(search, dialect):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for search in SEARCHED:
        for statement in drop_search(search, dialect):
            op.execute(statement)
    with op.batch_alter_table('taxrate', schema=None) as batch_op:
        batch_op.drop_index('ix_taxrate_modified_at')
        batch_op.drop_index('ix_taxrate_code')
        batch_op.drop_index('ix_taxrate_clinic_id')

    op.drop_table('taxrate')
    with op.batch_alter_table('stocktransaction', schema=None) as batch_op:
        batch_op.drop_index('ix_stocktransaction_product_id')
        batch_op.drop_index('ix_stocktransaction_modified_at')
        batch_op.drop_index('ix_stocktransaction_for_id')
        batch_op.drop_index('ix_stocktransaction_clinic_id')

    op.drop_table('stocktransaction')
    with op.batch_alter_table('stockadjustmentitem', schema=None) as batch_op:
        batch_op.drop_index('ix_stockadjustmentitem_stockadjustment_id')
        batch_op.drop_index('ix_stockadjustmentitem_product_id')
        batch_op.drop_index('ix_stockadjustmentitem_modified_at')
        batch_op.drop_index('ix_stockadjustmentitem_clinic_id')

    op.drop_table('stockadjustmentitem')
    with op.batch_alter_table('stockadjustment', schema=None) as batch_op:
        batch_op.drop_index('ix_stockadjustment_ownership_id')
        batch_op.drop_index('ix_stockadjustment_modified_at')
        batch_op.drop_index('ix_stockadjustment_clinic_id')

    op.drop_table('stockadjustment')
    with op.batch_alter_table('productsupplier', schema=None) as batch_op:
        batch_op.drop_index('ix_productsupplier_supplier_contact_id')
        batch_op.drop_index('ix_productsupplier_product_id')
        batch_op.drop_index('ix_productsupplier_modified_at')
        batch_op.drop_index('ix_productsupplier_clinic_id')

    op.drop_table('productsupplier')
    with op.batch_alter_table('productpricing', schema=None) as batch_op:
        batch_op.drop_index('ix_productpricing_product_id')
        batch_op.drop_index('ix_productpricing_modified_at')
        batch_op.drop_index('ix_productpricing_clinic_id')

    op.drop_table('productpricing')
    with op.batch_alter_table('productminimumstock', schema=None) as batch_op:
        batch_op.drop_index('ix_productminimumstock_product_id')
        batch_op.drop_index('ix_productminimumstock_modified_at')
        batch_op.drop_index('ix_productminimumstock_clinic_id')

    op.drop_table('productminimumstock')
    with op.batch_alter_table('ledgeraccount', schema=None) as batch_op:
        batch_op.drop_index('ix_ledgeraccount_name')
        batch_op.drop_index('ix_ledgeraccount_modified_at')
        batch_op.drop_index('ix_ledgeraccount_code')
        batch_op.drop_index('ix_ledgeraccount_clinic_id')

    op.drop_table('ledgeraccount')
    with op.batch_alter_table('batch', schema=None) as batch_op:
        batch_op.drop_index('ix_batch_uid')
        batch_op.drop_index('ix_batch_stock_adjustment_item_id')
        batch_op.drop_index('ix_batch_name')
        batch_op.drop_index('ix_batch_modified_at')
        batch_op.drop_index('ix_batch_clinic_id')

    op.drop_table('batch')
    with op.batch_alter_table('barcode', schema=None) as batch_op:
        batch_op.drop_index('ix_barcode_modified_at')
        batch_op.drop_index('ix_barcode_for_id')
        batch_op.drop_index('ix_barcode_clinic_id')
        batch_op.drop_index('ix_barcode_barcode')

    op.drop_table('barcode')
