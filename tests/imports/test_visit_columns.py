"""Reading an agency's visits file, without a database: headers, answers, templates, and every
problem at the row (and column) where the agency can fix it."""

from datetime import date

import pytest

from ee_app.imports.cells import CellError
from ee_app.imports.columns import map_columns, normalise_header
from ee_app.imports.roster import UnitIndex
from ee_app.imports.tabular import Table
from ee_app.imports.visit_cells import parse_answer, parse_template
from ee_app.imports.visit_columns import VISIT_COLUMNS
from ee_app.imports.visit_records import Period, Template, VisitLookups
from ee_app.imports.visits import parse_visits
from ee_app.instruments.checklist import default_definitions, validate

SERVICE = validate(default_definitions()["service-process"])
CONSULTATION = validate(default_definitions()["consultation-compliance"])
SERVICE_V2 = validate({**default_definitions()["service-process"], "version": 2})
TODAY = date(2026, 11, 2)
SH01, SH02 = 5, 6
LOOKUPS = VisitLookups(
    units=UnitIndex(
        stores={"sh01": SH01, normalise_header("上海静安店"): SH01, "sh02": SH02}, teams={}
    ),
    templates={
        "service-process": {1: Template(1, SERVICE), 2: Template(3, SERVICE_V2)},
        "consultation-compliance": {1: Template(2, CONSULTATION)},
    },
    staff={
        "E10002": [Period(102, SH01, date(2021, 7, 4))],
        "E10010": [Period(110, SH01, date(2021, 4, 10), date(2026, 8, 26))],  # left in August
        "E10016": [Period(116, SH02, date(2024, 9, 6))],
    },
    today=TODAY,
)
ZH = ["暗访编号", "门店", "暗访日期", "模板", "题目编号", "答案", "备注", "服务员工", "暗访机构"]
EN = ["Visit ID", "Store", "Visit date", "Template", "Item ID", "Answer", "Comment", "Served by"]


def item(checklist, item_id):
    found = checklist.item(item_id)
    assert found is not None, item_id
    return found


def good_answer(entry):
    if entry.type == "choice":
        return entry.options[0].id
    return {"yes_no": "是", "scale": "4", "text": "很好"}[entry.type]


def visit_rows(
    visit_id="V1",
    checklist=SERVICE,
    template="service-process",
    store="SH01",
    day="2026-10-16",
    served_by="E10002",
    agency="某调研公司",
):
    """One complete visit, every item answered as a good visit would be."""
    return [
        [visit_id, store, day, template, i.id, good_answer(i), "", served_by, agency]
        for i in checklist.items
    ]


def table(rows, header=ZH):
    return Table(header=list(header), rows=list(enumerate((tuple(r) for r in rows), start=2)))


def set_cell(rows, item_id, column, value):
    """Put ``value`` in ``column`` of the row of ``item_id``; returns that row's number."""
    index = ZH.index(column)
    for number, row in enumerate(rows, start=2):
        if row[4] == item_id:
            row[index] = value
            return number
    raise AssertionError(item_id)


@pytest.mark.parametrize("header", [ZH, EN], ids=["zh", "en"])
def test_chinese_and_english_headers_map_to_the_same_fields(header):
    positions, problems = map_columns(header, VISIT_COLUMNS)
    assert problems == []
    keys = ["visit_id", "store", "visited_on", "template", "item_id", "answer", "comment"]
    assert [positions[k] for k in keys] == list(range(7))


def test_the_template_hint_column_is_claimed_and_ignored():
    header = [*ZH, "题目内容（仅供参考，不导入）"]
    positions, problems = map_columns(header, VISIT_COLUMNS)
    assert problems == [] and positions["item_text"] == len(ZH)
    rows = [[*r, "=cmd|'/c calc'!A0"] for r in visit_rows()]
    parsed = parse_visits(table(rows, header), LOOKUPS)
    assert parsed.problems == [] and len(parsed.visits) == 1


