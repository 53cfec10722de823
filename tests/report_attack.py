"""The reader who tries to recover hidden counts: reads only what `elternlotse report` wrote (the CSV files, and the
HTML tables, which must say the same), knows the report's arithmetic (each breakdown adds up to its line in the
overview, outcome groups to their sums, a figure shown twice is the same) and that "< 5" is 1 to 4 and "•" at least 5.
Written apart from bot/report/suppress.py on purpose: it shares no code with what it attacks.

It also knows the dialog files (dialogs/flows/*.yaml, read here with nothing but yaml): a conversation that reached
a step and did not stop there reached a following step, so along each path reached(step) = reached(next) +
stopped(step), and where paths fork and join, the steps of one crossing add up together (as long as nobody came in
by a command or went back, which it assumes). A column whose head says "gerundet" is rounded to 5: "10" is 8 to 12;
the funnel's "stopped there" is then rounded reached minus rounded went on, so went on is known to within 2.
"""

from __future__ import annotations

import csv
import math
from html.parser import HTMLParser
from pathlib import Path

import yaml

Name = tuple[str, str, int]  # table slug, row label, column; ("~", …) for a count no table shows
FLOWS = Path(__file__).resolve().parents[1] / "dialogs" / "flows"
FUNNEL = "dialogschritte"
BREAKDOWNS = {
    "anfragen_thema": "Anfragen",
    "anfragen_sprache": "Anfragen",
    "anfragen_bezirk": "Anfragen",
    "anfragen_kanal": "Anfragen",
    "anfragen_dringlichkeit": "Anfragen",
    "notfall_kategorie": "Notfall-Hinweise gezeigt",
    "notfall_sprache": "Notfall-Hinweise gezeigt",
}


def read_tables(out: Path) -> dict[str, list[list[str]]]:
    tables = {}
    for path in out.glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            tables[path.stem] = list(csv.reader(fh, delimiter=";"))
    return tables


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.slug = ""
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2":
            self.slug = dict(attrs).get("id") or ""
        elif tag == "table":
            self.tables[self.slug] = []
        elif tag == "tr":
            self.tables[self.slug].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.tables[self.slug][-1].append("".join(self.cell))
            self.cell = None


def html_tables(out: Path) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed((out / "bericht.html").read_text(encoding="utf-8"))
    return parser.tables


def value(text: str, rough: bool = False) -> tuple[float, float] | None:
    """What a reader knows of a cell: exact, a range, or nothing (not a count); rough: rounded to 5."""
    if text == "< 5":
        return (1, 4)
    if text == "•":
        return (5, math.inf)
    digits = text.replace(".", "")
    if not digits.isdigit():
        return None
    n = int(digits)
    return (max(0, n - 2), n + 2) if rough else (n, n)


def steps() -> tuple[dict[str, set[str]], set[str]]:
    """The dialog's waiting steps, each with the waiting steps it leads on to, and the steps a conversation can
    enter from outside the paths (the menu, where each flow begins, steps no other step leads to)."""
    nodes: dict[str, dict[str, object]] = {}
    starts = []
    for path in sorted(FLOWS.glob("*.yaml")):
        flow = yaml.safe_load(path.read_text(encoding="utf-8"))
        starts.append(f"{flow['id']}/{flow['start']}")
        for node_id, spec in flow["nodes"].items():
            raw = [spec.get(k) for k in ("next", "accept", "decline", "unknown", "target")]
            raw += [option.get("goto") for option in spec.get("options") or []]
            targets = [str(t).replace(":", "/") for t in raw if t]  # "main:menu" is main/menu
            spec["targets"] = [t if "/" in t else f"{flow['id']}/{t}" for t in targets]
            nodes[f"{flow['id']}/{node_id}"] = spec

    def waiting(qid: str) -> list[str]:
        spec = nodes.get(qid)
        if spec is None:
            return []
        if spec["type"] in ("message", "hours", "goto", "subscribe", "handoff"):  # these move on by themselves
            return [w for t in spec["targets"][:1] for w in waiting(t)]  # type: ignore[index]
        found = [qid]
        if spec.get("skip_if_set"):  # an answer known already: straight on
            found += [w for t in spec["targets"][:1] for w in waiting(t)]  # type: ignore[index]
        return found

    following = {
        qid: {w for t in spec["targets"] for w in waiting(t)}  # type: ignore[attr-defined]
        for qid, spec in nodes.items()
        if waiting(qid) and waiting(qid)[0] == qid
    }
    reached_from_a_step = {w for ws in following.values() for w in ws}
    entries = {w for start in [*starts, "main/menu"] for w in waiting(start)} | (set(following) - reached_from_a_step)
    return following, entries


