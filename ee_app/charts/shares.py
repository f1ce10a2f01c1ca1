"""Charts of shares (0–1): bars per row, one bar split into parts, dots on their intervals,
and raw against shrunken rates, each labelled with the n it rests on."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

_LOG_TICKS = [m * 10**e for e in range(6) for m in (1, 2, 5)]  # 1, 2, 5, 10, 20, 50, …


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
