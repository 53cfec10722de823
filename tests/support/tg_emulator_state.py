"""Data model and validation rules of the Telegram Bot API emulator.

Everything here is plain, synchronous Python: the records the emulator keeps
(users, chats, the bot's messages, the update queue, the call log), Telegram's
HTML parse mode, inline-keyboard validation, flood control, request-parameter
coercion and the ChatMember shapes.  The HTTP server and the control API live
in :mod:`tests.support.tg_emulator`.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any, NamedTuple

JSON = dict[str, Any]

MAX_MESSAGE_LENGTH = 4096  # UTF-16 code units, after entity parsing
MAX_CALLBACK_DATA_BYTES = 64
# deleteMessage: "A message can only be deleted if it was sent less than 48 hours ago."
DELETE_WINDOW_SECONDS = 48 * 3600

MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")
_STATUS_ALIASES = {"owner": "creator", "banned": "kicked"}

# Update types Telegram delivers when allowed_updates was never set (or set to []).
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


CONFLICT_POLL = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note".split()
)


class ApiError(Exception):
    """An error answer of the Bot API: ``{"ok": false, "error_code": ..., ...}``."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


def normalize_status(status: str) -> str:
    status = _STATUS_ALIASES.get(status, status)
    if status not in MEMBER_STATUSES:
        raise ValueError(f"unknown member status {status!r}; use one of {MEMBER_STATUSES}")
    return status


def utf16_len(text: str) -> int:
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


# --------------------------------------------------------------------------- records


@dataclass
class EmuUser:
    id: int
    first_name: str
    language_code: str | None = None
    username: str | None = None
    last_name: str | None = None
    is_bot: bool = False
    blocked_bot: bool = False

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class EmuChat:
    id: int
    type: str  # private / group / supergroup / channel
    title: str | None = None
    user: EmuUser | None = None  # the other party of a private chat
    members: dict[int, str] = field(default_factory=dict)  # user_id -> status
    migrated_to: int | None = None
    last_message_id: int = 0
    user_message_ids: dict[int, int] = field(default_factory=dict)  # a user's message id -> its date

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    @property
    def chat_instance(self) -> str:
        # Stable, opaque and deterministic, like Telegram's per-chat instance id.
        return str((abs(self.id) * 1_000_003 + 17) % (1 << 62))

    @property
    def label(self) -> str:
        if self.user is not None:
            return f"private chat {self.id} with {self.user.first_name!r}"
        return f"{self.type} {self.id} {self.title!r}"

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        if self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name is not None:
                data["last_name"] = self.user.last_name
            if self.user.username is not None:
                data["username"] = self.user.username
        else:
            data["title"] = self.title
        return data


class Button(NamedTuple):
    """One inline button as seen by a test: ``(label, callback_data)``.

    ``data`` is None for buttons without callback data (URL buttons etc.).
    """

    label: str
    data: str | None


@dataclass(frozen=True)
class MessageVersion:
    """The content of a bot message at one point in time (as sent, or after one edit)."""

    method: str  # sendMessage / editMessageText / editMessageReplyMarkup
    date: int
    text: str
    raw_text: str
    parse_mode: str | None
    entities: tuple[JSON, ...]
    reply_markup: JSON | None

    @property
    def buttons(self) -> list[list[Button]]:
        if not self.reply_markup:
            return []
        return [
            [Button(btn["text"], btn.get("callback_data")) for btn in row]
            for row in self.reply_markup["inline_keyboard"]
        ]

    def describe(self) -> str:
        text = self.text if len(self.text) <= 300 else self.text[:300] + "…"
        line = repr(text)
        if self.buttons:
            line += "  buttons: " + " / ".join(" | ".join(f"[{b.label}]" for b in row) for row in self.buttons)
        return line


