"""Everything each viewer can see of the hostile org's results, as facts an attacker holds.

A fact is (wave, cell, metric): the figure of ``metric`` for ``cell`` in ``wave`` is on some
screen, export or command output, where a cell is (unit id, dimension, value) — ("", "") for
a unit with everything beneath it, ("role"|"band", value) for a store slice — and a metric is
"n" (respondents), a theme's slot, "enps", or "index" (the index and overall % favourable,
which pool every theme). Pairs record two waves' figures of one cell shown side by side.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from ee_app.cli import main
from ee_app.db import read_session, write_session
from ee_app.instruments.pulse import CORE_SLOTS, THEMES
from ee_app.models import OrgUnit, StaffRole, TenureBand, UnitLevel
from ee_app.services import actions, results, results_trend
from ee_app.services.linkage import linkage_data
from tests.redteam.org import W1, W2, HostileOrg

SLOT_OF_THEME = dict(zip(THEMES, CORE_SLOTS, strict=True))
FILTERS = (
    [(None, None)]
    + [("role", r.value) for r in StaffRole]
    + [("band", b.value) for b in TenureBand]
)

Cell = tuple[int, str, str]


@dataclass
class Published:
    facts: set[tuple[str, Cell, str]] = field(default_factory=set)
    #: (surface, cell, wave a, wave b): two waves' figures of one cell side by side
    pairs: set[tuple[str, Cell, str, str]] = field(default_factory=set)
    #: (surface, wave, cell, n, index) where an index is shown: what subtraction would use
    indexes: set[tuple[str, str, Cell, int, float]] = field(default_factory=set)
    #: headline cards: (viewer, wave, unit id, metric shown)
    headline: set[tuple[str, str, int, str]] = field(default_factory=set)
    #: (wave, cell, metric) a surface marks hidden (blank or "fewer than k")
    hidden: set[tuple[str, Cell, str]] = field(default_factory=set)

    def add_row(self, surface: str, wave: str, cell: Cell, row: dict) -> None:
        if row.get("hidden") or _blank(row.get("n")):
            self.hidden |= {(wave, cell, m) for m in ("n", "index", "enps", *CORE_SLOTS)}
            return
        if _blank(row.get("index")):
            self.hidden.add((wave, cell, "index"))
        if _blank(row.get("enps")):
            self.hidden.add((wave, cell, "enps"))
        self.facts.add((wave, cell, "n"))
        if not _blank(row.get("index")):
            self.facts.add((wave, cell, "index"))
            self.indexes.add((surface, wave, cell, int(row["n"]), round(float(row["index"]), 9)))
        if not _blank(row.get("favourable")):
            self.facts.add((wave, cell, "index"))
        if not _blank(row.get("enps")):
            self.facts.add((wave, cell, "enps"))


def _blank(value: object) -> bool:
    if value is None or value == "":
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True  # a mark such as "fewer than 3"


def _cell(unit_id: int, dim: str | None, value: str | None) -> Cell:
    return (int(unit_id), dim or "", value or "")


def views(org: HostileOrg, seen: Published, waves: tuple[str, ...] = (W1, W2)) -> None:
    """The results page's data (table, heatmap, eNPS, headline cards) for every viewer,
    wave, level and filter."""
    for email, actor in org.viewers.items():
        for wave in waves:
            for level in (UnitLevel.REGION, UnitLevel.STORE, UnitLevel.TEAM):
                for dim, value in FILTERS:
                    if dim and level is not UnitLevel.STORE:
                        continue
                    with read_session(org.engine) as session:
                        view = results.engagement_view(
                            session, actor, wave, level=level, dim=dim, value=value
                        )
                    for row in view.rows.to_dict("records"):
                        cell = _cell(row["unit_id"], dim, value)
                        seen.add_row("view", wave, cell, row)
                        if not _blank(row.get("change")):
                            seen.pairs.add(("change", cell, row["previous_wave"], wave))
                    for theme in view.themes.to_dict("records"):
                        cell = _cell(theme["unit_id"], dim, value)
                        if not theme["hidden"] and not _blank(theme["mean"]):
                            seen.facts.add((wave, cell, theme["slot"]))
                        else:
                            seen.hidden.add((wave, cell, theme["slot"]))
                    for card in view.headline.to_dict("records"):
                        seen.add_row("headline", wave, _cell(card["unit_id"], None, None), card)
                        for metric in ("n", "index", "enps"):
                            if not _blank(card.get(metric)):
                                seen.headline.add((email, wave, int(card["unit_id"]), metric))


def trends(org: HostileOrg, seen: Published) -> None:
    """The trend line of every unit (and store slice) each viewer may open."""
    for actor in org.viewers.values():
        for code, unit_id in org.unit_ids.items():
            if not actor.may_see_unit(unit_id):
                continue
            with read_session(org.engine) as session:
                level = session.get(OrgUnit, unit_id).level
            filters = FILTERS if level is UnitLevel.STORE else [(None, None)]
            for dim, value in filters:
                with read_session(org.engine) as session:
                    trend = results_trend.trend_for(session, actor, code, dim=dim, value=value)
                cell = _cell(unit_id, dim, value)
                shown = [r for r in trend.to_dict("records") if not r["hidden"]]
                for row in shown:
                    seen.add_row("trend", row["wave"], cell, row)
                for i, a in enumerate(shown):
                    for b in shown[i + 1 :]:
                        seen.pairs.add(("trend", cell, a["wave"], b["wave"]))


def plan_effects(org: HostileOrg, seen: Published) -> None:
    """Action plans of every store and team after the first wave, and their follow-up."""
    hr = org.viewers["hr@rt.example"]
    for code, unit_id in org.unit_ids.items():
        if len(code) < 2 or code in ("RT", "RN", "RS"):
            continue
        with write_session(org.engine) as session:
            plan = actions.create_plan(
                session, hr, code, W1, ["recognition", "care", "voice"], "red team"
            )
        with read_session(org.engine) as session:
            effects = actions.plan_effects(session, hr, plan.id)
        cell = _cell(unit_id, None, None)
        for row in effects.to_dict("records"):
            slot = SLOT_OF_THEME[row["theme"]]
            if not _blank(row["before_mean"]):
                seen.facts.add((W1, cell, slot))
            if not _blank(row["after_mean"]):
                seen.facts.add((W2, cell, slot))
                if not _blank(row["before_mean"]):
                    seen.pairs.add(("plan", cell, W1, W2))


def linkage(org: HostileOrg, seen: Published) -> None:
    """The store × wave rows the linkage workbook lists (HR)."""
    hr = org.viewers["hr@rt.example"]
    with read_session(org.engine) as session:
        data = linkage_data(session, hr)
    rows = data.units[data.units["listed"]].to_dict("records")  # what the workbook lists
    for row in rows:
        cell = _cell(row["store_id"], None, None)
        seen.add_row("linkage", row["wave"], cell, {"n": row["n"], "index": row["engagement"]})
        for theme in THEMES:
            if not _blank(row.get(theme)):
                seen.facts.add((row["wave"], cell, SLOT_OF_THEME[theme]))
    by_store: dict[int, list[str]] = {}
    for row in rows:
        if not _blank(row["engagement"]):
            by_store.setdefault(int(row["store_id"]), []).append(row["wave"])
    for store, codes in by_store.items():
        for i, a in enumerate(codes):
            for b in codes[i + 1 :]:
                seen.pairs.add(("linkage", (store, "", ""), a, b))


def reports(org: HostileOrg, seen: Published, folder: Path) -> None:
    """``ee-app report engagement`` for every --by, --filter and --as, read back from the
    workbook it writes (results and themes sheets)."""
    codes = {c: i for c, i in org.unit_ids.items()}
    for email in org.viewers:
        for wave in (W1, W2):
            for by in ("region", "store", "team"):
                for dim, value in FILTERS:
                    if dim and by != "store":
                        continue
                    out = folder / f"{email}-{wave}-{by}-{dim}-{value}.xlsx"
                    args = ["report", "engagement", "--wave", wave, "--by", by]
                    args += ["--out", str(out), "--as", email, "--language", "en"]
                    if dim:
                        args += ["--filter", f"{dim}={value}"]
                    assert main(args) == 0
                    _read_report(out, wave, dim, value, codes, seen)


def _read_report(path: Path, wave, dim, value, codes, seen: Published) -> None:  # type: ignore[no-untyped-def]
    book = load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    table = list(book.worksheets[0].iter_rows(values_only=True))
    header = table[0]
    column = {name: header.index(name) for name in header if name}
    for line in table[1:]:
        if not line or line[0] is None:
            continue
        cell = _cell(codes[line[0]], dim, value)
        seen.add_row(
            "report",
            wave,
            cell,
            {
                "n": line[column["Respondents (n)"]],
                "index": line[column["Engagement index"]],
                "favourable": line[column["% favourable"]],
                "enps": line[column["eNPS"]],
            },
        )
        if not _blank(line[column["Change vs previous wave"]]):
            seen.pairs.add(("report", cell, W1, wave))
    themes = list(book.worksheets[1].iter_rows(values_only=True))
    names = themes[0]
    for line in themes[1:]:
        if not line or line[0] not in codes:
            continue
        cell = _cell(codes[line[0]], dim, value)
        for position, name in enumerate(names[2:], start=2):
            slot = _slot_of_label(name)
            if slot and not _blank(line[position]):
                seen.facts.add((wave, cell, slot))


def _slot_of_label(label: object) -> str | None:
    from ee_app.exports.engagement_words import THEME_NAMES

    text = str(label or "").removesuffix(" (n)")
    for theme, name in THEME_NAMES["en"].items():
        if name == text:
            return SLOT_OF_THEME[theme]
    return None


def everything(org: HostileOrg, folder: Path | None) -> Published:
    seen = Published()
    views(org, seen)
    trends(org, seen)
    plan_effects(org, seen)
    linkage(org, seen)
    if folder is not None:
        reports(org, seen, folder)
    return seen


def cells_of(frame: pd.DataFrame) -> Iterable[Cell]:
    return (_cell(u, d, v) for u, d, v in frame[["unit_id", "dim", "value"]].itertuples(False))
