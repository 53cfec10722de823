"""`elternlotse poster --lang ar --district Mitte --out DIR`: the poster as HTML, PDF and PNG."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import Settings
from bot.core import deeplink
from bot.core.dialogs import load_content
from bot.core.hours import HoursData
from bot.core.hours_file import load_hours
from bot.core.i18n import load_i18n
from bot.poster.compose import compose
from bot.poster.page import poster_html
from bot.poster.render import RenderError, render_pdf, render_png
from bot.poster.ways import ways_in


def _say(line: str) -> None:
    print(f"elternlotse poster: {line}", file=sys.stderr)


def find_district(hours: HoursData, wanted: str) -> str | None:
    """A district's id from its id or its name, whatever the case ("Mitte", "mitte", "SÜD" for sued)."""
    folded = wanted.strip().casefold()
    for d in hours.districts:
        if folded in (d.id.casefold(), d.name.casefold()):
            return d.id
    return None


def poster(settings: Settings, lang: str, district_wanted: str | None, out: Path) -> int:
    """Write poster-<payload>.html, .pdf and .png into out; 2 for a wrong argument, 1 if rendering failed."""
    if lang not in settings.language_list:
        _say(f"{lang!r} is not an enabled language (ELTERNLOTSE_LANGUAGES: {', '.join(settings.language_list)})")
        return 2
    hours = load_hours(settings.dialogs_dir / "hours.yaml")
    district = None
    if district_wanted is not None:
        district = find_district(hours, district_wanted)
        if district is None:
            names = ", ".join(d.name for d in hours.districts)
            _say(f"unknown district {district_wanted!r}; the hours file names {names}")
            return 2
    payload = deeplink.encode(lang, district)
    ways, missing = ways_in(settings, payload)
    for note in missing:
        _say(f"left out {note}")
    if not ways:
        _say("no way in is configured, so the poster would have no QR code")
        return 2
    if hours.sample:
        _say(f"{hours.source} still holds SAMPLE hours (sample: true): the poster shows them as they are")
    content, problems = load_content(settings.dialogs_dir / "flows")
    if problems:
        _say(f"the dialogs have {len(problems)} problem(s); run `elternlotse check`")
        return 2
    params = {
        "office_emergency": settings.youth_office_emergency_phone,
        "office_phone": settings.office_phone,
        "retention_days": str(settings.retention_days),
    }
    i18n = load_i18n(settings.locales_dir, [lang])
    page = poster_html(compose(i18n, lang, content, hours, district, ways, params))
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"poster-{payload}"
    html_path, pdf_path, png_path = (stem.with_suffix(s) for s in (".html", ".pdf", ".png"))
    html_path.write_text(page, encoding="utf-8")
    try:
        render_pdf(html_path, pdf_path)
        render_png(html_path, png_path)
    except RenderError as exc:
        _say(f"wrote {html_path}, but {exc}")
        return 1
    for path in (html_path, pdf_path, png_path):
        print(path)
    return 0
