from datetime import date
from decimal import Decimal

import pytest

from ee_app.imports.cells import CellError, parse_date, parse_decimal, parse_int, parse_text


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
