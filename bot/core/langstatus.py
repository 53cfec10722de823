"""How complete each language is, how its catalog was made and checked, and whether its plurals follow CLDR.

`elternlotse languages` prints it; start-up refuses a language whose emergency, consent or privacy texts are
missing. How a catalog was produced and checked is stated in its header comment, as lines
`# X-Produced-By: …`, `# X-Checked-By: …`, `# X-Native-Review: …`: babel drops header fields it does not know on
every `pybabel update` (measured with babel 2.19), while the header comment survives it.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.core.dialogs import Content
from bot.core.i18n import DOMAIN, LANGUAGES, SOURCE_LANGUAGE, placeholders
from bot.core.texts import AGREE_BUTTON, DECLINE_BUTTON, EMERGENCY_BUTTON, EMERGENCY_LEADS, IN_DANGER

HEADER_FIELDS = ("X-Produced-By", "X-Checked-By", "X-Native-Review")
CRITICAL = ("emergency", "consent", "privacy")
PRIVACY_NODE = "info/privacy"  # what /privacy shows (bot.core.turn.COMMAND_TARGETS)
_FIELD = re.compile(r"^#\s*(X-[A-Za-z-]+):\s*(.*?)\s*$")
PLURAL_SAMPLES = range(0, 1001)
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")  # the order translators and tools expect forms in


@dataclass
class LanguageStatus:
    """One language's catalog, counted against the texts the code and the dialogs use."""

    code: str
    catalog: bool = False
    total: int = 0
    missing: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    plurals: list[str] = field(default_factory=list)  # plural messages with an empty form
    plural_rule: str | None = None  # why the catalog's Plural-Forms disagree with CLDR, if they do
    critical: dict[str, int] = field(default_factory=dict)  # emergency/consent/privacy -> missing count
    header: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        broken = self.missing or self.fuzzy or self.placeholders or self.plurals or self.plural_rule
        return self.catalog and not broken


def catalog_path(locales_dir: Path, lang: str) -> Path:
    return locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, lang: str) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=babel_code(lang))


def babel_code(lang: str) -> str:
    known = LANGUAGES.get(lang)
    return known.babel if known else lang


