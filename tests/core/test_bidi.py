"""Right to left by the renderer: what Arabic, Persian (and Sorani) families see, laid out by the Unicode bidi
algorithm (python-bidi), shows every number, time and reference in its own order."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

import pytest
from bidi import get_display

from bot.core.bidi import FSI, PDI, isolate, shape
from bot.core.dialogs import Content
from bot.core.emergency import Matcher
from bot.core.engine import Context, step
from bot.core.events import Command, HandoffDone, Reply, Session, Text
from bot.core.hours import HoursData
from bot.core.i18n import I18n, load_i18n
from tests.conftest import PARAMS, ROOT

RTL = [lang for lang in ("ar", "fa", "ckb") if (ROOT / "locales" / lang / "LC_MESSAGES" / "elternlotse.po").exists()]
CONTROLS = str.maketrans("", "", "\u2066\u2067\u2068\u2069\u200e\u200f")
HELPLINES = ["110", "112", "116 016", "0800 111 0 111", "0800 111 0 222", "0800 111 0 550", "116 111",
             "0800 40 40 020", "116 117", "+49 234 000000"]  # fmt: skip


def visual(text: str) -> list[str]:
    """Each line as a right-to-left phone shows it, left to right, without the invisible controls."""
    return [get_display(line, base_dir="R").translate(CONTROLS) for line in text.split("\n")]


def unisolated_digits(text: str) -> list[str]:
    """Digits the text leaves outside every isolate (each such digit group may swap with its neighbours)."""
    outside, depth = [], 0
    for ch in text:
        if ch == FSI:
            depth += 1
        elif ch == PDI:
            depth = max(0, depth - 1)
        elif ch == "\n":
            depth = 0
        elif depth == 0 and ch.isdigit():
            outside.append(ch)
    return outside


def every_isolate_shows_in_order(text: str) -> None:
    """Each left-to-right unit the text isolates (a number, time, date, reference, Latin name) appears, character
    for character, in the line's visual order: none is reversed or split by its neighbours."""
    for line in text.split("\n"):
        shown = get_display(line, base_dir="R").translate(CONTROLS)
        for unit in re.findall(f"{FSI}([^{FSI}{PDI}]*){PDI}", line):
            if not any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in unit):
                assert unit in shown, f"{unit!r} is not shown in order in {shown!r}"


def without_isolates(i18n: I18n) -> I18n:
    """The same catalogs with every isolate a translator typed taken out: the code alone must be enough."""
    strip = str.maketrans("", "", FSI + PDI)
    catalogs = {lang: {k: v.translate(strip) for k, v in cat.items()} for lang, cat in i18n.catalogs.items()}
    return I18n(catalogs, i18n.enabled)


@pytest.fixture(scope="module", params=["as shipped", "isolates stripped"])
def rtl_i18n(request: pytest.FixtureRequest) -> I18n:
    loaded = load_i18n(ROOT / "locales", ["de", *RTL])
    return loaded if request.param == "as shipped" else without_isolates(loaded)


def screen(ctx: Context, session: Session, event: Command | HandoffDone) -> str:
    _, effects = step(session, event, ctx)
    return "\n".join(e.text for e in effects if isinstance(e, Reply))


def context(content: Content, i18n: I18n, hours: HoursData, matcher: Matcher) -> Context:
    return Context(content, i18n, hours, datetime(2026, 11, 25, 11, 0, tzinfo=UTC), PARAMS, matcher)


@pytest.mark.parametrize("lang", RTL)
def test_every_helpline_number_on_the_emergency_screen_shows_its_digit_groups_in_order(
    lang: str, rtl_i18n: I18n, content: Content, hours: HoursData, matcher: Matcher
) -> None:
    text = screen(context(content, rtl_i18n, hours, matcher), Session(lang=lang), Command("emergency"))
    assert unisolated_digits(text) == []
    every_isolate_shows_in_order(text)
    shown = "\n".join(visual(text))
    for number in HELPLINES:
        assert number in shown, f"{number!r} not in order on the {lang} emergency screen:\n{shown}"
    assert "016 116" not in shown and "550 0 111 0800" not in shown
    # Two numbers on one line read from the right: the first one written stands to the right.
    line = next(v for v in visual(text) if "0800 111 0 111" in v)
    assert line.index("0800 111 0 111") > line.index("0800 111 0 222")


@pytest.mark.parametrize("lang", RTL)
def test_consultation_hours_show_day_times_and_the_offices_address_in_order(
    lang: str, rtl_i18n: I18n, content: Content, hours: HoursData, matcher: Matcher
) -> None:
    text = screen(context(content, rtl_i18n, hours, matcher), Session(lang=lang), Command("hours"))
    assert unisolated_digits(text) == []
    every_isolate_shows_in_order(text)
    shown = "\n".join(visual(text))
    # Thursday 26 November, 14:00–16:00, Beispielplatz 2, 44787 Bochum: each time and address whole.
    assert re.search(r"\b2:00\b|\b14:00\b|۱۴:۰۰", shown), shown
    assert "Beispielplatz 2, 44787 Bochum (BEISPIEL)" in shown
    assert "Jugendamt, Beratungsraum (BEISPIEL)" in shown
    assert "44787 2" not in shown and "2 Beispielplatz" not in shown


@pytest.mark.parametrize("lang", RTL)
def test_the_callback_confirmation_shows_the_reference_whole(
    lang: str, rtl_i18n: I18n, content: Content, hours: HoursData, matcher: Matcher
) -> None:
    ctx = context(content, rtl_i18n, hours, matcher)
    text = screen(ctx, Session(lang=lang, at="callback/handoff"), HandoffDone("R-2026-0042"))
    assert unisolated_digits(text) == []
    every_isolate_shows_in_order(text)
    shown = "\n".join(visual(text))
    assert "R-2026-0042" in shown
    assert "0042-2026-R" not in shown and "2026-0042-R" not in shown


