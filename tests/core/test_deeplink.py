"""Deep links from a Kita's poster: the payload's codec, and what a family sees when it arrives through one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core import deeplink
from bot.core import texts as T
from bot.core.deeplink import WayIn
from bot.core.engine import Context
from bot.core.events import Command, CreateRequest, Text
from bot.core.hours import HoursData, district_ids
from bot.core.i18n import LANGUAGES, load_i18n
from tests.conftest import ROOT
from tests.core.test_engine import Parent

WELCOME = (
    "Willkommen bei der Kita-Sozialarbeit des Jugendamts. Wir beraten Familien mit Kindern bis zum "
    "Schuleintritt – kostenlos, freiwillig und vertraulich. Sie müssen keinen Antrag stellen."
)
ENABLED = ["de", "en", "ar"]


@pytest.fixture
def ctx3(ctx: Context) -> Context:
    """The engine with German, English and Arabic switched on."""
    return replace(ctx, i18n=load_i18n(ROOT / "locales", ENABLED))


def test_every_language_and_district_round_trips_within_telegrams_limit(hours: HoursData) -> None:
    for language in LANGUAGES:
        for district in [None, *district_ids(hours)]:
            payload = deeplink.encode(language, district)
            assert len(payload) <= 64 and all(c.isascii() and (c.isalnum() or c in "_-") for c in payload)
            assert deeplink.decode(payload, LANGUAGES, district_ids(hours)) == WayIn(language, district)
    assert deeplink.encode("ar", "mitte") == "ar-mitte"
    assert deeplink.encode("de_easy", "suedwest") == "de_easy-suedwest"


def test_a_payload_that_cannot_be_written_is_refused_when_encoding() -> None:
    for language, district in (("AR", None), ("ar-x", None), ("ar", "Mitte"), ("ar", "mi tte"), ("ar", "x" * 62)):
        with pytest.raises(ValueError):
            deeplink.encode(language, district)


@pytest.mark.parametrize(
    "payload",
    ["", "-", "-mitte", "zz-mitte", "tr-mitte", "ar mitte", "ar-mitte;drop", "ar/../mitte", "a" * 65,
     "ar-mitte" + "x" * 60, "ÄR-mitte", "٣-mitte", "ar\u2066-mitte", "de_easy_x-mitte", "ar_-mitte"],
)  # fmt: skip
def test_a_forged_or_unknown_payload_names_no_way_in(payload: str) -> None:
    assert deeplink.decode(payload, ENABLED, ["mitte", "nord"]) is None


def test_an_unknown_district_is_dropped_and_the_language_kept() -> None:
    assert deeplink.decode("ar-atlantis", ENABLED, ["mitte"]) == WayIn("ar", None)
    assert deeplink.decode("ar-", ENABLED, ["mitte"]) == WayIn("ar", None)
    assert deeplink.decode("AR-Mitte", ENABLED, ["mitte"]) == WayIn("ar", "mitte")  # a typed link in capitals


def test_a_deep_link_opens_in_the_posters_language_without_the_picker(ctx3: Context) -> None:
    parent = Parent(ctx3)
    screen = parent.send(Command("start", "ar-mitte"))
    assert ctx3.i18n.t("ar", WELCOME)[:30] in screen  # the first screen needs no German
    assert "Bitte wählen Sie Ihre Sprache." not in screen and "Willkommen" not in screen
    assert parent.session.lang == "ar" and parent.session.district == "mitte"
    assert ctx3.i18n.t("ar", T.LANGUAGE_BUTTON) in parent.buttons()  # another language is one tap away
    assert len(parent.replies) == 1 and parent.replies[0].rtl


def test_a_forged_deep_link_gets_the_normal_language_picker(ctx3: Context) -> None:
    parent = Parent(ctx3)
    screen = parent.send(Command("start", "xx-<script>"))
    assert "Bitte wählen Sie Ihre Sprache." in screen and "العربية" in parent.buttons()
    assert parent.session.lang is None and parent.session.district is None


def test_the_hours_after_a_deep_link_are_the_kitas_districts(ctx3: Context) -> None:
    parent = Parent(ctx3)
    parent.send(Command("start", "en-wattenscheid"))
    screen = parent.send(Command("hours"))
    assert "Wattenscheid" in screen and "Mitte" not in screen


def test_a_callback_after_a_deep_link_carries_the_district_without_asking(ctx3: Context) -> None:
    en = ctx3.i18n.catalogs["en"]
    parent = Parent(ctx3)
    parent.send(Command("start", "en-nord"))
    parent.press(en["📞 Rückruf anfordern"])
    parent.press(en["💶 Geld und Leistungen"])
    parent.press(en["📞 Bitte anrufen"])
    screen = parent.send(Text("0234 1234567"))
    assert en["In welchem Stadtbezirk wohnen Sie?"] not in screen  # the poster's district is known
    parent.press(en["Vormittags (9–12 Uhr)"])
    parent.press(en["In den nächsten Tagen"])
    parent.send(Text("Ali"))
    consent = parent.send(Text("Brief vom Jobcenter"))
    assert "Nord" in consent  # shown before the family agrees
    parent.press(en["Ja, ich bin einverstanden"])
    request = next(e for e in parent.effects if isinstance(e, CreateRequest))
    assert request.slots["district"] == "nord" and request.language == "en"


def test_a_familys_own_language_and_district_win_over_a_posters(ctx3: Context) -> None:
    parent = Parent(ctx3)
    parent.send(Command("start"))
    parent.press("Deutsch")
    parent.session.district = "ost"
    screen = parent.send(Command("start", "ar-mitte"))
    assert "Willkommen" in screen
    assert parent.session.lang == "de" and parent.session.district == "ost"
