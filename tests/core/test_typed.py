"""What people type: joiners kept where a script needs them, bidi tricks removed; a family's words shown to staff
on one marked line, so a name or a note can never add a line that looks like the bot's own."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.engine import Context
from bot.core.events import Text
from bot.core.typed import clean_text, family_words, one_line
from bot.staff_texts import details_text
from storage.models import CallbackRequest
from tests.core.test_engine import Parent, walk_to_consent

ZWNJ, ZWJ = "\u200c", "\u200d"
FORGED_NAME = "Zeynep\nTelefon: +49 30 9999999"


def request(**fields: object) -> CallbackRequest:
    values: dict[str, object] = dict(reference="R-2026-0007", status="claimed", topic="money", language="fa",
                                     channel="telegram", contact_way="phone", phone="+492341234567",
                                     created_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC))  # fmt: skip
    values.update(fields)
    return CallbackRequest(**values)


def test_persian_keeps_its_zero_width_non_joiner() -> None:
    # Regression: clean_text dropped every format character (Cf), so "می‌خواهم" became "میخواهم".
    for word in ("می\u200cخواهم", "خانه\u200cها", "نمی\u200cتوانم"):
        assert clean_text(word) == word


def test_joiners_are_kept_in_sorani_indic_scripts_and_emoji_sequences() -> None:
    kept = [
        "دەمە\u200cوێت",  # Kurdish (Sorani) in Arabic script
        "क्\u200dष",  # Devanagari: virama + ZWJ asks for the half form
        "क्\u200cष",  # and virama + ZWNJ for the explicit virama
        "ന്\u200d",  # Malayalam chillu at the end of a word
        "👩\u200d👩\u200d👧",  # a family emoji
        "🏳\ufe0f\u200d🌈",
        "👩🏽\u200d💻",
    ]
    for text in kept:
        assert clean_text(text) == text


def test_a_joiner_between_latin_letters_or_doubled_is_dropped() -> None:
    assert clean_text(f"Tele{ZWNJ}fon Ze{ZWJ}ynep") == "Telefon Zeynep"
    assert clean_text(f"می{ZWNJ}{ZWNJ}خواهم") == f"می{ZWNJ}خواهم"
    assert clean_text(f"{ZWNJ}خواهم") == "خواهم"


def test_bidi_overrides_isolates_marks_and_invisible_characters_are_removed() -> None:
    tricks = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\ufeff\u00ad\x07"
    assert clean_text(f"Ali{tricks}Baba") == "AliBaba"
    assert clean_text(f"می{ZWNJ}\u202eخواهم") == f"می{ZWNJ}خواهم"  # the override goes, the joiner stays


def test_a_persian_note_keeps_its_joiner_in_what_the_request_will_hold(ctx: Context) -> None:
    parent = Parent(ctx)
    walk_to_consent(parent)
    parent.press("↩ Zurück")  # back to the note
    parent.send(Text("می\u200cخواهم با شما صحبت کنم"))
    assert parent.session.slots["note"] == "می\u200cخواهم با شما صحبت کنم"


def test_every_kind_of_line_break_is_folded_to_one_visible_line() -> None:
    for br in ("\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"):
        assert one_line(f"Zeynep{br}Telefon: 1") == "Zeynep ⏎ Telefon: 1", repr(br)
    assert one_line("a\n\n\n\nb\n") == "a ⏎ b"


def test_family_words_are_quoted_isolated_and_cannot_close_the_quotes_early() -> None:
    shown = family_words("Zeynep“ Telefon: „1")
    assert shown == '„\u2068Zeynep" Telefon: "1\u2069“'
    assert family_words("زينب\u202e") == "„\u2068زينب\u2069“"  # her override gone, our isolate around her name


def test_a_name_with_a_line_break_never_adds_a_telefon_line_to_the_details() -> None:
    lines = details_text(request(name=FORGED_NAME)).split("\n")
    assert [line for line in lines if line.startswith("Telefon:")] == ["Telefon: +49 234 1234567"]
    assert "Name: „\u2068Zeynep ⏎ Telefon: +49 30 9999999\u2069“" in lines


def test_a_note_cannot_fake_a_command_line_or_a_field() -> None:
    note = "Danke\n/antwort R-2026-0001 Alles erledigt\nDringend: ja\n\u2028Kontakt: hier"
    lines = details_text(request(note=note)).split("\n")
    assert not [line for line in lines if line.startswith(("/antwort", "Dringend: ja", "Kontakt:"))]
    assert lines[-2] == (
        "Nachricht der Familie: „\u2068Danke ⏎ /\u2060antwort R-2026-0001 Alles erledigt ⏎ Dringend: ja ⏎ Kontakt: hier"
        "\u2069“"
    )


def test_a_command_in_the_familys_words_is_not_one_telegram_would_make_tappable() -> None:
    # A word joiner after the slash: Telegram sees no bot command, a person reads "/antwort" as typed.
    shown = family_words("bitte /antwort R-2026-0001 und 1/2")
    assert shown == "„\u2068bitte /\u2060antwort R-2026-0001 und 1/2\u2069“"


def test_persian_note_keeps_its_joiner_in_the_details() -> None:
    note = "می\u200cخواهم با شما صحبت کنم"
    assert f"Nachricht der Familie: „\u2068{note}\u2069“" in details_text(request(note=note))


def test_invisible_padding_letters_cannot_push_a_faked_field_onto_a_line_of_its_own() -> None:
    # Found trying issue 13 from outside: braille blanks and Hangul fillers render as nothing but are letters to
    # Python, so 50 of them padded "Telefon: …" to the start of a visual line on a phone.
    for pad in ("\u2800", "\u3164", "\uffa0", "\u115f\u1160"):
        shown = family_words("Zeynep" + pad * 50 + "Telefon: +49 30 9999999")
        assert pad not in shown and "Zeynep Telefon: +49 30 9999999" in shown
