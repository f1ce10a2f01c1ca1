"""The roster template and the staff download can be imported back as they are."""

import io

from openpyxl import load_workbook
from sqlalchemy import update

from ee_app.db import read_session, write_session
from ee_app.exports.roster import roster_template_csv, roster_template_xlsx, staff_xlsx
from ee_app.models import Staff
from ee_app.services.org import list_staff, list_units
from ee_app.services.roster import import_roster, staff_contacts
from tests.helpers import libreoffice_csv


def test_filled_in_template_imports(engine, demo, hr):
    for language in ("zh-CN", "en"):
        with read_session(engine) as session:
            units = list_units(session, hr)
        for name, data in (
            ("t.xlsx", roster_template_xlsx(units, language)),
            ("t.csv", roster_template_csv(units, language)),
        ):
            with write_session(engine) as session:
                result = import_roster(session, hr, data, name, dry_run=True)
            assert result.inserted == 2, (language, name)


def test_template_lists_the_valid_codes(engine, demo, hr):
    with read_session(engine) as session:
        units = list_units(session, hr)
    book = load_workbook(io.BytesIO(roster_template_xlsx(units, "zh-CN")))
    assert book.sheetnames == ["花名册", "门店与团队代码", "岗位"]
    codes = {row[1] for row in book["门店与团队代码"].iter_rows(min_row=2, values_only=True)}
    assert {"SH01", "SH01-B", "BJ01"} <= codes
    assert book["花名册"].freeze_panes == "A2"


def test_staff_download_round_trips_without_changes(engine, demo, hr):
    with read_session(engine) as session:
        staff = list_staff(session, hr)
    data = staff_xlsx(staff, "en")
    with write_session(engine) as session:
        result = import_roster(session, hr, data, "staff.xlsx", dry_run=True)
    assert (result.inserted, result.updated, result.moved) == (0, 0, 0)
    assert result.unchanged == len(staff)


def test_staff_download_with_contacts_round_trips_for_hr(engine, demo, hr):
    with write_session(engine) as session:
        session.execute(update(Staff).values(email="p" + Staff.employee_no + "@c.test"))
        session.commit()
    with read_session(engine) as session:
        staff = list_staff(session, hr)
        contacts = staff_contacts(session, hr)
    data = staff_xlsx(staff, "zh-CN", contacts)
    header = next(load_workbook(io.BytesIO(data)).active.iter_rows(max_row=1, values_only=True))
    assert header[-3:] == ("邮箱", "手机号", "企业微信账号")
    with write_session(engine) as session:
        result = import_roster(session, hr, data, "staff.xlsx", dry_run=True)
    assert (result.inserted, result.updated, result.moved) == (0, 0, 0)


def test_template_opens_in_libreoffice(engine, demo, hr, tmp_path):
    with read_session(engine) as session:
        units = list_units(session, hr)
    rows = libreoffice_csv(roster_template_xlsx(units, "zh-CN"), tmp_path)
    assert rows[0] == [
        *["员工编号", "姓名", "岗位", "门店", "团队", "入职日期", "离职日期"],
        *["邮箱", "手机号", "企业微信账号"],
    ]
    assert rows[1][0] == "E20001" and rows[1][5] == "2026-03-01"
