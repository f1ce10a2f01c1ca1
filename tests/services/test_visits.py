"""Mystery-shopper visits through the services: who may see and change which visit, the
flow from schedule to approval, scores stored on submission, evidence, and the demo."""

import io
from datetime import date

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select

from ee_app.analysis.visits import visit_summary
from ee_app.auth import Actor
from ee_app.db import read_session, write_session
from ee_app.errors import Conflict, NotFound, PermissionDenied, ValidationError
from ee_app.instruments.checklist import percent, score
from ee_app.models import ChecklistVersion, ShopVisit, UserRole, VisitStatus
from ee_app.services import (
    results,
    results_trend,
    visit_evidence,
    visit_filling,
    visit_management,
    visit_results,
    visits,
)
from ee_app.services.users import actor_for_email
from tests.helpers import photo, png_bomb, snapshot, unit_id

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
PNG = photo("PNG")
JPEG = photo("JPEG")


def actor(engine, email):
    with read_session(engine) as session:
        return actor_for_email(session, email)


def ids(engine, model, *where):
    with read_session(engine) as session:
        return list(session.scalars(select(model.id).where(*where).order_by(model.id)))


def template_id(engine, key):
    with read_session(engine) as session:
        return session.scalar(select(ChecklistVersion.id).where(ChecklistVersion.key == key))


def full_answers(checklist, *, fail=None):
    """Every item answered "yes" (the best option, 5), except ``fail`` answered "no"."""
    answers = {}
    for item in checklist.items:
        if item.type == "yes_no":
            value = "no" if item.id == fail else "yes"
        elif item.type == "scale":
            value = 5
        elif item.type == "choice":
            value = max(item.options, key=lambda o: o.credit).id
        else:
            continue
        answers[item.id] = {"value": value, "comment": "当场没有做到" if value == "no" else ""}
    return answers


@pytest.fixture
def scheduled(engine, demo, hr):
    """One service-process visit to SH02 for shopper A, this month (November 2026)."""
    shopper = actor(engine, "shopper@demo.example")
    with write_session(engine) as session:
        [visit_id] = visit_management.schedule_visits(
            session,
            hr,
            template_id=template_id(engine, "service-process"),
            store_ids=[unit_id(engine, "SH02")],
            shopper_id=shopper.user_id,
            window_start=NOVEMBER[0],
            window_end=NOVEMBER[1],
        )
    return visit_id


def test_from_schedule_to_approval(engine, scheduled, hr):
    shopper = actor(engine, "shopper@demo.example")
    with read_session(engine) as session:
        visit = visits.get_visit(session, shopper, scheduled)
    checklist = visit.checklist
    critical = next(i for i in checklist.items if i.critical)
    answers = full_answers(checklist, fail=critical.id)
    # A draft may be half done and may lack the comment a "no" needs.
    half = dict(list(answers.items())[:5])
    with write_session(engine) as session:
        visit_filling.save_draft(session, shopper, scheduled, half, visited_on=date(2026, 11, 5))
    with write_session(engine) as session:
        done = visit_filling.submit_visit(
            session,
            shopper,
            scheduled,
            answers,
            visited_on=date(2026, 11, 5),
            served_by_note="小王",
        )
    expected = score(checklist, answers)
    assert done.status is VisitStatus.SUBMITTED
    assert (done.score, done.raw_score) == (percent(expected.final), percent(expected.raw))
    assert done.score == 0 and done.raw_score > 90 and done.critical_failed and not done.passed
    with write_session(engine) as session:
        reviewed = visit_management.review_visit(session, hr, scheduled, approve=True)
    assert reviewed.status is VisitStatus.APPROVED
    with read_session(engine) as session:
        stores = visit_results.store_table(session, hr, *NOVEMBER, "service-process")
        counted = visit_results.approved_visits(session, hr, *NOVEMBER, "service-process")
    assert scheduled in set(counted["visit_id"])
    sh02 = stores.set_index("store_code").loc["SH02"]
    assert int(sh02["n"]) == 1 and sh02["mean"] == 0.0 and int(sh02["critical"]) == 1


