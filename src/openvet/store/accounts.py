"""SQL for clinics, credentials and access tokens."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def clinic_by_slug(conn: sa.Connection, slug: str) -> sa.Row | None:
    return conn.execute(sa.text("SELECT id, slug, name FROM clinic WHERE slug = :s"), {"s": slug}).first()


def clinic_by_id(conn: sa.Connection, clinic_id: int) -> sa.Row | None:
    return conn.execute(sa.text("SELECT id, slug, name FROM clinic WHERE id = :i"),
                        {"i": clinic_id}).first()


def list_clinics(conn: sa.Connection) -> list[sa.Row]:
    return list(conn.execute(sa.text("SELECT id, slug, name FROM clinic ORDER BY id")))


def insert_clinic(conn: sa.Connection, slug: str, name: str, now: int) -> int:
    return conn.execute(
        sa.text("INSERT INTO clinic (slug, name, created_at) VALUES (:s, :n, :c) RETURNING id"),
        {"s": slug, "n": name, "c": now},
    ).scalar_one()


def insert_credential(conn: sa.Connection, values: dict[str, Any]) -> int:
    columns = ", ".join(values)
    params = ", ".join(f":{k}" for k in values)
    return conn.execute(sa.text(f"INSERT INTO credential ({columns}) VALUES ({params}) RETURNING id"),
                        values).scalar_one()


def credential_by_client_id(conn: sa.Connection, client_id: str) -> sa.Row | None:
    return conn.execute(
        sa.text("SELECT id, clinic_id, partner_id, secret_hash, scopes, active FROM credential "
                "WHERE client_id = :c AND kind = 'ezyvet'"), {"c": client_id}).first()


def insert_token(conn: sa.Connection, values: dict[str, Any]) -> None:
    conn.execute(sa.text("INSERT INTO access_token (clinic_id, credential_id, token_hash, scopes, expires_at, "
                         "created_at) VALUES (:clinic_id, :credential_id, :token_hash, :scopes, :expires_at, "
                         ":created_at)"), values)


TOKEN_BY_HASH = sa.text("SELECT t.clinic_id, t.scopes, t.expires_at, c.kind, c.id AS credential_id, c.partner_id, "
                        "c.user_id "
                        "FROM access_token t "
                        "JOIN credential c ON c.id = t.credential_id WHERE t.token_hash = :h AND c.active")


def token_by_hash(conn: sa.Connection, token_hash: str) -> sa.Row | None:
    return conn.execute(TOKEN_BY_HASH, {"h": token_hash}).first()


def server_key(conn: sa.Connection, name: str) -> str | None:
    return conn.execute(sa.text("SELECT value FROM server_key WHERE name = :n"), {"n": name}).scalar()
