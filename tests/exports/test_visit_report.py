"""The visit report workbook: its numbers against hand calculations (also as LibreOffice reads
them), N/A and critical items, safe text cells, and both languages."""

import dataclasses
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

import ee_app.i18n
from ee_app.errors import Conflict
from ee_app.exports.visit_report import CRITICAL_FILL, NO_FILL, SCORE_FORMAT, visit_report_xlsx
from ee_app.instruments.checklist import validate
from ee_app.models import VisitStatus
from ee_app.services.visit_filling import stamp_scores
from ee_app.services.visits import EvidenceRow, VisitRow
from tests.helpers import libreoffice_csv


def _t(en, zh):
    return {"en": en, "zh-CN": zh}


def _item(item_id, kind, points, en, zh, **extra):
    return {"id": item_id, "type": kind, "points": points, **_t(en, zh), **extra}


OPTIONS = [
    {"id": "full", "credit": 1, **_t("Within a day", "一天内")},
    {"id": "half", "credit": "0.5", **_t("Within two days", "两天内")},
    {"id": "some", "credit": "0.3333", **_t("Within a week", "一周内")},
    {"id": "none", "credit": 0, **_t("Never", "未回复")},
]
# Three sections weighted 50 : 30 : 20, pass mark 80%.
#   A Reception: a1 yes/no 2 points; a2 yes/no 1 point, N/A allowed; a3 1–5 scale 4 points
#   B Hygiene:   b1 yes/no 3 points, critical; b2 choice 2 points; b3 free text
#   C Farewell:  c1 yes/no 1 point, N/A allowed
DEFINITION = {
    "kind": "checklist",
    "key": "test",
    "version": 3,
    "pass_mark": 0.8,
    "name": _t("Test checklist", "测试评估表"),
    "description": _t("For tests", "测试用"),
    "sections": [
        {
            "id": "a",
            "weight": 50,
            "name": _t("Reception", "到店接待"),
            "items": [
                _item("a1", "yes_no", 2, "I was greeted", "有人接待我"),
                _item("a2", "yes_no", 1, "Tea was offered", "提供了茶水", na=True),
                _item("a3", "scale", 4, "Friendliness", "亲切程度"),
            ],
        },
        {
            "id": "b",
            "weight": 30,
            "name": _t("Hygiene", "卫生"),
            "items": [
                _item("b1", "yes_no", 3, "Tools disinfected", "工具当面消毒", critical=True),
                _item("b2", "choice", 2, "Follow-up", "回访时间", options=OPTIONS),
                _item("b3", "text", 0, "What stood out", "印象深刻之处"),
            ],
        },
        {
            "id": "c",
            "weight": 20,
            "name": _t("Farewell", "送客"),
            "items": [_item("c1", "yes_no", 1, "Seen to the door", "送到门口", na=True)],
        },
    ],
}
CHECKLIST = validate(DEFINITION)
GENERATED = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)

GOOD = dict(a1="yes", a2="na", a3=4, b1="yes", b2="half", b3="Quiet room", c1="na")
CRITICAL = {**GOOD, "b1": "no"}
LOW = dict(a1="yes", a2="no", a3=2, b1="yes", b2="some", b3="", c1="no")

#: What stamp_scores stores for each set of answers, worked by hand.
SCENARIOS = {
    # A = (2 + 4·3/4) / (2 + 4) = 5/6 = 83.3%, a2 N/A; B = (3 + 2·0.5) / 5 = 80%; C all N/A
    # drops out: raw = (50·5/6 + 30·4/5) / (50 + 30) = 197/240 = 82.08% → 82.1, pass.
    "good": (
        GOOD,
        [
            ["Reception", 50, 5.0, 6, 83.3, None],
            ["Hygiene", 30, 4.0, 5, 80.0, None],
            ["Farewell", 20, 0.0, 0, None, "All items N/A"],
        ],
        82.1,
        82.1,
        "Pass",
    ),
    # The same with the critical b1 "no": B = (0 + 1) / 5 = 20%; raw = (50·5/6 + 30·1/5) / 80
    # = 143/240 = 59.58% → 59.6, kept; the final score is 0 and the visit fails.
    "critical": (
        CRITICAL,
        [
            ["Reception", 50, 5.0, 6, 83.3, None],
            ["Hygiene", 30, 1.0, 5, 20.0, None],
            ["Farewell", 20, 0.0, 0, None, "All items N/A"],
        ],
        59.6,
        0.0,
        "Fail",
    ),
    # A = (2 + 0 + 4·1/4) / 7 = 3/7 = 42.86%; B = (3 + 2·0.3333) / 5 = 3.6666/5 = 73.33%, its
    # points shown as 3.67; C = 0/1; raw = (50·3/7 + 30·0.73332 + 20·0) / 100 = 43.43%, fail.
    "low": (
        LOW,
        [
            ["Reception", 50, 3.0, 7, 42.9, None],
            ["Hygiene", 30, 3.67, 5, 73.3, None],
            ["Farewell", 20, 0.0, 1, 0.0, None],
        ],
        43.4,
        43.4,
        "Fail",
    ),
}