def test_missing_required_columns_are_named_in_both_languages():
    parsed = parse_visits(table([], ["暗访编号", "门店", "暗访日期", "模板", "答案"]), LOOKUPS)
    assert [p.render() for p in parsed.problems] == [
        "Required column “Item ID” (题目编号) is missing."
    ]


@pytest.mark.parametrize(
    ("item_id", "cell", "expected"),
    [
        ("booking-needs", "是", "yes"),
        ("booking-needs", "否", "no"),
        ("booking-needs", "Yes", "yes"),
        ("booking-needs", " N ", "no"),
        ("booking-needs", "y", "yes"),
        ("booking-needs", "√", "yes"),
        ("reception-preferences", "不适用", "na"),
        ("reception-preferences", "N/A", "na"),
        ("reception-preferences", "na", "na"),
        ("reception-warmth", "4", 4),
        ("reception-warmth", 5.0, 5),  # a number cell from Excel
        ("reception-warmth", "４", 4),  # full-width
        ("reception-warmth", "3分", 3),
        ("booking-response", "within-10m", "within-10m"),
        ("booking-response", "10m-1h", "10m-1h"),
        ("booking-response", "10分钟至1小时", "10m-1h"),
        ("booking-response", "more than 1 hour, or not at all", "over-1h"),
        ("aftercare-problem-response", "不适用", "na"),
        ("aftercare-notes", "前台很热情", "前台很热情"),
        ("aftercare-notes", 12, "12"),
        ("booking-needs", "", None),
        ("booking-needs", None, None),
    ],
)
def test_answers_are_read_as_the_agency_writes_them(item_id, cell, expected):
    assert parse_answer(item(SERVICE, item_id), cell) == expected


@pytest.mark.parametrize(
    ("item_id", "cell", "reason"),
    [
        ("booking-needs", "可能", "is not a yes/no answer"),
        ("booking-needs", "不适用", "“not applicable” is not allowed"),
        ("reception-warmth", "6", "is not a score from 1 to 5"),
        ("reception-warmth", "0", "is not a score from 1 to 5"),
        ("reception-warmth", "3.5", "is not a score from 1 to 5"),
        ("reception-warmth", "好", "is not a score from 1 to 5"),
        ("reception-warmth", "不适用", "“not applicable” is not allowed"),
        ("booking-response", "soon", "is not an option of this item"),
        ("aftercare-notes", "字" * 1001, "is longer than 1000 characters"),
    ],
)
def test_bad_answers_say_what_to_write(item_id, cell, reason):
    with pytest.raises(CellError) as info:
        parse_answer(item(SERVICE, item_id), cell)
    assert reason in str(info.value)


def test_a_bad_option_lists_the_options():
    with pytest.raises(CellError) as info:
        parse_answer(item(SERVICE, "booking-response"), "soon")
    assert info.value.params["options"] == "within-10m, 10m-1h, over-1h"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("service-process", ("service-process", None)),
        (" Service-Process ", ("service-process", None)),
        ("service-process v1", ("service-process", 1)),
        ("service-process V2", ("service-process", 2)),
        ("service-process@1", ("service-process", 1)),
        ("service-process ＠ v2", ("service-process", 2)),  # full-width @
        ("consultation-compliance", ("consultation-compliance", None)),
    ],
)
def test_template_keys_and_versions(cell, expected):
    assert parse_template(cell) == expected


@pytest.mark.parametrize("cell", ["service process", "服务流程", "service-process v", "@1"])
def test_a_template_that_is_no_key(cell):
    with pytest.raises(CellError, match="is not a template key"):
        parse_template(cell)


@pytest.mark.parametrize(
    ("template", "version"),
    [("service-process", 2), ("service-process v1", 1), ("service-process-v1", 1)],
)
def test_the_newest_version_unless_one_is_named(template, version):
    rows = visit_rows(template=template)
    parsed = parse_visits(table(rows), LOOKUPS)
    assert parsed.problems == []
    assert parsed.visits[0].template.checklist.version == version


