"""The incentives page's "Who gains, who loses" through the real ``streamlit_app.py``
(issue 17): the unchanged draft against the demo's approved run says nobody's pay changes
(not one red block of 188 at zero); a changed weight shows the movers and the totals, in
plain words in both languages."""

from __future__ import annotations

import re

import pytest

PAGE = "ee_app/pages/incentives.py"
WORDS = {
    "en": {
        "compare": "Compare with",
        "paid": "Paid for 2026-10",
        "nobody": "Nobody's pay changes",
        "gains": "Largest gains",
        "losses": "Largest losses",
        "change": "Change (CNY)",
        "difference": "Difference (CNY)",
        "role": "Role",
        "store": "Store",
        "name": "Name",
        "manager": "Store manager",
        "design": "This design (CNY)",
        "done": "Simulation computed",
    },
    "zh-CN": {
        "compare": "对比基准",
        "paid": "2026-10 实发",
        "nobody": "没有人的绩效工资发生变化",
        "gains": "多得最多",
        "losses": "少得最多",
        "change": "变化（元）",
        "difference": "差额（元）",
        "role": "岗位",
        "store": "门店",
        "name": "姓名",
        "manager": "店长",
        "design": "本设计（元）",
        "done": "模拟测算完成",
    },
}
RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\bNone\b|\bnan\b|\bnull\b")


def texts(at) -> str:
    parts = (
        [m.value for m in at.markdown] + [i.value for i in at.info] + [c.value for c in at.caption]
    )
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_hr_sees_who_gains_and_who_loses_against_the_paid_month(make_app, language):
    words = WORDS[language]
    at = make_app("hr@demo.example", language)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    picker = next(s for s in at.selectbox if s.label == words["compare"])
    # The demo approved October (its last complete month): what was paid is offered first.
    assert picker.options[0].startswith(words["paid"])
    assert words["nobody"] in texts(at)
    assert "Against the saved scheme" not in texts(at)
    # Weights by component id (their labels are the components' plain names, issue 17).
    weights = {
        n.key.split("_", 4)[-1]: n
        for n in at.number_input
        if n.key and n.key.startswith("ee_inc_weight_")
    }
    # Move 10 points of weight from sales to CSAT: some gain, some lose.
    weights["sales"].set_value(weights["sales"].value - 10)
    weights["csat"].set_value(weights["csat"].value + 10)
    at.run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert words["nobody"] not in shown
    assert words["gains"] in shown and words["losses"] in shown
    frames = [f.value for f in at.dataframe]
    movers = [f for f in frames if words["change"] in f.columns]
    assert len(movers) == 2
    assert all(words["name"] in f.columns and words["role"] in f.columns for f in movers)
    totals = [f for f in frames if words["difference"] in f.columns]
    roles = next(f for f in totals if words["role"] in f.columns)
    stores = next(f for f in totals if words["store"] in f.columns)
    assert words["manager"] in set(roles[words["role"]])  # plain words, not store_manager
    for frame in [*movers, *totals]:  # no internal code, None or nan in any cell
        cells = " ".join(str(v) for v in frame.astype(str).to_numpy().ravel())
        assert not RAW.search(cells), RAW.search(cells)
    # The totals per store add up to the change of the whole chain.
    metric = next(m for m in at.metric if m.label == words["design"])
    assert round(stores[words["difference"]].sum(), 2) == round(
        float(metric.delta.replace(",", "")), 2
    )
    assert any(s.label.startswith(words["done"]) for s in at.status)
