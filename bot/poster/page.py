"""The poster as one self-contained HTML page: A4 print CSS, QR codes as inline SVG, nothing from another origin."""

from __future__ import annotations

import html
import re
import unicodedata

import segno

from bot.poster.compose import Poster

COMPACT_AFTER = 3  # lines of hours a page holds at full size
# Screen and print lay the page out alike, so the screenshot (PNG) shows what the printer gets (PDF). Nothing is
# clipped: a text too long for the page makes a second PDF page, which the tests catch.
CSS = """
@page { size: A4; margin: 0; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; background: #fff; }
body { width: 210mm; height: 297mm; color: #1a1a1a;
  font-family: "Noto Sans", "Noto Sans Arabic", "DejaVu Sans", "Liberation Sans", sans-serif;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
main { width: 210mm; height: 297mm; padding: 11mm 13mm 9mm; display: flex; flex-direction: column;
  gap: 3.5mm; }
h1 { margin: 0; font-size: 21pt; line-height: 1.25; color: #0b4a80; }
p { margin: 0; }
.sub { font-size: 12.5pt; line-height: 1.35; }
.scan { font-size: 11.5pt; font-weight: bold; }
.ways { display: flex; gap: 5mm; justify-content: center; }
.way { flex: 1 1 0; max-width: 62mm; border: 0.6mm solid #0b4a80; border-radius: 4mm; padding: 3mm;
  display: flex; flex-direction: column; align-items: center; gap: 1.5mm; text-align: center; }
.way .caption { font-size: 12pt; font-weight: bold; }
.way svg { width: 43mm; height: 43mm; display: block; }
.way svg path { shape-rendering: crispEdges; }
.way .link { font-size: 7pt; color: #444; word-break: break-all; font-family: "DejaVu Sans Mono", monospace; }
.way .code { font-size: 9pt; }
.code-text { white-space: nowrap; font-family: "DejaVu Sans Mono", monospace; font-weight: bold; }
.privacy { font-size: 10pt; line-height: 1.35; }
section { border-radius: 4mm; padding: 2.5mm 5mm; }
.hours { background: #eef4fa; font-size: 10pt; line-height: 1.4; }
h2 { margin: 0 0 1mm; font-size: 11.5pt; }
ul { margin: 0; padding: 0; list-style: none; }
.emergency { border: 0.8mm solid #b3261e; font-size: 9.5pt; line-height: 1.35; margin-top: auto; }
.emergency h2 { color: #b3261e; }
.office { font-size: 10pt; }
/* Many hours (a poster for every district): smaller codes and hours, so the page still holds everything. */
.compact .way svg { width: 34mm; height: 34mm; }
.compact .hours { font-size: 8.5pt; line-height: 1.3; }
.compact .emergency { font-size: 8.8pt; line-height: 1.3; }
.compact h1 { font-size: 19pt; }
"""


_SYMBOLS = frozenset(("So", "Sk", "Mn", "Zs"))  # emoji, their variation selectors, spaces
_BETWEEN_DIGITS = re.compile(r"(?<=\d) (?=\d)")


def text(value: str) -> str:
    """A text for the page: escaped, and a phone number's digit groups never broken across lines ("116 016")."""
    return _BETWEEN_DIGITS.sub("\u00a0", html.escape(value))


def without_symbols(line: str) -> str:
    """A line without its leading emoji (🆘): a printer's fonts may lack them, and the red frame says it already."""
    start = 0
    while start < len(line) and unicodedata.category(line[start]) in _SYMBOLS:
        start += 1
    return line[start:]


def qr_svg(link: str) -> str:
    """The link's QR code as inline SVG that scales with CSS (medium error correction, the quiet zone included)."""
    code = segno.make(link, error="m", micro=False)
    svg: str = code.svg_inline(scale=1, border=4, omitsize=True, dark="#000", light="#fff", title=link)
    return svg


def poster_html(poster: Poster) -> str:
    """The whole page. Texts are escaped; right-to-left texts come shaped (their numbers isolated) from compose."""
    e = text
    direction = "rtl" if poster.rtl else "ltr"
    ways = "\n".join(
        f'<div class="way"><div class="caption">{e(way.caption)}</div>{qr_svg(way.link)}'
        f'<bdi class="link" dir="ltr">{e(way.link)}</bdi>'
        + (f'<div class="code">{_code_whole(way.code_line, way.code)}</div>' if way.code_line else "")
        + "</div>"
        for way in poster.ways
    )
    hours = "".join(f"<li>{e(line)}</li>" for line in poster.hours)
    return f"""<!DOCTYPE html>
<html lang="{html.escape(poster.lang.replace("_", "-"))}" dir="{direction}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(poster.headline)}</title>
<style>{CSS}</style>
</head>
<body>
<main{' class="compact"' if len(poster.hours) > COMPACT_AFTER else ""}>
<h1>{e(poster.headline)}</h1>
<p class="sub">{e(poster.subline)}</p>
<p class="scan">{e(poster.scan)}</p>
<div class="ways">
{ways}
</div>
<p class="privacy">{e(poster.privacy)}</p>
<section class="hours"><h2>{e(poster.hours_heading)}</h2><ul>{hours}</ul></section>
<p class="office">{e(poster.office)}</p>
<section class="emergency">{_emergency(poster.emergency)}</section>
</main>
</body>
</html>
"""


def _code_whole(line: str, code: str | None) -> str:
    """The line with the code to type kept on one line of print ("!start ar-mitte" broke at its hyphen)."""
    shown = text(line)
    if code is None:
        return shown
    return shown.replace(text(code), f'<span class="code-text" dir="ltr">{text(code)}</span>', 1)


def _emergency(lines: list[str]) -> str:
    """The bot's emergency screen: its first line a heading, each "• " line an item, any other line a paragraph."""
    if not lines:
        return ""
    out = [f"<h2>{text(without_symbols(lines[0]))}</h2>"]
    items: list[str] = []
    for line in lines[1:]:
        if line.lstrip("\u2068\u2066\u2067").startswith("•"):
            items.append(f"<li>{text(line)}</li>")
            continue
        if items:
            out.append(f"<ul>{''.join(items)}</ul>")
            items = []
        out.append(f"<p>{text(line)}</p>")
    if items:
        out.append(f"<ul>{''.join(items)}</ul>")
    return "".join(out)
