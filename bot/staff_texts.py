"""What the staff desk says to staff (German): help, overview, escalation, the private contact details."""

from __future__ import annotations

from datetime import datetime

from bot.core.cards import LANGUAGE_NAMES_DE, STATUS_DE, TOPICS_DE, WINDOWS_DE, age_text
from bot.core.phone import international
from bot.core.typed import family_words
from storage.models import CallbackRequest

STAFF_HELP = (
    "Befehle für das Team:\n"
    "/offen – offene und übernommene Anfragen\n"
    "/uebernehmen R-… – Anfrage übernehmen (oder Knopf „Übernehmen“)\n"
    "/vorlagen R-… – Antwortvorlagen ansehen\n"
    "/vorlage R-… <vorlage> name=wert … – Vorlage in der Sprache der Familie senden\n"
    "/antwort R-… <Text> – freie Antwort auf Deutsch an die Familie\n"
    "/details R-… – Kontaktdaten noch einmal privat\n"
    "/erledigt R-…, /zurueckgeben R-…, /uebergeben R-… <Name>, /wiedereroeffnen R-…\n"
    "Alles andere hier ist eine interne Notiz und erreicht nie eine Familie."
)
EMERGENCY_DE = {
    "medical": "medizinischer Notfall eines Kindes",
    "fire": "Feuer",
    "violence": "Gewalt oder Bedrohung",
    "suicide": "Suizidgedanken oder Selbstverletzung",
    "sexual_abuse": "sexuelle Gewalt",
    "child_danger": "Kind vermisst oder in Gefahr",
    "homeless": "heute ohne Wohnung",
}
# Said in the chat and as the short answer to the pressed button (bot/refusals.py names the kinds).
REFUSED = {
    "not_member": "Das dürfen nur aktuelle Mitglieder des Team-Kanals.",
    "undecodable": "Diese Schaltfläche ist ungültig.",
}
DUPLICATE_CARD = "↪ Doppelte Karte zu {reference}: aktuell ist die andere Nachricht."
EXAMPLES = {"date": "TT.MM.JJJJ", "time": "HH:MM", "time_window": "10-12", "place": '"Ort"'}


def overview_text(rows: list[CallbackRequest], owners: list[str | None], now: datetime) -> str:
    """Open and claimed requests with age and owner; no personal data."""
    if not rows:
        return "Keine offenen Anfragen. 🎉"
    lines = [f"Offene und übernommene Anfragen ({len(rows)}):"]
    for r, owner in zip(rows, owners, strict=True):
        urgent = "🆘 " if r.emergency else "❗ " if r.urgent else ""
        lines.append(
            f"{urgent}{r.reference} · {STATUS_DE[r.status]} · {TOPICS_DE.get(r.topic, r.topic)} · "
            f"{LANGUAGE_NAMES_DE.get(r.language, r.language)} · seit {age_text(r.created_at, now)} · {owner or '–'}"
        )
    return "\n".join(lines)


def escalation_text(
    unclaimed: list[CallbackRequest], unanswered: list[tuple[CallbackRequest, str]], hours: float, now: datetime
) -> str:
    """The reminder in the staff channel: references, topics, ages and owners; no personal data."""
    lines: list[str] = []
    if unclaimed:
        lines.append(f"⏰ Seit über {hours:g} Bürostunden nicht übernommen:")
        lines += [
            f"{r.reference} · {TOPICS_DE.get(r.topic, r.topic)} · seit {age_text(r.created_at, now)}" for r in unclaimed
        ]
    if unanswered:
        lines.append(f"⏰ Übernommen, aber seit über {hours:g} Bürostunden weder Antwort noch Abschluss:")
        lines += [f"{r.reference} · {owner} · seit {age_text(r.created_at, now)}" for r, owner in unanswered]
    return "\n".join(lines)


def phone_text(stored: str) -> str:
    """A stored number as staff dial it, with its extension: "+49 234 1234567, Durchwahl 12"."""
    number, extension = international(stored)
    return f"{number}, Durchwahl {extension}" if extension else number


def details_text(request: CallbackRequest) -> str:
    """The contact details, for the responsible staff member's private chat only. What the family typed is on one
    line each, in quotes (bot.core.typed.family_words): a name can never add a line that looks like ours."""
    lines = [
        f"🔒 Kontaktdaten zu {request.reference} – nur für Sie:",
        f"Name: {family_words(request.name) if request.name else 'nicht angegeben'}",
        f"Telefon: {phone_text(request.phone)}"
        if request.phone
        else "Kontakt: hier im Chat (Antwort mit /vorlage oder /antwort)",
        f"Zeit: {WINDOWS_DE.get(request.time_window or '', 'egal')} · Dringend: {'ja' if request.urgent else 'nein'}",
        f"Sprache der Familie: {LANGUAGE_NAMES_DE.get(request.language, request.language)}",
    ]
    if request.emergency:
        lines.append(f"🆘 Notfall-Hinweis in den Worten der Familie: {EMERGENCY_DE.get(request.emergency, '?')}")
    if request.note:
        lines.append(f"Nachricht der Familie: {family_words(request.note)}")
    lines.append(f"Antworten: /vorlagen {request.reference} · /antwort {request.reference} <Text>")
    return "\n".join(lines)