#: The Chinese the catalog is to hold for the report's strings (tests/i18n checks the real
#: catalog; here it stands in, so the test does not wait for the translation).
CHINESE = {
    "Summary": "概要",
    "Sections": "分项得分",
    "Items": "检查明细",
    "Section": "部分",
    "Weight": "权重",
    "Points earned": "得分",
    "Points possible": "满分",
    "Section score": "得分率",
    "Note": "备注",
    "Item": "题目",
    "Item type": "题型",
    "Answer": "回答",
    "Critical item": "一票否决项",
    "Comment": "留言",
    "Evidence": "佐证材料",
    "Yes/no": "是非题",
    "Scale 1–5": "1–5分评分题",
    "Choice": "选择题",
    "Free text": "文字记录",
    "Submitted, waiting for review": "已提交，待审核",
    "Approved (counts in results)": "已审核通过（计入结果）",
    "Yes": "是",
    "No": "否",
    "N/A": "不适用",
    "{name} (employee number {number})": "{name}（员工编号 {number}）",
    "Served by": "接待人员",
    "Served by (as the shopper noted it)": "接待人员（神秘顾客记录）",
    "not recorded": "未记录",
    "no score: every scored item was N/A": "无得分：所有计分题目均为不适用",
    "none": "无",
    "Store": "门店",
    "Store code": "门店代码",
    "Checklist": "评估表",
    "Checklist version": "评估表版本",
    "Visit window": "暗访期间",
    "Visit date": "暗访日期",
    "Status": "状态",
    "Mystery shopper": "神秘顾客",
    "Final score": "最终得分",
    "Raw score (before critical items)": "原始得分（未计一票否决项）",
    "Pass mark": "合格线",
    "Result": "结果",
    "Pass": "合格",
    "Fail": "不合格",
    "Critical items failed": "未通过的一票否决项",
    "Review reason": "审核意见",
    "Shopper's notes": "神秘顾客备注",
    "Mystery-shopper visit report": "神秘顾客暗访报告",
    "Generated by ee-app on {time} ({zone}).": "由 ee-app 于 {time}（{zone}）生成。",
    "Beijing time": "北京时间",
    "All items N/A": "全部不适用",
    "A critical item answered “no” fails the visit with a final score of 0; the raw score is "
    "what the visit scored otherwise, kept for coaching.": "一票否决项回答“否”时，本次暗访判为"
    "不合格，最终得分为0；原始得分是不计一票否决时本次暗访的得分，保留用于辅导改进。",
    "Items answered N/A count in neither the points earned nor the points possible; a section "
    "where every item is N/A drops out and the other sections' weights are scaled up.": "回答"
    "“不适用”的题目既不计入得分，也不计入满分；某一部分的题目全部不适用时，该部分不参与计算，"
    "其余部分的权重按比例放大。",
}


def visit_of(values, comments=None, **changes):
    """A visit as get_visit returns it, its scores stored the way submission stores them."""
    comments = comments or {}
    answers = {
        k: {"value": v, "comment": comments.get(k, "见备注" if v == "no" else "")}
        for k, v in values.items()
    }
    stamped = SimpleNamespace(answers=answers)
    stamp_scores(stamped, CHECKLIST)
    fields = dict(
        id=17,
        status=VisitStatus.APPROVED,
        store_id=3,
        store_code="SH01",
        store_name="上海静安店",
        template_id=1,
        template_key="test",
        template_version=3,
        checklist=CHECKLIST,
        window_start=date(2026, 10, 1),
        window_end=date(2026, 10, 31),
        visited_on=date(2026, 10, 14),
        answers=answers,
        served_by_note="工牌：小王",
        notes="",
        staff_id=None,
        staff_name="",
        staff_no="",
        shopper="",
        raw_score=stamped.raw_score,
        score=stamped.score,
        passed=stamped.passed,
        critical_failed=stamped.critical_failed,
        section_scores=stamped.section_scores,
        review_reason="",
        evidence=(),
    )
    fields.update(changes)
    return VisitRow(**fields)


