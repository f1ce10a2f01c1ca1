"""Customer outcomes: each staff member's customer satisfaction (CSAT) and repurchase (复购) in
a month, by touchpoint and by store; HR imports the CRM's answers and the POS's sales here.

Every number comes from :mod:`ee_app.services.outcomes` (counts, Wilson intervals, shrinkage,
windows; managers get their scope only) and every import goes through
:mod:`ee_app.services.outcomes_import`. The page formats, draws and asks; it computes nothing
but labels and the sum of two counts (decided = returned + lost).
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from ee_app import charts
from ee_app.auth import Permission, can
from ee_app.clock import format_time, zone_name
from ee_app.errors import N_, EeError
from ee_app.exports.outcome_templates import (
    csat_template_csv,
    csat_template_xlsx,
    sales_template_csv,
    sales_template_xlsx,
)
from ee_app.imports.columns import Column, map_columns
from ee_app.imports.outcomes import CSAT_COLUMNS, SALE_COLUMNS
from ee_app.imports.tabular import MAX_MB, read_frame
from ee_app.models import StaffRole, Touchpoint
from ee_app.services.org import list_staff
from ee_app.services.outcomes import (
    ATTRIBUTIONS,
    WINDOWS,
    DataRange,
    csat_table,
    csat_window,
    data_range,
    last_complete_month,
    month_bounds,
    repurchase_table,
    store_summary,
)
from ee_app.services.outcomes_import import (
    BatchRow,
    OutcomeImport,
    import_csat,
    import_history,
    import_sales,
    undo_batch,
)
from ee_app.ui import context
from ee_app.ui.components import XLSX_MIME, csat_window_select, error_box
from ee_app.ui.formatting import blank, interval, number, plain
from ee_app.ui.labels import staff_role_label, touchpoint_label

# Session-state keys of this page (one owner each; see ee_app.ui.keys for the convention).
MONTH = "ee_outcomes_month"
MIN_N = "ee_outcomes_min_n"
CSAT_MONTHS_KEY = "ee_outcomes_csat_months"
PRIOR = "ee_outcomes_prior"
WINDOW = "ee_outcomes_window"
ATTRIBUTION = "ee_outcomes_attribution"
SAME_STAFF = "ee_outcomes_same_staff"
TOUCHPOINT = "ee_outcomes_touchpoint"
KIND = "ee_outcomes_kind"
UPLOAD = "ee_outcomes_upload"  # prefix: f"{UPLOAD}_{kind}"
SCALE = "ee_outcomes_scale"
MAP = "ee_outcomes_map"  # prefix: f"{MAP}_{kind}_{field}"
MAP_FILE = "ee_outcomes_map_file"  # (kind, file id) the mapping widgets belong to
CHECK = "ee_outcomes_check"
IMPORT = "ee_outcomes_import"
UNDO_PICK = "ee_outcomes_undo_pick"
UNDO_NOW = "ee_outcomes_undo_now"
DONE = "ee_outcomes_done"  # the confirmation of an import or undo, shown after the rerun

DEFAULT_MIN_N = 10
DEFAULT_WINDOW = 90
PRIORS = {"store": N_("Store"), "role": N_("Role")}
ATTRIBUTION_NAMES = {
    "last_served": N_("Last staff who served"),
    "owner": N_("Designated owner (指定客)"),
}
KINDS = {"csat": N_("Satisfaction answers"), "sales": N_("Sales")}
COLUMNS: dict[str, tuple[Column, ...]] = {"csat": CSAT_COLUMNS, "sales": SALE_COLUMNS}
SCALES = {0: N_("Detect from the scores"), 5: N_("1–5"), 10: N_("0–10")}
ALL = "all"

ctx = context.page()
_ = ctx.gettext
actor = ctx.actor
imports = can(actor, Permission.IMPORT_OUTCOMES)


# Small pieces ---------------------------------------------------------------------------------


def read(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``call(session, actor, ...)`` in a read session; None (with the error shown) on failure."""
    try:
        with ctx.read() as session:
            return call(session, actor, *args, **kwargs)
    except EeError as error:
        error_box(error, _)
        return None


