"""Importing an agency's visits: checked whole and refused with row-level problems, one
transaction, idempotent by the agency's visit id, undoable by batch, scored as a submission."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from ee_app.db import read_session, write_session
from ee_app.errors import Conflict, ImportRejected, PermissionDenied
from ee_app.instruments.checklist import default_definitions, percent, score, validate
from ee_app.models import AuditLog, ImportBatch, ShopVisit, Staff, VisitSource, VisitStatus
from ee_app.services import import_batches as batches
from ee_app.services import visit_import as vi
from ee_app.services.users import actor_for_email
from ee_app.services.visit_management import review_visit
from tests.helpers import VISIT_HEADER, csv_file, snapshot, xlsx_file

SERVICE = validate(default_definitions()["service-process"])
CONSULTATION = validate(default_definitions()["consultation-compliance"])
HEADER = VISIT_HEADER
AGENCY = "华东暗访调研"


def answer_of(item, special):
    if item.id in special:
        return special[item.id]
    if item.type == "choice":
        return (item.options[0].text.zh, "")  # an option by its Chinese text
    return ({"yes_no": "是", "scale": "4", "text": "整体不错"}[item.type], "")


def visit_rows(visit_id, checklist, store, day, served_by, special=None, agency=AGENCY):
    """One visit in the agency's long format: a row per item."""
    special = special or {}
    return [
        [visit_id, store, day, checklist.key, i.id, *answer_of(i, special), served_by, agency]
        for i in checklist.items
    ]


def service_visit(visit_id="SP-1001", **kwargs):
    special = {
        "booking-contraindications": ("否", "预约时没有问我的身体情况"),
        "reception-preferences": ("不适用", ""),
        "reception-warmth": ("3", ""),
        "booking-response": ("10m-1h", ""),
    }
    return visit_rows(visit_id, SERVICE, "SH01", "2026-10-16", "E10002", special, **kwargs)


def consultation_visit(visit_id="CC-2001"):
    special = {"risk-side-effects": ("否", "咨询师说“完全没有副作用”")}  # critical: fails
    return visit_rows(visit_id, CONSULTATION, "上海静安店", "2026/10/20", "工牌：小王", special)


def two_visits():
    return [HEADER, *service_visit(), *consultation_visit()]


def import_file(engine, actor, rows, name="暗访.csv", encoding="gbk", **kwargs):
    data = csv_file(rows, encoding) if name.endswith(".csv") else xlsx_file(rows)
    with write_session(engine) as session:
        return vi.import_visits(session, actor, data, name, **kwargs)


def batch_visits(engine, batch_id):
    # The demo holds visits of its own: look at this batch only.
    with read_session(engine) as session:
        stmt = select(ShopVisit).where(ShopVisit.batch_id == batch_id).order_by(ShopVisit.id)
        return session.scalars(stmt).all()


def user(engine, email):
    with read_session(engine) as session:
        return actor_for_email(session, email)


def test_a_gbk_csv_with_chinese_headers_imports(engine, demo, admin):
    result = import_file(engine, admin, two_visits())
    rows = len(SERVICE.items) + len(CONSULTATION.items)
    assert (result.rows, result.visits, result.new, result.unchanged) == (rows, 2, 2, 0)
    assert (result.first_date, result.last_date) == (date(2026, 10, 16), date(2026, 10, 20))
    assert result.warnings == [] and not result.dry_run
    service, consultation = batch_visits(engine, result.batch_id)
    for visit in (service, consultation):
        assert visit.status is VisitStatus.SUBMITTED and visit.source is VisitSource.IMPORT
        assert visit.shopper_id is None and visit.agency == AGENCY
        assert visit.window_start == visit.window_end == visit.visited_on
        assert visit.submitted_at is not None and visit.created_by == admin.email
    assert (service.source_id, service.store_id) == ("SP-1001", demo.unit_ids["SH01"])
    assert service.staff_id == demo.staff_ids["E10002"] and service.served_by_note == ""
    assert service.answers["booking-contraindications"] == {
        "value": "no",
        "comment": "预约时没有问我的身体情况",
    }
    assert service.answers["reception-warmth"]["value"] == 3
    assert service.answers["booking-response"]["value"] == "10m-1h"
    assert consultation.store_id == demo.unit_ids["SH01"]  # by its unique name
    assert (consultation.staff_id, consultation.served_by_note) == (None, "工牌：小王")
    with read_session(engine) as session:
        batch = session.get(ImportBatch, result.batch_id)
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "visits.import")).one()
    assert (batch.kind, batch.rows, batch.inserted, batch.unchanged) == ("visits", 2, 2, 0)
    # Counts only: no answers, comments or names in the audit log.
    assert entry.detail == {"rows": rows, "visits": 2, "inserted": 2, "unchanged": 0}


