"""Every choice a family can get, typed instead of pressed: by its number, its German label, its label in the
family's language, in other case and without accents or emoji. Walked through the shipped dialogs, every keyboard."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.core import texts as T
from bot.core.buttons import ReplyTo, encode
from bot.core.choices import fold, numbered
from bot.core.dialogs import Content
from bot.core.emergency import Category, Matcher
from bot.core.emergency_model import load_model
from bot.core.emergency_pattern import parse_pattern
from bot.core.engine import WAITING, Context, step
from bot.core.events import (
    Command,
    CreateRequest,
    Effect,
    Event,
    HandoffDone,
    Offer,
    Pressed,
    Reply,
    Session,
    Text,
)
from bot.core.hours import HoursData
from bot.core.i18n import load_i18n
from tests.conftest import CATALOG_LANGUAGES, PARAMS, ROOT

REFERENCE = "R-2026-0007"
SAMPLE_ANSWERS = {"phone": "0234 1234567", "text": "Morgen früh"}  # what a free-text step is answered with


@pytest.fixture(scope="module")
def typed_ctx(content: Content, hours: HoursData, matcher: Matcher) -> Context:
    """Every catalog, and a platform without buttons (the numbered list is what the family reads)."""
    i18n = load_i18n(ROOT / "locales", CATALOG_LANGUAGES)
    from datetime import UTC, datetime

    now = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    return Context(content, i18n, hours, now, PARAMS, matcher, buttons=False)


def run(session: Session, event: Event, ctx: Context) -> tuple[Session, list[Effect]]:
    """One event as the runtime handles it: JSON in between, a created request answered with HandoffDone."""
    session, effects = step(Session.from_json(session.to_json()), event, ctx)
    if any(isinstance(e, CreateRequest) for e in effects):
        session, more = step(session, HandoffDone(REFERENCE), ctx)
        effects = effects + more
    return Session.from_json(session.to_json()), effects


def outcome(session: Session, effects: list[Effect]) -> tuple[object, ...]:
    return (session.to_json(), tuple(effects))


def plain(label: str) -> str:
    """The label as typed on a phone without emoji or accents, in capitals."""
    no_marks = "".join(ch for ch in unicodedata.normalize("NFD", label) if unicodedata.category(ch)[0] != "M")
    return "".join(ch if unicodedata.category(ch)[0] in "LNZ" else " " for ch in no_marks).strip().upper()


def starts(ctx: Context) -> list[tuple[Context, Session, Event]]:
    """Where the walk begins: a new family, and the keyboards of commands and of the team's messages."""
    base = Session(lang="ar")
    with_request = replace(ctx, open_request=REFERENCE)
    with_reminders = replace(ctx, reminders="mitte")
    return [
        (ctx, Session(), Text("مرحبا")),
        (ctx, base, Command("start")),
        *[(ctx, base, Command(name)) for name in ("help", "privacy", "hours", "emergency", "delete", "language")],
        (ctx, base, Command("reminders")),
        (with_reminders, base, Command("reminders")),
        (with_request, base, Command("callback")),
        (with_request, base, Pressed(encode(ReplyTo(REFERENCE)))),
    ]


def explore(ctx: Context) -> list[tuple[Context, Session, Reply]]:
    """Every (session, newest list) reachable by pressing buttons and answering free-text steps."""
    todo: list[tuple[Context, Session, Event]] = starts(ctx)
    seen: set[str] = set()
    found: list[tuple[Context, Session, Reply]] = []
    while todo:
        context, session, event = todo.pop()
        session, effects = run(session, event, context)
        replies = [e for e in effects if isinstance(e, Reply) and e.buttons]
        offer = session.offer
        # One visit per step, list and kind of answers given: the values chosen do not lead anywhere new.
        choices = tuple(c.data for c in offer.choices) if offer is not None else ()
        key = repr((session.at, choices, session.writing_to, sorted(session.slots), context.open_request,
                    context.reminders, bool(session.history)))  # fmt: skip
        if not replies or offer is None or key in seen:
            continue
        seen.add(key)
        found.append((context, session, replies[-1]))
        todo += [(context, session, Pressed(c.data)) for c in offer.choices]
        node = context.content.node(session.at)
        if offer.free_text and node is not None and node.kind in SAMPLE_ANSWERS:
            todo.append((context, session, Text(SAMPLE_ANSWERS[node.kind])))
    return found