def report(visit, language="en"):
    return load_workbook(io.BytesIO(visit_report_xlsx(visit, language, generated_at=GENERATED)))


def body(sheet):
    return [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]


def facts(sheet):
    """Summary label → value (a label on several rows, like the critical failures, → list)."""
    found, label = {}, None
    for row in sheet.iter_rows(min_row=2, max_col=2):
        head, cell = row
        if head.value is None and cell.value is None:
            break
        label = head.value or label
        found.setdefault(label, []).append(cell)
    return {k: v[0] if len(v) == 1 else v for k, v in found.items()}


def test_sheets_and_english_headers():
    workbook = report(visit_of(GOOD))
    assert workbook.sheetnames == ["Summary", "Sections", "Items"]
    summary, sections, items = workbook.worksheets
    assert summary["A1"].value == "Mystery-shopper visit report"
    assert [c.value for c in sections[1]] == [
        "Section",
        "Weight",
        "Points earned",
        "Points possible",
        "Section score",
        "Note",
    ]
    assert [c.value for c in items[1]] == [
        "Section",
        "Item",
        "Item type",
        "Answer",
        "Points earned",
        "Points possible",
        "Critical item",
        "Comment",
        "Evidence",
    ]
    assert summary.freeze_panes == sections.freeze_panes == items.freeze_panes == "A2"
    assert items.auto_filter.ref == "A1:I8"
    assert items.cell(row=2, column=2).alignment.wrap_text
    assert items.column_dimensions["B"].width == 60


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_sections_match_the_hand_calculation(scenario):
    values, expected, _raw, _final, _result = SCENARIOS[scenario]
    sheet = report(visit_of(values)).worksheets[1]
    assert body(sheet) == expected
    assert sheet["C2"].number_format == "0.00" and sheet["E2"].number_format == SCORE_FORMAT


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_summary_scores_and_result(scenario):
    values, _sections, raw, final, result = SCENARIOS[scenario]
    summary = facts(report(visit_of(values)).worksheets[0])
    assert summary["Final score"].value == final
    assert summary["Raw score (before critical items)"].value == raw
    assert summary["Final score"].number_format == SCORE_FORMAT == '0.0"%"'
    assert summary["Pass mark"].value == 80.0
    assert summary["Result"].value == result


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_item_points_add_up_to_the_sections(scenario):
    values, expected, *_ = SCENARIOS[scenario]
    workbook = report(visit_of(values))
    items = body(workbook.worksheets[2])
    for name, _weight, earned, possible, *_rest in expected:
        rows = [r for r in items if r[0] == name]
        assert round(sum(r[4] or 0 for r in rows), 2) == earned
        assert sum(r[5] or 0 for r in rows) == possible


def test_a_failed_critical_item_fails_the_visit_and_keeps_the_raw_score():
    visit = visit_of(CRITICAL, comments={"b1": "工具未消毒"})
    assert (visit.score, visit.raw_score) == (Decimal("0.0"), Decimal("59.6"))  # as stored
    workbook = report(visit)
    summary = facts(workbook.worksheets[0])
    assert (summary["Final score"].value, summary["Result"].value) == (0.0, "Fail")
    assert summary["Raw score (before critical items)"].value == 59.6
    assert summary["Critical items failed"].value == "Tools disinfected"
    items = workbook.worksheets[2]
    b1 = next(r for r in items.iter_rows(min_row=2) if r[1].value == "Tools disinfected")
    assert [c.value for c in b1] == [
        "Hygiene",
        "Tools disinfected",
        "Yes/no",
        "No",
        0.0,
        3,
        "Yes",
        "工具未消毒",
        None,
    ]
    assert {c.fill.fgColor.rgb for c in b1} == {"00" + CRITICAL_FILL.fgColor.rgb[-6:]}
    others = [r for r in items.iter_rows(min_row=2) if r[1].value != "Tools disinfected"]
    assert all(c.fill.fgColor.rgb in ("00000000", None) for r in others for c in r)


