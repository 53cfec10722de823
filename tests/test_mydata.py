"""/mydata (the right of access): every stored field about a family, in their language, and nothing forgotten."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from bot.core.engine import Context
from bot.core.events import Session as DialogSession
from bot.mydata import NOT_SHOWN, SHOWN, my_data
from storage import repo
from storage.db import Database
from storage.models import Base, CallbackRequest, ConsentRecord, ReminderSubscription, User
from tests.support.console_app import console_app

PHONE_TYPED, PHONE = "0234 9876543", "+492349876543"
NAME, NOTE = "Zeynep Testname-QX7", "Brief vom Jobcenter QX7"


def test_every_column_is_shown_by_mydata_or_named_with_the_reason_it_is_not() -> None:
    # A new personal column (say, a reminder subscription) fails here until /mydata shows it or NOT_SHOWN says why.
    problems = []
    for table in Base.metadata.tables.values():
        columns = {column.name for column in table.columns}
        if table.name in NOT_SHOWN:
            if table.name in SHOWN:
                problems.append(f"{table.name}: both shown and not shown")
            continue
        if table.name not in SHOWN:
            problems.append(f"table {table.name}: add it to SHOWN or NOT_SHOWN in bot/mydata.py")
            continue
        hidden = {key.partition(".")[2] for key in NOT_SHOWN if key.startswith(f"{table.name}.")}
        problems += [f"{table.name}.{c}: both shown and not shown" for c in sorted(SHOWN[table.name] & hidden)]
        problems += [f"{table.name}.{c}: neither shown nor named" for c in sorted(columns - SHOWN[table.name] - hidden)]
        problems += [f"{table.name}.{c}: no such column" for c in sorted((SHOWN[table.name] | hidden) - columns)]
    named = {key.partition(".")[0] for key in NOT_SHOWN} | set(SHOWN)
    problems += [f"{name}: no such table" for name in sorted(named - set(Base.metadata.tables))]
    assert problems == []


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# What /mydata must say (German) for each shown column, given the rows below. Times are UTC, shown in Berlin time.
EXPECTED = {
    "users.key": "• Ihr Konto: Telegram 7301",
    "users.chat": "• Ihr Chat mit uns: Telegram -7302",
    "users.language": "• Sprache: Deutsch",
    "users.district": "• Stadtbezirk: Wattenscheid",
    "users.created_at": "Erste Nachricht: 5. Jan. 2026, 09:00",
    "users.last_seen_at": "letzte Nachricht: 3. März 2026, 12:30",
    "callback_requests.reference": "Anfrage R-2026-0042 vom",
    "callback_requests.created_at": "R-2026-0042 vom 2. März 2026, 10:05",
    "callback_requests.status": "R-2026-0042 vom 2. März 2026, 10:05: eine Fachkraft kümmert sich",
    "callback_requests.topic": "   Thema: 🩺 Gesundheit und Entwicklung des Kindes",
    "callback_requests.contact_way": "   Kontakt: 📞 Bitte anrufen",
    "callback_requests.phone": f"   Telefon: {PHONE}",
    "callback_requests.district": "   Stadtbezirk: Mitte",
    "callback_requests.time_window": "   Zeit: Nachmittags (12–16 Uhr)",
    "callback_requests.urgent": "   Dringend: Bitte heute noch",
    "callback_requests.name": f"   Name: {NAME}",
    "callback_requests.note": f"   Ihre Nachricht: {NOTE}",
    "callback_requests.emergency": "   Hinweis auf einen Notfall: Gewalt oder Bedrohung",
    "callback_requests.language": "   Sprache: العربية · Gestellt über: Telegram",
    "callback_requests.channel": "Gestellt über: Telegram",
    "callback_requests.closed_at": "   Beendet: 1. Dez. 2025, 15:00",
    "callback_requests.outcome": "   Beendet: 1. Dez. 2025, 15:00\n   Ergebnis (vom Team notiert): jobcenter",
    "consent_records.purpose": "• Einwilligung „Rückruf“: ",
    "consent_records.action": "„Rückruf“: erteilt am 2. März 2026, 10:04",
    "consent_records.at": "am 2. März 2026, 10:04",
    "consent_records.text_version": "(Text Version 7)",
    "consent_records.language": "(Text Version 7) · English · ",
    "consent_records.platform": "· English · Telegram",
    "dialog_states.state": "• Angaben für eine Anfrage, noch nicht abgeschickt:\n   Thema: 🏠 Wohnen\n"
    "   Aktueller Schritt: Zeit",
    "reminder_subscriptions.district": "• Erinnerungen an die offenen Sprechstunden in Wattenscheid, ",
    "reminder_subscriptions.created_at": "Wattenscheid, bestellt am 4. März 2026, 19:00",
}


async def test_mydata_shows_every_column_it_claims_to_show(db: Database, ctx: Context) -> None:
    def write(tx: Session) -> None:
        user = User(key="telegram:7301", chat="telegram:-7302", language="de", district="wattenscheid",
                    created_at=at(1, 5, 8), last_seen_at=at(3, 3, 11, 30))  # fmt: skip
        tx.add(user)
        tx.flush()
        tx.add(CallbackRequest(
            reference="R-2026-0042", user_id=user.id, status="claimed", topic="health", language="ar",
            channel="telegram", district="mitte", time_window="afternoon", contact_way="phone", urgent=True,
            emergency="violence", phone=PHONE, name=NAME, note=NOTE, created_at=at(3, 2, 9, 5),
        ))  # fmt: skip
        tx.add(CallbackRequest(reference="R-2025-0007", user_id=user.id, status="done", topic="money",
                               language="de", channel="telegram", contact_way="chat", created_at=at(11, 30, 9, 0, 2025),
                               closed_at=at(12, 1, 14, 0, 2025), outcome="jobcenter"))  # fmt: skip
        tx.add(ConsentRecord(user_id=user.id, purpose="callback", text_id="callback-consent", text_version=7,
                             language="en", platform="telegram", action="given", at=at(3, 2, 9, 4)))  # fmt: skip
        state = {"lang": "de", "at": "callback/time_window", "slots": {"topic": "housing"}, "history": []}
        repo.save_state(tx, user.id, state, "v1")
        tx.add(ReminderSubscription(user_id=user.id, district="wattenscheid", created_at=at(3, 4, 18)))

    await db.run(write)

    def read(tx: Session) -> str:
        user = repo.get_user(tx, "telegram:7301")
        assert user is not None
        return my_data(tx, user.id, DialogSession.from_json(repo.load_state(tx, user.id)), ctx)

    shown = await db.run(read)
    claimed = {f"{table}.{column}" for table, columns in SHOWN.items() for column in columns}
    assert set(EXPECTED) == claimed  # a column added to SHOWN needs its expectation here
    missing = {key: text for key, text in EXPECTED.items() if text not in shown}
    assert missing == {}, shown


async def test_mydata_of_a_request_whose_district_the_hours_file_no_longer_names(db: Database, ctx: Context) -> None:
    # Regression: the summary looked the district up by its id and raised KeyError for one no longer in hours.yaml.
    def write_and_read(tx: Session) -> str:
        user_id = repo.touch_user(tx, "telegram:7303").id
        tx.add(CallbackRequest(reference="R-2026-0043", user_id=user_id, topic="money", language="de",
                               channel="telegram", contact_way="chat", district="altstadt"))  # fmt: skip
        tx.flush()
        return my_data(tx, user_id, DialogSession(lang="de"), ctx)

    assert "   Stadtbezirk: altstadt" in await db.run(write_and_read)


REQUEST_HEALTH_DE = [
    "/start", "[Deutsch]", "[📞 Rückruf anfordern]", "[🩺 Gesundheit und Entwicklung des Kindes]",
    "[📞 Bitte anrufen]", PHONE_TYPED, "[Mitte]", "[Vormittags (9–12 Uhr)]", "[In den nächsten Tagen]", NAME, NOTE,
    "[Ja, ich bin einverstanden]",
]  # fmt: skip


async def test_mydata_in_german_names_each_answer_as_the_family_gave_it(database_url: str) -> None:
    async with console_app(database_url) as chat:
        await chat.say(*REQUEST_HEALTH_DE)
        out = await chat.say("/mydata")
        year = str(datetime.now(UTC).year)
        for line in (
            "Das haben wir über Sie gespeichert:", "• Ihr Konto: Console parent", "• Sprache: Deutsch",
            "• Stadtbezirk: Mitte", "• Erste Nachricht: ", f"• Anfrage R-{year}-0001 vom ",
            ": wartet auf eine Fachkraft", "   Thema: 🩺 Gesundheit und Entwicklung des Kindes",
            "   Kontakt: 📞 Bitte anrufen", f"   Telefon: {PHONE}", "   Stadtbezirk: Mitte",
            "   Zeit: Vormittags (9–12 Uhr)", "   Dringend: In den nächsten Tagen", f"   Name: {NAME}",
            f"   Ihre Nachricht: {NOTE}", "   Sprache: Deutsch · Gestellt über: Console",
            "• Einwilligung „Rückruf“: erteilt am ", "(Text Version 2) · Deutsch · Console",
            "Mit /delete löschen wir alles sofort.",
        ):  # fmt: skip
            assert line in out, line
        assert "noch nicht abgeschickt" not in out and "Aktueller Schritt" not in out


async def test_mydata_shows_the_answers_of_a_request_not_sent_yet_and_the_current_step(database_url: str) -> None:
    async with console_app(database_url) as chat:
        await chat.say(*REQUEST_HEALTH_DE[:6])  # the phone number is typed, the district not chosen yet
        out = await chat.say("/mydata")
        assert "• Angaben für eine Anfrage, noch nicht abgeschickt:" in out
        assert f"   Telefon: {PHONE}" in out and "   Aktueller Schritt: Stadtbezirk" in out
        assert "Anfragen oder Einwilligungen von Ihnen haben wir nicht gespeichert." not in out
        out = await chat.say("/start", "/mydata")  # /start drops the answers
        assert PHONE not in out.split("> /mydata")[1]
        assert "Anfragen oder Einwilligungen von Ihnen haben wir nicht gespeichert." in out
