"""A small chain for the reminder tests: one region, two stores, eight people with (or
without) contacts, imported through the roster with its contact columns, and an open wave."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlparse

from ee_app.auth import system_actor
from ee_app.db import read_session, write_session
from ee_app.models import UnitLevel
from ee_app.services import waves
from ee_app.services.org import create_unit
from ee_app.services.roster import import_roster
from tests.helpers import csv_file
from tests.wave_setup import open_new_wave

TODAY = date(2026, 11, 2)
CLOSES = date(2026, 11, 20)
WAVE = "2026-11"
HEADER = ["员工编号", "姓名", "岗位", "门店", "入职日期", "邮箱", "手机号", "企业微信账号"]
#: (number, name, store, e-mail, WeCom user id)
PEOPLE = [
    ("R1", "赵一", "S1", "zhao1@chain.test", "Zhao1"),
    ("R2", "钱二", "S1", "qian2@chain.test", "Qian2"),
    ("R3", "孙三", "S1", "sun3@chain.test", "Sun3"),
    ("R4", "李四", "S1", "li4@chain.test", "Li4"),
    ("R5", "周五", "S1", "zhou5@chain.test", ""),
    ("R6", "吴六", "S1", "", ""),
    ("R7", "郑七", "S2", "", "Zheng7"),
    ("R8", "王八", "S2", "wang8@chain.test", "Wang8"),
]


def build_chain(engine) -> None:  # type: ignore[no-untyped-def]
    admin = system_actor("test")
    with write_session(engine) as session:
        create_unit(session, admin, "B", "品牌", UnitLevel.BRAND, None)
        create_unit(session, admin, "R", "华东区", UnitLevel.REGION, "B")
        create_unit(session, admin, "S1", "一号店", UnitLevel.STORE, "R")
        create_unit(session, admin, "S2", "二号店", UnitLevel.STORE, "R")
        session.commit()
    rows = [HEADER] + [
        [no, name, "美容师", store, "2025-01-01", email, "", wecom]
        for no, name, store, email, wecom in PEOPLE
    ]
    with write_session(engine) as session:
        import_roster(session, admin, csv_file(rows), "roster.csv", effective=TODAY)


def open_wave(engine, hr, settings, *, language: str = "zh-CN") -> None:  # type: ignore[no-untyped-def]
    open_new_wave(
        engine,
        hr,
        WAVE,
        ["R"],
        opens_on=TODAY,
        closes_on=CLOSES,
        settings=settings,
        today=TODAY,
        name="十一月脉搏",
        k=3,
        language=language,
    )


def links(engine, hr, settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Employee number → personal link."""
    with read_session(engine) as session:
        return {
            link.employee_no: link.link
            for link in waves.invitation_links(session, hr, WAVE, settings)
        }


def token(link: str) -> str:
    return parse_qs(urlparse(link).query)["t"][0]