def crossings() -> list[tuple[set[str], set[str]]]:
    """(from, to) where what went on from the steps of `from` is what reached the steps of `to`: the steps that lead
    into the same steps, together, as long as no step of `to` can be entered otherwise."""
    following, entries = steps()
    found = []
    done: set[str] = set()
    for first in sorted(following):
        if first in done or not following[first]:
            continue
        froms, tos = {first}, set(following[first])
        grown = True
        while grown:
            more = {s for s, nexts in following.items() if nexts & tos} - froms
            froms |= more
            tos |= {n for s in more for n in following[s]}
            grown = bool(more)
        done |= froms
        if not tos & entries:
            found.append((froms, tos))
    return found


def equations(tables: dict[str, list[list[str]]]) -> list[tuple[Name, list[Name]]]:
    """total = sum(parts), as the report's structure says."""
    found: list[tuple[Name, list[Name]]] = []
    overview = tables["ueberblick"]
    periods = len(overview[0]) - 1

    def rows(slug: str) -> list[list[str]]:
        return tables[slug][1:]

    for p in range(1, periods + 1):
        for slug, line in BREAKDOWNS.items():
            found.append((("ueberblick", line, p), [(slug, r[0], p) for r in rows(slug)]))
        found.append((("ueberblick", "davon dringend", p), [("anfragen_dringlichkeit", "dringend", p)]))
        outcomes = rows("ergebnisse")
        single = [r for r in outcomes if r[1]]
        found.append((("ueberblick", "Abgeschlossen mit Ergebnis", p), [("ergebnisse", r[0], p + 1) for r in single]))
        for r in outcomes:
            if not r[1] and r[0].startswith("Summe "):
                group = r[0].removeprefix("Summe ")
                parts = [("ergebnisse", m[0], p + 1) for m in single if m[1] == group]
                found.append((("ergebnisse", r[0], p + 1), parts))
        groups = [("ergebnisse", r[0], p + 1) for r in outcomes if not r[1] or r[1] == "–"]
        found.append((("ueberblick", "Abgeschlossen mit Ergebnis", p), groups))  # the groups (and removed ids) add up
        waits = [r[0] for r in rows("wartezeiten")]
        for a, b in zip(waits[::2], waits[1::2], strict=True):
            found.append((("wartezeiten", a, 1 + 3 * (p - 1)), [("wartezeiten", b, 1 + 3 * (p - 1))]))
    for column, line in ((1, "Erinnerungen an Sprechstunden gesendet"), (2, "Erinnerungen abbestellt")):
        found.append((("ueberblick", line, 1), [("erinnerungen", r[0], column) for r in rows("erinnerungen")]))
    for column, line in ((1, "Einwilligungen erteilt"), (2, "Einwilligungen widerrufen")):
        found.append((("ueberblick", line, 1), [("einwilligungen", r[0], column) for r in rows("einwilligungen")]))
    # The dialog step that ends a request is reached once per request, the emergency step once per screen.
    for node, line in (("callback/confirmed", "Anfragen"), ("emergency/start", "Notfall-Hinweise gezeigt")):
        steps = [("dialogschritte", f"{r[0]}|{r[1]}", 2) for r in rows("dialogschritte") if r[0] == node]
        if steps:
            found.append((("ueberblick", line, 1), steps))
    for r in rows("dialogschritte"):
        mirrored = {"callback/confirmed": "anfragen_sprache", "emergency/start": "notfall_sprache"}.get(r[0])
        if mirrored and any(m[0] == r[1] for m in rows(mirrored)):
            found.append(((mirrored, r[1], 1), [("dialogschritte", f"{r[0]}|{r[1]}", 2)]))
            if r[0] == "callback/confirmed":  # the last step: everyone who came stopped there
                found.append((("dialogschritte", f"{r[0]}|{r[1]}", 2), [("dialogschritte", f"{r[0]}|{r[1]}", 3)]))
    return found


