"""Consultation hours (offene Sprechstunde) and office hours as data the office coordinator edits.

Pure; reading and validating the YAML file is bot/core/hours_file.py. All times are local to the configured zone
and built with zoneinfo per calendar day, so a slot keeps its wall-clock time across daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "ALL_DISTRICTS",
    "WEEKDAYS",
    "DatedException",
    "District",
    "HoursData",
    "HoursError",
    "OfficeHours",
    "Slot",
    "WeeklySlot",
    "district_ids",
    "district_name",
    "is_closed",
    "is_holiday",
    "is_office_open",
    "next_slots",
    "office_hours_between",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DISTRICTS = "all"
# How far next_slots looks ahead before giving up (a district may have no regular slot at all).
_HORIZON_DAYS = 2 * 366

KeyPath = tuple[str | int, ...]


class HoursError(ValueError):
    """The hours file is invalid; the message names the file, the line (when known) and the key."""

    def __init__(self, message: str, *, source: str = "<hours>", key: str = "", line: int | None = None) -> None:
        self.message = message
        self.source = source
        self.key = key
        self.line = line
        where = source + (f", line {line}" if line else "") + (f", at {key}" if key else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class WeeklySlot:
    """A consultation hour that recurs every week; weekday 0 is Monday."""

    weekday: int
    start: time
    end: time
    place: str
    address: str


@dataclass(frozen=True, slots=True)
class District:
    """A city district (Stadtbezirk) with its German display name and weekly consultation hours."""

    id: str
    name: str
    slots: tuple[WeeklySlot, ...]


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """The team's working hours on one weekday (for phone callbacks and reminder clocks)."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class DatedException:
    """A dated entry: closes a district (None: all) from first_day to last_day, or adds an extra slot."""

    first_day: date
    last_day: date
    district: str | None
    closed: bool
    note_de: str = ""
    start: time | None = None
    end: time | None = None
    place: str = ""
    address: str = ""


@dataclass(frozen=True, slots=True)
class Slot:
    """One concrete consultation-hour occurrence; start and end are aware datetimes in the office's zone."""

    district: str
    start: datetime
    end: datetime
    place: str
    address: str
    note_de: str = ""
    extra: bool = False
    moved: bool = False  # an extra hour in place of its district's regular hour that day (see _moved)


@dataclass(frozen=True, slots=True)
class HoursData:
    """Everything the hours file says, validated."""

    timezone: ZoneInfo
    holiday_country: str
    holiday_subdivision: str | None
    districts: tuple[District, ...]
    office_hours: tuple[OfficeHours, ...]
    exceptions: tuple[DatedException, ...] = ()
    sample: bool = False
    source: str = "<hours>"


# --- computing ------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value.astimezone(UTC)


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    # Combining date and wall-clock time per day (not adding timedeltas) is what keeps DST right.
    return datetime.combine(day, clock, tzinfo=tz)


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def is_holiday(data: HoursData, day: date) -> bool:
    """True if `day` is a public holiday of the configured country and subdivision."""
    return day in _holiday_dates(data.holiday_country, data.holiday_subdivision, day.year)


def is_closed(data: HoursData, day: date, district: str | None = None) -> bool:
    """True if `day` is a holiday or closed by an exception for `district` (None: closed for all)."""
    if is_holiday(data, day):
        return True
    return any(
        ex.closed and ex.first_day <= day <= ex.last_day and ex.district in (None, district) for ex in data.exceptions
    )


def _slots_on(data: HoursData, day: date, district: str | None) -> list[Slot]:
    tz = data.timezone
    found: list[Slot] = []
    for d in data.districts:
        if (district is None or d.id == district) and not is_closed(data, day, d.id):
            found.extend(
                Slot(d.id, _at(day, s.start, tz), _at(day, s.end, tz), s.place, s.address)
                for s in d.slots
                if s.weekday == day.weekday()
            )
    # An extra slot is deliberate: it takes place even on a holiday or a day closed for its district.
    for ex in data.exceptions:
        if ex.closed or ex.first_day != day or ex.start is None or ex.end is None or ex.district is None:
            continue
        if district in (None, ex.district):
            start, end = _at(day, ex.start, tz), _at(day, ex.end, tz)
            moved = _moved(data, day, ex.district)
            found.append(Slot(ex.district, start, end, ex.place, ex.address, ex.note_de, extra=True, moved=moved))
    return found


def _moved(data: HoursData, day: date, district: str) -> bool:
    """An extra hour on a day when a dated exception closes its district by name, and the district has a regular
    hour on that weekday: the office's way of moving an hour (hours.yaml: close the day, add the extra hour).

    A closing of all districts or a public holiday is no move (an extra hour then is an extra), nor is an extra hour
    on a day without a regular one; a move to another day is not recognised (it reads as a closing and an extra).
    """
    closed_by_name = any(
        ex.closed and ex.district == district and ex.first_day <= day <= ex.last_day for ex in data.exceptions
    )
    regular = any(d.id == district and any(s.weekday == day.weekday() for s in d.slots) for d in data.districts)
    return closed_by_name and regular


def next_slots(data: HoursData, now: datetime, district: str | None = None, count: int = 3) -> list[Slot]:
    """The next `count` open consultation hours from `now` (one in progress counts), sorted by start."""
    now_utc = _utc(now, "now")
    if district is not None:
        district_name(data, district)
    if count <= 0:
        return []
    day = now_utc.astimezone(data.timezone).date()
    found: list[Slot] = []
    for _ in range(_HORIZON_DAYS):
        found.extend(s for s in _slots_on(data, day, district) if s.end.astimezone(UTC) > now_utc)
        if len(found) >= count:
            break
        day += timedelta(days=1)
    found.sort(key=lambda s: (s.start.astimezone(UTC), s.district, s.end.astimezone(UTC)))
    return found[:count]


def _office_periods(data: HoursData, first: date, last: date) -> Iterator[tuple[datetime, datetime]]:
    for day in _days(first, last):
        if not is_closed(data, day):
            for oh in data.office_hours:
                if oh.weekday == day.weekday():
                    yield (
                        _at(day, oh.start, data.timezone).astimezone(UTC),
                        _at(day, oh.end, data.timezone).astimezone(UTC),
                    )


def is_office_open(data: HoursData, at: datetime) -> bool:
    """True if `at` lies within the team's office hours (not on a holiday or an all-district closing)."""
    at_utc = _utc(at, "at")
    day = at_utc.astimezone(data.timezone).date()
    return any(start <= at_utc < end for start, end in _office_periods(data, day, day))


def office_hours_between(data: HoursData, start: datetime, end: datetime) -> timedelta:
    """Office time between two instants, without holidays and all-district closings; zero if end <= start."""
    start_utc, end_utc = _utc(start, "start"), _utc(end, "end")
    if end_utc <= start_utc:
        return timedelta(0)
    first = start_utc.astimezone(data.timezone).date()
    last = end_utc.astimezone(data.timezone).date()
    total = timedelta(0)
    for open_at, close_at in _office_periods(data, first, last):
        lo, hi = max(open_at, start_utc), min(close_at, end_utc)
        if hi > lo:
            total += hi - lo
    return total


def district_ids(data: HoursData) -> tuple[str, ...]:
    """The district ids in file order."""
    return tuple(d.id for d in data.districts)


def district_name(data: HoursData, district_id: str) -> str:
    """The German display name of a district; KeyError for an unknown id."""
    for d in data.districts:
        if d.id == district_id:
            return d.name
    raise KeyError(f"unknown district {district_id!r}")
