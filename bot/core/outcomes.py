"""What became of a request: the office's list in dialogs/outcomes.yaml, chosen by staff when closing. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core.dialogs import Problem, read_yaml

GROUPS = {"beratung": "Beratung", "vermittlung": "Vermittlung", "sonstiges": "Sonstiges"}
OUTCOME_ID = re.compile(r"[a-z][a-z0-9_]{0,23}")  # also what the button codec accepts
WITHDRAWN = "zurueckgezogen"  # the family erased itself while its request was open: recorded without staff


@dataclass(frozen=True)
class Outcome:
    id: str
    title: str
    group: str


class OutcomeError(ValueError):
    """dialogs/outcomes.yaml is broken; the message names file and line."""


def check_outcomes(path: Path) -> tuple[list[Outcome], list[Problem]]:
    """Read the office's list and report every problem with its line, as `elternlotse check` prints them."""
    problems: list[Problem] = []
    try:
        raw = read_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        return [], [Problem(str(path), 1, "-", f"cannot read: {exc}")]
    items = raw.get("outcomes") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        return [], [Problem(str(path), 1, "-", "needs a non-empty list 'outcomes'")]
    found: list[Outcome] = []
    for item in items:
        line = int(item.get("__line__", 1)) if isinstance(item, dict) else 1
        if not isinstance(item, dict):
            problems.append(Problem(str(path), line, "-", "each outcome needs id, title and group"))
            continue
        oid, title, group = str(item.get("id", "")), str(item.get("title", "")).strip(), str(item.get("group", ""))
        if not OUTCOME_ID.fullmatch(oid):
            problems.append(Problem(str(path), line, oid or "-", "id must be a-z, 0-9, _ (at most 24, a letter first)"))
        elif any(o.id == oid for o in found):
            problems.append(Problem(str(path), line, oid, "id used twice"))
        elif not title or len(title) > 40:
            problems.append(Problem(str(path), line, oid, "title must be 1 to 40 characters (it is a button)"))
        elif group not in GROUPS:
            problems.append(Problem(str(path), line, oid, f"group must be one of {', '.join(GROUPS)}"))
        else:
            found.append(Outcome(oid, title, group))
    if not any(o.id == WITHDRAWN for o in found) and not problems:
        problems.append(Problem(str(path), 1, "-", f"'{WITHDRAWN}' must stay: /delete records it"))
    return found, problems


def load_outcomes(path: Path) -> list[Outcome]:
    """The list, or OutcomeError with the first problem (start-up refuses a broken file, as `check` reports it)."""
    found, problems = check_outcomes(path)
    if problems:
        raise OutcomeError(str(problems[0]))
    return found


def match_outcome(outcomes: list[Outcome], typed: str) -> Outcome | list[Outcome]:
    """The outcome staff typed (its id, or a unique beginning of it or of its title); else the candidates."""
    word = typed.strip().casefold()
    exact = [o for o in outcomes if o.id == word]
    if exact:
        return exact[0]
    start = [o for o in outcomes if word and (o.id.startswith(word) or o.title.casefold().startswith(word))]
    return start[0] if len(start) == 1 else start
