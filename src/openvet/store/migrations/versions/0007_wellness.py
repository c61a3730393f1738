"""wellness plans: plans, benefits and benefit items, memberships, their options and status periods, billing
credits and price adjustments

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import openvet.store.types
from openvet.store.schema import Search, create_search, drop_search

# The new tables' searched columns (store/schema.py): trigram search indexes, as 0002 to 0004 made.
SEARCHED = (
    Search('wellnessplan', ('name',)),
)

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('billingcredit',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('available_associated_type', sa.String(length=15), nullable=True),
    sa.Column('available_associated_id', sa.BigInteger(), nullable=True),
    sa.Column('wellness_plan_id', sa.BigInteger(), nullable=True),
    sa.Column('wellness_plan_benefit_id', sa.BigInteger(), nullable=True),
    sa.Column('wellness_plan_membership_id', sa.BigInteger(), nullable=True),
    sa.Column('wellness_plan_membership_status_period_id', sa.BigInteger(), nullable=True),
    sa.Column('associated_type', sa.String(length=27), nullable=True),
    sa.Column('associated_id', sa.BigInteger(), nullable=True),
    sa.Column('type', sa.String(length=16), nullable=True),
    sa.Column('amount', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('wasted', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('used', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('start_date', sa.BigInteger(), nullable=True),
    sa.Column('expires_in_unit', sa.String(length=13), nullable=True),
    sa.Column('expires_in_qty', sa.BigInteger(), nullable=True),
    sa.Column('end_date', sa.BigInteger(), nullable=True),
    sa.Column('single_use', sa.Boolean(), nullable=True),
    sa.Column('wellness_plan_membership_cycle_id', sa.BigInteger(), nullable=True),
    sa.Column('allocation_method', sa.String(length=18), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('billingcredit', schema=None) as batch_op:
        batch_op.create_index('ix_billingcredit_associated_id', ['clinic_id', 'associated_id'], unique=False)
        batch_op.create_index('ix_billingcredit_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_billingcredit_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_billingcredit_wellness_plan_benefit_id', ['clinic_id', 'wellness_plan_benefit_id'], unique=False)
        batch_op.create_index('ix_billingcredit_wellness_plan_id', ['clinic_id', 'wellness_plan_id'], unique=False)
        batch_op.create_index('ix_billingcredit_wellness_plan_membership_id', ['clinic_id', 'wellness_plan_membership_id'], unique=False)

    op.create_table('priceadjustment',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('type', sa.String(length=17), nullable=True),
    sa.Column('adjustment_method', sa.String(length=32), nullable=True),
    sa.Column('adjustment_amount', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('associated_type', sa.String(length=15), nullable=True),
    sa.Column('associated_id', sa.BigInteger(), nullable=True),
    sa.Column('triggering_type', sa.String(length=30), nullable=True),
    sa.Column('triggering_id', sa.BigInteger(), nullable=True),
    sa.Column('description', sa.String(length=255), nullable=True),
    sa.Column('total_change', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('total_change_tax', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('total_earned', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('total_earned_tax', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('consuming', sa.Boolean(), nullable=True),
    sa.Column('wellness_plan_id', sa.BigInteger(), nullable=True),
    sa.Column('wellness_plan_benefit_id', sa.BigInteger(), nullable=True),
    sa.Column('wellness_plan_membership_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('priceadjustment', schema=None) as batch_op:
        batch_op.create_index('ix_priceadjustment_associated_id', ['clinic_id', 'associated_id'], unique=False)
        batch_op.create_index('ix_priceadjustment_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_priceadjustment_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_priceadjustment_triggering_id', ['clinic_id', 'triggering_id'], unique=False)
        batch_op.create_index('ix_priceadjustment_wellness_plan_benefit_id', ['clinic_id', 'wellness_plan_benefit_id'], unique=False)
        batch_op.create_index('ix_priceadjustment_wellness_plan_id', ['clinic_id', 'wellness_plan_id'], unique=False)
        batch_op.create_index('ix_priceadjustment_wellness_plan_membership_id', ['clinic_id', 'wellness_plan_membership_id'], unique=False)

    op.create_table('wellnessplan',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('subscription_cycle_unit', sa.String(length=13), nullable=True),
    sa.Column('subscription_cycle_qty', sa.BigInteger(), nullable=True),
    sa.Column('subscription_fee_product', sa.BigInteger(), nullable=True),
    sa.Column('fixed_subscription_price', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('min_cycle_qty_on_signup', sa.BigInteger(), nullable=True),
    sa.Column('term_qty', sa.BigInteger(), nullable=True),
    sa.Column('pause_limit_qty', sa.BigInteger(), nullable=True),
    sa.Column('extends_end_date', sa.Boolean(), nullable=True),
    sa.Column('portion_revenue_payable', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('enrollment_fee_product', sa.BigInteger(), nullable=True),
    sa.Column('replacement_wellness_plan', sa.BigInteger(), nullable=True),
    sa.Column('discontinued', sa.Boolean(), nullable=True),
    sa.Column('cancellation_product', sa.BigInteger(), nullable=True),
    sa.Column('default_renew', sa.Boolean(), nullable=True),
    sa.Column('renewal_fee_product', sa.BigInteger(), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id'),
    info={'search': Search(table='wellnessplan', columns=('name',))}
    )
    with op.batch_alter_table('wellnessplan', schema=None) as batch_op:
        batch_op.create_index('ix_wellnessplan_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_wellnessplan_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_wellnessplan_name', ['clinic_id', 'name'], unique=False)

    op.create_table('wellnessplanbenefit',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('earn_method', sa.String(length=15), nullable=True),
    sa.Column('earn_amount', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('optional', sa.Boolean(), nullable=True),
    sa.Column('benefit_type', sa.String(length=18), nullable=True),
    sa.Column('benefit_config', sa.JSON(), nullable=True),
    sa.Column('wellnessplan_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wellnessplanbenefit', schema=None) as batch_op:
        batch_op.create_index('ix_wellnessplanbenefit_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_wellnessplanbenefit_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_wellnessplanbenefit_wellnessplan_id', ['clinic_id', 'wellnessplan_id'], unique=False)

    op.create_table('wellnessplanbenefititem',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('wellness_plan_benefit', sa.BigInteger(), nullable=True),
    sa.Column('associated_type', sa.String(length=16), nullable=True),
    sa.Column('associated_id', sa.BigInteger(), nullable=True),
    sa.Column('earn_method', sa.String(length=15), nullable=True),
    sa.Column('earn_amount', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('consumption_rate', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('consumption_rate_fixed', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wellnessplanbenefititem', schema=None) as batch_op:
        batch_op.create_index('ix_wellnessplanbenefititem_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_wellnessplanbenefititem_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_wellnessplanbenefititem_wellness_plan_benefit', ['clinic_id', 'wellness_plan_benefit'], unique=False)

    op.create_table('wellnessplanmembership',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('wellness_plan', sa.BigInteger(), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('resource_id', sa.BigInteger(), nullable=True),
    sa.Column('renew_when_expired', sa.Boolean(), nullable=True),
    sa.Column('start_date', sa.BigInteger(), nullable=True),
    sa.Column('end_date', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=17), nullable=True),
    sa.Column('billing_interval', sa.BigInteger(), nullable=True),
    sa.Column('previous_wellness_plan_membership', sa.BigInteger(), nullable=True),
    sa.Column('next_wellness_plan', sa.BigInteger(), nullable=True),
    sa.Column('reference', sa.String(length=50), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wellnessplanmembership', schema=None) as batch_op:
        batch_op.create_index('ix_wellnessplanmembership_animal_id', ['clinic_id', 'animal_id'], unique=False)
        batch_op.create_index('ix_wellnessplanmembership_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_wellnessplanmembership_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_wellnessplanmembership_resource_id', ['clinic_id', 'resource_id'], unique=False)
        batch_op.create_index('ix_wellnessplanmembership_wellness_plan', ['clinic_id', 'wellness_plan'], unique=False)

    op.create_table('wellnessplanmembershipoption',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('wellness_plan_membership', sa.BigInteger(), nullable=True),
    sa.Column('wellness_plan_benefit', sa.BigInteger(), nullable=True),
    sa.Column('start_cycle', sa.BigInteger(), nullable=True),
    sa.Column('auto_renew', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wellnessplanmembershipoption', schema=None) as batch_op:
        batch_op.create_index('ix_wellnessplanmembershipoption_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_wellnessplanmembershipoption_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_wellnessplanmembershipoption_wellness_plan_benefit', ['clinic_id', 'wellness_plan_benefit'], unique=False)
        batch_op.create_index('ix_wellnessplanmembershipoption_wellness_plan_membership', ['clinic_id', 'wellness_plan_membership'], unique=False)

    op.create_table('wellnessplanmembershipstatusperiod',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('wellness_plan_membership', sa.BigInteger(), nullable=True),
    sa.Column('start_cycle', sa.BigInteger(), nullable=True),
    sa.Column('end_cycle', sa.BigInteger(), nullable=True),
    sa.Column('start_date', sa.BigInteger(), nullable=True),
    sa.Column('end_date', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=17), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wellnessplanmembershipstatusperiod', schema=None) as batch_op:
        batch_op.create_index('ix_wellnessplanmembershipstatusperiod_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_wellnessplanmembershipstatusperiod_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_wellnessplanmembershipstatusperiod_start_date', ['clinic_id', 'start_date'], unique=False)
        batch_op.create_index('ix_wellnessplanmembershipstatusperiod_wellness_plan_membership', ['clinic_id', 'wellness_plan_membership'], unique=False)
    dialect = op.get_bind().dialect.name
    for search in SEARCHED:
        for statement in create_search(search, dialect):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for search in SEARCHED:
        for statement in drop_search(search, dialect):
            op.execute(statement)
    with op.batch_alter_table('wellnessplanmembershipstatusperiod', schema=None) as batch_op:
        batch_op.drop_index('ix_wellnessplanmembershipstatusperiod_wellness_plan_membership')
        batch_op.drop_index('ix_wellnessplanmembershipstatusperiod_start_date')
        batch_op.drop_index('ix_wellnessplanmembershipstatusperiod_modified_at')
        batch_op.drop_index('ix_wellnessplanmembershipstatusperiod_clinic_id')

    op.drop_table('wellnessplanmembershipstatusperiod')
    with op.batch_alter_table('wellnessplanmembershipoption', schema=None) as batch_op:
        batch_op.drop_index('ix_wellnessplanmembershipoption_wellness_plan_membership')
        batch_op.drop_index('ix_wellnessplanmembershipoption_wellness_plan_benefit')
        batch_op.drop_index('ix_wellnessplanmembershipoption_modified_at')
        batch_op.drop_index('ix_wellnessplanmembershipoption_clinic_id')

    op.drop_table('wellnessplanmembershipoption')
    with op.batch_alter_table('wellnessplanmembership', schema=None) as batch_op:
        batch_op.drop_index('ix_wellnessplanmembership_wellness_plan')
        batch_op.drop_index('ix_wellnessplanmembership_resource_id')
        batch_op.drop_index('ix_wellnessplanmembership_modified_at')
        batch_op.drop_index('ix_wellnessplanmembership_clinic_id')
        batch_op.drop_index('ix_wellnessplanmembership_animal_id')

    op.drop_table('wellnessplanmembership')
    with op.batch_alter_table('wellnessplanbenefititem', schema=None) as batch_op:
        batch_op.drop_index('ix_wellnessplanbenefititem_wellness_plan_benefit')
        batch_op.drop_index('ix_wellnessplanbenefititem_modified_at')
        batch_op.drop_index('ix_wellnessplanbenefititem_clinic_id')

    op.drop_table('wellnessplanbenefititem')
    with op.batch_alter_table('wellnessplanbenefit', schema=None) as batch_op:
        batch_op.drop_index('ix_wellnessplanbenefit_wellnessplan_id')
        batch_op.drop_index('ix_wellnessplanbenefit_modified_at')
        batch_op.drop_index('ix_wellnessplanbenefit_clinic_id')

    op.drop_table('wellnessplanbenefit')
    with op.batch_alter_table('wellnessplan', schema=None) as batch_op:
        batch_op.drop_index('ix_wellnessplan_name')
        batch_op.drop_index('ix_wellnessplan_modified_at')
        batch_op.drop_index('ix_wellnessplan_clinic_id')

    op.drop_table('wellnessplan')
    with op.batch_alter_table('priceadjustment', schema=None) as batch_op:
        batch_op.drop_index('ix_priceadjustment_wellness_plan_membership_id')
        batch_op.drop_index('ix_priceadjustment_wellness_plan_id')
        batch_op.drop_index('ix_priceadjustment_wellness_plan_benefit_id')
        batch_op.drop_index('ix_priceadjustment_triggering_id')
        batch_op.drop_index('ix_priceadjustment_modified_at')
        batch_op.drop_index('ix_priceadjustment_clinic_id')
        batch_op.drop_index('ix_priceadjustment_associated_id')

    op.drop_table('priceadjustment')
    with op.batch_alter_table('billingcredit', schema=None) as batch_op:
        batch_op.drop_index('ix_billingcredit_wellness_plan_membership_id')
        batch_op.drop_index('ix_billingcredit_wellness_plan_id')
        batch_op.drop_index('ix_billingcredit_wellness_plan_benefit_id')
        batch_op.drop_index('ix_billingcredit_modified_at')
        batch_op.drop_index('ix_billingcredit_clinic_id')
        batch_op.drop_index('ix_billingcredit_associated_id')

    op.drop_table('billingcredit')
