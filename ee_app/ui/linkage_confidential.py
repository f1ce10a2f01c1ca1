"""The confidential-wave part of the engagement and customers page: the person-level relation,
computed once per wave and outcome and then frozen, shown only as aggregates.
"""

from __future__ import annotations

import streamlit as st

from ee_app.auth import Permission, can
from ee_app.clock import format_time, zone_name
from ee_app.services.confidential import PERSON_OUTCOMES, FrozenRelation
from ee_app.services.linkage import (
    MIN_PEOPLE,
    compute_relation,
    confidential_waves,
    individual_relation,
)
from ee_app.ui.context import PageContext
from ee_app.ui.linkage_relation import NAMES, SHORT
from ee_app.ui.service_calls import wrote

__all__ = ["confidential_section"]

CONFIDENTIAL = "ee_linkage_confidential"
COMPUTE = "ee_linkage_compute"  # + wave and outcome: the one-time computation's button


def frozen_text(ctx: PageContext, frozen: FrozenRelation, name: str) -> str:
    """Two or three plain sentences on a frozen person-level relation."""
    _ = ctx.gettext
    if not frozen.enough:
        return _(
            "Fewer than {minimum} respondents had both an engagement index and a {outcome} of "
            "their own: nothing is shown, so that no person's answers can be inferred."
        ).format(minimum=MIN_PEOPLE, outcome=name)
    if frozen.r is None:
        return _(
            "No relation can be computed: once the extreme values are pulled in so that at "
            "least {k} people share each, engagement or {outcome} no longer varies enough "
            "among these {n} people. Nothing about any person is shown."
        ).format(k=frozen.k, outcome=name, n=frozen.people)
    p = _("below 0.05") if frozen.significant else _("0.05 or more")
    return _(
        "Across {n} people, each person's engagement against their own {outcome}: winsorized "
        "r = {r}, 95% interval {low} to {high}, p {p}. The {g} lowest and the {g} highest "
        "values of each are pulled in, so no single person moves it far; a relation between "
        "people is not a cause. Only this summary is ever shown, never a person."
    ).format(
        n=frozen.people,
        outcome=name,
        r=tenth(frozen.r),
        low=tenth(frozen.r_low),
        high=tenth(frozen.r_high),
        p=p,
        g=frozen.winsorized,
    )


def tenth(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def frozen_section(ctx: PageContext, frozen: FrozenRelation, outcome: str) -> None:
    _ = ctx.gettext
    name = _(NAMES[outcome])
    if frozen.enough and frozen.r is not None:
        cols = st.columns(3)
        cols[0].metric(_("People"), frozen.people)
        cols[1].metric(
            _("Winsorized r [95%]"),
            f"{tenth(frozen.r)} [{tenth(frozen.r_low)}, {tenth(frozen.r_high)}]",
            help=_("Rounded to one decimal; the interval outward."),
        )
        cols[2].metric("p", "< 0.05" if frozen.significant else "≥ 0.05")
        st.info(frozen_text(ctx, frozen, name), icon=":material/lightbulb:")
    else:
        st.caption(frozen_text(ctx, frozen, name))
    batches = ", ".join(str(b) for b in frozen.batches) or "—"
    st.caption(
        _(
            "Computed once, {when} ({zone}) by {who}, on {month}'s data (CSAT over the {months} "
            "month(s) ending with it) from import batches {batches}. Later imports and undos "
            "do not change it."
        ).format(
            when=format_time(frozen.computed_at),
            zone=zone_name(_),
            who=frozen.computed_by,
            month=frozen.month,
            months=frozen.csat_months or 1,
            batches=batches,
        )
    )


def compute_control(ctx: PageContext, wave: str, outcome: str) -> None:
    _ = ctx.gettext
    name = _(NAMES[outcome])
    st.caption(_("Not computed yet for {outcome}.").format(outcome=name))
    with st.popover(_("Compute it once"), icon=":material/lock:"):
        st.write(
            _(
                "The relation with {outcome} is computed once, on the outcome data as it is "
                "now, and never again: later imports and undos do not change it, so that no "
                "one can steer it to reveal a person. Import the month's CSAT and sales first "
                "(for repurchase, sales until the 90-day windows have ended)."
            ).format(outcome=name)
        )
        if st.button(_("Yes, compute it now"), type="primary", key=f"{COMPUTE}_{wave}_{outcome}"):
            if not wrote(ctx, compute_relation, wave, outcome):
                return
            st.rerun()


def confidential_section(ctx: PageContext) -> None:
    _ = ctx.gettext
    actor = ctx.actor
    if not can(actor, Permission.MANAGE_SURVEYS):
        return
    with ctx.read() as session:
        waves = confidential_waves(session, actor)
    st.subheader(_("Person by person (confidential waves)"))
    if not waves:
        st.caption(
            _(
                "No closed confidential waves. In a confidential wave each answer is linked to "
                "its person for this analysis only; it shows aggregate statistics over at least "
                "{minimum} people, never a person."
            ).format(minimum=MIN_PEOPLE)
        )
        return
    wave = st.selectbox(_("Confidential wave"), waves, key=CONFIDENTIAL)
    st.caption(
        _(
            "Each respondent's engagement against their own outcome in the wave's month, over "
            "at least {minimum} people: a winsorized correlation (at least k people share each "
            "extreme value), computed once and then frozen, shown to one decimal."
        ).format(minimum=MIN_PEOPLE)
    )
    for outcome in PERSON_OUTCOMES:
        st.markdown(f"**{_(SHORT[outcome])}**")
        with ctx.read() as session:
            frozen = individual_relation(session, actor, wave, outcome)
        if frozen is None:
            compute_control(ctx, wave, outcome)
        else:
            frozen_section(ctx, frozen, outcome)