def test_no_answers_are_light_orange_and_without_critical_failures_none_is_listed():
    workbook = report(visit_of(LOW))
    assert facts(workbook.worksheets[0])["Critical items failed"].value == "none"
    items = workbook.worksheets[2]
    fills = {r[1].value: r[1].fill.fgColor.rgb for r in items.iter_rows(min_row=2, max_col=2)}
    orange = "00" + NO_FILL.fgColor.rgb[-6:]
    assert {k for k, v in fills.items() if v == orange} == {"Tea was offered", "Seen to the door"}
    assert {v for v in fills.values() if v != orange} == {"00000000"}


@pytest.mark.parametrize(
    ("item", "answer", "earned", "possible"),
    [
        ("Tea was offered", "N/A", None, None),  # N/A: in neither earned nor possible
        ("Seen to the door", "N/A", None, None),
        ("What stood out", "Quiet room", None, None),  # free text is never scored
        ("I was greeted", "Yes", 2.0, 2),
        ("Friendliness", 4, 3.0, 4),  # 4 · (4 − 1) / 4
        ("Follow-up", "Within two days", 1.0, 2),  # 2 · 0.5
    ],
)
def test_answers_in_words_and_blank_points_for_na(item, answer, earned, possible):
    rows = body(report(visit_of(GOOD)).worksheets[2])
    row = next(r for r in rows if r[1] == item)
    assert (row[3], row[4], row[5]) == (answer, earned, possible)


DANGEROUS = {
    "comment": '=HYPERLINK("http://evil.example","click")',
    "note": "+86 138 0000 0000",
    "notes": "-其他情况见照片",
    "reason": "=1+1",
    "store": "@静安店",
    "file": "=cmd.jpg",
}


def dangerous_visit():
    return visit_of(
        GOOD,
        comments={"a1": DANGEROUS["comment"]},
        served_by_note=DANGEROUS["note"],
        notes=DANGEROUS["notes"],
        review_reason=DANGEROUS["reason"],
        store_name=DANGEROUS["store"],
        evidence=(EvidenceRow(1, "a1", DANGEROUS["file"], "image/jpeg", 10),),
    )


def test_formula_like_text_stays_text():
    workbook = report(dangerous_visit())
    summary = facts(workbook.worksheets[0])
    cells = [
        summary["Store"],
        summary["Served by (as the shopper noted it)"],
        summary["Review reason"],
        summary["Shopper's notes"],
        workbook.worksheets[2]["H2"],
        workbook.worksheets[2]["I2"],
    ]
    expected = ["store", "note", "reason", "notes", "comment", "file"]
    assert [c.value for c in cells] == [DANGEROUS[k] for k in expected]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_served_by_the_recorded_staff_member_and_the_shopper_for_hr_only():
    summary = facts(report(visit_of(GOOD)).worksheets[0])
    assert summary["Served by (as the shopper noted it)"].value == "工牌：小王"
    assert "Mystery shopper" not in summary and "Review reason" not in summary
    visit = visit_of(GOOD, staff_id=5, staff_name="王丽", staff_no="E10023", shopper="李暗访")
    summary = facts(report(visit).worksheets[0])
    assert summary["Served by"].value == "王丽 (employee number E10023)"
    assert summary["Mystery shopper"].value == "李暗访"
    assert summary["Store code"].value == "SH01"
    assert summary["Checklist"].value == "Test checklist"
    assert summary["Checklist version"].value == "test v3"
    assert summary["Visit window"].value == "2026-10-01 – 2026-10-31"
    assert summary["Visit date"].value.date() == date(2026, 10, 14)
    assert summary["Status"].value == "Approved (counts in results)"
    texts = [c.value for c in report(visit).worksheets[0]["A"] if isinstance(c.value, str)]
    # GENERATED is 09:30 UTC: 17:30 in Shanghai (UTC+8), the default EE_TIMEZONE (issue 17)
    assert "Generated by ee-app on 2026-11-26 17:30 (Beijing time)." in texts


