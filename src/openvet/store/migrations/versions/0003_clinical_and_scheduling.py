"""the engine grown: the installation's signing key; the clinical and scheduling records

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

import openvet.store.types
from openvet.store.schema import Search, create_search, drop_search

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# The new tables' searched columns (store/schema.py): trigram search indexes, as 0002 made for the first ones.
SEARCHED = (
    Search('appointmentstatus', ('name',)),
    Search('appointmenttype', ('name',)),
    Search('resource', ('name',)),
    Search('appointmentcancellationreason', ('name',)),
    Search('presentingproblem', ('name',)),
    Search('consult', ('code',)),
    Search('therapeutic', ('name',)),
    Search('externalprescription', ('prescription_uid',)),
    Search('diagnostic', ('name', 'code')),
    Search('integrateddiagnostic', ('name', 'code')),
    Search('diagnosticrequest', ('reference_number',)),
    Search('diagnosticresult', ('reference_number',)),
    Search('file', ('name',)),
    Search('productgroup', ('name',)),
    Search('product', ('name', 'code', 'external_product_reference')),
)


def give_uids(table: str, prefix: str) -> None:
    """Records made before their resource had a uid get one now (random, like the ones made on create)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"UPDATE \"{table}\" SET uid = '{prefix}_' || substr(md5(random()::text || id::text), 1, 21) "
                   "WHERE uid IS NULL")
    else:
        op.execute(f"UPDATE \"{table}\" SET uid = '{prefix}_' || substr(lower(hex(randomblob(16))), 1, 21) "
                   "WHERE uid IS NULL")