def ints(values: Sequence[Any]) -> Any:
    return pd.array([None if blank(v) else int(v) for v in values], dtype="Int64")


def floats(values: Sequence[Any], scale: float = 1.0) -> Any:
    return pd.array([number(v, scale) for v in values], dtype="Float64")


def share_interval(low: Any, high: Any) -> str | None:
    return interval(low, high, ".0%")


def store_label(name: Any, code: Any) -> str:
    if blank(code):
        return ""
    return f"{name} ({code})" if not blank(name) else str(code)


def staff_store(
    stores: Mapping[int, tuple[str, str]], staff_id: int, record: Mapping[str, Any]
) -> tuple[str, str]:
    """(code, label) of the staff member's current store, or else of the store of their
    answers."""
    found = stores.get(staff_id)
    if found:
        return found
    code = record.get("store_code")
    return ("" if blank(code) else str(code), store_label(record.get("store_name"), code))


def role_label(role: Any) -> str:
    try:
        return staff_role_label(StaffRole(role), _)
    except ValueError:
        return ""


def months(span: DataRange) -> list[str]:
    """Every month from the first to the last day with data, newest first."""
    days = [d for d in (span.csat_first, span.csat_last, span.sales_first, span.sales_last) if d]
    first, last = min(days), max(days)
    found, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found[::-1]


# The period and the options -------------------------------------------------------------------


def month_picker(options: Sequence[str], column: Any, opening: str | None) -> str:
    """The month shown: ``opening`` (the last complete month) until the reader picks one."""
    if st.session_state.get(MONTH) not in options:
        st.session_state[MONTH] = opening if opening in options else options[0]
    return column.selectbox(
        _("Month"),
        list(options),
        key=MONTH,
        help=_(
            "Satisfaction answers given in this month, and the customers served in it; "
            "their returns are looked for in the window after their last visit."
        ),
    )


def csat_months_picker(column: Any) -> int:
    months = csat_window_select(
        column,
        _,
        key=CSAT_MONTHS_KEY,
        help=_(
            "Each staff member's satisfaction rests on the answers of this many months, "
            "ending with the month shown: one month holds too few answers per person to "
            "compare people. Stores and repurchase keep to the month."
        ),
    )
    return int(months)


def csat_options(left: Any, right: Any) -> tuple[int, str]:
    min_n = left.number_input(
        _("CSAT minimum n"),
        min_value=1,
        max_value=1000,
        value=DEFAULT_MIN_N,
        step=1,
        key=MIN_N,
        help=_(
            "Staff with fewer answers than this are marked: their rates are too uncertain "
            "to compare people or pay on."
        ),
    )
    prior = right.segmented_control(
        _("Shrink toward"),
        list(PRIORS),
        default="store",
        format_func=lambda p: _(PRIORS[p]),
        required=True,
        key=PRIOR,
        help=_(
            "A staff member with few answers is pulled toward the rate of their store (or "
            "of everyone in the same role): the fewer answers, the stronger the pull."
        ),
    )
    return int(min_n), prior


def repurchase_options() -> tuple[int, str, bool]:
    columns = st.columns([2, 3])
    window = columns[0].segmented_control(
        _("Repurchase window"),
        list(WINDOWS),
        default=DEFAULT_WINDOW,
        format_func=lambda d: _("{days} days").format(days=d),
        required=True,
        key=WINDOW,
        help=_(
            "A customer returned if they bought again within this many days after their "
            "last visit in the month."
        ),
    )
    attribution = columns[1].segmented_control(
        _("Customers belong to"),
        list(ATTRIBUTIONS),
        default="last_served",
        format_func=lambda a: _(ATTRIBUTION_NAMES[a]),
        required=True,
        key=ATTRIBUTION,
        help=_(
            "Last staff who served: every staff member who served the customer in the month. "
            "Designated owner: the consultant the customer is assigned to (指定客) at their "
            "last purchase in the month."
        ),
    )
    same_staff = st.toggle(
        _("Returns to the same staff member only"),
        key=SAME_STAFF,
        help=_(
            "Count a return only when the same staff member serves the customer again; "
            "otherwise a purchase anywhere in the chain counts."
        ),
    )
    return int(window), attribution, bool(same_staff)


