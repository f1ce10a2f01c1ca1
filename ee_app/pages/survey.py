"""The pulse survey, answered from a personal link (``/survey?t=TOKEN``) on a phone.

No sign-in. The page first says plainly what is anonymous (or, in a confidential wave, what is
linked and who can never see it), lets every question be skipped, and records one response per
link. It stores nothing about the visitor in the session beyond the answers being typed, and
forgets those once they are sent.
"""

import streamlit as st

from ee_app.errors import EeError
from ee_app.i18n import translator
from ee_app.keys import secret_key
from ee_app.services.answering import COMMENT_LIMIT, LinkState, open_link, submit
from ee_app.services.link_texts import LENGTH, link_state, notice
from ee_app.ui import context
from ee_app.ui.link_language import language_switch

st.set_page_config(page_title="ee-app", page_icon="🌸", layout="centered")

DONE = "ee_survey_done"
LANGUAGE = "ee_survey_lang"
token = str(st.query_params.get("t", ""))

with context.read_session() as session:
    view = open_link(session, token)

if LANGUAGE not in st.session_state:  # the wave's language; for an unknown link, the app's
    known = view.state is not LinkState.UNKNOWN
    st.session_state[LANGUAGE] = view.language if known else context.language()
language_switch(LANGUAGE)
language = st.session_state[LANGUAGE] or view.language
_ = translator(language)
if context.demo_database():  # only the demo loader's people and numbers are invented
    st.caption(_("Demo mode: the people and numbers are invented."))

if st.session_state.get(DONE) == token and token:
    st.title(_("Thank you!"))
    st.success(
        _("Your answers have been recorded. This link cannot be used again."),
        icon=":material/check_circle:",
    )
    st.write(_("You can close this page."))
    st.stop()

if view.state is not LinkState.READY or view.instrument is None:
    st.title(view.wave_name or _("Pulse survey"))
    st.info(link_state(view, _), icon=":material/info:")
    st.stop()

instrument = view.instrument
st.title(view.wave_name)
confidential, promise = notice(view, _)
if confidential:
    st.warning(promise, icon=":material/shield_person:")
else:
    st.info(promise, icon=":material/lock:")
st.caption(_(LENGTH))

labels = {
    value: f"{value} · {text.get(language)}" for value, text in enumerate(instrument.scale, 1)
}
with st.form("survey", border=False):
    answers = {}
    for number, item in enumerate(instrument.items, start=1):
        # The label is what a screen reader says: plain text, the bold number drawn above it
        # (it used to read out "star star 1 dot star star", issue 21).
        st.markdown(f"**{number}.** {item.text.get(language)}")
        answers[item.slot] = st.radio(
            f"{number}. {item.text.get(language)}",
            options=list(labels),
            format_func=labels.__getitem__,
            index=None,
            key=f"ee_q_{item.slot}",
            label_visibility="collapsed",
        )
    st.markdown(f"**{len(instrument.items) + 1}.** {instrument.enps.get(language)}")
    st.caption(
        f"0 = {instrument.enps_low.get(language)} · 10 = {instrument.enps_high.get(language)}"
    )
    enps = st.pills(
        instrument.enps.get(language),
        options=list(range(11)),
        selection_mode="single",
        key="ee_q_enps",
        label_visibility="collapsed",
    )
    comment = st.text_area(
        instrument.comment.get(language),
        max_chars=COMMENT_LIMIT,
        help=instrument.comment_hint.get(language),
        placeholder=instrument.comment_hint.get(language),
        key="ee_q_comment",
    )
    sent = st.form_submit_button(_("Submit my answers"), type="primary", width="stretch")

if sent:
    if all(v is None for v in answers.values()) and enps is None and not (comment or "").strip():
        st.warning(_("Please answer at least one question before submitting."))
        st.stop()
    try:
        submit(
            context.engine(),
            token,
            answers,
            enps,
            comment,
            key=secret_key(context.settings()),
        )
    except EeError as error:  # a used or closed link, a value out of range
        st.error(error.render(_))
        st.stop()
    for key in [k for k in st.session_state if str(k).startswith("ee_q_")]:
        del st.session_state[key]
    st.session_state[DONE] = token
    st.rerun()
