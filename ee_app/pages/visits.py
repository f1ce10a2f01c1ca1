"""Mystery shopping (神秘顾客暗访): results of approved visits for HR and managers; for HR also
the review of submitted visits, the schedule, and agency files.

Managers see approved visits of their stores only (the services keep to their scope). HR
reviews each submitted visit, records who served, and approves it (it then counts) or sends
it back with a reason. Scheduling makes one visit per chosen store for a shopper.
"""

from calendar import monthrange
from datetime import date

import pandas as pd
import streamlit as st

from ee_app import clock
from ee_app.auth import Permission, can
from ee_app.models import UnitLevel, VisitStatus
from ee_app.services.org import list_units
from ee_app.services.visit_evidence import evidence_content
from ee_app.services.visit_management import cancel_visit, review_visit, schedule_visits
from ee_app.services.visit_results import section_names, template_keys
from ee_app.services.visits import (
    EvidenceRow,
    VisitRow,
    checklist_of,
    get_visit,
    list_templates,
    list_visits,
    shoppers,
    store_staff,
)
from ee_app.ui import context
from ee_app.ui.checklist_editor import checklists_section
from ee_app.ui.checklist_form import checklist_view
from ee_app.ui.evidence import evidence_file
from ee_app.ui.feedback import show_done
from ee_app.ui.formatting import plain
from ee_app.ui.service_calls import read, write, wrote
from ee_app.ui.visit_import import import_section
from ee_app.ui.visit_results import results_section
from ee_app.words.labels import visit_status_label

# Session-state keys of this page.
FLASH = "ee_visits_flash"
TEMPLATE = "ee_visits_template"
FROM = "ee_visits_from"
TO = "ee_visits_to"
REVIEW_PICK = "ee_visits_review_pick"
STATUS_FILTER = "ee_visits_status_filter"
CANCEL_PICK = "ee_visits_cancel_pick"
SCHEDULE_FORM = "ee_visits_schedule"

ctx = context.page()
_ = ctx.gettext
actor = ctx.actor
language = ctx.language
office = can(actor, Permission.MANAGE_VISITS)


def month_options(today: date, count: int = 24) -> list[str]:
    months, year, month = [], today.year, today.month
    for _step in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


def period() -> tuple[date, date]:
    months = month_options(clock.today())
    left, right = st.columns(2)
    first = left.selectbox(_("From month"), months, index=5, key=FROM)
    last = right.selectbox(_("To month"), months, index=0, key=TO)
    if first > last:
        first, last = last, first
    start = date(int(first[:4]), int(first[5:]), 1)
    year, month = int(last[:4]), int(last[5:])
    return start, date(year, month, monthrange(year, month)[1])


def results_tab() -> None:
    templates = read(ctx, template_keys)
    if templates is None:
        return
    if not templates:
        st.info(
            _(
                "No approved visits yet. Once HR approves a mystery shopper's visit, its "
                "scores appear here."
            ),
            icon=":material/storefront:",
        )
        return
    names = {
        key: name.get("zh-CN" if language == "zh-CN" else "en", key)
        for key, name in templates.items()
    }
    if st.session_state.get(TEMPLATE) not in names:
        st.session_state[TEMPLATE] = next(iter(names))
    template = st.segmented_control(
        _("Checklist"), list(names), format_func=names.__getitem__, required=True, key=TEMPLATE
    )
    start, end = period()
    with ctx.read() as session:
        sections = section_names(session, actor, template)
    results_section(ctx, template, start, end, {k: v.get(language) for k, v in sections.items()})


# Review ---------------------------------------------------------------------------------------


def show_evidence(row: EvidenceRow) -> None:
    content = read(ctx, evidence_content, row.id)
    if content is None:
        return
    name, mime, data = content
    evidence_file(name, mime, data, _, key=f"ee_evidence_{row.id}")


def served_guess(visit: VisitRow, people: list) -> int | None:  # type: ignore[type-arg]
    """The staff member whose name the shopper wrote, if exactly one matches."""
    note = visit.served_by_note
    matches = [p.id for p in people if p.name and p.name in note]
    return matches[0] if len(matches) == 1 else visit.staff_id


