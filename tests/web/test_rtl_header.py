"""Right to left in the page's header: the Latin term "Kita-Sozialarbeit" inside the Arabic, Persian and Sorani
title is an isolate (<bdi>) on one line, not torn into "(Kita-" and "Sozialarbeit)" with the bracket misplaced."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import in_thread
from tests.support.tg_emulator import TelegramEmulator
from tests.web.conftest import WebBot, start_web_bot, stop_web_bot
from tests.web.page import ChatPage
from tests.web.test_browser import driver, screenshots  # noqa: F401  (fixtures)

RIGHT_TO_LEFT = ("ar", "fa", "ckb")
PIECES = """
    var title = document.getElementById('title');
    return Array.from(title.querySelectorAll('bdi')).map(function (run) {
      var tops = Array.from(run.getClientRects()).map(function (r) { return Math.round(r.top); });
      return [run.textContent, new Set(tops).size, getComputedStyle(run).whiteSpace];
    });"""


@pytest.fixture
async def rtl_bot(emu: TelegramEmulator, tmp_path: Path) -> AsyncIterator[WebBot]:
    bot = await start_web_bot(emu, tmp_path, ELTERNLOTSE_LANGUAGES="de,ar,fa,ckb")
    yield bot
    await stop_web_bot(bot)


@pytest.mark.parametrize("lang", RIGHT_TO_LEFT)
async def test_the_latin_term_in_a_right_to_left_header_is_isolated_on_one_line(
    rtl_bot: WebBot,
    driver: Any,  # noqa: F811
    screenshots: Path,  # noqa: F811
    lang: str,
) -> None:
    page = ChatPage(driver, rtl_bot.url)
    await page.open(f"?start={lang}-mitte")  # a Kita poster's link: the page opens in that language
    await page.wait_for(lambda p: p.driver.find_element("tag name", "html").get_attribute("dir") == "rtl", "rtl")
    await page.wait_for(lambda p: p._bot_messages(), "the first message")
    pieces = await in_thread(lambda: driver.execute_script(PIECES))
    term = [piece for piece in pieces if "Kita-Sozialarbeit" in piece[0]]
    assert term, f"the Latin term is not isolated in the header: {pieces}"
    text, lines, wrap = term[0]
    assert text == "\u2068Kita-Sozialarbeit\u2069" and wrap == "nowrap"
    assert lines == 1, "the term is torn across lines"
    title = await page.attribute("#title", "textContent")
    assert title is not None and title.startswith("\u2068Elternlotse\u2069: ")  # the same text as the catalog's
    shot = await page.screenshot(screenshots / f"web-chat-header-{lang}.png")
    print(f"\nscreenshot of the {lang} header: {shot}")
