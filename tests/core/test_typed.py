"""What people type: joiners kept where a script needs them; bidi tricks and invisible characters removed."""

from __future__ import annotations

from bot.core.engine import Context
from bot.core.events import Text
from bot.core.typed import clean_text
from tests.core.test_engine import Parent, walk_to_consent

ZWNJ, ZWJ = "\u200c", "\u200d"


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

