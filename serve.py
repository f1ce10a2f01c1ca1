"""ee-app as served: the Streamlit app (``streamlit_app.py``) plus the light survey page.

``streamlit run serve.py`` finds ``app`` below and serves Streamlit's routes unchanged (pages,
sign-in, static files, WebSocket), with every ``--server.*`` option honoured, and before them
the plain HTML routes of :mod:`ee_app.light_survey`: ``/survey?t=TOKEN`` (the personal links
already sent keep their form) and ``/survey/done`` (issue 20: a phone gets a few kB instead of
Streamlit's 2.2 MB of JavaScript).
"""

import streamlit as st

from ee_app.light_survey import routes

app = st.App("streamlit_app.py", routes=routes())
