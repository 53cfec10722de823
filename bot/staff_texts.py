"""What the staff desk says to staff (German): help, overview, escalation, the private contact details."""

from __future__ import annotations

from datetime import datetime

from bot.core.cards import LANGUAGE_NAMES_DE, STATUS_DE, TOPICS_DE, WINDOWS_DE, since_text
from bot.core.phone import international
from bot.core.typed import family_words
from storage.models import CallbackRequest

_COMMANDS = (
    "Befehle für das Team:\n"
    "/offen – offene und übernommene Anfragen\n"
    "/uebernehmen R-… – Anfrage übernehmen (oder Knopf „Übernehmen“)\n"
    "/vorlagen R-… – Antwortvorlagen ansehen\n"
    "/vorlage R-… <vorlage> name=wert … – Vorlage in der Sprache der Familie senden\n"
    "/antwort R-… <Text> – freie Antwort auf Deutsch an die Familie\n"
    "/details R-… – Kontaktdaten noch einmal privat\n"
    "/erledigt R-…, /zurueckgeben R-…, /uebergeben R-… <Name>, /wiedereroeffnen R-…"
)
STAFF_HELP = _COMMANDS + "\nAlles andere hier ist eine interne Notiz und erreicht nie eine Familie."
# In the private chat free text is not a note in the staff channel, so this help does not say it is.
STAFF_HELP_PRIVATE = (
    "🔒 Sie gehören zum Team-Kanal. Hier im privaten Chat bekommen Sie die Kontaktdaten der Anfragen, die Sie "
    "übernehmen, und die Nachrichten der Familien dazu – solange Sie im Team-Kanal sind. Ist eine Anfrage erledigt "
    "oder abgegeben, entferne ich die Daten hier wieder.\n\n" + _COMMANDS
)
DETAILS_REMOVED = "🔒 Details zu {reference} entfernt."
BACK_IN_QUEUE = "↩ Zurück in der Warteschlange: die zuständige Person ist nicht mehr im Team-Kanal."
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


def relayed_text(request: CallbackRequest, words: str, sos: str | None) -> str:
    """A family's message for the person responsible, its words marked as the family's; with what the bot
    recognised first when it was an emergency (the family saw the numbers, the worker must see it at once)."""
    language = LANGUAGE_NAMES_DE.get(request.language, request.language)
    text = f"✉ Nachricht der Familie zu {request.reference} ({language}):\n{family_words(words)}"
    if sos:
        kind = EMERGENCY_DE.get(sos, "Notfall")
        text = f"🆘 NOTFALL-HINWEIS ({kind}): Die Familie hat die Notrufnummern bekommen.\n" + text
    return text


def open_chat_hint(name: str, reference: str, link: str | None, family_writes: bool = False) -> str:
    """For the staff channel: someone must open the private chat with the bot first. No personal data."""
    if link:
        how = f"Bitte öffnen Sie einmal den privaten Chat mit mir: {link} (dann „Starten“)"
    else:
        how = "Bitte schreiben Sie mir einmal privat /team (in Telegram: auf meinen Namen tippen, dann „Starten“)"
    if family_writes:
        return (
            f"{name}: Die Familie möchte Ihnen zu {reference} schreiben. {how}; "
            "Nachrichten von Familien leite ich nur privat weiter."
        )
    return f"{name}: Die Kontaktdaten zu {reference} schicke ich nur privat. {how}; dann kommen sie."


def overview_text(rows: list[CallbackRequest], owners: list[str | None], now: datetime) -> str:
    """Open and claimed requests with age and owner; no personal data."""
    if not rows:
        return "Keine offenen Anfragen. 🎉"
    lines = [f"Offene und übernommene Anfragen ({len(rows)}):"]
    for r, owner in zip(rows, owners, strict=True):
        urgent = "🆘 " if r.emergency else "❗ " if r.urgent else ""
        lines.append(
            f"{urgent}{r.reference} · {STATUS_DE[r.status]} · {TOPICS_DE.get(r.topic, r.topic)} · "
            f"{LANGUAGE_NAMES_DE.get(r.language, r.language)} · {since_text(r.created_at, now)} · {owner or '–'}"
        )
    return "\n".join(lines)


def digest_text(unclaimed: list[CallbackRequest], now: datetime) -> str:
    """The morning overview in the staff channel: what nobody has claimed yet; references and ages only."""
    lines = [f"☀️ Guten Morgen. Noch nicht übernommen ({len(unclaimed)}):"]
    for r in unclaimed:
        urgent = "🆘 " if r.emergency else "❗ " if r.urgent else ""
        lines.append(f"{urgent}{r.reference} · {TOPICS_DE.get(r.topic, r.topic)} · {since_text(r.created_at, now)}")
    return "\n".join(lines)


def escalation_text(
    unclaimed: list[CallbackRequest], unanswered: list[tuple[CallbackRequest, str]], hours: float, now: datetime
) -> str:
    """The reminder in the staff channel: references, topics, ages and owners; no personal data."""
    lines: list[str] = []
    if unclaimed:
        lines.append(f"⏰ Seit über {hours:g} Bürostunden nicht übernommen:")
        lines += [
            f"{r.reference} · {TOPICS_DE.get(r.topic, r.topic)} · {since_text(r.created_at, now)}" for r in unclaimed
        ]
    if unanswered:
        lines.append(f"⏰ Übernommen, aber seit über {hours:g} Bürostunden weder Antwort noch Abschluss:")
        lines += [f"{r.reference} · {owner} · {since_text(r.created_at, now)}" for r, owner in unanswered]
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


OUTCOME_ASK = "Wie ist {reference} ausgegangen? Bitte das Ergebnis wählen."
OUTCOME_KEEP = "↩ Doch nicht erledigen"


def outcome_list_text(reference: str, typed: str, outcomes: list[tuple[str, str]]) -> str:
    """The answer to /erledigt without an outcome (or with one that is unknown or ambiguous)."""
    head = f"„{typed}“ passt auf kein Ergebnis genau. " if typed else ""
    lines = [f"{head}Bitte das Ergebnis an der Karte wählen oder tippen: /erledigt {reference} <Ergebnis>"]
    lines += [f"• {oid} – {title}" for oid, title in outcomes]
    return "\n".join(lines)
