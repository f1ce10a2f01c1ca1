"""The list of what still stops a visit being submitted, with a link to each item."""

import re

import pytest

from ee_app.instruments.checklist import check_answers, default_definitions, validate
from ee_app.services.visit_evidence import EVIDENCE_TYPES, MAX_EVIDENCE_BYTES
from ee_app.ui.checklist_form import EVIDENCE_SUFFIXES, EVIDENCE_UPLOAD_MB
from ee_app.ui.checklist_missing import item_anchor, missing_problems, problem_links

CHECKLIST = validate(default_definitions()["service-process"])


def complete() -> dict:
    answers = {}
    for item in CHECKLIST.items:
        if item.type == "yes_no":
            answers[item.id] = {"value": "yes", "comment": ""}
        elif item.type == "scale":
            answers[item.id] = {"value": 5, "comment": ""}
        elif item.type == "choice":
            answers[item.id] = {"value": item.options[0].id, "comment": ""}
    return answers


def without(answers: dict, *item_ids: str) -> dict:
    return {k: v for k, v in answers.items() if k not in item_ids}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda a: a, []),
        (lambda a: without(a, "reception-wait"), ["reception-wait"]),
        # in the form's order, whatever the order of the answers
        (
            lambda a: without(a, "feedback-clarity", "booking-needs"),
            ["booking-needs", "feedback-clarity"],
        ),
        # a "no" that needs a comment, without one
        (lambda a: {**a, "booking-reminder": {"value": "no", "comment": ""}}, ["booking-reminder"]),
        (lambda a: {**a, "booking-reminder": {"value": "no", "comment": "无"}}, []),
        # N/A on a critical item needs a reason
        (
            lambda a: {**a, "treatment-disinfection": {"value": "n/a", "comment": " "}},
            ["treatment-disinfection"],
        ),
    ],
)
def test_missing_problems_are_what_a_submission_would_refuse(change, expected):
    answers = change(complete())
    missing = missing_problems(CHECKLIST, answers)
    assert [p.column for p in missing] == expected
    refused = {p.column for p in check_answers(CHECKLIST, answers, complete=True)}
    assert set(expected) == refused


def test_a_fresh_form_lists_every_scored_item_once():
    missing = missing_problems(CHECKLIST, {})
    assert [p.column for p in missing] == [i.id for i in CHECKLIST.items if i.scored or i.critical]


def test_each_line_names_its_item_and_links_to_its_anchor():
    missing = missing_problems(CHECKLIST, without(complete(), "reception-wait", "booking-needs"))
    text = problem_links(CHECKLIST, missing, "en", lambda s: s)
    lines = text.splitlines()
    assert len(lines) == 2
    first = CHECKLIST.item("booking-needs").text.en
    assert lines[0].startswith("- [1. ")
    assert re.sub(r"\\(.)", r"\1", lines[0]).startswith(f"- [1. {first}](#ee-item-booking-needs)")
    assert lines[1].endswith("(#ee-item-reception-wait): this item needs an answer")


@pytest.mark.parametrize(
    ("item_id", "anchor"),
    [
        ("booking-reminder", "ee-item-booking-reminder"),
        ("Q_1", "ee-item-q_1"),
        ("a b<c>", "ee-item-a-b-c-"),  # nothing that could break out of the id or the link
    ],
)
def test_item_anchor(item_id, anchor):
    assert item_anchor(item_id) == anchor


def test_the_upload_box_limit_is_the_service_limit():
    # The box shows "5MB per file" and refuses bigger files in the browser; the service
    # refuses above MAX_EVIDENCE_BYTES: the same number of MB, never a box that promises more.
    assert EVIDENCE_UPLOAD_MB * 2**20 == MAX_EVIDENCE_BYTES
    assert EVIDENCE_UPLOAD_MB == 5


def test_the_upload_box_offers_exactly_the_types_the_service_keeps():
    jpeg, png, pdf = "image/jpeg", "image/png", "application/pdf"
    mimes = {"jpg": jpeg, "jpeg": jpeg, "png": png, "pdf": pdf}
    assert {mimes[s] for s in EVIDENCE_SUFFIXES} == set(EVIDENCE_TYPES.values())
