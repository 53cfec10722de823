"""Texts the engine itself says (not from the dialog files), and input cleaning and validation."""

from __future__ import annotations

from bot.core.i18n import N_
from bot.core.phone import check_phone
from bot.core.typed import clean_text as clean_text  # input cleaning lives in bot/core/typed.py

PICK_LANGUAGE = N_("Bitte wählen Sie Ihre Sprache.")
# A parent who chose one language and types in another (bot.core.switch): said in both languages.
SWITCH_LANGUAGE = N_("Sie schreiben {language} – auf {native} wechseln?")
SWITCH_LANGUAGE_HERE = N_("Tippen Sie hier, um auf {native} weiterzumachen:")
EMERGENCY_BUTTON = N_("🆘 Notfall")
BACK_BUTTON = N_("↩ Zurück")
MENU_BUTTON = N_("🏠 Menü")
LANGUAGE_BUTTON = N_("🌐 Sprache")
SKIP_BUTTON = N_("Überspringen")
AGREE_BUTTON = N_("Ja, ich bin einverstanden")
DECLINE_BUTTON = N_("Nein, lieber nicht")
USE_BUTTONS = N_("Bitte tippen Sie auf eine der Schaltflächen.")
STALE_BUTTON = N_("Diese Schaltfläche ist nicht mehr aktiv. Hier geht es weiter:")
RESTARTED = N_("Wir haben unsere Inhalte aktualisiert und beginnen deshalb neu.")
# Matrix: a message encrypted with a key the bot never received. Its content is unknown, so it is asked for again.
UNREADABLE = N_(
    "Ihre letzte Nachricht kam verschlüsselt an, aber ich konnte sie nicht öffnen. Bitte schicken Sie sie noch einmal."
)
UNSUPPORTED = N_(
    "Sticker, Sprachnachrichten, Bilder und Dateien kann ich leider nicht lesen. "
    "Bitte tippen Sie auf eine Schaltfläche oder schreiben Sie kurz."
)
# The same, where the platform shows no buttons but a numbered list (bot.core.choices.numbered).
USE_BUTTONS_TYPED = N_("Bitte schreiben Sie die Zahl oder das Wort einer Möglichkeit aus der Liste.")
UNSUPPORTED_TYPED = N_(
    "Sticker, Sprachnachrichten, Bilder und Dateien kann ich leider nicht lesen. "
    "Bitte schreiben Sie kurz oder die Zahl einer Möglichkeit aus der Liste."
)
EMPTY_TYPED = N_("Bitte schreiben Sie etwas oder die Zahl einer Möglichkeit aus der Liste.")
STALE_CHOICE = N_("Diese Möglichkeit gibt es hier nicht mehr. Hier geht es weiter:")
# Under a question that waits for words, where a bare number is an answer (a name "1" is a name).
CHOOSE_WITH_HASH = N_("Eine Möglichkeit aus der Liste wählen Sie hier mit # und der Zahl, zum Beispiel #1.")
CHOICES_AGAIN = N_("Ihre Möglichkeiten:")
TOO_LONG = N_("Das ist leider zu lang. Bitte schreiben Sie höchstens {max} Zeichen.")
EMPTY = N_("Bitte schreiben Sie etwas oder tippen Sie auf eine Schaltfläche.")
SORRY = N_("Das hat leider nicht geklappt. Bitte versuchen Sie es noch einmal oder beginnen Sie neu mit /start.")
DEFAULT_PHONE_HINT = N_("Das sieht nicht wie eine Telefonnummer aus. Bitte schreiben Sie zum Beispiel: {example}")
NO_SLOTS = N_("In den nächsten Wochen sind keine Sprechstunden eingetragen. Bitte fordern Sie einen Rückruf an.")
SLOT_LINE = N_("{day}, {start}–{end} Uhr · {district}: {place}, {address}")
DONT_KNOW_DISTRICT = N_("Weiß ich nicht")
# The floor under every reply to typed text the bot did not understand.
IN_DANGER = N_("In Gefahr? Notruf 112 · Polizei 110")
MARKED_URGENT = N_("Wir haben Ihre Anfrage als dringend markiert.")
# What leads the emergency screen, by what was recognised (bot.core.emergency.Category); the full list follows.
EMERGENCY_LEADS = {
    "medical": N_("🚑 Braucht Ihr Kind sofort ärztliche Hilfe? Rufen Sie jetzt den Notruf 112 an."),
    "fire": N_("🔥 Feuer: Bringen Sie sich und die Kinder nach draußen und rufen Sie die Feuerwehr: 112."),
    "violence": N_(
        "🚓 Sind Sie oder Ihr Kind in Gefahr? Rufen Sie die Polizei: 110. Das Hilfetelefon Gewalt gegen Frauen "
        "berät rund um die Uhr, kostenlos und in vielen Sprachen: 116 016."
    ),
    "suicide": N_(
        "💬 Sie sind nicht allein. Die Telefonseelsorge hört zu, rund um die Uhr, kostenlos und anonym: "
        "0800 111 0 111 oder 0800 111 0 222. Wenn Sie in akuter Gefahr sind, rufen Sie den Notruf 112."
    ),
    "sexual_abuse": N_(
        "🚓 Wenn Sie oder Ihr Kind jetzt in Gefahr sind, rufen Sie die Polizei: 110. Das Hilfetelefon Gewalt gegen "
        "Frauen berät rund um die Uhr, kostenlos und in vielen Sprachen, auch bei sexueller Gewalt: 116 016."
    ),
    "child_danger": N_("🚓 Ist Ihr Kind verschwunden oder in Gefahr? Rufen Sie sofort die Polizei: 110."),
    "homeless": N_(
        "🏠 Kein Dach über dem Kopf heute Nacht? Der Notdienst des Jugendamts hilft: {office_emergency}. "
        "Wenn Sie dort niemanden erreichen, rufen Sie die Polizei: 110."
    ),
}

