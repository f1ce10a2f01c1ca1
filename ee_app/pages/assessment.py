"""A training assessment taken from a personal link (``/assessment?t=TOKEN``), on a phone.

No sign-in: the link identifies the staff member, and the page says so first (assessments are
not anonymous: HR sees each person's results). It shows the attempts so far, starts the next
one, shows the time left (the server holds the deadline and refuses a late submission), and
after a submission the score, pass or fail, and every question's explanation.

It forgives slips (:mod:`ee_app.ui.assessment_parts`): Submit with questions still open asks
first, saying how many; the time left counts down in local time without touching the answers;
and once the person has passed by the quiz's grading rule no further attempt is offered. Under
"last" grading a new attempt could only replace the pass with a fail, so a pass ends the
assessment there too.
"""

from datetime import datetime

import streamlit as st

from ee_app.clock import format_time
from ee_app.errors import N_, EeError
from ee_app.i18n import plural_translator, translator
from ee_app.instruments.quiz import Quiz
from ee_app.models import AttemptStatus
from ee_app.services.training import AttemptRow
from ee_app.services.training_taking import (
    LinkState,
    open_assessment,
    start_attempt,
    submit_attempt,
)
from ee_app.ui import context
from ee_app.ui.assessment_parts import countdown, counting_attempt, unanswered
from ee_app.ui.formatting import plain
from ee_app.ui.link_language import language_switch

st.set_page_config(page_title="ee-app", page_icon="🌸", layout="centered")

LANGUAGE = "ee_assessment_lang"
RESULT = "ee_assessment_result"  # the id of the attempt whose result to show
FLASH = "ee_assessment_flash"
CONFIRM = "ee_assessment_confirm"  # the open attempt whose unanswered questions were pointed out
token = str(st.query_params.get("t", ""))

if LANGUAGE not in st.session_state:
    st.session_state[LANGUAGE] = context.language()
language_switch(LANGUAGE)
language = st.session_state[LANGUAGE] or "zh-CN"
_ = translator(language)
ngettext = plural_translator(language)
if context.demo_database():  # only the demo loader's people and numbers are invented
    st.caption(_("Demo mode: the people and numbers are invented."))

with context.read_session() as session:
    view = open_assessment(session, token)

if view.state is LinkState.UNKNOWN or view.quiz is None:
    st.title(_("Training assessment"))
    st.info(
        _("This link is not valid. Check that you opened the whole link, or ask HR for yours."),
        icon=":material/link_off:",
    )
    st.stop()

quiz: Quiz = view.quiz
st.title(quiz.name.get(language))
st.info(
    _(
        "This assessment is not anonymous: this link is yours, {name} ({number}), and HR and "
        "your manager see your results."
    ).format(name=view.staff_name, number=view.employee_no),
    icon=":material/badge:",
)
message = st.session_state.get(FLASH)  # kept until the next attempt starts
if message:
    st.warning(message, icon=":material/timer_off:")


def rules() -> None:
    attempts = view.limit or quiz.max_attempts
    parts = [
        ngettext("{count} question", "{count} questions", quiz.draw).format(count=quiz.draw),
        _("pass mark {mark:.0%}").format(mark=float(quiz.pass_mark)),
        ngettext("{count} attempt in all", "{count} attempts in all", attempts).format(
            count=attempts
        ),
    ]
    if quiz.time_limit_minutes:
        parts.append(_("{minutes} minutes per attempt").format(minutes=quiz.time_limit_minutes))
    parts.append(
        _("the best attempt counts") if quiz.grading == "highest" else _("the last attempt counts")
    )
    st.caption(" · ".join(parts))
    st.write(quiz.description.get(language))


def history(attempts: tuple[AttemptRow, ...]) -> None:
    marked = [a for a in attempts if a.status is not AttemptStatus.OPEN]
    for attempt in marked:
        if attempt.status is AttemptStatus.EXPIRED:
            result = _("time ran out")
        else:
            verdict = _("passed") if attempt.passed else _("not passed")
            result = f"{attempt.correct}/{attempt.total} · {float(attempt.score):.0f}% · {verdict}"
        st.caption(_("Attempt {number}: {result}").format(number=attempt.number, result=result))


def explanations(attempt: AttemptRow) -> None:
    """Each question with the answer given, the right one and why."""
    for number, drawn in enumerate(attempt.questions, start=1):
        question = quiz.question(drawn["id"])
        if question is None:
            continue
        given = attempt.answers.get(question.id)
        chosen = {given} if isinstance(given, str) else set(given or [])
        right = chosen == set(question.correct)
        mark = ":green[✓]" if right else ":red[✗]"
        with st.container(border=True):
            st.markdown(f"{mark} **{number}. {plain(question.text.get(language))}**")
            correct = [
                question.option(o).text.get(language)
                for o in drawn["options"]
                if o in question.correct
            ]
            st.markdown(_("Right answer: {answer}").format(answer=plain("; ".join(correct))))
            st.caption(plain(question.explanation.get(language)))


def result_screen(attempt: AttemptRow) -> None:
    if attempt.passed:
        st.success(
            _("Passed: {correct} of {total} right ({score:.0f}%).").format(
                correct=attempt.correct, total=attempt.total, score=float(attempt.score)
            ),
            icon=":material/verified:",
        )
    else:
        st.error(
            _(
                "Not passed: {correct} of {total} right ({score:.0f}%); "
                "the pass mark is {mark:.0%}."
            ).format(
                correct=attempt.correct,
                total=attempt.total,
                score=float(attempt.score),
                mark=float(quiz.pass_mark),
            ),
            icon=":material/cancel:",
        )
    explanations(attempt)


