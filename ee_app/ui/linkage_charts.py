"""Charts of one store's linkage view (kept beside its texts while :mod:`ee_app.charts` is
shared): the store against the chain's quartiles, one strip per measure, and the store's
trend beside the chain's median. Builders only draw: a DataFrame and translated titles in.

Axis labels never repeat: each axis's ticks are at least one unit of its format apart
(1 percentage point for "0%", 0.01 for two decimals), so rounding cannot print one label
twice.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

__all__ = ["axis_format", "standing_strip", "store_trend", "tick_step"]

CHAIN = "#b0bec5"
MEDIAN = "#37474f"
STORE = "#d84315"


def tick_step(spec: str) -> float:
    """The smallest distance between two ticks that ``spec`` prints differently.

    >>> tick_step(".0%"), tick_step(".2f"), tick_step(".0f"), tick_step(".1%")
    (0.01, 0.01, 1.0, 0.001)
    """
    digits = int(spec.strip(".").rstrip("f%") or 0)
    step = 10.0**-digits
    return round(step / 100 if spec.endswith("%") else step, digits + 2)


def axis_format(values: Sequence[float], spec: str) -> str:
    """``spec`` with one more decimal (up to three) while the values span fewer than four
    of its printed units, so that an axis over them cannot print one label twice: shrunken
    CSAT rates of a chain often span two percentage points, where ".0%" would label every
    tick "71%".

    >>> axis_format([0.712, 0.716, 0.721], ".0%")
    '.1%'
    >>> axis_format([0.55, 0.85], ".0%")
    '.0%'
    >>> axis_format([3.61, 3.62], ".2f")
    '.3f'
    >>> axis_format([80.0], ".0f")  # one value: nothing to tell apart
    '.0f'
    """
    known = [float(v) for v in values if v is not None and v == v]
    if len(known) < 2 or not spec.endswith(("%", "f")):
        return spec
    span = (max(known) - min(known)) * (100 if spec.endswith("%") else 1)
    digits = int(spec.strip(".").rstrip("f%") or 0)
    while digits < 3 and span * 10**digits < 4:
        digits += 1
    return f".{digits}{spec[-1]}"


def standing_strip(
    row: dict,
    *,
    label: str,
    value: str,
    q1: str,
    median: str,
    q3: str,
    spec: str,
    store_title: str,
    q1_title: str,
    median_title: str,
    q3_title: str,
) -> alt.LayerChart:
    """One measure (``row``, labelled by ``label``): the chain's middle half from ``q1`` to
    ``q3`` as a grey bar, its median as a dark tick, the store's ``value`` as an orange
    dot, on an axis formatted by ``spec``. One chart per measure, each on its own scale (an
    index of 1–5 and a rate share no axis), each as wide as the page."""
    data = pd.DataFrame([row])
    axis = alt.Axis(format=spec, tickMinStep=tick_step(spec), tickCount=5, grid=False)
    scale = alt.Scale(zero=False, nice=False, padding=24)
    base = alt.Chart(data).encode(
        y=alt.Y(f"{label}:N", title=None, axis=alt.Axis(labelLimit=220, labelFontSize=12))
    )
    tooltip = [
        alt.Tooltip(f"{value}:Q", title=store_title, format=spec),
        alt.Tooltip(f"{q1}:Q", title=q1_title, format=spec),
        alt.Tooltip(f"{median}:Q", title=median_title, format=spec),
        alt.Tooltip(f"{q3}:Q", title=q3_title, format=spec),
    ]
    band = base.mark_bar(height=16, color=CHAIN).encode(
        x=alt.X(f"{q1}:Q", title=None, scale=scale, axis=axis), x2=f"{q3}:Q", tooltip=tooltip
    )
    middle = base.mark_tick(color=MEDIAN, thickness=3, size=22).encode(
        x=f"{median}:Q", tooltip=tooltip
    )
    dot = base.mark_point(filled=True, size=140, color=STORE, opacity=1).encode(
        x=f"{value}:Q", tooltip=tooltip
    )
    return (band + middle + dot).properties(height=44)


def store_trend(
    frame: pd.DataFrame,
    *,
    x: str,
    value: str,
    median: str,
    n: str,
    x_title: str,
    y_title: str,
    store_title: str,
    median_title: str,
    spec: str = ".2f",
) -> alt.LayerChart:
    """The store's ``value`` per wave (in the frame's order) as an orange line with "n = …"
    over each point, and the chain's ``median`` as a grey dashed line."""
    order = list(dict.fromkeys(frame[x]))
    data = frame.assign(_text=[f"n = {int(c)}" if c == c else "" for c in frame[n]])
    base = alt.Chart(data).encode(
        x=alt.X(f"{x}:O", sort=order, title=x_title, axis=alt.Axis(labelAngle=0))
    )
    scale = alt.Scale(zero=False, nice=True)
    axis = alt.Axis(format=spec, tickMinStep=tick_step(spec))
    tooltip = [
        alt.Tooltip(f"{x}:O", title=x_title),
        alt.Tooltip(f"{value}:Q", title=store_title, format=spec),
        alt.Tooltip(f"{median}:Q", title=median_title, format=spec),
        alt.Tooltip(f"{n}:Q", title="n"),
    ]
    chain = base.mark_line(color=CHAIN, strokeDash=[5, 4]).encode(
        y=alt.Y(f"{median}:Q", title=y_title, scale=scale, axis=axis), tooltip=tooltip
    )
    store = base.mark_line(color=STORE, point=alt.OverlayMarkDef(size=60, color=STORE)).encode(
        y=alt.Y(f"{value}:Q", scale=scale), tooltip=tooltip
    )
    labels = base.mark_text(dy=-12, fontSize=11).encode(y=alt.Y(f"{value}:Q"), text="_text:N")
    return (chain + store + labels).properties(height=240)
