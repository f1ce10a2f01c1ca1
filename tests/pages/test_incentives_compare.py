"""The incentives page's "Who gains, who loses" through the real ``streamlit_app.py``
(issue 17): the unchanged draft against the demo's approved run says nobody's pay changes
(not one red block of 188 at zero); a changed weight shows the movers and the totals."""

from __future__ import annotations

PAGE = "ee_app/pages/incentives.py"


def texts(at) -> str:
    parts = (
        [m.value for m in at.markdown] + [i.value for i in at.info] + [c.value for c in at.caption]
    )
    return "\n".join(str(p) for p in parts)


def test_hr_sees_who_gains_and_who_loses_against_the_paid_month(make_app):
    at = make_app("hr@demo.example", "en")
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    picker = next(s for s in at.selectbox if s.label == "Compare with")
    # The demo approved October (its last complete month): what was paid is offered first.
    assert picker.options[0].startswith("Paid for 2026-10")
    assert "Nobody's pay changes" in texts(at)
    assert "Against the saved scheme" not in texts(at)
    weights = {n.label: n for n in at.number_input if n.key and n.key.startswith("ee_inc_weight_")}
    # Move 10 points of weight from sales to CSAT: some gain, some lose.
    weights["sales"].set_value(weights["sales"].value - 10)
    weights["csat"].set_value(weights["csat"].value + 10)
    at.run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert "Nobody's pay changes" not in shown
    assert "Largest gains" in shown and "Largest losses" in shown
    frames = [f.value for f in at.dataframe]
    movers = [f for f in frames if "Change (CNY)" in f.columns]
    assert movers and all("Name" in f.columns and "Role" in f.columns for f in movers)
    roles = next(f for f in frames if "Role" in f.columns and "Difference (CNY)" in f.columns)
    assert "Store manager" in set(roles["Role"])  # plain words, not store_manager
    stores = next(f for f in frames if "Store" in f.columns and "Difference (CNY)" in f.columns)
    # The totals per store add up to the change of the whole chain.
    metric = next(m for m in at.metric if m.label == "This design (CNY)")
    assert round(stores["Difference (CNY)"].sum(), 2) == round(
        float(metric.delta.replace(",", "")), 2
    )
    assert any(s.label.startswith("Simulation computed") for s in at.status)
