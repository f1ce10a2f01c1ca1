"""Importing CSAT and sales: refused whole with row-level problems, idempotent, undoable,
and no raw customer reference stored anywhere."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ee_app.config import Settings
from ee_app.db import read_session, write_session
from ee_app.errors import Conflict, ImportRejected, PermissionDenied
from ee_app.models import Base, CsatRecord, Sale, SaleStaff
from ee_app.services import import_batches as batches
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
        undone = batches.undo_batch(session, admin, second.batch_id)
    assert undone.undone_at is not None
    now = snapshot(engine)
    for table in ("sale", "sale_staff", "csat_record"):
        assert now[table] == after_first[table]
    with read_session(engine) as session:
        history = batches.import_history(session, admin)
    assert [b.id for b in history][:2] == [second.batch_id, first.batch_id]
    with write_session(engine) as session, pytest.raises(Conflict):
        batches.undo_batch(session, admin, second.batch_id)
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


# Issue 15: refusing what would crash or mislead, on both databases, dry run and import alike.

TODAY = date(2026, 11, 10)  # the imports' clock in these tests


def refused(engine, run, **kwargs) -> list[str]:
    """Both the dry run and the import refuse, saying the same, and write nothing."""
    before = snapshot(engine)
    said = []
    for dry_run in (True, False):
        with pytest.raises(ImportRejected) as info:
            run(dry_run=dry_run, **kwargs)
        said.append([p.render() for p in info.value.problems])
    assert snapshot(engine) == before
    assert said[0] == said[1]
    return said[0]


#: Dates no outcome can have, and why (TODAY is 2026-11-10).
BAD_DAYS = [
    (day, f"{day} lies in the future (the latest date accepted is 2026-11-11); check the year")
    for day in ("2099-01-01", "2026-11-12", "9999-12-31")
] + [(day, f"{day} is before 2000-01-01; check the year") for day in ("1999-12-31", "0001-01-01")]


def test_dates_in_the_future_or_before_2000_are_refused(engine, demo, admin, settings):
    rows = [
        *SALES,
        *(["T" + day, "137", "E10003", "SH01", day, "99", "", ""] for day, _ in BAD_DAYS),
    ]
    said = refused(
        engine, lambda **kw: sales(engine, admin, settings, rows=rows, today=TODAY, **kw)
    )
    assert said == [f"row {n}, column “消费日期”: {r}" for n, (_, r) in enumerate(BAD_DAYS, 4)]
    answers = [*CSAT, *(["C" + day, "E10002", "SH01", day, "5", "", ""] for day, _ in BAD_DAYS)]
    said = refused(
        engine, lambda **kw: csat(engine, admin, settings, rows=answers, today=TODAY, **kw)
    )
    assert said == [f"row {n}, column “服务日期”: {r}" for n, (_, r) in enumerate(BAD_DAYS, 5)]


def test_tomorrow_is_accepted_a_day_of_tolerance(engine, demo, admin, settings):
    rows = [*SALES, ["T3", "13700000000", "E10003", "SH01", "2026-11-11", "99", "", ""]]
    result = sales(engine, admin, settings, rows=rows, today=TODAY)
    assert (result.new, result.last_date) == (3, date(2026, 11, 11))


def test_a_stray_score_does_not_turn_the_file_to_another_scale(engine, demo, admin, settings):
    """Before: one 7 read the whole file as 0–10, and every 5 became "not satisfied"."""
    answers = [*CSAT, ["C9", "E10002", "SH01", "2026-10-03", "7", "", ""]]
    [said] = refused(engine, lambda **kw: csat(engine, admin, settings, rows=answers, **kw))
    assert said.startswith("row 5, column “评分”: 3 scores from 1 to 5 and 1 outside 1–5")
    assert "--scale 5 or --scale 10" in said
    [said] = refused(
        engine, lambda **kw: csat(engine, admin, settings, rows=answers, scale=5, **kw)
    )
    assert said == "row 5, column “评分”: 7 is outside the 5-point scale"
    result = csat(engine, admin, settings, rows=answers, scale=10)
    assert (result.new, result.detected_scale) == (4, 10)


@pytest.mark.parametrize(("scores", "scale"), [(["5", "4", "1"], 5), (["9", "10", "0"], 10)])
def test_a_file_whose_scores_leave_no_doubt_says_its_scale(
    engine, demo, admin, settings, scores, scale
):
    answers = [CSAT[0], *([*r[:4], s, *r[5:]] for r, s in zip(CSAT[1:], scores, strict=True))]
    assert csat(engine, admin, settings, rows=answers, dry_run=True).detected_scale == scale


def test_full_width_employee_numbers_are_the_same_staff(engine, demo, admin, settings):
    rows = [
        SALES[0],
        [
            "T1",
            "138-0013-8000",
            "Ｅ１０００２、Ｅ１０００３",
            "SH01",
            "2026-10-01",
            "1,280.00",
            "",
            "Ｅ１０００２",
        ],
    ]
    result = sales(engine, admin, settings, rows=rows)
    answers = [CSAT[0], ["C1", "Ｅ１０００２", "ＳＨ０１", "2026-10-01", "５", "接待", ""]]
    assert csat(engine, admin, settings, rows=answers).new == 1
    with read_session(engine) as session:
        sale = session.scalar(select(Sale).where(Sale.batch_id == result.batch_id))
        served = session.scalars(select(SaleStaff.staff_id).where(SaleStaff.sale_id == sale.id))
        assert len(set(served)) == 2 and sale.owner_staff_id is not None


#: What PostgreSQL refuses and SQLite stores: (column, cell, problem).
UNSTORABLE = [
    (6, "补水\x00护理", "contains the control character U+0000, which cannot be stored; remove it"),
    (0, "T\x009", "contains the control character U+0000, which cannot be stored; remove it"),
    (1, "138\x07", "contains the control character U+0007, which cannot be stored; remove it"),
    (6, "项" * 201, "is longer than 200 characters"),
    (
        5,
        "10000000000",
        "“10000000000” is too large for an amount: at most 9,999,999,999.99 either way",
    ),
    (5, "-9999999999.995", "“-9999999999.995” is too large for an amount: at most"),
]


def test_what_a_database_would_refuse_is_refused_first(engine, demo, admin, settings):
    """Before, PostgreSQL refused these in the import after the dry run had said "1 new"
    (SQLite stored them). Now both databases refuse the file, the dry run too."""
    rows = [*SALES]
    for number, (column, value, _) in enumerate(UNSTORABLE):
        row = [f"T{9 + number}", "13700000000", "E10003", "SH01", "2026-10-05", "99", "水光针", ""]
        row[column] = value
        rows.append(row)
    said = refused(engine, lambda **kw: sales(engine, admin, settings, rows=rows, **kw))
    assert len(said) == len(UNSTORABLE)
    for number, (problem, (column, _, reason)) in enumerate(zip(said, UNSTORABLE, strict=True)):
        assert problem.startswith(f"row {4 + number}, column “{SALES[0][column]}”: {reason}")


def test_the_largest_amount_a_column_holds_is_imported(engine, demo, admin, settings):
    row = ["T9", "13700000000", "E10003", "SH01", "2026-10-05", "9,999,999,999.99", "", ""]
    result = sales(engine, admin, settings, rows=[*SALES, row])
    with read_session(engine) as session:
        stored = session.scalar(select(Sale.amount).where(Sale.source_id == "T9"))
    assert result.new == 3 and float(stored) == 9_999_999_999.99


def test_a_huge_cell_is_quoted_briefly(engine, demo, admin, settings):
    huge = "E" + "9" * 1_000_000
    answers = [*CSAT, ["C9", huge, "SH01", "2026-10-05", "5", "", ""]]
    with pytest.raises(ImportRejected) as info:
        csat(engine, admin, settings, rows=answers, encoding="utf-8")
    [problem] = info.value.problems
    assert problem.params["value"] == "E" + "9" * 78 + "…"
    assert len(info.value.render()) < 400