def test_a_submission_needs_every_answer_and_the_comments(engine, scheduled):
    shopper = actor(engine, "shopper@demo.example")
    with read_session(engine) as session:
        checklist = visits.get_visit(session, shopper, scheduled).checklist
    answers = full_answers(checklist)
    first = checklist.items[0]
    critical = next(i for i in checklist.items if i.critical)
    del answers[first.id]
    answers[critical.id] = {"value": "no", "comment": ""}
    before = snapshot(engine)
    with write_session(engine) as session, pytest.raises(ValidationError) as caught:
        visit_filling.submit_visit(
            session, shopper, scheduled, answers, visited_on=date(2026, 12, 25)
        )
    found = {(p.column, p.message) for p in caught.value.problems}
    assert (first.id, "this item needs an answer") in found
    assert (critical.id, "a “no” here needs a comment saying what happened") in found
    assert any("window" in p.message for p in caught.value.problems)
    assert snapshot(engine) == before


def submit_in_full(engine, visit, day):
    """The shopper answers every item of ``visit`` "yes" and submits it; who, and the answers."""
    shopper = actor(engine, "shopper@demo.example")
    with read_session(engine) as session:
        answers = full_answers(visits.get_visit(session, shopper, visit).checklist)
    with write_session(engine) as session:
        visit_filling.submit_visit(session, shopper, visit, answers, visited_on=day)
    return shopper, answers


def test_a_visit_is_submitted_once(engine, scheduled):
    day = date(2026, 11, 6)
    shopper, answers = submit_in_full(engine, scheduled, day)
    for call in (
        lambda s: visit_filling.submit_visit(s, shopper, scheduled, answers, visited_on=day),
        lambda s: visit_filling.save_draft(s, shopper, scheduled, answers, visited_on=day),
        lambda s: visit_evidence.add_evidence(s, shopper, scheduled, "x", "a.png", PNG),
    ):
        with write_session(engine) as session, pytest.raises(Conflict):
            call(session)


def test_a_rejected_visit_goes_back_with_its_reason_and_can_be_resubmitted(engine, scheduled, hr):
    day = date(2026, 11, 7)
    shopper, answers = submit_in_full(engine, scheduled, day)
    with write_session(engine) as session, pytest.raises(ValidationError):
        visit_management.review_visit(session, hr, scheduled, approve=False, reason=" ")
    with write_session(engine) as session:
        visit_management.review_visit(
            session, hr, scheduled, approve=False, reason="照片看不清，请补拍"
        )
    with read_session(engine) as session:
        back = visits.get_visit(session, shopper, scheduled)
    assert back.status is VisitStatus.REJECTED and back.review_reason == "照片看不清，请补拍"
    with write_session(engine) as session:
        again = visit_filling.submit_visit(session, shopper, scheduled, answers, visited_on=day)
    assert again.status is VisitStatus.SUBMITTED and again.review_reason == ""


def test_shoppers_see_only_their_own_visits(engine, scheduled, hr):
    other = actor(engine, "shopper2@demo.example")
    mine = actor(engine, "shopper@demo.example")
    with read_session(engine) as session:
        assert scheduled in {v.id for v in visits.list_visits(session, mine, mine=True)}
        theirs = visits.list_visits(session, other, mine=True)
        assert scheduled not in {v.id for v in theirs} and theirs
        # Without asking for "mine", a shopper still gets only their own.
        assert {v.id for v in visits.list_visits(session, other)} == {v.id for v in theirs}
        with pytest.raises(NotFound):
            visits.get_visit(session, other, scheduled)
        # A shopper never learns who shopped or which staff member served.
        assert all(v.shopper == "" and v.staff_id is None for v in theirs)
    with write_session(engine) as session, pytest.raises(NotFound):
        visit_filling.save_draft(session, other, scheduled, {})
    with write_session(engine) as session, pytest.raises(NotFound):
        visit_evidence.add_evidence(session, other, scheduled, "x", "a.png", PNG)


@pytest.mark.parametrize(
    "call",
    [
        lambda s, a: visit_results.store_table(s, a, *NOVEMBER, "service-process"),
        lambda s, a: visit_results.template_keys(s, a),
        lambda s, a: visits.list_templates(s, a),
        lambda s, a: visits.store_staff(s, a, 1, date(2026, 11, 1)),
        lambda s, a: results.engagement_view(s, a, "pulse-2026-10"),
        lambda s, a: results_trend.trend_for(s, a, "SH01"),
    ],
)
def test_shoppers_read_no_results_and_no_org(engine, demo, call):
    shopper = actor(engine, "shopper@demo.example")
    with read_session(engine) as session, pytest.raises(PermissionDenied):
        call(session, shopper)


