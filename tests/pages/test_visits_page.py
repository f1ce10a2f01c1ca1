"""The mystery-shopping pages through the real ``streamlit_app.py``: HR reviews and schedules,
a manager reads their store only, a shopper fills in their own visit and nothing else."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import delete, select

from ee_app.db import read_session, write_session
from ee_app.models import OrgUnit, ShopVisit, VisitEvidence, VisitStatus
from tests.helpers import photo, png_bomb
from tests.pages.apptest import open_page, values_of

VISITS = "ee_app/pages/visits.py"
MINE = "ee_app/pages/my_visits.py"


def texts(at) -> str:
    parts = values_of(at) + [e.label for e in at.selectbox]
    parts += [str(o) for s in at.selectbox for o in s.options]
    return "\n".join(parts)


def opened(make_app, identity, page, language="en"):
    return open_page(make_app, page, identity, language)


def store_visits(engine, status):
    with read_session(engine) as session:
        return session.execute(
            select(ShopVisit.id, OrgUnit.code)
            .join(OrgUnit, OrgUnit.id == ShopVisit.store_id)
            .where(ShopVisit.status == status)
        ).all()


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_hr_sees_results_review_and_schedule(make_app, language):
    at = opened(make_app, "hr@demo.example", VISITS, language)
    assert not at.error, [e.value for e in at.error]
    assert len(at.tabs) == 5  # results, review, schedule, agency files, checklists
    shown = texts(at)
    assert "杭州西湖店" in shown  # the submitted demo visit waits in the review tab
    assert at.metric and any(m.label in ("Visits", "暗访次数") for m in at.metric)


def test_hr_approves_a_submitted_visit(make_app, engine):
    [(visit_id, store)] = store_visits(engine, VisitStatus.SUBMITTED)
    at = opened(make_app, "hr@demo.example", VISITS)
    at.button(key="ee_visits_approve").click().run()
    assert not at.exception, at.exception
    assert any("approved" in s.value for s in at.success), [s.value for s in at.success]
    assert store_visits(engine, VisitStatus.SUBMITTED) == []
    assert (visit_id, store) in store_visits(engine, VisitStatus.APPROVED)


def test_sending_back_needs_a_reason(make_app, engine):
    at = opened(make_app, "hr@demo.example", VISITS)
    at.button(key="ee_visits_reject").click().run()
    assert any("reject" in e.value.lower() or "why" in e.value for e in at.error)
    assert len(store_visits(engine, VisitStatus.SUBMITTED)) == 1


def test_a_manager_reads_their_store_only(make_app):
    at = opened(make_app, "manager.sh01@demo.example", VISITS)
    assert not at.error, [e.value for e in at.error]
    assert not at.tabs  # no review, schedule or import
    shown = texts(at)
    assert "上海静安店" in shown
    for other in ("杭州西湖店", "上海徐汇店", "苏州园区店", "北京"):
        assert other not in shown


def test_a_shopper_sees_their_own_visits_and_fills_one_in(make_app, engine):
    at = opened(make_app, "shopper@demo.example", MINE)
    shown = texts(at)
    assert "上海静安店" in shown and "苏州园区店" not in shown  # SZ01 is the other shopper's
    [(visit_id, _)] = [v for v in store_visits(engine, VisitStatus.DRAFT) if v[1] == "SH01"]
    at.button(key=f"ee_my_visit_go_{visit_id}").click().run()
    assert not at.exception, at.exception
    # The form is there: answer one item and save a draft.
    key = f"ee_visit_{visit_id}_booking-needs_value"
    assert key in at.session_state and at.session_state[key] is None
    at.session_state[key] = "yes"
    at.run()
    at.button(key="ee_my_visit_save").click().run()
    assert any("Draft saved" in s.value for s in at.success)
    with read_session(engine) as session:
        saved = session.get(ShopVisit, visit_id).answers
    assert saved == {"booking-needs": {"value": "yes", "comment": ""}}
    # An unanswered checklist cannot be submitted: what is missing is listed next to the
    # button, in words, each with a link to its item (issue 19), and it stays a draft.
    assert at.button(key="ee_my_visit_submit").disabled
    shown = texts(at)
    assert "Still to do before you can submit: 34 items" in shown
    assert "needs an answer" in shown
    links = [m.value for m in at.markdown if "](#ee-item-" in m.value]
    assert links and "#ee-item-booking-needs)" not in links[0]  # answered: not listed
    assert "(#ee-item-booking-contraindications): this item needs an answer" in links[0]
    assert links[0].count("](#ee-item-") == 5 and "… and 29 more items" in shown  # short
    assert (visit_id, "SH01") in store_visits(engine, VisitStatus.DRAFT)


def test_a_shopper_without_visits_is_told_so(make_app, engine):
    with write_session(engine) as session:
        session.execute(delete(VisitEvidence))
        session.execute(delete(ShopVisit))
        session.commit()
    at = opened(make_app, "shopper@demo.example", MINE)
    assert any("No visits are assigned to you" in i.value for i in at.info)
    at = opened(make_app, "hr@demo.example", VISITS)
    assert any("No approved visits yet" in i.value for i in at.info)


def test_hr_schedules_visits_to_every_store(make_app, engine):
    before = len(store_visits(engine, VisitStatus.DRAFT))
    at = opened(make_app, "hr@demo.example", VISITS)
    at.checkbox[0].check()
    at.button(key="FormSubmitter:ee_visits_schedule-Schedule").click().run()
    assert not at.exception, at.exception
    assert any("12 visits scheduled" in s.value for s in at.success), [s.value for s in at.success]
    assert len(store_visits(engine, VisitStatus.DRAFT)) == before + 12
    today = date.today()
    with read_session(engine) as session:
        newest = session.scalar(select(ShopVisit).order_by(ShopVisit.id.desc()))
    assert newest.window_start == today.replace(day=1)


def store_evidence(engine, visit_id, item_id, name, mime, content):
    """A file kept as it is, as files were before uploads were decoded and cleaned."""
    with write_session(engine) as session:
        session.add(
            VisitEvidence(
                visit_id=visit_id,
                item_id=item_id,
                file_name=name,
                mime=mime,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
            )
        )
        session.commit()


@pytest.mark.parametrize(
    ("name", "mime", "content", "pictures", "shown"),
    [
        ("门头.png", "image/png", photo("PNG", (800, 600)), 1, None),
        ("门头.jpg", "image/jpeg", photo("JPEG", (800, 600), gps=True), 1, None),
        ("bomb.png", "image/png", png_bomb(), 0, "cannot be shown"),
        ("junk.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"junk" * 50, 0, "cannot be shown"),
        ("cut.jpg", "image/jpeg", photo("JPEG", (300, 300))[:600], 0, "cannot be shown"),
    ],
)
def test_a_stored_photo_that_cannot_be_decoded_never_breaks_the_review(
    make_app, engine, name, mime, content, pictures, shown
):
    [(visit_id, _store)] = store_visits(engine, VisitStatus.SUBMITTED)
    store_evidence(engine, visit_id, "booking-reminder", name, mime, content)
    store_evidence(engine, visit_id, "booking-reminder", "小票.png", "image/png", photo("PNG"))
    at = opened(make_app, "hr@demo.example", VISITS)
    assert not at.exception, at.exception
    captions = [c for image in at.image for c in image.captions]
    assert len(captions) == pictures + 1 and "小票.png" in captions  # the good one is drawn
    warnings = [w.value for w in at.warning]
    if shown:
        assert any(shown in w for w in warnings), warnings
    else:
        assert not any("cannot be shown" in w for w in warnings), warnings
    # The rest of the page is there: the review buttons work.
    assert at.button(key="ee_visits_approve")
