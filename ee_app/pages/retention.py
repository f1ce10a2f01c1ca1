"""Personal data over time (个人信息保留): the retention policy, what a run removes today,
the run itself after a confirmation that names the counts, and erasure of one person."""

import pandas as pd
import streamlit as st

from ee_app import clock
from ee_app.errors import EeError
from ee_app.services import retention
from ee_app.services.retention_policy import (
    MAX_MONTHS,
    MIN_DATA_MONTHS,
    MIN_LEFT_MONTHS,
    set_policy,
)
from ee_app.ui import context, keys
from ee_app.ui.feedback import show_done
from ee_app.words.retention_text import plan_lines, policy_line

ctx = context.page()
_ = ctx.gettext
st.title(_("Personal data"))
st.caption(
    _(
        "The app keeps personal data only as long as it is needed (PIPL). Survey results stay "
        "as anonymous totals; pay records keep the employee number."
    )
)
show_done(keys.RETENTION_FLASH)

today = clock.today()
try:
    with ctx.read() as session:
        plan = retention.plan(session, today, actor=ctx.actor)
except EeError as error:
    context.show_error(error)
    st.stop()

st.subheader(_("Policy"))
st.write(policy_line(plan, _))
if plan.policy.saved_at is not None:
    st.caption(
        _("Last changed by {who} on {when}.").format(
            who=plan.policy.saved_by, when=clock.format_time(plan.policy.saved_at)
        )
    )
else:
    st.caption(_("These are the defaults: nobody has changed them yet."))
with st.form(keys.RETENTION_POLICY_FORM, border=True):
    left, right = st.columns(2)
    left_months = left.number_input(
        _("Keep leavers for (months)"),
        min_value=MIN_LEFT_MONTHS,
        max_value=MAX_MONTHS,
        value=plan.policy.left_months,
        step=1,
        key=keys.RETENTION_LEFT,
        help=_("At least {least}: a leaver may bring a labour dispute within a year.").format(
            least=MIN_LEFT_MONTHS
        ),
    )
    data_months = right.number_input(
        _("Keep evidence and customer data for (months)"),
        min_value=MIN_DATA_MONTHS,
        max_value=MAX_MONTHS,
        value=plan.policy.data_months,
        step=1,
        key=keys.RETENTION_DATA,
        help=_(
            "At least {least}: repurchase compared over a year reads customers that far back."
        ).format(least=MIN_DATA_MONTHS),
    )
    if st.form_submit_button(_("Save the policy")):
        try:
            with ctx.write() as session:
                set_policy(session, ctx.actor, int(left_months), int(data_months))
        except EeError as error:
            context.show_error(error)
        else:
            st.session_state[keys.RETENTION_FLASH] = _("The policy was saved.")
            st.rerun()

st.subheader(_("What goes today"))
lines = plan_lines(plan, _, ctx.ngettext)
for line in lines:
    st.markdown(f"- {line}")
if plan.people:
    st.dataframe(
        pd.DataFrame(
            {
                _("Employee number"): [p.employee_no for p in plan.people],
                _("Name"): [p.name for p in plan.people],
                _("Left on"): [p.leave_date.isoformat() for p in plan.people],
            }
        ),
        hide_index=True,
        width="stretch",
    )
if not plan.empty:
    with st.form(keys.RETENTION_RUN_FORM, border=True):
        confirmed = st.checkbox(
            _("I confirm: remove it now. {what}").format(what=" ".join(lines)),
            key=keys.RETENTION_CONFIRM,
        )
        if st.form_submit_button(_("Remove now"), type="primary"):
            if not confirmed:
                st.warning(_("Tick the confirmation first."), icon=":material/warning:")
            else:
                try:
                    with ctx.write() as session:
                        done = retention.run(session, ctx.actor, today)
                except EeError as error:
                    context.show_error(error)
                else:
                    st.session_state[keys.RETENTION_FLASH] = _("Removed: {what}").format(
                        what=" ".join(plan_lines(done, _, ctx.ngettext))
                    )
                    st.rerun()
st.caption(
    _(
        "A server can run this every month by itself: ee-app retention run (see the "
        "configuration guide)."
    )
)

st.subheader(_("Erase one person"))
st.caption(
    _(
        "On a person's request: their name, contacts, personal links and assessment answers "
        "are removed now, whether or not they have left. This cannot be undone."
    )
)
with st.form(keys.RETENTION_ERASE_FORM, border=True, clear_on_submit=False):
    number = st.text_input(_("Employee number"), key=keys.RETENTION_ERASE_NO)
    again = st.text_input(_("Employee number again, to confirm"), key=keys.RETENTION_ERASE_AGAIN)
    reason = st.text_input(
        _("Why (e.g. the person's request of a date); no names"),
        key=keys.RETENTION_ERASE_REASON,
    )
    if st.form_submit_button(_("Erase")):
        if not number.strip() or number.strip() != again.strip():
            st.warning(_("Type the same employee number twice."), icon=":material/warning:")
        else:
            try:
                with ctx.write() as session:
                    who = retention.erase_person(session, ctx.actor, number.strip(), reason)
            except EeError as error:
                context.show_error(error)
            else:
                st.session_state[keys.RETENTION_FLASH] = _(
                    "Erased the personal data of employee number {number}."
                ).format(number=who.employee_no)
                st.rerun()
