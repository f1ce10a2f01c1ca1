"""The Staff and By touchpoint tabs of the customer outcomes page: each staff member's
satisfaction (with shrinkage) and repurchase in the month, and their satisfaction by touchpoint.

The figures come from :mod:`ee_app.services.outcomes`; this module lays them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from ee_app import charts
from ee_app.models import Touchpoint
from ee_app.ui.outcomes_columns import (
    Gettext,
    csat_column_config,
    floats,
    ints,
    repurchase_column_config,
    repurchase_columns,
    role_label,
    share_interval,
    staff_store,
)
from ee_app.ui.tables import data_table
from ee_app.words.labels import touchpoint_label

__all__ = ["staff_section", "touchpoint_section"]

TOUCHPOINT = "ee_outcomes_touchpoint"
ALL = "all"


def records_by_staff(frame: pd.DataFrame | None) -> dict[int, dict[str, Any]]:
    if frame is None or frame.empty:
        return {}
    return {int(r["staff_id"]): r for r in frame.to_dict("records")}


def staff_frame(
    _: Gettext,
    csat: pd.DataFrame | None,
    repurchase: pd.DataFrame | None,
    stores: Mapping[int, tuple[str, str]],
    min_n: int,
) -> pd.DataFrame:
    """One row per staff member with answers or customers in the month, by store."""
    answers, customers = records_by_staff(csat), records_by_staff(repurchase)
    rows = []
    for staff_id in set(answers) | set(customers):
        a, c = answers.get(staff_id, {}), customers.get(staff_id, {})
        who = a or c
        code, store = staff_store(stores, staff_id, a)
        rows.append(
            {
                "no": who.get("employee_no"),
                "name": who.get("name"),
                "role": role_label(who.get("role"), _),
                "code": code,
                "store": store,
                "n": a.get("n"),
                "mean": a.get("mean5"),
                "top2": a.get("top2_rate"),
                "top2_ci": share_interval(a.get("top2_low"), a.get("top2_high")),
                "shrunk": a.get("shrunk"),
                "small": ("⚠ " + _("n < {k}").format(k=min_n)) if a.get("below_min") else "",
                "repurchase": c,
            }
        )
    rows.sort(key=lambda r: (r["code"], str(r["no"] or "")))
    return pd.DataFrame(
        {
            _("Employee number"): [r["no"] for r in rows],
            _("Name"): [r["name"] for r in rows],
            _("Role"): [r["role"] for r in rows],
            _("Store"): [r["store"] for r in rows],
            _("CSAT n"): ints([r["n"] for r in rows]),
            _("Mean (1–5)"): floats([r["mean"] for r in rows]),
            _("Top-2 %"): floats([r["top2"] for r in rows], 100),
            _("Top-2 95% interval"): [r["top2_ci"] for r in rows],
            _("Shrunken top-2 %"): floats([r["shrunk"] for r in rows], 100),
            _("Few answers"): [r["small"] for r in rows],
            **repurchase_columns(_, [r["repurchase"] for r in rows]),
        }
    )


def staff_table(_: Gettext, frame: pd.DataFrame, prior: str, min_n: int, months: int) -> None:
    data_table(
        frame,
        {
            _("Employee number"): st.column_config.TextColumn(pinned=True),
            _("Name"): st.column_config.TextColumn(pinned=True),
            **csat_column_config(_, prior, min_n, months),
            **repurchase_column_config(_),
        },
        long=True,
    )


def shrinkage_chart(_: Gettext, csat: pd.DataFrame, prior: str) -> None:
    if csat.empty:
        return
    frame = pd.DataFrame(
        {
            "label": [
                f"{n} ({no})" for n, no in zip(csat["name"], csat["employee_no"], strict=True)
            ],
            "n": csat["n"].to_numpy(dtype=int),
            "raw": csat["top2_rate"].to_numpy(dtype=float),
            "shrunk": csat["shrunk"].to_numpy(dtype=float),
        }
    )
    st.markdown("**{}**".format(_("Top-2 share before and after shrinkage")))
    st.altair_chart(
        charts.shrinkage_dots(
            frame,
            label="label",
            n="n",
            raw="raw",
            shrunk="shrunk",
            label_title=_("Staff member"),
            n_title=_("Answers (n, log scale)"),
            rate_title=_("Top-2 %"),
            raw_title=_("Own answers"),
            shrunk_title=_("Shrunken"),
        ),
        width="stretch",
    )
    toward = _("the store's rate") if prior == "store" else _("the role's rate")
    st.caption(
        _(
            "Each staff member twice: the share of their own answers (hollow) and the shrunken "
            "share (filled), pulled toward {toward}. The fewer the answers (left), the longer "
            "the pull."
        ).format(toward=toward)
    )


def staff_section(
    _: Gettext,
    csat: pd.DataFrame | None,
    repurchase: pd.DataFrame | None,
    stores: Mapping[int, tuple[str, str]],
    options: tuple[int, str],
    last_sale: date | None,
    months: int,
) -> None:
    min_n, prior = options
    frame = staff_frame(_, csat, repurchase, stores, min_n)
    if frame.empty:
        st.info(
            _("No satisfaction answers and no customers served in your units this month."),
            icon=":material/info:",
        )
        return
    staff_table(_, frame, prior, min_n, months)
    notes = [
        _(
            "Top-2: answers of 4–5 on a 1–5 scale or 9–10 on a 0–10 scale. Staff with fewer "
            "than {k} answers are marked ⚠."
        ).format(k=min_n)
    ]
    if months > 1:
        notes.append(
            _(
                "Satisfaction covers the {n} months ending with the month shown; customers "
                "and repurchase, the month."
            ).format(n=months)
        )
    if last_sale is not None:
        notes.append(
            _(
                "Pending: the window had not ended by the last sale in the data ({last}); "
                "pending customers count neither as returned nor as lost, and those already "
                "back are shown apart and left out of the rate."
            ).format(last=last_sale)
        )
    st.caption(" ".join(notes))
    if csat is not None:
        shrinkage_chart(_, csat, prior)


def touchpoint_frame(
    _: Gettext, table: pd.DataFrame, stores: Mapping[int, tuple[str, str]], min_n: int
) -> pd.DataFrame:
    order = {t.value: i for i, t in enumerate(Touchpoint)}
    records = sorted(
        table.to_dict("records"),
        key=lambda r: (str(r["employee_no"]), order.get(r["touchpoint"], len(order))),
    )
    return pd.DataFrame(
        {
            _("Employee number"): [r["employee_no"] for r in records],
            _("Name"): [r["name"] for r in records],
            _("Store"): [staff_store(stores, int(r["staff_id"]), r)[1] for r in records],
            _("Touchpoint"): [touchpoint_label(r["touchpoint"], _) for r in records],
            _("CSAT n"): ints([r["n"] for r in records]),
            _("Mean (1–5)"): floats([r["mean5"] for r in records]),
            _("Top-2 %"): floats([r["top2_rate"] for r in records], 100),
            _("Top-2 95% interval"): [
                share_interval(r["top2_low"], r["top2_high"]) for r in records
            ],
            _("Shrunken top-2 %"): floats([r["shrunk"] for r in records], 100),
            _("Few answers"): [
                ("⚠ " + _("n < {k}").format(k=min_n)) if r["below_min"] else "" for r in records
            ],
        }
    )


def touchpoint_section(
    _: Gettext,
    table: pd.DataFrame | None,
    stores: Mapping[int, tuple[str, str]],
    options: tuple[int, str],
    months: int,
) -> None:
    min_n, prior = options
    if table is None or table.empty:
        st.info(_("No satisfaction answers in your units this month."), icon=":material/info:")
        return
    present = [t.value for t in Touchpoint if t.value in set(table["touchpoint"])]
    if st.session_state.get(TOUCHPOINT) not in [ALL, *present]:
        st.session_state[TOUCHPOINT] = ALL
    chosen = st.selectbox(
        _("Touchpoint"),
        [ALL, *present],
        format_func=lambda t: _("All touchpoints") if t == ALL else touchpoint_label(t, _),
        key=TOUCHPOINT,
    )
    shown = table if chosen == ALL else table[table["touchpoint"] == chosen]
    frame = touchpoint_frame(_, shown, stores, min_n)
    data_table(
        frame,
        {
            _("Employee number"): st.column_config.TextColumn(pinned=True),
            **csat_column_config(_, prior, min_n, months),
        },
        long=True,
    )
    st.caption(
        _(
            "One row per staff member and touchpoint. Shrinkage here pools all touchpoints of "
            "the store (or role), so a touchpoint with few answers is pulled toward the "
            "overall rate, not toward that touchpoint's."
        )
    )
