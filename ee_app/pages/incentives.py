"""Incentives (激励方案): design performance pay that rewards service quality, see what it would
pay before saving, run a month, have a second person approve it, and hand payroll the
workbook.

The page edits a scheme as tables and sends the definition to the validator (a service
weight below the floor is refused there, with the reason shown here); the evidence beside
the weights and every number of the simulation and the runs come from
:mod:`ee_app.services.incentives` and :mod:`ee_app.services.linkage`.
"""

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from ee_app.errors import EeError, ValidationError
from ee_app.exports.payroll import payroll_xlsx
from ee_app.instruments.scheme import MEASURES, SERVICE_MEASURES, validate
from ee_app.models import RunStatus
from ee_app.services.audit import record_download
from ee_app.services.incentives import (
    approve_run,
    create_run,
    discard_run,
    list_runs,
    list_schemes,
    period_inputs,
    run_csat_months,
    run_view,
    save_scheme,
    scheme_of,
    simulate,
)
from ee_app.services.linkage import linkage_data
from ee_app.services.outcomes import data_range
from ee_app.ui import context
from ee_app.ui.calibration import draft_section, run_section
from ee_app.ui.components import XLSX_MIME, csat_window_select, error_box
from ee_app.ui.labels import (
    component_labels,
    measure_label,
    missing_rule_label,
    problem_text,
    role_label,
)
from ee_app.ui.pay_compare import who_gains_section
from ee_app.ui.scheme_editor import (
    components_frame,
    definition_from,
    fill_ids,
    level_notes,
    missing_options,
    roles_frame,
)

BASE = "ee_incentives_base"
PERIOD = "ee_incentives_period"
RUN_PICK = "ee_incentives_run"
FLASH = "ee_incentives_flash"
COMPONENTS = "ee_incentives_components"
ROLES = "ee_incentives_roles"
RUN_CSAT_MONTHS = "ee_incentives_csat_months"
VIEW = "ee_incentives_view"

ctx = context.page()
_ = ctx.gettext
actor = ctx.actor
language = ctx.language


def flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def periods() -> list[str]:
    """Months with outcomes, newest first, starting from the last complete one."""
    with ctx.read() as session:
        span = data_range(session, actor)
    last = span.sales_last or span.csat_last or date.today()
    first = span.sales_first or span.csat_first or last
    if (last + timedelta(days=1)).month == last.month:  # the last month is not over yet
        last = last.replace(day=1) - timedelta(days=1)
    months, year, month = [], last.year, last.month
    while (year, month) >= (first.year, first.month) and len(months) < 24:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months or [f"{last:%Y-%m}"]


def problems_text(error: ValidationError, names: dict[str, str] | None = None) -> str:
    """The validator's problems, their roles, measures and components in words."""
    return "\n".join(f"- {problem_text(p, _, names)}" for p in error.problems) or error.render(_)


