"""What the staff channel sees of a request: the minimum (no name, no phone, no free text), in German."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.buttons import Queue, QueueAction, button
from bot.core.events import Button, Reply
from bot.core.i18n import LANGUAGES

TOPICS_DE = {
    "money": "Geld und Leistungen",
    "housing": "Wohnen",
    "health": "Gesundheit und Entwicklung",
    "upbringing": "Erziehung und Alltag",
    "crisis": "Überlastung / Krise",
    "single_parent": "Alleinerziehend",
    "forms": "Anträge und Behörden",
    "newcomer": "Neu in Deutschland",
    "other": "Anderes",
}
LANGUAGE_NAMES_DE = {code: lang.german for code, lang in LANGUAGES.items()}
WINDOWS_DE = {"morning": "vormittags", "afternoon": "nachmittags", "any": "egal"}
STATUS_DE = {
    "open": "🟡 offen",
    "claimed": "🔵 übernommen",
    "done": "✅ erledigt",
    "withdrawn": "⚪ von der Familie zurückgezogen",
}
DELIVERY_DE = {
    "pending": "wird zugestellt …",
    "delivered": "✔ zugestellt",
    "blocked": "✖ nicht zustellbar: die Familie hat den Bot blockiert",
    "failed": "✖ nicht zustellbar (nach mehreren Versuchen)",
}
CHANNELS_DE = {"telegram": "Telegram", "matrix": "Matrix", "web": "Web-Chat", "console": "Konsole"}
CARD_BUTTONS_DE = {
    "open": {QueueAction.CLAIM: "Übernehmen"},
    "claimed": {
        QueueAction.TEMPLATES: "Vorlage senden",
        QueueAction.DONE: "Erledigt",
        QueueAction.RELEASE: "Zurückgeben",
    },
    "done": {QueueAction.REOPEN: "Wieder öffnen"},
}  # the buttons under a card, by the request's status


@dataclass(frozen=True)
class CardData:
    """The non-personal facts of a request that a card may show."""

    reference: str
    status: str
    topic: str
    language: str
    channel: str
    district: str | None
    time_window: str | None
    urgent: bool
    contact_way: str
    created_at: datetime
    claimed_by: str | None = None
    delivery: str | None = None
    emergency: bool = False  # 🆘 on the card, never what the family wrote: that goes to the responsible person


def age_text(created: datetime, now: datetime) -> str:
    minutes = max(0, int((now - created).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} Min."
    if minutes < 48 * 60:
        return f"{minutes // 60} Std."
    return f"{minutes // 1440} Tage"


def since_text(created: datetime, now: datetime) -> str:
    """ "seit 3 Std.", "seit 2 Tagen": the age after "seit", in the dative German needs there."""
    age = age_text(created, now)
    return f"seit {age[:-1]}en" if age.endswith(" Tage") else f"seit {age}"


def render_card(card: CardData, now: datetime, district_name: str | None) -> Reply:
    """The card for the staff channel; buttons name only the reference, the server re-checks everything."""
    urgent = "🆘 NOTFALL-HINWEIS · " if card.emergency else "❗ DRINGEND · " if card.urgent else ""
    lines = [
        f"{urgent}Anfrage {card.reference} · {STATUS_DE.get(card.status, card.status)}",
        f"Thema: {TOPICS_DE.get(card.topic, card.topic)}",
        f"Sprache: {LANGUAGE_NAMES_DE.get(card.language, card.language)}",
        f"Kanal: {CHANNELS_DE.get(card.channel, card.channel)} · Kontakt: "
        + ("Anruf" if card.contact_way == "phone" else "Chat"),
        f"Stadtbezirk: {district_name or 'unbekannt'} · Zeit: {WINDOWS_DE.get(card.time_window or '', 'egal')}",
        f"Alter: {age_text(card.created_at, now)}",
    ]
    if card.claimed_by:
        lines.append(f"Zuständig: {card.claimed_by}")
    if card.delivery:
        lines.append(f"Antwort: {DELIVERY_DE.get(card.delivery, card.delivery)}")
    labels = CARD_BUTTONS_DE.get(card.status, {})
    row = tuple(button(label, Queue(action, card.reference)) for action, label in labels.items())
    buttons: tuple[tuple[Button, ...], ...] = (row,) if row else ()
    return Reply("\n".join(lines), buttons)
