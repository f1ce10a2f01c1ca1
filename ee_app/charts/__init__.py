"""Altair chart builders: a DataFrame and the labels in the reader's language in, a chart out.

Pages decide what to show and translate the titles; builders only draw. Every chart labels
its marks with n, because every number in ee-app shows how many people it rests on.
"""

from ee_app.charts.heatmap import theme_heatmap
from ee_app.charts.relations import correlation_bars, scatter_band
from ee_app.charts.shares import interval_dots, rate_bars, share_bar, shrinkage_dots
from ee_app.charts.trend import trend_band

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