@pytest.fixture(scope="module")
def reachable(typed_ctx: Context) -> list[tuple[Context, Session, Reply]]:
    return explore(typed_ctx)


def test_the_walk_reaches_every_waiting_node_of_the_shipped_dialogs(
    reachable: list[tuple[Context, Session, Reply]], content: Content
) -> None:
    waiting = {n.id for n in content.all_nodes() if n.type in WAITING - {"handoff"}}
    shown = {s.offer.at for _, s, _ in reachable if s.offer is not None}
    assert waiting <= shown, f"never shown: {sorted(waiting - shown)}"


def test_the_stored_list_is_the_numbered_list_the_family_reads(reachable: list[tuple[Context, Session, Reply]]) -> None:
    for _, session, reply in reachable:
        assert isinstance(session.offer, Offer)
        lines = numbered(reply).split("\n")
        assert lines == [f"{n}. {c.label}" for n, c in enumerate(session.offer.choices, 1)]


def test_labels_in_one_list_never_name_two_different_choices(reachable: list[tuple[Context, Session, Reply]]) -> None:
    for _, session, _ in reachable:
        assert session.offer is not None
        named: dict[str, str] = {}
        for choice in session.offer.choices:
            for label in {fold(choice.label), fold(choice.german)}:
                assert named.setdefault(label, choice.data) == choice.data, (session.at, label)


def test_every_choice_typed_by_number_or_label_does_what_its_press_does(
    reachable: list[tuple[Context, Session, Reply]],
) -> None:
    checked = 0
    for context, session, _ in reachable:
        assert session.offer is not None
        free = session.offer.free_text
        for number, choice in enumerate(session.offer.choices, 1):
            pressed = outcome(*run(session, Pressed(choice.data), context))
            if free:  # a step that waits for words: only the explicit forms choose
                typed = [f"#{number}", f"[{choice.label}]", f"[{choice.german}]"]
            else:
                typed = [str(number), choice.german, choice.label, plain(choice.label), f" {choice.german.lower()}. "]
                typed.append(f"{number}. {choice.label}")  # a line copied from the list
            for text in typed:
                if not fold(text):
                    continue  # a label of emoji only has no words to type (its number still works)
                # "SOS" typed is a cry for help: the safety net's first. The model alone never judges a typed label
                # (it alarmed on "📄 Anträge und Briefe von Ämtern"): the patterns do.
                if context.emergency.detect(text, None, learned=False):
                    assert "110" in screen(run(session, Text(text), context)[1]), (session.at, text)
                    continue
                assert outcome(*run(session, Text(text), context)) == pressed, (session.at, text, choice.data)
                checked += 1
    assert checked > 1000


def test_digits_of_the_familys_script_choose_too(typed_ctx: Context) -> None:
    session, _ = run(Session(lang="fa"), Command("start"), typed_ctx)
    assert session.offer is not None
    second = session.offer.choices[1]
    assert outcome(*run(session, Text("۲"), typed_ctx)) == outcome(*run(session, Pressed(second.data), typed_ctx))
    assert outcome(*run(session, Text("٢"), typed_ctx)) == outcome(*run(session, Pressed(second.data), typed_ctx))


def walk(ctx: Context, *lines: str) -> tuple[Session, list[Effect]]:
    session, effects = run(Session(), Command("start"), ctx)
    for line in lines:
        session, effects = run(session, Text(line), ctx)
    return session, effects


def screen(effects: list[Effect]) -> str:
    return "\n".join(e.text + "\n" + numbered(e) for e in effects if isinstance(e, Reply))


