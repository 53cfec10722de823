"""Readability (LIX) of German and Easy German texts, as `elternlotse check` prints and enforces it."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bot.core.check import Message, check_readability, source_messages
from bot.core.readability import EASY_LIX_MAX, score

ROOT = Path(__file__).resolve().parent.parent.parent
HARD = (
    "Die Beantragung von Unterhaltsvorschussleistungen erfordert grundsätzlich die Vorlage sämtlicher "
    "einkommensrelevanter Nachweise beider Elternteile gegenüber der zuständigen Behörde."
)


def test_lix_is_words_per_sentence_plus_the_share_of_long_words() -> None:
    # 14 words in 2 sentences; long (more than 6 letters): Sprechstunde, brauchen (Kommen, keinen, nichts have 6).
    found = score("Kommen Sie in die offene Sprechstunde. Sie brauchen dafür keinen Termin und zahlen nichts.")
    assert found is not None and (found.words, found.sentences, found.long_words) == (14, 2, 2)
    assert found.lix == pytest.approx(14 / 2 + 100 * 2 / 14)


def test_placeholders_commands_and_digits_are_not_words_and_a_hyphenated_compound_is_one() -> None:
    found = score("Ihre Nummer ist {reference}. Schreiben Sie /delete oder rufen Sie 0800 111 0 111 an. Telefon-Nummer")
    assert found is not None and (found.words, found.sentences, found.long_words) == (10, 3, 2)  # two long ones
    assert score("🆘 Notfall") is None  # a label says too little for a figure


def write_catalog(locales: Path, lang: str, entries: dict[str, str]) -> None:
    catalog = Catalog(locale="de")
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr)
    (locales / lang / "LC_MESSAGES").mkdir(parents=True)
    with (locales / lang / "LC_MESSAGES" / "elternlotse.po").open("wb") as fh:
        write_po(fh, catalog)


def test_an_easy_german_text_over_the_threshold_fails_the_check_naming_where_it_stands(tmp_path: Path) -> None:
    source = "Wir helfen Ihnen gern bei allen Fragen zu Geld, Wohnung und Kind. Kommen Sie einfach vorbei."
    write_catalog(tmp_path, "de_easy", {source: HARD})
    figures, problems = check_readability([Message(source, "dialogs/flows/x.yaml", 7, "x/y")], tmp_path,
                                          ["de", "de_easy"])  # fmt: skip
    assert len(problems) == 1 and "dialogs/flows/x.yaml:7 x/y" in str(problems[0])
    assert f"> {EASY_LIX_MAX:.0f}" in str(problems[0])
    assert any(line.startswith("  LIX de ") and "x.yaml:7" in line for line in figures)
    # Easy German switched off: German figures only, nothing to enforce.
    figures, problems = check_readability([Message(source, "x.yaml", 7, "x/y")], tmp_path, ["de"])
    assert problems == [] and "de_easy     –" in figures[1]


def test_every_shipped_easy_german_text_is_easier_than_the_threshold_and_german_is_measured_too() -> None:
    figures, problems = check_readability(source_messages(ROOT), ROOT / "locales", ["de", "de_easy"])
    assert problems == []
    summary = {line.split(":")[0].strip(): line for line in figures if line.startswith("  de")}
    assert set(summary) == {"de", "de_easy"}
    assert "median" in summary["de"] and "median" in summary["de_easy"]