def test_the_stored_scores_are_those_of_the_checklist(engine, demo, admin):
    result = import_file(engine, admin, two_visits())
    checklists = {"service-process": SERVICE, "consultation-compliance": CONSULTATION}
    visits = batch_visits(engine, result.batch_id)
    for visit, checklist in zip(visits, checklists.values(), strict=True):
        expected = score(checklist, visit.answers)
        assert visit.raw_score == percent(expected.raw)
        assert visit.score == percent(expected.final)
        assert visit.passed is expected.passed
        assert visit.critical_failed is bool(expected.critical_failures)
        assert visit.section_scores == {
            s.id: None if s.share is None else float(percent(s.share)) for s in expected.sections
        }
    service, consultation = visits
    assert service.passed and service.score == service.raw_score > 0
    assert consultation.critical_failed and consultation.score == 0 < consultation.raw_score


def test_the_same_file_twice_adds_nothing(engine, demo, admin):
    first = import_file(engine, admin, two_visits())
    before = snapshot(engine)
    again = import_file(engine, admin, two_visits())
    assert (again.visits, again.new, again.unchanged, again.batch_id) == (2, 0, 2, None)
    assert snapshot(engine) == before
    # One visit more in a later file: only that one is added.
    third = import_file(engine, admin, [*two_visits(), *service_visit("SP-1002")])
    assert (third.new, third.unchanged) == (1, 2) and third.batch_id != first.batch_id
    assert [v.source_id for v in batch_visits(engine, third.batch_id)] == ["SP-1002"]


def test_a_visit_id_back_with_other_content_is_refused(engine, demo, admin):
    first = import_file(engine, admin, two_visits())
    changed = two_visits()
    assert changed[1][4] == "booking-needs"
    changed[1][5] = "否"  # needs no comment: only the content differs
    before = snapshot(engine)
    with pytest.raises(ImportRejected) as info:
        import_file(engine, admin, changed)
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (2, "暗访编号")
    assert f"imported before (batch {first.batch_id}) with different content" in problem.render()
    assert snapshot(engine) == before


def test_the_review_does_not_make_the_same_file_different(engine, demo, admin, hr):
    result = import_file(engine, admin, two_visits())
    service, _ = batch_visits(engine, result.batch_id)
    with write_session(engine) as session:
        review_visit(session, hr, service.id, approve=True)  # HR records nobody as served
    assert import_file(engine, admin, two_visits()).unchanged == 2


def _missing_item(rows):
    """The consultation loses its price-list row: reported at the visit's first row."""
    first = next(n for n, r in enumerate(rows, start=1) if r[0] == "CC-2001")
    rows[:] = [r for r in rows if r[4] != "price-list"]
    return first


def _set(item_id, column, value):
    def defect(rows):
        for number, row in enumerate(rows, start=1):
            if row[4] == item_id:
                row[HEADER.index(column)] = value
                return number
        raise AssertionError(item_id)

    defect.__name__ = f"{item_id}-{column}"
    return defect


def _unknown_item(rows):
    rows.append(["SP-1001", "SH01", "2026-10-16", "service-process", "booking-parking", "是"])
    return len(rows)


