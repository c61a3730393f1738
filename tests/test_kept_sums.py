"""Kept sums (store/sums.py): the totals a resource declares kept (``Resource.sums``) stay equal to the sums of its
rows after every kind of write, on both databases, before and after PostgreSQL's changes are folded in."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from openvet.demo.bulk import insert_rows, reserve_ids
from openvet.store import records
from openvet.store.filters import Condition
from openvet.store.sums import kept_sums

pytestmark = pytest.mark.both_databases  # triggers differ: SQLite's row triggers, PostgreSQL's appended changes

DAY = 86400
MOVED = [Condition("alter_stock", "eq", True), Condition("status", "eq", "Finalised"), Condition("active", "eq", True)]
MOVED_OUT = [*MOVED, Condition("quantity", "lt", Decimal(0)), Condition("for_class", "neq", "ReceiveInvoiceItem")]
PRODUCTS = [901, 902, 903, 904]


def ledger_row(product: int | None, quantity: str, day: int, **more) -> dict:
    return {"product_id": product, "quantity": Decimal(quantity), "date": day * DAY + 3600, "alter_stock": True,
            "status": "Finalised", "active": True, "for_class": "StockAdjustmentItem", "created_at": 0,
            "modified_at": 0, **more}


def agree(conn: sa.Connection, table: sa.Table, clinic_id: int) -> None:
    """Each kept sum equals the sum of the rows, as the generic grouped query (``records.totals``) sums them (a
    key whose rows sum to nothing is left out of both)."""
    assert records.kept_totals(conn, table, "in_stock", clinic_id, PRODUCTS) == {
        k: v for k, v in records.totals(conn, table, clinic_id, "quantity", "product_id", PRODUCTS, MOVED).items()
        if v}
    for from_day in (0, 20_000, 20_010, 20_011, 30_000):
        since = [*MOVED_OUT, Condition("date", "gte", from_day * DAY)]
        expected = records.totals(conn, table, clinic_id, "quantity", "product_id", PRODUCTS, since)
        assert records.kept_totals(conn, table, "moved_out", clinic_id, PRODUCTS, from_day) == {
            k: v for k, v in expected.items() if v}, from_day


def test_the_stock_ledgers_kept_sums_follow_every_write(api, other, engine):
    table = engine.tables["stocktransaction"]
    assert {kept.name for kept in kept_sums(table)} == {"in_stock", "moved_out"}
    with engine.db.begin() as conn:  # the engine's way, one row a statement
        ids = [records.insert(conn, table, api.id, row) for row in (
            ledger_row(901, "10.5", 20_000), ledger_row(901, "-2.25", 20_010), ledger_row(902, "-1", 20_011),
            ledger_row(902, "-3", 20_011, for_class="ReceiveInvoiceItem"),  # a receipt's correction: not out
            ledger_row(903, "-4", 20_012, status="Pending"), ledger_row(None, "5", 20_000),
            ledger_row(904, "-7", 20_012, for_class=None))]
        records.insert(conn, table, other.id, ledger_row(901, "100", 20_000))  # another clinic's
        records.insert_many(conn, table, api.id, [ledger_row(903, "2", 20_005), ledger_row(904, "-1.5", 20_011)])
    with engine.db.connect() as conn:
        agree(conn, table, api.id)
    with engine.db.begin() as conn:
        records.update(conn, table, api.id, [ids[4]], {"status": "Finalised"})  # a Pending movement finalised
        records.update(conn, table, api.id, [ids[1]], {"active": False})
        records.update(conn, table, api.id, [ids[0]], {"quantity": Decimal("11.5"), "date": 20_011 * DAY})
        conn.execute(sa.delete(table).where(table.c.id == ids[2]))
        if conn.dialect.name == "postgresql":  # ids from the table's sequence, as the demo takes them
            new_ids = reserve_ids(conn, table, 4)
        else:
            new_ids = [conn.exec_driver_sql("SELECT max(id) FROM stocktransaction").scalar() + n for n in (1, 2, 3, 4)]
        columns = ("id", "clinic_id", "product_id", "quantity", "date", "alter_stock", "status", "active",
                   "for_class", "created_at", "modified_at")
        insert_rows(conn, table, columns, [  # the demo's bulk path: COPY on PostgreSQL
            (new_id, api.id, product, Decimal(quantity), day * DAY, True, "Finalised", True, "InvoiceLine", 0, 0)
            for new_id, (product, quantity, day) in zip(new_ids, ((901, "-0.5", 20_011), (902, "8", 20_000),
                                                                  (902, "-8", 20_009), (904, "0.25", 20_011)),
                                                        strict=True)])
    with engine.db.connect() as conn:
        agree(conn, table, api.id)
        agree(conn, table, other.id)
        assert records.kept_totals(conn, table, "in_stock", api.id, PRODUCTS)[901] == Decimal("11.0000")
    if engine.db.dialect.name == "postgresql":
        with engine.db.begin() as conn:
            assert records.fold_counts(conn, [table])
        with engine.db.connect() as conn:
            for kept in kept_sums(table):
                assert conn.exec_driver_sql(f"SELECT count(*) FROM {kept.changes}").scalar_one() == 0
            agree(conn, table, api.id)


def test_a_kept_sum_compares_numbers_with_nothing_but_zero():
    """SQLite keeps decimals as scaled whole numbers, so a literal other than 0 would be compared wrongly there: such
    a declaration is refused when it is made, not answered wrongly later."""
    from openvet.store.sums import Kept

    with pytest.raises(ValueError, match="quantity lt 5"):
        Kept("stocktransaction", "small", "quantity", "product_id", (("quantity", "lt", 5),))
    with pytest.raises(ValueError, match="unknown operator"):
        Kept("stocktransaction", "odd", "quantity", "product_id", (("status", "like", "F"),))
    assert Kept("stocktransaction", "out", "quantity", "product_id", (("quantity", "lt", 0),)).where


def test_every_kept_sum_agrees_with_its_rows_after_a_demo_load(engine, tmp_path):
    """After the demo's bulk load (COPY on PostgreSQL, executemany on SQLite, each chunk folded) and the engine's own
    writes around it, every kept sum the registry declares equals the sum of its rows, for every key."""
    from openvet import demo
    from openvet.services.credentials import create_clinic
    from openvet.store.blobs import Blobs

    with engine.db.begin() as conn:
        clinic_id = create_clinic(conn, f"kept-{tmp_path.name}"[:60], "Kept sums")
    demo.seed_settings(engine, clinic_id, "Pacific/Auckland")
    demo.seed_lookups(engine, clinic_id)
    demo.load_animals(engine, clinic_id, 300, show_progress=False, blobs=Blobs(tmp_path / "data"))
    checked = 0
    with engine.db.connect() as conn:
        for table in engine.tables.values():
            for kept in kept_sums(table):
                keys = list(conn.execute(sa.select(table.c[kept.by]).distinct().where(
                    table.c.clinic_id == clinic_id, table.c[kept.by].is_not(None))).scalars())
                conditions = [Condition(column, op, Decimal(value) if op == "lt" else value)
                              for column, op, value in kept.where]
                for from_day in ((None, 0, 20_000, 20_400) if kept.per_day else (None,)):
                    window = [Condition(kept.per_day, "gte", from_day * DAY)] if from_day is not None else []
                    expected = records.totals(conn, table, clinic_id, kept.amount, kept.by, keys, conditions + window)
                    assert records.kept_totals(conn, table, kept.name, clinic_id, keys, from_day) == {
                        k: v for k, v in expected.items() if v}, (kept.name, from_day)
                checked += len(keys)
    assert checked > 10  # products in the ledger and on allocated lines
