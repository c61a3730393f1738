"""the clinic, its credentials, and the first resources

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import openvet.store.types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

# Text columns that clients search with ``like``: case-insensitive indexes, one form per database.
LIKE_INDEXED = (
    ('country', 'name'),
    ('user', 'name'),
    ('user', 'code'),
    ('contact', 'code'),
    ('contact', 'first_name'),
    ('contact', 'last_name'),
    ('contact', 'business_name'),
    ('contactdetail', 'value_cleaned'),
    ('contactdetailtype', 'name'),
    ('address', 'post_code'),
    ('animal', 'name'),
    ('animal', 'code'),
    ('animal', 'microchip_number'),
    ('animalcolour', 'name'),
    ('species', 'name'),
    ('breed', 'name'),
    ('sex', 'name'),
)


def create_like_indexes() -> None:
    dialect = op.get_bind().dialect.name
    for table, column in LIKE_INDEXED:
        if dialect == "sqlite":
            op.execute(f"CREATE INDEX ix_{table}_{column}_nocase ON \"{table}\" (clinic_id, {column} COLLATE NOCASE)")
        elif dialect == "postgresql":
            op.execute(
                f"CREATE INDEX ix_{table}_{column}_lower ON \"{table}\" (clinic_id, lower({column}) text_pattern_ops)"
            )


def upgrade() -> None:
    op.create_table('clinic',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    op.create_table('address',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('street_1', sa.String(length=255), nullable=True),
    sa.Column('street_2', sa.String(length=255), nullable=True),
    sa.Column('suburb', sa.String(length=255), nullable=True),
    sa.Column('city', sa.String(length=255), nullable=True),
    sa.Column('region', sa.String(length=255), nullable=True),
    sa.Column('post_code', sa.String(length=32), nullable=True),
    sa.Column('state', sa.String(length=255), nullable=True),
    sa.Column('country_id', sa.BigInteger(), nullable=True),
    sa.Column('longitude', openvet.store.types.ExactDecimal(precision=18, scale=8), nullable=True),
    sa.Column('latitude', openvet.store.types.ExactDecimal(precision=18, scale=8), nullable=True),
    sa.Column('for_resource_type', sa.String(length=64), nullable=True),
    sa.Column('for_resource_id', sa.BigInteger(), nullable=True),
    sa.Column('distance', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('address', schema=None) as batch_op:
        batch_op.create_index('ix_address_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_address_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_address_post_code', ['clinic_id', 'post_code'], unique=False)

    op.create_table('animal',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('code', sa.String(length=255), nullable=True),
    sa.Column('sex_id', sa.BigInteger(), nullable=True),
    sa.Column('is_dead', sa.Boolean(), nullable=True),
    sa.Column('is_hostile', sa.Boolean(), nullable=True),
    sa.Column('animalcolour_id', sa.BigInteger(), nullable=True),
    sa.Column('species_id', sa.BigInteger(), nullable=True),
    sa.Column('breed_id', sa.BigInteger(), nullable=True),
    sa.Column('rabies_number', sa.String(length=255), nullable=True),
    sa.Column('date_of_rabies_vaccination', sa.BigInteger(), nullable=True),
    sa.Column('microchip_number', sa.String(length=255), nullable=True),
    sa.Column('contact_id', sa.BigInteger(), nullable=True),
    sa.Column('date_of_birth', sa.BigInteger(), nullable=True),
    sa.Column('is_estimated_date_of_birth', sa.Boolean(), nullable=True),
    sa.Column('date_of_death', sa.BigInteger(), nullable=True),
    sa.Column('death_reason', sa.String(length=255), nullable=True),
    sa.Column('date_of_desex', sa.BigInteger(), nullable=True),
    sa.Column('referring_clinic_id', sa.BigInteger(), nullable=True),
    sa.Column('referring_vet_id', sa.BigInteger(), nullable=True),
    sa.Column('residence_contact_id', sa.BigInteger(), nullable=True),
    sa.Column('weight', openvet.store.types.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('weight_unit', sa.String(length=10), nullable=True),
    sa.Column('resuscitate', sa.String(length=9), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('notes_important', sa.Boolean(), nullable=True),
    sa.Column('guid', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('animal', schema=None) as batch_op:
        batch_op.create_index('ix_animal_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_animal_code', ['clinic_id', 'code'], unique=False)
        batch_op.create_index('ix_animal_contact_id', ['clinic_id', 'contact_id'], unique=False)
        batch_op.create_index('ix_animal_microchip_number', ['clinic_id', 'microchip_number'], unique=False)
        batch_op.create_index('ix_animal_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_animal_name', ['clinic_id', 'name'], unique=False)

    op.create_table('animalcolour',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('animalcolour', schema=None) as batch_op:
        batch_op.create_index('ix_animalcolour_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_animalcolour_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_animalcolour_name', ['clinic_id', 'name'], unique=False)

    op.create_table('breed',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('species_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('breed', schema=None) as batch_op:
        batch_op.create_index('ix_breed_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_breed_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_breed_name', ['clinic_id', 'name'], unique=False)
        batch_op.create_index('ix_breed_species_id', ['clinic_id', 'species_id'], unique=False)

    op.create_table('contact',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('uid', sa.String(length=64), nullable=True),
    sa.Column('ownership_id', sa.BigInteger(), nullable=True),
    sa.Column('code', sa.String(length=255), nullable=True),
    sa.Column('first_name', sa.String(length=255), nullable=True),
    sa.Column('last_name', sa.String(length=255), nullable=True),
    sa.Column('business_name', sa.String(length=255), nullable=True),
    sa.Column('is_business', sa.Boolean(), nullable=True),
    sa.Column('is_customer', sa.Boolean(), nullable=True),
    sa.Column('is_supplier', sa.Boolean(), nullable=True),
    sa.Column('is_vet', sa.Boolean(), nullable=True),
    sa.Column('is_syndicate', sa.Boolean(), nullable=True),
    sa.Column('is_staff_member', sa.Boolean(), nullable=True),
    sa.Column('website', sa.String(length=255), nullable=True),
    sa.Column('stop_credit', sa.String(length=15), nullable=True),
    sa.Column('address_physical', sa.BigInteger(), nullable=True),
    sa.Column('address_postal', sa.BigInteger(), nullable=True),
    sa.Column('date_of_birth', sa.BigInteger(), nullable=True),
    sa.Column('driver_license_number', sa.String(length=255), nullable=True),
    sa.Column('driver_license_issuer', sa.String(length=255), nullable=True),
    sa.Column('driver_license_expiry', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index('ix_contact_business_name', ['clinic_id', 'business_name'], unique=False)
        batch_op.create_index('ix_contact_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_contact_code', ['clinic_id', 'code'], unique=False)
        batch_op.create_index('ix_contact_first_name', ['clinic_id', 'first_name'], unique=False)
        batch_op.create_index('ix_contact_last_name', ['clinic_id', 'last_name'], unique=False)
        batch_op.create_index('ix_contact_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_contact_uid', ['clinic_id', 'uid'], unique=False)

    op.create_table('contactassociation',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('contact_id', sa.BigInteger(), nullable=True),
    sa.Column('associatedcontact_id', sa.BigInteger(), nullable=True),
    sa.Column('associationclass', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contactassociation', schema=None) as batch_op:
        batch_op.create_index('ix_contactassociation_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_contactassociation_contact_id', ['clinic_id', 'contact_id'], unique=False)
        batch_op.create_index('ix_contactassociation_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('contactdetail',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('value', sa.String(length=255), nullable=True),
    sa.Column('value_cleaned', sa.String(length=255), nullable=True),
    sa.Column('contact_id', sa.BigInteger(), nullable=True),
    sa.Column('contact_detail_type_id', sa.BigInteger(), nullable=True),
    sa.Column('preferred', sa.Boolean(), nullable=True),
    sa.Column('subscription_groups', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contactdetail', schema=None) as batch_op:
        batch_op.create_index('ix_contactdetail_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_contactdetail_contact_id', ['clinic_id', 'contact_id'], unique=False)
        batch_op.create_index('ix_contactdetail_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_contactdetail_value_cleaned', ['clinic_id', 'value_cleaned'], unique=False)

    op.create_table('contactdetailtype',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contactdetailtype', schema=None) as batch_op:
        batch_op.create_index('ix_contactdetailtype_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_contactdetailtype_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_contactdetailtype_name', ['clinic_id', 'name'], unique=False)

    op.create_table('country',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('country', schema=None) as batch_op:
        batch_op.create_index('ix_country_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_country_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_country_name', ['clinic_id', 'name'], unique=False)

    op.create_table('credential',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('partner_id', sa.String(length=64), nullable=True),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('secret_hash', sa.String(length=255), nullable=True),
    sa.Column('scopes', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id')
    )
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event', sa.String(length=96), nullable=False),
    sa.Column('resource', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('delivered_at', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['delivered_at', 'id'], unique=False)

    op.create_table('record_count',
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('resource', sa.String(length=64), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('clinic_id', 'resource')
    )
    op.create_table('separation',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('uid', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('type', sa.String(length=16), nullable=True),
    sa.Column('parent', sa.BigInteger(), nullable=True),
    sa.Column('child', sa.BigInteger(), nullable=True),
    sa.Column('separation_type', sa.String(length=64), nullable=True),
    sa.Column('contact_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('separation', schema=None) as batch_op:
        batch_op.create_index('ix_separation_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_separation_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_separation_uid', ['clinic_id', 'uid'], unique=False)

    op.create_table('sex',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('abbreviation', sa.String(length=16), nullable=True),
    sa.Column('is_desexed', sa.Boolean(), nullable=True),
    sa.Column('provet_code', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sex', schema=None) as batch_op:
        batch_op.create_index('ix_sex_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_sex_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_sex_name', ['clinic_id', 'name'], unique=False)

    op.create_table('species',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('provet_code', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('species', schema=None) as batch_op:
        batch_op.create_index('ix_species_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_species_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_species_name', ['clinic_id', 'name'], unique=False)

    op.create_table('systemsetting',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('systemsetting', schema=None) as batch_op:
        batch_op.create_index('ix_systemsetting_clinic_id', ['clinic_id', 'id'], unique=False)

    op.create_table('tag',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('associated_type', sa.String(length=64), nullable=True),
    sa.Column('associated_id', sa.BigInteger(), nullable=True),
    sa.Column('category_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('tag', schema=None) as batch_op:
        batch_op.create_index('ix_tag_associated_id', ['clinic_id', 'associated_id'], unique=False)
        batch_op.create_index('ix_tag_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_tag_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('tagcategory',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('tagcategory', schema=None) as batch_op:
        batch_op.create_index('ix_tagcategory_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_tagcategory_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('tagname',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('category_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('tagname', schema=None) as batch_op:
        batch_op.create_index('ix_tagname_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_tagname_modified_at', ['clinic_id', 'modified_at'], unique=False)

    op.create_table('user',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=True),
    sa.Column('modified_at', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('code', sa.String(length=255), nullable=True),
    sa.Column('is_vet', sa.Boolean(), nullable=True),
    sa.Column('is_salesperson', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index('ix_user_clinic_id', ['clinic_id', 'id'], unique=False)
        batch_op.create_index('ix_user_code', ['clinic_id', 'code'], unique=False)
        batch_op.create_index('ix_user_modified_at', ['clinic_id', 'modified_at'], unique=False)
        batch_op.create_index('ix_user_name', ['clinic_id', 'name'], unique=False)

    op.create_table('access_token',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False), nullable=False),
    sa.Column('clinic_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('credential_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], ),
    sa.ForeignKeyConstraint(['credential_id'], ['credential.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    create_like_indexes()


def downgrade() -> None:
    op.drop_table('access_token')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index('ix_user_name')
        batch_op.drop_index('ix_user_modified_at')
        batch_op.drop_index('ix_user_code')
        batch_op.drop_index('ix_user_clinic_id')

    op.drop_table('user')
    with op.batch_alter_table('tagname', schema=None) as batch_op:
        batch_op.drop_index('ix_tagname_modified_at')
        batch_op.drop_index('ix_tagname_clinic_id')

    op.drop_table('tagname')
    with op.batch_alter_table('tagcategory', schema=None) as batch_op:
        batch_op.drop_index('ix_tagcategory_modified_at')
        batch_op.drop_index('ix_tagcategory_clinic_id')

    op.drop_table('tagcategory')
    with op.batch_alter_table('tag', schema=None) as batch_op:
        batch_op.drop_index('ix_tag_modified_at')
        batch_op.drop_index('ix_tag_clinic_id')
        batch_op.drop_index('ix_tag_associated_id')

    op.drop_table('tag')
    with op.batch_alter_table('systemsetting', schema=None) as batch_op:
        batch_op.drop_index('ix_systemsetting_clinic_id')

    op.drop_table('systemsetting')
    with op.batch_alter_table('species', schema=None) as batch_op:
        batch_op.drop_index('ix_species_name')
        batch_op.drop_index('ix_species_modified_at')
        batch_op.drop_index('ix_species_clinic_id')

    op.drop_table('species')
    with op.batch_alter_table('sex', schema=None) as batch_op:
        batch_op.drop_index('ix_sex_name')
        batch_op.drop_index('ix_sex_modified_at')
        batch_op.drop_index('ix_sex_clinic_id')

    op.drop_table('sex')
    with op.batch_alter_table('separation', schema=None) as batch_op:
        batch_op.drop_index('ix_separation_uid')
        batch_op.drop_index('ix_separation_modified_at')
        batch_op.drop_index('ix_separation_clinic_id')

    op.drop_table('separation')
    op.drop_table('record_count')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')

    op.drop_table('outbox')
    op.drop_table('credential')
    with op.batch_alter_table('country', schema=None) as batch_op:
        batch_op.drop_index('ix_country_name')
        batch_op.drop_index('ix_country_modified_at')
        batch_op.drop_index('ix_country_clinic_id')

    op.drop_table('country')
    with op.batch_alter_table('contactdetailtype', schema=None) as batch_op:
        batch_op.drop_index('ix_contactdetailtype_name')
        batch_op.drop_index('ix_contactdetailtype_modified_at')
        batch_op.drop_index('ix_contactdetailtype_clinic_id')

    op.drop_table('contactdetailtype')
    with op.batch_alter_table('contactdetail', schema=None) as batch_op:
        batch_op.drop_index('ix_contactdetail_value_cleaned')
        batch_op.drop_index('ix_contactdetail_modified_at')
        batch_op.drop_index('ix_contactdetail_contact_id')
        batch_op.drop_index('ix_contactdetail_clinic_id')

    op.drop_table('contactdetail')
    with op.batch_alter_table('contactassociation', schema=None) as batch_op:
        batch_op.drop_index('ix_contactassociation_modified_at')
        batch_op.drop_index('ix_contactassociation_contact_id')
        batch_op.drop_index('ix_contactassociation_clinic_id')

    op.drop_table('contactassociation')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_uid')
        batch_op.drop_index('ix_contact_modified_at')
        batch_op.drop_index('ix_contact_last_name')
        batch_op.drop_index('ix_contact_first_name')
        batch_op.drop_index('ix_contact_code')
        batch_op.drop_index('ix_contact_clinic_id')
        batch_op.drop_index('ix_contact_business_name')

    op.drop_table('contact')
    with op.batch_alter_table('breed', schema=None) as batch_op:
        batch_op.drop_index('ix_breed_species_id')
        batch_op.drop_index('ix_breed_name')
        batch_op.drop_index('ix_breed_modified_at')
        batch_op.drop_index('ix_breed_clinic_id')

    op.drop_table('breed')
    with op.batch_alter_table('animalcolour', schema=None) as batch_op:
        batch_op.drop_index('ix_animalcolour_name')
        batch_op.drop_index('ix_animalcolour_modified_at')
        batch_op.drop_index('ix_animalcolour_clinic_id')

    op.drop_table('animalcolour')
    with op.batch_alter_table('animal', schema=None) as batch_op:
        batch_op.drop_index('ix_animal_name')
        batch_op.drop_index('ix_animal_modified_at')
        batch_op.drop_index('ix_animal_microchip_number')
        batch_op.drop_index('ix_animal_contact_id')
        batch_op.drop_index('ix_animal_code')
        batch_op.drop_index('ix_animal_clinic_id')

    op.drop_table('animal')
    with op.batch_alter_table('address', schema=None) as batch_op:
        batch_op.drop_index('ix_address_post_code')
        batch_op.drop_index('ix_address_modified_at')
        batch_op.drop_index('ix_address_clinic_id')

    op.drop_table('address')
    op.drop_table('clinic')
