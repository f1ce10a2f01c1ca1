"""Engagement results: how engaged each unit was in a closed wave, what changed since the wave
before, what staff said, and the action plans that follow.

Every number comes from :mod:`ee_app.services.results` and :mod:`ee_app.services.actions`,
which have already hidden whatever could single someone out (primary and secondary
suppression, the exclusion rule for role and tenure filters, the comment threshold). The page
formats and draws: it marks a hidden group "fewer than k" and computes nothing about it.
Open waves are never offered: their numbers would change with every answer.
"""

import importlib
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from ee_app import charts
from ee_app.auth import Permission, can
from ee_app.errors import N_, EeError
from ee_app.instruments.pulse import THEMES
from ee_app.models import StaffRole, TenureBand, UnitLevel, WaveStatus
from ee_app.services.actions import (
    MAX_THEMES,
)
from ee_app.services.audit import record_download
from ee_app.services.comments import (
    Comment,
    comments_of_unit,
    set_comment_tags,
    theme_counts,
    wave_comments,
)
from ee_app.services.org import UnitRow, list_units
from ee_app.services.results import (
    DIMENSIONS,
    EngagementView,
    engagement_view,
    trend_for,
)
from ee_app.services.waves import WaveRow, list_waves
from ee_app.ui import context, keys
from ee_app.ui.action_plans import plans_section
from ee_app.ui.components import XLSX_MIME, error_box, unit_option_label
from ee_app.ui.engagement_drivers import drivers_section
from ee_app.ui.explain import explain
from ee_app.ui.feedback import show_flash
from ee_app.ui.formatting import blank, direction, fewer, interval, number, plain, signed
from ee_app.ui.labels import (
    level_label,
    staff_role_label,
    tenure_band_label,
    theme_label,
)
from ee_app.ui.widths import fit_width

LEVELS = (UnitLevel.REGION, UnitLevel.STORE, UnitLevel.TEAM)
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
ALPHA_GOOD = 0.7
ENPS_COLOURS = ("#2e7d32", "#9e9e9e", "#c62828")  # promoters, passives, detractors
SCORES = (
    "n",
    "index",
    "index_low",
    "index_high",
    "favourable",
    "favourable_low",
    "favourable_high",
    "enps_n",
    "enps",
    "enps_low",
    "enps_high",
    "promoters",
    "detractors",
    "change",
    "change_low",
    "change_high",
    "percentile",
)
EXPORTS = "ee_app.exports.engagement"

ctx = context.page()
_ = ctx.gettext
actor = ctx.actor
manages = can(actor, Permission.MANAGE_ACTIONS)
runs_surveys = can(actor, Permission.MANAGE_SURVEYS)  # HR: export and tag comments


def unit_name(record: Mapping[str, Any]) -> str:
    return f"{record['name']} ({record['code']})"


def scored(view: EngagementView) -> list[dict[str, Any]]:
    """The view's rows as records with every score column (NaN where hidden)."""
    if view.rows.empty:
        return []
    columns = list(dict.fromkeys([*view.rows.columns, *SCORES]))
    return view.rows.reindex(columns=columns).to_dict("records")


# Choosing a wave ------------------------------------------------------------------------------


def no_results_yet(waves: Sequence[WaveRow]) -> None:
    message = _(
        "Results appear when a wave closes: then every unit with enough respondents gets its "
        "scores, its change since the wave before, and its staff's comments."
    )
    if any(w.status is WaveStatus.OPEN for w in waves):
        message += " " + _("A wave is open now; its results appear here once it closes.")
    st.info(message, icon=":material/hourglass_empty:")


def wave_picker(closed: Sequence[WaveRow], waves: Sequence[WaveRow]) -> WaveRow:
    """Closed waves only, newest first (the default)."""
    by_code = {w.code: w for w in closed}
    if st.session_state.get(keys.RESULTS_WAVE) not in by_code:
        st.session_state[keys.RESULTS_WAVE] = closed[0].code
    code = st.selectbox(
        _("Wave"),
        list(by_code),
        format_func=lambda c: f"{by_code[c].name} ({c})",
        key=keys.RESULTS_WAVE,
    )
    if any(w.status is WaveStatus.OPEN for w in waves):
        st.caption(
            _(
                "Open waves are not listed: while a wave is open, comparing two moments would "
                "reveal the answers given in between."
            )
        )
    return by_code[code]


# Headline -------------------------------------------------------------------------------------


