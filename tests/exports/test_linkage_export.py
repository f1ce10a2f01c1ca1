"""The linkage workbook says which months went into each relation, and for repurchase in a
month whose windows have not ended, that it is not yet decidable and until when (issue 16)."""

from io import BytesIO

from openpyxl import load_workbook

from ee_app.db import read_session
from ee_app.exports.linkage import linkage_xlsx
from ee_app.services.linkage import OUTCOMES, linkage_data, wave_icc
from ee_app.services.linkage_relations import outcome_relations


def relations_sheet(book: bytes) -> list[dict]:
    sheet = load_workbook(BytesIO(book))["Relations"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def workbook(data, relations, icc) -> bytes:
    return linkage_xlsx(
        data.units[data.units["listed"]].drop(columns="listed"),
        relations,
        icc,
        outcome_names={},
        theme_names={},
        gettext=lambda s: s,
    )


def test_each_relation_says_its_months(engine, demo, hr):
    with read_session(engine) as session:
        data = linkage_data(session, hr)
        icc = wave_icc(session, hr, data.waves[-1])
    relations = {o: outcome_relations(data, o) for o in OUTCOMES}
    rows = relations_sheet(workbook(data, relations, icc))
    months = {(r["Outcome"], r["Analysis"]): r["Months"] for r in rows}
    assert months[("csat", "Between stores (Pearson)")] == "2026-10"
    assert months[("csat", "Engagement, then the next period")] == "2026-09 → 2026-10"
    # Repurchase: July, the newest month whose windows have all ended (sales to 2026-11-02).
    assert months[("repurchase", "Between stores (Pearson)")] == "2026-07"
    assert months[("repurchase", "Within stores across waves (rm_corr)")] == "2026-06, 2026-07"
    assert months[("repurchase", "Engagement, then the next period")] == "2026-06 → 2026-07"


def test_a_month_not_yet_decidable_is_said_so_in_the_workbook(engine, demo, hr):
    with read_session(engine) as session:
        data = linkage_data(session, hr)
        icc = wave_icc(session, hr, data.waves[-1])
    relations = {"repurchase": outcome_relations(data, "repurchase", "pulse-2026-09")}
    rows = relations_sheet(workbook(data, relations, icc))
    pearson = next(r for r in rows if r["Analysis"] == "Between stores (Pearson)")
    assert pearson["r"] is None and pearson["n"] is None  # no number in its place
    assert pearson["Months"].startswith(
        "Not yet decidable: customers of 2026-09 can still come back until 2026-12-29"
    )
    assert not any(r["Analysis"] == "Between stores (Spearman)" for r in rows)