def test_a_complete_visit():
    rows = visit_rows()
    set_cell(rows, "booking-contraindications", "答案", "否")
    set_cell(rows, "booking-contraindications", "备注", "没有问过我的身体情况")
    parsed = parse_visits(table([*rows, *visit_rows("V2", store="上海静安店")]), LOOKUPS)
    assert parsed.problems == [] and parsed.warnings == []
    assert parsed.rows == 2 * len(SERVICE.items)
    first, second = parsed.visits
    assert (first.source_id, first.row, first.rows) == ("V1", 2, len(SERVICE.items))
    assert (first.store_id, first.visited_on, first.template.id) == (SH01, date(2026, 10, 16), 3)
    assert (first.staff_id, first.served_by_note, first.served_by) == (102, "", "E10002")
    assert first.agency == "某调研公司"
    assert first.answers["booking-contraindications"] == {
        "value": "no",
        "comment": "没有问过我的身体情况",
    }
    assert first.answers["reception-warmth"] == {"value": 4, "comment": ""}
    assert set(first.answers) == {i.id for i in SERVICE.items}
    assert second.store_id == SH01 and second.row == 2 + len(SERVICE.items)


def test_visit_cells_may_be_left_empty_after_the_first_row():
    rows = visit_rows()
    for row in rows[1:]:
        row[1:4] = ["", None, ""]
        row[7:9] = ["", ""]
    parsed = parse_visits(table(rows), LOOKUPS)
    assert parsed.problems == []
    [visit] = parsed.visits
    assert (visit.store_id, visit.staff_id, visit.agency) == (SH01, 102, "某调研公司")


@pytest.mark.parametrize(
    ("served_by", "staff_id", "note", "warned"),
    [
        ("E10002", 102, "", False),
        ("e10002", 102, "", False),
        ("工牌：小王", None, "工牌：小王", False),
        ("E10010", None, "E10010", True),  # had left before the visit
        ("E10016", None, "E10016", True),  # works at another store
        ("", None, "", False),
    ],
)
def test_who_served(served_by, staff_id, note, warned):
    parsed = parse_visits(table(visit_rows(served_by=served_by)), LOOKUPS)
    [visit] = parsed.visits
    assert (visit.staff_id, visit.served_by_note) == (staff_id, note)
    assert bool(parsed.warnings) is warned
    if warned:
        assert (parsed.warnings[0].row, parsed.warnings[0].column) == (2, "服务员工")
        assert "did not work at this store on 2026-10-16" in parsed.warnings[0].render()


def _unknown_store(rows):
    return set_cell(rows, "reception-wait", "门店", "SH99")


def _unknown_item(rows):
    rows.append(
        ["V1", "SH01", "2026-10-16", "service-process", "booking-parking", "是", "", "", ""]
    )
    return len(rows) + 1


def _critical_no_without_comment(rows):
    return set_cell(rows, "treatment-disinfection", "答案", "否")


def _bad_scale(rows):
    return set_cell(rows, "reception-warmth", "答案", "6")


def _future_date(rows):
    return set_cell(rows, "booking-needs", "暗访日期", "2026-11-03")


def _other_store(rows):
    return set_cell(rows, "feedback-report", "门店", "SH02")


def _other_template(rows):
    return set_cell(rows, "feedback-report", "模板", "consultation-compliance")


def _repeated_item(rows):
    rows.append(["V1", "", "", "", "booking-needs", "是", "", "", ""])
    return len(rows) + 1


def _bad_date(rows):
    return set_cell(rows, "reception-drink", "暗访日期", "2026-10-40")


def _unknown_template(rows):
    for row in rows:
        row[3] = "hair-salon"
    return 2


def _na_not_allowed(rows):
    return set_cell(rows, "booking-needs", "答案", "不适用")


