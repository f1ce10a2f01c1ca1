"""The engagement-and-customers page through the real ``streamlit_app.py``: it shows every
number with its n and a plain reading, in both languages; a store manager with one store is
told there are too few units and sees the ICC of their store only; HR computes a confidential
wave's person-level relation once, after a confirmation, and then reads it frozen; the
analysis downloads as Excel that LibreOffice opens."""

from __future__ import annotations

import re

import pytest

from ee_app.auth import Actor
from ee_app.models import UserRole
from tests.pages.apptest import clean, open_page

PAGE = "ee_app/pages/linkage.py"


def hr_actor() -> Actor:
    return Actor(email="hr@demo.example", role=UserRole.HR)


def opened(make_app, identity, language="en"):
    return clean(open_page(make_app, PAGE, identity, language))


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_hr_reads_the_relations(make_app, app_db, language):
    from ee_app.db import make_engine, read_session
    from ee_app.services.linkage import linkage_data
    from ee_app.services.linkage_relations import outcome_relations

    engine = make_engine(app_db)
    with read_session(engine) as session:
        expected = outcome_relations(linkage_data(session, hr_actor()), "csat")["unit"]["n"]
    engine.dispose()
    at = opened(make_app, "hr@demo.example", language)
    labels = {m.label: m.value for m in at.metric}
    stores = labels.get("Stores") or labels.get("门店")
    # n is shown: the stores with a published index (10 of 12 in the newest wave, where two
    # have a theme hidden and with it their index)
    assert int(stores) == expected >= 10
    assert at.info  # the plain-language reading under the result
    for outcome in ("repurchase", "visit_score"):
        at.segmented_control(key="ee_linkage_outcome").set_value(outcome).run()
        assert not at.exception, at.exception


def test_a_manager_of_one_store_is_told_there_are_too_few(make_app):
    at = opened(make_app, "manager.sh01@demo.example")
    assert any("too few to tell" in i.value for i in at.info), [i.value for i in at.info]
    assert any("your scope only" in c.value for c in at.caption)


def test_the_analysis_workbook_opens_in_libreoffice(app_db, tmp_path):
    from ee_app.auth import system_actor
    from ee_app.db import make_engine, read_session
    from ee_app.exports.linkage import linkage_xlsx
    from ee_app.services.linkage import OUTCOMES, linkage_data, wave_icc
    from ee_app.services.linkage_relations import outcome_relations
    from tests.helpers import libreoffice_csv

    engine = make_engine(app_db)
    with read_session(engine) as session:
        data = linkage_data(session, system_actor("t"))
        icc = wave_icc(session, system_actor("t"), data.waves[-1])
    engine.dispose()
    relations = {o: outcome_relations(data, o) for o in OUTCOMES}
    book = linkage_xlsx(
        data.units, relations, icc, outcome_names={}, theme_names={}, gettext=lambda s: s
    )
    stores = libreoffice_csv(book, tmp_path, sheet=2)
    assert len(stores) == len(data.units) + 1
    rows = libreoffice_csv(book, tmp_path, sheet=3)
    csat = next(r for r in rows if r[0] == "csat" and r[1] == "Between stores (Pearson)")
    assert float(csat[4]) == pytest.approx(relations["csat"]["unit"]["r"], abs=1e-3)
    assert int(csat[3]) == relations["csat"]["unit"]["n"]


def confidential_wave_in(app_db, answering=61):
    """A closed confidential wave in October 2026 (the demo has its CSAT) in the app's
    database, built through the services."""
    from ee_app.db import make_engine
    from tests.services.test_confidential import closed_wave

    engine = make_engine(app_db)
    try:
        return closed_wave(engine, hr_actor(), "conf-10", answering_count=answering)
    finally:
        engine.dispose()


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_hr_computes_the_person_level_relation_once_and_then_reads_it(make_app, app_db, language):
    code = confidential_wave_in(app_db)
    at = opened(make_app, "hr@demo.example", language)
    button = at.button(key=f"ee_linkage_compute_{code}_csat")
    assert button.label in ("Yes, compute it now", "是，现在计算")
    assert not [m for m in at.metric if m.label in ("Winsorized r [95%]", "缩尾相关系数 r [95%]")]
    button.click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    # Once computed, the button is gone and the frozen result is shown, coarse, with its inputs.
    keys = {b.key for b in at.button}
    assert f"ee_linkage_compute_{code}_csat" not in keys
    assert f"ee_linkage_compute_{code}_repurchase" in keys  # the other outcome is separate
    shown = {m.label: m.value for m in at.metric}
    label = "Winsorized r [95%]" if language == "en" else "缩尾相关系数 r [95%]"
    # The demo's October CSAT gives a relation: r and its interval to one decimal, p coarse.
    assert re.fullmatch(r"-?\d\.\d \[-?\d\.\d, -?\d\.\d\]", shown[label]), shown[label]
    assert shown["p"] in ("< 0.05", "≥ 0.05")
    assert any(("Computed once" in c.value) or ("仅计算一次" in c.value) for c in at.caption)
    # ... and says the CSAT window it used (3 months by default, issue 16)
    window = "CSAT over the 3 month(s)" if language == "en" else "顾客满意度取截至该月的 3 个月"
    assert any(window in c.value for c in at.caption)
    again = opened(make_app, "hr@demo.example", language)
    assert f"ee_linkage_compute_{code}_csat" not in {b.key for b in again.button}


