"""Which counts of the report add up to which (the sums a reader can subtract from), and hiding counts in the tables
so that no small count can be computed: the marks replace the numbers in the tables themselves, before anything
(HTML, CSV, chart) is written, so no output can show a hidden value.

A count is named by (table slug, row label, column index); the tables are re-sorted after hiding, because an order by
size would tell where a hidden count lies.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import cast

from bot.report import funnel
from bot.report.suppress import SMALL, Approx, Mark, Sum, collapse, suppress
from bot.report.tables import Cell, Table

REQUEST_TABLES = ("anfragen_thema", "anfragen_sprache", "anfragen_bezirk", "anfragen_kanal", "anfragen_dringlichkeit")
EMERGENCY_TABLES = ("notfall_kategorie", "notfall_sprache")
SORTED_BY_COUNT = (*REQUEST_TABLES, *EMERGENCY_TABLES, "erinnerungen")
# The dialog steps count conversations, not requests, but a conversation that reaches the last step of a request is
# one request, and one that reaches the emergency step one emergency screen: where the counts agree, a reader can put
# the funnel's (rounded) count beside the exact or hidden one of these tables, and the audit does too. A language not
# broken down in such a table ("–") is not shown at that last step either.
MIRRORS = {
    "anfragen_sprache": ("callback/confirmed", "Anfragen"),
    "notfall_sprache": ("emergency/start", "Notfall-Hinweise gezeigt"),
}
Ref = tuple[str, str, int]


def sums_of(tables: dict[str, Table], periods: int) -> list[Sum]:
    """Every sum the report shows or implies, for each period column (this quarter, a year before)."""
    sums: list[Sum] = []

    def col(slug: str, column: int) -> list[Ref]:
        table = tables[slug]
        return [(slug, str(row[0]), column) for row in table.rows if str(row[0]) and not _is_group_sum(row)]

    def line(label: str, column: int) -> Ref:
        return ("ueberblick", label, column)

    for p in range(1, periods + 1):
        for slug in REQUEST_TABLES:
            sums.append(Sum(line("Anfragen", p), tuple(col(slug, p))))
        sums.append(Sum(line("davon dringend", p), (("anfragen_dringlichkeit", "dringend", p),)))
        for slug in EMERGENCY_TABLES:
            sums.append(Sum(line("Notfall-Hinweise gezeigt", p), tuple(col(slug, p))))
        outcome_column = p + 1  # after the outcome's title and its kind
        sums.append(Sum(line("Abgeschlossen mit Ergebnis", p), tuple(col("ergebnisse", outcome_column))))
        # The groups add up to the line too: said outright, or the audit would not see it (it bounds one sum at a time).
        tops = [("ergebnisse", str(r[0]), outcome_column) for r in tables["ergebnisse"].rows if r[1] in ("", "–")]
        sums.append(Sum(line("Abgeschlossen mit Ergebnis", p), tuple(tops)))
        for row in tables["ergebnisse"].rows:
            if _is_group_sum(row):
                group = str(row[0]).removeprefix("Summe ")
                members = [r for r in tables["ergebnisse"].rows if r[1] == group and not _is_group_sum(r)]
                total = ("ergebnisse", str(row[0]), outcome_column)
                sums.append(Sum(total, tuple(("ergebnisse", str(r[0]), outcome_column) for r in members)))
        waits = 1 + 3 * (p - 1)  # "Anzahl" of each period: calendar and office hours count the same cases
        rows = [str(row[0]) for row in tables["wartezeiten"].rows]
        for calendar, office in zip(rows[::2], rows[1::2], strict=True):
            sums.append(Sum(("wartezeiten", calendar, waits), (("wartezeiten", office, waits),)))
    sums.append(Sum(line("Erinnerungen an Sprechstunden gesendet", 1), tuple(col("erinnerungen", 1))))
    sums.append(Sum(line("Erinnerungen abbestellt", 1), tuple(col("erinnerungen", 2))))
    sums.append(Sum(line("Einwilligungen erteilt", 1), tuple(col("einwilligungen", 1))))
    sums.append(Sum(line("Einwilligungen widerrufen", 1), tuple(col("einwilligungen", 2))))
    return sums


def _is_group_sum(row: list[Cell]) -> bool:
    return str(row[0]).startswith("Summe ") and row[1] == ""


def counts_of(tables: list[Table]) -> dict[Hashable, int]:
    """Every count cell of the tables by its name (the funnel's rows are named by step and language)."""
    values: dict[Hashable, int] = {}
    for table in tables:
        for row in table.rows:
            name = _row_name(table, row)
            for column, cell in enumerate(row):
                if isinstance(cell, int):
                    values[(table.slug, name, column)] = cell
    return values


def _column(table: Table, column: int) -> list[Ref]:
    return [(table.slug, _row_name(table, row), column) for row in table.rows]


def _row_name(table: Table, row: list[Cell]) -> str:
    return f"{row[0]}|{row[1]}" if table.slug == "dialogschritte" else str(row[0])


def protect(tables: list[Table], periods: int, steps: dict[str, tuple[str, ...]] | None = None) -> dict[
        Hashable, Mark]:  # fmt: skip
    """Hide every small count and every count a small one could be computed from, and round the funnel's counts, in
    place (steps: the dialog's following steps, see funnel.following_steps); returns what was hidden. The tables are
    protected first as they are, then once more beside the funnel."""
    by_slug = {table.slug: table for table in tables}
    values = counts_of(tables)
    # A row that is not there is a 0 the reader knows: it drops out of its sum.
    sums = [
        Sum(s.total, tuple(p for p in s.parts if p in values)) for s in sums_of(by_slug, periods) if s.total in values
    ]
    hidden = suppress({ref: n for ref, n in values.items() if cast(Ref, ref)[0] != funnel.SLUG}, sums)
    steps_table = by_slug.get(funnel.SLUG)
    approx: Approx = {}
    if steps_table is not None:  # then the funnel, beside the tables as they now stand
        funnel_sums, approx, unseen = funnel.audit_sums(steps_table, steps or {}, values)
        sums += funnel_sums + _mirror_sums(by_slug, values)
        hidden = suppress(values, sums, approx, _mirror_marks(by_slug, values, hidden), unseen)
    for s in collapse(values, hidden, sums, approx):
        if cast(Ref, s.total)[0] == "ueberblick":  # a whole breakdown of a small line: its columns (and sums)
            for slug, _, column in cast(tuple[Ref, ...], s.parts):
                if slug != funnel.SLUG:  # the funnel's own parts (one step) are not broken down, nothing more
                    for ref in _column(by_slug[slug], column):
                        hidden[ref] = Mark.NOT_BROKEN_DOWN
    _mirror(by_slug, hidden)
    for table in tables:
        for row in table.rows:
            name = _row_name(table, row)
            if table.slug == funnel.SLUG:
                reached, left = funnel.shown_counts(cast(int, row[funnel.REACHED]), cast(int, row[funnel.LEFT]))
                row[funnel.REACHED], row[funnel.LEFT] = reached, left
                if (table.slug, name, funnel.REACHED) in hidden:  # stopped = reached - went on: not without reached
                    hidden.setdefault((table.slug, name, funnel.LEFT), Mark.NOT_BROKEN_DOWN)
            for column in range(len(row)):
                mark = hidden.get((table.slug, name, column))
                if mark is not None:
                    row[column] = mark
        if table.slug in SORTED_BY_COUNT:
            table.rows.sort(key=lambda row: -_shown_size(row[1]))  # stable: ties keep the order of the names
        if table.slug == funnel.SLUG:
            for row in table.rows:
                row[4] = funnel.share(row[funnel.REACHED], row[funnel.LEFT])
        if table.chart_rows is not None:
            table.chart_rows = [row for row in table.rows if not _is_group_sum(row)]
    return hidden


def _mirror_sums(tables: dict[str, Table], values: dict[Hashable, int]) -> list[Sum]:
    """The last step of a request (or the emergency step) beside the requests (emergency screens) by language and in
    all, wherever the counts agree this quarter."""
    sums: list[Sum] = []
    for slug, (node, line) in MIRRORS.items():
        steps: list[Hashable] = []
        for row in tables[slug].rows:
            language = str(row[0])
            step = (funnel.SLUG, f"{node}|{language}", funnel.REACHED)
            if step in values:
                steps.append(step)
                if values[step] == values[(slug, language, 1)]:
                    sums.append(Sum((slug, language, 1), (step,)))
        total = ("ueberblick", line, 1)
        if steps and total in values and values[total] == sum(values[s] for s in steps):
            sums.append(Sum(total, tuple(steps)))
    return sums


def _mirror_marks(tables: dict[str, Table], values: dict[Hashable, int], hidden: dict[Hashable, Mark]) -> dict[
        Hashable, Mark]:  # fmt: skip
    """hidden, and the last step of a request (the emergency step) hidden as well for a language whose requests
    (emergency screens) are: rounded, it would tell them within 2 and make more counts beside them to withhold."""
    marked = dict(hidden)
    for slug, (node, _) in MIRRORS.items():
        for row in tables[slug].rows:
            if (slug, str(row[0]), 1) not in hidden:
                continue
            for column in (funnel.REACHED, funnel.LEFT):
                ref = (funnel.SLUG, f"{node}|{row[0]}", column)
                if values.get(ref, 0) > 0:
                    marked[ref] = Mark.SMALL if values[ref] < SMALL else Mark.WITHHELD
    return marked


def _mirror(tables: dict[str, Table], hidden: dict[Hashable, Mark]) -> None:
    """A language whose requests (emergency screens) are not broken down is not shown at the last step either."""
    for slug, (node, _) in MIRRORS.items():
        for row in tables[slug].rows:
            if hidden.get((slug, str(row[0]), 1)) is Mark.NOT_BROKEN_DOWN:
                for column in (funnel.REACHED, funnel.LEFT):
                    hidden[(funnel.SLUG, f"{node}|{row[0]}", column)] = Mark.NOT_BROKEN_DOWN


def _shown_size(cell: Cell) -> float:
    """The order of a row by what it shows: hidden counts after every shown count of 5 or more, and before 0."""
    if isinstance(cell, Mark):
        return 4.5 if cell is Mark.WITHHELD else 4.4
    return float(cell) if isinstance(cell, int) else 0.0
