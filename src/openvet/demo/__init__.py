"""Demo data: a clinic's lookups and setup, then owners, their animals and the animals' clinical histories, in bulk.

``seed_settings`` and ``seed_lookups`` give a new clinic what a real one starts with; ``load_animals`` adds as
many animals as asked, each with an owner (contact details, an address) and a clinical history (appointments,
consults and their notes, vaccinations, lab requests and results, prescriptions, communications, attachments,
invoices and payments, the stock they dispense and its restock) and, for a share of the dogs and cats of a large
load, wellness memberships (``memberships.py``), fast enough for a million on SQLite: the practice the histories
need (its stock and wellness plans too) is seeded first through the engine (``practice.py``), then rows are
drawn from pools of realistic values, made by a background thread while the previous chunk is written, and
written in chunks straight through the driver (executemany, or COPY on PostgreSQL).

What the bulk path does not do, by design: it writes no outbox events (a demo's million records are not news
to a webhook subscriber, as an import's are not), and it does not run the rules row by row. The rows are made
as the rules would make them, which ``tests/test_demo_data.py`` proves by running the rules over samples of
every table the load writes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from rich.console import Console

from openvet.demo import bulk, histories, memberships
from openvet.demo import households as homes
from openvet.demo.billing import read_price_list
from openvet.demo.calendar import Calendar
from openvet.demo.households import HISTORY, Households, read_catalogue
from openvet.demo.lookups import seed_lookups, seed_settings
from openvet.demo.pools import draw_pools
from openvet.demo.practice import seed_practice
from openvet.demo.progress import animal_progress
from openvet.demo.stock import seed_stock
from openvet.demo.wellness import seed_wellness
from openvet.store.blobs import Blobs
from openvet.store.records import fold_counts

CHUNK = 20_000  # animals per transaction
TABLES = homes.TABLES + histories.TABLES + memberships.TABLES  # in the order they are written
LAYOUTS = {**homes.LAYOUTS, **histories.LAYOUTS, **memberships.LAYOUTS}

__all__ = ["load_animals", "seed_lookups", "seed_settings"]


@dataclass
class Chunk:
    animals: int
    rows: dict[str, list[tuple]]  # table -> rows in LAYOUTS[table].columns order, ids included


def load_animals(engine, clinic_id: int, count: int, show_progress: bool, blobs: Blobs | None = None) -> None:
    """Add ``count`` animals to the clinic, each with an owner (about 1.6 animals per owner) and a clinical
    history; each owner has one or two contact details and a physical address. Repeatable for a given clinic
    and size (but for the moment it is made at: histories are laid out around now). ``blobs``: the file store
    of the demo's attachments (the data directory's, by default)."""
    began = time.perf_counter()
    seed_lookups(engine, clinic_id)
    animal = engine.tables["animal"]
    with engine.db.connect() as conn:
        catalogue = read_catalogue(conn, engine.tables, clinic_id)
        already = conn.execute(sa.select(sa.func.count()).select_from(animal)
                               .where(animal.c.clinic_id == clinic_id)).scalar_one()
    seed = clinic_id * 1_000_003 + count + (7 if already else 0)
    pools = draw_pools(seed)
    if blobs is None:
        from openvet.config import Settings

        blobs = Blobs(Settings.from_environment().data_dir)
    practice = seed_practice(engine, clinic_id, already + count, blobs, pools)
    seed_stock(engine, clinic_id)  # prices, suppliers, orders, receipts and stock of the catalogue (once)
    seed_wellness(engine, clinic_id)  # the plans (bulk members join them; a small load's few: seed_wellness_billing)
    with engine.db.connect() as conn:
        prices = read_price_list(conn, engine.tables, clinic_id, practice.location_id)  # what consults are billed
        schemes = memberships.read_schemes(engine, conn, clinic_id)
    now = int(time.time())
    registry = engine.registry
    uid_of = {name: registry[name].field_map["uid"].type.make for name in ("contact", "animal")}
    households = Households(clinic_id, catalogue, pools, seed, now, count, uid_of["contact"], uid_of["animal"])
    calendar = Calendar(practice.timezone, now, now - HISTORY, len(practice.vets), count, random.Random(seed))
    clinical = histories.Histories(clinic_id, catalogue, practice, calendar, seed, now, count,
                                   registry["prescription"].field_map["uid"].type.make, prices)
    members = memberships.Memberships(clinic_id, schemes, clinical.species, [r for _, r in practice.vets],
                                      practice.location_id, now, seed, count)
    tables = [engine.tables[name] for name in TABLES]
    by_name = dict(zip(TABLES, tables, strict=True))
    tables_by_title = {resource.title: resource.table for resource in registry.values()}
    next_ids = bulk.NextIds(engine.db, tables)

    def chunks() -> Iterator[Chunk]:
        done = 0
        while done < count:
            size = min(CHUNK, count - done)
            plan = households.plan(size)
            sizes = (len(plan.animals), len(plan.animals), plan.detail_count, size)
            ids = [next_ids.take(by_name[name], n) for name, n in zip(homes.TABLES, sizes, strict=True)]
            made = households.rows(plan, *ids)
            history = clinical.plan(made[0], made[2], made[3])
            history_ids = {name: next_ids.take(by_name[name], history.counts[name]) for name in histories.TABLES}
            lives = members.plan(made[0], made[3])
            member_ids = {name: next_ids.take(by_name[name], n) for name, n in members.counts(lives).items()}
            yield Chunk(size, {**dict(zip(homes.TABLES, made, strict=True)), **clinical.rows(history, history_ids),
                               **members.rows(lives, member_ids)})
            done += size

    owners = written = 0
    shift: dict[str, int] = {}
    try:
        with (animal_progress(count, show_progress) as advance, bulk.loading_connection(engine.db) as conn,
              bulk.made_ahead(chunks()) as made):
            for chunk in made:
                with conn.begin():
                    bulk.lock_for_writing(conn, clinic_id, tables, [len(chunk.rows[n]) for n in TABLES])
                    firsts = {name: rows[0][0] for name, rows in chunk.rows.items() if rows}
                    shift = next_ids.settle(conn, firsts, shift)
                    rows = (bulk.renumber(chunk.rows, shift, LAYOUTS, tables_by_title) if any(shift.values())
                            else chunk.rows)
                    for table in tables:
                        bulk.insert_rows(conn, table, LAYOUTS[table.name].columns, rows[table.name])
                    # PostgreSQL: the chunk's appended counts and sums, folded
                    fold_counts(conn, tables)
                owners += len(chunk.rows["contact"])
                records = sum(len(rows) for rows in chunk.rows.values())
                written += records
                advance(chunk.animals, records)
    finally:
        next_ids.close()
    if show_progress:
        seconds = time.perf_counter() - began
        Console(stderr=True).print(
            f"[green]Loaded {count:,} animals[/] with {owners:,} owners and their histories ({written:,} records) "
            f"in {seconds:.1f} s ({count / max(seconds, 1e-9):,.0f} animals/s, {written / max(seconds, 1e-9):,.0f} "
            "records/s)")