def test_managers_read_approved_visits_of_their_stores_only(engine, demo, hr):
    manager = actor(engine, "manager.sh01@demo.example")
    with read_session(engine) as session:
        seen = visits.list_visits(session, manager)
        table = visit_results.store_table(
            session, manager, date(2026, 1, 1), NOVEMBER[1], "service-process"
        )
        everything = visits.list_visits(session, hr)
    sh01 = unit_id(engine, "SH01")
    assert seen and {v.store_id for v in seen} == {sh01}
    assert {v.status for v in seen} == {VisitStatus.APPROVED}
    assert set(table["store_code"]) == {"SH01"}
    assert all(v.shopper == "" for v in seen)
    elsewhere = next(
        v for v in everything if v.store_id != sh01 and v.status is VisitStatus.APPROVED
    )
    with read_session(engine) as session, pytest.raises(NotFound):
        visits.get_visit(session, manager, elsewhere.id)
    with write_session(engine) as session, pytest.raises(PermissionDenied):
        visit_management.review_visit(session, manager, elsewhere.id, approve=True)


def test_evidence_is_checked_by_content_and_size(engine, scheduled, hr):
    shopper = actor(engine, "shopper@demo.example")
    with read_session(engine) as session:
        checklist = visits.get_visit(session, shopper, scheduled).checklist
    item = next(i for i in checklist.items if i.evidence)
    plain = next(i for i in checklist.items if not i.evidence)
    with write_session(engine) as session:
        first = visit_evidence.add_evidence(session, shopper, scheduled, item.id, "小票.png", PNG)
    with write_session(engine) as session:  # the same photo again is kept once
        assert (
            visit_evidence.add_evidence(session, shopper, scheduled, item.id, "again.png", PNG).id
            == first.id
        )
    for name, data, fragment in [
        ("x.exe", b"MZ\x90\x00", "not a JPEG"),
        ("big.jpg", JPEG + b"\0" * visit_evidence.MAX_EVIDENCE_BYTES, "at most"),
    ]:
        with write_session(engine) as session, pytest.raises(ValidationError, match=fragment):
            visit_evidence.add_evidence(session, shopper, scheduled, item.id, name, data)
    with write_session(engine) as session, pytest.raises(ValidationError, match="no evidence"):
        visit_evidence.add_evidence(session, shopper, scheduled, plain.id, "a.png", PNG)
    with read_session(engine) as session:
        name, mime, content = visit_evidence.evidence_content(session, hr, first.id)
        assert (name, mime) == ("小票.png", "image/png")
        assert Image.open(io.BytesIO(content)).tobytes() == Image.open(io.BytesIO(PNG)).tobytes()
        with pytest.raises(NotFound):
            visit_evidence.evidence_content(
                session, actor(engine, "shopper2@demo.example"), first.id
            )
    with write_session(engine) as session:
        visit_evidence.remove_evidence(session, shopper, first.id)
    with read_session(engine) as session:
        assert visits.get_visit(session, shopper, scheduled).evidence == ()


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("junk.png", b"\x89PNG\r\n\x1a\n" + b"junk" * 100, "cannot be opened"),
        ("bomb.png", png_bomb(), "too many pixels"),
        ("cut.jpg", photo("JPEG", (300, 300))[:600], "cannot be opened"),
    ],
)
def test_photos_that_do_not_decode_are_refused_and_nothing_is_kept(
    engine, scheduled, name, data, fragment
):
    shopper = actor(engine, "shopper@demo.example")
    with read_session(engine) as session:
        item = next(
            i for i in visits.get_visit(session, shopper, scheduled).checklist.items if i.evidence
        )
    before = snapshot(engine)
    with write_session(engine) as session, pytest.raises(ValidationError, match=fragment):
        visit_evidence.add_evidence(session, shopper, scheduled, item.id, name, data)
    assert snapshot(engine) == before


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_a_photo_is_kept_without_its_gps_position(engine, scheduled, hr, kind):
    shopper = actor(engine, "shopper@demo.example")
    original = photo(kind, (64, 32), gps=True, orientation=6)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    with read_session(engine) as session:
        item = next(
            i for i in visits.get_visit(session, shopper, scheduled).checklist.items if i.evidence
        )
    with write_session(engine) as session:
        row = visit_evidence.add_evidence(
            session, shopper, scheduled, item.id, "门头.jpg", original
        )
    with read_session(engine) as session:
        _name, mime, content = visit_evidence.evidence_content(session, hr, row.id)
    kept = Image.open(io.BytesIO(content))
    assert mime == f"image/{kind.lower()}" and kept.format == kind
    assert not kept.getexif() and kept.size == (32, 64)  # upright, no EXIF left
    assert row.size == len(content)
    with write_session(engine) as session:  # sent again: recognised by the file as sent
        again = visit_evidence.add_evidence(
            session, shopper, scheduled, item.id, "again.jpg", original
        )
    assert again.id == row.id