FUTURE = (date.today() + timedelta(days=7)).isoformat()
#: Each defect (applied in this order to one file), the column it is reported in, the reason.
DEFECTS = [
    (_missing_item, "题目编号", "item “price-list” is not answered"),
    (_set("reception-wait", "门店", "SH99"), "门店", "unknown store “SH99”"),
    (_set("treatment-disinfection", "答案", "否"), "备注", "a “no” here needs a comment"),
    (_set("booking-confirmation", "暗访日期", FUTURE), "暗访日期", "lies in the future"),
    (_set("reception-warmth", "答案", "6"), "答案", "“6” is not a score from 1 to 5"),
    (_set("needs-goals", "门店", "SH02"), "门店", "“SH02” differs from “上海静安店” on row"),
    (_unknown_item, "题目编号", "“booking-parking” is not an item of service-process v1"),
]


def test_bad_rows_refuse_the_file_with_one_message_per_problem(engine, demo, admin):
    rows = two_visits()
    expected = [(defect(rows), column, reason) for defect, column, reason in DEFECTS]
    before = snapshot(engine)
    with pytest.raises(ImportRejected) as info:
        import_file(engine, admin, rows)
    problems = info.value.problems
    assert len(problems) == len(DEFECTS)
    assert sorted((p.row, p.column) for p in problems) == sorted((r, c) for r, c, _ in expected)
    rendered = info.value.render()
    assert rendered.startswith(f"The visits file was not imported: {len(DEFECTS)} problems.")
    for row, column, reason in expected:
        [line] = [p.render() for p in problems if (p.row, p.column) == (row, column)]
        assert line.startswith(f"row {row}, column “{column}”: ") and reason in line
        assert f"- {line}" in rendered
    assert snapshot(engine) == before


def test_dry_run_writes_nothing(engine, demo, admin):
    before = snapshot(engine)
    steps = []
    result = import_file(
        engine, admin, two_visits(), dry_run=True, progress=lambda f, label: steps.append(f)
    )
    assert (result.dry_run, result.new, result.batch_id) == (True, 2, None)
    assert steps == sorted(steps) and steps[-1] == 1.0
    assert snapshot(engine) == before


def test_undo_removes_exactly_that_batch(engine, demo, admin):
    first = import_file(engine, admin, two_visits())
    after_first = snapshot(engine)
    second = import_file(engine, admin, [HEADER, *service_visit("SP-1002")], name="more.csv")
    assert len(batch_visits(engine, second.batch_id)) == 1
    with write_session(engine) as session:
        undone = batches.undo_batch(session, admin, second.batch_id)
    assert (undone.kind, undone.inserted, undone.undone_at is not None) == ("visits", 1, True)
    now = snapshot(engine)
    for table in ("shop_visit", "visit_evidence", "csat_record", "sale"):
        assert now[table] == after_first[table]
    with read_session(engine) as session:
        history = batches.import_history(session, admin, kinds=["visits"])
        outcomes = batches.import_history(session, admin)  # the outcome page's list is unchanged
    assert [b.id for b in history] == [second.batch_id, first.batch_id]
    assert {b.kind for b in outcomes} <= {"csat", "sales"}
    with write_session(engine) as session, pytest.raises(Conflict):
        batches.undo_batch(session, admin, second.batch_id)
    again = import_file(engine, admin, [HEADER, *service_visit("SP-1002")], name="more.csv")
    assert again.new == 1  # importable again once undone


def test_a_batch_with_an_approved_visit_cannot_be_undone(engine, demo, admin, hr):
    result = import_file(engine, admin, two_visits())
    service, _ = batch_visits(engine, result.batch_id)
    with write_session(engine) as session:
        review_visit(session, hr, service.id, approve=True, staff_id=service.staff_id)
    before = snapshot(engine)
    with write_session(engine) as session, pytest.raises(Conflict) as info:
        batches.undo_batch(session, hr, result.batch_id)
    assert "1 of its visits have been approved" in info.value.render()
    assert snapshot(engine) == before


