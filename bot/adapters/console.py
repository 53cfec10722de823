"""The console adapter: you are a parent in a terminal; what the staff channel receives is shown, marked."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Iterable
from typing import TextIO

from bot.adapters.base import Delivery, Handler, Inbound, Outgoing
from bot.core.events import ChatKey, Command, Event, Pressed, Text, Unsupported, UserKey

PARENT = "console:parent"
STAFF = "console:staff"


class ConsoleAdapter:
    """Reads lines (a script or stdin), prints replies. `#N` presses button N, `[Label]` presses by label."""

    name = "console"

    def __init__(self, out: TextIO = sys.stdout, script: Iterable[str] | None = None, echo: bool = False) -> None:
        self.out = out
        self.script = script
        self.echo = echo
        self.buttons: list[tuple[str, str]] = []  # the parent's last keyboard: (label, data)
        self.sent = 0

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        return None

    async def listen(self, handle: Handler) -> None:
        async for line in self._lines():
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("# "):
                continue
            if self.echo:
                self.out.write(f"\n> {line}\n")
            event = self.parse(line)
            if event is None:
                self.out.write("(no such button)\n")
                continue
            await handle(Inbound(f"console:{uuid.uuid4().hex}", UserKey(PARENT), ChatKey(PARENT), event))

    async def _lines(self) -> AsyncIterator[str]:
        if self.script is not None:
            for line in self.script:
                yield line
            return
        while line := await asyncio.to_thread(sys.stdin.readline):
            yield line

    def parse(self, line: str) -> Event | None:
        stripped = line.strip()
        if stripped.startswith("#") and stripped[1:].isdigit():
            index = int(stripped[1:]) - 1
            return Pressed(self.buttons[index][1]) if 0 <= index < len(self.buttons) else None
        if stripped.startswith("[") and stripped.endswith("]"):
            label = stripped[1:-1].strip()
            for text, data in self.buttons:
                if text == label:
                    return Pressed(data)
            return None
        if stripped.startswith("!") and stripped[1:].isalpha():
            return Unsupported(stripped[1:])
        if stripped.startswith("/") and len(stripped) > 1:
            name, _, args = stripped[1:].partition(" ")
            return Command(name.lower(), args.strip())
        return Text(line)

    async def send(self, destination: ChatKey, message: Outgoing) -> Delivery:
        reply = message.reply
        if destination == PARENT:
            prefix = "Bot"
            self.buttons = [(b.label, b.data) for row in reply.buttons for b in row]
        else:
            prefix = "[Staff channel]" if message.edit_ref is None else "[Staff channel, card updated]"
        self.out.write(f"{prefix}: {reply.text}\n")
        if destination == PARENT and self.buttons:
            numbered = [f"[{i}] {label}" for i, (label, _) in enumerate(self.buttons, 1)]
            self.out.write("    " + "  ".join(numbered) + "\n")
        self.out.flush()
        self.sent += 1
        return Delivery("sent", ref=str(self.sent))
