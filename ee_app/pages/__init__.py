"""One Streamlit page per file. Pages render only: they read widgets, call services and draw
the results; they hold no SQL and no statistics."""
