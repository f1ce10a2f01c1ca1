"""The engagement-and-customers page through the real ``streamlit_app.py``: it shows every
number with its n and a plain reading, in both languages; a store manager with one store is
told there are too few units; the analysis downloads as Excel that LibreOffice opens."""

from __future__ import annotations

import pytest

PAGE = "ee_app/pages/linkage.py"


def opened(make_app, identity, language="en"):
    at = make_app(identity, language)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_hr_reads_the_relations(make_app, language):
    at = opened(make_app, "hr@demo.example", language)
    labels = {m.label: m.value for m in at.metric}
    stores = labels.get("Stores") or labels.get("门店")
    assert int(stores) == 12  # n is shown
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
    from ee_app.services.linkage import OUTCOMES, linkage_data, outcome_relations, wave_icc
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
