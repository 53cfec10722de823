"""When reminders of consultation hours go out: the office's rules (dialogs/reminders.yaml), computed in its zone.

Pure: no clock, no database. A reminder is identified by (subscription, the hour's start in UTC, rule id); the
dispatcher (bot/reminders.py) queues each at most once. Times are computed as one instant in UTC from the hour's
local start, so the changes of clock in spring and autumn neither skip nor double one: "the evening before at
18:00" is 18:00 local time on either side of a change, "two hours before" is two real hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bot.core.hours import HoursData, Slot, next_slots

__all__ = ["Due", "ReminderError", "ReminderRule", "due_reminders", "load_rules", "parse_rules"]

_ID_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MAX_DAYS_BEFORE = 7
MAX_HOURS_BEFORE = 72.0


class ReminderError(ValueError):
    """A problem in the reminder rules, named with file, line and key, in German (the office edits the file)."""


@dataclass(frozen=True, slots=True)
class ReminderRule:
    id: str
    days_before: int = 0  # with `at`: that many days before the hour, at a local clock time
    at: time | None = None
    hours_before: float | None = None  # or: this long before the hour starts

    def due(self, start: datetime, zone: ZoneInfo) -> datetime:
        """When the reminder of an hour starting at `start` goes out, as an instant in UTC."""
        if self.hours_before is not None:
            return start.astimezone(UTC) - timedelta(hours=self.hours_before)
        assert self.at is not None
        day = start.astimezone(zone).date() - timedelta(days=self.days_before)
        # A clock time the spring change skips (02:30) is read with the offset before the change, one that the
        # autumn change repeats as its first occurrence: either way one instant, so one reminder.
        return datetime.combine(day, self.at, tzinfo=zone).astimezone(UTC)

    @property
    def lead(self) -> timedelta:
        """The longest time this rule can go out before the hour starts."""
        if self.hours_before is not None:
            return timedelta(hours=self.hours_before)
        return timedelta(days=self.days_before + 1)


@dataclass(frozen=True, slots=True)
class Due:
    rule: str
    slot: Slot
    due_at: datetime  # UTC

    @property
    def slot_start(self) -> datetime:
        """The hour's start in UTC: with the subscription and the rule, the key that makes a reminder unique."""
        return self.slot.start.astimezone(UTC)


def due_reminders(hours: HoursData, district: str, rules: tuple[ReminderRule, ...], now: datetime) -> list[Due]:
    """The reminders for a district's hours that are due by `now`, for hours that have not begun yet.

    Per hour only the latest rule that is due counts: after a downtime a family gets one reminder for an hour, not
    "the evening before" and "two hours before" at once. A cancelled hour (holiday, dated closure) is not among the
    district's hours, so nothing is due for it; an hour that has begun gets none.
    """
    if not rules:
        return []
    now_utc = now.astimezone(UTC)
    horizon = now_utc + max(rule.lead for rule in rules)
    found: list[Due] = []
    for slot in next_slots(hours, now_utc, district, count=64):
        start = slot.start.astimezone(UTC)
        if start > horizon:
            break
        if start <= now_utc:
            continue
        due = [(rule.due(slot.start, hours.timezone), rule.id) for rule in rules]
        ready = [(when, rule) for when, rule in due if when <= now_utc]
        if ready:
            when, rule = max(ready)
            found.append(Due(rule, slot, when))
    return found


def load_rules(path: Path) -> tuple[ReminderRule, ...]:
    """Read dialogs/reminders.yaml; a missing file means no reminders."""
    if not path.exists():
        return ()
    return parse_rules(path.read_text(encoding="utf-8"), str(path))


def parse_rules(text: str, source: str = "<reminders>") -> tuple[ReminderRule, ...]:
    try:
        document = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ReminderError(f"{source}:{mark.line + 1 if mark else 0}: kein gültiges YAML") from None
    if document is None:
        return ()
    if not isinstance(document, yaml.MappingNode):
        raise ReminderError(f"{source}:1: erwartet wird 'reminders:' mit einer Liste")
    entries = {key.value: value for key, value in document.value}
    node = entries.get("reminders")
    if node is None or (isinstance(node, yaml.ScalarNode) and node.value in ("", "null", "~")):
        return ()
    if not isinstance(node, yaml.SequenceNode):
        raise ReminderError(f"{source}:{node.start_mark.line + 1}: 'reminders' muss eine Liste sein")
    rules: list[ReminderRule] = []
    for item in node.value:
        rules.append(_rule(item, source))
    seen: set[str] = set()
    for rule, item in zip(rules, node.value, strict=True):
        if rule.id in seen:
            raise ReminderError(f"{source}:{item.start_mark.line + 1}: die Kennung '{rule.id}' steht zweimal")
        seen.add(rule.id)
    return tuple(rules)


def _rule(node: yaml.Node, source: str) -> ReminderRule:
    line = node.start_mark.line + 1

    def fail(message: str, at: yaml.Node | None = None) -> ReminderError:
        return ReminderError(f"{source}:{(at.start_mark.line + 1) if at is not None else line}: {message}")

    if not isinstance(node, yaml.MappingNode):
        raise fail("jede Erinnerung braucht 'id' und entweder 'hours_before' oder 'days_before' mit 'at'")
    fields = {key.value: value for key, value in node.value}
    unknown = sorted(set(fields) - {"id", "days_before", "at", "hours_before"})
    if unknown:
        allowed = "id, days_before, at, hours_before"
        raise fail(f"unbekannter Eintrag '{unknown[0]}' (erlaubt: {allowed})", fields[unknown[0]])
    ident = fields.get("id")
    if not isinstance(ident, yaml.ScalarNode) or not _ID_RE.match(str(ident.value)):
        raise fail("'id' fehlt oder enthält anderes als kleine Buchstaben, Ziffern und _", ident)
    if ("hours_before" in fields) == ("days_before" in fields or "at" in fields):
        raise fail(f"'{ident.value}': entweder 'hours_before' oder 'days_before' mit 'at' angeben")
    if "hours_before" in fields:
        raw = fields["hours_before"]
        try:
            hours = float(raw.value)
        except (TypeError, ValueError):
            raise fail("'hours_before' muss eine Zahl sein, z. B. 2 oder 1.5", raw) from None
        if not 0 < hours <= MAX_HOURS_BEFORE:
            raise fail(f"'hours_before' muss größer als 0 und höchstens {MAX_HOURS_BEFORE:g} sein", raw)
        return ReminderRule(str(ident.value), hours_before=hours)
    days, at = fields.get("days_before"), fields.get("at")
    if days is None or at is None:
        raise fail(f"'{ident.value}': 'days_before' und 'at' gehören zusammen")
    if not str(days.value).isdigit() or not 1 <= int(days.value) <= MAX_DAYS_BEFORE:
        raise fail(f"'days_before' muss eine ganze Zahl von 1 bis {MAX_DAYS_BEFORE} sein", days)
    clock = _TIME_RE.match(str(at.value))
    if not clock:
        raise fail("'at' muss eine Uhrzeit wie \"18:00\" sein (in Anführungszeichen)", at)
    return ReminderRule(str(ident.value), int(days.value), time(int(clock.group(1)), int(clock.group(2))))
