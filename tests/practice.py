"""A practice to test the clinical and scheduling rules against: the people, patients and calendar of one
clinic, made as a test needs them, and a way to prove that a refused write changed nothing.

Owners, animals, consults and the other records the API can create are made through the API; the records it
cannot create (Users, calendar Resources, Products, Diagnostics, list-only clinical records) through the
engine, as the clinic itself would, with their rules and events.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from openvet.resources import REGISTRY

BOOKED_DAY = 1_767_225_600  # 2026-01-01 00:00 UTC: appointments are booked on and around it


@dataclass(frozen=True)
class Vet:
    user: int  # the User who is a vet
    resource: int  # the calendar Resource that is that User


def item(response, name: str) -> dict:
    """The one record a 200 answer carries."""
    assert response.status_code == 200, response.text
    (wrapped,) = response.json()["items"]
    return wrapped[name]


def items(response, name: str) -> list[dict]:
    assert response.status_code == 200, response.text
    return [wrapped[name] for wrapped in response.json()["items"]]


def ids(response, name: str) -> list[int]:
    return [int(record["id"]) for record in items(response, name)]


def refused(response, status: int, *fields: str) -> dict[str, str]:
    """Assert a refusal in the envelope with this status, naming each of ``fields``; answers field -> reason."""
    assert response.status_code == status, response.text
    messages = response.json()["messages"]
    assert messages, response.text
    named = {name: reason for m in messages for name, reason in (m.get("fields") or {}).items()}
    for name in fields:
        assert name in named, f"{name} is not named in {messages}"
    return named


class Practice:
    def __init__(self, api, engine):
        self.api = api
        self.engine = engine

    # records the API cannot create, made by the clinic itself --------------------------------------------

    def record(self, endpoint: str, **values: Any) -> int:
        """A record made through the engine (field names), as the clinic itself makes it."""
        return int(self.engine.create(self.api.id, REGISTRY[endpoint], values, None)["id"])

    def user(self, name: str = "Dr Ruth Kiwi", is_vet: bool = True) -> int:
        return self.record("user", name=name, is_vet=is_vet)

    def vet(self, name: str = "Dr Ruth Kiwi") -> Vet:
        """A User who is a vet, with the calendar Resource that books them."""
        user = self.user(name)
        return Vet(user, self.record("resource", name=name, type="user", associated_id=user))

    def room(self, name: str = "Consult Room 9") -> int:
        return self.record("resource", name=name, type="facility")

    def product(self, name: str = "Nobivac DHPPi", kind: str = "Vaccination", **values: Any) -> int:
        return self.record("product", name=name, type=kind, **values)

    def named(self, endpoint: str, name: str) -> int:
        """A seeded record of the clinic by its name (an appointment type, a status, a reason)."""
        with self.engine.db.connect() as conn:
            (found,) = self.engine.find(conn, self.api.id, endpoint, {"name": name})
        return int(found["id"])

    def read(self, endpoint: str, record_id: int) -> dict:
        """A record as stored (field names), whatever the API shows of it."""
        with self.engine.db.connect() as conn:
            return self.engine.lookup(conn, self.api.id, endpoint, record_id)

    # records the API creates ------------------------------------------------------------------------------

    def owner(self, **fields: Any) -> int:
        return int(self.api.new_contact(**fields)["id"])

    def animal(self, owner: int | None = None, **fields: Any) -> int:
        return int(self.api.new_animal(contact_id=owner or self.owner(), **fields)["id"])

    def consult(self, animal: int | None = None, vet: Vet | None = None, **fields: Any) -> int:
        body = {"date": BOOKED_DAY, "animal_id": animal or self.animal(), **fields}
        if vet is not None:
            body["vet_id"] = vet.user
        return int(item(self.api.post("/v1/consult", body), "consult")["id"])

    # what the clinic holds --------------------------------------------------------------------------------

    def state(self) -> dict[str, list[tuple]]:
        """Every row the clinic has, in every table of the registry, and its outbox."""
        tables = [self.engine.tables[r.table] for r in REGISTRY.values() if not r.listed_by] + [
            self.engine.tables["outbox"]]
        with self.engine.db.connect() as conn:
            return {t.name: [tuple(row) for row in conn.execute(
                sa.select(t).where(t.c.clinic_id == self.api.id).order_by(t.c.id))] for t in tables}

    @contextmanager
    def unchanged(self) -> Iterator[None]:
        """The block may be refused, but must not write anything: no row, no event."""
        before = self.state()
        yield
        after = self.state()
        changed = {name: sorted(set(rows) ^ set(before[name])) for name, rows in after.items() if rows != before[name]}
        assert changed == {}, f"a refused write changed the clinic's records: {changed}"

    def events(self, resource: str, record_id: int) -> list[str]:
        """The outbox events recorded for one record, oldest first."""
        outbox = self.engine.tables["outbox"]
        with self.engine.db.connect() as conn:
            return list(conn.execute(sa.select(outbox.c.event).where(
                outbox.c.clinic_id == self.api.id, outbox.c.resource == resource,
                outbox.c.record_id == record_id).order_by(outbox.c.id)).scalars())

    def age(self, endpoint: str, record_id: int) -> None:
        """Move a record's modified_at into the past, so that a write in the same second shows."""
        table = self.engine.tables[REGISTRY[endpoint].table]
        with self.engine.db.begin() as conn:
            conn.execute(sa.update(table).where(table.c.id == record_id).values(modified_at=1000))
