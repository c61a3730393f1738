"""Totals kept by appending (PostgreSQL): how the trigram counts of a search (store/schema.py) and the kept sums
of a resource (store/sums.py) follow the writes of their table, and how ``record_count`` and all of them are
folded (``records.fold_counts``).

Updated in place, a total is a row every writer that touches it waits for until the writer before it commits, and
each update of a transaction adds a version of that row (2,000 inserts in one transaction: 7.4 s instead of 0.5 s,
docs/benchmarks.md). So a write never updates the totals: three statement triggers of the table (insert, delete,
update; ``REFERENCING`` transition tables, so a COPY or a multi-row statement is one set of differences) append
what the statement changed to ``<totals>_changes``; a read adds the changes to the totals; a fold moves the
changes into the totals, one folder at a time. SQLite has one writer at a time and updates its totals in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Appended:
    """The totals of ``table``'s rows: ``totals`` holds them by ``keys`` in the column ``value``; ``columns`` is the
    DDL of the key and value columns; ``reads`` the table's columns they depend on (an update that changes none of
    them appends nothing)."""

    table: str
    totals: str
    keys: tuple[str, ...]
    value: str
    columns: str
    reads: tuple[str, ...]

    @property
    def changes(self) -> str:
        return f"{self.totals}_changes"

    @property
    def function(self) -> str:
        return f"{self.totals}_keep"

    def triggers(self) -> tuple[str, str, str]:
        return f"{self.totals}_insert", f"{self.totals}_delete", f"{self.totals}_update"

    def objects(self) -> set[str]:
        """Every name it makes: tables, their key and index, the triggers."""
        return {self.totals, f"{self.totals}_pkey", self.changes, f"ix_{self.changes}", *self.triggers()}


def create(kept: Appended, project: Callable[[str], str]) -> list[str]:
    """The tables, the function and the triggers, and the totals counted afresh from the rows already there (so a
    migration may run it again). ``project(rows)`` is the SQL that turns the rows of ``rows`` (a table, or a
    transition table) into the totals' keys and value, named as ``kept.keys`` and ``kept.value``: one row per
    key a row adds to."""
    keys = ", ".join(kept.keys)
    table = f'"{kept.table}"'
    differ = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in kept.reads)
    moved_in = f"(SELECT n.* FROM added AS n JOIN removed AS o ON o.id = n.id WHERE {differ})"
    moved_out = f"(SELECT o.* FROM removed AS o JOIN added AS n ON n.id = o.id WHERE {differ})"

    def append(added: str | None, removed: str | None) -> str:
        parts = [f"SELECT {keys}, {sign}{kept.value} AS {kept.value} FROM ({project(rows)}) AS p"
                 for rows, sign in ((added, ""), (removed, "-")) if rows is not None]
        return (f"INSERT INTO {kept.changes} ({keys}, {kept.value}) SELECT {keys}, sum({kept.value}) "
                f"FROM ({' UNION ALL '.join(parts)}) AS d GROUP BY {keys} HAVING sum({kept.value}) <> 0;")

    function = f"""CREATE OR REPLACE FUNCTION {kept.function}() RETURNS trigger LANGUAGE plpgsql AS $keep$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {append("added", None)}
    ELSIF TG_OP = 'DELETE' THEN
        {append(None, "removed")}
    ELSE
        {append(moved_in, moved_out)}
    END IF;
    RETURN NULL;
END
$keep$"""
    insert, delete, update = kept.triggers()
    return [
        f"CREATE TABLE IF NOT EXISTS {kept.totals} ({kept.columns}, PRIMARY KEY ({keys}))",
        f"CREATE TABLE IF NOT EXISTS {kept.changes} ({kept.columns})",
        f"CREATE INDEX IF NOT EXISTS ix_{kept.changes} ON {kept.changes} ({keys})",
        f"DELETE FROM {kept.changes}",
        f"DELETE FROM {kept.totals}",
        f"INSERT INTO {kept.totals} ({keys}, {kept.value}) SELECT {keys}, sum({kept.value}) "
        f"FROM ({project(table)}) AS p GROUP BY {keys}",
        function,
        *(f"DROP TRIGGER IF EXISTS {name} ON {table}" for name in kept.triggers()),
        f"CREATE TRIGGER {insert} AFTER INSERT ON {table} REFERENCING NEW TABLE AS added "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {kept.function}()",
        f"CREATE TRIGGER {delete} AFTER DELETE ON {table} REFERENCING OLD TABLE AS removed "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {kept.function}()",
        f"CREATE TRIGGER {update} AFTER UPDATE ON {table} REFERENCING OLD TABLE AS removed NEW TABLE AS added "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {kept.function}()",
    ]


def drop(kept: Appended) -> list[str]:
    return [*(f'DROP TRIGGER IF EXISTS {name} ON "{kept.table}"' for name in kept.triggers()),
            f"DROP FUNCTION IF EXISTS {kept.function}()",
            f"DROP TABLE IF EXISTS {kept.changes}", f"DROP TABLE IF EXISTS {kept.totals}"]


def fold(totals: str, changes: str, keys: tuple[str, ...], value: str) -> str:
    """The statement that moves the changes into the totals (in key order: two folds never lock rows in opposite
    orders). Rows appended while it runs are not in its snapshot and stay for the next fold."""
    key = ", ".join(keys)
    return (f"WITH gone AS (DELETE FROM {changes} RETURNING {key}, {value}) "
            f"INSERT INTO {totals} ({key}, {value}) SELECT {key}, sum({value}) FROM gone GROUP BY {key} "
            f"ORDER BY {key} ON CONFLICT ({key}) DO UPDATE SET {value} = {totals}.{value} + excluded.{value}")