@dataclass
class SentMessage:
    """A message the bot sent, with its edit history (``versions[0]`` is as sent)."""

    chat_id: int
    message_id: int
    versions: list[MessageVersion]
    deleted: bool = False

    @property
    def current(self) -> MessageVersion:
        return self.versions[-1]

    @property
    def text(self) -> str:
        """Plain text (after HTML parsing) of the current version."""
        return self.current.text

    @property
    def raw_text(self) -> str:
        return self.current.raw_text

    @property
    def parse_mode(self) -> str | None:
        return self.current.parse_mode

    @property
    def entities(self) -> tuple[JSON, ...]:
        return self.current.entities

    @property
    def reply_markup(self) -> JSON | None:
        return self.current.reply_markup

    @property
    def buttons(self) -> list[list[Button]]:
        return self.current.buttons

    @property
    def button_labels(self) -> list[str]:
        return [b.label for row in self.buttons for b in row]

    @property
    def button_urls(self) -> dict[str, str]:
        if not self.reply_markup:
            return {}
        rows = self.reply_markup["inline_keyboard"]
        return {b["text"]: b["url"] for row in rows for b in row if "url" in b}

    @property
    def edits(self) -> list[MessageVersion]:
        return self.versions[1:]

    @property
    def date(self) -> int:
        return self.versions[0].date

    @property
    def edit_date(self) -> int | None:
        return self.versions[-1].date if len(self.versions) > 1 else None

    def find_button(self, label: str) -> Button | None:
        for row in self.buttons:
            for button in row:
                if button.label == label:
                    return button
        return None

    def to_api(self, bot: EmuUser, chat: EmuChat) -> JSON:
        cur = self.current
        data: JSON = {
            "message_id": self.message_id,
            "from": bot.to_api(),
            "chat": chat.to_api(),
            "date": self.date,
            "text": cur.text,
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if cur.entities:
            data["entities"] = [dict(e) for e in cur.entities]
        if cur.reply_markup:
            data["reply_markup"] = cur.reply_markup
        return data


@dataclass(frozen=True)
class CallbackAnswer:
    callback_query_id: str
    user_id: int
    data: str | None
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass(frozen=True)
class ApiCall:
    """One HTTP request the bot made. ``time`` is the emulator clock at arrival."""

    method: str
    params: JSON
    time: float
    status: int
    description: str | None = None
    content_type: str | None = None


# --------------------------------------------------------------------------- signals


class Signal:
    """A broadcast "something changed" notification without lost wake-ups.

    Take ``ev = signal.event`` *before* checking the condition, then await
    ``ev.wait()``; ``fire()`` sets the old event and installs a fresh one.
    """

    def __init__(self) -> None:
        self.event = asyncio.Event()

    def fire(self) -> None:
        self.event.set()
        self.event = asyncio.Event()


async def wait_event(event: asyncio.Event, timeout: float) -> None:  # noqa: ASYNC109
    """Wait for ``event`` at most ``timeout`` seconds (no error on timeout)."""
    try:
        await asyncio.wait_for(event.wait(), timeout=max(timeout, 0.0))
    except TimeoutError:
        pass


# --------------------------------------------------------------------------- update queue


def update_type(update: JSON) -> str:
    return next(key for key in update if key != "update_id")


class UpdateQueue:
    """Telegram's per-bot update queue with real ``offset`` semantics."""

    def __init__(self, first_update_id: int = 1) -> None:
        self._next_id = first_update_id
        self._pending: list[JSON] = []
        self.confirmed_offset = 0
        self.allowed: frozenset[str] | None = None  # None: Telegram's default set
        self.signal = Signal()

    def push(self, kind: str, payload: JSON) -> int:
        update_id = self._next_id
        self._next_id += 1
        self._pending.append({"update_id": update_id, kind: payload})
        self.signal.fire()
        return update_id

    def pending(self) -> list[JSON]:
        return [json.loads(json.dumps(u)) for u in self._pending]

    def confirm(self, offset: int | None) -> None:
        """Forget updates before ``offset`` (negative: keep only the last -offset)."""
        if not offset:
            return
        if offset < 0:
            keep = self._pending[offset:]
            offset = keep[0]["update_id"] if keep else self._next_id
        self._pending = [u for u in self._pending if u["update_id"] >= offset]
        self.confirmed_offset = max(self.confirmed_offset, offset)
        self.signal.fire()

    def remove(self, update_id: int) -> None:
        """A webhook delivered this update: it is gone (later updates stay, whatever their order)."""
        self._pending = [u for u in self._pending if u["update_id"] != update_id]
        self.signal.fire()

    def drop_all(self) -> None:
        self.confirm(self._next_id)

    def set_allowed(self, allowed: list[str] | None) -> None:
        """``allowed_updates`` is persistent: None keeps the previous setting, [] resets it."""
        if allowed is None:
            return
        self.allowed = frozenset(allowed) if allowed else None

    def is_allowed(self, kind: str) -> bool:
        if self.allowed is None:
            return kind not in DEFAULT_EXCLUDED_UPDATES
        return kind in self.allowed

    def take(self, limit: int) -> list[JSON]:
        """The oldest ``limit`` deliverable updates; filtered-out ones are discarded for good."""
        self._pending = [u for u in self._pending if self.is_allowed(update_type(u))]
        return self._pending[:limit]


# --------------------------------------------------------------------------- flood control


class RateLimiter:
    """Telegram's documented broadcast limits, applied to sendMessage when enabled."""

    def __init__(self) -> None:
        self.enabled = False
        self.private_per_second = 1
        self.group_per_minute = 20
        self.global_per_second = 30
        self._sent: deque[tuple[float, int]] = deque()  # (time, chat_id), last 60 s
        self.injected: dict[str, list[int]] = {}  # method -> retry_after values to return

    def inject(self, method: str, count: int, retry_after: int) -> None:
        self.injected.setdefault(method, []).extend([retry_after] * count)

    def check_injected(self, method: str) -> None:
        queued = self.injected.get(method)
        if queued:
            raise too_many_requests(queued.pop(0))

    def check(self, chat: EmuChat, now: float) -> None:
        if not self.enabled:
            return
        while self._sent and self._sent[0][0] <= now - 60:
            self._sent.popleft()
        last_second = [t for t, _ in self._sent if t > now - 1]
        if len(last_second) >= self.global_per_second:
            raise too_many_requests(_retry(last_second[-self.global_per_second] + 1 - now))
        in_chat = [t for t, cid in self._sent if cid == chat.id]
        if chat.type == "private":
            recent = [t for t in in_chat if t > now - 1]
            if len(recent) >= self.private_per_second:
                raise too_many_requests(_retry(recent[-self.private_per_second] + 1 - now))
        elif len(in_chat) >= self.group_per_minute:
            raise too_many_requests(_retry(in_chat[-self.group_per_minute] + 60 - now))

    def record(self, chat_id: int, now: float) -> None:
        self._sent.append((now, chat_id))


def _retry(seconds: float) -> int:
    return max(1, math.ceil(seconds))


# --------------------------------------------------------------------------- inline keyboards

_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_URL_RE = re.compile(r"^(https?|tg)://[^\s]+$", re.IGNORECASE)


def validate_reply_markup(markup: Any) -> JSON | None:
    """Validate reply_markup; return the inline keyboard to echo back (others aren't echoed)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if not any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
            raise bad_request("can't parse reply keyboard markup JSON object")
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    if sum(len(row) for row in rows) > 100:
        raise bad_request("reply markup is too long")
    clean_rows = [[_validate_button(btn) for btn in row] for row in rows]
    clean_rows = [row for row in clean_rows if row]
    return {"inline_keyboard": clean_rows} if clean_rows else None


def _validate_button(button: Any) -> JSON:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str) or not text:
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request("can't parse inline keyboard button: exactly one of the optional fields must be used")
    clean: JSON = {"text": text}
    action = actions[0]
    value = button[action]
    if action == "callback_data":
        if not isinstance(value, str) or not 1 <= len(value.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    elif action == "url":
        if not isinstance(value, str) or not _URL_RE.match(value):
            raise bad_request(f"inline keyboard button URL '{value}' is invalid: Wrong HTTP URL")
    clean[action] = value
    return clean


# --------------------------------------------------------------------------- HTML parse mode

_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")


class _OpenTag(NamedTuple):
    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the plain text
    byte_offset: int


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram's HTML parse mode into ``(plain_text, entities)``.

    Mirrors the Bot API's parser: only Telegram's tags, properly nested, and the
    entities ``&lt; &gt; &amp; &quot;`` plus numeric ones.  Errors raise
    ``ApiError(400, "Bad Request: can't parse entities: ...")``.  Real Telegram
    lets a bare ``&`` through; with ``strict_ampersand`` it is an error, so a bot
    that forgets to escape user input is caught.
    """
    out: list[str] = []
    u16 = 0
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    i, n = 0, len(text)

    def fail(message: str) -> ApiError:
        return bad_request(f"can't parse entities: {message}")

    def byte_offset(pos: int) -> int:
        return len(text[:pos].encode("utf-8", "surrogatepass"))

    while i < n:
        ch = text[i]
        if ch == "&":
            decoded, end = _decode_entity(text, i)
            if decoded is None:
                if strict_ampersand:
                    raise fail(f"Unsupported HTML entity at byte offset {byte_offset(i)}")
                decoded, end = "&", i + 1
            out.append(decoded)
            u16 += utf16_len(decoded)
            i = end
        elif ch != "<":
            out.append(ch)
            u16 += 2 if ord(ch) > 0xFFFF else 1
            i += 1
        elif text.startswith("</", i):
            close = text.find(">", i)
            if close < 0:
                raise fail(f"Unclosed end tag at byte offset {byte_offset(i)}")
            name = text[i + 2 : close].strip().lower()
            if not stack:
                raise fail(f"Unexpected end tag at byte offset {byte_offset(i)}")
            tag = stack.pop()
            if name != tag.name:
                raise fail(
                    f'Unmatched end tag at byte offset {byte_offset(i)}, expected "</{tag.name}>", found "</{name}>"'
                )
            _close_tag(tag, u16, stack, entities)
            i = close + 1
        else:
            tag, i = _parse_start_tag(text, i, fail, byte_offset)
            if tag.name == "code" and stack and stack[-1].name == "pre":
                lang = tag.attrs.get("class", "")
                if lang.startswith("language-"):
                    pre = stack[-1]
                    stack[-1] = pre._replace(attrs={**pre.attrs, "language": lang[9:]})
            stack.append(tag._replace(start=u16))
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _decode_entity(text: str, pos: int) -> tuple[str | None, int]:
    match = _ENTITY_RE.match(text, pos)
    if not match:
        return None, pos
    dec, hexa, name = match.groups()
    if name is not None:
        value = _NAMED_ENTITIES.get(name)
        return (value, match.end()) if value is not None else (None, pos)
    code = int(dec) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None, pos
    return chr(code), match.end()


def _decode_all(value: str) -> str:
    return _ENTITY_RE.sub(lambda m: _decode_entity(m.group(0), 0)[0] or m.group(0), value)


def _parse_start_tag(text: str, pos: int, fail: Any, byte_offset: Any) -> tuple[_OpenTag, int]:
    n = len(text)
    i = pos + 1
    while i < n and not text[i].isspace() and text[i] != ">":
        i += 1
    if i >= n:
        raise fail(f"Unclosed start tag at byte offset {byte_offset(pos)}")
    name = text[pos + 1 : i].lower()
    if name not in _TAG_ENTITY:
        raise fail(f'Unsupported start tag "{name}" at byte offset {byte_offset(pos)}')
    attrs: dict[str, str] = {}
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise fail(f"Unclosed start tag at byte offset {byte_offset(pos)}")
        if text[i] == ">":
            i += 1
            break
        begin = i
        while i < n and not text[i].isspace() and text[i] not in "=>":
            i += 1
        attr = text[begin:i].lower()
        if not attr:
            raise fail(f'Empty attribute name in the tag "{name}" at byte offset {byte_offset(pos)}')
        while i < n and text[i].isspace():
            i += 1
        if i >= n or text[i] != "=":
            if name == "blockquote" and attr == "expandable":
                attrs[attr] = ""
                continue
            raise fail(
                f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                f"at byte offset {byte_offset(pos)}"
            )
        i += 1
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] in "'\"":
            end = text.find(text[i], i + 1)
            if end < 0:
                raise fail(f"Unclosed start tag at byte offset {byte_offset(pos)}")
            value, i = text[i + 1 : end], end + 1
        else:
            begin = i
            while i < n and not text[i].isspace() and text[i] != ">":
                i += 1
            value = text[begin:i]
        attrs[attr] = _decode_all(value)
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise fail(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(pos)}')
    return _OpenTag(name, attrs, 0, byte_offset(pos)), i


