"""Altair chart builders: a DataFrame and the labels in the reader's language in, a chart out.

Pages decide what to show and translate the titles; builders only draw. Every chart labels
its marks with n, because every number in ee-app shows how many people it rests on.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

__all__ = [
    "correlation_bars",
    "interval_dots",
    "rate_bars",
    "scatter_band",
    "share_bar",
    "shrinkage_dots",
    "theme_heatmap",
    "trend_band",
]

HIDDEN_FILL = "#d9d9d9"  # hidden cells: grey, never a colour of the scale
HIDDEN_TEXT = "#595959"
_LOG_TICKS = [m * 10**e for e in range(6) for m in (1, 2, 5)]  # 1, 2, 5, 10, 20, 50, …
_R_AXIS = alt.Axis(values=[-1, -0.5, 0, 0.5, 1], format=".1f")  # correlations, −1 to 1


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


def share_bar(
    frame: pd.DataFrame,
    *,
    part: str,
    share: str,
    colors: dict[str, str],
    title: str,
    part_title: str,
    share_title: str,
) -> alt.LayerChart:
    """One horizontal bar split into parts (e.g. promoters, passives, detractors) in the order
    of ``colors``; each part wide enough is labelled with its share. ``title`` carries the n."""
    order = {name: position for position, name in enumerate(colors)}
    data = frame.assign(_order=[order.get(p, len(order)) for p in frame[part]], _row="")
    base = (
        alt.Chart(data, title=alt.Title(title, anchor="start", fontSize=13, fontWeight="normal"))
        .transform_stack(stack=share, as_=["_x0", "_x1"], groupby=[], sort=[{"field": "_order"}])
        .transform_calculate(_mid="(datum._x0 + datum._x1) / 2")
        .encode(y=alt.Y("_row:N", axis=None, title=None))
    )
    bars = base.mark_bar().encode(
        x=alt.X("_x0:Q", title=None, scale=alt.Scale(domain=[0, 1]), axis=None),
        x2="_x1:Q",
        color=alt.Color(
            f"{part}:N",
            title=None,
            sort=list(colors),
            scale=alt.Scale(domain=list(colors), range=list(colors.values())),
            legend=alt.Legend(orient="bottom", direction="vertical", title=None),
        ),
        tooltip=[
            alt.Tooltip(f"{part}:N", title=part_title),
            alt.Tooltip(f"{share}:Q", title=share_title, format=".0%"),
        ],
    )
    texts = (
        base.transform_filter(f"datum['{share}'] >= 0.08")
        .mark_text(color="white", fontWeight="bold")
        .encode(x="_mid:Q", text=alt.Text(f"{share}:Q", format=".0%"))
    )
    # A band step, not a fixed height: the bar keeps its size and the legend its room.
    return (bars + texts).properties(height=alt.Step(32))


def shrinkage_dots(
    frame: pd.DataFrame,
    *,
    label: str,
    n: str,
    raw: str,
    shrunk: str,
    label_title: str,
    n_title: str,
    rate_title: str,
    raw_title: str,
    shrunk_title: str,
) -> alt.LayerChart:
    """Each row's raw rate (hollow) and shrunken rate (filled) against its n, joined by a line:
    the smaller the n, the longer the line, so small samples are seen being pulled in.

    ``frame`` has the columns named by ``label`` (a person), ``n``, ``raw`` and ``shrunk``
    (shares, 0–1). The n axis is logarithmic: answers per person run from 1 to hundreds.
    """
    data = frame[[label, n, raw, shrunk]].rename(
        columns={label: "_label", n: "_n", raw: "_raw", shrunk: "_shrunk"}
    )
    # People with the same n would sit on one vertical line: spread them a little (the same
    # offsets on every draw), and keep the true n for the tooltip.
    spread = np.exp(((np.arange(len(data)) * 0.618034) % 1 - 0.5) * 0.16)
    data = data.assign(_x=data["_n"].to_numpy(dtype=float) * spread)
    kinds = [raw_title, shrunk_title]
    long = pd.concat(
        [
            data.assign(_kind=raw_title, _rate=data["_raw"]),
            data.assign(_kind=shrunk_title, _rate=data["_shrunk"]),
        ],
        ignore_index=True,
    )
    low, high = (float(data["_x"].min()), float(data["_x"].max())) if len(data) else (1.0, 10.0)
    ticks = [t for t in _LOG_TICKS if low / 1.2 <= t <= high * 1.2]
    x = alt.X(
        "_x:Q",
        title=n_title,
        scale=alt.Scale(type="log", domain=[low / 1.2, high * 1.2], nice=False),
        axis=alt.Axis(values=ticks, format="d"),
    )
    y_scale = alt.Scale(domain=[0, 1])
    tooltip = [
        alt.Tooltip("_label:N", title=label_title),
        alt.Tooltip("_n:Q", title=n_title),
        alt.Tooltip("_raw:Q", title=raw_title, format=".0%"),
        alt.Tooltip("_shrunk:Q", title=shrunk_title, format=".0%"),
    ]
    lines = (
        alt.Chart(data)
        .mark_rule(color="#9e9e9e", strokeWidth=1)
        .encode(x=x, y=alt.Y("_raw:Q", scale=y_scale), y2="_shrunk:Q", tooltip=tooltip)
    )
    dots = (
        alt.Chart(long)
        .mark_point(size=45, filled=False, strokeWidth=1.5, opacity=1)
        .encode(
            x=x,
            y=alt.Y("_rate:Q", title=rate_title, scale=y_scale, axis=alt.Axis(format="%")),
            color=alt.Color(
                "_kind:N",
                title=None,
                sort=kinds,
                scale=alt.Scale(domain=kinds, range=["#757575", "#1565c0"]),
                legend=alt.Legend(orient="bottom"),
            ),
            fill=alt.Fill(
                "_kind:N",
                sort=kinds,
                scale=alt.Scale(domain=kinds, range=["white", "#1565c0"]),
                legend=None,
            ),
            tooltip=tooltip,
        )
    )
    return (lines + dots).properties(height=320)


def interval_dots(
    frame: pd.DataFrame,
    *,
    label: str,
    rate: str,
    low: str,
    high: str,
    n: str,
    label_title: str,
    rate_title: str,
    interval_title: str,
) -> alt.LayerChart:
    """A share (0–1) per row as a dot on its interval bar, sorted, each labelled "n = …" to the
    right of its interval. Rows without a rate are left out by the caller.

    ``frame`` has the columns named by ``label``, ``rate``, ``low``, ``high`` and ``n``.
    """
    data = frame.assign(
        _text=[f"n = {int(v)}" for v in frame[n]],
        _interval=[f"{a:.0%} – {b:.0%}" for a, b in zip(frame[low], frame[high], strict=True)],
    )
    order = data.sort_values(rate, ascending=False, kind="stable")[label].tolist()
    x_scale = alt.Scale(domain=[0, 1])
    base = alt.Chart(data).encode(
        y=alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=240)),
        tooltip=[
            alt.Tooltip(f"{label}:N", title=label_title),
            alt.Tooltip(f"{rate}:Q", title=rate_title, format=".0%"),
            alt.Tooltip("_interval:N", title=interval_title),
            alt.Tooltip(f"{n}:Q", title="n"),
        ],
    )
    bars = base.mark_rule(strokeWidth=3, color="#90caf9").encode(
        x=alt.X(f"{low}:Q", title=rate_title, scale=x_scale, axis=alt.Axis(format="%")),
        x2=f"{high}:Q",
    )
    dots = base.mark_point(filled=True, size=60, color="#1565c0").encode(
        x=alt.X(f"{rate}:Q", scale=x_scale)
    )
    texts = base.mark_text(align="left", dx=6, fontSize=11).encode(
        x=alt.X(f"{high}:Q", scale=x_scale), text="_text:N"
    )
    return (bars + dots + texts).properties(height=alt.Step(24))


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