def evidence(period: str, definition: dict) -> None:  # type: ignore[type-arg]
    """What the data say about the components: how the outcomes relate across stores, and
    how many staff have too few answers or visits for a measure of their own."""
    st.markdown("**{}**".format(_("Evidence beside the weights")))
    with st.spinner(_("Reading the month's outcomes…")), ctx.read() as session:
        inputs = period_inputs(session, actor, period)
        data = linkage_data(session, actor)
    gates = definition.get("gates") or {}
    n = len(inputs)
    if n:
        few_csat = int((inputs["csat_n"] < int(gates.get("csat_min_n", 10))).sum())
        few_visits = int((inputs["visit_n_staff"] < int(gates.get("visit_min_n", 1))).sum())
        no_repurchase = int(inputs["repurchase_rate"].isna().sum())
        cols = st.columns(3)
        cols[0].metric(
            _("Staff with too few CSAT answers"),
            f"{few_csat / n:.0%}",
            help=_("{few} of {n}: their store's CSAT is used").format(few=few_csat, n=n),
        )
        cols[1].metric(
            _("Staff without an own mystery-shopper visit"),
            f"{few_visits / n:.0%}",
            help=_("{few} of {n}: their store's score is used").format(few=few_visits, n=n),
        )
        cols[2].metric(
            _("Staff without decided repurchase customers"),
            f"{no_repurchase / n:.0%}",
            help=_("{few} of {n}: this component pays 0 for them").format(few=no_repurchase, n=n),
        )
    units = data.units
    if len(units):
        month = units[units["month"] == period]
        frame = (
            month
            if len(month) >= 3
            else units[units["wave"] == (data.waves[-1] if data.waves else "")]
        )
        cols = ["engagement", "csat", "repurchase", "visit_score"]
        names = {
            "engagement": _("Engagement index"),
            "csat": _("CSAT top-2 (shrunken)"),
            "repurchase": _("Repurchase rate"),
            "visit_score": _("Mystery-shopper score"),
        }
        matrix = frame[cols].astype(float).corr(min_periods=3)
        counts = frame[cols].notna().astype(int).T.dot(frame[cols].notna().astype(int))
        # A pair with fewer than 3 stores has no correlation: its cell is grey and says so in
        # words (Vega would print "null").
        few = _("too few stores")
        long = [
            {
                "a": names[a],
                "b": names[b],
                "r": matrix.loc[a, b],
                "label": "–" if pd.isna(matrix.loc[a, b]) else f"{matrix.loc[a, b]:.2f}",
                "tip": few if pd.isna(matrix.loc[a, b]) else f"{matrix.loc[a, b]:.2f}",
                "n": int(counts.loc[a, b]),
            }
            for a in cols
            for b in cols
        ]
        chart = (
            alt.Chart(pd.DataFrame(long))
            .mark_rect()
            .encode(
                x=alt.X("a:N", title=None, sort=[names[c] for c in cols]),
                y=alt.Y("b:N", title=None, sort=[names[c] for c in cols]),
                color=alt.condition(
                    "isValid(datum.r)",
                    alt.Color(
                        "r:Q",
                        scale=alt.Scale(scheme="redblue", domain=[-1, 1]),
                        title=_("Correlation r"),
                    ),
                    alt.value("#e0e0e0"),
                ),
                tooltip=[
                    alt.Tooltip("a:N", title=_("Measure")),
                    alt.Tooltip("b:N", title=_("and")),
                    alt.Tooltip("tip:N", title=_("Correlation r")),
                    alt.Tooltip("n:Q", title=_("Stores")),
                ],
            )
            .properties(height=220)
        )
        text = chart.mark_text().encode(text=alt.Text("label:N"), color=alt.value("black"))
        st.altair_chart(chart + text, width="stretch")
        st.caption(
            _(
                "Correlations across stores (one month, n stores in the tooltip; only stores "
                "whose engagement results are published). Engagement is shown to inform the "
                "weights; it is never an input to pay."
            )
        )


def simulation(period: str, definition: dict) -> None:  # type: ignore[type-arg]
    st.markdown("**{}**".format(_("Simulation for {period}").format(period=period)))
    try:
        with (
            st.spinner(
                _("Computing what this design would pay for {period}…").format(period=period)
            ),
            ctx.read() as session,
        ):
            result = simulate(session, actor, definition, period)
    except ValidationError:
        return
    lines = result.lines.assign(amount=[float(a) for a in result.lines["amount"]])
    cols = st.columns(3)
    cols[0].metric(_("Staff"), result.n)
    cols[1].metric(_("Total (CNY)"), f"{float(result.total):,.2f}")
    cols[2].metric(_("Scale factor"), f"{result.scale:.4f}")
    st.altair_chart(
        alt.Chart(lines[["amount"]])
        .mark_bar()
        .encode(
            x=alt.X("amount:Q", bin=alt.Bin(maxbins=30), title=_("Amount (CNY)")),
            y=alt.Y("count():Q", title=_("Staff")),
        )
        .properties(height=220, title=_("Payout distribution")),
        width="stretch",
    )
    who_gains_section(ctx, definition, period)