def metric_card(column: Any, label: str, value: str, notes: Sequence[str], help_text: str) -> None:
    """A headline number with its notes (n, interval) on their own lines beneath it."""
    with column:
        st.metric(label, value, help=help_text, border=True)
        st.caption("  \n".join(notes))


def estimate_notes(n: int, low: Any, high: Any, spec: str) -> list[str]:
    return [f"n = {n}", _("95% interval {interval}").format(interval=interval(low, high, spec))]


def headline_cards(record: Mapping[str, Any], columns: Sequence[Any], k: int) -> None:
    n = int(record["n"])
    metric_card(
        columns[0],
        _("Engagement index"),
        f"{record['index']:.2f}",
        estimate_notes(n, record["index_low"], record["index_high"], ".2f"),
        explain("engagement_index", _),
    )
    metric_card(
        columns[1],
        _("% favourable"),
        f"{record['favourable']:.0%}",
        estimate_notes(n, record["favourable_low"], record["favourable_high"], ".0%"),
        explain("favourable", _),
    )
    enps_help = explain("enps", _)
    if blank(record.get("enps")):
        metric_card(columns[2], "eNPS", "–", [fewer(k, _)], enps_help)
    else:
        metric_card(
            columns[2],
            "eNPS",
            signed(record["enps"], "+.0f"),
            estimate_notes(int(record["enps_n"]), record["enps_low"], record["enps_high"], ".0f"),
            enps_help,
        )
    metric_card(
        columns[3],
        _("Respondents"),
        str(n),
        [unit_name(record)],
        _("People who answered this wave in the unit."),
    )


def alpha_card(column: Any, alpha: tuple[float, float, float, int] | None) -> None:
    label = _("Reliability")
    help_text = _(
        "Cronbach's alpha of the twelve items over the whole wave: how consistently they "
        "measure one thing (0.7 or more is good)."
    )
    if alpha is None:
        metric_card(column, label, "–", [_("Not enough answers to compute.")], help_text)
        return
    value, low, high, n = alpha
    reading = (
        _("The 12 items measure one thing well.")
        if value >= ALPHA_GOOD
        else ":orange[{}]".format(
            _(
                "Caution: the 12 items agree less than usual (alpha below 0.7); read "
                "differences between themes with care."
            )
        )
    )
    notes = [_("Cronbach's alpha, whole wave"), *estimate_notes(n, low, high, ".2f"), reading]
    metric_card(column, label, f"{value:.2f}", notes, help_text)


def headline(view: EngagementView) -> None:
    records = view.headline.to_dict("records")
    if not records:
        st.info(
            _(
                "Your units are hidden in this wave: they, or a smaller unit beside them, had "
                "fewer than {k} respondents."
            ).format(k=view.k),
            icon=":material/visibility_off:",
        )
    for position, record in enumerate(records or [None]):
        if len(records) > 1 and record is not None:
            st.markdown(f"**{plain(unit_name(record))}**")
        columns = st.columns(5)
        if record is not None:
            headline_cards(record, columns, view.k)
        if position == 0:
            alpha_card(columns[4], view.alpha)


# Filters --------------------------------------------------------------------------------------


def level_picker(levels: Sequence[UnitLevel]) -> UnitLevel:
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


def slice_picker(k: int) -> tuple[str | None, str | None]:
    """An optional role or tenure-band filter (stores only); (None, None) for everyone."""
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


# The table of units ---------------------------------------------------------------------------


def units_frame(view: EngagementView) -> pd.DataFrame:
    """One row per unit; a hidden one shows "fewer than k" as its n and nothing else."""
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


