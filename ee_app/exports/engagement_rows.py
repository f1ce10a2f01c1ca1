"""What the engagement files show of a view: its figures per unit, theme and own question,
with every hidden unit and cell reduced to nothing but the mark.

A hidden unit keeps its code and name; its size, scores and theme values are dropped here,
before any sheet or CSV is written, so no file can show them, not even as a cell that looks
empty. The columns of the "Results" table and their number formats are listed here once.
"""

from __future__ import annotations

import math
from typing import Any

from ee_app.exports.xlsx import PERCENT_FORMAT
from ee_app.services.results import EngagementView

__all__ = [
    "CHANGE_FORMAT",
    "COLUMNS",
    "INDEX_FORMAT",
    "OWN_PARTS",
    "WHOLE_FORMAT",
    "number",
    "own_cells",
    "own_questions",
    "theme_cells",
    "unit_records",
    "wave_label",
]

INDEX_FORMAT = "0.00"
CHANGE_FORMAT = "+0.00;-0.00;0.00"
WHOLE_FORMAT = "0"

#: Sheet-1 columns: the view's column, and its number format in the workbook.
COLUMNS: tuple[tuple[str, str], ...] = (
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


def number(value: Any) -> float | None:
    """A finite number, or None for NaN, None and anything else."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def wave_label(code: Any, name: Any) -> str | None:
    """“name (code)”, the code alone where the name says no more, None for no wave."""
    if not isinstance(code, str) or not code:
        return None
    return code if not isinstance(name, str) or name in ("", code) else f"{name} ({code})"


def unit_records(view: EngagementView) -> list[dict[str, Any]]:
    """The view's rows as dicts; a hidden row keeps only its code and name."""
    records = []
    for row in view.rows.to_dict("records"):
        hidden = bool(row.get("hidden", True))
        record: dict[str, Any] = {"code": row["code"], "name": row["name"], "hidden": hidden}
        if not hidden:
            record.update({c: number(row.get(c)) for c, _ in COLUMNS})
            record["previous"] = wave_label(row.get("previous_wave"), row.get("previous_name"))
            if record["n"] is not None:
                record["n"] = int(record["n"])
        records.append(record)
    return records


def theme_cells(view: EngagementView) -> dict[tuple[int, str], tuple[float, int] | None]:
    """(unit id, theme) → (mean, n), or None where the cell is hidden."""
    cells: dict[tuple[int, str], tuple[float, int] | None] = {}
    themes = view.themes
    if themes.empty:
        return cells
    for row in themes.to_dict("records"):
        mean, n = number(row.get("mean")), number(row.get("n"))
        key = (int(row["unit_id"]), str(row["theme"]))
        if bool(row.get("hidden", True)) or mean is None or n is None:
            cells[key] = None
        else:
            cells[key] = (mean, int(n))
    return cells


OWN_PARTS = ("mean", "mean_low", "mean_high", "favourable", "n")


def own_questions(view: EngagementView, language: str) -> list[tuple[str, str]]:
    """(slot, text in ``language``) of the wave's own questions, in order."""
    own = view.own
    if own is None or own.empty:
        return []
    column = "text_zh" if language == "zh-CN" else "text_en"
    first = own.drop_duplicates("slot")
    return list(zip(first["slot"], first[column], strict=True))


def own_cells(view: EngagementView) -> dict[tuple[int, str], dict[str, Any] | None]:
    """(unit id, slot) → its published figures, or None where hidden."""
    cells: dict[tuple[int, str], dict[str, Any] | None] = {}
    for row in view.own.to_dict("records") if view.own is not None else ():
        key = (int(row["unit_id"]), str(row["slot"]))
        if bool(row.get("hidden", True)) or number(row.get("mean")) is None:
            cells[key] = None
            continue
        cells[key] = {
            c: number(row.get(c)) for c in (*OWN_PARTS, "change", "change_low", "change_high")
        }
        cells[key]["n"] = int(cells[key]["n"] or 0)
    return cells
