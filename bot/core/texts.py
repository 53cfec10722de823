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
SORRY = N_("Das hat leider nicht geklappt. Bitte versuchen Sie es noch einmal oder beginnen Sie neu mit /start.")
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
_LINE_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")
_PUNCT = re.compile(r"[^\w\s]")


def clean_text(raw: str) -> str:
    """Normalise user input: NFC, no control or bidi-override characters, single spaces, lines kept.

    Line breaks stay (an address in a staff reply, a family's note); runs of blank lines shrink to one.
    """
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = _STRIP.sub("", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    lines = [_LINE_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def normalise_phone(raw: str, region: str = "DE") -> str | None:
    """E.164 for a valid number (default region DE), else None."""
    try:
        number = phonenumbers.parse(clean_text(raw), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _fold(text: str) -> str:
    """Case and accents folded, so "İntihar", "intihar", "schlägt", "schlagt" and a vowelled Arabic word match.

    (Turkish "İ".casefold() is "i" plus a combining dot, which the punctuation rule would turn into a gap.)
    """
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def keyword_match(text: str, keywords: str) -> bool:
    """True if one of the comma-separated keywords occurs in text as whole words."""
    haystack = " " + _SPACES.sub(" ", _PUNCT.sub(" ", _fold(text))) + " "
    for word in keywords.split(","):
        word = _SPACES.sub(" ", _PUNCT.sub(" ", _fold(word))).strip()
        if word and f" {word} " in haystack:
            return True
    return False


# --- the staff queue, seen by the family -------------------------------------------------------------------
TEAM_MESSAGE = N_("💬 Nachricht vom Team der Kita-Sozialarbeit zu Ihrer Anfrage {reference}:")
TEAM_GERMAN_NOTE = N_(
    "Diese Nachricht ist auf Deutsch. Wenn Sie etwas nicht verstehen, schreiben Sie uns: "
    "Wir organisieren kostenlos eine Dolmetscherin oder einen Dolmetscher."
)
REPLY_BUTTON = N_("✉ Antworten")
RELAY_PROMPT = N_(
    "Schreiben Sie hier Ihre Nachricht an die Fachkraft (höchstens {max} Zeichen). "
    "Nur sie liest die Nachricht. Bitte keine Gesundheitsdaten oder Namen anderer Personen."
)
RELAY_DONE = N_("Danke! Ihre Nachricht ist bei Ihrer Fachkraft angekommen.")
RELAY_CLOSED = N_("Diese Anfrage ist nicht mehr offen. Eine neue Anfrage stellen Sie mit /callback.")
RELAY_LATER = N_(
    "Ihre Fachkraft kann die Nachricht gerade nicht bekommen. Bitte versuchen Sie es später noch einmal "
    "oder kommen Sie in die offene Sprechstunde."
)
CANCEL_BUTTON = N_("Abbrechen")
STAFF_ONLY = N_("Dieser Befehl ist nur für das Team der Kita-Sozialarbeit.")
MYDATA_HEADER = N_("Das haben wir über Sie gespeichert:")
MYDATA_LANGUAGE = N_("Sprache")
MYDATA_REQUEST = N_("Anfrage {reference} vom {date}: {status}")
MYDATA_CONSENT = N_("Einwilligung „{purpose}“ (Version {version}) vom {date}")
MYDATA_NOTHING = N_("Außer Ihrer Sprachwahl haben wir nichts über Sie gespeichert.")
MYDATA_FOOTER = N_("Mit /delete löschen wir alles sofort.")
CONFIRM_DELETE = N_(
    "Wirklich alles löschen? Dann löschen wir sofort alle Ihre Angaben und ziehen offene Anfragen zurück."
)
DELETE_YES = N_("Ja, alles löschen")
DELETE_NO = N_("Nein, zurück")
DELETED = N_(
    "Wir haben alle Ihre Daten gelöscht. Offene Anfragen haben wir zurückgezogen. "
    "Sie können jederzeit neu beginnen: /start"
)
FAMILY_STATUS = {
    "open": N_("wartet auf eine Fachkraft"),
    "claimed": N_("eine Fachkraft kümmert sich"),
    "done": N_("abgeschlossen"),
    "withdrawn": N_("zurückgezogen"),
}
PURPOSES = {"callback": N_("Rückruf")}

# --- commands as a messenger lists them (Telegram's setMyCommands, per language) -------------------------
COMMANDS = {
    "start": N_("Von vorne beginnen"),
    "hours": N_("Offene Sprechstunde"),
    "callback": N_("Rückruf anfordern"),
    "language": N_("Sprache wechseln"),
    "help": N_("Hilfe"),
    "privacy": N_("Datenschutz"),
    "mydata": N_("Meine gespeicherten Daten"),
    "delete": N_("Alle meine Daten löschen"),
    "emergency": N_("Notfallnummern"),
    "reminders": N_("Erinnerungen an die Sprechstunde"),
}
PRIVATE_ONLY = N_("Bitte schreiben Sie mir privat. In Gruppen beantworte ich keine Fragen von Familien.")
