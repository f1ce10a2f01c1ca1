"""``ee-app bank``: the example workbook becomes the next onboarding version from the shell,
the same file twice changes nothing, export → import under another key round-trips, and a
broken workbook prints each problem with sheet, row and column, saving nothing."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ee_app.exports.question_bank_example import EXAMPLE_FILE
from ee_app.imports.question_bank import read_question_bank
from tests.helpers import run_cli, snapshot

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / EXAMPLE_FILE)


@pytest.fixture
def cli_env(cli_files, engine, demo):
    return engine


def test_import_export_and_list(cli_env, capsys, tmp_path):
    code, out, err = run_cli(capsys, "bank", "import", EXAMPLE)
    assert (code, err) == (0, "")
    assert out.strip() == "Saved onboarding version 2: 40 questions."
    code, out, _ = run_cli(capsys, "bank", "import", EXAMPLE)
    assert code == 0
    assert out.strip() == "No change: onboarding version 2 already holds this question bank."
    code, out, _ = run_cli(capsys, "bank", "list")
    lines = [line.split("\t") for line in out.strip().split("\n")]
    by_version = {(line[0], line[1]): line for line in lines}
    v1, v2 = by_version["onboarding", "v1"], by_version["onboarding", "v2"]
    assert v1[3] == "36 questions" and v2[3] == "40 questions"
    assert v1[4].startswith("assigned to ") and v1[4] != "assigned to 0 people"
    assert v2[4:] == ["assigned to 0 people", "newest"]
    target = tmp_path / "onboarding.xlsx"
    code, out, _ = run_cli(
        capsys, "bank", "export", "onboarding", "--version", "2", "-o", str(target)
    )
    assert code == 0 and "Wrote onboarding version 2" in out
    exported = read_question_bank(target.read_bytes())
    assert exported["version"] == 2 and len(exported["questions"]) == 40
    code, out, _ = run_cli(capsys, "bank", "import", str(target), "--key", "new-hire")
    assert out.strip() == "Saved new-hire version 1: 40 questions."


def test_a_broken_workbook_changes_nothing(cli_env, capsys, tmp_path):
    book = load_workbook(EXAMPLE)
    questions = book["Questions"]
    correct = next(c.column for c in questions[1] if c.value == "Correct")
    questions.cell(row=2, column=correct).value = "A,B"  # skin-layers, a single choice
    book["Settings"]["B8"] = 0  # Attempts
    broken = tmp_path / "broken.xlsx"
    book.save(broken)
    before = snapshot(cli_env)
    code, out, err = run_cli(capsys, "bank", "import", str(broken))
    assert code == 1 and out == ""
    assert "sheet “Questions”, row 2, column “Correct”: a single-choice question has exactly" in err
    assert "sheet “Settings”, row 8, column “Value”: must be a whole number from 1 to 20" in err
    assert snapshot(cli_env) == before


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bank", "export", "nope", "-o", "x.xlsx"), "No assessment “nope”."),
        (("bank", "export", "onboarding", "--version", "9", "-o", "x.xlsx"), "version 9"),
        (("bank", "import", "missing.xlsx"), "Cannot read missing.xlsx"),
        (("bank", "export", "onboarding", "-o", "no/such/dir/x.xlsx"), "Cannot write no/such/dir"),
    ],
)
def test_errors_say_what_is_wrong(cli_env, capsys, args, message):
    code, _, err = run_cli(capsys, *args)
    assert code == 1 and message in err


def test_not_a_workbook(cli_env, capsys, tmp_path):
    path = tmp_path / "bank.xlsx"
    path.write_bytes(io.BytesIO(b"id,topic\n").getvalue())
    code, _, err = run_cli(capsys, "bank", "import", str(path))
    assert code == 1 and "not a readable .xlsx workbook" in err