SUMMARY_LABELS = {
    "topic": N_("Thema"),
    "contact_way": N_("Kontakt"),
    "phone": N_("Telefon"),
    "district": N_("Stadtbezirk"),
    "time_window": N_("Zeit"),
    "urgent": N_("Dringend"),
    "name": N_("Name"),
    "note": N_("Ihre Nachricht"),
}


def normalise_phone(raw: str, region: str = "DE") -> str | None:
    """The stored form of a number a social worker can call (E.164, extension kept), else None."""
    return check_phone(raw, region).number


PHONE_SERVICE = N_(
    "Diese Nummer können wir nicht anrufen: Sondernummern und Servicenummern (zum Beispiel 0900, 0180 oder 0800) "
    "gehen nicht. Bitte schreiben Sie Ihre Handynummer oder Festnetznummer."
)
PHONE_LETTERS = N_(
    "In einer Telefonnummer stehen keine Buchstaben. Bitte schreiben Sie nur Ziffern, zum Beispiel: {example}"
)
PHONE_EXTENSION = N_("{number}, Durchwahl {extension}")
# The short answer to a button press that is not acted on (shown briefly at the top of the chat).
BUTTON_OLD = N_("Diese Schaltfläche ist nicht mehr aktiv.")
BUTTON_INVALID = N_("Diese Schaltfläche funktioniert hier nicht.")


