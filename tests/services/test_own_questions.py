"""HR's own questions reported (issue 18): on the results view, in the exports and from
``ee-app report engagement``, with the same answer-level suppression as the 12 themes, and
never in the engagement index. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ee_app.auth import system_actor
from ee_app.cli import main
from ee_app.db import read_session, write_session
from ee_app.exports.engagement import engagement_csv, engagement_xlsx
from ee_app.models import InstrumentVersion, SurveyWave, UnitLevel
from ee_app.services import instruments
from ee_app.services.results import engagement_view
from tests.services import comment_chain as cc

X1_EN, X1_ZH = cc.OWN[0]
X2_EN = cc.OWN[1][0]


@pytest.fixture
def chain(engine):
    return cc.build(engine)


def view(engine, level=UnitLevel.STORE, who=None):
    with read_session(engine) as session:
        return engagement_view(session, who or cc.hr(), cc.WAVE, level=level)


def own_of(the_view):
    own = the_view.own.merge(the_view.rows[["unit_id", "code"]], on="unit_id")
    return own.set_index(["code", "slot"])


def test_own_questions_on_the_view_with_answer_level_suppression(engine, chain):
    """x1 in CS3 rests on 2 answers (< k = 3): hidden there, and in CS4 too (secondary: else
    CR2 − CS4 = CS3); x2 is shown everywhere. CS's x1 by hand: T1 and T2 5, 4, 5, 4; T3 5, 4,
    5, 4, 5: 59 / 13; all 4 or 5, so 100% favourable."""
    stores = own_of(view(engine))
    assert stores.loc[("CS3", "x1"), "hidden"] and stores.loc[("CS4", "x1"), "hidden"]
    assert stores.loc[("CS3", "x1")][["n", "mean", "mean_low", "favourable"]].isna().all()
    assert not stores.xs("x2", level="slot")["hidden"].any()
    cs = stores.loc[("CS", "x1")]
    assert (cs["n"], cs["mean"], cs["favourable"]) == (13, pytest.approx(59 / 13), 1.0)
    assert 1 <= cs["mean_low"] < cs["mean"] < cs["mean_high"] <= 5
    assert (cs["text_en"], cs["text_zh"]) == (X1_EN, X1_ZH)
    assert stores["change"].isna().all()  # no earlier wave asked these questions
    # Not derivable: every store of CR2 hides x1, so "CR2 minus the shown stores" is all of it.
    regions = own_of(view(engine, UnitLevel.REGION))
    assert regions.loc[("CR2", "x1"), "n"] == 6
    shown_in_cr2 = stores.loc[[("CS3", "x1"), ("CS4", "x1")], "n"].dropna()
    assert shown_in_cr2.empty
    # The index leaves own questions out: core answers are 2 + i % 4 for person i of each
    # place, own answers differ (5 − i % 2, 1 + i % 5), so an index that took them in would
    # move. CS3 (i = 0…3): 2, 3, 4, 5; CS2 (i = 0, 1, 2): 2, 3, 4.
    rows = view(engine).rows.set_index("code")
    assert rows.loc["CS3", "index"] == pytest.approx(3.5)
    assert rows.loc["CS3", "favourable"] == pytest.approx(0.5)
    assert rows.loc["CS2", "index"] == pytest.approx(3.0)


def test_a_wave_without_own_questions_shows_nothing_new(engine):
    cc.build(engine, own=False)
    the_view = view(engine)
    assert the_view.own.empty
    data = engagement_csv(the_view, "en").decode("utf-8-sig")
    assert X1_EN not in data
    book = load_workbook(io.BytesIO(engagement_xlsx(the_view, "en", date(2026, 11, 20))))
    assert "Own questions" not in book.sheetnames


def own_in_files(the_view, language):
    text = X1_EN if language == "en" else X1_ZH
    book = load_workbook(io.BytesIO(engagement_xlsx(the_view, language, date(2026, 11, 20))))
    sheet = book.worksheets[2]
    rows = {(r[0], r[2]): r for r in sheet.iter_rows(min_row=2, values_only=True)}
    mark = "fewer than 3" if language == "en" else "少于3人"
    assert rows[("CS3", text)][3:] == (mark, *([None] * 7))
    assert rows[("CS4", text)][3] == mark
    assert rows[("CS", text)][3] == pytest.approx(59 / 13)
    assert rows[("CS", text)][7] == 13
    table = list(csv.reader(io.StringIO(engagement_csv(the_view, language).decode("utf-8-sig"))))
    header, body = table[0], {r[0]: r for r in table[1:]}
    mean = header.index(f"{text}: {'Mean' if language == 'en' else '平均分'}")
    assert body["CS3"][mean : mean + 5] == [""] * 5
    assert float(body["CS"][mean]) == pytest.approx(round(59 / 13, 2))
    assert body["CS"][mean + 4] == "13"


def test_own_questions_in_the_files_and_the_report_command(
    engine, chain, db_url, monkeypatch, tmp_path, capsys
):
    the_view = view(engine)
    for language in ("en", "zh-CN"):
        own_in_files(the_view, language)
    monkeypatch.setenv("EE_DATABASE_URL", db_url)
    monkeypatch.setenv("EE_LANG", "en")
    out = tmp_path / "report.csv"
    code = main(["report", "engagement", "--wave", cc.WAVE, "--by", "store", "--out", str(out)])
    assert code == 0
    said = capsys.readouterr().out
    assert "4 units; hidden: 0" in said
    assert "2 own questions, in the file; hidden: 2 unit figures" in said
    assert X2_EN in out.read_bytes().decode("utf-8-sig")


def welch(before, after):
    from scipy import stats

    test = stats.ttest_ind(after, before, equal_var=False)
    low, high = test.confidence_interval(0.95)
    return (sum(after) / len(after) - sum(before) / len(before), low, high)


def test_a_change_only_against_the_same_question(engine, chain):
    """Wave 2 asks the same two questions (x1 two points lower); wave 3 asks "I can park near
    work." again, now in slot x1, and a new question in x2. A change is shown where the
    previous wave asked the same text, whatever its slot (scipy's Welch interval on CS's
    people), never for the new question, and never where either wave hides the question."""
    with read_session(engine) as session:
        first = session.scalar(select(SurveyWave.instrument_id).where(SurveyWave.code == cc.WAVE))
    people = [i for n in (4, 4, 5) for i in range(n)]  # CS: T1, T2, T3
    cc.run_wave(engine, "cw-2026-12", date(2026, 12, 1), first, cc.SKIPS_X1, shift=2)
    stores = own_of(view_of(engine, "cw-2026-12")).xs("CS", level="code")
    before = [5 - i % 2 for i in people]
    change = welch(before, [v - 2 for v in before])
    assert tuple(stores.loc["x1", ["change", "change_low", "change_high"]]) == pytest.approx(change)
    assert stores.loc["x2", "change"] == pytest.approx(0.0)
    hidden = own_of(view_of(engine, "cw-2026-12")).loc[("CS3", "x1")]
    assert hidden["hidden"] and hidden[["change", "change_low", "change_high"]].isna().all()

    with write_session(engine) as session:
        base = session.scalar(select(InstrumentVersion.id).where(InstrumentVersion.version == 1))
        third = instruments.add_custom_items(
            session, system_actor("t"), base, [cc.OWN[1], ("A new question.", "新题目。")]
        ).id
    cc.run_wave(engine, "cw-2027-01", date(2027, 1, 4), third, {})
    stores = own_of(view_of(engine, "cw-2027-01")).xs("CS", level="code")
    assert stores.loc["x1", "text_en"] == cc.OWN[1][0]
    park_before = [1 + i % 5 for i in people]  # wave 2's x2
    park_now = [5 - i % 2 for i in people]  # wave 3's x1
    assert tuple(stores.loc["x1", ["change", "change_low", "change_high"]]) == pytest.approx(
        welch(park_before, park_now)
    )
    assert stores.loc["x2", ["change", "change_low", "change_high"]].isna().all()


def view_of(engine, wave):
    with read_session(engine) as session:
        return engagement_view(session, cc.hr(), wave)
