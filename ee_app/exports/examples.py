"""The example files the docs link to, written by ``scripts/examples``.

``docs/examples/checklist-example.xlsx`` is the shipped service-process checklist as the
Checklists tab downloads it: HR can open it, change the key and the items, and upload it as
their own checklist. ``docs/examples/question-bank-example.xlsx`` is the 40-question onboarding
bank of :mod:`ee_app.exports.question_bank_example`. ``tests/exports/test_checklist_workbook.py``
checks that the committed files still hold what this module writes (cell by cell: a workbook's
bytes carry its save time).
"""

from __future__ import annotations

import sys
from pathlib import Path

from ee_app.exports.checklist_workbook import checklist_workbook
from ee_app.exports.question_bank_example import EXAMPLE_FILE, example_workbook
from ee_app.instruments.checklist import default_definitions

__all__ = ["CHECKLIST_EXAMPLE", "EXAMPLE_KEY", "example_files", "main"]

CHECKLIST_EXAMPLE = "checklist-example.xlsx"
EXAMPLE_KEY = "service-process"


def example_files() -> dict[str, bytes]:
    """File name → content of every example."""
    return {
        CHECKLIST_EXAMPLE: checklist_workbook(default_definitions()[EXAMPLE_KEY]),
        EXAMPLE_FILE.name: example_workbook(),
    }


def main(argv: list[str] | None = None) -> None:
    folder = Path((argv or sys.argv[1:] or ["docs/examples"])[0])
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in example_files().items():
        (folder / name).write_bytes(content)
        print(folder / name)


if __name__ == "__main__":
    main()
