"""The report's tables, built from the counters of a quarter and (when there is data) the same quarter a year before.

A count cell is an int (shown as "< 5" when under 5, in every output); every other cell is already text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from babel import Locale

from bot.core.cards import CHANNELS_DE, TOPICS_DE
from bot.core.outcomes import GROUPS, Outcome
from bot.report.data import SMALL, Counts, Quarter, duration_text, histogram, marginal, quantile
from bot.staff_texts import EMERGENCY_DE
from storage.kinds import Figure

Cell = str | int | None
REQUEST_PARTS = {"topic": 0, "language": 1, "district": 2, "channel": 3, "urgent": 4}  # Figure.REQUEST's key
WAITS = (
    (Figure.CLAIM_CAL, "bis zur Übernahme (Kalenderzeit)"),
    (Figure.CLAIM_OFFICE, "bis zur Übernahme (Bürozeit)"),
    (Figure.REPLY_CAL, "bis zur ersten Nachricht an die Familie (Kalenderzeit)"),
    (Figure.REPLY_OFFICE, "bis zur ersten Nachricht an die Familie (Bürozeit)"),
)
OWN_NAMES = {"de_easy": "Einfache Sprache", "-": "vor der Sprachwahl"}


@dataclass(frozen=True)
class Labels:
    """German names for what the counters store as ids."""

    districts: dict[str, str]
    outcomes: list[Outcome]
    nodes: list[str] = field(default_factory=list)  # dialog nodes in the order of the dialog files
    steps: dict[str, tuple[str, ...]] = field(default_factory=dict)  # node -> nodes it leads on to (funnel.py)

    def language(self, code: str) -> str:
        if code in OWN_NAMES:
            return OWN_NAMES[code]
        try:
            return str(Locale("de").languages.get(code) or Locale.parse(code).get_display_name("de") or code)
        except (ValueError, TypeError):
            return code


@dataclass
class Table:
    slug: str  # file name of its CSV (and chart)
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""
    chart: str | None = None  # "bars" (first column labels, count columns values), "waits", "funnel"
    chart_rows: list[list[Cell]] | None = None  # the rows the chart shows, if not all (sums are not drawn)


@dataclass
class Build:
    current: Counts
    previous: Counts | None  # None: no data a year before
    quarter: Quarter
    labels: Labels

    @property
    def heads(self) -> list[str]:
        q = [self.quarter.short]
        return [*q, self.quarter.a_year_before().short] if self.previous is not None else q

    def pair(self, current: dict[str, int], previous: dict[str, int] | None, key: str) -> list[Cell]:
        cells: list[Cell] = [current.get(key, 0)]
        if self.previous is not None:
            cells.append((previous or {}).get(key, 0))
        return cells


def build_tables(b: Build) -> list[Table]:
    """Every table of the report, in the order the committee reads them."""
    return [
        _summary(b),
        _requests(b, "topic", "anfragen_thema", "Anfragen nach Thema", "Thema", TOPICS_DE),
        _requests(b, "language", "anfragen_sprache", "Anfragen nach Sprache", "Sprache", None),
        _requests(b, "district", "anfragen_bezirk", "Anfragen nach Stadtbezirk", "Stadtbezirk", b.labels.districts),
        _requests(b, "channel", "anfragen_kanal", "Anfragen nach Kanal", "Kanal", CHANNELS_DE),
        _requests(
            b,
            "urgent",
            "anfragen_dringlichkeit",
            "Anfragen nach Dringlichkeit",
            "Dringlichkeit",
            {"1": "dringend", "0": "nicht dringend"},
        ),
        _waits(b),
        _outcomes(b),
        _by_part(
            b,
            Figure.EMERGENCY,
            0,
            "notfall_kategorie",
            "Notfall-Hinweise nach Art",
            "Art",
            {**EMERGENCY_DE, "button": "Notfall-Button (SOS) oder /emergency"},
        ),
        _by_part(b, Figure.EMERGENCY, 1, "notfall_sprache", "Notfall-Hinweise nach Sprache", "Sprache", None),
        _reminders(b),
        _consents(b),
        _funnel(b),
    ]


def _name(b: Build, what: str, key: str, names: dict[str, str] | None) -> str:
    if names is None:
        return b.labels.language(key)
    return names.get(key, "unbekannt" if key == "-" else key)


def _rows_by(b: Build, current: dict[str, int], previous: dict[str, int] | None, what: str,
             names: dict[str, str] | None) -> list[list[Cell]]:  # fmt: skip
    keys = set(current) | set(previous or {})
    order = list(names) if names is not None else []
    # A fixed order that no count decides: protect() orders the rows by what they show, once counts are hidden.
    keys_sorted = sorted(keys, key=lambda k: (order.index(k) if k in order else 99, k))
    return [[_name(b, what, k, names), *b.pair(current, previous, k)] for k in keys_sorted]


def _requests(b: Build, part: str, slug: str, title: str, head: str, names: dict[str, str] | None) -> Table:
    index = REQUEST_PARTS[part]
    current = marginal(b.current, Figure.REQUEST, index)
    previous = marginal(b.previous, Figure.REQUEST, index) if b.previous is not None else None
    rows = _rows_by(b, current, previous, part, names)
    return Table(slug, title, [head, *b.heads], rows, chart="bars")


def _by_part(b: Build, figure: Figure, index: int, slug: str, title: str, head: str,
             names: dict[str, str] | None) -> Table:  # fmt: skip
    current = marginal(b.current, figure, index)
    previous = marginal(b.previous, figure, index) if b.previous is not None else None
    note = "Wie oft der Bot die Notrufnummern gezeigt hat; was die Familie geschrieben hat, wird nie gezählt."
    return Table(slug, title, [head, *b.heads], _rows_by(b, current, previous, head, names), note, chart="bars")


def _total(counts: Counts | None, figure: Figure, match: str | None = None, index: int = 0) -> int:
    if counts is None:
        return 0
    items = counts.get(figure, {}).items()
    return sum(n for k, n in items if match is None or k.split("|")[index] == match)


def _summary(b: Build) -> Table:
    lines = [
        ("Anfragen", Figure.REQUEST, None, 0),
        ("davon dringend", Figure.REQUEST, "1", 4),
        ("Abgeschlossen mit Ergebnis", Figure.OUTCOME, None, 0),
        ("Notfall-Hinweise gezeigt", Figure.EMERGENCY, None, 0),
        ("Erinnerungen an Sprechstunden gesendet", Figure.REMINDER_SENT, None, 0),
        ("Erinnerungen abbestellt", Figure.REMINDER_STOPPED, None, 0),
        ("Einwilligungen erteilt", Figure.CONSENT, "given", 1),
        ("Einwilligungen widerrufen", Figure.CONSENT, "withdrawn", 1),
    ]
    rows: list[list[Cell]] = []
    for label, figure, match, index in lines:
        row: list[Cell] = [label, _total(b.current, figure, match, index)]
        if b.previous is not None:
            row.append(_total(b.previous, figure, match, index))
        rows.append(row)
    return Table("ueberblick", "Überblick", ["", *b.heads], rows)


def _wait_cells(counts: Counts | None, figure: Figure) -> list[Cell]:
    hist = histogram(counts or {}, figure)
    n = sum(hist.values())
    if n < SMALL:
        return [n, "weniger als 5 Fälle", "–"]
    return [n, duration_text(quantile(hist, 0.5)), duration_text(quantile(hist, 0.9))]


def _waits(b: Build) -> Table:
    heads = ["Wartezeit", f"Anzahl {b.quarter.short}", "Median", "90. Perzentil"]
    if b.previous is not None:
        prev = b.quarter.a_year_before().short
        heads += [f"Anzahl {prev}", f"Median {prev}", f"90. Perzentil {prev}"]
    rows: list[list[Cell]] = []
    for figure, label in WAITS:
        row: list[Cell] = [label, *_wait_cells(b.current, figure)]
        if b.previous is not None:
            row += _wait_cells(b.previous, figure)
        rows.append(row)
    note = ("Ab Eingang der Anfrage; gezählt am Tag der ersten Übernahme bzw. der ersten Nachricht. Bürozeit: nur die "
            "Öffnungszeiten der Sprechstunden (dialogs/hours.yaml), ohne Wochenenden und Feiertage.")  # fmt: skip
    return Table("wartezeiten", "Wartezeiten", heads, rows, note, chart="waits")


def _outcomes(b: Build) -> Table:
    current, previous = b.current.get(Figure.OUTCOME, {}), (b.previous or {}).get(Figure.OUTCOME, {})
    known = {o.id for o in b.labels.outcomes}
    rows: list[list[Cell]] = []
    for outcome in b.labels.outcomes:
        rows.append([outcome.title, GROUPS[outcome.group], *b.pair(current, previous, outcome.id)])
    for other in sorted((set(current) | set(previous)) - known):  # an id the office has since removed
        rows.append([other, "–", *b.pair(current, previous, other)])
    drawn = list(rows)
    for group_id, group in GROUPS.items():
        ids = [o.id for o in b.labels.outcomes if o.group == group_id]
        row: list[Cell] = [f"Summe {group}", "", sum(current.get(i, 0) for i in ids)]
        if b.previous is not None:
            row.append(sum(previous.get(i, 0) for i in ids))
        rows.append(row)
    note = (
        "Das Ergebnis wählt die Fachkraft beim Erledigen; „zurückgezogen“ zählt auch Anfragen, die Familien löschten."
    )
    return Table("ergebnisse", "Ergebnisse der abgeschlossenen Anfragen", ["Ergebnis", "Art", *b.heads], rows, note,
                 chart="bars", chart_rows=drawn)  # fmt: skip


def _reminders(b: Build) -> Table:
    sent = b.current.get(Figure.REMINDER_SENT, {})
    stopped = b.current.get(Figure.REMINDER_STOPPED, {})
    rows: list[list[Cell]] = [
        [b.labels.language(k), sent.get(k, 0), stopped.get(k, 0)]
        for k in sorted(set(sent) | set(stopped))  # protect() orders them by what they show
    ]
    heads = ["Sprache", f"gesendet {b.quarter.short}", f"abbestellt {b.quarter.short}"]
    return Table("erinnerungen", "Erinnerungen an Sprechstunden", heads, rows)


def _consents(b: Build) -> Table:
    purposes = {"callback": "Rückruf", "reminders": "Erinnerungen"}
    actions = {"given": "erteilt", "withdrawn": "widerrufen"}
    found = b.current.get(Figure.CONSENT, {})
    rows: list[list[Cell]] = []
    for purpose in sorted({k.split("|")[0] for k in found} | set(purposes), key=lambda p: (p not in purposes, p)):
        rows.append([purposes.get(purpose, purpose), *(found.get(f"{purpose}|{a}", 0) for a in actions)])
    return Table("einwilligungen", "Einwilligungen", ["Zweck", *actions.values()], rows)


def _funnel(b: Build) -> Table:
    reached, onward = b.current.get(Figure.REACHED, {}), b.current.get(Figure.ONWARD, {})
    order = {node: i for i, node in enumerate(b.labels.nodes)}
    keys = sorted(reached, key=lambda k: (order.get(k.split("|")[0], len(order)), k))
    rows: list[list[Cell]] = []
    for k in keys:
        node, _, lang = k.partition("|")
        came, left = reached[k], max(0, reached[k] - onward.get(k, 0))
        rows.append([node, b.labels.language(lang), came, left, "–"])  # protect() rounds them and puts the share
    note = ("Wie viele Gespräche einen Dialogschritt erreicht haben und wie viele dort aufgehört haben (nicht "
            "weitergegangen sind). „Erreicht“ und „weitergegangen“ sind auf 5 gerundet, „dort aufgehört“ ist der "
            "Unterschied der beiden gerundeten Zahlen, der Anteil ist aus ihnen berechnet (ab 10 erreicht). Am letzten "
            "Schritt eines Ablaufs ist Aufhören das normale Ende. Im Diagramm: grau = weniger als 10 erreicht oder "
            "ausgeblendet, leer = niemand in dieser Sprache.")  # fmt: skip
    heads = ["Dialogschritt", "Sprache", "erreicht (gerundet)", "dort aufgehört (gerundet erreicht − weitergegangen)",
             "Anteil aufgehört"]  # fmt: skip
    return Table("dialogschritte", f"Dialogschritte nach Sprache ({b.quarter.short})", heads, rows, note, "funnel")
