"""The engagement workbook and CSV: the view's numbers as numbers (also as LibreOffice reads
them), one row per unit, hidden units reduced to their name and the mark, safe text cells."""

import csv
import dataclasses
import io
import math
from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook

from ee_app.auth import system_actor
from ee_app.db import read_session
from ee_app.exports.engagement import engagement_csv, engagement_xlsx
from ee_app.exports.engagement_words import THEME_NAMES
from ee_app.instruments.pulse import THEMES
from ee_app.models import UnitLevel
from ee_app.services.results import engagement_view
from ee_app.services.users import actor_for_email
from tests.helpers import libreoffice_csv

WAVE = "pulse-2026-10"
TODAY = date(2026, 11, 26)
MANAGER = "manager.sh01@demo.example"
MARK = {"en": "fewer than 5", "zh-CN": "少于5人"}
#: Sheet-1 columns after code and name, as the view names them ("previous": the wave the
#: change is measured against, text, from the row's previous_name and previous_wave).
#: Each estimate is followed by its bounds.
NUMBERS = [
    "n",
    *(f"{estimate}{end}" for estimate in ("index", "favourable", "enps", "change")
      for end in ("", "_low", "_high")),
    "previous",
    "percentile",
]  # fmt: skip


def view_of(engine, actor=None, **options):
    with read_session(engine) as session:
        return engagement_view(session, actor or system_actor("test"), WAVE, **options)


def book(data):
    return load_workbook(io.BytesIO(data))


def body(sheet, rows):
    return [list(r) for r in sheet.iter_rows(min_row=2, max_row=rows + 1, values_only=True)]


def csv_rows(data):
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def since(unit):
    """The text the files show for the wave a unit's change is measured against."""
    code, name = unit["previous_wave"], unit["previous_name"]
    if not isinstance(code, str):
        return None
    return code if name in (None, code) else f"{name} ({code})"


def finite(value):
    return value is not None and not (isinstance(value, float) and math.isnan(value))


@pytest.mark.parametrize(
    ("language", "sheets", "words", "themes"),
    [
        (
            "zh-CN",
            ["结果", "维度", "说明"],
            ["门店代码", "回复人数", "敬业度指数", "认同率", "员工净推荐值 (eNPS)", "变化"],
            ["明确期望", "工具与物料", "发挥所长", "认可表扬", "被关心", "成长支持"],
        ),
        (
            "en",
            ["Results", "Themes", "About"],
            ["Store code", "Respondents (n)", "Engagement index", "% favourable", "eNPS"],
            ["Clear expectations", "Tools and materials", "Using strengths", "Recognition"],
        ),
    ],
)
def test_sheets_and_headers_in_both_languages(engine, demo, language, sheets, words, themes):
    view = view_of(engine)
    workbook = book(engagement_xlsx(view, language, TODAY))
    assert workbook.sheetnames == sheets
    results, theme_sheet, about = workbook.worksheets
    header = [c.value for c in results[1]]
    assert len(header) == 2 + len(NUMBERS)
    for word in words:
        assert any(word in h for h in header), word
    low, high = ("区间下限", "区间上限") if language == "zh-CN" else ("95% low", "95% high")
    assert sum(low in h for h in header) == sum(high in h for h in header) == 4
    assert results.freeze_panes == "A2" and results.auto_filter.ref.startswith("A1:Q")
    assert [c.value for c in theme_sheet[1]][2:] == [THEME_NAMES[language][t] for t in THEMES]
    assert [c.value for c in theme_sheet[1]][2 : 2 + len(themes)] == themes
    facts = {row[0]: row[1] for row in about.iter_rows(values_only=True) if row[0]}
    assert WAVE in facts.values() and view.wave_name in facts.values()
    # Every store of the demo's chain-wide waves compares with the chain-wide wave before.
    assert [code for code, _ in view.previous_waves] == ["pulse-2026-09"]
    assert set(view.rows["previous_wave"]) == {"pulse-2026-09"}
    assert since(view.rows.iloc[0]) in facts.values()
    assert TODAY in [v.date() if hasattr(v, "date") else v for v in facts.values()]
    assert round(view.alpha[0], 6) in [round(v, 6) for v in facts.values() if type(v) is float]
    notes = " ".join(str(c.value) for c in about["B"] if isinstance(c.value, str))
    for word in ("1–5", "4–5", "9–10", "0–6", "95%", MARK[language]):
        assert word in notes


