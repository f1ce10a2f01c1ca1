"""The shipped mystery-shopper checklist templates: they validate and keep the house rules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from ee_app.instruments.checklist import DEFAULT_TEMPLATES, default_definitions, validate

DEFINITIONS = default_definitions()
CHECKLISTS = {key: validate(definition) for key, definition in DEFINITIONS.items()}
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# The consultation template's required critical themes, each with the item ids that check it.
REQUIRED_CRITICAL = [
    ("results not exaggerated or guaranteed", ("promise-no-guarantee", "promise-no-exaggeration")),
    ("side effects and recovery time not downplayed", ("risk-side-effects", "risk-recovery")),
    (
        "written disclosure and signature before treatment",
        ("risk-written-disclosure", "risk-consent-signature"),
    ),
    ("no promises outside the written plan", ("promise-within-plan",)),
    ("no patients' before/after photos as proof", ("promise-no-case-photos",)),
    ("no pressure through appearance anxiety", ("conduct-no-anxiety",)),
]


def chinese_texts(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """Every zh-CN value in a raw definition, with where it sits."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "zh-CN":
                yield where, value
            else:
                yield from chinese_texts(value, f"{where}/{node.get('id', key)}")
    elif isinstance(node, list):
        for position, value in enumerate(node):
            yield from chinese_texts(value, f"{where}[{position}]")


def test_every_default_template_is_shipped():
    assert set(DEFINITIONS) == set(DEFAULT_TEMPLATES)


@pytest.mark.parametrize("key", DEFAULT_TEMPLATES)
def test_template_validates_as_its_own_key_version_1(key):
    checklist = CHECKLISTS[key]
    assert (checklist.key, checklist.version) == (key, 1)
    assert checklist.pass_mark is not None


@pytest.mark.parametrize("key", DEFAULT_TEMPLATES)
def test_template_has_20_to_40_items(key):
    items = [i for i in CHECKLISTS[key].items if i.scored or i.type == "text"]
    assert 20 <= len(items) <= 40


@pytest.mark.parametrize("key", DEFAULT_TEMPLATES)
def test_section_weights_sum_to_100(key):
    assert sum(s.weight for s in CHECKLISTS[key].sections) == 100


@pytest.mark.parametrize("key", DEFAULT_TEMPLATES)
def test_template_uses_every_item_type(key):
    types = {i.type for i in CHECKLISTS[key].items}
    assert types == {"yes_no", "scale", "choice", "text"}


@pytest.mark.parametrize("key", DEFAULT_TEMPLATES)
def test_critical_items_are_yes_no_with_guidance(key):
    critical = [i for i in CHECKLISTS[key].items if i.critical]
    assert critical
    for item in critical:
        assert item.type == "yes_no", item.id
        assert item.comment_on_no, item.id
        assert item.guidance is not None, item.id


@pytest.mark.parametrize(("theme", "item_ids"), REQUIRED_CRITICAL)
def test_consultation_checks_required_theme_as_critical(theme, item_ids):
    checklist = CHECKLISTS["consultation-compliance"]
    for item_id in item_ids:
        item = checklist.item(item_id)
        assert item is not None, f"{theme}: no item {item_id}"
        assert item.critical, f"{theme}: {item_id} is not critical"


def test_service_process_fails_a_visit_on_hygiene():
    checklist = CHECKLISTS["service-process"]
    critical = {i.id for i in checklist.items if i.critical}
    assert critical == {"treatment-disinfection", "treatment-single-use"}
    assert all(checklist.section_of(i).id == "treatment" for i in critical)


@pytest.mark.parametrize("key", DEFAULT_TEMPLATES)
def test_every_chinese_text_is_chinese(key):
    found = list(chinese_texts(DEFINITIONS[key]))
    assert found
    for where, text in found:
        assert isinstance(text, str) and CHINESE.search(text), where
