"""Bench databases: one loaded database per animal count, loaded once with the CLI and reused.

On SQLite (the default) a loaded database is kept in ``<cache>/animals-<N>/`` with a ``bench.json`` naming the
migration head it was built at; on PostgreSQL (``--database-url``) it is the database ``openvet_bench_<N>`` of
that server, the same JSON stamp kept as its ``COMMENT ON DATABASE``. Either is reused while the code's head
is unchanged, migrated forward when the code has later migrations, and rebuilt otherwise (or with ``--fresh``).
Each run works on a copy (a file copy; ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), so the POST scenario's
new animals never leak into the next run's "1,000 animals".
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

CLINIC = "bench"
DB_FILE = "openvet.sqlite3"
PG_PREFIX = "openvet_bench_"  # the PostgreSQL databases the bench makes: openvet_bench_<N>[_work|_building]


def sqlite_url(folder: Path) -> str:
    """The URL of the SQLite database in a bench folder."""
    return f"sqlite:///{folder / DB_FILE}"


@contextmanager
def bench_clinic(url: str) -> Iterator[tuple]:
    """The engine over a working copy (its URL) and its bench clinic: (engine, clinic id, its first Separation),
    for rows that top the demo up through the engine before the server starts (bench/stock.py, bench/billing.py)."""
    import sqlalchemy as sa

    from openvet.engine import Engine
    from openvet.store import accounts
    from openvet.store.database import connect

    engine = Engine(connect(url))
    try:
        with engine.db.connect() as conn:
            clinic_id = accounts.clinic_by_slug(conn, CLINIC).id
            separation = engine.tables["separation"]
            ownership = conn.execute(sa.select(separation.c.id).where(separation.c.clinic_id == clinic_id)
                                     .order_by(separation.c.id).limit(1)).scalar_one()
        yield engine, clinic_id, ownership
    finally:
        engine.db.dispose()


def openvet_command() -> list[str]:
    """The ``openvet`` entry point of the interpreter running the bench (the project's venv)."""
    script = Path(sys.executable).with_name("openvet")
    if script.exists():
        return [str(script)]
    found = shutil.which("openvet")
    if found:
        return [found]
    return [sys.executable, "-m", "openvet"]


def environment(folder: Path, url: str | None = None) -> dict[str, str]:
    """The environment of an ``openvet`` process: files and logs in ``folder``, the database at ``url`` (default
    the SQLite file in ``folder``); the rest (PYTHONPATH among it) inherited."""
    env = dict(os.environ)
    env["OPENVET_DATA_DIR"] = str(folder)
    env["OPENVET_DATABASE_URL"] = url or sqlite_url(folder)
    env.setdefault("OPENVET_RATE_LIMIT", "off")  # a benchmark makes thousands of calls a minute
    return env


def migration_head() -> str:
    from alembic.script import ScriptDirectory

    from openvet.store.migrate import alembic_config

    return "+".join(sorted(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()))


def openvet(args: list[str], folder: Path, capture: bool = False, url: str | None = None) -> str:
    """Run one ``openvet`` CLI command against the database at ``url`` (default the SQLite file in ``folder``);
    its output when captured."""
    done = subprocess.run([*openvet_command(), *args], env=environment(folder, url), check=False,
                          stdout=subprocess.PIPE if capture else None, stderr=subprocess.PIPE if capture else None,
                          text=True)
    if done.returncode != 0:
        detail = (done.stderr or "").strip() if capture else ""
        raise RuntimeError(f"openvet {' '.join(args)} failed (exit {done.returncode}) {detail}")
    return done.stdout or ""


def cached_database(animals: int, cache: Path, fresh: bool, console: Console) -> Path:
    """The folder of a loaded database with ``animals`` animals, built when missing, stale or ``fresh``."""
    head = migration_head()
    folder = cache / f"animals-{animals}"
    stamp = folder / "bench.json"
    if not fresh and stamp.exists() and (folder / DB_FILE).exists():
        saved = json.loads(stamp.read_text())
        verdict = _verdict(saved, head, animals, f"database in {folder}", console)
        if verdict == "reuse":
            return folder
        if verdict == "migrate":
            openvet(["migrate"], folder, capture=True)
            _checkpoint(folder / DB_FILE)
            stamp.write_text(json.dumps({**saved, "head": head, "migrated_from": saved.get("head")}, indent=2))
            return folder
    building = cache / f".building-{animals}"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    console.print(f"[bold]building a {animals:,}-animal database[/] in {folder} (migration head {head})")
    began = time.perf_counter()
    openvet(["migrate"], building, capture=True)
    openvet(["clinic", "create", CLINIC, "--name", "Bench clinic"], building, capture=True)
    openvet(["demo-data", "--clinic", CLINIC, "--animals", str(animals)], building)
    _checkpoint(building / DB_FILE)
    (building / "bench.json").write_text(json.dumps(
        {"head": head, "animals": animals, "clinic": CLINIC, "built_at": int(time.time()),
         "build_seconds": round(time.perf_counter() - began, 1)}, indent=2))
    shutil.rmtree(folder, ignore_errors=True)
    building.rename(folder)
    return folder


def _verdict(saved: dict, head: str, animals: int, where: str, console: Console) -> str:
    """What to do with a loaded database stamped ``saved``: ``reuse`` it (built at the code's migration head),
    ``migrate`` it forward (built at an earlier head of this code: a later migration adds tables and columns, not
    demo records, so migrating takes seconds where a rebuild at a million animals takes half an hour), or
    ``rebuild`` it (another branch's migrations, or another animal count). Says which on the console."""
    built = saved.get("head")
    if saved.get("animals") == animals and built == head:
        console.print(f"[dim]reusing the {animals:,}-animal {where} (migration head {head})[/]")
        return "reuse"
    if saved.get("animals") == animals and _older_head(built):
        console.print(f"[yellow]the {animals:,}-animal {where} was built at head {built}; migrating it to {head}[/]")
        return "migrate"
    console.print(f"[yellow]the {animals:,}-animal {where} was built at head {built}; the code is at {head}: "
                  "rebuilding[/]")
    return "rebuild"


def _older_head(built_at: str | None) -> bool:
    """Whether a database built at migration ``built_at`` is an ancestor of the code's head (migrate forward)."""
    from alembic.script import ScriptDirectory

    from openvet.store.migrate import alembic_config

    if not built_at:
        return False
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        return any(revision.revision == built_at for head in script.get_heads()
                   for revision in script.iterate_revisions(head, "base"))
    except Exception:  # a revision this code does not know (built on another branch): rebuild
        return False


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the main file so that one file is the whole database."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def working_copy(source: Path, work: Path) -> Path:
    """A throw-away copy of a cached database folder (the run writes into it)."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name in (DB_FILE, DB_FILE + "-wal"):
        if (source / name).exists():
            shutil.copyfile(source / name, work / name)
    return work


@dataclass(frozen=True)
class Working:
    """A run's working database: its URL (OPENVET_DATABASE_URL) and a folder (OPENVET_DATA_DIR: the SQLite file,
    or on PostgreSQL the files and logs a server writes beside its database)."""

    folder: Path
    url: str


@contextmanager
def working_database(animals: int, server: str, cache: Path, fresh: bool, keep: bool, work: Path,
                     console: Console) -> Iterator[Working]:
    """A throw-away copy of the cached ``animals``-animal database: a SQLite file in ``work`` when ``server`` is
    empty, else a database ``openvet_bench_<N>_work`` on the PostgreSQL server at ``server`` made from the cached
    ``openvet_bench_<N>`` as a template; removed afterwards unless ``keep``."""
    if not server:
        folder = working_copy(cached_database(animals, cache, fresh, console), work)
        try:
            yield Working(folder, sqlite_url(folder))
        finally:
            if not keep:
                shutil.rmtree(folder, ignore_errors=True)
        return
    source = cached_postgres(server, animals, cache, fresh, console)
    name = f"{source}_work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    with _admin(server) as admin:
        _drop(admin, name)  # a copy kept by an earlier run (--keep)
        # no session may be open on the template: every engine of the bench over it is disposed (NullPool)
        admin.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    try:
        yield Working(work, database_url(server, name))
    finally:
        if not keep:
            with _admin(server) as admin:
                _drop(admin, name)
            shutil.rmtree(work, ignore_errors=True)


# PostgreSQL (--database-url): the cached databases are openvet_bench_<N> on that server, stamped with the JSON of
# SQLite's bench.json as their COMMENT ON DATABASE.

def postgres_url(url: str) -> str:
    """``url`` with SQLAlchemy's psycopg (3) driver when it names none (``postgresql://`` means psycopg2)."""
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def database_url(server: str, name: str) -> str:
    """The URL of the database ``name`` on the server of ``server`` (same role, password and options)."""
    import sqlalchemy as sa

    return sa.make_url(postgres_url(server)).set(database=name).render_as_string(hide_password=False)


