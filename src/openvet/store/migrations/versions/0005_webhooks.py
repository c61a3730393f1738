"""webhooks: subscriptions, their delivery state and log, replays, and the installation's webhook key

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # made once per database: every process signs deliveries with secrets worked out from the same key
    op.execute(sa.text("INSERT INTO server_key (name, value) VALUES ('webhook', :v)").bindparams(
        v=secrets.token_hex(32)))
    op.create_table('webhook_delivery',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('webhook_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('outbox_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event', sa.String(length=96), nullable=False),
    sa.Column('resource', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.BigInteger(), nullable=False),
    sa.Column('replay_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.BigInteger(), nullable=False),
    sa.Column('claimed_until', sa.BigInteger(), nullable=True),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('finished_at', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('webhook_id', 'outbox_id', name='uq_webhook_delivery_webhook_outbox')
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_delivery_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('webhookattempt',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('webhook_id', sa.BigInteger(), nullable=True),
    sa.Column('event', sa.String(length=96), nullable=True),
    sa.Column('event_id', sa.BigInteger(), nullable=True),
    sa.Column('record_id', sa.BigInteger(), nullable=True),
    sa.Column('attempt', sa.BigInteger(), nullable=True),
    sa.Column('replay_id', sa.BigInteger(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('request_headers', sa.JSON(), nullable=True),
    sa.Column('request_body', sa.Text(), nullable=True),
    sa.Column('response_status', sa.BigInteger(), nullable=True),
    sa.Column('response_body', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('delivered', sa.Boolean(), nullable=True),
    sa.Column('attempted_at', sa.BigInteger(), nullable=True),
    sa.Column('duration_ms', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('webhookattempt', schema=None) as batch_op:
        batch_op.create_index('ix_webhookattempt_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_webhookattempt_event_id', ['clinic_id', 'event_id'], unique=False)
        batch_op.create_index('ix_webhookattempt_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_webhookattempt_webhook_id', ['clinic_id', 'webhook_id'], unique=False)

    op.create_table('webhookreplay',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('attempt_id', sa.BigInteger(), nullable=True),
    sa.Column('webhook_id', sa.BigInteger(), nullable=True),
    sa.Column('event_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('webhookreplay', schema=None) as batch_op:
        batch_op.create_index('ix_webhookreplay_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_webhookreplay_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_webhookreplay_webhook_id', ['clinic_id', 'webhook_id'], unique=False)

    op.create_table('webhooks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('webhook_url', sa.Text(), nullable=True),
    sa.Column('event', sa.String(length=96), nullable=True),
    sa.Column('fields', sa.JSON(), nullable=True),
    sa.Column('secret_seed', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('webhooks', schema=None) as batch_op:
        batch_op.create_index('ix_webhooks_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_webhooks_modified_at', ['clinic_id', 'modified_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('webhooks', schema=None) as batch_op:
        batch_op.drop_index('ix_webhooks_modified_at')
        batch_op.drop_index('ix_webhooks_clinic_id')

    op.drop_table('webhooks')
    with op.batch_alter_table('webhookreplay', schema=None) as batch_op:
        batch_op.drop_index('ix_webhookreplay_webhook_id')
        batch_op.drop_index('ix_webhookreplay_modified_at')
        batch_op.drop_index('ix_webhookreplay_clinic_id')

    op.drop_table('webhookreplay')
    with op.batch_alter_table('webhookattempt', schema=None) as batch_op:
        batch_op.drop_index('ix_webhookattempt_webhook_id')
        batch_op.drop_index('ix_webhookattempt_modified_at')
        batch_op.drop_index('ix_webhookattempt_event_id')
        batch_op.drop_index('ix_webhookattempt_clinic_id')

    op.drop_table('webhookattempt')
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_delivery_due')

    op.drop_table('webhook_delivery')
    op.execute("DELETE FROM server_key WHERE name = 'webhook'")
