"""A family that declines consent: its answers were "discarded", so no copy stays in the database files either."""

from __future__ import annotations

from pathlib import Path

from tests.storage.test_erasure_on_disk import copies_in_files
from tests.support.console_app import console_app, sqlite_url

PHONE, NAME, NOTE = "+492349876543", "Zeynep Testname-QX7", "Brief vom Jobcenter QX7"
ANSWERS = [
    "/start", "[Deutsch]", "[📞 Rückruf anfordern]", "[💶 Geld und Leistungen]", "[📞 Bitte anrufen]",
    "0234 9876543", "[Mitte]", "[Vormittags (9–12 Uhr)]", "[In den nächsten Tagen]", NAME, NOTE,
]  # fmt: skip


async def test_declined_answers_leave_no_copy_in_the_database_files(tmp_path: Path) -> None:
    async with console_app(sqlite_url(tmp_path)) as chat:
        out = await chat.say(*ANSWERS)
        assert f"Telefon: {PHONE}" in out  # the summary before consent
        assert copies_in_files(tmp_path, NOTE)  # the scan sees the answers while they wait for consent
        out = await chat.say("[Nein, lieber nicht]")
        assert "Wir haben Ihre Angaben verworfen" in out
        for value in (PHONE, NAME, NOTE, "QX7"):
            assert copies_in_files(tmp_path, value) == {}, value
