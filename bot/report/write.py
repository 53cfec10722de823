"""Write the report: one self-contained HTML file (charts as data: URIs, no external reference), a CSV file of every
table and the charts as PNG files, into one directory."""

from __future__ import annotations

import base64
import csv
import html
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.report import charts
from bot.report.data import SMALL, Counts, Quarter, histogram, quantile, shown
from bot.report.funnel import SHARE_FROM
from bot.report.protect import protect
from bot.report.suppress import Mark
from bot.report.tables import WAITS, Build, Cell, Labels, Table, build_tables

HTML_NAME = "bericht.html"


@dataclass
class Report:
    quarter: Quarter
    tables: list[Table]
    charts: dict[str, bytes] = field(default_factory=dict)  # slug -> PNG
    has_previous: bool = False


def build_report(quarter: Quarter, current: Counts, previous: Counts, labels: Labels) -> Report:
    """Tables and charts of a quarter; the same quarter a year before stands beside it when it has any data."""
    build = Build(current, previous or None, quarter, labels)
    tables = build_tables(build)
    protect(tables, len(build.heads), labels.steps)
    report = Report(quarter, tables, has_previous=bool(previous))
    for table in tables:
        if table.chart == "bars":
            series = [c for c in table.columns if c in build.heads]
            report.charts[table.slug] = charts.bars(table, series, "Anzahl")
        elif table.chart == "waits":
            report.charts[table.slug] = _waits_chart(quarter, current, previous)
        elif table.chart == "funnel":
            report.charts[table.slug] = _funnel_chart(table)
    return report


def _waits_chart(quarter: Quarter, current: Counts, previous: Counts) -> bytes:
    periods = [(quarter.short, current)] + ([(quarter.a_year_before().short, previous)] if previous else [])
    series: dict[str, list[int | None]] = {}
    for short, counts in periods:
        series[f"Median {short}"] = [quantile(_hist(counts, f), 0.5) for f, _ in WAITS]
        series[f"90. Perzentil {short}"] = [quantile(_hist(counts, f), 0.9) for f, _ in WAITS]
    return charts.waits(series, [label for _, label in WAITS], "Wartezeiten (ab Eingang der Anfrage)")


def _hist(counts: Counts, figure: str) -> dict[int, int]:
    found = histogram(counts, figure)
    return found if sum(found.values()) >= SMALL else {}


def _funnel_chart(table: Table) -> bytes:
    nodes = list(dict.fromkeys(str(row[0]) for row in table.rows))
    languages = list(dict.fromkeys(str(row[1]) for row in table.rows))
    share: dict[tuple[str, str], float | str] = {}
    for node, language, came, left, _ in table.rows:
        if isinstance(came, Mark) or isinstance(left, Mark):  # withheld ("•") or not shown ("–")
            share[(str(node), str(language))] = came.value if isinstance(came, Mark) else str(left)
        elif isinstance(came, int) and isinstance(left, int) and came >= SHARE_FROM:
            share[(str(node), str(language))] = left / came  # of the rounded counts, as the table says
        else:
            share[(str(node), str(language))] = "–"
    return charts.funnel(nodes, languages, share, table.title)


def text_of(cell: Cell) -> str:
    """A cell as every output shows it: a hidden count as its mark ("< 5" or "•")."""
    if isinstance(cell, Mark):
        return cell.value
    if isinstance(cell, int):
        return shown(cell)
    return "" if cell is None else cell


def write_report(report: Report, out: Path) -> list[Path]:
    """Write everything into out (created if missing); returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for table in report.tables:
        path = out / f"{table.slug}.csv"
        buffer = io.StringIO()
        # Semicolons and a byte order mark: what a spreadsheet on a German office computer opens without asking.
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(table.columns)
        writer.writerows([text_of(cell) for cell in row] for row in table.rows)
        path.write_text(buffer.getvalue(), encoding="utf-8-sig")
        written.append(path)
    for slug, png in report.charts.items():
        path = out / f"{slug}.png"
        path.write_bytes(png)
        written.append(path)
    path = out / HTML_NAME
    path.write_text(render_html(report), encoding="utf-8")
    written.append(path)
    return written


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#111;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6rem 0}th,td{padding:.25rem .6rem;border-bottom:1px solid #e3e3e3;
text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}img{max-width:100%;height:auto}
.note{color:#444;font-size:.9rem}
@media print{h2{break-before:auto}img{max-width:90%}}
"""


