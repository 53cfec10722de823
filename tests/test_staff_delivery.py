"""What reaches a staff member's private chat, and what is taken back, through the real application (console)."""

from __future__ import annotations

import uuid

from bot.adapters.base import Inbound
from bot.core.events import ChatKey, Command, UserKey
from tests.support.console_app import console_app


def staff_line(who: str, command: str, args: str, private: bool = False) -> Inbound:
    chat = f"console:dm:{who}" if private else "console:staff"
    return Inbound(f"console:{uuid.uuid4().hex}", UserKey(f"console:staff:{who}"), ChatKey(chat),
                   Command(command, args), private=private, display_name=who.capitalize())  # fmt: skip


async def test_a_team_member_starting_the_bot_privately_is_not_taken_for_a_parent(database_url: str) -> None:
    async with console_app(database_url) as chat:
        out = await chat.say("@anna privat: /start")
        assert "[Private to Anna]: 🔒 Sie gehören zum Team-Kanal." in out and "[Deutsch]" not in out
        out = await chat.say("/start")  # the parent in the same console still gets the language picker
        assert "] Deutsch" in out and "Team-Kanal" not in out