def units_table(view: EngagementView) -> None:
    frame = units_frame(view)
    ci = _("95% interval")
    number_column = st.column_config.NumberColumn
    ci_help = explain("confidence_interval", _)

    def ci_column(column: str) -> Any:  # wide enough for every interval and the header
        return st.column_config.TextColumn(ci, width=fit_width(frame[column], ci), help=ci_help)

    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        height=min(len(frame), 15) * 35 + 38,
        placeholder="",
        column_config={
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


# The heatmap of themes ------------------------------------------------------------------------


def heat_frame(view: EngagementView, metric: str) -> pd.DataFrame:
    """Units × the twelve themes; a cell the service left blank is marked hidden."""
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


def heatmap(view: EngagementView) -> None:
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
    frame = heat_frame(view, metric)
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


# Downloads ------------------------------------------------------------------------------------


def exports_available() -> bool:
    try:
        importlib.import_module(EXPORTS)
    except (ImportError, SyntaxError):
        return False
    return True


def export_file(view: EngagementView, kind: str) -> Callable[[], bytes]:
    """Build the file only when it is downloaded."""

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


def downloads(view: EngagementView) -> None:
    available = exports_available()
    parts = ("engagement", view.wave_code, view.level.value, view.dim, view.value)
    stem = "-".join(part for part in parts if part)
    row = st.container(horizontal=True)
    row.download_button(
        _("Results (Excel)"),
        data=export_file(view, "xlsx"),
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        disabled=not available,
        key=keys.RESULTS_XLSX,
    )
    row.download_button(
        _("Results (CSV)"),
        data=export_file(view, "csv"),
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


# One unit in detail ---------------------------------------------------------------------------


def known_units(views: Mapping[UnitLevel, EngagementView]) -> dict[str, dict[str, Any]]:
    """Every unit of the wave in the actor's scope, by code, with its scores and themes."""
    known: dict[str, dict[str, Any]] = {}
    for view in views.values():
        for record in scored(view):
            themes = view.themes[view.themes["unit_id"] == record["unit_id"]]
            own = view.own[view.own["unit_id"] == record["unit_id"]]
            known[record["code"]] = {**record, "themes": themes, "own": own}
    return known


def unit_picker(
    units: Sequence[UnitRow], known: Mapping[str, dict[str, Any]], view: EngagementView
) -> str | None:
    """Units of the wave in scope, in tree order; the scope's top unit by default."""
    rows = {u.code: u for u in units if u.code in known}
    if not rows:
        return None
    tops = [c for c in view.headline.get("code", []) if c in rows]
    if st.session_state.get(keys.RESULTS_UNIT) not in rows:
        st.session_state[keys.RESULTS_UNIT] = tops[0] if tops else next(iter(rows))

    def label(code: str) -> str:
        text = unit_option_label(rows[code], _)
        return f"{text} · {fewer(view.k, _)}" if known[code]["hidden"] else text

    return st.selectbox(_("Unit"), list(rows), format_func=label, key=keys.RESULTS_UNIT)


def trend_frame(trend: pd.DataFrame, closed: Sequence[WaveRow]) -> pd.DataFrame:
    """One row per closed wave, oldest first. A wave where the unit was hidden is a gap marked
    "fewer than k"; one the service has no row for (the unit was not surveyed, or its answers
    were stored with a larger unit) is a gap marked "no result"."""
    found = {r["wave"]: r for r in trend.to_dict("records")} if len(trend) else {}
    waves = {w.code: (w.opens_on, w.k) for w in closed}
    for code, record in found.items():
        waves.setdefault(code, (record["opens_on"], closed[0].k))
    records = []
    for code, (_opens, k) in sorted(waves.items(), key=lambda item: item[1][0]):
        record = found.get(code)
        hidden = record is None or bool(record["hidden"])
        if record is None:
            mark = _("no result")
        elif record.get("reason") == "changed":
            mark = _("respondents changed by fewer than {k}").format(k=k)
        else:
            mark = fewer(k, _)
        records.append(
            {
                "wave": code,
                "index": None if hidden else record["index"],
                "low": None if hidden else record["index_low"],
                "high": None if hidden else record["index_high"],
                "n": None if hidden else int(record["n"]),
                "hidden": hidden,
                "reason": "" if record is None else record.get("reason", ""),
                "mark": mark,
            }
        )
    return pd.DataFrame.from_records(records)


def trend_section(unit_code: str, closed: Sequence[WaveRow]) -> None:
    st.markdown("**{}**".format(_("Engagement index over the waves")))
    with ctx.read() as session:
        trend = trend_for(session, actor, unit_code)
    frame = trend_frame(trend, closed)
    if frame["hidden"].all():
        st.info(
            _(
                "No wave has a result for this unit: it was hidden to protect anonymity, or "
                "its answers were counted with a larger unit."
            ),
            icon=":material/visibility_off:",
        )
        return
    chart = charts.trend_band(
        frame,
        x="wave",
        y="index",
        low="low",
        high="high",
        n="n",
        hidden="hidden",
        mark="mark",
        x_title=_("Wave"),
        y_title=_("Engagement index"),
        low_title=_("95% interval, low"),
        high_title=_("95% interval, high"),
    )
    st.altair_chart(chart, width="stretch")
    note = _("The band is the 95% interval.")
    if frame["hidden"].any():
        note += " " + _(
            "A gap is a wave without a result for this unit: hidden to protect anonymity "
            "(“fewer than k”), or not surveyed on its own (“no result”)."
        )
    if (frame["reason"] == "changed").any():
        note += " " + _(
            "A wave whose respondents differ from an earlier point of the line by fewer than "
            "k people is left out: the two could be subtracted to single out who joined or left."
        )
    st.caption(note)


def enps_section(record: Mapping[str, Any], k: int) -> None:
    st.markdown("**{}**".format(_("eNPS: promoters, passives, detractors")))
    if record["hidden"] or blank(record.get("enps")):
        st.info(
            _("Hidden to protect anonymity ({mark}).").format(mark=fewer(k, _)),
            icon=":material/visibility_off:",
        )
        return
    promoters, detractors = float(record["promoters"]), float(record["detractors"])
    parts = {
        _("Promoters (9–10)"): promoters,
        _("Passives (7–8)"): max(1.0 - promoters - detractors, 0.0),
        _("Detractors (0–6)"): detractors,
    }
    frame = pd.DataFrame({"part": list(parts), "share": list(parts.values())})
    title = _("eNPS {enps} · n = {n}").format(
        enps=signed(record["enps"], "+.0f"), n=int(record["enps_n"])
    )
    st.altair_chart(
        charts.share_bar(
            frame,
            part="part",
            share="share",
            colors=dict(zip(parts, ENPS_COLOURS, strict=True)),
            title=title,
            part_title=_("Group"),
            share_title=_("Share"),
        ),
        width="stretch",
    )


def theme_lines(themes: pd.DataFrame) -> str:
    return "\n".join(
        "- {label} — {mean:.2f} {interval} · n = {n}".format(
            label=theme_label(t["theme"], _),
            mean=t["mean"],
            interval=interval(t["mean_low"], t["mean_high"]) or "",
            n=int(t["n"]),
        )
        for t in themes.to_dict("records")
    )


def ranked_themes(themes: pd.DataFrame) -> pd.DataFrame:
    """The unit's shown themes, strongest first (hidden ones left out)."""
    if themes.empty:
        return themes
    shown = themes[~themes["hidden"].astype(bool)]
    return shown.sort_values("mean", ascending=False, kind="stable")


def themes_section(themes: pd.DataFrame, k: int) -> None:
    ranked = ranked_themes(themes)
    if ranked.empty:
        st.info(
            _("Theme scores are hidden for this unit ({mark}).").format(mark=fewer(k, _)),
            icon=":material/visibility_off:",
        )
        return
    strong, weak = st.columns(2)
    top, bottom = min(3, (len(ranked) + 1) // 2), min(3, len(ranked) // 2)
    strong.markdown("**{}**".format(_("Strongest themes")))
    strong.markdown(theme_lines(ranked.head(top)))
    if bottom:
        weak.markdown("**{}**".format(_("Weakest themes")))
        weak.markdown(theme_lines(ranked.tail(bottom).iloc[::-1]))
    hidden = len(themes) - len(ranked)
    if hidden:
        st.caption(
            ctx.ngettext(
                "{count} theme hidden ({mark} answers).",
                "{count} themes hidden ({mark} answers).",
                hidden,
            ).format(count=hidden, mark=fewer(k, _))
        )
    else:
        st.caption(_("Mean from 1 to 5, its 95% interval, and the number of answers."))


def own_frame(own: pd.DataFrame, k: int) -> pd.DataFrame:
    """One row per own question: its text in the reader's language, mean with interval, %
    favourable, answers, change; "fewer than k" where the service hid it."""
    column = "text_zh" if ctx.language == "zh-CN" else "text_en"
    records = []
    for row in own.to_dict("records"):
        hidden = bool(row["hidden"])
        records.append(
            {
                _("Question"): row[column],
                _("Mean (1–5)"): fewer(k, _) if hidden else f"{row['mean']:.2f}",
                _("95% interval"): ""
                if hidden
                else interval(row["mean_low"], row["mean_high"]) or "",
                _("% favourable"): "" if hidden else f"{row['favourable']:.0%}",
                _("Answers"): "" if hidden else str(int(row["n"])),
                _("Change"): ""
                if hidden or blank(row.get("change"))
                else "{} {}".format(
                    signed(row["change"], "+.2f"),
                    interval(row["change_low"], row["change_high"]) or "",
                ),
            }
        )
    return pd.DataFrame.from_records(records)


def own_section(own: pd.DataFrame, k: int) -> None:
    """HR's own questions of the wave, when it has any: nothing otherwise."""
    if own is None or own.empty:
        return
    st.markdown("**{}**".format(_("Your own questions")))
    st.dataframe(own_frame(own, k), hide_index=True, width="stretch")
    st.caption(
        _(
            "Questions added to this wave: not part of the engagement index. A change is shown "
            "only where the unit's previous wave asked the same question."
        )
    )


def stable_order(wave: WaveRow, unit_code: str, found: list[Comment]) -> list[Comment]:
    """The comments in the random order they were first shown in this session, so that the
    tag editor's rows stay put between reruns (a new session draws a new order)."""
    orders = st.session_state.setdefault(keys.RESULTS_COMMENT_ORDER, {})
    ids = orders.setdefault((wave.code, unit_code), [c.id for c in found])
    place = {c: i for i, c in enumerate(ids)}
    return sorted(found, key=lambda c: place.get(c.id, len(place)))


def chosen(value: Any) -> list[str]:
    """The themes of one edited cell: a list (or array) of theme keys, or nothing."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(t) for t in value]


def save_tags(wave_code: str, ids: list[str], edited: pd.DataFrame, column: str) -> None:
    tags = {i: chosen(themes) for i, themes in zip(ids, edited[column], strict=True)}
    try:
        with ctx.write() as session:
            changed = set_comment_tags(session, actor, wave_code, tags)
    except EeError as error:
        st.session_state[keys.RESULTS_ERROR] = error
        return
    st.session_state[keys.RESULTS_FLASH] = ctx.ngettext(
        "Tags saved for {count} comment.", "Tags saved for {count} comments.", changed
    ).format(count=changed)


def tag_editor(wave: WaveRow, found: list[Comment]) -> None:
    """HR tags comments with themes (one or more of the 12) and saves them together."""
    comment, themes = _("Comment"), _("Themes")
    frame = pd.DataFrame(
        {comment: [c.text for c in found], themes: [list(c.themes) for c in found]}
    )
    with st.form(keys.RESULTS_COMMENT_TAGS, border=False):
        edited = st.data_editor(
            frame,
            key=keys.RESULTS_COMMENT_EDITOR,
            hide_index=True,
            width="stretch",
            disabled=[comment],
            column_config={
                comment: st.column_config.TextColumn(width="large"),
                themes: st.column_config.MultiselectColumn(
                    options=list(THEMES), format_func=lambda t: theme_label(t, _), width="medium"
                ),
            },
        )
        if st.form_submit_button(_("Save tags"), icon=":material/sell:"):
            save_tags(wave.code, [c.id for c in found], edited, themes)
            st.rerun()


def theme_count_line(found: list[Comment]) -> str:
    counts = theme_counts(found)
    return " · ".join(
        ctx.ngettext("{theme}: {count} comment", "{theme}: {count} comments", n).format(
            theme=theme_label(t, _), count=n
        )
        for t, n in counts.items()
    )


def comment_downloads(wave: WaveRow) -> None:
    """The whole wave's comments as files (HR only), built when downloaded."""

    def make(kind: str) -> Callable[[], bytes]:
        def build() -> bytes:
            from ee_app.exports.comments import comments_csv, comments_xlsx

            with ctx.write() as session:  # every download is logged (ee_app.services.audit)
                found = wave_comments(session, actor, wave.code)
                record_download(session, actor, "comments", wave.code, rows=len(found), format=kind)
            writer = comments_xlsx if kind == "xlsx" else comments_csv
            return writer(found, ctx.language)

        return build

    row = st.container(horizontal=True)
    row.download_button(
        _("All comments (Excel)"),
        data=make("xlsx"),
        file_name=f"comments-{wave.code}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key=keys.RESULTS_COMMENTS_XLSX,
    )
    row.download_button(
        _("All comments (CSV)"),
        data=make("csv"),
        file_name=f"comments-{wave.code}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=keys.RESULTS_COMMENTS_CSV,
    )
    st.caption(
        _(
            "Every comment of the wave with the group it is stored with (at least {k_c} "
            "respondents) and its tags, shuffled, without dates."
        ).format(k_c=wave.k_comments)
    )


def comments_section(wave: WaveRow, unit_code: str) -> None:
    st.markdown("**{}**".format(_("Comments")))
    if runs_surveys:
        comment_downloads(wave)
    with ctx.read() as session:
        allowed, found = comments_of_unit(session, actor, wave.code, unit_code)
    if not allowed:
        st.info(
            _(
                "Comments are shown for groups of at least {k_c} respondents whose comments "
                "are all stored with them; see the unit above or beneath this one."
            ).format(k_c=wave.k_comments),
            icon=":material/lock:",
        )
        return
    if not found:
        st.caption(_("No comments in this wave."))
        return
    found = stable_order(wave, unit_code, found)
    st.caption(
        ctx.ngettext(
            "{count} comment, in random order and without dates.",
            "{count} comments, in random order and without dates.",
            len(found),
        ).format(count=len(found))
    )
    counts = theme_count_line(found)
    if counts:
        st.caption(counts)
    if runs_surveys:
        tag_editor(wave, found)
        return
    st.dataframe(
        pd.DataFrame(
            {
                _("Comment"): [c.text for c in found],
                _("Themes"): [[theme_label(t, _) for t in c.themes] for c in found],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            _("Comment"): st.column_config.TextColumn(width="large"),
            _("Themes"): st.column_config.ListColumn(width="medium"),
        },
    )


def unit_detail(
    wave: WaveRow, closed: Sequence[WaveRow], record: Mapping[str, Any], k: int
) -> None:
    trend, side = st.columns([3, 2], gap="large")
    with trend:
        trend_section(record["code"], closed)
    with side:
        enps_section(record, k)
    themes_section(record["themes"], k)
    own_section(record.get("own"), k)
    comments_section(wave, record["code"])


# The page -------------------------------------------------------------------------------------


def level_views(wave_code: str) -> dict[UnitLevel, EngagementView]:
    with ctx.read() as session:
        return {
            level: engagement_view(session, actor, wave_code, level=level) for level in UnitLevel
        }


def sliced_view(wave_code: str, dim: str, value: str) -> EngagementView:
    with ctx.read() as session:
        return engagement_view(
            session, actor, wave_code, level=UnitLevel.STORE, dim=dim, value=value
        )


st.title(_("Engagement results"))
st.caption(
    _(
        "Scores of each unit after a closed pulse survey wave, with their 95% intervals and "
        "the number of respondents they rest on. Groups too small to keep everyone anonymous "
        "are marked, never shown."
    )
)
show_flash(keys.RESULTS_FLASH, keys.RESULTS_ERROR, _)
try:
    with ctx.read() as session:
        waves = list_waves(session, actor)
        units = list_units(session, actor)
except EeError as error:
    error_box(error, _)
    st.stop()

closed = [w for w in waves if w.status is WaveStatus.CLOSED]
if not closed:
    no_results_yet(waves)
    st.stop()

wave = wave_picker(closed, waves)
try:
    views = level_views(wave.code)
except EeError as error:
    error_box(error, _)
    st.stop()
overview = views[UnitLevel.STORE]

st.subheader(_("Headline"))
headline(overview)

st.subheader(_("Units"))
levels = [level for level in LEVELS if not views[level].rows.empty]
if not levels:
    st.info(_("No unit in your scope took part in this wave."), icon=":material/info:")
else:
    level = level_picker(levels)
    dim, value = slice_picker(wave.k) if level is UnitLevel.STORE else (None, None)
    view = views[level]
    if dim is not None and value is not None:
        try:
            view = sliced_view(wave.code, dim, value)
        except EeError as error:
            error_box(error, _)
            st.stop()
    units_table(view)
    st.markdown("**{}**".format(_("Themes")))
    heatmap(view)
    downloads(view)

st.subheader(_("Unit detail"))
known = known_units(views)
unit_code = unit_picker(units, known, overview)
if unit_code is None:
    st.info(_("No unit in your scope took part in this wave."), icon=":material/info:")
    st.stop()
record = known[unit_code]
try:
    unit_detail(wave, closed, record, wave.k)
except EeError as error:
    error_box(error, _)

drivers_section(ctx, wave.code, record["code"])

st.subheader(_("Action plans"))
weakest = ranked_themes(record["themes"]).tail(MAX_THEMES)["theme"].tolist()[::-1]
plans_section(ctx, wave, record["code"], wave.k, weakest)
