"""Tables: the clinic and its credentials, plus one table per declared resource.

Every resource row carries ``clinic_id``; every index starts with it, so one clinic's query never reads
another clinic's rows and the road to sharding by clinic stays open. Ids come from one sequence per table,
so an id never names two records, whatever the clinic.

Search by substring (the filter comparator ``contains``, ezyVet's ``like``): a field declared
``index=True`` whose type is ``searchable`` (``Text``: names, codes, microchip numbers, post codes, cleaned
phone numbers and emails; not uids, which are opaque) gets a trigram index, so that ``%bel%`` is found
without reading every row. A resource declared later gets it from its declaration alone. One form per
database, both written by ``create_search`` (the metadata runs it after creating a table; the migrations
call it, so the two agree, as tests/test_migrations.py checks):

- SQLite: an FTS5 table ``<table>_search`` with the table's searched columns, tokenized in trigrams. Its
  external content is the view ``<table>_search_source``, which lower-cases the columns the way SQLite's
  LIKE folds case (A-Z only), and the tokenizer keeps case (``case_sensitive 1``): a trigram phrase then
  matches exactly the rows that ``LIKE '%run%'`` matches. Beside it, ``<table>_search_terms`` counts the
  clinic's rows that hold each trigram of each column: the count of a three-character value (a type-ahead
  search, one trigram) is one lookup there instead of a walk over every matching row of the index.
  Three triggers (``<table>_search_insert``, ``_delete``, ``_update``) keep both in step with every
  write, executemany included. A migration that
  rebuilds a searched table (Alembic's batch mode on SQLite) must ``drop_search`` first (the table's
  triggers go with it, and SQLite refuses to rename a table a view names) and ``create_search`` after.
- PostgreSQL: the ``pg_trgm`` extension and a GIN index ``ix_<table>_<column>_trgm`` on
  ``lower(column) gin_trgm_ops``; the same trigram counts in ``<table>_search_terms``, but a write does not
  update them: three statement triggers append its differences to ``<table>_search_terms_changes`` (one row per
  clinic, column and trigram a statement changed), a count adds the changes to the counts, and the dispatcher
  folds the changes into the counts every few seconds (``records.fold_counts``): store/appended.py, the
  mechanism the kept sums (store/sums.py) share.

A search index is the one kind of index that does not start with ``clinic_id``: it finds every clinic's
matching rows, and the query keeps its own clinic's (``store/filters.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from openvet.store import appended
from openvet.store.appended import Appended
from openvet.store.sums import Kept, create_kept_sum, drop_kept_sum, kept_sums

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
        sa.Column("user_id", Id),  # the clinic's User the credentials act as (created_by, approved_by…)
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
        # PostgreSQL: the differences to record_count written since the dispatcher last folded them into it
        # (records.fold_counts); a count adds them. Appended, concurrent creates of a clinic never wait for
        # each other on its record_count row. SQLite writes record_count itself (one writer at a time).
        "record_count_change", metadata,
        sa.Column("clinic_id", Id, nullable=False),
        sa.Column("resource", sa.String(64), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Index("ix_record_count_change_clinic_id", "clinic_id", "resource"),
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
        # What each webhook is owed: one row per (webhook, outbox event) it subscribes to, made from the outbox
        # by the dispatcher (``outbox.delivered_at`` says the event was handed on). ``event_id`` is the event
        # delivered: the outbox row itself, or the one a replay sends again. A dispatcher claims due rows for
        # ``claimed_until`` (a lease: a process killed mid-delivery leaves the row to the next one).
        "webhook_delivery", metadata,
        id_column(),
        clinic_column(),
        sa.Column("webhook_id", Id, nullable=False),
        sa.Column("outbox_id", Id, nullable=False),
        sa.Column("event_id", Id, nullable=False),
        sa.Column("event", sa.String(96), nullable=False),
        sa.Column("resource", sa.String(64), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("replay_id", Id),  # the WebHookReplay that asked for it
        sa.Column("status", sa.String(16), nullable=False),  # pending | delivered | failed
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger(), nullable=False),
        sa.Column("claimed_until", sa.BigInteger()),
        sa.Column("claim", sa.String(32)),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.BigInteger()),
        sa.UniqueConstraint("webhook_id", "outbox_id", name="uq_webhook_delivery_webhook_outbox"),
        sa.Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
    )
    sa.Table(
        # Secrets of this installation, shared by every process and server on the database (the key that
        # signs download links); made by the migration that creates the table.
        "server_key", metadata,
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(128), nullable=False),
    )
    sa.Table(
        # Throttling counters when no Redis holds them (store/throttle.py): one row per subject (a clinic and
        # partner; a client id at the token endpoint), the window it counts, its hits, and each endpoint's hits
        # (a JSON object, {"animal": 12, …}).
        "throttle_bucket", metadata,
        sa.Column("bucket", sa.String(160), primary_key=True),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("endpoints", sa.Text(), nullable=False),
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
    searched = searched_columns(resource)
    if searched:
        search = Search(table.name, searched)
        table.info["search"] = search
        sa.event.listen(table, "after_create", lambda _t, conn, **_: _run(conn, create_search(search, _name(conn))))
        sa.event.listen(table, "before_drop", lambda _t, conn, **_: _run(conn, drop_search(search, _name(conn))))
    if resource.sums:
        kept = tuple(kept_sum(table.name, resource, declared) for declared in resource.sums)
        table.info["sums"] = kept
        sa.event.listen(table, "after_create", lambda _t, conn, **_: _run(
            conn, [statement for sum_ in kept for statement in create_kept_sum(sum_, _name(conn))]))
        sa.event.listen(table, "before_drop", lambda _t, conn, **_: _run(
            conn, [statement for sum_ in kept for statement in drop_kept_sum(sum_, _name(conn))]))
    return table


def kept_sum(table: str, resource, declared) -> Kept:
    """A declared ``Sum`` in the table's columns (store/sums.py)."""
    def column(name: str) -> str:
        field = resource.field_map[name]
        return field.type.columns(field.name)[-1][0]
    return Kept(table, declared.name, column(declared.amount), column(declared.by),
                tuple((column(name), op, value) for name, op, value in declared.where),
                column(declared.per_day) if declared.per_day else "")


