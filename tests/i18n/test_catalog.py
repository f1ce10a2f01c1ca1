"""Every string the app shows has a Chinese translation with the same placeholders, and the
glossary's words are used for the glossary's things."""

import re

import pytest

from ee_app.i18n import catalog, plural_translator, plurals, translator
from ee_app.i18n.refresh import extracted, extracted_plurals

PLACEHOLDER = re.compile(r"\{\w*\}")


def test_every_marked_string_is_translated():
    missing = sorted(extracted() - set(catalog()))
    assert missing == [], f"run scripts/i18n and translate: {missing[:20]}"


def test_placeholders_survive_translation():
    wrong = {
        msgid: text
        for msgid, text in catalog().items()
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text))
    }
    assert wrong == {}


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Employee number", "员工编号"),
        ("Name", "姓名"),
        ("Store", "门店"),
        ("Team", "团队"),
        ("Hire date", "入职日期"),
        ("Beautician", "美容师"),
        ("Consultant", "咨询师"),
        ("Doctor", "医生"),
        ("Nurse", "护士"),
        ("Front desk", "前台"),
        ("Store manager", "店长"),
        ("Mystery shopper", "神秘顾客"),
        ("Region", "区域"),
        ("Brand", "品牌"),
        ("Audit log", "操作日志"),
        # issue 21: a thing's name is 名称, a list of visits 暗访记录, managers by their level
        ("Wave name", "名称"),
        ("Schedule name", "计划名称"),
        ("Visits", "暗访次数"),
        ("Visit records", "暗访记录"),
        ("Manager", "店长 / 区域经理"),
        ("no clear change", "无明显变化"),
        ("up", "上升"),
        ("down", "下降"),
    ],
)
def test_glossary_terms(english, chinese):
    assert translator("zh-CN")(english) == chinese


def test_english_is_the_source():
    assert translator("en")("Org and staff") == "Org and staff"
    with pytest.raises(ValueError):
        translator("fr")


def test_every_plural_is_translated():
    missing = sorted(extracted_plurals() - set(plurals()))
    assert missing == [], f"run scripts/i18n and translate: {missing[:20]}"


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        ("en", 1, "1 comment, in random order and without dates."),
        ("en", 0, "0 comments, in random order and without dates."),
        ("en", 2, "2 comments, in random order and without dates."),
        ("zh-CN", 1, "共 1 条留言，随机排序，不含日期。"),
        ("zh-CN", 7, "共 7 条留言，随机排序，不含日期。"),
    ],
)
def test_plural_forms(language, n, expected):
    ngettext = plural_translator(language)
    singular = "{count} comment, in random order and without dates."
    plural = "{count} comments, in random order and without dates."
    assert ngettext(singular, plural, n).format(count=n) == expected


def test_managers_are_never_just_jingli():
    """Glossary: store manager 店长, region manager 区域经理, never both just 经理."""
    bare = {m: t for m, t in catalog().items() if re.search(r"(?<!区域)经理", t)}
    assert bare == {}