def upgrade() -> None:
    op.create_table('server_key',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    # made once per database: every process and server of the installation signs with the same key
    op.execute(sa.text("INSERT INTO server_key (name, value) VALUES ('signing', :v)").bindparams(
        v=secrets.token_hex(32)))
    op.create_table('appointment',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('start_at', sa.BigInteger(), nullable=True),
    sa.Column('duration', sa.BigInteger(), nullable=True),
    sa.Column('type_id', sa.BigInteger(), nullable=True),
    sa.Column('status_id', sa.BigInteger(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.Column('contact_id', sa.BigInteger(), nullable=True),
    sa.Column('sales_resource', sa.BigInteger(), nullable=True),
    sa.Column('resources', sa.JSON(), nullable=True),
    sa.Column('cancellation_reason', sa.BigInteger(), nullable=True),
    sa.Column('cancellation_reason_text', sa.Text(), nullable=True),
    sa.Column('recurrence_number', sa.BigInteger(), nullable=True),
    sa.Column('recurrence_interval', sa.BigInteger(), nullable=True),
    sa.Column('recurrence_end_time', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index('ix_appointment_animal_id', ['clinic_id', 'animal_id'], unique=False)
        batch_op.create_index('ix_appointment_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_appointment_consult_id', ['clinic_id', 'consult_id'], unique=False)
        batch_op.create_index('ix_appointment_contact_id', ['clinic_id', 'contact_id'], unique=False)
        batch_op.create_index('ix_appointment_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_appointment_start_at', ['clinic_id', 'start_at'], unique=False)

    op.create_table('appointmentcancellationreason',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('appointmentcancellationreason', schema=None) as batch_op:
        batch_op.create_index('ix_appointmentcancellationreason_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_appointmentcancellationreason_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_appointmentcancellationreason_name', ['clinic_id', 'name'], unique=False)

    op.create_table('appointmentstatus',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('cancelled', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('appointmentstatus', schema=None) as batch_op:
        batch_op.create_index('ix_appointmentstatus_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_appointmentstatus_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_appointmentstatus_name', ['clinic_id', 'name'], unique=False)

    op.create_table('appointmenttype',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('uid', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('default_duration', sa.BigInteger(), nullable=True),
    sa.Column('requires_animal', sa.Boolean(), nullable=True),
    sa.Column('requires_contact', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('appointmenttype', schema=None) as batch_op:
        batch_op.create_index('ix_appointmenttype_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_appointmenttype_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_appointmenttype_name', ['clinic_id', 'name'], unique=False)
        batch_op.create_index('ix_appointmenttype_uid', ['clinic_id', 'uid'], unique=False)

    op.create_table('assessment',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('vet_id', sa.BigInteger(), nullable=True),
    sa.Column('timestamp', sa.BigInteger(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_animal_id', ['clinic_id', 'animal_id'], unique=False)
        batch_op.create_index('ix_assessment_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_assessment_consult_id', ['clinic_id', 'consult_id'], unique=False)
        batch_op.create_index('ix_assessment_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('attachment',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('file_id', sa.BigInteger(), nullable=True),
    sa.Column('record_type', sa.String(length=25), nullable=True),
    sa.Column('record_id', sa.BigInteger(), nullable=True),
    sa.Column('mime_type', sa.String(length=128), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('primary_image', sa.Boolean(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index('ix_attachment_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_attachment_file_id', ['clinic_id', 'file_id'], unique=False)
        batch_op.create_index('ix_attachment_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_attachment_record_id', ['clinic_id', 'record_id'], unique=False)

    op.create_table('communication',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('associated_type', sa.String(length=25), nullable=True),
    sa.Column('associated_id', sa.BigInteger(), nullable=True),
    sa.Column('contact_detail_type_id', sa.BigInteger(), nullable=True),
    sa.Column('destination', sa.String(length=255), nullable=True),
    sa.Column('origin', sa.String(length=255), nullable=True),
    sa.Column('direction', sa.String(length=16), nullable=True),
    sa.Column('user_resource', sa.BigInteger(), nullable=True),
    sa.Column('sent_as_user', sa.BigInteger(), nullable=True),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('content_format', sa.String(length=17), nullable=True),
    sa.Column('status', sa.String(length=15), nullable=True),
    sa.Column('subject', sa.String(length=255), nullable=True),
    sa.Column('communicating_type', sa.String(length=25), nullable=True),
    sa.Column('communicating_id', sa.BigInteger(), nullable=True),
    sa.Column('template', sa.JSON(), nullable=True),
    sa.Column('read_at', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('communication', schema=None) as batch_op:
        batch_op.create_index('ix_communication_associated_id', ['clinic_id', 'associated_id'], unique=False)
        batch_op.create_index('ix_communication_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_communication_communicating_id', ['clinic_id', 'communicating_id'], unique=False)
        batch_op.create_index('ix_communication_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('consult',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.Column('code', sa.String(length=255), nullable=True),
    sa.Column('date', sa.BigInteger(), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('vet_id', sa.BigInteger(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('referring_vet_contact_id', sa.BigInteger(), nullable=True),
    sa.Column('referring_clinic_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consult', schema=None) as batch_op:
        batch_op.create_index('ix_consult_animal_id', ['clinic_id', 'animal_id'], unique=False)
        batch_op.create_index('ix_consult_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_consult_code', ['clinic_id', 'code'], unique=False)
        batch_op.create_index('ix_consult_date', ['clinic_id', 'date'], unique=False)
        batch_op.create_index('ix_consult_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_consult_vet_id', ['clinic_id', 'vet_id'], unique=False)

    op.create_table('diagnostic',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('code', sa.String(length=255), nullable=True),
    sa.Column('supplier_contact_id', sa.BigInteger(), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('diagnostic', schema=None) as batch_op:
        batch_op.create_index('ix_diagnostic_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_diagnostic_code', ['clinic_id', 'code'], unique=False)
        batch_op.create_index('ix_diagnostic_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_diagnostic_name', ['clinic_id', 'name'], unique=False)

    op.create_table('diagnosticrequest',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('timestamp', sa.BigInteger(), nullable=True),
    sa.Column('contact_id', sa.BigInteger(), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.Column('vet_id', sa.BigInteger(), nullable=True),
    sa.Column('reference_number', sa.String(length=64), nullable=True),
    sa.Column('specifics', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=255), nullable=True),
    sa.Column('supplier_id', sa.BigInteger(), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('diagnosticrequest', schema=None) as batch_op:
        batch_op.create_index('ix_diagnosticrequest_animal_id', ['clinic_id', 'animal_id'], unique=False)
        batch_op.create_index('ix_diagnosticrequest_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_diagnosticrequest_consult_id', ['clinic_id', 'consult_id'], unique=False)
        batch_op.create_index('ix_diagnosticrequest_contact_id', ['clinic_id', 'contact_id'], unique=False)
        batch_op.create_index('ix_diagnosticrequest_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_diagnosticrequest_reference_number', ['clinic_id', 'reference_number'], unique=False)

    op.create_table('diagnosticrequestitem',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('diagnostic_request_id', sa.BigInteger(), nullable=True),
    sa.Column('diagnostic_class', sa.String(length=28), nullable=True),
    sa.Column('diagnostic_id', sa.BigInteger(), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('code', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('diagnosticrequestitem', schema=None) as batch_op:
        batch_op.create_index('ix_diagnosticrequestitem_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_diagnosticrequestitem_diagnostic_request_id', ['clinic_id', 'diagnostic_request_id'], unique=False)
        batch_op.create_index('ix_diagnosticrequestitem_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('diagnosticresult',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.Column('contact_id', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('supplier_id', sa.BigInteger(), nullable=True),
    sa.Column('vet_id', sa.BigInteger(), nullable=True),
    sa.Column('diagnostic_request_id', sa.BigInteger(), nullable=True),
    sa.Column('reference_number', sa.String(length=64), nullable=True),
    sa.Column('timestamp', sa.BigInteger(), nullable=True),
    sa.Column('specifics', sa.Text(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('external_link', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('diagnosticresult', schema=None) as batch_op:
        batch_op.create_index('ix_diagnosticresult_animal_id', ['clinic_id', 'animal_id'], unique=False)
        batch_op.create_index('ix_diagnosticresult_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_diagnosticresult_consult_id', ['clinic_id', 'consult_id'], unique=False)
        batch_op.create_index('ix_diagnosticresult_contact_id', ['clinic_id', 'contact_id'], unique=False)
        batch_op.create_index('ix_diagnosticresult_diagnostic_request_id', ['clinic_id', 'diagnostic_request_id'], unique=False)
        batch_op.create_index('ix_diagnosticresult_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_diagnosticresult_reference_number', ['clinic_id', 'reference_number'], unique=False)

    op.create_table('diagnosticresultitem',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('timestamp', sa.BigInteger(), nullable=True),
    sa.Column('diagnostic_result_id', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('value', sa.String(length=255), nullable=True),
    sa.Column('unit', sa.String(length=64), nullable=True),
    sa.Column('range_low', sa.String(length=64), nullable=True),
    sa.Column('range_high', sa.String(length=64), nullable=True),
    sa.Column('qualifier', sa.String(length=64), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('diagnosticresultitem', schema=None) as batch_op:
        batch_op.create_index('ix_diagnosticresultitem_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_diagnosticresultitem_diagnostic_result_id', ['clinic_id', 'diagnostic_result_id'], unique=False)
        batch_op.create_index('ix_diagnosticresultitem_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('externalprescription',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('prescription_uid', sa.String(length=64), nullable=True),
    sa.Column('prescription_id', sa.BigInteger(), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.Column('contact_id', sa.BigInteger(), nullable=True),
    sa.Column('prescribing_vet_user_id', sa.BigInteger(), nullable=True),
    sa.Column('date_of_prescription', sa.BigInteger(), nullable=True),
    sa.Column('date_of_lastdispense', sa.BigInteger(), nullable=True),
    sa.Column('external_reference', sa.String(length=255), nullable=True),
    sa.Column('total_price', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('written_by_partner', sa.String(length=64), nullable=True),
    sa.Column('written_by_credential', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('externalprescription', schema=None) as batch_op:
        batch_op.create_index('ix_externalprescription_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_externalprescription_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_externalprescription_prescription_uid', ['clinic_id', 'prescription_uid'], unique=False)

    op.create_table('externalprescriptionitem',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('external_prescription_id', sa.BigInteger(), nullable=True),
    sa.Column('external_product_name', sa.String(length=255), nullable=True),
    sa.Column('external_product_reference', sa.String(length=255), nullable=True),
    sa.Column('external_link', sa.Text(), nullable=True),
    sa.Column('instructions', sa.Text(), nullable=True),
    sa.Column('price', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('qty', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('remaining', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.Column('prescription_item_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('externalprescriptionitem', schema=None) as batch_op:
        batch_op.create_index('ix_externalprescriptionitem_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_externalprescriptionitem_external_prescription_id', ['clinic_id', 'external_prescription_id'], unique=False)
        batch_op.create_index('ix_externalprescriptionitem_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('file',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('mime_type', sa.String(length=128), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('content_key', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('file', schema=None) as batch_op:
        batch_op.create_index('ix_file_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_file_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_file_name', ['clinic_id', 'name'], unique=False)

    op.create_table('healthstatus',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('timestamp', sa.BigInteger(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('blood_pressure', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('weight', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('weight_unit', sa.String(length=10), nullable=True),
    sa.Column('temperature', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('heart_rate', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('respiratory_rate', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('bcs', openvet.store.types.ExactDecimal(precision=18, scale=1), nullable=True),
    sa.Column('max_bcs', sa.BigInteger(), nullable=True),
    sa.Column('pain_score', openvet.store.types.ExactDecimal(precision=18, scale=1), nullable=True),
    sa.Column('max_pain_score', sa.BigInteger(), nullable=True),
    sa.Column('dental_score', openvet.store.types.ExactDecimal(precision=18, scale=1), nullable=True),
    sa.Column('max_dental_score', sa.BigInteger(), nullable=True),
    sa.Column('crt', sa.String(length=15), nullable=True),
    sa.Column('mm', sa.String(length=17), nullable=True),
    sa.Column('attitude', sa.String(length=18), nullable=True),
    sa.Column('left_ovary_size', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('left_ovary_stage', sa.String(length=12), nullable=True),
    sa.Column('right_ovary_size', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('right_ovary_stage', sa.String(length=12), nullable=True),
    sa.Column('uterine_tone', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('uterine_edema', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('uterine_fluid', sa.String(length=16), nullable=True),
    sa.Column('uterine_cyst', sa.String(length=18), nullable=True),
    sa.Column('uterine_cytology', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('cervix_tone', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('cervix_cytology', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('pregnant', sa.String(length=11), nullable=True),
    sa.Column('pulse_quality', sa.String(length=28), nullable=True),
    sa.Column('respiratory_effort', sa.String(length=26), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('healthstatus', schema=None) as batch_op:
        batch_op.create_index('ix_healthstatus_animal_id', ['clinic_id', 'animal_id'], unique=False)
        batch_op.create_index('ix_healthstatus_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_healthstatus_consult_id', ['clinic_id', 'consult_id'], unique=False)
        batch_op.create_index('ix_healthstatus_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('vet_id', sa.BigInteger(), nullable=True),
    sa.Column('timestamp', sa.BigInteger(), nullable=True),
    sa.Column('history_system', sa.BigInteger(), nullable=True),
    sa.Column('chain', sa.String(length=255), nullable=True),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.create_index('ix_history_animal_id', ['clinic_id', 'animal_id'], unique=False)
        batch_op.create_index('ix_history_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_history_consult_id', ['clinic_id', 'consult_id'], unique=False)
        batch_op.create_index('ix_history_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('integrateddiagnostic',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('code', sa.String(length=255), nullable=True),
    sa.Column('supplier_price', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('supplier_currency', sa.String(length=8), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('integrateddiagnostic', schema=None) as batch_op:
        batch_op.create_index('ix_integrateddiagnostic_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_integrateddiagnostic_code', ['clinic_id', 'code'], unique=False)
        batch_op.create_index('ix_integrateddiagnostic_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_integrateddiagnostic_name', ['clinic_id', 'name'], unique=False)

    op.create_table('operation',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('vet_id', sa.BigInteger(), nullable=True),
    sa.Column('timestamp', sa.BigInteger(), nullable=True),
    sa.Column('therapeutic_id', sa.BigInteger(), nullable=True),
    sa.Column('specifics', sa.Text(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('operation', schema=None) as batch_op:
        batch_op.create_index('ix_operation_animal_id', ['clinic_id', 'animal_id'], unique=False)
        batch_op.create_index('ix_operation_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_operation_consult_id', ['clinic_id', 'consult_id'], unique=False)
        batch_op.create_index('ix_operation_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('physicalexam',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('vet_id', sa.BigInteger(), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.Column('body_system', sa.BigInteger(), nullable=True),
    sa.Column('chain', sa.String(length=255), nullable=True),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.Column('timestamp', sa.BigInteger(), nullable=True),
    sa.Column('historical_record_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('physicalexam', schema=None) as batch_op:
        batch_op.create_index('ix_physicalexam_animal_id', ['clinic_id', 'animal_id'], unique=False)
        batch_op.create_index('ix_physicalexam_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_physicalexam_consult_id', ['clinic_id', 'consult_id'], unique=False)
        batch_op.create_index('ix_physicalexam_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('plan',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('vet_id', sa.BigInteger(), nullable=True),
    sa.Column('timestamp', sa.BigInteger(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.create_index('ix_plan_animal_id', ['clinic_id', 'animal_id'], unique=False)
        batch_op.create_index('ix_plan_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_plan_consult_id', ['clinic_id', 'consult_id'], unique=False)
        batch_op.create_index('ix_plan_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('prescription',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('uid', sa.String(length=64), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.Column('contact_id', sa.BigInteger(), nullable=True),
    sa.Column('prescribing_vet_user_id', sa.BigInteger(), nullable=True),
    sa.Column('date_of_prescription', sa.BigInteger(), nullable=True),
    sa.Column('sales_resource_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.create_index('ix_prescription_animal_id', ['clinic_id', 'animal_id'], unique=False)
        batch_op.create_index('ix_prescription_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_prescription_consult_id', ['clinic_id', 'consult_id'], unique=False)
        batch_op.create_index('ix_prescription_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_prescription_uid', ['clinic_id', 'uid'], unique=False)

    op.create_table('prescriptionitem',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('prescription_id', sa.BigInteger(), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.Column('qty', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('remaining', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('instructions', sa.Text(), nullable=True),
    sa.Column('date_start', sa.BigInteger(), nullable=True),
    sa.Column('serial_number', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('prescriptionitem', schema=None) as batch_op:
        batch_op.create_index('ix_prescriptionitem_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_prescriptionitem_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_prescriptionitem_prescription_id', ['clinic_id', 'prescription_id'], unique=False)

    op.create_table('presentingproblem',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('presentingproblem', schema=None) as batch_op:
        batch_op.create_index('ix_presentingproblem_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_presentingproblem_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_presentingproblem_name', ['clinic_id', 'name'], unique=False)

    op.create_table('presentingproblemlink',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('presenting_problem_id', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('presentingproblemlink', schema=None) as batch_op:
        batch_op.create_index('ix_presentingproblemlink_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_presentingproblemlink_consult_id', ['clinic_id', 'consult_id'], unique=False)
        batch_op.create_index('ix_presentingproblemlink_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_presentingproblemlink_presenting_problem_id', ['clinic_id', 'presenting_problem_id'], unique=False)

    op.create_table('product',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('uid', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('code', sa.String(length=255), nullable=True),
    sa.Column('product_group_id', sa.BigInteger(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('warning', sa.Text(), nullable=True),
    sa.Column('type', sa.String(length=29), nullable=True),
    sa.Column('tracking_level', sa.String(length=15), nullable=True),
    sa.Column('is_sold', sa.Boolean(), nullable=True),
    sa.Column('is_purchased', sa.Boolean(), nullable=True),
    sa.Column('is_container', sa.Boolean(), nullable=True),
    sa.Column('is_derived_price', sa.Boolean(), nullable=True),
    sa.Column('has_direct_cost', sa.Boolean(), nullable=True),
    sa.Column('product_identifier', sa.String(length=64), nullable=True),
    sa.Column('product_schedule_or_class', sa.String(length=16), nullable=True),
    sa.Column('lowest_dispensable_quantity', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('lowest_dispensable_unit', sa.String(length=32), nullable=True),
    sa.Column('concentration', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('concentration_unit', sa.String(length=32), nullable=True),
    sa.Column('concentration_volume', sa.String(length=32), nullable=True),
    sa.Column('concentration_diluted', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('concentration_diluted_unit', sa.String(length=32), nullable=True),
    sa.Column('concentration_diluted_volume', sa.String(length=32), nullable=True),
    sa.Column('default_dosage_calculation_method', sa.String(length=255), nullable=True),
    sa.Column('is_constant_rate_infusion', sa.Boolean(), nullable=True),
    sa.Column('default_infusion_rate_per', sa.String(length=32), nullable=True),
    sa.Column('default_route_of_administration', sa.String(length=255), nullable=True),
    sa.Column('sheet_group', sa.BigInteger(), nullable=True),
    sa.Column('sheet_group_name', sa.String(length=255), nullable=True),
    sa.Column('external_product_reference', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index('ix_product_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_product_code', ['clinic_id', 'code'], unique=False)
        batch_op.create_index('ix_product_external_product_reference', ['clinic_id', 'external_product_reference'], unique=False)
        batch_op.create_index('ix_product_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_product_name', ['clinic_id', 'name'], unique=False)
        batch_op.create_index('ix_product_product_group_id', ['clinic_id', 'product_group_id'], unique=False)
        batch_op.create_index('ix_product_uid', ['clinic_id', 'uid'], unique=False)

    op.create_table('productgroup',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('productgroup', schema=None) as batch_op:
        batch_op.create_index('ix_productgroup_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_productgroup_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_productgroup_name', ['clinic_id', 'name'], unique=False)

    op.create_table('resource',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('uid', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('type', sa.String(length=16), nullable=True),
    sa.Column('associated_id', sa.BigInteger(), nullable=True),
    sa.Column('access', sa.String(length=19), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.create_index('ix_resource_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_resource_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_resource_name', ['clinic_id', 'name'], unique=False)
        batch_op.create_index('ix_resource_uid', ['clinic_id', 'uid'], unique=False)

    op.create_table('shelteranimalbooking',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('start_time', sa.BigInteger(), nullable=True),
    sa.Column('end_time', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=255), nullable=True),
    sa.Column('shelter_resource_place_id', sa.BigInteger(), nullable=True),
    sa.Column('contact_id', sa.BigInteger(), nullable=True),
    sa.Column('shelter_resource_id', sa.BigInteger(), nullable=True),
    sa.Column('shelter_resource_name', sa.String(length=255), nullable=True),
    sa.Column('shelter_resource_ownership_id', sa.BigInteger(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('shelteranimalbooking', schema=None) as batch_op:
        batch_op.create_index('ix_shelteranimalbooking_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_shelteranimalbooking_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('therapeutic',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('default_template_id', sa.BigInteger(), nullable=True),
    sa.Column('department_ids', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('therapeutic', schema=None) as batch_op:
        batch_op.create_index('ix_therapeutic_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_therapeutic_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_therapeutic_name', ['clinic_id', 'name'], unique=False)

    op.create_table('vaccination',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('vet_id', sa.BigInteger(), nullable=True),
    sa.Column('animal_id', sa.BigInteger(), nullable=True),
    sa.Column('consult_id', sa.BigInteger(), nullable=True),
    sa.Column('product_id', sa.BigInteger(), nullable=True),
    sa.Column('qty', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('date_of_administration', sa.BigInteger(), nullable=True),
    sa.Column('batch_id', sa.BigInteger(), nullable=True),
    sa.Column('date_of_next_administration', sa.BigInteger(), nullable=True),
    sa.Column('sales_resource_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vaccination', schema=None) as batch_op:
        batch_op.create_index('ix_vaccination_animal_id', ['clinic_id', 'animal_id'], unique=False)
        batch_op.create_index('ix_vaccination_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_vaccination_consult_id', ['clinic_id', 'consult_id'], unique=False)
        batch_op.create_index('ix_vaccination_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_vaccination_product_id', ['clinic_id', 'product_id'], unique=False)

    with op.batch_alter_table('animal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uid', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_animal_uid', ['clinic_id', 'uid'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uid', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_user_uid', ['clinic_id', 'uid'], unique=False)
    give_uids("animal", "animal")
    give_uids("user", "user")
    dialect = op.get_bind().dialect.name
    for search in SEARCHED:
        for statement in create_search(search, dialect):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for search in SEARCHED:
        for statement in drop_search(search, dialect):
            op.execute(statement)
    # SQLite rebuilds animal and user to drop their uid: their search goes first and comes back after.
    kept = [Search('animal', ('name', 'code', 'microchip_number')), Search('user', ('name', 'code'))]
    for search in kept:
        for statement in drop_search(search, dialect):
            op.execute(statement)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index('ix_user_uid')
        batch_op.drop_column('uid')

    with op.batch_alter_table('animal', schema=None) as batch_op:
        batch_op.drop_index('ix_animal_uid')
        batch_op.drop_column('uid')
    for search in kept:
        for statement in create_search(search, dialect):
            op.execute(statement)

    with op.batch_alter_table('vaccination', schema=None) as batch_op:
        batch_op.drop_index('ix_vaccination_product_id')
        batch_op.drop_index('ix_vaccination_modified_at')
        batch_op.drop_index('ix_vaccination_consult_id')
        batch_op.drop_index('ix_vaccination_clinic_id')
        batch_op.drop_index('ix_vaccination_animal_id')

    op.drop_table('vaccination')
    with op.batch_alter_table('therapeutic', schema=None) as batch_op:
        batch_op.drop_index('ix_therapeutic_name')
        batch_op.drop_index('ix_therapeutic_modified_at')
        batch_op.drop_index('ix_therapeutic_clinic_id')

    op.drop_table('therapeutic')
    with op.batch_alter_table('shelteranimalbooking', schema=None) as batch_op:
        batch_op.drop_index('ix_shelteranimalbooking_modified_at')
        batch_op.drop_index('ix_shelteranimalbooking_clinic_id')

    op.drop_table('shelteranimalbooking')
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.drop_index('ix_resource_uid')
        batch_op.drop_index('ix_resource_name')
        batch_op.drop_index('ix_resource_modified_at')
        batch_op.drop_index('ix_resource_clinic_id')

    op.drop_table('resource')
    with op.batch_alter_table('productgroup', schema=None) as batch_op:
        batch_op.drop_index('ix_productgroup_name')
        batch_op.drop_index('ix_productgroup_modified_at')
        batch_op.drop_index('ix_productgroup_clinic_id')

    op.drop_table('productgroup')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index('ix_product_uid')
        batch_op.drop_index('ix_product_product_group_id')
        batch_op.drop_index('ix_product_name')
        batch_op.drop_index('ix_product_modified_at')
        batch_op.drop_index('ix_product_external_product_reference')
        batch_op.drop_index('ix_product_code')
        batch_op.drop_index('ix_product_clinic_id')

    op.drop_table('product')
    with op.batch_alter_table('presentingproblemlink', schema=None) as batch_op:
        batch_op.drop_index('ix_presentingproblemlink_presenting_problem_id')
        batch_op.drop_index('ix_presentingproblemlink_modified_at')
        batch_op.drop_index('ix_presentingproblemlink_consult_id')
        batch_op.drop_index('ix_presentingproblemlink_clinic_id')

    op.drop_table('presentingproblemlink')
    with op.batch_alter_table('presentingproblem', schema=None) as batch_op:
        batch_op.drop_index('ix_presentingproblem_name')
        batch_op.drop_index('ix_presentingproblem_modified_at')
        batch_op.drop_index('ix_presentingproblem_clinic_id')

    op.drop_table('presentingproblem')
    with op.batch_alter_table('prescriptionitem', schema=None) as batch_op:
        batch_op.drop_index('ix_prescriptionitem_prescription_id')
        batch_op.drop_index('ix_prescriptionitem_modified_at')
        batch_op.drop_index('ix_prescriptionitem_clinic_id')

    op.drop_table('prescriptionitem')
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.drop_index('ix_prescription_uid')
        batch_op.drop_index('ix_prescription_modified_at')
        batch_op.drop_index('ix_prescription_consult_id')
        batch_op.drop_index('ix_prescription_clinic_id')
        batch_op.drop_index('ix_prescription_animal_id')

    op.drop_table('prescription')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_modified_at')
        batch_op.drop_index('ix_plan_consult_id')
        batch_op.drop_index('ix_plan_clinic_id')
        batch_op.drop_index('ix_plan_animal_id')

    op.drop_table('plan')
    with op.batch_alter_table('physicalexam', schema=None) as batch_op:
        batch_op.drop_index('ix_physicalexam_modified_at')
        batch_op.drop_index('ix_physicalexam_consult_id')
        batch_op.drop_index('ix_physicalexam_clinic_id')
        batch_op.drop_index('ix_physicalexam_animal_id')

    op.drop_table('physicalexam')
    with op.batch_alter_table('operation', schema=None) as batch_op:
        batch_op.drop_index('ix_operation_modified_at')
        batch_op.drop_index('ix_operation_consult_id')
        batch_op.drop_index('ix_operation_clinic_id')
        batch_op.drop_index('ix_operation_animal_id')

    op.drop_table('operation')
    with op.batch_alter_table('integrateddiagnostic', schema=None) as batch_op:
        batch_op.drop_index('ix_integrateddiagnostic_name')
        batch_op.drop_index('ix_integrateddiagnostic_modified_at')
        batch_op.drop_index('ix_integrateddiagnostic_code')
        batch_op.drop_index('ix_integrateddiagnostic_clinic_id')

    op.drop_table('integrateddiagnostic')
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.drop_index('ix_history_modified_at')
        batch_op.drop_index('ix_history_consult_id')
        batch_op.drop_index('ix_history_clinic_id')
        batch_op.drop_index('ix_history_animal_id')

    op.drop_table('history')
    with op.batch_alter_table('healthstatus', schema=None) as batch_op:
        batch_op.drop_index('ix_healthstatus_modified_at')
        batch_op.drop_index('ix_healthstatus_consult_id')
        batch_op.drop_index('ix_healthstatus_clinic_id')
        batch_op.drop_index('ix_healthstatus_animal_id')

    op.drop_table('healthstatus')
    with op.batch_alter_table('file', schema=None) as batch_op:
        batch_op.drop_index('ix_file_name')
        batch_op.drop_index('ix_file_modified_at')
        batch_op.drop_index('ix_file_clinic_id')

    op.drop_table('file')
    with op.batch_alter_table('externalprescriptionitem', schema=None) as batch_op:
        batch_op.drop_index('ix_externalprescriptionitem_modified_at')
        batch_op.drop_index('ix_externalprescriptionitem_external_prescription_id')
        batch_op.drop_index('ix_externalprescriptionitem_clinic_id')

    op.drop_table('externalprescriptionitem')
    with op.batch_alter_table('externalprescription', schema=None) as batch_op:
        batch_op.drop_index('ix_externalprescription_prescription_uid')
        batch_op.drop_index('ix_externalprescription_modified_at')
        batch_op.drop_index('ix_externalprescription_clinic_id')

    op.drop_table('externalprescription')
    with op.batch_alter_table('diagnosticresultitem', schema=None) as batch_op:
        batch_op.drop_index('ix_diagnosticresultitem_modified_at')
        batch_op.drop_index('ix_diagnosticresultitem_diagnostic_result_id')
        batch_op.drop_index('ix_diagnosticresultitem_clinic_id')

    op.drop_table('diagnosticresultitem')
    with op.batch_alter_table('diagnosticresult', schema=None) as batch_op:
        batch_op.drop_index('ix_diagnosticresult_reference_number')
        batch_op.drop_index('ix_diagnosticresult_modified_at')
        batch_op.drop_index('ix_diagnosticresult_diagnostic_request_id')
        batch_op.drop_index('ix_diagnosticresult_contact_id')
        batch_op.drop_index('ix_diagnosticresult_consult_id')
        batch_op.drop_index('ix_diagnosticresult_clinic_id')
        batch_op.drop_index('ix_diagnosticresult_animal_id')

    op.drop_table('diagnosticresult')
    with op.batch_alter_table('diagnosticrequestitem', schema=None) as batch_op:
        batch_op.drop_index('ix_diagnosticrequestitem_modified_at')
        batch_op.drop_index('ix_diagnosticrequestitem_diagnostic_request_id')
        batch_op.drop_index('ix_diagnosticrequestitem_clinic_id')

    op.drop_table('diagnosticrequestitem')
    with op.batch_alter_table('diagnosticrequest', schema=None) as batch_op:
        batch_op.drop_index('ix_diagnosticrequest_reference_number')
        batch_op.drop_index('ix_diagnosticrequest_modified_at')
        batch_op.drop_index('ix_diagnosticrequest_contact_id')
        batch_op.drop_index('ix_diagnosticrequest_consult_id')
        batch_op.drop_index('ix_diagnosticrequest_clinic_id')
        batch_op.drop_index('ix_diagnosticrequest_animal_id')

    op.drop_table('diagnosticrequest')
    with op.batch_alter_table('diagnostic', schema=None) as batch_op:
        batch_op.drop_index('ix_diagnostic_name')
        batch_op.drop_index('ix_diagnostic_modified_at')
        batch_op.drop_index('ix_diagnostic_code')
        batch_op.drop_index('ix_diagnostic_clinic_id')

    op.drop_table('diagnostic')
    with op.batch_alter_table('consult', schema=None) as batch_op:
        batch_op.drop_index('ix_consult_vet_id')
        batch_op.drop_index('ix_consult_modified_at')
        batch_op.drop_index('ix_consult_date')
        batch_op.drop_index('ix_consult_code')
        batch_op.drop_index('ix_consult_clinic_id')
        batch_op.drop_index('ix_consult_animal_id')

    op.drop_table('consult')
    with op.batch_alter_table('communication', schema=None) as batch_op:
        batch_op.drop_index('ix_communication_modified_at')
        batch_op.drop_index('ix_communication_communicating_id')
        batch_op.drop_index('ix_communication_clinic_id')
        batch_op.drop_index('ix_communication_associated_id')

    op.drop_table('communication')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index('ix_attachment_record_id')
        batch_op.drop_index('ix_attachment_modified_at')
        batch_op.drop_index('ix_attachment_file_id')
        batch_op.drop_index('ix_attachment_clinic_id')

    op.drop_table('attachment')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_modified_at')
        batch_op.drop_index('ix_assessment_consult_id')
        batch_op.drop_index('ix_assessment_clinic_id')
        batch_op.drop_index('ix_assessment_animal_id')

    op.drop_table('assessment')
    with op.batch_alter_table('appointmenttype', schema=None) as batch_op:
        batch_op.drop_index('ix_appointmenttype_uid')
        batch_op.drop_index('ix_appointmenttype_name')
        batch_op.drop_index('ix_appointmenttype_modified_at')
        batch_op.drop_index('ix_appointmenttype_clinic_id')

    op.drop_table('appointmenttype')
    with op.batch_alter_table('appointmentstatus', schema=None) as batch_op:
        batch_op.drop_index('ix_appointmentstatus_name')
        batch_op.drop_index('ix_appointmentstatus_modified_at')
        batch_op.drop_index('ix_appointmentstatus_clinic_id')

    op.drop_table('appointmentstatus')
    with op.batch_alter_table('appointmentcancellationreason', schema=None) as batch_op:
        batch_op.drop_index('ix_appointmentcancellationreason_name')
        batch_op.drop_index('ix_appointmentcancellationreason_modified_at')
        batch_op.drop_index('ix_appointmentcancellationreason_clinic_id')

    op.drop_table('appointmentcancellationreason')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index('ix_appointment_start_at')
        batch_op.drop_index('ix_appointment_modified_at')
        batch_op.drop_index('ix_appointment_contact_id')
        batch_op.drop_index('ix_appointment_consult_id')
        batch_op.drop_index('ix_appointment_clinic_id')
        batch_op.drop_index('ix_appointment_animal_id')

    op.drop_table('appointment')
    op.drop_table('server_key')