def review_one(visit: VisitRow) -> None:
    cols = st.columns(4)
    cols[0].metric(_("Score"), "—" if visit.score is None else f"{visit.score}%")
    cols[1].metric(_("Raw score"), "—" if visit.raw_score is None else f"{visit.raw_score}%")
    cols[2].metric(_("Result"), _("Pass") if visit.passed else _("Fail"))
    cols[3].metric(_("Day of the visit"), str(visit.visited_on or "—"))
    st.caption(
        _("Shopper: {shopper} · who served, as the shopper saw it: {note}").format(
            shopper=plain(visit.shopper or "—"), note=plain(visit.served_by_note or "—")
        )
    )
    if visit.notes:
        st.info(plain(visit.notes), icon=":material/sticky_note_2:")
    checklist_view(visit, language, _, evidence=show_evidence)
    with ctx.read() as session:
        people = store_staff(session, actor, visit.store_id, visit.visited_on or visit.window_end)
    names = {p.id: f"{p.name} ({p.employee_no})" for p in people}
    guess = served_guess(visit, people)
    options = [None, *names]
    staff_id = st.selectbox(
        _("Who served (from the store's staff that day)"),
        options,
        index=options.index(guess) if guess in options else 0,
        format_func=lambda i: _("Not recorded") if i is None else names[i],
        key=f"ee_visits_staff_{visit.id}",
    )
    reason = st.text_input(
        _("Reason (needed to send it back; the shopper reads it)"),
        key=f"ee_visits_reason_{visit.id}",
        max_chars=500,
    )
    row = st.container(horizontal=True)
    approve = row.button(
        _("Approve"), type="primary", icon=":material/check:", key="ee_visits_approve"
    )
    reject = row.button(_("Send back"), icon=":material/undo:", key="ee_visits_reject")
    if approve or reject:
        if not wrote(
            ctx, review_visit, visit.id, approve=approve, reason=reason, staff_id=staff_id
        ):
            return
        message = (
            _("Visit to {store} approved: it now counts in the results.")
            if approve
            else _("Visit to {store} sent back to the shopper.")
        )
        st.session_state[FLASH] = message.format(store=visit.store_name)
        st.session_state.pop(REVIEW_PICK, None)
        st.rerun()


def review_tab() -> None:
    with ctx.read() as session:
        waiting = list_visits(session, actor, statuses=[VisitStatus.SUBMITTED])
    if not waiting:
        st.info(_("No visits are waiting for review."), icon=":material/task_alt:")
        return
    labels = {
        v.id: f"{v.visited_on} · {v.store_name} ({v.store_code}) · {v.checklist.name.get(language)}"
        for v in waiting
    }
    chosen = st.selectbox(
        _("Waiting for review ({count})").format(count=len(waiting)),
        list(labels),
        format_func=labels.__getitem__,
        key=REVIEW_PICK,
    )
    visit = read(ctx, get_visit, chosen)
    if visit is None:
        return
    review_one(visit)


# Schedule and the list of visits --------------------------------------------------------------


def schedule_form() -> None:
    with ctx.read() as session:
        templates = list_templates(session, actor)
        people = shoppers(session, actor)
        stores = [u for u in list_units(session, actor) if u.level is UnitLevel.STORE]
    if not people:
        st.info(
            _("No one has the mystery-shopper role yet: give a user that role on Users and roles."),
            icon=":material/person_add:",
        )
        return
    newest = {}
    for row in templates:
        newest[row.key] = row
    template_names = {
        r.id: f"{checklist_of(r).name.get(language)} (v{r.version})" for r in newest.values()
    }
    store_names = {s.id: f"{s.name} ({s.code})" for s in stores}
    shopper_names = {u.id: u.name or u.email for u in people}
    today = clock.today()
    first = today.replace(day=1)
    last = today.replace(day=monthrange(today.year, today.month)[1])
    with st.form(SCHEDULE_FORM, border=True):
        st.markdown("**{}**".format(_("Schedule visits")))
        template_id = st.selectbox(
            _("Checklist"), list(template_names), format_func=template_names.__getitem__
        )
        everywhere = st.checkbox(_("Every store"))
        chosen = st.multiselect(
            _("Stores"),
            list(store_names),
            format_func=store_names.__getitem__,
            placeholder=_("Choose stores (or tick every store)"),
        )
        shopper = st.selectbox(
            _("Mystery shopper"), list(shopper_names), format_func=shopper_names.__getitem__
        )
        left, right = st.columns(2)
        start = left.date_input(_("Window starts"), value=first)
        end = right.date_input(_("Window ends"), value=last)
        submitted = st.form_submit_button(_("Schedule"), type="primary", icon=":material/event:")
    if submitted:
        ids = list(store_names) if everywhere else chosen
        made = write(
            ctx,
            schedule_visits,
            template_id=template_id,
            store_ids=ids,
            shopper_id=shopper,
            window_start=start,
            window_end=end,
        )
        if made is None:
            return
        st.session_state[FLASH] = ctx.ngettext(
            "{count} visit scheduled for {shopper}.",
            "{count} visits scheduled for {shopper}.",
            len(made),
        ).format(count=len(made), shopper=shopper_names[shopper])
        st.rerun()


