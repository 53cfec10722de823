"""Tests for bot.core.hours: consultation hours, holidays, exceptions, DST and office-hour arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.core.hours import (
    HoursData,
    HoursError,
    Slot,
    district_ids,
    district_name,
    is_closed,
    is_office_open,
    next_slots,
    office_hours_between,
)
from bot.core.hours_file import load_hours, parse_hours

BERLIN = ZoneInfo("Europe/Berlin")
SHIPPED = Path(__file__).resolve().parents[2] / "dialogs" / "hours.yaml"

# Fixed test data, independent of the shipped sample file the coordinator edits.
HOURS = """\
timezone: Europe/Berlin
holidays:
  country: DE
  subdivision: NW
districts:
  mitte:
    name: "Mitte"
    slots:
      - weekday: mon
        start: "09:00"
        end: "12:00"
        place: "Familienzentrum A"
        address: "Straße 1"
      - weekday: thu
        start: "09:00"
        end: "12:00"
        place: "Familienzentrum A"
        address: "Straße 1"
      - weekday: fri
        start: "09:00"
        end: "12:00"
        place: "Familienzentrum A"
        address: "Straße 1"
  wattenscheid:
    name: "Wattenscheid"
    slots:
      - weekday: tue
        start: "10:00"
        end: "12:00"
        place: "Familienzentrum W"
        address: "Weg 2"
office_hours:
  - weekday: mon
    start: "08:00"
    end: "16:00"
  - weekday: tue
    start: "08:00"
    end: "16:00"
  - weekday: wed
    start: "08:00"
    end: "16:00"
  - weekday: thu
    start: "08:00"
    end: "16:00"
  - weekday: fri
    start: "08:00"
    end: "13:00"
exceptions:
  - date: 2026-12-24
    closed: true
    district: all
    note_de: "Heiligabend"
  - date: 2026-11-16
    closed: true
    district: mitte
    note_de: "Fortbildung"
  - date: 2026-11-21
    district: mitte
    start: "10:00"
    end: "13:00"
    place: "Stadtteilfest"
    address: "Marktplatz"
    note_de: "Zusatztermin"
  - date: 2026-12-26
    district: wattenscheid
    start: "11:00"
    end: "12:00"
    place: "Weihnachtsmarkt"
    address: "Markt 3"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hours.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def data(tmp_path: Path) -> HoursData:
    return load_hours(write(tmp_path, HOURS))


