"""Roster import through the service, on SQLite and PostgreSQL."""

from datetime import date

import pytest
from sqlalchemy import select, update

from ee_app.auth import Actor
from ee_app.db import read_session, write_session
from ee_app.errors import ImportRejected, PermissionDenied
from ee_app.models import ImportBatch, Staff, StaffAssignment, UserRole
from ee_app.services.roster import import_roster
from tests.conftest import DEMO_TODAY
from tests.helpers import csv_file, snapshot, xlsx_file

HEADER = ["员工编号", "姓名", "岗位", "门店", "团队", "入职日期"]
NEW = [
    ["N001", "钱小美", "美容师", "SH01", "SH01-B", "2026-09-01"],
    ["N002", "孙思雨", "咨询师", "上海静安店", "", "2026/10/8"],
]


def existing(demo, **changes):
    """The roster row of the demo's second staff member (a front-desk clerk of SH01-F)."""
    person = demo.chain.staff[1]
    unit, role, _, _ = person.periods[-1]
    assert (unit, role.value) == ("SH01-F", "front_desk")
    row = {
        "no": person.employee_no,
        "name": person.name,
        "role": "前台",
        "store": "SH01",
        "team": "SH01-F",
        "hired": person.hire_date.isoformat(),
    }
    row.update(changes)
    return list(row.values())


def clean(demo):
    return [HEADER, *NEW, existing(demo)]


def run(engine, actor, data, name="roster.csv", **kwargs):
    with write_session(engine) as session:
        return import_roster(session, actor, data, name, effective=DEMO_TODAY, **kwargs)


def test_clean_file_imports_and_second_import_changes_nothing(engine, demo, hr):
    first = run(engine, hr, csv_file(clean(demo), "gbk"))
    assert (first.inserted, first.updated, first.moved) == (2, 0, 0)
    assert first.batch_id is not None
    before = snapshot(engine)
    second = run(engine, hr, csv_file(clean(demo), "gbk"))
    assert not second.changed
    assert second.unchanged == 3
    assert snapshot(engine) == before  # not even a batch or audit row


def test_file_with_errors_writes_nothing(engine, demo, hr):
    bad = [
        ["员工编号", "姓名", "门店", "入职日期"],  # no role column
        ["N1", "甲", "SH01", "2026-01-01"],
    ]
    before = snapshot(engine)
    with pytest.raises(ImportRejected) as info:
        run(engine, hr, xlsx_file(bad), "roster.xlsx")
    assert "Role" in info.value.render()
    assert snapshot(engine) == before

    rows = [
        HEADER,
        ["N1", "甲", "美容师", "SH99", "", "2026-13-40"],
        ["N1", "乙", "美容师", "SH01", "", "2026-01-01"],
    ]
    with pytest.raises(ImportRejected) as info:
        run(engine, hr, csv_file(rows, "gb18030"))
    assert {(p.row, p.column) for p in info.value.problems} == {
        (2, "门店"),
        (2, "入职日期"),
        (3, "员工编号"),
    }
    assert snapshot(engine) == before


def test_dry_run_counts_but_writes_nothing(engine, demo, hr):
    before = snapshot(engine)
    result = run(engine, hr, csv_file(clean(demo)), dry_run=True)
    assert (result.inserted, result.unchanged, result.dry_run) == (2, 1, True)
    assert snapshot(engine) == before


def test_a_move_closes_the_old_period_and_keeps_history(engine, demo, hr):
    moved = [HEADER, existing(demo, role="美容师", store="SH02", team="")]
    hired = demo.chain.staff[1].hire_date
    result = run(engine, hr, csv_file(moved))
    assert result.moved == 1
    with read_session(engine) as session:
        staff = session.scalar(select(Staff).where(Staff.employee_no == moved[1][0]))
        periods = [(p.unit.code, p.role.value, p.valid_from, p.valid_to) for p in staff.assignments]
    assert periods == [
        ("SH01-F", "front_desk", hired, DEMO_TODAY),
        ("SH02", "beautician", DEMO_TODAY, None),
    ]
    # Importing the move again changes nothing.
    assert not run(engine, hr, csv_file(moved)).changed


def test_renaming_updates_in_place(engine, demo, hr):
    renamed = [HEADER, existing(demo, name="蔡涛涛")]
    result = run(engine, hr, csv_file(renamed))
    assert (result.updated, result.moved) == (1, 0)
    with read_session(engine) as session:
        assert (
            session.scalar(select(Staff.name).where(Staff.employee_no == renamed[1][0])) == "蔡涛涛"
        )
        # The demo's own outcome imports are batches too: look at roster batches only.
        batch = session.scalars(select(ImportBatch).where(ImportBatch.kind == "roster")).one()
        assert (batch.kind, batch.updated, batch.inserted) == ("roster", 1, 0)


def test_only_hr_and_admins_import(engine, demo):
    manager = Actor("m@x", UserRole.MANAGER, frozenset({1}))
    before = snapshot(engine)
    with pytest.raises(PermissionDenied):
        run(engine, manager, csv_file(clean(demo)))
    assert snapshot(engine) == before


def test_open_period_is_unique_per_person(engine, demo):
    with read_session(engine) as session:
        open_periods = session.scalars(
            select(StaffAssignment.staff_id).where(StaffAssignment.valid_to.is_(None))
        ).all()
    assert len(open_periods) == len(set(open_periods))


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_a_full_width_employee_number_is_the_same_person(engine, demo, hr):
    """Ｅ１０００２, as some input methods type it, used to create a second person."""
    row = existing(demo)
    wide = [full_width(row[0]), *row[1:]]
    before = snapshot(engine)
    result = run(engine, hr, csv_file([HEADER, wide], "gbk"))
    assert (result.inserted, result.unchanged, result.changed) == (0, 1, False)
    assert snapshot(engine) == before
    with pytest.raises(ImportRejected) as info:
        run(engine, hr, csv_file([HEADER, row, wide], "gbk"))
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (3, "员工编号")
    assert f"“{row[0]}” appears again (first on row 2)" in problem.render()


def test_a_number_stored_full_width_is_found_by_its_ascii_form(engine, demo, hr):
    """A person imported full-width before numbers were normalised is not duplicated."""
    row = existing(demo)
    with write_session(engine) as session:
        session.execute(
            update(Staff).where(Staff.employee_no == row[0]).values(employee_no=full_width(row[0]))
        )
        session.commit()
    result = run(engine, hr, csv_file([HEADER, row]))
    assert (result.inserted, result.unchanged) == (0, 1)


def test_a_leave_date_of_9999_12_31_is_no_end(engine, demo, hr):
    rows = [[*HEADER, "离职日期"], [*NEW[0], "9999-12-31"], [*NEW[1], "2026-10-31"]]
    assert run(engine, hr, csv_file(rows)).inserted == 2
    with read_session(engine) as session:
        left = dict(session.execute(select(Staff.employee_no, Staff.leave_date)).all())
    assert (left["N001"], left["N002"]) == (None, date(2026, 10, 31))


def test_control_characters_are_refused(engine, demo, hr):
    rows = [HEADER, ["N001", "钱\x00小美", "美容师", "SH01", "", "2026-09-01"]]
    before = snapshot(engine)
    for dry_run in (True, False):
        with pytest.raises(ImportRejected) as info:
            run(engine, hr, csv_file(rows), dry_run=dry_run)
        [problem] = info.value.problems
        assert problem.render() == (
            "row 2, column “姓名”: contains the control character U+0000, which cannot be "
            "stored; remove it"
        )
    assert snapshot(engine) == before
