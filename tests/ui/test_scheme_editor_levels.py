"""The scheme editor keeps each role's measure and the rule for missing data (issue 17):
a design saved from the editor must not silently drop them."""

import copy

from ee_app.instruments.scheme import default_definition, validate
from ee_app.ui.scheme_editor import components_frame, definition_from, level_notes, roles_frame


def _round_trip(definition, components=None):
    components = components_frame(definition) if components is None else components
    return definition_from(
        definition,
        components,
        roles_frame(definition),
        gates=definition["gates"],
        pool=definition.get("pool"),
        pool_mode=definition.get("pool_mode", "cap"),
        service_floor=float(definition["service_floor"]) * 100,
    )


def test_the_shipped_scheme_survives_the_editor():
    shipped = default_definition()
    again = validate(_round_trip(shipped))
    original = validate(shipped)
    for before, after in zip(original.components, again.components, strict=True):
        assert after.role_measures == before.role_measures
        assert after.missing == before.missing
    assert again.component("sales").measure_for("store_manager") == "store_sales_revenue"
    assert again.component("mystery-shopper").missing == "reweight"


def test_the_rule_is_chosen_in_the_components_table():
    shipped = default_definition()
    frame = components_frame(shipped)
    assert frame.set_index("id")["missing"].to_dict() == {
        "sales": "zero",
        "csat": "store",
        "repurchase": "store",
        "mystery-shopper": "reweight",
        "onboarding": "zero",
    }
    frame.loc[frame["id"] == "repurchase", "missing"] = "reweight"
    assert validate(_round_trip(shipped, frame)).component("repurchase").missing == "reweight"


def test_a_scheme_without_the_new_settings_keeps_its_definition():
    old = copy.deepcopy(default_definition())
    for component in old["components"]:
        component.pop("measures", None)
        component.pop("missing", None)
    again = _round_trip(old)
    assert not any("missing" in c or "measures" in c for c in again["components"])
    assert [c["id"] for c in again["components"]] == [c["id"] for c in old["components"]]
    assert validate(again).components == validate(old).components  # the same rules


def test_the_levels_in_words():
    names = {"sales": "Sales", "csat": "CSAT", "repurchase": "Repurchase"}
    notes = level_notes(default_definition(), lambda s: s, names)
    store_csat = "Store customer satisfaction (share of 4–5 answers)"
    assert notes == [
        f"Sales: Store manager paid on Store sales (CNY); Front desk paid on {store_csat}.",
        f"CSAT: Store manager paid on {store_csat}.",
        "Repurchase: Store manager paid on Store repurchase rate; "
        "Front desk paid on Store repurchase rate.",
    ]
