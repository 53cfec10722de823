"""What a Reply looks like in Matrix, and what typed text means. Pure: no client, no I/O.

Matrix has no buttons a bot can rely on, so a reply's options become the core's numbered list
(bot.core.choices.numbered; the parent answers with the number or the label), and a card's queue buttons
become the `!`-commands that do the same. Element intercepts
unknown `/commands`, so every command our texts mention is shown as `!command` here; both spellings are read.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bot.core import texts as T
from bot.core.buttons import Queue, QueueAction, decode
from bot.core.choices import numbered
from bot.core.events import Command, Event, Reply, Text
from bot.core.staffcmd import ALIASES

QUEUE_COMMANDS = {
    QueueAction.CLAIM: "uebernehmen",
    QueueAction.TEMPLATES: "vorlagen",
    QueueAction.DONE: "erledigt",
    QueueAction.RELEASE: "zurueckgeben",
    QueueAction.REOPEN: "wiedereroeffnen",
}
_KNOWN = sorted({*ALIASES, *T.COMMANDS, "hilfe"}, key=len, reverse=True)
_MENTIONED = re.compile(r"(?<![\w/!])/(" + "|".join(re.escape(name) for name in _KNOWN) + r")\b")
_COMMAND = re.compile(r"[/!]([^\W\d_][\w-]*)(?:\s+(.*))?", re.DOTALL)
MAX_BODY = 30_000  # far below Matrix's 64 KiB event limit, encrypted and escaped


def option_lines(reply: Reply) -> list[str]:
    """The options under a message: staff queue buttons as the commands that do the same, the rest numbered."""
    queue = [decode(button.data) for row in reply.buttons for button in row]
    if queue and all(isinstance(press, Queue) for press in queue):
        labels = [button.label for row in reply.buttons for button in row]
        return [
            f"{label}: !{QUEUE_COMMANDS[press.action]} {press.reference}"
            for label, press in zip(labels, queue, strict=True)
            if isinstance(press, Queue)
        ]
    return numbered(reply).splitlines()


def bang_commands(text: str) -> str:
    """`/uebernehmen` in our texts becomes `!uebernehmen`: Element would swallow the slash command."""
    return _MENTIONED.sub(lambda m: f"!{m[1]}", text)


def content(reply: Reply, edit_of: str | None = None, thread: str | None = None) -> dict[str, Any]:
    """An m.room.message: a plain body and an HTML formatted_body in which every dynamic value is escaped."""
    lines = [bang_commands(reply.text)]
    options = option_lines(reply)
    if options:
        lines.append("\n".join(options))
    body = "\n\n".join(lines)[:MAX_BODY]
    markup = html.escape(body, quote=False).replace("\n", "<br>")
    if reply.rtl:
        markup = f'<div dir="rtl">{markup}</div>'
    message: dict[str, Any] = {"msgtype": "m.text", "body": body, "format": "org.matrix.custom.html",
                               "formatted_body": markup}  # fmt: skip
    if edit_of is not None:
        # An edit (m.replace): clients show the new content in place; the original event id stays the reference.
        new = dict(message)
        message = {**message, "body": f"* {body}", "formatted_body": f"* {markup}", "m.new_content": new,
                   "m.relates_to": {"rel_type": "m.replace", "event_id": edit_of}}  # fmt: skip
    elif thread is not None:
        message["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread, "is_falling_back": True,
                                   "m.in_reply_to": {"event_id": thread}}  # fmt: skip
    return message


def read_event(body: str, replying: bool = False) -> Event:
    """Typed text as a command (`/x` or `!x`, case-insensitive) or as text. A reply's quoted fallback is dropped."""
    if replying:
        lines = body.splitlines()
        while lines and lines[0].startswith(">"):
            lines.pop(0)
        body = "\n".join(lines).strip()
    text = body.strip()
    match = _COMMAND.fullmatch(text)
    if match is not None:
        return Command(match[1].lower(), (match[2] or "").strip())
    return Text(body)