def build_metadata(resources: Iterable) -> sa.MetaData:
    metadata = sa.MetaData()
    system_tables(metadata)
    for resource in resources:
        if not resource.listed_by:  # worked out, not kept (WebHookEvents)
            resource_table(metadata, resource)
    return metadata


# Search by substring --------------------------------------------------------------------------------------

IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class Search:
    """The substring index of one table: the columns clients search by a fragment, in declaration order."""

    table: str
    columns: tuple[str, ...]

    def __post_init__(self):
        # The names are written into DDL, trigger bodies and FTS5 queries unquoted; FTS5 reserves two.
        for name in (self.table, *self.columns):
            if not IDENTIFIER.fullmatch(name) or name in ("rowid", "rank"):
                raise ValueError(f"{name!r} cannot name a searched table or column")

    @property
    def fts(self) -> str:
        """SQLite: the FTS5 table."""
        return f"{self.table}_search"

    @property
    def source(self) -> str:
        """SQLite: the view the FTS5 table reads its content from (the columns lower-cased)."""
        return f"{self.table}_search_source"

    @property
    def terms(self) -> str:
        """How many of a clinic's rows hold each trigram of each column (clinic_id, col, term, rows)."""
        return f"{self.table}_search_terms"

    @property
    def appended(self) -> Appended:
        """PostgreSQL: how the trigram counts follow the table's writes (store/appended.py)."""
        return Appended(self.table, self.terms, ("clinic_id", "col", "term"), "rows",
                        "clinic_id bigint NOT NULL, col text NOT NULL, term text NOT NULL, rows bigint NOT NULL",
                        self.columns)

    @property
    def changes(self) -> str:
        """PostgreSQL: the differences to ``terms`` not folded into it yet (clinic_id, col, term, rows)."""
        return self.appended.changes

    def triggers(self) -> tuple[str, ...]:
        return tuple(f"{self.fts}_{event}" for event in ("insert", "delete", "update"))

    def trigram_index(self, column: str) -> str:
        """PostgreSQL: the GIN index of one column."""
        return f"ix_{self.table}_{column}_trgm"


def searched_columns(resource) -> tuple[str, ...]:
    """The columns of ``resource`` searched by substring: its indexed fields of a searchable type."""
    return tuple(field.type.columns(field.name)[-1][0] for field in resource.stored_fields()
                 if field.index and field.name != "id" and field.type.searchable)


def search_of(table: sa.Table) -> Search | None:
    return table.info.get("search")


