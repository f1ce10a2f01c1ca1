"""Every download button is a front-end-only element (issue 21).

A download button that reruns the app on click (Streamlit's default, ``on_click="rerun"``)
makes the run replace the files of the previous run: a second button pressed within a second
then asks for a file that is gone (``MediaFileStorageError``) and the browser saves nothing.
``on_click="ignore"`` sets the button's ``ignore_rerun`` (streamlit 1.67,
``elements/widgets/button.py``), so no rerun drops the file. Audit logging of a download is
done where the file is prepared, never in an ``on_click`` callback.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "ee_app").rglob("*.py"), ROOT / "streamlit_app.py", ROOT / "serve.py"])


def _download_buttons():
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            func = getattr(node, "func", None)
            if isinstance(node, ast.Call) and getattr(func, "attr", None) == "download_button":
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node


BUTTONS = list(_download_buttons())


def test_the_scan_finds_the_buttons():
    assert len(BUTTONS) >= 20


@pytest.mark.parametrize(("where", "call"), BUTTONS, ids=[w for w, _ in BUTTONS])
def test_download_button_does_not_rerun(where, call):
    on_click = {k.arg: k.value for k in call.keywords}.get("on_click")
    assert isinstance(on_click, ast.Constant) and on_click.value == "ignore", where
