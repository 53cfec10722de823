"""Deep-link payloads: the way in from a Kita's poster carries a language and a district. Pure.

The payload is "<language>" or "<language>-<district>", e.g. "ar-mitte" or "de_easy-suedwest": lower-case, only
A-Z a-z 0-9 _ - and at most 64 characters (Telegram's limit for `t.me/<bot>?start=<payload>`). A language code has
no "-", so the first "-" ends it; a district's id (dialogs/hours.yaml) may hold "-" itself.

Every transport hands the payload to the core as the text `/start <payload>`: Telegram sends exactly that for a
`t.me` link, the web chat turns `?start=<payload>` into it, and on Matrix the family types `!start <payload>`.
Anyone can type or forge a payload, so decode() trusts nothing: a language that is not enabled makes the whole
payload void (the family gets the normal language picker); a district the hours file does not name is dropped
and the language kept, so a poster printed before the office renamed a district still opens in its language.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

MAX_LENGTH = 64  # Telegram's limit for a start parameter
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:_[a-z]{2,8})?")  # de, ckb, de_easy (as bot.core.buttons reads them)
_DISTRICT = re.compile(r"[a-z0-9][a-z0-9_-]*")  # as bot.core.hours_file accepts a district's id


@dataclass(frozen=True)
class WayIn:
    """What a deep link says about the family: the language of the poster, and the district of its Kita."""

    language: str
    district: str | None = None


def encode(language: str, district: str | None = None) -> str:
    """The payload for a poster in this language (and district); ValueError if it cannot be a payload."""
    if not _LANGUAGE.fullmatch(language):
        raise ValueError(f"{language!r} is not a language code")
    if district is not None and not _DISTRICT.fullmatch(district):
        raise ValueError(f"{district!r} is not a district id")
    payload = language if district is None else f"{language}-{district}"
    if len(payload) > MAX_LENGTH:
        raise ValueError(f"the payload {payload!r} is longer than {MAX_LENGTH} characters")
    return payload


def decode(payload: str, languages: Collection[str], districts: Collection[str]) -> WayIn | None:
    """The way in a payload names, if its language is one of languages; None for anything else (ignored)."""
    text = payload.strip()
    if not _PAYLOAD.fullmatch(text):
        return None
    language, _, district = text.lower().partition("-")
    if not _LANGUAGE.fullmatch(language) or language not in languages:
        return None
    return WayIn(language, district if district in districts else None)