def period_caption(span: DataRange, start: date, end: date, months: int) -> None:
    parts = [_("{start} to {end}.").format(start=start, end=end)]
    if months > 1:
        first, last = csat_window(start, end, months)
        parts.append(_("Staff satisfaction from {first} to {last}.").format(first=first, last=last))
    if span.csat_first:
        parts.append(
            _("Satisfaction answers from {first} to {last}.").format(
                first=span.csat_first, last=span.csat_last
            )
        )
    if span.sales_first:
        parts.append(
            _("Sales from {first} to {last}.").format(first=span.sales_first, last=span.sales_last)
        )
    st.caption(" ".join(parts))


# Staff ----------------------------------------------------------------------------------------


def records_by_staff(frame: pd.DataFrame | None) -> dict[int, dict[str, Any]]:
    if frame is None or frame.empty:
        return {}
    return {int(r["staff_id"]): r for r in frame.to_dict("records")}


def staff_frame(
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
        decided = None if not c else int(c["returned"]) + int(c["lost"])
        rows.append(
            {
                "no": who.get("employee_no"),
                "name": who.get("name"),
                "role": role_label(who.get("role")),
                "code": code,
                "store": store,
                "n": a.get("n"),
                "mean": a.get("mean5"),
                "top2": a.get("top2_rate"),
                "top2_ci": share_interval(a.get("top2_low"), a.get("top2_high")),
                "shrunk": a.get("shrunk"),
                "small": ("⚠ " + _("n < {k}").format(k=min_n)) if a.get("below_min") else "",
                "customers": c.get("customers"),
                "returned": c.get("returned"),
                "lost": c.get("lost"),
                "decided": decided,
                "pending": c.get("pending"),
                "back": c.get("pending_returned"),
                "rate": c.get("rate"),
                "rate_ci": share_interval(c.get("rate_low"), c.get("rate_high")),
                "value": c.get("repeat_value"),
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
            _("Customers"): ints([r["customers"] for r in rows]),
            _("Returned"): ints([r["returned"] for r in rows]),
            _("Lost"): ints([r["lost"] for r in rows]),
            _("Decided"): ints([r["decided"] for r in rows]),
            _("Pending"): ints([r["pending"] for r in rows]),
            _("Already back"): ints([r["back"] for r in rows]),
            _("Repurchase rate %"): floats([r["rate"] for r in rows], 100),
            _("Rate 95% interval"): [r["rate_ci"] for r in rows],
            _("Repeat value (CNY)"): floats([r["value"] for r in rows]),
        }
    )


def csat_column_config(prior: str, min_n: int, months: int = 1) -> dict[str, Any]:
    number_column = st.column_config.NumberColumn
    answers = (
        _("Satisfaction answers in the month.")
        if months == 1
        else _("Satisfaction answers in the {n} months ending with the month shown.").format(
            n=months
        )
    )
    toward = (
        _("Pulled toward the store's rate; the fewer answers, the stronger.")
        if prior == "store"
        else _("Pulled toward the role's rate; the fewer answers, the stronger.")
    )
    return {
        _("CSAT n"): number_column(help=answers),
        _("Mean (1–5)"): number_column(
            format="%.2f", help=_("Mean score on 1–5; a 0–10 answer x counts as 1 + 4·x/10.")
        ),
        _("Top-2 %"): number_column(
            format="%.0f%%", help=_("Share of 4–5 answers (9–10 on a 0–10 scale).")
        ),
        _("Top-2 95% interval"): st.column_config.TextColumn(
            _("95% interval"), help=_("Wilson 95% interval of the top-2 share.")
        ),
        _("Shrunken top-2 %"): number_column(format="%.0f%%", help=toward),
        _("Few answers"): st.column_config.TextColumn(
            help=_("Fewer than {k} answers: too few to compare or pay on.").format(k=min_n)
        ),
    }


def repurchase_column_config() -> dict[str, Any]:
    number_column = st.column_config.NumberColumn
    return {
        _("Customers"): number_column(help=_("Customers served in the month.")),
        _("Returned"): number_column(help=_("Bought again within the window.")),
        _("Lost"): number_column(help=_("Did not buy again within the window.")),
        _("Decided"): number_column(
            help=_("Returned + lost: the customers the repurchase rate rests on (its n).")
        ),
        _("Pending"): number_column(
            help=_("Their window had not ended by the last sale in the data: not counted yet.")
        ),
        _("Already back"): number_column(
            help=_("Pending customers who have already bought again; not in the rate.")
        ),
        _("Repurchase rate %"): number_column(
            format="%.0f%%", help=_("Returned ÷ (returned + lost).")
        ),
        _("Rate 95% interval"): st.column_config.TextColumn(
            _("95% interval"), help=_("Wilson 95% interval of the repurchase rate.")
        ),
        _("Repeat value (CNY)"): number_column(
            format="%,.2f",
            help=_("Amount of the repeat purchases in the window, in CNY (元)."),
        ),
    }


def staff_table(frame: pd.DataFrame, prior: str, min_n: int, months: int) -> None:
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        height=min(len(frame), 15) * 35 + 38,
        placeholder="",
        column_config={
            _("Employee number"): st.column_config.TextColumn(pinned=True),
            _("Name"): st.column_config.TextColumn(pinned=True),
            **csat_column_config(prior, min_n, months),
            **repurchase_column_config(),
        },
    )


