"""Secondary suppression: no count hidden as "< 5" (or "•") can be computed back from anything the report writes."""

from __future__ import annotations

import random
import re
from pathlib import Path

from bot.core.dialogs import load_content
from bot.core.hours import district_ids, district_name
from bot.core.hours_file import load_hours
from bot.core.outcomes import load_outcomes
from bot.figures import key
from bot.report.data import Counts, Quarter
from bot.report.funnel import following_steps
from bot.report.suppress import Mark, Sum, attack, suppress
from bot.report.tables import Build, Labels, build_tables
from bot.report.write import Report, build_report, write_report
from storage.kinds import Figure
from tests.report_attack import read_tables, recover

ROOT = Path(__file__).resolve().parents[1]
DIALOGS = ROOT / "dialogs"
TOPICS = ["money", "housing", "health", "upbringing", "crisis"]
LANGS = ["de", "ar", "uk", "ro", "tr", "fa"]
DISTRICTS = ["mitte", "wattenscheid", "nord", "ost"]
OUTCOMES = ["telefonberatung", "sprechstunde", "jobcenter", "erziehungsberatung", "familienbildung", "nicht_erreicht",
            "zurueckgezogen"]  # fmt: skip
CATEGORIES = ["button", "violence", "medical", "suicide"]


REQUEST_PATH = [
    "main/menu",
    "callback/topic",
    "callback/contact_way",
    "callback/district",
    "callback/time_window",
    "callback/urgency",
    "callback/name",
    "callback/note",
    "callback/consent",
    "callback/confirmed",
]
REMINDER_PATH = ["main/menu", "main/hours_offer", "reminders/district", "reminders/consent", "reminders/subscribed"]


def labels() -> Labels:
    hours = load_hours(DIALOGS / "hours.yaml")
    content, _ = load_content(DIALOGS / "flows")
    flows = sorted(content.flows.values(), key=lambda flow: flow.id != "main")
    return Labels(
        districts={d: district_name(hours, d) for d in district_ids(hours)},
        outcomes=load_outcomes(DIALOGS / "outcomes.yaml"),
        nodes=[node for flow in flows for node in flow.nodes],
        steps=following_steps(content),
    )


def walk(counts: Counts, path: list[str], lang: str) -> None:
    """The funnel's counters of one conversation along a path of the dialog files, as the runtime counts them."""
    for i, node in enumerate(path):
        counts.setdefault(Figure.REACHED, {}).setdefault(key(node, lang), 0)
        counts[Figure.REACHED][key(node, lang)] += 1
        if i:
            counts.setdefault(Figure.ONWARD, {}).setdefault(key(path[i - 1], lang), 0)
            counts[Figure.ONWARD][key(path[i - 1], lang)] += 1


def request_path(rng: random.Random) -> list[str]:
    path = list(REQUEST_PATH)
    if rng.random() < 0.3:
        path.insert(3, "callback/phone")  # "please call": the phone number first
    return path


