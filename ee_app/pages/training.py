"""Training assessments (培训考核): who passed which, for HR and managers; for HR also assigning
assessments, the personal links, and the item analysis that says which questions work.

Managers see the staff of their units only (the services keep to the scope). Assessments are
not anonymous: each person's attempts and scores are shown by name.
"""

import altair as alt
import pandas as pd
import streamlit as st

from ee_app.auth import Permission, can
from ee_app.clock import format_time
from ee_app.exports.quiz_links import quiz_links_xlsx
from ee_app.models import StaffRole
from ee_app.services.audit import record_download
from ee_app.services.org import list_units
from ee_app.services.training import assign_quiz, list_quizzes, quiz_of
from ee_app.services.training_assignments import new_cycle
from ee_app.services.training_links import assignment_links
from ee_app.services.training_status import item_analysis, status_table
from ee_app.ui import context
from ee_app.ui.components import XLSX_MIME, unit_option_label
from ee_app.ui.feedback import show_done
from ee_app.ui.formatting import blank
from ee_app.ui.question_bank_editor import question_banks_tab
from ee_app.ui.service_calls import write
from ee_app.ui.training_assignments import auto_assign_section, person_section
from ee_app.words.labels import staff_role_label

FLASH = "ee_training_flash"
STATUS_QUIZ = "ee_training_status_quiz"
ONLY_OPEN = "ee_training_only_open"
ASSIGN_FORM = "ee_training_assign"
LINKS_QUIZ = "ee_training_links_quiz"
ANALYSIS_QUIZ = "ee_training_analysis_quiz"
TAB = "ee_training_tab"

ctx = context.page()
_ = ctx.gettext
actor = ctx.actor
language = ctx.language
office = can(actor, Permission.MANAGE_TRAINING)

with ctx.read() as session:
    versions = list_quizzes(session, actor)
quizzes = {row.id: quiz_of(row) for row in versions}
newest = {}
for row in versions:
    newest[row.key] = row.id
names = {qid: f"{q.name.get(language)} (v{q.version})" for qid, q in quizzes.items()}