def test_a_name_or_note_that_looks_like_a_number_or_a_label_is_taken_as_words(typed_ctx: Context) -> None:
    # Deutsch, callback, money, by phone, a number, Mitte, mornings, soon: then the name question.
    session, effects = walk(typed_ctx, "Deutsch", "📞 Rückruf anfordern", "1", "2", "0234 1234567", "1", "1", "1")
    assert session.offer is not None and session.offer.free_text
    assert typed_ctx.content.node(session.at).slot == "name"  # type: ignore[union-attr]
    assert T.CHOOSE_WITH_HASH in screen(effects)  # and how to choose there instead
    session, effects = run(session, Text("1"), typed_ctx)
    assert session.slots["name"] == "1"
    session, effects = run(session, Text("Überspringen"), typed_ctx)  # the note: a label is words here, too
    assert session.slots["note"] == "Überspringen"
    assert "• Name: 1" in screen(effects) and "• Ihre Nachricht: Überspringen" in screen(effects)


def test_a_phone_number_step_reads_a_bare_number_as_a_phone_number(typed_ctx: Context) -> None:
    session, _ = walk(typed_ctx, "Deutsch", "📞 Rückruf anfordern", "1", "2")
    assert session.at == "callback/phone"
    after, effects = run(session, Text("3"), typed_ctx)
    assert after.at == "callback/phone" and "phone" not in after.slots
    assert "Telefonnummer" in screen(effects)


def test_the_relay_prompt_sends_a_bare_number_to_the_team_member(typed_ctx: Context) -> None:
    ctx = replace(typed_ctx, open_request=REFERENCE)
    session, _ = run(Session(lang="de"), Pressed(encode(ReplyTo(REFERENCE))), ctx)
    _, effects = run(session, Text("1"), ctx)
    assert [type(e).__name__ for e in effects] == ["RelayToStaff"]
    session, _ = run(Session(lang="de"), Pressed(encode(ReplyTo(REFERENCE))), ctx)
    after, effects = run(session, Text("#1"), ctx)  # "Abbrechen"
    assert after.writing_to is None and after.at == "main/menu"


def test_typed_text_that_matches_nothing_keeps_the_floor(typed_ctx: Context) -> None:
    _, effects = walk(typed_ctx, "Deutsch", "99")
    text = screen(effects)
    assert typed_ctx.i18n.t("de", T.USE_BUTTONS_TYPED) in text and "In Gefahr? Notruf 112 · Polizei 110" in text
    assert "Schaltfläche" not in text and "tippen" not in text
    assert "🆘 Notfall" in numbered(next(e for e in reversed(effects) if isinstance(e, Reply)))


def test_a_platform_with_buttons_still_says_tap(typed_ctx: Context) -> None:
    with_buttons = replace(typed_ctx, buttons=True)
    _, effects = walk(with_buttons, "Deutsch", "99")
    assert T.USE_BUTTONS in screen(effects)


def test_sos_and_menu_are_understood_typed_from_any_list(typed_ctx: Context) -> None:
    ctx = replace(typed_ctx, open_request=REFERENCE)
    session, _ = run(Session(lang="en"), Pressed(encode(ReplyTo(REFERENCE))), ctx)
    session, _ = run(session, Text("Hello"), ctx)  # the relay prompt is over: its list has only "Cancel"
    session, effects = run(session, Text("emergency"), ctx)
    assert session.at == "emergency/start" and "110" in screen(effects)
    session, _ = run(session, Text("MENU"), ctx)
    assert session.at == "main/menu"


def test_question_mark_shows_the_same_list_again(typed_ctx: Context) -> None:
    session, effects = walk(typed_ctx, "Türkçe", "1")
    before = next(e for e in reversed(effects) if isinstance(e, Reply))
    again, effects = run(session, Text("?"), typed_ctx)
    assert numbered(next(e for e in reversed(effects) if isinstance(e, Reply))) == numbered(before)
    assert again.offer == session.offer and again.at == session.at


