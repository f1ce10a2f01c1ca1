"""Checklist scoring against hand calculations: N/A, weights, critical failures, rounding;
the answer checks and the template validator, table-driven."""

from decimal import Decimal
from fractions import Fraction

import pytest

from ee_app.errors import ValidationError
from ee_app.instruments.checklist import check_answers, percent, score, validate


def _t(text):
    return {"en": text, "zh-CN": f"中文{text}"}


def _item(item_id, kind, points=0, **extra):
    return {"id": item_id, "type": kind, "points": points, **_t(item_id), **extra}


OPTIONS = [
    {"id": "full", "credit": 1, **_t("full")},
    {"id": "half", "credit": "0.5", **_t("half")},
    {"id": "none", "credit": 0, **_t("none")},
]
# Three sections weighted 50 : 30 : 20.
#   A: a1 yes/no 2 points; a2 yes/no 1 point, N/A allowed; a3 1–5 scale 4 points
#   B: b1 yes/no 3 points, critical; b2 choice 2 points (credits 1, 0.5, 0); b3 free text
#   C: c1 yes/no 1 point, N/A allowed
DEFINITION = {
    "kind": "checklist",
    "key": "test",
    "version": 1,
    "pass_mark": 0.8,
    "name": _t("name"),
    "description": _t("description"),
    "sections": [
        {
            "id": "a",
            "weight": 50,
            "name": _t("A"),
            "items": [
                _item("a1", "yes_no", 2),
                _item("a2", "yes_no", 1, na=True),
                _item("a3", "scale", 4),
            ],
        },
        {
            "id": "b",
            "weight": 30,
            "name": _t("B"),
            "items": [
                _item("b1", "yes_no", 3, critical=True),
                _item("b2", "choice", 2, options=OPTIONS),
                _item("b3", "text"),
            ],
        },
        {"id": "c", "weight": 20, "name": _t("C"), "items": [_item("c1", "yes_no", 1, na=True)]},
    ],
}
CHECKLIST = validate(DEFINITION)


def answers(**values):
    return {k: {"value": v, "comment": "见备注" if v == "no" else ""} for k, v in values.items()}


@pytest.mark.parametrize(
    ("values", "sections", "raw", "final", "passed"),
    [
        # Everything best: every section 1, so the total is 1.
        (
            dict(a1="yes", a2="yes", a3=5, b1="yes", b2="full", c1="yes"),
            {"a": Fraction(1), "b": Fraction(1), "c": Fraction(1)},
            Decimal("100.0"),
            Decimal("100.0"),
            True,
        ),
        # N/A leaves a2 and the whole of C out: A = (2 + 4·3/4) / (2 + 4) = 5/6;
        # B = (3 + 2·0.5) / 5 = 4/5; total = (50·5/6 + 30·4/5) / (50 + 30) = 197/240 = 82.08%.
        (
            dict(a1="yes", a2="na", a3=4, b1="yes", b2="half", c1="na"),
            {"a": Fraction(5, 6), "b": Fraction(4, 5), "c": None},
            Decimal("82.1"),
            Decimal("82.1"),
            True,
        ),
        # The same with the critical b1 answered no: B = 1/5, raw = (125/3 + 6) / 80 = 143/240
        # = 59.58%, kept for coaching; the visit scores 0 and fails.
        (
            dict(a1="yes", a2="na", a3=4, b1="no", b2="half", c1="na"),
            {"a": Fraction(5, 6), "b": Fraction(1, 5), "c": None},
            Decimal("59.6"),
            Decimal("0.0"),
            False,
        ),
        # Below the pass mark without a critical failure: A = (2 + 0 + 4·1/4) / 7 = 3/7;
        # B = 3/5; C = 0; total = (50·3/7 + 30·3/5 + 20·0) / 100 = (150/7 + 18) / 100 = 39.43%.
        (
            dict(a1="yes", a2="no", a3=2, b1="yes", b2="none", c1="no"),
            {"a": Fraction(3, 7), "b": Fraction(3, 5), "c": Fraction(0)},
            Decimal("39.4"),
            Decimal("39.4"),
            False,
        ),
        # A draft's open items count in neither earned nor possible: only a1 and b2 answered:
        # A = 2/2, B = 1/2; total = (50 + 15) / 80 = 81.25%, which rounds half up to 81.3.
        (
            dict(a1="yes", b2="half"),
            {"a": Fraction(1), "b": Fraction(1, 2), "c": None},
            Decimal("81.3"),
            Decimal("81.3"),
            True,
        ),
    ],
)
def test_scores_by_hand(values, sections, raw, final, passed):
    result = score(CHECKLIST, answers(**values))
    assert {s.id: s.share for s in result.sections} == sections
    assert percent(result.raw) == raw
    assert percent(result.final) == final
    assert result.passed is passed
    assert result.critical_failures == (("b1",) if values.get("b1") == "no" else ())


