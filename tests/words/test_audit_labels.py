"""Every action the code writes to the audit log reads as plain words in both languages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ee_app.i18n import translator
from ee_app.services.audit import DOWNLOADS
from ee_app.words.audit_labels import ACTIONS, AREAS, action_label, detail_text, object_text

PACKAGE = Path(__file__).resolve().parents[2] / "ee_app"
# Actions built from a variable (f"{kind}.import", f"{batch.kind}.undo") expand to these.
BATCH_KINDS = ("csat", "sales", "visits")


def recorded_actions() -> set[str]:
    """The action argument of every ``audit.record(...)``/``record(...)`` call in the
    package: string literals, conditional literals and f-strings over the batch kinds."""
    found: set[str] = set()

    def literals(node: ast.expr) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return literals(node.body) | literals(node.orelse)
        if isinstance(node, ast.JoinedStr):
            tail = "".join(
                v.value for v in node.values if isinstance(v, ast.Constant)
            )  # ".import", ".undo"
            return {f"{kind}{tail}" for kind in BATCH_KINDS}
        if isinstance(node, ast.Name):  # a module constant such as _DEMO_LOADED
            return {f"<name:{node.id}>"}
        return set()

    def called(node: ast.Call) -> str:
        return (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )

    def is_record(node: ast.AST) -> bool:
        owner = getattr(getattr(node, "func", None), "value", None)
        return (
            isinstance(node, ast.Call)
            and called(node) == "record"
            and (owner is None or getattr(owner, "id", "") == "audit")
            and len(node.args) >= 3
        )

    trees = {path: ast.parse(path.read_text(), str(path)) for path in PACKAGE.rglob("*.py")}
    # A module's own wrapper (``_audit(session, actor, "quiz.grant", …)``) passes one of its
    # parameters on as the action: its callers' arguments in that place are the actions.
    wrappers: dict[str, int] = {}
    passed_on: set[int] = set()  # the record calls inside such a wrapper (and ``record`` itself)
    for tree in trees.values():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            params = [a.arg for a in function.args.args]
            for node in ast.walk(function):
                if (
                    is_record(node)
                    and isinstance(node.args[2], ast.Name)
                    and node.args[2].id in params
                ):
                    wrappers[function.name] = params.index(node.args[2].id)
                    passed_on.add(id(node))

    for path, tree in trees.items():
        constants = {
            t.id: n.value.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
            for t in n.targets
            if isinstance(t, ast.Name) and isinstance(n.value.value, str)
        }
        for node in ast.walk(tree):
            if is_record(node) and id(node) not in passed_on:
                argument = node.args[2]
            elif isinstance(node, ast.Call) and called(node) in wrappers:
                at = wrappers[called(node)]
                if len(node.args) <= at:
                    continue
                argument = node.args[at]
            else:
                continue
            for action in literals(argument):
                if action.startswith("<name:"):
                    if path.name == "audit.py" and action == "<name:action>":
                        continue  # record_download: its actions are DOWNLOADS, added below
                    action = constants.get(action[6:-1], action)
                found.add(action)
    found |= {action for action, _type in DOWNLOADS.values()}
    return found


ACTIONS_IN_CODE = sorted(recorded_actions())


def test_the_scan_finds_the_actions():
    assert {"wave.open", "wave.reissue", "csat.undo", "demo.load", "download.payroll"} <= set(
        ACTIONS_IN_CODE
    )
    assert "audit.export" in ACTIONS_IN_CODE


@pytest.mark.parametrize("action", ACTIONS_IN_CODE)
def test_every_action_in_the_code_has_a_label(action):
    assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", action), action
    assert action in ACTIONS, f"add a label for {action!r} to ee_app/words/audit_labels.py ACTIONS"


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_every_label_is_translated(language):
    _ = translator(language)
    for text in [*ACTIONS.values(), *AREAS.values()]:
        assert _(text).strip()
        if language == "zh-CN":
            assert re.search(r"[\u4e00-\u9fff]", _(text)), text


@pytest.mark.parametrize(
    ("language", "action", "expected"),
    [
        ("en", "wave.open", "Opened a survey wave"),
        ("zh-CN", "wave.open", "开启调研批次"),
        ("en", "wave.reissue", "Replaced a lost personal link"),
        ("zh-CN", "download.payroll", "下载工资表"),
        # An action nobody labelled yet: its area and verb in words, never the raw key.
        ("en", "schedule.run", "Survey schedule: run"),
        ("en", "brand_new.thing_done", "Brand new: thing done"),
        ("zh-CN", "reminder.send", "提醒: send"),
    ],
)
def test_action_labels(language, action, expected):
    assert action_label(action, translator(language)) == expected


@pytest.mark.parametrize(
    ("language", "detail", "expected"),
    [
        ("en", {"invited": 42}, "People invited: 42"),
        ("zh-CN", {"invited": 42}, "邀请人数: 42"),
        (
            "en",
            {"code": "2026-11", "units": ["S1", "S2"], "mode": "anonymous"},
            "Code: 2026-11 · Units: S1, S2 · Mode: Anonymous",
        ),
        ("en", {"rows": 3, "format": "xlsx"}, "Rows: 3 · Format: Excel"),
        ("en", {"active": True, "units": []}, "Active: Yes · Units: –"),
        (
            "en",
            {"filters": {"who": "a@b.c", "actions": ["wave.open"]}},
            "Filters: Who a@b.c; Actions Opened a survey wave",
        ),
        ("en", {"some_new_key": 1}, "Some new key: 1"),
        ("en", {}, ""),
    ],
)
def test_detail_text(language, detail, expected):
    assert detail_text(detail, translator(language)) == expected


@pytest.mark.parametrize(
    ("language", "object_type", "object_id", "expected"),
    [
        ("en", "survey_wave", "12", "Survey wave 12"),
        ("zh-CN", "incentive_run", "3", "绩效核算 3"),
        ("en", "audit_log", None, "Audit log"),
        ("en", "survey_schedule", "4", "Survey schedule 4"),
    ],
)
def test_object_text(language, object_type, object_id, expected):
    assert object_text(object_type, object_id, translator(language)) == expected
