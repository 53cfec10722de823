"""Reminders, /mydata and "delete" in the web chat, through the real `elternlotse run` and a real browser.

Two families agree to reminders of Mitte's consultation hour: an Arabic one whose page stays open (Chromium), and a
German one that closed its page (HTTP) and opens it again later on the same cookie. The process reads the real
clock, so the office it gets has an hour that begins soon and one rule that makes the reminder due at once
(tests/support/reminder_world); the scheduler's job looks each minute. Then the Arabic family asks what is stored
about it and deletes everything with the menu's buttons: nothing of its web session stays in the database.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from bot.core import texts as T
from tests.support.browser import in_thread
from tests.support.reminder_world import reminder_dialogs
from tests.support.tg_emulator import TelegramEmulator
from tests.support.web_client import WebFamily
from tests.telegram.conftest import tr
from tests.web.conftest import WebBot, start_web_bot, stop_web_bot
from tests.web.page import ChatPage
from tests.web.test_browser import driver, screenshots  # noqa: F401  (fixtures)

AR, DE = tr("ar"), tr("de")
REMINDER_WAIT = 150.0  # the job looks once a minute; a family that subscribed just after a look waits for the next
# Where a family's rows are, by table (its user id, or its key for the outbox): none may stay after "delete".
OWN_ROWS = {
    "users": "SELECT count(*) FROM users WHERE id = :id",
    "web_messages": "SELECT count(*) FROM web_messages WHERE user_id = :id",
    "dialog_states": "SELECT count(*) FROM dialog_states WHERE user_id = :id",
    "reminder_subscriptions": "SELECT count(*) FROM reminder_subscriptions WHERE user_id = :id",
    "consent_records": "SELECT count(*) FROM consent_records WHERE user_id = :id",
    "outbox": "SELECT count(*) FROM outbox WHERE destination = :key OR user_id = :id",
    "callback_requests": "SELECT count(*) FROM callback_requests WHERE user_id = :id",
}


def rows(database: Path, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql, params).fetchall()


def own_rows(database: Path, user: tuple[int, str]) -> dict[str, int]:
    return {table: rows(database, sql, id=user[0], key=user[1])[0][0] for table, sql in OWN_ROWS.items()}


@pytest.fixture
async def reminder_bot(emu: TelegramEmulator, tmp_path: Path) -> AsyncIterator[WebBot]:
    dialogs = reminder_dialogs(tmp_path / "dialogs")
    bot = await start_web_bot(emu, tmp_path, ELTERNLOTSE_DIALOGS_DIR=str(dialogs))
    yield bot
    await stop_web_bot(bot)


async def subscribe_over_http(family: WebFamily) -> None:
    """A German family asks for reminders of Mitte's hour, the way the page does it."""
    await family.session()
    family.listen()
    await family.ready.wait()
    assert await family.start() == 200
    for label, next_label in (
        ("Deutsch", "🕘 Offene Sprechstunde"),
        ("🕘 Offene Sprechstunde", "🔔 Vor der Sprechstunde erinnern"),
        ("🔔 Vor der Sprechstunde erinnern", "Mitte"),
        ("Mitte", T.AGREE_BUTTON),
    ):
        await family.next(0, lambda e, x=label: x in e.labels)
        count = len(family.events)
        assert (await family.press(label))[0] == 200
        await family.next(count, lambda e, x=next_label: x in e.labels)
    count = len(family.events)
    assert (await family.press(T.AGREE_BUTTON))[0] == 200
    await family.next(count, lambda e: e.text.startswith("✅"))


async def open_menu_entry(page: ChatPage, command: str) -> None:
    def click() -> None:
        page.driver.find_element(By.ID, "more").click()
        page.driver.find_element(By.CSS_SELECTOR, f"#menu button[data-command='{command}']").click()

    await in_thread(click)


