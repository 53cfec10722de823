"""The engine, driven like a parent would: press buttons by label, type text, read what comes back."""

from __future__ import annotations

from bot.core import texts as T
from bot.core.emergency import words
from bot.core.engine import Context, step
from bot.core.events import (
    Command,
    CreateRequest,
    Effect,
    HandoffDone,
    Pressed,
    RecordConsent,
    Reply,
    Session,
    Text,
    Unsupported,
)


class Parent:
    """Talks to the pure engine and keeps what it would see on screen."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.session = Session()
        self.effects: list[Effect] = []

    def send(self, event: Text | Pressed | Command | Unsupported | HandoffDone) -> str:
        # A JSON round-trip each step: state that would not survive a restart fails here.
        self.session = Session.from_json(self.session.to_json())
        self.session, self.effects = step(self.session, event, self.ctx)
        return self.screen

    @property
    def replies(self) -> list[Reply]:
        return [e for e in self.effects if isinstance(e, Reply)]

    @property
    def screen(self) -> str:
        return "\n".join(r.text for r in self.replies)

    def buttons(self) -> dict[str, str]:
        return {b.label: b.data for r in self.replies for row in r.buttons for b in row}

    def press(self, label: str) -> str:
        buttons = self.buttons()
        assert label in buttons, f"no button {label!r}; have {list(buttons)}"
        return self.send(Pressed(buttons[label]))


def test_first_screen_is_the_language_choice_named_in_each_language(ctx: Context) -> None:
    parent = Parent(ctx)
    screen = parent.send(Text("hallo"))
    assert "Bitte wählen Sie Ihre Sprache." in screen
    assert "Please choose your language." in screen
    assert {"Deutsch", "English"} <= set(parent.buttons())
    assert parent.session.lang is None


def test_topic_shows_info_hours_and_callback_offer(ctx: Context) -> None:
    parent = Parent(ctx)
    parent.send(Command("start"))
    parent.press("Deutsch")
    screen = parent.press("🏠 Wohnen")
    assert "Mietvertrag" in screen
    assert "Sie können ohne Termin in die offene Sprechstunde kommen:" in screen
    assert "Do., 26. Nov." in screen  # the next slot after Wednesday 2026-11-25 12:00 local
    assert "📞 Ja, bitte melden Sie sich" in parent.buttons()


def walk_to_consent(parent: Parent, phone: str = "0234 1234567") -> None:
    parent.send(Command("start"))
    parent.press("Deutsch")
    parent.press("📞 Rückruf anfordern")
    parent.press("💶 Geld und Leistungen")
    parent.press("📞 Bitte anrufen")
    parent.send(Text(phone))
    parent.press("Mitte")
    parent.press("Vormittags (9–12 Uhr)")
    parent.press("In den nächsten Tagen")
    parent.send(Text("Ali"))
    parent.send(Text("Brief vom Jobcenter"))


def test_callback_request_with_consent_creates_request_and_confirms_reference(ctx: Context) -> None:
    parent = Parent(ctx)
    walk_to_consent(parent)
    assert "+492341234567" in parent.screen and "Ali" in parent.screen
    parent.press("Ja, ich bin einverstanden")
    consent = [e for e in parent.effects if isinstance(e, RecordConsent)]
    assert consent == [RecordConsent("callback", "callback-consent", 2, "de", "given")]
    request = next(e for e in parent.effects if isinstance(e, CreateRequest))
    assert request.slots["phone"] == "+492341234567"
    assert request.slots["topic"] == "money" and request.slots["district"] == "mitte"
    screen = parent.send(HandoffDone("R-2026-0042"))
    assert "R-2026-0042" in screen
    assert parent.session.slots == {}  # the personal data now lives only in the request


def test_declined_consent_drops_everything_collected(ctx: Context) -> None:
    parent = Parent(ctx)
    walk_to_consent(parent)
    screen = parent.press("Nein, lieber nicht")
    assert "verworfen" in screen
    assert not any(isinstance(e, (CreateRequest, RecordConsent)) for e in parent.effects)
    assert "+492341234567" not in str(parent.session.to_json())
    assert "Ali" not in str(parent.session.to_json())


def test_invalid_phone_gets_a_translated_hint_and_stays(ctx: Context) -> None:
    parent = Parent(ctx)
    parent.send(Command("start"))
    parent.press("English")
    en = ctx.i18n.catalogs["en"]
    parent.press(en["📞 Rückruf anfordern"])
    parent.press(en["🏠 Wohnen"])
    parent.press(en["📞 Bitte anrufen"])
    screen = parent.send(Text("12"))
    assert screen.startswith(
        en["Das sieht nicht wie eine Telefonnummer aus. Bitte schreiben Sie zum Beispiel: {example}"][:20]
    )
    assert "0234 1234567" in screen
    assert parent.session.at == "callback/phone"


def test_emergency_while_asking_for_a_phone_number_shows_the_numbers_and_asks_again(ctx: Context) -> None:
    parent = Parent(ctx)
    parent.send(Command("start"))
    parent.press("Deutsch")
    parent.press("📞 Rückruf anfordern")
    parent.press("🏠 Wohnen")
    parent.press("📞 Bitte anrufen")
    screen = parent.send(Text("Mein Mann schlägt mich"))
    assert "110" in screen and "116 016" in screen and "+49 234 000000" in screen
    assert screen.index("116 016") < screen.index("Telefonnummer")  # the numbers lead, the question follows
    assert parent.session.at == "callback/phone" and parent.session.slots["sos"] == "violence"
    assert "🆘 Notfall" in parent.buttons()


def test_emergency_keyword_in_another_enabled_language(ctx: Context) -> None:
    parent = Parent(ctx)
    parent.send(Command("start"))
    parent.press("Deutsch")
    assert "116 016" in parent.send(Text("help, violence at home"))


def test_forged_button_data_answers_politely(ctx: Context) -> None:
    parent = Parent(ctx)
    parent.send(Command("start"))
    parent.press("Deutsch")
    for forged in ("c:callback/consent:y", "o:callback/phone:99", "x" * 64, "o:main/menu:999", "k:nope/x:"):
        screen = parent.send(Pressed(forged))
        assert "nicht mehr aktiv" in screen, forged
        assert not any(isinstance(e, (CreateRequest, RecordConsent)) for e in parent.effects)


def test_vanished_node_after_content_change_restarts_politely(ctx: Context) -> None:
    parent = Parent(ctx)
    parent.send(Command("start"))
    parent.press("Deutsch")
    parent.session.at = "callback/removed_in_new_version"
    screen = parent.send(Text("hallo"))
    assert "Wobei können wir helfen?" in screen
    assert parent.session.at == "main/menu"


def test_too_long_note_is_refused_with_the_limit(ctx: Context) -> None:
    parent = Parent(ctx)
    walk_to_consent(parent)
    parent.press("↩ Zurück")  # back to the note
    screen = parent.send(Text("x" * 301))
    assert "300" in screen
    assert parent.session.at == "callback/note"


def test_bidi_override_and_markup_in_name_are_cleaned(ctx: Context) -> None:
    parent = Parent(ctx)
    walk_to_consent(parent)
    parent.press("↩ Zurück")
    parent.press("↩ Zurück")
    parent.send(Text("Ali\u202e<b>x</b>"))
    assert parent.session.slots["name"] == "Ali<b>x</b>"  # markup stays text; adapters escape it


def test_sticker_gets_a_translated_answer(ctx: Context) -> None:
    parent = Parent(ctx)
    parent.send(Command("start"))
    parent.press("English")
    en = ctx.i18n.catalogs["en"]
    screen = parent.send(Unsupported("sticker"))
    assert screen.startswith(en[T.UNSUPPORTED])
    assert en[T.UNSUPPORTED] != T.UNSUPPORTED


def test_staff_may_give_a_request_number_short() -> None:
    from bot.core.staffcmd import StaffAction, normalise_reference, parse_staff

    assert normalise_reference("1", 2026) == "R-2026-0001"
    assert normalise_reference("r-2025-0042", 2026) == "R-2025-0042"
    assert normalise_reference("Anfrage", 2026) is None
    assert parse_staff(Command("erledigt", "42"), 2026) == StaffAction("done", "R-2026-0042", "", short=True)
    assert parse_staff(Command("erledigt", ""), 2026) == StaffAction("usage", None, "done")
    assert parse_staff(Pressed("q:claim:R-2026-0001;DROP"), 2026) == StaffAction("invalid")
    assert parse_staff(Text("R-2026-0001 rufe ich an"), 2026) is None  # an internal note


def test_superscript_and_other_unicode_digits_do_not_crash_the_engine(ctx: Context) -> None:
    # Regression: "²".isdigit() is true but int("²") raises; one such message stopped the whole service.
    parent = Parent(ctx)
    parent.send(Command("start"))
    parent.press("Deutsch")
    for typed in ("²", "①", "9" * 50):
        assert "Bitte tippen Sie auf eine der Schaltflächen." in parent.send(Text(typed))
    for forged in ("o:main/menu:²", "o:callback/topic:①"):
        assert "nicht mehr aktiv" in parent.send(Pressed(forged))
    assert "U-Heft" in parent.send(Text("٣"))  # Arabic-Indic three chooses the third topic, as 3 would


def test_platform_events_never_reach_the_dialog(ctx: Context) -> None:
    from bot.core.events import ChatMoved, Reachability

    parent = Parent(ctx)
    parent.send(Command("start"))
    before = parent.session.to_json()
    assert parent.send(ChatMoved("telegram:-100")) == "" and parent.send(Reachability(False)) == ""
    assert parent.session.to_json() == before


def test_delete_asks_once_more_and_no_keeps_everything(ctx: Context) -> None:
    from bot.core.events import DataRequest

    parent = Parent(ctx)
    parent.send(Command("start"))
    parent.press("Deutsch")
    assert "Wirklich alles löschen?" in parent.send(Command("delete"))
    assert not any(isinstance(e, DataRequest) for e in parent.effects)
    assert "Wobei können wir helfen?" in parent.press("Nein, zurück")
    parent.send(Command("delete"))
    parent.press("Ja, alles löschen")
    assert parent.effects == [DataRequest("delete")]


def test_an_old_erase_confirmation_erases_nothing(ctx: Context) -> None:
    # Regression: the "Ja, alles löschen" button of a /delete asked long ago (or answered by something else since)
    # still erased everything when pressed later.
    from dataclasses import replace

    from bot.core.engine import DELETE_WINDOW
    from bot.core.events import DataRequest, Refused

    parent = Parent(ctx)
    parent.send(Command("start"))
    parent.press("Deutsch")
    parent.send(Command("delete"))
    confirm = parent.buttons()["Ja, alles löschen"]
    parent.press("Nein, zurück")
    parent.send(Pressed(confirm))
    assert [e.kind for e in parent.effects if isinstance(e, Refused)] == ["old_step"]
    assert not any(isinstance(e, DataRequest) for e in parent.effects)

    parent.send(Command("delete"))
    parent.send(Text("Wann ist die Sprechstunde?"))  # typed something else: the question is withdrawn
    parent.send(Pressed(confirm))
    assert not any(isinstance(e, DataRequest) for e in parent.effects)
    assert [e.kind for e in parent.effects if isinstance(e, Refused)] == ["old_step"]

    parent.send(Command("delete"))
    parent.ctx = replace(ctx, now=ctx.now + DELETE_WINDOW + DELETE_WINDOW)  # the family walked away
    parent.send(Pressed(confirm))
    assert not any(isinstance(e, DataRequest) for e in parent.effects)
    assert any(isinstance(e, Refused) for e in parent.effects)

    parent.ctx = ctx
    parent.send(Command("delete"))
    parent.send(Pressed(confirm))
    assert parent.effects == [DataRequest("delete")]


def test_emergency_words_fold_whatever_the_case_and_accents() -> None:
    # Regression: a phone capitalising "İntihar" (Turkish) turned it into "i ntihar", which matched nothing.
    assert words("İntihar etmek istiyorum")[0] == words("intihar")[0]
    assert words("Mein Mann SCHLAGT mich") == words("mein mann schlägt mich")
    assert words("زوجي يَضربني") == words("زوجى يضربنى")


def test_help_lists_reminders_among_the_commands_in_the_familys_language(ctx: Context) -> None:
    parent = Parent(ctx)
    parent.send(Command("start"))
    parent.press("English")
    screen = parent.send(Command("help"))
    assert "/reminders – reminders of drop-in hours" in screen
    assert screen.index("/hours") < screen.index("/reminders") < screen.index("/callback")
