"""Tables: the clinic and its credentials, plus one table per declared resource.

Every resource row carries ``clinic_id``; every index starts with it, so one clinic's query never reads
another clinic's rows and the road to sharding by clinic stays open. Ids come from one sequence per table,
so an id never names two records, whatever the clinic.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite: an alias of the rowid, the fastest key


def id_column() -> sa.Column:
    return sa.Column("id", Id, sa.Identity(), primary_key=True)


def clinic_column() -> sa.Column:
    return sa.Column("clinic_id", Id, sa.ForeignKey("clinic.id"), nullable=False)


def system_tables(metadata: sa.MetaData) -> None:
    sa.Table(
        "clinic", metadata,
        id_column(),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    sa.Table(
        "credential", metadata,
        id_column(),
        clinic_column(),
        sa.Column("kind", sa.String(16), nullable=False),  # ezyvet | provet
        sa.Column("partner_id", sa.String(64)),
        sa.Column("client_id", sa.String(64), unique=True),
        sa.Column("secret_hash", sa.String(255)),
        sa.Column("scopes", sa.Text(), nullable=False),  # space-separated
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    sa.Table(
        "access_token", metadata,
        id_column(),
        clinic_column(),
        sa.Column("credential_id", Id, sa.ForeignKey("credential.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.BigInteger()),  # NULL: never (Provet API keys)
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    sa.Table(
        # How many rows a clinic has in a table: an unfiltered list's items_total without counting a million rows.
        "record_count", metadata,
        sa.Column("clinic_id", Id, sa.ForeignKey("clinic.id"), primary_key=True),
        sa.Column("resource", sa.String(64), primary_key=True),
        sa.Column("total", sa.BigInteger(), nullable=False),
    )
    sa.Table(
        # Events written in the same transaction as the change that causes them (delivery reads them later).
        "outbox", metadata,
        id_column(),
        clinic_column(),
        sa.Column("event", sa.String(96), nullable=False),
        sa.Column("resource", sa.String(64), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("delivered_at", sa.BigInteger()),
        sa.Index("ix_outbox_pending", "delivered_at", "id"),
    )
    sa.Table(
        # Secrets of this installation, shared by every process and server on the database (the key that
        # signs download links); made by the migration that creates the table.
        "server_key", metadata,
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(128), nullable=False),
    )


def resource_table(metadata: sa.MetaData, resource) -> sa.Table:
    """The table of one declared resource: its stored fields, scoped by clinic, indexed as declared."""
    columns: list[sa.Column] = [id_column(), clinic_column()]
    for field in resource.stored_fields():
        if field.name != "id":
            columns += [sa.Column(name, kind, nullable=True) for name, kind in field.type.columns(field.name)]
    table = sa.Table(resource.table, metadata, *columns)
    sa.Index(f"ix_{table.name}_clinic_id", table.c.clinic_id, table.c.id)
    for field in resource.stored_fields():
        if not field.index or field.name == "id":
            continue
        column = table.c[field.type.columns(field.name)[-1][0]]
        sa.Index(f"ix_{table.name}_{field.name}", table.c.clinic_id, column)
        if field.type.likeable:
            # ``like`` is case-insensitive: SQLite needs a NOCASE index for it, PostgreSQL one on lower().
            sa.Index(f"ix_{table.name}_{field.name}_nocase", table.c.clinic_id,
                     column.collate("NOCASE")).ddl_if(dialect="sqlite")
            sa.Index(f"ix_{table.name}_{field.name}_lower", table.c.clinic_id,
                     sa.text(f"lower({column.name}) text_pattern_ops")).ddl_if(dialect="postgresql")
    return table


def build_metadata(resources: Iterable) -> sa.MetaData:
    metadata = sa.MetaData()
    system_tables(metadata)
    for resource in resources:
        resource_table(metadata, resource)
    return metadata
