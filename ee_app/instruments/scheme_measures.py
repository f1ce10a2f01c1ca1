"""What an incentive scheme can pay for, whom it pays, and what it may never pay for.

The measures a component reads, the staff roles and the service-quality rule are the
vocabulary of :mod:`ee_app.instruments.scheme`; the engagement survey is refused wherever a
scheme could name it, in a setting or in a measure, because staff answer honestly only while
their answers cannot cost them money.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from ee_app.errors import N_, Problem

__all__ = [
    "MEASURES",
    "MISSING_RULES",
    "NEVER_PAY",
    "ROLES",
    "SERVICE_FLOOR",
    "SERVICE_MEASURES",
    "STORE_MEASURES",
    "names_survey",
    "refuse_unknown",
]

#: What a component can pay for: the measure, its unit.
MEASURES: dict[str, str] = {
    "sales_revenue": "CNY",  # the staff member's sales in the period
    "csat_top2": "share",  # shrunken CSAT top-2 rate, 0–1
    "repurchase_rate": "share",  # customers served who bought again in the window, 0–1
    "repurchase_value": "CNY",  # what those repeat purchases were worth
    "visit_score_store": "points",  # the store's mean mystery-shopper score, 0–100
    "visit_score_staff": "points",  # visits where the staff member was recorded as serving
    "assessment_passed": "0/1",  # 1 if the onboarding assessment is passed
    # The same at the level of the person's store, for roles paid on the store's results:
    "store_sales_revenue": "CNY",  # the store's revenue in the period
    "store_csat_top2": "share",  # top-2 share of the store's CSAT answers in the window
    "store_repurchase_rate": "share",  # the store's repurchase rate, same cohort as staff
}
#: A person's measure → the same measure at their store's level: what the ``"store"`` rule
#: for missing data puts in place of a missing value (a store measure is its own store value).
#: Sales are not here: a store's revenue is not comparable with a person's sales target.
STORE_MEASURES: dict[str, str] = {
    "csat_top2": "store_csat_top2",
    "repurchase_rate": "store_repurchase_rate",
    "visit_score_staff": "visit_score_store",
    "visit_score_store": "visit_score_store",
    "store_sales_revenue": "store_sales_revenue",
    "store_csat_top2": "store_csat_top2",
    "store_repurchase_rate": "store_repurchase_rate",
}
#: What a component pays a person with no value for its measure (``missing`` in the scheme):
#: ``"zero"`` pays 0 on it (the default, and the rule of schemes written before the choice),
#: ``"reweight"`` spreads its weight over the person's other components in proportion to
#: their weights, ``"store"`` uses the store's value of the measure (:data:`STORE_MEASURES`).
#: Every use is flagged on the person's line.
MISSING_RULES = ("zero", "reweight", "store")
#: The measures of service quality; together they must weigh at least the service floor.
SERVICE_MEASURES: frozenset[str] = frozenset(
    {"csat_top2", "repurchase_rate", "repurchase_value", "visit_score_store", "visit_score_staff"}
    | {"store_csat_top2", "store_repurchase_rate"}
)
#: The rule of the source articles: service quality is at least 30% of performance pay.
SERVICE_FLOOR = Fraction(3, 10)
#: The staff roles of ``ee_app.models.org.StaffRole`` (not imported: instruments stay pure).
ROLES = ("beautician", "consultant", "doctor", "nurse", "front_desk", "store_manager")
# A setting or a measure that names the engagement survey in any way is refused outright.
_ENGAGEMENT = re.compile(r"engag|pulse|survey|enps|q12|敬业|脉搏|调研|问卷", re.IGNORECASE)
NEVER_PAY = N_("Engagement survey results are never an input to pay.")


def names_survey(name: str) -> bool:
    """Whether a setting's or a measure's name points at the engagement survey."""
    return _ENGAGEMENT.search(name) is not None


def refuse_unknown(data: Mapping[str, Any], known: frozenset[str], where: str) -> list[Problem]:
    """A misspelt key must not silently drop a rule; one naming the survey is refused as such."""
    problems = []
    for key in sorted(set(data) - known, key=str):
        if names_survey(str(key)):
            problems.append(Problem(NEVER_PAY, {"where": where, "key": str(key)}))
        else:
            problems.append(
                Problem(N_("{where}: unknown setting “{key}”."), {"where": where, "key": key})
            )
    return problems
