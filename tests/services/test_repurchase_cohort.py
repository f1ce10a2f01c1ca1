"""The repurchase cohort of a pay month (issue 16): the latest month whose customers' windows
have all ended by the pay month's last day, computed from dates."""

import calendar
from datetime import date, timedelta

import pytest

from ee_app.errors import ValidationError
from ee_app.services.incentive_inputs import repurchase_cohort


def months_back(year, month):
    """(year, month), then each earlier month, for ever."""
    while True:
        yield year, month
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)


def last_day(year, month):
    return date(year, month, calendar.monthrange(year, month)[1])


def by_search(period, window):
    """Independently: walk back from the pay month to the first month whose last customer
    (served on its last day) is decided, last day + window ≤ the pay month's last day."""
    year, month = (int(p) for p in period.split("-"))
    end = last_day(year, month)
    for y, m in months_back(year, month):
        if last_day(y, m) + timedelta(days=window) <= end:
            return f"{y:04d}-{m:02d}"
    raise AssertionError("unreachable")


@pytest.mark.parametrize(
    ("period", "window", "cohort"),
    [
        # The case: 31 Jan + 90 days = 1 May > 30 Apr, so not January; 31 Dec + 90 =
        # 31 Mar ≤ 30 Apr (the old rule said "three months back": January).
        ("2026-04", 90, "2025-12"),
        # 30 Jun + 90 = 28 Sep ≤ 30 Sep; 31 Jul + 90 = 29 Oct: June (as before).
        ("2026-09", 90, "2026-06"),
        # Leap year: 29 Feb 2024 + 90 = 29 May ≤ 31 May; 31 Mar + 90 = 29 Jun.
        ("2024-05", 90, "2024-02"),
        # 28 Feb 2025 + 90 = 29 May ≤ 31 May.
        ("2025-05", 90, "2025-02"),
        # 30 days in a short month: 31 Jan + 30 = 2 Mar > 28 Feb; 31 Dec + 30 = 30 Jan.
        ("2026-02", 30, "2025-12"),
        # … and in a leap February: 31 Jan + 30 = 1 Mar > 29 Feb.
        ("2024-02", 30, "2023-12"),
        # 28 Feb + 30 = 30 Mar ≤ 31 Mar.
        ("2026-03", 30, "2026-02"),
        # 30 Nov + 60 = 29 Jan ≤ 31 Jan; 31 Dec + 60 = 1 Mar.
        ("2026-01", 60, "2025-11"),
        # 31 Jul 2025 + 180 = 27 Jan 2026 ≤ 31 Jan; 31 Aug + 180 = 27 Feb.
        ("2026-01", 180, "2025-07"),
        # 31 Aug 2025 + 180 = 27 Feb 2026 ≤ 28 Feb.
        ("2026-02", 180, "2025-08"),
    ],
)
def test_cohorts_by_hand(period, window, cohort):
    assert repurchase_cohort(period, window) == cohort
    assert by_search(period, window) == cohort


PERIODS = [f"{year}-{month:02d}" for year in (2023, 2024, 2025, 2026) for month in range(1, 13)]


@pytest.mark.parametrize("window", [30, 60, 90, 180])
@pytest.mark.parametrize("period", PERIODS)
def test_every_month_of_leap_and_common_years(period, window):
    cohort = repurchase_cohort(period, window)
    assert cohort == by_search(period, window)
    # Every customer of the cohort is decided by the pay month's end, and the month after it
    # is not: its last customer's window is still open then.
    year, month = (int(p) for p in period.split("-"))
    end = last_day(year, month)
    cy, cm = (int(p) for p in cohort.split("-"))
    assert last_day(cy, cm) + timedelta(days=window) <= end
    ny, nm = (cy + 1, 1) if cm == 12 else (cy, cm + 1)
    assert last_day(ny, nm) + timedelta(days=window) > end


def test_default_window_is_90_days():
    assert repurchase_cohort("2026-04") == repurchase_cohort("2026-04", 90) == "2025-12"


@pytest.mark.parametrize("window", [0, -30, 90.0, True, "90"])
def test_bad_windows_are_refused(window):
    with pytest.raises(ValueError, match="window_days"):
        repurchase_cohort("2026-04", window)


@pytest.mark.parametrize("period", ["2026-13", "April", "2026/04", ""])
def test_bad_periods_are_refused(period):
    with pytest.raises(ValidationError):
        repurchase_cohort(period)
