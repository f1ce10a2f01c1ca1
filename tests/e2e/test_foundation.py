"""The foundation in a real browser: sign in through OpenID Connect, land on the home page,
switch to Chinese, import a roster; and a manager who sees only their store."""

from playwright.sync_api import expect
from sqlalchemy import select

from ee_app.db import make_engine, read_session
from ee_app.i18n import translator
from ee_app.models import Staff
from tests.e2e.conftest import screenshot
from tests.e2e.streamlit_ui import choose, open_page, sign_in, wait_idle
from tests.helpers import csv_file

zh = translator("zh-CN")


def test_hr_signs_in_switches_language_and_imports_a_roster(
    start_app, oidc_provider, new_page, tmp_path
):
    app = start_app(oidc=oidc_provider)
    page = new_page()
    page.goto(app.url)
    expect(page.get_by_role("heading", name="Welcome to ee-app")).to_be_visible()
    screenshot(page, "01-sign-in")

    sign_in(page, app.url, "hr")
    expect(page.get_by_role("heading", name="Hello, 王敏")).to_be_visible()
    expect(page.get_by_text("Demo mode")).to_have_count(0)  # a real provider: no demo banner
    screenshot(page, "02-home-hr")

    choose(page, "Language / 语言", "简体中文")
    expect(
        page.get_by_role("heading", name=zh("Hello, {name}").format(name="王敏"))
    ).to_be_visible()

    open_page(page, zh("Org and staff"))
    expect(page.get_by_role("heading", name=zh("Org and staff"))).to_be_visible()
    screenshot(page, "03-org-staff-zh")

    page.get_by_role("tab", name=zh("Import roster")).click()
    roster = tmp_path / "花名册.csv"
    roster.write_bytes(
        csv_file(
            [
                ["员工编号", "姓名", "岗位", "门店", "团队", "入职日期"],
                ["N9001", "钱小美", "美容师", "SH01", "SH01-B", "2026-09-01"],
                ["N9002", "孙思雨", "咨询师", "上海静安店", "", "2026年10月8日"],
            ],
            "gbk",
        )
    )
    page.locator('input[type="file"]').set_input_files(str(roster))
    wait_idle(page)
    page.get_by_role("button", name=zh("Import"), exact=True).click()
    wait_idle(page)
    expect(page.get_by_text(zh("Imported. {summary}").split("{")[0].strip())).to_be_visible()
    screenshot(page, "04-roster-imported-zh")

    engine = make_engine(app.database_url)
    with read_session(engine) as session:
        names = set(session.scalars(select(Staff.name).where(Staff.employee_no.like("N900%"))))
    engine.dispose()
    assert names == {"钱小美", "孙思雨"}


def test_bad_roster_shows_every_problem_and_writes_nothing(
    start_app, oidc_provider, new_page, tmp_path
):
    app = start_app(oidc=oidc_provider)
    page = new_page()
    sign_in(page, app.url, "hr")
    open_page(page, "Org and staff")
    page.get_by_role("tab", name="Import roster").click()
    roster = tmp_path / "bad.csv"
    roster.write_bytes(
        csv_file(
            [
                ["员工编号", "姓名", "岗位", "门店", "入职日期"],
                ["N1", "甲", "美容师", "SH99", "2026-01-01"],
                ["N1", "乙", "美容师", "SH01", "2026-13-40"],
            ],
            "gbk",
        )
    )
    page.locator('input[type="file"]').set_input_files(str(roster))
    wait_idle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text("Nothing was changed")).to_be_visible()
    table = page.locator('[data-testid="stDataFrame"]').last
    expect(table).to_be_visible()
    screenshot(page, "05-roster-errors")
    engine = make_engine(app.database_url)
    with read_session(engine) as session:
        assert session.scalar(select(Staff.id).where(Staff.employee_no == "N1")) is None
    engine.dispose()


def test_manager_sees_only_their_store_and_unknown_people_get_no_access(
    start_app, oidc_provider, new_page
):
    app = start_app(oidc=oidc_provider)
    page = new_page()
    sign_in(page, app.url, "manager")
    expect(page.get_by_role("heading", name="Hello, 张店长")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav").get_by_text("Users and roles")).to_have_count(0)
    open_page(page, "Org and staff")
    page.get_by_role("tab", name="Org tree").click()
    expect(page.get_by_test_id("stMain")).to_contain_text("(SH01-B)")
    body = page.get_by_test_id("stMain").inner_text()  # table cells are drawn on a canvas
    assert "SH01" in body and "BJ01" not in body and "SH02" not in body
    screenshot(page, "06-manager-org")

    stranger = new_page()
    sign_in(stranger, app.url, "stranger")
    expect(stranger.get_by_role("heading", name="No access yet")).to_be_visible()


def test_demo_mode_on_a_phone(start_app, new_page):
    app = start_app()
    page = new_page(phone=True)
    page.goto(app.url)
    wait_idle(page)
    expect(page.get_by_text("Demo mode").first).to_be_visible()
    expect(page.get_by_role("heading", name="Hello, 王敏")).to_be_visible()
    screenshot(page, "07-demo-home-phone")
