"""The plain words a person reads for the code's values: roles, levels, themes, measures,
audit actions, retention plans, in both languages through gettext.

The screens (:mod:`ee_app.ui`), the exports (:mod:`ee_app.exports`) and the command line
(:mod:`ee_app.cli`) all show these values, so the words live below all three and each says the
same; nothing here imports Streamlit or a database session.
"""
