"""An Arabic-speaking family's way to a callback request in the web chat, over HTTP (tests/support/web_client)."""

from __future__ import annotations

import re

from tests.support.web_client import WebFamily
from tests.telegram.conftest import tr

PHONE_TYPED = "0234 1234567"
NAME, NOTE = "Zeynep", "Brief vom Jobcenter"
AR = tr("ar")
# (what the family does, the label the answer offers next), after choosing Arabic
STEPS = [
    ("press", "📞 Rückruf anfordern", "💶 Geld und Leistungen"),
    ("press", "💶 Geld und Leistungen", "📞 Bitte anrufen"),
    ("press", "📞 Bitte anrufen", None),
    ("say", PHONE_TYPED, "Mitte"),
    ("press", "Mitte", "Vormittags (9–12 Uhr)"),
    ("press", "Vormittags (9–12 Uhr)", "In den nächsten Tagen"),
    ("press", "In den nächsten Tagen", None),
    ("say", NAME, None),
    ("say", NOTE, "Ja, ich bin einverstanden"),
]


async def open_in_arabic(family: WebFamily) -> None:
    await family.session()
    family.listen()
    await family.ready.wait()
    assert await family.start() == 200
    await family.next(0, lambda e: "العربية" in e.labels)
    count = len(family.events)
    assert (await family.press("العربية"))[0] == 200
    await family.next(count, lambda e: AR("📞 Rückruf anfordern") in e.labels)


async def callback_in_arabic(family: WebFamily) -> str:
    """From the picker to the confirmed request; returns its reference."""
    await open_in_arabic(family)
    for action, value, offered in STEPS:
        count = len(family.events)
        label = value if value == "Mitte" else AR(value)
        status, _ = await (family.press(label) if action == "press" else family.say(value))
        assert status == 200
        expected = None if offered is None else (offered if offered == "Mitte" else AR(offered))
        await family.next(count, (lambda e, x=expected: x in e.labels) if expected else None)
    count = len(family.events)
    assert (await family.press(AR("Ja, ich bin einverstanden")))[0] == 200
    confirmation = await family.next(count, lambda e: "R-" in e.text)
    found = re.search(r"R-\d{4}-\d{4,}", confirmation.text)
    assert found is not None
    return found[0]
