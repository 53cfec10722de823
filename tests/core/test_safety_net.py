"""The safety net: an emergency adds the numbers to what a message was for; nothing typed is left without a way out."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.core import texts as T
from bot.core.emergency import Matcher
from bot.core.engine import Context
from bot.core.events import Command, CreateRequest, Pressed, RelayToStaff, Text
from bot.core.i18n import load_i18n
from tests.conftest import CATALOG_LANGUAGES
from tests.core.test_engine import Parent

ROOT = Path(__file__).resolve().parent.parent.parent
THREAT = "Morgen nicht, mein Mann ist zu Hause und bedroht mich"


def german(ctx: Context) -> Parent:
    parent = Parent(ctx)
    parent.send(Command("start"))
    parent.press("Deutsch")
    return parent


def to_the_note(parent: Parent) -> None:
    parent.press("📞 Rückruf anfordern")
    parent.press("💶 Geld und Leistungen")
    parent.press("💬 Hier im Chat schreiben")
    parent.press("Mitte")
    parent.press("Egal")
    parent.press("In den nächsten Tagen")
    parent.press("Überspringen")
    assert parent.session.at == "callback/note"


def test_reply_to_the_social_worker_that_mentions_a_threat_still_reaches_the_worker(ctx: Context) -> None:
    parent = german(replace(ctx, open_request="R-2026-0007"))  # the reply button works for the family's own request
    parent.send(Pressed("r:R-2026-0007"))
    screen = parent.send(Text(THREAT))
    relayed = [e for e in parent.effects if isinstance(e, RelayToStaff)]
    assert relayed == [RelayToStaff("R-2026-0007", THREAT, "violence")]
    assert "110" in screen and "116 016" in screen
    assert parent.session.writing_to is None  # delivered, so nothing is pending any more


def test_sos_button_while_writing_to_the_worker_keeps_who_the_family_writes_to(ctx: Context) -> None:
    parent = german(replace(ctx, open_request="R-2026-0007"))
    parent.send(Pressed("r:R-2026-0007"))
    assert "116 016" in parent.send(Command("emergency"))
    assert parent.session.writing_to == "R-2026-0007"
    parent.send(Text("Bitte rufen Sie mich an"))
    assert [e for e in parent.effects if isinstance(e, RelayToStaff)] == [
        RelayToStaff("R-2026-0007", "Bitte rufen Sie mich an")
    ]


def test_callback_note_that_mentions_the_police_is_kept_and_the_request_becomes_urgent(ctx: Context) -> None:
    parent = german(ctx)
    to_the_note(parent)
    note = "Die Polizei war gestern da, er droht mich umzubringen"
    screen = parent.send(Text(note))
    assert "110" in screen and "Sind Sie einverstanden?" in screen  # the numbers, then the flow goes on
    assert screen.index("110") < screen.index("Sind Sie einverstanden?")
    assert parent.session.slots["note"] == note and parent.session.slots["urgent"] == "yes"
    parent.press("Ja, ich bin einverstanden")
    created = [e for e in parent.effects if isinstance(e, CreateRequest)]
    assert created and created[0].slots["sos"] == "violence" and created[0].slots["note"] == note


def test_child_not_breathing_typed_at_the_menu_leads_with_112(ctx: Context) -> None:
    parent = german(ctx)
    screen = parent.send(Text("Mein Kind atmet nicht"))
    assert screen.startswith("🚑") and "112" in screen.splitlines()[0]
    assert "Bitte tippen Sie" not in screen


def test_an_overdose_typed_at_the_menu_leads_with_the_crisis_line_then_112_for_the_injury(ctx: Context) -> None:
    # Regression: medical led every line that was also suicide, so a parent who had swallowed all the pills was first
    # asked "Braucht Ihr Kind sofort ärztliche Hilfe?" and the 🆘 card told the worker "medical".
    parent = german(ctx)
    screen = parent.send(Text("hab grad alle tabletten von meiner mutter geschluckt, ich kann nicht mehr"))
    first, second = [line for line in screen.splitlines() if line][:2]
    assert first.startswith("💬") and "0800 111 0 111" in first and "112" in first
    assert second.startswith("🚑") and "112" in second


@pytest.fixture(scope="module")
def every_language(content, hours, matcher: Matcher) -> Context:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from tests.conftest import PARAMS

    i18n = load_i18n(ROOT / "locales", CATALOG_LANGUAGES)
    return Context(content, i18n, hours, datetime(2026, 11, 25, 11, tzinfo=UTC), PARAMS, matcher)


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("tr", "kocam beni dövüyor, yardım edin"),
        ("ar", "زوجي يضربني"),
        ("ru", "муж меня бьёт"),
        ("ckb", "مێردەکەم لێم دەدات"),  # Sorani shares its script with Arabic and Persian
    ],
)
def test_before_a_language_is_chosen_the_emergency_screen_comes_in_the_language_typed(
    every_language: Context, lang: str, line: str
) -> None:
    parent = Parent(every_language)
    screen = parent.send(Text(line))
    lead = every_language.i18n.t(lang, T.EMERGENCY_LEADS["violence"])
    assert lead.split(":")[0] in screen and "110" in screen
    assert "Deutsch" in parent.buttons() and parent.session.lang is None  # and then the choice of language


@pytest.mark.parametrize("line", ["asdf", "Was kostet das?", "??"])
def test_anything_not_understood_at_the_menu_offers_the_numbers_and_the_sos_button(ctx: Context, line: str) -> None:
    parent = german(ctx)
    screen = parent.send(Text(line))
    assert "In Gefahr? Notruf 112 · Polizei 110" in screen
    assert "🆘 Notfall" in parent.buttons()


def test_not_understood_inside_the_callback_flow_and_after_an_unknown_command(ctx: Context) -> None:
    parent = german(ctx)
    parent.press("📞 Rückruf anfordern")
    for event in (Text("weiß nicht genau"), Command("frobnicate")):
        screen = parent.send(event)
        assert "In Gefahr? Notruf 112 · Polizei 110" in screen and "🆘 Notfall" in parent.buttons()
    parent.press("💶 Geld und Leistungen")
    parent.press("📞 Bitte anrufen")
    screen = parent.send(Text("meine nummer weiß ich nicht"))
    assert "In Gefahr? Notruf 112 · Polizei 110" in screen and "🆘 Notfall" in parent.buttons()


def test_typed_text_before_a_language_is_chosen_offers_the_sos_button(ctx: Context) -> None:
    parent = Parent(ctx)
    screen = parent.send(Text("hallo"))
    assert "🆘 112 · 110" in screen
    screen = parent.press("🆘 SOS")
    assert "116 016" in screen and "Deutsch" in parent.buttons()


def test_emergency_screen_says_which_numbers_are_free_and_when_lines_answer(ctx: Context) -> None:
    screen = german(ctx).send(Command("emergency"))
    assert "Alle Nummern sind kostenlos" not in screen
    assert "Diese Nummern sind kostenlos." in screen
    assert "Notdienst des Jugendamts (normale Telefonkosten): +49 234 000000" in screen
    assert "Mo–Fr 9–17 Uhr" in screen and "Mo–Sa 14–20 Uhr" in screen


def test_privacy_screen_names_the_law_s_exception_and_the_office_phone(ctx: Context) -> None:
    screen = german(ctx).send(Command("privacy"))
    assert "keinen Ärger" not in screen
    assert "§ 8a SGB VIII" in screen and "+49 234 111111" in screen


def test_a_danger_only_the_model_recognised_before_a_choice_comes_in_the_language_typed(
    every_language: Context, patterns_alone: Matcher
) -> None:
    # The model names no language (it reads them all): the screen would have come in German to a Russian line.
    from bot.langdetect import TypedLanguage

    line = "сосед пишет, её парень столкнул её с лестницы и она не может встать"
    assert not patterns_alone.detect(line, None)
    found = every_language.emergency.detect(line, None)
    assert found and found.languages == ()
    parent = Parent(replace(every_language, guess_language=TypedLanguage(CATALOG_LANGUAGES)))
    screen = parent.send(Text(line))
    lead = every_language.i18n.t("ru", T.EMERGENCY_LEADS[found.categories[0].value])
    assert lead.split(":")[0] in screen
    assert "Deutsch" in parent.buttons() and parent.session.lang is None  # and then the choice of language