def berlin(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def starts(slots: list[Slot]) -> list[tuple[str, datetime]]:
    return [(s.district, s.start) for s in slots]


# --- the shipped sample file --------------------------------------------------------------------------------


def test_shipped_file_is_marked_sample_and_has_the_six_bochum_districts() -> None:
    shipped = load_hours(SHIPPED)
    assert shipped.sample is True
    assert SHIPPED.read_text(encoding="utf-8").lstrip().startswith("#")
    assert district_ids(shipped) == ("mitte", "wattenscheid", "nord", "ost", "sued", "suedwest")
    names = [district_name(shipped, i) for i in district_ids(shipped)]
    assert names == ["Mitte", "Wattenscheid", "Nord", "Ost", "Süd", "Südwest"]
    assert (shipped.holiday_country, shipped.holiday_subdivision) == ("DE", "NW")
    assert shipped.timezone == BERLIN
    assert all(d.slots for d in shipped.districts)


# --- next_slots -----------------------------------------------------------------------------------------


def test_christmas_day_has_no_slot(data: HoursData) -> None:
    # 2026-12-25 is a Friday (mitte has a Friday slot); the next one is Monday 2026-12-28.
    assert starts(next_slots(data, berlin(2026, 12, 25, 0, 0), "mitte", count=1)) == [
        ("mitte", berlin(2026, 12, 28, 9, 0))
    ]
    week = next_slots(data, berlin(2026, 12, 21, 0, 0), count=20)
    assert date(2026, 12, 25) not in {s.start.date() for s in week}


def test_corpus_christi_nrw_has_no_slot(data: HoursData) -> None:
    # Fronleichnam 2026-06-04 (Thursday) is a public holiday in NRW.
    assert is_closed(data, date(2026, 6, 4))
    assert starts(next_slots(data, berlin(2026, 6, 3, 13, 0), "mitte", count=2)) == [
        ("mitte", berlin(2026, 6, 5, 9, 0)),
        ("mitte", berlin(2026, 6, 8, 9, 0)),
    ]


def test_closing_exception_for_all_districts_is_skipped(data: HoursData) -> None:
    # Thursday 2026-12-24 is closed for all, Friday the 25th is a holiday.
    assert starts(next_slots(data, berlin(2026, 12, 23, 18, 0), "mitte", count=1)) == [
        ("mitte", berlin(2026, 12, 28, 9, 0))
    ]


def test_closing_exception_for_one_district_leaves_the_others_open(data: HoursData) -> None:
    # Monday 2026-11-16 is closed for mitte only.
    assert is_closed(data, date(2026, 11, 16), "mitte")
    assert not is_closed(data, date(2026, 11, 16), "wattenscheid")
    assert not is_closed(data, date(2026, 11, 16))
    assert starts(next_slots(data, berlin(2026, 11, 15, 12, 0), count=3)) == [
        ("wattenscheid", berlin(2026, 11, 17, 10, 0)),
        ("mitte", berlin(2026, 11, 19, 9, 0)),
        ("mitte", berlin(2026, 11, 20, 9, 0)),
    ]


def test_extra_slot_appears_with_its_place_and_note(data: HoursData) -> None:
    slots = next_slots(data, berlin(2026, 11, 20, 12, 30), "mitte", count=2)
    assert starts(slots) == [("mitte", berlin(2026, 11, 21, 10, 0)), ("mitte", berlin(2026, 11, 23, 9, 0))]
    extra = slots[0]
    assert (extra.end, extra.place, extra.address, extra.note_de, extra.extra) == (
        berlin(2026, 11, 21, 13, 0),
        "Stadtteilfest",
        "Marktplatz",
        "Zusatztermin",
        True,
    )
    assert slots[1].extra is False


def test_extra_slot_takes_place_even_on_a_holiday(data: HoursData) -> None:
    # 2026-12-26 (Zweiter Weihnachtstag) is a holiday, but an explicit extra slot was entered.
    slots = next_slots(data, berlin(2026, 12, 24, 0, 0), "wattenscheid", count=1)
    assert starts(slots) == [("wattenscheid", berlin(2026, 12, 26, 11, 0))]
    assert slots[0].place == "Weihnachtsmarkt"
    assert slots[0].moved is False  # a holiday is no move: the hour is an extra one


def test_slot_in_progress_is_included_until_its_end(data: HoursData) -> None:
    assert starts(next_slots(data, berlin(2026, 11, 23, 11, 59), "mitte", count=1)) == [
        ("mitte", berlin(2026, 11, 23, 9, 0))
    ]
    assert starts(next_slots(data, berlin(2026, 11, 23, 12, 0), "mitte", count=1)) == [
        ("mitte", berlin(2026, 11, 26, 9, 0))
    ]


def test_all_districts_are_sorted_by_start(data: HoursData) -> None:
    slots = next_slots(data, berlin(2026, 11, 22, 0, 0), count=5)
    assert starts(slots) == [
        ("mitte", berlin(2026, 11, 23, 9, 0)),
        ("wattenscheid", berlin(2026, 11, 24, 10, 0)),
        ("mitte", berlin(2026, 11, 26, 9, 0)),
        ("mitte", berlin(2026, 11, 27, 9, 0)),
        ("mitte", berlin(2026, 11, 30, 9, 0)),
    ]


def test_dst_autumn_change_keeps_wall_clock_time(data: HoursData) -> None:
    # Clocks go back on Sunday 2026-10-25; `now` is given in UTC on the Saturday before.
    before = next_slots(data, datetime(2026, 10, 19, 6, 0, tzinfo=UTC), "mitte", count=1)[0]
    after = next_slots(data, datetime(2026, 10, 24, 10, 0, tzinfo=UTC), "mitte", count=1)[0]
    assert before.start.utcoffset() == timedelta(hours=2)
    assert before.start.astimezone(UTC) == datetime(2026, 10, 19, 7, 0, tzinfo=UTC)
    assert after.start.replace(tzinfo=None) == datetime(2026, 10, 26, 9, 0)
    assert after.start.utcoffset() == timedelta(hours=1)
    assert after.start.astimezone(UTC) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert after.end.astimezone(UTC) == datetime(2026, 10, 26, 11, 0, tzinfo=UTC)


def test_dst_spring_change_and_now_in_another_zone(data: HoursData) -> None:
    # Clocks go forward on Sunday 2026-03-29; `now` is Sunday evening in New York (Monday early in Berlin).
    now = datetime(2026, 3, 29, 20, 0, tzinfo=ZoneInfo("America/New_York"))
    slot = next_slots(data, now, "mitte", count=1)[0]
    assert slot.start.astimezone(UTC) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert slot.start.utcoffset() == timedelta(hours=2)


def test_next_slots_rejects_naive_time_and_unknown_district(data: HoursData) -> None:
    with pytest.raises(ValueError, match="aware"):
        next_slots(data, datetime(2026, 11, 23, 9, 0))
    with pytest.raises(KeyError, match="nowhere"):
        next_slots(data, berlin(2026, 11, 23, 9, 0), "nowhere")
    assert next_slots(data, berlin(2026, 11, 23, 9, 0), count=0) == []


# --- office hours ---------------------------------------------------------------------------------------


def test_office_hours_between_over_a_weekend(data: HoursData) -> None:
    # Friday 12:00-13:00 and Monday 08:00-10:00.
    assert office_hours_between(data, berlin(2026, 11, 6, 12, 0), berlin(2026, 11, 9, 10, 0)) == timedelta(hours=3)


def test_office_hours_between_over_christmas(data: HoursData) -> None:
    # Wed 23rd 15-16; Thu 24th closed (exception); Fri 25th holiday; weekend; Mon 28th 08-09.
    assert office_hours_between(data, berlin(2026, 12, 23, 15, 0), berlin(2026, 12, 28, 9, 0)) == timedelta(hours=2)


def test_office_hours_between_over_corpus_christi(data: HoursData) -> None:
    assert office_hours_between(data, berlin(2026, 6, 3, 15, 0), berlin(2026, 6, 5, 9, 0)) == timedelta(hours=2)
    assert office_hours_between(data, berlin(2026, 6, 10, 15, 0), berlin(2026, 6, 12, 9, 0)) == timedelta(hours=10)


def test_office_hours_between_in_utc_across_dst_and_edge_cases(data: HoursData) -> None:
    # Fri 2026-10-23 12:00 CEST = 10:00 UTC, Mon 2026-10-26 10:00 CET = 09:00 UTC.
    start, end = datetime(2026, 10, 23, 10, 0, tzinfo=UTC), datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    assert office_hours_between(data, start, end) == timedelta(hours=3)
    assert office_hours_between(data, end, start) == timedelta(0)
    # A closing for one district does not close the team's office.
    assert office_hours_between(data, berlin(2026, 11, 16, 0, 0), berlin(2026, 11, 17, 0, 0)) == timedelta(hours=8)


def test_is_office_open(data: HoursData) -> None:
    assert is_office_open(data, berlin(2026, 11, 9, 8, 0))
    assert is_office_open(data, datetime(2026, 11, 9, 14, 59, tzinfo=UTC))  # 15:59 in Berlin
    assert not is_office_open(data, berlin(2026, 11, 9, 16, 0))
    assert not is_office_open(data, berlin(2026, 11, 13, 13, 30))  # Friday afternoon
    assert not is_office_open(data, berlin(2026, 11, 14, 10, 0))  # Saturday
    assert not is_office_open(data, berlin(2026, 12, 24, 10, 0))  # closed for all
    assert not is_office_open(data, berlin(2026, 6, 4, 10, 0))  # Fronleichnam
    assert is_office_open(data, berlin(2026, 11, 16, 10, 0))  # closed for mitte only


def test_district_names(data: HoursData) -> None:
    assert district_ids(data) == ("mitte", "wattenscheid")
    assert district_name(data, "wattenscheid") == "Wattenscheid"
    with pytest.raises(KeyError):
        district_name(data, "ost")


# --- parse errors ---------------------------------------------------------------------------------------


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def load_broken(tmp_path: Path, old: str, new: str) -> tuple[HoursError, str]:
    assert old in HOURS
    text = HOURS.replace(old, new, 1)
    with pytest.raises(HoursError) as info:
        load_hours(write(tmp_path, text))
    return info.value, text


def test_bad_weekday_names_file_line_and_key(tmp_path: Path) -> None:
    err, text = load_broken(tmp_path, "weekday: thu", "weekday: do")
    assert err.line == line_of(text, "weekday: do")
    assert err.key == "districts > mitte > slots > entry 2 > weekday"
    assert str(err).startswith(f"{tmp_path / 'hours.yaml'}, line {err.line}, at districts > mitte")
    assert "'do' is not a weekday" in err.message and "thu (Donnerstag)" in err.message


def test_end_before_start_names_the_end_key(tmp_path: Path) -> None:
    err, text = load_broken(tmp_path, 'start: "10:00"\n        end: "12:00"', 'start: "10:00"\n        end: "09:30"')
    assert err.key == "districts > wattenscheid > slots > entry 1 > end"
    assert err.line == line_of(text, 'end: "09:30"')
    assert "end 09:30 is not after start 10:00" in err.message


def test_unknown_district_in_exception(tmp_path: Path) -> None:
    err, text = load_broken(tmp_path, "district: mitte\n    note_de", "district: mite\n    note_de")
    assert err.key == "exceptions > entry 2 > district"
    assert err.line == line_of(text, "district: mite")
    assert "unknown district 'mite'" in err.message and "mitte" in err.message


def test_bad_time_format(tmp_path: Path) -> None:
    err, _ = load_broken(tmp_path, 'start: "08:00"', 'start: "8 Uhr"')
    assert err.key == "office_hours > entry 1 > start"
    assert "'8 Uhr' is not a time" in err.message


def test_unquoted_time_is_read_as_time_not_as_a_number(tmp_path: Path) -> None:
    # Plain YAML 1.1 reads 10:30 as 630; load_hours keeps it a time.
    data = load_hours(write(tmp_path, HOURS.replace('start: "10:00"', "start: 10:30", 1)))
    slot = next_slots(data, berlin(2026, 11, 23, 0, 0), "wattenscheid", count=1)[0]
    assert slot.start == berlin(2026, 11, 24, 10, 30)
    with pytest.raises(HoursError, match='write the time in quotes, like "09:00"') as info:
        parse_hours(yaml.safe_load(HOURS.replace('start: "10:00"', "start: 10:30", 1)), "hours.yaml")
    assert info.value.key == "districts > wattenscheid > slots > entry 1 > start"
    assert info.value.line is None


@pytest.mark.parametrize(
    ("old", "new", "key", "fragment"),
    [
        (
            'address: "Weg 2"',
            'adress: "Weg 2"',
            "districts > wattenscheid > slots > entry 1 > adress",
            "unknown key",
        ),
        ("timezone: Europe/Berlin", "timezone: Europe/Bochum", "timezone", "unknown time zone"),
        ("subdivision: NW", "subdivision: XX", "holidays", "unknown holiday calendar"),
        ("date: 2026-11-21", "date: 2026-11-31", "exceptions > entry 3 > date", "is not a date"),
        (
            "closed: true\n    district: all",
            "closed: yes please\n    district: all",
            "exceptions > entry 1 > closed",
            "true or false",
        ),
        (
            '    note_de: "Heiligabend"',
            '    note_de: "Heiligabend"\n    start: "09:00"',
            "exceptions > entry 1 > start",
            "a closed day has no start",
        ),
        (
            "  - date: 2026-11-21\n    district: mitte\n",
            "  - date: 2026-11-21\n",
            "exceptions > entry 3",
            "'district' is missing",
        ),
        ("  wattenscheid:\n", "  mitte:\n", "districts > mitte", "appears twice"),
    ],
)
def test_parse_errors_name_the_key(tmp_path: Path, old: str, new: str, key: str, fragment: str) -> None:
    err, _ = load_broken(tmp_path, old, new)
    assert err.key == key
    assert fragment in err.message
    assert err.line is not None


def test_parse_hours_without_lines_and_broken_yaml(tmp_path: Path) -> None:
    with pytest.raises(HoursError, match=r"^<hours>, at districts: expected at least one district"):
        parse_hours({"timezone": "Europe/Berlin", "holidays": {"country": "DE"}, "districts": {}, "office_hours": []})
    with pytest.raises(HoursError, match="the key 'office_hours' is missing"):
        parse_hours({"timezone": "Europe/Berlin", "holidays": {"country": "DE"}, "districts": {"a": {"name": "A"}}})
    with pytest.raises(HoursError, match=r"line 2.*not valid YAML"):
        load_hours(write(tmp_path, "timezone: Europe/Berlin\nholidays: country: DE\n"))
    with pytest.raises(HoursError, match="the file is empty"):
        load_hours(write(tmp_path, "# nothing here\n"))


def test_an_hour_moved_by_closing_its_day_and_adding_one_is_told_from_an_extra_hour(hours: HoursData) -> None:
    # The shipped file: Nord's Wednesday hour of 18.11.2026 is closed and an afternoon hour entered instead (moved);
    # Mitte has an extra hour on Saturday 14.11.2026 (no regular hour that day, nothing closed: an extra).
    nord = next_slots(hours, berlin(2026, 11, 17, 12, 0), "nord", count=2)
    assert [(s.start, s.extra, s.moved) for s in nord] == [
        (berlin(2026, 11, 18, 14, 0), True, True),
        (berlin(2026, 11, 25, 9, 0), False, False),
    ]
    fest = next_slots(hours, berlin(2026, 11, 13, 12, 0), "mitte", count=1)
    assert [(s.start, s.extra, s.moved) for s in fest] == [(berlin(2026, 11, 14, 10, 0), True, False)]