def shrinkage_chart(csat: pd.DataFrame, prior: str) -> None:
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
    csat: pd.DataFrame | None,
    repurchase: pd.DataFrame | None,
    stores: Mapping[int, tuple[str, str]],
    options: tuple[int, str],
    last_sale: date | None,
    months: int,
) -> None:
    min_n, prior = options
    frame = staff_frame(csat, repurchase, stores, min_n)
    if frame.empty:
        st.info(
            _("No satisfaction answers and no customers served in your units this month."),
            icon=":material/info:",
        )
        return
    staff_table(frame, prior, min_n, months)
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
        shrinkage_chart(csat, prior)


# By touchpoint --------------------------------------------------------------------------------


def touchpoint_frame(
    table: pd.DataFrame, stores: Mapping[int, tuple[str, str]], min_n: int
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
    frame = touchpoint_frame(shown, stores, min_n)
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        height=min(len(frame), 15) * 35 + 38,
        placeholder="",
        column_config={
            _("Employee number"): st.column_config.TextColumn(pinned=True),
            **csat_column_config(prior, min_n, months),
        },
    )
    st.caption(
        _(
            "One row per staff member and touchpoint. Shrinkage here pools all touchpoints of "
            "the store (or role), so a touchpoint with few answers is pulled toward the "
            "overall rate, not toward that touchpoint's."
        )
    )


# Stores ---------------------------------------------------------------------------------------

STORE_COLUMNS = [
    "store_code",
    "store_name",
    "csat_n",
    "mean5",
    "top2_rate",
    "top2_low",
    "top2_high",
    "customers",
    "returned",
    "lost",
    "pending",
    "pending_returned",
    "rate",
    "rate_low",
    "rate_high",
    "repeat_value",
]


def stores_frame(table: pd.DataFrame) -> pd.DataFrame:
    records = table.to_dict("records")

    def decided(r: Mapping[str, Any]) -> int | None:
        return None if blank(r["returned"]) else int(r["returned"]) + int(r["lost"])

    return pd.DataFrame(
        {
            _("Store"): [store_label(r["store_name"], r["store_code"]) for r in records],
            _("CSAT n"): ints([r["csat_n"] for r in records]),
            _("Mean (1–5)"): floats([r["mean5"] for r in records]),
            _("Top-2 %"): floats([r["top2_rate"] for r in records], 100),
            _("Top-2 95% interval"): [
                share_interval(r["top2_low"], r["top2_high"]) for r in records
            ],
            _("Customers"): ints([r["customers"] for r in records]),
            _("Returned"): ints([r["returned"] for r in records]),
            _("Lost"): ints([r["lost"] for r in records]),
            _("Decided"): ints([decided(r) for r in records]),
            _("Pending"): ints([r["pending"] for r in records]),
            _("Already back"): ints([r["pending_returned"] for r in records]),
            _("Repurchase rate %"): floats([r["rate"] for r in records], 100),
            _("Rate 95% interval"): [
                share_interval(r["rate_low"], r["rate_high"]) for r in records
            ],
            _("Repeat value (CNY)"): floats([r["repeat_value"] for r in records]),
        }
    )


