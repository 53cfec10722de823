"""The console demo as a real process: the whole parent journey, a crash, and what the database keeps."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PHONE_TYPED = "0234 1234567"
PHONE_STORED = "+492341234567"
NAME = "Zeynep"
NOTE = "Brief vom Jobcenter verstanden"

JOURNEY_DE = f"""/start
[Deutsch]
[💶 Geld und Leistungen]
[📞 Ja, bitte melden Sie sich]
[📞 Bitte anrufen]
{PHONE_TYPED}
[Mitte]
[Vormittags (9–12 Uhr)]
[In den nächsten Tagen]
{NAME}
{NOTE}
"""


def run_demo(
    tmp_path: Path, script: str, *, extra_env: dict[str, str] | None = None, languages: str = "de,en"
) -> subprocess.CompletedProcess[str]:
    script_file = tmp_path / "script.txt"
    script_file.write_text(script, encoding="utf-8")
    env = {
        **os.environ,
        "ELTERNLOTSE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
        "ELTERNLOTSE_LANGUAGES": languages,
        **(extra_env or {}),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--script", str(script_file)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    for secret in (PHONE_TYPED, PHONE_STORED, NAME, NOTE):
        assert secret not in result.stderr, "personal data in the demo's log output"
    return result


def every_value(db_path: Path) -> list[str]:
    """Every text value of every column of every table."""
    with sqlite3.connect(db_path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        values = []
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                values += [str(v) for v in row if v is not None]
    return values


def test_german_journey_language_topic_hours_callback_consent_reference_and_card(tmp_path: Path) -> None:
    result = run_demo(tmp_path, JOURNEY_DE + "[Ja, ich bin einverstanden]\n")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "🌐 Bitte wählen Sie Ihre Sprache." in out
    assert "Bitte bringen Sie mit: Ausweis" in out
    assert "Sie können ohne Termin in die offene Sprechstunde kommen:" in out and "Uhr · " in out
    assert "Sind Sie einverstanden?" in out
    year = out.split("Ihre Nummer ist R-")[1][:4]
    assert f"Ihre Nummer ist R-{year}-0001." in out
    card = out.split("[Staff channel]: ")[1]
    assert card.startswith(f"Anfrage R-{year}-0001 · 🟡 offen")
    assert "Thema: Geld und Leistungen" in card and "Stadtbezirk: Mitte" in card
    staff_lines = [line for line in out.splitlines() if line.startswith("[Staff channel]")]
    staff_text = out[out.index("[Staff channel]") : out.index("Bot: Danke!")]
    assert len(staff_lines) == 1
    for secret in (PHONE_STORED, PHONE_TYPED, NAME, NOTE):
        assert secret not in staff_text


def test_english_journey_reaches_confirmation_and_card(tmp_path: Path, i18n: object) -> None:
    from bot.core.i18n import I18n

    assert isinstance(i18n, I18n)
    en = i18n.catalogs["en"]
    script = JOURNEY_DE.replace("[Deutsch]", "[English]")
    for german in ("💶 Geld und Leistungen", "📞 Ja, bitte melden Sie sich", "📞 Bitte anrufen",
                   "Vormittags (9–12 Uhr)", "In den nächsten Tagen"):  # fmt: skip
        script = script.replace(f"[{german}]", f"[{en[german]}]")
    result = run_demo(tmp_path, script + f"[{en['Ja, ich bin einverstanden']}]\n")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "(no such button)" not in out
    assert en["Sie können ohne Termin in die offene Sprechstunde kommen:"] in out
    assert "R-" in out.split("[Staff channel]")[-1]
    assert "Sprache: Englisch" in out  # the card is in German for staff, naming the family's language
    confirmation = en[next(k for k in en if k.startswith("Danke! Wir haben Ihre Anfrage gespeichert."))]
    assert confirmation.split("{reference}")[0] in out


def test_declined_consent_leaves_no_personal_data_in_any_table(tmp_path: Path) -> None:
    result = run_demo(tmp_path, JOURNEY_DE + "[Nein, lieber nicht]\n")
    assert result.returncode == 0, result.stderr
    assert "Wir haben Ihre Angaben verworfen" in result.stdout
    values = every_value(tmp_path / "demo.db")
    assert len(values) > 10  # the scan really read the tables
    for secret in (PHONE_STORED, PHONE_TYPED, NAME, NOTE):
        assert not [v for v in values if secret in v], secret


@pytest.mark.slow
def test_sigkill_after_consent_delivers_the_confirmation_exactly_once_after_restart(tmp_path: Path) -> None:
    commits = JOURNEY_DE.count("\n") + 1  # the consent press is the last committed input
    crashed = run_demo(
        tmp_path,
        JOURNEY_DE + "[Ja, ich bin einverstanden]\n",
        extra_env={"ELTERNLOTSE_TEST_CRASH_AFTER_COMMITS": str(commits)},
    )
    assert crashed.returncode == -9  # SIGKILL
    assert "Ihre Nummer ist" not in crashed.stdout and "[Staff channel]" not in crashed.stdout
    restarted = run_demo(tmp_path, "")
    assert restarted.returncode == 0, restarted.stderr
    again = run_demo(tmp_path, "")
    both = crashed.stdout + restarted.stdout + again.stdout
    assert both.count("Ihre Nummer ist R-") == 1
    assert both.count("[Staff channel]: Anfrage R-") == 1


def test_staff_story_example_in_arabic_request_claim_details_template_delivery_done(tmp_path: Path) -> None:
    script = (ROOT / "examples" / "staff-story.txt").read_text(encoding="utf-8")
    result = run_demo(tmp_path, script, languages="de,en,ar")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "(no such button)" not in out
    staff = [part for part in out.split("\n[") if part.startswith("Staff channel")]
    assert staff[0].startswith("Staff channel]: Anfrage R-") and "Sprache: Arabisch" in staff[0]
    assert all("Layla" not in part and "1234567" not in part for part in staff)  # no details in the group
    private = out.split("[Private to Anna]: 🔒 Kontaktdaten")[1]
    assert "Name: „\u2068Layla\u2069“" in private and "Telefon: +49 234 1234567" in private  # her words, quoted
    assert "ist schon übernommen von Anna." in out
    template = out.split("> @anna privat: /vorlage")[1]
    assert "سنتصل بكم" in template and "30 نوفمبر 2026" in template  # in Arabic, with an Arabic date
    assert "Antwort: ✔ zugestellt" in template
    assert "✅ erledigt" in out.split("> @anna: [Telefonberatung]")[1]
    assert "Ergebnis: Telefonberatung" in out.split("> @anna: [Telefonberatung]")[1]
    note = out.split("> @anna: Familie wirkt belastet")[1].split("\n> ")[0]
    assert "Bot:" not in note  # the internal note reached nobody


THREAT = "Morgen nicht, mein Mann ist zu Hause und bedroht mich"


def test_family_reply_that_mentions_a_threat_reaches_the_worker_and_shows_the_family_the_numbers(
    tmp_path: Path,
) -> None:
    # Regression: the reply showed the family the emergency screen and never reached the worker.
    script = (
        """/start