def _close_tag(tag: _OpenTag, end: int, stack: list[_OpenTag], entities: list[JSON]) -> None:
    length = end - tag.start
    if length <= 0:
        return
    kind = _TAG_ENTITY[tag.name]
    entity: JSON = {"type": kind, "offset": tag.start, "length": length}
    if kind == "text_link":
        href = tag.attrs.get("href", "")
        if not href:
            return
        entity["url"] = href
    elif kind == "pre" and tag.attrs.get("language"):
        entity["language"] = tag.attrs["language"]
    elif kind == "code" and stack and stack[-1].name == "pre" and "language" in stack[-1].attrs:
        return  # <pre><code class="language-x"> only sets the language of the pre entity
    elif kind == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        emoji_id = tag.attrs.get("emoji-id")
        if not emoji_id:
            return
        entity["custom_emoji_id"] = emoji_id
    entities.append(entity)


# --------------------------------------------------------------------------- request parameters


class Params:
    """Request parameters as Telegram coerces them: form values are strings, JSON values typed."""

    def __init__(self, raw: JSON) -> None:
        self.raw = raw

    def get_str(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value) if isinstance(value, dict | list) else str(value)

    def get_int(self, name: str, error: str | None = None) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(error or f"invalid {name} specified") from None

    def get_float(self, name: str) -> float | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        value = self.raw.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def get_json(self, name: str) -> Any:
        value = self.raw.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


