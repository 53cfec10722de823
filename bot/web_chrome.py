"""The web chat page's own words (its buttons, labels and notices), in every enabled language.

The conversation itself comes from the engine like on every transport; these are only the page around it.
"""

from __future__ import annotations

from bot.core import texts as T
from bot.core.i18n import LANGUAGES, N_, I18n

TITLE = N_("Elternlotse: Chat mit der Kita-Sozialarbeit")
CONVERSATION = N_("Unterhaltung")
YOU = N_("Sie:")
INPUT = N_("Ihre Nachricht")
SEND = N_("Senden")
END = N_("Chat beenden und Daten löschen")
OFFLINE = N_("Keine Verbindung. Wir versuchen es weiter …")
WAIT = N_("Das hat nicht geklappt. Bitte warten Sie einen Moment und versuchen Sie es dann noch einmal.")
AGAIN = N_("Neuen Chat beginnen")
MORE = N_("Weitere Möglichkeiten")

# key in the page's script -> msgid
WORDS = {
    "title": TITLE,
    "conversation": CONVERSATION,
    "you": YOU,
    "input": INPUT,
    "send": SEND,
    "end": END,
    "offline": OFFLINE,
    "wait": WAIT,
    "again": AGAIN,
    "more": MORE,
    "confirm": T.CONFIRM_DELETE,
    "yes": T.DELETE_YES,
    "no": T.DELETE_NO,
    "deleted": T.DELETED,
    "mydata": T.COMMANDS["mydata"],
    "delete": T.COMMANDS["delete"],
    "emergency": T.COMMANDS["emergency"],
    "language": T.COMMANDS["language"],
    "privacy": T.COMMANDS["privacy"],
}


def chrome(i18n: I18n, languages: list[str]) -> dict[str, dict[str, str]]:
    """Per enabled language: the page's words, and the language's name in itself."""
    return {
        lang: {"name": LANGUAGES[lang].native, **{key: i18n.t(lang, msgid) for key, msgid in WORDS.items()}}
        for lang in languages
        if lang in LANGUAGES
    }