def test_repurchase_before_its_windows_end_is_refused_with_a_reason(make_app, app_db):
    code = confidential_wave_in(app_db)
    at = opened(make_app, "hr@demo.example")
    at.button(key=f"ee_linkage_compute_{code}_repurchase").click().run()
    assert not at.exception, at.exception
    assert any("repurchase windows" in e.value for e in at.error), [e.value for e in at.error]
    assert f"ee_linkage_compute_{code}_repurchase" in {b.key for b in at.button}  # not used up


def test_a_manager_sees_no_person_level_section_and_the_icc_of_their_store(make_app, app_db):
    confidential_wave_in(app_db, answering=30)
    at = opened(make_app, "manager.sh01@demo.example")
    assert not [b for b in at.button if b.key and b.key.startswith("ee_linkage_compute")]
    assert not any("Person by person" in s.value for s in at.subheader)
    people, stores = next(m.value for m in at.metric if m.label == "People, stores").split(", ")
    assert stores == "1" and int(people) >= 5  # their one store, not the chain's twelve


def all_text(at) -> str:
    """Every text a reader can see on the page: messages, captions, headers, tables' cells
    and headers, and the choices of every select box."""
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "header", "subheader"):
        parts += [str(e.value) for e in at.get(kind)]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    for box in at.selectbox:
        parts += [str(o) for o in box.options]
    return "\n".join(parts)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_a_store_manager_reads_their_store_against_the_chain(make_app, app_db, language):
    """Issue 16: instead of one dot, a store manager sees where their store stands among the
    chain's published stores (quartiles, plain sentences, rounded numbers) and its trend; no
    other store is named anywhere on the page."""
    from ee_app.db import make_engine, read_session
    from ee_app.services.linkage import linkage_data

    engine = make_engine(app_db)
    with read_session(engine) as session:
        chain = linkage_data(session, hr_actor()).units
    engine.dispose()
    at = opened(make_app, "manager.sh01@demo.example", language)
    readings = [i.value for i in at.info]
    expected = "Your store's" if language == "en" else "您的门店"
    assert any(expected in r for r in readings), readings
    standing = at.dataframe[0].value
    assert len(standing) == 4  # engagement and the three outcomes
    cells = standing.to_csv()
    assert "nan" not in cells and "None" not in cells
    # Rounded for reading: the index to two decimals, rates to whole percent.
    assert re.fullmatch(r"\d\.\d\d", standing.iloc[0, 1]), standing.iloc[0, 1]
    assert re.fullmatch(r"\d{1,3}%", standing.iloc[1, 1]), standing.iloc[1, 1]
    text = all_text(at)
    others = chain[chain["code"] != "SH01"]
    named = [c for c in set(others["code"]) | set(others["name"]) if c in text]
    assert not named, named


def test_repurchase_in_a_month_not_yet_decidable_says_until_when(make_app, app_db):
    at = opened(make_app, "hr@demo.example")
    at.segmented_control(key="ee_linkage_outcome").set_value("repurchase").run()
    text = all_text(at)
    assert "2026-07" in text  # the default: the newest month whose windows have ended
    at.selectbox(key="ee_linkage_wave").set_value("pulse-2026-09").run()
    assert not at.exception, at.exception
    readings = [i.value for i in at.info]
    assert any(
        "Not yet decidable: customers of 2026-09 can still come back until 2026-12-29" in r
        for r in readings
    ), readings
    assert not [m for m in at.metric if m.label == "Stores"]  # no number in its place


def test_the_relations_say_which_months_went_in(make_app, app_db):
    at = opened(make_app, "hr@demo.example")
    tables = [d.value for d in at.dataframe]
    between = next(t for t in tables if "Pearson r" in set(t["Statistic"]))
    assert set(between["Months"]) == {"2026-10"}
    assert list(between.columns) == ["Statistic", "r", "95% low", "95% high", "n", "Months"]
    over_time = next(t for t in tables if "Within stores, across waves" in set(t["Statistic"]))
    assert "2026-09 → 2026-10" in set(over_time["Months"])
    terms = next(e for e in at.expander if e.label == "What the terms mean")
    listed = "\n".join(m.value for m in terms.markdown)
    for word in (
        "Pearson r:",
        "Spearman ρ:",
        "Within-store relation:",
        "Lagged relation:",
        "Partial correlation:",
        "Benjamini–Hochberg",
        "ICC:",
        "Shrunken:",
        "Quartiles:",
    ):
        assert word in listed, word
    # The within-store relation here is a store against itself across waves.
    assert "compared with itself over the waves" in listed
