"""HR's controls on the Training page's "Assign and links" tab (issue 19): one person's
assessments (extra attempts, a reset, a withdrawn or re-issued link) and the rules that give
new hires their assessments when the roster is imported.

Everything acts through :mod:`ee_app.services.training_assignments` and
:mod:`ee_app.services.training_auto_assign`; destructive actions (a reset, a withdrawn or
replaced link) ask for a tick first. A re-issued link is shown with its QR code in this HR
user's session only, until another person is looked up.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from ee_app.errors import EeError
from ee_app.instruments.quiz import Quiz
from ee_app.models import StaffRole
from ee_app.services.training_assignments import (
    MAX_GRANT,
    PersonAssignment,
    grant_attempts,
    person_assignments,
    reissue_link,
    reset_attempts,
    revoke_link,
)
from ee_app.services.training_auto_assign import Rule, get_rules, set_rules
from ee_app.ui import context
from ee_app.ui.components import error_box
from ee_app.ui.feedback import show_done
from ee_app.ui.new_link import show_new_link
from ee_app.ui.service_calls import write, wrote
from ee_app.words.labels import staff_role_label

__all__ = ["auto_assign_section", "person_section"]

PERSON = "ee_training_person"  # the employee number looked up
FLASH = "ee_training_person_flash"  # the confirmation to show after the rerun
REISSUED = "ee_training_reissued"  # (employee number, quiz id, link) just issued
GRANT = "ee_training_grant"  # prefixes: f"{GRANT}_{quiz_id}"
RESET = "ee_training_reset"
REVOKE = "ee_training_revoke"
REISSUE = "ee_training_reissue"
RULES = "ee_training_rules"
RULES_FLASH = "ee_training_rules_flash"


def _done(message: str, key: str = FLASH) -> None:
    st.session_state[key] = message
    st.rerun()


def _state(ctx: context.PageContext, item: PersonAssignment) -> str:
    _ = ctx.gettext
    if not item.active:
        return _("Link withdrawn")
    if item.passed:
        return _("Passed")
    if item.under_way:
        return _("Taking it now")
    if not item.attempts_left:
        return _("No attempts left")
    return _("Not passed yet")


def _grant(ctx: context.PageContext, number: str, item: PersonAssignment) -> None:
    _ = ctx.gettext
    with st.form(f"{GRANT}_{item.quiz_id}", border=False):
        count = st.number_input(
            _("Extra attempts"), min_value=1, max_value=MAX_GRANT, value=1, step=1
        )
        reason = st.text_input(
            _("Reason"), placeholder=_("For example: retrained on 3 May after two fails")
        )
        sent = st.form_submit_button(_("Grant"), type="primary", icon=":material/add_circle:")
    if not sent:
        return
    after = write(ctx, grant_attempts, item.quiz_id, number, int(count), reason)
    if after is None:
        return
    _done(
        ctx.ngettext(
            "Granted {count} more attempt; {left} left now.",
            "Granted {count} more attempts; {left} left now.",
            int(count),
        ).format(count=int(count), left=after.attempts_left)
    )


def _confirmed_form(
    ctx: context.PageContext, key: str, confirm: str, button: str, icon: str
) -> str | None:
    """A reason, a tick to confirm and a button; the reason once both are given."""
    _ = ctx.gettext
    with st.form(key, border=False):
        reason = st.text_input(_("Reason"))
        sure = st.checkbox(confirm)
        sent = st.form_submit_button(button, icon=icon)
    if sent and not sure:
        st.warning(_("Tick the box to confirm first."), icon=":material/warning:")
        return None
    return reason if sent else None


def _reset(ctx: context.PageContext, number: str, item: PersonAssignment) -> None:
    _ = ctx.gettext
    reason = _confirmed_form(
        ctx,
        f"{RESET}_{item.quiz_id}",
        _("The attempts so far stop counting (they stay in the history)."),
        _("Reset the attempts"),
        ":material/restart_alt:",
    )
    if reason is None:
        return
    after = write(ctx, reset_attempts, item.quiz_id, number, reason)
    if after is None:
        return
    _done(
        ctx.ngettext(
            "Attempts reset: {left} attempt left now.",
            "Attempts reset: {left} attempts left now.",
            after.attempts_left,
        ).format(left=after.attempts_left)
    )


def _revoke(ctx: context.PageContext, number: str, item: PersonAssignment) -> None:
    _ = ctx.gettext
    reason = _confirmed_form(
        ctx,
        f"{REVOKE}_{item.quiz_id}",
        _("The link stops working now."),
        _("Withdraw the link"),
        ":material/link_off:",
    )
    if reason is None:
        return
    if not wrote(ctx, revoke_link, item.quiz_id, number, reason):
        return
    _done(_("Link withdrawn: it now opens as not valid."))


def _reissue(ctx: context.PageContext, number: str, item: PersonAssignment) -> None:
    _ = ctx.gettext
    with st.form(f"{REISSUE}_{item.quiz_id}", border=False):
        sure = st.checkbox(_("The old link stops working now."))
        sent = st.form_submit_button(_("Re-issue the link"), icon=":material/link:")
    if sent and not sure:
        st.warning(_("Tick the box to confirm first."), icon=":material/warning:")
    elif sent:
        link = write(ctx, reissue_link, item.quiz_id, number, context.settings())
        if link is None:
            return
        st.session_state[REISSUED] = (number, item.quiz_id, link)
    done = st.session_state.get(REISSUED)
    if not (done and done[:2] == (number, item.quiz_id)):
        return
    link = done[2]
    show_new_link(link.link, link.name, link.employee_no, _)


def _assignment(
    ctx: context.PageContext, number: str, item: PersonAssignment, earlier: list[PersonAssignment]
) -> None:
    _ = ctx.gettext
    name = item.quiz.name.get(ctx.language)
    with st.container(border=True):
        st.markdown(
            "**{}** · {}".format(
                _("{name} (v{version}), cycle {cycle}").format(
                    name=name, version=item.quiz_version, cycle=item.cycle
                ),
                _state(ctx, item),
            )
        )
        st.caption(
            _("Attempts used: {used} of {limit}; {left} left.").format(
                used=item.counted, limit=item.limit, left=item.attempts_left
            )
            + (
                " "
                + ctx.ngettext(
                    "{count} earlier attempt was reset.",
                    "{count} earlier attempts were reset.",
                    item.attempts - item.counted,
                ).format(count=item.attempts - item.counted)
                if item.attempts > item.counted
                else ""
            )
            + (" " + _("Earlier cycles: {count}.").format(count=len(earlier)) if earlier else "")
        )
        actions = [
            (_("Grant attempts"), ":material/add_circle:", _grant),
            (_("Reset the attempts"), ":material/restart_alt:", _reset),
            (_("Withdraw the link"), ":material/link_off:", _revoke),
            (_("Re-issue the link"), ":material/link:", _reissue),
        ]
        for label, icon, action in actions:
            with st.expander(label, icon=icon):
                action(ctx, number, item)


def person_section(ctx: context.PageContext) -> None:
    """Look up one person by employee number; their assessments and HR's four actions."""
    _ = ctx.gettext
    st.markdown("**{}**".format(_("One person's assessments")))
    st.caption(
        _(
            "When someone has used all their attempts, grant more (with a reason) or reset "
            "their count; withdraw a link that was shared, or re-issue a lost one."
        )
    )
    show_done(FLASH)
    number = st.text_input(_("Employee number"), key=PERSON).strip()
    if not number:
        return
    try:
        with ctx.read() as session:
            staff, items = person_assignments(session, ctx.actor, number)
            name = staff.name
    except EeError as error:
        error_box(error, _)
        return
    st.write(_("{name} ({employee})").format(name=name, employee=number))
    if not items:
        st.info(_("No assessment has been assigned to this person."), icon=":material/school:")
        return
    by_quiz: dict[int, list[PersonAssignment]] = {}
    for item in items:
        by_quiz.setdefault(item.quiz_id, []).append(item)
    for rows in by_quiz.values():
        _assignment(ctx, number, rows[0], rows[1:])


