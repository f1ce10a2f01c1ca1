"""The personal links of a training assessment, as Excel for HR to send over WeCom/WeChat."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook

from ee_app import clock
from ee_app.exports.personal_links import add_links_sheet
from ee_app.exports.xlsx import add_facts_sheet, workbook_bytes
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


def quiz_links_xlsx(links: Sequence[QuizLink], quiz: Quiz, language: str) -> bytes:
    """One row per person (employee number, name, store, team, link, passed) and an "About"
    sheet with the assessment's rules. Links are clickable; every text cell is formula-safe."""
    text = _TEXT["zh-CN" if language == "zh-CN" else "en"]
    book = Workbook()
    passed = [text["yes"] if link.passed else text["no"] for link in links]
    add_links_sheet(book, text["sheet"], text["header"], links, passed)
    facts: list[tuple[str, object, str | None]] = [
        (text["quiz"], quiz.name.get(language), None),
        (text["version"], quiz.version, None),
        (text["questions"], quiz.draw, None),
        (text["mark"], float(quiz.pass_mark), "0%"),
        (text["attempts"], quiz.max_attempts, None),
        (text["limit"], quiz.time_limit_minutes or "—", None),
        (text["links"], len(links), None),
        (text["generated"], clock.today(), None),
    ]
    add_facts_sheet(book, text["about"], facts, [text["note"]], heading=None, widths=(24, 80))
    return workbook_bytes(book)
