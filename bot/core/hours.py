"""Consultation hours (offene Sprechstunde) and office hours as data the office coordinator edits.

Pure, except `load_hours`, which reads the YAML file. All times are local to the configured zone and built
with zoneinfo per calendar day, so a slot keeps its wall-clock time across daylight-saving changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml

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
    "load_hours",
    "next_slots",
    "office_hours_between",
    "parse_hours",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
ALL_DISTRICTS = "all"
# How far next_slots looks ahead before giving up (a district may have no regular slot at all).
_HORIZON_DAYS = 2 * 366
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_GERMAN_DATE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DISTRICT_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

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


# --- reading and validating -------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps an unquoted 10:30 a string (YAML 1.1 would read it as the number 630)."""


def _int_or_clock(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode) and ":" not in str(node.value):
        return loader.construct_yaml_int(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


def _float_or_clock(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode) and ":" not in str(node.value):
        return loader.construct_yaml_float(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


def _date_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    # An impossible date such as 2026-11-31 stays text, so the validator can name its line.
    try:
        return loader.construct_yaml_timestamp(node)  # type: ignore[arg-type]
    except ValueError:
        return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:int", _int_or_clock)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _date_or_text)
_Loader.add_constructor("tag:yaml.org,2002:float", _float_or_clock)


def load_hours(path: str | Path) -> HoursData:
    """Read and validate an hours YAML file; raise HoursError naming the file, line and key."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise HoursError(f"cannot read the file ({exc.strerror})", source=source) from exc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise HoursError("the file is empty", source=source)
        lines: dict[KeyPath, int] = {}
        _collect_lines(node, (), lines, source)
        raw = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise HoursError(f"not valid YAML: {exc.problem or exc}", source=source, line=line) from exc
    except yaml.YAMLError as exc:
        raise HoursError(f"not valid YAML: {exc}", source=source) from exc
    finally:
        loader.dispose()
    return parse_hours(raw, source, lines=lines)


def _collect_lines(node: yaml.Node, path: KeyPath, out: dict[KeyPath, int], source: str) -> None:
    # Remembers the line of every key and list entry, and rejects duplicate keys (PyYAML keeps the last one).
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise HoursError(f"the key {key!r} appears twice", source=source, key=_fmt((*path, key)), line=line)
            seen.add(key)
            out[(*path, key)] = line
            _collect_lines(value_node, (*path, key), out, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            out[(*path, index)] = item.start_mark.line + 1
            _collect_lines(item, (*path, index), out, source)


def _fmt(path: KeyPath) -> str:
    return " > ".join(f"entry {p + 1}" if isinstance(p, int) else p for p in path)


class _Reader:
    """Validation helpers that raise HoursError with file, line and key."""

    def __init__(self, source: str, lines: Mapping[KeyPath, int]) -> None:
        self.source = source
        self.lines = lines

    def fail(self, path: KeyPath, message: str) -> NoReturn:
        line, probe = None, path
        while probe and line is None:
            line, probe = self.lines.get(probe), probe[:-1]
        raise HoursError(message, source=self.source, key=_fmt(path), line=line)

    def mapping(
        self, value: object, path: KeyPath, allowed: tuple[str, ...], required: tuple[str, ...]
    ) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(path, 'expected lines of the form "key: value" here')
        for key in value:
            if key not in allowed:
                self.fail((*path, str(key)), f"unknown key {key!r}; allowed here: {', '.join(allowed)}")
        for key in required:
            if key not in value:
                self.fail(path, f"the key {key!r} is missing")
        return {str(k): v for k, v in value.items()}

    def entries(self, value: object, path: KeyPath) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, 'expected a list here (each entry starts with "- ")')
        return value

    def text(self, value: object, path: KeyPath) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(path, "expected a non-empty text")
        return value.strip()

    def flag(self, value: object, path: KeyPath) -> bool:
        if not isinstance(value, bool):
            self.fail(path, "expected true or false")
        return value

    def clock(self, value: object, path: KeyPath) -> time:
        if isinstance(value, int) and not isinstance(value, bool):
            self.fail(path, f'{value} is not a time; write the time in quotes, like "09:00"')
        match = _TIME_RE.match(value.strip()) if isinstance(value, str) else None
        if match is None:
            self.fail(path, f'{value!r} is not a time; write hours:minutes in quotes, like "14:30"')
        return time(int(match.group(1)), int(match.group(2)))

    def weekday(self, value: object, path: KeyPath) -> int:
        name = value.strip().lower() if isinstance(value, str) else None
        if name not in WEEKDAYS:
            hint = ", ".join(f"{en} ({de})" for en, de in zip(WEEKDAYS, _WEEKDAYS_DE, strict=True))
            self.fail(path, f"{value!r} is not a weekday; use one of {hint}")
        return WEEKDAYS.index(name)

    def day(self, value: object, path: KeyPath) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            german = _GERMAN_DATE_RE.match(value.strip())
            try:
                if german:
                    return date(int(german.group(3)), int(german.group(2)), int(german.group(1)))
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.fail(path, f"{value!r} is not a date; write it like 2026-12-24")

    def span(self, raw: Mapping[str, Any], path: KeyPath) -> tuple[time, time]:
        start = self.clock(raw["start"], (*path, "start"))
        end = self.clock(raw["end"], (*path, "end"))
        if end <= start:
            self.fail((*path, "end"), f"end {end:%H:%M} is not after start {start:%H:%M}")
        return start, end


_SLOT_KEYS = ("weekday", "start", "end", "place", "address")
_EXCEPTION_KEYS = ("date", "until", "district", "closed", "note_de", "start", "end", "place", "address")


def parse_hours(raw: object, source: str = "<hours>", *, lines: Mapping[KeyPath, int] | None = None) -> HoursData:
    """Validate the parsed YAML of an hours file; raise HoursError naming the file, key and line."""
    r = _Reader(source, lines or {})
    top = r.mapping(
        raw,
        (),
        ("sample", "timezone", "holidays", "districts", "office_hours", "exceptions"),
        ("timezone", "holidays", "districts", "office_hours"),
    )
    sample = r.flag(top["sample"], ("sample",)) if "sample" in top else False
    tz_name = r.text(top["timezone"], ("timezone",))
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        r.fail(("timezone",), f"unknown time zone {tz_name!r}; use Europe/Berlin")
    country, subdivision = _parse_holidays(r, top["holidays"])
    districts = _parse_districts(r, top["districts"])
    office = _parse_office_hours(r, top["office_hours"])
    known = {d.id for d in districts}
    exceptions = tuple(
        _parse_exception(r, item, ("exceptions", i), known)
        for i, item in enumerate(r.entries(top.get("exceptions"), ("exceptions",)))
    )
    return HoursData(tz, country, subdivision, districts, office, exceptions, sample, source)


def _parse_holidays(r: _Reader, value: object) -> tuple[str, str | None]:
    path: KeyPath = ("holidays",)
    raw = r.mapping(value, path, ("country", "subdivision"), ("country",))
    country = r.text(raw["country"], (*path, "country")).upper()
    subdivision = r.text(raw["subdivision"], (*path, "subdivision")).upper() if "subdivision" in raw else None
    try:
        holidays.country_holidays(country, subdiv=subdivision, years=2000)
    except NotImplementedError as exc:
        r.fail(path, f"unknown holiday calendar: {exc}")
    return country, subdivision


def _parse_districts(r: _Reader, value: object) -> tuple[District, ...]:
    path: KeyPath = ("districts",)
    if not isinstance(value, Mapping) or not value:
        r.fail(path, "expected at least one district, each as `id:` with `name:` and `slots:` below it")
    result = []
    for key, body in value.items():
        here = (*path, str(key))
        if not isinstance(key, str) or not _DISTRICT_ID_RE.match(key) or key == ALL_DISTRICTS:
            r.fail(here, f"{key!r} is not a usable district id; use lower-case letters like mitte")
        raw = r.mapping(body, here, ("name", "slots"), ("name",))
        slots = []
        for i, item in enumerate(r.entries(raw.get("slots"), (*here, "slots"))):
            slot_path = (*here, "slots", i)
            slot = r.mapping(item, slot_path, _SLOT_KEYS, _SLOT_KEYS)
            start, end = r.span(slot, slot_path)
            weekday = r.weekday(slot["weekday"], (*slot_path, "weekday"))
            place = r.text(slot["place"], (*slot_path, "place"))
            address = r.text(slot["address"], (*slot_path, "address"))
            slots.append(WeeklySlot(weekday, start, end, place, address))
        result.append(District(key, r.text(raw["name"], (*here, "name")), tuple(slots)))
    return tuple(result)


def _parse_office_hours(r: _Reader, value: object) -> tuple[OfficeHours, ...]:
    path: KeyPath = ("office_hours",)
    result: list[OfficeHours] = []
    for i, item in enumerate(r.entries(value, path)):
        raw = r.mapping(item, (*path, i), ("weekday", "start", "end"), ("weekday", "start", "end"))
        start, end = r.span(raw, (*path, i))
        entry = OfficeHours(r.weekday(raw["weekday"], (*path, i, "weekday")), start, end)
        for other in result:
            if other.weekday == entry.weekday and other.start < entry.end and entry.start < other.end:
                r.fail((*path, i), f"overlaps other office hours on {WEEKDAYS[entry.weekday]}")
        result.append(entry)
    return tuple(result)


def _parse_exception(r: _Reader, item: object, path: KeyPath, known: set[str]) -> DatedException:
    raw = r.mapping(item, path, _EXCEPTION_KEYS, ("date",))
    first = r.day(raw["date"], (*path, "date"))
    closed = r.flag(raw["closed"], (*path, "closed")) if "closed" in raw else False
    note = r.text(raw["note_de"], (*path, "note_de")) if "note_de" in raw else ""
    district: str | None = None
    if "district" in raw:
        name = r.text(raw["district"], (*path, "district"))
        if name not in known and not (closed and name == ALL_DISTRICTS):
            choices = ", ".join(sorted(known)) + (f", {ALL_DISTRICTS}" if closed else "")
            r.fail((*path, "district"), f"unknown district {name!r}; use one of {choices}")
        district = None if name == ALL_DISTRICTS else name
    if closed:
        for key in ("start", "end", "place", "address"):
            if key in raw:
                r.fail((*path, key), f"a closed day has no {key}; remove it (or write closed: false)")
        last = r.day(raw["until"], (*path, "until")) if "until" in raw else first
        if last < first:
            r.fail((*path, "until"), f"until {last} is before date {first}")
        return DatedException(first, last, district, True, note)
    if "until" in raw:
        r.fail((*path, "until"), "an extra slot is on one date only; write one entry per date")
    for key in ("district", "start", "end", "place", "address"):
        if key not in raw:
            r.fail(path, f"the key {key!r} is missing (an extra slot needs it)")
    start, end = r.span(raw, path)
    place = r.text(raw["place"], (*path, "place"))
    address = r.text(raw["address"], (*path, "address"))
    return DatedException(first, first, district, False, note, start, end, place, address)


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
            found.append(Slot(ex.district, start, end, ex.place, ex.address, ex.note_de, extra=True))
    return found


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
