"""Issue 13 through the real bot process and the Bot API emulator: team members known in private, membership asked
at every send, and details that leave the private chat when the request leaves its person."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from tests.support.tg_emulator import SentMessage, TelegramEmulator
from tests.telegram.conftest import ANNA, BEN, STAFF_GROUP, BotProcess, Person
from tests.telegram.test_journeys import NAME, NOTE, request_callback_in_arabic

PHONE_SHOWN = "+49 234 1234567"
DEEP_LINK = "https://t.me/elternlotse_test_bot?start=team"
STAFF_WELCOME = "🔒 Sie gehören zum Team-Kanal."


def query(bot: BotProcess, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """What the bot's database holds (read beside the running process)."""
    with sqlite3.connect(bot.tmp / "bot.db") as conn:
        return conn.execute(sql, params).fetchall()


async def until(condition: Any, timeout: float = 15.0) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


def labels(message: SentMessage) -> list[str]:
    return [b.label for row in message.buttons for b in row]


async def staff_opens_private_chat(emu: TelegramEmulator, user_id: int = ANNA) -> Person:
    person = Person(emu, emu.user(user_id))
    welcome = await person.command("start")
    assert welcome.text.startswith(STAFF_WELCOME)
    return person


async def claim(emu: TelegramEmulator, staff: Person, reference: str) -> SentMessage:
    """Press "Übernehmen" on the request's card; returns the details that arrive in the private chat."""
    card = await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text and "Übernehmen" in labels(m))
    before = staff.count()
    emu.press(staff.user.id, card, "Übernehmen")
    details = await staff.next(before)
    assert details.text.startswith(f"🔒 Kontaktdaten zu {reference}") and PHONE_SHOWN in details.text
    return details


async def test_a_team_member_who_starts_the_bot_privately_gets_the_staff_help_not_the_language_picker(
    emu: TelegramEmulator, bot: BotProcess
) -> None:
    anna = Person(emu, emu.user(ANNA))
    welcome = await anna.command("start")
    assert welcome.text.startswith(STAFF_WELCOME) and "/uebernehmen R-…" in welcome.text
    assert welcome.buttons == [] and "العربية" not in welcome.text  # no language picker for the team
    ben = Person(emu, emu.user(BEN))
    deep = await ben.command("start", "team")  # what the deep link t.me/<bot>?start=team sends
    assert deep.text == welcome.text
    anna_again = await anna.command("team")
    assert anna_again.text == welcome.text

    # Non-members stay parents, with or without the deep link: the language picker, nothing of the team.
    for uid in (1020, 1021):
        parent = Person(emu, emu.add_user(uid, "Layla", language_code="ar"), "ar")
        picker = await (parent.command("start") if uid == 1020 else parent.command("start", "team"))
        assert "العربية" in labels(picker) and STAFF_WELCOME not in picker.text
    emu.set_member(STAFF_GROUP, BEN, "left")
    picker = await ben.command("start")  # Ben left the team: from now on he is just a parent
    assert "Deutsch" in labels(picker)

    members = query(bot, "SELECT key, private_chat FROM staff_members ORDER BY key")
    assert members == [("telegram:2001", "telegram:2001"), ("telegram:2002", "telegram:2002")]
    parents = {key for (key,) in query(bot, "SELECT key FROM users")}
    assert parents == {"telegram:1020", "telegram:1021", "telegram:2002"}  # Anna is not taken for a family


async def test_a_claim_before_the_private_chat_is_open_links_to_it_and_the_details_follow_the_start(
    emu: TelegramEmulator, bot: BotProcess
) -> None:
    _, reference = await request_callback_in_arabic(emu)
    card = await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text)
    emu.press(ANNA, card, "Übernehmen")
    hint = await emu.wait_for_message(STAFF_GROUP, lambda m: "schicke ich nur privat" in m.text)
    assert hint.text.startswith(f"Anna: Die Kontaktdaten zu {reference} schicke ich nur privat.")
    assert DEEP_LINK in hint.text  # one tap opens the private chat and sends /start team
    assert emu.messages(ANNA) == []
    for message in emu.messages(STAFF_GROUP):
        assert PHONE_SHOWN not in message.text and NAME not in message.text and NOTE not in message.text

    anna = Person(emu, emu.user(ANNA))
    welcome = await anna.command("start", "team")
    assert welcome.text.startswith(STAFF_WELCOME)
    details = await anna.next(1)
    assert details.text.startswith(f"🔒 Kontaktdaten zu {reference}") and NAME in details.text

    # Once the private chat is known, the next claim sends the details straight there, without a hint.
    hints = len([m for m in emu.messages(STAFF_GROUP) if "schicke ich nur privat" in m.text])
    _, second = await request_callback_in_arabic(emu, 1004)
    await claim(emu, anna, second)
    assert len([m for m in emu.messages(STAFF_GROUP) if "schicke ich nur privat" in m.text]) == hints
