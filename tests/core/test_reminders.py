"""When reminders of consultation hours are due: the changes of clock of 2027, cancelled hours, downtimes, the file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from bot.core.hours_file import load_hours, parse_hours
from bot.core.reminders import ReminderError, ReminderRule, due_reminders, load_rules, parse_rules

ROOT = Path(__file__).resolve().parents[2]

# A Tuesday hour: two days before it, at 02:30, falls into the nights the clocks change in 2027. (The Monday after
# the spring change is Easter Monday, a public holiday with no hour at all.)
HOURS = parse_hours(
    yaml.safe_load("""\
timezone: Europe/Berlin
holidays: {country: DE, subdivision: BE}
districts:
  mitte:
    name: "Mitte"
    slots:
      - {weekday: tue, start: "09:00", end: "12:00", place: "Familienzentrum A", address: "Straße 1"}
office_hours:
  - {weekday: tue, start: "08:00", end: "16:00"}
"""),
    "hours.yaml",
)
RULES = parse_rules("""\
reminders:
  - {id: night, days_before: 2, at: "02:30"}
  - {id: evening_before, days_before: 1, at: "18:00"}
  - {id: two_hours_before, hours_before: 2}
""")


def queued_every_five_minutes(start: datetime, end: datetime) -> dict[tuple[str, datetime], datetime]:
    """What a dispatcher that looks every five minutes queues, each (rule, hour) once: when it queued it."""
    queued: dict[tuple[str, datetime], datetime] = {}
    now = start
    while now <= end:
        for due in due_reminders(HOURS, "mitte", RULES, now):
            queued.setdefault((due.rule, due.slot_start), now)
        now += timedelta(minutes=5)
    return queued


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_spring_change_2027_each_reminder_once_at_its_local_time() -> None:
    # 28 March 2027: 02:00 CET becomes 03:00 CEST. The hour: Tuesday 30 March, 09:00 CEST = 07:00 UTC.
    queued = queued_every_five_minutes(utc(2027, 3, 27, 12), utc(2027, 3, 30, 12))
    hour = utc(2027, 3, 30, 7)
    assert queued == {
        ("night", hour): utc(2027, 3, 28, 1, 30),  # 02:30 does not exist that night: read as 02:30 CET
        ("evening_before", hour): utc(2027, 3, 29, 16),  # 18:00 CEST
        ("two_hours_before", hour): utc(2027, 3, 30, 5),  # 07:00 CEST
    }


def test_autumn_change_2027_each_reminder_once_at_its_local_time() -> None:
    # 31 October 2027: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice. The hour: Tuesday 2 November, 09:00 CET.
    queued = queued_every_five_minutes(utc(2027, 10, 30, 12), utc(2027, 11, 2, 12))
    hour = utc(2027, 11, 2, 8)
    assert queued == {
        ("night", hour): utc(2027, 10, 31, 0, 30),  # the first 02:30, and only that one
        ("evening_before", hour): utc(2027, 11, 1, 17),  # 18:00 CET
        ("two_hours_before", hour): utc(2027, 11, 2, 6),  # 07:00 CET
    }


def test_a_cancelled_hour_gets_no_reminder() -> None:
    # Easter Monday 2027 (29 March) closes the NRW office: the shipped Mitte hour on Mondays does not take place.
    hours = load_hours(ROOT / "dialogs" / "hours.yaml")
    rules = load_rules(ROOT / "dialogs" / "reminders.yaml")
    evening = datetime(2027, 3, 28, 20, tzinfo=hours.timezone)
    assert due_reminders(hours, "mitte", rules, evening) == []
    # The Monday after is an ordinary one.
    week_later = datetime(2027, 4, 4, 20, tzinfo=hours.timezone)
    assert [(d.rule, d.slot.start.date()) for d in due_reminders(hours, "mitte", rules, week_later)] == [
        ("evening_before", datetime(2027, 4, 5).date())
    ]


def test_after_a_downtime_an_hour_still_ahead_gets_one_reminder_and_one_that_began_none() -> None:
    # Down from Monday noon to Tuesday 07:30 CEST: the evening reminder was missed; only the latest due one goes out.
    back = utc(2027, 3, 30, 5, 30)
    assert [(d.rule, d.due_at) for d in due_reminders(HOURS, "mitte", RULES, back)] == [
        ("two_hours_before", utc(2027, 3, 30, 5))
    ]
    assert due_reminders(HOURS, "mitte", RULES, utc(2027, 3, 30, 7, 1)) == []  # the hour has begun


def test_the_shipped_rules_are_valid_and_a_broken_file_names_its_line() -> None:
    shipped = load_rules(ROOT / "dialogs" / "reminders.yaml")
    assert [rule.id for rule in shipped] == ["evening_before", "two_hours_before"]
    cases = {
        "reminders:\n  - {id: a, hours_before: 0}\n": ":2: 'hours_before' muss größer als 0",
        "reminders:\n  - id: a\n    days_before: 1\n": ":2: 'a': 'days_before' und 'at' gehören zusammen",
        "reminders:\n  - id: a\n    days_before: 1\n    at: '25:00'\n": ":4: 'at' muss eine Uhrzeit",
        "reminders:\n  - {id: a, hours_before: 1}\n  - {id: a, hours_before: 2}\n": ":3: die Kennung 'a' steht zweimal",
        "reminders:\n  - {id: A b, hours_before: 1}\n": ":2: 'id' fehlt",
        "reminders:\n  - {id: a, hours_before: 1, days_before: 1, at: '18:00'}\n": ":2: 'a': entweder",
        "reminders:\n  - {id: a, hourz_before: 1}\n": ":2: unbekannter Eintrag 'hourz_before'",
    }
    for text, message in cases.items():
        with pytest.raises(ReminderError) as caught:
            parse_rules(text, "reminders.yaml")
        assert f"reminders.yaml{message}" in str(caught.value), (text, str(caught.value))
    assert parse_rules("reminders:\n  - {id: x, days_before: 1, at: 18:00}\n")[0] == ReminderRule(
        "x", 1, datetime(2000, 1, 1, 18).time()
    )  # an unquoted clock time is still a clock time
