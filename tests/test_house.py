"""The house picture in docs/development.md is today's (issue 21): ``scripts/house.py``
draws it from the code, so a module added, moved or grown shows in the doc when the script
is run, and this test says when it was not."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_picture_is_current():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "house.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_picture_shows_every_module_and_the_layers():
    doc = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    for module in (
        "ee_app.services.answering",
        "ee_app.pages.results",
        "ee_app.analysis.engagement",
    ):
        assert f"`{module}`" in doc
    # the arrows run down the layers: analysis imports no service, no page, no ui
    assert "analysis -->|" in doc
    for upward in ("analysis -->|{}| services", "services -->|{}| pages", "services -->|{}| ui"):
        assert not any(upward.format(n) in doc for n in range(1, 1000)), upward
