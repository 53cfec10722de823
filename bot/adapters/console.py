"""The console adapter: you are a parent in a terminal; what the staff channel receives is shown, marked."""

from __future__ import annotations

import asyncio
import re
import sys
import textwrap
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import timedelta
from typing import TextIO

from bot.adapters.base import Delivery, Handler, Inbound, Outgoing
from bot.core.choices import numbered
from bot.core.events import ChatKey, Command, Event, Pressed, Text, Unsupported, UserKey
from storage.kinds import Outcome

PARENT = "console:parent"
STAFF = "console:staff"
STAFF_LINE = re.compile(r"@(?P<who>[a-z][a-z0-9_]{0,30})(?P<private> privat)?:\s?(?P<rest>.*)", re.IGNORECASE)
ADVANCE = re.compile(r"!advance (?P<n>\d{1,3})(?P<unit>[dhm])")  # the demo only: move its clock forward
UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class ConsoleAdapter:
    """Reads lines (a script or stdin), prints replies. A platform without buttons: the parent's choices are listed
    by number (bot.core.choices.numbered), and `2`, `#2`, a label or `[Label]` are text the engine reads, so
    nothing of the parent's keyboard is kept here.

    A line `@anna: …` is staff member Anna writing in the staff channel, where `#N` and `[Label]` press a button of
    the newest card; `@anna privat: …` is Anna writing to the bot in private.
    """

    name = "console"

    def __init__(self, out: TextIO = sys.stdout, script: Iterable[str] | None = None, echo: bool = False) -> None:
        self.out = out
        self.script = script
        self.echo = echo
        self.staff_buttons: list[tuple[str, str]] = []  # the newest card's buttons in the staff channel
        self.sent = 0
        self.on_advance: Callable[[timedelta], Awaitable[None]] | None = None  # the demo moves its clock

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        return None

    def shows_buttons(self) -> bool:
        """A terminal has no buttons: choices are a numbered list, answered by typing."""
        return False

    async def is_member(self, channel: ChatKey, user: UserKey) -> bool:
        """In the console, whoever writes as @name is a member of the staff channel."""
        return channel == STAFF and user.startswith("console:staff:")

    async def listen(self, handle: Handler) -> None:
        async for line in self._lines():
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("# "):
                continue
            if self.echo:
                self.out.write(f"\n> {line}\n")
            advance = ADVANCE.fullmatch(line.strip())
            if advance and self.on_advance is not None:  # the demo's clock: "!advance 1d" shows what time brings
                number, unit = int(advance["n"]), advance["unit"]
                await self.on_advance(timedelta(**{UNITS[unit]: number}))
                continue
            staff = STAFF_LINE.fullmatch(line.strip())
            if staff:
                who = staff["who"].lower()
                event = self.parse(staff["rest"], self.staff_buttons)
                chat = f"console:dm:{who}" if staff["private"] else STAFF
                user = f"console:staff:{who}"
                inbound = Inbound(f"console:{uuid.uuid4().hex}", UserKey(user), ChatKey(chat), event or Text(""),
                                  private=bool(staff["private"]), display_name=who.capitalize())  # fmt: skip
            else:
                event = self.parse(line)
                inbound = Inbound(f"console:{uuid.uuid4().hex}", UserKey(PARENT), ChatKey(PARENT), event or Text(""))
            if event is None:
                self.out.write("(no such button)\n")
                continue
            notice = await handle(inbound)
            if notice:
                self.out.write(f"(answer to the button: {notice})\n")

    async def _lines(self) -> AsyncIterator[str]:
        if self.script is not None:
            for line in self.script:
                yield line
            return
        while line := await asyncio.to_thread(sys.stdin.readline):
            yield line

    def parse(self, line: str, buttons: list[tuple[str, str]] | None = None) -> Event | None:
        """A line as an event; with buttons (the staff channel's newest card) `#N` and `[Label]` press one."""
        stripped = line.strip()
        # The parent's `#N` and `[Label]` stay typed text: the engine knows what it offered them.
        if buttons is not None and stripped.startswith("#") and stripped[1:].isdigit():
            index = int(stripped[1:]) - 1
            return Pressed(buttons[index][1]) if 0 <= index < len(buttons) else None
        if buttons is not None and stripped.startswith("[") and stripped.endswith("]"):
            label = stripped[1:-1].strip()
            for text, data in buttons:
                if _plain(text) == _plain(label):  # right-to-left labels carry invisible isolates
                    return Pressed(data)
            return None
        if stripped.startswith("!") and stripped[1:].isalpha():
            return Unsupported(stripped[1:])
        if stripped.startswith("/") and len(stripped) > 1 and stripped[1].isalpha():
            name, _, args = stripped[1:].partition(" ")
            return Command(name.lower(), args.strip())
        return Text(line)

    async def send(self, destination: ChatKey, message: Outgoing) -> Delivery:
        reply = message.reply
        flat = [(b.label, b.data) for row in reply.buttons for b in row]
        if destination == PARENT:
            prefix = "Bot"
        elif destination == STAFF:
            prefix = "[Staff channel]" if message.edit_ref is None else "[Staff channel, card updated]"
            if flat:
                self.staff_buttons = flat
        elif destination.startswith("console:dm:"):
            prefix = f"[Private to {destination.removeprefix('console:dm:').capitalize()}]"
        else:
            return Delivery(Outcome.FAILED, error="unknown chat")
        if message.remove:
            self.out.write(f"{prefix}: (message {message.edit_ref} removed)\n")
            return Delivery(Outcome.SENT, ref=message.edit_ref)
        self.out.write(f"{prefix}: {reply.text}\n")
        if flat:
            self.out.write(textwrap.indent(numbered(reply), "    ") + "\n")
        self.out.flush()
        self.sent += 1
        return Delivery(Outcome.SENT, ref=str(self.sent))


def _plain(label: str) -> str:
    return label.translate(_ISOLATES)


_ISOLATES = str.maketrans("", "", "\u2066\u2067\u2068\u2069")
