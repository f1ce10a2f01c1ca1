"""The personal links of a training assessment, as Excel for HR to send over WeCom/WeChat."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ee_app import clock
from ee_app.exports.xlsx import add_table_sheet, set_value, workbook_bytes
from ee_app.instruments.quiz import Quiz
from ee_app.services.training_links import QuizLink

__all__ = ["quiz_links_xlsx"]

_TEXT = {
    "en": {
        "sheet": "Personal links",
        "header": ["Employee number", "Name", "Store", "Team", "Personal link", "Passed"],
        "yes": "yes",
        "no": "no",
        "about": "About",
        "quiz": "Assessment",
        "version": "Version",
        "questions": "Questions per attempt",
        "mark": "Pass mark",
        "attempts": "Attempts",
        "limit": "Time limit (minutes)",
        "links": "Links",
        "generated": "Generated",
        "note": "Each link is personal: it opens this person's assessment without signing in "
        "and records their answers under their name. Send it to them alone.",
    },
    "zh-CN": {
        "sheet": "专属链接",
        "header": ["员工编号", "姓名", "门店", "小组", "专属链接", "是否通过"],
        "yes": "是",
        "no": "否",
        "about": "说明",
        "quiz": "培训考核",
        "version": "版本",
        "questions": "每次作答题目数",
        "mark": "合格线",
        "attempts": "作答次数",
        "limit": "限时（分钟）",
        "links": "链接数",
        "generated": "生成日期",
        "note": "每个链接都是专属的：无需登录即可打开本人的考核，答题结果记在本人名下。"
        "请只发给本人。",
    },
}
_LINK_COLUMN = 5


def quiz_links_xlsx(links: Sequence[QuizLink], quiz: Quiz, language: str) -> bytes:
    """One row per person (employee number, name, store, team, link, passed) and an "About"
    sheet with the assessment's rules. Links are clickable; every text cell is formula-safe."""
    text = _TEXT["zh-CN" if language == "zh-CN" else "en"]
    book = Workbook()
    rows = [
        [
            link.employee_no,
            link.name,
            link.store,
            link.unit,
            link.link,
            text["yes"] if link.passed else text["no"],
        ]
        for link in links
    ]
    sheet = add_table_sheet(book, text["sheet"], text["header"], rows, first=True)
    letter = get_column_letter(_LINK_COLUMN)
    sheet.column_dimensions[letter].width = 60
    for r, link in enumerate(links, start=2):
        if link.link.startswith(("http://", "https://")):
            cell = sheet.cell(row=r, column=_LINK_COLUMN)
            cell.hyperlink = link.link
            cell.style = "Hyperlink"
    about = book.create_sheet(text["about"])
    facts: list[tuple[str, object]] = [
        (text["quiz"], quiz.name.get(language)),
        (text["version"], quiz.version),
        (text["questions"], quiz.draw),
        (text["mark"], float(quiz.pass_mark)),
        (text["attempts"], quiz.max_attempts),
        (text["limit"], quiz.time_limit_minutes or "—"),
        (text["links"], len(links)),
        (text["generated"], clock.today()),
    ]
    for r, (label, value) in enumerate(facts, start=1):
        set_value(about.cell(row=r, column=1), label)
        about.cell(row=r, column=1).font = Font(bold=True)
        set_value(about.cell(row=r, column=2), value)
        about.cell(row=r, column=2).alignment = Alignment(horizontal="left")
    about.cell(row=4, column=2).number_format = "0%"
    note = about.cell(row=len(facts) + 2, column=2)
    set_value(note, text["note"])
    note.alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 80
    return workbook_bytes(book)
