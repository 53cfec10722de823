"""Texts and keyboards as the Bot API takes them: lengths in UTF-16 units, long texts split, keyboards as JSON."""

from __future__ import annotations

import json

from bot.core.events import Reply

MAX_UTF16 = 4096
CONTINUED = "… "  # starts a part of a long message that goes on in the middle of a line


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_UTF16) -> list[str]:
    """Split a text into parts of at most `limit` UTF-16 units, at paragraph, line or word boundaries.

    A part that goes on in the middle of a line starts with "… ": the rest of a family's words (one line, see
    bot/core/typed.py) can never stand at the top of a message looking like a line of the bot's own.
    """
    parts: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        cut = len(rest)
        while utf16_len(rest[:cut]) > limit:
            cut = int(cut * 0.9)
        window, mid_line = rest[:cut], True
        for separator in ("\n\n", "\n", " "):
            at = window.rfind(separator)
            if at > cut // 2:
                cut, mid_line = at, separator == " "
                break
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
        rest = CONTINUED + rest if mid_line and rest else rest
    parts.append(rest)
    return [p for p in parts if p]


def keyboard(reply: Reply) -> str | None:
    """The inline keyboard as Bot API JSON (built directly: PTB's object model costs more than the request)."""
    if not reply.buttons:
        return None
    rows = [[{"text": b.label, "callback_data": b.data} for b in row] for row in reply.buttons]
    return json.dumps({"inline_keyboard": rows}, ensure_ascii=False)
