"""My visits: a mystery shopper's assignments, and the checklist of one, on a phone.

A shopper sees only the visits assigned to them (the services refuse any other). The page
lists what is to do, what waits for review and what was sent back with HR's reason; opening
one shows its checklist, which can be saved as a draft any number of times and submitted
once. Photos and receipts are kept as soon as they are chosen. Next to the Submit button the
page lists what still stops a submission, each line a link that scrolls to its item.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st

from ee_app.errors import EeError, ValidationError
from ee_app.models import VisitStatus
from ee_app.services.visit_evidence import add_evidence, remove_evidence
from ee_app.services.visit_filling import save_draft, submit_visit
from ee_app.services.visits import VisitRow, get_visit, list_visits
from ee_app.ui import context
from ee_app.ui.checklist_form import answered_count, checklist_form
from ee_app.ui.checklist_missing import missing_problems, problem_links
from ee_app.ui.components import error_box
from ee_app.ui.feedback import show_done
from ee_app.ui.formatting import plain
from ee_app.ui.service_calls import write, wrote
from ee_app.words.labels import visit_status_label

# Session-state keys of this page.
OPEN = "ee_my_visit_open"  # the id of the visit being filled in
FLASH = "ee_my_visit_flash"  # a confirmation to show after the rerun that follows an action
DATE = "ee_my_visit_date"  # prefix: f"{DATE}_{visit}"
SERVED = "ee_my_visit_served"  # prefix
NOTES = "ee_my_visit_notes"  # prefix
#: How many of the missing items are listed at the Submit button (the rest are counted).
MISSING_SHOWN = 5

ctx = context.page()
_ = ctx.gettext
actor = ctx.actor
language = ctx.language


def visit_title(visit: VisitRow) -> str:
    return f"{visit.store_name} · {visit.checklist.name.get(language)}"


def visit_card(visit: VisitRow) -> None:
    with st.container(border=True, key=f"visit_{visit.id}"):
        st.markdown(f"**{plain(visit.store_name)}** · {plain(visit.checklist.name.get(language))}")
        st.caption(
            _("Visit between {start} and {end}").format(
                start=visit.window_start, end=visit.window_end
            )
            + " · "
            + visit_status_label(visit.status, _)
        )
        if visit.status is VisitStatus.REJECTED and visit.review_reason:
            st.warning(
                _("Sent back by HR: {reason}").format(reason=plain(visit.review_reason)),
                icon=":material/undo:",
            )
        if visit.editable:
            label = _("Continue") if visit.answers else _("Start")
            if st.button(label, key=f"ee_my_visit_go_{visit.id}", type="primary", width="stretch"):
                st.session_state[OPEN] = visit.id
                st.rerun()


def visit_list() -> None:
    st.title(_("My visits"))
    show_done(FLASH)
    with ctx.read() as session:
        visits = list_visits(session, actor, mine=True)
    if not visits:
        st.info(
            _("No visits are assigned to you. HR schedules them; they will appear here."),
            icon=":material/event_available:",
        )
        return
    todo = [v for v in visits if v.editable]
    waiting = [v for v in visits if v.status is VisitStatus.SUBMITTED]
    done = [v for v in visits if v.status is VisitStatus.APPROVED]
    st.subheader(_("To do ({count})").format(count=len(todo)))
    if not todo:
        st.caption(_("Nothing to do right now."))
    for visit in todo:
        visit_card(visit)
    if waiting:
        st.subheader(_("Waiting for review ({count})").format(count=len(waiting)))
        for visit in waiting:
            visit_card(visit)
    if done:
        with st.expander(_("Approved ({count})").format(count=len(done))):
            for visit in done:
                st.caption(f"{plain(visit_title(visit))} · {visit.visited_on}")


def upload(visit_id: int, item_id: str, name: str, data: bytes) -> None:
    write(ctx, add_evidence, visit_id, item_id, name, data)


def remove(evidence_id: int) -> None:
    if not wrote(ctx, remove_evidence, evidence_id):
        return
    st.rerun()


def details(visit: VisitRow) -> tuple[date | None, str]:
    """The visit's own fields: when, who served, notes."""
    window = (visit.window_start, visit.window_end)
    day_key, served_key, notes_key = (f"{k}_{visit.id}" for k in (DATE, SERVED, NOTES))
    if day_key not in st.session_state:
        default = visit.visited_on or min(max(date.today(), window[0]), window[1])
        st.session_state[day_key] = default
        st.session_state[served_key] = visit.served_by_note
        st.session_state[notes_key] = visit.notes
    day = st.date_input(
        _("Day of the visit"), min_value=window[0], max_value=window[1], key=day_key
    )
    served = st.text_input(
        _("Who served you"),
        key=served_key,
        max_chars=200,
        help=_("The name on the badge, or how they introduced themselves."),
    )
    return day, served


