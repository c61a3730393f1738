"""Who is calling: the clinic, and within it the credentials and partner that made the request."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """Every read and write happens for one actor. ``credential_id`` is None when the clinic itself acts
    (fixtures, demo data, seeding): records then carry no caller, and "only your own" rules do not apply.
    ``scopes`` are those of the token that made the request (None: the clinic itself, bound by no scope); a
    queued job keeps them and runs with them, never with more (``services/jobs.py``). ``user_id`` is the
    clinic's User the credentials act as: who created, changed or approved a record (Invoice ``created_by``…)."""

    clinic_id: int
    credential_id: int | None = None
    partner_id: str | None = None
    scopes: frozenset[str] | None = None
    user_id: int | None = None

    @classmethod
    def of(cls, who: Actor | int) -> Actor:
        """An actor, or the clinic of that id acting itself."""
        return who if isinstance(who, Actor) else cls(int(who))
