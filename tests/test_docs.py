"""The docs say what the code does: settings, commands and the two README commands."""

from pathlib import Path

import pytest

from ee_app.cli import _parser
from ee_app.config import SETTINGS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting):
    assert f"`{setting.name}`" in (ROOT / "docs" / "configuration.md").read_text()


def _commands():
    parser = _parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, group in sub.choices.items():
        inner = next((a for a in group._actions if a.dest == f"{name}_command"), None)
        if inner is None:  # a command without actions (backup, restore)
            yield f"ee-app {name}"
            continue
        for action in inner.choices:
            yield f"ee-app {name} {action}"


@pytest.mark.parametrize("command", list(_commands()))
def test_every_command_is_documented(command):
    assert f"`{command}" in (ROOT / "docs" / "cli.md").read_text()


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert "./scripts/run" in readme and "./scripts/test" in readme
    assert "./scripts/test" in (ROOT / ".ci" / "run").read_text()


def test_every_doc_is_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text()
    for doc in sorted((ROOT / "docs").glob("*.md")):
        assert f"docs/{doc.name}" in readme, doc.name