def store_chart(
    table: pd.DataFrame, rate: str, low: str, high: str, n: pd.Series, title: str
) -> None:
    """Stores with a rate, each on its interval bar with its n (a store without one is left
    out: no answers, or no decided customers yet)."""
    frame = pd.DataFrame(
        {
            "store": [
                store_label(a, b)
                for a, b in zip(table["store_name"], table["store_code"], strict=True)
            ],
            "rate": table[rate].to_numpy(dtype=float),
            "low": table[low].to_numpy(dtype=float),
            "high": table[high].to_numpy(dtype=float),
            "n": n.to_numpy(dtype=float),
        }
    ).dropna()
    if frame.empty:
        return
    st.markdown(f"**{title}**")
    st.altair_chart(
        charts.interval_dots(
            frame,
            label="store",
            rate="rate",
            low="low",
            high="high",
            n="n",
            label_title=_("Store"),
            rate_title=title,
            interval_title=_("95% interval"),
        ),
        width="stretch",
    )


def stores_section(table: pd.DataFrame | None, window: int) -> None:
    if table is None:
        return
    table = table.reindex(columns=STORE_COLUMNS)
    has_data = table["csat_n"].notna() | table["customers"].notna()
    table = table[has_data].sort_values("store_code", kind="stable")
    if table.empty:
        st.info(
            _("No satisfaction answers and no customers served in your stores this month."),
            icon=":material/info:",
        )
        return
    frame = stores_frame(table)
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        height=min(len(frame), 15) * 35 + 38,
        placeholder="",
        column_config={
            _("Store"): st.column_config.TextColumn(pinned=True),
            **{k: v for k, v in csat_column_config("store", 0).items() if k in frame},
            **repurchase_column_config(),
        },
    )
    st.caption(
        _(
            "A store's customers are those who bought there in the month; a purchase at any "
            "store of the chain within {days} days counts as a return, and each repeat "
            "purchase counts once."
        ).format(days=window)
    )
    csat_chart, repurchase_chart = st.columns(2, gap="large")
    with csat_chart:
        store_chart(table, "top2_rate", "top2_low", "top2_high", table["csat_n"], _("CSAT top-2 %"))
    with repurchase_chart:
        decided = table["returned"] + table["lost"]
        store_chart(table, "rate", "rate_low", "rate_high", decided, _("Repurchase rate %"))
    st.caption(_("Dots are the rates, bars their 95% intervals; n is the number they rest on."))


# Import (HR) ----------------------------------------------------------------------------------


