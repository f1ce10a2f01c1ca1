"""Engagement results as files: a workbook for HR and managers, and the same table as CSV.

Both read an :class:`~ee_app.services.results.EngagementView`, so they show exactly what the
screens show to the same reader: the units in their scope, with every hidden unit (fewer than
k respondents, hidden to protect a smaller group, or a filtered group that the exclusion rule
withholds) reduced to its code, its name and the mark "fewer than k". A hidden unit's size,
scores and theme values never reach the file, not even as an empty-looking cell.

The workbook has three sheets: the results per unit (numbers as numbers with number formats,
95% intervals beside each score, and beside the change the wave it is measured against: each
unit's own previous wave, which may differ from unit to unit), the twelve themes per unit
(means, then the number of answers behind each mean), and an "About" sheet saying what was
exported and how to read it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ee_app.config import LANGUAGES
from ee_app.exports.safe import csv_bytes
from ee_app.exports.xlsx import (
    HEADER_FILL,
    PERCENT_FORMAT,
    add_table_sheet,
    set_value,
    workbook_bytes,
)
from ee_app.instruments.pulse import THEMES
from ee_app.services.results import EngagementView

__all__ = ["THEME_NAMES", "engagement_csv", "engagement_xlsx"]

#: Short names of the twelve themes, in :data:`ee_app.instruments.pulse.THEMES` order.
THEME_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "expectations": "Clear expectations",
        "resources": "Tools and materials",
        "strengths": "Using strengths",
        "recognition": "Recognition",
        "care": "Someone cares",
        "development": "Development",
        "voice": "Opinions count",
        "purpose": "Meaningful work",
        "quality": "Quality-minded colleagues",
        "friendship": "Close colleague",
        "progress": "Progress talks",
        "growth": "Learning and growth",
    },
    "zh-CN": {
        "expectations": "明确期望",
        "resources": "工具与物料",
        "strengths": "发挥所长",
        "recognition": "认可表扬",
        "care": "被关心",
        "development": "成长支持",
        "voice": "意见被重视",
        "purpose": "工作意义",
        "quality": "同事重质量",
        "friendship": "知心同事",
        "progress": "进步反馈",
        "growth": "学习成长",
    },
}

HIDDEN_FILL = PatternFill("solid", fgColor="E7E6E6")
INDEX_FORMAT = "0.00"
CHANGE_FORMAT = "+0.00;-0.00;0.00"
WHOLE_FORMAT = "0"

#: Sheet-1 columns: the view's column, and its number format in the workbook.
_COLUMNS: tuple[tuple[str, str], ...] = (
    ("n", WHOLE_FORMAT),
    ("index", INDEX_FORMAT),
    ("index_low", INDEX_FORMAT),
    ("index_high", INDEX_FORMAT),
    ("favourable", PERCENT_FORMAT),
    ("favourable_low", PERCENT_FORMAT),
    ("favourable_high", PERCENT_FORMAT),
    ("enps", WHOLE_FORMAT),
    ("enps_low", WHOLE_FORMAT),
    ("enps_high", WHOLE_FORMAT),
    ("change", CHANGE_FORMAT),
    ("change_low", CHANGE_FORMAT),
    ("change_high", CHANGE_FORMAT),
    ("previous", "General"),  # text: the wave the change is measured against
    ("percentile", WHOLE_FORMAT),
)
#: Decimals kept in the CSV, which has no number formats (favourable there is in percent).
_CSV_DECIMALS = {"index": 2, "favourable": 1, "enps": 0, "change": 2, "percentile": 0, "n": 0}

_TEXT: dict[str, dict[str, str]] = {
    "zh-CN": {
        "results": "结果",
        "themes": "维度",
        "own": "自定义题目",
        "question": "题目",
        "mean": "平均分",
        "answers": "回答人数",
        "own_change": "变化（较上期同一题目）",
        "read_own": (
            "自定义题目：本期问卷中HR自行添加的题目，1–5分，不计入敬业度指数和认同率；"
            "回答少于{k}人（或为保护更小的群体）时留空。只有上一期问过完全相同的题目时才显示变化。"
        ),
        "about": "说明",
        "hidden": "少于{k}人",
        "code": "{level}代码",
        "name": "{level}",
        "n": "回复人数",
        "index": "敬业度指数",
        "favourable": "认同率",
        "enps": "员工净推荐值 (eNPS)",
        "change": "变化（较上期）",
        "since": "变化对比的调研批次",
        "percentile": "高于同级其他单位的比例（%）",
        "low": "{metric} 区间下限",
        "percent": "（%）",
        "high": "{metric} 区间上限",
        "theme_n": "各维度回答人数",
        "theme_n_suffix": "{theme}（人数）",
        "level_region": "区域",
        "level_store": "门店",
        "level_team": "小组",
        "level_brand": "品牌",
        "dim_role": "岗位",
        "dim_band": "司龄段",
        "none": "无",
        "wave_code": "调研批次代码",
        "wave_name": "调研批次名称",
        "level": "汇总层级",
        "filter": "筛选",
        "k": "匿名保护门槛（最少人数）k",
        "k_comments": "留言显示门槛（最少人数）k_c",
        "previous": "对比的上一期",
        "previous_own": "各单位对比其自身的上一期（同一方式、覆盖该单位的最近一期）",
        "alpha": "信度（Cronbach's alpha，全期）",
        "alpha_low": "信度 区间下限",
        "alpha_high": "信度 区间上限",
        "alpha_n": "信度所用回复数",
        "units": "本文件中的单位数",
        "hidden_units": "其中不显示",
        "generated": "生成日期",
        "how": "如何阅读",
        "read_index": (
            "敬业度指数：对12个敬业度维度题目所有回答的平均分；"
            "1–5分（非常不同意=1，非常同意=5）。任一维度被隐藏时，指数和认同率一并隐藏。"
        ),
        "read_favourable": "认同率：回答“同意”或“非常同意”（4–5分）的占比。",
        "read_enps": (
            "员工净推荐值 (eNPS)：推荐者（9–10分）占比减去贬损者（0–6分）占比，范围 −100 到 100。"
        ),
        "read_interval": (
            "区间为95%置信区间：人数越少，区间越宽。变化的区间跨过0时，这一变化可能只是偶然。"
            "变化是与该单位自己的上一期相比：同一方式（匿名或实名保密）、问到该单位全体人员的最近一期，"
            "见“变化对比的调研批次”列；各单位的上一期可能不同。"
            "“高于同级其他单位的比例”是本品牌同一层级的其他单位中指数低于该单位的比例（持平算一半），"
            "没有其他同级单位时留空；没有外部常模。"
        ),
        "read_hidden": (
            "“少于{k}人”表示该单位不显示任何数字：回复少于{k}人，或为保护另一个更小的群体而隐藏"
            "（否则可由上级总数减去其他单位推算出来），或筛选后的群体或门店其余人员少于{k}人。"
            "空白格表示没有可比较的数据或该项单独隐藏。"
        ),
    },
    "en": {
        "results": "Results",
        "themes": "Themes",
        "own": "Own questions",
        "question": "Question",
        "mean": "Mean",
        "answers": "Answers (n)",
        "own_change": "Change vs the same question last wave",
        "read_own": "Own questions: the questions HR added to this wave's questionnaire, on "
        "the 1–5 scale; they are not part of the engagement index or % favourable. A cell is "
        "empty where fewer than {k} answered (or to protect a smaller group). A change is shown "
        "only where the unit's previous wave asked exactly the same question.",
        "about": "About",
        "hidden": "fewer than {k}",
        "code": "{level} code",
        "name": "{level}",
        "n": "Respondents (n)",
        "index": "Engagement index",
        "favourable": "% favourable",
        "enps": "eNPS",
        "change": "Change vs previous wave",
        "since": "Change since wave",
        "percentile": "Better than (% of the other units of this level)",
        "low": "{metric}: 95% low",
        "percent": "",
        "high": "{metric}: 95% high",
        "theme_n": "Answers per theme (n)",
        "theme_n_suffix": "{theme} (n)",
        "level_region": "Region",
        "level_store": "Store",
        "level_team": "Team",
        "level_brand": "Brand",
        "dim_role": "role",
        "dim_band": "tenure band",
        "none": "none",
        "wave_code": "Wave code",
        "wave_name": "Wave name",
        "level": "Level",
        "filter": "Filter",
        "k": "Anonymity threshold (k)",
        "k_comments": "Comment threshold (k_c)",
        "previous": "Compared with wave",
        "previous_own": "each unit's own previous wave of the same mode that asked it",
        "alpha": "Cronbach's alpha (whole wave)",
        "alpha_low": "Cronbach's alpha: 95% low",
        "alpha_high": "Cronbach's alpha: 95% high",
        "alpha_n": "Responses used for alpha",
        "units": "Units in this file",
        "hidden_units": "Of which hidden",
        "generated": "Generated on",
        "how": "How to read it",
        "read_index": "Engagement index: the average of every answer to the 12 engagement "
        "theme questions, on the 1–5 scale (1 strongly disagree, 5 strongly agree). Where one "
        "theme is hidden, the index and % favourable are hidden with it.",
        "read_favourable": "% favourable: the share of answers of 4–5 (agree or strongly agree).",
        "read_enps": "eNPS: % promoters (9–10) minus % detractors (0–6), from −100 to 100.",
        "read_interval": "Intervals are 95%: the fewer respondents, the wider. A change whose "
        "interval crosses 0 may be chance. A change is against the unit's own previous wave: the "
        "most recent one of the same mode (anonymous or confidential) that asked the whole unit, "
        "named in the “Change since wave” column; units may differ. “Better than” is the share "
        "of the other units of the same level in this chain with a lower index (a tie counts "
        "half), blank where there is no other; there are no outside norms.",
        "read_hidden": "“fewer than {k}” means the unit shows no numbers: fewer than {k} "
        "answered, or it is hidden to protect a smaller group (which could otherwise be worked "
        "out by subtraction from the total above it), or a filtered group or the rest of its "
        "store is below {k}. An empty cell means there is nothing to compare with, or that one "
        "score alone is hidden.",
    },
}

_VALUE_NAMES = {
    "zh-CN": {
        "beautician": "美容师",
        "consultant": "咨询师",
        "doctor": "医生",
        "nurse": "护士",
        "front_desk": "前台",
        "store_manager": "店长",
        "lt1": "不满1年",
        "1to3": "1–3年",
        "3to5": "3–5年",
        "5plus": "5年以上",
    },
    "en": {
        "front_desk": "front desk",
        "store_manager": "store manager",
        "lt1": "under 1 year",
        "1to3": "1–3 years",
        "3to5": "3–5 years",
        "5plus": "5 years or more",
    },
}


def _text(language: str) -> dict[str, str]:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    return _TEXT[language]


def _number(value: Any) -> float | None:
    """A finite number, or None for NaN, None and anything else."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _header(view: EngagementView, text: dict[str, str]) -> list[str]:
    level = text[f"level_{view.level.value}"]
    labels = {"n": text["n"], "percentile": text["percentile"], "previous": text["since"]}
    for metric in ("index", "favourable", "enps", "change"):
        labels[metric] = text[metric]
        labels[f"{metric}_low"] = text["low"].format(metric=text[metric])
        labels[f"{metric}_high"] = text["high"].format(metric=text[metric])
    return [text["code"].format(level=level), level, *(labels[c] for c, _ in _COLUMNS)]


