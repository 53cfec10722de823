"""Issue 13, tried from outside: what a team member holds when she leaves, blocks the bot, or gets a long message.

Through the real bot process and the Bot API emulator, like tests/telegram/test_staff.py.
"""

from __future__ import annotations

from bot.staff_texts import BACK_IN_QUEUE
from tests.support.tg_emulator import TelegramEmulator
from tests.telegram.conftest import ANNA, STAFF_GROUP, BotProcess, Person, tr
from tests.telegram.test_journeys import NAME, request_callback_in_arabic
from tests.telegram.test_staff import claim, labels, query, staff_opens_private_chat, until

ADDED = "Danke! Wir haben Ihre Nachricht zu Ihrer Anfrage {reference} gelegt. Die Fachkraft liest sie."


async def add_to_request(parent: Person, text: str) -> None:
    """The family writes more about its request ("✉ Etwas ergänzen"): before a claim it joins the note, after a
    claim it goes to the person responsible."""
    offer = await parent.command("callback")
    assert parent.t("✉ Etwas ergänzen") in labels(offer)
    await parent.press("✉ Etwas ergänzen")
    before = parent.count()
    parent.user.send_text(text)
    await parent.next(before)


async def test_a_member_who_leaves_gives_back_every_request_she_held_not_only_the_one_being_sent(
    emu: TelegramEmulator, bot: BotProcess
) -> None:
    # Regression: only the request a message was about returned to the queue; her other requests stayed with her.
    anna = await staff_opens_private_chat(emu)
    first_parent, first = await request_callback_in_arabic(emu)
    _, second = await request_callback_in_arabic(emu, 1004)
    first_details = await claim(emu, anna, first)
    second_details = await claim(emu, anna, second)

    emu.set_member(STAFF_GROUP, ANNA, "left")
    seen_by_anna = anna.count()
    await add_to_request(first_parent, "غدًا بعد الساعة العاشرة")

    for reference in (first, second):
        await emu.wait_for_message(STAFF_GROUP, lambda m, r=reference: r in m.text and BACK_IN_QUEUE in m.text)
    await until(lambda: first_details.deleted and second_details.deleted)
    assert anna.count() == seen_by_anna  # nothing more reached her
    held = "SELECT reference, status, claimed_by FROM callback_requests ORDER BY reference"
    assert sorted(query(bot, held)) == sorted([(first, "open", None), (second, "open", None)])
    assert query(bot, "SELECT count(*) FROM details_copies") == [(0,)]


async def test_a_familys_words_to_a_worker_who_blocked_the_bot_stay_with_the_request(
    emu: TelegramEmulator, bot: BotProcess
) -> None:
    # Regression: the family's message failed ("blocked") on its way to her private chat and was gone for good.
    anna = await staff_opens_private_chat(emu)
    parent, reference = await request_callback_in_arabic(emu)
    await claim(emu, anna, reference)
    emu.block(ANNA, notify=False)  # the bot learns it only when it writes to her

    await add_to_request(parent, "غدًا بعد الساعة العاشرة")
    kept = tr("ar")(ADDED).split("{reference}")[0]
    await emu.wait_for_message(parent.user.id, lambda m: m.text.startswith(kept))
    await emu.wait_for_message(STAFF_GROUP, lambda m: "privat" in m.text.lower() and reference in m.text)

    note = query(bot, "SELECT note FROM callback_requests WHERE reference = ?", reference)[0][0]
    assert note.endswith("غدًا بعد الساعة العاشرة")  # with the request: in her details once she opens the chat again
    events = query(bot, "SELECT e.action FROM request_events e JOIN callback_requests r ON r.id = e.request_id "
                        "WHERE r.reference = ? ORDER BY e.id", reference)  # fmt: skip
    assert events[-1] == ("family-added",)
    assert query(bot, "SELECT coalesce(payload, 'null') FROM outbox WHERE status = 'failed'") == [("null",)]


async def test_every_part_of_details_too_long_for_one_message_leaves_the_private_chat(
    emu: TelegramEmulator, bot: BotProcess
) -> None:
    # Regression: details split into two Telegram messages were remembered by their last part only, so closing the
    # request left the first part (name, phone, the beginning of the note) in her chat.
    anna = await staff_opens_private_chat(emu)
    parent, reference = await request_callback_in_arabic(emu)
    for n in range(4):  # before the claim, each joins the request's note: 4,000 characters and more
        await add_to_request(parent, f"{n} " + "كلمة " * 199)
    before = anna.count()
    details = await claim(emu, anna, reference)
    await until(lambda: anna.count() >= before + 2)
    parts = emu.messages(ANNA)[before:]
    assert len(parts) >= 2 and parts[0] is not None and NAME in details.text

    anna.user.send_command("erledigt", f"{reference} telefonberatung", chat_id=STAFF_GROUP)
    await until(lambda: all(m.deleted for m in parts))
    assert query(bot, "SELECT count(*) FROM details_copies") == [(0,)]
