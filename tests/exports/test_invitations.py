"""The invitations workbook and the printable QR slips: the right people, the right links,
safe cells, escaped HTML and nothing fetched from the internet."""

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from ee_app.exports.invitations import invitation_slips_html, invitations_xlsx
from ee_app.models import WaveMode, WaveStatus
from ee_app.services.waves import InvitationLink, WaveRow
from tests.helpers import libreoffice_csv

BASE = "http://127.0.0.1:8501/survey?t="


def wave(mode=WaveMode.ANONYMOUS, name="2026年11月期 脉搏调研"):
    return WaveRow(
        id=1,
        code="2026-11",
        name=name,
        status=WaveStatus.OPEN,
        mode=mode,
        opens_on=date(2026, 11, 2),
        closes_on=date(2026, 11, 20),
        k=5,
        k_comments=7,
        language="zh-CN",
        instrument_id=1,
        unit_codes=("SH01",),
        invited=3,
        responded=1,
    )


def links(names=("王小美", "=1+1", "李思雨"), responded=(False, True, False)):
    return [
        InvitationLink(
            employee_no=f"E{10001 + i}",
            name=name,
            store="上海静安店",
            unit="美容组" if i % 2 else "上海静安店",
            link=f"{BASE}tok{i:02d}-_AbC",
            responded=answered,
        )
        for i, (name, answered) in enumerate(zip(names, responded, strict=True))
    ]


def book(data):
    return load_workbook(io.BytesIO(data))


@pytest.mark.parametrize(
    ("language", "sheets", "header", "yes", "no"),
    [
        (
            "zh-CN",
            ["邀请", "说明"],
            ["员工编号", "姓名", "门店", "团队", "专属链接", "已回复"],
            "是",
            "否",
        ),
        (
            "en",
            ["Invitations", "About"],
            ["Employee number", "Name", "Store", "Team", "Personal link", "Answered"],
            "Yes",
            "No",
        ),
    ],
)
def test_workbook_lists_one_clickable_link_per_person(language, sheets, header, yes, no):
    people = links()
    wb = book(invitations_xlsx(people, wave(), language))
    assert wb.sheetnames == sheets
    sheet = wb[sheets[0]]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == header
    assert [list(r) for r in rows[1:]] == [
        [p.employee_no, p.name, p.store, p.unit, p.link, yes if p.responded else no] for p in people
    ]
    for r, person in enumerate(people, start=2):
        cell = sheet.cell(row=r, column=5)
        assert cell.hyperlink is not None and cell.hyperlink.target == person.link
        assert cell.value == person.link
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F4"
    assert sheet.column_dimensions["E"].width >= 60


def test_a_name_that_looks_like_a_formula_stays_text():
    sheet = book(invitations_xlsx(links(), wave(), "zh-CN"))["邀请"]
    cell = sheet["B3"]
    assert cell.value == "=1+1" and cell.data_type == "s" and cell.quotePrefix


def test_a_link_that_is_not_a_web_address_is_not_made_clickable():
    odd = [InvitationLink("E1", "甲", "店", "店", "javascript:alert(1)", False)]
    cell = book(invitations_xlsx(odd, wave(), "en"))["Invitations"]["E2"]
    assert cell.value == "javascript:alert(1)" and cell.hyperlink is None


@pytest.mark.parametrize(
    ("language", "mode", "expected"),
    [
        ("zh-CN", WaveMode.ANONYMOUS, ["匿名", "请勿转发", "只能提交一次"]),
        ("zh-CN", WaveMode.CONFIDENTIAL, ["保密（实名关联，仅用于汇总分析）", "请勿转发"]),
        ("en", WaveMode.ANONYMOUS, ["Anonymous", "must not be forwarded", "works once"]),
        ("en", WaveMode.CONFIDENTIAL, ["Confidential", "must not be forwarded"]),
    ],
)
def test_about_sheet_describes_the_wave(language, mode, expected):
    wb = book(invitations_xlsx(links(), wave(mode), language))
    about = wb.worksheets[1]
    facts = {r[0]: r[1] for r in about.iter_rows(values_only=True) if r[0] and r[1] is not None}
    values = list(facts.values())
    assert "2026-11" in values and "2026年11月期 脉搏调研" in values
    assert date(2026, 11, 2) in [v.date() for v in values if hasattr(v, "date")]
    assert 5 in values and 7 in values  # k and the comment threshold
    text = " ".join(str(c) for row in about.iter_rows(values_only=True) for c in row if c)
    for phrase in expected:
        assert phrase in text