@pytest.mark.parametrize("level", [UnitLevel.REGION, UnitLevel.STORE, UnitLevel.TEAM])
def test_one_row_per_unit_with_the_views_numbers(engine, demo, level):
    view = view_of(engine, level=level)
    sheet = book(engagement_xlsx(view, "en", TODAY)).worksheets[0]
    rows = body(sheet, len(view.rows))
    assert sheet.max_row == len(view.rows) + 1
    assert [r[0] for r in rows] == list(view.rows["code"])
    assert [r[1] for r in rows] == list(view.rows["name"])
    for row, expected in zip(rows, view.rows.to_dict("records"), strict=True):
        if expected["hidden"]:
            continue
        assert row[2] == int(expected["n"]) and isinstance(row[2], int)
        for value, column in zip(row[2:], NUMBERS, strict=True):
            if column == "previous":
                assert value == since(expected) and value
            elif finite(expected[column]):
                assert value == pytest.approx(expected[column], rel=1e-12, abs=1e-12), column
            else:
                assert value is None, column
    index = sheet.cell(row=2, column=4)
    assert index.number_format == "0.00" and sheet.cell(row=2, column=7).number_format == "0.0%"
    assert sheet.cell(row=2, column=3).number_format == "0"


def test_hidden_units_carry_the_mark_and_nothing_else(engine, demo):
    view = view_of(engine, level=UnitLevel.TEAM)
    hidden = view.rows[view.rows["hidden"]]
    assert 0 < len(hidden) < len(view.rows), "the demo has small teams and large ones"
    data = engagement_xlsx(view, "zh-CN", TODAY)
    workbook = book(data)
    results, themes = workbook.worksheets[:2]
    units = len(view.rows)
    for r, (row, unit) in enumerate(
        zip(body(results, units), view.rows.to_dict("records"), strict=True), start=2
    ):
        if unit["hidden"]:
            assert row[:3] == [unit["code"], unit["name"], "少于5人"]
            assert row[3:] == [None] * (len(row) - 3)
            fills = {results.cell(row=r, column=c).fill.fgColor.rgb for c in (1, 3, 16)}
            assert fills == {"00E7E6E6"}
        else:
            assert isinstance(row[2], int) and results.cell(row=r, column=3).fill.fgColor.rgb in (
                "00000000",
                None,
            )
    # The themes sheet: means, then a second block of the n behind each mean.
    means = body(themes, units)
    counts_at = units + 5  # header, units, blank, title, header
    counts = [
        list(r)
        for r in themes.iter_rows(
            min_row=counts_at, max_row=counts_at + units - 1, values_only=True
        )
    ]
    assert [r[0] for r in counts] == [r[0] for r in means] == list(view.rows["code"])
    cells = view.themes.set_index(["unit_id", "theme"])
    for mean_row, n_row, unit in zip(means, counts, view.rows.to_dict("records"), strict=True):
        for theme, mean, n in zip(THEMES, mean_row[2:], n_row[2:], strict=True):
            shown = not unit["hidden"] and not cells.loc[(unit["unit_id"], theme), "hidden"]
            if shown:
                assert mean == pytest.approx(cells.loc[(unit["unit_id"], theme), "mean"])
                assert n == int(cells.loc[(unit["unit_id"], theme), "n"]) >= view.k
            else:
                assert mean == n == "少于5人"
        if unit["hidden"]:
            assert set(mean_row[2:]) == set(n_row[2:]) == {"少于5人"}
    # The CSV: the same rows, the mark in the n column, every number empty.
    rows = csv_rows(engagement_csv(view, "zh-CN"))
    assert len(rows) == units + 1 and "回复人数" in rows[0]
    for row, unit in zip(rows[1:], view.rows.to_dict("records"), strict=True):
        assert row[:2] == [unit["code"], unit["name"]]
        if unit["hidden"]:
            assert row[2:] == ["少于5人"] + [""] * (len(NUMBERS) - 1)
        else:
            assert int(row[2]) == unit["n"]
            # The index is blank where one of its themes is hidden (fewer than k answers).
            assert row[3] == ("" if pd.isna(unit["index"]) else str(round(unit["index"], 2)))