# --- the staff queue, seen by the family -------------------------------------------------------------------
TEAM_MESSAGE = N_("💬 Nachricht vom Team der Kita-Sozialarbeit zu Ihrer Anfrage {reference}:")
TEAM_GERMAN_NOTE = N_(
    "Diese Nachricht ist auf Deutsch. Wenn Sie etwas nicht verstehen, schreiben Sie uns: "
    "Wir organisieren kostenlos eine Dolmetscherin oder einen Dolmetscher."
)
REPLY_BUTTON = N_("✉ Antworten")
RELAY_PROMPT = N_(
    "Schreiben Sie hier Ihre Nachricht an die Fachkraft (höchstens {max} Zeichen). "
    "Nur sie liest die Nachricht. Bitte keine Gesundheitsdaten oder Namen anderer Personen."
)
RELAY_DONE = N_("Danke! Ihre Nachricht ist bei Ihrer Fachkraft angekommen.")
RELAY_CLOSED = N_("Diese Anfrage ist nicht mehr offen. Eine neue Anfrage stellen Sie mit /callback.")
RELAY_LATER = N_(
    "Ihre Fachkraft kann die Nachricht gerade nicht bekommen. Bitte versuchen Sie es später noch einmal "
    "oder kommen Sie in die offene Sprechstunde."
)
CANCEL_BUTTON = N_("Abbrechen")
ALREADY_OPEN = N_(
    "Sie haben schon eine Anfrage bei uns: {reference}. Eine Fachkraft meldet sich bei Ihnen. "
    "Möchten Sie etwas dazu schreiben?"
)
ADD_TO_REQUEST = N_("✉ Etwas ergänzen")
ADDED_TO_REQUEST = N_("Danke! Wir haben Ihre Nachricht zu Ihrer Anfrage {reference} gelegt. Die Fachkraft liest sie.")
SLOW_DOWN = N_(
    "Sie schreiben gerade sehr viele Nachrichten. Bitte warten Sie eine Minute. "
    "In einem Notfall tippen Sie auf „🆘 Notfall“ oder rufen Sie 112 oder 110."
)
SLOW_DOWN_TYPED = N_(
    "Sie schreiben gerade sehr viele Nachrichten. Bitte warten Sie eine Minute. "
    "In einem Notfall schreiben Sie „Notfall“ oder rufen Sie 112 oder 110."
)
STAFF_ONLY = N_("Dieser Befehl ist nur für das Team der Kita-Sozialarbeit.")
MYDATA_HEADER = N_("Das haben wir über Sie gespeichert:")
MYDATA_ACCOUNT = N_("Ihr Konto")
MYDATA_CHAT = N_("Ihr Chat mit uns")
MYDATA_LANGUAGE = N_("Sprache")
MYDATA_SEEN = N_("Erste Nachricht: {start} · letzte Nachricht: {end}")
MYDATA_REQUEST = N_("Anfrage {reference} vom {date}: {status}")
MYDATA_CHANNEL = N_("Gestellt über")
MYDATA_CLOSED = N_("Beendet")
MYDATA_EMERGENCY = N_("Hinweis auf einen Notfall")
# What an emergency recognised in the family's words is called when /mydata shows it (bot.core.emergency.Category).
EMERGENCY_KINDS = {
    "medical": N_("ärztlicher Notfall eines Kindes"),
    "fire": N_("Feuer"),
    "violence": N_("Gewalt oder Bedrohung"),
    "suicide": N_("Gedanken an Suizid"),
    "sexual_abuse": N_("sexuelle Gewalt"),
    "child_danger": N_("Kind vermisst oder in Gefahr"),
    "homeless": N_("ohne Wohnung"),
}
MYDATA_CONSENT = N_("Einwilligung „{purpose}“: {status} am {date} (Text Version {version})")
CONSENT_ACTIONS = {"given": N_("erteilt"), "declined": N_("abgelehnt"), "withdrawn": N_("widerrufen")}
MYDATA_UNSENT = N_("Angaben für eine Anfrage, noch nicht abgeschickt:")
MYDATA_STEP = N_("Aktueller Schritt")
MYDATA_CONSENT_STEP = N_("Ihre Einwilligung")
MYDATA_WRITING = N_("eine Nachricht an Ihre Fachkraft zu {reference}")
MYDATA_NOTHING = N_("Anfragen oder Einwilligungen von Ihnen haben wir nicht gespeichert.")
MYDATA_FOOTER = N_("Mit /delete löschen wir alles sofort.")
CONFIRM_DELETE = N_(
    "Wirklich alles löschen? Dann löschen wir sofort alle Ihre Angaben und ziehen offene Anfragen zurück."
)
DELETE_YES = N_("Ja, alles löschen")
DELETE_NO = N_("Nein, zurück")
DELETED = N_(
    "Wir haben alle Ihre Daten gelöscht. Offene Anfragen haben wir zurückgezogen. "
    "Sie können jederzeit neu beginnen: /start"
)
FAMILY_STATUS = {
    "open": N_("wartet auf eine Fachkraft"),
    "claimed": N_("eine Fachkraft kümmert sich"),
    "done": N_("abgeschlossen"),
    "withdrawn": N_("zurückgezogen"),
}
PURPOSES = {"callback": N_("Rückruf"), "reminders": N_("Erinnerungen")}

