"""The incentives page in plain words, and in its place (issue 17).

* The page keeps its place: after Compute and after Approve the runs tab is still the one
  shown (it used to jump back to the scheme, hiding Approve and Download).
* Every tab's rendered text, in English and in Chinese, holds none of the internal keys: the
  scheme's measure and component keys, the staff role values, "None", "null", "nan" or any
  snake_case token.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ee_app.i18n import translator
from tests.pages.screen_text import screen_texts
from tests.raw_keys import raw_keys

PAGE = "ee_app/pages/incentives.py"
VIEW = "ee_incentives_view"
RUNS = {"en": "Runs and payroll", "zh-CN": "核算与工资表"}
SCHEME = {"en": "Scheme and simulation", "zh-CN": "方案与模拟"}


def _open(make_app, identity: str, language: str = "en", view: str | None = None) -> AppTest:
    at = make_app(identity, language)
    at.run()
    at.switch_page(PAGE)
    if view is not None:
        at.session_state[VIEW] = view
    at.run()
    assert not at.exception, at.exception
    return at


def _buttons(at: AppTest) -> set[str]:
    return {b.label for b in at.button}


def test_the_page_stays_on_the_runs_after_compute_and_approve(make_app):
    at = _open(make_app, "hr@demo.example")
    assert at.session_state[VIEW] == SCHEME["en"]  # opens on the scheme
    assert "Compute the run" not in _buttons(at)
    at.session_state[VIEW] = RUNS["en"]
    at.run()
    assert "Compute the run" in _buttons(at)
    next(b for b in at.button if b.label == "Compute the run").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    # Still the runs: the new run is picked, its Approve button (disabled for its preparer)
    # and the workbook are on screen, the scheme editor is not.
    assert at.session_state[VIEW] == RUNS["en"]
    assert any("computed" in s.value for s in at.success)
    approve = next(b for b in at.button if b.label == "Approve")
    assert approve.disabled
    assert "Save as a new version" not in _buttons(at)
    run_id = at.session_state["ee_incentives_run"]

    second = _open(make_app, "hr2@demo.example", view=RUNS["en"])
    second.selectbox(key="ee_incentives_run").set_value(run_id).run()
    for box in second.checkbox:  # acknowledge the calibration's warnings, if it has any
        if box.key and box.key.endswith(f"_{run_id}"):
            box.check().run()
    second.button(key="ee_incentives_approve").click().run()
    assert not second.exception, second.exception
    assert any("approved and locked" in s.value for s in second.success)
    assert second.session_state[VIEW] == RUNS["en"]
    assert "Approve" not in _buttons(second)  # the run is locked now
    assert "Correct this run" in _buttons(second)


def _keys_on_screen(at: AppTest, language: str) -> dict[str, list[str]]:
    assert not at.exception, at.exception
    texts = list(screen_texts(at._tree))
    assert len(texts) > 40  # the scan reads the page, not an empty shell
    return {text[:120]: keys for text in texts if (keys := raw_keys(text, language))}


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_no_tab_shows_an_internal_key(make_app, language):
    """Both tabs, and the runs after computing a month (a draft with its calibration,
    Approve and the workbook), as HR reads them."""
    at = _open(make_app, "hr@demo.example", language)
    assert at.session_state[VIEW] == SCHEME[language]
    assert _keys_on_screen(at, language) == {}
    # The components and roles are named in words, in the reader's language.
    _ = translator(language)
    shown = set(screen_texts(at._tree))
    assert {_("Customer satisfaction"), _("Sales performance"), _("Front desk")} <= shown
    at.session_state[VIEW] = RUNS[language]
    at.run()
    assert _keys_on_screen(at, language) == {}
    compute = _("Compute the run")
    next(b for b in at.button if b.label == compute).click().run()
    assert at.session_state[VIEW] == RUNS[language]
    assert _keys_on_screen(at, language) == {}


def test_the_evidence_heatmap_says_too_few_stores_rather_than_null(make_app):
    """A pair of measures with fewer than 3 stores has no correlation: the chart's text and
    tooltip say so in words (the text mark used to print "null")."""
    at = _open(make_app, "hr@demo.example")
    texts = list(screen_texts(at._tree))
    assert "null" not in texts and "None" not in texts
    # The demo month leaves the repurchase pairs with fewer than 3 stores: their tooltips.
    assert "too few stores" in texts


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_a_refused_design_says_why_in_words(make_app, language):
    """Sales 65%, CSAT 5%, repurchase 10%: service quality 25%, below the 30% floor. The
    reasons name roles and components in words ("For store_manager, …" before)."""
    at = _open(make_app, "hr@demo.example", language)
    weights = {
        n.key.split("_", 4)[-1]: n
        for n in at.number_input
        if n.key and n.key.startswith("ee_inc_weight_")
    }
    weights["sales"].set_value(65)
    weights["csat"].set_value(5)
    weights["repurchase"].set_value(10)
    at.run()
    assert at.error, "the design is refused"
    reasons = [e.value for e in at.error]
    assert {r: k for r in reasons if (k := raw_keys(r, language))} == {}
    assert _keys_on_screen(at, language) == {}