def test_a_filter_that_hides_every_store_still_exports(engine, demo):
    """A filtered view whose slices are all withheld has no score columns at all."""
    view = view_of(engine, dim="role", value="nurse")
    assert view.rows["hidden"].all()
    workbook = book(engagement_xlsx(view, "en", TODAY))
    rows = body(workbook.worksheets[0], len(view.rows))
    assert {r[2] for r in rows} == {"fewer than 5"} and all(set(r[3:]) == {None} for r in rows)
    facts = {r[0]: r[1] for r in workbook.worksheets[2].iter_rows(values_only=True) if r[0]}
    assert facts["Filter"] == "role = nurse"
    assert facts["Of which hidden"] == facts["Units in this file"] == len(view.rows)
    assert {r[2] for r in csv_rows(engagement_csv(view, "en"))[1:]} == {"fewer than 5"}


def test_a_manager_file_holds_their_units_only(engine, demo):
    with read_session(engine) as session:
        manager = actor_for_email(session, MANAGER)
    view = view_of(engine, manager, level=UnitLevel.TEAM)
    assert set(view.rows["code"]) == {"SH01-B", "SH01-M", "SH01-F"}
    sheet = book(engagement_xlsx(view, "en", TODAY)).worksheets[0]
    assert [r[0] for r in body(sheet, 3)] == list(view.rows["code"])
    text = engagement_csv(view, "en").decode("utf-8-sig")
    assert "SH02" not in text and "上海徐汇店" not in text


def test_libreoffice_shows_the_same_numbers_as_the_view(engine, demo, tmp_path):
    view = view_of(engine, level=UnitLevel.TEAM)
    data = engagement_xlsx(view, "en", TODAY)
    sheet = libreoffice_csv(data, tmp_path, sheet=1)
    assert len(sheet) == len(view.rows) + 1
    for row, unit in zip(sheet[1:], view.rows.to_dict("records"), strict=True):
        assert row[:2] == [unit["code"], unit["name"]]
        if unit["hidden"]:
            assert row[2:] == ["fewer than 5"] + [""] * (len(NUMBERS) - 1)
            continue
        for text, column in zip(row[2:], NUMBERS, strict=True):
            if column == "previous":
                assert text == since(unit)
                continue
            expected = unit[column]
            if not finite(expected):
                assert text == "", column
                continue
            shown = float(text.rstrip("%")) / 100 if text.endswith("%") else float(text)
            assert round(shown, 2) == round(expected, 2), (unit["code"], column, text)
    # The themes sheet: the means as LibreOffice reads them.
    (tmp_path / "themes").mkdir()  # the helper reads the first CSV of its folder
    themes = libreoffice_csv(data, tmp_path / "themes", sheet=2)
    cells = view.themes.set_index(["unit_id", "theme"])
    for row, unit in zip(themes[1 : len(view.rows) + 1], view.rows.to_dict("records"), strict=True):
        for theme, text in zip(THEMES, row[2:], strict=True):
            if unit["hidden"] or cells.loc[(unit["unit_id"], theme), "hidden"]:
                assert text == "fewer than 5"
            else:
                mean = cells.loc[(unit["unit_id"], theme), "mean"]
                assert round(float(text), 2) == round(mean, 2)


