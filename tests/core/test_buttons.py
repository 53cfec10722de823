"""Button data: one codec writes and reads it; whatever it writes fits Telegram's 64 bytes and reads back the same."""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.buttons import (
    MAX_BYTES,
    MAX_INDEX,
    Choose,
    CloseAs,
    Consent,
    Decoded,
    DeleteData,
    Go,
    Kind,
    Nav,
    PickLanguage,
    Queue,
    QueueAction,
    Remind,
    RemindAction,
    ReplyTo,
    Skip,
    claimed_kind,
    decode,
    encode,
)
from bot.core.cards import CardData, render_card
from bot.core.engine import COMMAND_TARGETS, MENU, Context, step
from bot.core.events import Command, CreateRequest, Event, HandoffDone, Pressed, Reply, Session, Text
from bot.core.i18n import LANGUAGES, load_i18n
from bot.core.staffcmd import StaffAction, is_staff_event, parse_staff

ROOT = Path(__file__).resolve().parents[2]
EVERY_KIND: list[tuple[Decoded, str]] = [
    *[(Go(nav), f"g:{nav.value}") for nav in Nav],
    (DeleteData(), "x:delete"),
    *[(PickLanguage(code), f"l:{code}") for code in LANGUAGES],
    (ReplyTo("R-2026-0042"), "r:R-2026-0042"),
    (Choose("main/menu", 0), "o:main/menu:0"),
    (Choose("callback/district", MAX_INDEX), "o:callback/district:9999"),
    (Skip("callback/name"), "k:callback/name:"),
    (Consent("callback/consent", True), "c:callback/consent:y"),
    (Consent("callback/consent", False), "c:callback/consent:n"),
    *[(Queue(action, "R-2026-0042"), f"q:{action.value}:R-2026-0042") for action in QueueAction],
    (CloseAs("R-2026-0042", "jobcenter"), "q:as:R-2026-0042:jobcenter"),
    (Remind(RemindAction.STOP), "m:stop"),
    (Remind(RemindAction.DISTRICT), "m:district"),
]
FORGED = [
    "", ":", "g", "g:", "g:nothing", "g:SOS", "g:sos:", "x:", "x:delete:", "x:everything", "l:", "l:EN", "l:d",
    "l:de;drop", "r:", "r:foo", "r:R-2026-42", "r:r-2026-0042", "r:R-٢٠٢٦-0042", "r:R-2026-0042 ",
    "q:", "q:as:R-2026-0042:", "q:as:R-2026-0042:Jobcenter", "q:as:R-2026-0042", "q:as::jobcenter",
    "q:claim", "q:claim:", "q:nuke:R-2026-0001", "q:claim:R-2026-0001;DROP", "q:claim:r-2026-0001",
    "o:main/menu", "o:main/menu:", "o:main/menu:-1", "o:main/menu:+1", "o:main/menu:01", "o:main/menu:10000",
    "o:main/menu:٣", "o:main/menu:²", "o:callback/topic:①", "o:main/menu: 1", "o::0", "o:menu:0", "o:/menu:0",
    "o:main/:0", "o:main menu/x:0", "o:main/menu\x00:0", "o:main/menu:0\n", "k:callback/name:1", "k:callback/name",
    "c:callback/consent:", "c:callback/consent:yes", "c:callback/consent:Y", "z:main/menu:0", "O:main/menu:0",
    "m:", "m", "m:STOP", "m:stop:", "m:stop:R-2026-0001", "m:all", "m:district:mitte",
    "\ud800", "g:\ud800", "x" * 64, "x" * 65, "o:" + "a/" + "b" * 60 + ":0",
]  # fmt: skip


def test_every_kind_of_button_round_trips_in_the_format_the_bot_has_always_sent() -> None:
    for press, wire in EVERY_KIND:
        assert encode(press) == wire, press  # unchanged: buttons in chats from before still work
        assert decode(wire) == press, wire
        assert claimed_kind(wire) is Kind(wire[0])
    assert {Kind(wire[0]) for _, wire in EVERY_KIND} == set(Kind)


@pytest.mark.parametrize("data", FORGED)
def test_forged_garbage_and_oversized_data_decodes_to_none(data: str) -> None:
    assert decode(data) is None


def test_the_limit_is_64_bytes_of_utf8_not_64_characters() -> None:
    fits = "o:a/" + "ä" * 28 + ":0"  # 4 + 56 + 2 = 62 bytes
    assert decode(fits) == Choose("a/" + "ä" * 28, 0)
    assert len(("o:a/" + "ä" * 29 + ":0").encode()) == 64 and decode("o:a/" + "ä" * 29 + ":0") is not None
    assert decode("o:a/" + "ä" * 29 + "b:0") is None  # 65 bytes, though only 36 characters
    with pytest.raises(ValueError, match="65 bytes"):
        encode(Choose("a/" + "ä" * 29 + "b", 0))


