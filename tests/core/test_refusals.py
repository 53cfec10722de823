"""Refusals are said: a forged or outdated button gets a short answer in the family's language, and a kind."""

from __future__ import annotations

from dataclasses import replace

from bot.core import texts as T
from bot.core.engine import Context
from bot.core.events import Command, Pressed, Refused, RelayToStaff, Text
from bot.core.staffcmd import StaffAction, parse_staff
from tests.core.test_engine import Parent


def english(ctx: Context) -> tuple[Parent, dict[str, str]]:
    parent = Parent(ctx)
    parent.send(Command("start"))
    parent.press("English")
    return parent, ctx.i18n.catalogs["en"]


def refused(parent: Parent) -> list[Refused]:
    return [e for e in parent.effects if isinstance(e, Refused)]


def test_forged_and_outdated_buttons_are_refused_with_a_short_answer_and_their_kind(ctx: Context) -> None:
    parent, en = english(ctx)
    cases = {
        "x" * 64: ("undecodable", T.BUTTON_INVALID),
        "g:nothing": ("undecodable", T.BUTTON_INVALID),
        "o:callback/topic:0": ("old_step", T.BUTTON_OLD),  # a real step, but not the one the family is at
        "o:callback/topic:①": ("undecodable", T.BUTTON_INVALID),  # no button is written with other digits: forged
        "o:main/menu:999": ("undecodable", T.BUTTON_INVALID),
        "o:callback/removed_in_version_2:0": ("old_flow", T.BUTTON_OLD),
        "c:callback/consent:y": ("old_step", T.BUTTON_OLD),
        "l:xx": ("undecodable", T.BUTTON_INVALID),
    }
    for data, (kind, notice) in cases.items():
        screen = parent.send(Pressed(data))
        assert refused(parent) == [Refused(kind, en[notice])], data
        assert en[notice] != notice  # the short answer is in the family's language
        assert parent.replies and screen  # and the family is shown where to go on
    for navigation in ("g:menu", "g:back", "g:lang", "l:en", "o:main/menu:0"):  # menus work from anywhere
        parent.send(Pressed(navigation))
        assert refused(parent) == [], navigation


def test_a_reply_button_for_a_request_that_is_not_the_familys_open_one_is_refused_when_pressed(ctx: Context) -> None:
    parent, en = english(replace(ctx, open_request="R-2026-0007"))
    screen = parent.send(Pressed("r:R-2026-0099"))  # closed since, or another family's: the runtime tells which
    assert refused(parent) == [Refused("old_step", en[T.BUTTON_OLD], "R-2026-0099")]
    assert en[T.RELAY_CLOSED] in screen and parent.session.writing_to is None
    parent.send(Text("Hallo"))
    assert not any(isinstance(e, RelayToStaff) for e in parent.effects)  # what they type next reaches nobody
    parent.send(Pressed("r:R-2026-0007"))
    assert refused(parent) == [] and parent.session.writing_to == "R-2026-0007"


def test_any_button_but_a_queue_button_is_invalid_for_the_staff_desk() -> None:
    assert parse_staff(Pressed("o:main/menu:1"), 2026) == StaffAction("invalid")
    assert parse_staff(Pressed("q:claim:R-2026-0001"), 2026) == StaffAction("claim", "R-2026-0001")
