"""Column-wise cell parsing for large imports: the same rules as :mod:`ee_app.imports.cells`
(dates, amounts, full-width digits, thousands separators), applied to whole pandas columns.

Each parser returns the parsed values and a boolean mask of the cells it could not read, so
the caller can report them by row and column without a Python call per cell.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

import numpy as np
import pandas as pd

from ee_app.imports.cells import UNSTORABLE

__all__ = ["blank", "parse_amounts", "parse_dates", "parse_ints", "parse_texts", "unstorable"]

_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
#: Microseconds reach from year 1 to 9999, every date a cell can hold (nanoseconds, pandas'
#: old default, stop at 1677 and 2262: a "no end" 9999-12-31 would not fit).
_DATETIME = "datetime64[us]"
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def _is_date(value: object) -> bool:
    return isinstance(value, datetime | date)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _one_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _per_value(values: pd.Series, fn, dtype=object) -> np.ndarray:  # type: ignore[no-untyped-def]
    """``fn`` of every cell, called once per distinct value (missing cells get ``fn(None)``)."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    mapped = np.array([fn(v) for v in uniques] + [fn(None)], dtype=dtype)
    return mapped[codes]


def _text(values: pd.Series) -> pd.Series:
    """Cells as normalised text (NFKC: full-width digits and letters become ASCII), None
    where empty; numbers Excel stored as 1024.0 become "1024".

    Each distinct value is normalised once: export columns repeat (a year of sales has 365
    dates, a few hundred stores and prices), so a million cells are a few thousand strings.
    """
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    if pd.api.types.infer_dtype(uniques, skipna=False) != "string":  # a CSV's cells are text
        uniques = [_one_text(v) for v in uniques]
    normalised = np.array(
        [None if v is None else (unicodedata.normalize("NFKC", v).strip() or None) for v in uniques]
        + [None],  # keeps a one-dimensional array of objects even when every value is None
        dtype=object,
    )[:-1]
    out = np.full(len(codes), None, dtype=object)
    found = codes >= 0
    out[found] = normalised[codes[found]]
    return pd.Series(out, index=values.index, dtype=object)


def blank(values: pd.Series) -> np.ndarray:
    return _text(values).isna().to_numpy()


def unstorable(values: pd.Series) -> np.ndarray:
    """Which cells hold a character a database cannot store (NUL in PostgreSQL) or an Excel
    export cannot write: see :data:`ee_app.imports.cells.UNSTORABLE`.

    A million transaction ids are a million distinct strings: searching each costs seconds.
    The column's text is searched in one pass instead (a tab between cells: tabs are
    allowed), and cell by cell only when something was found.
    """
    cells = values.to_numpy(dtype=object)
    try:
        text = "\t".join(cells)  # a CSV's cells are all text
    except TypeError:  # an .xlsx column also holds numbers, dates and empty cells
        text = "\t".join(v for v in cells if isinstance(v, str))
    if UNSTORABLE.search(text) is None:
        return np.zeros(len(cells), bool)
    return _per_value(
        values, lambda v: isinstance(v, str) and UNSTORABLE.search(v) is not None, bool
    )


def parse_texts(values: pd.Series, max_length: int) -> tuple[pd.Series, np.ndarray]:
    """Text cells; the mask marks those longer than ``max_length``."""
    text = _text(values)
    too_long = text.str.len().fillna(0).to_numpy() > max_length
    return text, too_long


