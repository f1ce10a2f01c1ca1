"""The results page's "What drives engagement" section for one unit: which themes go most
with whether its people would recommend working here (or with the rest of the engagement
index), as a ranked chart of correlations with their intervals, one plain sentence for a
manager, and the numbers with an explanation of each term. Everything comes from
:func:`ee_app.services.engagement_drivers.drivers_for`, which refuses groups too small;
this module formats and draws."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from ee_app import charts
from ee_app.analysis.drivers import OUTCOMES, top_drivers
from ee_app.errors import N_
from ee_app.services.engagement_drivers import DriversView, drivers_for
from ee_app.ui import keys
from ee_app.ui.explain import explain
from ee_app.ui.formatting import fewer, interval
from ee_app.ui.service_calls import read
from ee_app.ui.tables import data_table
from ee_app.ui.widths import fit_width
from ee_app.words.labels import theme_label

__all__ = ["drivers_frame", "drivers_section", "drivers_sentence", "table_frame"]

Gettext = Callable[[str], str]

OUTCOME_LABELS = {
    "recommend": N_("Would recommend working here"),
    "index": N_("Engagement index (the other themes)"),
}
OUTCOME_HELP = {
    "recommend": N_(
        "Each theme against the same person's answer to “How likely are you to recommend "
        "working here?” (0–10, the eNPS question)."
    ),
    "index": N_(
        "Each theme against the same person's average over the other eleven themes, so "
        "that a theme is not compared with a total it is part of."
    ),
}


def _join(names: Sequence[str], _: Gettext) -> str:
    if len(names) == 1:
        return names[0]
    return _("{first} and {last}").format(first=_(", ").join(names[:-1]), last=names[-1])


def drivers_sentence(view: DriversView, outcome: str, _: Gettext) -> str:
    """One plain sentence for a manager naming the themes most linked to ``outcome``."""
    names = [theme_label(t, _) for t in top_drivers(view.table, outcome)]
    if outcome == "recommend":
        if names:
            return _(
                "The themes most linked to whether people would recommend working here: {themes}."
            ).format(themes=_join(names, _))
        return _(
            "No theme is clearly linked yet to whether people would recommend working here: "
            "none holds once we allow for testing twelve themes at once."
        )
    if names:
        return _("The themes most linked to engagement overall: {themes}.").format(
            themes=_join(names, _)
        )
    return _(
        "No theme is clearly linked yet to engagement overall: none holds once we allow for "
        "testing twelve themes at once."
    )


def drivers_frame(view: DriversView, outcome: str, _: Gettext) -> pd.DataFrame:
    """The themes of ``outcome`` with a correlation, for the chart (translated labels)."""
    rows = view.table[(view.table["outcome"] == outcome) & view.table["enough"]]
    return pd.DataFrame(
        {
            "theme": [theme_label(t, _) for t in rows["theme"]],
            "r": rows["r"].to_numpy(float),
            "low": rows["r_low"].to_numpy(float),
            "high": rows["r_high"].to_numpy(float),
            "n": rows["n"].astype(int).to_numpy(),
            "significant": rows["significant"].to_numpy(bool),
        }
    )


def table_frame(view: DriversView, outcome: str, _: Gettext) -> pd.DataFrame:
    """Every theme of ``outcome``, strongest first; a theme without a correlation shows
    "fewer than {min}" as its n and nothing else."""
    rows = view.table[view.table["outcome"] == outcome].sort_values(
        "r", ascending=False, kind="stable", na_position="last"
    )
    records = rows.to_dict("records")
    shown = [bool(r["enough"]) for r in records]
    return pd.DataFrame(
        {
            _("Theme"): [theme_label(r["theme"], _) for r in records],
            "r": pd.array(
                [r["r"] if s else None for r, s in zip(records, shown, strict=True)], "Float64"
            ),
            _("95% interval"): [
                interval(r["r_low"], r["r_high"]) if s else None
                for r, s in zip(records, shown, strict=True)
            ],
            "n": [
                str(int(r["n"])) if s else fewer(view.min_n, _)
                for r, s in zip(records, shown, strict=True)
            ],
            _("Adjusted p"): pd.array(
                [r["p_adjusted"] if s else None for r, s in zip(records, shown, strict=True)],
                "Float64",
            ),
        }
    )


def _empty_state(view: DriversView, _: Gettext) -> None:
    if view.status == "hidden":
        text = _(
            "Not shown for this unit: its results are hidden to protect anonymity ({mark})."
        ).format(mark=fewer(view.k, _))
    else:
        text = _(
            "Shown for groups of at least {least} respondents; this unit has {n}. Over fewer "
            "people a correlation says more about a few individuals than about the unit, and "
            "could give away how they answered. Choose a larger unit, e.g. the region."
        ).format(least=view.min_n, n=view.respondents)
    st.info(text, icon=":material/lock:")


def _outcome_picker(_: Gettext) -> str:
    if st.session_state.get(keys.RESULTS_DRIVER_OUTCOME) not in OUTCOMES:
        st.session_state[keys.RESULTS_DRIVER_OUTCOME] = OUTCOMES[0]
    return st.segmented_control(
        _("Linked to"),
        list(OUTCOMES),
        format_func=lambda o: _(OUTCOME_LABELS[o]),
        required=True,
        key=keys.RESULTS_DRIVER_OUTCOME,
        help=_("What each theme is compared with."),
    )


def _table(view: DriversView, outcome: str, _: Gettext) -> None:
    frame = table_frame(view, outcome, _)
    data_table(
        frame,
        {
            _("Theme"): st.column_config.TextColumn(pinned=True),
            "r": st.column_config.NumberColumn(
                _("Pearson r"),
                width=fit_width(["+0.00"], _("Pearson r")),
                format="%+.2f",
                help=explain("pearson", _),
            ),
            _("95% interval"): st.column_config.TextColumn(
                width=fit_width(frame[_("95% interval")], _("95% interval")),
                help=explain("confidence_interval", _),
            ),
            "n": st.column_config.TextColumn(
                width=fit_width(frame["n"], "n"), alignment="right", help=explain("n", _)
            ),
            _("Adjusted p"): st.column_config.NumberColumn(
                width=fit_width(["0.000"], _("Adjusted p")),
                format="%.3f",
                help=explain("adjusted_p", _),
            ),
        },
    )


def drivers_section(ctx: Any, wave_code: str, unit_code: str) -> None:
    """The section for one unit of a closed wave (``ctx``: the page's context)."""
    _ = ctx.gettext
    st.subheader(_("What drives engagement"))
    view = read(ctx, drivers_for, wave_code, unit_code)
    if view is None:
        return
    if view.status != "shown":
        _empty_state(view, _)
        return
    outcome = _outcome_picker(_)
    st.markdown(f"**{drivers_sentence(view, outcome, _)}**")
    frame = drivers_frame(view, outcome, _)
    if frame.empty:
        st.info(
            _("Too few answers to these questions to compare them with this outcome."),
            icon=":material/lock:",
        )
        return
    filled, hollow = _("Holds after adjustment"), _("May be chance")
    chart = charts.correlation_bars(
        frame,
        label="theme",
        r="r",
        low="low",
        high="high",
        n="n",
        significant="significant",
        label_title=_("Theme"),
        r_title=_("Pearson r"),
        legend_title=_("Adjusted p below 0.05"),
        significant_names=(filled, hollow),
        low_title=_("95% interval, low"),
        high_title=_("95% interval, high"),
    )
    st.altair_chart(chart, width="stretch")
    note = _(
        "Over the {n} respondents of {unit}: each dot is how closely a theme goes with the "
        "outcome (Pearson r, from −1 to +1), the bar its 95% interval; a filled dot holds "
        "after the Benjamini–Hochberg adjustment for testing twelve themes at once. A link is "
        "not proof of cause, and themes go together, so read the top few rather than the order."
    ).format(n=view.respondents, unit=view.unit_name)
    left_out = 12 - len(frame)
    if left_out:
        note += " " + ctx.ngettext(
            "{count} theme left out: fewer than {least} people answered both questions "
            "(or the page hides it).",
            "{count} themes left out: fewer than {least} people answered both questions "
            "(or the page hides them).",
            left_out,
        ).format(count=left_out, least=view.min_n)
    st.caption(note, help=_(OUTCOME_HELP[outcome]))
    with st.expander(_("The numbers")):
        _table(view, outcome, _)