# --- commands as a messenger lists them (Telegram's setMyCommands, per language) -------------------------
COMMANDS = {
    "start": N_("Von vorne beginnen"),
    "hours": N_("Offene Sprechstunde"),
    "callback": N_("Rückruf anfordern"),
    "language": N_("Sprache wechseln"),
    "help": N_("Hilfe"),
    "privacy": N_("Datenschutz"),
    "mydata": N_("Meine gespeicherten Daten"),
    "delete": N_("Alle meine Daten löschen"),
    "emergency": N_("Notfallnummern"),
    "reminders": N_("Erinnerungen an die Sprechstunde"),
}
# What a parent sees of the bot in Telegram before pressing Start (setMyDescription / setMyShortDescription, per
# language): at most 512 and 120 characters in every language.
BOT_DESCRIPTION = N_(
    "Die Kita-Sozialarbeit des Jugendamts berät Familien mit Kindern bis zum Schuleintritt. Die Beratung ist "
    "kostenlos, freiwillig und vertraulich. Hier finden Sie die offenen Sprechstunden. Sie können einen Rückruf "
    "anfordern, in Ihrer Sprache. Ihre Nachrichten liest kein Mensch, solange Sie keinen Rückruf anfordern. "
    "In Gefahr? Notruf 112 · Polizei 110"
)
BOT_SHORT_DESCRIPTION = N_(
    "Kostenlose Beratung für Familien mit kleinen Kindern: die Kita-Sozialarbeit des Jugendamts."
)
PRIVATE_ONLY = N_("Bitte schreiben Sie mir privat. In Gruppen beantworte ich keine Fragen von Familien.")

# --- reminders of consultation hours (bot/reminders.py) ------------------------------------------------------
REMINDER_HEADER = N_("Erinnerung an die offene Sprechstunde:")
REMINDER_STOP = N_("🔕 Erinnerungen abbestellen")
MYDATA_REMINDERS = N_("Erinnerungen an die offenen Sprechstunden in {district}, bestellt am {date}")
REMINDERS_ON = N_("🔔 Sie bekommen Erinnerungen an die offene Sprechstunde in {district}.")
REMINDERS_DISTRICT_BUTTON = N_("📍 Anderer Stadtbezirk")
REMINDERS_STOPPED = N_("🔕 Erledigt. Sie bekommen keine Erinnerungen mehr. Neu bestellen: /reminders")
REMINDERS_NONE = N_("Sie bekommen keine Erinnerungen. Bestellen: /reminders")

# Where the family's platform shows no buttons, the engine says these instead (bot.core.turn.Turn.t).
WITHOUT_BUTTONS = {
    USE_BUTTONS: USE_BUTTONS_TYPED,
    UNSUPPORTED: UNSUPPORTED_TYPED,
    EMPTY: EMPTY_TYPED,
    STALE_BUTTON: STALE_CHOICE,
    SLOW_DOWN: SLOW_DOWN_TYPED,
}
# /mydata: what came of a closed request, as the team noted it (an id of dialogs/outcomes.yaml).
MYDATA_OUTCOME = N_("Ergebnis (vom Team notiert)")
