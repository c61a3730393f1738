"""jobqueue: the job queue (JobQueue, L8040): queued API requests, their status, and the runner's lease

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('jobqueue',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('type', sa.String(length=64), nullable=True),
    sa.Column('type_id', sa.BigInteger(), nullable=True),
    sa.Column('action', sa.String(length=18), nullable=True),
    sa.Column('status', sa.String(length=18), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('record_id', sa.BigInteger(), nullable=True),
    sa.Column('scopes', sa.Text(), nullable=True),
    sa.Column('credential_id', sa.BigInteger(), nullable=True),
    sa.Column('partner_id', sa.String(length=64), nullable=True),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.Column('claimed_until', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('jobqueue', schema=None) as batch_op:
        batch_op.create_index('ix_jobqueue_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_jobqueue_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_jobqueue_status', ['clinic_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('jobqueue', schema=None) as batch_op:
        batch_op.drop_index('ix_jobqueue_status')
        batch_op.drop_index('ix_jobqueue_modified_at')
        batch_op.drop_index('ix_jobqueue_clinic_id')

    op.drop_table('jobqueue')
