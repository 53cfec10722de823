"""Texts the engine composes from data: the next consultation hours, and the summary shown before consent."""

from __future__ import annotations

from typing import Protocol

from bot.core import texts as T
from bot.core.bidi import isolate_value
from bot.core.context import Context
from bot.core.hours import HoursData, Slot, district_ids, district_name, next_slots
from bot.core.i18n import I18n, isolate
from bot.core.phone import split_phone


class Translate(Protocol):
    def __call__(self, msgid: str, **params: object) -> str: ...


def hours_text(ctx: Context, lang: str, t: Translate, district: str | None, header: str | None) -> str:
    """The next open consultation hours (for the family's district if known), formatted for their locale."""
    district = district if district in district_ids(ctx.hours) else None
    slots = next_slots(ctx.hours, ctx.now, district=district, count=3 if district else 4)
    lines = [header] if header else []
    for slot in slots:
        lines.append("• " + slot_line(ctx.i18n, ctx.hours, lang, slot))
    if not slots:
        lines.append(t(T.NO_SLOTS))
    return "\n".join(lines)


def slot_line(i18n: I18n, hours: HoursData, lang: str, slot: Slot) -> str:
    """One consultation hour as a family reads it: day, time, district, place, in its language."""
    return i18n.t(
        lang,
        T.SLOT_LINE,
        day=i18n.format_day(lang, slot.start),
        start=i18n.format_time(lang, slot.start),
        end=i18n.format_time(lang, slot.end),
        district=district_name(hours, slot.district),
        place=slot.place,
        address=slot.address,
    )


def consent_summary(ctx: Context, lang: str, t: Translate, slots: dict[str, str]) -> str:
    """What will be passed on, one line per answer, so the consent is informed."""
    lines = []
    for key, caption in T.SUMMARY_LABELS.items():
        value = slots.get(key)
        if not value:
            continue
        label = ctx.content.value_labels.get(f"{key}:{value}")
        # A parent's own words are shown as typed, never run through formatting.
        shown = t(label) if label else value
        if key == "phone":
            shown = phone_shown(value, t, ctx.i18n.is_rtl(lang))
        if key == "district":
            # A district the hours file no longer names (an old request in /mydata) is shown by its id.
            if value in district_ids(ctx.hours):
                shown = district_name(ctx.hours, value)
            else:
                shown = t(T.DONT_KNOW_DISTRICT) if value == "unknown" else value
        if ctx.i18n.is_rtl(lang):  # a Latin name or note stays one left-to-right unit, commas and all
            shown = isolate_value(shown)
        lines.append(f"• {t(caption)}: {shown}")
    return "\n".join(lines)


def phone_shown(stored: str, t: Translate, rtl: bool) -> str:
    """A stored number as the family sees it: E.164, and its extension in their words; isolated in RTL text."""
    number, extension = split_phone(stored)
    if extension:  # t() isolates both in right-to-left text
        return t(T.PHONE_EXTENSION, number=number, extension=extension)
    return isolate(stored) if rtl else stored


def number(text: str) -> int | None:
    """A small number in any script's decimal digits (3, ٣, ۳), or None.

    isdecimal, not isdigit: "²".isdigit() is true but int("²") raises, a crash any parent could cause.
    """
    if text.isdecimal() and len(text) <= 4:
        return int(text)
    return None