def create_search(search: Search, dialect: str) -> list[str]:
    """The statements that make the substring index of a table and fill it from the rows it already has."""
    if dialect == "postgresql":
        return ["CREATE EXTENSION IF NOT EXISTS pg_trgm", *(
            f'CREATE INDEX {search.trigram_index(c)} ON "{search.table}" USING gin (lower({c}) gin_trgm_ops)'
            for c in search.columns), *create_search_terms(search, dialect)]
    if dialect != "sqlite":
        return []
    names = ", ".join(search.columns)
    return [
        f'CREATE VIEW {search.source} AS SELECT id, {", ".join(f"lower({c}) AS {c}" for c in search.columns)} '
        f'FROM "{search.table}"',
        f"CREATE VIRTUAL TABLE {search.fts} USING fts5({names}, content='{search.source}', content_rowid='id', "
        "tokenize='trigram case_sensitive 1')",
        *create_search_terms(search, dialect),
        *search_triggers(search),
        f"INSERT INTO {search.fts} ({search.fts}) VALUES ('rebuild')",
    ]


def search_triggers(search: Search, terms: bool = True) -> list[str]:
    """SQLite: the three triggers that keep the FTS5 index (and, with ``terms``, the trigram counts) in step
    with the table's writes."""
    names = ", ".join(search.columns)

    def lowered(row: str) -> str:
        return ", ".join(f"lower({row}{c})" for c in search.columns)

    add = f"INSERT INTO {search.fts} (rowid, {names}) VALUES (new.id, {lowered('new.')});"
    remove = f"INSERT INTO {search.fts} ({search.fts}, rowid, {names}) VALUES ('delete', old.id, {lowered('old.')});"
    if terms:
        add += "".join(_count_terms(search, c, "new.", 1) for c in search.columns)
        remove += "".join(_count_terms(search, c, "old.", -1) for c in search.columns)
    insert, delete, update = search.triggers()
    return [
        f'CREATE TRIGGER {insert} AFTER INSERT ON "{search.table}" BEGIN {add} END',
        f'CREATE TRIGGER {delete} AFTER DELETE ON "{search.table}" BEGIN {remove} END',
        f'CREATE TRIGGER {update} AFTER UPDATE OF {names} ON "{search.table}" BEGIN {remove} {add} END',
    ]


def create_search_terms(search: Search, dialect: str) -> list[str]:
    """The trigram counts of a table, made if missing and counted afresh from its rows (so that a migration
    may run it on a table whose counts an earlier migration already made); on PostgreSQL also the table of
    changes and the triggers that append to it."""
    if dialect == "postgresql":
        return _postgres_terms(search)
    return [f"CREATE TABLE IF NOT EXISTS {search.terms} (clinic_id INTEGER NOT NULL, col TEXT NOT NULL, "
            "term TEXT NOT NULL, rows INTEGER NOT NULL, PRIMARY KEY (clinic_id, col, term)) WITHOUT ROWID",
            f"DELETE FROM {search.terms}",
            *(count_terms_in_bulk(search, c, "") for c in search.columns)]


def _postgres_terms(search: Search) -> list[str]:
    """PostgreSQL: the counts, appended to by the table's statement triggers (store/appended.py): one count a
    distinct trigram of a row's column."""
    return appended.create(search.appended, lambda rows: (
        f"SELECT clinic_id, col, term, 1 AS rows FROM ({_trigrams(search, rows)}) AS t"))


def _trigrams(search: Search, rows: str) -> str:
    """PostgreSQL: one row (clinic_id, col, term) per distinct trigram of each searched column of ``rows``,
    lowered as the trigram indexes and the ``contains`` test lower them."""
    values = ", ".join(f"('{c}', lower(r.{c}))" for c in search.columns)
    return (f"SELECT r.clinic_id, v.col, g.term FROM {rows} AS r CROSS JOIN LATERAL (VALUES {values}) AS v (col, text) "
            "CROSS JOIN LATERAL (SELECT DISTINCT substr(v.text, i, 3) AS term "
            "FROM generate_series(1, length(v.text) - 2) AS i) AS g")


def count_terms_in_bulk(search: Search, column: str, rows: str) -> str:
    """SQLite: add to the trigram counts of ``column`` the rows picked by ``rows`` (a condition on the table's
    row ``r``, e.g. ``r.id IN (…)``; empty: every row)."""
    lowered = f"lower(r.{column})"
    picked = f"{rows} AND " if rows else ""
    return (f"INSERT INTO {search.terms} (clinic_id, col, term, rows) "
            f"SELECT clinic_id, '{column}', term, count(*) FROM (SELECT DISTINCT r.id, r.clinic_id, "
            f"substr({lowered}, j.key + 1, 3) AS term "
            f"FROM \"{search.table}\" AS r, json_each({_offsets(lowered)}) AS j "
            f"WHERE {picked}r.{column} IS NOT NULL) WHERE true GROUP BY clinic_id, term "
            "ON CONFLICT (clinic_id, col, term) DO UPDATE SET rows = rows + excluded.rows")


