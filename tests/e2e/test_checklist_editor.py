"""HR makes a checklist of their own in a real browser and a shopper fills it in on a phone.

HR downloads the blank template, fills in three sections in it (as a clerk would in Excel),
uploads it, opens it in the editor, types a section's weight into the sections table and the
checklist's key and names above it, checks it, looks at the phone preview and saves it;
schedules a visit with it; the shopper answers it on a phone and submits, and the stored
score is the one the checklist's weights give.
"""

import io
from fractions import Fraction
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from ee_app.db import make_engine, read_session
from ee_app.instruments.checklist_tables import SHEETS
from ee_app.models import ChecklistVersion, ShopVisit, VisitStatus
from tests.e2e.conftest import screenshot
from tests.e2e.streamlit_ui import close_options, open_page, sign_in, wait_idle

HEAD = ["my-checklist", 1, "Draft", "草稿", "To be named.", "待命名。", 0.8]
SECTIONS = [
    ["welcome", 1, "Welcome", "接待"],
    ["service", 2, "Service", "服务"],
    ["farewell", 1, "Farewell", "送客"],
]
# section, id, type, points, critical, N/A, comment on no, evidence, en, zh
ITEMS = [
    [
        "welcome",
        "greet",
        "是非题",
        2,
        "N",
        "N",
        "N",
        "N",
        "I was greeted at once.",
        "一进门就有人问候我。",
    ],
    ["welcome", "wait", "选择题", 3, "N", "N", "N", "N", "How long did I wait?", "我等了多久？"],
    [
        "service",
        "water",
        "评分题",
        4,
        "N",
        "N",
        "N",
        "N",
        "The water was just right.",
        "水温合适。",
    ],
    [
        "service",
        "towel",
        "yes_no",
        1,
        "否",
        "是",
        "N",
        "N",
        "A fresh towel was used.",
        "使用了干净毛巾。",
    ],
    ["farewell", "thanks", "是非题", 2, "N", "N", "N", "N", "Staff thanked me.", "员工向我道谢。"],
    ["farewell", "notes", "文字题", None, "N", "N", "N", "N", "Anything else", "其他情况"],
]
#: The height of a row (and of the header) of st.data_editor's grid, in CSS pixels.
ROW_PX = 35
OPTIONS = [
    ["wait", "none", 1, "Not at all", "没有等"],
    ["wait", "short", 0.5, "A few minutes", "等了几分钟"],
]
# greet yes (2/2), wait "A few minutes" (1.5/3) → welcome 3.5/5; water 4 (3/4), towel yes
# (1/1) → service 4/5; thanks no (0/2) → farewell 0. Weighted with farewell's weight typed
# as 2 in the editor: (0.7·1 + 0.8·2 + 0·2) / 5.
EXPECTED = (Fraction(7, 10) * 1 + Fraction(8, 10) * 2 + 0 * 2) / 5
EXPECTED_PERCENT = float(EXPECTED * 100)  # 46.0


