"""The Unit detail part of the engagement results page: one unit's trend over the waves, its
eNPS, its themes and own questions, and (through :mod:`ee_app.ui.results_comments`) what its
staff wrote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from ee_app import charts
from ee_app.models import UnitLevel
from ee_app.services.org import UnitRow
from ee_app.services.results import EngagementView
from ee_app.services.results_trend import trend_for
from ee_app.services.waves import WaveRow
from ee_app.ui import keys
from ee_app.ui.components import unit_option_label
from ee_app.ui.context import PageContext
from ee_app.ui.formatting import blank, fewer, interval, signed
from ee_app.ui.results_comments import comments_section
from ee_app.ui.results_headline import scored
from ee_app.words.labels import theme_label

__all__ = ["known_units", "ranked_themes", "unit_detail", "unit_picker"]

ENPS_COLOURS = ("#2e7d32", "#9e9e9e", "#c62828")  # promoters, passives, detractors


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
    ctx: PageContext,
    units: Sequence[UnitRow],
    known: Mapping[str, dict[str, Any]],
    view: EngagementView,
) -> str | None:
    """Units of the wave in scope, in tree order; the scope's top unit by default."""
    _ = ctx.gettext
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


def trend_frame(ctx: PageContext, trend: pd.DataFrame, closed: Sequence[WaveRow]) -> pd.DataFrame:
    """One row per closed wave, oldest first. A wave where the unit was hidden is a gap marked
    "fewer than k"; one the service has no row for (the unit was not surveyed, or its answers
    were stored with a larger unit) is a gap marked "no result"."""
    _ = ctx.gettext
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


def trend_section(ctx: PageContext, unit_code: str, closed: Sequence[WaveRow]) -> None:
    _ = ctx.gettext
    actor = ctx.actor
    st.markdown("**{}**".format(_("Engagement index over the waves")))
    with ctx.read() as session:
        trend = trend_for(session, actor, unit_code)
    frame = trend_frame(ctx, trend, closed)
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


def enps_section(ctx: PageContext, record: Mapping[str, Any], k: int) -> None:
    _ = ctx.gettext
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


def theme_lines(ctx: PageContext, themes: pd.DataFrame) -> str:
    _ = ctx.gettext
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


def themes_section(ctx: PageContext, themes: pd.DataFrame, k: int) -> None:
    _ = ctx.gettext
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
    strong.markdown(theme_lines(ctx, ranked.head(top)))
    if bottom:
        weak.markdown("**{}**".format(_("Weakest themes")))
        weak.markdown(theme_lines(ctx, ranked.tail(bottom).iloc[::-1]))
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


def own_frame(ctx: PageContext, own: pd.DataFrame, k: int) -> pd.DataFrame:
    """One row per own question: its text in the reader's language, mean with interval, %
    favourable, answers, change; "fewer than k" where the service hid it."""
    _ = ctx.gettext
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


def own_section(ctx: PageContext, own: pd.DataFrame, k: int) -> None:
    """HR's own questions of the wave, when it has any: nothing otherwise."""
    _ = ctx.gettext
    if own is None or own.empty:
        return
    st.markdown("**{}**".format(_("Your own questions")))
    st.dataframe(own_frame(ctx, own, k), hide_index=True, width="stretch")
    st.caption(
        _(
            "Questions added to this wave: not part of the engagement index. A change is shown "
            "only where the unit's previous wave asked the same question."
        )
    )


def unit_detail(
    ctx: PageContext, wave: WaveRow, closed: Sequence[WaveRow], record: Mapping[str, Any], k: int
) -> None:
    trend, side = st.columns([3, 2], gap="large")
    with trend:
        trend_section(ctx, record["code"], closed)
    with side:
        enps_section(ctx, record, k)
    themes_section(ctx, record["themes"], k)
    own_section(ctx, record.get("own"), k)
    comments_section(ctx, wave, record["code"])
