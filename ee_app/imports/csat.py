"""The CRM's satisfaction answers (CSAT), as exported: :func:`parse_csat` reads the columns
of :data:`~ee_app.imports.outcomes.CSAT_COLUMNS`, each score on the scale of its row, of
the file or of the import (1–5 or 0–10), and the touchpoint in English or Chinese."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ee_app.errors import N_
from ee_app.imports.columns import normalise_header
from ee_app.imports.outcome_checks import (
    ColumnProblems,
    check_required,
    check_storable,
    look_up_staff,
    look_up_stores,
    read_columns,
    read_dates,
    read_source_ids,
    read_texts,
)
from ee_app.imports.outcomes import CSAT_COLUMNS, Lookups, Parsed
from ee_app.imports.tabular import Frame
from ee_app.imports.vector import parse_ints, parse_texts
from ee_app.models import Touchpoint

__all__ = ["parse_csat"]

_TOUCHPOINTS: dict[str, str] = {
    normalise_header(alias): touchpoint.value
    for touchpoint, aliases in {
        Touchpoint.BOOKING: ("预约", "预约管理", "booking"),
        Touchpoint.RECEPTION: ("接待", "到店接待", "前台", "reception"),
        Touchpoint.TREATMENT: ("护理", "治疗", "护理执行", "护理/治疗", "treatment"),
        Touchpoint.FEEDBACK: ("效果反馈", "反馈", "result feedback", "feedback"),
        Touchpoint.AFTERCARE: ("售后", "回访", "售后回访", "售后跟进", "after-care", "aftercare"),
        Touchpoint.OTHER: ("其他", "other"),
    }.items()
    for alias in (*aliases, touchpoint.value)
}


def _file_scale(problems: ColumnProblems, scores: pd.Series) -> int | None:
    """The scale of a file that does not say: 1–5 when every score is from 1 to 5, 0–10 when
    none is. Both in one file (scores of 1–5 and a 7, or a 0) is not guessed: one stray 7
    would turn every 5 of a 1–5 file into "not satisfied". A problem, and None."""
    known = scores.notna().to_numpy()
    low = known & scores.between(1, 5).to_numpy()
    other = known & ~low
    if not other.any():
        return 5
    if not low.any():
        return 10
    first = int(np.flatnonzero(other)[0])
    problems.add(
        np.arange(len(scores)) == first,
        "score",
        N_(
            "{count} scores from 1 to 5 and {others} outside 1–5 (the first, {value}, here) in "
            "one file: is it the 1–5 or the 0–10 scale? Say which (--scale 5 or --scale 10; "
            "on the page, Scale of the scores) or add a Scale column"
        ),
        lambda i: {
            "count": int(low.sum()),
            "others": int(other.sum()),
            "value": int(scores.iloc[i]),
        },
    )
    return None


def parse_csat(
    frame: Frame,
    lookups: Lookups,
    mapping: Mapping[str, str] | None = None,
    scale: int | None = None,
) -> Parsed:
    """Satisfaction answers: each needs a record id, the serving staff member (employee
    number), a store, a service date and a score on the 1–5 or 0–10 scale: the row's Scale
    cell, else ``scale``, else the file's (see :func:`_file_scale`)."""
    refused, problems, headers, cells = read_columns(frame, CSAT_COLUMNS, mapping)
    if refused is not None:
        return refused
    check_required(problems, cells, ("source_id", "employee_no", "store", "service_date", "score"))
    check_storable(problems, cells, ("service_date", "score", "scale"))
    ids = read_source_ids(problems, cells, headers)
    staff = look_up_staff(problems, cells, "employee_no", lookups.staff)
    stores = look_up_stores(problems, cells, lookups.stores)
    dates = read_dates(problems, cells, "service_date", lookups.today)
    scores, bad_scores = parse_ints(cells["score"])
    problems.add(
        bad_scores,
        "score",
        N_("“{value}” is not a whole number"),
        lambda i: {"value": cells["score"].iloc[i]},
    )
    if "scale" in cells:
        scales, bad = parse_ints(cells["scale"])
        scales = scales.fillna(float(scale or 5))
        problems.add(bad | ~scales.isin([5, 10]).to_numpy(), "scale", N_("must be 5 or 10"))
        detected = None
    else:
        detected = scale or _file_scale(problems, scores)
        scales = pd.Series(float(detected or "nan"), index=scores.index)
    out_of_range = (
        scores.notna().to_numpy()
        & (
            ((scales == 5) & ~scores.between(1, 5)) | ((scales == 10) & ~scores.between(0, 10))
        ).to_numpy()
    )
    problems.add(
        out_of_range,
        "score",
        N_("{value} is outside the {scale}-point scale"),
        lambda i: {"value": int(scores.iloc[i]), "scale": int(scales.iloc[i])},
    )
    touchpoints = pd.Series(Touchpoint.OTHER.value, index=scores.index, dtype=object)
    if "touchpoint" in cells:
        text, _ = parse_texts(cells["touchpoint"], 40)
        mapped = text.map(lambda v: _TOUCHPOINTS.get(normalise_header(v)) if v else None)
        unknown = text.notna().to_numpy() & mapped.isna().to_numpy()
        problems.add(
            unknown,
            "touchpoint",
            N_(
                "“{value}” is not a touchpoint; use booking 预约, reception 接待, treatment 护理, "
                "feedback 效果反馈, after-care 售后回访 or other 其他"
            ),
            lambda i: {"value": text.iloc[i]},
        )
        touchpoints = mapped.fillna(Touchpoint.OTHER.value).astype(object)
    customers = read_texts(problems, cells, "customer", 64) if "customer" in cells else None
    rows = pd.DataFrame(
        {
            "row": frame.rows,
            "source_id": ids,
            "staff_id": staff,
            "store_id": stores,
            "service_date": dates.dt.date,
            "score": scores,
            "scale": scales,
            "touchpoint": touchpoints,
            "customer": customers if customers is not None else None,
        }
    )
    return Parsed(rows, None, problems.sorted(), problems.count, detected, headers)
