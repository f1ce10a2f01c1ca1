"""Streamlit glue shared by the pages: the cached engine, the current user and language,
and small components. Pages import from here; services never do."""
