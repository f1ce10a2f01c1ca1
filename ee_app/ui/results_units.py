"""The Units part of the engagement results page: the level and the role or tenure filter, the
table of units, the heatmap of themes, and the downloads of what is shown.

A filtered view is only offered when the services allow it (the exclusion rule); this module
draws what they return.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from ee_app import charts
from ee_app.errors import N_
from ee_app.instruments.pulse import THEMES
from ee_app.models import StaffRole, TenureBand, UnitLevel
from ee_app.services.audit import record_download
from ee_app.services.results import (
    DIMENSIONS,
    EngagementView,
)
from ee_app.ui import keys
from ee_app.ui.components import XLSX_MIME
from ee_app.ui.context import PageContext
from ee_app.ui.explain import explain
from ee_app.ui.formatting import blank, direction, fewer, interval, number
from ee_app.ui.results_headline import scored, unit_name
from ee_app.ui.tables import data_table
from ee_app.ui.widths import fit_width
from ee_app.words.labels import (
    level_label,
    staff_role_label,
    tenure_band_label,
    theme_label,
)

__all__ = ["downloads", "heatmap", "level_picker", "slice_picker", "units_table"]

EVERYONE = "all"
FILTERS = {EVERYONE: N_("Everyone"), "role": N_("Role"), "band": N_("Tenure band")}
BETTER_THAN = {
    UnitLevel.REGION: N_("Better than (% of regions)"),
    UnitLevel.STORE: N_("Better than (% of stores)"),
    UnitLevel.TEAM: N_("Better than (% of teams)"),
}
BETTER_THAN_HELP = {
    UnitLevel.REGION: N_(
        "Share of the other regions whose index is lower (a tie counts half); blank when "
        "there is no other region."
    ),
    UnitLevel.STORE: N_(
        "Share of the other stores whose index is lower (a tie counts half); blank when "
        "there is no other store."
    ),
    UnitLevel.TEAM: N_(
        "Share of the other teams whose index is lower (a tie counts half); blank when "
        "there is no other team."
    ),
}
HEAT_METRICS = {"mean": N_("Mean (1–5)"), "favourable": N_("% favourable")}
EXPORTS = "ee_app.exports.engagement"


def level_picker(ctx: PageContext, levels: Sequence[UnitLevel]) -> UnitLevel:
    _ = ctx.gettext
    if st.session_state.get(keys.RESULTS_LEVEL) not in levels:
        st.session_state[keys.RESULTS_LEVEL] = (
            UnitLevel.STORE if UnitLevel.STORE in levels else levels[0]
        )
    return st.segmented_control(
        _("Unit level"),
        list(levels),
        format_func=lambda level: level_label(level, _),
        required=True,
        key=keys.RESULTS_LEVEL,
    )


def slice_picker(ctx: PageContext, k: int) -> tuple[str | None, str | None]:
    """An optional role or tenure-band filter (stores only); (None, None) for everyone."""
    _ = ctx.gettext
    options = [EVERYONE, *DIMENSIONS]
    if st.session_state.get(keys.RESULTS_FILTER) not in options:
        st.session_state[keys.RESULTS_FILTER] = EVERYONE
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    with left:
        dim = st.segmented_control(
            _("Filter"),
            options,
            format_func=lambda d: _(FILTERS[d]),
            required=True,
            key=keys.RESULTS_FILTER,
        )
    value = None
    if dim == "role":
        value = right.selectbox(
            _("Role"),
            [r.value for r in StaffRole],
            format_func=lambda r: staff_role_label(StaffRole(r), _),
            key=keys.RESULTS_ROLE,
        )
    elif dim == "band":
        value = right.selectbox(
            _("Tenure band"),
            [b.value for b in TenureBand],
            format_func=lambda b: tenure_band_label(TenureBand(b), _),
            key=keys.RESULTS_BAND,
        )
    if dim != EVERYONE:
        st.caption(
            _(
                "A store is shown for this filter only when both the group and the rest of the "
                "store have at least {k} respondents, and no smaller group can be worked out "
                "from the published numbers; otherwise it is marked “fewer than {k}”."
            ).format(k=k)
        )
    return (None, None) if dim == EVERYONE else (dim, value)


def units_frame(ctx: PageContext, view: EngagementView) -> pd.DataFrame:
    """One row per unit; a hidden one shows "fewer than k" as its n and nothing else."""
    _ = ctx.gettext
    records = scored(view)

    def column(pick: Callable[[dict[str, Any]], Any], dtype: str | None = None) -> Any:
        values = [None if r["hidden"] else pick(r) for r in records]
        return pd.array(values, dtype) if dtype else values

    better = _(BETTER_THAN[view.level])
    return pd.DataFrame(
        {
            _("Unit"): [unit_name(r) for r in records],
            "n": [fewer(view.k, _) if r["hidden"] else str(int(r["n"])) for r in records],
            _("Index"): column(lambda r: number(r["index"]), "Float64"),
            _("Index 95% interval"): column(lambda r: interval(r["index_low"], r["index_high"])),
            _("% favourable"): column(lambda r: number(r["favourable"], 100), "Float64"),
            "eNPS": column(lambda r: number(r["enps"]), "Float64"),
            _("eNPS 95% interval"): column(
                lambda r: interval(r["enps_low"], r["enps_high"], ".0f")
            ),
            _("Change"): column(lambda r: number(r["change"]), "Float64"),
            _("Change 95% interval"): column(lambda r: interval(r["change_low"], r["change_high"])),
            _("Direction"): column(lambda r: direction(r["change_low"], r["change_high"], _)),
            _("Change since"): column(
                lambda r: r["previous_name"] if isinstance(r.get("previous_name"), str) else None
            ),
            better: column(lambda r: number(r["percentile"]), "Float64"),
        }
    )


def units_table(ctx: PageContext, view: EngagementView) -> None:
    _ = ctx.gettext
    frame = units_frame(ctx, view)
    ci = _("95% interval")
    number_column = st.column_config.NumberColumn
    ci_help = explain("confidence_interval", _)

    def ci_column(column: str) -> Any:  # wide enough for every interval and the header
        return st.column_config.TextColumn(ci, width=fit_width(frame[column], ci), help=ci_help)

    data_table(
        frame,
        {
            _("Unit"): st.column_config.TextColumn(pinned=True),
            "n": st.column_config.TextColumn(
                width=fit_width(frame["n"], "n"),
                alignment="right",
                help=_("Respondents in the unit (or in the filtered group).")
                + " "
                + explain("n", _),
            ),
            _("Index"): number_column(
                width="small", format="%.2f", help=explain("engagement_index", _)
            ),
            _("Index 95% interval"): ci_column(_("Index 95% interval")),
            _("% favourable"): number_column(format="%.0f%%", help=explain("favourable", _)),
            "eNPS": number_column(width="small", format="%+.0f", help=explain("enps", _)),
            _("eNPS 95% interval"): ci_column(_("eNPS 95% interval")),
            _("Change"): number_column(
                width="small",
                format="%+.2f",
                help=_("Engagement index now minus in the previous wave."),
            ),
            _("Change 95% interval"): ci_column(_("Change 95% interval")),
            _("Change since"): st.column_config.TextColumn(
                help=_(
                    "The wave this unit's change is measured against: its own most recent "
                    "earlier wave of the same kind (anonymous or confidential) that asked its "
                    "whole team. Units may differ, e.g. after a pilot in a few stores."
                )
            ),
            _(BETTER_THAN[view.level]): number_column(
                _("Better than"),
                width=fit_width(["100%"], _("Better than")),
                format="%.0f%%",
                help=_(BETTER_THAN_HELP[view.level]),
            ),
        },
        long=True,
    )
    if len(view.previous_waves) == 1:
        compared = _(
            "Change: since wave {previous}; “no clear change” when its 95% interval includes 0."
        ).format(previous=view.previous_waves[0][1])
    elif view.previous_waves:
        compared = _(
            "Change: each unit since its own previous wave that asked it (column “Change "
            "since”); “no clear change” when its 95% interval includes 0."
        )
    else:
        compared = _("No earlier closed wave to compare with.")
    st.caption(
        compared
        + " "
        + _(
            "“Fewer than {k}” marks a group hidden to protect anonymity: it, or a smaller group "
            "beside it, has fewer than {k} respondents."
        ).format(k=view.k)
        + " "
        + _(
            "A blank index, % favourable or eNPS: a question it rests on was answered by fewer "
            "than {k} people (any question may be skipped). A blank change: the people who "
            "answered differ from the wave before by fewer than {k}, so subtracting one wave "
            "from the other could single them out."
        ).format(k=view.k)
    )


def heat_frame(ctx: PageContext, view: EngagementView, metric: str) -> pd.DataFrame:
    """Units × the twelve themes; a cell the service left blank is marked hidden."""
    _ = ctx.gettext
    themes = view.themes.set_index(["unit_id", "theme"]) if len(view.themes) else None
    cells = []
    for record in scored(view):
        size = fewer(view.k, _) if record["hidden"] else f"n = {int(record['n'])}"
        label = f"{unit_name(record)} · {size}"
        for theme in THEMES:
            key = (record["unit_id"], theme)
            found = themes is not None and key in themes.index
            cell = themes.loc[key] if found else None
            hidden = cell is None or bool(cell["hidden"]) or blank(cell[metric])
            cells.append(
                {
                    "unit": label,
                    "theme": theme_label(theme, _),
                    "value": None if hidden else float(cell[metric]),
                    "n": None if hidden else int(cell["n"]),
                    "hidden": hidden,
                }
            )
    return pd.DataFrame.from_records(cells)


def heatmap(ctx: PageContext, view: EngagementView) -> None:
    _ = ctx.gettext
    if view.rows.empty:
        return
    if st.session_state.get(keys.RESULTS_HEAT_METRIC) not in HEAT_METRICS:
        st.session_state[keys.RESULTS_HEAT_METRIC] = "mean"
    metric = st.segmented_control(
        _("Colour by"),
        list(HEAT_METRICS),
        format_func=lambda m: _(HEAT_METRICS[m]),
        required=True,
        key=keys.RESULTS_HEAT_METRIC,
    )
    frame = heat_frame(ctx, view, metric)
    favourable = metric == "favourable"
    chart = charts.theme_heatmap(
        frame,
        unit="unit",
        theme="theme",
        value="value",
        n="n",
        hidden="hidden",
        unit_title=_("Unit"),
        theme_title=_("Theme"),
        value_title=_(HEAT_METRICS[metric]),
        hidden_mark=_("<{k}").format(k=view.k),
        value_format=".0%" if favourable else ".1f",
        domain=(0.0, 1.0) if favourable else (1.0, 5.0),
        units=list(dict.fromkeys(frame["unit"])),
        themes=[theme_label(t, _) for t in THEMES],
    )
    st.altair_chart(chart, width="stretch")
    st.caption(
        _(
            "Grey cells marked “<{k}” are hidden to protect anonymity (fewer than {k} answers "
            "there or beside them); they are not low scores."
        ).format(k=view.k)
    )


def exports_available() -> bool:
    try:
        importlib.import_module(EXPORTS)
    except (ImportError, SyntaxError):
        return False
    return True


def export_file(ctx: PageContext, view: EngagementView, kind: str) -> Callable[[], bytes]:
    """Build the file only when it is downloaded."""
    actor = ctx.actor

    def make() -> bytes:
        exports = importlib.import_module(EXPORTS)
        with ctx.write() as session:  # every download is logged (ee_app.services.audit)
            record_download(
                session,
                actor,
                "results",
                view.wave_code,
                rows=len(view.rows),
                format=kind,
                level=view.level.value,
                **({"filter": f"{view.dim}={view.value}"} if view.dim else {}),
            )
        if kind == "xlsx":
            return exports.engagement_xlsx(view, ctx.language, date.today())
        return exports.engagement_csv(view, ctx.language)

    return make


def downloads(ctx: PageContext, view: EngagementView) -> None:
    _ = ctx.gettext
    available = exports_available()
    parts = ("engagement", view.wave_code, view.level.value, view.dim, view.value)
    stem = "-".join(part for part in parts if part)
    row = st.container(horizontal=True)
    row.download_button(
        _("Results (Excel)"),
        data=export_file(ctx, view, "xlsx"),
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        disabled=not available,
        key=keys.RESULTS_XLSX,
    )
    row.download_button(
        _("Results (CSV)"),
        data=export_file(ctx, view, "csv"),
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        disabled=not available,
        key=keys.RESULTS_CSV,
    )
    if available:
        st.caption(
            _(
                "The files hold what this page shows for the chosen level and filter; hidden "
                "groups stay hidden."
            )
        )
    else:
        st.caption(_("Downloads are not available in this installation yet."))