def show_done() -> None:
    message = st.session_state.pop(DONE, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def template_buttons(kind: str) -> None:
    builders = {
        "csat": (csat_template_xlsx, csat_template_csv, "satisfaction-template"),
        "sales": (sales_template_xlsx, sales_template_csv, "sales-template"),
    }
    xlsx, csv, stem = builders[kind]
    row = st.container(horizontal=True)
    row.download_button(
        _("Download the Excel template"),
        data=lambda: xlsx(ctx.language),
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key=f"{kind}_template_xlsx",
    )
    row.download_button(
        _("Download the CSV template"),
        data=lambda: csv(ctx.language),
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=f"{kind}_template_csv",
    )


def file_header(upload: Any) -> list[str] | None:
    """The uploaded file's header (read once per file); None with the error shown."""
    cache = st.session_state.setdefault(f"{MAP_FILE}_header", {})
    if upload.file_id not in cache:
        try:
            cache.clear()
            cache[upload.file_id] = read_frame(upload.getvalue(), upload.name).header
        except EeError as error:
            error_box(error, _)
            return None
    return cache[upload.file_id]


def field_name(column: Column) -> str:
    name = column.zh if ctx.language == "zh-CN" else column.en
    return f"{name} *" if column.required else name


def mapping_step(kind: str, header: Sequence[str], file_id: str) -> tuple[dict[str, str], bool]:
    """Let HR point headers at fields when the file's columns were not all recognised.

    Returns the mapping (field key → header) and whether the columns are now all found.
    """
    columns = COLUMNS[kind]
    if st.session_state.get(MAP_FILE) != (kind, file_id):
        for column in columns:
            st.session_state.pop(f"{MAP}_{kind}_{column.key}", None)
        st.session_state[MAP_FILE] = (kind, file_id)
    positions, problems = map_columns(header, columns)
    if not problems:
        return {}, True
    st.warning(
        _(
            "Some columns of this file were not recognised. For each field, choose the "
            "column of your file that holds it (fields marked * are required)."
        ),
        icon=":material/table_chart:",
    )
    options = ["", *dict.fromkeys(h for h in header if h)]
    grid = st.columns(3)
    mapping: dict[str, str] = {}
    for position, column in enumerate(columns):
        found = header[positions[column.key]] if column.key in positions else ""
        chosen = grid[position % 3].selectbox(
            field_name(column),
            options,
            index=options.index(found) if found in options else 0,
            format_func=lambda h: h or _("— not in the file —"),
            key=f"{MAP}_{kind}_{column.key}",
        )
        if chosen:
            mapping[column.key] = chosen
    repeated = [h for h in dict.fromkeys(mapping.values()) if list(mapping.values()).count(h) > 1]
    if repeated:
        st.error(
            _("One column cannot hold two fields: {headers}.").format(headers=", ".join(repeated)),
            icon=":material/error:",
        )
        return mapping, False
    _positions, still = map_columns(header, columns, mapping)
    for problem in still:
        st.caption(problem.render(_))
    return mapping, not still


def scale_picker() -> int | None:
    chosen = st.segmented_control(
        _("Scale of the scores"),
        list(SCALES),
        default=0,
        format_func=lambda s: _(SCALES[s]),
        required=True,
        key=SCALE,
        help=_(
            "Used when the file has no Scale column (or a row leaves it empty). Detect: a "
            "file whose scores are all from 1 to 5 is read as 1–5, one with none from 1 to 5 "
            "as 0–10; a file with both (1–5 and a 7, say) is refused until you choose."
        ),
    )
    return int(chosen) or None


def summary(result: OutcomeImport) -> str:
    text = _(
        "{rows} rows: {new} new, {unchanged} already imported; dates {first} to {last}."
    ).format(
        rows=result.rows,
        new=result.new,
        unchanged=result.unchanged,
        first=result.first_date,
        last=result.last_date,
    )
    if result.kind == "csat":
        if result.detected_scale:
            text += " " + _("Scores read on the {scale} scale.").format(
                scale=_(SCALES[result.detected_scale])
            )
        else:
            text += " " + _("Each row's scale is taken from the file's Scale column.")
    return text


def run_import(
    kind: str, upload: Any, mapping: Mapping[str, str], scale: int | None, dry_run: bool
) -> None:
    bar = st.progress(0.0)

    def progress(fraction: float, label: str) -> None:
        bar.progress(fraction, text=_(label))

    options: dict[str, Any] = {
        "dry_run": dry_run,
        "mapping": dict(mapping) or None,
        "progress": progress,
    }
    if kind == "csat":
        options["scale"] = scale
    importer = import_csat if kind == "csat" else import_sales
    try:
        with ctx.write() as session:
            result = importer(
                session, actor, upload.getvalue(), upload.name, context.settings(), **options
            )
    except EeError as error:
        bar.empty()
        error_box(error, _)
        return
    bar.empty()
    for warning in result.warnings:
        st.warning(warning.render(_), icon=":material/warning:")
    if result.dry_run:
        st.info(
            _("The file is valid. {summary} Nothing was written yet.").format(
                summary=summary(result)
            ),
            icon=":material/fact_check:",
        )
    elif not result.new:
        st.info(
            _("Nothing new: every row of this file was imported before. {summary}").format(
                summary=summary(result)
            ),
            icon=":material/check_circle:",
        )
    else:
        st.session_state[DONE] = _("Imported as batch {batch}. {summary}").format(
            batch=result.batch_id, summary=summary(result)
        )
        st.session_state[UNDO_PICK] = result.batch_id  # the batch to undo, if it was a mistake
        st.rerun()


def upload_step(kind: str) -> None:
    upload = st.file_uploader(
        _("{file} (.xlsx or .csv, at most {limit} MB)").format(
            file=_("Satisfaction file") if kind == "csat" else _("Sales file"), limit=MAX_MB
        ),
        type=["xlsx", "csv"],
        max_upload_size=MAX_MB,
        key=f"{UPLOAD}_{kind}",
    )
    scale = scale_picker() if kind == "csat" else None
    if upload is None:
        return
    header = file_header(upload)
    if header is None:
        return
    mapping, ready = mapping_step(kind, header, upload.file_id)
    row = st.container(horizontal=True)
    check = row.button(
        _("Check the file"), icon=":material/fact_check:", disabled=not ready, key=CHECK
    )
    apply = row.button(
        _("Import"), type="primary", icon=":material/upload:", disabled=not ready, key=IMPORT
    )
    if check or apply:
        run_import(kind, upload, mapping, scale, dry_run=check)


def batch_label(batch: BatchRow) -> str:
    return _("Batch {batch} · {file} · {when} · {rows} rows").format(
        batch=batch.id,
        file=batch.file_name,
        when=format_time(batch.created_at),
        rows=batch.rows,
    )


def history_frame(batches: Sequence[BatchRow]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            _("Batch"): [b.id for b in batches],
            _("What"): [_(KINDS.get(b.kind, b.kind)) for b in batches],
            _("File"): [b.file_name for b in batches],
            _("Imported ({zone})").format(zone=zone_name(_)): [
                format_time(b.created_at) for b in batches
            ],
            _("By"): [b.actor for b in batches],
            _("Rows"): [b.rows for b in batches],
            _("New"): [b.inserted for b in batches],
            _("Already imported"): [b.unchanged for b in batches],
            _("Status"): [
                _("Active")
                if b.undone_at is None
                else _("Undone {when}").format(when=format_time(b.undone_at))
                for b in batches
            ],
        }
    )