def scheme_tab() -> None:
    with ctx.read() as session:
        schemes = list_schemes(session, actor)
    newest = {}
    for row in schemes:
        newest[row.key] = row
    labels = {r.id: f"{scheme_of(r).name.get(language)} (v{r.version})" for r in newest.values()}
    base_id = st.selectbox(_("Scheme"), list(labels), format_func=labels.__getitem__, key=BASE)
    base = next(r for r in schemes if r.id == base_id)
    base_definition = dict(base.definition)
    st.caption(
        _(
            "Edit the weights (%), targets and pay curves: below the threshold a component pays "
            "nothing, at the target it pays 100%, at the cap and above it pays the cap."
        )
    )
    # Components by their plain names (a new row is named by its measure once it has one);
    # the ids stay codes behind the table.
    frame = components_frame(base_definition)
    frame.insert(0, "name", list(component_labels(frame.to_dict("records"), _).values()))
    components = st.data_editor(
        frame,
        column_order=[
            "name",
            "measure",
            "target",
            "threshold",
            "threshold_pays",
            "cap",
            "cap_pays",
            "missing",
        ],
        key=f"{COMPONENTS}_{base_id}",
        hide_index=True,
        width="stretch",
        num_rows="dynamic",
        placeholder="",
        disabled=["name"],
        column_config={
            "name": st.column_config.TextColumn(_("Component")),
            "measure": st.column_config.SelectboxColumn(
                _("Measure"),
                options=list(MEASURES),
                format_func=lambda m: measure_label(m, _),
                required=True,
                help=_(
                    "What the component pays for: own is the person's result, store the whole "
                    "store's."
                ),
            ),
            "weight": st.column_config.NumberColumn(
                _("Weight %"), min_value=0, max_value=100, step=1
            ),
            "target": st.column_config.NumberColumn(
                _("Target"), help=_("Leave empty for targets per role (table below).")
            ),
            "threshold": st.column_config.NumberColumn(_("Threshold (% of target)")),
            "threshold_pays": st.column_config.NumberColumn(_("Threshold pays %")),
            "cap": st.column_config.NumberColumn(_("Cap (% of target)")),
            "cap_pays": st.column_config.NumberColumn(_("Cap pays %")),
            "missing": st.column_config.SelectboxColumn(
                _("A person without a value"),
                options=missing_options(),
                format_func=lambda rule: missing_rule_label(rule, _),
                required=True,
            ),
        },
    )
    components = fill_ids(components)
    names = component_labels(components.dropna(subset=["measure"]).to_dict("records"), _)
    for note in level_notes(base_definition, _, names):
        st.caption(note)
    st.markdown("**{}**".format(_("Weights (%)")))
    weight_columns = st.columns(max(len(components), 1))
    weights = {}
    for position, row in enumerate(components.to_dict("records")):
        if not row.get("id") or str(row["id"]) not in names:
            continue
        weights[str(row["id"])] = weight_columns[position % len(weight_columns)].number_input(
            names[str(row["id"])],
            min_value=0.0,
            max_value=100.0,
            value=float(row.get("weight") or 0.0),
            step=5.0,
            key=f"ee_inc_weight_{base_id}_{row['id']}",
        )
    # Roles by their names; one target column per component with targets per role.
    by_role = roles_frame(base_definition)
    by_role.insert(0, "role_name", [role_label(r, _) for r in by_role["role"]])
    per_role = [c for c in by_role.columns if c not in ("role", "role_name", "target_bonus")]
    roles = st.data_editor(
        by_role,
        key=f"{ROLES}_{base_id}",
        hide_index=True,
        width="stretch",
        column_order=["role_name", "target_bonus", *per_role],
        disabled=["role", "role_name"],
        placeholder="",
        column_config={
            "role_name": st.column_config.TextColumn(_("Role")),
            "target_bonus": st.column_config.NumberColumn(_("Target bonus (CNY)"), min_value=0),
            **{
                c: st.column_config.NumberColumn(
                    _("{component}: target").format(component=names.get(c, c))
                )
                for c in per_role
            },
        },
    ).drop(columns=["role_name"])
    gates = base_definition.get("gates") or {}
    left, middle, right = st.columns(3)
    onboarding = left.checkbox(
        _("Onboarding assessment must be passed"),
        value=bool(gates.get("onboarding_required", True)),
        key=f"ee_inc_onb_{base_id}",
    )
    csat_min = middle.number_input(
        _("CSAT answers needed for one's own CSAT"),
        min_value=0,
        value=int(gates.get("csat_min_n", 10)),
        key=f"ee_inc_csat_{base_id}",
    )
    visit_min = right.number_input(
        _("Visits needed for one's own mystery-shopper score"),
        min_value=0,
        value=int(gates.get("visit_min_n", 1)),
        key=f"ee_inc_visit_{base_id}",
    )
    left, middle, right = st.columns(3)
    floor = left.number_input(
        _("Service quality at least (%)"),
        min_value=30.0,
        max_value=100.0,
        value=float(base_definition.get("service_floor", 0.3)) * 100,
        step=5.0,
        key=f"ee_inc_floor_{base_id}",
    )
    pool = middle.number_input(
        _("Bonus pool (CNY, 0 for none)"),
        min_value=0.0,
        value=float(base_definition.get("pool") or 0.0),
        step=10000.0,
        key=f"ee_inc_pool_{base_id}",
    )
    mode = right.segmented_control(
        _("Pool"),
        ["cap", "exact"],
        format_func=lambda m: _("cap") if m == "cap" else _("distribute exactly"),
        default=base_definition.get("pool_mode", "cap"),
        required=True,
        key=f"ee_inc_mode_{base_id}",
    )
    definition = definition_from(
        base_definition,
        components,
        roles,
        weights=weights,
        gates={
            "onboarding_required": bool(onboarding),
            "csat_min_n": int(csat_min),
            "visit_min_n": int(visit_min),
        },
        pool=pool or None,
        pool_mode=mode,
        service_floor=floor,
    )
    service = sum(c["weight"] for c in definition["components"] if c["measure"] in SERVICE_MEASURES)
    total = sum(c["weight"] for c in definition["components"])
    st.progress(
        min(service, 1.0),
        text=_("Service quality {service:.0%} of {total:.0%}").format(service=service, total=total),
    )
    try:
        validate(definition)
    except ValidationError as error:
        st.error(
            _("This design cannot be saved:") + "\n" + problems_text(error, names),
            icon=":material/block:",
        )
        return
    period = st.selectbox(_("Month"), periods(), key=PERIOD)
    evidence(period, definition)
    simulation(period, definition)
    draft_section(ctx, definition, period)
    if st.button(_("Save as a new version"), type="primary", icon=":material/save:"):
        try:
            with ctx.write() as session:
                row = save_scheme(session, actor, definition)
        except EeError as error:
            error_box(error, _)
        else:
            st.session_state[FLASH] = _("Saved as version {version}.").format(version=row.version)
            st.session_state.pop(BASE, None)
            st.rerun()


