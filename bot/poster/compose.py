"""What a poster says, in one language: every text through the catalogs, right-to-left text shaped by the code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from babel import Locale
from babel.dates import format_time, get_day_names

from bot.core import texts as T
from bot.core.dialogs import Content
from bot.core.hours import HoursData, district_name
from bot.core.i18n import I18n
from bot.poster import texts as P
from bot.poster.ways import CAPTIONS, Way

EMERGENCY_NODE = "emergency/start"


@dataclass(frozen=True)
class ShownWay:
    """A way in as printed: its caption, the link (also its QR code), and a line with the code to type, if any."""

    caption: str
    link: str
    code_line: str | None
    code: str | None = None  # as it stands inside code_line


@dataclass(frozen=True)
class Poster:
    """Everything printed on one poster, in its language, ready to lay out."""

    lang: str
    rtl: bool
    headline: str
    subline: str
    scan: str
    ways: list[ShownWay]
    privacy: str
    hours_heading: str
    hours: list[str]
    office: str
    emergency: list[str]  # the bot's emergency screen, line by line ("• " begins a number's line)


def compose(
    i18n: I18n,
    lang: str,
    content: Content,
    hours: HoursData,
    district: str | None,
    ways: list[Way],
    params: dict[str, str],
) -> Poster:
    """The poster's texts for lang; district None lists every district's hours."""
    emergency = content.node(EMERGENCY_NODE)
    if emergency is None or not emergency.text:
        raise ValueError(f"the dialogs have no {EMERGENCY_NODE} with a text")
    shown = [
        ShownWay(
            i18n.t(lang, CAPTIONS[way.kind]),
            way.link,
            i18n.t(lang, P.MATRIX_CODE, code=way.code) if way.code else None,
            way.code,
        )
        for way in ways
    ]
    if district is None:
        heading = i18n.t(lang, P.HOURS_HEADING_ALL)
    else:
        heading = i18n.t(lang, P.HOURS_HEADING, district=district_name(hours, district))
    return Poster(
        lang=lang,
        rtl=i18n.is_rtl(lang),
        headline=i18n.t(lang, P.HEADLINE),
        subline=i18n.t(lang, T.BOT_SHORT_DESCRIPTION),
        scan=i18n.t(lang, P.SCAN),
        ways=shown,
        privacy=i18n.t(lang, P.PRIVACY),
        hours_heading=heading,
        hours=weekly_lines(i18n, lang, hours, district) or [i18n.t(lang, P.HOURS_NONE)],
        office=i18n.t(lang, P.OFFICE, **params),
        emergency=i18n.t(lang, emergency.text, **params).splitlines(),
    )


def weekly_lines(i18n: I18n, lang: str, hours: HoursData, district: str | None) -> list[str]:
    """Each weekly consultation hour of the district (or of all), as the chat words an hour: day, time, place."""
    locale = i18n.locale(lang)
    days = get_day_names("wide", locale=locale)
    lines = []
    for d in hours.districts:
        if district is not None and d.id != district:
            continue
        for slot in sorted(d.slots, key=lambda s: (s.weekday, s.start)):
            lines.append(
                i18n.t(
                    lang,
                    T.SLOT_LINE,
                    day=days[slot.weekday],
                    start=_clock(slot.start, locale),
                    end=_clock(slot.end, locale),
                    district=d.name,
                    place=slot.place,
                    address=slot.address,
                )
            )
    return lines


def _clock(moment: time, locale: Locale) -> str:
    return format_time(moment, "short", locale=locale)