def server_place(server: str) -> str:
    """Where a server is, for messages and the report (no role, no password)."""
    import sqlalchemy as sa

    parsed = sa.make_url(server)
    host = parsed.host or parsed.query.get("host") or "local socket"
    return f"{host}:{parsed.port}" if parsed.port else str(host)


@contextmanager
def _engine(url: str, autocommit: bool = False) -> Iterator[Any]:
    """A connection that leaves nothing open behind it (NullPool): a database used as a template, renamed or
    dropped must have no session."""
    import sqlalchemy as sa

    engine = sa.create_engine(postgres_url(url), poolclass=sa.pool.NullPool,
                              **({"isolation_level": "AUTOCOMMIT"} if autocommit else {}))
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _admin(server: str):
    """An autocommit connection to the server's own database (CREATE and DROP DATABASE refuse a transaction)."""
    return _engine(server, autocommit=True)


def _stamp(admin: Any, name: str) -> tuple[bool, dict]:
    """Whether database ``name`` exists, and the stamp its comment holds ({} when none)."""
    import sqlalchemy as sa

    row = admin.execute(sa.text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"),
                        {"n": name}).first()
    if row is None:
        return False, {}
    try:
        saved = json.loads(row[0] or "{}")
    except ValueError:
        return True, {}
    return True, saved if isinstance(saved, dict) else {}


