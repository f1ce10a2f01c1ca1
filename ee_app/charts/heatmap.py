"""The units × themes heatmap: a diverging colour per cell, hidden cells in grey."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ee_app.charts.hidden import HIDDEN_FILL, HIDDEN_TEXT


def theme_heatmap(
    frame: pd.DataFrame,
    *,
    unit: str,
    theme: str,
    value: str,
    n: str,
    hidden: str,
    unit_title: str,
    theme_title: str,
    value_title: str,
    hidden_mark: str,
    value_format: str = ".1f",
    domain: tuple[float, float] = (1.0, 5.0),
    units: list[str] | None = None,
    themes: list[str] | None = None,
) -> alt.LayerChart:
    """Units (rows) × themes (columns) coloured by ``value`` on a diverging scale centred in
    ``domain``; each cell shows its value. Cells where ``hidden`` is true are grey and show
    ``hidden_mark`` instead, so that hidden never looks like low.

    ``units`` and ``themes`` give the order of the rows and columns (default: as they come).
    """
    data = frame.assign(_hidden=frame[hidden].astype(bool), _mark=hidden_mark)
    low, high = domain
    middle = (low + high) / 2
    base = alt.Chart(data).encode(
        x=alt.X(
            f"{theme}:N",
            sort=themes or list(dict.fromkeys(frame[theme])),
            title=None,
            axis=alt.Axis(orient="top", labelAngle=-40, labelOverlap=False, labelLimit=180),
        ),
        y=alt.Y(
            f"{unit}:N",
            sort=units or list(dict.fromkeys(frame[unit])),
            title=None,
            axis=alt.Axis(labelLimit=300),
        ),
    )
    shown = base.transform_filter("!datum._hidden")
    cells = shown.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            f"{value}:Q",
            title=value_title,
            scale=alt.Scale(scheme="redyellowblue", domain=[low, high], domainMid=middle),
            legend=alt.Legend(format=value_format, orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip(f"{unit}:N", title=unit_title),
            alt.Tooltip(f"{theme}:N", title=theme_title),
            alt.Tooltip(f"{value}:Q", title=value_title, format=value_format),
            alt.Tooltip(f"{n}:Q", title="n"),
        ],
    )
    strong = f"abs(datum['{value}'] - {middle}) > {0.32 * (high - low)}"
    numbers = shown.mark_text(fontSize=11).encode(
        text=alt.Text(f"{value}:Q", format=value_format),
        color=alt.condition(strong, alt.value("white"), alt.value("black")),
    )
    covered = base.transform_filter("datum._hidden")
    blanks = covered.mark_rect(fill=HIDDEN_FILL, stroke="white", strokeWidth=1).encode(
        tooltip=[
            alt.Tooltip(f"{unit}:N", title=unit_title),
            alt.Tooltip(f"{theme}:N", title=theme_title),
            alt.Tooltip("_mark:N", title=value_title),
        ]
    )
    marks = covered.mark_text(fontSize=10, fontStyle="italic", color=HIDDEN_TEXT).encode(
        text="_mark:N"
    )
    return (cells + numbers + blanks + marks).properties(height=alt.Step(24))
