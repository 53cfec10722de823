"""Telephone numbers a social worker can call: checked when a family types one, stored with its extension. Pure.

Accepted are the numbers a person answers: fixed line, mobile, fixed-or-mobile, and VoIP subscriber numbers (a
French 09 box line, a Ukrainian 089 number). Refused, with a message saying why: premium-rate, shared-cost,
personal-number (0700), UAN, voicemail, pager and toll-free service numbers, and anything with letters that are not
an extension marker ("0234 12345ab" is a typo to ask about, never a number to shorten). An extension written with a
marker ("Durchwahl 12", "ext. 12", "x12", "#12") is kept; "0234 1234567-12" stays one number, as DIN 5008 writes a
Durchwahl that is dialled straight through.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

from bot.core.typed import clean_text

ACCEPTED = {
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.VOIP,
}
EXTENSION = ";ext="  # RFC 3966, which phonenumbers also reads: the stored form is "+492341234567;ext=12"
MAX_EXTENSION = 6
# Extension markers as families write them: German, English, and those of the languages the bot speaks.
_MARKERS = r"durchwahl|durchw|dw|extension|ext|доб|вн|вътр|dahili|wewn|wew|interior|int|داخلی|داخلي|تحويلة|x|#|;ext="
_WITH_EXTENSION = re.compile(rf"(?P<number>.*?)[\s,;]*(?:{_MARKERS})\.?\s*(?P<extension>\d{{1,{MAX_EXTENSION}}})",
                             re.IGNORECASE)  # fmt: skip
# Digits of any script (phonenumbers reads ٠١٢ and ۰۱۲), spaces, and the punctuation numbers are written with.
_NUMBER = re.compile(r"[\d\s+＋()\-‐‑‒–—−./]+")


@dataclass(frozen=True)
class PhoneCheck:
    """The stored form of a number a family typed, or why it was refused."""

    number: str | None = None  # E.164, with ";ext=" and the extension if one was given
    problem: str | None = None  # letters | service | invalid


def check_phone(raw: str, region: str = "DE") -> PhoneCheck:
    """Check a typed number (default region DE); see the module docstring for what is accepted."""
    text = clean_text(raw)
    match = _WITH_EXTENSION.fullmatch(text)
    number, extension = (match["number"], _ascii(match["extension"])) if match else (text, "")
    if not _NUMBER.fullmatch(number):
        letters = any(unicodedata.category(ch).startswith("L") for ch in number)
        return PhoneCheck(problem="letters" if letters else "invalid")
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return PhoneCheck(problem="invalid")
    if not phonenumbers.is_valid_number(parsed):
        return PhoneCheck(problem="invalid")
    if phonenumbers.number_type(parsed) not in ACCEPTED:
        return PhoneCheck(problem="service")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return PhoneCheck(f"{e164}{EXTENSION}{extension}" if extension else e164)


def split_phone(stored: str) -> tuple[str, str]:
    """A stored number as (E.164, extension or "")."""
    number, _, extension = stored.partition(EXTENSION)
    return number, extension


def international(stored: str) -> tuple[str, str]:
    """A stored number for a person to dial: ("+49 234 1234567", extension or "")."""
    number, extension = split_phone(stored)
    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        return number, extension  # stored before the checks of today: shown as stored
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL), extension


def _ascii(digits: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) for ch in digits)
