"""`elternlotse poster`: the real command, Debian's headless Chromium, and the QR codes read back out of the PNG as a
parent's phone camera would read them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from bot.config import ConfigError, load_settings
from bot.core import deeplink
from bot.core.deeplink import WayIn
from bot.core.dialogs import Content
from bot.core.hours import district_ids
from bot.core.hours_file import load_hours
from bot.core.i18n import LANGUAGES, load_i18n
from bot.poster import texts as P
from bot.poster.compose import compose
from bot.poster.page import poster_html
from bot.poster.render import render_pdf
from bot.poster.run import poster
from bot.poster.ways import ways_in
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
WAYS = {
    "ELTERNLOTSE_WEB_PUBLIC_URL": "https://chat.stadt.example/",
    "ELTERNLOTSE_TELEGRAM_USERNAME": "elternlotse_bot",
    "ELTERNLOTSE_MATRIX_HOMESERVER": "https://matrix.stadt.example",
    "ELTERNLOTSE_MATRIX_USER_ID": "@elternlotse:stadt.example",
}
NUMBERS = ("110", "112", "116 016", "0800 111 0 111", "0800 111 0 222", "0800 111 0 550", "116 111", "116 117")


@dataclass
class Written:
    code: int
    stderr: str
    html: str
    png: Path
    pdf: Path


def make_poster(out: Path, *args: str, **env: str) -> Written:
    """`elternlotse poster` as an office runs it, in its own process with only the given ways configured."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ELTERNLOTSE_")}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "poster", *args, "--out", str(out)],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    written = [Path(line) for line in done.stdout.splitlines() if line.strip()]
    html = next((p for p in written if p.suffix == ".html"), None)
    return Written(
        done.returncode,
        done.stderr,
        html.read_text(encoding="utf-8") if html else "",
        next((p for p in written if p.suffix == ".png"), out / "none.png"),
        next((p for p in written if p.suffix == ".pdf"), out / "none.pdf"),
    )


def scanned(png: Path) -> dict[str, int]:
    """Each QR code's text in the picture, with the x of its centre (left to right)."""
    with Image.open(png) as picture:
        found = zxingcpp.read_barcodes(picture.convert("L"))
    return {r.text: (r.position.top_left.x + r.position.bottom_right.x) // 2 for r in found}


def pdf_pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def test_the_arabic_poster_is_right_to_left_and_its_codes_open_the_deep_links(tmp_path: Path) -> None:
    made = make_poster(tmp_path, "--lang", "ar", "--district", "Mitte", **WAYS)
    assert made.code == 0, made.stderr
    web = "https://chat.stadt.example/?start=ar-mitte"
    telegram = "https://t.me/elternlotse_bot?start=ar-mitte"
    matrix = "https://matrix.to/#/@elternlotse:stadt.example"
    codes = scanned(made.png)
    assert set(codes) == {web, telegram, matrix}
    assert codes[web] > codes[telegram] > codes[matrix]  # read from the right: the way without an app comes first
    with Image.open(made.png) as picture:
        assert picture.size == (1588, 2246)  # A4 at 192 pixels per inch
    assert made.pdf.read_bytes().startswith(b"%PDF") and pdf_pages(made.pdf) == 1
    assert '<html lang="ar" dir="rtl">' in made.html
    arabic = load_i18n(ROOT / "locales", ["ar"])
    assert arabic.t("ar", P.HEADLINE) in made.html and arabic.t("ar", P.HEADLINE) != P.HEADLINE
    assert "!start ar-mitte" in made.html  # what to type in Element, where a link carries no payload
    for number in NUMBERS:  # each number isolated, its groups kept together, so none reads backwards
        assert "\u2068" + number.replace(" ", "\u00a0") + "\u2069" in made.html
    assert "left out" not in made.stderr


def test_the_german_poster_leaves_out_what_is_not_configured_and_says_so(tmp_path: Path) -> None:
    only_telegram = {"ELTERNLOTSE_TELEGRAM_USERNAME": "@Elternlotse_Bot"}
    made = make_poster(tmp_path, "--lang", "de", "--district", "mitte", **only_telegram)
    assert made.code == 0, made.stderr
    assert "ELTERNLOTSE_WEB_PUBLIC_URL is not set" in made.stderr
    assert "ELTERNLOTSE_MATRIX_USER_ID is not set" in made.stderr
    assert list(scanned(made.png)) == ["https://t.me/Elternlotse_Bot?start=de-mitte"]
    assert '<html lang="de" dir="ltr">' in made.html and pdf_pages(made.pdf) == 1
    assert "Offene Sprechstunde in Mitte: jede Woche, ohne Termin" in made.html
    assert "Montag, 09:00–12:00 Uhr · Mitte: Familienzentrum Beispielhaus Mitte" in made.html
    assert "Wattenscheid" not in made.html
    for number in NUMBERS:
        assert number.replace(" ", "\u00a0") in made.html


def test_every_languages_poster_of_every_district_fits_one_page(tmp_path: Path, content: Content) -> None:
    # The tightest case: all districts' hours. A translation that grows past the page shows as a second PDF page.
    settings = load_settings(**{k.removeprefix("ELTERNLOTSE_").lower(): v for k, v in WAYS.items()})
    hours = load_hours(ROOT / "dialogs" / "hours.yaml")
    i18n = load_i18n(ROOT / "locales", list(LANGUAGES))
    params = {"office_emergency": settings.youth_office_emergency_phone, "office_phone": settings.office_phone}
    for lang in LANGUAGES:
        ways, _ = ways_in(settings, deeplink.encode(lang))
        page, pdf = tmp_path / f"{lang}.html", tmp_path / f"{lang}.pdf"
        page.write_text(poster_html(compose(i18n, lang, content, hours, None, ways, params)), encoding="utf-8")
        render_pdf(page, pdf)
        assert pdf_pages(pdf) == 1, f"the {lang} poster needs more than one page"


def test_a_poster_link_leads_the_bot_to_the_posters_language_and_district() -> None:
    hours = load_hours(ROOT / "dialogs" / "hours.yaml")
    payload = "https://t.me/elternlotse_bot?start=fa-suedwest".split("start=")[1]
    assert deeplink.decode(payload, list(LANGUAGES), district_ids(hours)) == WayIn("fa", "suedwest")


def test_wrong_arguments_stop_with_a_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(telegram_username="elternlotse_bot", languages="de,ar")
    assert poster(settings, "ar", "Atlantis", tmp_path) == 2
    assert "unknown district 'Atlantis'" in capsys.readouterr().err
    assert poster(settings, "tr", "Mitte", tmp_path) == 2  # the bot would ignore a Turkish link
    assert "'tr' is not an enabled language" in capsys.readouterr().err
    assert poster(load_settings(), "de", None, tmp_path) == 2
    assert "no way in is configured" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_username_telegram_would_not_give_a_bot_stops_start_up() -> None:
    for wrong in ("elternlotse", "el bot", "1elternlotse_bot", "https://t.me/elternlotse_bot"):
        with pytest.raises(ConfigError, match="ELTERNLOTSE_TELEGRAM_USERNAME"):
            load_settings(telegram_username=wrong)
    with pytest.raises(ConfigError, match="ELTERNLOTSE_WEB_PUBLIC_URL"):
        load_settings(web_public_url="chat.stadt.example")