@pytest.mark.parametrize(
    ("defect", "column", "reason"),
    [
        (_unknown_store, "门店", "unknown store “SH99”"),
        (_unknown_item, "题目编号", "“booking-parking” is not an item of service-process v2"),
        (_critical_no_without_comment, "备注", "a “no” here needs a comment"),
        (_bad_scale, "答案", "“6” is not a score from 1 to 5"),
        (_future_date, "暗访日期", "2026-11-03 lies in the future"),
        (_other_store, "门店", "“SH02” differs from “SH01” on row 2"),
        (_other_template, "模板", "“consultation-compliance” differs from “service-process”"),
        (_repeated_item, "题目编号", "item “booking-needs” appears again in this visit"),
        (_bad_date, "暗访日期", "“2026-10-40” is not a valid date"),
        (_unknown_template, "模板", "unknown template “hair-salon”"),
        (_na_not_allowed, "答案", "“not applicable” is not allowed"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else "",
)
def test_each_problem_is_reported_once_at_its_row_and_column(defect, column, reason):
    rows = visit_rows()
    number = defect(rows)
    parsed = parse_visits(table(rows), LOOKUPS)
    [problem] = parsed.problems  # one problem, one message: no echoes of it elsewhere
    assert (problem.row, problem.column) == (number, column)
    assert reason in problem.render()
    assert problem.render().startswith(f"row {number}, column “{column}”: ")


@pytest.mark.parametrize(
    ("visit_id", "reason"), [("", "is empty"), ("V" * 65, "is longer than 64 characters")]
)
def test_a_row_without_a_usable_visit_id(visit_id, reason):
    """The row belongs to no visit, so its visit also misses that item."""
    rows = visit_rows()
    number = set_cell(rows, "booking-reminder", "暗访编号", visit_id)
    parsed = parse_visits(table(rows), LOOKUPS)
    assert [(p.row, p.column) for p in parsed.problems] == [(2, "题目编号"), (number, "暗访编号")]
    assert reason in parsed.problems[1].render()
    assert "item “booking-reminder” is not answered" in parsed.problems[0].render()


def test_a_wrong_visit_cell_repeated_on_every_row_is_reported_once():
    rows = visit_rows(template="hair-salon", store="SH99")
    assert [(p.row, p.column) for p in parse_visits(table(rows), LOOKUPS).problems] == [
        (2, "门店"),
        (2, "模板"),
    ]


def test_every_row_that_disagrees_is_reported():
    rows = visit_rows()
    for row in rows[5:8]:
        row[1] = "SH02"
    problems = parse_visits(table(rows), LOOKUPS).problems
    assert [(p.row, p.column) for p in problems] == [(n, "门店") for n in (7, 8, 9)]


def test_a_missing_item_is_reported_at_the_visits_first_row_naming_it():
    rows = visit_rows()
    del rows[3]  # booking-confirmation
    missing = SERVICE.items[3].id
    rows.extend(visit_rows("V2"))
    for row in rows[len(SERVICE.items) - 1 :]:
        if row[4] == "reception-warmth":
            row[5] = ""  # an item with a row but no answer
    parsed = parse_visits(table(rows), LOOKUPS)
    first, second = parsed.problems
    assert (first.row, first.column) == (2, "题目编号")
    assert f"item “{missing}” is not answered" in first.render()
    assert second.column == "答案" and "this item needs an answer" in second.render()
    assert parsed.visits == []


def test_without_a_comment_column_the_answer_is_pointed_at():
    rows = [r[:6] for r in visit_rows()]
    number = next(n for n, r in enumerate(rows, start=2) if r[4] == "treatment-disinfection")
    rows[number - 2][5] = "否"
    [problem] = parse_visits(table(rows, ZH[:6]), LOOKUPS).problems
    assert (problem.row, problem.column) == (number, "答案")


def test_problems_come_in_row_order_and_stop_no_one():
    rows = visit_rows()
    _bad_scale(rows)
    _unknown_store(rows)
    _future_date(rows)
    parsed = parse_visits(table(rows), LOOKUPS)
    assert [p.row for p in parsed.problems] == sorted(p.row for p in parsed.problems)
    assert len(parsed.problems) == 3 and parsed.visits == []


def test_a_header_without_rows():
    parsed = parse_visits(table([]), LOOKUPS)
    assert [p.render() for p in parsed.problems] == ["The file has a header but no rows."]
