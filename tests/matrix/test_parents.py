"""Parents on Matrix: an encrypted direct chat with the real bot process on a real Synapse."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.core.i18n import load_i18n
from tests.matrix.conftest import LANGS, ROOT, MatrixBot
from tests.support.matrix_people import MatrixPerson

pytestmark = pytest.mark.slow
People = Callable[..., Awaitable[MatrixPerson]]
TRANSLATIONS = load_i18n(ROOT / "locales", LANGS.split(","))


async def direct_chat(parent: MatrixPerson, bot: MatrixBot) -> tuple[str, str]:
    """The parent opens an encrypted direct chat with the bot; returns the room and the bot's greeting."""
    room = await parent.create_room([bot.user_id])
    greeting = await parent.next(room, 0)
    return room, greeting.body


async def test_invited_to_a_direct_chat_the_bot_joins_and_greets_with_the_language_picker(
    people: People, matrix_bot: MatrixBot
) -> None:
    parent = await people("layla")
    room, greeting = await direct_chat(parent, matrix_bot)
    assert parent.client.rooms[room].encrypted
    assert "1. Deutsch" in greeting and "فارسی" in greeting  # the options as a numbered list, each in itself
    assert "Bitte wählen Sie Ihre Sprache." in greeting
    message = parent.rooms[room][0]
    assert message.html is not None and "<br>" in message.html


async def test_commands_work_typed_with_a_slash_or_an_exclamation_mark(people: People, matrix_bot: MatrixBot) -> None:
    parent = await people("omid")
    room, _ = await direct_chat(parent, matrix_bot)
    for typed in ("!emergency", "/emergency", "!Emergency"):
        before = parent.count(room)
        await parent.say(room, typed)
        await parent.wait_until(lambda start=before: any("112" in m.body for m in parent.rooms[room][start:]))
        await parent.next(room, before + 1)  # the language picker follows: nobody chose a language yet


async def test_dynamic_values_are_escaped_in_the_html_body(people: People, matrix_bot: MatrixBot) -> None:
    parent = await people("mina")
    room, _ = await direct_chat(parent, matrix_bot)
    answer = await parent.ask(room, "<b>hallo</b> & <script>")
    assert answer.html is not None and "<script>" not in answer.html and "<b>" not in answer.html


async def test_in_a_room_with_more_people_the_bot_talks_one_to_one_only(people: People, matrix_bot: MatrixBot) -> None:
    parent, friend = await people("sara"), await people("friend")
    room = await parent.create_room([matrix_bot.user_id, friend.user_id], direct=False)
    await parent.wait_until(lambda: len(parent.client.rooms[room].users) == 3
                            and not parent.client.rooms[room].invited_users)  # fmt: skip
    answer = await parent.ask(room, "!callback")
    private_only = TRANSLATIONS.t(
        "de", "Bitte schreiben Sie mir privat. In Gruppen beantworte ich keine Fragen von Familien."
    )
    assert answer.body == private_only
