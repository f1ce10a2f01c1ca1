"""The screens' tables, drawn alike: the full width, no index, an empty cell left blank. A
long one (a row per person, store or unit) is at most fifteen rows tall and then scrolls, so
that what follows it stays in reach."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

__all__ = ["data_table"]

ROWS_SHOWN = 15
ROW_PX, HEADER_PX = 35, 38  # Streamlit's row and header heights


def data_table(
    frame: pd.DataFrame, column_config: Mapping[str, Any], *, long: bool = False
) -> None:
    """``frame`` as a table with ``column_config`` (keyed by the column's header); ``long``
    caps its height at fifteen rows."""
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        height=min(len(frame), ROWS_SHOWN) * ROW_PX + HEADER_PX if long else "auto",
        placeholder="",
        column_config=column_config,
    )