def auto_assign_section(ctx: context.PageContext, quizzes: Mapping[str, Quiz]) -> None:
    """The rules that give new hires their assessments on roster import (key → newest quiz)."""
    _ = ctx.gettext
    st.markdown("**{}**".format(_("Assign automatically to new hires")))
    st.caption(
        _(
            "When a roster import adds new staff, each assessment ticked here is assigned to "
            "those in its roles (no role chosen: every role). Nothing is assigned "
            "automatically until you save a rule; people already on the roster are never "
            "assigned by an import."
        )
    )
    show_done(RULES_FLASH)
    with ctx.read() as session:
        saved = {r.quiz_key: r for r in get_rules(session)}
    with st.form(RULES, border=True):
        chosen: list[Rule] = []
        for key, quiz in quizzes.items():
            rule = saved.get(key)
            on = st.checkbox(
                quiz.name.get(ctx.language), value=rule is not None, key=f"{RULES}_{key}_on"
            )
            roles = st.multiselect(
                _("Roles"),
                list(StaffRole),
                default=list(rule.roles) if rule else [],
                format_func=lambda r: staff_role_label(r, _),
                placeholder=_("Every role"),
                key=f"{RULES}_{key}_roles",
            )
            if on:
                chosen.append(Rule(key, tuple(roles)))
        sent = st.form_submit_button(_("Save the rules"), icon=":material/save:")
    if not sent:
        return
    if not wrote(ctx, set_rules, chosen):
        return
    _done(
        ctx.ngettext(
            "Saved: {count} assessment is assigned to new hires.",
            "Saved: {count} assessments are assigned to new hires.",
            len(chosen),
        ).format(count=len(chosen)),
        RULES_FLASH,
    )