def test_the_chinese_report_has_chinese_headers(monkeypatch):
    monkeypatch.setattr(ee_app.i18n, "catalog", lambda: CHINESE)
    workbook = report(visit_of(CRITICAL, staff_name="王丽", staff_no="E10023"), "zh-CN")
    assert workbook.sheetnames == ["概要", "分项得分", "检查明细"]
    summary, sections, items = workbook.worksheets
    assert [c.value for c in sections[1]] == ["部分", "权重", "得分", "满分", "得分率", "备注"]
    assert [c.value for c in items[1]] == [
        "部分",
        "题目",
        "题型",
        "回答",
        "得分",
        "满分",
        "一票否决项",
        "留言",
        "佐证材料",
    ]
    assert [r[0] for r in body(sections)] == ["到店接待", "卫生", "送客"]
    assert body(sections)[2][5] == "全部不适用"
    rows = body(items)
    assert [r[3] for r in rows] == ["是", "不适用", 4, "否", "两天内", "Quiet room", "不适用"]
    assert rows[3][:3] == ["卫生", "工具当面消毒", "是非题"] and rows[3][6] == "是"
    shown = facts(summary)
    assert shown["接待人员"].value == "王丽（员工编号 E10023）"
    assert shown["未通过的一票否决项"].value == "工具当面消毒"
    assert (shown["结果"].value, shown["评估表"].value) == ("不合格", "测试评估表")
    english = set(CHINESE)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not english & set(row), row


def shown(text):
    """A number as LibreOffice wrote it to CSV (with or without the format's % sign)."""
    return None if text == "" else float(text.rstrip("%"))


def test_the_workbook_opens_in_libreoffice_with_the_same_numbers(tmp_path):
    data = visit_report_xlsx(dangerous_visit(), "en", generated_at=GENERATED)
    sheets = {}
    for number in (1, 2, 3):
        folder = tmp_path / str(number)
        folder.mkdir()  # the helper reads the first CSV of its folder
        sheets[number] = libreoffice_csv(data, folder, sheet=number)
    summary = {row[0]: row[1] for row in sheets[1] if row and row[0]}
    assert shown(summary["Final score"]) == shown(summary["Raw score (before critical items)"])
    assert shown(summary["Final score"]) == 82.1  # a percentage, not a share of 0.821
    assert shown(summary["Pass mark"]) == 80.0 and summary["Result"] == "Pass"
    assert summary["Visit date"] == "2026-10-14"
    # Formula-like text arrives verbatim, not evaluated.
    assert summary["Store"] == DANGEROUS["store"] and summary["Review reason"] == "=1+1"
    assert summary["Served by (as the shopper noted it)"] == DANGEROUS["note"]
    assert summary["Shopper's notes"] == DANGEROUS["notes"]
    assert sheets[2][0][0] == "Section" and len(sheets[2]) == 4
    sections = [[r[0], *map(shown, r[1:5]), r[5] or None] for r in sheets[2][1:]]
    assert sections == SCENARIOS["good"][1]
    items = sheets[3]
    assert items[1][3:] == ["Yes", "2", "2", "No", DANGEROUS["comment"], DANGEROUS["file"]]
    assert items[2][3:6] == ["N/A", "", ""]
    assert [shown(r[4]) for r in items[1:]] == [2.0, None, 3.0, 3.0, 1.0, None, None]


@pytest.mark.parametrize("status", [VisitStatus.DRAFT, VisitStatus.REJECTED, VisitStatus.CANCELLED])
def test_only_a_submitted_or_approved_visit_has_a_report(status):
    with pytest.raises(Conflict, match="once it is submitted"):
        visit_report_xlsx(visit_of(GOOD, status=status), "en")
    assert visit_report_xlsx(visit_of(GOOD, status=VisitStatus.SUBMITTED), "en")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"score": 90}, "score"),
        ({"raw_score": None}, "raw_score"),
        ({"passed": False}, "passed"),
        ({"critical_failed": True}, "critical_failed"),
        ({"section_scores": {"a": 83.3, "b": 80.0, "c": 0.0}}, "section_scores[c]"),
    ],
)
def test_stored_scores_that_disagree_with_the_answers_are_refused(change, field):
    visit = dataclasses.replace(visit_of(GOOD), **change)
    with pytest.raises(Conflict, match=re.escape(f"do not match its answers ({field})")):
        visit_report_xlsx(visit, "en")


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        visit_report_xlsx(visit_of(GOOD), "fr")
