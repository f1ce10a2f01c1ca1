"""A mystery-shopper visit in a real browser: the shopper signs in on a phone, sees only their
own visits, fills one in with a required comment and a photo, submits; HR reviews the photo
and approves; the store's results count the visit."""

import struct
import zlib
from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from ee_app.db import make_engine, read_session, write_session
from ee_app.instruments.checklist import default_definitions, validate
from ee_app.models import OrgUnit, ShopVisit, VisitEvidence, VisitStatus
from ee_app.services.users import actor_for_email
from ee_app.services.visit_results import store_table
from tests.e2e.conftest import screenshot
from tests.e2e.streamlit_ui import choose, open_page, open_tab, sign_in, wait_idle

CHECKLIST = validate(default_definitions()["service-process"])
NO_WITH_PHOTO = "booking-reminder"  # needs a comment on "no" and takes evidence


def png() -> bytes:
    """A real 2 × 2 PNG, so that the review page can show it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\0" + b"\xff\x80\x00" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def answer_everything(phone) -> None:  # type: ignore[no-untyped-def]
    for item in CHECKLIST.items:
        box = phone.locator(f".st-key-item_{item.id}")
        box.scroll_into_view_if_needed()
        if item.type == "yes_no":
            answer = "No" if item.id == NO_WITH_PHOTO else "Yes"
            box.get_by_role("radio", name=answer, exact=True).click()
        elif item.type == "scale":
            box.get_by_role("radio", name="5", exact=True).click()
        elif item.type == "choice":
            best = max(item.options, key=lambda o: o.credit)
            box.get_by_text(best.text.en, exact=True).click()
        else:
            continue
        wait_idle(phone)


def open_draft_visit(phone, engine) -> int:  # type: ignore[no-untyped-def]
    """Tap the shopper's draft visit to SH01 in "My visits"; its id."""
    with read_session(engine) as session:
        visit_id = session.scalar(
            select(ShopVisit.id)
            .join(OrgUnit, OrgUnit.id == ShopVisit.store_id)
            .where(OrgUnit.code == "SH01", ShopVisit.status == VisitStatus.DRAFT)
        )
    phone.locator(f".st-key-visit_{visit_id}").get_by_role("button").click()
    wait_idle(phone)
    return visit_id


def test_shopper_fills_in_a_visit_on_a_phone_and_hr_approves_it(start_app, oidc_provider, new_page):
    app = start_app(oidc=oidc_provider)
    engine = make_engine(app.database_url)
    phone = new_page(phone=True)
    sign_in(phone, app.url, "shopper")
    phone.goto(f"{app.url}/my-visits")  # on a phone the sidebar starts folded away
    wait_idle(phone)
    main = phone.get_by_test_id("stMain")
    expect(main).to_contain_text("上海静安店")
    expect(main).not_to_contain_text("苏州园区店")  # the other shopper's visit
    screenshot(phone, "30-my-visits-phone")

    visit_id = open_draft_visit(phone, engine)
    expect(phone.get_by_role("heading", name="上海静安店")).to_be_visible()
    phone.get_by_role("textbox", name="Who served you").fill("小王")
    answer_everything(phone)

    box = phone.locator(f".st-key-item_{NO_WITH_PHOTO}")
    expect(box.get_by_text("Comment (required)")).to_be_visible()
    box.get_by_role("textbox").fill("没有收到到店前一小时的确认电话。")
    box.locator('input[type="file"]').set_input_files(
        files=[{"name": "通话记录.png", "mimeType": "image/png", "buffer": png()}]
    )
    wait_idle(phone)
    expect(box.get_by_text("通话记录.png")).to_be_visible()
    screenshot(phone, "31-visit-form-phone")

    phone.get_by_role("button", name="Submit for review").click()
    phone.get_by_role("button", name="Yes, submit").click()
    wait_idle(phone)
    expect(phone.get_by_text("submitted. Thank you!")).to_be_visible()
    screenshot(phone, "32-visit-submitted-phone")

    with read_session(engine) as session:
        visit = session.get(ShopVisit, visit_id)
        files = session.scalars(
            select(VisitEvidence).where(VisitEvidence.visit_id == visit_id)
        ).all()
    assert visit.status is VisitStatus.SUBMITTED and visit.visited_on <= date.today()
    assert visit.answers[NO_WITH_PHOTO] == {
        "value": "no",
        "comment": "没有收到到店前一小时的确认电话。",
    }
    assert [f.file_name for f in files] == ["通话记录.png"]

    hr = new_page()
    sign_in(hr, app.url, "hr")
    open_page(hr, "Mystery shopping")
    open_tab(hr, "Review (2)")
    review = hr.get_by_role("tabpanel", name="Review (2)")
    name = CHECKLIST.name.en
    choose(hr, "Waiting for review (2)", f"{visit.visited_on} · 上海静安店 (SH01) · {name}")
    expect(review).to_contain_text("没有收到到店前一小时的确认电话。")
    expect(review.get_by_role("img").first).to_be_visible()  # the photo
    screenshot(hr, "33-visit-review-hr")
    review.get_by_role("button", name="Approve").click()
    wait_idle(hr)
    expect(hr.get_by_text("Visit to 上海静安店 approved")).to_be_visible()

    with write_session(engine) as session:
        hr_actor = actor_for_email(session, "hr@demo.example")
    with read_session(engine) as session:
        approved = session.get(ShopVisit, visit_id)
        table = store_table(
            session, hr_actor, approved.visited_on, approved.visited_on, "service-process"
        ).set_index("store_code")
    assert approved.status is VisitStatus.APPROVED
    assert int(table.loc["SH01", "n"]) == 1
    assert table.loc["SH01", "mean"] == float(approved.score)

    open_tab(hr, "Results")
    results = hr.get_by_role("tabpanel", name="Results")
    # The checklist with the most visits comes first: the service process.
    expect(results.get_by_role("radio", name=name, exact=True)).to_be_checked()
    label = f"{approved.visited_on} · 上海静安店 · {float(approved.score):.1f}%"
    # At the foot of a long page: scroll first, or the list opens and closes as it scrolls.
    hr.get_by_role("combobox", name="Visit", exact=True).scroll_into_view_if_needed()
    choose(hr, "Visit", label)  # the approved visit is among the results' visits
    expect(results.get_by_role("button", name="Visit report (Excel)")).to_be_visible()
    screenshot(hr, "34-visit-results-hr")
    engine.dispose()