def _wave_label(code: Any, name: Any) -> str | None:
    """“name (code)”, the code alone where the name says no more, None for no wave."""
    if not isinstance(code, str) or not code:
        return None
    return code if not isinstance(name, str) or name in ("", code) else f"{name} ({code})"


def _records(view: EngagementView) -> list[dict[str, Any]]:
    """The view's rows as dicts; a hidden row keeps only its code and name."""
    records = []
    for row in view.rows.to_dict("records"):
        hidden = bool(row.get("hidden", True))
        record: dict[str, Any] = {"code": row["code"], "name": row["name"], "hidden": hidden}
        if not hidden:
            record.update({c: _number(row.get(c)) for c, _ in _COLUMNS})
            record["previous"] = _wave_label(row.get("previous_wave"), row.get("previous_name"))
            if record["n"] is not None:
                record["n"] = int(record["n"])
        records.append(record)
    return records


def _table(view: EngagementView, text: dict[str, str]) -> list[list[Any]]:
    mark = text["hidden"].format(k=view.k)
    rows = []
    for record in _records(view):
        if record["hidden"]:
            rows.append([record["code"], record["name"], mark, *([None] * (len(_COLUMNS) - 1))])
        else:
            rows.append([record["code"], record["name"], *(record[c] for c, _ in _COLUMNS)])
    return rows


