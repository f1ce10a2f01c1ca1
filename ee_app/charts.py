"""Altair chart builders: a DataFrame and the labels in the reader's language in, a chart out.

Pages decide what to show and translate the titles; builders only draw. Every chart labels
its marks with n, because every number in ee-app shows how many people it rests on.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

__all__ = ["rate_bars"]


def rate_bars(
    frame: pd.DataFrame, *, label: str, rate: str, n: str, label_title: str, rate_title: str
) -> alt.LayerChart:
    """Horizontal bars of a share (0–1) per row, sorted, each bar labelled "n = …".

    ``frame`` has the columns named by ``label`` (the bar's name), ``rate`` and ``n``.
    """
    data = frame.assign(_text=[f"n = {v}" for v in frame[n]])
    base = alt.Chart(data).encode(
        y=alt.Y(f"{label}:N", sort="-x", title=None),
        x=alt.X(
            f"{rate}:Q", title=rate_title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
        ),
        tooltip=[
            alt.Tooltip(f"{label}:N", title=label_title),
            alt.Tooltip(f"{rate}:Q", title=rate_title, format=".0%"),
            alt.Tooltip(f"{n}:Q", title="n"),
        ],
    )
    bars = base.mark_bar()
    texts = base.mark_text(align="left", dx=4).encode(text="_text:N")
    return (bars + texts).properties(height=alt.Step(24))
