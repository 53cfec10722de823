"""What the engine may read besides the session. Its own module so that render.py and turn.py both can use it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.dialogs import Content
from bot.core.emergency import Matcher
from bot.core.hours import HoursData
from bot.core.i18n import I18n


@dataclass(frozen=True)
class Context:
    """What the engine may read besides the session: content, catalogs, hours, the time, config values."""

    content: Content
    i18n: I18n
    hours: HoursData
    now: datetime
    params: dict[str, str] = field(default_factory=dict)
    emergency: Matcher = field(default_factory=lambda: Matcher([]))
    open_request: str | None = None  # the family's open or claimed request: one at a time
    reminders: str | None = None  # the district the family gets reminders for, if it subscribed
    buttons: bool = True  # the family's platform shows buttons; without, it lists them (bot.core.choices.numbered)
    # The office's outcomes (dialogs/outcomes.yaml): id -> German title, a msgid the catalogs translate for /mydata
    outcomes: Mapping[str, str] = field(default_factory=dict)
    guess_language: Callable[[str], str | None] | None = None  # the enabled language a typed line is in, if sure
