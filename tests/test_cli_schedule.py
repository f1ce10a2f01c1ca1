"""``ee-app schedule`` and ``ee-app wave extend``: a monthly pulse from the shell, the
overlap warning of ``wave open``, and errors that change nothing."""

import pytest

from tests import schedule_org
from tests.helpers import run_cli, snapshot


@pytest.fixture
def cli_env(cli_files, engine):
    schedule_org.build(engine)
    return engine


def test_a_monthly_pulse_from_the_shell(cli_env, capsys):
    code, out, _ = run_cli(
        capsys, "schedule", "create", "--code", "PULSE", "--name", "Pulse", "--unit", "R",
        "--first", "2026-01-31", "--open-days", "7",
    )  # fmt: skip
    assert code == 0
    assert "Created schedule PULSE: every month, open 7 days" in out
    code, out, _ = run_cli(capsys, "schedule", "list", "--today", "2026-01-01")
    assert out.split("\n")[0].split("\t") == [
        "PULSE", "Pulse", "every month, open 7 days", "R", "2026-01-31", "active",
    ]  # fmt: skip
    code, out, err = run_cli(capsys, "schedule", "run", "--today", "2026-01-31")
    assert code == 0 and err == ""
    assert out.strip() == (
        "Schedule PULSE: opened wave PULSE-2026-01 (2026-01-31 to 2026-02-06), 22 personal "
        "links issued."
    )
    # A hand-made wave for one store warns about the 12 people it shares, and opens.
    code, _, _ = run_cli(
        capsys, "wave", "create", "--code", "S1-EXTRA", "--name", "Extra", "--unit", "S1",
        "--opens", "2026-02-01", "--closes", "2026-02-20",
    )  # fmt: skip
    code, out, err = run_cli(capsys, "wave", "open", "S1-EXTRA")
    assert code == 0
    assert (
        "Warning: 12 people in this wave's audience are also invited to open wave PULSE-2026-01"
        in err
    )
    assert "Opened wave S1-EXTRA" in out
    code, out, _ = run_cli(
        capsys, "wave", "extend", "PULSE-2026-01", "--closes", "2026-02-08", "--today", "2026-02-03"
    )
    assert code == 0 and "now closes on 2026-02-08" in out
    code, out, _ = run_cli(capsys, "schedule", "pause", "PULSE")
    assert "Paused schedule PULSE" in out
    code, out, _ = run_cli(capsys, "schedule", "run", "--today", "2026-02-07")
    assert "nothing to open or close on 2026-02-07" in out
    code, out, err = run_cli(capsys, "schedule", "run", "--today", "2026-02-09", "--timeout", "2")
    assert "Schedule PULSE: closed wave PULSE-2026-01." in out + err
    code, out, _ = run_cli(capsys, "schedule", "resume", "PULSE")
    assert code == 0 and "Resumed schedule PULSE" in out


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("schedule", "create", "--code", "X", "--name", "X", "--unit", "R", "--first",
          "31/01/2026"), "“31/01/2026” is not a date"),
        (("schedule", "create", "--code", "X", "--name", "X", "--unit", "R", "--first",
          "2026-01-31", "--open-days", "40"), "from 1 to 28 days"),
        (("schedule", "pause", "NOPE"), "No schedule “NOPE”"),
        (("wave", "extend", "NOPE", "--closes", "2026-02-01"), "No survey wave “NOPE”"),
    ],
)  # fmt: skip
def test_errors_change_nothing(cli_env, capsys, args, message):
    before = snapshot(cli_env)
    code, _, err = run_cli(capsys, *args)
    assert code == 1 and message in err
    assert snapshot(cli_env) == before


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_run_exits_1_when_a_wave_could_not_open(cli_env, capsys):
    run_cli(
        capsys, "schedule", "create", "--code", "TINY", "--name", "Tiny", "--unit", "S3",
        "--first", "2026-01-31",
    )  # fmt: skip
    code, _, err = run_cli(capsys, "schedule", "run", "--today", "2026-01-31")
    assert code == 1
    assert "Schedule TINY: wave TINY-2026-01 was not opened. The audience has 2 people" in err
