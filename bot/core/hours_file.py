"""Reading and validating dialogs/hours.yaml: every mistake named with file, line and key, in German."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml

from bot.core.hours import (
    ALL_DISTRICTS,
    WEEKDAYS,
    DatedException,
    District,
    HoursData,
    HoursError,
    KeyPath,
    OfficeHours,
    WeeklySlot,
)

__all__ = ["load_hours", "parse_hours"]

_WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_GERMAN_DATE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DISTRICT_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


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