def test_scheduling_refuses_what_makes_no_sense(engine, demo, hr):
    shopper = actor(engine, "shopper@demo.example")
    team = unit_id(engine, "SH01-B")
    hr_user = actor(engine, "hr@demo.example")
    before = snapshot(engine)
    with write_session(engine) as session, pytest.raises(ValidationError) as caught:
        visit_management.schedule_visits(
            session,
            hr,
            template_id=template_id(engine, "service-process"),
            store_ids=[team],
            shopper_id=hr_user.user_id,
            window_start=date(2026, 11, 30),
            window_end=date(2026, 11, 1),
        )
    messages = " ".join(p.message for p in caught.value.problems)
    assert "stores only" in messages and "mystery-shopper role" in messages
    assert "ends before it starts" in messages
    assert snapshot(engine) == before
    with write_session(engine) as session, pytest.raises(PermissionDenied):
        visit_management.schedule_visits(
            session,
            Actor("m@x", UserRole.MANAGER, frozenset({team})),
            template_id=1,
            store_ids=[team],
            shopper_id=shopper.user_id,
            window_start=NOVEMBER[0],
            window_end=NOVEMBER[1],
        )


def test_staff_recorded_at_review_must_have_worked_there(engine, scheduled, hr):
    shopper = actor(engine, "shopper@demo.example")
    with read_session(engine) as session:
        answers = full_answers(visits.get_visit(session, shopper, scheduled).checklist)
        here = visits.store_staff(session, hr, unit_id(engine, "SH02"), date(2026, 11, 8))
        there = visits.store_staff(session, hr, unit_id(engine, "SH01"), date(2026, 11, 8))
    with write_session(engine) as session:
        visit_filling.submit_visit(
            session, shopper, scheduled, answers, visited_on=date(2026, 11, 8)
        )
    with write_session(engine) as session, pytest.raises(ValidationError, match="did not work"):
        visit_management.review_visit(session, hr, scheduled, approve=True, staff_id=there[0].id)
    with write_session(engine) as session:
        done = visit_management.review_visit(
            session, hr, scheduled, approve=True, staff_id=here[0].id
        )
    assert done.staff_no == here[0].employee_no


def test_cancelling_keeps_approved_visits(engine, scheduled, hr):
    approved = ids(engine, ShopVisit, ShopVisit.status == VisitStatus.APPROVED)[0]
    with write_session(engine) as session, pytest.raises(Conflict):
        visit_management.cancel_visit(session, hr, approved)
    with write_session(engine) as session:
        visit_management.cancel_visit(session, hr, scheduled)
    shopper = actor(engine, "shopper@demo.example")
    with read_session(engine) as session:
        assert scheduled not in {v.id for v in visits.list_visits(session, shopper, mine=True)}


def test_demo_scores_are_the_scores_of_their_answers(engine, demo, hr):
    with read_session(engine) as session:
        rows = session.scalars(select(ShopVisit).where(ShopVisit.score.is_not(None))).all()
        templates = {
            t.id: visits.checklist_of(t) for t in session.scalars(select(ChecklistVersion))
        }
        counts = dict(
            session.execute(select(ShopVisit.status, func.count()).group_by(ShopVisit.status)).all()
        )
    for row in rows:
        result = score(templates[row.template_id], row.answers)
        assert (row.score, row.raw_score) == (percent(result.final), percent(result.raw))
    # Six months of approved visits to the 12 stores, and this month's work in progress.
    assert counts[VisitStatus.APPROVED] == 12 * 6 + 12 * 3
    assert counts[VisitStatus.SUBMITTED] == 1 and counts[VisitStatus.DRAFT] == 3


def test_store_summary_matches_the_visits(engine, demo, hr):
    start, end = date(2026, 5, 1), date(2026, 10, 31)
    with read_session(engine) as session:
        table = visit_results.store_table(session, hr, start, end, "service-process")
        raw = visit_results.approved_visits(session, hr, start, end, "service-process")
    expected = visit_summary(raw, ["store_id"]).set_index("store_id")
    for row in table.itertuples():
        assert row.n == expected.loc[row.store_id, "n"] == 6
        assert row.mean == pytest.approx(raw[raw.store_id == row.store_id]["score"].mean())
