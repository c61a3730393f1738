"""Demo data: a clinic's lookups and setup, then owners and their animals in bulk.

``seed_settings`` and ``seed_lookups`` give a new clinic what a real one starts with; ``load_animals``
adds as many animals (with their owners, contact details and addresses) as asked, fast enough for a
million on SQLite: rows are drawn from pools of realistic values, made by a background thread while the
previous chunk is written, and written in chunks straight through the driver (executemany, or COPY on
PostgreSQL).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from rich.console import Console

from openvet.demo import bulk
from openvet.demo.households import COLUMNS, Households, read_catalogue, renumber
from openvet.demo.lookups import seed_lookups, seed_settings
from openvet.demo.pools import draw_pools
from openvet.demo.progress import animal_progress

CHUNK = 20_000  # animals per transaction
TABLES = ("contact", "address", "contactdetail", "animal")  # in the order they are written

__all__ = ["load_animals", "seed_lookups", "seed_settings"]


@dataclass
class Chunk:
    animals: int
    rows: dict[str, list[tuple]]  # table -> rows in households.COLUMNS order, ids included


def load_animals(engine, clinic_id: int, count: int, show_progress: bool) -> None:
    """Add ``count`` animals to the clinic, each with an owner (about 1.6 animals per owner); each owner
    has one or two contact details and a physical address. Repeatable for a given clinic and size."""
    began = time.perf_counter()
    seed_lookups(engine, clinic_id)
    tables = [engine.tables[name] for name in TABLES]
    animal = engine.tables["animal"]
    with engine.db.connect() as conn:
        catalogue = read_catalogue(conn, engine.tables, clinic_id)
        already = conn.execute(animal.select().with_only_columns(animal.c.id)
                               .where(animal.c.clinic_id == clinic_id).limit(1)).first() is not None
    seed = clinic_id * 1_000_003 + count + (7 if already else 0)
    make_uid = engine.registry["contact"].field_map["uid"].type.make
    households = Households(clinic_id, catalogue, draw_pools(seed), seed, int(time.time()), count, make_uid,
                            engine.registry["animal"].field_map["uid"].type.make)
    next_ids = bulk.NextIds(engine.db, tables)

    def chunks() -> Iterator[Chunk]:
        done = 0
        while done < count:
            size = min(CHUNK, count - done)
            plan = households.plan(size)
            sizes = (len(plan.animals), len(plan.animals), plan.detail_count, size)
            ids = [next_ids.take(table, n) for table, n in zip(tables, sizes, strict=True)]
            yield Chunk(size, dict(zip(TABLES, households.rows(plan, *ids), strict=True)))
            done += size

    owners = 0
    shift: dict[str, int] = {}
    try:
        with (animal_progress(count, show_progress) as advance, bulk.loading_connection(engine.db) as conn,
              bulk.made_ahead(chunks()) as made):
            for chunk in made:
                with conn.begin():
                    bulk.lock_for_writing(conn, clinic_id, tables, [len(chunk.rows[n]) for n in TABLES])
                    firsts = {name: rows[0][0] for name, rows in chunk.rows.items() if rows}
                    shift = next_ids.settle(conn, firsts, shift)
                    rows = renumber(chunk.rows, shift) if any(shift.values()) else chunk.rows
                    for table in tables:
                        bulk.insert_rows(conn, table, COLUMNS[table.name], rows[table.name])
                owners += len(chunk.rows["contact"])
                advance(chunk.animals)
    finally:
        next_ids.close()
    if show_progress:
        seconds = time.perf_counter() - began
        Console(stderr=True).print(
            f"[green]Loaded {count:,} animals[/] with {owners:,} owners in {seconds:.1f} s "
            f"({count / max(seconds, 1e-9):,.0f} animals/s)")
