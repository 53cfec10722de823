"""Issue 13 through the real bot process and the Bot API emulator: team members known in private, membership asked
at every send, and details that leave the private chat when the request leaves its person."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from bot.staff_texts import BACK_IN_QUEUE, DETAILS_REMOVED
from tests.support.tg_emulator import SentMessage, TelegramEmulator
from tests.telegram.conftest import ANNA, BEN, STAFF_GROUP, BotProcess, Person, tr
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


async def test_a_team_member_who_blocked_the_bot_is_asked_in_the_group_to_open_the_chat_again(
    emu: TelegramEmulator, bot: BotProcess
) -> None:
    anna = await staff_opens_private_chat(emu)
    emu.block(ANNA)  # the bot cannot write to her any more, though her private chat is on record
    _, reference = await request_callback_in_arabic(emu)
    card = await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text)
    emu.press(ANNA, card, "Übernehmen")
    hint = await emu.wait_for_message(STAFF_GROUP, lambda m: "schicke ich nur privat" in m.text)
    assert hint.text.startswith(f"Anna: Die Kontaktdaten zu {reference}") and DEEP_LINK in hint.text
    assert PHONE_SHOWN not in hint.text and NAME not in hint.text
    await until(lambda: query(bot, "SELECT private_chat FROM staff_members") == [(None,)])

    emu.unblock(ANNA)
    before = anna.count()
    anna.user.send_command("start", "team")
    await anna.next(before)
    details = await anna.next(before + 1)
    assert details.text.startswith(f"🔒 Kontaktdaten zu {reference}")


async def test_details_reach_no_one_who_left_the_team_before_they_went_out(
    emu: TelegramEmulator, bot: BotProcess
) -> None:
    _, reference = await request_callback_in_arabic(emu)
    await staff_opens_private_chat(emu)
    card = await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text)
    calls = len(emu.calls)
    emu.inject_429(count=1, retry_after=2)  # the details wait two seconds for their second attempt ...
    emu.press(ANNA, card, "Übernehmen")
    await emu.wait_for_call("sendMessage", lambda c: c.status == 429, after=calls)
    emu.set_member(STAFF_GROUP, ANNA, "left")  # ... and meanwhile Anna leaves the team

    back = await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text and BACK_IN_QUEUE in m.text)
    assert "🟡 offen" in back.text and "Zuständig" not in back.text and labels(back) == ["Übernehmen"]
    assert PHONE_SHOWN not in back.text and NAME not in back.text
    assert [m.text for m in emu.messages(ANNA)] == [emu.messages(ANNA)[0].text]  # only her welcome
    member_checks = [c for c in emu.calls[calls:] if c.method == "getChatMember"]
    assert len(member_checks) >= 3  # the claim, the first attempt, and again before the second attempt

    status = query(bot, "SELECT status, claimed_by, claimed_at FROM callback_requests WHERE reference = ?", reference)
    assert status == [("open", None, None)]
    history = query(bot, "SELECT e.actor, e.action FROM request_events e JOIN callback_requests r "
                         "ON r.id = e.request_id WHERE r.reference = ? ORDER BY e.id", reference)  # fmt: skip
    assert history[-2:] == [("telegram:2001", "claimed"), ("system", "owner-left")]
    rows = "SELECT status, error, coalesce(payload, 'null') FROM outbox WHERE kind = 'details'"
    await until(lambda: query(bot, rows) == [("failed", "not a member", "null")])  # and no family data kept


async def test_details_leave_the_private_chat_when_the_request_is_closed_released_or_handed_over(
    emu: TelegramEmulator, bot: BotProcess
) -> None:
    anna = await staff_opens_private_chat(emu)
    ben = await staff_opens_private_chat(emu, BEN)
    _, first = await request_callback_in_arabic(emu)
    details = await claim(emu, anna, first)
    anna.user.send_command("erledigt", f"{first} telefonberatung", chat_id=STAFF_GROUP)
    await until(lambda: details.deleted)

    _, second = await request_callback_in_arabic(emu, 1004)
    released = await claim(emu, anna, second)
    anna.user.send_command("zurueckgeben", second, chat_id=STAFF_GROUP)
    await until(lambda: released.deleted)

    reclaimed = await claim(emu, anna, second)
    before_ben = ben.count()
    anna.user.send_command("uebergeben", f"{second} Ben", chat_id=STAFF_GROUP)
    handed = await ben.next(before_ben)
    assert handed.text.startswith(f"🔒 Kontaktdaten zu {second}")
    await until(lambda: reclaimed.deleted)
    assert not handed.deleted  # Ben is responsible now: his copy stays
    shown = [m.text for m in emu.messages(ANNA) if not m.deleted]
    assert not [text for text in shown if PHONE_SHOWN in text or NAME in text or NOTE in text]
    copies = "SELECT c.chat, r.reference FROM details_copies c JOIN callback_requests r ON r.id = c.request_id"
    await until(lambda: query(bot, copies) == [("telegram:2002", second)])  # recorded once Telegram took it


async def test_details_older_than_48_hours_are_overwritten_because_telegram_keeps_them(
    emu: TelegramEmulator, bot: BotProcess
) -> None:
    anna = await staff_opens_private_chat(emu)
    _, reference = await request_callback_in_arabic(emu)
    details = await claim(emu, anna, reference)
    emu.advance_clock(49 * 3600)
    calls = len(emu.calls)
    anna.user.send_command("erledigt", f"{reference} telefonberatung", chat_id=STAFF_GROUP)
    refused = await emu.wait_for_call("deleteMessage", after=calls)
    assert (refused.status, refused.description) == (400, "Bad Request: message can't be deleted")
    await emu.wait_for_message(ANNA, lambda m: m.message_id == details.message_id and m.text.startswith("🔒 Details"))
    assert details.text == DETAILS_REMOVED.format(reference=reference) and details.buttons == []
    assert not details.deleted
    assert query(bot, "SELECT count(*) FROM details_copies") == [(0,)]


async def test_details_leave_the_private_chat_when_the_family_deletes_its_data(
    emu: TelegramEmulator, bot: BotProcess
) -> None:
    anna = await staff_opens_private_chat(emu)
    parent, reference = await request_callback_in_arabic(emu)
    details = await claim(emu, anna, reference)
    await parent.command("delete")
    await parent.press("Ja, alles löschen")
    await until(lambda: details.deleted)
    assert query(bot, "SELECT count(*) FROM details_copies") == [(0,)]
    assert query(bot, "SELECT status, phone, name, note FROM callback_requests") == [("withdrawn", None, None, None)]


async def test_whole_story_a_team_member_leaves_and_the_familys_next_message_returns_the_request_to_the_queue(
    emu: TelegramEmulator, bot: BotProcess, tmp_path: Path
) -> None:
    # A team member opens the private chat with the bot and is recognised: the staff help, no language picker.
    anna = Person(emu, emu.user(ANNA))
    welcome = await anna.command("start")
    assert welcome.text.startswith(STAFF_WELCOME) and welcome.buttons == []

    # A family files a callback request; she claims it in the group and gets the details privately at once.
    parent, reference = await request_callback_in_arabic(emu)
    details = await claim(emu, anna, reference)
    assert NAME in details.text and NOTE in details.text
    await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text and "Zuständig: Anna" in m.text)

    # She leaves the team. The family writes again, about its request.
    emu.set_member(STAFF_GROUP, ANNA, "left")
    seen_by_anna = anna.count()
    ar = tr("ar")
    offer = await parent.command("callback")
    assert ar("✉ Etwas ergänzen") in labels(offer)
    await parent.press("✉ Etwas ergänzen")
    before_family = parent.count()
    parent.user.send_text("غدًا بعد الساعة العاشرة")

    # The request returns to the queue, and the card says why; nothing reaches her.
    back = await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text and BACK_IN_QUEUE in m.text)
    assert "🟡 offen" in back.text and labels(back) == ["Übernehmen"] and "Anna" not in back.text
    await until(lambda: details.deleted)  # and the details she had are gone from her chat
    assert anna.count() == seen_by_anna
    assert [m.text for m in emu.messages(ANNA) if not m.deleted] == [welcome.text]
    assert all("غدًا" not in m.text for chat in (ANNA, STAFF_GROUP) for m in emu.messages(chat))

    # The family is told where its message is now (truthfully: with the request, for the next person).
    kept = ar("Danke! Wir haben Ihre Nachricht zu Ihrer Anfrage {reference} gelegt. Die Fachkraft liest sie.")
    await parent.next(before_family + 1)
    await emu.wait_for_message(parent.user.id, lambda m: m.text.startswith(kept.split("{reference}")[0]))

    # What the database holds: open again, nobody responsible, an audit entry without personal data, the family's
    # words with the request for whoever claims it next, and no record of any copy in her chat.
    request = query(bot, "SELECT id, status, claimed_by, note FROM callback_requests WHERE reference = ?", reference)
    request_id, status, claimed_by, note = request[0]
    assert (status, claimed_by) == ("open", None) and note.endswith("غدًا بعد الساعة العاشرة")
    events = query(bot, "SELECT actor, action, status FROM request_events WHERE request_id = ? ORDER BY id", request_id)
    assert events[-2:] == [("system", "owner-left", "open"), ("family", "family-added", "open")]
    assert query(bot, "SELECT count(*) FROM details_copies") == [(0,)]
    undelivered = query(bot, "SELECT destination, status, error, coalesce(payload, 'null') FROM outbox "
                             "WHERE kind = 'details' AND status != 'sent'")  # fmt: skip
    assert undelivered == [("telegram:2001", "failed", "not a member", "null")]

    # Ben claims it next and gets the details, the family's new words included.
    ben = await staff_opens_private_chat(emu, BEN)
    handed = await claim(emu, ben, reference)
    assert "غدًا بعد الساعة العاشرة" in handed.text