def funnel_equations(tables: dict[str, list[list[str]]], known: dict[Name, tuple[float, float]]) -> list[
        tuple[list[Name], list[Name]]]:  # fmt: skip
    """sum(left side) = sum(right side) for each language and crossing of the dialog's paths; a step a language has
    no row for was reached by nobody (0). Adds to known what it knows of counts no table shows."""
    rows = tables.get(FUNNEL, [])[1:]
    present = {(r[0], r[1]) for r in rows}
    found: list[tuple[list[Name], list[Name]]] = []
    for language in sorted({r[1] for r in rows}):

        def cell(step: str, column: int, language: str = language) -> Name:
            name = (FUNNEL, f"{step}|{language}", column)
            if (step, language) not in present:
                known[name] = (0, 0)  # no row: nobody in this language came here
            return name

        for step in sorted(s for s, lang in present if lang == language):
            reached = cell(step, 2)
            if reached in known:
                lo, hi = known[reached]
                known[reached] = (max(1, lo), hi)  # the row is there: someone reached the step
                onward = ("~", f"{step}|{language}", 0)  # what stopped there is part of what came; the rest went on
                known.setdefault(onward, (0, math.inf))
                found.append(([reached], [cell(step, 3), onward]))
        for froms, tos in crossings():
            left = [cell(s, 2) for s in sorted(froms - tos)]
            right = [cell(s, 3) for s in sorted(froms)] + [cell(s, 2) for s in sorted(tos - froms)]
            found.append((left, right))
    return found


def knowledge(tables: dict[str, list[list[str]]]) -> dict[Name, tuple[float, float]]:
    known: dict[Name, tuple[float, float]] = {}
    for slug, table in tables.items():
        rough = ["gerundet" in head for head in table[0]]
        for row in table[1:]:
            label = f"{row[0]}|{row[1]}" if slug == FUNNEL else row[0]
            for column, text in enumerate(row):
                if column and (bounds := value(text, rough[column])) is not None:
                    known[(slug, label, column)] = bounds
            reached, left = (value(text) for text in row[2:4]) if slug == FUNNEL else (None, None)
            if rough[2:3] == [True] and reached and left and reached[0] == reached[1] and left[0] == left[1]:
                # "stopped" is rounded reached minus rounded went on: went on is known to 2, stopped only through it
                went_on = reached[0] - left[0]
                known[("~", label, 0)] = (max(0, went_on - 2), went_on + 2)
                known[(slug, label, 3)] = (max(0, left[0] - 4), left[0] + 4)
    return known


def recover(out: Path) -> dict[Name, float]:
    """Every hidden count the reader can pin down to one value from the files in out (empty: none)."""
    tables = read_tables(out)
    in_html = html_tables(out)
    for slug, table in tables.items():
        assert in_html[slug] == table or (len(table) == 1 and in_html[slug][1] == ["keine Daten"]), slug
    known = knowledge(tables)
    hidden = {name for name, (lo, hi) in known.items() if lo != hi and name[0] in tables}
    rough = {name for name in hidden if "gerundet" in tables[name[0]][0][name[2]]}
    eqs = [([t], ps) for t, ps in equations(tables)] + funnel_equations(tables, known)
    eqs = [(ls, rs) for ls, rs in eqs if all(n in known for n in (*ls, *rs))]  # "–" is no count: nothing to add up
    for _ in range(200):
        changed = False
        for left, right in eqs:
            # sum(left) - sum(right) = 0: each count lies between what the others allow
            terms = [(n, 1) for n in left] + [(n, -1) for n in right]
            for n, sign in terms:
                lo_rest = sum(known[m][0] if s > 0 else -known[m][1] for m, s in terms if m != n or s != sign)
                hi_rest = sum(known[m][1] if s > 0 else -known[m][0] for m, s in terms if m != n or s != sign)
                lo, hi = known[n]
                new = (max(lo, -hi_rest), min(hi, -lo_rest)) if sign > 0 else (max(lo, lo_rest), min(hi, hi_rest))
                changed |= new != known[n]
                known[n] = new
        if not changed:
            break
    for name, (lo, hi) in known.items():
        assert lo <= hi, f"the report contradicts itself at {name}"
    pinned = {name: known[name][0] for name in hidden if known[name][0] == known[name][1]}
    return {name: n for name, n in pinned.items() if name not in rough or 0 < n < 5}  # a rounded 0 or 10 is no one
