"""Use cases: each public function is one transaction, and the only code that writes.

Services take a SQLAlchemy ``Session`` and the :class:`~ee_app.auth.Actor` they act for, check
the actor's permission and scope first, and commit (or roll back and raise) before they return.
They never import streamlit.
"""