# --------------------------------------------------------------------------- chat members


def member_json(user: EmuUser, status: str) -> JSON:
    base: JSON = {"status": status, "user": user.to_api()}
    if status == "creator":
        return {**base, "is_anonymous": False}
    if status == "administrator":
        rights = dict.fromkeys(
            (
                "can_manage_chat can_delete_messages can_manage_video_chats can_restrict_members "
                "can_change_info can_invite_users can_pin_messages"
            ).split(),
            True,
        )
        rights.update(
            dict.fromkeys(
                (
                    "can_be_edited is_anonymous can_promote_members can_post_stories can_edit_stories "
                    "can_delete_stories can_manage_topics"
                ).split(),
                False,
            )
        )
        return {**base, **rights}
    if status == "restricted":
        rights = dict.fromkeys(
            (
                "can_send_messages can_send_audios can_send_documents can_send_photos can_send_videos "
                "can_send_video_notes can_send_voice_notes can_send_polls can_send_other_messages "
                "can_add_web_page_previews can_change_info can_invite_users can_pin_messages "
                "can_manage_topics can_edit_tag can_react_to_messages"
            ).split(),
            False,
        )
        return {**base, "is_member": True, **rights, "until_date": 0}
    if status == "kicked":
        return {**base, "until_date": 0}
    return base