def _comment(admin: Any, name: str, stamp: dict) -> None:
    text = json.dumps(stamp, separators=(",", ":")).replace("'", "''")
    admin.exec_driver_sql(f'COMMENT ON DATABASE "{name}" IS \'{text}\'')


def _drop(admin: Any, name: str) -> None:
    force = " WITH (FORCE)" if (admin.dialect.server_version_info or (0,)) >= (13,) else ""
    admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"{force}')


def _analyze(url: str) -> None:
    """Statistics for the planner, and the visibility map and hint bits set once here rather than by the first
    queries of every copy (a copy is the template's files)."""
    with _engine(url, autocommit=True) as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE)")


def cached_postgres(server: str, animals: int, cache: Path, fresh: bool, console: Console) -> str:
    """The name of a loaded database with ``animals`` animals on the PostgreSQL server at ``server``, built when
    missing, stale or ``fresh``: :func:`cached_database`'s policy, the stamp in the database's comment."""
    head = migration_head()
    name = f"{PG_PREFIX}{animals}"
    folder = cache / f"postgres-{animals}"  # OPENVET_DATA_DIR of the commands that build and migrate it
    folder.mkdir(parents=True, exist_ok=True)
    where = f"database {name} on {server_place(server)}"
    with _admin(server) as admin:
        exists, saved = _stamp(admin, name)
    if exists and not fresh:
        verdict = _verdict(saved, head, animals, where, console)
        if verdict == "reuse":
            return name
        if verdict == "migrate":
            url = database_url(server, name)
            openvet(["migrate"], folder, capture=True, url=url)
            _analyze(url)
            with _admin(server) as admin:
                _comment(admin, name, {**saved, "head": head, "migrated_from": saved.get("head")})
            return name
    building = f"{name}_building"
    console.print(f"[bold]building a {animals:,}-animal {where}[/] (migration head {head})")
    began = time.perf_counter()
    with _admin(server) as admin:
        _drop(admin, building)  # a build that was stopped half-way
        admin.exec_driver_sql(f'CREATE DATABASE "{building}"')
    url = database_url(server, building)
    steps: dict[str, float] = {}
    for step, command in (("migrate", ["migrate"]),
                          ("clinic create", ["clinic", "create", CLINIC, "--name", "Bench clinic"]),
                          ("demo-data", ["demo-data", "--clinic", CLINIC, "--animals", str(animals)])):
        at = time.perf_counter()
        openvet(command, folder, capture=step != "demo-data", url=url)
        steps[step] = round(time.perf_counter() - at, 1)
    at = time.perf_counter()
    _analyze(url)
    steps["vacuum analyze"] = round(time.perf_counter() - at, 1)
    stamp = {"head": head, "animals": animals, "clinic": CLINIC, "built_at": int(time.time()),
             "build_seconds": round(time.perf_counter() - began, 1), "step_seconds": steps}
    with _admin(server) as admin:
        _comment(admin, building, stamp)
        _drop(admin, name)
        admin.exec_driver_sql(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    console.print(f"[dim]built {name} in {stamp['build_seconds']:,} s: "
                  + ", ".join(f"{step} {seconds:,} s" for step, seconds in steps.items()) + "[/]")
    return name


def drop_postgres_databases(server: str) -> list[str]:
    """Drop the bench's databases on the server at ``server`` (cached, working copies kept with --keep, builds
    stopped half-way); answers their names."""
    import sqlalchemy as sa

    with _admin(server) as admin:
        names = list(admin.execute(sa.text("SELECT datname FROM pg_database WHERE datname LIKE :p ORDER BY 1"),
                                   {"p": PG_PREFIX.replace("_", "\\_") + "%"}).scalars())
        for name in names:
            _drop(admin, name)
    return names


def is_postgres(url: str) -> bool:
    import sqlalchemy as sa

    return sa.make_url(url).get_backend_name() == "postgresql"


def describe(server: str) -> str:
    """Which database a run uses, for its report: SQLite and its version, or PostgreSQL, its version and place."""
    if not server:
        return f"SQLite {sqlite3.sqlite_version}"
    with _admin(server) as admin:
        version = admin.exec_driver_sql("SHOW server_version").scalar()
    return f"PostgreSQL {version} at {server_place(server)}"


@dataclass
class Fixture:
    """What the scenarios need from one database: ids to ask for and filter values that fill a page."""

    clinic_id: int
    animals: int
    animal_ids: tuple[int, int]  # lowest and highest id of the clinic's animals
    contacts: int
    contact_ids: list[int]  # a random sample, owners for POSTed animals
    kinds: list[tuple]  # (species_id, breed_id, sex_id, animalcolour_id) combinations that exist
    windows: dict[str, tuple[int, int, int]]  # table -> (A, B, rows with A <= modified_at < B)
    patterns: dict[str, tuple[str, int]]  # table -> (3 characters, rows whose name column contains them)
    letters: dict[str, tuple[str, int]]  # table -> (1 letter, rows whose name column contains it)
    calendar: Calendar | None = None  # None: a database without appointments (older code)
    code: tuple[str, int] = ("", 0)  # 3 digits and the animals whose microchip number contains them


@dataclass
class Calendar:
    """What the clinical scenarios need: the busiest day of the demo's calendar, animals with consults, and
    what a new appointment names."""

    day: int  # the clinic's local midnight of the day the demo data was loaded ("today" of its calendar)
    booked: int  # appointments that start on that day
    consult_animals: list[int]  # a random sample of animals with at least one consult
    appointment: dict[str, int]  # type_id, status_id of a new booking
    vets: list[int]  # calendar Resources of vets: a new booking's sales_resource


NAME_COLUMN = {"animal": "name", "contact": "last_name"}
# a searched code: three digits of it fill a page of 200 at every scale (no three letters of a name do: the
# commonest fills 33 of 1,000 animals), so the list of 200 found by like compares like with like
CODE_COLUMN = "microchip_number"
WINDOW_ROWS = 500  # rows a modified_at window matches, at every scale (a sync client's "what changed")


class _Query:
    """A SQLAlchemy connection asked like a ``sqlite3`` one, on SQLite or PostgreSQL: ``execute(sql, params)``
    with ``?`` placeholders, answering rows (``fetchone()``, iteration). PostgreSQL's LIKE tells case apart where
    SQLite's folds A-Z; the server folds both sides there (``lower(column) LIKE lower(value)``, store/filters.py),
    so a LIKE is read as ILIKE on PostgreSQL and counts what the server will find."""

    def __init__(self, conn: Any):
        self.conn = conn
        self.dialect = conn.dialect.name

    def execute(self, sql: str, params: tuple = ()) -> Any:
        if self.dialect == "postgresql":
            sql = sql.replace(" LIKE ", " ILIKE ")
            if params:
                sql = sql.replace("%", "%%").replace("?", "%s")  # psycopg's placeholders
        return self.conn.exec_driver_sql(sql, tuple(params)) if params else self.conn.exec_driver_sql(sql)

    def draw(self) -> str:
        """SQL of a random whole number in [0, ? - ? + 1): SQLite's random() is a 64-bit integer, PostgreSQL's a
        float in [0, 1)."""
        if self.dialect == "postgresql":
            return "CAST(floor(random() * (? - ? + 1)) AS bigint)"
        return "abs(random()) % (? - ? + 1)"


@contextmanager
def _reading(where: Path | str) -> Iterator[_Query]:
    """A connection to read a fixture with: the SQLite file of a bench folder (read-only), or a database URL."""
    import sqlalchemy as sa

    url = sqlite_url(where) if isinstance(where, Path) else where
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(f"sqlite:///file:{parsed.database}?mode=ro&uri=true", poolclass=sa.pool.NullPool)
    else:
        engine = sa.create_engine(postgres_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            yield _Query(conn)
    finally:
        engine.dispose()


def read_fixture(where: Path | str, needed: dict[str, int], preferred: dict[str, str]) -> Fixture:
    """Pick ids and filter values from a database (its URL, or a bench folder's SQLite file); ``needed`` is the
    largest page asked of each table, ``preferred`` the ``like`` values chosen on the smaller database (the same
    values at every scale, so scales compare)."""
    with _reading(where) as conn:
        clinic_id = conn.execute("SELECT id FROM clinic WHERE slug = ?", (CLINIC,)).fetchone()[0]
        low, high, animals = conn.execute(
            "SELECT min(id), max(id), count(*) FROM animal WHERE clinic_id = ?", (clinic_id,)).fetchone()
        contacts = conn.execute("SELECT count(*) FROM contact WHERE clinic_id = ?", (clinic_id,)).fetchone()[0]
        contact_ids = [row[0] for row in conn.execute(
            "SELECT contact_id FROM animal WHERE clinic_id = ? AND id IN "
            f"(SELECT {conn.draw()} + ? FROM animal LIMIT 1000)",
            (clinic_id, high, low, low))]
        kinds = [tuple(row) for row in conn.execute(
            "SELECT DISTINCT species_id, breed_id, sex_id, animalcolour_id FROM animal "
            "WHERE clinic_id = ? AND id <= ? AND species_id IS NOT NULL LIMIT 200", (clinic_id, low + 5000))]
        windows = {table: _window(conn, table, clinic_id) for table in needed}
        patterns = {table: _contained(conn, table, clinic_id, 3, preferred.get(table)) for table in needed}
        letters = {table: _contained(conn, table, clinic_id, 1, preferred.get(table + ":letter"))
                   for table in needed}
        calendar = _calendar(conn, clinic_id) if _has_table(conn, "appointment") else None
        code = _contained(conn, "animal", clinic_id, 3, preferred.get(CODE_COLUMN), column=CODE_COLUMN)
    return Fixture(clinic_id, animals, (low, high), contacts, sorted(set(contact_ids)), kinds, windows, patterns,
                   letters, calendar, code)


def _has_table(conn: _Query, name: str) -> bool:
    import sqlalchemy as sa

    return sa.inspect(conn.conn).has_table(name)


def _calendar(conn: _Query, clinic_id: int) -> Calendar | None:
    """The demo's "today": the local day of the latest animal's registration (the moment of the load)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    moment = conn.execute("SELECT max(created_at) FROM animal WHERE clinic_id = ?", (clinic_id,)).fetchone()[0]
    zone = conn.execute("SELECT timezone FROM systemsetting WHERE clinic_id = ?", (clinic_id,)).fetchone()
    if moment is None:
        return None
    local = datetime.fromtimestamp(moment, ZoneInfo((zone and zone[0]) or "UTC"))
    day = int(local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp())
    booked = conn.execute("SELECT count(*) FROM appointment WHERE clinic_id = ? AND start_at >= ? AND start_at < ?",
                          (clinic_id, day, day + 86_400)).fetchone()[0]
    low, high = conn.execute("SELECT min(id), max(id) FROM consult WHERE clinic_id = ?", (clinic_id,)).fetchone()
    animals = [row[0] for row in conn.execute(
        "SELECT animal_id FROM consult WHERE clinic_id = ? AND id IN "
        f"(SELECT {conn.draw()} + ? FROM consult LIMIT 1000)", (clinic_id, high, low, low))] \
        if low is not None else []
    status = conn.execute("SELECT id FROM appointmentstatus WHERE clinic_id = ? ORDER BY name = 'Confirmed' DESC, id "
                          "LIMIT 1", (clinic_id,)).fetchone()[0]
    kind = conn.execute("SELECT id FROM appointmenttype WHERE clinic_id = ? ORDER BY name = 'Consultation' DESC, "
                        "id LIMIT 1", (clinic_id,)).fetchone()[0]
    vets = [row[0] for row in conn.execute("SELECT id FROM resource WHERE clinic_id = ? AND type = 'user'",
                                           (clinic_id,))]
    return Calendar(day, booked, sorted(set(animals)), {"type_id": kind, "status_id": status}, vets)


def _window(conn: _Query, table: str, clinic_id: int) -> tuple[int, int, int]:
    """A modified_at range [A, B) around the middle of the table matching about WINDOW_ROWS rows."""
    total = conn.execute(f"SELECT count(*) FROM {table} WHERE clinic_id = ?", (clinic_id,)).fetchone()[0]
    wanted = min(WINDOW_ROWS, max(total // 2, 1))
    start = max((total - wanted) // 2, 0)

    def at(offset: int) -> int | None:
        row = conn.execute(f"SELECT modified_at FROM {table} WHERE clinic_id = ? ORDER BY modified_at "
                           "LIMIT 1 OFFSET ?", (clinic_id, offset)).fetchone()
        return row[0] if row else None

    low = at(start)
    high = at(start + wanted)
    if high is None or high <= low:
        high = conn.execute(f"SELECT max(modified_at) FROM {table} WHERE clinic_id = ?",
                            (clinic_id,)).fetchone()[0] + 1
    count = conn.execute(f"SELECT count(*) FROM {table} WHERE clinic_id = ? AND modified_at >= ? "
                         "AND modified_at < ?", (clinic_id, low, high)).fetchone()[0]
    return low, high, count


def _contained(conn: sqlite3.Connection, table: str, clinic_id: int, length: int,
               preferred: str | None, column: str = "") -> tuple[str, int]:
    """A ``like`` value (``like`` means contains) and how many rows contain it: the preferred one, else the
    commonest run of ``length`` letters in the name column (3: a trigram index finds it; 1: it cannot), or of
    ``length`` digits in ``column``."""
    digits = bool(column)
    column = column or NAME_COLUMN[table]
    value = preferred
    if value is None:
        found: dict[str, int] = {}
        for name, rows in conn.execute(f"SELECT lower({column}), count(*) FROM {table} WHERE clinic_id = ? "
                                       f"AND {column} IS NOT NULL GROUP BY 1", (clinic_id,)):
            for run in {name[i:i + length] for i in range(len(name) - length + 1)}:
                if run.isdigit() if digits else run.isalpha():
                    found[run] = found.get(run, 0) + rows
        value = min(found, key=lambda run: (-found[run], run)) if found else ""
    count = conn.execute(f"SELECT count(*) FROM {table} WHERE clinic_id = ? AND {column} LIKE ?",
                         (clinic_id, f"%{value}%")).fetchone()[0]
    return value, count
