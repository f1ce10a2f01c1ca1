"""The example question bank of docs/training.md ("Make your own question bank"):
``docs/examples/question-bank-example.xlsx``, generated, never edited by hand.

It is a new version of the onboarding assessment (key ``onboarding``) as HR might make it:
40 questions in four topics of ten (skin basics, hygiene, the service process with complaint
handling, compliance), taken from the shipped onboarding bank plus the eight questions of
``instruments/quizzes/examples/onboarding-extra.toml``; each test draws 5 per topic (20),
pass mark 80%, 2 attempts, 30 minutes. Regenerate it with ``scripts/examples``;
``tests/exports/test_question_bank_example.py`` fails when the committed file is stale.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from ee_app.exports.question_bank import question_bank_xlsx
from ee_app.instruments.quiz import ONBOARDING, default_definitions, validate

__all__ = ["EXAMPLE_FILE", "TOPICS", "example_definition", "example_workbook"]

#: Where the example lives in a checkout, relative to the repository root.
EXAMPLE_FILE = Path("docs/examples/question-bank-example.xlsx")
_EXTRA = Path(__file__).resolve().parents[1] / "instruments/quizzes/examples/onboarding-extra.toml"
#: The topics of the example, each with ten questions.
TOPICS = ("skin", "hygiene", "service", "compliance")
#: Complaint handling questions that join the service topic.
_COMPLAINTS = ("complaints-first-response", "complaints-steps", "complaints-opening")

_DESCRIPTION = {
    "en": (
        "The assessment every new hire must pass before starting work. Each attempt draws 20 "
        "questions, 5 from each of skin basics, hygiene, the five-step service process "
        "(with complaint handling) and compliance. You pass with 80% or more; you have 2 "
        "attempts of 30 minutes each, and your highest score counts. Multiple-choice "
        "questions score only when you choose exactly the right options."
    ),
    "zh-CN": (
        "新员工上岗前必须通过的考核（考核通过后方可上岗）。每次作答从皮肤基础知识、卫生与消毒、"
        "标准化五步服务流程（含投诉处理）、合规四个部分各抽5题，共20题。正确率达到80%即为合格；"
        "共有2次作答机会，每次限时30分钟，取最高一次成绩。多选题须选对全部正确选项、且不选错误"
        "选项才得分。"
    ),
}


def example_definition() -> dict[str, Any]:
    """The example bank as a definition (version 1; the app numbers it when it saves)."""
    shipped = copy.deepcopy(default_definitions()[ONBOARDING])
    with _EXTRA.open("rb") as handle:
        extra = tomllib.load(handle)["questions"]
    by_topic: dict[str, list[dict[str, Any]]] = {topic: [] for topic in TOPICS}
    for question in [*shipped["questions"], *extra]:
        if question["id"] in _COMPLAINTS:
            question["category"] = "service"
        if question["category"] in by_topic:
            by_topic[question["category"]].append(question)
    definition = {
        "kind": "quiz",
        "key": ONBOARDING,
        "version": 1,
        "name": shipped["name"],
        "description": dict(_DESCRIPTION),
        "pass_mark": 0.8,
        "max_attempts": 2,
        "time_limit_minutes": 30,
        "grading": "highest",
        "draw_per_category": dict.fromkeys(TOPICS, 5),
        "questions": [q for topic in TOPICS for q in by_topic[topic]],
    }
    validate(definition)
    return definition


def example_workbook() -> bytes:
    """The example as the workbook HR fills in (English headers)."""
    return question_bank_xlsx(example_definition(), "en")