def fill_blank(blank: bytes) -> bytes:
    """The blank template with the three sections typed in, as HR would in Excel."""
    book = load_workbook(io.BytesIO(blank))
    for key, rows in (
        ("checklist", [HEAD]),
        ("sections", SECTIONS),
        ("items", ITEMS),
        ("options", OPTIONS),
    ):
        sheet = book[SHEETS[key].title]
        sheet.delete_rows(2, sheet.max_row)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def show_tab(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Show a tab of the page (its content is drawn already: no run to wait for)."""
    page.get_by_role("tab", name=name, exact=True).click()
    expect(page.get_by_role("tabpanel", name=name, exact=True)).to_be_visible()


def grid_box(grid):  # type: ignore[no-untyped-def]
    """The bounding box of an ``st.data_editor`` once its rows are drawn (a grid first shows
    as a one-line placeholder)."""
    expect(grid.locator("canvas").first).to_be_visible()
    for _attempt in range(100):
        box = grid.bounding_box()
        if box and box["height"] > 3 * ROW_PX:
            return box
        grid.page.wait_for_timeout(100)
    raise AssertionError("the table was not drawn")


def type_into(panel, label: str, text: str) -> None:  # type: ignore[no-untyped-def]
    box = panel.get_by_role("textbox", name=label, exact=True)
    box.fill(text)
    box.press("Tab")
    wait_idle(panel.page)


def test_hr_builds_a_checklist_and_a_shopper_fills_it_in(
    start_app, oidc_provider, new_page, tmp_path
):
    app = start_app(oidc=oidc_provider)
    engine = make_engine(app.database_url)
    hr = new_page()
    sign_in(hr, app.url, "hr")
    open_page(hr, "Mystery shopping")
    show_tab(hr, "Checklists")
    panel = hr.get_by_role("tabpanel", name="Checklists")

    with hr.expect_download() as download:
        panel.get_by_role("button", name="Download a blank template").click()
    blank = Path(download.value.path()).read_bytes()
    upload = tmp_path / "front-desk.xlsx"
    upload.write_bytes(fill_blank(blank))
    panel.locator('input[type="file"]').set_input_files(str(upload))
    wait_idle(hr)
    expect(panel).to_contain_text("A new checklist “my-checklist”, version 1.")
    panel.get_by_role("button", name="Open in the editor").click()
    wait_idle(hr)

    # A cell of the sections table is typed in the app: farewell weighs 2, not 1.
    sections = hr.locator(".st-key-ee_ck_2_sections")
    # In the middle of the window: the app's header bar covers the top of it.
    sections.evaluate("e => e.scrollIntoView({block: 'center'})")
    box = grid_box(sections)
    # The grid is a canvas; its accessible table (out of sight) says what each cell holds.
    farewell_weight = sections.locator("tr", has_text="farewell").locator("td")
    for _attempt in range(3):  # a key sent while the canvas takes the focus can be lost
        hr.mouse.click(box["x"] + 60, box["y"] + ROW_PX * 1.5)  # the first section's id
        for key in ("ArrowDown", "ArrowDown", "ArrowRight", "Enter"):  # farewell's weight
            hr.keyboard.press(key)
        # The cell's editor opens over the grid: type only once it has the focus, and close
        # it only once it holds the typed value.
        cell_editor = hr.locator("input:focus, textarea:focus")
        expect(cell_editor).to_be_visible()
        hr.keyboard.press("ControlOrMeta+a")
        hr.keyboard.type("2")
        expect(cell_editor).to_have_value("2")
        hr.keyboard.press("Enter")
        wait_idle(hr)
        if farewell_weight.nth(1).inner_text() == "2":
            break
    expect(farewell_weight.nth(1)).to_have_text("2")
    # The head is typed in the app.
    type_into(panel, "Key", "front-desk")
    type_into(panel, "Name (English)", "Front desk")
    type_into(panel, "Name (Chinese)", "前台接待")
    panel.get_by_role("button", name="Check", exact=True).click()
    wait_idle(hr)
    expect(panel.get_by_text("No problems found.")).to_be_visible()
    expect(panel).to_contain_text("A new checklist “front-desk”, version 1.")
    panel.get_by_text("Preview the shopper's phone form").click()
    wait_idle(hr)
    preview = hr.locator(".st-key-ee_ck_preview")
    expect(preview).to_contain_text("How long did I wait?")
    expect(preview).to_contain_text("A few minutes")
    screenshot(hr, "40-checklist-editor-hr")
    panel.get_by_role("button", name="Save as new version").first.click()
    wait_idle(hr)
    expect(hr.get_by_text("Saved “front-desk” version 1.")).to_be_visible()

    with read_session(engine) as session:
        saved = session.scalars(
            select(ChecklistVersion).where(ChecklistVersion.key == "front-desk")
        ).one()
    assert saved.version == 1
    assert [(s["id"], s["weight"]) for s in saved.definition["sections"]] == [
        ("welcome", 1),
        ("service", 2),
        ("farewell", 2),  # typed in the sections table
    ]
    assert saved.definition["name"] == {"en": "Front desk", "zh-CN": "前台接待"}

    show_tab(hr, "Schedule")
    # Inside the schedule form nothing runs until "Schedule": pick without waiting for runs.
    form = hr.get_by_role("tabpanel", name="Schedule")
    form.get_by_role("combobox", name="Checklist", exact=True).click()
    hr.get_by_role("option", name="Front desk (v1)", exact=True).click()
    form.get_by_role("combobox", name="Stores", exact=True).click()
    hr.get_by_role("option", name="上海静安店 (SH01)", exact=True).click()
    close_options(hr)
    # The first shopper by name, 神秘顾客 A, is already chosen.
    hr.get_by_role("button", name="Schedule", exact=True).click()
    wait_idle(hr)
    expect(hr.get_by_text("1 visit scheduled for 神秘顾客 A.")).to_be_visible()

    with read_session(engine) as session:
        visit_id = session.scalar(select(ShopVisit.id).where(ShopVisit.template_id == saved.id))
    phone = new_page(phone=True)
    sign_in(phone, app.url, "shopper")
    phone.goto(f"{app.url}/my-visits")
    wait_idle(phone)
    phone.locator(f".st-key-visit_{visit_id}").get_by_role("button").click()
    wait_idle(phone)
    phone.get_by_role("textbox", name="Who served you").fill("小李")
    answers = {"greet": "Yes", "wait": "A few minutes", "water": "4", "towel": "Yes"}
    answers["thanks"] = "No"
    for item, answer in answers.items():
        box = phone.locator(f".st-key-item_{item}")
        box.scroll_into_view_if_needed()
        if item == "wait":
            box.get_by_text(answer, exact=True).click()
        else:
            box.get_by_role("radio", name=answer, exact=True).click()
        wait_idle(phone)
    screenshot(phone, "41-own-checklist-phone")
    phone.get_by_role("button", name="Submit for review").click()
    phone.get_by_role("button", name="Yes, submit").click()
    wait_idle(phone)
    expect(phone.get_by_text("submitted. Thank you!")).to_be_visible()

    with read_session(engine) as session:
        visit = session.get(ShopVisit, visit_id)
    assert visit.status is VisitStatus.SUBMITTED
    assert float(visit.score) == EXPECTED_PERCENT == 46.0
    assert visit.passed is False  # below the pass mark of 80 %
    engine.dispose()