def visits_table(visits: list[VisitRow]) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                _("Visit"): [v.id for v in visits],
                _("Status"): [visit_status_label(v.status, _) for v in visits],
                _("Store"): [f"{v.store_name} ({v.store_code})" for v in visits],
                _("Checklist"): [v.checklist.name.get(language) for v in visits],
                _("Window"): [f"{v.window_start} – {v.window_end}" for v in visits],
                _("Day of the visit"): [v.visited_on for v in visits],
                _("Mystery shopper"): [v.shopper for v in visits],
                _("Score"): [None if v.score is None else float(v.score) for v in visits],
            }
        ),
        hide_index=True,
        width="stretch",
        placeholder="—",
        column_config={
            _("Day of the visit"): st.column_config.DateColumn(
                help=_("— until the shopper has made the visit.")
            ),
            _("Score"): st.column_config.NumberColumn(
                format="%.1f%%", help=_("— until the visit is submitted.")
            ),
        },
    )


def cancel_control(visits: list[VisitRow]) -> None:
    open_ones = {
        v.id: v for v in visits if v.status not in (VisitStatus.APPROVED, VisitStatus.CANCELLED)
    }
    if not open_ones:
        return
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    chosen = left.selectbox(
        _("Visit to cancel"),
        list(open_ones),
        format_func=lambda i: (
            f"{i} · {open_ones[i].store_name} · {visit_status_label(open_ones[i].status, _)}"
        ),
        key=CANCEL_PICK,
    )
    with right.popover(_("Cancel visit"), icon=":material/event_busy:", width="stretch"):
        st.markdown(
            _("Cancel visit {visit}? The shopper will no longer see it.").format(visit=chosen)
        )
        if st.button(_("Yes, cancel it"), type="primary", key="ee_visits_cancel_now"):
            if not wrote(ctx, cancel_visit, chosen):
                return
            st.session_state[FLASH] = _("Visit {visit} cancelled.").format(visit=chosen)
            st.rerun()


def schedule_tab() -> None:
    schedule_form()
    with ctx.read() as session:
        visits = list_visits(session, actor)
    if not visits:
        st.caption(_("No visits scheduled yet."))
        return
    statuses = list(VisitStatus)
    shown = st.multiselect(
        _("Status"),
        statuses,
        default=[VisitStatus.DRAFT, VisitStatus.SUBMITTED, VisitStatus.REJECTED],
        format_func=lambda s: visit_status_label(s, _),
        key=STATUS_FILTER,
    )
    chosen = [v for v in visits if v.status in shown]
    visits_table(chosen)
    cancel_control(chosen)


# The page -------------------------------------------------------------------------------------


st.title(_("Mystery shopping"))
st.caption(
    _(
        "Checklists filled in by mystery shoppers (神秘顾客) on their visits: only approved "
        "visits count. A failed critical item (一票否决项) fails the visit and scores it 0; the "
        "raw score is kept for coaching."
    )
)
show_done(FLASH)
if office:
    with ctx.read() as session:
        waiting = len(list_visits(session, actor, statuses=[VisitStatus.SUBMITTED]))
    names = [
        _("Results"),
        _("Review ({count})").format(count=waiting),
        _("Schedule"),
        _("Agency files"),
        _("Checklists"),
    ]
    tabs = st.tabs(names)
    with tabs[0]:
        results_tab()
    with tabs[1]:
        review_tab()
    with tabs[2]:
        schedule_tab()
    with tabs[3]:
        import_section(ctx)
    with tabs[4]:
        checklists_section(ctx)
else:
    results_tab()