def test_a_team_message_list_is_the_one_numbers_refer_to_and_the_steps_labels_still_work(typed_ctx: Context) -> None:
    ctx = replace(typed_ctx, open_request=REFERENCE)
    session, _ = walk(ctx, "Deutsch")
    reply = Offer.from_json({"choices": [[encode(ReplyTo(REFERENCE)), "✉ Antworten", "✉ Antworten"]]})
    session = replace(session, aside=reply)  # what bot.offers writes when the team's message is queued
    writing, _ = run(session, Text("1"), ctx)
    assert writing.writing_to == REFERENCE
    housing, _ = run(session, Text("Wohnen"), ctx)  # the menu's label: the step's list is still understood
    assert housing.slots.get("topic") == "housing" and housing.aside is None
    _, effects = run(session, Text("?"), ctx)
    assert "1. ✉ Antworten" in screen(effects)


def test_a_typed_label_that_is_also_an_emergency_gets_the_numbers_and_still_chooses(typed_ctx: Context) -> None:
    # No shipped label is recognised as an emergency; an office may write one that is. The numbers come first,
    # and what the family chose is not dropped (issue 11).
    ctx = replace(typed_ctx, emergency=Matcher([parse_pattern("wohnen", "de", Category.HOMELESS)]))
    session, effects = walk(ctx, "Deutsch", "Wohnen")
    text = screen(effects)
    assert text.index("Kein Dach über dem Kopf") < text.index("Mietvertrag")
    assert session.slots.get("topic") == "housing" and session.at == "main/offer"


def test_where_buttons_are_shown_a_typed_number_never_consents_or_deletes(typed_ctx: Context) -> None:
    # A Telegram family sees no numbers: "1" chooses in a menu, as it always did, but is no consent, no deletion.
    ctx = replace(typed_ctx, buttons=True)
    session, _ = walk(ctx, "Deutsch")
    menu, _ = run(session, Text("2"), ctx)
    assert menu.slots.get("topic") == "housing"
    asked, _ = run(session, Command("delete"), ctx)
    _, effects = run(asked, Text("1"), ctx)
    assert not any(type(e).__name__ == "DataRequest" for e in effects)
    _, effects = run(asked, Text("Ja, alles löschen"), ctx)  # the label itself is as explicit as the button
    assert any(type(e).__name__ == "DataRequest" for e in effects)
    steps = ["📞 Rückruf anfordern", "1", "2", "0234 1234567", "1", "1", "1", "Anna", "#1"]  # name, no note
    consent, _ = walk(ctx, "Deutsch", *steps)
    assert consent.at == "callback/consent"
    _, effects = run(consent, Text("1"), ctx)
    assert not any(type(e).__name__ == "RecordConsent" for e in effects)


def test_a_label_typed_is_never_judged_by_the_model_alone(typed_ctx: Context, tmp_path: Path) -> None:
    # Regression: "💬 Hier im Chat schreiben" typed at the callback's contact question (the console demo, Matrix, the
    # web chat) got the model's alarm (0.76): the family saw the numbers and the request went to the team as 🆘.
    # Here a model that takes every line of three words for an emergency: the label still only chooses.
    arrays = {
        "vocabulary": np.array("#unused"),
        "idf": np.ones(1),
        "weights": np.zeros((1, 8)),
        "intercepts": np.array([10.0, 0, 0, 0, 0, 0, 0, 0]),
        "categories": np.array("\n".join(c.value for c in Category)),
        "chars": np.array(0),
        "source": np.array("test"),
    }
    with (tmp_path / "emergency_model.npz").open("wb") as fh:
        np.savez_compressed(fh, **arrays)
    ctx = replace(typed_ctx, emergency=Matcher([], model=load_model(tmp_path)))
    session, _ = walk(ctx, "Deutsch", "📞 Rückruf anfordern", "1")
    assert session.at == "callback/contact_way", session.at
    chat = next(choice for choice in session.offer.choices if "Chat" in choice.german)  # type: ignore[union-attr]
    after, effects = run(session, Text(chat.label), ctx)
    assert "110" not in screen(effects) and "sos" not in after.slots
    assert outcome(after, effects) == outcome(*run(session, Pressed(chat.data), ctx))
    _, effects = run(session, Text("wir schreiben lieber hier"), ctx)  # the family's own words: the model judges
    assert "110" in screen(effects)
