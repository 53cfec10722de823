"""Staff commands and buttons, parsed. German names first (the team speaks German), English aliases too."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
BUTTON_ACTIONS = {"claim", "tpl", "done", "release", "reopen"}
NEEDS_REFERENCE = {"claim", "reply", "template", "done", "release", "reassign", "reopen", "details"}
_REFERENCE = re.compile(r"R-\d{4}-\d{4,}", re.IGNORECASE)


@dataclass(frozen=True)
class StaffAction:
    action: str
    reference: str | None = None
    rest: str = ""


def parse_staff(event: Event) -> StaffAction | None:
    """The staff action an event asks for, or None if it is not one (then it is an internal note)."""
    if isinstance(event, Pressed) and event.data.startswith("q:"):
        _, action, reference = [*event.data.split(":", 2), "", ""][:3]
        if action not in BUTTON_ACTIONS or not _REFERENCE.fullmatch(reference):
            return StaffAction("invalid")
        return StaffAction("templates" if action == "tpl" else action, reference.upper())
    if isinstance(event, Command) and event.name in ALIASES:
        action = ALIASES[event.name]
        first, _, rest = event.args.strip().partition(" ")
        if action in NEEDS_REFERENCE or (action == "templates" and _REFERENCE.fullmatch(first)):
            if not _REFERENCE.fullmatch(first):
                return StaffAction("usage", None, action)
            return StaffAction(action, first.upper(), rest.strip())
        return StaffAction(action, None, event.args.strip())
    return None


def is_staff_event(event: Event) -> bool:
    """True for staff commands and queue buttons, wherever they come from (authorisation comes later)."""
    return (isinstance(event, Pressed) and event.data.startswith("q:")) or (
        isinstance(event, Command) and event.name in ALIASES
    )
