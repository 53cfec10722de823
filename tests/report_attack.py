"""The reader who tries to recover hidden counts: reads only what `elternlotse report` wrote (the CSV files, and the
HTML tables, which must say the same), knows the report's arithmetic (each breakdown adds up to its line in the
overview, outcome groups to their sums, a figure shown twice is the same) and that "< 5" is 1 to 4 and "•" at least 5.
Written apart from bot/report/suppress.py on purpose: it shares no code with what it attacks.
"""

from __future__ import annotations

import csv
import math
from html.parser import HTMLParser
from pathlib import Path

Name = tuple[str, str, int]  # table slug, row label, column
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


def value(text: str) -> tuple[float, float] | None:
    """What a reader knows of a cell: exact, a range, or nothing (not a count)."""
    if text == "< 5":
        return (1, 4)
    if text == "•":
        return (5, math.inf)
    digits = text.replace(".", "")
    return (int(digits), int(digits)) if digits.isdigit() else None


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


def knowledge(tables: dict[str, list[list[str]]]) -> dict[Name, tuple[float, float]]:
    known: dict[Name, tuple[float, float]] = {}
    for slug, table in tables.items():
        for row in table[1:]:
            label = f"{row[0]}|{row[1]}" if slug == "dialogschritte" else row[0]
            for column, text in enumerate(row):
                if column and (bounds := value(text)) is not None:
                    known[(slug, label, column)] = bounds
    return known


def recover(out: Path) -> dict[Name, float]:
    """Every hidden count the reader can pin down to one value from the files in out (empty: none)."""
    tables = read_tables(out)
    in_html = html_tables(out)
    for slug, table in tables.items():
        assert in_html[slug] == table or (len(table) == 1 and in_html[slug][1] == ["keine Daten"]), slug
    known = knowledge(tables)
    hidden = {name for name, (lo, hi) in known.items() if lo != hi}
    eqs = [(t, ps) for t, ps in equations(tables) if t in known and all(p in known for p in ps)]
    for _ in range(200):
        changed = False
        for total, parts in eqs:
            lo_sum, hi_sum = sum(known[p][0] for p in parts), sum(known[p][1] for p in parts)
            lo_t, hi_t = known[total]
            new_total = (max(lo_t, lo_sum), min(hi_t, hi_sum))
            changed |= new_total != known[total]
            known[total] = new_total
            for p in parts:
                lo_p, hi_p = known[p]
                rest_lo, rest_hi = lo_sum - lo_p, hi_sum - hi_p
                new = (max(lo_p, new_total[0] - rest_hi), min(hi_p, new_total[1] - rest_lo))
                changed |= new != known[p]
                known[p] = new
                lo_sum, hi_sum = lo_sum - lo_p + new[0], hi_sum - hi_p + new[1]
        if not changed:
            break
    for name, (lo, hi) in known.items():
        assert lo <= hi, f"the report contradicts itself at {name}"
    return {name: known[name][0] for name in hidden if known[name][0] == known[name][1]}