def submit(attempt: AttemptRow, answers: dict) -> None:
    st.session_state.pop(CONFIRM, None)
    try:
        with context.write_session() as session:
            submit_attempt(session, token, attempt.id, answers)
    except EeError as error:
        st.session_state[FLASH] = error.render(_)
    else:
        st.session_state[RESULT] = attempt.id
    st.rerun()


def deadline_of(attempt_id: int) -> datetime | None:
    """The attempt's deadline as the server holds it now, for the countdown's redraws."""
    with context.read_session() as session:
        fresh = open_assessment(session, token)
    return next((a.deadline for a in fresh.attempts if a.id == attempt_id), None)


def confirm_unanswered(missing: list[int]) -> tuple[bool, bool]:
    """Inside the form, at its foot: how many questions are open, and (Submit anyway, Go
    back). Both are the form's own buttons, so what was ticked since is kept either way."""
    st.warning(
        ngettext(
            "{count} question is unanswered (number {numbers}); it counts as wrong. Submit anyway?",
            "{count} questions are unanswered (numbers {numbers}); they count as wrong. "
            "Submit anyway?",
            len(missing),
        ).format(count=len(missing), numbers=", ".join(map(str, missing))),
        icon=":material/help:",
    )
    row = st.container(horizontal=True)
    with row:
        anyway = st.form_submit_button(_("Submit anyway"), type="primary")
        back = st.form_submit_button(_("Go back"))
    return anyway, back


def questions_form(attempt: AttemptRow) -> None:
    if attempt.deadline is not None:
        countdown(lambda: deadline_of(attempt.id), _, ngettext)
    with st.form(f"ee_assessment_{attempt.id}"):
        answers = {}
        numbers = {}  # question id: its number as shown
        for number, drawn in enumerate(attempt.questions, start=1):
            question = quiz.question(drawn["id"])
            if question is None:
                continue
            names = {o: question.option(o).text.get(language) for o in drawn["options"]}
            label = f"{number}. {question.text.get(language)}"
            key = f"ee_q_{attempt.id}_{question.id}"
            numbers[question.id] = number
            if question.type == "multiple":
                st.markdown(f"**{plain(label)}**")  # the stem says "choose all that apply"
                answers[question.id] = [
                    o for o in drawn["options"] if st.checkbox(names[o], key=f"{key}_{o}")
                ]
            else:
                answers[question.id] = st.radio(
                    label, list(names), format_func=names.__getitem__, index=None, key=key
                )
        missing = unanswered({numbers[q]: given for q, given in answers.items()})
        sent = anyway = back = False
        if st.session_state.get(CONFIRM) == attempt.id and missing:
            anyway, back = confirm_unanswered(missing)
        else:
            sent = st.form_submit_button(_("Submit my answers"), type="primary", width="stretch")
    if anyway or (sent and not missing):
        submit(attempt, answers)
    elif sent:  # questions open: say how many, and submit only when asked again
        st.session_state[CONFIRM] = attempt.id
        st.rerun()
    elif back:
        st.session_state.pop(CONFIRM, None)
        st.rerun()


rules()
history(view.attempts)
last = view.attempts[-1] if view.attempts else None
if last is not None and last.status is AttemptStatus.EXPIRED and not message:
    st.warning(
        _("Attempt {number} was not accepted: its time limit ran out at {deadline}.").format(
            number=last.number, deadline=format_time(last.deadline, "%H:%M")
        ),
        icon=":material/timer_off:",
    )
shown = st.session_state.get(RESULT)
done = next(
    (a for a in view.attempts if a.id == shown and a.status is AttemptStatus.SUBMITTED), None
)
if done is not None:
    result_screen(done)
    again = _("Try again ({left} left)").format(left=view.attempts_left)
    if view.passed:  # a pass ends the assessment, under either grading rule
        st.caption(_("You have passed this assessment: there is nothing more to do."))
    elif view.attempts_left and not view.open_attempt and st.button(again):
        st.session_state.pop(RESULT, None)
        st.rerun()
    st.stop()

attempt = view.open_attempt
if attempt is not None:
    questions_form(attempt)
    st.stop()
if view.passed:
    # No further attempt: under "highest" it could not change the result, under "last" it
    # could only take the pass away. The attempt that counts, with its explanations.
    st.success(_("You have passed this assessment."), icon=":material/verified:")
    counted = counting_attempt(view.attempts, quiz.grading)
    if counted is not None and counted.status is AttemptStatus.SUBMITTED:
        st.subheader(_("Attempt {number}: your answers").format(number=counted.number))
        explanations(counted)
    st.stop()
if view.attempts_left <= 0:
    st.info(
        _(
            "All {limit} attempts have been used. HR can grant you another attempt: ask HR "
            "(or your store manager) for one, then open this link again."
        ).format(limit=view.limit or quiz.max_attempts),
        icon=":material/block:",
    )
    st.stop()
label = N_("Start the assessment") if not view.attempts else N_("Start attempt {number}")
if st.button(_(label).format(number=len(view.attempts) + 1), type="primary", width="stretch"):
    st.session_state.pop(FLASH, None)
    try:
        with context.write_session() as session:
            start_attempt(session, token)
    except EeError as error:
        st.error(error.render(_), icon=":material/error:")
    else:
        st.rerun()
