"""The plain-language explanations: every term on the list, in both languages, one line each."""

from __future__ import annotations

import pytest

from ee_app.i18n import translator
from ee_app.ui.explain import TERMS, explain, explanations

#: The terms the results, linkage and outcomes pages show (issue 16).
REQUIRED = [
    "confidence_interval",
    "n",
    "enps",
    "engagement_index",
    "percentile",
    "shrunken",
    "icc",
    "adjusted_p",
    "spearman",
    "pearson",
    "partial_correlation",
    "lagged_relation",
    "within_store_relation",
    "favourable",
]


def test_every_required_term_is_explained() -> None:
    assert sorted(TERMS) == sorted(REQUIRED)


@pytest.mark.parametrize("term", REQUIRED)
def test_explanation_is_translated_and_one_line(term: str) -> None:
    english = explain(term, translator("en"))
    chinese = explain(term, translator("zh-CN"))
    assert chinese != english, f"{term} has no Chinese translation"
    for text in (english, chinese):
        assert "\n" not in text
        assert 20 < len(text) < 240
    assert "None" not in english and "nan" not in english.split()


def test_explanations_returns_every_term_translated() -> None:
    chinese = explanations(translator("zh-CN"))
    assert chinese == {term: explain(term, translator("zh-CN")) for term in REQUIRED}


def test_unknown_term_is_refused() -> None:
    with pytest.raises(KeyError):
        explain("kappa", translator("en"))