def small_quarter(rng: random.Random, requests: int) -> Counts:
    """A quiet quarter: most breakdown cells small, so that many counts must be hidden. The dialog's paths draw from
    a generator of their own, so that the other counters come out as they always did for a seed."""
    counts: Counts = {}
    paths = random.Random(requests)

    def add(figure: Figure, k: str, n: int = 1) -> None:
        counts.setdefault(figure, {})[k] = counts.get(figure, {}).get(k, 0) + n

    for _ in range(requests):
        lang = rng.choices(LANGS, weights=[20, 6, 3, 1, 1, 1])[0]
        add(Figure.REQUEST, key(rng.choice(TOPICS), lang, rng.choice(DISTRICTS), "telegram", int(rng.random() < 0.2)))
        walk(counts, request_path(paths), lang)
        add(Figure.CONSENT, key("callback", "given"))
        if rng.random() < 0.9:
            add(Figure.OUTCOME, rng.choices(OUTCOMES, weights=[12, 3, 4, 4, 2, 1, 1])[0])
            add(Figure.CLAIM_CAL, str(rng.randrange(600)))
            add(Figure.CLAIM_OFFICE, str(rng.randrange(300)))
    for _ in range(rng.randrange(3, 12)):
        lang = rng.choice(["-", *LANGS])
        add(Figure.EMERGENCY, key(rng.choices(CATEGORIES, weights=[6, 2, 1, 1])[0], lang))
        walk(counts, ["emergency/start"] if lang == "-" else ["main/menu", "emergency/start"], lang)
    for _ in range(paths.randrange(0, 3 * requests)):  # families who stop on the way, a few at each step
        lang = paths.choices(LANGS, weights=[20, 6, 3, 1, 1, 1])[0]
        path = request_path(paths)
        walk(counts, path[: paths.randrange(1, len(path) - 1)], lang)
    for _ in range(rng.randrange(0, 12)):
        lang = rng.choice(LANGS)
        walk(counts, REMINDER_PATH, lang)
        add(Figure.REMINDER_SENT, key(lang), rng.randrange(1, 4))
        if rng.random() < 0.3:
            add(Figure.REMINDER_STOPPED, key(lang))
            add(Figure.CONSENT, key("reminders", "withdrawn"))
        add(Figure.CONSENT, key("reminders", "given"))
    if rng.random() < 0.3:
        add(Figure.CONSENT, key("callback", "withdrawn"), rng.randrange(1, 3))
    return counts


def written(out: Path, current: Counts, previous: Counts | None = None) -> Path:
    report = build_report(Quarter(2026, 4), current, previous or {}, labels())
    write_report(report, out)
    return out


def test_no_hidden_count_can_be_computed_from_the_html_and_csv_of_quiet_quarters(tmp_path: Path) -> None:
    rng = random.Random(17)
    hidden_seen = 0
    for i in range(16):
        previous = small_quarter(rng, rng.randrange(5, 40)) if i % 3 == 0 else None
        out = written(tmp_path / str(i), small_quarter(rng, rng.randrange(3, 60)), previous)
        assert recover(out) == {}, f"quarter {i}"
        hidden_seen += sum(row.count("< 5") + row.count("•") for t in read_tables(out).values() for row in t)
    assert hidden_seen > 150  # the quarters were quiet enough to test something


def test_one_small_topic_beside_the_total_hides_the_next_smallest_topic(tmp_path: Path) -> None:
    requests = {key("money", "de", "mitte", "telegram", 0): 20, key("housing", "de", "mitte", "telegram", 0): 9,
                key("health", "de", "mitte", "telegram", 0): 2}  # fmt: skip
    out = written(tmp_path, {Figure.REQUEST: requests})
    topics = {row[0]: row[1] for row in read_tables(out)["anfragen_thema"][1:]}
    assert topics == {"Geld und Leistungen": "20", "Wohnen": "•", "Gesundheit und Entwicklung": "< 5"}
    assert {row[0]: row[1] for row in read_tables(out)["ueberblick"][1:]}["Anfragen"] == "31"
    assert recover(out) == {}
    # The same report without secondary suppression gives the small count away: 31 - 20 - 9 = 2.
    leaky = tmp_path / "leaky"
    leaky.mkdir()
    for path in out.glob("*.csv"):
        text = path.read_text(encoding="utf-8-sig").replace("Wohnen;•", "Wohnen;9")
        (leaky / path.name).write_text(text, encoding="utf-8-sig")
    (leaky / "bericht.html").write_text((out / "bericht.html").read_text().replace(">•<", ">9<", 1))
    assert recover(leaky) == {("anfragen_thema", "Gesundheit und Entwicklung", 1): 2}