@pytest.mark.parametrize(
    "press",
    [
        Choose("flow/" + "n" * 60, 0),  # too long
        Choose("flow/a node", 0),  # a space: would not read back
        Choose("flow/a:b", 0),  # a colon: would not read back
        Choose("main/menu", -1),
        Choose("main/menu", MAX_INDEX + 1),
        Skip("nodeless"),
        PickLanguage("EN"),
        ReplyTo("42"),
        Queue(QueueAction.CLAIM, "R-2026-0001;DROP"),
    ],
)
def test_encode_refuses_what_would_not_fit_or_not_read_back(press: Decoded) -> None:
    with pytest.raises(ValueError):
        encode(press)


def test_only_the_form_encode_writes_is_read() -> None:
    # decode(x) is None or encodes back to exactly x: two spellings of one press cannot exist.
    samples = [wire for _, wire in EVERY_KIND] + FORGED
    variants = {v for s in samples for v in (s, s.upper(), s.lower(), s + ":", s + "0", s[:-1], " " + s, s + " ")}
    for data in variants:
        press = decode(data)
        assert press is None or encode(press) == data, data


def test_a_queue_lookalike_is_routed_to_the_desk_which_refuses_it() -> None:
    for data in ("q:nuke:R-2026-0001", "q:claim:R-2026-0001;DROP"):
        assert is_staff_event(Pressed(data)) and parse_staff(Pressed(data), 2026) == StaffAction("invalid")
    assert not is_staff_event(Pressed("o:main/menu:0")) and not is_staff_event(Pressed("qq:claim:R-2026-0001"))
    assert parse_staff(Pressed("q:tpl:R-2026-0001"), 2026) == StaffAction("templates", "R-2026-0001")


def card_buttons(reference: str) -> list[str]:
    created = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    data = []
    for status in ("open", "claimed", "done", "withdrawn"):
        card = CardData(reference, status, "money", "de", "telegram", "mitte", "any", True, "phone", created)
        data += [b.data for row in render_card(card, created, "Mitte").buttons for b in row]
    return data


def walk(ctx: Context, presses: tuple[str, ...] = ()) -> tuple[list[str], set[str]]:
    """Every button data the engine shows on its way through all of the content, and the nodes it stood at."""
    shown: list[str] = []
    stood: set[str | None] = set()
    start = [Command("start"), Text("hallo")]
    later = [Command(name) for name in (*COMMAND_TARGETS, "start", "delete", "language", "reminders", "x")]
    todo: deque[tuple[Session, Event]] = deque([(Session(), e) for e in start])
    todo += [(Session(lang="de", at=MENU), e) for e in later]
    todo += [(Session(lang="de", at=MENU), Pressed(data)) for data in presses]  # buttons shown on no step of their own
    while todo:
        session, event = todo.popleft()
        session, effects = step(session, event, ctx)
        data = [b.data for e in effects if isinstance(e, Reply) for row in e.buttons for b in row]
        shown += data
        if session.at in stood:
            continue
        stood.add(session.at)
        todo += [(session, Pressed(d)) for d in data]
        node = ctx.content.node(session.at)
        if node is not None and node.type == "ask" and node.kind in ("text", "phone"):
            todo.append((session, Text("0234 1234567")))
        if any(isinstance(e, CreateRequest) for e in effects):
            todo.append((session, HandoffDone("R-2026-0042")))
    return shown, {at for at in stood if at is not None}


def test_every_button_the_bot_can_show_fits_64_bytes_and_round_trips(ctx: Context) -> None:
    everyone = replace(ctx, i18n=load_i18n(ROOT / "locales", list(LANGUAGES)))
    shown, stood = walk(everyone)
    with_open_request, stood_too = walk(replace(everyone, open_request="R-2026-0042"))
    # A family with reminders: /reminders offers another district and stop.
    with_reminders, stood_also = walk(replace(everyone, reminders="mitte"), ("m:district", "m:stop"))
    stood_too |= stood_also
    shown += with_open_request + with_reminders + card_buttons("R-2026-0042") + card_buttons("R-2026-" + "9" * 40)
    for data in shown:
        assert len(data.encode()) <= MAX_BYTES, data
        press = decode(data)
        assert press is not None and encode(press) == data, data
    nodes = [n for flow in ctx.content.flows.values() for n in flow.nodes.values()]
    waiting = {n.id for n in nodes if n.type in ("menu", "ask", "consent")}
    assert waiting <= stood | stood_too  # the walk went everywhere a button can be shown
    assert {claimed_kind(d) for d in shown} == set(Kind)
    assert {f"l:{code}" for code in LANGUAGES} <= set(shown)