def test_workbook_reads_back_exactly_in_libreoffice(tmp_path):
    people = links()
    rows = libreoffice_csv(invitations_xlsx(people, wave(), "zh-CN"), tmp_path)
    assert rows[0] == ["员工编号", "姓名", "门店", "团队", "专属链接", "已回复"]
    assert [(r[1], r[4], r[5]) for r in rows[1:]] == [
        ("王小美", f"{BASE}tok00-_AbC", "否"),
        ("=1+1", f"{BASE}tok01-_AbC", "是"),
        ("李思雨", f"{BASE}tok02-_AbC", "否"),
    ]


def test_an_empty_reminder_list_gives_a_header_only_workbook():
    sheet = book(invitations_xlsx([], wave(), "en"))["Invitations"]
    assert sheet.max_row == 1


@pytest.mark.parametrize(("count", "pages"), [(1, 1), (8, 1), (9, 2), (17, 3)])
def test_slips_come_eight_to_a_page_with_one_qr_code_each(count, pages):
    people = links(names=[f"员工{i}" for i in range(count)], responded=[False] * count)
    page = invitation_slips_html(people, wave(), "zh-CN").decode("utf-8")
    assert page.count('<div class="slip">') == count
    assert page.count("<svg") == count
    assert page.count('<section class="page">') == pages
    assert "break-inside: avoid" in page and "dashed" in page and "size: A4" in page
    for person in people:
        assert person.name in page and person.link in page


def test_slips_escape_what_people_typed():
    people = links(names=("<b>王</b>", "A & B", '"x"'), responded=(False,) * 3)
    page = invitation_slips_html(people, wave(name="<i>十一月</i>"), "en").decode("utf-8")
    assert "<b>" not in page and "&lt;b&gt;王&lt;/b&gt;" in page
    assert "<i>" not in page and "&lt;i&gt;十一月&lt;/i&gt;" in page
    assert "A &amp; B" in page and "&quot;x&quot;" in page


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("mode", list(WaveMode))
def test_slips_are_self_contained(language, mode):
    people = links()
    data = invitation_slips_html(people, wave(mode), language)
    page = data.decode("utf-8")
    assert '<meta charset="utf-8">' in page
    assert f'<html lang="{language}">' in page
    addresses = set(re.findall(r"https?://[^\s\"'<>]+", page))
    assert addresses == {p.link for p in people}
    for fetch in ("src=", "href=", "@import", "url(", "<link", "<script"):
        assert fetch not in page


@pytest.mark.parametrize(
    ("language", "mode", "line"),
    [
        ("zh-CN", WaveMode.ANONYMOUS, "匿名调研 · 这是您的专属链接"),
        ("zh-CN", WaveMode.CONFIDENTIAL, "保密调研（实名关联，仅用于汇总分析）"),
        ("en", WaveMode.ANONYMOUS, "Anonymous survey · This link is yours alone"),
        ("en", WaveMode.CONFIDENTIAL, "Confidential survey"),
    ],
)
def test_each_slip_says_what_the_survey_promises(language, mode, line):
    people = links()
    page = invitation_slips_html(people, wave(mode), language).decode("utf-8")
    assert page.count(line) == len(people)


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        invitations_xlsx(links(), wave(), "fr")
    with pytest.raises(ValueError, match="language"):
        invitation_slips_html(links(), wave(), "fr")
