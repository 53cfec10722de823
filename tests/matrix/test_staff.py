"""The staff room on Matrix (encrypted), with families on Telegram (the Bot API emulator): the recommended deployment.

The real `elternlotse run` runs both transports in one process; the queue lives in an encrypted Matrix room.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.matrix.conftest import MatrixBot, Team
from tests.support.matrix_people import MatrixPerson, Seen
from tests.support.synapse import Account, Synapse
from tests.support.tg_emulator import TelegramEmulator
from tests.telegram.conftest import Person
from tests.telegram.test_journeys import NAME, NOTE, request_callback_in_arabic

pytestmark = pytest.mark.slow
People = Callable[..., Awaitable[MatrixPerson]]
TOKEN = "4242:TEST-token"
REFUSED = "Dieser Befehl ist nur für das Team der Kita-Sozialarbeit."  # what a non-member hears in private


@dataclass
class Both:
    bot: MatrixBot
    emu: TelegramEmulator
    team: Team


@pytest.fixture
async def both(synapse: Synapse, tmp_path: Path, bot_account: Account, team: Team) -> AsyncIterator[Both]:
    async with TelegramEmulator(token=TOKEN) as emu:
        bot = MatrixBot(synapse, tmp_path, bot_account, team.room, {
            "ELTERNLOTSE_TELEGRAM_TOKEN": TOKEN, "ELTERNLOTSE_TELEGRAM_API_URL": emu.api_url,
            "ELTERNLOTSE_STAFF_CHANNEL": "matrix", "ELTERNLOTSE_TELEGRAM_CHAT_INTERVAL": "0.02",
        })  # fmt: skip
        await bot.start()
        await emu.wait_for_poll(timeout=30)
        yield Both(bot, emu, team)
        await bot.stop()
        for secret in ("+492341234567", "0234 1234567", NAME, NOTE, bot_account.password):
            assert secret not in bot.log, "personal data or a secret in the bot's log"


async def card_of(anna: MatrixPerson, room: str, reference: str) -> Seen:
    return await anna.wait_until(lambda: next((m for m in anna.rooms.get(room, []) if reference in m.body), None))


async def test_a_telegram_family_is_served_from_the_encrypted_matrix_staff_room(both: Both) -> None:
    anna, room = both.team.anna, both.team.room
    assert "started telegram (polling), matrix (sync, encrypted); staff channel on matrix" in both.bot.log
    parent, reference = await request_callback_in_arabic(both.emu)
    card = await card_of(anna, room, reference)
    assert "Sprache: Arabisch" in card.body and f"!uebernehmen {reference}" in card.body
    for secret in ("+492341234567", "+49 234 1234567", NAME, NOTE):
        assert secret not in card.body  # the staff room sees the minimum

    # Anna claims in the card's thread, without a number: the card is edited in place, the details come privately.
    await anna.say(room, "!uebernehmen", thread=card.event_id)
    await anna.wait_until(lambda: card.edits >= 1 and "übernommen" in card.body)
    assert [m.event_id for m in anna.rooms[room] if reference in m.body] == [card.event_id]  # one card, edited
    direct = await anna.wait_until(
        lambda: next(
            (r for r, msgs in anna.rooms.items() if r != room and any("+49 234 1234567" in m.body for m in msgs)), None
        )
    )
    assert anna.client.rooms[direct].encrypted and set(anna.client.rooms[direct].users) == {
        anna.user_id,
        both.bot.user_id,
    }
    assert any(NAME in m.body for m in anna.rooms[direct])

    # A template goes to the family on Telegram, in Arabic.
    before = parent.count()
    await anna.say(room, "!vorlage call date=30.11.2026 time_window=10-12", thread=card.event_id)
    answer = await parent.next(before)
    assert "مرحبًا" in answer.text and "\u206810–12\u2069" in answer.text  # Arabic, the numbers isolated
    status = both.bot.query("SELECT status, claimed_by FROM callback_requests WHERE reference = ?", reference)
    assert status == [("claimed", f"matrix:{anna.user_id}")]


async def test_a_command_from_a_non_member_with_a_copied_display_name_is_refused(both: Both, people: People) -> None:
    anna, room = both.team.anna, both.team.room
    _, reference = await request_callback_in_arabic(both.emu)
    await card_of(anna, room, reference)
    mallory = await people("mallory", "Anna")  # the same display name as the real member
    direct = await mallory.create_room([both.bot.user_id])
    await mallory.next(direct, 0)  # the greeting
    for command in (f"!uebernehmen {reference}", "!offen"):
        answer = await mallory.ask(direct, command)
        assert answer.body == REFUSED, answer.body
    status = both.bot.query("SELECT status, claimed_by FROM callback_requests WHERE reference = ?", reference)
    assert status == [("open", None)]


def private_room_with(person: MatrixPerson, staff_room: str, text: str) -> str | None:
    return next((r for r, msgs in person.rooms.items() if r != staff_room and any(text in m.body for m in msgs)), None)


async def test_a_handover_names_a_member_by_matrix_id_and_the_details_move_with_it(both: Both, people: People) -> None:
    anna, room = both.team.anna, both.team.room
    ben = await people("ben", "Ben")
    await anna.client.room_invite(room, ben.user_id)
    await ben.wait_until(lambda: room in ben.client.rooms)
    _, reference = await request_callback_in_arabic(both.emu)
    await card_of(anna, room, reference)
    await anna.say(room, f"!uebernehmen {reference[-4:]}")  # anywhere in the room, with the (short) number
    direct = await anna.wait_until(lambda: private_room_with(anna, room, "+49 234 1234567"))
    details = next(m for m in anna.rooms[direct] if "+49 234 1234567" in m.body)

    await anna.say(room, f"!uebergeben {reference} {ben.user_id}")  # Ben never wrote in the room: his id is enough
    await ben.wait_until(lambda: private_room_with(ben, room, "+49 234 1234567"))
    await anna.wait_until(lambda: details.redacted)  # nothing of the family stays with Anna
    status = both.bot.query("SELECT status, claimed_by FROM callback_requests WHERE reference = ?", reference)
    assert status == [("claimed", f"matrix:{ben.user_id}")]


async def test_staff_help_in_the_room_lists_the_commands_as_bang_commands(both: Both) -> None:
    anna, room = both.team.anna, both.team.room
    for typed in ("!hilfe", "!help"):
        answer = await anna.ask(room, typed)
        assert "!offen" in answer.body and "!uebernehmen R-…" in answer.body and "/offen" not in answer.body


__all__ = ["Person"]


async def test_a_member_removed_from_the_staff_room_can_no_longer_act(both: Both, people: People) -> None:
    anna, room = both.team.anna, both.team.room
    ben = await people("ben", "Ben")
    await anna.client.room_invite(room, ben.user_id)
    await ben.wait_until(lambda: room in ben.client.rooms)
    _, reference = await request_callback_in_arabic(both.emu)
    await card_of(anna, room, reference)
    await ben.say(room, f"!uebernehmen {reference}")
    direct = await ben.wait_until(lambda: private_room_with(ben, room, "+49 234 1234567"))
    await anna.client.room_kick(room, ben.user_id)  # membership is asked of the homeserver at every action
    answer = await ben.ask(direct, f"!details {reference}")
    assert answer.body == REFUSED
