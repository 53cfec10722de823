"""Limits per family: one open request at a time (more goes to that request), and a rate with a polite notice."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.family_rate import FamilyRate
from storage.models import CallbackRequest
from tests.support.console_app import console_app
from tests.test_desk import REQUEST_DE, reference_in


async def test_a_second_callback_shows_the_open_request_and_adds_to_it_instead_of_filing_another(
    database_url: str,
) -> None:
    # Regression: one parent filed five urgent callback requests in seconds.
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        out = await chat.say("/callback")
        assert f"Sie haben schon eine Anfrage bei uns: {ref}." in out and "Worum geht es?" not in out
        out = await chat.say("[✉ Etwas ergänzen]", "Wir sind ab Montag wieder da")
        assert f"Wir haben Ihre Nachricht zu Ihrer Anfrage {ref} gelegt." in out
        assert "[Staff channel]" not in out  # nothing of it in the group
        await chat.say("/start", "[📞 Rückruf anfordern]")
        count = await chat.app.db.run(lambda tx: tx.scalar(select(func.count()).select_from(CallbackRequest)))
        assert count == 1
        await chat.say("@anna privat: /team")
        out = await chat.say("@anna: [Übernehmen]")
        private = out.split("[Private to Anna]: ")[1]
        assert "Wir sind ab Montag wieder da" in private  # whoever claims it reads what was added
        await chat.say(f"@anna: /erledigt {ref} telefon")
        out = await chat.say("/callback")
        assert "Worum geht es?" in out  # after the close a new request is possible


async def test_a_flooding_family_gets_one_polite_notice_and_the_emergency_screen_still(database_url: str) -> None:
    async with console_app(database_url, family_messages_per_minute=5) as chat:
        await chat.say("/start", "[Deutsch]")
        out = await chat.say(*[f"hallo {n}" for n in range(12)])
        assert out.count("Sie schreiben gerade sehr viele Nachrichten.") == 1
        assert out.count("Wobei können wir helfen?") <= 5
        out = await chat.say("Mein Mann schlägt mich")
        assert "116 016" in out  # never rate-limited
        out = await chat.say("/emergency")
        assert "116 016" in out


async def test_without_buttons_the_notice_says_to_write_notfall_and_that_word_is_never_limited(
    database_url: str,
) -> None:
    async with console_app(database_url, family_messages_per_minute=3) as chat:
        await chat.say("/start", "Deutsch")
        out = await chat.say(*[f"hallo {n}" for n in range(6)])
        assert "In einem Notfall schreiben Sie „Notfall“ oder rufen Sie 112 oder 110." in out
        assert "tippen Sie auf" not in out
        out = await chat.say("notfall")
        assert "116 016" in out  # typed like the button it names, and as little limited


def test_the_bucket_refills_and_notifies_once_per_run() -> None:
    now = [0.0]
    rate = FamilyRate(3, clock=lambda: now[0])
    assert [rate.admit("a") for _ in range(5)] == [(True, False)] * 3 + [(False, True), (False, False)]
    assert rate.admit("b") == (True, False)  # another family is not affected
    now[0] += 20.0  # one event a 20 s refills
    assert rate.admit("a") == (True, False)
    assert rate.admit("a") == (False, True)