def test_a_name_that_looks_like_a_formula_stays_text(engine, demo, tmp_path):
    view = view_of(engine)
    rows = view.rows.copy()
    rows.loc[0, "name"] = "=1+1"
    rows.loc[1, "code"] = "+SH02"
    view = dataclasses.replace(view, rows=rows)
    data = engagement_xlsx(view, "en", TODAY)
    workbook = book(data)
    for sheet in workbook.worksheets[:2]:
        name, code = sheet.cell(row=2, column=2), sheet.cell(row=3, column=1)
        assert (name.value, name.data_type, name.quotePrefix) == ("=1+1", "s", True)
        assert (code.value, code.data_type, code.quotePrefix) == ("+SH02", "s", True)
    shown = libreoffice_csv(data, tmp_path, sheet=1)
    assert shown[1][1] == "=1+1" and shown[2][0] == "+SH02"
    rows = csv_rows(engagement_csv(view, "en"))
    assert rows[1][1] == "'=1+1" and rows[2][0] == "'+SH02"
    assert rows[1][3] == str(round(view.rows.loc[0, "index"], 2))


def test_negative_numbers_stay_numbers_in_the_csv(engine, demo):
    view = view_of(engine)
    rows = csv_rows(engagement_csv(view, "en"))
    negatives = [v for row in rows[1:] for v in row[2:] if v.startswith("-")]
    assert negatives and all(float(v) < 0 for v in negatives)  # no apostrophe added


def test_an_unknown_language_is_refused(engine, demo):
    view = view_of(engine)
    with pytest.raises(ValueError, match="language"):
        engagement_xlsx(view, "fr", TODAY)
    with pytest.raises(ValueError, match="language"):
        engagement_csv(view, "fr")


def test_each_row_names_the_wave_its_change_is_measured_against(
    engine, db_url, monkeypatch, tmp_path, capsys
):
    """After a pilot (issue 16): the CSV, the workbook and ``ee-app report`` say per store
    which wave its change is against — the pilot for its two stores, the chain-wide wave
    before it for the others."""
    from ee_app.cli import main
    from tests.services import pilot_chain as pc

    pc.build(engine)
    with read_session(engine) as session:
        view = engagement_view(session, system_actor("test"), pc.C)
    since = {
        s: "Wave B (pb-2026-09)" if s in pc.PILOT else "Wave A (pa-2026-08)" for s in pc.STORES
    }
    rows = csv_rows(engagement_csv(view, "en"))
    column = rows[0].index("Change since wave")
    assert rows[0][column - 1] == "Change vs previous wave: 95% high"
    assert {r[0]: r[column] for r in rows[1:]} == since
    change = rows[0].index("Change vs previous wave")
    assert {r[0]: r[change] for r in rows[1:]} == {  # 24/6 − 19/6 and 24/6 − 13/6, by hand
        s: "0.83" if s in pc.PILOT else "1.83" for s in pc.STORES
    }
    workbook = book(engagement_xlsx(view, "en", TODAY))
    assert {r[0]: r[column] for r in body(workbook.worksheets[0], len(pc.STORES))} == since
    facts = {r[0]: r[1] for r in workbook.worksheets[2].iter_rows(values_only=True) if r[0]}
    assert "Wave B (pb-2026-09); Wave A (pa-2026-08)" in facts["Compared with wave"]
    monkeypatch.setenv("EE_DATABASE_URL", db_url)
    monkeypatch.setenv("EE_LANG", "en")
    monkeypatch.setenv("EE_SECRET_KEY", "ab" * 32)
    monkeypatch.setenv("EE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("EE_ENV", raising=False)
    out = tmp_path / "c.csv"
    assert main(["report", "engagement", "--wave", pc.C, "--by", "store", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"Change since wave {pc.A}: 3 units." in said
    assert f"Change since wave {pc.B}: 2 units." in said
    assert out.read_bytes() == engagement_csv(view, "en")
