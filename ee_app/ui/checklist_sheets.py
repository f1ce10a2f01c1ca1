"""The editor's tables of the checklist editor: the checklist's head (key, names,
descriptions) and its sections, items and options as editable tables headed with the
workbook's own words, and the definition they make together.

The tables are the workbook's sheets (:mod:`ee_app.instruments.checklist_tables`), so a
checklist edited here and one uploaded from Excel are read by the same code
(:func:`ee_app.instruments.checklist_from_tables.from_tables`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from ee_app.errors import ValidationError
from ee_app.instruments.checklist import validate
from ee_app.instruments.checklist_from_tables import from_tables
from ee_app.instruments.checklist_tables import (
    FLAGS,
    SHEETS,
    TYPE_WORDS,
    Tables,
    parse_flag,
    to_tables,
)

__all__ = ["definition_of", "head_fields", "sheet_editors"]

Gettext = Callable[[str], str]

_TABLES = ("sections", "items", "options")


def _label(language: str) -> Callable[[str, str], str]:
    """Columns as the editor heads them: the workbook's own words in the reader's language."""

    def label(sheet: str, key: str) -> str:
        return SHEETS[sheet].field(key).label(language)

    return label


def _col(sheet: str, key: str, language: str) -> str:
    return SHEETS[sheet].field(key).label(language)


def _frames(definition: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The editor's starting tables: Y/N as ticks, types as their codes."""
    tables = to_tables(definition)
    frames = {}
    for name in _TABLES:
        keys = [f.key for f in SHEETS[name].fields]
        rows = getattr(tables, name)
        if name == "items":
            for row in rows:
                row.update({flag: parse_flag(row[flag]) is True for flag in FLAGS})
                row["type"] = next((k for k, w in TYPE_WORDS.items() if w[0] == row["type"]), "")
        frame = pd.DataFrame(rows, columns=keys)
        if name == "items":
            frame = frame.astype({flag: bool for flag in FLAGS})
        frames[name] = frame
    return frames


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def head_fields(gen: int, definition: dict[str, Any], language: str, _: Gettext) -> dict[str, Any]:
    name, description = definition.get("name") or {}, definition.get("description") or {}
    left, right = st.columns(2)
    key = left.text_input(
        _col("checklist", "key", language),
        value=definition.get("key", ""),
        key=f"ee_ck_{gen}_key",
        help=_(
            "Lower-case letters, digits, - or _. Keep the key for a new version of this "
            "checklist; a new key makes a new checklist."
        ),
    )
    mark = definition.get("pass_mark")
    pass_mark = right.number_input(
        _("Pass mark (%)"),
        min_value=0.0,
        max_value=100.0,
        value=None if mark is None else float(mark) * 100,
        step=5.0,
        key=f"ee_ck_{gen}_pass",
        help=_("Leave empty for no pass mark."),
    )
    left, right = st.columns(2)
    name_en = left.text_input(
        _col("checklist", "name_en", language), value=name.get("en", ""), key=f"ee_ck_{gen}_name_en"
    )
    name_zh = right.text_input(
        _col("checklist", "name_zh", language),
        value=name.get("zh-CN", ""),
        key=f"ee_ck_{gen}_name_zh",
    )
    description_en = left.text_area(
        _col("checklist", "description_en", language),
        value=description.get("en", ""),
        key=f"ee_ck_{gen}_desc_en",
    )
    description_zh = right.text_area(
        _col("checklist", "description_zh", language),
        value=description.get("zh-CN", ""),
        key=f"ee_ck_{gen}_desc_zh",
    )
    return {
        "key": key,
        "version": definition.get("version", 1),
        "name_en": name_en,
        "name_zh": name_zh,
        "description_en": description_en,
        "description_zh": description_zh,
        "pass_mark": None if not pass_mark else pass_mark / 100,
    }


def _editor(name: str, frame: pd.DataFrame, gen: int, config: dict[str, Any], language: str):  # type: ignore[no-untyped-def]
    labels = {f.key: st.column_config.Column(f.label(language)) for f in SHEETS[name].fields}
    return st.data_editor(
        frame,
        key=f"ee_ck_{gen}_{name}",
        num_rows="dynamic",
        hide_index=True,
        placeholder="",
        width="stretch",
        column_config=labels | config,
    )


def sheet_editors(
    gen: int, definition: dict[str, Any], language: str, _: Gettext
) -> dict[str, pd.DataFrame]:
    frames = _frames(definition)
    st.markdown("**{}**".format(SHEETS["sections"].label(language)))
    sections = _editor(
        "sections",
        frames["sections"],
        gen,
        {
            "weight": st.column_config.NumberColumn(
                _col("sections", "weight", language), min_value=0.0
            )
        },
        language,
    )
    st.markdown("**{}**".format(SHEETS["items"].label(language)))
    section_ids = [s for s in sections["id"].dropna().astype(str) if s]
    kinds = {
        "yes_no": _("Yes/no"),
        "scale": _("Scale 1–5"),
        "choice": _("Choice"),
        "text": _("Text (not scored)"),
    }
    items = _editor(
        "items",
        frames["items"],
        gen,
        {
            "section": st.column_config.SelectboxColumn(
                _col("items", "section", language), options=section_ids
            ),
            "type": st.column_config.SelectboxColumn(
                _col("items", "type", language), options=list(kinds), format_func=kinds.__getitem__
            ),
            "points": st.column_config.NumberColumn(
                _col("items", "points", language), min_value=0, max_value=100, step=1
            ),
            **{
                flag: st.column_config.CheckboxColumn(_col("items", flag, language))
                for flag in FLAGS
            },
        },
        language,
    )
    st.markdown("**{}**".format(_("Options (for choice items)")))
    choice_ids = [str(i) for i, t in zip(items["id"], items["type"], strict=False) if t == "choice"]
    options = _editor(
        "options",
        frames["options"],
        gen,
        {
            "item": st.column_config.SelectboxColumn(
                _col("options", "item", language), options=choice_ids
            ),
            "credit": st.column_config.NumberColumn(
                _col("options", "credit", language), min_value=0.0, max_value=1.0, step=0.05
            ),
        },
        language,
    )
    return {"sections": sections, "items": items, "options": options}


def definition_of(head: dict[str, Any], frames: dict[str, pd.DataFrame], language: str):  # type: ignore[no-untyped-def]
    """The definition on screen and its problems, named as the editor names things."""
    tables = Tables(checklist=[head], numbers={"checklist": [1]})
    for name in _TABLES:
        rows = _records(frames[name])
        setattr(tables, name, rows)
        tables.numbers[name] = list(range(1, len(rows) + 1))
    definition, problems = from_tables(
        tables, label=_label(language), sheet_name=lambda key: SHEETS[key].label(language)
    )
    if not problems:
        try:
            validate(definition)
        except ValidationError as error:
            problems = error.problems
    return definition, problems
