"""Languages, catalogs and locale-aware formatting. Catalogs are loaded once; lookups are pure."""

from __future__ import annotations

import gettext
import string
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.core.bidi import isolate, isolate_value, shape

__all__ = ["DOMAIN", "LANGUAGES", "N_", "SOURCE_LANGUAGE", "I18n", "Language", "isolate", "load_i18n", "placeholders"]

DOMAIN = "elternlotse"
SOURCE_LANGUAGE = "de"


@dataclass(frozen=True)
class Language:
    code: str  # the folder under locales/ and the language's id in button data and the database
    babel: str  # the locale babel formats dates and plurals with (Easy German formats like German)
    native: str  # the name in the language picker, in the language itself
    german: str  # the name the staff read on a request's card


# Each language named in itself (DOMAIN.md). Order is the order of the language picker, and every language listed
# here is switched on by default (bot/config.py). Adding a language: its catalog and emergency patterns under
# locales/<code>/, and one line here.
LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("de", "de", "Deutsch", "Deutsch"),
        Language("de_easy", "de", "Einfache Sprache", "Einfache Sprache"),
        Language("en", "en", "English", "Englisch"),
        Language("ar", "ar", "العربية", "Arabisch"),
        Language("tr", "tr", "Türkçe", "Türkisch"),
        Language("uk", "uk", "Українська", "Ukrainisch"),
        Language("ru", "ru", "Русский", "Russisch"),
        Language("ro", "ro", "Română", "Rumänisch"),
        Language("bg", "bg", "Български", "Bulgarisch"),
        Language("fa", "fa", "فارسی", "Persisch"),
        Language("ku", "ku", "Kurmancî", "Kurdisch (Kurmancî)"),
        Language("pl", "pl", "Polski", "Polnisch"),
        Language("ckb", "ckb", "کوردی (سۆرانی)", "Kurdisch (Sorani)"),
    )
}


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, per parent, by I18n.t."""
    return message


def placeholders(text: str) -> set[str]:
    """The {names} used in a text, for checking that translations keep them."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<malformed braces>"}


class I18n:
    """Translations for the enabled languages; German msgids are the source text."""

    def __init__(self, catalogs: dict[str, dict[str, str]], enabled: list[str]) -> None:
        self.catalogs = catalogs
        self.enabled = enabled
        self._locales: dict[str, Locale] = {}

    def locale(self, lang: str) -> Locale:
        found = self._locales.get(lang)
        if found is None:
            # A catalog babel knows but LANGUAGES does not name yet (ckb) still gets its own direction and plurals.
            try:
                found = Locale.parse(LANGUAGES[lang].babel if lang in LANGUAGES else lang)
            except (UnknownLocaleError, ValueError):
                found = Locale.parse(SOURCE_LANGUAGE)
            self._locales[lang] = found
        return found

    def is_rtl(self, lang: str) -> bool:
        return self.locale(lang).text_direction == "rtl"

    def t(self, lang: str, msgid: str, **params: object) -> str:
        """Translate msgid into lang and fill its placeholders; in right-to-left text every number, time,
        reference and Latin word is isolated (bidi.shape), wherever it came from."""
        text = self.catalogs.get(lang, {}).get(msgid) or msgid
        if not self.is_rtl(lang):
            return text.format(**params) if params else text
        if params:
            text = text.format(**{k: isolate_value(str(v)) for k, v in params.items()})
        return shape(text)

    def shape(self, lang: str, text: str) -> str:
        """Text composed for lang, made safe for its direction (a no-op for left-to-right languages)."""
        return shape(text) if self.is_rtl(lang) else text

    def format_day(self, lang: str, moment: datetime) -> str:
        return format_skeleton("MMMEd", moment, locale=self.locale(lang))

    def format_time(self, lang: str, moment: datetime) -> str:
        return format_time(moment, "short", locale=self.locale(lang))


def compile_catalogs(locales_dir: Path) -> list[Path]:
    """Compile every .po into its .mo when the .mo is missing or older. Returns what was written."""
    written = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        code = po_path.parent.parent.name
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=LANGUAGES[code].babel if code in LANGUAGES else code)
        with mo_path.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


def load_i18n(locales_dir: Path, enabled: list[str]) -> I18n:
    """Compile stale catalogs and load the enabled languages' translations."""
    compile_catalogs(locales_dir)
    catalogs: dict[str, dict[str, str]] = {}
    for lang in enabled:
        mo_path = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if not mo_path.exists():
            catalogs[lang] = {}
            continue
        with mo_path.open("rb") as fh:
            translations = gettext.GNUTranslations(fh)
        raw: dict[str, str] = getattr(translations, "_catalog", {})
        catalogs[lang] = {k: v for k, v in raw.items() if isinstance(k, str) and k and v}
    return I18n(catalogs, enabled)
