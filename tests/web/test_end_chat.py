"""A family's whole way over HTTP: the card reaches the staff group, the team's answer waits for a closed page, and
"end chat and delete" leaves nothing of the family in the database."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from yarl import URL

from tests.storage.test_erasure_on_disk import copies_in_files
from tests.support.tg_emulator import TelegramEmulator
from tests.support.web_client import WebFamily
from tests.telegram.conftest import ANNA, STAFF_GROUP, Person
from tests.web.conftest import WebBot
from tests.web.journey import AR, NAME, NOTE, PHONE_TYPED, callback_in_arabic


def rows(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


async def test_the_team_answers_a_closed_page_and_ending_the_chat_erases_the_family(
    emu: TelegramEmulator, web_bot: WebBot, family: WebFamily
) -> None:
    reference = await callback_in_arabic(family)
    card = await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text)
    assert "Sprache: Arabisch" in card.text and "Kanal: Web-Chat" in card.text
    assert NAME not in card.text and "+49 234 1234567" not in card.text  # never contact details in a group

    anna = Person(emu, emu.user(ANNA))
    await anna.command("team")
    before = anna.count()
    emu.press(ANNA, card, "Übernehmen")
    await anna.next(before)  # the details, privately

    # The family closed the page; the team's answer is kept for it and shown when it comes back.
    seen = family.events[-1].id
    await family.close_stream()
    anna.user.send_command("vorlage", f"{reference} call date=30.11.2026 time_window=10-12")
    await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text and "✔ zugestellt" in m.text)
    count = len(family.events)
    family.listen(last_event_id=seen)
    answer = await family.next(count)
    expected = AR("Guten Tag, hier ist die Kita-Sozialarbeit des Jugendamts. Wir rufen Sie am {date} zwischen "
                  "{time_window} Uhr an.")  # fmt: skip
    assert expected.split("{date}")[0] in answer.text and answer.data["dir"] == "rtl"
    assert rows(web_bot.database, "SELECT count(*) FROM web_messages")[0][0] > 0

    assert await family.end() == 200
    cookies = family.http.cookie_jar.filter_cookies(URL(web_bot.url))
    assert "elternlotse" not in cookies  # the browser forgot the session
    await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text and "zurückgezogen" in m.text.lower())
    for _ in range(50):  # the goodbye in the outbox finds nobody and goes, too
        if not rows(web_bot.database, "SELECT id FROM outbox WHERE destination LIKE 'web:%'"):
            break
        await asyncio.sleep(0.1)
    assert rows(web_bot.database, "SELECT key FROM users WHERE key LIKE 'web:%'") == []
    assert rows(web_bot.database, "SELECT count(*) FROM web_messages") == [(0,)]
    assert rows(web_bot.database, "SELECT count(*) FROM dialog_states") == [(0,)]
    assert rows(web_bot.database, "SELECT destination FROM outbox WHERE destination LIKE 'web:%'") == []
    assert rows(web_bot.database, "SELECT user_id FROM consent_records WHERE user_id IS NOT NULL") == []
    request = rows(web_bot.database, f"SELECT status, phone, name, note, user_id FROM callback_requests "
                                     f"WHERE reference = '{reference}'")  # fmt: skip
    assert request == [("withdrawn", None, None, None, None)]
    for secret in (NAME, NOTE, "+492341234567", PHONE_TYPED):
        assert copies_in_files(web_bot.database.parent, secret) == {}, secret  # not even in the files

    # The page can begin again: a new session, a new conversation.
    again = WebFamily.open(web_bot.url)
    try:
        await again.session()
        again.listen()
        await again.ready.wait()
        assert again.ready_data == {"empty": True}
    finally:
        await again.close()
