"""The emergency model beside the patterns: what it adds, what it may silence, and that it is the one trained on the
labelled lines there are. Its rates on lines nobody trained on are measured by bench/emergency_model.py."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from bot.core.emergency import Category, Matcher
from bot.core.emergency_model import ALARM_WORDS, VETO_WORDS, grams, load_model
from bot.emergency_learn import digest, labelled_files, read_lines, vectors
from tests.core.test_emergency_families import FAMILIES

ROOT = Path(__file__).resolve().parent.parent.parent
DATA = ROOT / "tests" / "data"


def test_the_shipped_model_learnt_from_the_labelled_lines_there_are_now() -> None:
    # A line added to tests/data changes nothing until `elternlotse learn` is run; `elternlotse check` fails too.
    model = load_model(ROOT / "locales")
    assert model is not None
    assert model.source == digest(labelled_files(DATA)), "run: .venv/bin/elternlotse learn"


def test_the_bot_reads_a_line_as_training_did(tmp_path: Path) -> None:
    """One way of reading features, two ways of computing: the sparse matrix scikit-learn learns from
    (`bot.emergency_learn.vectors`), and the dictionary lookups of the running bot, on the same weights (seeded
    random ones here: scikit-learn's solver aborts inside the test process beside the bot's other native libraries;
    `elternlotse learn` and bench/emergency_model.py train in processes of their own)."""
    rows = read_lines([DATA / "emergency_cases.tsv"])[::5]
    features = [grams(text) for _, _, text in rows]
    chars = sorted({gram for feature in features for gram in feature[0]})
    vocabulary = chars + sorted({gram for feature in features for gram in feature[1]})
    generator = np.random.default_rng(7)
    arrays = {
        "vocabulary": np.array("\n".join(vocabulary)),
        "idf": generator.uniform(1, 5, len(vocabulary)).astype(np.float16),
        "weights": generator.normal(0, 2, (len(vocabulary), 8)).astype(np.float16),
        "intercepts": generator.normal(0, 1, 8),
        "categories": np.array("\n".join(c.value for c in Category)),
        "chars": np.array(len(chars)),
        "source": np.array("test"),
    }
    with (tmp_path / "emergency_model.npz").open("wb") as fh:
        np.savez_compressed(fh, **arrays)
    model = load_model(tmp_path)
    assert model is not None
    index = {gram: i for i, gram in enumerate(vocabulary)}
    matrix = vectors(features, index, arrays["idf"].astype(np.float64))
    scores = matrix @ arrays["weights"].astype(np.float64) + arrays["intercepts"]
    for (_, _, text), score in zip(rows, scores, strict=True):
        judged = model.judge(text, kinds=True)
        assert judged.probability == pytest.approx(1 / (1 + math.exp(-score[0])), abs=1e-6), text
        assert judged.categories == tuple(list(Category)[int(i)] for i in np.argsort(-score[1:])[:2]), text


def test_the_model_recognises_a_danger_no_pattern_names(matcher: Matcher, patterns_alone: Matcher) -> None:
    # A neighbour's message about a woman pushed down the stairs who cannot get up: no pattern says it.
    line = "Meine Nachbarin schreibt gerade, ihr Freund hat sie die Treppe runtergestoßen und sie kann nicht aufstehen"
    assert not patterns_alone.detect(line, {"de", "en"})
    assert matcher.detect(line, {"de", "en"})
    assert matcher.detect(line, None)  # before a language is chosen too


def test_a_sure_model_silences_a_look_alike_a_pattern_matched(matcher: Matcher, patterns_alone: Matcher) -> None:
    # A fall from a loft bed last week, seen by the doctor, all well: a question about a certificate. (The first
    # example, "ich schlage mich mit dem Antrag herum", scored 0.21 once the model learnt the families' file: that
    # idiom is the patterns' to exclude, and it is, in locales/de/emergency.yaml.)
    line = (
        "Meine Tochter ist vorige Woche vom Hochbett auf den Kopf gefallen, der Arzt hat alles untersucht und es geht"
        " ihr gut. Braucht die Kita eine Bescheinigung?"
    )
    assert patterns_alone.detect(line, {"de", "en"}).categories == (Category.MEDICAL,)
    assert not matcher.detect(line, {"de", "en"})
    assert not matcher.detect(line, None)


def test_struggling_with_a_form_is_no_beating(patterns_alone: Matcher) -> None:
    # "sich mit einem Antrag herumschlagen": an idiom the model alone once silenced (0.19), then no longer (0.21).
    for line in (
        "Ich schlage mich seit Wochen mit dem Antrag auf Kinderzuschlag herum, können Sie helfen?",
        "wir schlagen uns schon ewig mit dem Vermieter wegen der Nebenkosten rum",
    ):
        assert not patterns_alone.detect(line, {"de", "en"}), line
    assert patterns_alone.detect("Er schlägt mich mit dem Gürtel, ich habe Angst", {"de", "en"})


@pytest.mark.parametrize("line", ["Mein Kind hat einen Anfall.", "er krampft, früher hatte er das auch"])
def test_a_short_line_a_pattern_recognised_is_never_silenced_by_the_model(matcher: Matcher, line: str) -> None:
    # Regression: the model gave these 0.02-0.06 ("Anfall" and "früher" stand in many look-alikes of its training
    # lines); a line shorter than VETO_WORDS gives it too little to overrule the office's pattern.
    assert len(line.split()) < VETO_WORDS
    assert matcher.detect(line, {"de", "en"}).categories == (Category.MEDICAL,)


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("bg", "не"),
        ("pl", "nie"),
        ("de", "ja bitte"),
        ("de", "Vormittags (9–12 Uhr)"),
        ("ar", "0234 1234567 Durchwahl 12"),
    ],
)
def test_the_model_alone_raises_no_alarm_on_a_word_or_two(matcher: Matcher, lang: str, line: str) -> None:
    # Regression: "не" (no) alone scored 0.99: one word says too little, and everyday answers are often one word;
    # a time window chosen by typing it and a phone number with an extension raised alarms: numbers are no words.
    assert len([w for w in line.split() if not w.strip("()").replace("–", "").isdigit()]) < ALARM_WORDS
    assert not matcher.detect(line, {lang, "de", "en"})


@pytest.mark.parametrize(("lang", "text", "category"), FAMILIES)
def test_the_model_never_silences_a_family_the_patterns_know(
    matcher: Matcher, lang: str, text: str, category: Category
) -> None:
    assert category in matcher.detect(text, {lang, "de", "en"}).categories, text


def test_explain_shows_the_models_view_where_no_pattern_matched(matcher: Matcher) -> None:
    # What `elternlotse why` prints (its subprocess is tested in tests/core/test_emergency.py).
    found, trace = matcher.explain("ihr Freund hat sie die Treppe runtergestoßen", {"de", "en"})
    assert found
    assert not [line for line in trace if line.startswith("match ")]
    assert [line for line in trace if line.startswith("model: emergency 0.")]


def test_the_bots_own_short_texts_rarely_raise_the_models_alarm(matcher: Matcher, patterns_alone: Matcher) -> None:
    """Regression: the model took short lines for cries: "Weiß ich nicht" 0.96, "Bitte heute noch" 0.99, and 9 % of
    the bot's own short texts (labels, answers a family copies or types) raised its alarm. The catalogs are never
    training data: a check on short everyday lines nobody trained on (3.6 % of 1,524 after the short everyday lines
    of tests/data were learnt; held to the issue's 5 % for false alarms). Texts whose German source the patterns
    take for an emergency (the category names of the emergency screen) do not count."""
    from babel.messages.pofile import read_po

    texts: set[str] = set()
    for po in sorted((ROOT / "locales").glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        for message in catalog:
            source, target = message.id, message.string
            if not (isinstance(source, str) and isinstance(target, str) and source and target):
                continue
            if patterns_alone.detect(source, None):
                continue
            texts |= {t for t in (source, target) if len(t.split()) <= 8 and "{" not in t}
    assert len(texts) > 1200
    alarms = sorted(t for t in texts if matcher.detect(t, None))
    assert len(alarms) / len(texts) <= 0.05, alarms[:20]
    for line in ("Weiß ich nicht", "Bitte heute noch", "💬 Hier im Chat schreiben", "Chat beenden und Daten löschen"):
        assert not matcher.detect(line, {"de", "en"}), line


def test_the_kind_the_model_finds_likeliest_leads_a_patterns_match(matcher: Matcher, patterns_alone: Matcher) -> None:
    # Urgency alone led with the police for abuse and for a toddler on a window ledge; the model's kind now leads
    # where the patterns found it too (both leads stay on the screen).
    cases = [
        ("my child was sexually abused", Category.SEXUAL_ABUSE, Category.VIOLENCE),
        ("my 2 yr old is sitting on the window ledge outside and i cant reach him", Category.CHILD_DANGER, None),
    ]
    for line, kind, other in cases:
        assert patterns_alone.detect(line, {"de", "en"}).categories[0] != kind, line
        led = matcher.detect(line, {"de", "en"}).categories
        assert led[0] == kind and set(patterns_alone.detect(line, {"de", "en"}).categories) <= set(led), line
        assert other is None or other in led