def undo_control(active: Sequence[BatchRow]) -> None:
    by_id = {b.id: b for b in active}
    if st.session_state.get(UNDO_PICK) not in by_id:
        st.session_state[UNDO_PICK] = active[0].id
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    batch = by_id[
        left.selectbox(
            _("Batch to undo"),
            list(by_id),
            format_func=lambda i: batch_label(by_id[i]),
            key=UNDO_PICK,
        )
    ]
    with right.popover(_("Undo"), icon=":material/undo:", width="stretch"):
        st.markdown(
            _(
                "**Undo batch {batch}?** {file}, imported {when} ({zone}): {rows} rows, "
                "{new} of them new."
            ).format(
                batch=batch.id,
                file=plain(batch.file_name),
                when=format_time(batch.created_at),
                zone=zone_name(_),
                rows=batch.rows,
                new=batch.inserted,
            )
        )
        st.caption(
            _(
                "Undo removes exactly the {new} rows this batch added, in one step; rows of "
                "other batches stay. The batch stays in the history, marked undone, and the "
                "file can be imported again later."
            ).format(new=batch.inserted)
        )
        if st.button(_("Yes, undo it"), type="primary", key=UNDO_NOW):
            try:
                with ctx.write() as session:
                    undone = undo_batch(session, actor, batch.id)
            except EeError as error:
                error_box(error, _)
                return
            st.session_state[DONE] = _("Batch {batch} was undone: its rows were removed.").format(
                batch=undone.id
            )
            st.rerun()


