"""Opening a page in AppTest the way a reader gets there, and reading what it shows.

AppTest runs only the entry script, so a page is reached as in the app: sign in on the first
run, then switch to the page's file and run again. The page tests share these steps so that
each test says only what it looks for."""

from __future__ import annotations

from collections.abc import Iterable

from streamlit.testing.v1 import AppTest

HR = "hr@demo.example"
#: The elements that carry the page's own words (titles, text and the messages).
MESSAGES = ("title", "markdown", "caption", "info", "warning", "error", "success")


def open_page(make_app, path: str, identity: str | None = HR, language: str = "en") -> AppTest:
    """The page at ``path`` as ``identity`` sees it; it ran without a traceback."""
    at = make_app(identity, language)
    at.run()
    at.switch_page(path)
    at.run()
    assert not at.exception, at.exception
    return at


def clean(at: AppTest) -> AppTest:
    """``at`` after checking that it shows neither a traceback nor an error message."""
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def values_of(at: AppTest, kinds: Iterable[str] = MESSAGES) -> list[str]:
    """The values of every element of these kinds, as text, in page order within a kind."""
    return [str(e.value) for kind in kinds for e in getattr(at, kind)]
