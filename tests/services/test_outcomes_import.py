"""Importing CSAT and sales: refused whole with row-level problems, idempotent, undoable,
and no raw customer reference stored anywhere."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.errors import Conflict, ImportRejected, PermissionDenied
from ee_app.models import Base, CsatRecord, Sale, SaleStaff
from ee_app.services import outcomes_import as oi
from ee_app.services.users import actor_for_email
from tests.helpers import csv_file, snapshot, xlsx_file

CSAT = [
    ["记录编号", "员工编号", "门店", "服务日期", "评分", "触点", "手机号"],
    ["C1", "E10002", "SH01", "2026-10-01", "5", "接待", "138 0013 8000"],
    ["C2", "E10003", "上海静安店", "2026/10/2", "4", "售后回访", "13900139000"],
    ["C3", "E10002", "SH01", "46300", "2", "护理", ""],  # an Excel serial date, no customer
]
SALES = [
    ["单号", "顾客", "员工编号", "门店", "消费日期", "金额", "项目", "指定客顾问"],
    ["T1", "138-0013-8000", "E10002、E10003", "SH01", "2026-10-01", "1,280.00", "水光针", "E10002"],
    ["T2", "13800138000", "E10002", "SH01", "2026年11月1日", "￥680", "补水护理", ""],
]


@pytest.fixture
def settings():
    return Settings.from_env()


def csat(engine, admin, settings, rows=CSAT, name="csat.csv", encoding="gbk", **kwargs):
    with write_session(engine) as session:
        return oi.import_csat(session, admin, csv_file(rows, encoding), name, settings, **kwargs)


def sales(engine, admin, settings, rows=SALES, name="sales.csv", **kwargs):
    with write_session(engine) as session:
        return oi.import_sales(session, admin, csv_file(rows, "gbk"), name, settings, **kwargs)


def test_gbk_csat_with_chinese_headers_imports_once(engine, demo, admin, settings):
    first = csat(engine, admin, settings)
    assert (first.new, first.unchanged, first.detected_scale) == (3, 0, 5)
    before = snapshot(engine)
    again = csat(engine, admin, settings)
    assert (again.new, again.unchanged, again.batch_id) == (0, 3, None)
    assert snapshot(engine) == before
    with read_session(engine) as session:
        # The demo holds outcomes of its own: look at this file's batch only.
        rows = session.scalars(
            select(CsatRecord)
            .where(CsatRecord.batch_id == first.batch_id)
            .order_by(CsatRecord.source_id)
        ).all()
    assert [r.touchpoint.value for r in rows] == ["reception", "aftercare", "treatment"]
    assert rows[2].service_date == date(1899, 12, 30) + timedelta(days=46300)
    assert rows[2].customer is None and rows[0].customer and len(rows[0].customer) == 32


def test_sales_link_every_serving_staff_member(engine, demo, admin, settings):
    result = sales(engine, admin, settings)
    assert result.new == 2
    with read_session(engine) as session:
        # The demo holds sales of its own: look at this file's batch only.
        mine = Sale.batch_id == result.batch_id
        links = session.execute(
            select(Sale.source_id, func.count())
            .join(SaleStaff)
            .where(mine)
            .group_by(Sale.source_id)
            .order_by(Sale.source_id)
        ).all()
        customers = set(session.scalars(select(Sale.customer).where(mine)))
        amounts = sorted(float(a) for a in session.scalars(select(Sale.amount).where(mine)))
    assert links == [("T1", 2), ("T2", 1)]
    assert len(customers) == 1  # the same phone number written two ways is one customer
    assert amounts == [680.0, 1280.0]


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (
            ["C9", "E99999", "SH01", "2026-10-01", "5", "", ""],
            "员工编号",
            "unknown employee number",
        ),
        (["C9", "E10002", "SH99", "2026-10-01", "5", "", ""], "门店", "unknown store"),
        (["C9", "E10002", "SH01", "2026-13-40", "5", "", ""], "服务日期", "is not a date"),
        (["C9", "E10002", "SH01", "2026-10-01", "6", "", ""], "评分", "outside the 5-point scale"),
        (["C9", "E10002", "SH01", "2026-10-01", "4.5", "", ""], "评分", "not a whole number"),
        (["C1", "E10002", "SH01", "2026-10-01", "5", "", ""], "记录编号", "appears again"),
        (["C9", "E10002", "SH01", "2026-10-01", "5", "门口", ""], "触点", "not a touchpoint"),
    ],
)
def test_a_bad_row_refuses_the_file_and_says_where(
    engine, demo, admin, settings, row, column, reason
):
    before = snapshot(engine)
    with pytest.raises(ImportRejected) as info:
        csat(engine, admin, settings, rows=[*CSAT[:-1], row], scale=5)
    [problem] = [p for p in info.value.problems if p.column == column]
    assert problem.row == 4 and reason in problem.render()
    assert snapshot(engine) == before


def test_a_source_id_with_other_values_is_refused(engine, demo, admin, settings):
    csat(engine, admin, settings)
    changed = [CSAT[0], ["C1", "E10002", "SH01", "2026-10-01", "3", "接待", "138 0013 8000"]]
    with pytest.raises(ImportRejected, match="1 problems") as info:
        csat(engine, admin, settings, rows=changed)
    assert "imported before" in info.value.problems[0].render()


def test_missing_columns_and_unknown_headers_can_be_mapped(engine, demo, admin, settings):
    rows = [["ID", "工号", "门店", "日期", "得分"], ["X1", "E10002", "SH01", "2026-10-01", "9"]]
    result = csat(engine, admin, settings, rows=rows, mapping={"source_id": "ID"}, scale=10)
    assert (result.new, result.detected_scale) == (1, 10)
    with pytest.raises(ImportRejected) as info:
        csat(engine, admin, settings, rows=[["工号", "门店"], ["E10002", "SH01"]])
    assert "Required column “Record ID” (记录编号) is missing." in info.value.render()


def test_dry_run_writes_nothing(engine, demo, admin, settings):
    before = snapshot(engine)
    assert sales(engine, admin, settings, dry_run=True).new == 2
    assert snapshot(engine) == before


def test_undo_removes_exactly_one_batch(engine, demo, admin, settings):
    first = sales(engine, admin, settings)
    after_first = snapshot(engine)
    more = [SALES[0], ["T3", "13700000000", "E10003", "SH01", "2026-11-02", "99", "", ""]]
    second = sales(engine, admin, settings, rows=more, name="more.csv")
    with write_session(engine) as session:
        undone = oi.undo_batch(session, admin, second.batch_id)
    assert undone.undone_at is not None
    now = snapshot(engine)
    for table in ("sale", "sale_staff", "csat_record"):
        assert now[table] == after_first[table]
    with read_session(engine) as session:
        history = oi.import_history(session, admin)
    assert [b.id for b in history][:2] == [second.batch_id, first.batch_id]
    with write_session(engine) as session, pytest.raises(Conflict):
        oi.undo_batch(session, admin, second.batch_id)
    assert sales(engine, admin, settings, rows=more, name="more.csv").new == 1  # re-importable


def test_xlsx_with_english_headers(engine, demo, admin, settings):
    rows = [
        ["Transaction ID", "Customer", "Employee number", "Store", "Date", "Amount"],
        ["X1", "c-1", "E10002", "SH01", date(2026, 10, 3), 1280],
    ]
    with write_session(engine) as session:
        result = oi.import_sales(session, admin, xlsx_file(rows), "pos.xlsx", settings)
    assert result.new == 1


def test_managers_cannot_import(engine, demo, settings):
    with read_session(engine) as session:
        manager = actor_for_email(session, "manager.sh01@demo.example")
    with write_session(engine) as session, pytest.raises(PermissionDenied):
        oi.import_csat(session, manager, csv_file(CSAT), "c.csv", settings)


def test_no_raw_customer_reference_is_stored_anywhere(engine, demo, admin, settings):
    csat(engine, admin, settings)
    sales(engine, admin, settings)
    references = ["13800138000", "138 0013 8000", "138-0013-8000", "13900139000"]
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                for value in row:
                    assert not any(r in str(value) for r in references), (table.name, value)
    if engine.dialect.name == "sqlite":  # not even in the file's free pages
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        with open(engine.url.database, "rb") as handle:
            raw = handle.read()
        assert b"13800138000" not in raw and b"13900139000" not in raw
