"""How two measures go together: a scatter with its fitted band, and correlations on their
intervals."""

from __future__ import annotations

import altair as alt
import pandas as pd

_R_AXIS = alt.Axis(values=[-1, -0.5, 0, 0.5, 1], format=".1f")  # correlations, −1 to 1


def scatter_band(
    points: pd.DataFrame,
    band: pd.DataFrame,
    *,
    x: str,
    y: str,
    label: str,
    n: str,
    x_title: str,
    y_title: str,
    label_title: str,
    y_format: str = ".0%",
) -> alt.LayerChart:
    """One dot per unit (``x`` against ``y``, the unit's name and n in the tooltip), with the
    fitted line and its confidence band from ``band`` (columns ``x``, ``fit``, ``low``,
    ``high``; empty for too few units, then only the dots are drawn)."""
    zero = alt.Scale(zero=False, nice=True)
    dots = (
        alt.Chart(points)
        .mark_circle(size=70, color="#1565c0", opacity=0.8)
        .encode(
            x=alt.X(f"{x}:Q", title=x_title, scale=zero),
            y=alt.Y(f"{y}:Q", title=y_title, scale=zero, axis=alt.Axis(format=y_format)),
            tooltip=[
                alt.Tooltip(f"{label}:N", title=label_title),
                alt.Tooltip(f"{x}:Q", title=x_title, format=".2f"),
                alt.Tooltip(f"{y}:Q", title=y_title, format=y_format),
                alt.Tooltip(f"{n}:Q", title="n"),
            ],
        )
    )
    if band.empty:
        return (dots + dots.mark_text(dy=-10, fontSize=10).encode(text=f"{label}:N")).properties(
            height=340
        )
    base = alt.Chart(band).encode(x=alt.X("x:Q", scale=zero))
    area = base.mark_area(opacity=0.15, color="#1565c0").encode(
        y=alt.Y("low:Q", scale=zero), y2="high:Q"
    )
    line = base.mark_line(color="#1565c0").encode(y=alt.Y("fit:Q", scale=zero))
    return (area + line + dots).properties(height=340)


def correlation_bars(
    frame: pd.DataFrame,
    *,
    label: str,
    r: str,
    low: str,
    high: str,
    n: str,
    significant: str,
    label_title: str,
    r_title: str,
    legend_title: str,
    significant_names: tuple[str, str],
    low_title: str,
    high_title: str,
) -> alt.LayerChart:
    """A correlation per row (e.g. per engagement theme) as a dot on its interval, sorted,
    filled when it holds after adjustment for multiple comparisons, hollow otherwise.
    ``low_title`` and ``high_title`` name the interval's ends in the tooltip."""
    order = frame.sort_values(r, ascending=False)[label].tolist()
    data = frame.assign(
        _kind=[significant_names[0] if s else significant_names[1] for s in frame[significant]]
    )
    base = alt.Chart(data).encode(
        y=alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
        tooltip=[
            alt.Tooltip(f"{label}:N", title=label_title),
            alt.Tooltip(f"{r}:Q", title=r_title, format=".2f"),
            alt.Tooltip(f"{low}:Q", title=low_title, format=".2f"),
            alt.Tooltip(f"{high}:Q", title=high_title, format=".2f"),
            alt.Tooltip(f"{n}:Q", title="n"),
        ],
    )
    scale = alt.Scale(domain=[-1, 1])
    bars = base.mark_rule(strokeWidth=3, color="#90caf9").encode(
        # Five ticks: the default 21 of them ran into each other ("−1.0−0.9").
        x=alt.X(f"{low}:Q", title=r_title, scale=scale, axis=_R_AXIS),
        x2=f"{high}:Q",
    )
    dots = base.mark_point(size=70, filled=True).encode(
        x=alt.X(f"{r}:Q", scale=scale),
        shape=alt.Shape(
            "_kind:N",
            title=legend_title,
            sort=list(significant_names),
            scale=alt.Scale(domain=list(significant_names), range=["circle", "circle"]),
        ),
        fill=alt.Fill(
            "_kind:N",
            title=legend_title,
            sort=list(significant_names),
            scale=alt.Scale(domain=list(significant_names), range=["#1565c0", "white"]),
            legend=alt.Legend(orient="bottom"),
        ),
        stroke=alt.value("#1565c0"),  # a hollow dot keeps its outline on the bar
        strokeWidth=alt.value(1.5),
    )
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#9e9e9e").encode(x="x:Q")
    return (zero + bars + dots).properties(height=alt.Step(22))