async def test_reminders_reach_an_open_page_and_a_reopened_one_and_mydata_and_delete_work_as_buttons(
    reminder_bot: WebBot,
    driver: Any,  # noqa: F811
    screenshots: Path,  # noqa: F811
) -> None:
    database = reminder_bot.database
    page = ChatPage(driver, reminder_bot.url)
    await page.open()
    await page.press("العربية")
    await page.press(AR("🕘 Offene Sprechstunde"))
    await page.press(AR("🔔 Vor der Sprechstunde erinnern"))
    await page.press("Mitte")
    await page.press(AR(T.AGREE_BUTTON))
    assert rows(database, "SELECT count(*) FROM reminder_subscriptions") == [(1,)]

    german = WebFamily.open(reminder_bot.url)
    try:
        await subscribe_over_http(german)
        await german.close_stream()  # the page is closed
        seen = len(german.events)

        # The open page gets its reminder, in Arabic, right to left, when the job finds it due.
        count = len(await page.bot_messages())
        header = AR(T.REMINDER_HEADER)

        def reminded(p: ChatPage) -> Any:
            return next((m for m in p._bot_messages()[count:] if m.text.startswith(header)), None)

        def poll() -> Any:
            import time

            deadline = time.monotonic() + REMINDER_WAIT
            while time.monotonic() < deadline:
                found = reminded(page)
                if found:
                    return found
                time.sleep(0.2)
            raise AssertionError("the open page never showed the reminder")

        reminder = await in_thread(poll)
        assert reminder.dir == "rtl" and reminder.lang == "ar" and "Testraum" in reminder.text
        shot = await page.screenshot(screenshots / "web-chat-reminder-ar.png")
        print(f"\nscreenshot of the Arabic reminder: {shot}")

        # The closed page, opened again on the same cookie, finds its reminder in the conversation.
        for _ in range(int(REMINDER_WAIT * 10)):
            if rows(database, "SELECT count(*) FROM outbox WHERE kind = 'reminder' AND status = 'sent'") == [(2,)]:
                break
            await asyncio.sleep(0.1)
        assert german.events and len(german.events) == seen  # nothing reached the closed page meanwhile
        german.events.clear()
        await german.session()
        german.listen()  # a new page: no Last-Event-ID, the whole conversation
        await german.ready.wait()
        assert german.ready_data == {"empty": False}
        texts = [e.text for e in german.events]
        assert sum(text.startswith(DE(T.REMINDER_HEADER)) for text in texts) == 1, texts
        assert texts[-1].startswith(DE(T.REMINDER_HEADER))
        (arabic,) = rows(database, "SELECT id, key FROM users WHERE language = 'ar' AND key LIKE 'web:%'")
        (german_user,) = rows(database, "SELECT id, key FROM users WHERE language = 'de' AND key LIKE 'web:%'")
        # The Arabic page reloaded: the reminder is there once.
        await page.reload()
        await page.wait_for_text(header)
        assert sum(m.text.startswith(header) for m in await page.bot_messages()) == 1

        # /mydata as a button of the menu: what is stored, in Arabic.
        count = len(await page.bot_messages())
        await open_menu_entry(page, "mydata")
        mine = await page.wait_for_text(AR(T.MYDATA_HEADER), after=count)
        assert mine.dir == "rtl" and mine.lang == "ar"
        assert AR(T.MYDATA_REMINDERS).split("{district}")[0] in mine.text and "\u2068Mitte\u2069" in mine.text
        assert "العربية" in mine.text

        # "Delete" as a button of the menu, then "yes, delete everything": the page says so, the rows are gone.
        count = len(await page.bot_messages())
        await open_menu_entry(page, "delete")
        asked = await page.wait_for_text(AR(T.CONFIRM_DELETE), after=count)
        assert AR(T.DELETE_YES) in asked.labels
        await in_thread(lambda: [b for b in driver.find_elements(By.CSS_SELECTOR, "#log li.bot button")
                                 if b.text == AR(T.DELETE_YES)][-1].click())  # fmt: skip
        await page.wait_for(lambda p: p.driver.find_element(By.ID, "ended").is_displayed(), "the chat ended")
        assert await page.attribute("#ended-text", "textContent") == AR(T.DELETED)
        assert await page.attribute("html", "dir") == "rtl"
        assert driver.get_cookies() == []  # the browser forgot the session
        for _ in range(50):  # the goodbye in the outbox finds nobody and goes, too
            if not own_rows(database, arabic)["outbox"]:
                break
            await asyncio.sleep(0.1)
        assert set(own_rows(database, arabic).values()) == {0}, own_rows(database, arabic)
        # The reminder rows went with the subscription; the other family keeps all of its own.
        assert rows(database, "SELECT count(*) FROM reminders") == [(1,)]
        assert own_rows(database, german_user)["reminder_subscriptions"] == 1
    finally:
        await german.close()
