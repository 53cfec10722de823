"""Closing a request records what came of it (dialogs/outcomes.yaml), and the anonymous counts, through the desk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.outcomes import check_outcomes
from bot.privacy import purge
from storage.models import CallbackRequest, DailyCount
from tests.support.console_app import console_app
from tests.test_desk import REQUEST_DE, reference_in

ROOT = Path(__file__).resolve().parents[1]


def counts(tx: Session, metric: str) -> dict[str, int]:
    rows = tx.execute(select(DailyCount).where(DailyCount.metric == metric)).scalars()
    found: dict[str, int] = {}
    for row in rows:
        found[row.key] = found.get(row.key, 0) + row.count
    return {k: n for k, n in found.items() if n}


async def test_closing_by_button_asks_for_the_outcome_and_keeps_it_after_the_purge(database_url: str) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        await chat.say("@anna privat: /team", "@anna: [Übernehmen]")
        out = await chat.say("@anna: [Erledigt]")
        assert f"Wie ist {ref} ausgegangen?" in out
        assert "Vermittelt: Jobcenter" in out and "🔵 übernommen" in out  # not closed before the outcome is chosen
        out = await chat.say("@anna: [Vermittelt: Jobcenter]")
        assert "✅ erledigt" in out and "Ergebnis: Vermittelt: Jobcenter" in out

        def age(tx: Session) -> None:
            request = tx.execute(select(CallbackRequest).where(CallbackRequest.reference == ref)).scalar_one()
            request.closed_at = datetime.now(UTC) - timedelta(days=40)

        await chat.app.db.run(age)
        await chat.app.db.run(lambda tx: purge(tx, datetime.now(UTC), 30, 24))

        def stored(tx: Session) -> tuple[CallbackRequest, dict[str, int]]:
            request = tx.execute(select(CallbackRequest).where(CallbackRequest.reference == ref)).scalar_one()
            return request, counts(tx, "outcome")

        request, outcomes = await chat.app.db.run(stored)
        assert request.phone is None and request.name is None and request.note is None and request.user_id is None
        assert request.outcome == "jobcenter" and outcomes == {"jobcenter": 1}


async def test_typed_outcome_closes_and_an_unknown_one_lists_the_choices(database_url: str) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        await chat.say(f"@anna: /uebernehmen {ref}")
        out = await chat.say(f"@anna: /erledigt {ref} vermittelt")  # "Vermittelt: …" fits six: which one?
        assert "passt auf kein Ergebnis genau" in out and "• jobcenter – Vermittelt: Jobcenter" in out
        assert "• telefonberatung" not in out and "✅ erledigt" not in out
        out = await chat.say(f"@anna: /erledigt {ref} schuldner")
        assert "✅ erledigt" in out and "Ergebnis: Vermittelt: Schuldnerberatung" in out
        out = await chat.say("/mydata")  # while linked to the family, the outcome is theirs to see
        assert "Ergebnis (vom Team notiert): Vermittelt: Schuldnerberatung" in out


async def test_mydata_showed_the_outcome_as_a_german_id_instead_of_its_title_in_the_familys_language(
    database_url: str,
) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        await chat.say(f"@anna: /uebernehmen {ref}", f"@anna: /erledigt {ref} schuldner")
        await chat.say("/start", "[🌐 Sprache]", "[English]")
        out = await chat.say("/mydata")
        assert "Referred: debt counselling (Schuldnerberatung)" in out
        assert "schuldnerberatung" not in out


async def test_not_closing_after_all_and_reopening_takes_the_outcome_back(database_url: str) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        await chat.say(f"@anna: /uebernehmen {ref}", f"@anna: /erledigt {ref}")
        out = await chat.say("@anna: [↩ Doch nicht erledigen]")
        card = out.split("[Staff channel, card updated]: ")[1]
        assert "🔵 übernommen" in card and "Zurückgeben" in card and "Doch nicht erledigen" not in card
        await chat.say(f"@anna: /erledigt {ref} telefon")
        await chat.say(f"@anna: /wiedereroeffnen {ref}", f"@anna: /uebernehmen {ref}", f"@anna: /erledigt {ref} nicht")

        def stored(tx: Session) -> tuple[str | None, dict[str, int], dict[str, int]]:
            request = tx.execute(select(CallbackRequest).where(CallbackRequest.reference == ref)).scalar_one()
            return request.outcome, counts(tx, "outcome"), counts(tx, "claim_cal")

        outcome, outcomes, claims = await chat.app.db.run(stored)
        assert outcome == "nicht_erreicht" and outcomes == {"nicht_erreicht": 1}
        assert sum(claims.values()) == 1  # claimed twice, but the wait for the first claim is counted once


async def test_a_family_erasing_itself_counts_as_withdrawn(database_url: str) -> None:
    async with console_app(database_url) as chat:
        await chat.say(*REQUEST_DE)
        await chat.say("/delete", "[Ja, alles löschen]")

        def stored(tx: Session) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
            return counts(tx, "outcome"), counts(tx, "consent"), counts(tx, "request")

        outcomes, consents, requests = await chat.app.db.run(stored)
        assert outcomes == {"zurueckgezogen": 1}
        assert consents == {"callback|given": 1, "callback|withdrawn": 1}
        assert requests == {"money|de|mitte|console|0": 1}


def test_check_names_the_line_of_a_broken_outcome(tmp_path: Path) -> None:
    path = tmp_path / "outcomes.yaml"
    path.write_text(
        "outcomes:\n  - id: telefon\n    title: Telefon\n    group: beratung\n"
        "  - id: Telefon Beratung\n    title: x\n    group: beratung\n",
        encoding="utf-8",
    )
    found, problems = check_outcomes(path)
    assert [o.id for o in found] == ["telefon"]
    assert str(problems[0]).startswith(f"{path}:5 Telefon Beratung: id must be")
    assert not check_outcomes(ROOT / "dialogs" / "outcomes.yaml")[1]