def status_tab() -> None:
    keys = {key: quizzes[qid].name.get(language) for key, qid in newest.items()}
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    key = left.segmented_control(
        _("Assessment"),
        list(keys),
        format_func=keys.__getitem__,
        default=next(iter(keys), None),
        required=True,
        key=STATUS_QUIZ,
    )
    only_open = right.toggle(_("Not passed only"), key=ONLY_OPEN)
    with ctx.read() as session:
        table = status_table(session, actor, quiz_key=key)
    if table.empty:
        st.info(
            _("Nobody in your scope has been assigned this assessment yet."),
            icon=":material/school:",
        )
        return
    passed = int(table["passed"].sum())
    started = int((table["attempts"] > 0).sum())
    cols = st.columns(4)
    cols[0].metric(_("Assigned"), len(table))
    cols[1].metric(
        _("Passed"),
        passed,
        help=_("{share:.0%} of those assigned").format(share=passed / len(table)),
    )
    cols[2].metric(_("Not started"), len(table) - started)
    cols[3].metric(_("Started, not passed"), started - passed)
    shown = table[~table["passed"]] if only_open else table
    st.dataframe(
        pd.DataFrame(
            {
                _("Employee number"): shown["employee_no"],
                _("Name"): shown["name"],
                _("Role"): [staff_role_label(StaffRole(r), _) for r in shown["role"]],
                _("Store"): shown["store_name"],
                _("Version"): shown["quiz_version"],
                _("Attempts"): shown["attempts"],
                _("Attempts left"): shown["attempts_left"],
                _("Best score"): shown["best"],
                _("Last score"): shown["last"],
                _("Passed"): [_("yes") if p else _("no") for p in shown["passed"]],
                _("Passed on"): [
                    None if pd.isna(w) else format_time(pd.Timestamp(w).to_pydatetime(), "%Y-%m-%d")
                    for w in shown["passed_at"]
                ],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            _("Best score"): st.column_config.NumberColumn(format="%.0f%%"),
            _("Last score"): st.column_config.NumberColumn(format="%.0f%%"),
        },
    )
    grading = quizzes[newest[key]].grading
    st.caption(
        _("Passed by the best attempt.")
        if grading == "highest"
        else _("Passed by the last attempt.")
    )


def assign_tab() -> None:
    with ctx.read() as session:
        units = list_units(session, actor)
    labels = {u.id: unit_option_label(u, _) for u in units}
    with st.form(ASSIGN_FORM, border=True):
        st.markdown("**{}**".format(_("Assign an assessment")))
        quiz_id = st.selectbox(
            _("Assessment"), list(newest.values()), format_func=names.__getitem__
        )
        chosen = st.multiselect(
            _("Units"),
            list(labels),
            format_func=labels.__getitem__,
            placeholder=_("Choose units (everyone working in them now)"),
        )
        roles = st.multiselect(
            _("Only these roles (optional)"),
            list(StaffRole),
            format_func=lambda r: staff_role_label(r, _),
        )
        again = st.checkbox(  # issue 19: the quarterly re-test
            _("Assign again as a new cycle"),
            help=_(
                "Those who had it take it again, with a new link and a fresh count of "
                "attempts; their earlier attempts stay in the history and their old links "
                "stop working."
            ),
        )
        sent = st.form_submit_button(_("Assign"), type="primary", icon=":material/assignment_add:")
    if sent and again:
        cycle = write(ctx, new_cycle, quiz_id, chosen, context.settings(), roles=roles or None)
        if cycle is not None:
            st.session_state[FLASH] = _(
                "Assigned again as a new cycle to {renewed} staff, and for the first time "
                "to {first}: download their new links below."
            ).format(renewed=cycle.renewed, first=cycle.first)
            st.rerun()
    elif sent:
        counts = write(ctx, assign_quiz, quiz_id, chosen, context.settings(), roles=roles or None)
        if counts is not None:
            made, before = counts
            st.session_state[FLASH] = _(
                "Assigned to {made} staff; {before} had it already."
            ).format(made=made, before=before)
            st.rerun()
    st.markdown("**{}**".format(_("Personal links")))
    st.caption(
        _(
            "Each link opens one person's assessment without signing in. Send each to that "
            "person only (WeCom/WeChat)."
        )
    )
    quiz_id = st.selectbox(
        _("Assessment"), list(quizzes), format_func=names.__getitem__, key=LINKS_QUIZ
    )
    pending = st.checkbox(_("Only those who have not passed yet"))
    with ctx.read() as session:
        links = assignment_links(session, actor, quiz_id, context.settings(), pending_only=pending)

    def logged_links() -> bytes:
        """The workbook, once its download is logged (called when HR downloads it)."""
        with ctx.write() as session:
            record_download(
                session, actor, "quiz_links", quiz_id, rows=len(links), quiz=quizzes[quiz_id].key
            )
        return quiz_links_xlsx(links, quizzes[quiz_id], language)

    st.download_button(
        _("Personal links (Excel) · {count}").format(count=len(links)),
        data=logged_links,
        file_name=f"assessment-links-{quizzes[quiz_id].key}.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
        disabled=not links,
    )
    st.divider()  # issue 19: HR's controls over one person, and new hires
    person_section(ctx)
    st.divider()
    auto_assign_section(ctx, {key: quizzes[qid] for key, qid in newest.items()})


def _range(low: str, high: str) -> str:
    return _("{low} to {high}").format(low=low, high=high)


def analysis_tab() -> None:
    quiz_id = st.selectbox(
        _("Assessment"), list(quizzes), format_func=names.__getitem__, key=ANALYSIS_QUIZ
    )
    with ctx.read() as session:
        result = item_analysis(session, actor, quiz_id)
    test, questions = result
    if not test.attempts:
        st.info(
            _("No first attempts yet: the analysis needs answers."), icon=":material/analytics:"
        )
        return
    quiz = quizzes[quiz_id]
    cols = st.columns(4)
    cols[0].metric(_("First attempts"), test.attempts)
    cols[1].metric(
        _("Reliability (KR-20)"),
        "—" if blank(test.kr20) else f"{test.kr20:.2f}",
        help=_(
            "Cronbach's alpha of right/wrong answers; 0.7 or more is usually wanted for a "
            "pass/fail decision."
        ),
    )
    cols[2].metric(
        _("Error ratio"),
        "—" if blank(test.error_ratio) else f"{test.error_ratio:.0%}",
        help=_("How much of the spread of scores is measurement error: √(1 − KR-20)."),
    )
    cols[3].metric(
        _("Standard error"),
        "—" if blank(test.standard_error) else f"{test.standard_error:.1f}",
        help=_("In questions right: a person's score is this uncertain either way."),
    )
    range_help = _(
        "A 95% interval: with this many attempts the true value is very likely in this "
        "range. The fewer the attempts, the wider it is."
    )
    # A question by its place in the bank, in the reader's language: its id ("skin-layers")
    # is the bank author's key, not something to read (issue 21).
    position = {q.id: number for number, q in enumerate(quiz.questions, start=1)}
    frame = questions.assign(
        label=[
            _("Question {number}").format(number=position[q]) if q in position else q
            for q in questions["question"]
        ],
        text=[
            quiz.question(q).text.get(language) if quiz.question(q) else q
            for q in questions["question"]
        ],
        why=["; ".join(_(r) for r in reasons) for reasons in questions["reasons"]],
        discrimination_text=[
            "—" if blank(d) else f"{d:.2f}" for d in questions["discrimination"]
        ],  # a tooltip shows a missing number as "null"
        facility_range=[
            _range(f"{low:.0%}", f"{high:.0%}") if not blank(low) else "—"
            for low, high in zip(questions["facility_low"], questions["facility_high"], strict=True)
        ],
        discrimination_range=[
            _range(f"{low:.2f}", f"{high:.2f}") if not blank(low) else "—"
            for low, high in zip(
                questions["discrimination_low"], questions["discrimination_high"], strict=True
            )
        ],
    )
    chart = (
        alt.Chart(frame)
        .mark_circle(size=70)
        .encode(
            x=alt.X(
                "facility:Q",
                title=_("Facility index"),
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            y=alt.Y(
                "discrimination:Q",
                title=_("Discrimination index"),
                scale=alt.Scale(domain=[-0.5, 1]),
            ),
            color=alt.Color(
                "flagged:N",
                title=_("Flagged"),
                scale=alt.Scale(domain=[True, False], range=["#c62828", "#1565c0"]),
                legend=alt.Legend(orient="bottom", labelExpr="datum.value ? '⚑' : '✓'"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=_("Question")),
                alt.Tooltip("text:N", title=_("Text")),
                alt.Tooltip("n:Q", title="n"),
                alt.Tooltip("facility:Q", title=_("Facility index"), format=".0%"),
                alt.Tooltip("facility_range:N", title=_("Facility: likely range")),
                alt.Tooltip("discrimination_text:N", title=_("Discrimination index")),
                alt.Tooltip("discrimination_range:N", title=_("Discrimination: likely range")),
                alt.Tooltip("why:N", title=_("Why flagged")),
            ],
        )
        .properties(height=320)
    )
    rules = (
        alt.Chart(pd.DataFrame({"x": [0.2, 0.9]}))
        .mark_rule(strokeDash=[4, 4], color="#9e9e9e")
        .encode(x="x:Q")
    )
    floor = (
        alt.Chart(pd.DataFrame({"y": [0.3]}))
        .mark_rule(strokeDash=[4, 4], color="#9e9e9e")
        .encode(y="y:Q")
    )
    st.altair_chart(chart + rules + floor, width="stretch")
    st.caption(
        _(
            "Each dot is a question, on first attempts only. Facility index: the share who got "
            "it right. Discrimination index: how well it separates stronger from weaker "
            "candidates, the correlation of the question with the rest of the test. With few "
            "attempts both are uncertain, so each has a likely range (a 95% interval), and a "
            "question is flagged only when the range says so: too easy or too hard when the "
            "whole range of its facility is above 90% or below 20%; not discriminating when "
            "its discrimination is below 0.3 and even the top of its range is below 0.4."
        )
    )
    flagged = frame.sort_values(["flagged", "discrimination"], ascending=[False, True])
    st.dataframe(
        pd.DataFrame(
            {
                _("Question"): flagged["label"],
                _("Text"): flagged["text"],
                "n": flagged["n"],
                _("Facility index"): flagged["facility"] * 100,
                _("Facility: likely range"): flagged["facility_range"],
                _("Discrimination index"): flagged["discrimination"],
                _("Discrimination: likely range"): flagged["discrimination_range"],
                _("Why flagged"): flagged["why"],
            }
        ),
        hide_index=True,
        width="stretch",
        placeholder="—",
        column_config={
            _("Facility index"): st.column_config.NumberColumn(format="%.0f%%"),
            _("Discrimination index"): st.column_config.NumberColumn(
                format="%.2f",
                help=_("— when everyone answered the same way: nothing to separate."),
            ),
            _("Facility: likely range"): st.column_config.TextColumn(help=range_help),
            _("Discrimination: likely range"): st.column_config.TextColumn(help=range_help),
            _("Text"): st.column_config.TextColumn(width="large"),
        },
    )


st.title(_("Training"))
st.caption(
    _(
        "New staff must pass the onboarding assessment before they start work (考核通过后方可"
        "上岗); advanced training ends each quarter with a test. Assessments are not anonymous."
    )
)
show_done(FLASH)
if not quizzes:
    st.info(_("No assessments are installed."), icon=":material/school:")
    st.stop()
if office:
    # The open tab is kept in the session (issue 19): HR's person panel reruns the page at
    # each step, and must not fall back to the first tab.
    tabs = st.tabs(
        [_("Who passed"), _("Assign and links"), _("Item analysis"), _("Question banks")],
        key=TAB,
        on_change="rerun",
    )
    with tabs[0]:
        status_tab()
    with tabs[1]:
        assign_tab()
    with tabs[2]:
        analysis_tab()
    with tabs[3]:  # issue 19: question banks (题库)
        question_banks_tab(ctx)
else:
    status_tab()