def write_answers(
    action: Callable[..., object],
    visit: VisitRow,
    answers: dict[str, dict[str, Any]],
    day: date | None,
    served: str,
    notes: str,
) -> bool:
    """Save or submit (``action``) the visit's answers; True if it went through. A checklist
    problem is shown with a link to each item it concerns, another error as it says."""
    try:
        with ctx.write() as session:
            action(
                session,
                actor,
                visit.id,
                answers,
                visited_on=day,
                served_by_note=served,
                notes=notes,
            )
    except ValidationError as error:
        st.error(_(error.message), icon=":material/error:")
        st.markdown(problem_links(visit.checklist, error.problems, language, _))
        return False
    except EeError as error:
        error_box(error, _)
        return False
    return True


def fill_in(visit_id: int) -> None:
    try:
        with ctx.read() as session:
            visit = get_visit(session, actor, visit_id)
    except EeError as error:
        st.session_state.pop(OPEN, None)
        error_box(error, _)
        return
    if st.button(_("Back to my visits"), icon=":material/arrow_back:"):
        st.session_state.pop(OPEN, None)
        st.rerun()
    st.title(plain(visit.store_name))
    st.caption(
        visit.checklist.name.get(language)
        + " · "
        + _("Visit between {start} and {end}").format(
            start=visit.window_start, end=visit.window_end
        )
    )
    if not visit.editable:
        st.info(_("This visit was submitted; it can no longer be changed."), icon=":material/lock:")
        return
    if visit.status is VisitStatus.REJECTED and visit.review_reason:
        st.warning(
            _("Sent back by HR: {reason}").format(reason=plain(visit.review_reason)),
            icon=":material/undo:",
        )
    st.caption(visit.checklist.description.get(language))
    day, served = details(visit)
    answers = checklist_form(
        visit,
        language,
        _,
        on_upload=lambda item, name, data: upload(visit.id, item, name, data),
        on_remove=remove,
    )
    notes = st.text_area(
        _("Anything else HR should know (optional)"), key=f"{NOTES}_{visit.id}", max_chars=4000
    )
    done, total = answered_count(visit.checklist, answers)
    st.progress(
        done / total if total else 1.0,
        text=_("{done} of {total} answered").format(done=done, total=total),
    )
    missing = missing_problems(visit.checklist, answers)
    # Always drawn, empty once nothing is missing: the buttons after it keep their place, so
    # the Submit popover stays open across the rerun a just-typed comment causes.
    slot = st.empty()
    if missing:
        with slot.container(border=True, key="ee_my_visit_missing"):
            st.markdown(
                "**"
                + ctx.ngettext(
                    "Still to do before you can submit: {count} item",
                    "Still to do before you can submit: {count} items",
                    len(missing),
                ).format(count=len(missing))
                + "**"
            )
            # The first few, in the form's order: enough to go on with, short on a phone.
            st.markdown(problem_links(visit.checklist, missing[:MISSING_SHOWN], language, _))
            more = len(missing) - MISSING_SHOWN
            if more > 0:
                st.caption(
                    ctx.ngettext(
                        "… and {count} more item", "… and {count} more items", more
                    ).format(count=more)
                )
    row = st.container(horizontal=True)
    saved = row.button(_("Save draft"), icon=":material/save:", key="ee_my_visit_save")
    if saved and write_answers(save_draft, visit, answers, day, served, notes):
        st.success(_("Draft saved."), icon=":material/save:")
    with row.popover(_("Submit for review"), icon=":material/send:", type="primary"):
        if missing:
            st.markdown(_("Answer the items listed above first; then submit."))
        else:
            st.markdown(_("Once submitted, the visit can no longer be changed. Submit it now?"))
        sent = st.button(
            _("Yes, submit"), type="primary", key="ee_my_visit_submit", disabled=bool(missing)
        )
        if sent and write_answers(submit_visit, visit, answers, day, served, notes):
            st.session_state.pop(OPEN, None)
            st.session_state[FLASH] = _("Visit to {store} submitted. Thank you!").format(
                store=visit.store_name
            )
            st.rerun()


opened = st.session_state.get(OPEN)
if opened is None:
    visit_list()
else:
    fill_in(int(opened))
