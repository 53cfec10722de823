"""An in-process Telegram Bot API emulator for tests.

A real aiohttp server on 127.0.0.1 (ephemeral port) that answers
``/bot{token}/{method}`` exactly like api.telegram.org does, so the bot under
test (even in another process) talks plain HTTP to it.  Tests drive and inspect
it through Python methods (the control API)::

    async with TelegramEmulator(token="123:ABC") as emu:
        alice = emu.add_user(1001, "Alice", language_code="de")
        # start the bot with ELTERNLOTSE_TELEGRAM_API_URL=emu.api_url ...
        alice.send_command("start")
        msg = await emu.wait_for_message(alice.id, lambda m: "Hallo" in m.text)
        alice.press(msg, "Deutsch")

python-telegram-bot appends the token to ``base_url``, so a PTB bot must use
``base_url=emu.api_url + "/bot"``.  PTB 22 posts every call as
``application/x-www-form-urlencoded`` (multipart only when uploading files),
with non-string values JSON-encoded; JSON bodies and GET query strings are
accepted as well.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.support.tg_emulator_profile import ProfileMethods
from tests.support.tg_emulator_state import (
    CHAT_ACTIONS,
    CONFLICT_POLL,
    CONFLICT_WEBHOOK,
    DELETE_WINDOW_SECONDS,
    JSON,
    MAX_MESSAGE_LENGTH,
    NOT_MODIFIED,
    ApiCall,
    ApiError,
    Button,
    CallbackAnswer,
    EmuChat,
    EmuUser,
    MessageVersion,
    Params,
    RateLimiter,
    SentMessage,
    Signal,
    UpdateQueue,
    bad_request,
    member_json,
    normalize_status,
    parse_html,
    utf16_len,
    validate_reply_markup,
    wait_event,
)
from tests.support.tg_webhook import WebhookPusher

__all__ = [
    "ApiCall",
    "Button",
    "ButtonNotFound",
    "CallbackAnswer",
    "MessageVersion",
    "SentMessage",
    "TelegramEmulator",
    "UserHandle",
]


class ButtonNotFound(AssertionError):
    """``press()`` was asked for a button the message does not have."""


# --------------------------------------------------------------------------- request parameters


async def _read_params(request: web.Request) -> JSON:
    params: JSON = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise bad_request("request body must be a JSON object")
        params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                params[key] = f"<file {value.filename!r}, {len(value.file.read())} bytes>"
            else:
                params[key] = value
    return params


@dataclass
class _Query:
    user_id: int
    data: str | None
    answered: bool = False


# --------------------------------------------------------------------------- user handle


class UserHandle:
    """A Telegram user a test can act as; the private chat id equals ``id``."""

    def __init__(self, emu: TelegramEmulator, user: EmuUser) -> None:
        self._emu = emu
        self.info = user

    id = property(lambda self: self.info.id)
    chat_id = property(lambda self: self.info.id)
    first_name = property(lambda self: self.info.first_name)
    language_code = property(lambda self: self.info.language_code)
    username = property(lambda self: self.info.username)

    def __repr__(self) -> str:
        return f"<UserHandle {self.id} {self.first_name!r}>"

    def send_text(self, text: str, chat_id: int | None = None) -> int:
        return self._emu.send_text(self.id, text, chat_id)

    def send_command(self, command: str, args: str = "", chat_id: int | None = None) -> int:
        return self._emu.send_command(self.id, command, args, chat_id)

    def send_sticker(self, chat_id: int | None = None, emoji: str = "👍") -> int:
        return self._emu.send_sticker(self.id, chat_id, emoji=emoji)

    def send_voice(self, chat_id: int | None = None, duration: int = 3) -> int:
        return self._emu.send_voice(self.id, chat_id, duration=duration)

    def send_photo(self, chat_id: int | None = None, caption: str | None = None) -> int:
        return self._emu.send_photo(self.id, chat_id, caption=caption)

    def press(self, message: SentMessage | int, label: str) -> int:
        return self._emu.press(self.id, message, label)

    def press_data(self, message_id: int, data: str, chat_id: int | None = None) -> int:
        return self._emu.press_data(self.id, self.id if chat_id is None else chat_id, message_id, data)

    def block(self) -> None:
        self._emu.block(self.id)

    def unblock(self) -> None:
        self._emu.unblock(self.id)

    def messages(self) -> list[SentMessage]:
        return self._emu.messages(self.id)

    def last_message(self) -> SentMessage | None:
        return self._emu.last_message(self.id)

    async def wait_for_message(
        self,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
        after: int | None = None,
    ) -> SentMessage:
        return await self._emu.wait_for_message(self.id, predicate, timeout, after)


def _uid(user: int | UserHandle) -> int:
    return user.id if isinstance(user, UserHandle) else int(user)


# --------------------------------------------------------------------------- the emulator


class TelegramEmulator(ProfileMethods):
    """Telegram Bot API emulator; see the module docstring."""

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        bot_first_name: str = "Elternlotse Test",
        bot_username: str = "elternlotse_test_bot",
        clock: Callable[[], float] = time.time,
        strict_html_ampersand: bool = True,
        first_update_id: int = 1,
    ) -> None:
        self.token = token
        self.bot = EmuUser(int(token.split(":", 1)[0]), bot_first_name, username=bot_username, is_bot=True)
        self.calls: list[ApiCall] = []
        self.unavailable = False  # set_unavailable(): every call answers 502, as in an outage
        self.callback_answers: list[CallbackAnswer] = []
        self.rate_limiter = RateLimiter()
        self.webhook_url = ""
        self.webhook_secret = ""
        self.webhook_routes: dict[str, str] = {}  # public webhook URL -> where it really leads (see route_webhook)
        self.pusher: WebhookPusher | None = None
        self._wall = clock
        self._skew = 0.0  # advance_clock(): the emulator's time runs ahead of the given clock by this much
        self._strict_amp = strict_html_ampersand
        self._users: dict[int, EmuUser] = {}
        self._chats: dict[int, EmuChat] = {}
        self._sent: dict[int, list[SentMessage]] = {}
        self._events: dict[int, list[str]] = {}
        self._queries: dict[str, _Query] = {}
        self._commands: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.profile: dict[tuple[str, str], str] = {}  # description texts (tests/support/tg_emulator_profile.py)
        self._updates = UpdateQueue(first_update_id)
        self._messages_signal = Signal()
        self._calls_signal = Signal()
        self._poll_seq = 0
        self._waiting_polls = 0
        self._poll_signal = Signal()
        self._counter = 0
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods: dict[str, Callable[[Params], Awaitable[Any]]] = {
            name.lower(): getattr(self, f"_api_{name}")
            for name in (
                "getMe getUpdates sendMessage editMessageText editMessageReplyMarkup "
                "answerCallbackQuery setMyCommands getMyCommands deleteMyCommands deleteWebhook "
                "setWebhook getWebhookInfo getChat getChatMember getChatAdministrators "
                "deleteMessage close logOut sendChatAction "
                "setMyDescription getMyDescription setMyShortDescription getMyShortDescription"
            ).split()
        }
        self._canonical = {name[5:].lower(): name[5:] for name in dir(self) if name.startswith("_api_")}

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> TelegramEmulator:
        app = web.Application()
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]
        self._closing = False
        return self

    async def stop(self) -> None:
        self._closing = True
        await self._stop_pushing()
        self._updates.signal.fire()  # release pending long polls with an empty answer
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> TelegramEmulator:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:PORT``; the bot appends ``/bot{token}/{method}``."""
        if self._port is None:
            raise RuntimeError("TelegramEmulator is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def bot_id(self) -> int:
        return self.bot.id

    # ----------------------------------------------------------------- HTTP dispatch

    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response(ApiError(404, "Not Found").to_json(), status=404)

    async def _handle(self, request: web.Request) -> web.Response:
        arrived = self._clock()
        method = request.match_info["method"]
        if self.unavailable:
            # What Telegram's front proxy answers in an outage: an HTML page, not the Bot API's JSON.
            self.calls.append(ApiCall(method, {}, arrived, 502, "Bad Gateway", request.content_type))
            self._calls_signal.fire()
            return web.Response(status=502, text="<html><body><h1>502 Bad Gateway</h1></body></html>",
                                content_type="text/html")  # fmt: skip
        params: JSON = {}
        try:
            params = await _read_params(request)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            handler = self._methods.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            status, body = 200, {"ok": True, "result": await handler(Params(params))}
        except ApiError as err:
            status, body = err.code, err.to_json()
        name = self._canonical.get(method.lower(), method)
        self.calls.append(ApiCall(name, params, arrived, status, body.get("description"), request.content_type))
        self._calls_signal.fire()
        return web.json_response(body, status=status)

    # ----------------------------------------------------------------- helpers (HTTP side)

    def _clock(self) -> float:
        return self._wall() + self._skew

    def _now(self) -> int:
        return int(self._clock())

    def _lookup_chat(self, raw: Any) -> EmuChat | None:
        if isinstance(raw, str):
            raw = raw.strip()
            if not raw.lstrip("-").isdigit():
                return None
        try:
            return self._chats.get(int(raw))
        except (TypeError, ValueError):
            return None

    def _chat(self, p: Params, name: str = "chat_id") -> EmuChat:
        raw = p.raw.get(name)
        if raw is None or raw == "":
            raise bad_request(f"{name} is empty")
        chat = self._lookup_chat(raw)
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        return chat

    def _check_can_send(self, chat: EmuChat) -> None:
        if chat.user is not None:
            if chat.user.blocked_bot:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            return
        status = chat.members.get(self.bot.id, "member")
        if status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        if status == "left" or (chat.type == "channel" and status not in ("creator", "administrator")):
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")

    def _render(self, p: Params) -> tuple[str, str, str | None, tuple[JSON, ...]]:
        raw = p.get_str("text")
        if not raw:
            raise bad_request("message text is empty")
        parse_mode = p.get_str("parse_mode") or None
        mode = (parse_mode or "").lower()
        if mode == "html":
            text, entities = parse_html(raw, strict_ampersand=self._strict_amp)
        elif mode in ("markdown", "markdownv2"):  # not emulated: passed through unparsed
            text, entities = raw, []
        elif not mode:
            text, entities = raw, list(p.get_json("entities") or [])
        else:
            raise bad_request("unsupported parse_mode")
        if not text.strip():
            raise bad_request("message text is empty")
        return raw, text, parse_mode, tuple(entities)

    def _bot_message(self, chat: EmuChat, message_id: int | None, missing: str) -> SentMessage:
        for msg in self._sent.get(chat.id, []):
            if msg.message_id == message_id and not msg.deleted:
                return msg
        if message_id in chat.user_message_ids:
            raise bad_request("message can't be edited")
        raise bad_request(missing)

    def _store_version(self, msg: SentMessage, version: MessageVersion) -> JSON:
        cur = msg.current
        if (version.text, version.entities, version.reply_markup) == (
            cur.text,
            cur.entities,
            cur.reply_markup,
        ):
            raise bad_request(NOT_MODIFIED)
        msg.versions.append(version)
        self._event(msg.chat_id, f"#{msg.message_id} BOT edited ({version.method}): {version.describe()}")
        self._messages_signal.fire()
        chat = self._chats[msg.chat_id]
        return msg.to_api(self.bot, chat)

    def _event(self, chat_id: int, entry: str) -> None:
        self._events.setdefault(chat_id, []).append(entry)

    def _next_id(self) -> int:
        self._counter += 1
        return self._counter

    # ----------------------------------------------------------------- Bot API methods

    async def _api_getMe(self, p: Params) -> JSON:
        return {
            **self.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_getUpdates(self, p: Params) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(409, CONFLICT_WEBHOOK)
        offset = p.get_int("offset")
        limit = min(max(p.get_int("limit") or 100, 1), 100)
        timeout = max(p.get_float("timeout") or 0.0, 0.0)
        allowed = p.get_json("allowed_updates")
        self._poll_seq += 1
        mine = self._poll_seq
        self._updates.signal.fire()  # a poll still waiting is now superseded -> 409
        self._updates.confirm(offset)
        self._updates.set_allowed(allowed)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._updates.signal.event
            if mine != self._poll_seq:
                raise ApiError(409, CONFLICT_POLL)
            updates = self._updates.take(limit)
            remaining = deadline - loop.time()
            if updates or self._closing or remaining <= 0:
                return updates
            self._waiting_polls += 1
            self._poll_signal.fire()
            try:
                await wait_event(event, remaining)
            finally:
                self._waiting_polls -= 1

    async def _api_sendMessage(self, p: Params) -> JSON:
        self.rate_limiter.check_injected("sendMessage")
        chat = self._chat(p)
        self._check_can_send(chat)
        raw, text, parse_mode, entities = self._render(p)
        if utf16_len(text) > MAX_MESSAGE_LENGTH:
            raise bad_request("message is too long")
        markup = validate_reply_markup(p.get_json("reply_markup"))
        now = self._clock()
        self.rate_limiter.check(chat, now)
        self.rate_limiter.record(chat.id, now)
        version = MessageVersion("sendMessage", int(now), text, raw, parse_mode, entities, markup)
        msg = SentMessage(chat.id, chat.next_message_id(), [version])
        self._sent.setdefault(chat.id, []).append(msg)
        self._event(chat.id, f"#{msg.message_id} BOT: {version.describe()}")
        self._messages_signal.fire()
        return msg.to_api(self.bot, chat)

    async def _api_editMessageText(self, p: Params) -> JSON:
        if p.raw.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat(p)
        msg = self._bot_message(chat, p.get_int("message_id"), "message to edit not found")
        raw, text, parse_mode, entities = self._render(p)
        if utf16_len(text) > MAX_MESSAGE_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        markup = validate_reply_markup(p.get_json("reply_markup"))  # omitted -> keyboard removed
        version = MessageVersion("editMessageText", self._now(), text, raw, parse_mode, entities, markup)
        return self._store_version(msg, version)

    async def _api_editMessageReplyMarkup(self, p: Params) -> JSON:
        if p.raw.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat(p)
        msg = self._bot_message(chat, p.get_int("message_id"), "message to edit not found")
        cur = msg.current
        markup = validate_reply_markup(p.get_json("reply_markup"))
        version = MessageVersion(
            "editMessageReplyMarkup",
            self._now(),
            cur.text,
            cur.raw_text,
            cur.parse_mode,
            cur.entities,
            markup,
        )
        return self._store_version(msg, version)

    async def _api_answerCallbackQuery(self, p: Params) -> bool:
        query_id = p.get_str("callback_query_id") or ""
        query = self._queries.get(query_id)
        if query is None or query.answered:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        text = p.get_str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers.append(
            CallbackAnswer(
                query_id,
                query.user_id,
                query.data,
                text,
                p.get_bool("show_alert"),
                p.get_str("url"),
                p.get_int("cache_time"),
            )
        )
        return True

    def _commands_key(self, p: Params) -> tuple[str, str]:
        language = p.get_str("language_code") or ""
        if language and not (len(language) == 2 and language.isalpha() and language.islower()):
            raise bad_request("invalid language code specified")
        scope = p.get_json("scope")
        if scope is None:
            return "default", language
        if not isinstance(scope, dict) or "type" not in scope:
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            return kind, language
        if kind not in ("chat", "chat_administrators", "chat_member"):
            raise bad_request("wrong bot command scope type specified")
        chat = self._chat(Params(scope))
        if kind != "chat_member":
            return f"{kind}:{chat.id}", language
        return f"chat_member:{chat.id}:{Params(scope).get_int('user_id')}", language

    async def _api_setMyCommands(self, p: Params) -> bool:
        commands = p.get_json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        parsed = []
        for entry in commands:
            if not isinstance(entry, dict):
                raise bad_request("can't parse BotCommand JSON object")
            command, description = str(entry.get("command", "")), str(entry.get("description", ""))
            command = command.removeprefix("/")
            if not (1 <= len(command) <= 32) or not all(c.isdigit() or c == "_" or "a" <= c <= "z" for c in command):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request(
                    "command description is empty" if not description else "BOT_COMMAND_DESCRIPTION_INVALID"
                )
            parsed.append((command, description))
        key = self._commands_key(p)
        if parsed:
            self._commands[key] = parsed
        else:
            self._commands.pop(key, None)
        return True

    async def _api_getMyCommands(self, p: Params) -> list[JSON]:
        commands = self._commands.get(self._commands_key(p), [])
        return [{"command": c, "description": d} for c, d in commands]

    async def _api_deleteMyCommands(self, p: Params) -> bool:
        self._commands.pop(self._commands_key(p), None)
        return True

    async def _api_setWebhook(self, p: Params) -> bool:
        url = p.get_str("url") or ""
        if url and not url.lower().startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        unchanged = (url, p.get_str("secret_token") or "") == (self.webhook_url, self.webhook_secret)
        self.webhook_url = url
        self.webhook_secret = p.get_str("secret_token") or ""
        self._updates.set_allowed(p.get_json("allowed_updates"))
        if p.get_bool("drop_pending_updates"):
            self._updates.drop_all()
        if unchanged and self.pusher is not None:
            return True  # a second instance behind the same URL: delivery goes on as it was
        await self._stop_pushing()  # Telegram uses the newest settings from now on
        if url in self.webhook_routes:
            self.pusher = WebhookPusher(
                self._updates, lambda: self.webhook_routes[url], self.webhook_secret, p.get_int("max_connections") or 40
            )
            self.pusher.start()
        return True

    def route_webhook(self, public_url: str, local_url: str) -> None:
        """Updates for a webhook set to public_url are POSTed to local_url (what the TLS proxy would do)."""
        self.webhook_routes[public_url] = local_url

    async def _stop_pushing(self) -> None:
        if self.pusher is not None:
            await self.pusher.stop()
            self.pusher = None

    async def _api_deleteWebhook(self, p: Params) -> bool:
        self.webhook_url = ""
        await self._stop_pushing()
        if p.get_bool("drop_pending_updates"):
            self._updates.drop_all()
        return True

    async def _api_getWebhookInfo(self, p: Params) -> JSON:
        info: JSON = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates.pending()),
        }
        if self._updates.allowed is not None:
            info["allowed_updates"] = sorted(self._updates.allowed)
        return info

    async def _api_getChat(self, p: Params) -> JSON:
        chat = self._chat(p)
        return {
            **chat.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _api_getChatMember(self, p: Params) -> JSON:
        chat = self._chat(p)
        user_id = p.get_int("user_id")
        if user_id == self.bot.id:
            user = self.bot
        elif user_id in self._users:
            user = self._users[user_id]
        else:
            raise bad_request("invalid user_id specified" if user_id is None else "user not found")
        if chat.user is not None:
            if user_id not in (chat.id, self.bot.id):
                raise bad_request("member not found")
            return member_json(user, "member")
        return member_json(user, chat.members.get(user.id, "member" if user is self.bot else "left"))

    async def _api_getChatAdministrators(self, p: Params) -> list[JSON]:
        chat = self._chat(p)
        if chat.user is not None:
            raise bad_request("there are no administrators in the private chat")
        admins = []
        for user_id, status in chat.members.items():
            if status in ("creator", "administrator"):
                user = self.bot if user_id == self.bot.id else self._users[user_id]
                admins.append(member_json(user, status))
        return admins

    async def _api_deleteMessage(self, p: Params) -> bool:
        # Like Telegram: a message sent 48 hours ago or earlier can no longer be deleted by a bot (it can still
        # edit its own messages, and a user can still delete them).
        chat = self._chat(p)
        message_id = p.get_int("message_id")
        too_old = self._now() - DELETE_WINDOW_SECONDS
        for msg in self._sent.get(chat.id, []):
            if msg.message_id == message_id and not msg.deleted:
                if msg.versions[0].date <= too_old:
                    raise bad_request("message can't be deleted")
                msg.deleted = True
                self._event(chat.id, f"#{message_id} BOT deleted the message")
                self._messages_signal.fire()
                return True
        if message_id in chat.user_message_ids:
            if chat.user_message_ids[message_id] <= too_old:
                raise bad_request("message can't be deleted")
            del chat.user_message_ids[message_id]
            self._event(chat.id, f"#{message_id} BOT deleted the user's message")
            return True
        raise bad_request("message to delete not found")

    async def _api_sendChatAction(self, p: Params) -> bool:
        chat = self._chat(p)
        self._check_can_send(chat)
        if p.get_str("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _api_close(self, p: Params) -> bool:
        return True

    async def _api_logOut(self, p: Params) -> bool:
        return True

    # ----------------------------------------------------------------- control API: setup

    def add_user(
        self,
        user_id: int,
        first_name: str,
        language_code: str | None = None,
        username: str | None = None,
        last_name: str | None = None,
    ) -> UserHandle:
        """Register a user and their private chat (chat id == user id)."""
        if user_id in self._chats:
            raise ValueError(f"chat id {user_id} is already in use")
        user = EmuUser(user_id, first_name, language_code, username, last_name)
        self._users[user_id] = user
        self._chats[user_id] = EmuChat(user_id, "private", user=user)
        return UserHandle(self, user)

    def user(self, user_id: int) -> UserHandle:
        return UserHandle(self, self._get_user(user_id))

    def add_group(self, chat_id: int, title: str, supergroup: bool = False) -> EmuChat:
        """Register a group; the bot is a member (change with ``set_member(chat_id, emu.bot_id, ...)``)."""
        if chat_id in self._chats:
            raise ValueError(f"chat id {chat_id} is already in use")
        chat = EmuChat(chat_id, "supergroup" if supergroup else "group", title=title)
        self._chats[chat_id] = chat
        return chat

    def add_channel(self, chat_id: int, title: str) -> EmuChat:
        """Register a channel in which the bot is an administrator."""
        if chat_id in self._chats:
            raise ValueError(f"chat id {chat_id} is already in use")
        chat = EmuChat(chat_id, "channel", title=title, members={self.bot.id: "administrator"})
        self._chats[chat_id] = chat
        return chat

    def set_member(self, chat_id: int, user_id: int | UserHandle, status: str) -> None:
        """Set a status: creator/administrator/member/restricted/left/kicked. No update is queued."""
        chat = self._get_chat(chat_id)
        uid = _uid(user_id)
        if chat.user is not None:
            raise ValueError(f"{chat.label} has no configurable members")
        if uid != self.bot.id:
            self._get_user(uid)
        chat.members[uid] = normalize_status(status)

    def block(self, user_id: int | UserHandle, notify: bool = True) -> None:
        """The user blocks the bot; queues a ``my_chat_member`` update like Telegram (unless notify=False)."""
        self._set_blocked(_uid(user_id), True, notify)

    def unblock(self, user_id: int | UserHandle, notify: bool = True) -> None:
        self._set_blocked(_uid(user_id), False, notify)

    def _set_blocked(self, user_id: int, blocked: bool, notify: bool) -> None:
        user = self._get_user(user_id)
        if user.blocked_bot == blocked:
            return
        user.blocked_bot = blocked
        self._event(user_id, f"{user.first_name} {'blocked' if blocked else 'unblocked'} the bot")
        if notify:
            member, kicked = {"status": "member"}, {"status": "kicked", "until_date": 0}
            old, new = (member, kicked) if blocked else (kicked, member)
            self._updates.push(
                "my_chat_member",
                {
                    "chat": self._chats[user_id].to_api(),
                    "from": user.to_api(),
                    "date": self._now(),
                    "old_chat_member": {**old, "user": self.bot.to_api()},
                    "new_chat_member": {**new, "user": self.bot.to_api()},
                },
            )

    def migrate_group(self, old_id: int, new_id: int, by_user_id: int | UserHandle | None = None) -> tuple[int, int]:
        """Upgrade a group to a supergroup; queues the two service messages Telegram sends."""
        old = self._get_chat(old_id)
        if old.type != "group" or old.migrated_to is not None:
            raise ValueError(f"{old.label} is not a (non-migrated) basic group")
        new = self.add_group(new_id, old.title or "", supergroup=True)
        new.members = dict(old.members)
        old.migrated_to = new_id
        sender = {"from": self._get_user(_uid(by_user_id)).to_api()} if by_user_id is not None else {}
        first = self._updates.push(
            "message",
            {
                "message_id": old.next_message_id(),
                **sender,
                "chat": old.to_api(),
                "date": self._now(),
                "migrate_to_chat_id": new_id,
            },
        )
        second = self._updates.push(
            "message",
            {
                "message_id": new.next_message_id(),
                **sender,
                "chat": new.to_api(),
                "date": self._now(),
                "migrate_from_chat_id": old_id,
            },
        )
        self._event(old_id, f"group migrated to supergroup {new_id}")
        self._event(new_id, f"supergroup created from group {old_id}")
        return first, second

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's time forward (message dates, the 48-hour limit of deleteMessage, flood windows)."""
        self._skew += seconds

    def set_unavailable(self, unavailable: bool = True) -> None:
        """An outage: every Bot API call answers 502 Bad Gateway until switched back."""
        self.unavailable = unavailable

    def set_rate_limits(self, enabled: bool = True) -> None:
        """Enable Telegram's flood limits for sendMessage (1/s per private chat, 20/min per group, 30/s)."""
        self.rate_limiter.enabled = enabled

    @property
    def rate_limits(self) -> bool:
        return self.rate_limiter.enabled

    @rate_limits.setter
    def rate_limits(self, enabled: bool) -> None:
        self.rate_limiter.enabled = enabled

    def inject_429(self, count: int = 1, retry_after: int = 5, method: str = "sendMessage") -> None:
        """Answer the next ``count`` calls of ``method`` with 429 (regardless of the toggle)."""
        self.rate_limiter.inject(method, count, retry_after)

    # ----------------------------------------------------------------- control API: acting as users

    def _get_user(self, user_id: int) -> EmuUser:
        try:
            return self._users[user_id]
        except KeyError:
            raise KeyError(f"unknown user {user_id}; call emu.add_user() first") from None

    def _get_chat(self, chat_id: int) -> EmuChat:
        try:
            return self._chats[chat_id]
        except KeyError:
            raise KeyError(f"unknown chat {chat_id}; add_user()/add_group() first") from None

    def _acting(self, user_id: int | UserHandle, chat_id: int | None) -> tuple[EmuUser, EmuChat]:
        user = self._get_user(_uid(user_id))
        chat = self._get_chat(user.id if chat_id is None else chat_id)
        if user.blocked_bot and chat.user is not None:
            raise RuntimeError(f"user {user.id} has blocked the bot; call emu.unblock({user.id}) first")
        if chat.migrated_to is not None:
            raise RuntimeError(f"group {chat.id} was migrated to {chat.migrated_to}; use the new id")
        if chat.type == "channel":
            raise ValueError("users cannot write into a channel; use emu.post_channel()")
        if chat.user is not None and chat.id != user.id:
            raise ValueError(f"user {user.id} cannot write into {chat.label}")
        return user, chat

    def _user_message(self, user_id: int | UserHandle, chat_id: int | None, content: JSON, summary: str) -> int:
        user, chat = self._acting(user_id, chat_id)
        message_id = chat.next_message_id()
        chat.user_message_ids[message_id] = self._now()
        self._event(chat.id, f"#{message_id} {user.first_name}: {summary}")
        return self._updates.push(
            "message",
            {
                "message_id": message_id,
                "from": user.to_api(),
                "chat": chat.to_api(),
                "date": self._now(),
                **content,
            },
        )

    def _file(self, prefix: str) -> JSON:
        n = self._next_id()
        return {"file_id": f"{prefix}-file-{n}", "file_unique_id": f"{prefix}-u{n}"}

    def send_text(self, user_id: int | UserHandle, text: str, chat_id: int | None = None) -> int:
        """The user writes ``text`` (private chat unless ``chat_id``); returns the update_id."""
        return self._user_message(user_id, chat_id, {"text": text}, repr(text))

    def send_command(self, user_id: int | UserHandle, command: str, args: str = "", chat_id: int | None = None) -> int:
        """The user sends ``/command args`` with a bot_command entity; returns the update_id."""
        command = command if command.startswith("/") else f"/{command}"
        text = f"{command} {args}" if args else command
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
        return self._user_message(user_id, chat_id, {"text": text, "entities": [entity]}, repr(text))

    def send_sticker(self, user_id: int | UserHandle, chat_id: int | None = None, emoji: str = "👍") -> int:
        sticker = {
            **self._file("sticker"),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._user_message(user_id, chat_id, {"sticker": sticker}, f"<sticker {emoji}>")

    def send_voice(self, user_id: int | UserHandle, chat_id: int | None = None, duration: int = 3) -> int:
        voice = {**self._file("voice"), "duration": duration, "mime_type": "audio/ogg", "file_size": 4096}
        return self._user_message(user_id, chat_id, {"voice": voice}, f"<voice {duration}s>")

    def send_photo(self, user_id: int | UserHandle, chat_id: int | None = None, caption: str | None = None) -> int:
        sizes = [{**self._file("photo"), "width": w, "height": w, "file_size": w * 40} for w in (90, 320, 800)]
        content: JSON = {"photo": sizes}
        if caption:
            content["caption"] = caption
        return self._user_message(user_id, chat_id, content, f"<photo> {caption or ''}".strip())

    def post_channel(self, chat_id: int, text: str, title: str = "Channel") -> int:
        """A post in a channel (created on first use) -> ``channel_post`` update; returns the update_id."""
        chat = self._chats.get(chat_id) or self.add_channel(chat_id, title)
        if chat.type != "channel":
            raise ValueError(f"{chat.label} is not a channel")
        message_id = chat.next_message_id()
        self._event(chat_id, f"#{message_id} channel post: {text!r}")
        return self._updates.push(
            "channel_post",
            {
                "message_id": message_id,
                "sender_chat": chat.to_api(),
                "chat": chat.to_api(),
                "date": self._now(),
                "text": text,
            },
        )

    def press(self, user_id: int | UserHandle, message: SentMessage | int, label: str) -> int:
        """Press the inline button ``label`` on a bot message (message_id: in the user's private chat)."""
        user = self._get_user(_uid(user_id))
        if isinstance(message, int):
            message = self._find_sent(user.id, message)
        if message.deleted:
            raise ButtonNotFound(f"message #{message.message_id} in chat {message.chat_id} was deleted")
        button = message.find_button(label)
        if button is None:
            raise ButtonNotFound(
                f"message #{message.message_id} in chat {message.chat_id} has no inline button "
                f"{label!r}; its buttons are {message.button_labels}\n{self.transcript(message.chat_id)}"
            )
        if button.data is None:
            raise ButtonNotFound(f"button {label!r} of message #{message.message_id} has no callback_data")
        return self._callback(user, message.chat_id, message.message_id, button.data, f"[{label}]")

    def press_data(self, user_id: int | UserHandle, chat_id: int, message_id: int, data: str) -> int:
        """Forge a callback_query with arbitrary data (what a malicious client can do)."""
        user = self._get_user(_uid(user_id))
        return self._callback(user, chat_id, message_id, data, f"forged data {data!r}")

    def _find_sent(self, chat_id: int, message_id: int) -> SentMessage:
        for msg in self._sent.get(chat_id, []):
            if msg.message_id == message_id:
                return msg
        raise LookupError(f"the bot sent no message #{message_id} in chat {chat_id}")

    def _callback(self, user: EmuUser, chat_id: int, message_id: int, data: str, what: str) -> int:
        user, chat = self._acting(user.id, chat_id)
        msg = next((m for m in self._sent.get(chat.id, []) if m.message_id == message_id), None)
        if msg is not None and not msg.deleted:
            message = msg.to_api(self.bot, chat)
        else:  # Telegram's InaccessibleMessage
            message = {"chat": chat.to_api(), "message_id": message_id, "date": 0}
        query_id = str(4_200_000_000_000_000_000 + self._next_id())
        self._queries[query_id] = _Query(user.id, data)
        self._event(chat.id, f"{user.first_name} pressed {what} on #{message_id}")
        return self._updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "message": message,
                "chat_instance": chat.chat_instance,
                "data": data,
            },
        )

    # ----------------------------------------------------------------- control API: reading

    def messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in the chat, oldest first (deleted ones stay, flagged ``deleted``)."""
        return list(self._sent.get(chat_id, []))

    def last_message(self, chat_id: int) -> SentMessage | None:
        sent = [m for m in self._sent.get(chat_id, []) if not m.deleted]
        return sent[-1] if sent else None

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
        after: int | None = None,
    ) -> SentMessage:
        """First non-deleted bot message in the chat (from index ``after`` on) matching ``predicate``.

        Re-checked whenever the bot sends or edits; on timeout an AssertionError shows the transcript.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._messages_signal.event
            for msg in self._sent.get(chat_id, [])[after or 0 :]:
                if not msg.deleted and (predicate is None or predicate(msg)):
                    return msg
            remaining = deadline - loop.time()
            if remaining <= 0:
                what = "matching the predicate " if predicate else ""
                raise AssertionError(
                    f"no bot message {what}in chat {chat_id} (after={after}) within {timeout}s\n"
                    + self.transcript(chat_id)
                )
            await wait_event(event, remaining)

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
        after: int | None = None,
    ) -> ApiCall:
        """First logged API call of ``method`` (from index ``after`` of ``calls``) matching ``predicate``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._calls_signal.event
            for call in self.calls[after or 0 :]:
                if call.method.lower() == method.lower() and (predicate is None or predicate(call)):
                    return call
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = [f"{c.method}={c.status}" for c in self.calls[-20:]]
                raise AssertionError(f"no {method} call within {timeout}s; last calls: {seen}")
            await wait_event(event, remaining)

    async def wait_until_confirmed(self, update_id: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot confirmed (getUpdates offset > update_id) the update."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._updates.confirmed_offset <= update_id:
            event = self._updates.signal.event
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"update {update_id} not confirmed within {timeout}s "
                    f"(confirmed_offset={self._updates.confirmed_offset})"
                )
            await wait_event(event, remaining)

    @property
    def polls_waiting(self) -> int:
        """Number of getUpdates long polls currently waiting for an update."""
        return self._waiting_polls

    async def wait_for_poll(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has a getUpdates long poll waiting (i.e. it is up and polling)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._waiting_polls:
            event = self._poll_signal.event
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no getUpdates long poll arrived within {timeout}s")
            await wait_event(event, remaining)

    def transcript(self, chat_id: int) -> str:
        chat = self._chats.get(chat_id)
        lines = [f"--- transcript of {chat.label if chat else f'unknown chat {chat_id}'} ---"]
        for entry in self._events.get(chat_id, []):
            lines.append("  " + entry)
        if len(lines) == 1:
            lines.append("  (nothing happened in this chat)")
        return "\n".join(lines)

    @property
    def commands(self) -> dict[tuple[str, str], list[tuple[str, str]]]:
        """setMyCommands state: ``{(scope, language_code): [(command, description), ...]}``.

        scope is "default", "all_private_chats", ..., "chat:<id>", "chat_member:<id>:<user>";
        language_code is "" when none was given.
        """
        return {key: list(value) for key, value in self._commands.items()}

    def pending_updates(self) -> list[JSON]:
        """Updates queued and not yet confirmed by the bot (copies)."""
        return self._updates.pending()

    @property
    def confirmed_offset(self) -> int:
        """The highest offset the bot confirmed (updates with smaller ids are gone); 0 initially."""
        return self._updates.confirmed_offset

    def count_calls(self, method: str | None = None, status: int | None = None) -> int:
        return sum(
            1
            for c in self.calls
            if (method is None or c.method.lower() == method.lower()) and (status is None or c.status == status)
        )
