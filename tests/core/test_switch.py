"""The language of typed text: a parent who chose German and writes Turkish is offered Türkçe, once."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.core.dialogs import Content
from bot.core.emergency import Matcher
from bot.core.engine import Context
from bot.core.events import Command, Text
from bot.core.hours import HoursData
from bot.core.i18n import I18n, load_i18n
from bot.langdetect import TypedLanguage
from tests.conftest import PARAMS, ROOT
from tests.core.test_engine import Parent

ENABLED = ["de", "en", "tr", "ar", "ku"]
TURKISH = "Merhaba, çocuğum için yardım almak istiyorum"
OFFER_DE = "Sie schreiben Türkisch – auf Türkçe wechseln?"
OFFER_TR = "Türkçe devam etmek için buraya dokunun:"


@pytest.fixture(scope="module")
def detector() -> TypedLanguage:
    return TypedLanguage(ENABLED)


@pytest.fixture(scope="module")
def i18n_typed() -> I18n:
    return load_i18n(ROOT / "locales", ENABLED)


@pytest.fixture
def parent(content: Content, i18n_typed: I18n, hours: HoursData, matcher: Matcher, detector: TypedLanguage) -> Parent:
    now = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    parent = Parent(Context(content, i18n_typed, hours, now, PARAMS, matcher, guess_language=detector))
    parent.send(Command("start"))
    parent.press("Deutsch")
    return parent


def test_a_turkish_line_after_choosing_german_gets_the_offer_and_the_button_switches(parent: Parent) -> None:
    screen = parent.send(Text(TURKISH))
    assert f"{OFFER_DE}\n{OFFER_TR}" in screen
    assert "Bitte tippen Sie auf eine der Schaltflächen." in screen  # the line is still answered as before
    assert parent.session.lang == "de"
    screen = parent.press("🌐 Türkçe")
    assert parent.session.lang == "tr"
    assert "💶 Para ve sosyal yardımlar" in parent.buttons()


def test_the_offer_is_made_once(parent: Parent) -> None:
    assert OFFER_DE in parent.send(Text(TURKISH))
    assert "Türk" not in parent.send(Text("Lütfen bana yardım edin, çok acil değil"))
    assert parent.session.language_offered


def test_nothing_typed_is_kept_for_the_offer(parent: Parent) -> None:
    parent.send(Text(TURKISH))
    state = json.dumps(parent.session.to_json(), ensure_ascii=False)
    assert "çocuğum" not in state and "yardım" not in state
    assert parent.session.to_json()["language_offered"] is True


def test_no_offer_for_a_few_words_for_german_or_for_a_name_at_a_free_text_question(parent: Parent) -> None:
    assert "wechseln?" not in parent.send(Text("Ali Yılmaz"))  # two words: a name, not a language
    assert "wechseln?" not in parent.send(Text("Ich brauche Hilfe mit dem Jobcenter"))
    parent.session.at = "callback/name"
    assert "wechseln?" not in parent.send(Text("Ayşe Nur Yılmaz Demir"))
    parent.session.at = "callback/note"
    assert "wechseln?" not in parent.send(Text("Kira sözleşmesi için bir mektup aldım"))
    assert not parent.session.language_offered


def test_violence_typed_in_turkish_after_choosing_german_is_recognised_and_gets_no_offer(parent: Parent) -> None:
    # Regression: after choosing German only German and English patterns were read; this line got the floor line.
    screen = parent.send(Text("Kocam beni dövüyor, lütfen yardım edin"))
    assert "Rufen Sie die Polizei: 110" in screen and "116 016" in screen
    assert "wechseln?" not in screen


def test_an_arabic_line_after_choosing_english_is_offered_in_both_languages(
    content: Content, i18n_typed: I18n, hours: HoursData, matcher: Matcher, detector: TypedLanguage
) -> None:
    now = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    parent = Parent(Context(content, i18n_typed, hours, now, PARAMS, matcher, guess_language=detector))
    parent.send(Command("start"))
    parent.press("English")
    screen = parent.send(Text("أحتاج مساعدة مع طفلي من فضلكم"))
    assert "You are writing in Arabic – switch to العربية?" in screen
    assert "اضغطوا هنا للمتابعة باللغة العربية:" in screen
    parent.press("🌐 العربية")
    assert parent.session.lang == "ar"


def test_kurmanji_and_sorani_are_told_by_their_own_letters() -> None:
    detector = TypedLanguage(["de", "tr", "ku", "fa", "ckb"])
    assert detector("Ez alîkariyê dixwazim ji bo zarokê xwe") == "ku"  # lingua alone says Turkish
    assert detector("Çocuğum için yardım istiyorum lütfen") == "tr"
    assert detector("من یارمەتیم دەوێت بۆ منداڵەکەم") == "ckb"
    assert detector("من برای فرزندم به کمک نیاز دارم") == "fa"
    assert TypedLanguage(["de", "tr", "fa"])("Ez alîkariyê dixwazim ji bo zarokê xwe") in (None, "tr")
