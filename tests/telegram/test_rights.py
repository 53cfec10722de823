"""The family's rights through the real `elternlotse run` on SQLite: /mydata in the family's language, and that
after /delete or the retention purge no copy of a personal value is left in the database files of the running bot."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.core.i18n import isolate
from storage.db import Database
from storage.models import Base, UTCDateTime
from tests.support.tg_emulator import TelegramEmulator
from tests.telegram.conftest import ANNA, STAFF_GROUP, BotProcess, Person, tr

PHONE_TYPED, PHONE, PHONE_SHOWN = "0234 9876543", "+492349876543", "+49 234 9876543"
NAME, NOTE = "Zeynep Testname-QX7", "Brief vom Jobcenter QX7 – Mahnung"
FILES = ("bot.db", "bot.db-wal", "bot.db-shm", "bot.db-journal")


def personal_values(family: int) -> list[str]:
    """Everything personal the family typed or the platform told us, and the distinctive marker on its own."""
    return [PHONE_TYPED, PHONE, PHONE_SHOWN, NAME, NOTE, "QX7", "Zeynep", f"telegram:{family}"]


def encodings(value: str) -> set[bytes]:
    """The forms SQLite could hold a text in: UTF-8 or UTF-16 text, or inside JSON (ASCII with \\u escapes)."""
    forms = {value.encode(e) for e in ("utf-8", "utf-16-le", "utf-16-be")}
    return forms | {json.dumps(value)[1:-1].encode("ascii")}


def copies(folder: Path, values: list[str]) -> dict[str, list[str]]:
    """Which personal values occur in which database file (raw bytes, read while the bot runs)."""
    found: dict[str, list[str]] = {}
    for name in FILES:
        path = folder / name
        data = path.read_bytes() if path.exists() else b""
        hits = [value for value in values if any(form in data for form in encodings(value))]
        if hits:
            found[name] = hits
    return found


async def copies_left(folder: Path, values: list[str], within: float = 10.0) -> dict[str, list[str]]:
    """Copies still there once the erasure had time to finish (the goodbye message is deleted after delivery)."""
    for _ in range(int(within / 0.2)):
        if not copies(folder, values):
            break
        await asyncio.sleep(0.2)  # files on disk: nothing to wait on but time
    return copies(folder, values)


async def request_callback(emu: TelegramEmulator, family: int, lang: str, language_button: str) -> tuple[Person, str]:
    """A parent asks for a callback about their child's health, by phone; returns the reference."""
    parent = Person(emu, emu.add_user(family, "Zeynep", language_code=lang), lang)
    await parent.command("start")
    await parent.press(language_button, translate=False)
    await parent.press("📞 Rückruf anfordern")
    await parent.press("🩺 Gesundheit und Entwicklung des Kindes")
    await parent.press("📞 Bitte anrufen")
    await parent.say(PHONE_TYPED)
    await parent.press("Mitte", translate=False)
    await parent.press("Vormittags (9–12 Uhr)")
    await parent.press("In den nächsten Tagen")
    await parent.say(NAME)
    await parent.say(NOTE)
    confirmation = await parent.press("Ja, ich bin einverstanden")
    return parent, "R-" + confirmation.text.split("R-")[1][:9]


async def claim(emu: TelegramEmulator, reference: str) -> None:
    """Anna claims the request; its contact details reach her privately (and leave the outbox's text)."""
    anna = Person(emu, emu.user(ANNA))
    await anna.command("team")
    card = await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text)
    before = anna.count()
    emu.press(ANNA, card, "Übernehmen")
    details = await anna.next(before)
    assert PHONE_SHOWN in details.text and NAME in details.text


