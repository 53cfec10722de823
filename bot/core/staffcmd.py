"""Staff commands and buttons, parsed. German names first (the team speaks German), English aliases too."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.buttons import CloseAs, Kind, Queue, QueueAction, claimed_kind, decode
from bot.core.events import Command, Event, Pressed

ALIASES = {
    "offen": "queue", "queue": "queue", "liste": "queue",
    "uebernehmen": "claim", "übernehmen": "claim", "claim": "claim",
    "antwort": "reply", "reply": "reply",
    "vorlage": "template", "template": "template",
    "vorlagen": "templates", "templates": "templates",
    "erledigt": "done", "done": "done",
    "zurueckgeben": "release", "zurückgeben": "release", "release": "release",
    "uebergeben": "reassign", "übergeben": "reassign", "reassign": "reassign",
    "wiedereroeffnen": "reopen", "wiedereröffnen": "reopen", "reopen": "reopen",
    "details": "details",
    "team": "help", "teamhilfe": "help",
}  # fmt: skip
NEEDS_REFERENCE = {"claim", "reply", "template", "done", "release", "reassign", "reopen", "details"}
_SHORT = re.compile(r"(?:R-)?(?:(\d{4})-)?(\d{1,6})", re.IGNORECASE)  # 42, 0042, 2026-0042, R-2026-0042


@dataclass(frozen=True)
class StaffAction:
    action: str
    reference: str | None = None
    rest: str = ""
    short: bool = False  # the reference was typed as a bare number (meaning this year's, unless ambiguous)
    owner_gone: bool = False  # filled in by the desk: the responsible person has left the staff channel
    target: str = ""  # filled in by the desk: the current member a request is reassigned to


def normalise_reference(text: str, year: int) -> str | None:
    """R-2026-0042 from what staff type: the full reference, or just its number in the current year."""
    match = _SHORT.fullmatch(text.strip())
    if match is None:
        return None
    return f"R-{match[1] or year}-{int(match[2]):04d}"


def parse_staff(event: Event, year: int) -> StaffAction | None:
    """The staff action an event asks for, or None if it is not one (then it is an internal note)."""
    if isinstance(event, Pressed):
        press = decode(event.data)
        if isinstance(press, CloseAs):
            return StaffAction("done", press.reference, press.outcome)
        if not isinstance(press, Queue):
            return StaffAction("invalid")  # only queue buttons reach the desk, or any button in the staff channel
        action = "templates" if press.action is QueueAction.TEMPLATES else press.action.value
        return StaffAction(action, press.reference)
    if isinstance(event, Command) and event.name in ALIASES:
        action = ALIASES[event.name]
        first, _, rest = event.args.strip().partition(" ")
        reference = normalise_reference(first, year) if first else None
        if action in NEEDS_REFERENCE or (action == "templates" and reference):
            if reference is None:
                return StaffAction("usage", None, action)
            return StaffAction(action, reference, rest.strip(), short=not first.upper().startswith("R-"))
        return StaffAction(action, None, event.args.strip())
    return None


def is_staff_event(event: Event) -> bool:
    """True for staff commands and queue buttons, wherever they come from (authorisation comes later)."""
    return (isinstance(event, Pressed) and claimed_kind(event.data) is Kind.QUEUE) or (
        isinstance(event, Command) and event.name in ALIASES
    )


def in_thread(event: Event, reference: str) -> Event:
    """A command typed in a request card's thread (Matrix) is about that request unless it names one in full:
    `!uebernehmen` there means `!uebernehmen R-…`. A bare number stays part of the text (`!antwort 42 Euro …`)."""
    if not isinstance(event, Command) or event.name not in ALIASES:
        return event
    action = ALIASES[event.name]
    first = event.args.strip().partition(" ")[0]
    if action not in NEEDS_REFERENCE | {"templates"} or first.upper().startswith("R-"):
        return event
    return Command(event.name, f"{reference} {event.args.strip()}".strip())