def test_hidden_counts_leave_no_trace_in_any_file_not_even_in_the_order_of_rows_or_a_chart(tmp_path: Path) -> None:
    """Quarters that differ only in hidden counts write byte for byte the same files (apart from the date)."""
    base = {key("money", "de", "mitte", "telegram", 0): 30}
    pairs = [  # a small count and the one withheld beside it; two small counts in either order of size
        ({"button": 20, "violence": 2, "suicide": 9}, {"button": 20, "violence": 4, "suicide": 7}),
        ({"button": 20, "violence": 1, "medical": 3}, {"button": 20, "violence": 3, "medical": 1}),
    ]
    for i, (one, other) in enumerate(pairs):
        a, b = (
            written(
                tmp_path / f"{i}{side}",
                {Figure.REQUEST: base, Figure.EMERGENCY: {key(c, "de"): n for c, n in e.items()}},
            )
            for side, e in (("a", one), ("b", other))
        )
        kinds = {row[0]: row[1] for row in read_tables(a)["notfall_kategorie"][1:]}
        assert "•" in kinds.values() if i == 0 else list(kinds.values()) == ["20", "< 5", "< 5"]
        names = sorted(path.name for path in a.iterdir())
        assert names == sorted(path.name for path in b.iterdir()) and "notfall_kategorie.png" in names
        for name in names:
            first, second = (a / name).read_bytes(), (b / name).read_bytes()
            if name.endswith(".html"):
                first, second = (re.sub(rb"Erstellt am [0-9.]+", b"", x) for x in (first, second))
            assert first == second, name


def test_the_audit_finds_what_subtraction_finds_and_the_repair_closes_it() -> None:
    values = {"total": 31, "a": 20, "b": 9, "c": 2}
    sums = [Sum("total", ("a", "b", "c"))]
    only_small = {"c": Mark.SMALL}
    assert attack(values, only_small, sums)["c"] == (2, 2)
    hidden = suppress(values, sums)
    assert hidden == {"c": Mark.SMALL, "b": Mark.WITHHELD}
    bounds = attack(values, hidden, sums)
    assert bounds["c"] == (1, 4) and bounds["b"] == (7, 10)
    # Two small counts that are all there is beside a known rest: 1 + 1 = 2 gives both away, so a third is hidden.
    values = {"total": 12, "a": 10, "b": 1, "c": 1}
    hidden = suppress(values, [Sum("total", ("a", "b", "c"))])
    assert hidden == {"b": Mark.SMALL, "c": Mark.SMALL, "a": Mark.WITHHELD}


def test_a_family_that_stopped_at_a_step_cannot_be_computed_from_the_steps_around_it(tmp_path: Path) -> None:
    """Seven German conversations reached the contact way, six went on: with exact counts, 7 - 6 = 1 stopped there."""
    counts: Counts = {}
    for _ in range(6):
        walk(counts, REQUEST_PATH, "de")
    walk(counts, REQUEST_PATH[:3], "de")
    for _ in range(11):
        walk(counts, REQUEST_PATH, "ar")
    for _ in range(3):
        walk(counts, REQUEST_PATH[:6], "ar")
    counts[Figure.REQUEST] = {key("money", lang, "mitte", "telegram", 0): n for lang, n in (("de", 6), ("ar", 11))}
    stopped = ("dialogschritte", "callback/contact_way|Deutsch", 3)
    # The funnel as it was written before: exact counts, "< 5" where small (and nothing else hidden in this quarter).
    old = build_tables(Build(counts, None, Quarter(2026, 4), labels()))
    old[-1].columns = ["Dialogschritt", "Sprache", "erreicht", "dort aufgehört", "Anteil aufgehört"]
    write_report(Report(Quarter(2026, 4), old), tmp_path / "old")
    assert recover(tmp_path / "old")[stopped] == 1
    assert recover(tmp_path / "old")[("dialogschritte", "callback/urgency|Arabisch", 3)] == 3
    out = written(tmp_path / "new", counts)
    steps = {(row[0], row[1]): row[2:] for row in read_tables(out)["dialogschritte"][1:]}
    assert steps[("callback/contact_way", "Deutsch")] == ["5", "0", "–"]  # 7 and 1, rounded
    assert steps[("callback/urgency", "Arabisch")] == ["15", "5", "33 %"]  # 14 and 3: where Arabic parents give up
    assert recover(out) == {}
