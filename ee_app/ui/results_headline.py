"""The top of the engagement results page: choosing a closed wave, and the headline cards of
the reader's units (engagement index, % favourable, eNPS, change, reliability).

The figures come from :mod:`ee_app.services.results`, already suppressed; a card of a hidden
group says "fewer than k" and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from ee_app.models import WaveStatus
from ee_app.services.results import ROW_COLUMNS, EngagementView
from ee_app.services.waves import WaveRow
from ee_app.ui import keys
from ee_app.ui.context import PageContext
from ee_app.ui.explain import explain
from ee_app.ui.formatting import blank, fewer, interval, plain, signed

__all__ = ["headline", "no_results_yet", "scored", "unit_name", "wave_picker"]

ALPHA_GOOD = 0.7


def unit_name(record: Mapping[str, Any]) -> str:
    return f"{record['name']} ({record['code']})"


def scored(view: EngagementView) -> list[dict[str, Any]]:
    """The view's rows as records with every column the service lists (NaN where hidden)."""
    if view.rows.empty:
        return []
    columns = list(dict.fromkeys([*view.rows.columns, *ROW_COLUMNS]))
    return view.rows.reindex(columns=columns).to_dict("records")


def no_results_yet(ctx: PageContext, waves: Sequence[WaveRow]) -> None:
    _ = ctx.gettext
    message = _(
        "Results appear when a wave closes: then every unit with enough respondents gets its "
        "scores, its change since the wave before, and its staff's comments."
    )
    if any(w.status is WaveStatus.OPEN for w in waves):
        message += " " + _("A wave is open now; its results appear here once it closes.")
    st.info(message, icon=":material/hourglass_empty:")


def wave_picker(ctx: PageContext, closed: Sequence[WaveRow], waves: Sequence[WaveRow]) -> WaveRow:
    """Closed waves only, newest first (the default)."""
    _ = ctx.gettext
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


def metric_card(column: Any, label: str, value: str, notes: Sequence[str], help_text: str) -> None:
    """A headline number with its notes (n, interval) on their own lines beneath it."""
    with column:
        st.metric(label, value, help=help_text, border=True)
        st.caption("  \n".join(notes))


def estimate_notes(ctx: PageContext, n: int, low: Any, high: Any, spec: str) -> list[str]:
    _ = ctx.gettext
    return [f"n = {n}", _("95% interval {interval}").format(interval=interval(low, high, spec))]


def headline_cards(
    ctx: PageContext, record: Mapping[str, Any], columns: Sequence[Any], k: int
) -> None:
    _ = ctx.gettext
    n = int(record["n"])
    metric_card(
        columns[0],
        _("Engagement index"),
        f"{record['index']:.2f}",
        estimate_notes(ctx, n, record["index_low"], record["index_high"], ".2f"),
        explain("engagement_index", _),
    )
    metric_card(
        columns[1],
        _("% favourable"),
        f"{record['favourable']:.0%}",
        estimate_notes(ctx, n, record["favourable_low"], record["favourable_high"], ".0%"),
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
            estimate_notes(
                ctx, int(record["enps_n"]), record["enps_low"], record["enps_high"], ".0f"
            ),
            enps_help,
        )
    metric_card(
        columns[3],
        _("Respondents"),
        str(n),
        [unit_name(record)],
        _("People who answered this wave in the unit."),
    )


def alpha_card(
    ctx: PageContext, column: Any, alpha: tuple[float, float, float, int] | None
) -> None:
    _ = ctx.gettext
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
    notes = [_("Cronbach's alpha, whole wave"), *estimate_notes(ctx, n, low, high, ".2f"), reading]
    metric_card(column, label, f"{value:.2f}", notes, help_text)


def headline(ctx: PageContext, view: EngagementView) -> None:
    _ = ctx.gettext
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
            headline_cards(ctx, record, columns, view.k)
        if position == 0:
            alpha_card(ctx, columns[4], view.alpha)
