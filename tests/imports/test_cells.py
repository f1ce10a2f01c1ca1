import re
from datetime import date
from decimal import Decimal

import pytest

from ee_app.errors import Problem, quote
from ee_app.imports.cells import (
    CellError,
    parse_date,
    parse_decimal,
    parse_employee_no,
    parse_int,
    parse_text,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-05", date(2026, 3, 5)),
        ("2026/3/5", date(2026, 3, 5)),
        ("2026.03.05", date(2026, 3, 5)),
        ("20260305", date(2026, 3, 5)),
        ("2026年3月5日", date(2026, 3, 5)),
        ("２０２６－０３－０５", date(2026, 3, 5)),  # full-width digits and dash
        ("2026-03-05 00:00:00", date(2026, 3, 5)),
        (46086, date(2026, 3, 5)),  # Excel serial number: =DATE(2026,3,5) is 46086
        (46086.0, date(2026, 3, 5)),
        ("46086", date(2026, 3, 5)),
        (date(2026, 3, 5), date(2026, 3, 5)),
    ],
)
def test_parse_date_accepts_what_users_type(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2026-13-40", "2026-02-30", "next monday", "05/03/2026", True])
def test_parse_date_rejects_with_message(value):
    with pytest.raises(CellError) as info:
        parse_date(value)
    assert "date" in str(info.value)


def test_optional_blank_date_is_none():
    assert parse_date("  ", required=False) is None
    with pytest.raises(CellError, match="empty"):
        parse_date(None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,234.50", Decimal("1234.50")),
        ("￥1,200", Decimal("1200")),
        ("１２００元", Decimal("1200")),
        ("(35.00)", Decimal("-35.00")),
        (12.5, Decimal("12.5")),
    ],
)
def test_parse_decimal(value, expected):
    assert parse_decimal(value) == expected


@pytest.mark.parametrize("value", ["abc", "1.2.3", "NaN", "inf"])
def test_parse_decimal_rejects(value):
    with pytest.raises(CellError):
        parse_decimal(value)


def test_parse_int_rejects_fractions():
    assert parse_int("1,024") == 1024
    with pytest.raises(CellError, match="whole"):
        parse_int("2.5")


def test_parse_text_keeps_employee_numbers_that_excel_made_floats():
    assert parse_text(1024.0) == "1024"
    with pytest.raises(CellError, match="longer"):
        parse_text("x" * 5, max_length=4)


@pytest.mark.parametrize(
    ("value", "code"),
    [("E1\x00", "U+0000"), ("王\x07静", "U+0007"), ("\x1b[31m", "U+001B"), ("a\ud800", "U+D800")],
)
def test_text_a_database_cannot_store_is_refused(value, code):
    with pytest.raises(CellError, match=re.escape(code)):
        parse_text(value)


def test_tabs_and_line_breaks_are_text():
    assert parse_text("整体\t不错\n下次再来") == "整体\t不错\n下次再来"


@pytest.mark.parametrize("value", ["Ｅ１０００４", " E10004 ", "E10004", "Ｅ10004"])
def test_full_width_employee_numbers_are_one_number(value):
    assert parse_employee_no(value) == "E10004"


def test_employee_numbers_are_measured_after_normalising():
    assert parse_employee_no(1024.0) == "1024"  # what Excel stores for 1024
    with pytest.raises(CellError, match="32"):
        parse_employee_no("Ｅ" * 33)
    with pytest.raises(CellError, match="U\\+0000"):
        parse_employee_no("E1\x00")


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("E99999", "E99999"),
        ("x" * 80, "x" * 80),
        ("x" * 81, "x" * 79 + "…"),
        ("长" * 1_000_000, "长" * 79 + "…"),
        ("a\x00b\nc", "a␀b␊c"),
        (1280.5, 1280.5),
    ],
)
def test_messages_quote_cells_briefly(value, quoted):
    assert quote(value) == quoted
    problem = Problem("“{value}” is not a date", {"value": value}, 7, "x" * 1000)
    assert problem.params["value"] == quoted and len(problem.column) == 80
    assert len(problem.render()) < 200


def test_lists_of_choices_are_not_cut():
    choices = ", ".join(f"choice {i}" for i in range(30))
    assert Problem("use one of: {choices}", {"choices": choices}).params["choices"] == choices