def _grey(sheet: Worksheet, row: int, columns: int) -> None:
    for column in range(1, columns + 1):
        sheet.cell(row=row, column=column).fill = HIDDEN_FILL


def _results_sheet(book: Workbook, view: EngagementView, text: dict[str, str]) -> None:
    header = _header(view, text)
    rows = _table(view, text)
    formats = {i + 2: fmt for i, (_, fmt) in enumerate(_COLUMNS)}
    sheet = add_table_sheet(book, text["results"], header, rows, formats=formats, first=True)
    for r, record in enumerate(_records(view), start=2):
        if record["hidden"]:
            _grey(sheet, r, len(header))
            sheet.cell(row=r, column=3).number_format = "General"
    previous = 3 + [c for c, _ in _COLUMNS].index("previous")
    for c in range(3, len(header) + 1):  # numbers are short; the headers wrap instead
        sheet.column_dimensions[get_column_letter(c)].width = 24 if c == previous else 12
    sheet.row_dimensions[1].height = 45


def _theme_cells(view: EngagementView) -> dict[tuple[int, str], tuple[float, int] | None]:
    """(unit id, theme) → (mean, n), or None where the cell is hidden."""
    cells: dict[tuple[int, str], tuple[float, int] | None] = {}
    themes = view.themes
    if themes.empty:
        return cells
    for row in themes.to_dict("records"):
        mean, n = _number(row.get("mean")), _number(row.get("n"))
        key = (int(row["unit_id"]), str(row["theme"]))
        if bool(row.get("hidden", True)) or mean is None or n is None:
            cells[key] = None
        else:
            cells[key] = (mean, int(n))
    return cells