def history_section() -> None:
    st.markdown("**{}**".format(_("Import history")))
    batches = read(import_history)
    if batches is None:
        return
    if not batches:
        st.caption(_("Nothing has been imported yet."))
        return
    st.dataframe(history_frame(batches), hide_index=True, width="stretch")
    active = [b for b in batches if b.undone_at is None]
    if active:
        undo_control(active)


@st.fragment
def import_section() -> None:
    """HR's imports. A fragment: choosing, uploading and checking rerun only this part, not
    the tables above; an import or undo that changes the data reruns the whole page."""
    show_done()
    if st.session_state.get(KIND) not in KINDS:
        st.session_state[KIND] = "csat"
    kind = st.segmented_control(
        _("What to import"),
        list(KINDS),
        format_func=lambda k: _(KINDS[k]),
        required=True,
        key=KIND,
    )
    if kind == "csat":
        st.write(
            _(
                "The CRM's post-service questionnaire answers: one row per answer, with the "
                "staff member who served, the store, the service date and the score (1–5 or "
                "0–10); the touchpoint and customer are optional."
            )
        )
    else:
        st.write(
            _(
                "The POS's sales: one row per transaction, with the customer, the staff who "
                "served (several in one cell, separated by commas), the store, the date and "
                "the amount in CNY; the designated owner (指定客) is optional."
            )
        )
    st.caption(
        _(
            "Upload .xlsx or .csv (UTF-8 or GBK), with English or Chinese headers. The whole "
            "file is checked first; if any row is wrong nothing is imported and every problem "
            "is listed with its row and column. Rows imported before are skipped. Customer "
            "references are stored only as a keyed hash."
        )
    )
    template_buttons(kind)
    upload_step(kind)
    history_section()


# The page -------------------------------------------------------------------------------------


st.title(_("Customer outcomes"))
st.caption(
    _(
        "Each staff member's customer satisfaction (CSAT) and repurchase (复购) in a month, "
        "with the number of answers or customers each rate rests on and its 95% interval."
    )
)
span = read(data_range)
if span is None:
    st.stop()
if not any((span.csat_first, span.sales_first)):
    if imports:
        st.info(
            _(
                "No customer outcomes yet. Import the CRM's satisfaction answers and the POS's "
                "sales below."
            ),
            icon=":material/upload_file:",
        )
        st.subheader(_("Import"))
        import_section()
    else:
        st.info(
            _(
                "No customer outcomes yet: HR imports the CRM's satisfaction answers and the "
                "POS's sales on this page."
            ),
            icon=":material/hourglass_empty:",
        )
    st.stop()

top = st.columns([2, 2, 1, 2])
month = month_picker(months(span), top[0], last_complete_month(span))
csat_months = csat_months_picker(top[1])
csat_choice = csat_options(top[2], top[3])
repurchase_choice = repurchase_options()
start, end = month_bounds(month)
period_caption(span, start, end, csat_months)

window, attribution, same_staff = repurchase_choice
min_n, prior = csat_choice
csat = read(csat_table, start, end, months=csat_months, prior_by=prior, min_n=min_n)
by_touchpoint = read(
    csat_table,
    start,
    end,
    months=csat_months,
    by_touchpoint=True,
    prior_by=prior,
    min_n=min_n,
)
repurchase = read(
    repurchase_table,
    start,
    end,
    window_days=window,
    attribution=attribution,
    same_staff=same_staff,
)
stores = read(store_summary, start, end, window_days=window)
roster = read(list_staff, include_left=True) or []
store_of = {s.id: (s.store_code, store_label(s.store_name, s.store_code)) for s in roster}

names = [_("Staff"), _("By touchpoint"), _("Stores")]
if imports:
    names.append(_("Import"))
tabs = st.tabs(names)
with tabs[0]:
    staff_section(csat, repurchase, store_of, csat_choice, span.sales_last, csat_months)
with tabs[1]:
    touchpoint_section(by_touchpoint, store_of, csat_choice, csat_months)
with tabs[2]:
    stores_section(stores, window)
if imports:
    with tabs[3]:
        import_section()
