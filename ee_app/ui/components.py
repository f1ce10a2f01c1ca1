"""Small page components shared across pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from ee_app.errors import EeError, Problem, ValidationError
from ee_app.services.org import UnitRow
from ee_app.services.outcomes import CSAT_MONTHS, DEFAULT_CSAT_MONTHS
from ee_app.words.labels import level_label

__all__ = ["XLSX_MIME", "error_box", "problems_frame", "unit_option_label"]

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def unit_option_label(unit: UnitRow, gettext: Callable[[str], str]) -> str:
    indent = "\u2003" * max(unit.depth, 0)
    return f"{indent}{unit.name} ({unit.code}) · {level_label(unit.level, gettext)}"


def problems_frame(problems: Sequence[Problem], gettext: Callable[[str], str]) -> pd.DataFrame:
    """One row per problem: where it is and what is wrong, in the reader's language (and
    which sheet, for a workbook of several)."""
    sheets = {gettext("Sheet"): [p.sheet or "" for p in problems]}
    return pd.DataFrame(
        {
            **(sheets if any(p.sheet for p in problems) else {}),
            gettext("Row"): [p.row if p.row is not None else "" for p in problems],
            gettext("Column"): [p.column or "" for p in problems],
            gettext("Problem"): [gettext(p.message).format(**p.params) for p in problems],
        }
    )


def error_box(error: EeError, gettext: Callable[[str], str]) -> None:
    """Show an error; a validation error's problems as a table the user can sort and scan."""
    if isinstance(error, ValidationError) and error.problems:
        st.error(EeError.render(error, gettext), icon=":material/error:")
        st.dataframe(problems_frame(error.problems, gettext), hide_index=True, width="stretch")
    else:
        st.error(error.render(gettext), icon=":material/error:")


def csat_window_select(column, _: Callable[[str], str], *, key: str, help: str) -> int:  # type: ignore[no-untyped-def]
    """The choice of the per-staff CSAT window (1, 3 or 6 months, 3 first), as the outcomes
    page and a pay run offer it; ``help`` says what the window feeds there."""
    return column.selectbox(
        _("CSAT over the last"),
        list(CSAT_MONTHS),
        index=CSAT_MONTHS.index(DEFAULT_CSAT_MONTHS),
        format_func=lambda m: _("The month only") if m == 1 else _("{n} months").format(n=m),
        key=key,
        help=help,
    )