def _by_distinct(parse):  # type: ignore[no-untyped-def]
    """``parse`` (a column parser returning values and a mask of bad cells) run on a column's
    distinct values only, then spread back to every cell: a year of sales has 365 dates and a
    few thousand prices, so a million cells cost a few thousand parses. Missing cells are
    missing and not bad, as the parsers themselves have them."""

    def parse_column(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
        codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
        parsed, bad = parse(pd.Series(uniques, dtype=object))
        parsed = parsed.to_numpy()
        filler = np.array([np.nan if parsed.dtype.kind == "f" else None], dtype=parsed.dtype)
        if parsed.dtype.kind == "M":
            filler = np.array(["NaT"], dtype=parsed.dtype)
        out = np.concatenate([parsed, filler])[codes]  # code -1 (missing) takes the filler
        return (
            pd.Series(out, index=values.index, dtype=parsed.dtype),
            np.concatenate([bad, [False]])[codes],
        )

    parse_column.__doc__ = parse.__doc__
    return parse_column


def _parse_dates(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Dates from date cells, Excel serial numbers, or text as 2026-03-05, 2026/3/5, 2026.3.5,
    20260305 or 2026年3月5日 (a time after the date is ignored). Returns datetime64 values
    (years 1 to 9999) and the mask of non-empty cells that are not dates."""
    result = pd.Series(pd.NaT, index=values.index, dtype=_DATETIME)
    is_date = pd.Series(_per_value(values, _is_date, bool), index=values.index)
    if is_date.any():
        days = values[is_date].map(lambda v: np.datetime64(date(v.year, v.month, v.day), "D"))
        result[is_date] = days.to_numpy(dtype="datetime64[D]").astype(_DATETIME)
    is_number = pd.Series(_per_value(values, _is_number, bool), index=values.index)
    text = _text(values.where(~(is_date | is_number), None))
    numeric_text = text.str.fullmatch(r"\d{5}").fillna(False).astype(bool)
    serial = pd.to_numeric(values.where(is_number, None), errors="coerce")
    serial = serial.where(serial.notna(), pd.to_numeric(text.where(numeric_text), errors="coerce"))
    in_range = serial.between(1, 2958465)  # Excel's serial range: 1900-01-01 … 9999-12-31
    if in_range.any():
        days = serial[in_range].to_numpy(dtype=np.int64).astype("timedelta64[D]")
        result[in_range] = (_EXCEL_EPOCH + days).astype(_DATETIME)
    remaining = text.notna() & result.isna() & ~numeric_text
    cleaned = text.where(remaining).str.replace(
        r"[T\s]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", regex=True
    )
    cleaned = cleaned.str.replace(r"(?<=\D)(\d)(?=\D|$)", r"0\1", regex=True)  # 3 → 03
    for fmt in _DATE_FORMATS:
        todo = remaining & result.isna()
        if not todo.any():
            break
        parsed = pd.to_datetime(cleaned[todo], format=fmt, errors="coerce")
        result[todo] = parsed.to_numpy(dtype=_DATETIME)
    bad = (~blank(values)) & result.isna().to_numpy()
    return result, bad


def _parse_amounts(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Numbers, allowing ¥/￥/元, thousands separators, spaces and (accounting) minus."""
    is_number = pd.Series(_per_value(values, _is_number, bool), index=values.index)
    text = _text(values.where(~is_number, None))
    cleaned = text.str.replace(r"[,¥元\s]", "", regex=True)
    negative = cleaned.str.fullmatch(r"\(.*\)").fillna(False).astype(bool)
    cleaned = cleaned.where(~negative, "-" + cleaned.str.slice(1, -1))
    parsed = pd.to_numeric(cleaned, errors="coerce")
    numbers = pd.to_numeric(values.where(is_number, None), errors="coerce")
    result = numbers.where(is_number, parsed).astype(float)
    result = result.where(np.isfinite(result))
    bad = (~blank(values)) & result.isna().to_numpy()
    return result, bad


parse_dates = _by_distinct(_parse_dates)
parse_amounts = _by_distinct(_parse_amounts)


def parse_ints(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Whole numbers; the mask marks cells that are not numbers or not whole."""
    numbers, bad = parse_amounts(values)
    fractional = numbers.notna().to_numpy() & (numbers.fillna(0) % 1 != 0).to_numpy()
    return numbers.where(~fractional), bad | fractional
