"""What drives engagement against the hostile org (teams of 1–4, stores of 5–12, k = 3,
people who skip themes and the eNPS): for every viewer, wave and unit they may open, the
drivers come back only for units the results page publishes with at least max(k, 10)
respondents, only for themes it publishes, each over at least 10 pairs of answers."""

from __future__ import annotations

import pytest

from ee_app.analysis.drivers import minimum_n
from ee_app.db import read_session
from ee_app.models import UnitLevel
from ee_app.services import results
from ee_app.services.engagement_drivers import drivers_for
from tests.redteam.org import W1, W2, K

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("redteam")]


def test_drivers_rest_on_published_groups_of_ten_or_more(hostile):
    least = minimum_n(K)
    assert least == 10
    outcomes = {"shown": 0, "too_few": 0, "hidden": 0}
    with read_session(hostile.engine) as session:
        for email, actor in hostile.viewers.items():
            for wave in (W1, W2):
                for level in UnitLevel:
                    try:
                        view = results.engagement_view(session, actor, wave, level=level)
                    except Exception as error:  # a role without results sees none
                        assert "results" in str(error).lower() or "role" in str(error).lower()
                        break
                    themes = view.themes.set_index(["unit_id", "slot"])
                    for row in view.rows.to_dict("records"):
                        drivers = drivers_for(session, actor, wave, row["code"])
                        outcomes[drivers.status] += 1
                        if row["hidden"]:
                            assert drivers.status == "hidden", (email, wave, row["code"])
                            continue
                        if row["n"] < least:
                            assert drivers.status == "too_few" and drivers.table.empty
                            continue
                        if drivers.status != "shown":  # too few pairs for every theme
                            assert drivers.status == "too_few" and drivers.table.empty
                            continue
                        shown = drivers.table[drivers.table["enough"].astype(bool)]
                        assert (shown["n"] >= least).all()
                        for record in shown.to_dict("records"):
                            theme = themes.loc[(row["unit_id"], record["slot"])]
                            assert not theme["hidden"], (email, wave, row["code"], record)
                            if record["outcome"] == "index":
                                assert row["index"] == row["index"]  # the index is shown
                            else:
                                assert row["enps"] == row["enps"]  # the eNPS is shown
    assert outcomes["shown"] and outcomes["too_few"] and outcomes["hidden"], outcomes
