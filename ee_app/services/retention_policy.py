"""The retention policy for personal data (PIPL 个人信息保护法): how long the app keeps a
leaver's identity, evidence photos and customer hashes.

The policy is two numbers stored in ``app_setting`` under ``"retention"``:

* ``left_months`` (N, default 24): staff whose leave date is more than N months before
  today are anonymised. At least 12: a leaver still appears by name in the comparisons over
  a year (the same month a year ago, linkage over a year of waves, pay corrections), and a
  labour dispute may be brought within a year of leaving (劳动争议调解仲裁法 art. 27).
  The default of 24 matches the two years employers keep wage records and ended contracts
  (工资支付暂行规定 art. 6, 劳动合同法 art. 50).
* ``data_months`` (M, default 24): evidence files of mystery-shopper visits and the customer
  hashes of sales and CSAT answers dated before the first day of the month M months before
  today's are deleted. At least 18: the longest look-back that needs a customer hash is a
  comparison over a year (12 months) of a month's repurchase, which reads the customers of a
  cohort month up to 5 months before the pay month (a 120-day window,
  :func:`ee_app.services.incentive_inputs.repurchase_cohort`), plus a month for late corrections.
  Whole months, so that a month's figures are either whole or not computed at all.

Without a saved policy the defaults apply. Reading and changing it needs
``MANAGE_PERSONAL_DATA`` (HR and admins); every change is audited.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from ee_app.auth import Actor, Permission, require
from ee_app.errors import N_, ValidationError
from ee_app.models import AppSetting
from ee_app.services import audit
from ee_app.services._tx import transactional

__all__ = [
    "DEFAULT_DATA_MONTHS",
    "DEFAULT_LEFT_MONTHS",
    "MAX_MONTHS",
    "MIN_DATA_MONTHS",
    "MIN_LEFT_MONTHS",
    "SETTING_KEY",
    "Policy",
    "add_months",
    "customer_horizon",
    "get_policy",
    "set_policy",
]

SETTING_KEY = "retention"
DEFAULT_LEFT_MONTHS = 24
DEFAULT_DATA_MONTHS = 24
MIN_LEFT_MONTHS = 12
MIN_DATA_MONTHS = 18
MAX_MONTHS = 120


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, kept within the month (31 March − 1 month = 28/29 Feb).

    >>> add_months(date(2026, 3, 31), -1)
    datetime.date(2026, 2, 28)
    >>> add_months(date(2026, 12, 6), -24)
    datetime.date(2024, 12, 6)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Policy:
    left_months: int = DEFAULT_LEFT_MONTHS
    data_months: int = DEFAULT_DATA_MONTHS
    saved_by: str | None = None  # None: the defaults, never saved
    saved_at: datetime | None = None

    def left_before(self, today: date) -> date:
        """Staff who left before this day are anonymised."""
        return add_months(today, -self.left_months)

    def data_before(self, today: date) -> date:
        """Evidence and customer hashes of days before this one are deleted: the first day
        of the month ``data_months`` months before today's.

        >>> Policy(data_months=24).data_before(date(2026, 12, 6))
        datetime.date(2024, 12, 1)
        """
        return add_months(today.replace(day=1), -self.data_months)


def get_policy(session: Session) -> Policy:
    """The saved policy, or the defaults."""
    row = session.get(AppSetting, SETTING_KEY)
    if row is None:
        return Policy()
    value = row.value or {}
    return Policy(
        int(value.get("left_months", DEFAULT_LEFT_MONTHS)),
        int(value.get("data_months", DEFAULT_DATA_MONTHS)),
        row.updated_by,
        row.updated_at,
    )


def customer_horizon(session: Session, today: date) -> date:
    """The first day whose sales and CSAT answers keep their customer hash (imports store
    older rows without it)."""
    return get_policy(session).data_before(today)


def _check(left_months: object, data_months: object) -> tuple[int, int]:
    values = []
    for value, least, message in (
        (
            left_months,
            MIN_LEFT_MONTHS,
            N_(
                "Keep leavers for at least {least} months and at most {most}: a leaver still "
                "appears in the comparisons over a year and may bring a labour dispute within "
                "a year of leaving."
            ),
        ),
        (
            data_months,
            MIN_DATA_MONTHS,
            N_(
                "Keep evidence and customer data for at least {least} months and at most "
                "{most}: repurchase over a year of comparisons reads customers that far back."
            ),
        ),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(message, least=least, most=MAX_MONTHS)
        if not least <= value <= MAX_MONTHS:
            raise ValidationError(message, least=least, most=MAX_MONTHS)
        values.append(value)
    return values[0], values[1]


@transactional
def set_policy(session: Session, actor: Actor, left_months: int, data_months: int) -> Policy:
    """Save the policy after checking its bounds; audited with the old and new values."""
    require(actor, Permission.MANAGE_PERSONAL_DATA)
    left, data = _check(left_months, data_months)
    old = get_policy(session)
    value = {"left_months": left, "data_months": data}
    # The row by its key, added the first time and changed after (updated_at follows).
    session.merge(AppSetting(key=SETTING_KEY, value=value, updated_by=actor.email))
    audit.record(
        session,
        actor,
        "retention.policy",
        "app_setting",
        SETTING_KEY,
        left_months=left,
        data_months=data,
        was_left_months=old.left_months,
        was_data_months=old.data_months,
    )
    session.flush()
    return get_policy(session)
