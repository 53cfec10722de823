# mypy: disable-error-code="union-attr,arg-type"
"""Tests of the Telegram Bot API emulator, driven by python-telegram-bot's real ``telegram.Bot``."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
import telegram
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    CallbackQuery,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from tests.support.tg_emulator import ButtonNotFound, TelegramEmulator
from tests.support.tg_emulator_state import parse_html

pytestmark = pytest.mark.asyncio

TOKEN = "123456:TEST-token"
ALICE = 1001
BOB = 1002
GROUP = -4001


def make_bot(emu: TelegramEmulator) -> Bot:
    # PTB appends the token to base_url: <api_url>/bot + <token> + /<method>
    return Bot(
        TOKEN,
        base_url=emu.api_url + "/bot",
        request=HTTPXRequest(),
        get_updates_request=HTTPXRequest(),
    )


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


class FakeClock:
    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns (PTBDeprecationWarning) whenever a duration/retry_after is read or even a
    # RetryAfter is constructed, unless PTB_TIMEDELTA is set; pyproject turns warnings into errors.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[TelegramEmulator]:
    async with TelegramEmulator(token=TOKEN) as emulator:
        emulator.add_user(ALICE, "Alice", language_code="de", username="alice")
        emulator.add_user(BOB, "Bob")
        yield emulator


@pytest_asyncio.fixture
async def bot(emu: TelegramEmulator) -> AsyncIterator[Bot]:
    async with make_bot(emu) as b:
        yield b


# --------------------------------------------------------------------------- basics


async def test_get_me_and_api_url(emu: TelegramEmulator, bot: Bot) -> None:
    assert emu.api_url.startswith("http://127.0.0.1:")
    assert emu.token == TOKEN
    me = await bot.get_me()
    assert me.id == 123456 and me.is_bot and me.username == "elternlotse_test_bot"
    assert emu.calls[0].method == "getMe" and emu.calls[0].status == 200


async def test_raw_http_shapes(emu: TelegramEmulator) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{emu.api_url}/bot{TOKEN}/getMe") as resp:
            body = await resp.json()
            assert resp.status == 200 and body["ok"] is True and body["result"]["id"] == 123456
        async with http.post(f"{emu.api_url}/bot999:WRONG/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        async with http.post(f"{emu.api_url}/bot{TOKEN}/noSuchMethod") as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        # JSON body with typed values, method names are case-insensitive
        payload = {
            "chat_id": ALICE,
            "text": "json",
            "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
        }
        async with http.post(f"{emu.api_url}/bot{TOKEN}/sendmessage", json=payload) as resp:
            body = await resp.json()
            assert resp.status == 200
            assert body["result"]["text"] == "json"
            assert isinstance(body["result"]["date"], int)
            assert body["result"]["chat"] == {
                "id": ALICE,
                "type": "private",
                "first_name": "Alice",
                "username": "alice",
            }
        # GET with query parameters, reply_markup as JSON string
        params = {"chat_id": str(ALICE), "text": "query"}
        async with http.get(f"{emu.api_url}/bot{TOKEN}/sendMessage", params=params) as resp:
            assert resp.status == 200
        async with http.post(f"{emu.api_url}/bot{TOKEN}/sendMessage", data={"chat_id": "77", "text": "x"}) as resp:
            assert resp.status == 400
            assert await resp.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: chat not found",
            }
        # multipart/form-data
        form = aiohttp.FormData()
        form.add_field("chat_id", str(ALICE))
        form.add_field("text", "multipart")
        form.add_field("dummy", b"bytes", filename="f.bin")
        async with http.post(f"{emu.api_url}/bot{TOKEN}/sendMessage", data=form) as resp:
            assert resp.status == 200
    assert [m.text for m in emu.messages(ALICE)] == ["json", "query", "multipart"]
    assert emu.calls[-1].content_type == "multipart/form-data"
    assert emu.count_calls("sendMessage", 400) == 1


async def test_wrong_token_is_invalid_token_for_ptb(emu: TelegramEmulator) -> None:
    bad = Bot("999:WRONG", base_url=emu.api_url + "/bot", request=HTTPXRequest())
    with pytest.raises(InvalidToken):
        await bad.initialize()
    await bad.shutdown()


# --------------------------------------------------------------------------- getUpdates


async def test_offset_semantics(emu: TelegramEmulator, bot: Bot) -> None:
    ids = [emu.send_text(ALICE, f"m{i}") for i in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3

    first = await bot.get_updates()
    assert [u.update_id for u in first] == ids
    assert [u.message.text for u in first] == ["m0", "m1", "m2"]
    # not confirmed -> delivered again
    again = await bot.get_updates()
    assert [u.update_id for u in again] == ids
    # offset confirms everything before it
    rest = await bot.get_updates(offset=ids[1])
    assert [u.update_id for u in rest] == ids[1:]
    assert emu.confirmed_offset == ids[1]
    assert [u["update_id"] for u in emu.pending_updates()] == ids[1:]
    # confirmed ones are gone for good, even without offset
    assert [u.update_id for u in await bot.get_updates()] == ids[1:]
    # limit
    assert [u.update_id for u in await bot.get_updates(limit=1)] == ids[1:2]
    # confirm all
    assert await bot.get_updates(offset=ids[-1] + 1) == ()
    assert emu.pending_updates() == []
    assert emu.confirmed_offset == ids[-1] + 1


async def test_negative_offset_keeps_only_the_last(emu: TelegramEmulator, bot: Bot) -> None:
    ids = [emu.send_text(ALICE, f"m{i}") for i in range(4)]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[-1:]
    assert [u.update_id for u in await bot.get_updates()] == ids[-1:]


async def test_long_poll_returns_promptly_when_update_arrives(emu: TelegramEmulator, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await emu.wait_for_poll(timeout=5)
    assert emu.polls_waiting == 1
    update_id = emu.send_text(ALICE, "wake up")
    updates = await asyncio.wait_for(poll, timeout=5)
    assert [u.update_id for u in updates] == [update_id]
    assert loop.time() - started < 5
    assert emu.polls_waiting == 0


async def test_long_poll_times_out_empty(emu: TelegramEmulator, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=dtm.timedelta(milliseconds=300)) == ()
    assert 0.25 <= loop.time() - started < 3


async def test_second_poll_terminates_the_first_with_409(emu: TelegramEmulator, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await emu.wait_for_poll()
    async with make_bot(emu) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, timeout=5)
    assert emu.count_calls("getUpdates", 409) == 1


async def test_webhook_blocks_get_updates(emu: TelegramEmulator, bot: Bot) -> None:
    assert await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    emu.send_text(ALICE, "hi")
    assert await bot.delete_webhook(drop_pending_updates=True)
    info = await bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 0
    assert await bot.get_updates() == ()


async def test_allowed_updates_filter(emu: TelegramEmulator, bot: Bot) -> None:
    emu.send_text(ALICE, "text")
    msg = await bot.send_message(ALICE, "q", reply_markup=keyboard([("A", "a")]))
    emu.press(ALICE, emu.last_message(ALICE), "A")
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [type(u.callback_query) for u in updates] == [CallbackQuery]
    assert updates[0].callback_query.message.message_id == msg.message_id
    # the setting is persistent
    emu.send_text(ALICE, "ignored")
    assert await bot.get_updates(offset=updates[0].update_id + 1) == ()


# --------------------------------------------------------------------------- users acting


async def test_user_message_kinds(emu: TelegramEmulator, bot: Bot) -> None:
    emu.add_group(GROUP, "Eltern-Café")
    emu.send_command(ALICE, "start", "payload")
    emu.send_text(BOB, "hello group", chat_id=GROUP)
    emu.send_sticker(ALICE)
    emu.send_voice(ALICE, duration=7)
    emu.send_photo(ALICE, caption="look")
    emu.post_channel(-100777, "news", title="Kanal")
    updates = await bot.get_updates()
    cmd, group_msg, sticker, voice, photo, post = updates
    assert cmd.message.text == "/start payload"
    assert cmd.message.entities[0].type == "bot_command" and cmd.message.entities[0].length == 6
    assert cmd.message.from_user.language_code == "de"
    assert group_msg.message.chat.type == "group" and group_msg.message.chat.title == "Eltern-Café"
    assert group_msg.message.from_user.id == BOB
    assert sticker.message.sticker.emoji == "👍"
    assert voice.message.voice.duration == dtm.timedelta(seconds=7)
    assert photo.message.caption == "look" and len(photo.message.photo) == 3
    assert post.channel_post.text == "news" and post.channel_post.chat.type == "channel"
    assert post.channel_post.sender_chat.title == "Kanal"
    # message ids are per chat and shared with the bot's messages
    sent = await bot.send_message(ALICE, "reply")
    assert sent.message_id == photo.message.message_id + 1


async def test_press_by_label_yields_callback_query(emu: TelegramEmulator, bot: Bot) -> None:
    sent = await bot.send_message(
        ALICE, "Sprache?", reply_markup=keyboard([("Deutsch", "lang:de"), ("Türkçe", "lang:tr")])
    )
    msg = emu.last_message(ALICE)
    assert msg is not None and msg.message_id == sent.message_id
    assert msg.buttons == [[("Deutsch", "lang:de"), ("Türkçe", "lang:tr")]]
    update_id = emu.press(ALICE, msg, "Türkçe")
    (update,) = await bot.get_updates()
    assert update.update_id == update_id
    cq = update.callback_query
    assert isinstance(cq, CallbackQuery)
    assert cq.data == "lang:tr" and cq.from_user.id == ALICE and cq.chat_instance
    assert cq.message.message_id == sent.message_id and cq.message.text == "Sprache?"
    assert await cq.answer("Ok", show_alert=True)
    assert emu.callback_answers[-1].text == "Ok" and emu.callback_answers[-1].show_alert
    assert emu.callback_answers[-1].data == "lang:tr"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(cq.id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("123")


async def test_press_unknown_label_raises_clear_error(emu: TelegramEmulator, bot: Bot) -> None:
    await bot.send_message(ALICE, "Frage", reply_markup=keyboard([("Ja", "y")]))
    with pytest.raises(ButtonNotFound, match=r"no inline button 'Nein'.*\['Ja'\]"):
        emu.user(ALICE).press(emu.last_message(ALICE), "Nein")


async def test_press_data_forges_callback(emu: TelegramEmulator, bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "Frage", reply_markup=keyboard([("Ja", "y")]))
    emu.press_data(ALICE, ALICE, sent.message_id, "admin:delete_all")
    emu.press_data(ALICE, ALICE, 9999, "x")
    forged, inaccessible = await bot.get_updates()
    assert forged.callback_query.data == "admin:delete_all"
    assert forged.callback_query.message.message_id == sent.message_id
    # PTB 22.8 parses CallbackQuery.message with Message.de_json, so an InaccessibleMessage
    # (date 0) arrives as a Message whose is_accessible is False
    assert not inaccessible.callback_query.message.is_accessible


# --------------------------------------------------------------------------- sendMessage errors


async def test_blocked_user_is_forbidden(emu: TelegramEmulator, bot: Bot) -> None:
    emu.block(ALICE)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ALICE, "hallo?")
    (update,) = await bot.get_updates()
    assert update.my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(RuntimeError, match="blocked the bot"):
        emu.send_text(ALICE, "can't write")
    emu.unblock(ALICE)
    assert (await bot.send_message(ALICE, "wieder da")).text == "wieder da"


async def test_injected_429_raises_retry_after(emu: TelegramEmulator, bot: Bot) -> None:
    emu.inject_429(count=2, retry_after=7)
    for _ in range(2):
        with pytest.raises(RetryAfter) as excinfo:
            await bot.send_message(ALICE, "flood")
        assert excinfo.value.retry_after == dtm.timedelta(seconds=7)
    await bot.send_message(ALICE, "ok now")
    assert emu.count_calls("sendMessage", 429) == 2
    assert [m.text for m in emu.messages(ALICE)] == ["ok now"]


async def test_rate_limits() -> None:
    clock = FakeClock()
    async with TelegramEmulator(token=TOKEN, clock=clock) as emu:
        emu.add_user(ALICE, "Alice")
        emu.add_group(GROUP, "Gruppe")
        async with make_bot(emu) as bot:
            await bot.send_message(ALICE, "1")  # toggle off: no limits
            await bot.send_message(ALICE, "2")
            emu.rate_limits = True
            clock.now += 1
            await bot.send_message(ALICE, "3")
            clock.now += 0.5
            with pytest.raises(RetryAfter) as excinfo:
                await bot.send_message(ALICE, "4")
            assert excinfo.value.retry_after == dtm.timedelta(seconds=1)
            clock.now += 0.5
            await bot.send_message(ALICE, "4")
            for i in range(20):
                await bot.send_message(GROUP, f"g{i}")
            with pytest.raises(RetryAfter):
                await bot.send_message(GROUP, "g20")
            clock.now += 60
            await bot.send_message(GROUP, "g20")
            assert emu.count_calls("sendMessage", 429) == 2


async def test_global_rate_limit() -> None:
    clock = FakeClock()
    async with TelegramEmulator(token=TOKEN, clock=clock) as emu:
        emu.set_rate_limits(True)
        for uid in range(1, 32):
            emu.add_user(uid, f"U{uid}")
        async with make_bot(emu) as bot:
            for uid in range(1, 31):
                await bot.send_message(uid, "hi")
            with pytest.raises(RetryAfter):
                await bot.send_message(31, "hi")
            clock.now += 1
            await bot.send_message(31, "hi")


async def test_text_length_is_counted_in_utf16_after_parsing(emu: TelegramEmulator, bot: Bot) -> None:
    await bot.send_message(ALICE, "<b>" + "a" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    await bot.send_message(ALICE, "😀" * 2048)  # 4096 UTF-16 code units
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALICE, "😀" * 2048 + "a")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALICE, "a" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ALICE, "<b> </b>", parse_mode=ParseMode.HTML)


@pytest.mark.parametrize(
    "html",
    [
        "<foo>x</foo>",
        "a < b",
        "Tom & Jerry",
        "<b>bold",
        "<b><i>x</b></i>",
        "</b>",
        '<span class="x">s</span>',
        "&nbsp;",
    ],
)
async def test_bad_html_is_rejected(emu: TelegramEmulator, bot: Bot, html: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ALICE, html, parse_mode=ParseMode.HTML)
    assert emu.messages(ALICE) == []


async def test_html_is_parsed_to_plain_text_and_entities(emu: TelegramEmulator, bot: Bot) -> None:
    raw = (
        "😀 <b>fett <i>kursiv</i></b> &lt;tag&gt; &amp; &quot;q&quot; &#228;&#x1F600; "
        '<a href="https://example.org/?a=1&amp;b=2">Link</a> <tg-spoiler>s</tg-spoiler> '
        '<span class="tg-spoiler">t</span> <code>c</code> <pre><code class="language-python">p</code></pre>'
        "<blockquote expandable>q</blockquote><u>u</u><s>s</s>"
    )
    sent = await bot.send_message(ALICE, raw, parse_mode=ParseMode.HTML)
    msg = emu.last_message(ALICE)
    assert msg.raw_text == raw and msg.parse_mode == "HTML"
    assert msg.text == '😀 fett kursiv <tag> & "q" ä😀 Link s t c pqus'
    assert sent.text == msg.text
    by_type = {e.type: e for e in sent.entities}
    assert sent.parse_entity(by_type["bold"]) == "fett kursiv"
    assert by_type["bold"].offset == 3  # the emoji counts 2 UTF-16 units
    assert sent.parse_entity(by_type["italic"]) == "kursiv"
    assert by_type["text_link"].url == "https://example.org/?a=1&b=2"
    assert by_type["pre"].language == "python"
    assert "code" in by_type and sent.parse_entity(by_type["code"]) == "c"
    assert by_type["expandable_blockquote"].length == 1
    assert sum(e.type == "spoiler" for e in sent.entities) == 2


async def test_parse_html_error_messages() -> None:
    from tests.support.tg_emulator_state import ApiError

    with pytest.raises(ApiError) as excinfo:
        parse_html("ä<x>")
    assert excinfo.value.description == (
        'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 2'
    )
    assert parse_html("Tom & Jerry", strict_ampersand=False) == ("Tom & Jerry", [])


async def test_callback_data_limits(emu: TelegramEmulator, bot: Bot) -> None:
    await bot.send_message(ALICE, "ok", reply_markup=keyboard([("A", "x" * 64), ("B", "ä" * 32)]))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(ALICE, "x", reply_markup=keyboard([("A", "x" * 65)]))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(ALICE, "x", reply_markup=keyboard([("A", "ä" * 33)]))  # 66 bytes
    with pytest.raises(BadRequest, match=r"(?i)text buttons are unallowed"):
        await bot.send_message(ALICE, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A")]]))
    url_markup = InlineKeyboardMarkup([[InlineKeyboardButton("Web", url="https://example.org")]])
    await bot.send_message(ALICE, "url", reply_markup=url_markup)
    assert emu.last_message(ALICE).buttons == [[("Web", None)]]
    assert emu.last_message(ALICE).button_urls == {"Web": "https://example.org"}


async def test_group_migration(emu: TelegramEmulator, bot: Bot) -> None:
    emu.add_group(GROUP, "Elterncafé")
    emu.set_member(GROUP, ALICE, "creator")
    await bot.send_message(GROUP, "vorher")
    emu.migrate_group(GROUP, -1009001, by_user_id=ALICE)
    with pytest.raises(ChatMigrated) as excinfo:
        await bot.send_message(GROUP, "nachher")
    assert excinfo.value.new_chat_id == -1009001
    to_msg, from_msg = await bot.get_updates()
    assert to_msg.message.migrate_to_chat_id == -1009001
    assert from_msg.message.migrate_from_chat_id == GROUP
    assert from_msg.message.chat.type == "supergroup"
    await bot.send_message(-1009001, "nachher")
    member = await bot.get_chat_member(-1009001, ALICE)
    assert isinstance(member, ChatMemberOwner)


async def test_get_chat_member_statuses(emu: TelegramEmulator, bot: Bot) -> None:
    emu.add_group(GROUP, "Gruppe", supergroup=True)
    expected = {
        "creator": ChatMemberOwner,
        "administrator": ChatMemberAdministrator,
        "member": ChatMemberMember,
        "restricted": ChatMemberRestricted,
        "left": ChatMemberLeft,
        "kicked": ChatMemberBanned,
    }
    for status, cls in expected.items():
        emu.set_member(GROUP, BOB, status)
        member = await bot.get_chat_member(GROUP, BOB)
        assert type(member) is cls, status
        assert member.user.id == BOB and member.status == status
    assert isinstance(await bot.get_chat_member(GROUP, ALICE), ChatMemberLeft)
    assert isinstance(await bot.get_chat_member(ALICE, ALICE), ChatMemberMember)
    emu.set_member(GROUP, ALICE, "creator")
    emu.set_member(GROUP, emu.bot_id, "administrator")
    admins = await bot.get_chat_administrators(GROUP)
    assert {a.user.id for a in admins} == {ALICE, emu.bot_id}
    with pytest.raises(BadRequest, match=r"(?i)user not found"):
        await bot.get_chat_member(GROUP, 555)
    chat = await bot.get_chat(GROUP)
    assert chat.title == "Gruppe" and chat.type == "supergroup"
    emu.set_member(GROUP, emu.bot_id, "kicked")
    with pytest.raises(Forbidden, match="bot was kicked"):
        await bot.send_message(GROUP, "x")


async def test_my_commands_per_language_and_scope(emu: TelegramEmulator, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("start", "Starten")], language_code="de")
    await bot.set_my_commands([BotCommand("hilfe", "Hilfe")], scope=BotCommandScopeAllGroupChats(), language_code="de")
    await bot.set_my_commands([BotCommand("x", "y")], scope=BotCommandScopeChat(ALICE))
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert [c.description for c in await bot.get_my_commands(language_code="de")] == ["Starten"]
    assert await bot.get_my_commands(language_code="tr") == ()
    assert emu.commands[("default", "de")] == [("start", "Starten")]
    assert emu.commands[("all_group_chats", "de")] == [("hilfe", "Hilfe")]
    assert emu.commands[("chat:1001", "")] == [("x", "y")]
    assert await bot.delete_my_commands(language_code="de")
    assert ("default", "de") not in emu.commands
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Command", "x")])


async def test_edits(emu: TelegramEmulator, bot: Bot) -> None:
    sent = await bot.send_message(
        ALICE, "<b>Frage</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard([("Ja", "y")])
    )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<b>Frage</b>",
            ALICE,
            sent.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard([("Ja", "y")]),
        )
    edited = await bot.edit_message_text("Antwort", ALICE, sent.message_id, reply_markup=keyboard([("Ok", "ok")]))
    assert edited.text == "Antwort" and edited.edit_date is not None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=keyboard([("Ok", "ok")]))
    await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=None)
    msg = emu.last_message(ALICE)
    assert msg.text == "Antwort" and msg.buttons == []
    assert [v.method for v in msg.edits] == ["editMessageText", "editMessageReplyMarkup"]
    assert msg.versions[0].text == "Frage" and msg.edits[0].buttons == [[("Ok", "ok")]]
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", ALICE, 4242)
    user_msg_update = emu.send_text(ALICE, "mine")
    assert user_msg_update
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("x", ALICE, sent.message_id + 1)


async def test_wait_for_message_sees_new_and_edited(emu: TelegramEmulator, bot: Bot) -> None:
    async def bot_side() -> None:
        sent = await bot.send_message(ALICE, "Moment…")
        await bot.edit_message_text("Fertig", ALICE, sent.message_id)

    waiter = asyncio.create_task(emu.wait_for_message(ALICE, lambda m: m.text == "Fertig", timeout=5))
    await bot_side()
    msg = await waiter
    assert msg.edits and msg.versions[0].text == "Moment…"
    assert (await emu.wait_for_message(ALICE, after=0)).message_id == msg.message_id
    emu.send_text(ALICE, "hallo?")
    with pytest.raises(
        AssertionError, match=r"(?s)no bot message.*BOT: 'Moment…'.*BOT edited.*'Fertig'.*Alice: 'hallo\?'"
    ):
        await emu.wait_for_message(ALICE, after=1, timeout=0.2)


async def test_misc_methods(emu: TelegramEmulator, bot: Bot) -> None:
    sent = await bot.send_message(ALICE, "weg damit")
    assert await bot.send_chat_action(ALICE, "typing")
    assert await bot.delete_message(ALICE, sent.message_id)
    assert emu.messages(ALICE)[0].deleted and emu.last_message(ALICE) is None
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ALICE, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat(4711)
    assert (await bot.get_chat(ALICE)).first_name == "Alice"
    assert await bot.close()
    assert await bot.log_out()


async def test_messages_older_than_48_hours_cannot_be_deleted_but_can_be_edited(
    emu: TelegramEmulator, bot: Bot
) -> None:
    old = await bot.send_message(ALICE, "alt")
    emu.send_text(ALICE, "auch alt")
    users_old = emu.pending_updates()[-1]["message"]["message_id"]
    emu.advance_clock(48 * 3600 - 2)
    fresh = await bot.send_message(ALICE, "neu")
    emu.advance_clock(2)  # now exactly 48 hours after the first two: Telegram refuses, as for anything older
    with pytest.raises(BadRequest, match=r"^Message can't be deleted$"):
        await bot.delete_message(ALICE, old.message_id)
    with pytest.raises(BadRequest, match=r"^Message can't be deleted$"):
        await bot.delete_message(ALICE, users_old)
    assert not emu.messages(ALICE)[0].deleted
    assert await bot.delete_message(ALICE, fresh.message_id)  # 2 seconds old
    edited = await bot.edit_message_text("entfernt", ALICE, old.message_id)  # the bot may edit its own at any age
    assert edited.text == "entfernt" and emu.messages(ALICE)[0].text == "entfernt"
    refused = [c.description for c in emu.calls if c.method == "deleteMessage" and c.status == 400]
    assert refused == ["Bad Request: message can't be deleted"] * 2  # Telegram's own words


async def test_ptb_application_round_trip(emu: TelegramEmulator) -> None:
    """A real PTB Application (Updater long polling) against the emulator."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text("Hallo!", reply_markup=keyboard([("Weiter", "next")]))

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(f"Gewählt: {update.callback_query.data}")

    app = Application.builder().token(TOKEN).base_url(emu.api_url + "/bot").build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    async with app:
        await app.start()
        await app.updater.start_polling(timeout=10)
        alice = emu.user(ALICE)
        alice.send_command("start")
        hello = await alice.wait_for_message(lambda m: m.text == "Hallo!", timeout=5)
        alice.press(hello, "Weiter")
        await alice.wait_for_message(lambda m: m.text == "Gewählt: next", timeout=5)
        assert emu.callback_answers[-1].data == "next"
        await app.updater.stop()
        await app.stop()
    assert emu.pending_updates() == []  # PTB confirmed everything on shutdown
    assert emu.count_calls("getUpdates", 409) == 0
    assert telegram.__version__.startswith("22.")
