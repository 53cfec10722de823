"""The poster's own texts (German source, translated in every catalog). Emergency numbers, the office's phone and the
hours' lines are the bot's own translated texts, so poster and chat always say the same."""

from __future__ import annotations

from bot.core.i18n import N_

HEADLINE = N_("Sorgen um Geld, Wohnung, Gesundheit oder Erziehung? Schreiben Sie uns – in Ihrer Sprache.")
# The bot's short description (bot.core.texts.BOT_SHORT_DESCRIPTION) follows the headline.
PRIVACY = N_(
    "Im Chat liest kein Mensch mit. Erst wenn Sie einen Rückruf anfordern, bekommt eine Fachkraft Ihre Angaben."
)
SCAN = N_("Scannen Sie einen Code mit der Kamera Ihres Handys:")
WAY_WEB = N_("Im Browser, ohne App")
WAY_TELEGRAM = N_("Mit Telegram")
WAY_MATRIX = N_("Mit Element (Matrix)")
# Matrix links carry no start parameter: the family types the code to get the poster's language and district.
MATRIX_CODE = N_("Dann schreiben Sie: {code}")
HOURS_HEADING = N_("Offene Sprechstunde in {district}: jede Woche, ohne Termin")
HOURS_HEADING_ALL = N_("Offene Sprechstunde: jede Woche, ohne Termin")
OFFICE = N_("Ohne Handy? Kommen Sie in die offene Sprechstunde oder rufen Sie uns an: {office_phone}")
HOURS_NONE = N_("Die Zeiten der offenen Sprechstunde finden Sie im Chat.")
