"""The results page's "What drives engagement" section, through the real app: the sentence,
the chart and the numbers for a large unit, nothing but an explanation for a small one."""

from __future__ import annotations

import pytest

from ee_app.auth import Actor
from ee_app.db import read_session
from ee_app.i18n import translator
from ee_app.models import UnitLevel, UserRole
from ee_app.services.engagement_drivers import drivers_for
from ee_app.ui.engagement_drivers import drivers_sentence
from ee_app.ui.explain import explain
from ee_app.ui.widths import fit_width
from tests.pages.apptest import clean
from tests.pages.test_pages import texts
from tests.pages.test_results_page import NEWEST, results_page

HR = Actor(email="hr@demo.example", role=UserRole.HR)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_chain_shows_its_drivers(make_app, engine, language):
    at = results_page(make_app, "hr@demo.example", language)
    _ = translator(language)
    assert at.selectbox(key="ee_results_unit").value == "LM"
    with read_session(engine) as session:
        view = drivers_for(session, HR, NEWEST, "LM")
    shown = texts(at)
    assert _("What drives engagement") in [s.value for s in at.subheader]
    assert drivers_sentence(view, "recommend", _) in shown
    assert at.segmented_control(key="ee_results_driver_outcome").value == "recommend"
    numbers = at.dataframe[-1].value  # the drivers' table, in its expander
    assert len(numbers) == 12 and list(numbers.columns)[1] == "r"
    best = view.table[view.table["outcome"] == "recommend"].sort_values("r").iloc[-1]
    assert numbers["r"].iloc[0] == pytest.approx(best["r"])
    assert f"{view.respondents}" in shown
    at.segmented_control(key="ee_results_driver_outcome").set_value("index").run()
    clean(at)
    assert drivers_sentence(view, "index", _) in texts(at)


def test_a_small_store_shows_why_not(make_app):
    at = results_page(make_app)
    at.selectbox(key="ee_results_unit").set_value("SZ03").run()
    clean(at)
    shown = texts(at)
    assert "Shown for groups of at least 10 respondents; this unit has 6." in shown
    assert "The themes most linked" not in shown


def test_a_hidden_team_shows_nothing(make_app):
    at = results_page(make_app, "manager.sh01@demo.example")
    at.selectbox(key="ee_results_unit").set_value("SH01-F").run()
    clean(at)
    shown = texts(at)
    assert "Not shown for this unit: its results are hidden to protect anonymity" in shown
    assert "The themes most linked" not in shown


def column_config(table) -> dict:
    """The column configuration the page sent with a table (Streamlit's JSON)."""
    import json

    return json.loads(table.proto.columns)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_marks_and_headers_are_not_cut_off_and_terms_explained(make_app, language):
    """Before, the n column had no width: sized on its first rows, a "fewer than 5" further
    down was cut off; and no statistical term carried its plain explanation."""
    at = results_page(make_app, "hr@demo.example", language)
    _ = translator(language)
    at.segmented_control(key="ee_results_level").set_value(UnitLevel.TEAM).run()
    clean(at)
    units = at.dataframe[0]
    config = column_config(units)
    hidden_mark = _("fewer than {k}").format(k=5)
    assert hidden_mark in units.value["n"].tolist()
    assert config["n"]["width"] >= fit_width([hidden_mark], "n")
    interval_header = _("Index 95% interval")
    assert config[interval_header]["width"] >= fit_width(
        units.value[interval_header], _("95% interval")
    )
    assert explain("n", _) in config["n"]["help"]
    assert config[_("Index")]["help"] == explain("engagement_index", _)
    assert config["eNPS"]["help"] == explain("enps", _)
    assert config[interval_header]["help"] == explain("confidence_interval", _)
    assert [m.proto.help for m in at.metric][:3] == [
        explain("engagement_index", _),
        explain("favourable", _),
        explain("enps", _),
    ]
    drivers_table = column_config(at.dataframe[-1])
    assert drivers_table["r"]["help"] == explain("pearson", _)
    assert drivers_table[_("Adjusted p")]["help"] == explain("adjusted_p", _)
