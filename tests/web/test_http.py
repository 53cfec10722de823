"""The web chat over HTTP, as a browser speaks to it: the page's headers, the session, the event stream, defences."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import aiohttp
from yarl import URL

from tests.support.synapse import free_port
from tests.support.tg_emulator import TelegramEmulator
from tests.support.web_client import WebFamily
from tests.telegram.conftest import tr
from tests.web.conftest import WebBot, start_web_bot, stop_web_bot


async def test_a_family_chooses_arabic_and_the_stream_resumes_without_loss_or_repeat(
    web_bot: WebBot, family: WebFamily
) -> None:
    await family.session()
    family.listen()
    await family.ready.wait()
    assert family.ready_data == {"empty": True}
    assert await family.start() == 200
    picker = await family.next(0)
    assert "العربية" in picker.labels and tr("ar")("Bitte wählen Sie Ihre Sprache.") in picker.text
    arabic = next(b for row in picker.data["buttons"] for b in row if b["label"] == "العربية")
    assert (arabic["lang"], arabic["dir"]) == ("ar", "rtl")  # a screen reader reads it in Arabic
    count = len(family.events)
    status, _ = await family.press("العربية")
    assert status == 200
    menu = await family.next(count, lambda e: tr("ar")("📞 Rückruf anfordern") in e.labels)
    assert menu.data["dir"] == "rtl" and menu.data["lang"] == "ar"

    # The connection breaks; meanwhile the bot answers; the browser comes back with the last id it saw.
    seen = family.events[-1].id
    await family.close_stream()
    status, _ = await family.press(tr("ar")("📞 Rückruf anfordern"))
    assert status == 200
    count = len(family.events)
    family.listen(last_event_id=seen)
    await family.ready.wait()
    missed = await family.next(count)
    assert missed.id > seen and tr("ar")("💶 Geld und Leistungen") in missed.labels
    ids = [e.id for e in family.events]
    assert ids == sorted(set(ids))  # nothing repeated, in order

    # A page opened again (no Last-Event-ID) gets the whole conversation again, in order.
    again = WebFamily.open(web_bot.url)
    try:
        again.http.cookie_jar.update_cookies(family.http.cookie_jar.filter_cookies(URL(web_bot.url)))
        await again.session()
        again.listen()
        await again.ready.wait()
        assert again.ready_data == {"empty": False}
        assert [e.id for e in again.events] == ids
    finally:
        await again.close()


async def test_the_page_has_a_strict_policy_and_an_http_only_cookie(web_bot: WebBot) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(web_bot.url) as page:
            html = await page.text()
            policy = page.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "frame-ancestors 'self'" in policy and "unsafe-inline" not in policy
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "style=" not in html and "<style" not in html
        assert not re.search(r"(src|href)=\"(https?:)?//", html)  # nothing from another origin
        async with http.get(web_bot.url + "api/session") as session:
            cookie = session.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie  # http on loopback
        async with http.get(web_bot.url + "chat.js") as script:
            assert script.headers["Content-Type"].startswith("text/javascript")
            assert "localStorage" not in await script.text()  # nothing stored in the browser


async def test_posts_from_elsewhere_or_without_the_token_are_refused(web_bot: WebBot, family: WebFamily) -> None:
    await family.session()
    assert (await family.post("api/send", {"id": "abcdefgh", "text": "hallo"}, {"Origin": "https://evil.example"}))[
        0
    ] == 403
    assert (await family.post("api/send", {"id": "abcdefgh", "text": "hallo"}, {"X-CSRF-Token": "forged"}))[0] == 403
    stranger = web_bot.family()  # no cookie at all
    try:
        assert (await stranger.post("api/send", {"id": "abcdefgh", "text": "hallo"}))[0] == 401
    finally:
        await stranger.close()
    assert (await family.say("x" * 4097))[0] == 400  # longer than any platform allows
    assert (await family.post("api/send", {"id": "abcdefgh", "text": "x" * 20000}))[0] == 413
    assert (await family.post("api/send", {"id": "no", "text": "hallo"}))[0] == 400  # the message id's form
    assert (await family.post("api/send", {"id": "abcdefgh", "press": "x" * 65}))[0] == 400


async def test_a_flood_is_refused_a_closed_page_frees_its_place_at_once_and_no_request_is_logged(
    emu: TelegramEmulator, tmp_path: Path
) -> None:
    metrics = free_port()
    bot = await start_web_bot(emu, tmp_path, ELTERNLOTSE_WEB_POSTS_PER_MINUTE="3",
                              ELTERNLOTSE_METRICS_LISTEN=f"127.0.0.1:{metrics}")  # fmt: skip
    family, pages = bot.family(), []
    try:
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{metrics}/metrics") as scrape:
            assert 'elternlotse_transport_up{transport="web"} 1.0' in await scrape.text()
        await family.session()
        statuses = [(await family.say("hallo"))[0] for _ in range(3)]
        assert statuses[0] == 200 and 429 in statuses[1:]
        # Four open pages of one session at most; the fifth is refused, and a closed one frees its place.
        pages = [bot.family() for _ in range(4)]
        for page in pages:
            page.http.cookie_jar.update_cookies(family.http.cookie_jar.filter_cookies(URL(bot.url)))
            page.listen()
            await page.ready.wait()
        async with family.http.get(bot.url + "api/events") as fifth:
            assert fifth.status == 429
        await pages[0].close()
        for _ in range(50):
            family.listen()
            await family.ready.wait()
            if family.refused is None:
                break
            await asyncio.sleep(0.1)
        assert family.refused is None
    finally:
        for page in pages:
            await page.close()
        await family.close()
        await stop_web_bot(bot)
    assert "GET /" not in bot.process.log and "POST /" not in bot.process.log  # no access log (paths, addresses)


async def test_a_retried_message_is_handled_once_and_a_second_start_changes_nothing(family: WebFamily) -> None:
    await family.session()
    family.listen()
    await family.ready.wait()
    assert await family.start() == 200
    await family.next(0, lambda e: "Deutsch" in e.labels)
    count = len(family.events)
    assert (await family.press("Deutsch", client_id="same-id-1"))[0] == 200
    await family.next(count)
    assert (await family.press("Deutsch", client_id="same-id-1"))[0] == 200  # the answer was lost: sent again
    assert await family.start() == 200  # a second tab, say: the conversation is under way, nothing starts again
    await asyncio.sleep(1.0)
    assert len(family.events) == count + 1, [e.text[:40] for e in family.events[count:]]


async def test_a_kitas_poster_link_opens_the_web_chat_in_arabic_with_the_districts_hours(
    web_bot: WebBot, family: WebFamily
) -> None:
    # The poster's web QR code is <public url>?start=ar-mitte: the first screen is already Arabic, no German picker.
    await family.session()
    family.listen()
    await family.ready.wait()
    assert await family.start("ar-mitte") == 200
    first = await family.next(0)
    assert first.data["dir"] == "rtl" and first.data["lang"] == "ar"
    assert tr("ar")("📞 Rückruf anfordern") in first.labels and "Deutsch" not in first.labels
    count = len(family.events)
    assert (await family.say("/hours"))[0] == 200
    hours = await family.next(count)
    assert "Mitte" in hours.text and "Wattenscheid" not in hours.text  # the Kita's district, not every district