def test_a_visit_with_everything_not_applicable_has_no_score():
    definition = {**DEFINITION, "sections": [DEFINITION["sections"][2]]}
    result = score(validate(definition), answers(c1="na"))
    assert result.raw is None and result.final is None and not result.passed


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (Fraction(5, 6), "83.3"),
        (Fraction(2, 3), "66.7"),
        (Fraction(1, 8), "12.5"),
        (Fraction(13, 16), "81.3"),  # 81.25: half up, not to even
        (Fraction(1645, 2000), "82.3"),  # 82.25 exactly; as a float 0.8225 would round down
        (Fraction(0), "0.0"),
        (Fraction(1), "100.0"),
    ],
)
def test_percent_rounds_half_up_once(share, expected):
    assert percent(share) == Decimal(expected)


@pytest.mark.parametrize(
    ("values", "complete", "column", "message"),
    [
        (dict(zz="yes"), False, "zz", "no such item in this template"),
        (dict(a1="na"), False, "a1", "“not applicable” is not allowed for this item"),
        (dict(a3=6), False, "a3", "answer with a whole number from 1 to 5"),
        (dict(a3="3"), False, "a3", "answer with a whole number from 1 to 5"),
        (dict(b2="most"), False, "b2", "choose one of the item's options"),
        (dict(a1="maybe"), False, "a1", "answer yes, no or (where allowed) N/A"),
        (dict(a1="yes"), True, "a3", "this item needs an answer"),
    ],
)
def test_answer_problems_name_the_item(values, complete, column, message):
    problems = check_answers(CHECKLIST, answers(**values), complete=complete)
    assert (column, message) in [(p.column, p.message) for p in problems]


def test_a_critical_no_needs_a_comment_on_submission_but_not_in_a_draft():
    full = dict(a1="yes", a2="yes", a3=5, b2="full", c1="yes")
    silent = {**answers(**full), "b1": {"value": "no", "comment": " "}}
    assert check_answers(CHECKLIST, silent, complete=False) == []
    [problem] = check_answers(CHECKLIST, silent, complete=True)
    assert problem.column == "b1" and "comment" in problem.message
    explained = {**silent, "b1": {"value": "no", "comment": "承诺“保证有效”"}}
    assert check_answers(CHECKLIST, explained, complete=True) == []


def test_not_applicable_on_a_critical_item_needs_a_reason():
    definition = _with_item(critical=True, na=True)
    checklist = validate(definition)
    rest = dict(a1="na", b1="yes", b2="full", c1="yes")
    [problem] = check_answers(checklist, answers(**rest), complete=True)
    assert (problem.column, "critical" in problem.message) == ("a1", True)
    reasoned = {**answers(**rest), "a1": {"value": "na", "comment": "本次未用器械"}}
    assert check_answers(checklist, reasoned, complete=True) == []


def test_a_critical_item_without_points_must_still_be_answered():
    definition = {**DEFINITION, "sections": [dict(s) for s in DEFINITION["sections"]]}
    extra = _item("c2", "yes_no", 0, critical=True)
    definition["sections"][2] = {
        **definition["sections"][2],
        "items": [_item("c1", "yes_no", 1), extra],
    }
    checklist = validate(definition)
    rest = answers(a1="yes", a2="yes", a3=5, b1="yes", b2="full", c1="yes")
    assert [p.column for p in check_answers(checklist, rest, complete=True)] == ["c2"]
    failed = {**rest, **answers(c2="no")}
    assert score(checklist, failed).critical_failures == ("c2",)


def test_text_items_are_optional_and_unscored():
    full = answers(a1="yes", a2="yes", a3=5, b1="yes", b2="full", c1="yes")
    assert check_answers(CHECKLIST, full, complete=True) == []
    noted = {**full, "b3": {"value": "前台很热情", "comment": ""}}
    assert score(CHECKLIST, noted).raw == score(CHECKLIST, full).raw == 1


def _with_item(**changes):
    definition = {**DEFINITION, "sections": [dict(s) for s in DEFINITION["sections"]]}
    definition["sections"][0] = {
        **definition["sections"][0],
        "items": [{**definition["sections"][0]["items"][0], **changes}],
    }
    return definition


@pytest.mark.parametrize(
    ("definition", "fragment"),
    [
        (_with_item(type="scale", critical=True), "only a yes/no item can be critical"),
        (_with_item(type="text", points=2), "a text item earns no points"),
        (_with_item(points=-1), "points must be a whole number"),
        (_with_item(type="choice", options=OPTIONS[1:]), "one option must earn the full points"),
        (_with_item(type="choice", options=OPTIONS[:1]), "at least two options"),
        (_with_item(id="b1"), "unique in the template"),
        (_with_item(**{"zh-CN": ""}), "the {language} text is missing"),
        (_with_item(critcal=True), "unknown setting"),
        (_with_item(critical="false"), "must be true or false"),
        ({**DEFINITION, "pass_mark": 1.5}, "The pass mark"),
        ({**DEFINITION, "kind": "pulse"}, "kind must be “checklist”"),
        (
            {**DEFINITION, "sections": [{**DEFINITION["sections"][0], "weight": 0}]},
            "the weight must be above 0",
        ),
    ],
)
def test_the_validator_names_each_fault(definition, fragment):
    with pytest.raises(ValidationError) as caught:
        validate(definition)
    assert any(fragment in p.message for p in caught.value.problems), caught.value.problems
