"""Texts the engine itself says (not from the dialog files), and input cleaning and validation."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from bot.core.i18n import N_

PICK_LANGUAGE = N_("Bitte wählen Sie Ihre Sprache.")
EMERGENCY_BUTTON = N_("🆘 Notfall")
BACK_BUTTON = N_("↩ Zurück")
MENU_BUTTON = N_("🏠 Menü")
LANGUAGE_BUTTON = N_("🌐 Sprache")
SKIP_BUTTON = N_("Überspringen")
AGREE_BUTTON = N_("Ja, ich bin einverstanden")
DECLINE_BUTTON = N_("Nein, lieber nicht")
USE_BUTTONS = N_("Bitte tippen Sie auf eine der Schaltflächen.")
STALE_BUTTON = N_("Diese Schaltfläche ist nicht mehr aktiv. Hier geht es weiter:")
RESTARTED = N_("Wir haben unsere Inhalte aktualisiert und beginnen deshalb neu.")
UNSUPPORTED = N_(
    "Sticker, Sprachnachrichten, Bilder und Dateien kann ich leider nicht lesen. "
    "Bitte tippen Sie auf eine Schaltfläche oder schreiben Sie kurz."
)
TOO_LONG = N_("Das ist leider zu lang. Bitte schreiben Sie höchstens {max} Zeichen.")
EMPTY = N_("Bitte schreiben Sie etwas oder tippen Sie auf eine Schaltfläche.")
NOT_YET = N_("Diese Funktion gibt es noch nicht. Bitte fragen Sie in der Sprechstunde nach.")
DEFAULT_PHONE_HINT = N_("Das sieht nicht wie eine Telefonnummer aus. Bitte schreiben Sie zum Beispiel: {example}")
NO_SLOTS = N_("In den nächsten Wochen sind keine Sprechstunden eingetragen. Bitte fordern Sie einen Rückruf an.")
SLOT_LINE = N_("{day}, {start}–{end} Uhr · {district}: {place}, {address}")
DONT_KNOW_DISTRICT = N_("Weiß ich nicht")
# Emergency keywords: each language's translator lists words that must open the emergency screen.
EMERGENCY_KEYWORDS = N_("notfall, gewalt, polizei, schlägt mich, bedroht, suizid, selbstmord, lebensgefahr")

SUMMARY_LABELS = {
    "topic": N_("Thema"),
    "contact_way": N_("Kontakt"),
    "phone": N_("Telefon"),
    "district": N_("Stadtbezirk"),
    "time_window": N_("Zeit"),
    "urgent": N_("Dringend"),
    "name": N_("Name"),
    "note": N_("Ihre Nachricht"),
}

# Characters that could reorder or hide text (bidi overrides, zero-width marks): never kept from input.
_STRIP = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]")


def clean_text(raw: str) -> str:
    """Normalise user input: NFC, no control or bidi-override characters, single spaces."""
    text = unicodedata.normalize("NFC", raw)
    text = _STRIP.sub("", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return _SPACES.sub(" ", text).strip()


def normalise_phone(raw: str, region: str = "DE") -> str | None:
    """E.164 for a valid number (default region DE), else None."""
    try:
        number = phonenumbers.parse(clean_text(raw), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def keyword_match(text: str, keywords: str) -> bool:
    """True if one of the comma-separated keywords occurs in text as whole words."""
    haystack = " " + _SPACES.sub(" ", _PUNCT.sub(" ", text.casefold())) + " "
    for word in keywords.split(","):
        word = word.strip().casefold()
        if word and f" {word} " in haystack:
            return True
    return False