def header_fields(catalog: Catalog) -> dict[str, str]:
    """The X- fields of the catalog's header comment (how it was produced and checked)."""
    found = {}
    for line in (catalog.header_comment or "").splitlines():
        match = _FIELD.match(line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def critical_msgids(content: Content) -> dict[str, set[str]]:
    """The texts without which a language must not be switched on: emergency, consent, privacy."""
    groups: dict[str, set[str]] = {name: set() for name in CRITICAL}
    groups["emergency"] |= {EMERGENCY_BUTTON, IN_DANGER, *EMERGENCY_LEADS.values()}
    groups["consent"] |= {AGREE_BUTTON, DECLINE_BUTTON}
    for node in content.all_nodes():
        texts = {t for t in (node.text, *(o.label for o in node.options)) if t}
        if node.id.startswith("emergency/"):
            groups["emergency"] |= texts
        if node.type == "consent":
            groups["consent"] |= texts
        if node.id == PRIVACY_NODE:
            groups["privacy"] |= texts
    return groups


def plural_rule_problem(catalog: Catalog, lang: str) -> str | None:
    """Why the catalog's Plural-Forms do not match CLDR's plural categories for lang (whole numbers), or None."""
    try:
        locale = Locale.parse(babel_code(lang))
    except (UnknownLocaleError, ValueError):
        return f"babel does not know {lang!r}"
    try:
        rule = gettext.c2py(catalog.plural_expr)
    except ValueError:
        return f"Plural-Forms cannot be read: {catalog.plural_expr!r}"
    forms: dict[int, set[str]] = {}
    categories: dict[str, set[int]] = {}
    for n in PLURAL_SAMPLES:
        index, category = rule(n), locale.plural_form(n)
        forms.setdefault(index, set()).add(category)
        categories.setdefault(category, set()).add(index)
    mixed = {i: sorted(c) for i, c in forms.items() if len(c) > 1}
    split = {c: sorted(i) for c, i in categories.items() if len(i) > 1}
    unused = set(range(catalog.num_plurals)) - set(forms)
    order = [CLDR_ORDER.index(next(iter(forms[i]))) for i in sorted(forms)]
    if mixed or split or unused or max(forms) >= catalog.num_plurals or order != sorted(order):
        expected = ", ".join(sorted(categories))
        return (f"Plural-Forms nplurals={catalog.num_plurals}; plural={catalog.plural_expr} do not match CLDR "
                f"(in its order: {len(categories)} forms for whole numbers: {expected})")  # fmt: skip
    return None


def language_status(messages: Iterable[str], content: Content, locales_dir: Path, lang: str) -> LanguageStatus:
    """Count what is translated, fuzzy, missing or broken in lang's catalog."""
    texts = list(dict.fromkeys(messages))
    status = LanguageStatus(lang, total=len(texts))
    if lang == SOURCE_LANGUAGE:
        status.catalog = True
        return status
    path = catalog_path(locales_dir, lang)
    if not path.exists():
        status.missing = texts
        status.critical = {name: len(ids) for name, ids in critical_msgids(content).items()}
        return status
    catalog = read_catalog(path, lang)
    status.catalog = True
    status.header = header_fields(catalog)
    status.plural_rule = plural_rule_problem(catalog, lang)
    for text in texts:
        entry = catalog.get(text)
        if entry is None or not entry.string:
            status.missing.append(text)
        elif entry.fuzzy:
            status.fuzzy.append(text)
        elif isinstance(entry.string, tuple | list):
            if len(entry.string) < catalog.num_plurals or not all(entry.string):
                status.plurals.append(text)
        elif placeholders(str(entry.string)) != placeholders(text):
            status.placeholders.append(text)
    unusable = set(status.missing) | set(status.fuzzy) | set(status.plurals)
    status.critical = {name: len(ids & unusable) for name, ids in critical_msgids(content).items()}
    return status


def refusal(statuses: Iterable[LanguageStatus]) -> str | None:
    """One line naming each enabled language whose emergency, consent or privacy texts are missing, or None.
    (Missing emergency patterns are refused by load_matcher.)"""
    lacking = []
    for status in statuses:
        gaps = [f"{name} ({count} missing)" for name, count in status.critical.items() if count]
        if gaps:
            lacking.append(f"{status.code} lacks its {', '.join(gaps)} texts")
    if not lacking:
        return None
    return f"ELTERNLOTSE_LANGUAGES: {'; '.join(lacking)}; translate them or switch the language off"


def describe(status: LanguageStatus, enabled: bool) -> str:
    """The lines `elternlotse languages` prints for one language."""
    lang = LANGUAGES.get(status.code)
    name = f"{status.code:<8} {lang.native if lang else '?':<18} {'on ' if enabled else 'off'}"
    if status.code == SOURCE_LANGUAGE:
        return f"{name} source language ({status.total} texts)"
    if not status.catalog:
        return f"{name} no catalog"
    done = status.total - len(status.missing) - len(status.fuzzy)
    verdict = "complete" if status.complete else "INCOMPLETE"
    lines = [
        f"{name} {verdict}: {done}/{status.total} translated · missing {len(status.missing)} · fuzzy "
        f"{len(status.fuzzy)} · placeholder mismatches {len(status.placeholders)} · untranslated plurals "
        f"{len(status.plurals)}"
    ]
    critical = [f"{k} {v}" for k, v in status.critical.items() if v]
    if critical:
        lines.append(f"{'':<32} missing critical texts: {', '.join(critical)}")
    if status.plural_rule:
        lines.append(f"{'':<32} plurals: {status.plural_rule}")
    for key in HEADER_FIELDS:
        label = key.removeprefix("X-").replace("-", " ").lower()
        lines.append(f"{'':<32} {label}: {status.header.get(key, 'not stated in the catalog header')}")
    return "\n".join(lines)
