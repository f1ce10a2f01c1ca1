"""A measure over ordered points (e.g. waves) with its interval as a band; hidden points
leave a gap and say why."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ee_app.charts.hidden import HIDDEN_TEXT


def _texts(values: pd.Series, spec: str) -> list[str]:
    """Numbers as tooltip text, a missing one as a dash (never Vega's "null")."""
    return ["—" if pd.isna(v) else format(float(v), spec).replace("-", "−") for v in values]


def trend_band(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    low: str,
    high: str,
    n: str,
    hidden: str,
    mark: str,
    x_title: str,
    y_title: str,
    low_title: str,
    high_title: str,
) -> alt.LayerChart:
    """A line over ordered points (e.g. waves, in the frame's order) with its interval as a
    band, each point labelled "n = …". Rows where ``hidden`` is true leave a gap in the line
    and the band and show the text of column ``mark`` at the top of the chart instead.
    """
    data = frame.assign(
        _hidden=frame[hidden].astype(bool),
        _text=[
            "" if hide or pd.isna(count) else f"n = {int(count)}"
            for hide, count in zip(frame[hidden], frame[n], strict=True)
        ],
        # Tooltips as text: Vega shows a missing number as "null" (an interval of one
        # answer has no ends), a reader should see a dash.
        **{f"_{c}_text": _texts(frame[c], ".2f") for c in (y, low, high)},
        _n_text=_texts(frame[n], ".0f"),
    )
    order = list(dict.fromkeys(frame[x]))
    base = alt.Chart(data).encode(
        x=alt.X(f"{x}:O", sort=order, title=x_title, axis=alt.Axis(labelAngle=0))
    )
    scale = alt.Scale(zero=False, nice=True)
    band = base.mark_area(opacity=0.18).encode(
        y=alt.Y(f"{low}:Q", title=y_title, scale=scale), y2=alt.Y2(f"{high}:Q")
    )
    tooltip = [
        alt.Tooltip(f"{x}:O", title=x_title),
        alt.Tooltip(f"_{y}_text:N", title=y_title),
        alt.Tooltip(f"_{low}_text:N", title=low_title),
        alt.Tooltip(f"_{high}_text:N", title=high_title),
        alt.Tooltip("_n_text:N", title="n"),
    ]
    line = base.mark_line(point=alt.OverlayMarkDef(size=50)).encode(
        y=alt.Y(f"{y}:Q", scale=scale), tooltip=tooltip
    )
    labels = base.mark_text(dy=-12, fontSize=11).encode(y=alt.Y(f"{y}:Q"), text="_text:N")
    gaps = (
        base.transform_filter("datum._hidden")
        .mark_text(fontSize=11, fontStyle="italic", color=HIDDEN_TEXT)
        .encode(y=alt.value(10), text=f"{mark}:N")
    )
    return (band + line + labels + gaps).properties(height=260)
