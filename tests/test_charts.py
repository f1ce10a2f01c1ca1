"""Chart builders: what the reader sees on the axes and the marks (from the Vega-Lite spec)."""

from __future__ import annotations

import pandas as pd

from ee_app import charts


def correlation_spec() -> dict:
    frame = pd.DataFrame(
        {
            "theme": ["Someone cares", "Recognition"],
            "r": [0.47, 0.21],
            "low": [0.22, -0.08],
            "high": [0.66, 0.46],
            "n": [48, 50],
            "significant": [True, False],
        }
    )
    chart = charts.correlation_bars(
        frame,
        label="theme",
        r="r",
        low="low",
        high="high",
        n="n",
        significant="significant",
        label_title="Theme",
        r_title="Pearson r",
        legend_title="Adjusted p below 0.05",
        significant_names=("Holds", "May be chance"),
        low_title="95% interval, low",
        high_title="95% interval, high",
    )
    return chart.to_dict()


def test_correlation_axis_has_five_ticks_that_do_not_collide() -> None:
    # Before: Vega's default 21 ticks on −1…1 ran into each other ("−1.0−0.9").
    layers = correlation_spec()["layer"]
    axes = [layer["encoding"]["x"].get("axis") for layer in layers if "x" in layer["encoding"]]
    ticks = [axis["values"] for axis in axes if axis and "values" in axis]
    assert ticks == [[-1, -0.5, 0, 0.5, 1]]


def test_hollow_dots_keep_an_outline_and_the_tooltip_names_the_interval() -> None:
    layers = correlation_spec()["layer"]
    dots = next(layer for layer in layers if layer["mark"]["type"] == "point")
    assert dots["encoding"]["stroke"] == {"value": "#1565c0"}
    titles = [
        t.get("title")
        for t in next(
            layer
            for layer in layers
            if layer["mark"]["type"] == "rule" and "x2" in layer["encoding"]
        )["encoding"]["tooltip"]
    ]
    assert "95% interval, low" in titles and "95% interval, high" in titles


def test_the_legend_says_what_filled_and_hollow_mean() -> None:
    # Before: the shape's legend=None dropped the merged legend, so no key was drawn.
    layers = correlation_spec()["layer"]
    dots = next(layer for layer in layers if layer["mark"]["type"] == "point")
    for channel in ("shape", "fill"):
        assert dots["encoding"][channel].get("legend", {}) is not None
    assert dots["encoding"]["fill"]["title"] == "Adjusted p below 0.05"
