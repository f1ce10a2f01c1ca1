"""A quiz's pass mark is a share above 0 and at most 1: anything else, however a TOML file or
a workbook writes it, is refused with the one message, never a crash."""

from __future__ import annotations

from fractions import Fraction

import pytest

from ee_app.errors import ValidationError
from ee_app.instruments.quiz import default_definitions, validate

REFUSED = "The pass mark must be a share above 0 and at most 1."


@pytest.mark.parametrize(
    ("mark", "expected"),
    [
        (0.8, Fraction(4, 5)),
        (1, Fraction(1)),
        (0.1, Fraction(1, 10)),  # a tenth, not the float nearest to it
        (0, None),
        (1.5, None),
        (-0.5, None),
        (float("nan"), None),  # TOML's nan: a ValueError before it was read with fields.exact
        (float("inf"), None),  # TOML's inf: an OverflowError before
        (float("-inf"), None),
        ("0.8", None),  # text is not a number here
        (True, None),
        (None, None),
    ],
)
def test_the_pass_mark_is_a_share(mark, expected):
    definition = {**default_definitions()["onboarding"], "pass_mark": mark}
    if expected is not None:
        assert validate(definition).pass_mark == expected
        return
    with pytest.raises(ValidationError) as refused:
        validate(definition)
    assert [p.message for p in refused.value.problems] == [REFUSED]