@pytest.mark.parametrize("email", ["manager.sh01@demo.example", "shopper@demo.example"])
def test_managers_and_shoppers_cannot_import_or_undo(engine, demo, admin, email):
    result = import_file(engine, admin, two_visits())
    actor = user(engine, email)
    before = snapshot(engine)
    with pytest.raises(PermissionDenied):
        import_file(engine, actor, two_visits(), dry_run=True)
    with write_session(engine) as session, pytest.raises(PermissionDenied):
        batches.undo_batch(session, actor, result.batch_id)
    with read_session(engine) as session, pytest.raises(PermissionDenied):
        batches.import_history(session, actor, kinds=["visits"])
    assert snapshot(engine) == before


def test_hr_imports(engine, demo, hr):
    assert import_file(engine, hr, two_visits()).new == 2


def test_an_employee_of_another_store_is_kept_as_a_note(engine, demo, admin):
    other = next(
        s.employee_no
        for s in demo.chain.staff
        if s.leave_date is None and all(not p[0].startswith("SH01") for p in s.periods)
    )
    rows = [HEADER, *visit_rows("SP-3001", SERVICE, "SH01", "2026-10-16", other)]
    result = import_file(engine, admin, rows)
    [warning] = result.warnings
    assert (warning.row, warning.column) == (2, "服务员工")
    assert "did not work at this store on 2026-10-16" in warning.render()
    [visit] = batch_visits(engine, result.batch_id)
    assert (visit.staff_id, visit.served_by_note) == (None, other)


def test_xlsx_with_english_headers_and_visit_cells_on_the_first_row_only(engine, demo, admin):
    header = ["Visit ID", "Store", "Visit date", "Template", "Item ID", "Answer", "Comment"]
    rows = [header]
    for position, item in enumerate(CONSULTATION.items):
        visit = ["CC-4001", "SH01", date(2026, 10, 21), "consultation-compliance v1"]
        if position:
            visit[1:] = [None, None, None]
        value = {"yes_no": "yes", "scale": 5, "choice": "doctor", "text": "ok"}[item.type]
        rows.append([*visit, item.id, value, None])
    result = import_file(engine, admin, rows, name="agency.xlsx")
    assert (result.visits, result.new) == (1, 1)
    [visit] = batch_visits(engine, result.batch_id)
    assert visit.visited_on == date(2026, 10, 21) and visit.agency == ""
    assert visit.score == 100 and visit.passed


def test_a_full_width_employee_number_finds_who_served(engine, demo, admin):
    rows = [HEADER, *visit_rows("SP-5001", SERVICE, "SH01", "2026-10-16", "Ｅ１０００２")]
    result = import_file(engine, admin, rows)
    [visit] = batch_visits(engine, result.batch_id)
    assert (visit.staff_id, visit.served_by_note) == (demo.staff_ids["E10002"], "")


def test_a_visit_before_2000_is_refused(engine, demo, admin):
    rows = [HEADER, *visit_rows("SP-5002", SERVICE, "SH01", "1926-10-16", "E10002")]
    before = snapshot(engine)
    with pytest.raises(ImportRejected) as info:
        import_file(engine, admin, rows)
    [problem] = info.value.problems  # said once for the visit, not on every row
    assert (
        problem.render()
        == "row 2, column “暗访日期”: 1926-10-16 is before 2000-01-01; check the year"
    )
    assert snapshot(engine) == before


def test_a_leave_date_of_9999_12_31_does_not_break_the_import(engine, demo, admin):
    """The last day an import adds one to: 9999-12-31 has no day after it."""
    with write_session(engine) as session:
        session.execute(
            update(Staff).where(Staff.employee_no == "E10002").values(leave_date=date.max)
        )
        session.commit()
    result = import_file(engine, admin, [HEADER, *service_visit("SP-5003")])
    [visit] = batch_visits(engine, result.batch_id)
    assert visit.staff_id == demo.staff_ids["E10002"]


def test_control_characters_are_refused(engine, demo, admin):
    rows = [HEADER, *service_visit("SP-5004")]
    rows[3][6] = "服务\x00很好"
    with pytest.raises(ImportRejected) as info:
        import_file(engine, admin, rows, dry_run=True)
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (4, "备注")
    assert "control character U+0000" in problem.render()
