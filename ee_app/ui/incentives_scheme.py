"""The Scheme and simulation tab of the incentives page: edit a scheme as tables, see the
evidence beside the weights, and what it would pay in a month before saving it.

The definition goes to the validator (:func:`ee_app.instruments.scheme.validate`); a refused
one shows the validator's reasons in words. Every number comes from
:mod:`ee_app.services.incentives` and :mod:`ee_app.services.linkage`.
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from ee_app.errors import ValidationError
from ee_app.instruments.scheme import MEASURES, SERVICE_MEASURES, validate
from ee_app.services.incentives import (
    list_schemes,
    save_scheme,
    scheme_of,
)
from ee_app.services.outcomes import data_range
from ee_app.ui.calibration import draft_section
from ee_app.ui.context import PageContext
from ee_app.ui.incentives_evidence import evidence, simulation
from ee_app.ui.scheme_editor import (
    EDITED_COLUMNS,
    components_frame,
    definition_from,
    fill_ids,
    level_notes,
    missing_options,
    roles_frame,
)
from ee_app.ui.service_calls import write
from ee_app.words.labels import (
    component_labels,
    measure_label,
    missing_rule_label,
    problem_text,
    role_label,
)

__all__ = ["FLASH", "periods", "scheme_tab"]

BASE = "ee_incentives_base"
PERIOD = "ee_incentives_period"
FLASH = "ee_incentives_flash"
COMPONENTS = "ee_incentives_components"
ROLES = "ee_incentives_roles"


def periods(ctx: PageContext) -> list[str]:
    """Months with outcomes, newest first, starting from the last complete one."""
    actor = ctx.actor
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


def problems_text(
    ctx: PageContext, error: ValidationError, names: dict[str, str] | None = None
) -> str:
    """The validator's problems, their roles, measures and components in words."""
    _ = ctx.gettext
    return "\n".join(f"- {problem_text(p, _, names)}" for p in error.problems) or error.render(_)


def scheme_tab(ctx: PageContext) -> None:
    _ = ctx.gettext
    actor = ctx.actor
    language = ctx.language
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
        column_order=["name", *EDITED_COLUMNS],
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
            _("This design cannot be saved:") + "\n" + problems_text(ctx, error, names),
            icon=":material/block:",
        )
        return
    period = st.selectbox(_("Month"), periods(ctx), key=PERIOD)
    evidence(ctx, period, definition)
    simulation(ctx, period, definition)
    draft_section(ctx, definition, period)
    if st.button(_("Save as a new version"), type="primary", icon=":material/save:"):
        row = write(ctx, save_scheme, definition)
        if row is not None:
            st.session_state[FLASH] = _("Saved as version {version}.").format(version=row.version)
            st.session_state.pop(BASE, None)
            st.rerun()
