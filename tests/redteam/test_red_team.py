"""The red team's recipes against everything each role can see, and an exact attacker.

A hostile org (``tests/redteam/org.py``: teams of 1–4 in stores of 5–12, k = 3, people who
skip themes and the eNPS, a leaver and a joiner between two waves in which everyone else
answers exactly as before) is built through the services and the roster import. Every figure
each viewer can reach — the results page's data, headline cards, trends, action-plan
follow-ups, the linkage store rows, and ``ee-app report`` for every ``--by``, ``--filter``
and ``--as`` — is collected as facts (``tests/redteam/published.py``). Then:

* an exact linear-algebra audit at the level of answers: for every wave and every metric
  (respondents, each theme, the eNPS), no set of stored answer groups holding 1..k-1 answers,
  and no hidden cell, has a total in the linear span of the published totals; this audit is
  written here independently of the app's own (projection on the row space, not its null
  space search);
* composite figures (the index and overall % favourable) are published only where every
  theme they pool is;
* two waves' figures of one group are shown side by side only where its respondents are the
  same or differ by at least k (the leaver's and the joiner's groups: never);
* the red team's recipes, step by step, recover nothing.

The other two recipes of issue 14 run where their machinery lives, on both databases: the
person-level relation steered by crafted CSAT imports and undos in
``tests/services/test_confidential.py`` (``test_the_red_team_recipe_recovers_nothing``), and
the copy of the database files replayed commit by commit while a wave is open, and after it
closes (also under a reader), in ``tests/test_sealing_files.py`` and
``tests/services/test_cleanup.py``. ``test_random_orgs.py`` runs the audit here on
organisations and skip patterns made up by Hypothesis.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import numpy as np
import pytest

from ee_app.db import read_session
from ee_app.instruments.pulse import CORE_SLOTS
from ee_app.services import results
from tests.redteam.audit import METRICS, atoms, audit, members, unit_paths
from tests.redteam.org import PEOPLE, W1, W2, K

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("redteam")]


# The tests -------------------------------------------------------------------------------------


def test_no_hidden_answer_lies_in_the_span_of_what_is_shown(hostile, seen):
    checked = audit(hostile.engine, (W1, W2), seen.facts, K, seen.hidden)
    assert checked >= 10  # small answer groups and hidden units that an attacker would try


def test_figures_pooling_every_theme_rest_on_shown_themes_only(seen):
    """Wherever a cell's themes are on screen, its index and % favourable are shown only if
    every theme is (the brand's themes are never listed; the audit above covers it)."""
    composite = {(w, c) for w, c, m in seen.facts if m == "index"}
    with_themes = {(w, c) for w, c, m in seen.facts if m in CORE_SLOTS}
    assert composite & with_themes
    for wave, cell in composite & with_themes:
        for part in ("n", *CORE_SLOTS):
            assert (wave, cell, part) in seen.facts, (wave, cell, part)
    partial = {
        (w, c) for w, c in with_themes if any((w, c, s) not in seen.facts for s in CORE_SLOTS)
    }
    assert partial, "the org must have cells with a hidden theme"
    assert not partial & composite


def test_two_waves_side_by_side_only_where_k_people_differ(hostile, seen):
    """The leaver's and the joiner's groups differ by one person between the waves: no
    surface puts their two figures side by side; everyone else's groups are unchanged."""
    paths = unit_paths(hostile.engine)
    changed = {u for u, p in paths.items() if _holds(p, paths, hostile, "n2b-leaver")}
    changed |= {u for u, p in paths.items() if _holds(p, paths, hostile, "s2b-joiner")}
    assert changed  # the brand, both regions, N2, S2 and their teams
    pairs = {(surface, cell) for surface, cell, a, b in seen.pairs if {a, b} == {W1, W2}}
    assert pairs, "some unchanged group must still show its change"
    for surface, (unit, _dim, _value) in pairs:
        assert unit not in changed, (surface, unit)
    surfaces = {"change", "trend", "plan", "linkage"}
    if hostile.engine.dialect.name == "sqlite":
        surfaces.add("report")  # the command line runs on SQLite only
    assert {s for s, _ in pairs} >= surfaces


def _holds(path, paths, hostile, employee_no):
    person = next(p for p in PEOPLE if p.no == employee_no)
    unit = hostile.unit_ids[person.team or person.store]
    return paths[unit].startswith(path)


def test_recipe_headline_card_of_a_team_manager(hostile, seen):
    """Team N1A: four respondents, two of whom answered the eNPS. The units table hid its
    eNPS; the headline card used to show "eNPS +50, n = 2"."""
    team = hostile.unit_ids["N1A"]
    assert ("n1a@rt.example", W1, team, "n") in seen.headline
    assert ("n1a@rt.example", W1, team, "enps") not in seen.headline
    assert (W1, (team, "", ""), "enps") not in seen.facts
    assert (W1, (team, "", ""), "n") in seen.facts  # the team itself is shown


def test_recipe_hidden_theme_from_the_overall_figures(hostile, seen):
    """N1's theme 5 rests on two answers. Neither the overall % favourable (whose Wilson
    interval gives its number of answers away) nor the index (a sum over every theme) is
    shown for N1, so "overall minus the shown themes" has nothing to start from."""
    n1 = (hostile.unit_ids["N1"], "", "")
    theme5 = CORE_SLOTS[4]
    for wave in (W1, W2):
        assert (wave, n1, theme5) not in seen.facts
        assert (wave, n1, "index") not in seen.facts
        assert (wave, n1, "n") in seen.facts


def test_recipe_region_minus_stores(hostile, seen):
    """Theme 5 of N1 (two answers) is hidden; subtracting the region's theme-5 total from the
    other stores' would give it, so a second store's theme 5 is hidden with it."""
    north = [hostile.unit_ids[s] for s in ("N2", "N3")]
    region = (hostile.unit_ids["RN"], "", "")
    theme5 = CORE_SLOTS[4]
    if (W1, region, theme5) in seen.facts:
        assert any((W1, (s, "", ""), theme5) not in seen.facts for s in north)


def test_recipe_filter_minus_filter(hostile, seen):
    """N1: the role "beautician" and the band "1to3" differ by two consultants; both
    filters together, or either with team totals, must not be published if the difference
    is a group of fewer than k answers to any question (the audit test checks all)."""
    n1 = hostile.unit_ids["N1"]
    slices = {c for w, c, m in seen.facts if c[0] == n1 and c[1] and m == "n"}
    groups = atoms(hostile.engine, W1)
    paths = unit_paths(hostile.engine)
    for a, b in itertools.combinations(sorted(slices), 2):
        difference = members(groups, a, paths) - members(groups, b, paths)
        if set(np.unique(difference)) <= {0.0, 1.0}:
            for metric in METRICS:
                held = groups[metric].to_numpy(float) @ difference
                assert held == 0 or held >= K, (a, b, metric)


def test_recipe_wave_minus_wave(hostile, seen):
    """N2 lost one nurse between the waves and S2 gained one; everyone else answered the
    same. n × index of wave 2 minus wave 1 would be the leaver's (or joiner's) own answers:
    no surface that shows both waves gives both figures for those stores."""
    for store in ("N2", "S2"):
        cell = (hostile.unit_ids[store], "", "")
        for surface in ("trend", "linkage"):
            shown = {w for s, w, c, _n, _i in seen.indexes if s == surface and c == cell}
            assert shown != {W1, W2}, (store, surface)
        assert not any(c == cell for _s, c, _a, _b in seen.pairs)


def test_percentiles_come_from_published_indexes_only(hostile):
    """A unit's percentile is its rank among the *shown* indexes of its level: a hidden
    index never moves it."""
    from ee_app.analysis.ranks import percentile_rank
    from ee_app.models import UnitLevel

    hr = hostile.viewers["hr@rt.example"]
    for wave in (W1, W2):
        with read_session(hostile.engine) as session:
            view = results.engagement_view(session, hr, wave, level=UnitLevel.STORE)
        shown = view.rows.dropna(subset=["index"])
        for row in shown.to_dict("records"):
            expected = percentile_rank(shown["index"].tolist(), row["index"])
            assert row["percentile"] == pytest.approx(expected)


def test_every_viewer_and_surface_was_exercised(seen):
    surfaces = {s for s, *_ in seen.indexes}
    assert surfaces >= {"view", "headline", "trend", "linkage"}
    by_metric = defaultdict(int)
    for _w, _c, metric in seen.facts:
        by_metric[metric] += 1
    assert all(by_metric[m] for m in METRICS)
