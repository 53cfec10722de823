"""Staff reply templates: German source texts from dialogs/templates.yaml, sent in the family's language."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from babel.dates import format_skeleton
from babel.dates import format_time as babel_time

from bot.core.dialogs import read_yaml
from bot.core.i18n import I18n, isolate, placeholders

PARAMS = {"date", "time", "time_window", "place"}


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    text: str
    line: int

    @property
    def params(self) -> list[str]:
        return sorted(placeholders(self.text))


class TemplateError(ValueError):
    """A staff member's template command could not be filled; the message says why, in German."""


def load_templates(path: Path) -> list[Template]:
    """Read and validate the template file."""
    raw = read_yaml(path)
    found: list[Template] = []
    for item in (raw or {}).get("templates", []):
        tid, text = str(item.get("id", "")), str(item.get("text", ""))
        line = int(item.get("__line__", 0))
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,23}", tid):
            raise TemplateError(f"{path}:{line}: template id {tid!r} must be short, lower case")
        unknown = placeholders(text) - PARAMS
        if unknown:
            raise TemplateError(f"{path}:{line}: template {tid}: unknown parameter {sorted(unknown)}")
        found.append(Template(tid, str(item.get("title", tid)), text, line))
    if len({t.id for t in found}) != len(found):
        raise TemplateError(f"{path}: template ids must be unique")
    return found


def parse_args(raw: str) -> dict[str, str]:
    """key=value pairs, values quoted when they contain spaces: date=30.11.2026 place="Familienzentrum Nord"."""
    try:
        parts = shlex.split(raw)
    except ValueError as exc:
        raise TemplateError(f"Anführungszeichen nicht geschlossen ({exc})") from None
    values = {}
    for part in parts:
        key, sep, value = part.partition("=")
        if not sep or not value:
            raise TemplateError(f"„{part}“ ist kein Parameter; Form: name=wert")
        values[key.strip()] = value.strip()
    return values


def parse_date(value: str, today: date) -> date:
    """30.11.2026, 30.11. (this or next year) or 2026-11-30."""
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})?", value)
    try:
        if match:
            day, month, year = int(match[1]), int(match[2]), match[3]
            candidate = date(int(year) if year else today.year, month, day)
            if not year and candidate < today:
                candidate = candidate.replace(year=today.year + 1)
            return candidate
        return date.fromisoformat(value)
    except ValueError:
        raise TemplateError(f"Datum „{value}“ nicht erkannt; bitte TT.MM.JJJJ") from None


def parse_time(value: str) -> time:
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", value) or re.fullmatch(r"(\d{1,2})()", value)
    if not match or int(match[1]) > 23 or (match[2] and int(match[2]) > 59):
        raise TemplateError(f"Uhrzeit „{value}“ nicht erkannt; bitte HH:MM")
    return time(int(match[1]), int(match[2] or 0))


def render(template: Template, lang: str, raw: dict[str, str], i18n: I18n, today: date) -> str:
    """The template in the family's language, parameters formatted for their locale."""
    missing = [p for p in template.params if p not in raw]
    if missing:
        raise TemplateError(f"Es fehlt: {', '.join(missing)} (Vorlage {template.id}: {' '.join(template.params)})")
    locale = i18n.locale(lang)
    values: dict[str, str] = {}
    for name in template.params:
        value = raw[name]
        if name == "date":
            value = format_skeleton("yMMMMEEEEd", datetime.combine(parse_date(value, today), time()), locale=locale)
        elif name == "time":
            value = babel_time(parse_time(value), "short", locale=locale)
        elif name == "time_window":
            if not re.fullmatch(r"\d{1,2}(:\d{2})?\s*[-–]\s*\d{1,2}(:\d{2})?", value):
                raise TemplateError(f"Zeitraum „{value}“ nicht erkannt; bitte z. B. 10-12")
            value = re.sub(r"\s*[-–]\s*", "–", value)
        elif len(value) > 120:
            raise TemplateError("Ort ist zu lang (höchstens 120 Zeichen)")
        values[name] = isolate(value) if i18n.is_rtl(lang) else value
    text = i18n.catalogs.get(lang, {}).get(template.text) or template.text
    return i18n.shape(lang, text.format(**values))
