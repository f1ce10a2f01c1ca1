"""Plain names of an incentive scheme's parts (issue 17), against texts written by hand."""

from __future__ import annotations

import pytest

from ee_app.i18n import translator
from ee_app.instruments.scheme import MEASURES, default_definition
from ee_app.models import StaffRole
from ee_app.words import labels
from tests.raw_keys import raw_keys

EN, ZH = translator("en"), translator("zh-CN")


@pytest.mark.parametrize(
    ("curve", "english", "chinese"),
    [
        (
            [[0.8, 0.5], [1.0, 1.0], [1.2, 1.5]],
            "below 80% of target: nothing; at 80%: 50%; at 100%: 100%; at 120% or more: 150% (cap)",
            "低于目标值的 80%：不计奖；80%：计 50%；100%：计 100%；120% 及以上：计 150%（封顶）",
        ),
        (
            [[1, 1]],
            "below 100% of target: nothing; at 100% or more: 100% (cap)",
            "低于目标值的 100%：不计奖；100% 及以上：计 100%（封顶）",
        ),
        (  # a threshold of 92.5% keeps its decimal
            [[0.925, 0.5], [1.1, 1.2]],
            "below 92.5% of target: nothing; at 92.5%: 50%; at 110% or more: 120% (cap)",
            "低于目标值的 92.5%：不计奖；92.5%：计 50%；110% 及以上：计 120%（封顶）",
        ),
    ],
)
def test_the_pay_curve_in_words(curve, english, chinese):
    assert labels.curve_text(curve, EN) == english
    assert labels.curve_text(curve, ZH) == chinese


@pytest.mark.parametrize(
    ("flag", "english", "chinese"),
    [
        (
            ["{component}: no value, so it pays 0.", {"component": "repurchase"}],
            "Repurchase: no value, so it pays 0.",
            "复购：无数据，本项计 0。",  # was "repurchase：无数据，本项计 0。"
        ),
        (
            ["No target bonus for the role {role}: no performance pay.", {"role": "front_desk"}],
            "No target bonus for the role Front desk: no performance pay.",
            "岗位 前台 未设目标奖金：无绩效工资。",
        ),
        (
            [
                "{component}: no target for the role {role}, so it pays 0.",
                {"component": "mystery-shopper", "role": "store_manager"},
            ],
            "Mystery-shopper score: no target for the role Store manager, so it pays 0.",
            "神秘顾客得分：岗位 店长 未设目标值，本项计 0。",
        ),
    ],
)
def test_a_note_names_its_component_and_role(flag, english, chinese):
    assert labels.flag_text(flag, EN) == english
    assert labels.flag_text(flag, ZH) == chinese


def test_a_component_of_the_scheme_is_named_by_its_own_name_in_the_table():
    names = {"repurchase": "Repeat customers"}
    flag = ("{component}: no value, so it pays 0.", {"component": "repurchase"})
    assert labels.flag_text(flag, EN, names) == "Repeat customers: no value, so it pays 0."


@pytest.mark.parametrize("gettext", [EN, ZH], ids=["en", "zh-CN"])
def test_every_measure_component_role_and_rule_has_a_plain_name(gettext):
    language = "en" if gettext is EN else "zh_CN"
    names = [labels.measure_label(m, gettext) for m in MEASURES]
    names += list(labels.component_labels(default_definition()["components"], gettext).values())
    names += [labels.role_label(r.value, gettext) for r in StaffRole]
    names += [labels.missing_rule_label(r, gettext) for r in labels.MISSING_RULES]
    names += [labels.pool_mode_label(m, gettext) for m in labels.POOL_MODES]
    assert set(MEASURES) <= set(labels.MEASURES)  # a new measure needs a name here
    assert {r.value for r in StaffRole} <= {r.value for r in labels.STAFF_ROLES}
    assert len(set(names)) == len(names)  # no two things share a name
    assert {n: k for n in names if (k := raw_keys(n, language))} == {}
    if gettext is ZH:  # translated, not English
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in n) for n in names), names
