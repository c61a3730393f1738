"""billing: invoices and their lines, payments and their allocations to invoices, payment methods, card
transactions, estimates and their line items

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import openvet.store.types
from openvet.store.schema import Search, create_search, drop_search

# The new tables' searched columns (store/schema.py): trigram search indexes, as 0002-0004 made.
SEARCHED = (
    Search('invoice', ('code',)),
    Search('paymentmethod', ('name',)),
)

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('estimate',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('number', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('total', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('date', sa.BigInteger(), nullable=True),
    sa.Column('subtotal', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('tax', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('contact_id', sa.BigInteger(), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('estimate', schema=None) as batch_op:
        batch_op.create_index('ix_estimate_animal_id', ['clinic_id', 'animal_id'], unique=False)
        batch_op.create_index('ix_estimate_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_estimate_contact_id', ['clinic_id', 'contact_id'], unique=False)
        batch_op.create_index('ix_estimate_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('estimateitem',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('estimate_id', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('price', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('pricetax', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('qty', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('total', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('totaltax', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('taxcode', sa.String(length=32), nullable=True),
    sa.Column('taxrate', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('discount', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('estimateitem', schema=None) as batch_op:
        batch_op.create_index('ix_estimateitem_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_estimateitem_estimate_id', ['clinic_id', 'estimate_id'], unique=False)
        batch_op.create_index('ix_estimateitem_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('invoice',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.Column('code', sa.String(length=32), nullable=True),
    sa.Column('contact_id', sa.BigInteger(), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.Column('subtotal', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('tax', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('total', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('outstanding', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('includes_tax', sa.Boolean(), nullable=True),
    sa.Column('payment_terms_id', sa.BigInteger(), nullable=True),
    sa.Column('date', sa.BigInteger(), nullable=True),
    sa.Column('date_due', sa.BigInteger(), nullable=True),
    sa.Column('date_approved', sa.BigInteger(), nullable=True),
    sa.Column('approved_by', sa.BigInteger(), nullable=True),
    sa.Column('customer_reference_number', sa.String(length=255), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('modified_by', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.create_index('ix_invoice_animal_id', ['clinic_id', 'animal_id'], unique=False)
        batch_op.create_index('ix_invoice_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_invoice_code', ['clinic_id', 'code'], unique=False)
        batch_op.create_index('ix_invoice_consult_id', ['clinic_id', 'consult_id'], unique=False)
        batch_op.create_index('ix_invoice_contact_id', ['clinic_id', 'contact_id'], unique=False)
        batch_op.create_index('ix_invoice_date', ['clinic_id', 'date'], unique=False)
        batch_op.create_index('ix_invoice_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_invoice_ownership_id', ['clinic_id', 'ownership_id'], unique=False)

    op.create_table('invoiceline',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('invoice_id', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.Column('batch', sa.BigInteger(), nullable=True),
    sa.Column('sales_person', sa.BigInteger(), nullable=True),
    sa.Column('quantity', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('discount', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('dispense', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('price', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('price_tax', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('standard_price', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('standard_price_tax', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('total', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('total_tax', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('status', sa.String(length=17), nullable=True),
    sa.Column('tax_code', sa.String(length=32), nullable=True),
    sa.Column('tax_percent', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.Column('location_id', sa.BigInteger(), nullable=True),
    sa.Column('ledger_account', sa.BigInteger(), nullable=True),
    sa.Column('group_id', sa.BigInteger(), nullable=True),
    sa.Column('type', sa.String(length=16), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.Column('date', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('invoiceline', schema=None) as batch_op:
        batch_op.create_index('ix_invoiceline_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_invoiceline_invoice_id', ['clinic_id', 'invoice_id'], unique=False)
        batch_op.create_index('ix_invoiceline_location_id', ['clinic_id', 'location_id'], unique=False)
        batch_op.create_index('ix_invoiceline_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_invoiceline_ownership_id', ['clinic_id', 'ownership_id'], unique=False)
        batch_op.create_index('ix_invoiceline_product_id', ['clinic_id', 'product_id'], unique=False)
        batch_op.create_index('ix_invoiceline_sales_person', ['clinic_id', 'sales_person'], unique=False)
        batch_op.create_index('ix_invoiceline_status', ['clinic_id', 'status'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.Column('amount', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('method', sa.BigInteger(), nullable=True),
    sa.Column('details', sa.String(length=255), nullable=True),
    sa.Column('date', sa.BigInteger(), nullable=True),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.Column('available', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('allocated', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('client_id', sa.BigInteger(), nullable=True),
    sa.Column('ledger_account', sa.BigInteger(), nullable=True),
    sa.Column('cash_amount', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('cash_change', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('rounding_factor', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index('ix_payment_client_id', ['clinic_id', 'client_id'], unique=False)
        batch_op.create_index('ix_payment_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_payment_date', ['clinic_id', 'date'], unique=False)
        batch_op.create_index('ix_payment_method', ['clinic_id', 'method'], unique=False)
        batch_op.create_index('ix_payment_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_payment_ownership_id', ['clinic_id', 'ownership_id'], unique=False)
        batch_op.create_index('ix_payment_status', ['clinic_id', 'status'], unique=False)

    op.create_table('paymentallocation',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('payment_id', sa.BigInteger(), nullable=True),
    sa.Column('invoice_id', sa.BigInteger(), nullable=True),
    sa.Column('amount', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('paymentallocation', schema=None) as batch_op:
        batch_op.create_index('ix_paymentallocation_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_paymentallocation_invoice_id', ['clinic_id', 'invoice_id'], unique=False)
        batch_op.create_index('ix_paymentallocation_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_paymentallocation_payment_id', ['clinic_id', 'payment_id'], unique=False)

    op.create_table('paymentmethod',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('uses_eftpos_machine', sa.Boolean(), nullable=True),
    sa.Column('type', sa.String(length=64), nullable=True),
    sa.Column('commission_rate', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('surcharge_amount', openvet.store.types.ExactDecimal(precision=18, scale=2), nullable=True),
    sa.Column('surcharge_type', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('paymentmethod', schema=None) as batch_op:
        batch_op.create_index('ix_paymentmethod_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_paymentmethod_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_paymentmethod_name', ['clinic_id', 'name'], unique=False)

    op.create_table('transaction',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.Column('payment_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=17), nullable=True),
    sa.Column('integration_name', sa.String(length=255), nullable=True),
    sa.Column('external_reference', sa.String(length=255), nullable=True),
    sa.Column('external_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('transaction', schema=None) as batch_op:
        batch_op.create_index('ix_transaction_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_transaction_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_transaction_ownership_id', ['clinic_id', 'ownership_id'], unique=False)
        batch_op.create_index('ix_transaction_payment_id', ['clinic_id', 'payment_id'], unique=False)

    dialect = op.get_bind().dialect.name
    for search in SEARCHED:
        for statement in create_search(search, dialect):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for search in SEARCHED:
        for statement in drop_search(search, dialect):
            op.execute(statement)
    with op.batch_alter_table('transaction', schema=None) as batch_op:
        batch_op.drop_index('ix_transaction_payment_id')
        batch_op.drop_index('ix_transaction_ownership_id')
        batch_op.drop_index('ix_transaction_modified_at')
        batch_op.drop_index('ix_transaction_clinic_id')

    op.drop_table('transaction')
    with op.batch_alter_table('paymentmethod', schema=None) as batch_op:
        batch_op.drop_index('ix_paymentmethod_name')
        batch_op.drop_index('ix_paymentmethod_modified_at')
        batch_op.drop_index('ix_paymentmethod_clinic_id')

    op.drop_table('paymentmethod')
    with op.batch_alter_table('paymentallocation', schema=None) as batch_op:
        batch_op.drop_index('ix_paymentallocation_payment_id')
        batch_op.drop_index('ix_paymentallocation_modified_at')
        batch_op.drop_index('ix_paymentallocation_invoice_id')
        batch_op.drop_index('ix_paymentallocation_clinic_id')

    op.drop_table('paymentallocation')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_status')
        batch_op.drop_index('ix_payment_ownership_id')
        batch_op.drop_index('ix_payment_modified_at')
        batch_op.drop_index('ix_payment_method')
        batch_op.drop_index('ix_payment_date')
        batch_op.drop_index('ix_payment_clinic_id')
        batch_op.drop_index('ix_payment_client_id')

    op.drop_table('payment')
    with op.batch_alter_table('invoiceline', schema=None) as batch_op:
        batch_op.drop_index('ix_invoiceline_status')
        batch_op.drop_index('ix_invoiceline_sales_person')
        batch_op.drop_index('ix_invoiceline_product_id')
        batch_op.drop_index('ix_invoiceline_ownership_id')
        batch_op.drop_index('ix_invoiceline_modified_at')
        batch_op.drop_index('ix_invoiceline_location_id')
        batch_op.drop_index('ix_invoiceline_invoice_id')
        batch_op.drop_index('ix_invoiceline_clinic_id')

    op.drop_table('invoiceline')
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_index('ix_invoice_ownership_id')
        batch_op.drop_index('ix_invoice_modified_at')
        batch_op.drop_index('ix_invoice_date')
        batch_op.drop_index('ix_invoice_contact_id')
        batch_op.drop_index('ix_invoice_consult_id')
        batch_op.drop_index('ix_invoice_code')
        batch_op.drop_index('ix_invoice_clinic_id')
        batch_op.drop_index('ix_invoice_animal_id')

    op.drop_table('invoice')
    with op.batch_alter_table('estimateitem', schema=None) as batch_op:
        batch_op.drop_index('ix_estimateitem_modified_at')
        batch_op.drop_index('ix_estimateitem_estimate_id')
        batch_op.drop_index('ix_estimateitem_clinic_id')

    op.drop_table('estimateitem')
    with op.batch_alter_table('estimate', schema=None) as batch_op:
        batch_op.drop_index('ix_estimate_modified_at')
        batch_op.drop_index('ix_estimate_contact_id')
        batch_op.drop_index('ix_estimate_clinic_id')
        batch_op.drop_index('ix_estimate_animal_id')

    op.drop_table('estimate')
