"""Contacts through the roster import (SQLite and PostgreSQL): set, kept when the column is
absent, emptied by an empty cell, and a second import of the same file changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from ee_app.auth import system_actor
from ee_app.db import read_session, write_session
from ee_app.services.roster import import_roster
from tests.helpers import csv_file, snapshot
from tests.reminder_org import TODAY, build_chain


def contacts(engine) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    from ee_app.models import Staff

    with read_session(engine) as session:
        return {
            no: (email, mobile, wecom)
            for no, email, mobile, wecom in session.execute(
                select(Staff.employee_no, Staff.email, Staff.mobile, Staff.wecom_userid)
            )
        }


def load(engine, rows):  # type: ignore[no-untyped-def]
    with write_session(engine) as session:
        return import_roster(session, system_actor("t"), csv_file(rows), "r.csv", effective=TODAY)


def test_contacts_set_kept_emptied_and_idempotent(engine):
    build_chain(engine)  # imports R1 … R8 with e-mail and WeCom columns
    assert contacts(engine)["R1"] == ("zhao1@chain.test", None, "Zhao1")
    assert contacts(engine)["R6"] == (None, None, None)

    base = ["员工编号", "姓名", "岗位", "门店", "入职日期"]
    without = [base, ["R1", "赵一", "美容师", "S1", "2025-01-01"]]
    result = load(engine, without)
    assert not result.changed  # no contact column: contacts stay as stored
    assert contacts(engine)["R1"] == ("zhao1@chain.test", None, "Zhao1")

    with_mobile = [
        [*base, "手机号", "邮箱"],
        ["R1", "赵一", "美容师", "S1", "2025-01-01", "138 0013 8000", ""],
    ]
    result = load(engine, with_mobile)
    assert (result.updated, result.unchanged) == (1, 0)
    assert contacts(engine)["R1"] == (None, "13800138000", "Zhao1")  # e-mail emptied

    before = snapshot(engine)
    assert not load(engine, with_mobile).changed
    assert snapshot(engine) == before