def test_shaping_twice_changes_nothing_and_punctuation_stays_outside() -> None:
    once = shape("اتصل بالرقم 116 016. رقمك R-2026-0001، الساعة 9–17")
    assert shape(once) == once
    assert f"{FSI}116 016{PDI}." in once  # the full stop ends the Arabic sentence, not the number
    assert f"{FSI}R-2026-0001{PDI}،" in once
    assert f"{FSI}9–17{PDI}" in once
    assert shape(f"ساعت {FSI}9–17{PDI}") == f"ساعت {FSI}9–17{PDI}"  # a translator's isolate is kept, not doubled
    assert isolate(f"{FSI}9{PDI}–{FSI}17{PDI}") == f"{FSI}{FSI}9{PDI}–{FSI}17{PDI}{PDI}"  # two isolates are not one


def test_a_text_still_to_be_formatted_keeps_its_placeholders() -> None:
    # Regression: a template fetched through I18n.t without values came back with "{\u2068date\u2069}".
    assert shape("سنتصل بكم يوم {date} بين الساعة {time_window}.") == "سنتصل بكم يوم {date} بين الساعة {time_window}."
    assert shape("{day}، {start}–{end} 2026") == f"{{day}}، {{start}}–{{end}} {FSI}2026{PDI}"


def test_a_numbered_option_reads_number_then_full_stop_from_the_right() -> None:
    shaped = shape("1. المال")
    assert shaped == f"{FSI}1{PDI}. المال"
    assert get_display(shaped, base_dir="R").translate(CONTROLS) == "لاملا .1"


def test_a_bot_command_and_a_bracketed_sample_stay_whole() -> None:
    assert shape("اكتب /delete الآن") == f"اكتب {FSI}/delete{PDI} الآن"
    assert shape("+49 234 000000 (SAMPLE) اتصل") == f"{FSI}+49 234 000000 (SAMPLE){PDI} اتصل"
    assert shape("مكتب (Jugendamt) هنا") == f"مكتب ({FSI}Jugendamt{PDI}) هنا"


def test_an_emoji_and_a_combining_accent_are_no_reason_to_split_or_isolate() -> None:
    assert shape("اضغطوا «🆘 طوارئ»") == "اضغطوا «🆘 طوارئ»"
    assert shape("Ame\u0301lie هنا") == f"{FSI}Ame\u0301lie{PDI} هنا"


def test_a_right_to_left_catalog_babel_knows_is_shaped_before_the_language_list_names_it() -> None:
    # Sorani (ckb) is right to left in CLDR; its direction comes from babel, not from a list in the code.
    i18n = I18n({"ckb": {"Rufen Sie 116 016 an.": "پەیوەندی بکە بە 116 016."}}, ["de", "ckb"])
    assert i18n.t("ckb", "Rufen Sie 116 016 an.") == f"پەیوەندی بکە بە {FSI}116 016{PDI}."
    assert i18n.t("de", "Rufen Sie 116 016 an.") == "Rufen Sie 116 016 an."


@pytest.mark.parametrize("lang", RTL)
def test_the_consent_summary_shows_a_typed_latin_name_and_the_phone_number_in_order(
    lang: str, rtl_i18n: I18n, content: Content, hours: HoursData, matcher: Matcher
) -> None:
    ctx = context(content, rtl_i18n, hours, matcher)
    session = Session(lang=lang, at="callback/name", slots={"topic": "money", "phone": "+492341234567"})
    text = screen(ctx, session, Text("Anna Maria Schmidt"))
    every_isolate_shows_in_order(text)
    shown = "\n".join(visual(text))
    assert "Anna Maria Schmidt" not in shown  # the note question comes first; the name waits in the session
    session = step(session, Text("Anna Maria Schmidt"), ctx)[0]
    text = screen(ctx, session, Text("Brief vom Jobcenter, 2 Seiten"))
    assert unisolated_digits(text) == []
    every_isolate_shows_in_order(text)
    shown = "\n".join(visual(text))
    assert "Anna Maria Schmidt" in shown and "+492341234567" in shown
    assert "Brief vom Jobcenter, 2 Seiten" in shown  # the family's own words: one unit, commas and all


@pytest.mark.parametrize("lang", RTL)
def test_button_labels_show_their_numbers_in_order_and_a_district_name_stays_as_written(
    lang: str, rtl_i18n: I18n, content: Content, hours: HoursData, matcher: Matcher
) -> None:
    ctx = context(content, rtl_i18n, hours, matcher)
    session = Session(lang=lang, at="callback/district", slots={"topic": "money", "phone": "+492341234567"})
    _, effects = step(session, Text("Mitte"), ctx)
    labels = [b.label for e in effects if isinstance(e, Reply) for row in e.buttons for b in row]
    morning = next(label for label in labels if "9" in label and "12" in label)
    assert unisolated_digits(morning) == []
    every_isolate_shows_in_order(morning)
    if "–" in morning:  # Arabic writes the range with a dash: it must not show "12–9"
        assert "9–12" in get_display(morning, base_dir="R").translate(CONTROLS)
    _, effects = step(Session(lang=lang, at="callback/phone", slots={"topic": "money"}), Text("0234 1234567"), ctx)
    assert "Mitte" in [b.label for e in effects if isinstance(e, Reply) for row in e.buttons for b in row]