def payroll_file(view, language: str):  # type: ignore[no-untyped-def]
    """Build the payroll workbook when it is downloaded, and log the download."""

    def make() -> bytes:
        with ctx.write() as session:
            record_download(
                session, actor, "payroll", view.run.id, rows=len(view.lines), period=view.run.period
            )
        return payroll_xlsx(view, language)

    return make


def runs_tab() -> None:
    with ctx.read() as session:
        schemes = list_schemes(session, actor)
        runs = list_runs(session, actor)
    labels = {r.id: f"{scheme_of(r).name.get(language)} (v{r.version})" for r in schemes}
    with st.form("ee_incentives_new_run", border=True):
        st.markdown("**{}**".format(_("Run a month")))
        left, middle, right = st.columns(3)
        scheme_id = left.selectbox(_("Scheme"), list(labels)[::-1], format_func=labels.__getitem__)
        period = middle.selectbox(_("Month"), periods())
        csat_months = csat_window_select(
            right,
            _,
            key=RUN_CSAT_MONTHS,
            help=_(
                "Each person's CSAT rests on the answers of this many months, ending with the "
                "month paid; the run records it."
            ),
        )
        sent = st.form_submit_button(
            _("Compute the run"), type="primary", icon=":material/calculate:"
        )
    if sent:
        try:
            with (
                st.spinner(_("Computing the run for {period}…").format(period=period)),
                ctx.write() as session,
            ):
                run = create_run(session, actor, scheme_id, period, csat_months=int(csat_months))
        except EeError as error:
            error_box(error, _)
        else:
            st.session_state[FLASH] = _(
                "Run {run} computed: a second person must approve it."
            ).format(run=run.id)
            st.session_state[RUN_PICK] = run.id
            st.rerun()
    if not runs:
        st.info(_("No runs yet."), icon=":material/payments:")
        return
    status_names = {
        RunStatus.DRAFT: _("Waiting for approval"),
        RunStatus.APPROVED: _("Approved"),
        RunStatus.SUPERSEDED: _("Superseded"),
        RunStatus.DISCARDED: _("Discarded"),
    }
    st.dataframe(
        pd.DataFrame(
            {
                _("Run"): [r.id for r in runs],
                _("Month"): [r.period for r in runs],
                _("Status"): [status_names[r.status] for r in runs],
                _("Staff"): [r.lines for r in runs],
                _("CSAT months"): [run_csat_months(r) for r in runs],
                _("Total (CNY)"): [float(r.total) for r in runs],
                _("Prepared by"): [r.created_by for r in runs],
                _("Approved by"): [r.approved_by for r in runs],
            }
        ),
        hide_index=True,
        width="stretch",
        placeholder="",
        column_config={_("Total (CNY)"): st.column_config.NumberColumn(format="%,.2f")},
    )
    by_id = {r.id: r for r in runs if r.status is not RunStatus.DISCARDED}
    if not by_id:
        return
    if st.session_state.get(RUN_PICK) not in by_id:
        st.session_state[RUN_PICK] = next(iter(by_id))
    chosen = st.selectbox(
        _("Run"),
        list(by_id),
        format_func=lambda i: f"{i} · {by_id[i].period} · {status_names[by_id[i].status]}",
        key=RUN_PICK,
    )
    run = by_id[chosen]
    # A draft's calibration, and the approver's acknowledgement of its warnings (issue 17).
    acknowledged = run.status is RunStatus.DRAFT and run_section(ctx, run.id)
    row = st.container(horizontal=True)
    if run.status is RunStatus.DRAFT:
        mine = run.created_by == actor.email
        if row.button(
            _("Approve"),
            type="primary",
            icon=":material/verified:",
            disabled=mine or not acknowledged,
            help=_("You prepared this run: a second person must approve it.") if mine else None,
            key="ee_incentives_approve",
        ):
            try:
                with ctx.write() as session:
                    approve_run(session, actor, run.id, acknowledge=acknowledged)
            except EeError as error:
                error_box(error, _)
            else:
                st.session_state[FLASH] = _("Run {run} approved and locked.").format(run=run.id)
                st.rerun()
        if row.button(_("Discard"), icon=":material/delete:", key="ee_incentives_discard"):
            try:
                with ctx.write() as session:
                    discard_run(session, actor, run.id)
            except EeError as error:
                error_box(error, _)
            else:
                st.rerun()
    if run.status is RunStatus.APPROVED and row.button(
        _("Correct this run"), icon=":material/edit_note:", key="ee_incentives_correct"
    ):
        try:
            with (
                st.spinner(_("Computing the run for {period}…").format(period=run.period)),
                ctx.write() as session,
            ):
                fresh = create_run(session, actor, run.scheme_id, run.period, corrects=run.id)
        except EeError as error:
            error_box(error, _)
        else:
            st.session_state[FLASH] = _(
                "Run {new} corrects run {old}; once approved it replaces it."
            ).format(new=fresh.id, old=run.id)
            st.session_state[RUN_PICK] = fresh.id
            st.rerun()
    try:
        with ctx.read() as session:
            view = run_view(session, actor, run.id)
    except EeError as error:
        error_box(error, _)
        return
    row.download_button(
        _("Payroll workbook (Excel)")
        if run.status is RunStatus.APPROVED
        else _("Draft workbook (Excel)"),
        data=payroll_file(view, language),
        file_name=f"payroll-{run.period}-run{run.id}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        key="ee_incentives_download",
    )
    if run.status is not RunStatus.APPROVED:
        st.caption(
            _(
                "Until it is approved the workbook says DRAFT on its sign-off sheet: do not pay "
                "from it."
            )
        )


st.title(_("Incentives"))
st.caption(
    _(
        "Performance pay (绩效工资) that rewards service quality: customer satisfaction, "
        "repurchase and mystery-shopper scores weigh at least 30%. Engagement survey results "
        "are never an input. Every run is approved by a second person."
    )
)
flash()
# The open tab is kept in the session (VIEW holds its label): after Compute, Approve, Discard
# or Correct the page reruns and stays on the runs, and only the open tab is drawn, so work on
# the runs does not recompute the simulation.
scheme_view, runs_view = st.tabs(
    [_("Scheme and simulation"), _("Runs and payroll")], key=VIEW, on_change="rerun"
)
if scheme_view.open:
    with scheme_view:
        scheme_tab()
if runs_view.open:
    with runs_view:
        runs_tab()