def _themes_sheet(book: Workbook, view: EngagementView, language: str) -> None:
    text = _TEXT[language]
    names = THEME_NAMES[language]
    mark = text["hidden"].format(k=view.k)
    level = text[f"level_{view.level.value}"]
    header = [text["code"].format(level=level), level, *(names[t] for t in THEMES)]
    cells = _theme_cells(view)
    units = view.rows.to_dict("records")

    def block(part: int) -> list[list[Any]]:
        rows = []
        for unit in units:
            row: list[Any] = [unit["code"], unit["name"]]
            for theme in THEMES:
                cell = None if unit.get("hidden", True) else cells.get((unit["unit_id"], theme))
                row.append(mark if cell is None else cell[part])
            rows.append(row)
        return rows

    means = block(0)
    formats = {c: INDEX_FORMAT for c in range(2, len(header))}
    sheet = add_table_sheet(book, text["themes"], header, means, formats=formats)
    # The n of each cell, in a second block below the means, unit for unit.
    title_row = len(units) + 3
    title = sheet.cell(row=title_row, column=1)
    set_value(title, text["theme_n"])
    title.font = Font(bold=True)
    n_header = [
        header[0],
        header[1],
        *(text["theme_n_suffix"].format(theme=names[t]) for t in THEMES),
    ]
    for c, label in enumerate(n_header, start=1):
        cell = sheet.cell(row=title_row + 1, column=c)
        set_value(cell, label)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for r, row in enumerate(block(1), start=title_row + 2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            set_value(cell, value)
            if c > 2 and not isinstance(value, str):
                cell.number_format = WHOLE_FORMAT
    for first in (2, title_row + 2):
        for r in range(first, first + len(units)):
            for c in range(3, len(header) + 1):
                cell = sheet.cell(row=r, column=c)
                if isinstance(cell.value, str):  # the mark: a hidden cell
                    cell.fill = HIDDEN_FILL
                    cell.number_format = "General"
    for c in range(3, len(header) + 1):
        sheet.column_dimensions[get_column_letter(c)].width = 12
    sheet.row_dimensions[1].height = 45
    sheet.row_dimensions[title_row + 1].height = 45


_OWN_PARTS = ("mean", "mean_low", "mean_high", "favourable", "n")
_OWN_FORMATS = (INDEX_FORMAT, INDEX_FORMAT, INDEX_FORMAT, PERCENT_FORMAT, WHOLE_FORMAT)


def _questions(view: EngagementView, language: str) -> list[tuple[str, str]]:
    """(slot, text in ``language``) of the wave's own questions, in order."""
    own = view.own
    if own is None or own.empty:
        return []
    column = "text_zh" if language == "zh-CN" else "text_en"
    first = own.drop_duplicates("slot")
    return list(zip(first["slot"], first[column], strict=True))


def _own_cells(view: EngagementView) -> dict[tuple[int, str], dict[str, Any] | None]:
    """(unit id, slot) → its published figures, or None where hidden."""
    cells: dict[tuple[int, str], dict[str, Any] | None] = {}
    for row in view.own.to_dict("records") if view.own is not None else ():
        key = (int(row["unit_id"]), str(row["slot"]))
        if bool(row.get("hidden", True)) or _number(row.get("mean")) is None:
            cells[key] = None
            continue
        cells[key] = {
            c: _number(row.get(c)) for c in (*_OWN_PARTS, "change", "change_low", "change_high")
        }
        cells[key]["n"] = int(cells[key]["n"] or 0)
    return cells


def _own_sheet(book: Workbook, view: EngagementView, language: str) -> None:
    """One row per unit and own question: mean with its interval, % favourable, answers and
    the change since the same question in the unit's previous wave."""
    questions = _questions(view, language)
    if not questions:
        return
    text = _TEXT[language]
    mark = text["hidden"].format(k=view.k)
    level = text[f"level_{view.level.value}"]
    mean = text["mean"]
    header = [
        text["code"].format(level=level),
        level,
        text["question"],
        mean,
        text["low"].format(metric=mean),
        text["high"].format(metric=mean),
        text["favourable"],
        text["answers"],
        text["own_change"],
        text["low"].format(metric=text["change"]),
        text["high"].format(metric=text["change"]),
    ]
    cells = _own_cells(view)
    rows: list[list[Any]] = []
    for unit in view.rows.to_dict("records"):
        for slot, question in questions:
            cell = None if unit.get("hidden", True) else cells.get((unit["unit_id"], slot))
            if cell is None:
                rows.append([unit["code"], unit["name"], question, mark, *([None] * 7)])
            else:
                rows.append(
                    [
                        unit["code"],
                        unit["name"],
                        question,
                        *(cell[c] for c in _OWN_PARTS),
                        cell["change"],
                        cell["change_low"],
                        cell["change_high"],
                    ]
                )
    formats = {i + 3: f for i, f in enumerate(_OWN_FORMATS)}
    formats.update({8: CHANGE_FORMAT, 9: CHANGE_FORMAT, 10: CHANGE_FORMAT})
    sheet = add_table_sheet(book, text["own"], header, rows, formats=formats)
    for r, row in enumerate(rows, start=2):
        if isinstance(row[3], str):
            _grey(sheet, r, len(header))
            sheet.cell(row=r, column=4).number_format = "General"
    sheet.column_dimensions["C"].width = 48
    for c in range(4, len(header) + 1):
        sheet.column_dimensions[get_column_letter(c)].width = 12
    sheet.row_dimensions[1].height = 45


def _filter_text(view: EngagementView, language: str, text: dict[str, str]) -> str:
    if not view.dim:
        return text["none"]
    value = view.value or ""
    shown = _VALUE_NAMES[language].get(value, value)
    return f"{text.get(f'dim_{view.dim}', view.dim)} = {shown}"


def _previous_text(view: EngagementView, text: dict[str, str]) -> str:
    """The waves the changes are measured against: the one wave when every unit shares it,
    else each of them after the rule (the column beside the change says which is whose)."""
    waves = [_wave_label(code, name) or "" for code, name in view.previous_waves]
    if not waves:
        return text["none"]
    if len(waves) == 1:
        return waves[0]
    return f"{text['previous_own']}: {'; '.join(waves)}"


def _about_sheet(book: Workbook, view: EngagementView, language: str, generated_on: date) -> None:
    text = _TEXT[language]
    records = _records(view)
    alpha = view.alpha or (math.nan, math.nan, math.nan, 0)
    none = text["none"]
    facts: list[tuple[str, Any, str | None]] = [
        (text["wave_code"], view.wave_code, None),
        (text["wave_name"], view.wave_name, None),
        (text["level"], text[f"level_{view.level.value}"], None),
        (text["filter"], _filter_text(view, language, text), None),
        (text["k"], view.k, WHOLE_FORMAT),
        (text["k_comments"], view.k_comments, WHOLE_FORMAT),
        (text["previous"], _previous_text(view, text), None),
        (text["alpha"], _number(alpha[0]) if view.alpha else none, INDEX_FORMAT),
        (text["alpha_low"], _number(alpha[1]) if view.alpha else none, INDEX_FORMAT),
        (text["alpha_high"], _number(alpha[2]) if view.alpha else none, INDEX_FORMAT),
        (text["alpha_n"], int(alpha[3] or 0), WHOLE_FORMAT),
        (text["units"], len(records), WHOLE_FORMAT),
        (text["hidden_units"], sum(1 for r in records if r["hidden"]), WHOLE_FORMAT),
        (text["generated"], generated_on, None),
    ]
    about = book.create_sheet(text["about"])
    for r, (label, value, fmt) in enumerate(facts, start=1):
        head = about.cell(row=r, column=1)
        set_value(head, label)
        head.font = Font(bold=True)
        cell = about.cell(row=r, column=2)
        set_value(cell, value)
        if fmt and not isinstance(value, str):
            cell.number_format = fmt
        cell.alignment = Alignment(horizontal="left")
    first = len(facts) + 2
    head = about.cell(row=first, column=1)
    set_value(head, text["how"])
    head.font = Font(bold=True)
    notes = ("read_index", "read_favourable", "read_enps", "read_interval", "read_hidden")
    if _questions(view, language):
        notes += ("read_own",)
    for r, key in enumerate(notes, start=first):
        cell = about.cell(row=r, column=2)
        set_value(cell, text[key].format(k=view.k))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width = 32
    about.column_dimensions["B"].width = 90


def engagement_xlsx(view: EngagementView, language: str, generated_on: date) -> bytes:
    """The view as a workbook: "Results" (one row per unit), "Themes" (unit × 12 themes:
    means, then the n behind each), "Own questions" (unit × HR's own questions, when the
    wave has any), "About" (what was exported, thresholds, how to read it).

    Hidden units show only their code, their name and "fewer than k", on a grey fill.
    """
    text = _text(language)
    book = Workbook()
    _results_sheet(book, view, text)
    _themes_sheet(book, view, language)
    _own_sheet(book, view, language)
    _about_sheet(book, view, language, generated_on)
    return workbook_bytes(book)


def _csv_value(column: str, value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    metric = column.removesuffix("_low").removesuffix("_high")
    if metric == "favourable":
        value *= 100
    decimals = _CSV_DECIMALS[metric]
    return round(value) if decimals == 0 else round(value, decimals)


def engagement_csv(view: EngagementView, language: str) -> bytes:
    """The "Results" table as CSV (UTF-8 with a BOM): % favourable in percent, hidden units
    with "fewer than k" in the n column and nothing else. A wave with own questions adds,
    per question, its mean, interval, % favourable and answers (empty where hidden)."""
    text = _text(language)
    mark = text["hidden"].format(k=view.k)
    questions = _questions(view, language)
    cells = _own_cells(view)
    width = len(_COLUMNS) - 1 + len(questions) * len(_OWN_PARTS)
    rows: list[Sequence[Any]] = []
    for record, unit in zip(_records(view), view.rows.to_dict("records"), strict=True):
        if record["hidden"]:
            rows.append([record["code"], record["name"], mark, *([None] * width)])
            continue
        values = [_csv_value(c, record[c]) for c, _ in _COLUMNS]
        for slot, _question in questions:
            cell = cells.get((unit["unit_id"], slot))
            values += (
                [None] * len(_OWN_PARTS)
                if cell is None
                else [_own_csv(c, cell[c]) for c in _OWN_PARTS]
            )
        rows.append([record["code"], record["name"], *values])
    header = _header(view, text)
    for i, (column, _) in enumerate(_COLUMNS, start=2):
        if column.startswith("favourable"):
            header[i] += text["percent"]
    for _slot, question in questions:
        mean = f"{question}: {text['mean']}"
        header += [
            mean,
            text["low"].format(metric=mean),
            text["high"].format(metric=mean),
            f"{question}: {text['favourable']}{text['percent']}",
            f"{question}: {text['answers']}",
        ]
    return csv_bytes(header, rows)


def _own_csv(part: str, value: Any) -> Any:
    if value is None:
        return None
    if part == "favourable":
        return round(value * 100, 1)
    return int(value) if part == "n" else round(value, 2)
