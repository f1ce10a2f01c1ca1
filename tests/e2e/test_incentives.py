"""Performance pay in a real browser: HR designs a scheme, is refused at 25% service weight,
fixes it, simulates and saves it, runs a month; a second HR user approves it; the payroll
workbook downloads with the approval on its sign-off sheet and the run's total."""

import io
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from ee_app.auth import Actor
from ee_app.db import make_engine, read_session
from ee_app.exports.payroll import payroll_xlsx
from ee_app.models import IncentiveRun, IncentiveScheme, UserRole
from ee_app.services.calibration import run_calibration
from ee_app.services.incentive_runs import run_view
from tests.e2e.conftest import screenshot
from tests.e2e.streamlit_ui import open_page, open_tab, sign_in, wait_idle
from tests.raw_keys import raw_keys


def set_weight(page, component: str, value: int) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_role("spinbutton", name=component, exact=True)
    box.click()
    box.fill(str(value))
    box.press("Enter")
    wait_idle(page)
    expect(box).to_have_value(f"{value:.2f}")


def test_hr_designs_runs_and_a_second_person_approves(start_app, oidc_provider, new_page):
    app = start_app(oidc=oidc_provider)
    hr = new_page()
    sign_in(hr, app.url, "hr")
    open_page(hr, "Incentives")
    expect(hr.get_by_role("heading", name="Incentives")).to_be_visible()
    # The shipped scheme's calibration on the last complete month (issue 17): the demo
    # scheme is calibrated, so no warnings (the service tests check the numbers by hand).
    expect(hr.get_by_text("Calibration for").first).to_be_visible()
    expect(
        hr.get_by_text("No calibration warnings: every role can reach its targets.")
    ).to_be_visible()

    # 25% on service quality (CSAT 5 + repurchase 10 + mystery shopper 10; sales 65,
    # onboarding 10): refused, with the reason.
    # The weights are labelled by the components' plain names (issue 17).
    set_weight(hr, "Sales performance", 65)
    set_weight(hr, "Customer satisfaction", 5)
    set_weight(hr, "Repurchase", 10)
    expect(hr.get_by_text("This design cannot be saved")).to_be_visible()
    # The whole scheme's share (and each role's with its own measures, issue 17).
    expect(hr.get_by_text("weighs 25%; it must weigh at least 30%").first).to_be_visible()
    screenshot(hr, "50-scheme-refused")

    set_weight(hr, "Repurchase", 15)  # 30% on service quality
    set_weight(hr, "Sales performance", 60)
    expect(hr.get_by_text("This design cannot be saved")).to_have_count(0)
    expect(hr.get_by_text("Simulation for")).to_be_visible()
    expect(hr.get_by_text("Payout distribution")).to_be_visible()
    # Who gains, who loses: against the month's approved run as paid (the demo approves the
    # last complete month), with the movers both ways.
    expect(hr.get_by_text("Who gains, who loses")).to_be_visible()
    expect(hr.get_by_text("Simulation computed.")).to_be_visible()
    expect(hr.get_by_text("Largest gains")).to_be_visible()
    expect(hr.get_by_text("Largest losses")).to_be_visible()
    screenshot(hr, "51-scheme-simulated")
    hr.get_by_role("button", name="Save as a new version").click()
    wait_idle(hr)
    expect(hr.get_by_text("Saved as version 2")).to_be_visible()

    open_tab(hr, "Runs and payroll")
    hr.get_by_role("button", name="Compute the run").click()
    wait_idle(hr)
    expect(hr.get_by_text("computed: a second person must approve it")).to_be_visible()
    expect(hr.get_by_role("button", name="Approve")).to_be_disabled()  # not by its author
    expect(hr.get_by_role("tab", name="Runs and payroll", exact=True)).to_have_attribute(
        "aria-selected", "true"
    )  # the page stays on the runs after Compute
    screenshot(hr, "52-run-waiting")

    engine = make_engine(app.database_url)
    with read_session(engine) as session:
        run = session.scalars(select(IncentiveRun).order_by(IncentiveRun.id.desc())).first()
        scheme = session.get(IncentiveScheme, run.scheme_id)
    assert scheme.version == 2 and run.created_by == "hr@demo.example"

    second = new_page()
    sign_in(second, app.url, "hr2")
    open_page(second, "Incentives")
    open_tab(second, "Runs and payroll")
    with read_session(engine) as session:  # the approver acknowledges warnings (issue 17)
        hr_actor = Actor("hr@demo.example", UserRole.HR)
        warned = bool(run_calibration(session, hr_actor, run.id).warnings)
    if warned:
        expect(second.get_by_role("button", name="Approve")).to_be_disabled()
        second.get_by_text("I have read the").click()
        wait_idle(second)
    second.get_by_role("button", name="Approve").click()
    wait_idle(second)
    expect(second.get_by_text(f"Run {run.id} approved and locked")).to_be_visible()
    # The page stays on the runs after Approve (it used to jump back to the scheme).
    runs_tab = second.get_by_role("tab", name="Runs and payroll", exact=True)
    expect(runs_tab).to_have_attribute("aria-selected", "true")
    with second.expect_download() as download:
        second.get_by_role("button", name="Payroll workbook (Excel)").click()
    screenshot(second, "53-run-approved")

    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames == ["Payroll", "By store", "Scheme", "Sign-off"]
    signoff = {r[0]: r[1] for r in book["Sign-off"].iter_rows(values_only=True) if r and r[0]}
    assert signoff["Approved by"] == "hr2@demo.example"
    assert signoff["Prepared by"] == "hr@demo.example"
    with read_session(engine) as session:
        total = session.get(IncentiveRun, run.id).total
    stores = list(book["By store"].iter_rows(values_only=True))
    assert Decimal(str(stores[-1][3])).quantize(Decimal("0.01")) == total
    # No raw key in any sheet: the downloaded workbook, and the same run's in Chinese.
    with read_session(engine) as session:
        view = run_view(session, Actor("hr2@demo.example", UserRole.HR), run.id)
    chinese = load_workbook(io.BytesIO(payroll_xlsx(view, "zh-CN")))
    for workbook, language in ((book, "en"), (chinese, "zh_CN")):
        keys = {
            (sheet.title, cell): found
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if isinstance(cell, str) and (found := raw_keys(cell, language))
        }
        assert keys == {}
    engine.dispose()
