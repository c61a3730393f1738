"""Clinics, credentials and tokens: who may call, for which clinic, with which scopes.

Client secrets are kept as argon2 hashes (slow on purpose: a leaked table does not give them away).
Tokens are 256-bit random strings kept as SHA-256 digests: they are never guessable, so a fast hash is
enough, and every request can check one with an index lookup.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from openvet.store import accounts

TOKEN_LIFETIME = 1_209_600  # 14 days, as the ezyVet document says (L227)
ALL_SCOPES = "*"
_hasher = PasswordHasher()


class Refused(Exception):
    """Credentials or a token that do not give access; the message says why, without giving secrets away."""


class ScopeNotHeld(Exception):
    """Valid credentials that hold none of the scopes requested (OAuth's invalid_scope)."""

    def __init__(self, scopes: list[str]):
        super().__init__("none of these scopes is granted to these credentials: " + ", ".join(scopes))
        self.scopes = scopes


@functools.cache
def _dummy_hash() -> str:
    """A hash no secret matches, verified when no credential is found: a miss takes as long as a hit."""
    return _hasher.hash(secrets.token_urlsafe(32))


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is calling: one clinic, with a set of scopes, through one set of credentials of one partner."""

    clinic_id: int
    scopes: frozenset[str]
    kind: str
    credential_id: int | None = None
    partner_id: str | None = None
    user_id: int | None = None  # the clinic's User the credentials act as

    def allows(self, scope: str) -> bool:
        return ALL_SCOPES in self.scopes or scope in self.scopes


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_clinic(conn: sa.Connection, slug: str, name: str) -> int:
    if accounts.clinic_by_slug(conn, slug):
        raise ValueError(f"a clinic named {slug!r} exists already")
    return accounts.insert_clinic(conn, slug, name, int(time.time()))


def create_credentials(engine, clinic_id: int, kind: str, scopes: list[str],
                       user_id: int | None = None) -> dict[str, object]:
    """New credentials of ``kind`` (ezyvet or provet) that act as the clinic's User ``user_id``: what they create,
    change or approve names that User (Invoice ``created_by``, ``approved_by``). Without one, they act as a new
    User of their own, named after them ("API openvet_…"), as an ezyVet integration has its API user: the clinic
    sees which integration did what. ValueError when ``user_id`` is not an active User of the clinic."""
    from openvet.engine import Actor

    partner_id = new_partner_id()
    with engine.writing(Actor(clinic_id)) as writer:
        if user_id is None:
            label = f"API {partner_id}" if kind == "ezyvet" else f"Provet API key {time.strftime('%Y-%m-%d %H:%M')}"
            user_id = writer.create(engine.registry["user"], {"name": label, "code": "API"}, None)
        else:
            user = engine.lookup(writer.conn, clinic_id, "user", user_id)
            if user is None or not user.get("active", True):
                raise ValueError(f"the clinic has no active User {user_id}")
        if kind == "ezyvet":
            return create_ezyvet_credentials(writer.conn, clinic_id, scopes, user_id=user_id, partner_id=partner_id)
        return create_provet_token(writer.conn, clinic_id, scopes, user_id=user_id)


def new_partner_id() -> str:
    return "openvet_" + secrets.token_hex(6)


def create_ezyvet_credentials(conn: sa.Connection, clinic_id: int, scopes: list[str],
                              hasher: PasswordHasher = _hasher, user_id: int | None = None,
                              partner_id: str | None = None) -> dict[str, str]:
    """New ezyVet client credentials; the secret is shown once and kept as an argon2 hash (``hasher``: the
    server's, 64 MiB and three passes; argon2 reads the cost back from the hash when it verifies)."""
    partner_id = partner_id or new_partner_id()
    client_id = secrets.token_hex(16)
    client_secret = secrets.token_urlsafe(32)
    accounts.insert_credential(conn, {
        "clinic_id": clinic_id, "kind": "ezyvet", "partner_id": partner_id, "client_id": client_id,
        "secret_hash": hasher.hash(client_secret), "scopes": " ".join(scopes) or ALL_SCOPES,
        "created_at": int(time.time()), "user_id": user_id,
    })
    return {"partner_id": partner_id, "client_id": client_id, "client_secret": client_secret}


def create_provet_token(conn: sa.Connection, clinic_id: int, scopes: list[str],
                        user_id: int | None = None) -> dict[str, object]:
    """A Provet API key: ``Authorization: Token <key>``, valid until revoked."""
    now = int(time.time())
    credential_id = accounts.insert_credential(conn, {
        "clinic_id": clinic_id, "kind": "provet", "scopes": " ".join(scopes) or ALL_SCOPES, "created_at": now,
        "user_id": user_id,
    })
    token = secrets.token_hex(20)
    accounts.insert_token(conn, {"clinic_id": clinic_id, "credential_id": credential_id,
                                 "token_hash": token_digest(token), "scopes": " ".join(scopes) or ALL_SCOPES,
                                 "expires_at": None, "created_at": now})
    return {"provet_id": clinic_id, "token": token}


def issue_token(conn: sa.Connection, partner_id: str, client_id: str, client_secret: str,
                requested: list[str] | None) -> tuple[str, list[str]]:
    """Client credentials -> a new bearer token and the scopes it grants.

    ``requested`` None: every scope the credentials hold. Otherwise the requested scopes they hold (``*``
    holds them all), the others left out as OAuth allows (RFC 6749 §3.3); none of them held is a refusal.
    The caller passes only scopes that exist: ``*`` grants the names it is given, it does not invent any.
    """
    credential = accounts.credential_by_client_id(conn, client_id)
    usable = credential is not None and credential.active and credential.partner_id == partner_id
    try:
        # Always one argon2 verification, so the answer's timing does not tell a known client_id apart.
        _hasher.verify(credential.secret_hash if usable else _dummy_hash(), client_secret)
    except (VerificationError, InvalidHashError):
        usable = False
    if not usable:
        raise Refused("the partner_id, client_id and client_secret do not match an active credential")
    held = credential.scopes.split()
    if requested is None:
        granted = held
    else:
        granted = [s for s in requested if ALL_SCOPES in held or s in held]
        if not granted:
            raise ScopeNotHeld(requested)
    token = secrets.token_hex(32)
    now = int(time.time())
    accounts.insert_token(conn, {"clinic_id": credential.clinic_id, "credential_id": credential.id,
                                 "token_hash": token_digest(token), "scopes": " ".join(granted),
                                 "expires_at": now + TOKEN_LIFETIME, "created_at": now})
    return token, granted


class TokenCache:
    """Tokens recently seen valid, for a few seconds: most calls then need no token query at all.

    Only valid tokens are kept, each with its own expiry, so an expired token is refused at once; a token
    revoked in the database stops working within ``ttl`` seconds.
    """

    def __init__(self, ttl: float = 10.0, size: int = 10_000):
        self.ttl = ttl
        self.size = size
        self._entries: dict[str, tuple[float, Identity, int | None]] = {}

    def get(self, digest: str) -> tuple[Identity, int | None] | None:
        entry = self._entries.get(digest)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1], entry[2]

    def put(self, digest: str, identity: Identity, expires_at: int | None) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[digest] = (time.monotonic() + self.ttl, identity, expires_at)

    def clear(self) -> None:
        self._entries.clear()


recent_tokens = TokenCache()


def authenticate(conn: sa.Connection | None, token: str, kind: str, connect=None) -> Identity:
    """The identity behind a token. ``connect`` opens a connection only when the cache cannot answer."""
    digest = token_digest(token)
    cached = recent_tokens.get(digest)
    if cached is None:
        if conn is None:
            with connect() as opened:
                row = accounts.token_by_hash(opened, digest)
        else:
            row = accounts.token_by_hash(conn, digest)
        if row is None:
            raise Refused("the access token is not valid")
        cached = (Identity(row.clinic_id, frozenset(row.scopes.split()), row.kind, row.credential_id,
                           row.partner_id, row.user_id), row.expires_at)
        recent_tokens.put(digest, *cached)
    identity, expires_at = cached
    if identity.kind != kind:
        raise Refused("the access token is not valid")
    if expires_at is not None and expires_at <= time.time():
        raise Refused("the access token has expired")
    return identity
