"""Sorani (ckb): babel, the folding of its letters and its emergency patterns, on a Kurdish or Arabic keyboard."""

from __future__ import annotations

import pytest
from babel import Locale

from bot.core.cards import LANGUAGE_NAMES_DE
from bot.core.emergency import Category, Matcher, fold
from bot.core.i18n import LANGUAGES

VIOLENCE = "مێردەکەم لێم دەدات"  # my husband beats me


def test_babel_knows_sorani_as_right_to_left_with_one_and_other() -> None:
    locale = Locale.parse(LANGUAGES["ckb"].babel)
    assert locale.text_direction == "rtl"
    assert locale.plural_form(1) == "one" and locale.plural_form(2) == "other"
    assert LANGUAGES["ckb"].native == "کوردی (سۆرانی)"
    assert LANGUAGE_NAMES_DE["ckb"] == "Kurdisch (Sorani)"  # what the staff read on the request's card


def test_sorani_letters_fold_to_what_an_arabic_or_persian_keyboard_types() -> None:
    # ە ێ ۆ ڕ ڵ typed as ه ی و ر ل, and ك/ي for ک/ی: one word either way.
    assert fold("مێردەکەم") == fold("ميردهكهم") == fold("میردەکەم")
    assert fold("ڕۆژ") == fold("روژ") and fold("ماڵ") == fold("مال")


@pytest.mark.parametrize(
    ("line", "category"),
    [
        (VIOLENCE, Category.VIOLENCE),
        ("ميردهكهم ليم دهدات", Category.VIOLENCE),  # the same on an Arabic keyboard
        ("دەمەوێت خۆم بکوژم", Category.SUICIDE),
        ("منداڵەکەم هەناسە نادات", Category.MEDICAL),
        ("ماڵەکەمان ئاگری گرتووە", Category.FIRE),
        ("منداڵەکەم ون بووە", Category.CHILD_DANGER),
        ("ئەمشەو شوێنی خەوتنمان نییە", Category.HOMELESS),
        ("دەستدرێژی کرایە سەر کچەکەم", Category.SEXUAL_ABUSE),
        ("ئێستا بە دەمانچەوە لە بەردەم ماڵەکەمانە و هەڕەشە دەکات", Category.VIOLENCE),  # a weapon, any ending
        ("حەبەکانی خەوم هەموو خوارد بۆ ئەوەی بمرم", Category.SUICIDE),  # and medical: both lead the screen
        ("کوڕە بچووکەکەم دیار نییە", Category.CHILD_DANGER),
    ],
)
def test_sorani_emergencies_are_recognised_chosen_or_not(
    patterns_alone: Matcher, line: str, category: Category
) -> None:
    for active in ({"ckb", "de", "en"}, None):
        found = patterns_alone.detect(line, active)
        assert category in found.categories, (line, active)
    assert patterns_alone.detect(line, None).languages[0] == "ckb"  # the screen comes in Sorani before a choice


@pytest.mark.parametrize(
    "line",
    ["کلیلەکەم ون بووە", "جاران مێردەکەم لێم دەدا", "لە گەرمادا خەریکە دەمرم", "منداڵەکان لە یەکتر دەدەن"],
)
def test_sorani_look_alikes_raise_no_alarm(patterns_alone: Matcher, line: str) -> None:
    assert not patterns_alone.detect(line, {"ckb", "de", "en"})


@pytest.mark.parametrize("line", ["می‌خواهم وقت مشاوره بگیرم", "أريد موعدا في الحضانة", "بچه‌ام شب‌ها نمی‌خوابد"])
def test_sorani_patterns_stay_silent_on_ordinary_persian_and_arabic(patterns_alone: Matcher, line: str) -> None:
    assert not patterns_alone.detect(line, None)
