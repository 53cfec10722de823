"""The web chat in a real browser (Debian's headless Chromium through Selenium): an Arabic-speaking family from the
language picker through the callback request, the team's answer arriving right to left, a reload in the middle,
the emergency screen from a typed line, and "end chat and delete". Screenshots of the Arabic and the German page
are written to $ELTERNLOTSE_SCREENSHOT_DIR (else the test's temporary directory) and their paths printed."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.keys import Keys

from tests.support.browser import REQUIRE_ENV, BrowserUnavailable, browser_required, start_chromium
from tests.support.tg_emulator import TelegramEmulator
from tests.telegram.conftest import ANNA, STAFF_GROUP, Person, tr
from tests.web.conftest import WebBot
from tests.web.journey import NAME, NOTE, PHONE_TYPED
from tests.web.page import ChatPage

AR, DE = tr("ar"), tr("de")


@pytest.fixture
def driver() -> Iterator[Any]:
    try:
        browser = start_chromium()
    except BrowserUnavailable as exc:
        if browser_required():
            pytest.fail(f"{REQUIRE_ENV} is set but the browser is missing: {exc}")
        pytest.skip(f"no browser ({exc}); set {REQUIRE_ENV}=1 to fail instead")
    yield browser
    browser.quit()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("ELTERNLOTSE_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def rows(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


async def test_an_arabic_family_from_the_picker_to_the_teams_answer_and_ending_the_chat(
    emu: TelegramEmulator, web_bot: WebBot, driver: Any, screenshots: Path
) -> None:
    page = ChatPage(driver, web_bot.url)
    await page.open()
    await page.wait_for_button("العربية")
    first = (await page.bot_messages())[0]
    assert AR("Bitte wählen Sie Ihre Sprache.") in first.text  # before any German sentence to understand
    assert "Deutsch" in first.labels and "فارسی" not in first.labels  # each language named in itself (de,en,ar)
    assert await page.attribute("#log", "aria-live") == "polite"

    # Keyboard only: Tab to the language, Enter chooses it; the focus ring is visible.
    await page.tab_to("العربية")
    assert (await page.focus_outline()).startswith("solid")
    before = len(await page.bot_messages())
    await page.key(Keys.ENTER)
    await page.wait_for(lambda p: len(p._bot_messages()) > before, "the menu in Arabic")
    assert await page.attribute("html", "dir") == "rtl" and await page.attribute("html", "lang") == "ar"
    assert await page.attribute("#end", "textContent") == AR("Chat beenden und Daten löschen")

    await page.press(AR("📞 Rückruf anfordern"))
    await page.press(AR("💶 Geld und Leistungen"))
    await page.press(AR("📞 Bitte anrufen"))
    await page.type(PHONE_TYPED)
    await page.wait_for_button("Mitte")

    # Reload in the middle: the conversation is there again, and goes on where it was.
    shown = [m.text for m in await page.bot_messages()]
    await page.reload()
    await page.wait_for_button("Mitte")
    assert [m.text for m in await page.bot_messages()] == shown
    assert await page.attribute("html", "dir") == "rtl"

    await page.press("Mitte")
    await page.press(AR("Vormittags (9–12 Uhr)"))
    await page.press(AR("In den nächsten Tagen"))
    await page.type(NAME)
    await page.type(NOTE)
    await page.wait_for_button(AR("Ja, ich bin einverstanden"))
    # The number stays readable inside right-to-left text (isolated), as the consent question repeats it.
    assert any("\u2068+492341234567\u2069" in m.text for m in await page.bot_messages())
    count = len(await page.bot_messages())
    await page.press(AR("Ja, ich bin einverstanden"))
    confirmation = await page.wait_for_text("R-", after=count)
    found = re.search(r"R-\d{4}-\d{4,}", confirmation.text)
    assert found is not None and confirmation.dir == "rtl"
    reference = found[0]

    # The card in the staff group: the minimum, never contact details.
    card = await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text)
    assert "Sprache: Arabisch" in card.text and "Kanal: Web-Chat" in card.text
    assert NAME not in card.text and "+49 234 1234567" not in card.text
    anna = Person(emu, emu.user(ANNA))
    await anna.command("team")
    before = anna.count()
    emu.press(ANNA, card, "Übernehmen")
    await anna.next(before)
    count = len(await page.bot_messages())
    anna.user.send_command("vorlage", f"{reference} call date=30.11.2026 time_window=10-12")
    expected = AR("Guten Tag, hier ist die Kita-Sozialarbeit des Jugendamts. Wir rufen Sie am {date} zwischen "
                  "{time_window} Uhr an.")  # fmt: skip
    answer = await page.wait_for_text(expected.split("{date}")[0], after=count)
    assert answer.dir == "rtl" and answer.lang == "ar" and "10–12" in answer.text
    arabic = await page.screenshot(screenshots / "web-chat-ar.png")
    print(f"\nscreenshot of the Arabic page: {arabic}")

    # End chat and delete: asked once more on the page, then nothing of the family is left.
    await page.click("end")
    assert await page.visible("confirm")
    assert await page.attribute("#confirm-text", "textContent") == AR(
        "Wirklich alles löschen? Dann löschen wir sofort alle Ihre Angaben und ziehen offene Anfragen zurück."
    )
    await page.click("yes")
    await page.wait_for(lambda p: p.driver.find_element("id", "ended").is_displayed(), "the chat ended")
    assert await page.attribute("#ended-text", "textContent") == AR(
        "Wir haben alle Ihre Daten gelöscht. Offene Anfragen haben wir zurückgezogen. "
        "Sie können jederzeit neu beginnen: /start"
    )
    await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text and "zurückgezogen" in m.text.lower())
    for _ in range(50):
        if not rows(web_bot.database, "SELECT id FROM outbox WHERE destination LIKE 'web:%'"):
            break
        await asyncio.sleep(0.1)
    assert rows(web_bot.database, "SELECT key FROM users WHERE key LIKE 'web:%'") == []
    assert rows(web_bot.database, "SELECT count(*) FROM web_messages") == [(0,)]
    assert rows(web_bot.database, "SELECT count(*) FROM dialog_states") == [(0,)]
    assert rows(web_bot.database, "SELECT destination FROM outbox WHERE destination LIKE 'web:%'") == []
    assert rows(web_bot.database, f"SELECT phone, name, note, user_id FROM callback_requests "
                                  f"WHERE reference = '{reference}'") == [(None, None, None, None)]  # fmt: skip
    assert driver.get_cookies() == []  # the browser holds nothing of the session any more


async def test_a_typed_emergency_shows_the_numbers_in_german(web_bot: WebBot, driver: Any, screenshots: Path) -> None:
    page = ChatPage(driver, web_bot.url)
    await page.open()
    await page.press("Deutsch")
    assert await page.attribute("html", "dir") == "ltr" and await page.attribute("html", "lang") == "de"
    count = len(await page.bot_messages())
    await page.type("mein baby atmet nicht!!!")
    lead = await page.wait_for_text("112", after=count)
    assert lead.text.startswith("🚑")  # a medical emergency of a child leads with 112
    assert any(DE("🆘 Notfall") in m.labels or "116 117" in m.text for m in await page.bot_messages())
    measured = await page.contrasts()
    assert len(measured) > 10 and any(what.startswith("BUTTON 🆘") for what, _ in measured)
    low = [(what, round(ratio, 2)) for what, ratio in measured if ratio < 4.5]
    assert low == [], f"text below WCAG 2.1 AA contrast (4.5:1): {low}"
    german = await page.screenshot(screenshots / "web-chat-de.png")
    print(f"\nscreenshot of the German page: {german}")


async def test_a_deep_link_starts_a_new_session_with_its_payload(web_bot: WebBot, driver: Any) -> None:
    page = ChatPage(driver, web_bot.url)
    await page.open("?start=ar_Mitte")
    await page.wait_for_button("العربية")  # the core reads the payload (branch poster); the chat begins either way
    assert rows(web_bot.database, "SELECT count(*) FROM users WHERE key LIKE 'web:%'") == [(1,)]