LEGEND = """<h2 id="zeichen">Zeichenerklärung</h2>
<ul class="note">
<li><strong>„&lt; 5“</strong>: 1 bis 4. Die genaue Zahl steht nirgends, damit keine Familie erkennbar wird.</li>
<li><strong>„•“</strong>: ausgeblendet, mindestens 5. Wo eine Summe, eine Gesamtzahl oder dieselbe Zahl in einer anderen
Tabelle steht (Überblick, „Summe …“ bei den Ergebnissen, „davon dringend“), ließe sich eine einzelne „&lt; 5“ durch
Abziehen errechnen. Deshalb ist dort mindestens eine weitere Zahl ausgeblendet, die kleinste daneben, bis sich aus
dem Bericht, den CSV-Dateien und den Diagrammen keine verborgene Zahl mehr errechnen lässt. Summen und Gesamtzahlen
sind die wirklich gezählten, sofern sie nicht selbst ausgeblendet sind.</li>
<li><strong>Dialogschritte</strong>: „erreicht“ ist auf ein Vielfaches von 5 gerundet (0 steht für 0 bis 2, 5 für
3 bis 7, 10 für 8 bis 12 usw.), ebenso die Zahl der Gespräche, die weitergegangen sind; „dort aufgehört“ ist der
Unterschied dieser beiden gerundeten Zahlen. Denn wer die Dialog-Dateien kennt, weiß, welcher Schritt auf welchen
folgt: Wer einen Schritt erreicht und dort nicht aufgehört hat, hat den nächsten erreicht. Mit genauen Zahlen ließe
sich so aus zwei Nachbarschritten errechnen, dass z. B. genau eine Familie an einem Schritt aufgehört hat (7 erreicht,
6 beim nächsten Schritt: 1). Gerundet geht das nicht mehr; wo die gerundeten Zahlen zusammen mit den Anfragen nach
Sprache oder den Notfall-Hinweisen doch eine Zahl von 1 bis 4 verraten würden, ist eine weitere Zahl ausgeblendet
(„•“, dann steht bei „dort aufgehört“ „–“). Der „Anteil aufgehört“ ist aus den gerundeten Zahlen berechnet und steht
erst ab 10 erreicht; er zeigt, an welchem Schritt Familien einer Sprache aufgeben, bei kleinen Zahlen nur grob. Ist
eine Sprache bei den Anfragen bzw. Notfall-Hinweisen ausgeblendet, ist sie es am letzten Schritt der Rückruf-Anfrage
bzw. am Notfall-Schritt auch; ist sie dort nicht aufgeschlüsselt („–“), steht sie auch dort nicht.</li>
<li>In den Diagrammen haben „&lt; 5“ und „•“ keinen Balken, nur die Beschriftung. Tabellen sind nach den gezeigten
Zahlen geordnet; ausgeblendete stehen nach allen gezeigten ab 5, untereinander in fester Reihenfolge.</li>
<li>„0“: keine; „–“: nicht berechnet (zu wenige Fälle).</li>
</ul>"""


def render_html(report: Report) -> str:
    """The whole report as one HTML document: inline style, charts as data: URIs, nothing to fetch."""
    q = report.quarter
    parts = [
        "<!DOCTYPE html>",
        '<html lang="de"><head><meta charset="utf-8">',
        f"<title>Kita-Sozialarbeit · Elternlotse · {html.escape(q.label)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Kita-Sozialarbeit: Zahlen aus dem Elternlotsen, {html.escape(q.label)}</h1>",
        f"<p>Zeitraum {q.first:%d.%m.%Y} bis {q.last:%d.%m.%Y}"
        + (f"; daneben dasselbe Quartal des Vorjahres ({q.a_year_before().short})." if report.has_previous else ".")
        + " Alle Zahlen sind anonyme Tageszählungen ohne Bezug zu einer Person. Zahlen von 1 bis 4 stehen als"
        " „&lt; 5“, damit niemand erkennbar wird, die der Dialogschritte sind auf 5 gerundet; „•“ ist eine"
        " ausgeblendete Zahl (siehe Zeichenerklärung am Ende).</p>",
    ]
    for table in report.tables:
        parts.append(f'<h2 id="{table.slug}">{html.escape(table.title)}</h2>')
        if table.note:
            parts.append(f'<p class="note">{html.escape(table.note)}</p>')
        png = report.charts.get(table.slug)
        if png is not None:
            data = base64.b64encode(png).decode("ascii")
            parts.append(f'<img alt="Diagramm: {html.escape(table.title)}" src="data:image/png;base64,{data}">')
        parts.append(_table_html(table))
    parts.append(LEGEND)
    stamp = datetime.now(UTC).strftime("%d.%m.%Y")
    parts.append(f'<p class="note">Erstellt am {stamp} mit <code>elternlotse report</code>.</p></body></html>')
    return "\n".join(parts)


def _table_html(table: Table) -> str:
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in table.columns)
    body = []
    for row in table.rows:
        cells = "".join(
            f'<td class="n">{html.escape(text_of(c))}</td>'
            if isinstance(c, int | Mark)
            else f"<td>{html.escape(text_of(c))}</td>"
            for c in row
        )
        body.append(f"<tr>{cells}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(table.columns)}">keine Daten</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