def _count_terms(search: Search, column: str, row: str, step: int) -> str:
    """A trigger's statement: count (1) or uncount (-1) the distinct trigrams of one row's column."""
    lowered = f"lower({row}{column})"
    trigrams = f"SELECT DISTINCT substr({lowered}, key + 1, 3) AS term FROM json_each({_offsets(lowered)})"
    if step > 0:
        return (f" INSERT INTO {search.terms} (clinic_id, col, term, rows) SELECT {row}clinic_id, '{column}', "
                f"term, 1 FROM ({trigrams}) "
                "WHERE true ON CONFLICT (clinic_id, col, term) DO UPDATE SET rows = rows + 1;")
    return (f" UPDATE {search.terms} SET rows = rows - 1 WHERE clinic_id = {row}clinic_id AND col = '{column}' "
            f"AND term IN ({trigrams});")


def _offsets(text: str) -> str:
    """SQL for a JSON array with one element per trigram of ``text`` (its keys 0, 1, …: where each starts);
    an empty array for a value shorter than three characters or unset. No CTE: a trigger may not hold one."""
    return f"'[' || substr(replace(hex(zeroblob(max(length({text}) - 2, 0))), '00', ',0'), 2) || ']'"


def index_in_bulk(search: Search) -> tuple[str, list[str], str]:
    """SQLite, for rows written in bulk within one transaction: set the insert trigger aside, index the rows
    whose ids are given (a JSON list, the one parameter of each statement of the middle list) in one statement
    per structure, and put the trigger back.

    FTS5 flushes what it has gathered at the end of every statement, and under executemany every row is a
    statement: indexing row by row from the trigger made a million demo animals load in twice the time.
    Other connections never see the table without its trigger: the schema change is part of the transaction.
    """
    names = ", ".join(search.columns)
    lowered = ", ".join(f"lower(r.{c})" for c in search.columns)
    picked = "r.id IN (SELECT value FROM json_each(?))"
    return (f"DROP TRIGGER {search.triggers()[0]}",
            [f'INSERT INTO {search.fts} (rowid, {names}) SELECT r.id, {lowered} FROM "{search.table}" AS r '
             f"WHERE {picked}",
             *(count_terms_in_bulk(search, c, picked) for c in search.columns)],
            search_triggers(search)[0])


def drop_search(search: Search, dialect: str) -> list[str]:
    """The statements that remove the substring index of a table (the pg_trgm extension stays)."""
    if dialect == "postgresql":
        return [*drop_postgres_terms(search),
                *(f"DROP INDEX IF EXISTS {search.trigram_index(c)}" for c in search.columns)]
    if dialect != "sqlite":
        return []
    return [*(f"DROP TRIGGER IF EXISTS {name}" for name in search.triggers()),
            f"DROP TABLE IF EXISTS {search.fts}", f"DROP VIEW IF EXISTS {search.source}",
            f"DROP TABLE IF EXISTS {search.terms}"]


def drop_postgres_terms(search: Search) -> list[str]:
    """PostgreSQL: the statements that remove the trigram counts of a table, their changes and triggers."""
    return appended.drop(search.appended)


def search_objects(metadata: sa.MetaData) -> set[str]:
    """The names of every search object of ``metadata`` (tables, views, triggers, indexes), FTS5's own
    tables included, and of every kept sum (store/sums.py): the objects made by statements of their own, which
    a comparison of the metadata with a database must leave to the search and sums tests."""
    names: set[str] = set()
    for table in metadata.tables.values():
        search = search_of(table)
        if search is not None:
            names |= {search.fts, search.source, *search.appended.objects(), *search.triggers(),
                      *(f"{search.fts}_{part}" for part in ("data", "idx", "docsize", "config", "content")),
                      *(search.trigram_index(c) for c in search.columns)}
    for table in metadata.tables.values():
        for kept in kept_sums(table):
            names |= kept.objects()
    return names


def _name(conn: sa.Connection) -> str:
    return conn.dialect.name


def _run(conn: sa.Connection, statements: list[str]) -> None:
    for statement in statements:
        conn.exec_driver_sql(statement)