async def test_mydata_in_arabic_shows_every_answer_and_the_health_topic_translated(
    emu: TelegramEmulator, bot: BotProcess
) -> None:
    parent, reference = await request_callback(emu, 7311, "ar", "العربية")
    shown = (await parent.command("mydata")).text
    ar = tr("ar")
    assert shown.startswith(ar("Das haben wir über Sie gespeichert:"))
    for line in (
        f"• {ar('Ihr Konto')}: {isolate('Telegram 7311')}",
        f"• {ar('Sprache')}: العربية",
        f"{ar('Thema')}: {ar('🩺 Gesundheit und Entwicklung des Kindes')}",
        f"{ar('Kontakt')}: {ar('📞 Bitte anrufen')}",
        f"{ar('Telefon')}: {isolate(PHONE)}",
        f"{ar('Zeit')}: {ar('Vormittags (9–12 Uhr)')}",
        f"{ar('Dringend')}: {ar('In den nächsten Tagen')}",
        f"{ar('Name')}: {isolate(NAME)}",  # a Latin name inside Arabic text is isolated by the code
        f"{ar('Ihre Nachricht')}: {isolate(NOTE)}",
        ar("wartet auf eine Fachkraft"),
        isolate(reference),
        ar("erteilt"),
        ar("Mit /delete löschen wir alles sofort."),
    ):
        assert line in shown, line
    assert ar("Thema") != "Thema" and "Gesundheit" not in shown and "Anfrage" not in shown  # no German left


async def test_after_delete_no_personal_value_is_left_in_the_files_of_the_running_bot(
    emu: TelegramEmulator, bot: BotProcess, tmp_path: Path
) -> None:
    family = 7301
    parent, reference = await request_callback(emu, family, "de", "Deutsch")
    await claim(emu, reference)
    shown = (await parent.command("mydata")).text
    assert f"Telefon: {PHONE}" in shown and f"Name: {NAME}" in shown and f"Ihre Nachricht: {NOTE}" in shown
    assert "Thema: 🩺 Gesundheit und Entwicklung des Kindes" in shown
    assert copies(tmp_path, personal_values(family))  # the scan sees the values while they are stored

    await parent.command("delete")
    goodbye = await parent.press("Ja, alles löschen")
    assert goodbye.text.startswith("Wir haben alle Ihre Daten gelöscht.")
    assert await copies_left(tmp_path, personal_values(family)) == {}
    assert bot.proc is not None and bot.proc.poll() is None  # scanned while the bot runs, files open
    stored = b"".join((tmp_path / name).read_bytes() for name in FILES if (tmp_path / name).exists())
    assert reference.encode() in stored  # the anonymous request stays for the statistics


def back_in_time(days: int) -> object:
    """Every time in the database moves back: as if `days` had passed since the family wrote."""

    def shift(tx: Session) -> None:
        for table in Base.metadata.sorted_tables:
            times = [c for c in table.columns if isinstance(c.type, UTCDateTime)]
            keys = list(table.primary_key.columns)
            for row in tx.execute(select(*keys, *times)).all() if times else []:
                moved = {c.name: row._mapping[c] - timedelta(days=days) for c in times if row._mapping[c]}
                where = [key == row._mapping[key] for key in keys]
                tx.execute(update(table).where(*where).values(**moved))

    return shift


async def test_after_the_retention_purge_no_personal_value_is_left_in_the_files_of_the_running_bot(
    emu: TelegramEmulator, bot: BotProcess, tmp_path: Path
) -> None:
    family = 7302
    _, reference = await request_callback(emu, family, "de", "Deutsch")
    await claim(emu, reference)
    emu.send_command(ANNA, "erledigt", f"{reference} telefonberatung", chat_id=STAFF_GROUP)
    await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text and "✅ erledigt" in m.text)  # the card
    await asyncio.sleep(0.5)  # the card's delivery is recorded
    assert await bot.stop() == 0

    async with Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}") as db:
        await db.run(back_in_time(31))  # RETENTION_DAYS is 30: the request was closed 31 days ago
    assert copies(tmp_path, personal_values(family))  # still stored until the purge

    await bot.start()  # the purge runs at start-up, then every hour
    assert await copies_left(tmp_path, personal_values(family)) == {}
    assert bot.proc is not None and bot.proc.poll() is None
    stored = b"".join((tmp_path / name).read_bytes() for name in FILES if (tmp_path / name).exists())
    assert reference.encode() in stored