[Deutsch]
[💶 Geld und Leistungen]
[📞 Ja, bitte melden Sie sich]
[💬 Hier im Chat schreiben]
[Mitte]
[Egal]
[In den nächsten Tagen]
[Überspringen]
[Überspringen]
[Ja, ich bin einverstanden]
@anna privat: /team
@anna: [Übernehmen]
@anna privat: /antwort 1 Können wir morgen um 10 Uhr telefonieren?
[✉ Antworten]
"""
        + THREAT
        + "\n"
    )
    result = run_demo(tmp_path, script)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "(no such button)" not in out
    after = out[out.index(THREAT) :]
    family = "\n".join(line for line in after.splitlines() if line.startswith("Bot: "))
    assert "110" in family and "116 016" in family
    assert "Ihre Nachricht ist bei Ihrer Fachkraft angekommen" in after
    private = [part for part in after.split("\n[") if part.startswith("Private to Anna]")]
    assert any("🆘 NOTFALL-HINWEIS" in part and THREAT in part for part in private)
    cards = [part for part in after.split("\n[") if part.startswith("Staff channel, card updated]")]
    assert cards and "🆘" in cards[-1] and THREAT not in "".join(cards)  # 🆘 on the card, never the words


def test_the_demo_can_subscribe_to_reminders_and_move_its_clock_until_one_arrives_in_the_familys_language(
    tmp_path: Path,
) -> None:
    script = "/start\n[English]\n/hours\n#2\n#1\n#1\n!advance 7d\n"  # reminders, Mitte, consent
    result = run_demo(tmp_path, script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(the demo's clock moves on by 7 d)" in out
    reminder = out.split("(it is now ")[1]
    assert "Bot: Reminder of the open consultation hour:\n• " in reminder and "Mitte" in reminder
    assert "1. 🔕 Stop reminders" in reminder
