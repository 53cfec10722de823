"""The Telegram adapter (python-telegram-bot): parents in private chats, staff in a group.

Exactly once: we poll getUpdates ourselves and confirm an update (advance the offset) only after the
transaction that handled it has committed; a redelivered update is recognised by its id in our database.
Replies go out through the outbox, so this module only translates: updates in, messages out.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from time import monotonic

os.environ.setdefault("PTB_TIMEDELTA", "1")  # PTB 22: durations as timedelta, without deprecation warnings

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    Message,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.adapters.base import Delivery, Handler, Inbound, Outgoing
from bot.adapters.telegram_describe import describe
from bot.adapters.telegram_http import AiohttpRequest
from bot.adapters.telegram_limits import SendLimiter
from bot.adapters.telegram_text import keyboard, split_text
from bot.adapters.telegram_webhook import WebhookConfig, serve_webhook
from bot.core.events import (
    ChatKey,
    ChatMoved,
    Command,
    Event,
    Pressed,
    Reachability,
    Reply,
    Text,
    Unsupported,
    UserKey,
)
from storage.kinds import Outcome

log = logging.getLogger(__name__)
MAX_NOTICE = 200  # the answer to a callback query
POLL_TIMEOUT = 25
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member", "channel_post"]
MEMBER_STATUSES = {"creator", "administrator", "member"}
# Bot API method names are case-insensitive. PTB warns when do_api_request names a method it wraps itself
# ("sendMessage"); we call it with prebuilt JSON because building PTB's keyboard objects cost more than the
# request (bench/telegram.py), so we use the lower-case spelling, which PTB does not map to its own methods.
SEND_MESSAGE, EDIT_MESSAGE_TEXT = "sendmessage", "editmessagetext"
UNSUPPORTED_KINDS = ("sticker", "voice", "audio", "photo", "video", "video_note", "document", "animation",
                     "location", "contact", "poll", "dice")  # fmt: skip


def chat_id_of(key: str) -> int:
    return int(key.split(":", 1)[1])


class TelegramAdapter:
    """connect, listen, send, disconnect — plus is_member for the staff channel and setMyCommands per language."""

    name = "telegram"

    def __init__(
        self,
        token: str,
        api_url: str,
        commands: dict[str, list[tuple[str, str]]],
        staff_chat_id: int | None = None,
        staff_commands: Sequence[tuple[str, str]] = (),
        limiter: SendLimiter | None = None,
        webhook: WebhookConfig | None = None,
        descriptions: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        self._last_success: float | None = None
        self.descriptions = descriptions or {}
        self.webhook = webhook
        self.commands = commands
        self.staff_chat_id = staff_chat_id
        self.staff_commands = staff_commands
        self.limiter = limiter or SendLimiter()
        request = AiohttpRequest(pool_size=8)
        polling = AiohttpRequest(pool_size=1, read_timeout=POLL_TIMEOUT + 15)
        self.bot = Bot(token, base_url=f"{api_url.rstrip('/')}/bot", request=request, get_updates_request=polling)
        self.username = ""

    async def connect(self) -> None:
        try:
            await self.bot.initialize()
        except InvalidToken:
            raise RuntimeError("Telegram refused the token (ELTERNLOTSE_TELEGRAM_TOKEN)") from None
        self.username = self.bot.username or ""
        if self.webhook is not None:
            await self.bot.set_webhook(
                self.webhook.url, secret_token=self.webhook.secret, allowed_updates=ALLOWED_UPDATES
            )
        else:
            await self.bot.delete_webhook(drop_pending_updates=False)  # polling: parents' messages are kept
        for language, commands in self.commands.items():
            entries = [BotCommand(name, description[:256]) for name, description in commands]
            await self.bot.set_my_commands(entries, language_code=language or None)
        await describe(self.bot, self.descriptions)
        if self.staff_chat_id is not None and self.staff_commands:
            entries = [BotCommand(name, description) for name, description in self.staff_commands]
            try:
                await self.bot.set_my_commands(entries, scope=BotCommandScopeChat(self.staff_chat_id))
            except TelegramError as exc:  # the staff menu is a convenience; the commands work without it
                log.warning("could not set the staff group's command menu: %s", _reason(exc))

    def use_staff_channel(self, channel: ChatKey) -> None:
        if channel.startswith("telegram:"):
            self.staff_chat_id = chat_id_of(channel)

    def mentioned_in(self, text: str) -> bool:
        return bool(self.username) and f"@{self.username.lower()}" in text.lower()

    def receiving(self) -> str:
        return "webhook" if self.webhook is not None else "polling"

    async def disconnect(self) -> None:
        await self.bot.shutdown()

    def last_success(self) -> float | None:
        """When Telegram last answered a poll or accepted a message (monotonic), for the health check."""
        return self._last_success

    # --- in -------------------------------------------------------------------------------------------

    async def listen(self, handle: Handler) -> None:
        """Receive updates forever: by long polling, or through the webhook if one is configured."""
        if self.webhook is not None:
            await serve_webhook(self, self.webhook, handle)
        else:
            await self._poll(handle)

    async def _poll(self, handle: Handler) -> None:
        """Poll forever. The offset moves past a batch only after every update in it was handled."""
        offset: int | None = None
        failures = 0
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES
                )
                failures = 0
                self._last_success = monotonic()
            except Conflict:
                log.error("another process polls this token (409 Conflict); retrying in 5 s")
                await asyncio.sleep(5)
                continue
            except (NetworkError, RetryAfter) as exc:
                failures += 1
                wait = _seconds(exc.retry_after) if isinstance(exc, RetryAfter) else min(30.0, 2.0**failures)
                log.warning("getUpdates failed (%s); retrying in %.0f s", type(exc).__name__, wait)
                await asyncio.sleep(wait)
                continue
            if not updates:
                continue
            await self._handle_batch(updates, handle)
            offset = updates[-1].update_id + 1

    async def _handle_batch(self, updates: Sequence[Update], handle: Handler) -> None:
        """Updates of one chat are handled in order; different chats at the same time."""
        chains: dict[int, list[tuple[Update, Inbound]]] = defaultdict(list)
        for update in updates:
            inbound = await self.translate(update)
            if inbound is not None:
                chains[chat_id_of(inbound.chat)].append((update, inbound))

        async def run(chain: list[tuple[Update, Inbound]]) -> None:
            for update, inbound in chain:
                await self.handle_update(update, inbound, handle)

        await asyncio.gather(*(run(chain) for chain in chains.values()))

    async def handle_update(self, update: Update, inbound: Inbound, handle: Handler) -> None:
        """Handle one translated update. A pressed button is answered once, after handling, so that a refused
        press is told why in a short notice at the top of the chat (the spinner stops then, too)."""
        notice = None
        try:
            notice = await handle(inbound)
        finally:
            if update.callback_query is not None:
                try:
                    await update.callback_query.answer(notice[:MAX_NOTICE] if notice else None)
                except TelegramError as exc:  # e.g. too old: the press itself was handled
                    log.info("answerCallbackQuery failed: %s", type(exc).__name__)

    async def translate(self, update: Update) -> Inbound | None:
        """A platform update as a core event, or None if it needs no handling (channel posts and the like)."""
        uid = f"telegram:update:{update.update_id}"
        if update.callback_query is not None:
            return await self._callback(uid, update.callback_query)
        message = update.message
        if message is not None and message.migrate_to_chat_id is not None:
            # The group became a supergroup; Telegram may send this without a sender.
            who = message.from_user.id if message.from_user else 0
            event: Event = ChatMoved(f"telegram:{int(message.migrate_to_chat_id)}")
            chat = ChatKey(f"telegram:{message.chat.id}")
            return Inbound(uid, UserKey(f"telegram:{who}"), chat, event, private=False)
        member = update.my_chat_member
        if member is not None and member.chat.type == "private":
            # The family blocked (or unblocked) the bot: stop or resume sending to them.
            reachable = member.new_chat_member.status not in ("kicked", "left")
            key = f"telegram:{member.from_user.id}"
            event = Reachability(reachable)
            return Inbound(uid, UserKey(key), ChatKey(f"telegram:{member.chat.id}"), event)
        if message is None or message.from_user is None or message.from_user.is_bot:
            return None
        chat_type = message.chat.type
        user = message.from_user
        return Inbound(
            uid,
            UserKey(f"telegram:{user.id}"),
            ChatKey(f"telegram:{message.chat.id}"),
            self._event(message),
            language_hint=user.language_code,
            private=chat_type == "private",
            display_name=user.first_name,
        )

    def _event(self, message: Message) -> Event:
        text = message.text
        if text is not None:
            if text.startswith("/") and message.entities and message.entities[0].type == "bot_command":
                command, _, args = text[1:].partition(" ")
                name, _, target = command.partition("@")
                if target and self.username and target.lower() != self.username.lower():
                    return Text(text)  # a command for another bot in a group
                if not name or not name[0].isalpha():
                    return Text(text)  # not one of ours
                return Command(name.lower(), args.strip())
            return Text(text)
        for kind in UNSUPPORTED_KINDS:
            if getattr(message, kind, None):
                return Unsupported(kind)
        return Unsupported("other")

    async def _callback(self, uid: str, query: CallbackQuery) -> Inbound:
        message = query.message
        chat_id = message.chat.id if message is not None else query.from_user.id
        private = message is None or message.chat.type == "private"
        return Inbound(
            uid,
            UserKey(f"telegram:{query.from_user.id}"),
            ChatKey(f"telegram:{chat_id}"),
            Pressed(query.data or ""),
            language_hint=query.from_user.language_code,
            private=private,
            display_name=query.from_user.first_name,
            message_ref=f"telegram:{chat_id}|{message.message_id}" if message is not None else None,
        )

    # --- out ------------------------------------------------------------------------------------------

    async def send(self, destination: ChatKey, message: Outgoing) -> Delivery:
        chat_id = chat_id_of(destination)
        reply = message.reply
        done = message.sent_parts  # parts of a long text that went out in an earlier attempt
        refs: list[str] = []  # the parts that go out in this one
        try:
            if message.edit_ref is not None and message.remove:
                return await self._remove(chat_id, int(message.edit_ref), reply)
            if message.edit_ref is not None:
                return await self._edit(chat_id, int(message.edit_ref), reply)
            parts = split_text(reply.text)
            ref = None
            for index in range(done, len(parts)):
                markup = keyboard(reply) if index == len(parts) - 1 else None
                ref = await self._send_part(chat_id, parts[index], markup)
                refs.append(str(ref))
                done = index + 1
            self._last_success = monotonic()
            return Delivery(Outcome.SENT, ref=str(ref), part_refs=tuple(refs))
        except RetryAfter as exc:
            seconds = _seconds(exc.retry_after)
            self.limiter.pause(seconds)
            return Delivery(Outcome.RETRY, retry_after=seconds, error="429", sent_parts=done, part_refs=tuple(refs))
        except ChatMigrated as exc:
            moved = f"telegram:{exc.new_chat_id}"
            return Delivery(
                Outcome.RETRY, retry_after=0.01, error="migrated", new_destination=moved, sent_parts=done,
                part_refs=tuple(refs),
            )  # fmt: skip
        except Forbidden:
            return Delivery(Outcome.FAILED, error="blocked", part_refs=tuple(refs))
        except BadRequest as exc:
            log.warning("Telegram refused a message: %s", _reason(exc))
            return Delivery(Outcome.FAILED, error=_reason(exc), part_refs=tuple(refs))
        except NetworkError as exc:
            return Delivery(Outcome.RETRY, error=type(exc).__name__, sent_parts=done, part_refs=tuple(refs))

    async def _send_part(self, chat_id: int, text: str, markup: str | None) -> int:
        params: dict[str, object] = {"chat_id": chat_id, "text": html.escape(text, quote=False), "parse_mode": "HTML"}
        if markup is not None:
            params["reply_markup"] = markup
        await self.limiter.wait(chat_id)
        sent = await self.bot.do_api_request(SEND_MESSAGE, api_kwargs=params)
        self.limiter.sent(chat_id)
        return int(sent["message_id"])

    async def _edit(self, chat_id: int, message_id: int, reply: Reply) -> Delivery:
        await self.limiter.wait(chat_id)
        text = html.escape(split_text(reply.text)[0], quote=False)
        params: dict[str, object] = {"chat_id": chat_id, "message_id": message_id, "text": text, "parse_mode": "HTML"}
        markup = keyboard(reply)
        if markup is not None:
            params["reply_markup"] = markup
        try:
            await self.bot.do_api_request(EDIT_MESSAGE_TEXT, api_kwargs=params)
            self.limiter.sent(chat_id)
        except BadRequest as exc:
            reason = _reason(exc)
            if "not modified" in reason:
                return Delivery(Outcome.SENT, ref=str(message_id))
            if "not found" in reason or "can't be edited" in reason:
                return await self.send(ChatKey(f"telegram:{chat_id}"), Outgoing(reply))  # post the card anew
            raise
        return Delivery(Outcome.SENT, ref=str(message_id))

    async def _remove(self, chat_id: int, message_id: int, reply: Reply) -> Delivery:
        """Delete a message of ours; one older than 48 hours Telegram keeps, so its text is replaced instead."""
        try:
            await self.bot.delete_message(chat_id, message_id)
            return Delivery(Outcome.SENT, ref=str(message_id))
        except BadRequest as exc:
            reason = _reason(exc)
            if "not found" in reason:
                return Delivery(
                    Outcome.SENT, ref=str(message_id)
                )  # already gone (deleted by hand, or the chat cleared)
            if "can't be deleted" not in reason:
                raise
        await self.limiter.wait(chat_id)
        text = html.escape(split_text(reply.text)[0], quote=False)
        params: dict[str, object] = {"chat_id": chat_id, "message_id": message_id, "text": text, "parse_mode": "HTML"}
        try:
            await self.bot.do_api_request(EDIT_MESSAGE_TEXT, api_kwargs=params)  # no reply_markup: buttons go too
            self.limiter.sent(chat_id)
        except BadRequest as exc:
            if "not modified" not in _reason(exc) and "not found" not in _reason(exc):
                raise
        return Delivery(Outcome.SENT, ref=str(message_id))

    # --- capabilities ---------------------------------------------------------------------------------

    def private_link(self, start: str) -> str | None:
        """A link that opens the private chat with the bot in one tap and sends /start <start> (needs getMe)."""
        return f"https://t.me/{self.username}?start={start}" if self.username else None

    async def is_member(self, channel: ChatKey, user: UserKey) -> bool:
        """Whether user is a current member of the staff group, asked of Telegram each time."""
        if not channel.startswith("telegram:") or not user.startswith("telegram:"):
            return False
        try:
            member = await self.bot.get_chat_member(chat_id_of(channel), chat_id_of(user))
        except BadRequest as exc:  # e.g. "user not found": an answer, and it is no
            log.info("getChatMember: %s", _reason(exc))
            return False
        # Any other error (network, 429) propagates: "could not check" is not "not a member".
        if member.status == "restricted":
            return bool(getattr(member, "is_member", False))
        return member.status in MEMBER_STATUSES


def _seconds(value: timedelta | int | float) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _reason(exc: TelegramError) -> str:
    """PTB capitalises Telegram's error text; compare in lower case. Never contains message content."""
    return str(exc.message).lower()[:120]
